#include "lmtp-parse.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <string.h>

/* RFC 5321 §4.1.2 atext, plus the dot of a Dot-string. */
static bool lmtp_is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL && c != '\0';
}

static bool lmtp_is_domain_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

struct lmtp_path_parser {
	struct pool *pool;
	const unsigned char *p;
	enum lmtp_parse_flags flags;
	bool non_ascii;
};

/* An 8-bit byte is fine where SMTPUTF8 allows it; remember it otherwise. */
static bool lmtp_path_8bit(struct lmtp_path_parser *parser, unsigned char c)
{
	if (c < 0x80)
		return false;
	if ((parser->flags & LMTP_PARSE_ALLOW_UTF8) == 0)
		parser->non_ascii = true;
	return true;
}

static int lmtp_path_parse_quoted(struct lmtp_path_parser *parser,
				  string_t *out)
{
	const unsigned char *p = parser->p + 1;

	for (;; p++) {
		if (*p == '"')
			break;
		if (*p == '\\') {
			p++;
			if (*p < 0x20 && *p != '\t')
				return -1;
		} else if (*p < 0x20 || *p == 0x7f) {
			return -1;
		}
		(void)lmtp_path_8bit(parser, *p);
		str_append_c(out, (char)*p);
	}
	parser->p = p + 1;
	return str_len(out) > 0 ? 0 : -1;
}

static int lmtp_path_parse_localpart(struct lmtp_path_parser *parser,
				     const char **localpart_r)
{
	string_t *out = str_new(64, 1024);
	const unsigned char *p;
	int ret = 0;

	if (*parser->p == '"') {
		ret = lmtp_path_parse_quoted(parser, out);
	} else {
		for (p = parser->p;
		     lmtp_is_atext(*p) || lmtp_path_8bit(parser, *p); p++)
			str_append_c(out, (char)*p);
		parser->p = p;
		ret = str_len(out) > 0 ? 0 : -1;
	}
	if (ret == 0 && out->overflow)
		ret = -1;
	*localpart_r = pool_strdup(parser->pool, str_c(out));
	str_free(&out);
	return ret;
}

static int lmtp_path_parse_domain(struct lmtp_path_parser *parser,
				  const char **domain_r)
{
	const unsigned char *start = parser->p, *p = start;

	if (*p == '[') {
		/* address-literal: [192.0.2.1] or [IPv6:...] */
		for (p++; *p != ']'; p++) {
			if (*p < 0x21 || *p >= 0x7f || *p == '[')
				return -1;
		}
		if (p == start + 1)
			return -1;
		p++;
	} else {
		while (lmtp_is_domain_char(*p) || lmtp_path_8bit(parser, *p))
			p++;
		if (p == start || *start == '.' || *start == '-')
			return -1;
	}
	if (p - start > 255)
		return -1;
	*domain_r = pool_strndup(parser->pool, start, (size_t)(p - start));
	parser->p = p;
	return 0;
}

/* RFC 5321 A-d-l: "@one,@two:" before the mailbox, obsolete and
   ignored. */
static void lmtp_path_skip_source_route(struct lmtp_path_parser *parser)
{
	const char *colon;

	if (*parser->p != '@')
		return;
	colon = strchr((const char *)parser->p, ':');
	if (colon != NULL && colon < strchr((const char *)parser->p, '>'))
		parser->p = (const unsigned char *)colon + 1;
}

static int lmtp_path_parse_mailbox(struct lmtp_path_parser *parser,
				   struct lmtp_address *address_r)
{
	lmtp_path_skip_source_route(parser);
	if (lmtp_path_parse_localpart(parser, &address_r->localpart) < 0)
		return -1;
	if (*parser->p != '@') {
		return (parser->flags & LMTP_PARSE_ALLOW_NO_DOMAIN) != 0 ? 0
									 : -1;
	}
	parser->p++;
	return lmtp_path_parse_domain(parser, &address_r->domain);
}

static bool lmtp_param_keyword_valid(const char *key)
{
	if (!((key[0] >= 'a' && key[0] <= 'z') ||
	      (key[0] >= 'A' && key[0] <= 'Z') ||
	      (key[0] >= '0' && key[0] <= '9')))
		return false;
	for (; *key != '\0'; key++) {
		if (!lmtp_is_domain_char((unsigned char)*key) || *key == '.' ||
		    *key == '_')
			return false;
	}
	return true;
}

