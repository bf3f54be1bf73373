/* Flag changes and expunges. Both change the files first (maildir: rename
   or unlink, under the mailbox lock) and the index after, in one
   transaction with one new MODSEQ: a crash between leaves files that the
   next sync reads back into the index. */

#include "pool.h"
#include "storage-private.h"

#include <string.h>

static int mail_check_writable(struct mailbox *box)
{
	if ((box->flags & MAILBOX_FLAG_READONLY) == 0)
		return 0;
	storage_error_set(MAIL_ERROR_NOTPOSSIBLE, "Mailbox is read-only");
	return -1;
}

/* The keyword bitmask of names, defining new ones when create is set.
   Returns 0, or -1 (PARAMS / LIMIT / TEMP set). */
static int mail_keywords_mask(struct index_mailbox *ibox,
			      const char *const *names, bool create,
			      uint64_t *mask_r)
{
	bool full;
	int idx;

	*mask_r = 0;
	for (unsigned int i = 0; names != NULL && names[i] != NULL; i++) {
		if (mail_keyword_validate(names[i]) < 0) {
			storage_error_set(MAIL_ERROR_PARAMS, "Invalid keyword");
			return -1;
		}
		idx = index_mailbox_keyword(ibox, names[i], create, &full);
		if (idx >= 0) {
			*mask_r |= 1ULL << idx;
		} else if (full) {
			storage_error_set(MAIL_ERROR_LIMIT,
					  "Too many keywords in the mailbox");
			return -1;
		} else if (create) {
			return -1;
		}
	}
	return 0;
}

static void mail_flags_apply(const struct mail_flag_update *update,
			     uint64_t kw_mask, uint32_t *flags,
			     uint64_t *keywords)
{
	uint32_t f = update->flags & MAIL_FLAGS_STORABLE;

	switch (update->modify) {
	case MAIL_MODIFY_ADD:
		*flags |= f;
		*keywords |= kw_mask;
		break;
	case MAIL_MODIFY_REMOVE:
		*flags &= ~f;
		*keywords &= ~kw_mask;
		break;
	case MAIL_MODIFY_REPLACE:
		*flags = (*flags & ~MAIL_FLAGS_STORABLE) | f;
		*keywords = kw_mask;
		break;
	}
}

struct mail_update_ctx {
	struct mailbox *box;
	struct pool *pool;
	const struct mail_flag_update *update;
	const struct seq_range_set *uids;
	uint64_t kw_mask;
	uint64_t modseq;
	ARRAY(struct mail_flag_result) results;
	struct mailbox_update_result *result;
};

static void mail_update_add_result(struct mail_update_ctx *ctx,
				   const struct index_record *rec, bool changed)
{
	struct mailbox *box = ctx->box;
	struct mail_flag_result *res = array_push_new(&ctx->results);

	res->uid = rec->uid;
	res->seq = seq_range_set_position(&box->uids, rec->uid);
	res->flags = rec->flags & MAIL_FLAGS_STORABLE;
	if (seq_range_set_contains(&box->recent_uids, rec->uid))
		res->flags |= MAIL_RECENT;
	res->keywords = index_mailbox_keyword_names(box->ibox, rec->keywords,
						    ctx->pool);
	res->modseq = rec->modseq;
	res->changed = changed;
}

/* Updates one message. Returns 0, or -1. */
static int mail_update_one(struct mail_update_ctx *ctx, struct pool *tmp,
			   const struct index_record *rec)
{
	const struct mail_backend *backend = ctx->box->user->storage.backend;
	struct index_record new_rec = *rec;
	int ret;

	if (ctx->update->use_unchanged_since &&
	    rec->modseq > ctx->update->unchanged_since) {
		seq_range_set_add(&ctx->result->modified_uids, rec->uid);
		return 0;
	}
	mail_flags_apply(ctx->update, ctx->kw_mask, &new_rec.flags,
			 &new_rec.keywords);
	if (new_rec.flags == rec->flags && new_rec.keywords == rec->keywords) {
		mail_update_add_result(ctx, rec, false);
		return 0;
	}
	if ((backend->caps & MAIL_BACKEND_CAP_FLAGS_IN_FILES) != 0) {
		ret = backend->update_flags(&ctx->box->ibox->b, rec, &new_rec,
					    tmp);
		if (ret <= 0) {
			if (ret == 0)
				ctx->result->some_expunged = true;
			return ret;
		}
	}
	if (ctx->modseq == 0)
		ctx->modseq = index_mailbox_next_modseq(ctx->box->ibox);
	new_rec.modseq = ctx->modseq;
	if (index_message_update(ctx->box->ibox, &new_rec) < 0)
		return -1;
	array_push(&ctx->box->own,
		   ((struct mailbox_own_change){ rec->uid, ctx->modseq }));
	mail_update_add_result(ctx, &new_rec, true);
	return 0;
}

static int mail_update_all(struct mail_update_ctx *ctx,
			   const struct seq_range_set *uids)
{
	struct index_mailbox *ibox = ctx->box->ibox;
	struct pool *tmp = pool_create("update", 4096);
	struct index_record *recs;
	unsigned int count;
	int ret;

	ret = index_messages_load(ibox, uids, ctx->pool, &recs, &count);
	if (ret == 0 && count != seq_range_set_count(uids))
		ctx->result->some_expunged = true;
	if (ret == 0 && ctx->update->keywords != NULL)
		ret = mail_keywords_mask(ibox, ctx->update->keywords,
					 ctx->update->modify !=
						 MAIL_MODIFY_REMOVE,
					 &ctx->kw_mask);
	for (unsigned int i = 0; ret == 0 && i < count; i++) {
		ret = mail_update_one(ctx, tmp, &recs[i]);
		if ((i & 255) == 255)
			pool_clear(tmp);
	}
	pool_destroy(&tmp);
	if (ret == 0 && ctx->modseq != 0)
		ret = index_mailbox_write_counters(ibox);
	return ret;
}

