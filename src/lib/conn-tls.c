#include "conn-private.h"
#include "log.h"
#include "tls-private.h"
#include "xalloc.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>

/* A BIO over the conn itself instead of a pair of memory BIOs: OpenSSL
   reads ciphertext straight from the loop's read buffer and writes records
   into the conn's ciphertext queue, so no per-connection BIO buffers stay
   allocated while a session idles. */
static BIO_METHOD *conn_bio_method;

static int conn_bio_read(BIO *bio, char *out, int out_size)
{
	struct conn *conn = BIO_get_data(bio);
	size_t n;

	BIO_clear_retry_flags(bio);
	if (conn->tls_in_size == 0) {
		BIO_set_retry_read(bio);
		return -1;
	}
	n = MIN((size_t)out_size, conn->tls_in_size);
	memcpy(out, conn->tls_in, n);
	conn->tls_in += n;
	conn->tls_in_size -= n;
	return (int)n;
}

static int conn_bio_write(BIO *bio, const char *data, int size)
{
	struct conn *conn = BIO_get_data(bio);

	BIO_clear_retry_flags(bio);
	buffer_append(&conn->tls_out, data, (size_t)size);
	return size;
}

static long conn_bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	default:
		return 0;
	}
}

static BIO_METHOD *conn_bio_get_method(void)
{
	if (conn_bio_method != NULL)
		return conn_bio_method;
	conn_bio_method = BIO_meth_new(
		BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "postern conn");
	BIO_meth_set_read(conn_bio_method, conn_bio_read);
	BIO_meth_set_write(conn_bio_method, conn_bio_write);
	BIO_meth_set_ctrl(conn_bio_method, conn_bio_ctrl);
	return conn_bio_method;
}

/* Sends the records OpenSSL produced. */
static void conn_tls_send_records(struct conn *conn)
{
	void *data;
	size_t size;

	if (conn->tls_out.used == 0)
		return;
	data = buffer_steal(&conn->tls_out, &size);
	conn_send_raw(conn, data, size);
}

int conn_tls_init(struct conn *conn, struct tls_context *ctx)
{
	BIO *bio;

	conn->ssl = tls_context_new_ssl(ctx);
	if (conn->ssl == NULL)
		return -1;
	bio = BIO_new(conn_bio_get_method());
	BIO_set_data(bio, conn);
	BIO_set_init(bio, 1);
	SSL_set_bio(conn->ssl, bio, bio);
	SSL_set_accept_state(conn->ssl);
	buffer_init(&conn->tls_out, SIZE_MAX);
	return 0;
}

static const char *conn_tls_error_reason(struct conn *conn, int ret)
{
	static char reason[300];
	int err = SSL_get_error(conn->ssl, ret);

	if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN)
		return conn->tls_handshake_done
			       ? "Connection closed"
			       : "TLS handshake failed: peer closed";
	snprintf(reason, sizeof(reason), "%s: %s",
		 conn->tls_handshake_done ? "TLS error"
					  : "TLS handshake failed",
		 tls_last_error());
	return reason;
}

static void conn_tls_read_peer_cert(struct conn *conn)
{
	X509 *cert = SSL_get1_peer_certificate(conn->ssl);
	char cn[256];

	if (cert == NULL)
		return;
	if (SSL_get_verify_result(conn->ssl) == X509_V_OK &&
	    X509_NAME_get_text_by_NID(X509_get_subject_name(cert),
				      NID_commonName, cn, sizeof(cn)) > 0)
		conn->peer_cert_subject = xstrdup(cn);
	X509_free(cert);
}

static int conn_tls_handshake(struct conn *conn)
{
	int ret = SSL_do_handshake(conn->ssl);

	conn_tls_send_records(conn);
	if (ret == 1) {
		conn->tls_handshake_done = true;
		conn_tls_read_peer_cert(conn);
		if (conn->cb->tls_established != NULL)
			conn->cb->tls_established(conn);
		return 0;
	}
	if (SSL_get_error(conn->ssl, ret) == SSL_ERROR_WANT_READ)
		return 0;
	conn_fail(conn, conn_tls_error_reason(conn, ret));
	return -1;
}

