#ifndef POSTERN_IMAP_QUOTE_H
#define POSTERN_IMAP_QUOTE_H

/* Writing strings into IMAP responses (RFC 3501 §4.3, RFC 9051 §4.3):
   a quoted string when the value can be one, a literal otherwise, NIL for
   NULL.

   A quoted string holds TEXT-CHARs, with '"' and '\' escaped. CR, LF and
   NUL can't be in one, so such values go out as literals. 8-bit bytes may
   be in a quoted string only when the client enabled UTF8=ACCEPT
   (RFC 6855 §3; IMAP4rev2 likewise, RFC 9051 §4.3) and the value is valid
   UTF-8 (IMAP_QUOTE_FLAG_UTF8); otherwise they go in a literal, which
   IMAP4rev1 allows to carry 8-bit text. A literal can't carry NUL either
   (CHAR8), so a NUL byte is sent as 0x80, as Dovecot does; C strings
   can't hold one anyway. */

#include "str.h"

#include <stdbool.h>
#include <stddef.h>

enum imap_quote_flags {
	/* UTF8=ACCEPT is enabled: valid UTF-8 may be quoted */
	IMAP_QUOTE_FLAG_UTF8 = 0x01,
};

/* A string: quoted or literal. */
void imap_append_string(string_t *dest, const char *str,
			enum imap_quote_flags flags);
void imap_append_string_n(string_t *dest, const void *data, size_t size,
			  enum imap_quote_flags flags);
/* An nstring: NIL for NULL, else as imap_append_string(). */
void imap_append_nstring(string_t *dest, const char *str,
			 enum imap_quote_flags flags);
/* An astring: an atom when every byte is an ASTRING-CHAR (and the value
   is not empty and not "NIL"), else a string. */
void imap_append_astring(string_t *dest, const char *str,
			 enum imap_quote_flags flags);

/* Whether chr may be in an atom (ATOM-CHAR). */
bool imap_is_atom_char(unsigned char chr);

#endif
