#include "conn-private.h"
#include "log.h"
#include "str.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Bytes of corked output that trigger a write before the loop iteration
   ends. */
#define CONN_OUTPUT_BATCH (16 * 1024)
#define CONN_READ_BUFFER_SIZE (64 * 1024)
/* A closing conn whose peer doesn't read its last output is dropped. */
#define CONN_CLOSE_TIMEOUT_MSECS (10 * 1000)

struct conn_write_req {
	uv_write_t req;
	struct conn *conn;
	void *data;
	size_t size;
};

/* Per-process state: one loop per process (master, auth, worker). */
static struct {
	uv_loop_t *loop;
	uv_check_t check;
	uv_idle_t idle;
	struct conn *pending_head;
	unsigned int n_conns;
	unsigned char read_buf[CONN_READ_BUFFER_SIZE];
} conn_loop;

static void conn_loop_check_cb(uv_check_t *check);

static void conn_loop_init(uv_loop_t *loop)
{
	if (conn_loop.loop == loop)
		return;
	i_assert(conn_loop.loop == NULL);
	conn_loop.loop = loop;
	uv_check_init(loop, &conn_loop.check);
	uv_idle_init(loop, &conn_loop.idle);
	uv_unref((uv_handle_t *)&conn_loop.check);
	uv_unref((uv_handle_t *)&conn_loop.idle);
	uv_check_start(&conn_loop.check, conn_loop_check_cb);
}

static void conn_loop_idle_cb(uv_idle_t *idle)
{
	/* Only here to keep the loop from blocking in poll while conns wait
	   in the pending list; conn_loop_check_cb() does the work. */
}

static void conn_pending_remove(struct conn *conn)
{
	if (!conn->in_pending_list)
		return;
	if (conn->pending_prev != NULL)
		conn->pending_prev->pending_next = conn->pending_next;
	else
		conn_loop.pending_head = conn->pending_next;
	if (conn->pending_next != NULL)
		conn->pending_next->pending_prev = conn->pending_prev;
	conn->pending_prev = conn->pending_next = NULL;
	conn->in_pending_list = false;
}

/* Work for the end of this loop iteration. The idle handle keeps the loop
   from blocking in poll meanwhile. */
static void conn_pending_add(struct conn *conn)
{
	if (conn->in_pending_list)
		return;
	conn->in_pending_list = true;
	conn->pending_prev = NULL;
	conn->pending_next = conn_loop.pending_head;
	if (conn_loop.pending_head != NULL)
		conn_loop.pending_head->pending_prev = conn;
	conn_loop.pending_head = conn;
	uv_idle_start(&conn_loop.idle, conn_loop_idle_cb);
}

static void conn_dispatch_input(struct conn *conn);

static void conn_loop_check_cb(uv_check_t *check)
{
	unsigned int n = 0;

	uv_idle_stop(&conn_loop.idle);
	/* Conns added while we run wait for the next iteration, so that one
	   busy conn can't starve the loop. */
	for (struct conn *conn = conn_loop.pending_head; conn != NULL; n++)
		conn = conn->pending_next;
	while (n-- > 0 && conn_loop.pending_head != NULL) {
		struct conn *conn = conn_loop.pending_head;
		bool want_input = conn->want_input;

		conn_pending_remove(conn);
		conn->want_input = false;
		if (conn->want_flush) {
			conn->want_flush = false;
			conn_flush(conn);
		}
		if (want_input)
			conn_dispatch_input(conn);
	}
}

static void conn_free(struct conn *conn)
{
	conn_pending_remove(conn);
	if (conn->cb->destroy != NULL)
		conn->cb->destroy(conn);
	conn_tls_free(conn);
	line_reader_deinit(&conn->input);
	buffer_deinit(&conn->output);
	free(conn->peer_cert_subject);
	conn_loop.n_conns--;
	free(conn);
}

void conn_ref(struct conn *conn)
{
	conn->refcount++;
}

void conn_unref(struct conn **_conn)
{
	struct conn *conn = *_conn;

	*_conn = NULL;
	i_assert(conn->refcount > 0);
	if (--conn->refcount == 0)
		conn_free(conn);
}

static void conn_handle_close_cb(uv_handle_t *handle)
{
	struct conn *conn = handle->data;

	i_assert(conn->handles_open > 0);
	if (--conn->handles_open == 0)
		conn_unref(&conn);
}

static void conn_close_handles(struct conn *conn)
{
	if (uv_is_closing(&conn->u.handle))
		return;
	uv_close(&conn->u.handle, conn_handle_close_cb);
	uv_close((uv_handle_t *)&conn->timer, conn_handle_close_cb);
}

