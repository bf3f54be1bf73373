#include "message-part-data.h"
#include "array.h"
#include "message-header.h"
#include "pool.h"
#include "rfc822-parser.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Language tags kept from one Content-Language field. */
#define MESSAGE_PART_MAX_LANGUAGES 64
/* A scratch string never needs more than the header value it reads. */
#define SCRATCH_MAX(size) ((size) + 64)

static const char *const message_cte_names[MESSAGE_CTE_COUNT] = {
	[MESSAGE_CTE_7BIT] = "7bit",     [MESSAGE_CTE_8BIT] = "8bit",
	[MESSAGE_CTE_BINARY] = "binary", [MESSAGE_CTE_QP] = "quoted-printable",
	[MESSAGE_CTE_BASE64] = "base64", [MESSAGE_CTE_UNKNOWN] = "unknown",
};

enum message_cte message_cte_from_name(const char *name)
{
	if (name == NULL)
		return MESSAGE_CTE_7BIT;
	for (unsigned int i = 0; i < MESSAGE_CTE_UNKNOWN; i++) {
		if (strcasecmp(name, message_cte_names[i]) == 0)
			return (enum message_cte)i;
	}
	return MESSAGE_CTE_UNKNOWN;
}

const char *message_cte_name(enum message_cte cte)
{
	return message_cte_names[cte];
}

/* Reads one MIME token after CFWS into a pool string, or NULL. */
static const char *part_data_token(struct pool *pool,
				   struct rfc822_parser *parser, string_t *str)
{
	str_truncate(str, 0);
	if (rfc822_skip_lwsp(parser) <= 0 ||
	    rfc822_parse_mime_token(parser, str) < 0)
		return NULL;
	return pool_strndup(pool, str_c(str), str_len(str));
}

int message_part_data_parse_content_type(struct pool *pool,
					 struct message_part_data *data,
					 const void *value, size_t size)
{
	struct rfc822_parser parser;
	string_t *str = str_new(64, SCRATCH_MAX(size));
	const char *type, *subtype = NULL;

	rfc822_parser_init(&parser, value, size, NULL);
	type = part_data_token(pool, &parser, str);
	if (type != NULL && !rfc822_parser_at_end(&parser) &&
	    *parser.data == '/') {
		parser.data++;
		subtype = part_data_token(pool, &parser, str);
	}
	str_free(&str);
	if (subtype == NULL) {
		/* RFC 2045 §5.2: the whole field is invalid, so the default
		   "text/plain; charset=us-ascii" applies, parameters and
		   all */
		data->content_type = data->content_subtype = NULL;
		return -1;
	}
	data->content_type = type;
	data->content_subtype = subtype;
	/* parameters start at the first ';', whatever came before it */
	while (!rfc822_parser_at_end(&parser) && *parser.data != ';')
		parser.data++;
	data->content_type_params_count =
		rfc2231_parse(pool, &parser, &data->content_type_params);
	return 0;
}

static void part_data_parse_disposition(struct pool *pool,
					struct message_part_data *data,
					const void *value, size_t size)
{
	struct rfc822_parser parser;
	string_t *str = str_new(64, SCRATCH_MAX(size));

	rfc822_parser_init(&parser, value, size, NULL);
	data->content_disposition = part_data_token(pool, &parser, str);
	if (data->content_disposition != NULL) {
		while (!rfc822_parser_at_end(&parser) && *parser.data != ';')
			parser.data++;
		data->content_disposition_params_count = rfc2231_parse(
			pool, &parser, &data->content_disposition_params);
	}
	str_free(&str);
}

/* Content-Language: 1#Language-Tag (RFC 3282 §2), CFWS allowed. */
static void part_data_parse_language(struct pool *pool,
				     struct message_part_data *data,
				     const void *value, size_t size)
{
	struct rfc822_parser parser;
	string_t *str = str_new(64, SCRATCH_MAX(size));
	ARRAY(const char *) langs = ARRAY_INIT;

	rfc822_parser_init(&parser, value, size, NULL);
	while (rfc822_skip_lwsp(&parser) > 0 &&
	       langs.count < MESSAGE_PART_MAX_LANGUAGES) {
		const char *lang = part_data_token(pool, &parser, str);

		if (lang != NULL)
			array_push(&langs, lang);
		/* skip to the next comma */
		while (!rfc822_parser_at_end(&parser) && *parser.data != ',')
			parser.data++;
		if (!rfc822_parser_at_end(&parser))
			parser.data++;
	}
	if (langs.count > 0) {
		array_push(&langs, NULL);
		data->content_language = pool_memdup(
			pool, langs.v, langs.count * sizeof(*langs.v));
	}
	array_free(&langs);
	str_free(&str);
}

