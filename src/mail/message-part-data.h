#ifndef POSTERN_MESSAGE_PART_DATA_H
#define POSTERN_MESSAGE_PART_DATA_H

/* The MIME header fields of one message part (RFC 2045 §5-8, RFC 2183,
   RFC 3282, RFC 2557, RFC 1864), parsed for BODYSTRUCTURE and for the
   parser's own decisions (boundary, type, encoding).

   The first occurrence of each field counts; RFC 2045 allows one, and
   RFC 5322 §4.5 leaves the meaning of repeats unspecified. Dovecot also
   takes the first Content-Type for BODYSTRUCTURE but decodes BINARY by
   the last Content-Transfer-Encoding; we use the first everywhere.

   Values keep the case they were written in (IMAP allows that; compare
   without case). Content-Type that is missing or syntactically invalid
   (no subtype, empty) leaves content_type NULL: RFC 2045 §5.2 says to
   take text/plain; charset=us-ascii then (message/rfc822 inside
   multipart/digest, RFC 2046 §5.1.5), which is what
   message_part_data_type() and friends report. */

#include "rfc2231.h"

#include <stdbool.h>
#include <stddef.h>

struct pool;
struct message_header_field;

enum message_cte {
	MESSAGE_CTE_7BIT = 0,
	MESSAGE_CTE_8BIT,
	MESSAGE_CTE_BINARY,
	MESSAGE_CTE_QP,
	MESSAGE_CTE_BASE64,
	/* x-uuencode and anything else: IMAP BINARY answers
	   NO [UNKNOWN-CTE] (RFC 3516 §4.3) */
	MESSAGE_CTE_UNKNOWN,
};
#define MESSAGE_CTE_COUNT (MESSAGE_CTE_UNKNOWN + 1)

struct message_part_data {
	/* NULL when the field is missing or invalid */
	const char *content_type;
	const char *content_subtype;
	const struct rfc2231_param *content_type_params;
	unsigned int content_type_params_count;

	/* the token as written, NULL when missing */
	const char *content_transfer_encoding;
	const char *content_id;
	const char *content_description;
	const char *content_md5;
	const char *content_location;

	const char *content_disposition;
	const struct rfc2231_param *content_disposition_params;
	unsigned int content_disposition_params_count;

	/* NULL-terminated list of language tags, NULL when missing */
	const char *const *content_language;

	/* seen flags, so that only the first of each field counts */
	bool have_content_type : 1;
	bool have_content_transfer_encoding : 1;
	bool have_content_disposition : 1;
	bool have_content_language : 1;
	/* the part lies inside a multipart/digest */
	bool default_message : 1;
};

/* Parses field into data if it is one of the Content-* fields above and
   the first of its name. Returns true if the field was one of them. */
bool message_part_data_parse_field(struct pool *pool,
				   struct message_part_data *data,
				   const struct message_header_field *field);

/* Parses a Content-Type value. Returns 0, or -1 if it is invalid (the
   type and the parameters are then left unset). */
int message_part_data_parse_content_type(struct pool *pool,
					 struct message_part_data *data,
					 const void *value, size_t size);

/* The effective type and subtype, defaults applied: never NULL. */
const char *message_part_data_type(const struct message_part_data *data);
const char *message_part_data_subtype(const struct message_part_data *data);
/* Whether the effective type is type/subtype (ASCII case-insensitive);
   subtype NULL matches any. */
bool message_part_data_is_type(const struct message_part_data *data,
			       const char *type, const char *subtype);
/* A Content-Type parameter, or NULL. */
const char *message_part_data_param(const struct message_part_data *data,
				    const char *name);
/* The charset of a text part: the parameter, or "us-ascii". */
const char *message_part_data_charset(const struct message_part_data *data);

/* The encoding named by a Content-Transfer-Encoding value (NULL means
   7bit). */
enum message_cte message_cte_from_name(const char *name);
const char *message_cte_name(enum message_cte cte);

#endif