static void conn_report_disconnect(struct conn *conn, const char *reason)
{
	if (conn->disconnect_reported)
		return;
	conn->disconnect_reported = true;
	if (conn->cb->disconnected != NULL)
		conn->cb->disconnected(conn, reason);
}

void conn_abort(struct conn *conn, const char *reason)
{
	if (conn->handles_open == 0)
		return;
	log_debug("conn %s: aborted: %s", conn->remote_ip, reason);
	conn->closing = true;
	conn->disconnect_reported = true;
	conn_close_handles(conn);
}

void conn_fail(struct conn *conn, const char *reason)
{
	conn_report_disconnect(conn, reason);
	conn_abort(conn, reason);
}

static void conn_shutdown_cb(uv_shutdown_t *req, int status)
{
	struct conn *conn = req->data;

	free(req);
	conn_close_handles(conn);
	conn_unref(&conn);
}

/* All output is out: send FIN after it and close. */
static void conn_finish_close(struct conn *conn)
{
	uv_shutdown_t *req;

	if (conn->shutting_down || uv_is_closing(&conn->u.handle))
		return;
	conn->shutting_down = true;
	req = xnew(uv_shutdown_t, 1);
	req->data = conn;
	conn_ref(conn);
	if (uv_shutdown(req, &conn->u.stream, conn_shutdown_cb) < 0) {
		free(req);
		conn_unref(&conn);
		conn_close_handles(conn);
	}
}

static void conn_close_timeout_cb(uv_timer_t *timer)
{
	conn_abort(timer->data, "close timed out");
}

void conn_close(struct conn *conn, const char *reason)
{
	if (conn->closing)
		return;
	log_debug("conn %s: closing: %s", conn->remote_ip, reason);
	conn->closing = true;
	conn->disconnect_reported = true;
	if (conn->reading) {
		uv_read_stop(&conn->u.stream);
		conn->reading = false;
	}
	conn_tls_shutdown(conn);
	conn_flush(conn);
	uv_timer_start(&conn->timer, conn_close_timeout_cb,
		       CONN_CLOSE_TIMEOUT_MSECS, 0);
	if (conn->write_queued == 0)
		conn_finish_close(conn);
}

bool conn_is_closing(const struct conn *conn)
{
	return conn->closing;
}

/* ---- reading ---- */

static void conn_alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf);
static void conn_read_cb(uv_stream_t *stream, ssize_t nread,
			 const uv_buf_t *buf);

/* Reading goes on while input is paused until something is buffered: a
   session pauses for every command it runs on the thread pool, and
   stopping and restarting the read each time costs two epoll_ctl() calls
   per command, while a client that waits for the reply sends nothing
   meanwhile. What a pipelining client sends is read once (at most one
   read's worth) and then waits in the socket. */
static void conn_read_update(struct conn *conn)
{
	size_t pending = line_reader_pending(&conn->input);
	bool want = !conn->closing && !conn->output_full && !conn->eof &&
		    (!conn->input_paused || pending == 0) &&
		    pending < conn->set.max_line_length + CONN_READ_BUFFER_SIZE;

	if (want && !conn->reading) {
		if (uv_read_start(&conn->u.stream, conn_alloc_cb,
				  conn_read_cb) == 0)
			conn->reading = true;
	} else if (!want && conn->reading) {
		uv_read_stop(&conn->u.stream);
		conn->reading = false;
	}
}

/* Calls the input callback while it makes progress. A handler may read
   one command per call, or pause in the middle. */
static void conn_dispatch_input(struct conn *conn)
{
	size_t avail;

	if (conn->in_input_callback)
		return;
	while (!conn->closing && !conn->input_paused) {
		avail = conn_input_pending(conn);
		if (avail == 0)
			break;
		conn->in_input_callback = true;
		conn->cb->input(conn);
		conn->in_input_callback = false;
		if (conn_input_pending(conn) == avail)
			break;
	}
	if (conn->closing)
		return;
	if (conn->eof && !conn->input_paused) {
		/* Whatever is left is an incomplete line that can never
		   complete. Output queued by the last command still goes
		   out: the peer may only have closed its sending side. */
		conn_report_disconnect(conn, "Connection closed");
		conn_close(conn, "EOF");
		return;
	}
	line_reader_compact(&conn->input);
	conn_read_update(conn);
}

static void conn_alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
	buf->base = (char *)conn_loop.read_buf;
	buf->len = sizeof(conn_loop.read_buf);
}

