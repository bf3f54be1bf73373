#ifndef POSTERN_LMTP_PARSE_H
#define POSTERN_LMTP_PARSE_H

/* Parsing of LMTP command arguments (RFC 5321 §4.1.2 paths and ESMTP
   parameters, RFC 3030 BDAT), free of any session state so that it can be
   unit-tested and fuzzed. Everything parsed is allocated from the pool
   given; nothing here logs. */

#include <stdbool.h>
#include <stdint.h>

struct pool;

/* A mailbox address, unquoted. A null reverse-path (MAIL FROM:<>) has
   localpart NULL; RCPT TO:<Postmaster> has domain NULL. */
struct lmtp_address {
	const char *localpart;
	const char *domain;
};

/* One ESMTP parameter: "SIZE=1000" -> key "SIZE", value "1000"; a keyword
   alone has value NULL. */
struct lmtp_param {
	const char *key;
	const char *value;
};

enum lmtp_parse_flags {
	/* Allow the null path <> (MAIL FROM). */
	LMTP_PARSE_ALLOW_NULL = 0x01,
	/* Allow a local part without a domain (<Postmaster>). */
	LMTP_PARSE_ALLOW_NO_DOMAIN = 0x02,
	/* Allow UTF-8 in addresses (RFC 6531 SMTPUTF8 transactions). */
	LMTP_PARSE_ALLOW_UTF8 = 0x04,
};

enum lmtp_parse_result {
	LMTP_PARSE_OK = 0,
	/* Not a path, or junk around it: 501 5.5.4 */
	LMTP_PARSE_SYNTAX = -1,
	/* Non-ASCII address without SMTPUTF8: 553 5.6.7 */
	LMTP_PARSE_NON_ASCII = -2,
};

/* Parses the arguments of MAIL or RCPT: prefix ("FROM:" or "TO:",
   case-insensitive; spaces after the colon are tolerated as Postfix and
   Sendmail do), a path in angle brackets (a source route "@a,@b:" is
   dropped, RFC 5321 §4.1.2), then space-separated ESMTP parameters.
   *params_r is a NULL-key-terminated array. On failure *error_r says what
   was wrong (for the reply text). */
enum lmtp_parse_result
lmtp_parse_path(struct pool *pool, const char *args, const char *prefix,
		enum lmtp_parse_flags flags, struct lmtp_address *address_r,
		struct lmtp_param **params_r, const char **error_r);

/* The parameters of MAIL FROM that change what happens. */
enum lmtp_body_type {
	LMTP_BODY_7BIT = 0,
	LMTP_BODY_8BITMIME,
};

struct lmtp_mail_params {
	/* SIZE=, 0 if not given */
	uint64_t size;
	enum lmtp_body_type body;
	bool smtputf8;
};

enum lmtp_param_result {
	LMTP_PARAM_OK = 0,
	/* A known parameter with a bad value: 501 5.5.4 */
	LMTP_PARAM_INVALID = -1,
	/* An unknown parameter: 555 5.5.4 (RFC 5321 §4.1.1.11) */
	LMTP_PARAM_UNKNOWN = -2,
	/* BODY=BINARYMIME and other bodies we don't take: 555 5.6.1 */
	LMTP_PARAM_BODY_UNSUPPORTED = -3,
};

/* Interprets MAIL FROM parameters: SIZE, BODY (7BIT, 8BITMIME), SMTPUTF8
   are used; RET, ENVID and AUTH (DSN and AUTH parameters a relay may pass
   on) are accepted and ignored. *error_r names the parameter. */
enum lmtp_param_result lmtp_parse_mail_params(const struct lmtp_param *params,
					      struct lmtp_mail_params *mail_r,
					      const char **error_r);
/* RCPT TO parameters: NOTIFY and ORCPT (DSN) are accepted and ignored. */
enum lmtp_param_result lmtp_parse_rcpt_params(const struct lmtp_param *params,
					      const char **error_r);

/* Parses BDAT's arguments: "<size>" or "<size> LAST". Returns 0, or -1. */
int lmtp_parse_bdat(const char *args, uint64_t *size_r, bool *last_r);

/* Splits a command line into its verb and arguments (after one space; ""
   if none). The verb is cut in place in line. */
void lmtp_parse_command(char *line, const char **verb_r, const char **args_r);

/* "user+detail" with delimiters "+" -> user "user", detail "detail": cut at
   the first of the delimiter characters. No delimiter, an empty user or
   delimiters "" gives *detail_r NULL and the whole local part. */
void lmtp_address_split_detail(struct pool *pool, const char *localpart,
			       const char *delimiters, const char **user_r,
			       const char **detail_r);

/* The address as it goes into a header or a log: "local@domain", the local
   part quoted when it needs to be; "" for the null path. */
const char *lmtp_address_to_string(struct pool *pool,
				   const struct lmtp_address *address);

#endif
