#include "test-common.h"

#include "macros.h"
#include "message-part-data.h"
#include "pool.h"
#include "str.h"

#include <string.h>

/* Content-Type values and their parameters, written "name=value;...". */
static const struct {
	const char *input;
	const char *type;
	const char *params;
} ct_cases[] = {
	{ "text/plain; charset=us-ascii", "text/plain", "charset=us-ascii;" },
	{ "TEXT/Plain;CHARSET=\"UTF-8\"", "TEXT/Plain", "CHARSET=UTF-8;" },
	{ "text / plain (c) ; charset = \"utf-8\" (x (y)) ; format=flowed",
	  "text/plain", "charset=utf-8;format=flowed;" },
	{ "application/octet-stream;; name=data.bin;",
	  "application/octet-stream", "name=data.bin;" },
	{ "multipart/mixed; boundary=----=_NextPart_000_0001",
	  "multipart/mixed", "boundary=----=_NextPart_000_0001;" },
	{ "multipart/mixed; boundary=\"folded\r\n boundary\"",
	  "multipart/mixed", "boundary=folded boundary;" },
	{ "text/plain; name=\"a \\\"b\\\"; c\"", "text/plain",
	  "name=a \"b\"; c;" },
	{ "text/plain; garbage; charset=x", "text/plain", "charset=x;" },
	{ "text/plain; name=\"unterminated", "text/plain",
	  "name=unterminated;" },
	/* invalid: RFC 2045 §5.2 default, parameters dropped */
	{ "text", NULL, "" },
	{ ";charset=utf-8", NULL, "" },
	{ "", NULL, "" },
	{ "/plain", NULL, "" },
	/* RFC 2231 continuations, in any order */
	{ "text/plain; title*1=\" second\"; title*0=\"first,\"", "text/plain",
	  "title=first, second;" },
	{ "a/b; name*0*=utf-8'de'Gesch%C3%A4ft%20; name*1*=%C3%BCber;"
	  " name*2=\" (final).pdf\"",
	  "a/b",
	  "name=Gesch\xc3\xa4"
	  "ft \xc3\xbc"
	  "ber (final).pdf;" },
	/* charset conversion; the decoded value replaces the fallback */
	{ "a/b; name=\"fallback.txt\"; name*=iso-8859-1'fr'r%E9sum%E9.txt",
	  "a/b", "name=r\xc3\xa9sum\xc3\xa9.txt;" },
	{ "a/b; name*=UTF-8''%E2%82%AC.txt; name=\"fallback.txt\"; x=1", "a/b",
	  "name=\xe2\x82\xac.txt;x=1;" },
	{ "a/b; name*=''plain", "a/b", "name=plain;" },
	/* undecodable: kept raw as name* */
	{ "a/b; x*=''%ZZbad%2", "a/b", "x*=''%ZZbad%2;" },
	{ "a/b; x*=x-unknown''abc", "a/b", "x*=x-unknown''abc;" },
	{ "a/b; x*=noquotes", "a/b", "x*=noquotes;" },
	{ "a/b; x*0*=utf-8''a; x*1*=%G0", "a/b", "x*=utf-8''a%G0;" },
	/* a gap ends the continuation; *1 alone is raw */
	{ "a/b; t*0=a; t*2=c", "a/b", "t=a;" },
	{ "a/b; t*1=a", "a/b", "t*=a;" },
	/* names that are not RFC 2231 */
	{ "a/b; t*01=a; *x=b; t*1x=c", "a/b", "t*01=a;*x=b;t*1x=c;" },
};

static void format_params(const struct message_part_data *data, string_t *str)
{
	for (unsigned int i = 0; i < data->content_type_params_count; i++)
		str_printfa(str, "%s=%s;", data->content_type_params[i].name,
			    data->content_type_params[i].value);
}

static void test_content_type(void **state)
{
	struct pool *pool = pool_create("test", 0);
	string_t *str = str_new(256, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(ct_cases); i++) {
		struct message_part_data data;
		int ret;

		memset(&data, 0, sizeof(data));
		ret = message_part_data_parse_content_type(
			pool, &data, ct_cases[i].input,
			strlen(ct_cases[i].input));
		str_truncate(str, 0);
		if (data.content_type != NULL)
			str_printfa(str, "%s/%s", data.content_type,
				    data.content_subtype);
		assert_int_equal(ret, ct_cases[i].type == NULL ? -1 : 0);
		if (ct_cases[i].type != NULL &&
		    strcmp(str_c(str), ct_cases[i].type) != 0)
			fail_msg("%s: type %s", ct_cases[i].input, str_c(str));
		str_truncate(str, 0);
		format_params(&data, str);
		if (strcmp(str_c(str), ct_cases[i].params) != 0)
			fail_msg("%s: params %s", ct_cases[i].input,
				 str_c(str));
	}
	str_free(&str);
	pool_destroy(&pool);
}

static void test_param_limit(void **state)
{
	struct pool *pool = pool_create("test", 0);
	string_t *str = str_new(256, SIZE_MAX);
	struct message_part_data data;

	str_append(str, "a/b");
	for (unsigned int i = 0; i < 1000; i++)
		str_printfa(str, "; p*%u=x", i);
	memset(&data, 0, sizeof(data));
	assert_int_equal(message_part_data_parse_content_type(
				 pool, &data, str->data, str->used),
			 0);
	assert_int_equal(data.content_type_params_count, 1);
	assert_int_equal(strlen(data.content_type_params[0].value),
			 RFC2231_MAX_PARAMS);
	str_free(&str);
	pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_param_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
