#include "pop3-uidl.h"
#include "strfuncs.h"

#include "postern/storage.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum pop3_uidl_mod {
	POP3_UIDL_MOD_HEX = 0x01,
	POP3_UIDL_MOD_LCASE = 0x02,
	POP3_UIDL_MOD_UCASE = 0x04,
};

/* One parsed %-variable: "%[0][offset.][width][mods](key|{name})". */
struct pop3_uidl_var {
	char key; /* 'u', 'v', 'g', 'f', 'm' or '%' */
	bool zero_pad;
	unsigned int offset, width;
	enum pop3_uidl_mod mods;
};

static const struct {
	const char *name;
	char key;
} pop3_uidl_long_names[] = {
	{ "uid", 'u' },      { "uidvalidity", 'v' }, { "guid", 'g' },
	{ "filename", 'f' }, { "md5", 'm' },
};

static unsigned int pop3_uidl_parse_uint(const char **str)
{
	unsigned int num = 0;

	for (; **str >= '0' && **str <= '9'; (*str)++) {
		if (num < 10000)
			num = num * 10 + (unsigned int)(**str - '0');
	}
	return num;
}

static int pop3_uidl_parse_mods(const char **str, enum pop3_uidl_mod *mods_r)
{
	for (;; (*str)++) {
		switch (**str) {
		case 'X':
			*mods_r |= POP3_UIDL_MOD_HEX;
			break;
		case 'L':
			*mods_r |= POP3_UIDL_MOD_LCASE;
			break;
		case 'U':
			*mods_r |= POP3_UIDL_MOD_UCASE;
			break;
		default:
			return 0;
		}
	}
}

static int pop3_uidl_parse_long_name(const char **str, char *key_r)
{
	const char *end = strchr(*str, '}');

	if (end == NULL)
		return -1;
	for (size_t i = 0; i < N_ELEMENTS(pop3_uidl_long_names); i++) {
		const char *name = pop3_uidl_long_names[i].name;

		if (strlen(name) == (size_t)(end - (*str + 1)) &&
		    strncmp(*str + 1, name, strlen(name)) == 0) {
			*key_r = pop3_uidl_long_names[i].key;
			*str = end + 1;
			return 0;
		}
	}
	return -1;
}

/* Parses the variable after a '%' at *str, advancing *str past it.
   Returns 0, or -1 with *error_r. */
static int pop3_uidl_parse_var(const char **str, struct pop3_uidl_var *var_r,
			       const char **error_r)
{
	memset(var_r, 0, sizeof(*var_r));
	if (**str == '0') {
		var_r->zero_pad = true;
		(*str)++;
	}
	var_r->width = pop3_uidl_parse_uint(str);
	if (**str == '.') {
		(*str)++;
		var_r->offset = var_r->width;
		var_r->width = pop3_uidl_parse_uint(str);
	}
	(void)pop3_uidl_parse_mods(str, &var_r->mods);
	if (**str == '{') {
		if (pop3_uidl_parse_long_name(str, &var_r->key) < 0) {
			*error_r = "unknown %{name} (uid, uidvalidity, guid, "
				   "filename)";
			return -1;
		}
		return 0;
	}
	var_r->key = **str;
	if (var_r->key == '\0' || strchr("uvgfm%", var_r->key) == NULL) {
		*error_r = "unknown variable (%u, %v, %g, %f or %%)";
		return -1;
	}
	(*str)++;
	return 0;
}

static int pop3_uidl_check_var(const struct pop3_uidl_var *var,
			       const char **error_r)
{
	if (var->key == 'm') {
		*error_r = "%m (an MD5 of the header) isn't available: "
			   "storage doesn't keep one";
		return -1;
	}
	if ((var->mods & POP3_UIDL_MOD_HEX) != 0 && var->key != 'u' &&
	    var->key != 'v') {
		*error_r = "X applies to numbers only (%u, %v)";
		return -1;
	}
	return 0;
}

