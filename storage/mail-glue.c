#include "mail-glue.h"
#include "pool.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* ---- modified UTF-7 ----
   Kept here until src/mail lands its own (the mail branch owns mUTF-7);
   then these forward to it. */

static const char mutf7_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int mutf7_b64_value(char c)
{
	const char *p = c == '\0' ? NULL : strchr(mutf7_b64, c);

	return p == NULL ? -1 : (int)(p - mutf7_b64);
}

static void utf8_append(string_t *dest, uint32_t cp)
{
	if (cp < 0x80) {
		str_append_c(dest, (char)cp);
	} else if (cp < 0x800) {
		str_append_c(dest, (char)(0xc0 | (cp >> 6)));
		str_append_c(dest, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		str_append_c(dest, (char)(0xe0 | (cp >> 12)));
		str_append_c(dest, (char)(0x80 | ((cp >> 6) & 0x3f)));
		str_append_c(dest, (char)(0x80 | (cp & 0x3f)));
	} else {
		str_append_c(dest, (char)(0xf0 | (cp >> 18)));
		str_append_c(dest, (char)(0x80 | ((cp >> 12) & 0x3f)));
		str_append_c(dest, (char)(0x80 | ((cp >> 6) & 0x3f)));
		str_append_c(dest, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Decodes one "&...-" run (p after '&'); returns the end ('-') or NULL. */
static const char *mutf7_decode_run(const char *p, string_t *dest)
{
	uint32_t bits = 0, high = 0;
	unsigned int nbits = 0, units = 0;
	int v;

	for (; *p != '-'; p++) {
		if ((v = mutf7_b64_value(*p)) < 0)
			return NULL;
		bits = (bits << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		uint32_t unit = (bits >> nbits) & 0xffff;

		units++;
		if (high != 0) {
			if (unit < 0xdc00 || unit > 0xdfff)
				return NULL;
			utf8_append(dest, 0x10000 + ((high - 0xd800) << 10) +
					      (unit - 0xdc00));
			high = 0;
		} else if (unit >= 0xd800 && unit <= 0xdbff) {
			high = unit;
		} else if ((unit >= 0xdc00 && unit <= 0xdfff) ||
			   (unit >= 0x20 && unit < 0x7f)) {
			/* lone low surrogate, or printable ASCII that must
			   not be encoded */
			return NULL;
		} else {
			utf8_append(dest, unit);
		}
	}
	/* leftover bits must be zero padding, and something was decoded */
	if (high != 0 || units == 0 || nbits >= 6 ||
	    (bits & ((1U << nbits) - 1)) != 0)
		return NULL;
	return p;
}

int mail_glue_mutf7_to_utf8(const char *src, string_t *dest)
{
	for (const char *p = src; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return -1;
		if (*p != '&') {
			str_append_c(dest, *p);
		} else if (p[1] == '-') {
			str_append_c(dest, '&');
			p++;
		} else if ((p = mutf7_decode_run(p + 1, dest)) == NULL) {
			return -1;
		}
	}
	return dest->overflow ? -1 : 0;
}

/* Reads one UTF-8 code point; returns its length, or 0 if invalid. */
static unsigned int utf8_next(const unsigned char *p, uint32_t *cp_r)
{
	unsigned int len, i;
	uint32_t cp;

	if (p[0] < 0x80) {
		*cp_r = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cp_r = cp;
	return len;
}

static void mutf7_flush(string_t *dest, uint32_t *bits, unsigned int *nbits)
{
	while (*nbits >= 6) {
		*nbits -= 6;
		str_append_c(dest, mutf7_b64[(*bits >> *nbits) & 0x3f]);
	}
}

static void mutf7_add_unit(string_t *dest, uint32_t unit, uint32_t *bits,
			   unsigned int *nbits)
{
	*bits = (*bits << 16) | unit;
	*nbits += 16;
	mutf7_flush(dest, bits, nbits);
}

int mail_glue_utf8_to_mutf7(const char *src, string_t *dest)
{
	const unsigned char *p = (const unsigned char *)src;
	uint32_t bits = 0, cp;
	unsigned int nbits = 0, len;
	bool in_b64 = false;

	while (*p != '\0') {
		if (*p >= 0x20 && *p < 0x7f) {
			if (in_b64) {
				if (nbits > 0)
					str_append_c(
					    dest,
					    mutf7_b64[(bits << (6 - nbits)) &
						      0x3f]);
				str_append_c(dest, '-');
				in_b64 = false;
				nbits = 0;
			}
			str_append(dest, *p == '&'
					     ? "&-"
					     : (const char[]){(char)*p, '\0'});
			p++;
			continue;
		}
		if ((len = utf8_next(p, &cp)) == 0)
			return -1;
		if (!in_b64) {
			str_append_c(dest, '&');
			in_b64 = true;
			bits = 0;
			nbits = 0;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			mutf7_add_unit(dest, 0xd800 + (cp >> 10), &bits,
				       &nbits);
			mutf7_add_unit(dest, 0xdc00 + (cp & 0x3ff), &bits,
				       &nbits);
		} else {
			mutf7_add_unit(dest, cp, &bits, &nbits);
		}
		p += len;
	}
	if (in_b64) {
		if (nbits > 0)
			str_append_c(dest,
				     mutf7_b64[(bits << (6 - nbits)) & 0x3f]);
		str_append_c(dest, '-');
	}
	return dest->overflow ? -1 : 0;
}

/* ---- message parsing and search ----
   Until src/mail lands its parser: no ENVELOPE/BODYSTRUCTURE (callers get
   an error), and searches are plain ASCII case-insensitive substring
   matches over the raw header values and body (no decoding). */

int mail_glue_parse(struct pool *pool, const unsigned char *data, size_t size,
		    struct mail_glue_parsed *parsed_r)
{
	memset(parsed_r, 0, sizeof(*parsed_r));
	return -1;
}

static bool ci_contains(const unsigned char *hay, size_t hlen,
			const char *needle)
{
	size_t nlen = strlen(needle);

	if (nlen == 0)
		return true;
	for (size_t i = 0; i + nlen <= hlen; i++) {
		size_t j = 0;

		while (j < nlen &&
		       tolower(hay[i + j]) == tolower((unsigned char)needle[j]))
			j++;
		if (j == nlen)
			return true;
	}
	return false;
}

/* Offset of the body (after the empty line), or size. */
static size_t header_end(const unsigned char *data, size_t size)
{
	for (size_t i = 0; i + 1 < size; i++) {
		if (data[i] == '\n' && (data[i + 1] == '\n' ||
					(data[i + 1] == '\r' && i + 2 < size &&
					 data[i + 2] == '\n')))
			return i + (data[i + 1] == '\n' ? 2 : 3);
	}
	return size;
}

bool mail_glue_search_header(struct pool *pool, const unsigned char *data,
			     size_t size, const char *name, const char *key)
{
	size_t hdr_size = header_end(data, size), name_len = strlen(name);
	const unsigned char *p = data, *end = data + hdr_size;

	while (p < end) {
		const unsigned char *line_end =
		    memchr(p, '\n', (size_t)(end - p));
		const unsigned char *value_end;

		if (line_end == NULL)
			line_end = end;
		/* the field runs on over continuation lines */
		value_end = line_end;
		while (value_end + 1 < end &&
		       (value_end[1] == ' ' || value_end[1] == '\t')) {
			const unsigned char *next = memchr(
			    value_end + 1, '\n', (size_t)(end - value_end - 1));
			value_end = next != NULL ? next : end;
		}
		if ((size_t)(line_end - p) > name_len && p[name_len] == ':' &&
		    strncasecmp((const char *)p, name, name_len) == 0 &&
		    ci_contains(p + name_len + 1,
				(size_t)(value_end - p - name_len - 1), key))
			return true;
		p = value_end < end ? value_end + 1 : end;
	}
	return false;
}

bool mail_glue_search_text(struct pool *pool, const unsigned char *data,
			   size_t size, bool headers, const char *key)
{
	size_t body = header_end(data, size);

	if (headers)
		return ci_contains(data, size, key);
	return ci_contains(data + body, size - body, key);
}
