#ifndef POSTERN_LMTP_ESC_H
#define POSTERN_LMTP_ESC_H

/* RFC 3463 enhanced status codes (RFC 2034 ENHANCEDSTATUSCODES). Every LMTP
   reply but the greeting and LHLO's carries one. The class digit follows
   the reply code (2xx -> 2, 4xx -> 4, 5xx -> 5), so a reply names only the
   subject and detail: 550 with LMTP_ESC_BAD_MAILBOX is "550 5.1.1".
   The enum value is subject * 10 + detail. */

#include "str.h"

enum lmtp_esc {
	LMTP_ESC_OTHER = 0,                /* x.0.0 */
	LMTP_ESC_ADDRESS_OTHER = 10,       /* x.1.0 sender OK */
	LMTP_ESC_BAD_MAILBOX = 11,         /* x.1.1 no such user */
	LMTP_ESC_BAD_MAILBOX_SYNTAX = 13,  /* x.1.3 */
	LMTP_ESC_DESTINATION_VALID = 15,   /* x.1.5 recipient OK */
	LMTP_ESC_BAD_SENDER_SYNTAX = 17,   /* x.1.7 */
	LMTP_ESC_MAILBOX_FULL = 22,        /* x.2.2 over quota */
	LMTP_ESC_SYSTEM_OTHER = 30,        /* x.3.0 temporary failure */
	LMTP_ESC_NOT_ACCEPTING = 32,       /* x.3.2 shutting down */
	LMTP_ESC_TOO_BIG = 34,             /* x.3.4 message too big */
	LMTP_ESC_NETWORK_TIMEOUT = 42,     /* x.4.2 idle too long */
	LMTP_ESC_INVALID_COMMAND = 51,     /* x.5.1 bad sequence, refused */
	LMTP_ESC_SYNTAX_ERROR = 52,        /* x.5.2 unknown command */
	LMTP_ESC_TOO_MANY_RECIPIENTS = 53, /* x.5.3 */
	LMTP_ESC_INVALID_ARGUMENTS = 54,   /* x.5.4 bad syntax, parameters */
	LMTP_ESC_MEDIA_NOT_SUPPORTED = 61, /* x.6.1 BODY=BINARYMIME */
	LMTP_ESC_NON_ASCII_ADDRESS = 67,   /* x.6.7 RFC 6531 §3.5 */
	LMTP_ESC_SECURITY_OTHER = 70,      /* x.7.0 TLS */
};

/* Appends "<code> <class>.<subject>.<detail> " for reply code (200..599),
   e.g. "550 5.1.1 ". */
void lmtp_esc_append(string_t *str, unsigned int reply_code, enum lmtp_esc esc);

#endif
