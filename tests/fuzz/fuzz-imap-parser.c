/* Feeds the input to the IMAP argument parser as a session would (lines,
   and literal bytes when the parser asks), with limits taken from the
   first byte, then checks parse -> write -> parse gives the same
   arguments. */
#include "fuzz-imap-input.h"
#include "imap-parser.h"
#include "log.h"
#include "pool.h"
#include "str.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_roundtrip(const struct imap_parser_settings *set,
				 const string_t *written)
{
	struct pool *pool = pool_create("fuzz reparse", 0);
	struct imap_parser *parser = imap_parser_create(pool, set, 0);
	string_t *again = str_new(written->used + 1, SIZE_MAX);

	if (fuzz_imap_feed(parser, written->data, written->used) !=
	    IMAP_PARSE_DONE)
		panic("written arguments don't parse again");
	imap_args_write(again, imap_parser_get_args(parser));
	i_assert(again->used == written->used &&
		 memcmp(again->data, written->data, written->used) == 0);
	str_free(&again);
	pool_destroy(&pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser_settings set;
	struct pool *pool;
	struct imap_parser *parser;
	enum imap_parser_result ret;
	string_t *written;

	if (size < 1)
		return 0;
	imap_parser_settings_init_defaults(&set);
	set.max_literal_size = 64 + data[0] * 16;
	set.max_command_size = 8192;
	set.max_args = 16 + data[0];
	set.max_list_depth = 1 + data[0] % 20;
	set.literal_minus = (data[0] & 1) != 0;
	pool = pool_create("fuzz", 0);
	parser = imap_parser_create(
		pool, &set,
		(data[0] & 2) != 0 ? IMAP_PARSE_FLAG_LITERAL_STREAM : 0);
	ret = fuzz_imap_feed(parser, data + 1, size - 1);
	if (ret == IMAP_PARSE_DONE) {
		written = str_new(256, SIZE_MAX);
		imap_args_write(written, imap_parser_get_args(parser));
		set.max_args = 100000;
		set.max_command_size = SIZE_MAX;
		set.max_literal_size = UINT64_MAX;
		fuzz_check_roundtrip(&set, written);
		str_free(&written);
	} else if (ret == IMAP_PARSE_LITERAL) {
		(void)imap_parser_get_args(parser);
	}
	pool_destroy(&pool);
	return 0;
}
