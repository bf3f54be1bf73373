#ifndef POSTERN_AUTH_BASE64_H
#define POSTERN_AUTH_BASE64_H

/* Base64 as SASL (RFC 4648 §4, padded) and JWT (RFC 4648 §5, URL-safe,
   unpadded) need it, strict: whitespace, bad characters and bad padding
   are errors. Backed by libsodium. */

#include "buffer.h"
#include "str.h"

/* Appends the encoding of data. */
void auth_base64_encode(string_t *dest, const void *data, size_t size);
/* Appends the decoded bytes of src[0..len) to dest. Returns 0, or -1 for
   invalid base64 or when dest's cap is reached. */
int auth_base64_decode(buffer_t *dest, const char *src, size_t len);
/* The same for base64url without padding (JWT segments). */
int auth_base64url_decode(buffer_t *dest, const char *src, size_t len);

#endif
