#ifndef POSTERN_AUTH_CLIENT_BLOCKING_H
#define POSTERN_AUTH_CLIENT_BLOCKING_H

/* Blocking clients of the auth process's sockets for command-line tools
   (posternctl auth test, user list): connect, ask, wait for the answer
   with a timeout, disconnect. Never use these on a loop thread. */

#include <stdbool.h>

struct pool;

struct auth_blocking_result {
	/* 1 OK, 0 FAIL */
	int success;
	/* every field of the final reply line after the id */
	char **fields;
};

/* Authenticates user with password over the auth-client socket with
   PLAIN (the same path an MTA takes), as service, marked secured. Returns
   0 with *result_r, or -1 with *error_r (can't connect, protocol error,
   timeout). */
int auth_blocking_plain(const char *socket_path, const char *service,
			const char *user, const char *password,
			struct pool *pool,
			struct auth_blocking_result *result_r,
			const char **error_r);

/* USER lookup over the userdb socket. Returns 1 found (*fields_r: the
   reply after the id: name, then key=value fields), 0 not found, -1 with
   *error_r. */
int auth_blocking_user_lookup(const char *socket_path, const char *name,
			      const char *service, struct pool *pool,
			      char ***fields_r, const char **error_r);

/* LIST over the userdb socket: calls callback for every user name.
   Returns 0, or -1 with *error_r. */
int auth_blocking_user_list(const char *socket_path, struct pool *pool,
			    void (*callback)(const char *user, void *context),
			    void *context, const char **error_r);

#endif
