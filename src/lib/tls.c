#include "tls.h"
#include "tls-private.h"
#include "log.h"
#include "pool.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tls_context {
	int refcount;
	struct tls_settings set; /* strings owned by the context */
	SSL_CTX *ssl_ctx;
};

#define TLS_DEF(type, name, dflt)                                             \
	{                                                                     \
#name, type, offsetof(struct tls_settings, name), dflt, NULL, \
			NULL                                                  \
	}
const struct setting_def tls_setting_defs[] = {
	TLS_DEF(SETTING_STR, cert, ""),
	TLS_DEF(SETTING_STR, key, ""),
	{ "min_version", SETTING_ENUM,
	  offsetof(struct tls_settings, min_version), NULL, "TLSv1.2:TLSv1.3",
	  NULL },
	TLS_DEF(SETTING_STR, ciphers, ""),
	TLS_DEF(SETTING_STR, client_ca, ""),
	SETTING_DEFS_END
};

/* The first OpenSSL error in the queue, as text; clears the queue. */
const char *tls_last_error(void)
{
	static __thread char buf[256];
	unsigned long err = ERR_get_error();

	if (err == 0)
		return "unknown error";
	ERR_error_string_n(err, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

static int tls_verify_client_cb(int preverify_ok, X509_STORE_CTX *store)
{
	/* A client certificate is optional: a failed verification only means
	   that EXTERNAL won't be offered (conn_tls_peer_cert_subject() asks
	   SSL_get_verify_result()). */
	return 1;
}

static int tls_set_error(const char **error_r, const char *what,
			 const char *path)
{
	static __thread char error[512];

	snprintf(error, sizeof(error), "Can't load %s%s%s: %s", what,
		 path[0] != '\0' ? " " : "", path, tls_last_error());
	*error_r = error;
	return -1;
}

/* The certificate chain (leaf first) from the PEM text. */
static int tls_ctx_use_chain(SSL_CTX *ssl_ctx, const void *pem, size_t size)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)size);
	X509 *cert = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL);
	int ret = -1;

	if (cert != NULL && SSL_CTX_use_certificate(ssl_ctx, cert) == 1) {
		X509 *ca;

		SSL_CTX_clear_chain_certs(ssl_ctx);
		while ((ca = PEM_read_bio_X509(bio, NULL, NULL, NULL)) !=
		       NULL) {
			if (SSL_CTX_add0_chain_cert(ssl_ctx, ca) != 1) {
				X509_free(ca);
				break;
			}
		}
		/* the loop ends at the end of the text: not an error */
		ERR_clear_error();
		ret = 0;
	}
	X509_free(cert);
	BIO_free(bio);
	return ret;
}

static int tls_ctx_use_key(SSL_CTX *ssl_ctx, const void *pem, size_t size)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)size);
	EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	int ret = key != NULL && SSL_CTX_use_PrivateKey(ssl_ctx, key) == 1 &&
				  SSL_CTX_check_private_key(ssl_ctx) == 1
			  ? 0
			  : -1;

	EVP_PKEY_free(key);
	BIO_free(bio);
	return ret;
}

static int tls_ctx_load(SSL_CTX *ssl_ctx, const struct tls_settings *set,
			const void *pem, size_t size, const char **error_r)
{
	if (tls_ctx_use_chain(ssl_ctx, pem, size) < 0)
		return tls_set_error(error_r, "certificate", set->cert);
	if (tls_ctx_use_key(ssl_ctx, pem, size) < 0)
		return tls_set_error(error_r, "private key", set->key);
	if (set->client_ca[0] != '\0') {
		if (SSL_CTX_load_verify_locations(ssl_ctx, set->client_ca,
						  NULL) != 1)
			return tls_set_error(error_r, "client CA",
					     set->client_ca);
		SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER,
				   tls_verify_client_cb);
	}
	return 0;
}

static SSL_CTX *tls_ssl_ctx_create(const struct tls_settings *set,
				   const void *pem, size_t size,
				   const char **error_r)
{
	SSL_CTX *ssl_ctx = SSL_CTX_new(TLS_server_method());
	int min_version = strcmp(set->min_version, "TLSv1.3") == 0
				  ? TLS1_3_VERSION
				  : TLS1_2_VERSION;

	if (ssl_ctx == NULL) {
		*error_r = tls_last_error();
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ssl_ctx, min_version);
	/* Idle IMAP sessions sit in IDLE for hours: give the read and write
	   buffers back between records. */
	SSL_CTX_set_mode(ssl_ctx, SSL_MODE_RELEASE_BUFFERS |
					  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
					  SSL_MODE_ENABLE_PARTIAL_WRITE);
	SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_COMPRESSION |
					     SSL_OP_NO_RENEGOTIATION |
					     SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (set->ciphers[0] != '\0' &&
	    SSL_CTX_set_cipher_list(ssl_ctx, set->ciphers) != 1) {
		*error_r = "Invalid [tls] ciphers";
		SSL_CTX_free(ssl_ctx);
		return NULL;
	}
	if (tls_ctx_load(ssl_ctx, set, pem, size, error_r) < 0) {
		SSL_CTX_free(ssl_ctx);
		return NULL;
	}
	return ssl_ctx;
}

