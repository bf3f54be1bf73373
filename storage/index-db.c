#include "index-db.h"
#include "log.h"
#include "pool.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define INDEX_DB_BUSY_TIMEOUT_MSECS 30000

/* Schema migrations: step n takes user_version n to n+1. Never edit a
   released step; append one. */
static const char *const index_db_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE mailboxes ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" guid BLOB NOT NULL,"
	" uidvalidity INTEGER NOT NULL,"
	" uidnext INTEGER NOT NULL DEFAULT 1,"
	" highest_modseq INTEGER NOT NULL DEFAULT 1,"
	" first_recent_uid INTEGER NOT NULL DEFAULT 1,"
	" expunge_horizon INTEGER NOT NULL DEFAULT 0,"
	" special_use INTEGER NOT NULL DEFAULT 0,"
	" sync_state TEXT NOT NULL DEFAULT '',"
	" n_messages INTEGER NOT NULL DEFAULT 0,"
	" n_unseen INTEGER NOT NULL DEFAULT 0,"
	" n_deleted INTEGER NOT NULL DEFAULT 0,"
	" vsize_sum INTEGER NOT NULL DEFAULT 0,"
	" n_vsize_unknown INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE keywords ("
	" mailbox_id INTEGER NOT NULL, idx INTEGER NOT NULL,"
	" name TEXT NOT NULL, PRIMARY KEY (mailbox_id, idx)) WITHOUT ROWID;"
	"CREATE TABLE messages ("
	" mailbox_id INTEGER NOT NULL, uid INTEGER NOT NULL,"
	" flags INTEGER NOT NULL, keywords INTEGER NOT NULL DEFAULT 0,"
	" modseq INTEGER NOT NULL, location TEXT NOT NULL, extra TEXT,"
	" psize INTEGER, vsize INTEGER, received INTEGER, received_tz INTEGER,"
	" saved INTEGER, guid BLOB, pop3_uidl TEXT,"
	" PRIMARY KEY (mailbox_id, uid)) WITHOUT ROWID;"
	"CREATE INDEX messages_modseq ON messages (mailbox_id, modseq);"
	"CREATE TABLE message_cache ("
	" mailbox_id INTEGER NOT NULL, uid INTEGER NOT NULL,"
	" sent INTEGER, sent_tz INTEGER, envelope TEXT, bodystructure TEXT,"
	" body TEXT, parts BLOB,"
	" PRIMARY KEY (mailbox_id, uid)) WITHOUT ROWID;"
	"CREATE TABLE expunged ("
	" mailbox_id INTEGER NOT NULL, uid INTEGER NOT NULL,"
	" modseq INTEGER NOT NULL,"
	" PRIMARY KEY (mailbox_id, uid)) WITHOUT ROWID;"
	"CREATE INDEX expunged_modseq ON expunged (mailbox_id, modseq);"
	/* STATUS counters kept by the database itself, so that they can't
	   drift from the rows whatever code path changes them */
	"CREATE TRIGGER messages_counts_insert AFTER INSERT ON messages BEGIN"
	" UPDATE mailboxes SET n_messages = n_messages + 1,"
	"  n_unseen = n_unseen + ((NEW.flags & 8) = 0),"
	"  n_deleted = n_deleted + ((NEW.flags & 4) != 0),"
	"  vsize_sum = vsize_sum + coalesce(NEW.vsize, 0),"
	"  n_vsize_unknown = n_vsize_unknown + (NEW.vsize IS NULL)"
	" WHERE id = NEW.mailbox_id; END;"
	"CREATE TRIGGER messages_counts_delete AFTER DELETE ON messages BEGIN"
	" UPDATE mailboxes SET n_messages = n_messages - 1,"
	"  n_unseen = n_unseen - ((OLD.flags & 8) = 0),"
	"  n_deleted = n_deleted - ((OLD.flags & 4) != 0),"
	"  vsize_sum = vsize_sum - coalesce(OLD.vsize, 0),"
	"  n_vsize_unknown = n_vsize_unknown - (OLD.vsize IS NULL)"
	" WHERE id = OLD.mailbox_id; END;"
	"CREATE TRIGGER messages_counts_update AFTER UPDATE OF flags, vsize"
	" ON messages BEGIN"
	" UPDATE mailboxes SET"
	"  n_unseen = n_unseen + ((NEW.flags & 8) = 0) - ((OLD.flags & 8) = 0),"
	"  n_deleted = n_deleted + ((NEW.flags & 4) != 0)"
	"   - ((OLD.flags & 4) != 0),"
	"  vsize_sum = vsize_sum + coalesce(NEW.vsize, 0)"
	"   - coalesce(OLD.vsize, 0),"
	"  n_vsize_unknown = n_vsize_unknown + (NEW.vsize IS NULL)"
	"   - (OLD.vsize IS NULL)"
	" WHERE id = NEW.mailbox_id; END;",
};

