#ifndef POSTERN_TLS_H
#define POSTERN_TLS_H

/* OpenSSL server contexts: TLS 1.2 or newer only, certificates reloadable
   on SIGHUP without dropping connections (new handshakes get the new
   certificate), SSL_MODE_RELEASE_BUFFERS so that idle sessions stay
   small. */

#include "buffer.h"
#include "config.h"

struct tls_context;

struct tls_settings {
	char *cert;        /* PEM file: certificate chain */
	char *key;         /* PEM file: private key */
	char *min_version; /* TLSv1.2 or TLSv1.3 */
	char *ciphers;     /* TLS 1.2 cipher list; "" = OpenSSL's */
	char *client_ca;   /* PEM CAs for client certificates; "" = none */
};

extern const struct setting_def tls_setting_defs[];

/* Reads [tls] cert and key into one PEM text (the chain, then the key)
   and checks that they load and match. The master does this while it may
   be root, so that the key file can stay readable by root only: workers
   get the text, never open the file. Returns 0, or -1 with *error_r. */
int tls_pem_bundle_read(const struct tls_settings *set, buffer_t *bundle,
			const char **error_r);
/* A server context from such a PEM text. NULL with *error_r on failure. */
struct tls_context *tls_context_create(const struct tls_settings *set,
				       const void *pem, size_t pem_size,
				       const char **error_r);
/* Replaces certificate and key (SIGHUP). On error the old ones stay;
   sessions already running keep theirs. */
int tls_context_reload(struct tls_context *ctx, const void *pem,
		       size_t pem_size, const char **error_r);
void tls_context_ref(struct tls_context *ctx);
void tls_context_unref(struct tls_context **ctx);

/* Writes a new self-signed certificate and key (for the embedded default
   and tests) unless both files exist already. Returns 0, or -1. */
int tls_make_self_signed(const char *cert_path, const char *key_path,
			 const char *common_name, const char **error_r);

#endif
