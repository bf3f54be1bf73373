#ifndef POSTERN_CONN_PRIVATE_H
#define POSTERN_CONN_PRIVATE_H

/* Between conn.c (streams, buffers, lifetime) and conn-tls.c (the TLS
   layer between the socket and the plaintext buffers). */

#include "buffer.h"
#include "conn.h"
#include "line-reader.h"

#include <netinet/in.h>
#include <openssl/ssl.h>

struct conn {
	union {
		uv_handle_t handle;
		uv_stream_t stream;
		uv_tcp_t tcp;
		uv_pipe_t pipe;
	} u;
	uv_timer_t timer;

	const struct conn_callbacks *cb;
	void *context;
	struct conn_settings set;
	void (*connected)(struct conn *conn, int status);

	/* Plaintext input not read yet; holds no memory when empty. */
	struct line_reader input;
	/* Plaintext output not handed to the socket yet (corked). */
	buffer_t output;
	/* Bytes in uv_write requests not completed. */
	size_t write_queued;

	/* TLS: NULL without. tls_in points into the read buffer while
	   OpenSSL pulls ciphertext from it. */
	SSL *ssl;
	const unsigned char *tls_in;
	size_t tls_in_size;
	buffer_t tls_out;
	char *peer_cert_subject;

	/* the loop's list of conns to flush or give input to */
	struct conn *pending_prev, *pending_next;

	int refcount;
	unsigned int handles_open;
	unsigned int remote_port, local_port;
	char remote_ip[INET6_ADDRSTRLEN];
	char local_ip[INET6_ADDRSTRLEN];

	bool is_unix : 1;
	bool in_pending_list : 1;
	bool want_flush : 1;
	bool want_input : 1;
	bool closing : 1;
	bool shutting_down : 1;
	bool input_paused : 1;
	bool reading : 1;
	bool output_full : 1;
	bool eof : 1;
	bool tls_handshake_done : 1;
	bool disconnect_reported : 1;
	bool in_input_callback : 1;
};

/* conn.c: hands ciphertext or plaintext to the socket. */
void conn_send_raw(struct conn *conn, void *data, size_t size);
/* conn.c: reports a fatal error and aborts the conn. */
void conn_fail(struct conn *conn, const char *reason);

/* conn-tls.c */
int conn_tls_init(struct conn *conn, struct tls_context *ctx);
/* Feeds ciphertext from the socket; decrypted bytes are appended to
   conn->input. Returns 0, or -1 after conn_fail(). */
int conn_tls_input(struct conn *conn, const unsigned char *data, size_t size);
/* Encrypts conn->output and sends it. */
void conn_tls_flush(struct conn *conn);
/* Queues a close_notify alert. */
void conn_tls_shutdown(struct conn *conn);
void conn_tls_free(struct conn *conn);

#endif
