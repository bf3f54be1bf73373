#include "imap-quote.h"
#include "charset.h"

#include <string.h>
#include <strings.h>

bool imap_is_atom_char(unsigned char chr)
{
	/* atom-specials: ( ) { SP CTL % * " \ ] */
	if (chr <= 0x20 || chr >= 0x7f)
		return false;
	return strchr("(){%*\"\\]", chr) == NULL;
}

/* Whether the value can go out as a quoted string. */
static bool imap_can_quote(const unsigned char *data, size_t size,
			   enum imap_quote_flags flags)
{
	bool has_8bit = false;

	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\r' || data[i] == '\n' || data[i] == '\0')
			return false;
		if (data[i] >= 0x80)
			has_8bit = true;
	}
	if (!has_8bit)
		return true;
	return (flags & IMAP_QUOTE_FLAG_UTF8) != 0 &&
	       charset_utf8_is_valid(data, size);
}

static void imap_append_quoted(string_t *dest, const unsigned char *data,
			       size_t size)
{
	size_t start = 0;

	str_append_c(dest, '"');
	for (size_t i = 0; i < size; i++) {
		if (data[i] != '"' && data[i] != '\\')
			continue;
		str_append_n(dest, data + start, i - start);
		str_append_c(dest, '\\');
		start = i;
	}
	str_append_n(dest, data + start, size - start);
	str_append_c(dest, '"');
}

static void imap_append_literal(string_t *dest, const unsigned char *data,
				size_t size)
{
	size_t start = 0;

	str_printfa(dest, "{%zu}\r\n", size);
	for (size_t i = 0; i < size; i++) {
		if (data[i] != '\0')
			continue;
		str_append_n(dest, data + start, i - start);
		str_append_c(dest, (char)0x80);
		start = i + 1;
	}
	str_append_n(dest, data + start, size - start);
}

void imap_append_string_n(string_t *dest, const void *data, size_t size,
			  enum imap_quote_flags flags)
{
	if (imap_can_quote(data, size, flags))
		imap_append_quoted(dest, data, size);
	else
		imap_append_literal(dest, data, size);
}

void imap_append_string(string_t *dest, const char *str,
			enum imap_quote_flags flags)
{
	imap_append_string_n(dest, str, strlen(str), flags);
}

void imap_append_nstring(string_t *dest, const char *str,
			 enum imap_quote_flags flags)
{
	if (str == NULL)
		str_append(dest, "NIL");
	else
		imap_append_string(dest, str, flags);
}

static bool imap_is_astring(const char *str)
{
	if (*str == '\0' || strcasecmp(str, "NIL") == 0)
		return false;
	for (const char *p = str; *p != '\0'; p++) {
		if (!imap_is_atom_char((unsigned char)*p) && *p != ']')
			return false;
	}
	return true;
}

void imap_append_astring(string_t *dest, const char *str,
			 enum imap_quote_flags flags)
{
	if (imap_is_astring(str))
		str_append(dest, str);
	else
		imap_append_string(dest, str, flags);
}
