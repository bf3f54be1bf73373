#ifndef POSTERN_AUTH_DB_H
#define POSTERN_AUTH_DB_H

/* User databases: one record per user holds the password (for the
   passdb role) and home, uid/gid, mail location and extra fields (for the
   userdb role). Drivers: passwd-file:PATH (Dovecot's format, re-read when
   the file changes) and sqlite:PATH (Postern's own, written by
   posternctl). Lookups are thread-safe: the auth process runs them on the
   libuv thread pool. */

#include <stdbool.h>

struct pool;
struct auth_db;

struct auth_user {
	const char *name;
	/* "{SCHEME}data"; "" when the user has no password */
	const char *password;
	const char *uid, *gid, *home, *mail, *quota;
	/* Refused logins (shadow-style "!" password, "disabled" field). */
	bool disabled;
	/* Other "key=value" fields, NULL-terminated; userdb_ prefixes
	   stripped. May be NULL. */
	const char *const *extra;
};

/* Opens spec ("passwd-file:PATH" or "sqlite:PATH"); a relative PATH is
   taken relative to base_dir (NULL: the current directory). sqlite
   creates the database when create is true. Returns NULL with *error_r. */
struct auth_db *auth_db_open(const char *spec, const char *base_dir,
			     bool create, const char **error_r);
void auth_db_close(struct auth_db **db);
const char *auth_db_get_spec(const struct auth_db *db);

/* Looks name up (exact match: normalize before). Returns 1 found (user_r
   filled, strings from pool), 0 not found, -1 with *error_r. */
int auth_db_lookup(struct auth_db *db, struct pool *pool, const char *name,
		   struct auth_user *user_r, const char **error_r);

typedef void auth_db_iterate_callback_t(const struct auth_user *user,
					void *context);
/* Calls callback for every user in name order. Returns 0, or -1. */
int auth_db_iterate(struct auth_db *db, struct pool *pool,
		    auth_db_iterate_callback_t *callback, void *context,
		    const char **error_r);

/* Adds or replaces a user (posternctl). Returns 0, or -1 with *error_r
   (also when the driver is read-only). */
int auth_db_save(struct auth_db *db, const struct auth_user *user,
		 const char **error_r);
/* Returns 1 removed, 0 no such user, -1 with *error_r. */
int auth_db_remove(struct auth_db *db, const char *name, const char **error_r);

/* The value of key in user->extra, or NULL. */
const char *auth_user_extra_find(const struct auth_user *user, const char *key);

#endif
