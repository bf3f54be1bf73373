/* Iterating over messages for FETCH, POP3 and search: index rows are read
   in batches (so that no SQLite statement stays open between calls, which
   may come from different pool threads), in UID order, with the sequence
   number tracked by a cursor over the view's ranges. A batch reads what
   the fields ask for in one statement: only flags for FLAGS, the cached
   ENVELOPE/BODYSTRUCTURE with the rows when those are wanted; anything
   else is read per message on demand. */

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
/* One statement reads across gaps of up to this many UIDs between the
   ranges asked for, skipping the rows in them: a mailbox with scattered
   expunges (FETCH 1:* asks for its view) would otherwise cost a
   statement per range. */
#define MAIL_FETCH_GAP_MAX 64

/* Fields a FLAGS-only row (INDEX_STMT_MSG_RANGE_FLAGS) answers. */
#define MAIL_FETCH_FIELDS_FLAGS_ROW (MAIL_FETCH_FLAGS | MAIL_FETCH_MODSEQ)
/* Fields that read the message cache. */
#define MAIL_FETCH_FIELDS_CACHE                                             \
	(MAIL_FETCH_ENVELOPE | MAIL_FETCH_BODYSTRUCTURE | MAIL_FETCH_BODY | \
	 MAIL_FETCH_PARTS)

struct mail_fetch_ctx {
	struct mailbox *box;
	enum mail_fetch_field fields;
	enum index_stmt batch_stmt;
	struct seq_range_set uids;
	/* next UID to read */
	unsigned int range_idx;
	uint32_t next_uid;
	bool done;

	struct pool *batch_pool;
	struct index_record *batch;
	/* with INDEX_STMT_MSG_RANGE_CACHE, else NULL */
	struct mail_cached *batch_cached;
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
	if ((fields & ~MAIL_FETCH_FIELDS_FLAGS_ROW) == 0)
		ctx->batch_stmt = INDEX_STMT_MSG_RANGE_FLAGS;
	else if ((fields & MAIL_FETCH_FIELDS_CACHE) != 0)
		ctx->batch_stmt = INDEX_STMT_MSG_RANGE_CACHE;
	else
		ctx->batch_stmt = INDEX_STMT_MSG_RANGE;
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

static const char *mail_fetch_column_str(sqlite3_stmt *stmt, int col,
					 struct pool *pool)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	return text == NULL ? NULL : pool_strdup(pool, (const char *)text);
}

/* The cache columns sent, sent_tz, envelope, bodystructure, body, parts
   from column col on (INDEX_STMT_CACHE_GET, INDEX_STMT_MSG_RANGE_CACHE);
   not loaded when the envelope is NULL (no cache row). */
static void mail_cached_from_row(sqlite3_stmt *stmt, int col, struct pool *pool,
				 struct mail_cached *cached_r)
{
	memset(cached_r, 0, sizeof(*cached_r));
	if (sqlite3_column_type(stmt, col + 2) == SQLITE_NULL)
		return;
	cached_r->loaded = true;
	cached_r->sent = (time_t)sqlite3_column_int64(stmt, col);
	cached_r->sent_tz = sqlite3_column_int(stmt, col + 1);
	cached_r->envelope = mail_fetch_column_str(stmt, col + 2, pool);
	cached_r->bodystructure = mail_fetch_column_str(stmt, col + 3, pool);
	cached_r->body = mail_fetch_column_str(stmt, col + 4, pool);
	cached_r->parts_size = (size_t)sqlite3_column_bytes(stmt, col + 5);
	cached_r->parts = pool_memdup(pool, sqlite3_column_blob(stmt, col + 5),
				      cached_r->parts_size);
}

static void mail_fetch_read_row(struct mail_fetch_ctx *ctx, sqlite3_stmt *stmt,
				struct index_record *rec_r)
{
	if (ctx->batch_stmt != INDEX_STMT_MSG_RANGE_FLAGS) {
		index_record_from_row(stmt, ctx->batch_pool, rec_r);
		return;
	}
	memset(rec_r, 0, sizeof(*rec_r));
	rec_r->uid = (uint32_t)sqlite3_column_int64(stmt, 0);
	rec_r->flags = (uint32_t)sqlite3_column_int64(stmt, 1);
	rec_r->keywords = (uint64_t)sqlite3_column_int64(stmt, 2);
	rec_r->modseq = (uint64_t)sqlite3_column_int64(stmt, 3);
}

/* The last UID of the ranges from range_idx on that are apart by at most
   MAIL_FETCH_GAP_MAX: one statement reads them. */
static uint32_t mail_fetch_run_last(const struct mail_fetch_ctx *ctx)
{
	const struct seq_range *ranges = ctx->uids.ranges;
	unsigned int i = ctx->range_idx;

	while (i + 1 < ctx->uids.count &&
	       ranges[i + 1].first - ranges[i].last <= MAIL_FETCH_GAP_MAX)
		i++;
	return ranges[i].last;
}

