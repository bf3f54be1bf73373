#ifndef POSTERN_POP3_PARSE_H
#define POSTERN_POP3_PARSE_H

/* Parsing of POP3 command lines (RFC 1939 §3, RFC 2449 §3): the keyword
   and the arguments of each command. Pure functions over untrusted input,
   fuzzed by tests/fuzz/fuzz-pop3-commands.c. Error results are the texts
   of the -ERR replies; they never echo the client's input. */

#include <stdbool.h>
#include <stdint.h>

/* Keywords are 3 or 4 characters (RFC 1939 §3); we accept a little more
   so that an unknown longer keyword gets "Unknown command". */
#define POP3_KEYWORD_MAX_LEN 15
/* SASL mechanism names are at most 20 characters (RFC 4422 §3.1). */
#define POP3_SASL_MECH_MAX_LEN 20

/* Splits line at the first space: the keyword, upper-cased into
   keyword_r, and what follows that space in *args_r ("" when none). The
   argument parsers below skip further spaces; PASS keeps them. Returns 0, or -1 for an empty
   or too long keyword or one with characters other than letters and
   digits. */
int pop3_parse_command(const char *line,
		       char keyword_r[POP3_KEYWORD_MAX_LEN + 1],
		       const char **args_r);

/* A message number (RFC 1939 "msg") with nothing after it. Leading zeros
   are fine; 0 is returned as 0 (the caller checks the range and says
   "There's no message 0"). Returns NULL with *msgnum_r, or the error. */
const char *pop3_parse_msgnum(const char *args, uint32_t *msgnum_r);

/* TOP's "msg n": a message number and a count of body lines. */
const char *pop3_parse_top_args(const char *args, uint32_t *msgnum_r,
				uint64_t *lines_r);

/* AUTH's "mechanism [initial-response]" (RFC 5034 §4). The mechanism is
   upper-cased into mech_r; *initial_resp_r is NULL when none was given,
   "" for "=" (an empty initial response) and the base64 text otherwise
   (checked by the auth process). With no arguments at all *mech_r is ""
   (AUTH alone lists the mechanisms). Returns NULL, or the error. */
const char *pop3_parse_auth_args(const char *args,
				 char mech_r[POP3_SASL_MECH_MAX_LEN + 1],
				 const char **initial_resp_r);

/* APOP's "name digest" (RFC 1939 §7): the name is everything before the
   last space (at most POP3_APOP_NAME_MAX_LEN bytes, copied into name_r),
   the digest 32 hex digits, decoded into digest_r. Returns NULL, or the
   error. */
#define POP3_APOP_NAME_MAX_LEN 255
#define POP3_APOP_DIGEST_SIZE 16
const char *pop3_parse_apop_args(const char *args,
				 char name_r[POP3_APOP_NAME_MAX_LEN + 1],
				 unsigned char digest_r[POP3_APOP_DIGEST_SIZE]);

/* True if str is a valid SASL response line (RFC 5034 §4): base64 text,
   possibly empty, or "*" (checked separately by the caller). */
bool pop3_parse_is_base64(const char *str);

#endif
