#ifndef POSTERN_AUTH_MASTER_CLIENT_H
#define POSTERN_AUTH_MASTER_CLIENT_H

/* The asynchronous client of the auth process's userdb socket, for LMTP
   (does this recipient exist, where does its mail go) and for the login
   that follows a successful authentication (home, mail location, uid/gid,
   quota). Like auth-client.h: one per worker loop, connects on first use,
   multiplexes lookups by id, reconnects after a restart.

     auth_master_user_lookup(master, "alice@example.test", "lmtp",
                             rcpt_lookup_cb, rcpt);

   The callback runs once on the loop thread with result 1 (found: user
   is the normalized name and fields its "key=value" fields such as
   home=, mail=, uid=, gid=, quota_rule=), 0 (no such user) or -1 (the auth
   process failed or can't be reached: answer with a temporary error). */

#include "macros.h"

#include <uv.h>

struct auth_master_client;
struct auth_master_lookup;

typedef void auth_master_user_callback_t(int result, const char *user,
					 char *const *fields, void *context);

struct auth_master_client *auth_master_client_create(uv_loop_t *loop,
						     const char *socket_path);
/* Aborts every lookup (no callbacks). */
void auth_master_client_free(struct auth_master_client **client);

/* Starts a lookup of name for service ("lmtp", "imap", "pop3"). */
struct auth_master_lookup *
auth_master_user_lookup(struct auth_master_client *client, const char *name,
			const char *service,
			auth_master_user_callback_t *callback, void *context);
/* The callback will not be called. */
void auth_master_lookup_abort(struct auth_master_lookup **lookup);

/* The value of key in fields, or NULL. */
const char *auth_master_field(char *const *fields, const char *key);

#endif