int pop3_uidl_format_check(const char *format, const char **error_r)
{
	struct pop3_uidl_var var;
	bool any = false;

	for (const char *p = format; *p != '\0';) {
		if (*p != '%') {
			if ((unsigned char)*p <= 0x20 ||
			    (unsigned char)*p >= 0x7f) {
				*error_r = "UIDLs can't hold spaces, control "
					   "or non-ASCII characters";
				return -1;
			}
			p++;
			continue;
		}
		p++;
		if (pop3_uidl_parse_var(&p, &var, error_r) < 0 ||
		    pop3_uidl_check_var(&var, error_r) < 0)
			return -1;
		any = any || var.key != '%';
	}
	if (!any) {
		*error_r = "must contain a variable (e.g. %08Xu%08Xv)";
		return -1;
	}
	return 0;
}

/* The raw value of a variable, into buf (for numbers) or from uidl. */
static const char *pop3_uidl_var_value(const struct pop3_uidl_var *var,
				       const struct mail_pop3_uidl *uidl,
				       char *buf, size_t buf_size)
{
	uint32_t num;

	switch (var->key) {
	case 'u':
	case 'v':
		num = var->key == 'u' ? uidl->uid : uidl->uidvalidity;
		if ((var->mods & POP3_UIDL_MOD_HEX) != 0)
			snprintf(buf, buf_size, "%" PRIx32, num);
		else
			snprintf(buf, buf_size, "%" PRIu32, num);
		return buf;
	case 'g':
		return uidl->guid != NULL ? uidl->guid : "";
	case 'f':
		return uidl->file_base != NULL ? uidl->file_base : "";
	case '%':
		return "%";
	}
	return "";
}

static void pop3_uidl_append_var(string_t *dest,
				 const struct pop3_uidl_var *var,
				 const struct mail_pop3_uidl *uidl)
{
	char buf[16];
	const char *value = pop3_uidl_var_value(var, uidl, buf, sizeof(buf));
	size_t len = strlen(value), start = str_len(dest);

	value += MIN(var->offset, len);
	len -= MIN(var->offset, len);
	if (var->zero_pad) {
		for (size_t i = len; i < var->width; i++)
			str_append_c(dest, '0');
	} else if (var->width > 0 && len > var->width) {
		len = var->width;
	}
	str_append_n(dest, value, len);
	if ((var->mods & POP3_UIDL_MOD_LCASE) != 0)
		str_lcase((char *)dest->data + start);
	if ((var->mods & POP3_UIDL_MOD_UCASE) != 0)
		str_ucase((char *)dest->data + start);
}

static void pop3_uidl_expand(string_t *dest, const char *format,
			     const struct mail_pop3_uidl *uidl)
{
	struct pop3_uidl_var var;
	const char *error;

	for (const char *p = format; *p != '\0';) {
		if (*p != '%') {
			str_append_c(dest, *p++);
			continue;
		}
		p++;
		if (pop3_uidl_parse_var(&p, &var, &error) < 0)
			return;
		pop3_uidl_append_var(dest, &var, uidl);
	}
}

bool pop3_uidl_is_valid(const char *str)
{
	size_t len = 0;

	for (; str[len] != '\0'; len++) {
		if ((unsigned char)str[len] <= 0x20 ||
		    (unsigned char)str[len] >= 0x7f)
			return false;
	}
	return len > 0 && len <= POP3_UIDL_MAX_LEN;
}

void pop3_uidl_append(string_t *dest, const char *format,
		      const struct mail_pop3_uidl *uidl)
{
	size_t start = str_len(dest);

	if (uidl->imported_uidl != NULL &&
	    pop3_uidl_is_valid(uidl->imported_uidl)) {
		str_append(dest, uidl->imported_uidl);
		return;
	}
	pop3_uidl_expand(dest, format, uidl);
	if (str_len(dest) - start > POP3_UIDL_MAX_LEN)
		str_truncate(dest, start + POP3_UIDL_MAX_LEN);
	for (size_t i = start; i < str_len(dest); i++) {
		if (dest->data[i] <= 0x20 || dest->data[i] >= 0x7f)
			dest->data[i] = '_';
	}
	if (str_len(dest) == start) {
		/* e.g. %f on a backend without file names */
		pop3_uidl_expand(dest, POP3_UIDL_DEFAULT_FORMAT, uidl);
	}
}
