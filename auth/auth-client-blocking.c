#include "auth-client-blocking.h"
#include "auth-base64.h"
#include "auth-protocol.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <errno.h>
#include <poll.h>
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define AUTH_BLOCKING_TIMEOUT_MSECS 30000

struct auth_blocking_conn {
	int fd;
	string_t *buf;
	struct pool *pool;
};

static int auth_blocking_connect(struct auth_blocking_conn *conn,
				 const char *path, struct pool *pool,
				 const char **error_r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (str_copy(sa.sun_path, path, sizeof(sa.sun_path)) >=
	    sizeof(sa.sun_path)) {
		*error_r = "socket path too long";
		return -1;
	}
	conn->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (conn->fd < 0 ||
	    connect(conn->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		*error_r = pool_printf(pool, "connect(%s) failed: %s", path,
				       strerror(errno));
		if (conn->fd >= 0)
			close(conn->fd);
		return -1;
	}
	conn->buf = str_new(1024, AUTH_PROTOCOL_MAX_LINE * 4);
	conn->pool = pool;
	return 0;
}

static void auth_blocking_close(struct auth_blocking_conn *conn)
{
	close(conn->fd);
	sodium_memzero(conn->buf->data, conn->buf->used);
	str_free(&conn->buf);
}

static int auth_blocking_write(struct auth_blocking_conn *conn,
			       const char *data, const char **error_r)
{
	size_t len = strlen(data);

	while (len > 0) {
		ssize_t n = write(conn->fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*error_r = "write to auth socket failed";
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads the next line as tab-split, unescaped fields. */
static int auth_blocking_read(struct auth_blocking_conn *conn, char ***fields_r,
			      const char **error_r)
{
	struct pollfd pfd = { .fd = conn->fd, .events = POLLIN };
	char chunk[4096], *nl;
	ssize_t n;

	while ((nl = memchr(conn->buf->data, '\n', conn->buf->used)) == NULL) {
		if (poll(&pfd, 1, AUTH_BLOCKING_TIMEOUT_MSECS) <= 0) {
			*error_r = "timeout waiting for the auth process";
			return -1;
		}
		n = read(conn->fd, chunk, sizeof(chunk));
		if (n <= 0 || str_append_n(conn->buf, chunk, (size_t)n) < 0) {
			*error_r = "auth process closed the connection";
			return -1;
		}
	}
	*nl = '\0';
	*fields_r = auth_split_line(conn->pool, str_c(conn->buf));
	buffer_consume(conn->buf, (size_t)(nl - (char *)conn->buf->data) + 1);
	return 0;
}

static int auth_blocking_until(struct auth_blocking_conn *conn, const char *cmd,
			       char ***fields_r, const char **error_r)
{
	do {
		if (auth_blocking_read(conn, fields_r, error_r) < 0)
			return -1;
	} while (strcmp((*fields_r)[0], cmd) != 0);
	return 0;
}

/* The next line that is not part of the handshake (SPID). */
static int auth_blocking_read_reply(struct auth_blocking_conn *conn,
				    char ***fields_r, const char **error_r)
{
	do {
		if (auth_blocking_read(conn, fields_r, error_r) < 0)
			return -1;
	} while (strcmp((*fields_r)[0], "SPID") == 0);
	return 0;
}

static const char *auth_blocking_plain_line(struct pool *pool,
					    const char *service,
					    const char *user,
					    const char *password)
{
	size_t ulen = strlen(user), plen = strlen(password);
	string_t *resp = str_new(128, 65536), *line = str_new(256, 131072);
	unsigned char *raw = pool_alloc(pool, ulen + plen + 2);
	struct auth_request_info info = {
		.id = 1,
		.mech = "PLAIN",
		.service = service,
		.secured = true,
		.nologin = true,
	};
	const char *result;

	memcpy(raw + 1, user, ulen);
	memcpy(raw + ulen + 2, password, plen);
	auth_base64_encode(resp, raw, ulen + plen + 2);
	info.initial_resp = str_c(resp);
	str_printfa(line, "VERSION\t%u\t%u\nCPID\t%ld\n",
		    AUTH_CLIENT_PROTOCOL_MAJOR, AUTH_CLIENT_PROTOCOL_MINOR,
		    (long)getpid());
	auth_request_info_append(line, &info);
	str_append_c(line, '\n');
	result = pool_strdup(pool, str_c(line));
	sodium_memzero(raw, ulen + plen + 2);
	sodium_memzero(resp->data, resp->used);
	sodium_memzero(line->data, line->used);
	str_free(&resp);
	str_free(&line);
	return result;
}

int auth_blocking_plain(const char *socket_path, const char *service,
			const char *user, const char *password,
			struct pool *pool,
			struct auth_blocking_result *result_r,
			const char **error_r)
{
	struct auth_blocking_conn conn;
	char **fields;
	int ret = -1;

	if (auth_blocking_connect(&conn, socket_path, pool, error_r) < 0)
		return -1;
	if (auth_blocking_until(&conn, "DONE", &fields, error_r) == 0 &&
	    auth_blocking_write(
		    &conn,
		    auth_blocking_plain_line(pool, service, user, password),
		    error_r) == 0) {
		for (;;) {
			if (auth_blocking_read(&conn, &fields, error_r) < 0)
				break;
			if (strcmp(fields[0], "OK") == 0 ||
			    strcmp(fields[0], "FAIL") == 0) {
				result_r->success = fields[0][0] == 'O';
				result_r->fields = fields + 1;
				ret = 0;
				break;
			}
			if (strcmp(fields[0], "CONT") == 0) {
				*error_r = "unexpected CONT for PLAIN";
				break;
			}
		}
	}
	auth_blocking_close(&conn);
	return ret;
}

static int auth_blocking_userdb_connect(struct auth_blocking_conn *conn,
					const char *path, struct pool *pool,
					const char **error_r)
{
	char **fields;

	if (auth_blocking_connect(conn, path, pool, error_r) < 0)
		return -1;
	if (auth_blocking_until(conn, "VERSION", &fields, error_r) < 0 ||
	    auth_blocking_write(conn, "VERSION\t1\t0\n", error_r) < 0) {
		auth_blocking_close(conn);
		return -1;
	}
	return 0;
}

int auth_blocking_user_lookup(const char *socket_path, const char *name,
			      const char *service, struct pool *pool,
			      char ***fields_r, const char **error_r)
{
	struct auth_blocking_conn conn;
	string_t *line = str_new(128, AUTH_PROTOCOL_MAX_LINE);
	char **fields;
	int ret = -1;

	str_append(line, "USER\t1\t");
	auth_str_append_tabescaped(line, name);
	str_printfa(line, "\tservice=%s\n", service);
	if (auth_blocking_userdb_connect(&conn, socket_path, pool, error_r) <
	    0) {
		str_free(&line);
		return -1;
	}
	if (auth_blocking_write(&conn, str_c(line), error_r) == 0 &&
	    auth_blocking_read_reply(&conn, &fields, error_r) == 0) {
		if (strcmp(fields[0], "USER") == 0 && fields[1] != NULL &&
		    fields[2] != NULL) {
			*fields_r = fields + 2;
			ret = 1;
		} else if (strcmp(fields[0], "NOTFOUND") == 0) {
			ret = 0;
		} else {
			*error_r = "userdb lookup failed";
		}
	}
	str_free(&line);
	auth_blocking_close(&conn);
	return ret;
}

int auth_blocking_user_list(const char *socket_path, struct pool *pool,
			    void (*callback)(const char *user, void *context),
			    void *context, const char **error_r)
{
	struct auth_blocking_conn conn;
	char **fields;
	int ret = -1;

	if (auth_blocking_userdb_connect(&conn, socket_path, pool, error_r) < 0)
		return -1;
	if (auth_blocking_write(&conn, "LIST\t1\n", error_r) == 0) {
		while (auth_blocking_read_reply(&conn, &fields, error_r) == 0) {
			if (strcmp(fields[0], "LIST") == 0 &&
			    fields[1] != NULL && fields[2] != NULL) {
				callback(fields[2], context);
				continue;
			}
			if (strcmp(fields[0], "DONE") == 0) {
				ret = fields[1] != NULL && fields[2] == NULL
					      ? 0
					      : -1;
				if (ret < 0)
					*error_r = "userdb LIST failed";
			}
			break;
		}
	}
	auth_blocking_close(&conn);
	return ret;
}
