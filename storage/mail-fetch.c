/* Iterating over messages for FETCH, POP3 and search: index rows are read
   in batches (so that no SQLite statement stays open between calls, which
   may come from different pool threads), in UID order, with the sequence
   number tracked by a cursor over the view's ranges. */

#include "mail-glue.h"
#include "mail-private.h"
#include "pool.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAIL_FETCH_BATCH 256

struct mail_fetch_ctx {
	struct mailbox *box;
	enum mail_fetch_field fields;
	struct seq_range_set uids;
	/* next UID to read */
	unsigned int range_idx;
	uint32_t next_uid;
	bool done;

	struct pool *batch_pool;
	struct index_record *batch;
	unsigned int batch_count, batch_pos;

	/* sequence cursor over the view */
	unsigned int view_idx;
	uint64_t view_base;

	struct mail mail;
	unsigned int expunged_count;
	bool failed;
};

struct mail_fetch_ctx *mailbox_fetch_init(struct mailbox *box,
					  const struct seq_range_set *uids,
					  enum mail_fetch_field fields)
{
	struct mail_fetch_ctx *ctx = xnew(struct mail_fetch_ctx, 1);

	i_assert(box->opened);
	ctx->box = box;
	ctx->fields = fields;
	seq_range_set_init(&ctx->uids, NULL);
	seq_range_set_copy(&ctx->uids, uids);
	seq_range_set_intersect(&ctx->uids, &box->uids);
	ctx->next_uid = ctx->uids.count > 0 ? ctx->uids.ranges[0].first : 0;
	ctx->done = ctx->uids.count == 0;
	ctx->batch_pool = pool_create("fetch batch", 16 * 1024);
	ctx->mail.ctx = ctx;
	ctx->mail.box = box;
	ctx->mail.pool = pool_create("fetch mail", 4096);
	return ctx;
}

/* Reads the next batch of rows. Lock held. */
static int mail_fetch_load_batch(struct mail_fetch_ctx *ctx)
{
	struct index_db *db = ctx->box->user->db;
	const struct seq_range *r = &ctx->uids.ranges[ctx->range_idx];
	ARRAY(struct index_record) recs = ARRAY_INIT;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_RANGE);
	uint32_t covered_to = r->last;
	int rc;

	pool_clear(ctx->batch_pool);
	sqlite3_bind_int64(stmt, 1, ctx->box->ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, ctx->next_uid);
	sqlite3_bind_int64(stmt, 3, r->last);
	sqlite3_bind_int(stmt, 4, MAIL_FETCH_BATCH);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		index_record_from_row(stmt, ctx->batch_pool,
				      array_push_new(&recs));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		array_free(&recs);
		return index_db_error(db, rc, "fetch");
	}
	if (recs.count == MAIL_FETCH_BATCH)
		covered_to = recs.v[recs.count - 1].uid;
	/* UIDs of the view the index no longer has were expunged */
	ctx->expunged_count +=
		(covered_to - ctx->next_uid + 1) - (unsigned int)recs.count;
	ctx->batch =
		p_new(ctx->batch_pool, struct index_record, recs.count + 1);
	if (recs.count > 0)
		memcpy(ctx->batch, recs.v, recs.count * sizeof(*recs.v));
	ctx->batch_count = (unsigned int)recs.count;
	ctx->batch_pos = 0;
	array_free(&recs);
	if (covered_to == r->last) {
		if (++ctx->range_idx == ctx->uids.count)
			ctx->done = true;
		else
			ctx->next_uid = ctx->uids.ranges[ctx->range_idx].first;
	} else {
		ctx->next_uid = covered_to + 1;
	}
	return 0;
}

static uint32_t mail_fetch_seq(struct mail_fetch_ctx *ctx, uint32_t uid)
{
	const struct seq_range_set *view = &ctx->box->uids;

	while (ctx->view_idx < view->count &&
	       view->ranges[ctx->view_idx].last < uid) {
		ctx->view_base += (uint64_t)view->ranges[ctx->view_idx].last -
				  view->ranges[ctx->view_idx].first + 1;
		ctx->view_idx++;
	}
	if (ctx->view_idx == view->count ||
	    view->ranges[ctx->view_idx].first > uid)
		return 0;
	return (uint32_t)(ctx->view_base +
			  (uid - view->ranges[ctx->view_idx].first) + 1);
}

