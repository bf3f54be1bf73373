/* Syncing the index with a backend's files. The backend scans and reports
   differences through struct index_sync; everything here runs under the
   mailbox lock (so no process of ours changes the files meanwhile) and
   writes in one index transaction, begun at the first change, so that
   readers see a sync's changes all at once. All changes of one sync share
   one new MODSEQ. */

#include "pool.h"
#include "storage-private.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* A sync this big checkpoints and truncates the WAL afterwards. */
#define INDEX_SYNC_CHECKPOINT_CHANGES 10000

struct index_sync {
	struct index_mailbox *ibox;
	struct index_db *db;
	bool in_transaction;
	bool rebuild;
	bool failed;
	uint64_t modseq;
	uint32_t max_uid;
	uint32_t max_expunged_uid;
	unsigned int added, updated, expunged;
};

static int index_sync_begin_write(struct index_sync *sync)
{
	if (sync->in_transaction)
		return 0;
	if (index_db_begin(sync->db) < 0) {
		sync->failed = true;
		return -1;
	}
	sync->in_transaction = true;
	return 0;
}

static uint64_t index_sync_modseq(struct index_sync *sync)
{
	if (sync->modseq == 0)
		sync->modseq = index_mailbox_next_modseq(sync->ibox);
	return sync->modseq;
}

int index_sync_get_records(struct index_sync *sync, struct pool *pool,
			   struct index_record **recs_r, unsigned int *count_r)
{
	sqlite3_stmt *stmt = index_db_stmt(sync->db, INDEX_STMT_MSG_ALL);
	ARRAY(struct index_record) recs = ARRAY_INIT;
	int rc;

	sqlite3_bind_int64(stmt, 1, sync->ibox->b.index_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		index_record_from_row(stmt, pool, array_push_new(&recs));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		array_free(&recs);
		return index_db_error(sync->db, rc, "reading messages");
	}
	*recs_r = p_new(pool, struct index_record, recs.count + 1);
	if (recs.count > 0)
		memcpy(*recs_r, recs.v, recs.count * sizeof(*recs.v));
	*count_r = (unsigned int)recs.count;
	array_free(&recs);
	return 0;
}

uint32_t index_sync_get_uidnext(const struct index_sync *sync)
{
	return sync->ibox->uidnext;
}

uint32_t index_sync_get_max_uid(const struct index_sync *sync)
{
	return sync->max_uid;
}

uint32_t index_sync_add(struct index_sync *sync, const struct index_record *rec)
{
	struct index_mailbox *ibox = sync->ibox;
	struct index_record new_rec = *rec;

	if (new_rec.uid == 0)
		new_rec.uid = ibox->uidnext;
	if (new_rec.uid <= sync->max_uid ||
	    (!sync->rebuild && new_rec.uid < ibox->uidnext) ||
	    new_rec.uid == UINT32_MAX)
		panic("index_sync_add(): UID %u out of order (uidnext %u, "
		      "max %u)",
		      new_rec.uid, ibox->uidnext, sync->max_uid);
	if (index_sync_begin_write(sync) < 0)
		return 0;
	new_rec.modseq = index_sync_modseq(sync);
	if (index_message_insert(ibox, &new_rec) < 0) {
		sync->failed = true;
		return 0;
	}
	sync->max_uid = new_rec.uid;
	if (ibox->uidnext <= new_rec.uid)
		ibox->uidnext = new_rec.uid + 1;
	sync->added++;
	return new_rec.uid;
}

int index_sync_update(struct index_sync *sync, const struct index_record *rec)
{
	struct index_record new_rec = *rec;

	if (index_sync_begin_write(sync) < 0)
		return -1;
	new_rec.modseq = index_sync_modseq(sync);
	if (index_message_update(sync->ibox, &new_rec) < 0) {
		sync->failed = true;
		return -1;
	}
	sync->updated++;
	return 0;
}

int index_sync_expunge(struct index_sync *sync, uint32_t uid)
{
	if (index_sync_begin_write(sync) < 0 ||
	    index_message_expunge(sync->ibox, uid, index_sync_modseq(sync)) <
		    0) {
		sync->failed = true;
		return -1;
	}
	if (uid > sync->max_expunged_uid)
		sync->max_expunged_uid = uid;
	sync->expunged++;
	return 0;
}

bool index_sync_was_expunged(struct index_sync *sync, uint32_t uid)
{
	sqlite3_stmt *stmt = index_db_stmt(sync->db, INDEX_STMT_EXPUNGED_GET);
	bool found;

	sqlite3_bind_int64(stmt, 1, sync->ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, uid);
	found = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	return found;
}

