#include "listener.h"
#include "array.h"
#include "log.h"
#include "pool.h"
#include "strfuncs.h"
#include "tls.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LISTEN_BACKLOG 511

struct listener {
	union {
		uv_handle_t handle;
		uv_stream_t stream;
		uv_tcp_t tcp;
		uv_pipe_t pipe;
	} u;
	bool is_unix;
	struct conn_settings set;
	struct tls_context *tls;
	listener_accept_callback_t *callback;
	void *context;
};

static int listen_addr_parse_one(struct pool *pool, const char *item,
				 bool allow_unix, struct listen_addr *addr,
				 const char **error_r)
{
	const char *colon;
	unsigned int port;

	if (str_begins(item, "unix:")) {
		if (!allow_unix || item[5] != '/') {
			*error_r = allow_unix
					   ? "unix: needs an absolute path"
					   : "unix sockets aren't allowed here";
			return -1;
		}
		addr->unix_path = pool_strdup(pool, item + 5);
		return 0;
	}
	if (item[0] == '[') {
		const char *end = strchr(item, ']');

		if (end == NULL || end[1] != ':') {
			*error_r = "expected [address]:port";
			return -1;
		}
		addr->host =
			pool_strndup(pool, item + 1, (size_t)(end - item - 1));
		colon = end + 1;
	} else {
		colon = strrchr(item, ':');
		if (colon == NULL || strchr(item, ':') != colon) {
			*error_r = "expected host:port";
			return -1;
		}
		addr->host = pool_strndup(pool, item, (size_t)(colon - item));
	}
	if (str_to_uint(colon + 1, &port) < 0 || port == 0 || port > 65535 ||
	    addr->host[0] == '\0') {
		*error_r = "invalid port or host";
		return -1;
	}
	addr->port = port;
	return 0;
}

int listen_addrs_parse(struct pool *pool, const char *value, bool allow_unix,
		       bool implicit_tls, struct listen_addr **addrs_r,
		       const char **error_r)
{
	char **items = str_split(pool, value, ",");
	unsigned int n = 0;

	for (unsigned int i = 0; items[i] != NULL; i++)
		n++;
	*addrs_r = p_new(pool, struct listen_addr, n);
	n = 0;
	for (unsigned int i = 0; items[i] != NULL; i++) {
		const char *item = str_trim(pool, items[i]);

		if (item[0] == '\0')
			continue;
		if (listen_addr_parse_one(pool, item, allow_unix,
					  &(*addrs_r)[n], error_r) < 0) {
			*error_r = pool_printf(pool, "%s: %s", item, *error_r);
			return -1;
		}
		(*addrs_r)[n++].implicit_tls = implicit_tls;
	}
	return (int)n;
}

static int listen_addrs_check_common(const char *value, bool allow_unix,
				     const char **error_r)
{
	static char error[256];
	struct pool *pool = pool_create("listen check", 0);
	struct listen_addr *addrs;
	int ret = listen_addrs_parse(pool, value, allow_unix, false, &addrs,
				     error_r);

	if (ret < 0) {
		str_copy(error, *error_r, sizeof(error));
		*error_r = error;
	}
	pool_destroy(&pool);
	return ret < 0 ? -1 : 0;
}

int listen_addrs_check(const char *value, const char **error_r)
{
	return listen_addrs_check_common(value, false, error_r);
}

int listen_addrs_check_unix(const char *value, const char **error_r)
{
	return listen_addrs_check_common(value, true, error_r);
}

const char *listen_addr_name(struct pool *pool, const struct listen_addr *addr)
{
	if (addr->unix_path != NULL)
		return pool_printf(pool, "unix:%s", addr->unix_path);
	if (strchr(addr->host, ':') != NULL)
		return pool_printf(pool, "[%s]:%u", addr->host, addr->port);
	return pool_printf(pool, "%s:%u", addr->host, addr->port);
}