#define MSG_COLUMNS                                                     \
	"uid, flags, keywords, modseq, location, extra, psize, vsize, " \
	"received, received_tz, saved, guid, pop3_uidl"

/* Queries by MODSEQ name their index: without statistics SQLite would
   rather walk the primary key (all of a mailbox's rows) for an ORDER BY
   uid; callers sort the few rows themselves. */
static const char *const index_db_sql[INDEX_STMT_COUNT] = {
	[INDEX_STMT_MAILBOX_BY_NAME] =
		"SELECT id, guid, uidvalidity, uidnext, highest_modseq,"
		" first_recent_uid, expunge_horizon, special_use, sync_state"
		" FROM mailboxes WHERE name = ?1",
	[INDEX_STMT_MAILBOX_INSERT] =
		"INSERT INTO mailboxes (name, guid, uidvalidity, uidnext,"
		" highest_modseq, special_use, expunge_horizon)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[INDEX_STMT_MAILBOX_DELETE] = "DELETE FROM mailboxes WHERE id = ?1",
	[INDEX_STMT_MAILBOX_RENAME] =
		"UPDATE mailboxes SET name = ?2 WHERE id = ?1",
	[INDEX_STMT_MAILBOX_NAMES] = "SELECT id, name FROM mailboxes",
	[INDEX_STMT_MAILBOX_UPDATE_COUNTERS] =
		"UPDATE mailboxes SET uidnext = ?2, highest_modseq = ?3"
		" WHERE id = ?1",
	[INDEX_STMT_MAILBOX_SET_STATE] =
		"UPDATE mailboxes SET sync_state = ?2 WHERE id = ?1",
	[INDEX_STMT_MAILBOX_SET_RECENT] =
		"UPDATE mailboxes SET first_recent_uid = ?2 WHERE id = ?1",
	[INDEX_STMT_MAILBOX_SET_SPECIAL_USE] =
		"UPDATE mailboxes SET special_use = ?2 WHERE id = ?1",
	[INDEX_STMT_MAILBOX_SET_HORIZON] =
		"UPDATE mailboxes SET expunge_horizon = ?2 WHERE id = ?1",
	[INDEX_STMT_KEYWORDS_GET] =
		"SELECT idx, name FROM keywords WHERE mailbox_id = ?1"
		" ORDER BY idx",
	[INDEX_STMT_KEYWORD_INSERT] =
		"INSERT OR REPLACE INTO keywords (mailbox_id, idx, name)"
		" VALUES (?1, ?2, ?3)",
	[INDEX_STMT_MSG_INSERT] =
		"INSERT OR REPLACE INTO messages (mailbox_id, " MSG_COLUMNS ")"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, ?14)",
	[INDEX_STMT_MSG_UPDATE] =
		"UPDATE messages SET flags = ?3, keywords = ?4, modseq = ?5,"
		" location = ?6, extra = ?7 WHERE mailbox_id = ?1 AND uid = ?2",
	[INDEX_STMT_MSG_DELETE] =
		"DELETE FROM messages WHERE mailbox_id = ?1 AND uid = ?2",
	[INDEX_STMT_MSG_GET] = "SELECT " MSG_COLUMNS " FROM messages"
			       " WHERE mailbox_id = ?1 AND uid = ?2",
	[INDEX_STMT_MSG_RANGE] =
		"SELECT " MSG_COLUMNS " FROM messages WHERE mailbox_id = ?1"
		" AND uid >= ?2 AND uid <= ?3 ORDER BY uid LIMIT ?4",
	/* what FETCH FLAGS and flag searches read: no strings or blobs */
	[INDEX_STMT_MSG_RANGE_FLAGS] =
		"SELECT uid, flags, keywords, modseq FROM messages"
		" WHERE mailbox_id = ?1 AND uid >= ?2 AND uid <= ?3"
		" ORDER BY uid LIMIT ?4",
	/* the rows with their cached ENVELOPE/BODYSTRUCTURE/BODY/parts:
	   one statement for a batch instead of one per message */
	[INDEX_STMT_MSG_RANGE_CACHE] =
		"SELECT m.uid, m.flags, m.keywords, m.modseq, m.location,"
		" m.extra, m.psize, m.vsize, m.received, m.received_tz,"
		" m.saved, m.guid, m.pop3_uidl, c.sent, c.sent_tz,"
		" c.envelope, c.bodystructure, c.body, c.parts"
		" FROM messages m LEFT JOIN message_cache c"
		" ON c.mailbox_id = m.mailbox_id AND c.uid = m.uid"
		" WHERE m.mailbox_id = ?1 AND m.uid >= ?2 AND m.uid <= ?3"
		" ORDER BY m.uid LIMIT ?4",
	[INDEX_STMT_MSG_ALL] =
		"SELECT " MSG_COLUMNS " FROM messages WHERE mailbox_id = ?1"
		" ORDER BY uid",
	[INDEX_STMT_MSG_UIDS] =
		"SELECT uid FROM messages WHERE mailbox_id = ?1 ORDER BY uid",
	[INDEX_STMT_MSG_UIDS_FROM] =
		"SELECT uid FROM messages WHERE mailbox_id = ?1 AND uid >= ?2"
		" ORDER BY uid",
	[INDEX_STMT_MSG_CHANGED_SINCE] =
		"SELECT uid, flags, keywords, modseq FROM messages"
		" INDEXED BY messages_modseq"
		" WHERE mailbox_id = ?1 AND modseq > ?2",
	[INDEX_STMT_MSG_MAX_UID] =
		"SELECT max(uid) FROM messages WHERE mailbox_id = ?1",
	[INDEX_STMT_MSG_SET_SIZES] =
		"UPDATE messages SET psize = ?3, vsize = ?4,"
		" flags = (flags & ~768) | ?5 WHERE mailbox_id = ?1 AND uid = "
		"?2",
	[INDEX_STMT_MSG_SET_RECEIVED] =
		"UPDATE messages SET received = ?3, received_tz = ?4"
		" WHERE mailbox_id = ?1 AND uid = ?2",
	[INDEX_STMT_MSG_SET_SAVED] = "UPDATE messages SET saved = ?3"
				     " WHERE mailbox_id = ?1 AND uid = ?2",
	[INDEX_STMT_MSG_COUNTS] =
		"SELECT n_messages, n_unseen, n_deleted, vsize_sum,"
		" n_vsize_unknown FROM mailboxes WHERE id = ?1",
	[INDEX_STMT_MSG_COUNT_RECENT] =
		"SELECT count(*) FROM messages WHERE mailbox_id = ?1"
		" AND uid >= ?2",
	[INDEX_STMT_MSG_UNSEEN_UIDS] =
		"SELECT uid FROM messages WHERE mailbox_id = ?1"
		" AND (flags & 8) = 0 ORDER BY uid",
	[INDEX_STMT_MSG_DELETE_ALL] =
		"DELETE FROM messages WHERE mailbox_id = ?1",
	[INDEX_STMT_EXPUNGED_INSERT] =
		"INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq)"
		" VALUES (?1, ?2, ?3)",
	[INDEX_STMT_EXPUNGED_SINCE] =
		"SELECT uid FROM expunged INDEXED BY expunged_modseq"
		" WHERE mailbox_id = ?1 AND modseq > ?2",
	[INDEX_STMT_EXPUNGED_GET] = "SELECT modseq FROM expunged WHERE "
				    "mailbox_id = ?1 AND uid = ?2",
	[INDEX_STMT_EXPUNGED_DELETE_ALL] =
		"DELETE FROM expunged WHERE mailbox_id = ?1",
	[INDEX_STMT_CACHE_GET] =
		"SELECT sent, sent_tz, envelope, bodystructure, body, parts"
		" FROM message_cache WHERE mailbox_id = ?1 AND uid = ?2",
	[INDEX_STMT_CACHE_SET] =
		"INSERT OR REPLACE INTO message_cache (mailbox_id, uid, sent,"
		" sent_tz, envelope, bodystructure, body, parts)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[INDEX_STMT_CACHE_DELETE] =
		"DELETE FROM message_cache WHERE mailbox_id = ?1 AND uid = ?2",
	[INDEX_STMT_CACHE_DELETE_ALL] =
		"DELETE FROM message_cache WHERE mailbox_id = ?1",
	[INDEX_STMT_KEYWORDS_DELETE_ALL] =
		"DELETE FROM keywords WHERE mailbox_id = ?1",
	[INDEX_STMT_BEGIN] = "BEGIN",
	[INDEX_STMT_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
	[INDEX_STMT_COMMIT] = "COMMIT",
	[INDEX_STMT_ROLLBACK] = "ROLLBACK",
};