int index_sync_keyword(struct index_sync *sync, const char *name)
{
	bool full;
	int idx;

	idx = index_mailbox_keyword(sync->ibox, name, false, &full);
	if (idx >= 0)
		return idx;
	if (index_sync_begin_write(sync) < 0)
		return -1;
	return index_mailbox_keyword(sync->ibox, name, true, &full);
}

void index_sync_set_state(struct index_sync *sync, const char *state)
{
	if (strcmp(sync->ibox->b.sync_state, state) == 0)
		return;
	if (index_sync_begin_write(sync) < 0 ||
	    backend_mailbox_set_sync_state(&sync->ibox->b, state) < 0)
		sync->failed = true;
}

void index_sync_raise_uidnext(struct index_sync *sync, uint32_t uidnext)
{
	if (uidnext <= sync->ibox->uidnext)
		return;
	if (index_sync_begin_write(sync) < 0)
		return;
	sync->ibox->uidnext = uidnext;
}

static int index_sync_max_uid(struct index_sync *sync)
{
	sqlite3_stmt *stmt = index_db_stmt(sync->db, INDEX_STMT_MSG_MAX_UID);
	int rc;

	sqlite3_bind_int64(stmt, 1, sync->ibox->b.index_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		sync->max_uid = (uint32_t)sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : index_db_error(sync->db, rc, "max uid");
}

/* After a rebuild: UIDNEXT at least the record's high-water mark, and
   nothing \Recent. */
static void index_sync_rebuild_counters(struct index_sync *sync)
{
	struct index_mailbox *ibox = sync->ibox;
	struct index_db *db = sync->db;
	sqlite3_stmt *stmt;

	if (ibox->uidnext < ibox->b.record.uid_high_water)
		ibox->uidnext = ibox->b.record.uid_high_water;
	ibox->first_recent_uid = ibox->uidnext;
	stmt = index_db_stmt(db, INDEX_STMT_MAILBOX_SET_RECENT);
	sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, ibox->first_recent_uid);
	if (index_db_exec_stmt(db, stmt) < 0)
		sync->failed = true;
}

static int index_sync_finish(struct index_sync *sync, int ret)
{
	struct index_mailbox *ibox = sync->ibox;

	if (!sync->in_transaction)
		return ret;
	if (ret == 0 && !sync->failed) {
		if (sync->rebuild)
			index_sync_rebuild_counters(sync);
		if (index_mailbox_write_counters(ibox) == 0 &&
		    index_db_commit(sync->db) == 0) {
			if (sync->expunged > 0)
				(void)index_mailbox_protect_uids(
					sync->ibox, sync->max_expunged_uid);
			/* after a big import, give the WAL's space back */
			if (sync->added + sync->updated >=
			    INDEX_SYNC_CHECKPOINT_CHANGES)
				(void)index_db_exec(
					sync->db,
					"PRAGMA wal_checkpoint(TRUNCATE)");
			return 0;
		}
	} else {
		index_db_rollback(sync->db);
	}
	/* the in-memory counters may be ahead of the rolled back row */
	(void)index_mailbox_refresh(ibox);
	(void)index_mailbox_load_keywords(ibox);
	return -1;
}

static void index_sync_log_rebuild(struct index_sync *sync)
{
	struct index_mailbox *ibox = sync->ibox;

	log_msg(LOG_LEVEL_INFO, &ibox->b.storage->user->log_ctx,
		"mailbox %s: index rebuilt from the mail files: %u messages, "
		"UIDVALIDITY %u, UIDNEXT %u, HIGHESTMODSEQ %llu",
		ibox->b.name, sync->added, ibox->b.record.uidvalidity,
		ibox->uidnext, (unsigned long long)ibox->highest_modseq);
}

int index_mailbox_sync_files(struct index_mailbox *ibox,
			     enum backend_sync_flags flags)
{
	const struct mail_backend *backend = ibox->b.storage->backend;
	struct index_sync sync;
	int ret;

	if (ibox->need_rebuild)
		flags |= BACKEND_SYNC_FLAG_REBUILD | BACKEND_SYNC_FLAG_FORCE;
	if ((flags & BACKEND_SYNC_FLAG_FORCE) == 0 &&
	    backend->sync(&ibox->b, NULL, BACKEND_SYNC_FLAG_CHECK_ONLY) == 0)
		return 0;
	if (index_mailbox_lock(ibox) < 0)
		return -1;
	memset(&sync, 0, sizeof(sync));
	sync.ibox = ibox;
	sync.db = ibox->b.storage->user->db;
	sync.rebuild = (flags & BACKEND_SYNC_FLAG_REBUILD) != 0;
	/* another process may have synced while we waited for the lock */
	ret = index_mailbox_refresh(ibox) <= 0 ? -1 : index_sync_max_uid(&sync);
	if (ret == 0)
		ret = backend->sync(&ibox->b, &sync,
				    flags & ~BACKEND_SYNC_FLAG_CHECK_ONLY);
	ret = index_sync_finish(&sync, ret < 0 ? -1 : 0);
	index_mailbox_unlock(ibox);
	if (ret < 0)
		return -1;
	if (sync.rebuild) {
		ibox->need_rebuild = false;
		index_sync_log_rebuild(&sync);
	}
	if (sync.added + sync.updated + sync.expunged > 0) {
		mail_user_notify_file_touch(ibox->b.storage->user);
		mailbox_watch_notify(ibox->b.storage->user, ibox->b.name);
	}
	return 0;
}

