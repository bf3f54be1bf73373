#include "imap-utf7.h"
#include "charset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char mbase64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static bool utf7_is_direct(uint32_t cp)
{
	return cp >= 0x20 && cp <= 0x7e;
}

/* Writes UTF-16 units [units, units+count) as "&...-". */
static void utf7_write_shift(const uint16_t *units, size_t count,
			     string_t *dest)
{
	uint32_t bits = 0;
	unsigned int nbits = 0;

	str_append_c(dest, '&');
	for (size_t i = 0; i < count; i++) {
		bits = bits << 16 | units[i];
		nbits += 16;
		while (nbits >= 6) {
			nbits -= 6;
			str_append_c(dest, mbase64[(bits >> nbits) & 0x3f]);
		}
	}
	if (nbits > 0)
		str_append_c(dest, mbase64[(bits << (6 - nbits)) & 0x3f]);
	str_append_c(dest, '-');
}

/* The non-direct characters from src as UTF-16: returns how many bytes
   of src they took, 0 on invalid UTF-8. */
static size_t utf7_collect_shift(const unsigned char *src, size_t size,
				 uint16_t *units, size_t *count_r)
{
	size_t pos = 0, count = 0;

	while (pos < size) {
		uint32_t cp;
		unsigned int len =
			charset_utf8_get_char(src + pos, size - pos, &cp);

		if (len == 0)
			return 0;
		if (utf7_is_direct(cp))
			break;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			units[count++] = (uint16_t)(0xd800 | (cp >> 10));
			units[count++] = (uint16_t)(0xdc00 | (cp & 0x3ff));
		} else {
			units[count++] = (uint16_t)cp;
		}
		pos += len;
	}
	*count_r = count;
	return pos;
}

int imap_utf8_to_utf7(const char *src, string_t *dest)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t size = strlen(src), pos = 0, orig_len = str_len(dest);
	/* a character takes at least as many bytes as UTF-16 units */
	uint16_t *units = malloc((size + 1) * sizeof(*units));

	while (pos < size) {
		size_t count, len;

		if (p[pos] >= 0x20 && p[pos] <= 0x7e) {
			if (p[pos] == '&')
				str_append(dest, "&-");
			else
				str_append_c(dest, (char)p[pos]);
			pos++;
			continue;
		}
		len = utf7_collect_shift(p + pos, size - pos, units, &count);
		if (len == 0) {
			str_truncate(dest, orig_len);
			free(units);
			return -1;
		}
		utf7_write_shift(units, count, dest);
		pos += len;
	}
	free(units);
	return 0;
}

static int mbase64_value(char chr)
{
	const char *p = chr == '\0' ? NULL : strchr(mbase64, chr);

	return p == NULL ? -1 : (int)(p - mbase64);
}

/* Appends one UTF-16 unit, pairing surrogates through *high. */
static int utf7_put_unit(uint16_t unit, uint16_t *high, string_t *dest)
{
	uint32_t cp = unit;

	if (*high != 0) {
		if (unit < 0xdc00 || unit > 0xdfff)
			return -1;
		cp = 0x10000 + ((uint32_t)(*high - 0xd800) << 10) +
		     (unit - 0xdc00);
		*high = 0;
	} else if (unit >= 0xd800 && unit <= 0xdbff) {
		*high = unit;
		return 0;
	} else if (unit >= 0xdc00 && unit <= 0xdfff) {
		return -1;
	}
	if (utf7_is_direct(cp) || cp == 0)
		return -1; /* must not be encoded; NUL can't be in a name */
	charset_utf8_append_char(dest, cp);
	return 0;
}

/* Decodes the shift starting after '&' at *srcp, up to and past '-'. */
static int utf7_decode_shift(const char **srcp, string_t *dest)
{
	const char *p = *srcp;
	uint32_t bits = 0;
	unsigned int nbits = 0;
	uint16_t high = 0;

	for (; *p != '-'; p++) {
		int value = mbase64_value(*p);

		if (value < 0)
			return -1;
		bits = bits << 6 | (uint32_t)value;
		nbits += 6;
		if (nbits >= 16) {
			nbits -= 16;
			if (utf7_put_unit((uint16_t)(bits >> nbits), &high,
					  dest) < 0)
				return -1;
		}
	}
	/* leftover bits: fewer than 6 and all zero, and no lone surrogate */
	if (nbits >= 6 || (bits & ((1u << nbits) - 1)) != 0 || high != 0 ||
	    p == *srcp)
		return -1;
	*srcp = p + 1;
	return 0;
}

int imap_utf7_to_utf8(const char *src, string_t *dest)
{
	size_t orig_len = str_len(dest);
	bool after_shift = false;

	while (*src != '\0') {
		unsigned char chr = (unsigned char)*src++;

		if (chr < 0x20 || chr > 0x7e)
			goto fail;
		if (chr != '&') {
			str_append_c(dest, (char)chr);
			after_shift = false;
		} else if (*src == '-') {
			str_append_c(dest, '&');
			src++;
			after_shift = false;
		} else {
			/* "&AGE-&AGI-" is not canonical */
			if (after_shift || utf7_decode_shift(&src, dest) < 0)
				goto fail;
			after_shift = true;
		}
	}
	return 0;
fail:
	str_truncate(dest, orig_len);
	return -1;
}

bool imap_utf7_is_valid(const char *src)
{
	string_t *dest = str_new(64, SIZE_MAX);
	int ret = imap_utf7_to_utf8(src, dest);

	str_free(&dest);
	return ret == 0;
}
