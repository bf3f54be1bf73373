#include "test-common.h"

#include "macros.h"
#include "message-parser.h"
#include "message-section.h"
#include "pool.h"
#include "str.h"

#include <string.h>
#include <time.h>

/* Each part in document order: "type/subtype hdr+body/lines;", with '*'
   after a multipart, '>' after a message part, '!' after an overflow. */
static void describe_tree(const struct message_part *part, string_t *str)
{
	for (; part != NULL;
	     part = message_part_next((struct message_part *)part)) {
		str_printfa(str, "%s/%s %llu+%llu/%llu",
			    message_part_data_type(part->data),
			    message_part_data_subtype(part->data),
			    (unsigned long long)part->header_size,
			    (unsigned long long)part->body_size,
			    (unsigned long long)part->body_lines);
		if ((part->flags & MESSAGE_PART_FLAG_MULTIPART) != 0)
			str_append_c(str, '*');
		if ((part->flags & MESSAGE_PART_FLAG_MESSAGE) != 0)
			str_append_c(str, '>');
		if ((part->flags & MESSAGE_PART_FLAG_OVERFLOW) != 0)
			str_append_c(str, '!');
		str_append_c(str, ';');
	}
}

#define MP(b) "Content-Type: multipart/mixed; boundary=" b "\r\n\r\n"
#define TP "Content-Type: text/plain\r\n\r\n"

static const struct {
	const char *input;
	const char *tree;
} tree_cases[] = {
	{ "", "text/plain 0+0/0;" },
	{ "body", "text/plain 4+0/0;" },
	{ "A: b\r\n\r\nline1\r\nline2", "text/plain 8+12/1;" },
	{ "A: b\n\nline1\nline2\n", "text/plain 6+12/2;" },
	/* preamble, transport padding, a delimiter with text after it,
	   epilogue with a fake part */
	{ MP("b") "pre\r\n--bx\r\n" TP "one\r\n--b \t\r\n" TP "two\r\n--b--\r\n"
		  "--b\r\n" TP "not a part\r\n",
	  "multipart/mixed 45+136/14*;text/plain 28+3/0;text/plain 28+3/0;" },
	/* an empty part: delimiter right after delimiter */
	{ MP("b") "--b\r\n--b\r\n" TP "x\r\n--b--",
	  "multipart/mixed 45+46/5*;text/plain 0+0/0;text/plain 28+1/0;" },
	/* outer boundary a prefix of the inner one */
	{ MP("p") "--p\r\n" MP("p1") "--p1\r\n" TP "a\r\n--p1--\r\n--p\r\n" TP
				     "b\r\n--p--\r\n",
	  "multipart/mixed 45+139/13*;multipart/mixed 46+43/4*;"
	  "text/plain 28+1/0;text/plain 28+1/0;" },
	/* inner boundary a prefix of the outer one, never closed */
	{ MP("bx") "--bx\r\n" MP("b") "--b\r\n" TP "a\r\n--bx\r\n" TP
				      "b\r\n--bx--\r\n",
	  "multipart/mixed 46+132/12*;multipart/mixed 45+34/3*;"
	  "text/plain 28+1/0;text/plain 28+1/0;" },
	/* never closed, cut mid-line */
	{ MP("b") "--b\r\n" TP "a\r\n--b\r\n" TP "cut",
	  "multipart/mixed 45+72/7*;text/plain 28+1/0;text/plain 28+3/0;" },
	/* no boundary parameter: invalid, so text/plain (RFC 2045 §5.2) */
	{ "Content-Type: multipart/mixed\r\n\r\n--\r\nx\r\n",
	  "text/plain 33+7/2;" },
	/* the boundary never appears: a made-up empty child */
	{ MP("b") "no parts\r\n",
	  "multipart/mixed 45+10/1*;text/plain 0+0/0;" },
	/* digest parts default to message/rfc822 */
	{ "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\n"
	  "Subject: s\r\n\r\nbody\r\n--d--",
	  "multipart/digest 46+32/5*;message/rfc822 2+18/2>;"
	  "text/plain 14+4/0;" },
	/* message/rfc822 whose message is a multipart */
	{ "Content-Type: message/rfc822\r\n\r\n" MP("i") "--i\r\n" TP
							 "x\r\n--i--",
	  "message/rfc822 32+86/6>;multipart/mixed 45+41/4*;"
	  "text/plain 28+1/0;" },
	{ "Content-Type: message/global\r\n\r\nSubject: x\r\n\r\ny",
	  "message/global 32+15/2>;text/plain 14+1/0;" },
	/* encoded message/rfc822 is not parsed inside (RFC 2046 §5.2.1) */
	{ "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64"
	  "\r\n\r\nU3ViamVjdDogeA0KDQp5",
	  "message/rfc822 67+20/0;" },
	/* a header ended by a delimiter: no blank line, no body */
	{ MP("b") "--b\r\nContent-Type: text/html\r\n--b--",
	  "multipart/mixed 45+35/2*;text/html 23+0/0;" },
	/* the empty line before a delimiter is the delimiter's */
	{ MP("b") "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n"
		  "\r\n--b--",
	  "multipart/mixed 45+56/5*;message/rfc822 32+12/1>;"
	  "text/plain 12+0/0;" },
	/* boundary in quotes with folding, odd case */
	{ "CONTENT-TYPE: Multipart/Mixed; BOUNDARY=\"a\r\n b\"\r\n\r\n--a b\r\n"
	  "\r\nx\r\n--a b--",
	  "Multipart/Mixed 51+19/3*;text/plain 2+1/0;" },
};