/* Empties the mailbox's part of the index and restarts it from the
   backend's record (kept UIDVALIDITY, UIDs from the files). */
static int index_mailbox_reset(struct index_mailbox *ibox)
{
	static const enum index_stmt deletes[] = {
		INDEX_STMT_MSG_DELETE_ALL,
		INDEX_STMT_CACHE_DELETE_ALL,
		INDEX_STMT_EXPUNGED_DELETE_ALL,
		INDEX_STMT_KEYWORDS_DELETE_ALL,
	};
	struct mail_storage *storage = ibox->b.storage;
	struct index_db *db = storage->user->db;
	uint64_t floor;
	sqlite3_stmt *stmt;

	for (unsigned int i = 0; i < N_ELEMENTS(deletes); i++) {
		stmt = index_db_stmt(db, deletes[i]);
		sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
		if (index_db_exec_stmt(db, stmt) < 0)
			return -1;
	}
	if (storage->backend->record_read(storage, ibox->b.name,
					  &ibox->b.record) < 0)
		return -1;
	floor = index_mailbox_modseq_floor(storage, ibox->b.name,
					   &ibox->b.record);
	if (floor <= ibox->highest_modseq)
		floor = ibox->highest_modseq + 1;
	ibox->uidnext = 1;
	ibox->highest_modseq = floor;
	ibox->first_recent_uid = 1;
	stmt = index_db_stmt(db, INDEX_STMT_MAILBOX_SET_HORIZON);
	sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)floor);
	if (index_db_exec_stmt(db, stmt) < 0 ||
	    index_mailbox_write_counters(ibox) < 0 ||
	    backend_mailbox_set_sync_state(&ibox->b, "") < 0)
		return -1;
	index_mailbox_clear_keywords(ibox);
	return index_mailbox_import_keywords(ibox);
}

int index_mailbox_rebuild(struct index_mailbox *ibox)
{
	struct index_db *db = ibox->b.storage->user->db;
	int ret;

	if (index_mailbox_lock(ibox) < 0)
		return -1;
	if (index_db_begin(db) < 0) {
		index_mailbox_unlock(ibox);
		return -1;
	}
	ret = index_mailbox_reset(ibox);
	if (ret == 0)
		ret = index_db_commit(db);
	else
		index_db_rollback(db);
	if (ret == 0)
		ibox->need_rebuild = true;
	ret = ret < 0 ? -1 : index_mailbox_sync_files(ibox, 0);
	index_mailbox_unlock(ibox);
	(void)index_mailbox_refresh(ibox);
	return ret;
}

static int mail_user_rebuild_one(struct mail_user *user, const char *name)
{
	struct index_mailbox *ibox;
	int ret;

	ret = index_mailbox_get(user, name, &ibox);
	if (ret <= 0) {
		if (ret == 0)
			storage_error_set(MAIL_ERROR_NOTFOUND,
					  "Mailbox doesn't exist");
		return -1;
	}
	ret = index_mailbox_rebuild(ibox);
	index_mailbox_unref(user, &ibox);
	return ret;
}

int mail_user_rebuild_index(struct mail_user *user, const char *mailbox_name,
			    const char **error_r)
{
	static __thread char error[256];
	struct mail_error_sink sink, *prev = storage_error_push(&sink);
	struct pool *pool = pool_create("rebuild", 4096);
	const char **names;
	unsigned int count;
	int ret = 0;

	mail_user_lock_index(user);
	if (mail_user_index_ensure(user) < 0) {
		ret = -1;
	} else if (mailbox_name != NULL) {
		ret = mail_user_rebuild_one(user, mailbox_name);
	} else if (user->storage.backend->list(&user->storage, pool, &names,
					       &count) < 0) {
		ret = -1;
	} else {
		for (unsigned int i = 0; i < count; i++) {
			if (mail_user_rebuild_one(user, names[i]) < 0)
				ret = -1;
		}
	}
	mail_user_unlock_index(user);
	pool_destroy(&pool);
	if (ret < 0) {
		snprintf(error, sizeof(error), "%s", sink.text);
		*error_r = error;
	}
	storage_error_pop(prev);
	return ret;
}
