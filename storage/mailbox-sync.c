/* Bringing a session's view up to date and saying what changed, in the
   order IMAP must say it: expunges (when allowed), then new messages,
   then flag changes. The view holds UIDs as ranges; expunges are found
   from the index's expunge table by MODSEQ (or, when that no longer
   reaches back far enough, by comparing every UID), new messages by UID,
   flag changes by MODSEQ. */

#include "pool.h"
#include "storage-private.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A view reads the index at least this often even when the change count
   says nothing changed (see index-changes.h). */
#define MAILBOX_SYNC_READ_INTERVAL_MSECS 1000

static int mailbox_query_uids(struct mailbox *box, enum index_stmt id,
			      uint64_t arg, struct seq_range_set *uids)
{
	struct index_db *db = box->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, id);
	int rc;

	sqlite3_bind_int64(stmt, 1, box->ibox->b.index_id);
	if (id != INDEX_STMT_MSG_UIDS)
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)arg);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		seq_range_set_add(uids,
				  (uint32_t)sqlite3_column_int64(stmt, 0));
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : index_db_error(db, rc, "query UIDs");
}

/* UIDs of the view that are no longer in the mailbox. */
static int mailbox_find_expunged(struct mailbox *box,
				 struct seq_range_set *expunged)
{
	struct seq_range_set existing;
	int ret;

	if (box->expunge_modseq >= box->ibox->expunge_horizon) {
		ret = mailbox_query_uids(box, INDEX_STMT_EXPUNGED_SINCE,
					 box->expunge_modseq, expunged);
		seq_range_set_intersect(expunged, &box->uids);
		return ret;
	}
	/* the expunge table doesn't reach back that far: compare */
	seq_range_set_init(&existing, NULL);
	ret = mailbox_query_uids(box, INDEX_STMT_MSG_UIDS, 0, &existing);
	if (ret == 0) {
		seq_range_set_copy(expunged, &box->uids);
		for (unsigned int i = 0; i < existing.count; i++)
			seq_range_set_remove_range(expunged,
						   existing.ranges[i].first,
						   existing.ranges[i].last);
	}
	seq_range_set_deinit(&existing);
	return ret;
}

static void mailbox_apply_expunges(struct mailbox *box, struct pool *pool,
				   const struct seq_range_set *expunged,
				   struct mailbox_sync_result *result)
{
	uint64_t count = seq_range_set_count(expunged);
	unsigned int n = 0;

	result->expunges = p_new(pool, struct mailbox_sync_expunge, count + 1);
	/* descending: each seq is right when sent in array order */
	for (unsigned int i = expunged->count; i > 0; i--) {
		const struct seq_range *r = &expunged->ranges[i - 1];

		for (uint32_t uid = r->last;; uid--) {
			result->expunges[n].uid = uid;
			result->expunges[n++].seq =
				seq_range_set_position(&box->uids, uid);
			if (uid == r->first)
				break;
		}
	}
	result->expunges_count = n;
	for (unsigned int i = 0; i < expunged->count; i++) {
		seq_range_set_remove_range(&box->uids,
					   expunged->ranges[i].first,
					   expunged->ranges[i].last);
		seq_range_set_remove_range(&box->recent_uids,
					   expunged->ranges[i].first,
					   expunged->ranges[i].last);
	}
	seq_range_set_merge(&result->expunged_uids, expunged);
}

static int mailbox_sync_expunges(struct mailbox *box, struct pool *pool,
				 struct mailbox_sync_result *result)
{
	struct seq_range_set expunged;
	int ret;

	seq_range_set_init(&expunged, NULL);
	ret = mailbox_find_expunged(box, &expunged);
	if (ret == 0 && expunged.count > 0)
		mailbox_apply_expunges(box, pool, &expunged, result);
	if (ret == 0)
		box->expunge_modseq = box->ibox->highest_modseq;
	seq_range_set_deinit(&expunged);
	return ret;
}

static int mailbox_sync_new(struct mailbox *box,
			    struct mailbox_sync_result *result)
{
	uint64_t before = seq_range_set_count(&box->uids);

	if (box->ibox->uidnext <= box->view_uidnext)
		return 0;
	if (mailbox_query_uids(box, INDEX_STMT_MSG_UIDS_FROM, box->view_uidnext,
			       &box->uids) < 0)
		return -1;
	box->view_uidnext = box->ibox->uidnext;
	result->messages_changed = seq_range_set_count(&box->uids) != before;
	return 0;
}

static bool mailbox_is_own_change(struct mailbox *box, uint32_t uid,
				  uint64_t modseq)
{
	for (size_t i = 0; i < box->own.count; i++) {
		if (box->own.v[i].uid == uid && box->own.v[i].modseq == modseq)
			return true;
	}
	return false;
}

