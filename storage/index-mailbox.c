#include "pool.h"
#include "storage-private.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* After an index is rebuilt, MODSEQs start above every value handed out
   before: the record's high-water mark (written with expunges of the
   highest UIDs, and at each rebuild a second's worth above its floor),
   and a clock-derived floor, (now + 1) * 2^16, which stays above what a
   mailbox counted up from an earlier floor unless it averaged more than
   65,536 changes a second. Mailboxes we create start at 1. */
uint64_t index_mailbox_modseq_floor(struct mail_storage *storage,
				    const char *name,
				    struct mailbox_record *record)
{
	uint64_t clock_floor = ((uint64_t)time(NULL) + 1) << 16;
	uint64_t floor = record->modseq_high_water > clock_floor
				 ? record->modseq_high_water
				 : clock_floor;

	/* reserve a second's worth above it, so that a rebuild in the same
	   second starts above whatever this one hands out */
	record->modseq_high_water = floor + (1 << 16);
	(void)storage->backend->record_write(storage, name, record);
	return floor;
}

/* UIDs the record reserves above UIDNEXT when it is written. The record
   must be raised before the highest UIDs are expunged (the files are then
   gone, and a rebuild would hand their UIDs out again), and writing it
   costs two fsyncs; a client that expunges what it just appended (the
   highest UID each time) would pay them for every EXPUNGE. With the
   reserve the record is written once per this many new UIDs, and a
   rebuilt index starts UIDNEXT up to this much above the old one: UIDs
   need to ascend, not to be contiguous (RFC 9051 §2.3.1.1). */
#define INDEX_MAILBOX_UID_RESERVE 1024

/* The backend's high-water marks, once per shared mailbox state. */
static void index_mailbox_read_marks(struct index_mailbox *ibox)
{
	struct mail_storage *storage = ibox->b.storage;
	struct mailbox_record record;

	if (ibox->record_marks_known)
		return;
	if (storage->backend->record_read(storage, ibox->b.name, &record) ==
		    0 &&
	    record.uidvalidity == ibox->b.record.uidvalidity) {
		ibox->b.record.uid_high_water = record.uid_high_water;
		ibox->b.record.modseq_high_water = record.modseq_high_water;
	}
	ibox->record_marks_known = true;
}

int index_mailbox_protect_uids(struct index_mailbox *ibox, uint32_t max_uid)
{
	struct mail_storage *storage = ibox->b.storage;
	struct mailbox_record *record = &ibox->b.record;

	if (max_uid >= record->uid_high_water)
		index_mailbox_read_marks(ibox);
	if (max_uid < record->uid_high_water)
		return 0;
	record->uid_high_water = ibox->uidnext + INDEX_MAILBOX_UID_RESERVE;
	if (record->uid_high_water < ibox->uidnext)
		record->uid_high_water = UINT32_MAX;
	record->modseq_high_water = ibox->highest_modseq + 1;
	return storage->backend->record_write(storage, ibox->b.name, record);
}

void index_mailbox_clear_keywords(struct index_mailbox *ibox)
{
	for (size_t i = 0; i < ibox->keyword_names.count; i++)
		free(ibox->keyword_names.v[i]);
	array_clear(&ibox->keyword_names);
	array_push(&ibox->keyword_names, NULL);
	ibox->b.keywords = (const char *const *)ibox->keyword_names.v;
	ibox->b.keywords_count = 0;
}

int index_mailbox_load_keywords(struct index_mailbox *ibox)
{
	struct index_db *db = ibox->b.storage->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_KEYWORDS_GET);
	int rc;

	index_mailbox_clear_keywords(ibox);
	ibox->keyword_names.count--;
	sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		unsigned int idx = (unsigned int)sqlite3_column_int(stmt, 0);
		const char *name = (const char *)sqlite3_column_text(stmt, 1);

		if (idx >= MAILBOX_MAX_KEYWORDS)
			continue;
		while (ibox->keyword_names.count < idx)
			array_push(&ibox->keyword_names, xstrdup(""));
		if (ibox->keyword_names.count == idx)
			array_push(&ibox->keyword_names, xstrdup(name));
	}
	sqlite3_reset(stmt);
	ibox->b.keywords_count = (unsigned int)ibox->keyword_names.count;
	array_push(&ibox->keyword_names, NULL);
	ibox->b.keywords = (const char *const *)ibox->keyword_names.v;
	if (rc != SQLITE_DONE)
		return index_db_error(db, rc, "reading keywords");
	return 0;
}

