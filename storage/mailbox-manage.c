#include "pool.h"
#include "storage-private.h"
#include "strfuncs.h"

#include <string.h>

/* Removes every index row of the mailbox called name. */
static int mailbox_index_delete(struct mail_user *user, const char *name)
{
	static const enum index_stmt deletes[] = {
		INDEX_STMT_MSG_DELETE_ALL,      INDEX_STMT_CACHE_DELETE_ALL,
		INDEX_STMT_EXPUNGED_DELETE_ALL, INDEX_STMT_KEYWORDS_DELETE_ALL,
		INDEX_STMT_MAILBOX_DELETE,
	};
	struct index_db *db = user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MAILBOX_BY_NAME);
	sqlite3_int64 id;
	int rc;

	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	id = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : index_db_error(db, rc, "lookup");
	for (unsigned int i = 0; i < N_ELEMENTS(deletes); i++) {
		stmt = index_db_stmt(db, deletes[i]);
		sqlite3_bind_int64(stmt, 1, id);
		if (index_db_exec_stmt(db, stmt) < 0)
			return -1;
	}
	index_mailbox_forget(user, name);
	return 0;
}

/* Index row of a mailbox we just created: empty, MODSEQ from 1. */
int index_mailbox_insert_new(struct mail_user *user, const char *name,
			     const struct mailbox_record *record)
{
	struct index_db *db = user->db;
	sqlite3_stmt *stmt;

	if (mailbox_index_delete(user, name) < 0)
		return -1;
	stmt = index_db_stmt(db, INDEX_STMT_MAILBOX_INSERT);
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 2, record->guid, 16, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, record->uidvalidity);
	sqlite3_bind_int64(stmt, 4, 1);
	sqlite3_bind_int64(stmt, 5, 1);
	sqlite3_bind_int(stmt, 6, (int)record->special_use);
	sqlite3_bind_int64(stmt, 7, 0);
	return index_db_exec_stmt(db, stmt);
}

static int mailbox_check_name(struct mailbox *box)
{
	const char *error;

	if (storage_error_is_set())
		return -1;
	if (mailbox_name_validate(box->name, &error) < 0) {
		storage_error_set(MAIL_ERROR_PARAMS, error);
		return -1;
	}
	return 0;
}

int mailbox_create(struct mailbox *box, enum mailbox_special_use special_use)
{
	struct mail_error_sink *prev = mailbox_begin(box);
	struct mail_storage *storage = &box->user->storage;
	struct index_db *db = box->user->db;
	struct mailbox_record record;
	int ret = -1;

	if (mailbox_check_name(box) < 0)
		goto out;
	if (storage->backend->exists(storage, box->name) > 0) {
		storage_error_set(MAIL_ERROR_EXISTS, "Mailbox already exists");
		goto out;
	}
	memset(&record, 0, sizeof(record));
	record.special_use = special_use;
	if (storage->backend->create(storage, box->name, &record) < 0)
		goto out;
	if (index_db_begin(db) < 0)
		goto out;
	if (index_mailbox_insert_new(box->user, box->name, &record) < 0) {
		index_db_rollback(db);
		goto out;
	}
	ret = index_db_commit(db);
out:
	mailbox_end(box, prev);
	return ret;
}

int mailbox_delete(struct mailbox *box)
{
	struct mail_error_sink *prev = mailbox_begin(box);
	struct mail_storage *storage = &box->user->storage;
	struct index_mailbox *ibox;
	int ret = -1;

	i_assert(!box->opened);
	if (mailbox_check_name(box) < 0)
		goto out;
	if (strcmp(box->name, "INBOX") == 0) {
		storage_error_set(MAIL_ERROR_NOTPOSSIBLE,
				  "INBOX can't be deleted.");
		goto out;
	}
	if (mailbox_lookup(box) <= 0)
		goto out;
	ibox = box->ibox;
	if (index_mailbox_lock(ibox) < 0)
		goto out;
	if (storage->backend->delete (storage, box->name) == 0 &&
	    index_db_begin(box->user->db) == 0) {
		if (mailbox_index_delete(box->user, box->name) == 0)
			ret = index_db_commit(box->user->db);
		else
			index_db_rollback(box->user->db);
	}
	index_mailbox_unlock(ibox);
	if (ret == 0) {
		mail_user_notify_file_touch(box->user);
		mailbox_watch_notify(box->user, box->name);
	}
out:
	mailbox_end(box, prev);
	return ret;
}

