/* SEARCH argument parsing: the input is a SEARCH command's arguments
   (lines, with literals), the first byte choosing IMAP4rev2. The keys'
   sequence sets are resolved against a small view, and the result of a
   made-up match is written in the response the query asks for. */
#include "fuzz-imap-input.h"
#include "imap-search.h"
#include "log.h"
#include "pool.h"
#include "str.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_result(struct pool *pool,
			const struct imap_search_query *query)
{
	struct seq_range_set view, saved;
	struct mail_search_result result = { .highest_modseq = 7 };
	string_t *out = str_new(256, SIZE_MAX);

	seq_range_set_init(&view, pool);
	seq_range_set_add_range(&view, 3, 9);
	seq_range_set_add(&view, 4000000000U);
	seq_range_set_init(&saved, pool);
	seq_range_set_add_range(&saved, 1, 5);
	imap_search_resolve_seqsets(pool, query, &view, &saved);
	seq_range_set_init(&result.uids, pool);
	seq_range_set_add_range(&result.uids, 4, 6);
	imap_search_write_result(out, query, "tag", false, &view, &result);
	imap_search_write_result(out, query, "tag", true, &view, &result);
	seq_range_set_init(&saved, pool);
	imap_search_saved_result(query, &result.uids, &saved);
	str_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser_settings set;
	struct pool *pool;
	struct imap_parser *parser;
	struct imap_search_query query;
	const char *error;

	if (size < 1)
		return 0;
	imap_parser_settings_init_defaults(&set);
	pool = pool_create("fuzz search", 0);
	parser = imap_parser_create(pool, &set, 0);
	if (fuzz_imap_feed(parser, data + 1, size - 1) == IMAP_PARSE_DONE &&
	    imap_search_parse(pool, imap_parser_get_args(parser),
			      (data[0] & 1) != 0, &query,
			      &error) == IMAP_SEARCH_PARSE_OK)
		fuzz_result(pool, &query);
	pool_destroy(&pool);
	return 0;
}
