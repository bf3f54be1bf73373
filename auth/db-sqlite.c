#include "auth-db-private.h"
#include "pool.h"
#include "str.h"
#include "xalloc.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The embedded user database: one table, written by posternctl and read
   by the auth process. WAL mode lets posternctl write while the auth
   process reads; every lookup sees the newest committed row, so a
   password change takes effect at once. */

#define SQLITE_SCHEMA_VERSION 1
#define SQLITE_BUSY_TIMEOUT_MSECS 5000

static const char sqlite_schema[] = "CREATE TABLE IF NOT EXISTS users ("
				    " name TEXT PRIMARY KEY NOT NULL,"
				    " password TEXT NOT NULL DEFAULT '',"
				    " uid TEXT NOT NULL DEFAULT '',"
				    " gid TEXT NOT NULL DEFAULT '',"
				    " home TEXT NOT NULL DEFAULT '',"
				    " mail TEXT NOT NULL DEFAULT '',"
				    " quota TEXT NOT NULL DEFAULT '',"
				    " disabled INTEGER NOT NULL DEFAULT 0,"
				    " extra TEXT NOT NULL DEFAULT '',"
				    " updated INTEGER NOT NULL DEFAULT 0);"
				    "PRAGMA user_version = 1;";

#define SQLITE_COLUMNS \
	"name, password, uid, gid, home, mail, quota, disabled, extra"

enum sqlite_stmt {
	SQLITE_STMT_LOOKUP,
	SQLITE_STMT_ITERATE,
	SQLITE_STMT_SAVE,
	SQLITE_STMT_REMOVE,
	SQLITE_STMT_COUNT
};

static const char *const sqlite_stmt_sql[SQLITE_STMT_COUNT] = {
	[SQLITE_STMT_LOOKUP] =
		"SELECT " SQLITE_COLUMNS " FROM users WHERE name = ?1",
	[SQLITE_STMT_ITERATE] =
		"SELECT " SQLITE_COLUMNS " FROM users ORDER BY name",
	[SQLITE_STMT_SAVE] =
		"INSERT OR REPLACE INTO users (" SQLITE_COLUMNS ", updated)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[SQLITE_STMT_REMOVE] = "DELETE FROM users WHERE name = ?1",
};

struct sqlite_db {
	struct auth_db db;
	sqlite3 *handle;
	sqlite3_stmt *stmts[SQLITE_STMT_COUNT];
	/* prepared statements are per handle and not reentrant */
	pthread_mutex_t lock;
};

static const char *sqlite_text(struct pool *pool, sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	return pool_strdup(pool, text != NULL ? (const char *)text : "");
}

static void sqlite_row_to_user(struct pool *pool, sqlite3_stmt *stmt,
			       struct auth_user *user_r)
{
	memset(user_r, 0, sizeof(*user_r));
	user_r->name = sqlite_text(pool, stmt, 0);
	user_r->password = sqlite_text(pool, stmt, 1);
	user_r->uid = sqlite_text(pool, stmt, 2);
	user_r->gid = sqlite_text(pool, stmt, 3);
	user_r->home = sqlite_text(pool, stmt, 4);
	user_r->mail = sqlite_text(pool, stmt, 5);
	user_r->quota = sqlite_text(pool, stmt, 6);
	user_r->disabled = sqlite3_column_int(stmt, 7) != 0;
	user_r->extra = auth_db_parse_extra(pool, sqlite_text(pool, stmt, 8));
	auth_db_user_check_disabled(user_r);
}

static sqlite3_stmt *sqlite_stmt_get(struct sqlite_db *db,
				     enum sqlite_stmt which)
{
	sqlite3_stmt *stmt = db->stmts[which];

	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return stmt;
}

static int sqlite_lookup(struct auth_db *_db, struct pool *pool,
			 const char *name, struct auth_user *user_r,
			 const char **error_r)
{
	struct sqlite_db *db = (struct sqlite_db *)_db;
	sqlite3_stmt *stmt;
	int ret;

	pthread_mutex_lock(&db->lock);
	stmt = sqlite_stmt_get(db, SQLITE_STMT_LOOKUP);
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	ret = sqlite3_step(stmt);
	if (ret == SQLITE_ROW) {
		sqlite_row_to_user(pool, stmt, user_r);
		ret = 1;
	} else if (ret == SQLITE_DONE) {
		ret = 0;
	} else {
		*error_r = pool_strdup(pool, sqlite3_errmsg(db->handle));
		ret = -1;
	}
	sqlite3_reset(stmt);
	pthread_mutex_unlock(&db->lock);
	return ret;
}

static int sqlite_iterate(struct auth_db *_db, struct pool *pool,
			  auth_db_iterate_callback_t *callback, void *context,
			  const char **error_r)
{
	struct sqlite_db *db = (struct sqlite_db *)_db;
	struct auth_user user;
	sqlite3_stmt *stmt;
	int ret;

	pthread_mutex_lock(&db->lock);
	stmt = sqlite_stmt_get(db, SQLITE_STMT_ITERATE);
	while ((ret = sqlite3_step(stmt)) == SQLITE_ROW) {
		sqlite_row_to_user(pool, stmt, &user);
		callback(&user, context);
	}
	if (ret != SQLITE_DONE)
		*error_r = pool_strdup(pool, sqlite3_errmsg(db->handle));
	sqlite3_reset(stmt);
	pthread_mutex_unlock(&db->lock);
	return ret == SQLITE_DONE ? 0 : -1;
}