static int mailbox_sync_change_cmp(const void *p1, const void *p2)
{
	const struct mailbox_sync_change *c1 = p1, *c2 = p2;

	return c1->seq < c2->seq ? -1 : c1->seq > c2->seq;
}

/* Flag changes of messages the session knew before this sync. */
static int mailbox_sync_changes(struct mailbox *box, struct pool *pool,
				uint32_t old_uidnext,
				struct mailbox_sync_result *result)
{
	struct index_db *db = box->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_CHANGED_SINCE);
	ARRAY(struct mailbox_sync_change) changes = ARRAY_INIT;
	int rc;

	sqlite3_bind_int64(stmt, 1, box->ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)box->view_modseq);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		uint32_t uid = (uint32_t)sqlite3_column_int64(stmt, 0);
		uint64_t modseq = (uint64_t)sqlite3_column_int64(stmt, 3);
		struct mailbox_sync_change *change;
		uint32_t seq;

		if (uid >= old_uidnext ||
		    mailbox_is_own_change(box, uid, modseq))
			continue;
		seq = seq_range_set_position(&box->uids, uid);
		if (seq == 0)
			continue;
		change = array_push_new(&changes);
		change->seq = seq;
		change->uid = uid;
		change->flags = (enum mail_flags)(
			sqlite3_column_int64(stmt, 1) & MAIL_FLAGS_STORABLE);
		if (seq_range_set_contains(&box->recent_uids, uid))
			change->flags |= MAIL_RECENT;
		change->keywords = index_mailbox_keyword_names(
			box->ibox, (uint64_t)sqlite3_column_int64(stmt, 2),
			pool);
		change->modseq = modseq;
	}
	sqlite3_reset(stmt);
	if (changes.count > 1)
		qsort(changes.v, changes.count, sizeof(*changes.v),
		      mailbox_sync_change_cmp);
	result->changes =
		p_new(pool, struct mailbox_sync_change, changes.count + 1);
	if (changes.count > 0)
		memcpy(result->changes, changes.v,
		       changes.count * sizeof(*changes.v));
	result->changes_count = (unsigned int)changes.count;
	array_free(&changes);
	return rc == SQLITE_DONE ? 0 : index_db_error(db, rc, "changes");
}

/* Everything the view reads, in one read transaction: one snapshot of
   the index, and one round of SQLite's locks instead of one a query. */
static int mailbox_sync_read(struct mailbox *box, enum mailbox_sync_flags flags,
			     struct pool *pool,
			     struct mailbox_sync_result *result)
{
	struct index_mailbox *ibox = box->ibox;
	uint32_t old_uidnext = box->view_uidnext;
	int ret;

	ret = index_mailbox_refresh(ibox);
	if (ret < 0)
		return -1;
	if (ret == 0 || ibox->b.record.uidvalidity != box->uidvalidity) {
		result->mailbox_lost = true;
		return 0;
	}
	/* another process may have defined keywords */
	if (index_mailbox_load_keywords(ibox) < 0)
		return -1;
	if ((flags & MAILBOX_SYNC_FLAG_NO_EXPUNGES) == 0 &&
	    mailbox_sync_expunges(box, pool, result) < 0)
		return -1;
	if (mailbox_sync_new(box, result) < 0 ||
	    mailbox_sync_changes(box, pool, old_uidnext, result) < 0)
		return -1;
	box->view_modseq = ibox->highest_modseq;
	array_clear(&box->own);
	if (ibox->b.keywords_count != box->keywords_count) {
		result->keywords_changed = true;
		box->keywords_count = ibox->b.keywords_count;
	}
	return 0;
}

static int64_t mailbox_sync_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* True when the index's change count is where the view's last read left
   it, and that read was recent: nothing any process committed since can
   be missing from the view, and reading again would find no change. The
   count is read into *changes_r (set *have_changes_r) either way, before
   a read that follows, so that a commit racing with that read shows up
   at the next sync. */
static bool mailbox_sync_unchanged(struct mailbox *box, int64_t now_ms,
				   uint64_t *changes_r, bool *have_changes_r)
{
	*have_changes_r = index_db_get_changes(box->user->db, changes_r);
	return *have_changes_r && box->synced_changes_set &&
	       box->synced_changes == *changes_r &&
	       now_ms - box->synced_ms < MAILBOX_SYNC_READ_INTERVAL_MSECS;
}

static int mailbox_sync_view(struct mailbox *box, enum mailbox_sync_flags flags,
			     struct pool *pool,
			     struct mailbox_sync_result *result)
{
	struct index_db *db = box->user->db;
	uint64_t recent_before = seq_range_set_count(&box->recent_uids);
	int64_t now_ms = mailbox_sync_now_ms();
	uint64_t changes;
	bool have_changes;
	int ret;

