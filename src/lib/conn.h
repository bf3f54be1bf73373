#ifndef POSTERN_CONN_H
#define POSTERN_CONN_H

/* A connection over a libuv stream (TCP or unix socket), with optional TLS
   through OpenSSL memory BIOs, an incremental reader for lines and raw bytes
   (IMAP literals, LMTP BDAT chunks), a corked output buffer with
   back-pressure, and an idle timeout. Protocol sessions (IMAP, POP3, LMTP,
   the auth socket, clients of the auth socket) own one conn each and plug in
   through struct conn_callbacks.

   Memory: an idle conn holds no input or output buffer; reads go into one
   per-loop buffer and only a partial line is copied into the conn. With TLS,
   OpenSSL's SSL_MODE_RELEASE_BUFFERS frees its buffers between records.

   Lifetime: conn_close() flushes what is queued, shuts the stream down and
   closes it; the destroy callback runs after libuv's close callback and
   after the last conn_unref(), so work queued on the thread pool can hold a
   reference to a conn whose peer has gone. Free the session in destroy. */

#include "macros.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct conn;
struct tls_context;

struct conn_settings {
	/* Longest line accepted, including its CRLF. */
	size_t max_line_length;
	/* Stop reading from the peer while this much output is queued. */
	size_t output_limit;
	/* Seconds without input before the timeout callback; 0: none. */
	unsigned int idle_timeout_secs;
};

struct conn_callbacks {
	/* Input is buffered: read it with conn_read_line()/conn_read_data()
	   until they return 0, or stop early with conn_input_pause(). Not
	   called while input is paused. */
	void (*input)(struct conn *conn);
	/* The output queue went below output_limit after conn_output_full()
	   returned true. Optional. */
	void (*output_drained)(struct conn *conn);
	/* No input for idle_timeout_secs. Optional (default: close). */
	void (*timeout)(struct conn *conn);
	/* The peer closed the connection, or an I/O or TLS error happened.
	   The conn is already closing; don't write to it. reason is for the
	   log ("Connection closed", "TLS handshake failed: ..."). */
	void (*disconnected)(struct conn *conn, const char *reason);
	/* TLS handshake finished (implicit TLS or after conn_start_tls()).
	   Optional. */
	void (*tls_established)(struct conn *conn);
	/* Last chance to free what the conn's context points to. */
	void (*destroy)(struct conn *conn);
};

enum conn_read_result {
	CONN_READ_MORE = 0,      /* nothing (complete) buffered yet */
	CONN_READ_OK = 1,        /* a line or data was returned */
	CONN_READ_TOO_LONG = -1, /* the line passed max_line_length */
};

/* Connections made by a listener come from listener.h. These make the
   client side, e.g. a worker's connection to the auth socket. connected is
   called once with status 0 or a negative libuv error (then the conn is
   closed for you). */
struct conn *
conn_connect_unix(uv_loop_t *loop, const char *path,
		  const struct conn_settings *set,
		  const struct conn_callbacks *callbacks, void *context,
		  void (*connected)(struct conn *conn, int status));

/* Wraps an accepted stream; the conn takes ownership of it (it must have
   been allocated with conn_alloc_stream()). Used by listener.c. */
struct conn *conn_create(uv_stream_t *stream, const struct conn_settings *set,
			 const struct conn_callbacks *callbacks, void *context);
uv_stream_t *conn_alloc_stream(uv_loop_t *loop, uv_handle_type type);

void *conn_get_context(struct conn *conn);
void conn_set_context(struct conn *conn, void *context);
void conn_set_callbacks(struct conn *conn,
			const struct conn_callbacks *callbacks);
void conn_set_settings(struct conn *conn, const struct conn_settings *set);
uv_loop_t *conn_get_loop(struct conn *conn);

/* Keep the conn's memory alive (not the connection itself). */
void conn_ref(struct conn *conn);
void conn_unref(struct conn **conn);

/* Flushes queued output, then closes. Safe to call more than once and
   from any callback. reason goes to the debug log. */
void conn_close(struct conn *conn, const char *reason);
/* Closes at once, dropping queued output (a reset for misbehaving peers). */
void conn_abort(struct conn *conn, const char *reason);
bool conn_is_closing(const struct conn *conn);

