#include "auth-db-private.h"
#include "array.h"
#include "pool.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct auth_db_vfuncs *const auth_db_drivers[] = {
	&auth_db_passwd_file,
	&auth_db_sqlite,
};

struct auth_db *auth_db_open(const char *spec, const char *base_dir,
			     bool create, const char **error_r)
{
	const char *colon = strchr(spec, ':');
	struct auth_db *db;
	char *path;

	for (unsigned int i = 0;
	     colon != NULL && i < N_ELEMENTS(auth_db_drivers); i++) {
		const struct auth_db_vfuncs *v = auth_db_drivers[i];

		if (strlen(v->name) != (size_t)(colon - spec) ||
		    strncmp(spec, v->name, colon - spec) != 0)
			continue;
		if (colon[1] != '/' && base_dir != NULL &&
		    base_dir[0] != '\0') {
			size_t len = strlen(base_dir) + strlen(colon) + 2;

			path = xmalloc(len);
			snprintf(path, len, "%s/%s", base_dir, colon + 1);
		} else {
			path = xstrdup(colon + 1);
		}
		db = v->open(path, create, error_r);
		free(path);
		if (db != NULL) {
			db->v = v;
			db->spec = xstrdup(spec);
		}
		return db;
	}
	*error_r = "Unknown user database driver (use passwd-file:PATH or "
		   "sqlite:PATH)";
	return NULL;
}

void auth_db_close(struct auth_db **_db)
{
	struct auth_db *db = *_db;

	if (db == NULL)
		return;
	*_db = NULL;
	free(db->spec);
	db->v->close(db);
}

const char *auth_db_get_spec(const struct auth_db *db)
{
	return db->spec;
}

int auth_db_lookup(struct auth_db *db, struct pool *pool, const char *name,
		   struct auth_user *user_r, const char **error_r)
{
	memset(user_r, 0, sizeof(*user_r));
	return db->v->lookup(db, pool, name, user_r, error_r);
}

int auth_db_iterate(struct auth_db *db, struct pool *pool,
		    auth_db_iterate_callback_t *callback, void *context,
		    const char **error_r)
{
	return db->v->iterate(db, pool, callback, context, error_r);
}

int auth_db_save(struct auth_db *db, const struct auth_user *user,
		 const char **error_r)
{
	if (db->v->save == NULL) {
		*error_r = "This user database is read-only";
		return -1;
	}
	return db->v->save(db, user, error_r);
}

int auth_db_remove(struct auth_db *db, const char *name, const char **error_r)
{
	if (db->v->remove == NULL) {
		*error_r = "This user database is read-only";
		return -1;
	}
	return db->v->remove(db, name, error_r);
}

const char *auth_user_extra_find(const struct auth_user *user, const char *key)
{
	size_t len = strlen(key);

	if (user->extra == NULL)
		return NULL;
	for (const char *const *p = user->extra; *p != NULL; p++) {
		if (strncmp(*p, key, len) == 0 &&
		    ((*p)[len] == '=' || (*p)[len] == '\0'))
			return (*p)[len] == '=' ? *p + len + 1 : "";
	}
	return NULL;
}

const char *const *auth_db_parse_extra(struct pool *pool, const char *text)
{
	char **words = str_split(pool, text, " ");
	unsigned int n = 0;

	for (unsigned int i = 0; words[i] != NULL; i++) {
		if (words[i][0] == '\0')
			continue;
		words[n++] = str_begins(words[i], "userdb_") ? words[i] + 7
							     : words[i];
	}
	words[n] = NULL;
	return (const char *const *)words;
}

void auth_db_user_check_disabled(struct auth_user *user)
{
	if (user->password != NULL && user->password[0] == '!')
		user->disabled = true;
	if (auth_user_extra_find(user, "disabled") != NULL)
		user->disabled = true;
}