	if ((flags & MAILBOX_SYNC_FLAG_FAST) == 0) {
		enum backend_sync_flags bflags =
			(flags & MAILBOX_SYNC_FLAG_FULL) != 0
				? BACKEND_SYNC_FLAG_FORCE
				: 0;

		if (index_mailbox_sync_files(box->ibox, bflags) < 0)
			return -1;
	}
	if (mailbox_sync_unchanged(box, now_ms, &changes, &have_changes))
		return 0;
	if (index_db_begin_read(db) < 0)
		return -1;
	ret = mailbox_sync_read(box, flags, pool, result);
	index_db_end_read(db);
	/* a read that left expunges for later must be made again by the
	   sync that may report them */
	box->synced_changes_set =
		ret == 0 && have_changes && !result->mailbox_lost &&
		((flags & MAILBOX_SYNC_FLAG_NO_EXPUNGES) == 0 ||
		 box->expunge_modseq == box->ibox->highest_modseq);
	box->synced_changes = changes;
	box->synced_ms = now_ms;
	/* new messages become \Recent here (a write, after the reads) */
	if (ret == 0 && result->messages_changed) {
		ret = mailbox_claim_recent(box);
		result->recent_changed =
			seq_range_set_count(&box->recent_uids) != recent_before;
	}
	return ret;
}

int mailbox_sync(struct mailbox *box, enum mailbox_sync_flags flags,
		 struct pool *pool, struct mailbox_sync_result *result_r)
{
	struct mail_error_sink *prev = mailbox_begin(box);
	int ret = -1;

	i_assert(box->opened);
	memset(result_r, 0, sizeof(*result_r));
	seq_range_set_init(&result_r->expunged_uids, pool);
	/* the index may have been replaced meanwhile: look the mailbox up
	   again; the view goes on if its UIDVALIDITY is the same */
	ret = mailbox_lookup(box);
	if (ret > 0) {
		ret = mailbox_sync_view(box, flags, pool, result_r);
	} else if (ret == 0) {
		/* deleted: not an error of this call */
		box->error.code = MAIL_ERROR_NONE;
		box->error.text[0] = '\0';
		result_r->mailbox_lost = true;
	}
	result_r->messages = mailbox_get_messages_count(box);
	result_r->recent = (uint32_t)seq_range_set_count(&box->recent_uids);
	result_r->highest_modseq = box->view_modseq;
	if ((flags & MAILBOX_SYNC_FLAG_IDLE) != 0)
		index_db_release_memory(box->user->db);
	mailbox_end(box, prev);
	return ret;
}

int mailbox_get_vanished_since(struct mailbox *box, uint64_t modseq,
			       const struct seq_range_set *known_uids,
			       struct pool *pool, struct seq_range_set *uids_r)
{
	struct mail_error_sink *prev = mailbox_begin(box);
	struct seq_range_set existing;
	int ret = -1;

	seq_range_set_init(uids_r, pool);
	if (mailbox_lookup(box) <= 0)
		goto out;
	if (modseq >= box->ibox->expunge_horizon) {
		ret = mailbox_query_uids(box, INDEX_STMT_EXPUNGED_SINCE, modseq,
					 uids_r);
	} else {
		/* RFC 7162 §3.2.5.1 lets us report UIDs that never existed */
		seq_range_set_init(&existing, NULL);
		ret = mailbox_query_uids(box, INDEX_STMT_MSG_UIDS, 0,
					 &existing);
		if (box->ibox->uidnext > 1)
			seq_range_set_add_range(uids_r, 1,
						box->ibox->uidnext - 1);
		for (unsigned int i = 0; i < existing.count; i++)
			seq_range_set_remove_range(uids_r,
						   existing.ranges[i].first,
						   existing.ranges[i].last);
		seq_range_set_deinit(&existing);
	}
	if (known_uids != NULL)
		seq_range_set_intersect(uids_r, known_uids);
out:
	mailbox_end(box, prev);
	return ret;
}

int mailbox_get_changed_since(struct mailbox *box, uint64_t modseq,
			      struct pool *pool, struct seq_range_set *uids_r)
{
	struct mail_error_sink *prev = mailbox_begin(box);
	struct index_db *db = box->user->db;
	sqlite3_stmt *stmt;
	int rc, ret = -1;

	seq_range_set_init(uids_r, pool);
	if (mailbox_lookup(box) <= 0)
		goto out;
	stmt = index_db_stmt(db, INDEX_STMT_MSG_CHANGED_SINCE);
	sqlite3_bind_int64(stmt, 1, box->ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)modseq);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		seq_range_set_add(uids_r,
				  (uint32_t)sqlite3_column_int64(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		index_db_error(db, rc, "changed since");
	else
		ret = 0;
	seq_range_set_intersect(uids_r, &box->uids);
out:
	mailbox_end(box, prev);
	return ret;
}
