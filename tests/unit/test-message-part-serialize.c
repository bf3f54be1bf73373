#include "test-common.h"

#include "macros.h"
#include "message-parser.h"
#include "message-section.h"
#include "message-part-serialize.h"
#include "pool.h"

#include <stdlib.h>
#include <string.h>

static const char msg[] =
	"Content-Type: multipart/mixed; boundary=o\r\n\r\n"
	"--o\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64"
	"\r\n\r\nAAAA\r\n"
	"--o\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\ny\r\n"
	"--o\r\nContent-Type: message/global\r\n\r\nSubject: x\r\n\r\ny\0z\r\n"
	"--o--\r\n";

static void assert_same_tree(const struct message_part *a,
			     const struct message_part *b)
{
	for (; a != NULL; a = message_part_next((struct message_part *)a),
			  b = message_part_next((struct message_part *)b)) {
		assert_non_null(b);
		assert_true(a->physical_pos == b->physical_pos);
		assert_true(a->header_size == b->header_size);
		assert_true(a->body_size == b->body_size);
		assert_true(a->body_lines == b->body_lines);
		assert_int_equal(a->flags, b->flags);
		assert_int_equal(a->cte, b->cte);
		assert_int_equal(a->children_count, b->children_count);
		assert_null(b->data);
	}
	assert_null(b);
}

static void test_serialize_roundtrip(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct message_part *root, *copy;
	buffer_t *blob = buffer_create(64, SIZE_MAX);
	const char *error;

	root = message_parse(pool, msg, sizeof(msg) - 1, NULL);
	message_part_serialize(root, blob);
	assert_int_equal(message_part_deserialize(pool, blob->data, blob->used,
						  sizeof(msg) - 1, &copy,
						  &error),
			 0);
	assert_same_tree(root, copy);
	assert_int_equal(root->children->cte, MESSAGE_CTE_BASE64);
	assert_true((root->flags & MESSAGE_PART_FLAG_HAS_NULS) != 0);
	/* usable for sections without reparsing */
	assert_non_null(message_section_find(copy, "2.1", 0));
	assert_null(message_section_find(copy, "3.1", 0));
	assert_non_null(message_section_find(copy, "3.1",
					     MESSAGE_SECTION_FLAG_IMAP4REV2));
	/* compact: a few bytes a part */
	assert_true(blob->used < 8 * 6 + 16);
	/* the size must match unless told not to check */
	assert_int_equal(message_part_deserialize(pool, blob->data, blob->used,
						  sizeof(msg), &copy, &error),
			 -1);
	assert_int_equal(message_part_deserialize(pool, blob->data, blob->used,
						  UINT64_MAX, &copy, &error),
			 0);
	buffer_free(&blob);
	pool_destroy(&pool);
}

/* Truncations, bit flips and byte changes of a valid blob: each either
   fails or gives a tree that is consistent (the parser would accept it
   as one of its own). */
static void check_tree_sane(const struct message_part *part, uint64_t size)
{
	for (; part != NULL;
	     part = message_part_next((struct message_part *)part)) {
		assert_true(message_part_end_pos(part) <= size);
		assert_true(part->body_lines <= part->body_size);
		if (part->parent != NULL) {
			assert_true(part->physical_pos >=
				    message_part_body_pos(part->parent));
			assert_true(message_part_end_pos(part) <=
				    message_part_end_pos(part->parent));
		}
		if (part->next != NULL)
			assert_true(message_part_end_pos(part) <=
				    part->next->physical_pos);
	}
}

static void test_serialize_corrupt(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct message_part *root, *copy;
	buffer_t *blob = buffer_create(64, SIZE_MAX);
	unsigned char *bad;
	const char *error;

	root = message_parse(pool, msg, sizeof(msg) - 1, NULL);
	message_part_serialize(root, blob);
	bad = malloc(blob->used + 1);
	for (size_t len = 0; len < blob->used; len++)
		assert_int_equal(message_part_deserialize(pool, blob->data, len,
							  sizeof(msg) - 1,
							  &copy, &error),
				 -1);
	memcpy(bad, blob->data, blob->used);
	bad[blob->used] = 0;
	assert_int_equal(message_part_deserialize(pool, bad, blob->used + 1,
						  sizeof(msg) - 1, &copy,
						  &error),
			 -1);
	assert_string_equal(error, "trailing data");
	for (size_t i = 0; i < blob->used * 8; i++) {
		memcpy(bad, blob->data, blob->used);
		bad[i / 8] ^= (unsigned char)(1 << (i % 8));
		if (message_part_deserialize(pool, bad, blob->used,
					     sizeof(msg) - 1, &copy,
					     &error) == 0)
			check_tree_sane(copy, sizeof(msg) - 1);
	}
	for (size_t i = 0; i < blob->used; i++) {
		for (unsigned int v = 0; v < 256; v++) {
			memcpy(bad, blob->data, blob->used);
			bad[i] = (unsigned char)v;
			if (message_part_deserialize(pool, bad, blob->used,
						     UINT64_MAX, &copy,
						     &error) == 0)
				check_tree_sane(copy, UINT64_MAX);
		}
	}
	free(bad);
	buffer_free(&blob);
	pool_destroy(&pool);
}

static void test_serialize_hostile(void **state)
{
	static const struct {
		const char *blob;
		size_t size;
		const char *error;
	} cases[] = {
		{ "", 0, "unknown version" },
		{ "\x02", 1, "unknown version" },
		/* a leaf claiming a million children */
		{ "\x01\x00\x00\x00\x00\x00\xc0\x84\x3d", 9,
		  "leaf with children" },
		{ "\x01\x01\x00\x00\x05\x00\xc0\x84\x3d", 9,
		  "child count past the data" },
		{ "\x01\x00\x00\x00\x05\x06\x00", 7, "more lines than bytes" },
		{ "\x01\x80\x80\x80", 4, "truncated" },
		{ "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11,
		  "varint overflow" },
		{ "\x01\x80\x04\x00\x00\x00\x00\x00", 8, "unknown flags" },
		{ "\x01\x80\xe0\x01\x00\x00\x00\x00\x00", 9,
		  "unknown transfer encoding" },
		{ "\x01\x02\x00\x00\x00\x00\x00\x00", 8,
		  "message without one child" },
		{ "\x01\x00\x00\x00\x0a\x00\x00", 7,
		  "part outside its parent" },
	};
	struct pool *pool = pool_create("test", 0);
	struct message_part *copy;
	const char *error;

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		assert_int_equal(message_part_deserialize(pool, cases[i].blob,
							  cases[i].size, 5,
							  &copy, &error),
				 -1);
		if (strcmp(error, cases[i].error) != 0)
			fail_msg("case %zu: %s", i, error);
	}
	pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serialize_roundtrip),
		cmocka_unit_test(test_serialize_corrupt),
		cmocka_unit_test(test_serialize_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
