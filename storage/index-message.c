#include "pool.h"
#include "storage-private.h"

#include <string.h>

static const char *column_str(sqlite3_stmt *stmt, int col, struct pool *pool)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	return text == NULL ? NULL : pool_strdup(pool, (const char *)text);
}

void index_record_from_row(sqlite3_stmt *stmt, struct pool *pool,
			   struct index_record *rec_r)
{
	const void *guid;

	memset(rec_r, 0, sizeof(*rec_r));
	rec_r->uid = (uint32_t)sqlite3_column_int64(stmt, 0);
	rec_r->flags = (uint32_t)sqlite3_column_int64(stmt, 1);
	rec_r->keywords = (uint64_t)sqlite3_column_int64(stmt, 2);
	rec_r->modseq = (uint64_t)sqlite3_column_int64(stmt, 3);
	rec_r->location = column_str(stmt, 4, pool);
	rec_r->extra = column_str(stmt, 5, pool);
	rec_r->physical_size = (uint64_t)sqlite3_column_int64(stmt, 6);
	rec_r->virtual_size = (uint64_t)sqlite3_column_int64(stmt, 7);
	rec_r->received_date = (time_t)sqlite3_column_int64(stmt, 8);
	rec_r->received_tz_offset = sqlite3_column_int(stmt, 9);
	rec_r->save_date = (time_t)sqlite3_column_int64(stmt, 10);
	guid = sqlite3_column_blob(stmt, 11);
	if (guid != NULL && sqlite3_column_bytes(stmt, 11) == 16)
		rec_r->guid = pool_memdup(pool, guid, 16);
	rec_r->pop3_uidl = column_str(stmt, 12, pool);
}

int index_message_get(struct index_mailbox *ibox, uint32_t uid,
		      struct pool *pool, struct index_record *rec_r)
{
	struct index_db *db = ibox->b.storage->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_GET);
	int rc;

	sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, uid);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		index_record_from_row(stmt, pool, rec_r);
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return index_db_error(db, rc, "reading a message");
}

/* Binds uid..extra, the first seven columns, in MSG_INSERT's and
   MSG_UPDATE's common order. */
static void index_message_bind_common(sqlite3_stmt *stmt,
				      struct index_mailbox *ibox,
				      const struct index_record *rec)
{
	sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, rec->uid);
	sqlite3_bind_int64(stmt, 3, rec->flags);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)rec->keywords);
	sqlite3_bind_int64(stmt, 5, (sqlite3_int64)rec->modseq);
	sqlite3_bind_text(stmt, 6, rec->location, -1, SQLITE_STATIC);
	if (rec->extra != NULL && rec->extra[0] != '\0')
		sqlite3_bind_text(stmt, 7, rec->extra, -1, SQLITE_STATIC);
}

int index_message_update(struct index_mailbox *ibox,
			 const struct index_record *rec)
{
	struct index_db *db = ibox->b.storage->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_UPDATE);

	index_message_bind_common(stmt, ibox, rec);
	return index_db_exec_stmt(db, stmt);
}

int index_messages_load(struct index_mailbox *ibox,
			const struct seq_range_set *uids, struct pool *pool,
			struct index_record **recs_r, unsigned int *count_r)
{
	struct index_db *db = ibox->b.storage->user->db;
	ARRAY(struct index_record) recs = ARRAY_INIT;
	int rc = SQLITE_DONE;

	for (unsigned int i = 0; i < uids->count && rc == SQLITE_DONE; i++) {
		sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_RANGE);

		sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
		sqlite3_bind_int64(stmt, 2, uids->ranges[i].first);
		sqlite3_bind_int64(stmt, 3, uids->ranges[i].last);
		sqlite3_bind_int64(stmt, 4, -1);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			index_record_from_row(stmt, pool,
					      array_push_new(&recs));
		sqlite3_reset(stmt);
	}
	*recs_r = p_new(pool, struct index_record, recs.count + 1);
	if (recs.count > 0)
		memcpy(*recs_r, recs.v, recs.count * sizeof(*recs.v));
	*count_r = (unsigned int)recs.count;
	array_free(&recs);
	return rc == SQLITE_DONE ? 0 : index_db_error(db, rc, "loading");
}

static void bind_nonzero(sqlite3_stmt *stmt, int col, int64_t value)
{
	if (value != 0)
		sqlite3_bind_int64(stmt, col, value);
}

int index_message_insert(struct index_mailbox *ibox,
			 const struct index_record *rec)
{
	struct index_db *db = ibox->b.storage->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_INSERT);

	index_message_bind_common(stmt, ibox, rec);
	bind_nonzero(stmt, 8, (int64_t)rec->physical_size);
	bind_nonzero(stmt, 9, (int64_t)rec->virtual_size);
	bind_nonzero(stmt, 10, rec->received_date);
	if (rec->received_date != 0)
		sqlite3_bind_int(stmt, 11, rec->received_tz_offset);
	bind_nonzero(stmt, 12, rec->save_date);
	if (rec->guid != NULL)
		sqlite3_bind_blob(stmt, 13, rec->guid, 16, SQLITE_STATIC);
	if (rec->pop3_uidl != NULL)
		sqlite3_bind_text(stmt, 14, rec->pop3_uidl, -1, SQLITE_STATIC);
	return index_db_exec_stmt(db, stmt);
}

int index_message_expunge(struct index_mailbox *ibox, uint32_t uid,
			  uint64_t modseq)
{
	static const enum index_stmt deletes[] = { INDEX_STMT_MSG_DELETE,
						   INDEX_STMT_CACHE_DELETE };
	struct index_db *db = ibox->b.storage->user->db;
	sqlite3_stmt *stmt;

	for (unsigned int i = 0; i < N_ELEMENTS(deletes); i++) {
		stmt = index_db_stmt(db, deletes[i]);
		sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
		sqlite3_bind_int64(stmt, 2, uid);
		if (index_db_exec_stmt(db, stmt) < 0)
			return -1;
	}
	stmt = index_db_stmt(db, INDEX_STMT_EXPUNGED_INSERT);
	sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, uid);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)modseq);
	return index_db_exec_stmt(db, stmt);
}