static void conn_read_cb(uv_stream_t *stream, ssize_t nread,
			 const uv_buf_t *buf)
{
	struct conn *conn = stream->data;

	if (nread == 0)
		return;
	if (nread < 0) {
		if (nread != UV_EOF) {
			conn_fail(conn, uv_strerror((int)nread));
			return;
		}
		conn->eof = true;
		conn_read_update(conn);
		conn_dispatch_input(conn);
		return;
	}
	if (conn->set.idle_timeout_secs > 0 && !conn->closing)
		uv_timer_again(&conn->timer);
	if (conn->ssl != NULL) {
		if (conn_tls_input(conn, (unsigned char *)buf->base,
				   (size_t)nread) < 0)
			return;
	} else {
		line_reader_feed(&conn->input, buf->base, (size_t)nread);
	}
	conn_dispatch_input(conn);
}

static void conn_idle_timeout_cb(uv_timer_t *timer)
{
	struct conn *conn = timer->data;

	if (conn->closing)
		return;
	if (conn->cb->timeout != NULL)
		conn->cb->timeout(conn);
	else
		conn_close(conn, "idle timeout");
}

enum conn_read_result conn_read_line(struct conn *conn, const char **line_r,
				     size_t *len_r)
{
	return (enum conn_read_result)line_reader_read_line(&conn->input,
							    line_r, len_r);
}

enum conn_read_result conn_read_data(struct conn *conn, size_t max_size,
				     const unsigned char **data_r,
				     size_t *size_r)
{
	return (enum conn_read_result)line_reader_read_data(
		&conn->input, max_size, data_r, size_r);
}

void conn_input_unread(struct conn *conn, size_t size)
{
	line_reader_unread(&conn->input, size);
}

size_t conn_input_pending(const struct conn *conn)
{
	return line_reader_pending(&conn->input);
}

void conn_input_pause(struct conn *conn)
{
	conn->input_paused = true;
	conn_read_update(conn);
}

void conn_input_resume(struct conn *conn)
{
	if (!conn->input_paused)
		return;
	conn->input_paused = false;
	conn_read_update(conn);
	if (conn_input_pending(conn) > 0 || conn->eof) {
		conn->want_input = true;
		conn_pending_add(conn);
	}
}

void conn_input_discard(struct conn *conn)
{
	line_reader_discard(&conn->input);
}

/* ---- writing ---- */

static void conn_write_cb(uv_write_t *req, int status)
{
	struct conn_write_req *wreq = (struct conn_write_req *)req;
	struct conn *conn = wreq->conn;

	conn->write_queued -= wreq->size;
	free(wreq->data);
	free(wreq);
	if (status < 0 && status != UV_ECANCELED && !conn->closing)
		conn_fail(conn, uv_strerror(status));
	if (conn->closing) {
		if (conn->write_queued == 0)
			conn_finish_close(conn);
	} else if (conn->output_full &&
		   conn->write_queued <= conn->set.output_limit / 2) {
		conn->output_full = false;
		conn_read_update(conn);
		if (conn->cb->output_drained != NULL)
			conn->cb->output_drained(conn);
	}
	conn_unref(&conn);
}

/* Writes what the socket takes now when nothing is queued before it:
   uv_write() re-arms the socket's epoll watcher (an epoll_ctl() per
   write) even when the write completes inside the call, as replies to
   one command nearly always do. Returns the bytes written. Errors are
   left to uv_write(), which reports them as before. */
static size_t conn_try_write(struct conn *conn, const void *data, size_t size)
{
	uv_buf_t buf = uv_buf_init((char *)data, (unsigned int)size);
	int ret;

	if (conn->write_queued > 0)
		return 0;
	ret = uv_try_write(&conn->u.stream, &buf, 1);
	return ret > 0 ? (size_t)ret : 0;
}

void conn_send_raw(struct conn *conn, void *data, size_t size)
{
	struct conn_write_req *wreq;
	uv_buf_t buf;
	size_t written;

	if (uv_is_closing(&conn->u.handle) || conn->shutting_down) {
		free(data);
		return;
	}
	written = conn_try_write(conn, data, size);
	if (written == size) {
		free(data);
		return;
	}
	if (written > 0) {
		size -= written;
		memmove(data, (char *)data + written, size);
	}
	buf = uv_buf_init(data, (unsigned int)size);
	wreq = xnew(struct conn_write_req, 1);
	wreq->conn = conn;
	wreq->data = data;
	wreq->size = size;
	conn->write_queued += size;
	conn_ref(conn);
	if (uv_write(&wreq->req, &conn->u.stream, &buf, 1, conn_write_cb) < 0) {
		conn->write_queued -= size;
		free(data);
		free(wreq);
		conn_unref(&conn);
		conn_fail(conn, "write failed");
		return;
	}
	if (conn->write_queued > conn->set.output_limit && !conn->output_full) {
		conn->output_full = true;
		conn_read_update(conn);
	}
}

