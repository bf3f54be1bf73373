#ifndef POSTERN_RFC2047_H
#define POSTERN_RFC2047_H

/* RFC 2047 encoded words ("=?charset?B?...?=", "=?charset?Q?...?="),
   decoded to UTF-8 for SEARCH, SORT and display.

   - An encoded word counts only as a whole white-space-delimited word
     (RFC 2047 §5 (1)); "foo=?utf-8?q?bar?=baz" stays as it is. Words glued
     together without white space ("=?a?Q?x?==?a?Q?y?=") are accepted, as
     many mailers write them.
   - White space between two encoded words is dropped (RFC 2047 §6.2).
   - Adjacent encoded words in the same charset are joined before charset
     conversion, so a multibyte character split across two words (which
     RFC 2047 §5 forbids senders to do) still decodes.
   - A malformed word (no "?=", unknown charset or encoding letter, space
     inside, invalid base64) is left as it is. Q accepts lower-case hex;
     B accepts missing padding. A "*language" suffix (RFC 2231 §5) is
     ignored.
   - Text outside encoded words is passed through as UTF-8 (RFC 6532);
     invalid UTF-8 there becomes U+FFFD, so the result is always valid
     UTF-8. Folding line ends are removed (RFC 5322 §2.2.3). */

#include "str.h"

#include <stdbool.h>
#include <stddef.h>

/* Appends the decoded text of the header value (raw, folding allowed) to
   dest. Returns true if at least one encoded word was decoded. */
bool rfc2047_decode(const void *data, size_t size, string_t *dest);

#endif