/* ---- Input ---- */

/* Returns CONN_READ_OK with *line_r pointing to the next line without its
   CRLF or LF, NUL-terminated (a NUL inside the line shows as a shorter
   string; *len_r is the real length). The line stays valid until the next
   read call on this conn. CONN_READ_TOO_LONG is returned once for a line
   over max_line_length; the rest of that line is then skipped. */
enum conn_read_result conn_read_line(struct conn *conn, const char **line_r,
				     size_t *len_r);
/* Returns up to max_size raw bytes already buffered (consumed at once),
   CONN_READ_MORE when none are. For literals and chunks: the caller counts
   down its own length. */
enum conn_read_result conn_read_data(struct conn *conn, size_t max_size,
				     const unsigned char **data_r,
				     size_t *size_r);
/* Gives back the last size bytes conn_read_data() returned (the rest
   after the end of a DATA body), before any other read call. */
void conn_input_unread(struct conn *conn, size_t size);
/* Bytes of input buffered but not read yet. */
size_t conn_input_pending(const struct conn *conn);
/* Stop calling input until resumed, e.g. while a command runs on the
   thread pool. Input already buffered stays buffered: pipelined commands
   are processed after resume. Reading from the socket stops once input is
   buffered (at once if some is), so at most one read's worth arrives
   meanwhile; an EOF or error meanwhile is reported after resume or at
   once, as when not paused. */
void conn_input_pause(struct conn *conn);
/* Resume; if input is buffered, input is called from the loop soon (not
   from inside this call). */
void conn_input_resume(struct conn *conn);
/* Drops every byte of input buffered so far (STARTTLS discards what a
   client pipelined in plaintext after the command). */
void conn_input_discard(struct conn *conn);

/* ---- Output ---- */

/* Queues bytes; they are sent when the current loop iteration ends, or at
   once past an internal batch size. Writing to a closing conn is a no-op. */
void conn_write(struct conn *conn, const void *data, size_t size);
void conn_write_str(struct conn *conn, const char *str);
void conn_printf(struct conn *conn, const char *fmt, ...) ATTR_FORMAT(2, 3);
/* Sends what is queued now. */
void conn_flush(struct conn *conn);
/* True while more than output_limit bytes wait to be sent: a producer of a
   big reply stops and continues from output_drained, which is then
   guaranteed to be called (corked output is flushed for that). */
bool conn_output_full(struct conn *conn);
size_t conn_output_pending(const struct conn *conn);

/* ---- TLS ---- */

/* Starts a server-side TLS handshake over this conn now. Output queued
   before the call goes out in plaintext first (the "OK Begin TLS"); input
   buffered before the call is discarded, which stops plaintext command
   injection (CVE-2011-0411 and its many relatives). Returns 0, or -1 if
   the conn has no TLS context or already runs TLS. */
int conn_start_tls(struct conn *conn, struct tls_context *ctx);
bool conn_is_tls(const struct conn *conn);
/* TLS, a unix socket, or a loopback peer: plaintext passwords are fine. */
bool conn_is_secured(const struct conn *conn);
/* RFC 9266 tls-exporter channel binding data (32 bytes); -1 without TLS
   1.3 / extended master secret. */
int conn_tls_exporter(struct conn *conn, unsigned char out[32]);
/* Subject of a verified client certificate, or NULL. */
const char *conn_tls_peer_cert_subject(struct conn *conn);

/* ---- Addresses ---- */

/* "127.0.0.1", "::1", or "" for unix sockets. */
const char *conn_get_remote_ip(const struct conn *conn);
unsigned int conn_get_remote_port(const struct conn *conn);
const char *conn_get_local_ip(const struct conn *conn);
unsigned int conn_get_local_port(const struct conn *conn);
bool conn_is_unix(const struct conn *conn);
/* Peer process credentials on a unix socket; -1 if unknown. */
int conn_get_peer_cred(const struct conn *conn, pid_t *pid_r, uid_t *uid_r);

/* Number of conns alive in this process (for tests and stats). */
unsigned int conn_count(void);

/* Closes the loop-side handles of the connection layer, so that the loop
   can be closed. Call when no conn is left, before the last uv_run(). */
void conn_loop_deinit(void);

#endif
