#ifndef POSTERN_INDEX_DB_H
#define POSTERN_INDEX_DB_H

/* The per-user SQLite index: one database file opened once per user and
   process, WAL mode, prepared statements cached on the handle, a
   versioned schema with migrations. Callers serialize access (the user's
   lock); writers use BEGIN IMMEDIATE so that two processes never deadlock
   upgrading a read lock.

   The database is a cache of the mail files: synchronous=NORMAL is enough,
   because what a power loss may roll back (the last transactions) is
   rebuilt from the files, whose names carry UIDs and flags (see
   doc/design.md, "Storage"). */

#include "index-changes.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define INDEX_DB_FILE_NAME "postern-index.db"

enum index_stmt {
	INDEX_STMT_MAILBOX_BY_NAME,
	INDEX_STMT_MAILBOX_INSERT,
	INDEX_STMT_MAILBOX_DELETE,
	INDEX_STMT_MAILBOX_RENAME,
	INDEX_STMT_MAILBOX_NAMES,
	INDEX_STMT_MAILBOX_UPDATE_COUNTERS,
	INDEX_STMT_MAILBOX_SET_STATE,
	INDEX_STMT_MAILBOX_SET_RECENT,
	INDEX_STMT_MAILBOX_SET_SPECIAL_USE,
	INDEX_STMT_MAILBOX_SET_HORIZON,
	INDEX_STMT_KEYWORDS_GET,
	INDEX_STMT_KEYWORD_INSERT,
	INDEX_STMT_MSG_INSERT,
	INDEX_STMT_MSG_UPDATE,
	INDEX_STMT_MSG_DELETE,
	INDEX_STMT_MSG_GET,
	INDEX_STMT_MSG_RANGE,
	INDEX_STMT_MSG_RANGE_FLAGS,
	INDEX_STMT_MSG_RANGE_CACHE,
	INDEX_STMT_MSG_ALL,
	INDEX_STMT_MSG_UIDS,
	INDEX_STMT_MSG_UIDS_FROM,
	INDEX_STMT_MSG_CHANGED_SINCE,
	INDEX_STMT_MSG_MAX_UID,
	INDEX_STMT_MSG_SET_SIZES,
	INDEX_STMT_MSG_SET_RECEIVED,
	INDEX_STMT_MSG_SET_SAVED,
	INDEX_STMT_MSG_COUNTS,
	INDEX_STMT_MSG_COUNT_RECENT,
	INDEX_STMT_MSG_UNSEEN_UIDS,
	INDEX_STMT_MSG_DELETE_ALL,
	INDEX_STMT_EXPUNGED_INSERT,
	INDEX_STMT_EXPUNGED_SINCE,
	INDEX_STMT_EXPUNGED_GET,
	INDEX_STMT_EXPUNGED_DELETE_ALL,
	INDEX_STMT_CACHE_GET,
	INDEX_STMT_CACHE_SET,
	INDEX_STMT_CACHE_DELETE,
	INDEX_STMT_CACHE_DELETE_ALL,
	INDEX_STMT_KEYWORDS_DELETE_ALL,
	/* transaction control: prepared once like the rest, not parsed
	   again by sqlite3_exec() for every transaction */
	INDEX_STMT_BEGIN,
	INDEX_STMT_BEGIN_IMMEDIATE,
	INDEX_STMT_COMMIT,
	INDEX_STMT_ROLLBACK,

	INDEX_STMT_COUNT
};

struct index_db {
	sqlite3 *db;
	char *path;
	dev_t dev;
	ino_t ino;
	sqlite3_stmt *stmts[INDEX_STMT_COUNT];
	/* Write transactions committed by any process; NULL if the counter
	   file can't be used. */
	struct index_changes *changes;
	/* A query reported corruption: the next open replaces the file. */
	bool corrupted;
	bool in_transaction;
};

/* Opens (creating or migrating) the database at path. A file that is not
   a database, is corrupt, or has a newer schema than we know is moved
   aside as path.broken-<time> and a new one made; *rebuilt_r says that
   the index starts empty (created or replaced: the caller rebuilds from
   the mail files). Returns 0, or -1 with *error_r. */
int index_db_open(const char *path, struct index_db **db_r, bool *rebuilt_r,
		  const char **error_r);
void index_db_close(struct index_db **db);

/* Moves a broken database file (with its -wal and -shm) aside as
   path.broken-<time>, so that the next open makes a new one. */
void index_db_move_aside(const char *path);

/* True if the file at db->path (or its changes counter) is no longer the
   one open (deleted or replaced by another process): reopen. */
bool index_db_is_stale(const struct index_db *db);

/* The count of write transactions committed to the index by any process
   (index-changes.h). Returns false when there is no counter: then assume
   that anything may have changed. */
bool index_db_get_changes(const struct index_db *db, uint64_t *count_r);

/* The prepared statement, reset and with bindings cleared. */
sqlite3_stmt *index_db_stmt(struct index_db *db, enum index_stmt id);

/* BEGIN IMMEDIATE (waiting on busy_timeout), COMMIT, ROLLBACK. Return 0,
   or -1 (logged). Nested begins are not allowed. */
int index_db_begin(struct index_db *db);
int index_db_commit(struct index_db *db);
void index_db_rollback(struct index_db *db);

/* A read transaction (BEGIN DEFERRED): several queries see one snapshot
   and take SQLite's locks once. No writes inside. */
int index_db_begin_read(struct index_db *db);
void index_db_end_read(struct index_db *db);
/* Frees the connection's page cache (not its prepared statements), for a
   user whose sessions all wait. */
void index_db_release_memory(struct index_db *db);

/* Steps a statement that returns no rows. Returns 0, or -1 (logged). */
int index_db_exec_stmt(struct index_db *db, sqlite3_stmt *stmt);
/* Runs SQL text without results. Returns 0, or -1 (logged). */
int index_db_exec(struct index_db *db, const char *sql);
/* Logs a failed call with the SQLite message and notes corruption.
   Returns -1. */
int index_db_error(struct index_db *db, int rc, const char *what);

#endif