static bool index_db_rc_is_corrupt(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

int index_db_error(struct index_db *db, int rc, const char *what)
{
	log_error("index %s: %s failed: %s (%d)", db->path, what,
		  sqlite3_errmsg(db->db), rc);
	if (index_db_rc_is_corrupt(rc))
		db->corrupted = true;
	return -1;
}

int index_db_exec(struct index_db *db, const char *sql)
{
	char *errmsg = NULL;
	int rc;

	rc = sqlite3_exec(db->db, sql, NULL, NULL, &errmsg);
	if (rc != SQLITE_OK) {
		log_error("index %s: %s", db->path,
			  errmsg != NULL ? errmsg : sqlite3_errstr(rc));
		sqlite3_free(errmsg);
		if (index_db_rc_is_corrupt(rc))
			db->corrupted = true;
		return -1;
	}
	return 0;
}

sqlite3_stmt *index_db_stmt(struct index_db *db, enum index_stmt id)
{
	sqlite3_stmt *stmt = db->stmts[id];
	int rc;

	if (stmt == NULL) {
		rc = sqlite3_prepare_v3(db->db, index_db_sql[id], -1,
					SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
		if (rc != SQLITE_OK)
			panic("index: preparing statement %d: %s", id,
			      sqlite3_errmsg(db->db));
		db->stmts[id] = stmt;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return stmt;
}

int index_db_exec_stmt(struct index_db *db, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return index_db_error(db, rc, sqlite3_sql(stmt));
	return 0;
}

static int index_db_exec_control(struct index_db *db, enum index_stmt id)
{
	int rc;

	/* the migration at open runs before the statements are checked */
	if (db->stmts[id] == NULL &&
	    (rc = sqlite3_prepare_v3(db->db, index_db_sql[id], -1,
				     SQLITE_PREPARE_PERSISTENT, &db->stmts[id],
				     NULL)) != SQLITE_OK)
		return index_db_error(db, rc, index_db_sql[id]);
	return index_db_exec_stmt(db, index_db_stmt(db, id));
}

int index_db_begin(struct index_db *db)
{
	i_assert(!db->in_transaction);
	if (index_db_exec_control(db, INDEX_STMT_BEGIN_IMMEDIATE) < 0)
		return -1;
	db->in_transaction = true;
	return 0;
}

int index_db_begin_read(struct index_db *db)
{
	i_assert(!db->in_transaction);
	if (index_db_exec_control(db, INDEX_STMT_BEGIN) < 0)
		return -1;
	db->in_transaction = true;
	return 0;
}

void index_db_end_read(struct index_db *db)
{
	i_assert(db->in_transaction);
	db->in_transaction = false;
	if (sqlite3_get_autocommit(db->db) == 0)
		(void)index_db_exec_control(db, INDEX_STMT_COMMIT);
}

void index_db_release_memory(struct index_db *db)
{
	if (db != NULL)
		sqlite3_db_release_memory(db->db);
}

int index_db_commit(struct index_db *db)
{
	i_assert(db->in_transaction);
	if (index_db_exec_control(db, INDEX_STMT_COMMIT) < 0) {
		index_db_rollback(db);
		return -1;
	}
	db->in_transaction = false;
	/* after the COMMIT: see index-changes.h */
	if (db->changes != NULL)
		index_changes_bump(db->changes);
	return 0;
}

void index_db_rollback(struct index_db *db)
{
	i_assert(db->in_transaction);
	db->in_transaction = false;
	if (sqlite3_get_autocommit(db->db) == 0)
		(void)index_db_exec_control(db, INDEX_STMT_ROLLBACK);
}

static int index_db_get_version(struct index_db *db, int *version_r)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return index_db_error(db, rc, "reading the schema version");
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return index_db_error(db, rc, "reading the schema version");
	}
	*version_r = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return 0;
}

/* Brings the schema to the current version in one transaction. Returns 1
   if the database was new, 0 if it existed, -1 on error. */
static int index_db_migrate(struct index_db *db)
{
	const int latest = (int)N_ELEMENTS(index_db_migrations);
	char sql[64];
	int version = 0;

	/* the common case, current schema, takes no write lock */
	if (index_db_get_version(db, &version) < 0)
		return -1;
	if (version == latest)
		return 0;
	if (index_db_begin(db) < 0)
		return -1;
	if (index_db_get_version(db, &version) < 0)
		goto fail;
	if (version > latest) {
		log_error("index %s: schema version %d is newer than %d",
			  db->path, version, latest);
		db->corrupted = true;
		goto fail;
	}
	for (int v = version; v < latest; v++) {
		if (index_db_exec(db, index_db_migrations[v]) < 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", latest);
	if (version != latest && index_db_exec(db, sql) < 0)
		goto fail;
	if (index_db_commit(db) < 0)
		return -1;
	return version == 0 ? 1 : 0;
fail:
	index_db_rollback(db);
	return -1;
}

static int index_db_configure(struct index_db *db)
{
	sqlite3_busy_timeout(db->db, INDEX_DB_BUSY_TIMEOUT_MSECS);
	/* the REPLACE of a row must fire the delete trigger of the counts */
	if (index_db_exec(db, "PRAGMA journal_mode = WAL") < 0 ||
	    index_db_exec(db, "PRAGMA synchronous = NORMAL") < 0 ||
	    index_db_exec(db, "PRAGMA recursive_triggers = ON") < 0 ||
	    index_db_exec(db, "PRAGMA journal_size_limit = 1048576") < 0)
		return -1;
	/* short-lived processes (posternctl, postern-deliver) leave the WAL
	   for the next one instead of checkpointing with an fsync at exit */
	sqlite3_db_config(db->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	return 0;
}

static void index_db_free(struct index_db *db)
{
	index_changes_close(&db->changes);
	for (unsigned int i = 0; i < INDEX_STMT_COUNT; i++)
		sqlite3_finalize(db->stmts[i]);
	sqlite3_close_v2(db->db);
	free(db->path);
	free(db);
}

/* Prepares every statement once at open and drops it again: a database
   whose schema doesn't match (written by another build of the same
   version, or damaged in a way SQLite can't see) is then found here, and
   rebuilt like a corrupt one, instead of failing later in the middle of a
   command. Statements are kept only once used (index_db_stmt()): a
   prepared statement holds a few KiB, and a worker keeps a connection
   open for every user with a session, most of them idle. */
static int index_db_check_statements(struct index_db *db)
{
	for (int id = 0; id < INDEX_STMT_COUNT; id++) {
		sqlite3_stmt *stmt;
		int rc;

		/* the migration prepared transaction control already */
		if (db->stmts[id] != NULL)
			continue;
		rc = sqlite3_prepare_v2(db->db, index_db_sql[id], -1, &stmt,
					NULL);
		sqlite3_finalize(stmt);
		if (rc != SQLITE_OK) {
			log_error("index %s: statement %d doesn't fit the "
				  "schema: %s",
				  db->path, id, sqlite3_errmsg(db->db));
			db->corrupted = true;
			return -1;
		}
	}
	return 0;
}

/* Opens and migrates; 1 = new database, 0 = existing, -1 = failed
   (*corrupt_r set when replacing the file could help). */
static int index_db_try_open(const char *path, struct index_db **db_r,
			     bool *corrupt_r, const char **error_r)
{
	struct index_db *db = xnew(struct index_db, 1);
	struct stat st;
	int rc, ret;

	db->path = xstrdup(path);
	rc = sqlite3_open_v2(path, &db->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		*error_r = sqlite3_errstr(rc);
		*corrupt_r = index_db_rc_is_corrupt(rc);
		index_db_free(db);
		return -1;
	}
	if (index_db_configure(db) < 0 || (ret = index_db_migrate(db)) < 0 ||
	    index_db_check_statements(db) < 0) {
		*error_r = sqlite3_errmsg(db->db);
		*corrupt_r = db->corrupted;
		*error_r = *corrupt_r ? "corrupt database" : "cannot open";
		index_db_free(db);
		return -1;
	}
	if (stat(path, &st) == 0) {
		db->dev = st.st_dev;
		db->ino = st.st_ino;
	}
	db->changes = index_changes_open(path);
	*db_r = db;
	return ret;
}

/* Moves a broken database (and its WAL and shm files) aside. */
void index_db_move_aside(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char from[4096], to[4096];
	long now = (long)time(NULL);

	for (unsigned int i = 0; i < N_ELEMENTS(suffixes); i++) {
		snprintf(from, sizeof(from), "%s%s", path, suffixes[i]);
		snprintf(to, sizeof(to), "%s.broken-%ld%s", path, now,
			 suffixes[i]);
		if (rename(from, to) < 0 && errno != ENOENT)
			log_error("index: rename(%s, %s) failed: %m", from, to);
	}
}

int index_db_open(const char *path, struct index_db **db_r, bool *rebuilt_r,
		  const char **error_r)
{
	bool corrupt = false;
	int ret;

	ret = index_db_try_open(path, db_r, &corrupt, error_r);
	if (ret < 0 && corrupt) {
		log_warning("index %s is corrupt (%s): moving it aside and "
			    "rebuilding from the mail files",
			    path, *error_r);
		index_db_move_aside(path);
		ret = index_db_try_open(path, db_r, &corrupt, error_r);
	}
	if (ret < 0)
		return -1;
	*rebuilt_r = ret == 1;
	return 0;
}

void index_db_close(struct index_db **_db)
{
	struct index_db *db = *_db;

	if (db == NULL)
		return;
	*_db = NULL;
	index_db_free(db);
}

bool index_db_is_stale(const struct index_db *db)
{
	struct stat st;

	if (stat(db->path, &st) < 0)
		return true;
	if (db->changes != NULL && index_changes_is_stale(db->changes))
		return true;
	return st.st_ino != db->ino || st.st_dev != db->dev;
}

bool index_db_get_changes(const struct index_db *db, uint64_t *count_r)
{
	if (db->changes == NULL)
		return false;
	*count_r = index_changes_get(db->changes);
	return true;
}