static void mail_fetch_set(struct mail_fetch_ctx *ctx,
			   const struct index_record *rec)
{
	struct mail *mail = &ctx->mail;
	struct pool *pool = mail->pool;

	pool_clear(pool);
	memset(mail, 0, sizeof(*mail));
	mail->ctx = ctx;
	mail->box = ctx->box;
	mail->pool = pool;
	mail->rec = *rec;
	mail->received_tz = rec->received_tz_offset;
	mail->seq = mail_fetch_seq(ctx, rec->uid);
}

int mailbox_fetch_next(struct mail_fetch_ctx *ctx, struct mail **mail_r)
{
	struct mail_error_sink *prev;
	int ret = 0;

	if (ctx->batch_pos == ctx->batch_count) {
		if (ctx->done)
			return 0;
		prev = mailbox_begin(ctx->box);
		while (ret == 0 && ctx->batch_pos == ctx->batch_count &&
		       !ctx->done) {
			ret = storage_error_is_set()
				      ? -1
				      : mail_fetch_load_batch(ctx);
		}
		mailbox_end(ctx->box, prev);
		if (ret < 0) {
			ctx->failed = true;
			return -1;
		}
		if (ctx->batch_pos == ctx->batch_count)
			return 0;
	}
	mail_fetch_set(ctx, &ctx->batch[ctx->batch_pos++]);
	*mail_r = &ctx->mail;
	return 1;
}

unsigned int mailbox_fetch_get_expunged_count(const struct mail_fetch_ctx *ctx)
{
	return ctx->expunged_count;
}

int mailbox_fetch_deinit(struct mail_fetch_ctx **_ctx)
{
	struct mail_fetch_ctx *ctx = *_ctx;
	int ret;

	*_ctx = NULL;
	ret = ctx->failed ? -1 : 0;
	seq_range_set_deinit(&ctx->uids);
	pool_destroy(&ctx->batch_pool);
	pool_destroy(&ctx->mail.pool);
	free(ctx);
	return ret;
}

/* ---- accessors ---- */

uint32_t mail_get_uid(const struct mail *mail)
{
	return mail->rec.uid;
}

uint32_t mail_get_seq(const struct mail *mail)
{
	return mail->seq;
}

enum mail_flags mail_get_flags(const struct mail *mail)
{
	enum mail_flags flags = mail->rec.flags & MAIL_FLAGS_STORABLE;

	if (seq_range_set_contains(&mail->box->recent_uids, mail->rec.uid))
		flags |= MAIL_RECENT;
	return flags;
}

const char *const *mail_get_keywords(const struct mail *mail)
{
	struct mail *m = (struct mail *)mail;
	const char *const *names;

	/* the keyword table is shared with other threads of the user */
	mail_user_lock_index(m->box->user);
	names = index_mailbox_keyword_names(m->box->ibox, m->rec.keywords,
					    m->pool);
	mail_user_unlock_index(m->box->user);
	return names;
}

uint64_t mail_get_modseq(const struct mail *mail)
{
	return mail->rec.modseq;
}

/* INTERNALDATE not in the index yet: the file's mtime (where maildir and
   Dovecot keep it), then remembered. Lock held. */
static int mail_load_received_date(struct mail *mail)
{
	const struct mail_backend *backend = mail->box->user->storage.backend;
	struct index_db *db = mail->box->user->db;
	struct backend_stream stream;
	struct stat st;
	sqlite3_stmt *stmt;
	int ret;

	ret = backend->open_message(&mail->box->ibox->b, &mail->rec, &stream);
	if (ret <= 0) {
		if (ret == 0)
			storage_error_set(MAIL_ERROR_EXPUNGED,
					  "Message was expunged");
		return -1;
	}
	ret = fstat(stream.fd, &st);
	close(stream.fd);
	if (ret < 0) {
		backend_set_critical(&mail->box->ibox->b, "fstat() failed: %m");
		return -1;
	}
	mail->rec.received_date = st.st_mtime;
	mail->received_tz = 0;
	stmt = index_db_stmt(db, INDEX_STMT_MSG_SET_RECEIVED);
	sqlite3_bind_int64(stmt, 1, mail->box->ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, mail->rec.uid);
	sqlite3_bind_int64(stmt, 3, st.st_mtime);
	sqlite3_bind_int(stmt, 4, 0);
	(void)index_db_exec_stmt(db, stmt);
	return 0;
}