static int mail_update_locked_cb(void *context)
{
	struct mail_update_ctx *ctx = context;

	return mail_update_all(ctx, ctx->uids);
}

int mailbox_update_flags(struct mailbox *box, const struct seq_range_set *uids,
			 const struct mail_flag_update *update,
			 struct pool *pool,
			 struct mailbox_update_result *result_r)
{
	struct mail_error_sink *prev = mailbox_begin(box);
	struct mail_update_ctx ctx;
	int ret = -1;

	memset(result_r, 0, sizeof(*result_r));
	seq_range_set_init(&result_r->modified_uids, pool);
	memset(&ctx, 0, sizeof(ctx));
	ctx.box = box;
	ctx.pool = pool;
	ctx.update = update;
	ctx.result = result_r;
	ctx.uids = uids;
	if (mailbox_lookup(box) > 0 && mail_check_writable(box) == 0)
		ret = index_mailbox_change(box->ibox, mail_update_locked_cb,
					   &ctx);
	result_r->messages =
		p_new(pool, struct mail_flag_result, ctx.results.count + 1);
	if (ctx.results.count > 0)
		memcpy(result_r->messages, ctx.results.v,
		       ctx.results.count * sizeof(*ctx.results.v));
	result_r->messages_count = (unsigned int)ctx.results.count;
	array_free(&ctx.results);
	mailbox_end(box, prev);
	if (ret == 0 && ctx.modseq != 0) {
		mail_user_notify_file_touch(box->user);
		mailbox_watch_notify(box->user, box->name);
	}
	return ret;
}

/* ---- expunge ---- */

static int mail_expunge_records(struct mailbox *box,
				const struct index_record *recs,
				unsigned int count)
{
	struct index_mailbox *ibox = box->ibox;
	const struct mail_backend *backend = box->user->storage.backend;
	struct index_db *db = box->user->db;
	uint64_t modseq;
	int ret;

	if (index_mailbox_protect_uids(ibox, recs[count - 1].uid) < 0)
		return -1;
	if (backend->changes_begin != NULL)
		backend->changes_begin(&ibox->b);
	ret = backend->expunge(&ibox->b, recs, count);
	if (ret == 0)
		ret = index_db_begin(db);
	if (ret == 0) {
		modseq = index_mailbox_next_modseq(ibox);
		for (unsigned int i = 0; ret == 0 && i < count; i++)
			ret = index_message_expunge(ibox, recs[i].uid, modseq);
		if (ret == 0)
			ret = index_mailbox_write_counters(ibox);
		if (ret == 0)
			ret = index_db_commit(db);
		else
			index_db_rollback(db);
	}
	if (backend->changes_end != NULL)
		backend->changes_end(&ibox->b);
	if (ret < 0)
		(void)index_mailbox_refresh(ibox);
	return ret;
}

static int mail_expunge_locked(struct mailbox *box,
			       const struct seq_range_set *uids,
			       bool only_deleted, struct pool *pool,
			       struct seq_range_set *expunged_r)
{
	struct index_record *recs;
	unsigned int count, n = 0;
	int ret;

	if (index_mailbox_refresh(box->ibox) <= 0 ||
	    index_messages_load(box->ibox, uids, pool, &recs, &count) < 0)
		return -1;
	for (unsigned int i = 0; i < count; i++) {
		if (!only_deleted || (recs[i].flags & MAIL_DELETED) != 0)
			recs[n++] = recs[i];
	}
	if (n == 0)
		return 0;
	ret = mail_expunge_records(box, recs, n);
	for (unsigned int i = 0; ret == 0 && expunged_r != NULL && i < n; i++)
		seq_range_set_add(expunged_r, recs[i].uid);
	return ret < 0 ? -1 : 1;
}

int mailbox_expunge(struct mailbox *box, const struct seq_range_set *uids,
		    bool only_deleted, struct pool *pool,
		    struct seq_range_set *expunged_r)
{
	struct mail_error_sink *prev = mailbox_begin(box);
	struct pool *tmp = pool_create("expunge", 16 * 1024);
	struct seq_range_set set;
	int ret = -1;

	if (expunged_r != NULL)
		seq_range_set_init(expunged_r, pool);
	seq_range_set_init(&set, NULL);
	if (uids == NULL)
		only_deleted = true;
	seq_range_set_copy(&set, uids != NULL ? uids : &box->uids);
	seq_range_set_intersect(&set, &box->uids);
	if (mailbox_lookup(box) > 0 && mail_check_writable(box) == 0 &&
	    index_mailbox_lock(box->ibox) == 0) {
		ret = mail_expunge_locked(box, &set, only_deleted, tmp,
					  expunged_r);
		index_mailbox_unlock(box->ibox);
	}
	seq_range_set_deinit(&set);
	pool_destroy(&tmp);
	mailbox_end(box, prev);
	if (ret > 0) {
		mail_user_notify_file_touch(box->user);
		mailbox_watch_notify(box->user, box->name);
	}
	return ret < 0 ? -1 : 0;
}
