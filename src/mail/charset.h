#ifndef POSTERN_CHARSET_H
#define POSTERN_CHARSET_H

/* Conversion of mail text to UTF-8 through ICU converters (ucnv).

   Charset names are taken as mail writes them (case-insensitive, with
   ICU's aliases) and mapped the way mail needs, as WHATWG's Encoding
   Standard and Dovecot do: labels that real mail abuses are widened to
   their superset, because senders label windows-1252 text "iso-8859-1"
   and GBK text "gb2312":
     us-ascii, iso-8859-1 (latin1)  -> windows-1252
     iso-8859-9 (latin5)            -> windows-1254
     iso-8859-11, tis-620           -> windows-874
     gb2312, gb_2312-80, x-gbk     -> GBK (via GB18030, its superset)
     euc-kr, ks_c_5601-1987        -> windows-949
     shift_jis, x-sjis              -> windows-31j
     utf8, unicode-1-1-utf-7        -> utf-8, utf-7
   A "*language" suffix (RFC 2231 §5) is ignored.

   Invalid or unmappable input never fails a conversion: each bad sequence
   becomes U+FFFD. Only an unknown charset name is an error. */

#include "buffer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct charset_translation;

/* Whether charset names UTF-8 (or its 7-bit subset US-ASCII is not
   included: that one is widened, see above). */
bool charset_is_utf8(const char *charset);

/* Whether charset names a charset we can convert from. */
bool charset_is_known(const char *charset);

/* Opens a converter from charset to UTF-8. Returns 0, or -1 if ICU does
   not know the charset. */
int charset_to_utf8_begin(const char *charset,
			  struct charset_translation **trans_r);
void charset_to_utf8_end(struct charset_translation **trans);
/* Forgets a partial multibyte sequence and shift state. */
void charset_to_utf8_reset(struct charset_translation *trans);
/* Converts size bytes, appending UTF-8 to dest. A multibyte sequence cut
   at the end of src is kept for the next call unless last is set (then it
   becomes U+FFFD). Returns 0, or -1 when dest overflowed. */
int charset_to_utf8(struct charset_translation *trans, const void *src,
		    size_t size, bool last, buffer_t *dest);

/* One-shot conversion. Returns 0, or -1 for an unknown charset (nothing
   is appended then) or an overflowing dest. */
int charset_convert_to_utf8(const char *charset, const void *src, size_t size,
			    buffer_t *dest);

/* Appends src to dest with every byte sequence that is not valid UTF-8
   replaced by U+FFFD. Returns true if src was valid. */
bool charset_utf8_sanitize(const void *src, size_t size, buffer_t *dest);
/* Whether src is valid UTF-8 (no overlong forms, surrogates or code
   points past U+10FFFF). */
bool charset_utf8_is_valid(const void *src, size_t size);

/* Decodes the UTF-8 character at src (size bytes left). Returns its
   length with the code point in cp_r, or 0 if it is invalid or cut. */
unsigned int charset_utf8_get_char(const void *src, size_t size,
				   uint32_t *cp_r);
/* Appends code point cp (<= 0x10ffff, no surrogate) as UTF-8. */
void charset_utf8_append_char(buffer_t *dest, uint32_t cp);

#endif