int mail_get_received_date(struct mail *mail, time_t *date_r, int *tz_offset_r)
{
	struct mail_error_sink *prev;
	int ret = 0;

	if (mail->rec.received_date == 0) {
		prev = mailbox_begin(mail->box);
		ret = mail_load_received_date(mail);
		mailbox_end(mail->box, prev);
	}
	*date_r = mail->rec.received_date;
	if (tz_offset_r != NULL)
		*tz_offset_r = mail->received_tz;
	return ret;
}

int mail_get_save_date(struct mail *mail, time_t *date_r)
{
	/* messages indexed from files others wrote have no save date: use
	   INTERNALDATE, as Dovecot uses the file's ctime */
	if (mail->rec.save_date == 0)
		return mail_get_received_date(mail, date_r, NULL);
	*date_r = mail->rec.save_date;
	return 0;
}

int mail_get_size(struct mail *mail, uint64_t *size_r)
{
	struct mail_data data;
	int ret;

	if (mail->rec.virtual_size == 0 ||
	    (mail->rec.flags & (INDEX_FLAG_CRLF | INDEX_FLAG_HAS_LF)) == 0) {
		if (mail->rec.virtual_size != 0 &&
		    mail->rec.virtual_size == mail->rec.physical_size) {
			/* W= said so, and it equals the file size */
			*size_r = mail->rec.virtual_size;
			return 0;
		}
		ret = mail_get_data(mail, &data);
		if (ret < 0)
			return -1;
		mail_data_release(&data);
	}
	*size_r = mail->rec.virtual_size;
	return 0;
}

int mail_get_guid(struct mail *mail, const char **guid_r)
{
	const struct mail_backend *backend = mail->box->user->storage.backend;
	unsigned char guid[16];

	if (mail->guid_hex[0] == '\0') {
		if (mail->rec.guid != NULL)
			memcpy(guid, mail->rec.guid, 16);
		else if (backend->get_guid != NULL)
			backend->get_guid(&mail->box->ibox->b, &mail->rec,
					  guid);
		else
			storage_hash_guid(mail->rec.location,
					  strlen(mail->rec.location), guid);
		for (unsigned int i = 0; i < 16; i++)
			snprintf(mail->guid_hex + i * 2, 3, "%02x", guid[i]);
	}
	*guid_r = mail->guid_hex;
	return 0;
}

const char *mail_get_thread_id(struct mail *mail)
{
	return NULL;
}

int mail_get_data(struct mail *mail, struct mail_data *data_r)
{
	struct mail_error_sink *prev = mailbox_begin(mail->box);
	int ret;

	ret = storage_error_is_set() ? -1
				     : mail_data_open(mail->box, &mail->rec,
						      mail->pool, data_r);
	mailbox_end(mail->box, prev);
	return ret > 0 ? 0 : -1;
}

int mail_get_pop3_uidl(struct mail *mail, struct mail_pop3_uidl *uidl_r)
{
	const struct mail_backend *backend = mail->box->user->storage.backend;

	memset(uidl_r, 0, sizeof(*uidl_r));
	uidl_r->uid = mail->rec.uid;
	uidl_r->uidvalidity = mail->box->uidvalidity;
	if (mail_get_guid(mail, &uidl_r->guid) < 0)
		return -1;
	if ((backend->caps & MAIL_BACKEND_CAP_FILE_NAMES) != 0)
		uidl_r->file_base = mail->rec.location;
	uidl_r->imported_uidl = mail->rec.pop3_uidl;
	return 0;
}

/* ---- cached parsed fields ---- */