/* RFC 5321 §4.1.2 esmtp-value: printable but '=' and SP; RFC 6531 also
   allows UTF-8 there. */
static bool lmtp_param_value_valid(const char *value)
{
	if (value[0] == '\0')
		return false;
	for (; *value != '\0'; value++) {
		unsigned char c = (unsigned char)*value;

		if (c < 0x21 || c == '=' || c == 0x7f)
			return false;
	}
	return true;
}

static int lmtp_parse_params(struct pool *pool, const char *args,
			     struct lmtp_param **params_r)
{
	char **words = str_split(pool, args, " ");
	unsigned int i, n = 0;
	struct lmtp_param *params;

	for (i = 0; words[i] != NULL; i++)
		;
	params = p_new(pool, struct lmtp_param, i + 1);
	for (i = 0; words[i] != NULL; i++) {
		char *eq;

		if (words[i][0] == '\0')
			continue; /* tolerate double spaces */
		eq = strchr(words[i], '=');
		if (eq != NULL) {
			*eq++ = '\0';
			if (!lmtp_param_value_valid(eq))
				return -1;
		}
		if (!lmtp_param_keyword_valid(words[i]))
			return -1;
		params[n].key = words[i];
		params[n++].value = eq;
	}
	*params_r = params;
	return 0;
}

static enum lmtp_parse_result
lmtp_parse_path_body(struct lmtp_path_parser *parser,
		     struct lmtp_address *address_r, const char **error_r)
{
	if (*parser->p != '<') {
		*error_r = "Path must be in angle brackets";
		return LMTP_PARSE_SYNTAX;
	}
	parser->p++;
	if (*parser->p == '>' && (parser->flags & LMTP_PARSE_ALLOW_NULL) != 0) {
		parser->p++;
		return LMTP_PARSE_OK;
	}
	if (lmtp_path_parse_mailbox(parser, address_r) < 0 ||
	    *parser->p != '>') {
		*error_r = "Invalid address syntax";
		return LMTP_PARSE_SYNTAX;
	}
	parser->p++;
	if (parser->non_ascii) {
		*error_r = "Non-ASCII address needs SMTPUTF8";
		return LMTP_PARSE_NON_ASCII;
	}
	return LMTP_PARSE_OK;
}

enum lmtp_parse_result
lmtp_parse_path(struct pool *pool, const char *args, const char *prefix,
		enum lmtp_parse_flags flags, struct lmtp_address *address_r,
		struct lmtp_param **params_r, const char **error_r)
{
	struct lmtp_path_parser parser = { .pool = pool, .flags = flags };
	enum lmtp_parse_result ret;

	memset(address_r, 0, sizeof(*address_r));
	*params_r = NULL;
	if (!str_begins_icase(args, prefix)) {
		*error_r = pool_printf(pool, "Syntax: %s<address>", prefix);
		return LMTP_PARSE_SYNTAX;
	}
	parser.p = (const unsigned char *)args + strlen(prefix);
	while (*parser.p == ' ')
		parser.p++;
	ret = lmtp_parse_path_body(&parser, address_r, error_r);
	if (ret != LMTP_PARSE_OK)
		return ret;
	if (*parser.p != '\0' && *parser.p != ' ') {
		*error_r = "Junk after the address";
		return LMTP_PARSE_SYNTAX;
	}
	if (lmtp_parse_params(pool, (const char *)parser.p, params_r) < 0) {
		*error_r = "Invalid parameter syntax";
		return LMTP_PARSE_SYNTAX;
	}
	return LMTP_PARSE_OK;
}

static enum lmtp_param_result
lmtp_parse_mail_param(const struct lmtp_param *param,
		      struct lmtp_mail_params *mail)
{
	if (str_eq_icase(param->key, "SIZE")) {
		if (param->value == NULL ||
		    str_to_uint64(param->value, &mail->size) < 0)
			return LMTP_PARAM_INVALID;
	} else if (str_eq_icase(param->key, "BODY")) {
		if (param->value == NULL)
			return LMTP_PARAM_INVALID;
		if (str_eq_icase(param->value, "8BITMIME"))
			mail->body = LMTP_BODY_8BITMIME;
		else if (str_eq_icase(param->value, "7BIT"))
			mail->body = LMTP_BODY_7BIT;
		else
			return LMTP_PARAM_BODY_UNSUPPORTED;
	} else if (str_eq_icase(param->key, "SMTPUTF8")) {
		if (param->value != NULL)
			return LMTP_PARAM_INVALID;
		mail->smtputf8 = true;
	} else if (!str_eq_icase(param->key, "RET") &&
		   !str_eq_icase(param->key, "ENVID") &&
		   !str_eq_icase(param->key, "AUTH")) {
		return LMTP_PARAM_UNKNOWN;
	}
	return LMTP_PARAM_OK;
}

