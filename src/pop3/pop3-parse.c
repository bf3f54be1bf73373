#include "pop3-parse.h"

#include <stddef.h>
#include <string.h>

static bool pop3_is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9');
}

static char pop3_upcase(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static const char *pop3_skip_spaces(const char *str)
{
	while (*str == ' ')
		str++;
	return str;
}

int pop3_parse_command(const char *line,
		       char keyword_r[POP3_KEYWORD_MAX_LEN + 1],
		       const char **args_r)
{
	size_t len = 0;

	for (; line[len] != '\0' && line[len] != ' '; len++) {
		if (len == POP3_KEYWORD_MAX_LEN || !pop3_is_alnum(line[len]))
			return -1;
		keyword_r[len] = pop3_upcase(line[len]);
	}
	keyword_r[len] = '\0';
	if (len == 0)
		return -1;
	/* Only the separator goes: PASS keeps any other space as part of
	   the password (RFC 1939 §7). */
	*args_r = line + len + (line[len] == ' ' ? 1 : 0);
	return 0;
}

/* Parses decimal digits at *str into a 64-bit number, advancing *str.
   Returns 0, -1 if there are no digits, -2 on overflow of max. */
static int pop3_parse_number(const char **str, uint64_t max, uint64_t *num_r)
{
	const char *p = *str;
	uint64_t num = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int digit = (unsigned int)(*p - '0');

		if (num > (max - digit) / 10)
			return -2;
		num = num * 10 + digit;
	}
	*str = p;
	*num_r = num;
	return 0;
}

/* The message number at *args; leaves *args after it. */
static const char *pop3_parse_msgnum_at(const char **args, uint32_t *msgnum_r)
{
	uint64_t num;

	*args = pop3_skip_spaces(*args);
	switch (pop3_parse_number(args, UINT32_MAX, &num)) {
	case -1:
		return "Invalid message number.";
	case -2:
		return "Message number too large.";
	}
	*msgnum_r = (uint32_t)num;
	return NULL;
}

const char *pop3_parse_msgnum(const char *args, uint32_t *msgnum_r)
{
	const char *error = pop3_parse_msgnum_at(&args, msgnum_r);

	if (error != NULL)
		return error;
	if (*pop3_skip_spaces(args) != '\0')
		return "Noise after message number.";
	return NULL;
}

const char *pop3_parse_top_args(const char *args, uint32_t *msgnum_r,
				uint64_t *lines_r)
{
	const char *error = pop3_parse_msgnum_at(&args, msgnum_r);

	if (error != NULL)
		return error;
	if (*args != ' ')
		return *args == '\0' ? "Missing the number of lines."
				     : "Noise after message number.";
	args = pop3_skip_spaces(args);
	switch (pop3_parse_number(&args, UINT64_MAX, lines_r)) {
	case -1:
		return "Invalid number of lines.";
	case -2:
		return "Number of lines too large.";
	}
	if (*pop3_skip_spaces(args) != '\0')
		return "Noise after number of lines.";
	return NULL;
}

static bool pop3_is_mech_char(char c)
{
	/* RFC 4422 §3.1: upper-case letters, digits, '-' and '_' */
	return pop3_is_alnum(c) || c == '-' || c == '_';
}

const char *pop3_parse_auth_args(const char *args,
				 char mech_r[POP3_SASL_MECH_MAX_LEN + 1],
				 const char **initial_resp_r)
{
	size_t len = 0;

	*initial_resp_r = NULL;
	args = pop3_skip_spaces(args);
	for (; args[len] != '\0' && args[len] != ' '; len++) {
		if (len == POP3_SASL_MECH_MAX_LEN ||
		    !pop3_is_mech_char(args[len]))
			return "Invalid authentication mechanism.";
		mech_r[len] = pop3_upcase(args[len]);
	}
	mech_r[len] = '\0';
	args = pop3_skip_spaces(args + len);
	if (*args == '\0')
		return NULL;
	if (strchr(args, ' ') != NULL)
		return "Noise after initial response.";
	if (strcmp(args, "=") == 0) {
		*initial_resp_r = "";
		return NULL;
	}
	if (!pop3_parse_is_base64(args))
		return "Invalid base64 data in initial response.";
	*initial_resp_r = args;
	return NULL;
}

static bool pop3_is_base64_char(char c)
{
	return pop3_is_alnum(c) || c == '+' || c == '/';
}

bool pop3_parse_is_base64(const char *str)
{
	size_t len = 0, pad = 0;

	for (; pop3_is_base64_char(str[len]); len++)
		;
	for (; str[len + pad] == '='; pad++)
		;
	return str[len + pad] == '\0' && pad <= 2 && (len + pad) % 4 == 0;
}

static int pop3_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int pop3_parse_hex_digest(const char *hex,
				 unsigned char digest_r[POP3_APOP_DIGEST_SIZE])
{
	for (size_t i = 0; i < POP3_APOP_DIGEST_SIZE; i++) {
		int hi = pop3_hex_value(hex[2 * i]);
		int lo = hi < 0 ? -1 : pop3_hex_value(hex[2 * i + 1]);

		if (lo < 0)
			return -1;
		digest_r[i] = (unsigned char)(hi * 16 + lo);
	}
	return hex[2 * POP3_APOP_DIGEST_SIZE] == '\0' ? 0 : -1;
}

const char *pop3_parse_apop_args(const char *args,
				 char name_r[POP3_APOP_NAME_MAX_LEN + 1],
				 unsigned char digest_r[POP3_APOP_DIGEST_SIZE])
{
	const char *space = strrchr(args, ' ');
	size_t name_len;

	if (space == NULL || space == args)
		return "Invalid APOP arguments.";
	name_len = (size_t)(space - args);
	if (name_len > POP3_APOP_NAME_MAX_LEN)
		return "Invalid user name.";
	if (pop3_parse_hex_digest(space + 1, digest_r) < 0)
		return "Invalid APOP digest.";
	memcpy(name_r, args, name_len);
	name_r[name_len] = '\0';
	return NULL;
}