static const char *part_data_unfold(struct pool *pool,
				    const struct message_header_field *field)
{
	size_t len;
	char *value = message_header_unfold(pool, field->value,
					    field->value_len, &len);

	return len == 0 ? NULL : value;
}

static const char *part_data_cte(struct pool *pool,
				 const struct message_header_field *field)
{
	struct rfc822_parser parser;
	string_t *str = str_new(32, SCRATCH_MAX(field->value_len));
	const char *cte;

	rfc822_parser_init(&parser, field->value, field->value_len, NULL);
	cte = part_data_token(pool, &parser, str);
	str_free(&str);
	return cte;
}

/* Sets *dest from the field unless an earlier field already did. */
static void part_data_set_text(struct pool *pool, const char **dest,
			       const struct message_header_field *field)
{
	if (*dest == NULL)
		*dest = part_data_unfold(pool, field);
}

static bool
part_data_parse_content_field(struct pool *pool, struct message_part_data *data,
			      const struct message_header_field *field)
{
	if (message_header_field_is(field, "Content-Type")) {
		if (!data->have_content_type)
			(void)message_part_data_parse_content_type(
				pool, data, field->value, field->value_len);
		data->have_content_type = true;
	} else if (message_header_field_is(field,
					   "Content-Transfer-Encoding")) {
		if (!data->have_content_transfer_encoding)
			data->content_transfer_encoding =
				part_data_cte(pool, field);
		data->have_content_transfer_encoding = true;
	} else if (message_header_field_is(field, "Content-Disposition")) {
		if (!data->have_content_disposition)
			part_data_parse_disposition(pool, data, field->value,
						    field->value_len);
		data->have_content_disposition = true;
	} else if (message_header_field_is(field, "Content-Language")) {
		if (!data->have_content_language)
			part_data_parse_language(pool, data, field->value,
						 field->value_len);
		data->have_content_language = true;
	} else {
		return false;
	}
	return true;
}

bool message_part_data_parse_field(struct pool *pool,
				   struct message_part_data *data,
				   const struct message_header_field *field)
{
	if (field->name_len < 8 || field->no_colon ||
	    strncasecmp((const char *)field->name, "Content-", 8) != 0)
		return false;
	if (part_data_parse_content_field(pool, data, field))
		return true;
	if (message_header_field_is(field, "Content-ID"))
		part_data_set_text(pool, &data->content_id, field);
	else if (message_header_field_is(field, "Content-Description"))
		part_data_set_text(pool, &data->content_description, field);
	else if (message_header_field_is(field, "Content-MD5"))
		part_data_set_text(pool, &data->content_md5, field);
	else if (message_header_field_is(field, "Content-Location"))
		part_data_set_text(pool, &data->content_location, field);
	else
		return false;
	return true;
}

const char *message_part_data_type(const struct message_part_data *data)
{
	if (data->content_type != NULL)
		return data->content_type;
	return data->default_message ? "message" : "text";
}

const char *message_part_data_subtype(const struct message_part_data *data)
{
	if (data->content_type != NULL)
		return data->content_subtype;
	return data->default_message ? "rfc822" : "plain";
}

bool message_part_data_is_type(const struct message_part_data *data,
			       const char *type, const char *subtype)
{
	return strcasecmp(message_part_data_type(data), type) == 0 &&
	       (subtype == NULL ||
		strcasecmp(message_part_data_subtype(data), subtype) == 0);
}

const char *message_part_data_param(const struct message_part_data *data,
				    const char *name)
{
	return rfc2231_param_get(data->content_type_params,
				 data->content_type_params_count, name);
}

const char *message_part_data_charset(const struct message_part_data *data)
{
	const char *charset = message_part_data_param(data, "charset");

	return charset != NULL && *charset != '\0' ? charset : "us-ascii";
}