/* Whether uid was asked for; *idx is a cursor over the ranges (the rows
   come in ascending UID order). */
static bool mail_fetch_wanted(const struct mail_fetch_ctx *ctx,
			      unsigned int *idx, uint32_t uid)
{
	while (*idx < ctx->uids.count && ctx->uids.ranges[*idx].last < uid)
		(*idx)++;
	return *idx < ctx->uids.count && ctx->uids.ranges[*idx].first <= uid;
}

/* Moves past the asked UIDs up to to; returns how many those were. */
static unsigned int mail_fetch_advance(struct mail_fetch_ctx *ctx, uint32_t to)
{
	unsigned int n = 0;

	while (!ctx->done) {
		const struct seq_range *r = &ctx->uids.ranges[ctx->range_idx];

		if (ctx->next_uid > to)
			break;
		if (r->last > to) {
			n += to - ctx->next_uid + 1;
			ctx->next_uid = to + 1;
			break;
		}
		n += r->last - ctx->next_uid + 1;
		if (++ctx->range_idx == ctx->uids.count)
			ctx->done = true;
		else
			ctx->next_uid = ctx->uids.ranges[ctx->range_idx].first;
	}
	return n;
}

/* Reads the next batch of rows. Lock held. */
static int mail_fetch_load_batch(struct mail_fetch_ctx *ctx)
{
	struct index_db *db = ctx->box->user->db;
	ARRAY(struct index_record) recs = ARRAY_INIT;
	ARRAY(struct mail_cached) cached = ARRAY_INIT;
	sqlite3_stmt *stmt = index_db_stmt(db, ctx->batch_stmt);
	uint32_t covered_to = mail_fetch_run_last(ctx), uid = 0;
	unsigned int idx = ctx->range_idx, rows = 0;
	int rc;

	pool_clear(ctx->batch_pool);
	sqlite3_bind_int64(stmt, 1, ctx->box->ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, ctx->next_uid);
	sqlite3_bind_int64(stmt, 3, covered_to);
	sqlite3_bind_int(stmt, 4, MAIL_FETCH_BATCH);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		rows++;
		uid = (uint32_t)sqlite3_column_int64(stmt, 0);
		if (!mail_fetch_wanted(ctx, &idx, uid))
			continue;
		mail_fetch_read_row(ctx, stmt, array_push_new(&recs));
		if (ctx->batch_stmt == INDEX_STMT_MSG_RANGE_CACHE)
			mail_cached_from_row(stmt, 13, ctx->batch_pool,
					     array_push_new(&cached));
	}
	sqlite3_reset(stmt);
	ctx->batch_cached = NULL;
	if (cached.count > 0) {
		ctx->batch_cached = p_new(ctx->batch_pool, struct mail_cached,
					  cached.count);
		memcpy(ctx->batch_cached, cached.v,
		       cached.count * sizeof(*cached.v));
	}
	array_free(&cached);
	if (rc != SQLITE_DONE) {
		array_free(&recs);
		return index_db_error(db, rc, "fetch");
	}
	if (rows == MAIL_FETCH_BATCH)
		covered_to = uid;
	/* UIDs of the view the index no longer has were expunged */
	ctx->expunged_count +=
		mail_fetch_advance(ctx, covered_to) - (unsigned int)recs.count;
	ctx->batch =
		p_new(ctx->batch_pool, struct index_record, recs.count + 1);
	if (recs.count > 0)
		memcpy(ctx->batch, recs.v, recs.count * sizeof(*recs.v));
	ctx->batch_count = (unsigned int)recs.count;
	ctx->batch_pos = 0;
	array_free(&recs);
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

