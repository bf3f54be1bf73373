#ifndef POSTERN_RFC2231_H
#define POSTERN_RFC2231_H

/* MIME parameter lists (RFC 2045 §5.1: "; name=value" after a
   Content-Type or Content-Disposition value), with RFC 2231 decoding:
   continuations (name*0, name*1, ... in any order), charset and language
   (name*=charset'lang'%XX...) converted to UTF-8. RFC 9051 §7.5.2 asks
   servers to return parameters so decoded in BODYSTRUCTURE.

   Tolerated: comments and folding anywhere, white space around '=',
   empty parameters (";;"), unquoted values with characters outside
   RFC 2045 tokens (boundary==_NextPart_ is common), an unterminated quoted
   value (runs to the end), and garbage between parameters (skipped to the
   next ';').

   Decoding rules:
   - a parameter whose RFC 2231 form decodes replaces a plain one of the
     same name (RFC 2231 senders add a plain fallback for old readers),
     and takes the position of the first of them;
   - continuations are joined in numeric order from *0, stopping at a gap;
   - if the charset is unknown or an escape is invalid, the parameter is
     kept undecoded as "name*" with the joined raw value (what Dovecot
     returns for every RFC 2231 parameter), so nothing is lost;
   - an empty charset means US-ASCII (which we widen, see charset.h). */

#include <stddef.h>

struct pool;
struct rfc822_parser;

/* At most this many parameters are kept from one field. */
#define RFC2231_MAX_PARAMS 256

struct rfc2231_param {
	const char *name;
	const char *value;
};

/* Parses the parameters from the parser's position to its end. Returns
   the count, with the array (pool memory) in params_r; NULL for none. */
unsigned int rfc2231_parse(struct pool *pool, struct rfc822_parser *parser,
			   const struct rfc2231_param **params_r);

/* The value of the first parameter called name (ASCII case-insensitive),
   or NULL. */
const char *rfc2231_param_get(const struct rfc2231_param *params,
			      unsigned int count, const char *name);

#endif
