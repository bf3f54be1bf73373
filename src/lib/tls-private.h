#ifndef POSTERN_TLS_PRIVATE_H
#define POSTERN_TLS_PRIVATE_H

/* Between tls.c and conn-tls.c. */

#include <openssl/ssl.h>

struct tls_context;

SSL *tls_context_new_ssl(struct tls_context *ctx);
/* The first queued OpenSSL error as text (thread-local); clears the queue. */
const char *tls_last_error(void);

#endif
