/* POP3 command lines as a client sends them: the keyword split and every
   argument parser run on each line, and the checks below hold whatever the
   input. The last line of the input is also rendered as a message with
   byte-stuffing (RETR) and unstuffed again, which must give the CRLF form
   of the input back. */
#include "buffer.h"
#include "log.h"
#include "pop3-parse.h"
#include "pop3-stuff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_line(const char *line)
{
	char keyword[POP3_KEYWORD_MAX_LEN + 1];
	char mech[POP3_SASL_MECH_MAX_LEN + 1];
	char name[POP3_APOP_NAME_MAX_LEN + 1];
	unsigned char digest[POP3_APOP_DIGEST_SIZE];
	const char *args, *ir;
	uint32_t msgnum;
	uint64_t lines;

	if (pop3_parse_command(line, keyword, &args) < 0)
		return;
	i_assert(strlen(keyword) >= 1 && strlen(keyword) <= 15);
	i_assert(args >= line && args <= line + strlen(line));
	(void)pop3_parse_msgnum(args, &msgnum);
	(void)pop3_parse_top_args(args, &msgnum, &lines);
	if (pop3_parse_apop_args(args, name, digest) == NULL)
		i_assert(strlen(name) > 0 && strlen(name) < strlen(args));
	if (pop3_parse_auth_args(args, mech, &ir) == NULL) {
		i_assert(strlen(mech) <= POP3_SASL_MECH_MAX_LEN);
		i_assert(ir == NULL || ir[0] == '\0' ||
			 pop3_parse_is_base64(ir));
	}
}

/* The message a client gets back from a RETR response body. */
static void fuzz_unstuff(const buffer_t *in, buffer_t *out)
{
	const unsigned char *p = in->data, *end = p + in->used;

	while (p < end) {
		const unsigned char *lf = memchr(p, '\n', (size_t)(end - p));
		size_t len;

		i_assert(lf != NULL && lf > p && lf[-1] == '\r');
		len = (size_t)(lf + 1 - p);
		if (len == 3 && p[0] == '.') {
			i_assert(lf + 1 == end); /* the end marker is last */
			return;
		}
		if (p[0] == '.') {
			p++;
			len--;
		}
		buffer_append(out, p, len);
		p += len;
	}
	i_unreached();
}

/* The input with every line ending in CRLF, as RETR must send it. */
static void fuzz_crlf(const uint8_t *data, size_t size, buffer_t *out)
{
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
			buffer_append(out, "\r", 1);
		buffer_append(out, data + i, 1);
	}
	if (size > 0 && data[size - 1] != '\n')
		buffer_append(out, "\r\n", 2);
}

static void fuzz_stuffing(const uint8_t *data, size_t size)
{
	struct pop3_stuff ctx;
	buffer_t stuffed, unstuffed, expected;
	size_t pos = 0;

	buffer_init(&stuffed, SIZE_MAX);
	buffer_init(&unstuffed, SIZE_MAX);
	buffer_init(&expected, SIZE_MAX);
	pop3_stuff_init(&ctx);
	while (pos < size) {
		size_t n = MIN(size - pos, (size_t)(1 + data[pos] % 13));

		i_assert(pop3_stuff_chunk(&ctx, data + pos, n, &stuffed) == n);
		pos += n;
	}
	pop3_stuff_finish(&ctx, &stuffed);
	fuzz_unstuff(&stuffed, &unstuffed);
	fuzz_crlf(data, size, &expected);
	i_assert(unstuffed.used == expected.used);
	i_assert(expected.used == 0 ||
		 memcmp(unstuffed.data, expected.data, expected.used) == 0);
	buffer_deinit(&stuffed);
	buffer_deinit(&unstuffed);
	buffer_deinit(&expected);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *line, *next;

	memcpy(copy, data, size);
	copy[size] = '\0';
	for (line = copy; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		fuzz_line(line);
	}
	free(copy);
	fuzz_stuffing(data, size);
	return 0;
}