static int listen_unix_bind(const struct listen_addr *addr, unsigned int mode,
			    const char **error_r)
{
	static char error[512];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (str_copy(sun.sun_path, addr->unix_path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		snprintf(error, sizeof(error), "unix:%s: path too long",
			 addr->unix_path);
		*error_r = error;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* a socket file left behind by an earlier run */
	(void)unlink(addr->unix_path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(addr->unix_path, mode) < 0 || listen(fd, LISTEN_BACKLOG) < 0)
		goto fail;
	return fd;
fail:
	snprintf(error, sizeof(error), "unix:%s: %s", addr->unix_path,
		 strerror(errno));
	*error_r = error;
	if (fd >= 0)
		close(fd);
	return -1;
}

static int listen_tcp_bind(const struct listen_addr *addr, const char **error_r)
{
	static char error[512];
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	};
	struct addrinfo *res = NULL;
	const char *host = strcmp(addr->host, "*") == 0 ? NULL : addr->host;
	char port[16];
	int fd = -1, one = 1, ret;

	snprintf(port, sizeof(port), "%u", addr->port);
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret != 0) {
		snprintf(error, sizeof(error), "%s:%u: %s", addr->host,
			 addr->port, gai_strerror(ret));
		*error_r = error;
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		snprintf(error, sizeof(error), "%s:%u: %s", addr->host,
			 addr->port, strerror(errno));
		*error_r = error;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int listen_addr_bind(const struct listen_addr *addr, unsigned int mode,
		     const char **error_r)
{
	int fd = addr->unix_path != NULL ? listen_unix_bind(addr, mode, error_r)
					 : listen_tcp_bind(addr, error_r);

	/* libuv wants non-blocking; workers share the descriptor */
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static void listener_connection_cb(uv_stream_t *server, int status)
{
	struct listener *listener = server->data;
	uv_stream_t *client;
	struct conn *conn;

	if (status < 0) {
		log_error("accept failed: %s", uv_strerror(status));
		return;
	}
	client = conn_alloc_stream(server->loop,
				   listener->is_unix ? UV_NAMED_PIPE : UV_TCP);
	if (uv_accept(server, client) < 0) {
		/* Another worker took it (the socket is shared). */
		struct conn *unused =
			conn_create(client, &listener->set,
				    &(const struct conn_callbacks){ 0 }, NULL);
		conn_abort(unused, "accept lost");
		return;
	}
	conn = conn_create(client, &listener->set,
			   &(const struct conn_callbacks){ 0 }, NULL);
	if (listener->tls != NULL && conn_start_tls(conn, listener->tls) < 0) {
		conn_abort(conn, "TLS setup failed");
		return;
	}
	listener->callback(conn, listener->context);
}

struct listener *listener_create(uv_loop_t *loop, int fd, bool is_unix,
				 const struct conn_settings *set,
				 struct tls_context *tls,
				 listener_accept_callback_t *callback,
				 void *context)
{
	struct listener *listener = xnew(struct listener, 1);
	int ret;

	listener->is_unix = is_unix;
	listener->set = *set;
	listener->tls = tls;
	listener->callback = callback;
	listener->context = context;
	if (is_unix) {
		uv_pipe_init(loop, &listener->u.pipe, 0);
		ret = uv_pipe_open(&listener->u.pipe, fd);
	} else {
		uv_tcp_init(loop, &listener->u.tcp);
		ret = uv_tcp_open(&listener->u.tcp, fd);
	}
	listener->u.handle.data = listener;
	if (ret == 0)
		ret = uv_listen(&listener->u.stream, LISTEN_BACKLOG,
				listener_connection_cb);
	if (ret < 0)
		fatal("listen on fd %d failed: %s", fd, uv_strerror(ret));
	return listener;
}

static void listener_close_cb(uv_handle_t *handle)
{
	free(handle->data);
}

void listener_destroy(struct listener **_listener)
{
	struct listener *listener = *_listener;

	if (listener == NULL)
		return;
	*_listener = NULL;
	/* Closes only this process's copy of the shared descriptor. */
	uv_close(&listener->u.handle, listener_close_cb);
}