/* Renames the index rows of old_name and its children. */
static int mailbox_index_rename(struct mail_user *user, const char *old_name,
				const char *new_name)
{
	struct index_db *db = user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MAILBOX_NAMES);
	ARRAY(struct {
		sqlite3_int64 id;
		char *name;
	})
	rows = ARRAY_INIT;
	struct pool *pool = pool_create("rename", 1024);
	size_t old_len = strlen(old_name);
	int rc, ret = 0;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 1);

		if (strncmp(name, old_name, old_len) == 0 &&
		    (name[old_len] == '\0' ||
		     name[old_len] == MAILBOX_HIERARCHY_SEP)) {
			array_reserve(&rows, 1);
			rows.v[rows.count].id = sqlite3_column_int64(stmt, 0);
			rows.v[rows.count++].name = pool_strdup(pool, name);
		}
	}
	sqlite3_reset(stmt);
	for (size_t i = 0; ret == 0 && i < rows.count; i++) {
		const char *name = pool_printf(pool, "%s%s", new_name,
					       rows.v[i].name + old_len);

		(void)mailbox_index_delete(user, name);
		stmt = index_db_stmt(db, INDEX_STMT_MAILBOX_RENAME);
		sqlite3_bind_int64(stmt, 1, rows.v[i].id);
		sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
		ret = index_db_exec_stmt(db, stmt);
		index_mailbox_forget(user, rows.v[i].name);
	}
	array_free(&rows);
	pool_destroy(&pool);
	return rc == SQLITE_DONE ? ret : index_db_error(db, rc, "rename");
}

static int mailbox_rename_check(struct mailbox *src, struct mailbox *dest)
{
	struct mail_storage *storage = &src->user->storage;
	size_t len = strlen(src->name);
	const char *error;

	if (mailbox_check_name(src) < 0)
		return -1;
	if (mailbox_name_validate(dest->name, &error) < 0) {
		storage_error_set(MAIL_ERROR_PARAMS, error);
		return -1;
	}
	if (strncmp(dest->name, src->name, len) == 0 &&
	    (dest->name[len] == '\0' ||
	     dest->name[len] == MAILBOX_HIERARCHY_SEP)) {
		storage_error_set(MAIL_ERROR_NOTPOSSIBLE,
				  "Can't rename mailbox under itself.");
		return -1;
	}
	if (storage->backend->exists(storage, dest->name) > 0) {
		storage_error_set(MAIL_ERROR_EXISTS,
				  "Target mailbox already exists");
		return -1;
	}
	return 0;
}

/* RFC 3501 §6.3.5: renaming INBOX moves its messages to a new mailbox
   and leaves INBOX, empty, in place. */
static int mailbox_rename_inbox(struct mailbox *src, struct mailbox *dest)
{
	struct mailbox *inbox;
	struct pool *pool;
	struct mailbox_copy_result result;
	int ret;

	if (mailbox_create(dest, 0) < 0)
		return -1;
	inbox = mailbox_alloc(src->user, "INBOX", MAILBOX_FLAG_NO_RECENT,
			      src->log_ctx);
	pool = pool_create("rename inbox", 4096);
	ret = mailbox_open(inbox);
	if (ret == 0 && mailbox_get_messages_count(inbox) > 0)
		ret = mailbox_copy(inbox, mailbox_get_uids(inbox), dest, true,
				   pool, &result);
	if (ret < 0) {
		enum mail_error code;
		const char *text = mailbox_get_last_error(inbox, &code);

		src->error.code = code;
		str_copy(src->error.text, text, sizeof(src->error.text));
	}
	pool_destroy(&pool);
	mailbox_free(&inbox);
	return ret;
}

int mailbox_rename(struct mailbox *src, struct mailbox *dest)
{
	struct mail_storage *storage = &src->user->storage;
	struct mail_error_sink *prev = mailbox_begin(src);
	struct index_db *db = src->user->db;
	int ret = -1;

	i_assert(!src->opened && !dest->opened);
	if (mailbox_rename_check(src, dest) < 0) {
		mailbox_end(src, prev);
		return -1;
	}
	if (strcmp(src->name, "INBOX") == 0) {
		mailbox_end(src, prev);
		return mailbox_rename_inbox(src, dest);
	}
	if (mailbox_lookup(src) <= 0 && src->error.code != MAIL_ERROR_NOTFOUND)
		goto out;
	/* a \Noselect parent (only children exist) can be renamed too */
	src->error.code = MAIL_ERROR_NONE;
	src->error.text[0] = '\0';
	if (storage->backend->rename(storage, src->name, dest->name) < 0)
		goto out;
	if (index_db_begin(db) < 0)
		goto out;
	if (mailbox_index_rename(src->user, src->name, dest->name) == 0)
		ret = index_db_commit(db);
	else
		index_db_rollback(db);
	if (src->ibox != NULL)
		index_mailbox_unref(src->user, &src->ibox);
	mail_user_notify_file_touch(src->user);
out:
	mailbox_end(src, prev);
	return ret;
}
