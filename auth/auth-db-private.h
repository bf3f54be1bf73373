#ifndef POSTERN_AUTH_DB_PRIVATE_H
#define POSTERN_AUTH_DB_PRIVATE_H

/* What an auth_db driver fills in. */

#include "auth-db.h"

struct auth_db_vfuncs {
	const char *name; /* "passwd-file" */
	struct auth_db *(*open)(const char *path, bool create,
				const char **error_r);
	void (*close)(struct auth_db *db);
	int (*lookup)(struct auth_db *db, struct pool *pool, const char *name,
		      struct auth_user *user_r, const char **error_r);
	int (*iterate)(struct auth_db *db, struct pool *pool,
		       auth_db_iterate_callback_t *callback, void *context,
		       const char **error_r);
	/* NULL for read-only drivers */
	int (*save)(struct auth_db *db, const struct auth_user *user,
		    const char **error_r);
	int (*remove)(struct auth_db *db, const char *name,
		      const char **error_r);
};

struct auth_db {
	const struct auth_db_vfuncs *v;
	char *spec;
};

extern const struct auth_db_vfuncs auth_db_passwd_file;
extern const struct auth_db_vfuncs auth_db_sqlite;

/* Splits "k=v k2=v2" extra fields into a NULL-terminated pool array,
   stripping "userdb_" prefixes. */
const char *const *auth_db_parse_extra(struct pool *pool, const char *text);
/* Sets user->disabled from a "!" password or a "disabled" field. */
void auth_db_user_check_disabled(struct auth_user *user);

#endif