/* Decrypts whatever records are complete into conn->input. */
static int conn_tls_read_plaintext(struct conn *conn)
{
	for (;;) {
		void *space = line_reader_get_space(&conn->input, 16 * 1024);
		size_t n = 0;
		int ret;

		ret = SSL_read_ex(conn->ssl, space, 16 * 1024, &n);
		conn_tls_send_records(conn);
		if (ret == 1) {
			line_reader_commit(&conn->input, n);
			continue;
		}
		ret = SSL_get_error(conn->ssl, 0);
		if (ret == SSL_ERROR_WANT_READ) {
			line_reader_compact(&conn->input);
			return 0;
		}
		if (ret == SSL_ERROR_ZERO_RETURN) {
			/* close_notify: treat as EOF */
			conn->eof = true;
			return 0;
		}
		conn_fail(conn, conn_tls_error_reason(conn, 0));
		return -1;
	}
}

int conn_tls_input(struct conn *conn, const unsigned char *data, size_t size)
{
	int ret = 0;

	conn->tls_in = data;
	conn->tls_in_size = size;
	if (!conn->tls_handshake_done)
		ret = conn_tls_handshake(conn);
	if (ret == 0 && conn->tls_handshake_done)
		ret = conn_tls_read_plaintext(conn);
	/* OpenSSL keeps partial records itself: nothing may be left. */
	i_assert(ret < 0 || conn->tls_in_size == 0);
	conn->tls_in = NULL;
	conn->tls_in_size = 0;
	/* output written before the handshake finished */
	if (ret == 0 && conn->output.used > 0)
		conn_tls_flush(conn);
	return ret;
}

void conn_tls_flush(struct conn *conn)
{
	size_t written = 0;

	if (!conn->tls_handshake_done || conn->output.used == 0)
		return;
	while (written < conn->output.used) {
		size_t n;

		if (SSL_write_ex(conn->ssl, conn->output.data + written,
				 conn->output.used - written, &n) != 1) {
			conn_tls_send_records(conn);
			conn_fail(conn, conn_tls_error_reason(conn, 0));
			return;
		}
		written += n;
	}
	buffer_deinit(&conn->output);
	conn_tls_send_records(conn);
}

void conn_tls_shutdown(struct conn *conn)
{
	if (conn->ssl == NULL || !conn->tls_handshake_done)
		return;
	conn_tls_flush(conn);
	SSL_shutdown(conn->ssl);
	conn_tls_send_records(conn);
}

void conn_tls_free(struct conn *conn)
{
	if (conn->ssl == NULL)
		return;
	SSL_free(conn->ssl);
	conn->ssl = NULL;
	buffer_deinit(&conn->tls_out);
}

int conn_start_tls(struct conn *conn, struct tls_context *ctx)
{
	if (conn->ssl != NULL || ctx == NULL)
		return -1;
	/* The reply to STARTTLS goes out in plaintext ahead of the
	   handshake; anything the client sent after its command is dropped
	   (RFC 3207 §4.2, RFC 2595 §3.1). */
	conn_flush(conn);
	conn_input_discard(conn);
	return conn_tls_init(conn, ctx);
}

int conn_tls_exporter(struct conn *conn, unsigned char out[32])
{
	static const char label[] = "EXPORTER-Channel-Binding";

	if (conn->ssl == NULL || !conn->tls_handshake_done)
		return -1;
	/* RFC 9266 §3: only where the exporter is secure: TLS 1.3, or 1.2
	   with the extended master secret. */
	if (SSL_version(conn->ssl) < TLS1_3_VERSION &&
	    SSL_get_extms_support(conn->ssl) != 1)
		return -1;
	if (SSL_export_keying_material(conn->ssl, out, 32, label,
				       sizeof(label) - 1, NULL, 0, 0) != 1)
		return -1;
	return 0;
}

const char *conn_tls_peer_cert_subject(struct conn *conn)
{
	return conn->peer_cert_subject;
}