static int index_mailbox_define_keyword(struct index_mailbox *ibox,
					unsigned int idx, const char *name)
{
	struct index_db *db = ibox->b.storage->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_KEYWORD_INSERT);

	sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
	sqlite3_bind_int(stmt, 2, (int)idx);
	sqlite3_bind_text(stmt, 3, name, -1, SQLITE_STATIC);
	if (index_db_exec_stmt(db, stmt) < 0)
		return -1;
	ibox->keyword_names.count--;
	while (ibox->keyword_names.count < idx)
		array_push(&ibox->keyword_names, xstrdup(""));
	if (ibox->keyword_names.count == idx) {
		array_push(&ibox->keyword_names, xstrdup(name));
	} else {
		free(ibox->keyword_names.v[idx]);
		ibox->keyword_names.v[idx] = xstrdup(name);
	}
	ibox->b.keywords_count = (unsigned int)ibox->keyword_names.count;
	array_push(&ibox->keyword_names, NULL);
	ibox->b.keywords = (const char *const *)ibox->keyword_names.v;
	return 0;
}

int index_mailbox_keyword(struct index_mailbox *ibox, const char *name,
			  bool create, bool *full_r)
{
	const struct mail_backend *backend = ibox->b.storage->backend;
	unsigned int idx;

	*full_r = false;
	for (idx = 0; idx < ibox->b.keywords_count; idx++) {
		if (strcasecmp(ibox->b.keywords[idx], name) == 0)
			return (int)idx;
	}
	if (!create)
		return -1;
	if (idx >= MAILBOX_MAX_KEYWORDS) {
		*full_r = true;
		return -1;
	}
	if (index_mailbox_define_keyword(ibox, idx, name) < 0)
		return -1;
	if (backend->keywords_write != NULL &&
	    backend->keywords_write(&ibox->b, ibox->b.keywords,
				    ibox->b.keywords_count) < 0)
		return -1;
	return (int)idx;
}

const char *const *index_mailbox_keyword_names(struct index_mailbox *ibox,
					       uint64_t mask, struct pool *pool)
{
	const char **names;
	unsigned int n = 0;

	names = p_new(pool, const char *,
		      (size_t)__builtin_popcountll(mask) + 1);
	for (unsigned int i = 0; i < ibox->b.keywords_count && mask != 0; i++) {
		if ((mask & (1ULL << i)) != 0 && ibox->b.keywords[i][0] != '\0')
			names[n++] = pool_strdup(pool, ibox->b.keywords[i]);
	}
	return names;
}

void index_mailbox_set_state_str(struct index_mailbox *ibox, const char *state)
{
	char *old = ibox->sync_state;

	ibox->sync_state = xstrdup(state != NULL ? state : "");
	ibox->b.sync_state = ibox->sync_state;
	free(old);
}

/* Loads the mailbox row. Returns 1, 0 if none, -1 on error. */
static int index_mailbox_load_row(struct index_mailbox *ibox)
{
	struct index_db *db = ibox->b.storage->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MAILBOX_BY_NAME);
	const void *guid;
	int rc;

	sqlite3_bind_text(stmt, 1, ibox->b.name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(stmt);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(stmt);
		return index_db_error(db, rc, "reading a mailbox row");
	}
	ibox->b.index_id = sqlite3_column_int64(stmt, 0);
	guid = sqlite3_column_blob(stmt, 1);
	if (guid != NULL && sqlite3_column_bytes(stmt, 1) == 16)
		memcpy(ibox->b.record.guid, guid, 16);
	ibox->b.record.uidvalidity = (uint32_t)sqlite3_column_int64(stmt, 2);
	ibox->uidnext = (uint32_t)sqlite3_column_int64(stmt, 3);
	ibox->highest_modseq = (uint64_t)sqlite3_column_int64(stmt, 4);
	ibox->first_recent_uid = (uint32_t)sqlite3_column_int64(stmt, 5);
	ibox->expunge_horizon = (uint64_t)sqlite3_column_int64(stmt, 6);
	ibox->b.record.special_use =
		(enum mailbox_special_use)sqlite3_column_int(stmt, 7);
	index_mailbox_set_state_str(ibox,
				    (const char *)sqlite3_column_text(stmt, 8));
	sqlite3_reset(stmt);
	return 1;
}

int index_mailbox_refresh(struct index_mailbox *ibox)
{
	int ret = index_mailbox_load_row(ibox);

	if (ret == 0) {
		ibox->missing = true;
		ibox->b.index_id = 0;
	}
	return ret;
}

/* Makes the index row of a mailbox that exists on disk but not in the
   index (a new index, or a folder made by another program), from the
   backend's rebuild record. */
