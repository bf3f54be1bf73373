#ifndef POSTERN_LISTENER_H
#define POSTERN_LISTENER_H

/* Listening sockets. The master parses the [imap] listen = ... style
   values and binds every socket while it may still be root; workers inherit
   the descriptors and each accept on them with a libuv loop of their own. */

#include "conn.h"

#include <stdbool.h>

struct pool;
struct tls_context;

struct listen_addr {
	char *host; /* "127.0.0.1", "::", "*" */
	unsigned int port;
	char *unix_path;   /* set for "unix:/path"; host is NULL then */
	bool implicit_tls; /* from a listen_tls key */
};

/* Parses a comma-separated list of host:port, [v6]:port, *:port or
   unix:/path (the last only if allow_unix). An empty value gives no
   addresses. Returns the count (>= 0) with a pool-allocated array in
   *addrs_r, or -1 with *error_r. */
int listen_addrs_parse(struct pool *pool, const char *value, bool allow_unix,
		       bool implicit_tls, struct listen_addr **addrs_r,
		       const char **error_r);
/* A setting_def check for listen values. */
int listen_addrs_check(const char *value, const char **error_r);
int listen_addrs_check_unix(const char *value, const char **error_r);

/* Creates, binds and listens; returns the descriptor (close-on-exec), or
   -1 with *error_r naming the address. A unix socket's stale file is
   replaced and the new one gets mode. */
int listen_addr_bind(const struct listen_addr *addr, unsigned int mode,
		     const char **error_r);
const char *listen_addr_name(struct pool *pool, const struct listen_addr *addr);

typedef void listener_accept_callback_t(struct conn *conn, void *context);

/* Starts accepting on fd. Each connection becomes a conn with set; with
   tls non-NULL, the TLS handshake starts at once (implicit TLS). The
   callback makes the protocol session and sets the conn's callbacks. */
struct listener *listener_create(uv_loop_t *loop, int fd, bool is_unix,
				 const struct conn_settings *set,
				 struct tls_context *tls,
				 listener_accept_callback_t *callback,
				 void *context);
/* Stops accepting (graceful shutdown); the fd stays open for others. */
void listener_destroy(struct listener **listener);

#endif
