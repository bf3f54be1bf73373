#include "charset.h"
#include "log.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/utf16.h>

#define CHARSET_NAME_MAX 64
#define CHARSET_UBUF_SIZE 1024

struct charset_translation {
	UConverter *conv; /* NULL for UTF-8, which is only validated */
	unsigned char partial[4];
	size_t partial_len;
};

/* Labels that mail abuses, widened to the superset senders meant. */
static const struct {
	const char *label;
	const char *icu_name;
} charset_aliases[] = {
	{ "us-ascii", "windows-1252" },
	{ "ascii", "windows-1252" },
	{ "iso-8859-1", "windows-1252" },
	{ "iso8859-1", "windows-1252" },
	{ "iso_8859-1", "windows-1252" },
	{ "latin1", "windows-1252" },
	{ "l1", "windows-1252" },
	{ "iso-8859-9", "windows-1254" },
	{ "iso_8859-9", "windows-1254" },
	{ "latin5", "windows-1254" },
	{ "iso-8859-11", "windows-874" },
	{ "tis-620", "windows-874" },
	{ "gb2312", "GB18030" },
	{ "gb_2312-80", "GB18030" },
	{ "gbk", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "euc-cn", "GB18030" },
	{ "euc-kr", "windows-949" },
	{ "ks_c_5601-1987", "windows-949" },
	{ "shift_jis", "windows-31j" },
	{ "shift-jis", "windows-31j" },
	{ "x-sjis", "windows-31j" },
	{ "sjis", "windows-31j" },
	{ "unicode-1-1-utf-7", "UTF-7" },
};

/* Lower-cased name without a "*language" suffix or surrounding quotes
   and blanks, in buf. Returns false for an empty or over-long name. */
static bool charset_normalize(const char *charset, char *buf, size_t size)
{
	size_t len;

	while (*charset == ' ' || *charset == '\t' || *charset == '"')
		charset++;
	len = strcspn(charset, "*\" \t");
	if (len == 0 || len >= size)
		return false;
	memcpy(buf, charset, len);
	buf[len] = '\0';
	str_lcase(buf);
	return true;
}

bool charset_is_utf8(const char *charset)
{
	char name[CHARSET_NAME_MAX];

	if (!charset_normalize(charset, name, sizeof(name)))
		return false;
	return strcmp(name, "utf-8") == 0 || strcmp(name, "utf8") == 0;
}

static const char *charset_icu_name(const char *name)
{
	for (size_t i = 0; i < N_ELEMENTS(charset_aliases); i++) {
		if (strcmp(charset_aliases[i].label, name) == 0)
			return charset_aliases[i].icu_name;
	}
	return name;
}

/* Every invalid or unmappable sequence becomes U+FFFD (ICU's default
   would give U+001A for single-byte charsets). */
static void charset_to_u_cb(const void *context ATTR_UNUSED,
			    UConverterToUnicodeArgs *args,
			    const char *units ATTR_UNUSED,
			    int32_t length ATTR_UNUSED,
			    UConverterCallbackReason reason, UErrorCode *err)
{
	static const UChar replacement = 0xfffd;

	if (reason > UCNV_IRREGULAR)
		return;
	*err = U_ZERO_ERROR;
	ucnv_cbToUWriteUChars(args, &replacement, 1, 0, err);
}

static UConverter *charset_open_icu(const char *name)
{
	UErrorCode err = U_ZERO_ERROR;
	UConverter *conv;

	/* ICU takes options after a comma; mail has no business there */
	if (strchr(name, ',') != NULL)
		return NULL;
	conv = ucnv_open(name, &err);
	if (U_FAILURE(err))
		return NULL;
	ucnv_setToUCallBack(conv, charset_to_u_cb, NULL, NULL, NULL, &err);
	if (U_FAILURE(err)) {
		ucnv_close(conv);
		return NULL;
	}
	return conv;
}