static void tls_settings_copy(struct tls_settings *dest,
			      const struct tls_settings *src)
{
	dest->cert = xstrdup(src->cert);
	dest->key = xstrdup(src->key);
	dest->min_version = xstrdup(src->min_version);
	dest->ciphers = xstrdup(src->ciphers);
	dest->client_ca = xstrdup(src->client_ca);
}

struct tls_context *tls_context_create(const struct tls_settings *set,
				       const void *pem, size_t pem_size,
				       const char **error_r)
{
	struct tls_context *ctx;
	SSL_CTX *ssl_ctx = tls_ssl_ctx_create(set, pem, pem_size, error_r);

	if (ssl_ctx == NULL)
		return NULL;
	ctx = xnew(struct tls_context, 1);
	ctx->refcount = 1;
	ctx->ssl_ctx = ssl_ctx;
	tls_settings_copy(&ctx->set, set);
	return ctx;
}

int tls_context_reload(struct tls_context *ctx, const void *pem,
		       size_t pem_size, const char **error_r)
{
	SSL_CTX *ssl_ctx =
		tls_ssl_ctx_create(&ctx->set, pem, pem_size, error_r);

	if (ssl_ctx == NULL)
		return -1;
	/* Sessions already running keep a reference to the old SSL_CTX. */
	SSL_CTX_free(ctx->ssl_ctx);
	ctx->ssl_ctx = ssl_ctx;
	return 0;
}

void tls_context_ref(struct tls_context *ctx)
{
	ctx->refcount++;
}

void tls_context_unref(struct tls_context **_ctx)
{
	struct tls_context *ctx = *_ctx;

	if (ctx == NULL)
		return;
	*_ctx = NULL;
	i_assert(ctx->refcount > 0);
	if (--ctx->refcount > 0)
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	free(ctx->set.cert);
	free(ctx->set.key);
	free(ctx->set.min_version);
	free(ctx->set.ciphers);
	free(ctx->set.client_ca);
	free(ctx);
}

SSL *tls_context_new_ssl(struct tls_context *ctx)
{
	return SSL_new(ctx->ssl_ctx);
}

static int tls_read_file(const char *path, buffer_t *out, const char **error_r)
{
	static __thread char error[512];
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(error, sizeof(error), "Can't open %s: %s", path,
			 strerror(errno));
		*error_r = error;
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		buffer_append(out, buf, (size_t)n);
	close(fd);
	if (n < 0 || out->overflow) {
		snprintf(error, sizeof(error), "Can't read %s", path);
		*error_r = error;
		return -1;
	}
	buffer_append(out, "\n", 1);
	return 0;
}

int tls_pem_bundle_read(const struct tls_settings *set, buffer_t *bundle,
			const char **error_r)
{
	struct tls_context *ctx;

	if (tls_read_file(set->cert, bundle, error_r) < 0 ||
	    tls_read_file(set->key, bundle, error_r) < 0)
		return -1;
	/* load it once here, so that errors show before any child starts */
	ctx = tls_context_create(set, bundle->data, bundle->used, error_r);
	if (ctx == NULL)
		return -1;
	tls_context_unref(&ctx);
	return 0;
}

static X509 *tls_make_x509(EVP_PKEY *pkey, const char *common_name)
{
	X509 *x509 = X509_new();
	X509_NAME *name;

	ASN1_INTEGER_set(X509_get_serialNumber(x509), (long)time(NULL));
	X509_gmtime_adj(X509_getm_notBefore(x509), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x509), 10L * 365 * 86400);
	X509_set_version(x509, 2);
	X509_set_pubkey(x509, pkey);
	name = X509_get_subject_name(x509);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
				   (const unsigned char *)"Postern", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)common_name, -1, -1,
				   0);
	X509_set_issuer_name(x509, name);
	if (X509_sign(x509, pkey, EVP_sha256()) == 0) {
		X509_free(x509);
		return NULL;
	}
	return x509;
}

static int tls_write_pem(const char *path, EVP_PKEY *pkey, X509 *x509)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		      pkey != NULL ? 0600 : 0644);
	FILE *file;
	int ok;

	if (fd < 0)
		return -1;
	file = fdopen(fd, "w");
	if (file == NULL) {
		close(fd);
		return -1;
	}
	ok = pkey != NULL ? PEM_write_PrivateKey(file, pkey, NULL, NULL, 0,
						 NULL, NULL)
			  : PEM_write_X509(file, x509);
	if (fclose(file) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

int tls_make_self_signed(const char *cert_path, const char *key_path,
			 const char *common_name, const char **error_r)
{
	static char error[512];
	EVP_PKEY *pkey;
	X509 *x509;
	int ret = 0;

	if (access(cert_path, R_OK) == 0 && access(key_path, R_OK) == 0)
		return 0;
	pkey = EVP_EC_gen("P-256");
	x509 = pkey == NULL ? NULL : tls_make_x509(pkey, common_name);
	if (x509 == NULL) {
		snprintf(error, sizeof(error), "Can't make a certificate: %s",
			 tls_last_error());
		ret = -1;
	} else if (tls_write_pem(key_path, pkey, NULL) < 0 ||
		   tls_write_pem(cert_path, NULL, x509) < 0) {
		snprintf(error, sizeof(error), "Can't write %s or %s: %s",
			 key_path, cert_path, strerror(errno));
		ret = -1;
	}
	if (ret < 0)
		*error_r = error;
	X509_free(x509);
	EVP_PKEY_free(pkey);
	return ret;
}
