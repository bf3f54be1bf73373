/* Feeds the input in pieces whose sizes come from the input itself, and
   reads lines and literal-style data runs alternately, checking the
   reader's invariants. */
#include "line-reader.h"
#include "log.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_drain(struct line_reader *reader, unsigned int *mode)
{
	const char *line;
	const unsigned char *chunk;
	size_t len;
	enum line_read_result ret;

	do {
		if ((*mode)++ % 5 == 4) {
			ret = line_reader_read_data(reader, 7, &chunk, &len);
			i_assert(ret != LINE_READ_OK || (len > 0 && len <= 7));
			continue;
		}
		ret = line_reader_read_line(reader, &line, &len);
		if (ret == LINE_READ_OK) {
			i_assert(len + 1 <= reader->max_line_length);
			i_assert(line[len] == '\0');
			i_assert(memchr(line, '\n', len) == NULL);
		}
	} while (ret != LINE_READ_MORE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct line_reader reader;
	unsigned int mode = 0;
	size_t pos = 1;

	if (size < 1)
		return 0;
	line_reader_init(&reader, 8 + data[0] % 64);
	while (pos < size) {
		size_t piece = 1 + data[pos] % 17;

		if (piece > size - pos)
			piece = size - pos;
		line_reader_feed(&reader, data + pos, piece);
		pos += piece;
		fuzz_drain(&reader, &mode);
		/* nothing unbounded is ever kept */
		i_assert(line_reader_pending(&reader) <
			 reader.max_line_length + 17);
	}
	line_reader_deinit(&reader);
	return 0;
}
