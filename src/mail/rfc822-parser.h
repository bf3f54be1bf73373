#ifndef POSTERN_RFC822_PARSER_H
#define POSTERN_RFC822_PARSER_H

/* A lexer for the structured header fields of RFC 5322 and RFC 2045:
   comments and folding white space, atoms, dot-atoms, quoted strings,
   domain literals and MIME tokens. It reads a byte range that need not be
   NUL-terminated and never reads past its end; malformed input (an
   unterminated comment or quoted string) is consumed to the end and
   reported, so callers can always make progress.

   The parse functions share one return convention: 1 when the item was
   read and more input follows, 0 when it was read and the input is at its
   end, -1 when no such item starts here (nothing is consumed then, unless
   the contract says otherwise). */

#include "str.h"

#include <stdbool.h>
#include <stddef.h>

struct rfc822_parser {
	const unsigned char *data;
	const unsigned char *end;
	/* When not NULL, the text of the last comment skipped (without its
	   parentheses) is kept here. */
	string_t *last_comment;
};

void rfc822_parser_init(struct rfc822_parser *ctx, const void *data,
			size_t size, string_t *last_comment);

static inline bool rfc822_parser_at_end(const struct rfc822_parser *ctx)
{
	return ctx->data >= ctx->end;
}

/* Skips white space, line ends and (nested) comments. Returns 1 if input
   remains, 0 at the end; an unterminated comment runs to the end and
   gives -1. */
int rfc822_skip_lwsp(struct rfc822_parser *ctx);
/* Skips one comment starting at '('. Same returns as rfc822_skip_lwsp(). */
int rfc822_skip_comment(struct rfc822_parser *ctx);

/* atom = 1*atext, appended to str. Then skips CFWS. */
int rfc822_parse_atom(struct rfc822_parser *ctx, string_t *str);
/* dot-atom, tolerating the obsolete CFWS around the dots. Then skips
   CFWS. */
int rfc822_parse_dot_atom(struct rfc822_parser *ctx, string_t *str);
/* quoted-string at '"': the unescaped content is appended without its
   quotes, line ends of folding removed. Then skips CFWS. An unterminated
   string is consumed to the end and gives -1 (its text is appended). */
int rfc822_parse_quoted_string(struct rfc822_parser *ctx, string_t *str);
/* A local-part or a display-name word: atom or quoted-string. */
int rfc822_parse_word(struct rfc822_parser *ctx, string_t *str);
/* phrase = 1*word (obs-phrase also allows '.'); words are joined with one
   space. Then skips CFWS. */
int rfc822_parse_phrase(struct rfc822_parser *ctx, string_t *str);
/* domain = dot-atom / domain-literal ("[...]", kept with its brackets). */
int rfc822_parse_domain(struct rfc822_parser *ctx, string_t *str);
/* RFC 2045 token (any CHAR but SPACE, CTLs and tspecials); 8-bit bytes
   are accepted too, as real mail has them. Then skips CFWS. */
int rfc822_parse_mime_token(struct rfc822_parser *ctx, string_t *str);

bool rfc822_is_atext(unsigned char chr);

#endif