static void mail_fetch_set(struct mail_fetch_ctx *ctx, unsigned int idx)
{
	const struct index_record *rec = &ctx->batch[idx];
	const struct mail_cached *cached =
		ctx->batch_cached == NULL ? NULL : &ctx->batch_cached[idx];
	struct mail *mail = &ctx->mail;
	struct pool *pool = mail->pool;

	pool_clear(pool);
	memset(mail, 0, sizeof(*mail));
	mail->ctx = ctx;
	mail->box = ctx->box;
	mail->pool = pool;
	mail->rec = *rec;
	mail->partial = ctx->batch_stmt == INDEX_STMT_MSG_RANGE_FLAGS;
	mail->received_tz = rec->received_tz_offset;
	mail->seq = mail_fetch_seq(ctx, rec->uid);
	/* the batch pool lives until the next batch is read, which is
	   after this message */
	if (cached != NULL)
		mail->cache = *cached;
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
	mail_fetch_set(ctx, ctx->batch_pos++);
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

/* Reads the rest of a partial row. Lock held. Returns 0, or -1 (EXPUNGED
   when the row is gone). */
static int mail_rec_complete(struct mail *mail)
{
	struct index_record rec;
	int ret;

	if (!mail->partial)
		return 0;
	ret = index_message_get(mail->box->ibox, mail->rec.uid, mail->pool,
				&rec);
	if (ret == 0)
		storage_error_set(MAIL_ERROR_EXPUNGED, "Message was expunged");
	if (ret <= 0)
		return -1;
	mail->rec = rec;
	mail->received_tz = rec.received_tz_offset;
	mail->partial = false;
	return 0;
}

/* mail_rec_complete() for an accessor that needs more than flags. */
static int mail_rec_get(struct mail *mail)
{
	struct mail_error_sink *prev;
	int ret;

	if (!mail->partial)
		return 0;
	prev = mailbox_begin(mail->box);
	ret = storage_error_is_set() ? -1 : mail_rec_complete(mail);
	mailbox_end(mail->box, prev);
	return ret;
}

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

	if (mail_rec_get(mail) < 0)
		return -1;
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
	if (mail_rec_get(mail) < 0)
		return -1;
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

	if (mail_rec_get(mail) < 0)
		return -1;
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

	if (mail_rec_get(mail) < 0)
		return -1;
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

	if (storage_error_is_set() || mail_rec_complete(mail) < 0)
		ret = -1;
	else
		ret = mail_data_open(mail->box, &mail->rec, mail->pool, data_r);
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
	if (rc == SQLITE_ROW)
		mail_cached_from_row(stmt, 0, mail->pool, &mail->cache);
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
	sqlite3_bind_int64(stmt, 3, mail->cache.sent);
	sqlite3_bind_int(stmt, 4, mail->cache.sent_tz);
	sqlite3_bind_text(stmt, 5, mail->cache.envelope, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, mail->cache.bodystructure, -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, mail->cache.body, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 8, mail->cache.parts,
			  (int)mail->cache.parts_size, SQLITE_STATIC);
	(void)index_db_exec_stmt(db, stmt);
}

int mail_cache_load(struct mail *mail)
{
	struct mail_glue_parsed parsed;
	struct mail_data data;
	int ret;

	if (mail->cache.loaded)
		return 0;
	if (mail_cache_read(mail) < 0)
		return -1;
	if (mail->cache.loaded)
		return 0;
	if (mail_rec_complete(mail) < 0 ||
	    mail_data_open(mail->box, &mail->rec, mail->pool, &data) <= 0)
		return -1;
	ret = mail_glue_parse(mail->pool, data.data, data.size, &parsed);
	mail_data_release(&data);
	if (ret < 0 || parsed.envelope == NULL) {
		backend_set_critical(&mail->box->ibox->b,
				     "parsing message UID %u failed",
				     mail->rec.uid);
		return -1;
	}
	mail->cache.envelope = parsed.envelope;
	mail->cache.bodystructure = parsed.bodystructure;
	mail->cache.body = parsed.body;
	mail->cache.parts = parsed.parts;
	mail->cache.parts_size = parsed.parts_size;
	mail->cache.sent = parsed.sent_date;
	mail->cache.sent_tz = parsed.sent_tz;
	mail->cache.loaded = true;
	mail_cache_write(mail);
	return 0;
}

static int mail_cache_get(struct mail *mail)
{
	struct mail_error_sink *prev;
	int ret;

	/* read with the batch */
	if (mail->cache.loaded)
		return 0;
	prev = mailbox_begin(mail->box);
	ret = storage_error_is_set() ? -1 : mail_cache_load(mail);

	mailbox_end(mail->box, prev);
	return ret;
}

int mail_get_sent_date(struct mail *mail, time_t *date_r, int *tz_offset_r)
{
	if (mail_cache_get(mail) < 0)
		return -1;
	*date_r = mail->cache.sent;
	if (tz_offset_r != NULL)
		*tz_offset_r = mail->cache.sent_tz;
	return 0;
}

int mail_get_envelope(struct mail *mail, const char **envelope_r)
{
	if (mail_cache_get(mail) < 0)
		return -1;
	*envelope_r = mail->cache.envelope;
	return 0;
}

int mail_get_bodystructure(struct mail *mail, const char **bodystructure_r)
{
	if (mail_cache_get(mail) < 0 || mail->cache.bodystructure == NULL)
		return -1;
	*bodystructure_r = mail->cache.bodystructure;
	return 0;
}

int mail_get_body(struct mail *mail, const char **body_r)
{
	if (mail_cache_get(mail) < 0 || mail->cache.body == NULL)
		return -1;
	*body_r = mail->cache.body;
	return 0;
}

int mail_get_parts(struct mail *mail, const unsigned char **data_r,
		   size_t *size_r)
{
	if (mail_cache_get(mail) < 0)
		return -1;
	*data_r = mail->cache.parts;
	*size_r = mail->cache.parts_size;
	return 0;
}