int charset_to_utf8_begin(const char *charset,
			  struct charset_translation **trans_r)
{
	char name[CHARSET_NAME_MAX];
	UConverter *conv = NULL;

	if (!charset_normalize(charset, name, sizeof(name)))
		return -1;
	if (strcmp(name, "utf-8") != 0 && strcmp(name, "utf8") != 0) {
		conv = charset_open_icu(charset_icu_name(name));
		if (conv == NULL)
			return -1;
	}
	*trans_r = xnew(struct charset_translation, 1);
	(*trans_r)->conv = conv;
	return 0;
}

bool charset_is_known(const char *charset)
{
	struct charset_translation *trans;

	if (charset_to_utf8_begin(charset, &trans) < 0)
		return false;
	charset_to_utf8_end(&trans);
	return true;
}

void charset_to_utf8_end(struct charset_translation **_trans)
{
	struct charset_translation *trans = *_trans;

	if (trans == NULL)
		return;
	*_trans = NULL;
	if (trans->conv != NULL)
		ucnv_close(trans->conv);
	free(trans);
}

void charset_to_utf8_reset(struct charset_translation *trans)
{
	if (trans->conv != NULL)
		ucnv_resetToUnicode(trans->conv);
	trans->partial_len = 0;
}

/* Length of the valid UTF-8 sequence at src (1..4), 0 if invalid, or -1
   if it is cut short by the end of src but valid so far. */
static int utf8_seq_len(const unsigned char *src, size_t size)
{
	unsigned char c = src[0];
	unsigned char lo = 0x80, hi = 0xbf;
	int len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f; /* no surrogates */
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= size)
			return -1;
		if (src[i] < lo || src[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

/* Sanitizes src into dest; returns how many bytes at the end are a cut
   sequence that was left unconsumed (only when !last). */
static size_t utf8_sanitize(const unsigned char *src, size_t size, bool last,
			    buffer_t *dest, bool *valid_r)
{
	size_t pos = 0, start = 0;

	while (pos < size) {
		int len = utf8_seq_len(src + pos, size - pos);

		if (len > 0) {
			pos += (size_t)len;
			continue;
		}
		buffer_append(dest, src + start, pos - start);
		if (len < 0 && !last)
			return size - pos;
		buffer_append(dest, "\xef\xbf\xbd", 3);
		*valid_r = false;
		/* skip the bad lead byte and any continuation bytes */
		pos++;
		while (pos < size && (src[pos] & 0xc0) == 0x80)
			pos++;
		start = pos;
	}
	buffer_append(dest, src + start, pos - start);
	return 0;
}

unsigned int charset_utf8_get_char(const void *src, size_t size, uint32_t *cp_r)
{
	const unsigned char *p = src;
	int len = size == 0 ? 0 : utf8_seq_len(p, size);
	uint32_t cp;

	if (len <= 0)
		return 0;
	cp = len == 1 ? p[0] : p[0] & (0xff >> (len + 1));
	for (int i = 1; i < len; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	*cp_r = cp;
	return (unsigned int)len;
}

bool charset_utf8_sanitize(const void *src, size_t size, buffer_t *dest)
{
	bool valid = true;

	(void)utf8_sanitize(src, size, true, dest, &valid);
	return valid;
}

bool charset_utf8_is_valid(const void *src, size_t size)
{
	const unsigned char *p = src;

	for (size_t pos = 0; pos < size;) {
		int len = utf8_seq_len(p + pos, size - pos);

		if (len <= 0)
			return false;
		pos += (size_t)len;
	}
	return true;
}

void charset_utf8_append_char(buffer_t *dest, uint32_t cp)
{
	unsigned char out[4];
	size_t len;

	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		len = 1;
	} else if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		len = 2;
	} else if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		len = 3;
	} else {
		out[0] = (unsigned char)(0xf0 | (cp >> 18));
		out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (unsigned char)(0x80 | (cp & 0x3f));
		len = 4;
	}
	buffer_append(dest, out, len);
}