void conn_flush(struct conn *conn)
{
	void *data;
	size_t size;

	if (conn->output.used == 0)
		return;
	if (conn->ssl != NULL) {
		conn_tls_flush(conn);
		return;
	}
	data = buffer_steal(&conn->output, &size);
	conn_send_raw(conn, data, size);
}

void conn_write(struct conn *conn, const void *data, size_t size)
{
	if (conn->closing || size == 0)
		return;
	buffer_append(&conn->output, data, size);
	if (conn->output.used >= CONN_OUTPUT_BATCH) {
		conn_flush(conn);
	} else {
		conn->want_flush = true;
		conn_pending_add(conn);
	}
}

void conn_write_str(struct conn *conn, const char *str)
{
	conn_write(conn, str, strlen(str));
}

void conn_printf(struct conn *conn, const char *fmt, ...)
{
	char small[512];
	va_list args;
	int len;

	va_start(args, fmt);
	len = vsnprintf(small, sizeof(small), fmt, args);
	va_end(args);
	if (len < 0)
		panic("conn_printf: bad format %s", fmt);
	if ((size_t)len < sizeof(small)) {
		conn_write(conn, small, (size_t)len);
		return;
	}
	string_t *str = str_new((size_t)len + 1, SIZE_MAX);

	va_start(args, fmt);
	str_vprintfa(str, fmt, args);
	va_end(args);
	conn_write(conn, str->data, str->used);
	str_free(&str);
}

bool conn_output_full(struct conn *conn)
{
	if (conn->write_queued + conn->output.used <= conn->set.output_limit)
		return false;
	/* What is corked must be on its way, so that its completion can
	   call output_drained. */
	conn_flush(conn);
	if (conn->write_queued == 0)
		return false;
	if (!conn->output_full) {
		conn->output_full = true;
		conn_read_update(conn);
	}
	return true;
}

size_t conn_output_pending(const struct conn *conn)
{
	return conn->write_queued + conn->output.used;
}

/* ---- creation ---- */

uv_stream_t *conn_alloc_stream(uv_loop_t *loop, uv_handle_type type)
{
	struct conn *conn = xnew(struct conn, 1);

	conn_loop_init(loop);
	if (type == UV_NAMED_PIPE) {
		uv_pipe_init(loop, &conn->u.pipe, 0);
		conn->is_unix = true;
	} else {
		i_assert(type == UV_TCP);
		uv_tcp_init(loop, &conn->u.tcp);
	}
	conn->u.handle.data = conn;
	uv_timer_init(loop, &conn->timer);
	conn->timer.data = conn;
	conn->handles_open = 2;
	conn->refcount = 1; /* released when both handles are closed */
	conn_loop.n_conns++;
	return &conn->u.stream;
}

static void conn_addr_to_str(const struct sockaddr_storage *sa, char *ip,
			     size_t ip_size, unsigned int *port_r)
{
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, ip, ip_size);
		*port_r = ntohs(in->sin_port);
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, ip, ip_size);
		*port_r = ntohs(in6->sin6_port);
	}
}

static void conn_read_addresses(struct conn *conn)
{
	struct sockaddr_storage sa;
	int len = sizeof(sa);

	if (conn->is_unix)
		return;
	if (uv_tcp_getpeername(&conn->u.tcp, (struct sockaddr *)&sa, &len) ==
	    0) {
		conn_addr_to_str(&sa, conn->remote_ip, sizeof(conn->remote_ip),
				 &conn->remote_port);
	}
	len = sizeof(sa);
	if (uv_tcp_getsockname(&conn->u.tcp, (struct sockaddr *)&sa, &len) ==
	    0) {
		conn_addr_to_str(&sa, conn->local_ip, sizeof(conn->local_ip),
				 &conn->local_port);
	}
	uv_tcp_nodelay(&conn->u.tcp, 1);
}

static void conn_start(struct conn *conn)
{
	conn_read_addresses(conn);
	if (conn->set.idle_timeout_secs > 0) {
		uint64_t msecs = (uint64_t)conn->set.idle_timeout_secs * 1000;

		uv_timer_start(&conn->timer, conn_idle_timeout_cb, msecs,
			       msecs);
	}
	if (uv_read_start(&conn->u.stream, conn_alloc_cb, conn_read_cb) == 0)
		conn->reading = true;
}

