#ifndef POSTERN_IMAP_UTF7_H
#define POSTERN_IMAP_UTF7_H

/* Modified UTF-7 (RFC 3501 §5.1.3), the mailbox name encoding of
   IMAP4rev1 clients, and of Maildir++ folder names on disk as Dovecot
   writes them.

   Printable US-ASCII (0x20-0x7e) stands for itself except '&', written
   "&-"; everything else is UTF-16 in a modified base64 (',' for '/', no
   padding) between '&' and '-'.

   Decoding is strict, so that every name has exactly one encoding and
   names round-trip: it rejects bytes outside 0x20-0x7e, an unterminated
   or empty shift, printable ASCII encoded in base64, non-zero or too many
   leftover bits, unpaired surrogates, and a shift directly following
   another one (RFC 3501: "&AGE-&AGI-" must be "&AGEAYg-"), and U+0000. */

#include "str.h"

#include <stdbool.h>

/* Appends the mUTF-7 form of the UTF-8 string src to dest. Returns 0, or
   -1 if src is not valid UTF-8 (dest is then left as it was). */
int imap_utf8_to_utf7(const char *src, string_t *dest);

/* Appends the UTF-8 form of the mUTF-7 string src to dest. Returns 0, or
   -1 if src is not valid mUTF-7 (dest is then left as it was). */
int imap_utf7_to_utf8(const char *src, string_t *dest);

/* Whether src is valid mUTF-7. */
bool imap_utf7_is_valid(const char *src);

#endif
