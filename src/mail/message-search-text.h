#ifndef POSTERN_MESSAGE_SEARCH_TEXT_H
#define POSTERN_MESSAGE_SEARCH_TEXT_H

/* The text a message offers to IMAP SEARCH (RFC 3501 §6.4.4, RFC 9051
   §6.4.4), as UTF-8, and the i;unicode-casemap comparator (RFC 5051) that
   SEARCH matches it with.

   Header values are unfolded and their RFC 2047 encoded words decoded.
   Body text is every text/ * leaf (text/html as it is, for now), with its
   Content-Transfer-Encoding decoded and its charset converted (an unknown
   charset is read as UTF-8, invalid bytes becoming U+FFFD), plus the
   header of every encapsulated message (message/rfc822 is body text of
   the message that carries it). Attachments that are not text are not
   searched. Pieces are separated by a line end.

   Matching is substring matching on normalized text: full Unicode case
   folding, then NFKD (compatibility decomposition), as RFC 5051 defines
   i;unicode-casemap (with case folding standing in for its titlecase
   mapping, as Dovecot and ICU users do): "ZÜRICH" finds "Zürich", and
   "ﬁ" finds "fi". */

#include "message-part.h"
#include "str.h"

#include <stdbool.h>
#include <stddef.h>

struct message_header_field;

/* Appends the decoded value of one header field. */
void message_search_header_value(const struct message_header_field *field,
				 string_t *dest);

/* Appends the decoded values of every field called name in the header
   block, each followed by "\n". Returns how many there were. */
unsigned int message_search_header(const void *header, size_t size,
				   const char *name, string_t *dest);

/* Appends every field of the header block as "Name: decoded value\n". */
void message_search_header_text(const void *header, size_t size,
				string_t *dest);

/* Appends the body text of the message msg (size bytes) whose parsed
   tree is root (message_parse(): part data is needed). */
void message_search_body_text(const void *msg, size_t size,
			      const struct message_part *root, string_t *dest);

/* Appends the i;unicode-casemap normal form of UTF-8 text (invalid bytes
   are U+FFFD) to dest. Returns 0, or -1 if ICU failed. */
int message_search_normalize(const void *text, size_t size, string_t *dest);

/* Whether needle occurs in haystack under i;unicode-casemap; both are
   UTF-8. An empty needle is found everywhere. */
bool message_search_contains(const void *haystack, size_t haystack_size,
			     const void *needle, size_t needle_size);

#endif
