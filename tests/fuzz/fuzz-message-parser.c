/* Fuzzes the MIME parser and everything built on its tree: ENVELOPE,
   BODYSTRUCTURE and BODY (IMAP4rev1 and rev2), serialization and its
   parse-back (which must give the same tree), section lookup of every
   part, HEADER.FIELDS, CTE decoding, and SEARCH text. The input is also
   fed to the deserializer as a corrupt blob. */

#include "imap-bodystructure.h"
#include "imap-envelope.h"
#include "log.h"
#include "message-decode.h"
#include "message-header.h"
#include "message-parser.h"
#include "message-section.h"
#include "message-part-serialize.h"
#include "message-search-text.h"
#include "pool.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_same_tree(const struct message_part *a,
				 const struct message_part *b)
{
	while (a != NULL) {
		i_assert(b != NULL);
		i_assert(a->physical_pos == b->physical_pos);
		i_assert(a->header_size == b->header_size);
		i_assert(a->body_size == b->body_size);
		i_assert(a->body_lines == b->body_lines);
		i_assert(a->flags == b->flags && a->cte == b->cte);
		a = message_part_next((struct message_part *)a);
		b = message_part_next((struct message_part *)b);
	}
	i_assert(b == NULL);
}

static void fuzz_serialize(struct pool *pool, const struct message_part *root,
			   size_t size)
{
	buffer_t *blob = buffer_create(64, SIZE_MAX);
	struct message_part *copy;
	const char *error;

	message_part_serialize(root, blob);
	if (message_part_deserialize(pool, blob->data, blob->used, size, &copy,
				     &error) < 0)
		panic("deserializing our own tree failed: %s", error);
	fuzz_check_same_tree(root, copy);
	buffer_free(&blob);
}

/* Every part: its section number must lead back to it. */
static void fuzz_sections(struct message_part *root, const uint8_t *data,
			  size_t size)
{
	static const char *const fields[] = { "From", "Subject", "To" };
	buffer_t *buf = buffer_create(256, SIZE_MAX);

	for (struct message_part *part = root; part != NULL;
	     part = message_part_next(part)) {
		struct message_decode_result result;

		i_assert(message_part_end_pos(part) <= size);
		buffer_clear(buf);
		message_header_filter(data + part->physical_pos,
				      part->header_size, fields, 3, false, buf);
		buffer_clear(buf);
		(void)message_decode(part->cte,
				     data + message_part_body_pos(part),
				     part->body_size, buf, &result);
		i_assert(result.size == buf->used);
	}
	buffer_free(&buf);
}

static void fuzz_section_lookup(struct message_part *root, size_t size)
{
	static const char *const sections[] = {
		NULL,    "1", "2",  "1.1",  "1.2", "2.1",         "1.1.1",
		"3.2.1", "0", "1.", "1..2", "01",  "99999999999", "",
	};
	struct message_section_range range;

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		for (int kind = MESSAGE_SECTION_ALL;
		     kind <= MESSAGE_SECTION_MIME; kind++) {
			if (message_section_get_range(
				    root, sections[i], kind,
				    MESSAGE_SECTION_FLAG_IMAP4REV2,
				    &range) == 0)
				i_assert(range.offset + range.size <= size);
		}
	}
}

static void fuzz_imap(struct pool *pool, const struct message_part *root,
		      const uint8_t *data, size_t size)
{
	static const enum imap_bodystructure_flags variants[] = {
		IMAP_BODYSTRUCTURE_FLAG_EXTENDED,
		0,
		IMAP_BODYSTRUCTURE_FLAG_EXTENDED |
			IMAP_BODYSTRUCTURE_FLAG_IMAP4REV2 |
			IMAP_BODYSTRUCTURE_FLAG_UTF8,
	};
	string_t *str = str_new(1024, SIZE_MAX);
	struct imap_envelope env;

	imap_envelope_parse(pool, data, root->header_size, &env);
	imap_envelope_write(str, &env, 0);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		str_truncate(str, 0);
		if (imap_bodystructure_write(str, root, data, size, variants[i],
					     pool) < 0)
			panic("BODYSTRUCTURE failed on a parsed tree");
	}
	str_truncate(str, 0);
	message_search_body_text(data, size, root, str);
	str_free(&str);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool = pool_create("fuzz", 0);
	struct message_parser_settings set = { .max_depth = 20,
					       .max_parts = 300 };
	struct message_part *root, *blob_root;
	const char *error;

	root = message_parse(pool, data, size, NULL);
	i_assert(message_part_end_pos(root) == size);
	fuzz_serialize(pool, root, size);
	fuzz_sections(root, data, size);
	fuzz_section_lookup(root, size);
	fuzz_imap(pool, root, data, size);

	/* small limits, to reach the overflow paths */
	root = message_parse(pool, data, size, &set);
	fuzz_serialize(pool, root, size);
	fuzz_imap(pool, root, data, size);

	/* the input as a corrupt index blob */
	if (message_part_deserialize(pool, data, size, UINT64_MAX, &blob_root,
				     &error) == 0)
		fuzz_section_lookup(blob_root, UINT64_MAX);
	pool_destroy(&pool);
	return 0;
}
