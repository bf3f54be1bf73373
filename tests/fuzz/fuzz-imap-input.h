#ifndef FUZZ_IMAP_INPUT_H
#define FUZZ_IMAP_INPUT_H

/* For fuzz targets and unit tests of IMAP command arguments: feeds the
   input to the argument parser as a session would (lines, and literal
   bytes when the parser asks for them). */

#include "imap-parser.h"

#include <stdint.h>
#include <string.h>

static inline enum imap_parser_result
fuzz_imap_feed(struct imap_parser *parser, const uint8_t *data, size_t size)
{
	enum imap_parser_result ret;
	size_t pos = 0;

	for (;;) {
		const uint8_t *eol = memchr(data + pos, '\n', size - pos);
		size_t len =
			eol == NULL ? size - pos : (size_t)(eol - data) - pos;
		size_t next = eol == NULL ? size : pos + len + 1;

		if (len > 0 && data[pos + len - 1] == '\r')
			len--;
		ret = imap_parser_feed_line(parser, (const char *)data + pos,
					    len);
		pos = next;
		if (ret != IMAP_PARSE_MORE ||
		    imap_parser_literal_remaining(parser) > size - pos)
			return ret;
		pos += imap_parser_feed_literal(parser, data + pos, size - pos);
	}
}

#endif