static int index_mailbox_create_row(struct index_mailbox *ibox)
{
	struct mail_storage *storage = ibox->b.storage;
	struct index_db *db = storage->user->db;
	struct mailbox_record *record = &ibox->b.record;
	uint64_t modseq;
	sqlite3_stmt *stmt;

	if (storage->backend->record_read(storage, ibox->b.name, record) < 0)
		return -1;
	ibox->record_marks_known = true;
	/* a folder seen for the first time (made by another server or
	   program) starts at 1 like one we create; one we knew before lost
	   its index and must continue above what it handed out */
	modseq = record->created ? 1
				 : index_mailbox_modseq_floor(
					   storage, ibox->b.name, record);
	stmt = index_db_stmt(db, INDEX_STMT_MAILBOX_INSERT);
	sqlite3_bind_text(stmt, 1, ibox->b.name, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 2, record->guid, 16, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, record->uidvalidity);
	sqlite3_bind_int64(stmt, 4, 1);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)modseq);
	sqlite3_bind_int(stmt, 6, (int)record->special_use);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)modseq);
	if (index_db_exec_stmt(db, stmt) < 0)
		return -1;
	ibox->need_rebuild = true;
	log_msg(LOG_LEVEL_INFO, &storage->user->log_ctx,
		"mailbox %s: indexing from the mail files (UIDVALIDITY %u)",
		ibox->b.name, record->uidvalidity);
	return index_mailbox_load_row(ibox) > 0 ? 0 : -1;
}

/* Adds the keyword table the backend's files know (a rebuilt index). */
int index_mailbox_import_keywords(struct index_mailbox *ibox)
{
	struct mail_storage *storage = ibox->b.storage;
	struct pool *pool;
	const char **names;
	unsigned int count;
	int ret = 0;

	if (storage->backend->keywords_read == NULL)
		return 0;
	pool = pool_create("keywords", 1024);
	if (storage->backend->keywords_read(storage, ibox->b.name, pool, &names,
					    &count) < 0)
		ret = -1;
	for (unsigned int i = 0; ret == 0 && i < count; i++) {
		if (names[i] != NULL &&
		    index_mailbox_define_keyword(ibox, i, names[i]) < 0)
			ret = -1;
	}
	pool_destroy(&pool);
	return ret;
}

/* Loads (or makes) the row and keywords of ibox. Returns 1, 0 if the
   mailbox doesn't exist, -1 on error. */
static int index_mailbox_load(struct index_mailbox *ibox)
{
	struct mail_storage *storage = ibox->b.storage;
	int ret;

	ret = index_mailbox_load_row(ibox);
	if (ret == 0) {
		ret = storage->backend->exists(storage, ibox->b.name);
		if (ret <= 0)
			return ret;
		if (index_db_begin(storage->user->db) < 0)
			return -1;
		if (index_mailbox_create_row(ibox) < 0 ||
		    index_mailbox_load_keywords(ibox) < 0 ||
		    index_mailbox_import_keywords(ibox) < 0) {
			index_db_rollback(storage->user->db);
			return -1;
		}
		if (index_db_commit(storage->user->db) < 0)
			return -1;
		return 1;
	}
	if (ret < 0 || index_mailbox_load_keywords(ibox) < 0)
		return -1;
	return 1;
}

static struct index_mailbox *index_mailbox_new(struct mail_user *user,
					       const char *name)
{
	struct index_mailbox *ibox = xnew(struct index_mailbox, 1);

	ibox->pool = pool_create("index mailbox", 512);
	ibox->b.storage = &user->storage;
	ibox->b.name = pool_strdup(ibox->pool, name);
	index_mailbox_set_state_str(ibox, "");
	ibox->lock_fd = -1;
	index_mailbox_clear_keywords(ibox);
	return ibox;
}

static void index_mailbox_free(struct mail_user *user,
			       struct index_mailbox *ibox)
{
	if (ibox->b.backend_ctx != NULL)
		user->storage.backend->mailbox_deinit(&ibox->b);
	if (ibox->lock_fd >= 0)
		close(ibox->lock_fd);
	index_mailbox_clear_keywords(ibox);
	array_free(&ibox->keyword_names);
	free(ibox->sync_state);
	pool_destroy(&ibox->pool);
	free(ibox);
}

static struct index_mailbox *index_mailbox_find(struct mail_user *user,
						const char *name)
{
	for (size_t i = 0; i < user->boxes.count; i++) {
		struct index_mailbox *ibox =
			(struct index_mailbox *)user->boxes.v[i];

		if (strcmp(ibox->b.name, name) == 0)
			return ibox;
	}
	return NULL;
}

int index_mailbox_get(struct mail_user *user, const char *name,
		      struct index_mailbox **ibox_r)
{
	struct index_mailbox *ibox = index_mailbox_find(user, name);
	bool is_new = ibox == NULL;
	int ret;

