/* Fuzzes the header value decoders: RFC 2047 encoded words (the result
   must be valid UTF-8), RFC 5322 addresses and dates, Content-Type with
   RFC 2231 parameters, and the SEARCH normalization. */

#include "charset.h"
#include "log.h"
#include "message-date.h"
#include "message-part-data.h"
#include "message-search-text.h"
#include "pool.h"
#include "rfc2047.h"
#include "rfc822-address.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_addresses(struct pool *pool, const uint8_t *data, size_t size)
{
	unsigned int groups = 0;

	for (struct rfc822_address *addr =
		     rfc822_address_parse(pool, data, size);
	     addr != NULL; addr = addr->next) {
		if (rfc822_address_is_group_start(addr))
			groups++;
		else if (rfc822_address_is_group_end(addr))
			i_assert(groups-- > 0);
		else
			i_assert(addr->mailbox != NULL && addr->domain != NULL);
	}
	i_assert(groups == 0);
}

static void fuzz_content_type(struct pool *pool, const uint8_t *data,
			      size_t size)
{
	struct message_part_data part_data;

	memset(&part_data, 0, sizeof(part_data));
	if (message_part_data_parse_content_type(pool, &part_data, data,
						 size) == 0)
		i_assert(part_data.content_type != NULL &&
			 part_data.content_subtype != NULL);
	for (unsigned int i = 0; i < part_data.content_type_params_count; i++)
		i_assert(part_data.content_type_params[i].value != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool = pool_create("fuzz", 0);
	string_t *str = str_new(size * 4 + 16, SIZE_MAX);
	time_t t;
	int tz;

	(void)rfc2047_decode(data, size, str);
	i_assert(charset_utf8_is_valid(str->data, str->used));
	if (size < 4096) {
		string_t *norm = str_new(64, SIZE_MAX);

		(void)message_search_normalize(str->data, str->used, norm);
		str_free(&norm);
	}
	fuzz_addresses(pool, data, size);
	fuzz_content_type(pool, data, size);
	if (message_date_parse(data, size, &t, &tz) == 0) {
		str_truncate(str, 0);
		message_date_write_imap(str, t, tz);
		i_assert(tz > -100 * 60 && tz < 100 * 60);
	}
	str_free(&str);
	pool_destroy(&pool);
	return 0;
}