struct conn *conn_create(uv_stream_t *stream, const struct conn_settings *set,
			 const struct conn_callbacks *callbacks, void *context)
{
	struct conn *conn = CONTAINER_OF(stream, struct conn, u.stream);

	conn->set = *set;
	conn->cb = callbacks;
	conn->context = context;
	line_reader_init(&conn->input, set->max_line_length);
	buffer_init(&conn->output, SIZE_MAX);
	conn_start(conn);
	return conn;
}

static void conn_connect_cb(uv_connect_t *req, int status)
{
	struct conn *conn = req->data;

	free(req);
	if (status == 0 && !conn->closing)
		conn_start(conn);
	if (conn->connected != NULL)
		conn->connected(conn, status);
	if (status < 0)
		conn_abort(conn, uv_strerror(status));
	conn_unref(&conn);
}

struct conn *conn_connect_unix(uv_loop_t *loop, const char *path,
			       const struct conn_settings *set,
			       const struct conn_callbacks *callbacks,
			       void *context,
			       void (*connected)(struct conn *conn, int status))
{
	uv_stream_t *stream = conn_alloc_stream(loop, UV_NAMED_PIPE);
	struct conn *conn = CONTAINER_OF(stream, struct conn, u.stream);
	uv_connect_t *req = xnew(uv_connect_t, 1);

	conn->set = *set;
	conn->cb = callbacks;
	conn->context = context;
	conn->connected = connected;
	line_reader_init(&conn->input, set->max_line_length);
	buffer_init(&conn->output, SIZE_MAX);
	req->data = conn;
	conn_ref(conn);
	uv_pipe_connect(req, &conn->u.pipe, path, conn_connect_cb);
	return conn;
}

/* ---- accessors ---- */

void *conn_get_context(struct conn *conn)
{
	return conn->context;
}

void conn_set_context(struct conn *conn, void *context)
{
	conn->context = context;
}

void conn_set_callbacks(struct conn *conn,
			const struct conn_callbacks *callbacks)
{
	conn->cb = callbacks;
}

void conn_set_settings(struct conn *conn, const struct conn_settings *set)
{
	conn->set = *set;
	conn->input.max_line_length = set->max_line_length;
	if (conn->set.idle_timeout_secs > 0 && !conn->closing) {
		uint64_t msecs = (uint64_t)conn->set.idle_timeout_secs * 1000;

		uv_timer_start(&conn->timer, conn_idle_timeout_cb, msecs,
			       msecs);
	} else if (!conn->closing) {
		uv_timer_stop(&conn->timer);
	}
}

uv_loop_t *conn_get_loop(struct conn *conn)
{
	return conn->u.handle.loop;
}

bool conn_is_tls(const struct conn *conn)
{
	return conn->ssl != NULL;
}

static bool conn_is_loopback(const char *ip)
{
	return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 ||
	       strncmp(ip, "::ffff:127.", 11) == 0;
}

bool conn_is_secured(const struct conn *conn)
{
	return conn->is_unix || conn->tls_handshake_done ||
	       conn_is_loopback(conn->remote_ip);
}

const char *conn_get_remote_ip(const struct conn *conn)
{
	return conn->remote_ip;
}

unsigned int conn_get_remote_port(const struct conn *conn)
{
	return conn->remote_port;
}

const char *conn_get_local_ip(const struct conn *conn)
{
	return conn->local_ip;
}

unsigned int conn_get_local_port(const struct conn *conn)
{
	return conn->local_port;
}

bool conn_is_unix(const struct conn *conn)
{
	return conn->is_unix;
}

int conn_get_peer_cred(const struct conn *conn, pid_t *pid_r, uid_t *uid_r)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uv_os_fd_t fd;

	if (!conn->is_unix || uv_fileno(&conn->u.handle, &fd) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -1;
	*pid_r = cred.pid;
	*uid_r = cred.uid;
	return 0;
}

unsigned int conn_count(void)
{
	return conn_loop.n_conns;
}

void conn_loop_deinit(void)
{
	if (conn_loop.loop == NULL)
		return;
	uv_close((uv_handle_t *)&conn_loop.check, NULL);
	uv_close((uv_handle_t *)&conn_loop.idle, NULL);
	conn_loop.loop = NULL;
	conn_loop.pending_head = NULL;
}
