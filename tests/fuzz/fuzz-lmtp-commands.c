/* LMTP command arguments as a relay could send them: the first byte picks
   parser flags, the rest is a command line. Paths that parse are written
   back with lmtp_address_to_string() and must parse again to the same
   address. The same bytes also go through the DATA decoder in pieces. */
#include "lmtp-dot.h"
#include "lmtp-parse.h"
#include "log.h"
#include "pool.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_roundtrip(struct pool *pool, enum lmtp_parse_flags flags,
			   const struct lmtp_address *address)
{
	struct lmtp_address again;
	struct lmtp_param *params;
	const char *error, *args;

	if (address->localpart == NULL)
		return;
	args = pool_printf(pool, "TO:<%s>",
			   lmtp_address_to_string(pool, address));
	i_assert(lmtp_parse_path(pool, args,
				 "TO:", flags | LMTP_PARSE_ALLOW_UTF8, &again,
				 &params, &error) == LMTP_PARSE_OK);
	i_assert(strcmp(again.localpart, address->localpart) == 0);
	i_assert((again.domain == NULL) == (address->domain == NULL));
	i_assert(again.domain == NULL ||
		 strcmp(again.domain, address->domain) == 0);
}

static void fuzz_path(struct pool *pool, const char *args,
		      enum lmtp_parse_flags flags)
{
	struct lmtp_address address;
	struct lmtp_mail_params mail;
	struct lmtp_param *params;
	const char *error, *user, *detail;

	if (lmtp_parse_path(pool, args, "FROM:", flags, &address, &params,
			    &error) != LMTP_PARSE_OK &&
	    lmtp_parse_path(pool, args, "TO:", flags, &address, &params,
			    &error) != LMTP_PARSE_OK)
		return;
	(void)lmtp_parse_mail_params(params, &mail, &error);
	(void)lmtp_parse_rcpt_params(params, &error);
	fuzz_roundtrip(pool, flags, &address);
	if (address.localpart != NULL) {
		lmtp_address_split_detail(pool, address.localpart, "+-", &user,
					  &detail);
		i_assert(detail == NULL || strlen(user) + strlen(detail) + 1 ==
						   strlen(address.localpart));
	}
}

static void fuzz_dot(const uint8_t *data, size_t size)
{
	struct lmtp_dot_decoder dec;
	unsigned char out[64];
	size_t pos = 0, out_size, n, consumed;

	lmtp_dot_decoder_init(&dec);
	while (pos < size && !lmtp_dot_decoder_is_end(&dec)) {
		n = MIN(size - pos, 1 + (size_t)(data[pos] % 32));
		consumed = lmtp_dot_decode(&dec, data + pos, n, out, &out_size);
		i_assert(consumed <= n && out_size <= consumed + 1);
		i_assert(consumed == n || lmtp_dot_decoder_is_end(&dec));
		pos += consumed;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool;
	const char *verb, *args;
	char *line;
	uint64_t bdat_size;
	bool last;

	if (size < 1 || size > 4096)
		return 0;
	pool = pool_create("fuzz", 0);
	line = pool_strndup(pool, data + 1, size - 1);
	lmtp_parse_command(line, &verb, &args);
	fuzz_path(pool, args, data[0] & 0x07);
	(void)lmtp_parse_bdat(args, &bdat_size, &last);
	pool_destroy(&pool);
	fuzz_dot(data, size);
	return 0;
}
