/* FETCH item parsing: the input is a FETCH command's arguments after the
   sequence set (lines, with literals), the first byte choosing UID FETCH
   and QRESYNC. Each parsed body section is then resolved and read in a
   fixed message with nested parts, so that any section a client can name
   is looked up and cut without reading outside the message. */
#include "imap-fetch-section.h"
#include "imap-fetch.h"
#include "fuzz-imap-input.h"
#include "log.h"
#include "message-parser.h"
#include "pool.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_message[] =
	"From: a@example.org\r\n"
	"Content-Type: multipart/mixed; boundary=b\r\n"
	"\r\n"
	"--b\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Transfer-Encoding: quoted-printable\r\n"
	"\r\n"
	"caf=C3=A9=\r\n"
	"!\r\n"
	"--b\r\n"
	"Content-Type: message/rfc822\r\n"
	"\r\n"
	"Subject: inner\r\n"
	"Content-Type: multipart/alternative; boundary=c\r\n"
	"\r\n"
	"--c\r\n"
	"Content-Transfer-Encoding: base64\r\n"
	"\r\n"
	"AAEC/w==\r\n"
	"--c\r\n"
	"Content-Transfer-Encoding: x-uuencode\r\n"
	"\r\n"
	"begin\r\n"
	"--c--\r\n"
	"--b--\r\n";

static void fuzz_read_body(const struct imap_fetch_body *body,
			   struct message_part *root)
{
	const unsigned char *msg = (const unsigned char *)fuzz_message;
	struct imap_section_content content;
	struct imap_section_reader reader;
	buffer_t filtered, out;
	uint64_t offset = body->partial ? body->partial_offset : 0;
	uint64_t out_size;
	bool nul;

	buffer_init(&filtered, SIZE_MAX);
	if (imap_fetch_section_find(&body->section, msg,
				    sizeof(fuzz_message) - 1, root,
				    MESSAGE_SECTION_FLAG_IMAP4REV2,
				    body->type != IMAP_FETCH_BODY_SECTION,
				    &filtered, &content) == 0) {
		imap_section_measure(msg, &content, &filtered, offset,
				     body->partial ? body->partial_size
						   : UINT64_MAX,
				     &out_size, &nul);
		buffer_init(&out, SIZE_MAX);
		imap_section_reader_init(&reader, msg, &content, &filtered,
					 offset, out_size, true);
		while (!imap_section_reader_read(&reader, &out, 7))
			;
		i_assert(out.used == out_size);
		imap_section_reader_deinit(&reader);
		buffer_deinit(&out);
	}
	buffer_deinit(&filtered);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_parser_settings set;
	struct pool *pool;
	struct imap_parser *parser;
	struct imap_fetch_query query;
	struct message_part *root;
	const char *error;

	if (size < 1)
		return 0;
	imap_parser_settings_init_defaults(&set);
	pool = pool_create("fuzz fetch", 0);
	parser = imap_parser_create(pool, &set, 0);
	root = message_parse(pool, fuzz_message, sizeof(fuzz_message) - 1,
			     NULL);
	if (fuzz_imap_feed(parser, data + 1, size - 1) == IMAP_PARSE_DONE &&
	    imap_fetch_query_parse(pool, imap_parser_get_args(parser),
				   data[0] & 3, &query, &error) == 0) {
		for (unsigned int i = 0; i < query.bodies_count; i++) {
			i_assert(query.bodies[i].name != NULL);
			fuzz_read_body(&query.bodies[i], root);
		}
	}
	pool_destroy(&pool);
	return 0;
}
