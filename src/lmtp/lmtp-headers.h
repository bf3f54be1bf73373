#ifndef POSTERN_LMTP_HEADERS_H
#define POSTERN_LMTP_HEADERS_H

/* The trace headers a delivery puts before the message (RFC 5321 §4.4):
   Return-Path with the envelope sender, Delivered-To with the recipient,
   and, for LMTP, a Received line naming the session. The message itself
   follows unchanged. */

#include "str.h"

#include <stdbool.h>
#include <time.h>

struct lmtp_headers_params {
	/* The envelope sender as lmtp_address_to_string() gives it; "" is
	   the null sender, written "<>". */
	const char *return_path;
	/* The recipient address, or the user for postern-deliver. */
	const char *delivered_to;
	/* For Received: the client's LHLO name and IP ("" for a unix
	   socket); helo NULL adds no Received header (postern-deliver). */
	const char *helo;
	const char *remote_ip;
	const char *hostname;
	const char *session_id;
	/* RFC 3848: "with LMTPS" over TLS */
	bool tls;
	time_t now;
};

/* Appends the headers with CRLF line endings. Client-supplied text (the
   LHLO name) is reduced to safe characters. */
void lmtp_headers_append(string_t *str,
			 const struct lmtp_headers_params *params);

/* Appends an RFC 5322 date-time for t in local time:
   "Thu, 26 Nov 2026 16:13:56 +0000". */
void lmtp_headers_append_date(string_t *str, time_t t);

#endif