static int mail_cache_read(struct mail *mail)
{
	struct index_db *db = mail->box->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_CACHE_GET);
	int rc;

	sqlite3_bind_int64(stmt, 1, mail->box->ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, mail->rec.uid);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 2) != SQLITE_NULL) {
		const char *text;

		mail->sent = (time_t)sqlite3_column_int64(stmt, 0);
		mail->sent_tz = sqlite3_column_int(stmt, 1);
		text = (const char *)sqlite3_column_text(stmt, 2);
		mail->envelope = pool_strdup(mail->pool, text);
		text = (const char *)sqlite3_column_text(stmt, 3);
		mail->bodystructure =
			text == NULL ? NULL : pool_strdup(mail->pool, text);
		text = (const char *)sqlite3_column_text(stmt, 4);
		mail->body =
			text == NULL ? NULL : pool_strdup(mail->pool, text);
		mail->parts_size = (size_t)sqlite3_column_bytes(stmt, 5);
		mail->parts =
			pool_memdup(mail->pool, sqlite3_column_blob(stmt, 5),
				    mail->parts_size);
		mail->cache_loaded = true;
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? 0
		       : index_db_error(db, rc, "cache read");
}

static void mail_cache_write(struct mail *mail)
{
	struct index_db *db = mail->box->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_CACHE_SET);

	sqlite3_bind_int64(stmt, 1, mail->box->ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, mail->rec.uid);
	sqlite3_bind_int64(stmt, 3, mail->sent);
	sqlite3_bind_int(stmt, 4, mail->sent_tz);
	sqlite3_bind_text(stmt, 5, mail->envelope, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, mail->bodystructure, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, mail->body, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 8, mail->parts, (int)mail->parts_size,
			  SQLITE_STATIC);
	(void)index_db_exec_stmt(db, stmt);
}

int mail_cache_load(struct mail *mail)
{
	struct mail_glue_parsed parsed;
	struct mail_data data;
	int ret;

	if (mail->cache_loaded)
		return 0;
	if (mail_cache_read(mail) < 0)
		return -1;
	if (mail->cache_loaded)
		return 0;
	if (mail_data_open(mail->box, &mail->rec, mail->pool, &data) <= 0)
		return -1;
	ret = mail_glue_parse(mail->pool, data.data, data.size, &parsed);
	mail_data_release(&data);
	if (ret < 0 || parsed.envelope == NULL) {
		backend_set_critical(&mail->box->ibox->b,
				     "parsing message UID %u failed",
				     mail->rec.uid);
		return -1;
	}
	mail->envelope = parsed.envelope;
	mail->bodystructure = parsed.bodystructure;
	mail->body = parsed.body;
	mail->parts = parsed.parts;
	mail->parts_size = parsed.parts_size;
	mail->sent = parsed.sent_date;
	mail->sent_tz = parsed.sent_tz;
	mail->cache_loaded = true;
	mail_cache_write(mail);
	return 0;
}

static int mail_cache_get(struct mail *mail)
{
	struct mail_error_sink *prev = mailbox_begin(mail->box);
	int ret = storage_error_is_set() ? -1 : mail_cache_load(mail);

	mailbox_end(mail->box, prev);
	return ret;
}

int mail_get_sent_date(struct mail *mail, time_t *date_r, int *tz_offset_r)
{
	if (mail_cache_get(mail) < 0)
		return -1;
	*date_r = mail->sent;
	if (tz_offset_r != NULL)
		*tz_offset_r = mail->sent_tz;
	return 0;
}

int mail_get_envelope(struct mail *mail, const char **envelope_r)
{
	if (mail_cache_get(mail) < 0)
		return -1;
	*envelope_r = mail->envelope;
	return 0;
}

int mail_get_bodystructure(struct mail *mail, const char **bodystructure_r)
{
	if (mail_cache_get(mail) < 0 || mail->bodystructure == NULL)
		return -1;
	*bodystructure_r = mail->bodystructure;
	return 0;
}

int mail_get_body(struct mail *mail, const char **body_r)
{
	if (mail_cache_get(mail) < 0 || mail->body == NULL)
		return -1;
	*body_r = mail->body;
	return 0;
}

int mail_get_parts(struct mail *mail, const unsigned char **data_r,
		   size_t *size_r)
{
	if (mail_cache_get(mail) < 0)
		return -1;
	*data_r = mail->parts;
	*size_r = mail->parts_size;
	return 0;
}