enum lmtp_param_result lmtp_parse_mail_params(const struct lmtp_param *params,
					      struct lmtp_mail_params *mail_r,
					      const char **error_r)
{
	enum lmtp_param_result ret;

	memset(mail_r, 0, sizeof(*mail_r));
	for (; params->key != NULL; params++) {
		ret = lmtp_parse_mail_param(params, mail_r);
		if (ret != LMTP_PARAM_OK) {
			*error_r = params->key;
			return ret;
		}
	}
	return LMTP_PARAM_OK;
}

enum lmtp_param_result lmtp_parse_rcpt_params(const struct lmtp_param *params,
					      const char **error_r)
{
	for (; params->key != NULL; params++) {
		if (!str_eq_icase(params->key, "NOTIFY") &&
		    !str_eq_icase(params->key, "ORCPT")) {
			*error_r = params->key;
			return LMTP_PARAM_UNKNOWN;
		}
		if (params->value == NULL) {
			*error_r = params->key;
			return LMTP_PARAM_INVALID;
		}
	}
	return LMTP_PARAM_OK;
}

int lmtp_parse_bdat(const char *args, uint64_t *size_r, bool *last_r)
{
	const char *space = strchr(args, ' ');
	size_t len = space == NULL ? strlen(args) : (size_t)(space - args);

	*last_r = false;
	if (str_n_to_uint64(args, len, size_r) < 0)
		return -1;
	if (space == NULL)
		return 0;
	if (!str_eq_icase(space + 1, "LAST"))
		return -1;
	*last_r = true;
	return 0;
}

void lmtp_parse_command(char *line, const char **verb_r, const char **args_r)
{
	char *space = strchr(line, ' ');

	*verb_r = line;
	if (space == NULL) {
		*args_r = "";
		return;
	}
	*space = '\0';
	*args_r = space + 1;
}

void lmtp_address_split_detail(struct pool *pool, const char *localpart,
			       const char *delimiters, const char **user_r,
			       const char **detail_r)
{
	size_t pos = delimiters[0] == '\0' ? strlen(localpart)
					   : strcspn(localpart, delimiters);

	*user_r = localpart;
	*detail_r = NULL;
	if (localpart[pos] == '\0' || pos == 0)
		return;
	*user_r = pool_strndup(pool, localpart, pos);
	*detail_r = pool_strdup(pool, localpart + pos + 1);
}

/* Whether the local part can go out as a Dot-string (RFC 5321 §4.1.2). */
static bool lmtp_localpart_is_dot_string(const char *localpart)
{
	const unsigned char *p = (const unsigned char *)localpart;

	if (*p == '.' || *p == '\0')
		return false;
	for (; *p != '\0'; p++) {
		if (!lmtp_is_atext(*p) && *p < 0x80)
			return false;
		if (*p == '.' && (p[1] == '.' || p[1] == '\0'))
			return false;
	}
	return true;
}

const char *lmtp_address_to_string(struct pool *pool,
				   const struct lmtp_address *address)
{
	string_t *str;
	const char *result;

	if (address->localpart == NULL)
		return "";
	str = str_new(128, SIZE_MAX);
	if (lmtp_localpart_is_dot_string(address->localpart)) {
		str_append(str, address->localpart);
	} else {
		str_append_c(str, '"');
		/* what the parser takes only as a quoted-pair is written
		   as one: '"', '\\', and the TAB and DEL that
		   lmtp_path_parse_quoted() accepts after a backslash */
		for (const char *p = address->localpart; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\' || *p == '\t' || *p == 0x7f)
				str_append_c(str, '\\');
			str_append_c(str, *p);
		}
		str_append_c(str, '"');
	}
	if (address->domain != NULL)
		str_printfa(str, "@%s", address->domain);
	result = pool_strdup(pool, str_c(str));
	str_free(&str);
	return result;
}