static void test_parser_trees(void **state)
{
	struct pool *pool = pool_create("test", 0);
	string_t *str = str_new(256, SIZE_MAX);

	for (size_t i = 0; i < N_ELEMENTS(tree_cases); i++) {
		const char *input = tree_cases[i].input;
		struct message_part *root =
			message_parse(pool, input, strlen(input), NULL);

		str_truncate(str, 0);
		describe_tree(root, str);
		if (strcmp(str_c(str), tree_cases[i].tree) != 0)
			fail_msg("case %zu: got %s", i, str_c(str));
		assert_int_equal(message_part_end_pos(root), strlen(input));
	}
	str_free(&str);
	pool_destroy(&pool);
}

static const char section_msg[] = MP(
	"o") "--o\r\n" TP "1\r\n"
	     "--o\r\nContent-Type: message/rfc822\r\n\r\n" MP(
		     "i") "--i\r\n" TP "2.1\r\n--i\r\n" TP "2.2\r\n--i--\r\n"
			  "--o\r\nContent-Type: message/rfc822\r\n\r\nSubject: "
			  "x\r\n\r\n3.1\r\n"
			  "--o\r\nContent-Type: message/global\r\n\r\nSubject: "
			  "y\r\n\r\n4.1\r\n"
			  "--o--\r\n";

static void check_range(struct message_part *root, const char *section,
			enum message_section_kind kind, const char *start,
			size_t size)
{
	struct message_section_range range;

	if (start == NULL) {
		assert_int_equal(message_section_get_range(root, section, kind,
							   0, &range),
				 -1);
		return;
	}
	assert_int_equal(
		message_section_get_range(root, section, kind, 0, &range), 0);
	assert_memory_equal(section_msg + range.offset, start, strlen(start));
	assert_int_equal(range.size, size);
}

static void check_ranges(struct message_part *root)
{
	check_range(root, NULL, MESSAGE_SECTION_ALL, "Content-Type",
		    sizeof(section_msg) - 1);
	check_range(root, "", MESSAGE_SECTION_HEADER, "Content-Type", 45);
	check_range(root, NULL, MESSAGE_SECTION_TEXT, "--o\r\n",
		    sizeof(section_msg) - 1 - 45);
	check_range(root, NULL, MESSAGE_SECTION_MIME, NULL, 0);
	check_range(root, "1", MESSAGE_SECTION_MIME, "Content-Type", 28);
	check_range(root, "1", MESSAGE_SECTION_ALL, "1\r\n", 1);
	check_range(root, "1", MESSAGE_SECTION_HEADER, NULL, 0);
	check_range(root, "2", MESSAGE_SECTION_HEADER, "Content-Type", 45);
	check_range(root, "2", MESSAGE_SECTION_TEXT, "--i\r\n", 81);
	check_range(root, "3", MESSAGE_SECTION_HEADER, "Subject: x", 14);
	check_range(root, "3", MESSAGE_SECTION_TEXT, "3.1", 3);
	check_range(root, "4", MESSAGE_SECTION_TEXT, NULL, 0);
	check_range(root, "9", MESSAGE_SECTION_ALL, NULL, 0);
}

static const char rfc822_msg[] =
	"Content-Type: message/rfc822\r\n\r\nA: b\r\n\r\nc";

static void test_parser_sections(void **state)
{
	static const struct {
		const char *section;
		const char *body; /* start of the part's body, or NULL */
	} cases[] = {
		{ "1", "1\r\n" },      { "2", "Content-Type: multipart" },
		{ "2.1", "2.1" },      { "2.2", "2.2" },
		{ "3", "Subject: x" }, { "3.1", "3.1" },
		{ "4", "Subject: y" }, { "4.1", NULL },
		{ "5", NULL },         { "0", NULL },
		{ "1.1", NULL },       { "01", NULL },
		{ "1.", NULL },        { ".1", NULL },
		{ "2..1", NULL },      { "", NULL },
		{ "2.3", NULL },       { "2.1.1", NULL },
		{ "x", NULL },         { "99999999999999999999", NULL },
	};
	struct pool *pool = pool_create("test", 0);
	struct message_part *root =
		message_parse(pool, section_msg, sizeof(section_msg) - 1, NULL);

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		struct message_part *part =
			message_section_find(root, cases[i].section, 0);

		if (cases[i].body == NULL) {
			if (part != NULL)
				fail_msg("section %s found", cases[i].section);
			continue;
		}
		if (part == NULL)
			fail_msg("section %s not found", cases[i].section);
		assert_memory_equal(section_msg + message_part_body_pos(part),
				    cases[i].body, strlen(cases[i].body));
	}
	/* byte ranges of sections */
	check_ranges(root);
	/* IMAP4rev2: message/global is a message */
	assert_non_null(message_section_find(root, "4.1",
					     MESSAGE_SECTION_FLAG_IMAP4REV2));
	/* a single-part message is part 1; a message/rfc822 one has 1.1 */
	root = message_parse(pool, "Subject: x\r\n\r\nbody", 18, NULL);
	assert_ptr_equal(message_section_find(root, "1", 0), root);
	assert_null(message_section_find(root, "2", 0));
	assert_null(message_section_find(root, "1.1", 0));
	root = message_parse(pool, rfc822_msg, strlen(rfc822_msg), NULL);
	assert_ptr_equal(message_section_find(root, "1", 0), root);
	assert_ptr_equal(message_section_find(root, "1.1", 0), root->children);
	pool_destroy(&pool);
}