	if (ibox != NULL && ibox->b.index_id != 0 && !ibox->missing) {
		ibox->refcount++;
		*ibox_r = ibox;
		return 1;
	}
	if (is_new)
		ibox = index_mailbox_new(user, name);
	ret = index_mailbox_load(ibox);
	if (ret > 0 && ibox->b.backend_ctx == NULL &&
	    user->storage.backend->mailbox_init(&ibox->b) < 0)
		ret = -1;
	if (ret <= 0) {
		if (is_new)
			index_mailbox_free(user, ibox);
		else
			ibox->missing = ret == 0;
		return ret;
	}
	ibox->missing = false;
	if (is_new)
		array_push(&user->boxes, &ibox->b);
	ibox->refcount++;
	*ibox_r = ibox;
	return 1;
}

void index_mailbox_unref(struct mail_user *user, struct index_mailbox **_ibox)
{
	struct index_mailbox *ibox = *_ibox;

	if (ibox == NULL)
		return;
	*_ibox = NULL;
	i_assert(ibox->refcount > 0);
	if (--ibox->refcount > 0)
		return;
	for (size_t i = 0; i < user->boxes.count; i++) {
		if (user->boxes.v[i] == &ibox->b) {
			array_delete(&user->boxes, i);
			break;
		}
	}
	index_mailbox_free(user, ibox);
}

void index_mailbox_forget(struct mail_user *user, const char *name)
{
	struct index_mailbox *ibox = index_mailbox_find(user, name);

	if (ibox != NULL) {
		ibox->b.index_id = 0;
		ibox->missing = true;
	}
}

static const char *index_mailbox_lock_path(struct index_mailbox *ibox,
					   char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "%s/",
				      ibox->b.storage->user->lock_dir);

	for (unsigned int i = 0; i < 16 && len + 3 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%02x",
					ibox->b.record.guid[i]);
	snprintf(buf + len, size - len, ".lock");
	return buf;
}

int index_mailbox_lock(struct index_mailbox *ibox)
{
	char path[4096];

	if (ibox->lock_count++ > 0)
		return 0;
	if (ibox->lock_fd < 0) {
		index_mailbox_lock_path(ibox, path, sizeof(path));
		ibox->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (ibox->lock_fd < 0) {
			ibox->lock_count--;
			backend_set_critical(&ibox->b, "open(%s) failed: %m",
					     path);
			return -1;
		}
	}
	while (flock(ibox->lock_fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			ibox->lock_count--;
			backend_set_critical(&ibox->b, "flock() failed: %m");
			return -1;
		}
	}
	return 0;
}

void index_mailbox_unlock(struct index_mailbox *ibox)
{
	i_assert(ibox->lock_count > 0);
	if (--ibox->lock_count == 0)
		(void)flock(ibox->lock_fd, LOCK_UN);
}

int index_mailbox_change(struct index_mailbox *ibox, int (*func)(void *context),
			 void *context)
{
	const struct mail_backend *backend = ibox->b.storage->backend;
	struct index_db *db = ibox->b.storage->user->db;
	int ret;

	if (index_mailbox_lock(ibox) < 0)
		return -1;
	if (backend->changes_begin != NULL)
		backend->changes_begin(&ibox->b);
	ret = index_db_begin(db);
	if (ret == 0 && index_mailbox_refresh(ibox) <= 0)
		ret = -1;
	if (ret == 0)
		ret = func(context);
	if (ret == 0)
		ret = index_db_commit(db);
	else if (db->in_transaction)
		index_db_rollback(db);
	if (backend->changes_end != NULL)
		backend->changes_end(&ibox->b);
	index_mailbox_unlock(ibox);
	if (ret < 0) {
		/* the in-memory counters may be ahead of the rolled back row */
		(void)index_mailbox_refresh(ibox);
		(void)index_mailbox_load_keywords(ibox);
	}
	return ret;
}

uint64_t index_mailbox_next_modseq(struct index_mailbox *ibox)
{
	return ++ibox->highest_modseq;
}

int index_mailbox_write_counters(struct index_mailbox *ibox)
{
	struct index_db *db = ibox->b.storage->user->db;
	sqlite3_stmt *stmt =
		index_db_stmt(db, INDEX_STMT_MAILBOX_UPDATE_COUNTERS);

	sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, ibox->uidnext);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)ibox->highest_modseq);
	return index_db_exec_stmt(db, stmt);
}

int backend_mailbox_set_sync_state(struct backend_mailbox *box,
				   const char *state)
{
	struct index_mailbox *ibox = (struct index_mailbox *)box;
	struct index_db *db = box->storage->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MAILBOX_SET_STATE);

	index_mailbox_set_state_str(ibox, state);
	sqlite3_bind_int64(stmt, 1, box->index_id);
	sqlite3_bind_text(stmt, 2, state, -1, SQLITE_STATIC);
	return index_db_exec_stmt(db, stmt);
}
