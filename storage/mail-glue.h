#ifndef POSTERN_MAIL_GLUE_H
#define POSTERN_MAIL_GLUE_H

/* Every call storage makes into src/mail (MIME parsing, IMAP strings,
   search text, dates, modified UTF-7), in one place, so that the rest of
   storage/ doesn't depend on src/mail's exact API. */

#include "str.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct pool;

/* Modified UTF-7 (RFC 3501 §5.1.3) <-> UTF-8. Return 0, or -1 for invalid
   input (dest is then undefined). */
int mail_glue_mutf7_to_utf8(const char *src, string_t *dest);
int mail_glue_utf8_to_mutf7(const char *src, string_t *dest);

/* Line ends (message-crlf.h): is every LF after a CR; the size with CRLF
   line ends; a streaming converter (a CR ending one chunk pairs with an
   LF starting the next). */
bool mail_glue_crlf_is_normalized(const void *data, size_t size);
size_t mail_glue_crlf_size(const void *data, size_t size);
struct mail_glue_crlf {
	bool last_cr;
};
void mail_glue_crlf_init(struct mail_glue_crlf *ctx);
/* Appends data to dest with bare LFs as CRLF. Returns 0, or -1 when dest
   is full. */
int mail_glue_crlf_convert(struct mail_glue_crlf *ctx, const void *data,
			   size_t size, buffer_t *dest);

/* What parsing a message gives the cache. Strings are NULL where src/mail
   can't produce them (yet). */
struct mail_glue_parsed {
	const char *envelope;
	const char *bodystructure;
	const char *body;
	const unsigned char *parts;
	size_t parts_size;
	/* Date: header; 0 if missing or invalid. */
	time_t sent_date;
	int sent_tz;
};

/* Parses a CRLF message: ENVELOPE, BODYSTRUCTURE and BODY as IMAP4rev1
   without UTF8=ACCEPT writes them (an IMAP4rev2 session sees
   message/global parts differently and must rebuild those), the
   serialized part tree, the Date header. Returns 0, or -1. */
int mail_glue_parse(struct pool *pool, const unsigned char *data, size_t size,
		    struct mail_glue_parsed *parsed_r);

/* Search: does the decoded value of header field name (all occurrences)
   contain key (i;unicode-casemap)? An empty key matches if the field
   exists. */
bool mail_glue_search_header(struct pool *pool, const unsigned char *data,
			     size_t size, const char *name, const char *key);
/* Does the decoded body text (and, with headers, the header text)
   contain key? */
bool mail_glue_search_text(struct pool *pool, const unsigned char *data,
			   size_t size, bool headers, const char *key);

#endif