/* Appends UTF-16 units as UTF-8. A high surrogate at the very end is not
   consumed unless last: returns the number of units used. */
static size_t utf16_to_utf8(const UChar *src, size_t count, bool last,
			    buffer_t *dest)
{
	size_t i = 0;

	while (i < count) {
		uint32_t cp = src[i++];

		if (U16_IS_LEAD(cp)) {
			if (i == count && !last)
				return i - 1;
			if (i < count && U16_IS_TRAIL(src[i]))
				cp = U16_GET_SUPPLEMENTARY(cp, src[i++]);
			else
				cp = 0xfffd;
		} else if (U16_IS_TRAIL(cp)) {
			cp = 0xfffd;
		}
		charset_utf8_append_char(dest, cp);
	}
	return i;
}

static int charset_icu_to_utf8(struct charset_translation *trans,
			       const char *src, size_t size, bool last,
			       buffer_t *dest)
{
	UChar ubuf[CHARSET_UBUF_SIZE];
	const char *src_end = src + size;
	size_t carry = 0;
	UErrorCode err;

	do {
		UChar *target = ubuf + carry;
		size_t count, used;

		err = U_ZERO_ERROR;
		ucnv_toUnicode(trans->conv, &target, ubuf + N_ELEMENTS(ubuf),
			       &src, src_end, NULL, last, &err);
		count = (size_t)(target - ubuf);
		used = utf16_to_utf8(ubuf, count,
				     last && err != U_BUFFER_OVERFLOW_ERROR,
				     dest);
		carry = count - used;
		if (carry > 0)
			ubuf[0] = ubuf[used];
	} while (err == U_BUFFER_OVERFLOW_ERROR);
	if (carry > 0)
		charset_utf8_append_char(dest, 0xfffd);
	if (U_FAILURE(err)) {
		/* should not happen with our callback: don't lose text */
		log_debug("charset: ICU conversion failed: %s",
			  u_errorName(err));
		ucnv_resetToUnicode(trans->conv);
	}
	return dest->overflow ? -1 : 0;
}

static int charset_utf8_to_utf8(struct charset_translation *trans,
				const unsigned char *src, size_t size,
				bool last, buffer_t *dest)
{
	bool valid = true;
	size_t left;

	while (trans->partial_len > 0 && size > 0) {
		/* complete the sequence cut at the end of the last call */
		int len;

		trans->partial[trans->partial_len++] = *src++;
		size--;
		len = utf8_seq_len(trans->partial, trans->partial_len);
		if (len < 0 && trans->partial_len < sizeof(trans->partial))
			continue;
		(void)utf8_sanitize(trans->partial, trans->partial_len, true,
				    dest, &valid);
		trans->partial_len = 0;
	}
	left = utf8_sanitize(src, size, last, dest, &valid);
	if (trans->partial_len > 0 && last) {
		buffer_append(dest, "\xef\xbf\xbd", 3);
		trans->partial_len = 0;
	}
	memcpy(trans->partial + trans->partial_len, src + size - left, left);
	trans->partial_len += left;
	return dest->overflow ? -1 : 0;
}

int charset_to_utf8(struct charset_translation *trans, const void *src,
		    size_t size, bool last, buffer_t *dest)
{
	if (trans->conv == NULL)
		return charset_utf8_to_utf8(trans, src, size, last, dest);
	return charset_icu_to_utf8(trans, src, size, last, dest);
}

int charset_convert_to_utf8(const char *charset, const void *src, size_t size,
			    buffer_t *dest)
{
	struct charset_translation *trans;
	int ret;

	if (charset_to_utf8_begin(charset, &trans) < 0)
		return -1;
	ret = charset_to_utf8(trans, src, size, true, dest);
	charset_to_utf8_end(&trans);
	return ret;
}