static unsigned int tree_depth(const struct message_part *part)
{
	unsigned int depth = 0;

	for (const struct message_part *child = part->children; child != NULL;
	     child = child->next) {
		unsigned int child_depth = tree_depth(child) + 1;

		depth = MAX(depth, child_depth);
	}
	return depth;
}

static void test_parser_limits(void **state)
{
	struct pool *pool = pool_create("test", 0);
	string_t *msg = str_new(1024, SIZE_MAX);
	struct message_part *root;

	/* 150 nested multiparts: cut at depth 100 */
	for (unsigned int i = 0; i < 150; i++)
		str_printfa(msg, MP("b%u") "--b%u\r\n", i, i);
	root = message_parse(pool, msg->data, msg->used, NULL);
	assert_int_equal(tree_depth(root), MESSAGE_PARSER_DEFAULT_MAX_DEPTH);

	/* 150 nested messages */
	str_truncate(msg, 0);
	for (unsigned int i = 0; i < 150; i++)
		str_append(msg, "Content-Type: message/rfc822\r\n\r\n");
	root = message_parse(pool, msg->data, msg->used, NULL);
	assert_int_equal(tree_depth(root), MESSAGE_PARSER_DEFAULT_MAX_DEPTH);

	/* 10050 parts: cut at 10000 */
	str_truncate(msg, 0);
	str_append(msg, MP("b"));
	for (unsigned int i = 0; i < 10050; i++)
		str_append(msg, "--b\r\n\r\nx\r\n");
	root = message_parse(pool, msg->data, msg->used, NULL);
	assert_int_equal(message_part_count(root),
			 MESSAGE_PARSER_DEFAULT_MAX_PARTS);
	assert_true((root->flags & MESSAGE_PART_FLAG_OVERFLOW) != 0);
	assert_int_equal(message_part_end_pos(root), msg->used);
	str_free(&msg);
	pool_destroy(&pool);
}

static double elapsed(clock_t start)
{
	return (double)(clock() - start) / CLOCKS_PER_SEC;
}

/* No quadratic behaviour: big inputs parse in a blink (bounds are loose
   for sanitizer builds). */
static void test_parser_performance(void **state)
{
	struct pool *pool = pool_create("test", 0);
	string_t *msg = str_new(1 << 20, SIZE_MAX);
	clock_t start;

	/* a 4 MB header of short fields, and one 4 MB folded field */
	for (unsigned int i = 0; msg->used < 4 << 20; i++)
		str_printfa(msg, "X-Field-%u: value %u\r\n", i, i);
	str_append(msg, "Content-Type: text/plain\r\n\r\nbody");
	start = clock();
	(void)message_parse(pool, msg->data, msg->used, NULL);
	assert_true(elapsed(start) < 5.0);

	str_truncate(msg, 0);
	str_append(msg, "Content-Type: text/plain; a=b");
	while (msg->used < 4 << 20)
		str_append(msg, "\r\n ; x=\"yyyyyyyyyyyyyyyyyyyyyyyyyyy\"");
	str_append(msg, "\r\n\r\nbody");
	start = clock();
	(void)message_parse(pool, msg->data, msg->used, NULL);
	assert_true(elapsed(start) < 5.0);

	/* 99 nested multiparts, then 4 MB of lines that almost match */
	str_truncate(msg, 0);
	for (unsigned int i = 0; i < 99; i++)
		str_printfa(msg, MP("boundary-%u") "--boundary-%u\r\n", i, i);
	while (msg->used < 4 << 20)
		str_append(msg, "--boundary-\r\n");
	start = clock();
	(void)message_parse(pool, msg->data, msg->used, NULL);
	assert_true(elapsed(start) < 10.0);
	str_free(&msg);
	pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parser_trees),
		cmocka_unit_test(test_parser_sections),
		cmocka_unit_test(test_parser_limits),
		cmocka_unit_test(test_parser_performance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