static void sqlite_bind_str(sqlite3_stmt *stmt, int col, const char *value)
{
	sqlite3_bind_text(stmt, col, value != NULL ? value : "", -1,
			  SQLITE_STATIC);
}

static void sqlite_bind_extra(sqlite3_stmt *stmt, int col,
			      const struct auth_user *user, string_t *str)
{
	for (const char *const *p = user->extra; p != NULL && *p != NULL; p++) {
		if (str_len(str) > 0)
			str_append_c(str, ' ');
		str_append(str, *p);
	}
	sqlite3_bind_text(stmt, col, str_c(str), -1, SQLITE_STATIC);
}

static int sqlite_save(struct auth_db *_db, const struct auth_user *user,
		       const char **error_r)
{
	struct sqlite_db *db = (struct sqlite_db *)_db;
	string_t *extra = str_new(64, 65536);
	sqlite3_stmt *stmt;
	int ret;

	pthread_mutex_lock(&db->lock);
	stmt = sqlite_stmt_get(db, SQLITE_STMT_SAVE);
	sqlite_bind_str(stmt, 1, user->name);
	sqlite_bind_str(stmt, 2, user->password);
	sqlite_bind_str(stmt, 3, user->uid);
	sqlite_bind_str(stmt, 4, user->gid);
	sqlite_bind_str(stmt, 5, user->home);
	sqlite_bind_str(stmt, 6, user->mail);
	sqlite_bind_str(stmt, 7, user->quota);
	sqlite3_bind_int(stmt, 8, user->disabled ? 1 : 0);
	sqlite_bind_extra(stmt, 9, user, extra);
	sqlite3_bind_int64(stmt, 10, (sqlite3_int64)time(NULL));
	ret = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
	if (ret < 0)
		*error_r = sqlite3_errmsg(db->handle);
	sqlite3_reset(stmt);
	pthread_mutex_unlock(&db->lock);
	str_free(&extra);
	return ret;
}

static int sqlite_remove(struct auth_db *_db, const char *name,
			 const char **error_r)
{
	struct sqlite_db *db = (struct sqlite_db *)_db;
	sqlite3_stmt *stmt;
	int ret;

	pthread_mutex_lock(&db->lock);
	stmt = sqlite_stmt_get(db, SQLITE_STMT_REMOVE);
	sqlite_bind_str(stmt, 1, name);
	if (sqlite3_step(stmt) == SQLITE_DONE) {
		ret = sqlite3_changes(db->handle) > 0 ? 1 : 0;
	} else {
		*error_r = sqlite3_errmsg(db->handle);
		ret = -1;
	}
	sqlite3_reset(stmt);
	pthread_mutex_unlock(&db->lock);
	return ret;
}

static void sqlite_close(struct auth_db *_db)
{
	struct sqlite_db *db = (struct sqlite_db *)_db;

	for (unsigned int i = 0; i < SQLITE_STMT_COUNT; i++)
		sqlite3_finalize(db->stmts[i]);
	sqlite3_close(db->handle);
	pthread_mutex_destroy(&db->lock);
	free(db);
}

static int sqlite_prepare(struct sqlite_db *db, bool create)
{
	char *errmsg = NULL;

	sqlite3_busy_timeout(db->handle, SQLITE_BUSY_TIMEOUT_MSECS);
	if (create && sqlite3_exec(db->handle, "PRAGMA journal_mode = WAL;",
				   NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (create && sqlite3_exec(db->handle, sqlite_schema, NULL, NULL,
				   &errmsg) != SQLITE_OK) {
		sqlite3_free(errmsg);
		return -1;
	}
	for (unsigned int i = 0; i < SQLITE_STMT_COUNT; i++) {
		if (sqlite3_prepare_v3(db->handle, sqlite_stmt_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &db->stmts[i],
				       NULL) != SQLITE_OK)
			return -1;
	}
	return 0;
}

static struct auth_db *sqlite_open(const char *path, bool create,
				   const char **error_r)
{
	struct sqlite_db *db = xnew(struct sqlite_db, 1);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
	static char error[512];

	pthread_mutex_init(&db->lock, NULL);
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db->handle, flags, NULL) != SQLITE_OK ||
	    sqlite_prepare(db, create) < 0) {
		snprintf(error, sizeof(error), "sqlite %s: %s", path,
			 db->handle != NULL ? sqlite3_errmsg(db->handle)
					    : "out of memory");
		*error_r = error;
		sqlite_close(&db->db);
		return NULL;
	}
	return &db->db;
}

const struct auth_db_vfuncs auth_db_sqlite = {
	.name = "sqlite",
	.open = sqlite_open,
	.close = sqlite_close,
	.lookup = sqlite_lookup,
	.iterate = sqlite_iterate,
	.save = sqlite_save,
	.remove = sqlite_remove,
};
