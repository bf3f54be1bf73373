#include "postern/storage.h"
#include "strfuncs.h"

#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	enum mailbox_special_use bit;
} special_use_names[] = {
	{ "\\All", MAILBOX_SPECIAL_ALL },
	{ "\\Archive", MAILBOX_SPECIAL_ARCHIVE },
	{ "\\Drafts", MAILBOX_SPECIAL_DRAFTS },
	{ "\\Flagged", MAILBOX_SPECIAL_FLAGGED },
	{ "\\Junk", MAILBOX_SPECIAL_JUNK },
	{ "\\Sent", MAILBOX_SPECIAL_SENT },
	{ "\\Trash", MAILBOX_SPECIAL_TRASH },
	{ "\\Important", MAILBOX_SPECIAL_IMPORTANT },
};

enum mailbox_special_use mailbox_special_use_parse(const char *name)
{
	for (unsigned int i = 0; i < N_ELEMENTS(special_use_names); i++) {
		if (strcasecmp(special_use_names[i].name, name) == 0)
			return special_use_names[i].bit;
	}
	return 0;
}

const char *mailbox_special_use_name(enum mailbox_special_use bit)
{
	for (unsigned int i = 0; i < N_ELEMENTS(special_use_names); i++) {
		if (special_use_names[i].bit == bit)
			return special_use_names[i].name;
	}
	return NULL;
}

/* Whether the bytes are valid UTF-8 (no overlongs, no surrogates). */
static bool utf8_is_valid(const unsigned char *p)
{
	while (*p != '\0') {
		unsigned int len;
		uint32_t cp;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			len = 2;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			len = 3;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			len = 4;
			cp = *p & 0x07;
		} else {
			return false;
		}
		for (unsigned int i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += len;
	}
	return true;
}

int mailbox_name_validate(const char *name, const char **error_r)
{
	size_t len = strlen(name);
	unsigned int levels = 1;
	const char *component = name;

	if (len == 0) {
		*error_r = "Mailbox name is empty";
		return -1;
	}
	if (len > MAILBOX_NAME_MAX_LENGTH) {
		*error_r = "Mailbox name is too long";
		return -1;
	}
	if (name[0] == '/' || name[0] == '~') {
		*error_r = "Mailbox name can't begin with '/' or '~'";
		return -1;
	}
	if (!utf8_is_valid((const unsigned char *)name)) {
		*error_r = "Mailbox name is not valid UTF-8";
		return -1;
	}
	for (const char *p = name;; p++) {
		if (*p == MAILBOX_HIERARCHY_SEP || *p == '\0') {
			size_t clen = (size_t)(p - component);

			if (clen == 0) {
				*error_r = "Mailbox name has an empty "
					   "hierarchy level";
				return -1;
			}
			if ((clen == 1 && component[0] == '.') ||
			    (clen == 2 && component[0] == '.' &&
			     component[1] == '.')) {
				*error_r = "Mailbox name can't have \".\" or "
					   "\"..\" levels";
				return -1;
			}
			if (*p == '\0')
				break;
			component = p + 1;
			if (++levels > MAILBOX_NAME_MAX_LEVELS) {
				*error_r = "Mailbox name has too many "
					   "hierarchy levels";
				return -1;
			}
		} else if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*error_r = "Mailbox name contains control characters";
			return -1;
		} else if (*p == '*' || *p == '%') {
			*error_r = "Mailbox name can't contain '*' or '%'";
			return -1;
		}
	}
	return 0;
}

/* LIST pattern match by dynamic programming over the name's positions
   (no backtracking blow-up on patterns like "*a*a*a*"). */
static bool mailbox_match(const char *pattern, const char *name)
{
	size_t nlen = strlen(name);
	bool cur[MAILBOX_NAME_MAX_LENGTH + 2],
		next[MAILBOX_NAME_MAX_LENGTH + 2];

	if (nlen > MAILBOX_NAME_MAX_LENGTH)
		return false;
	/* cur[i]: the pattern so far matches name[0..i) */
	memset(cur, 0, sizeof(cur));
	cur[0] = true;
	for (const char *p = pattern; *p != '\0'; p++) {
		bool reach = false;

		memset(next, 0, sizeof(next));
		for (size_t i = 0; i <= nlen; i++) {
			if (*p == '*' || *p == '%') {
				/* reachable from any earlier match, but '%'
				   doesn't cross the separator */
				reach |= cur[i];
				next[i] = reach;
				if (*p == '%' && i < nlen &&
				    name[i] == MAILBOX_HIERARCHY_SEP)
					reach = false;
			} else if (i < nlen && cur[i] && name[i] == *p) {
				next[i + 1] = true;
			}
		}
		memcpy(cur, next, sizeof(cur));
	}
	return cur[nlen];
}

bool mailbox_name_match(const char *pattern, const char *name)
{
	/* INBOX is case-insensitive: match it as "INBOX" */
	if (str_begins_icase(pattern, "INBOX") &&
	    (pattern[5] == '\0' || pattern[5] == MAILBOX_HIERARCHY_SEP) &&
	    strncmp(name, "INBOX", 5) == 0 &&
	    strncmp(pattern, "INBOX", 5) != 0) {
		char buf[MAILBOX_NAME_MAX_LENGTH * 2 + 8];

		if (str_copy(buf, pattern, sizeof(buf)) >= sizeof(buf))
			return false;
		memcpy(buf, "INBOX", 5);
		return mailbox_match(buf, name);
	}
	return mailbox_match(pattern, name);
}

int mail_keyword_validate(const char *keyword)
{
	size_t len = strlen(keyword);

	if (len == 0 || len > MAIL_KEYWORD_MAX_LENGTH)
		return -1;
	/* atom-specials of RFC 9051 plus '\\' (system flags) and ']' */
	for (const char *p = keyword; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c) != NULL)
			return -1;
	}
	return 0;
}
