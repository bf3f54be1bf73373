#include "pool.h"
#include "storage-private.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct mailbox *mailbox_alloc(struct mail_user *user, const char *name,
			      enum mailbox_flags flags,
			      const struct log_ctx *log_ctx)
{
	struct mailbox *box = xnew(struct mailbox, 1);

	mail_user_ref(user);
	box->user = user;
	/* INBOX is case-insensitive, and so is its hierarchy's top */
	if (str_begins_icase(name, "INBOX") &&
	    (name[5] == '\0' || name[5] == MAILBOX_HIERARCHY_SEP)) {
		box->name = xstrdup(name);
		memcpy(box->name, "INBOX", 5);
	} else {
		box->name = xstrdup(name);
	}
	box->flags = flags;
	box->log_ctx = log_ctx;
	seq_range_set_init(&box->uids, NULL);
	seq_range_set_init(&box->recent_uids, NULL);
	return box;
}

void mailbox_free(struct mailbox **_box)
{
	struct mailbox *box = *_box;
	struct mail_user *user;

	if (box == NULL)
		return;
	*_box = NULL;
	user = box->user;
	if (box->ibox != NULL) {
		mail_user_lock_index(user);
		index_mailbox_unref(user, &box->ibox);
		mail_user_unlock_index(user);
	}
	seq_range_set_deinit(&box->uids);
	seq_range_set_deinit(&box->recent_uids);
	array_free(&box->own);
	if (box->pool != NULL)
		pool_destroy(&box->pool);
	free(box->name);
	free(box);
	mail_user_unref(&user);
}

const char *mailbox_get_name(const struct mailbox *box)
{
	return box->name;
}

struct mail_user *mailbox_get_user(const struct mailbox *box)
{
	return box->user;
}

bool mailbox_is_readonly(const struct mailbox *box)
{
	return (box->flags & MAILBOX_FLAG_READONLY) != 0;
}

bool mailbox_is_opened(const struct mailbox *box)
{
	return box->opened;
}

const char *mailbox_get_last_error(struct mailbox *box, enum mail_error *code_r)
{
	if (code_r != NULL)
		*code_r = box->error.code;
	return box->error.text;
}

struct mail_error_sink *mailbox_begin(struct mailbox *box)
{
	struct mail_error_sink *prev = storage_error_push(&box->error);

	mail_user_lock_index(box->user);
	if (mail_user_index_ensure(box->user) < 0) {
		/* the error is set; callers see it at their first step */
	}
	return prev;
}

void mailbox_end(struct mailbox *box, struct mail_error_sink *prev)
{
	mail_user_unlock_index(box->user);
	storage_error_pop(prev);
}

int mailbox_lookup(struct mailbox *box)
{
	const char *error;
	int ret;

	if (storage_error_is_set())
		return -1;
	if (box->ibox != NULL) {
		if (box->ibox->b.index_id != 0 && !box->ibox->missing)
			return 1;
		index_mailbox_unref(box->user, &box->ibox);
	}
	/* a reopened index: the view reads it at its next sync */
	box->synced_changes_set = false;
	if (mailbox_name_validate(box->name, &error) < 0) {
		storage_error_set(MAIL_ERROR_PARAMS, error);
		return -1;
	}
	ret = index_mailbox_get(box->user, box->name, &box->ibox);
	if (ret == 0)
		storage_error_set(MAIL_ERROR_NOTFOUND, "Mailbox doesn't exist");
	return ret;
}

int mailbox_exists(struct mailbox *box)
{
	struct mail_error_sink *prev = mailbox_begin(box);
	int ret = mailbox_lookup(box);

	if (ret == 0) {
		/* not an error for this call */
		box->error.code = MAIL_ERROR_NONE;
		box->error.text[0] = '\0';
	}
	mailbox_end(box, prev);
	return ret;
}

/* Loads the view's UIDs from the index. */
static int mailbox_load_uids(struct mailbox *box)
{
	struct index_db *db = box->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_UIDS);
	int rc;

	seq_range_set_clear(&box->uids);
	sqlite3_bind_int64(stmt, 1, box->ibox->b.index_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		seq_range_set_add(&box->uids,
				  (uint32_t)sqlite3_column_int64(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return index_db_error(db, rc, "reading UIDs");
	return 0;
}

/* Claims \Recent for the messages from first_recent_uid on: they become
   recent in this view and no other (RFC 3501 §2.3.2). Adds the claimed
   UIDs of uids to the view's recent set. */
int mailbox_claim_recent(struct mailbox *box)
{
	struct index_mailbox *ibox = box->ibox;
	struct index_db *db = box->user->db;
	sqlite3_stmt *stmt;
	uint32_t from;

	if ((box->flags & (MAILBOX_FLAG_READONLY | MAILBOX_FLAG_NO_RECENT)) !=
	    0)
		return 0;
	if (index_db_begin(db) < 0)
		return -1;
	if (index_mailbox_refresh(ibox) <= 0) {
		index_db_rollback(db);
		return -1;
	}
	from = ibox->first_recent_uid;
	if (from >= ibox->uidnext) {
		index_db_rollback(db);
		return 0;
	}
	stmt = index_db_stmt(db, INDEX_STMT_MAILBOX_SET_RECENT);
	sqlite3_bind_int64(stmt, 1, ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, ibox->uidnext);
	if (index_db_exec_stmt(db, stmt) < 0 || index_db_commit(db) < 0) {
		if (db->in_transaction)
			index_db_rollback(db);
		return -1;
	}
	ibox->first_recent_uid = ibox->uidnext;
	for (unsigned int i = 0; i < box->uids.count; i++) {
		const struct seq_range *r = &box->uids.ranges[i];

		if (r->last >= from)
			seq_range_set_add_range(
				&box->recent_uids,
				r->first > from ? r->first : from, r->last);
	}
	return 0;
}

static int mailbox_open_view(struct mailbox *box)
{
	struct index_mailbox *ibox = box->ibox;

	if (index_mailbox_sync_files(ibox, 0) < 0 ||
	    index_mailbox_refresh(ibox) <= 0 || mailbox_load_uids(box) < 0)
		return -1;
	box->uidvalidity = ibox->b.record.uidvalidity;
	box->view_uidnext = ibox->uidnext;
	box->view_modseq = ibox->highest_modseq;
	box->expunge_modseq = ibox->highest_modseq;
	box->keywords_count = ibox->b.keywords_count;
	seq_range_set_clear(&box->recent_uids);
	if (mailbox_claim_recent(box) < 0)
		return -1;
	box->opened = true;
	return 0;
}

int mailbox_open(struct mailbox *box)
{
	struct mail_error_sink *prev = mailbox_begin(box);
	int ret;

	i_assert(!box->opened);
	ret = mailbox_lookup(box);
	if (ret > 0) {
		if ((box->flags & MAILBOX_FLAG_SAVE_ONLY) != 0) {
			box->opened = true;
			ret = 0;
		} else {
			ret = mailbox_open_view(box);
		}
	} else {
		ret = -1;
	}
	mailbox_end(box, prev);
	return ret;
}

uint32_t mailbox_get_messages_count(const struct mailbox *box)
{
	return (uint32_t)seq_range_set_count(&box->uids);
}

uint32_t mailbox_seq_to_uid(const struct mailbox *box, uint32_t seq)
{
	return seq_range_set_nth(&box->uids, seq);
}

uint32_t mailbox_uid_to_seq(const struct mailbox *box, uint32_t uid)
{
	return seq_range_set_position(&box->uids, uid);
}

const struct seq_range_set *mailbox_get_uids(const struct mailbox *box)
{
	return &box->uids;
}

/* Adds the UIDs of sequence numbers first..last (1-based) of the view.
   One pass over the ranges. */
static void mailbox_add_seq_range(const struct mailbox *box, uint32_t first,
				  uint32_t last, struct seq_range_set *uids_r)
{
	uint64_t pos = 1;

	for (unsigned int i = 0; i < box->uids.count && pos <= last; i++) {
		const struct seq_range *r = &box->uids.ranges[i];
		uint64_t len = (uint64_t)r->last - r->first + 1;
		uint64_t from = first > pos ? first : pos;
		uint64_t to = last < pos + len - 1 ? last : pos + len - 1;

		if (from <= to) {
			seq_range_set_add_range(
				uids_r, r->first + (uint32_t)(from - pos),
				r->first + (uint32_t)(to - pos));
		}
		pos += len;
	}
}

int mailbox_seqset_to_uids(const struct mailbox *box,
			   const struct seq_range_set *seqs,
			   struct seq_range_set *uids_r)
{
	uint32_t count = mailbox_get_messages_count(box);
	int ret = 0;

	for (unsigned int i = 0; i < seqs->count; i++) {
		struct seq_range r =
			seq_range_resolve_star(seqs->ranges[i], count);
		uint32_t first = r.first, last = r.last;

		if (last > count) {
			if (count > 0)
				ret = -1;
			last = count;
		}
		if (first == 0)
			first = 1;
		if (first <= last)
			mailbox_add_seq_range(box, first, last, uids_r);
	}
	return ret;
}

void mailbox_uidset_in_view(const struct mailbox *box,
			    const struct seq_range_set *uids,
			    struct seq_range_set *uids_r)
{
	uint32_t max_uid = seq_range_set_max(&box->uids);
	struct seq_range_set resolved;

	seq_range_set_init(&resolved, NULL);
	for (unsigned int i = 0; i < uids->count; i++) {
		uint32_t first = uids->ranges[i].first;
		uint32_t last = uids->ranges[i].last;

		/* "*" is the highest UID, and "n:*" includes it even when n
		   is past it (RFC 9051 §6.4.8) */
		if (last == SEQ_RANGE_STAR) {
			last = max_uid;
			if (first == SEQ_RANGE_STAR || first > max_uid)
				first = max_uid;
		}
		if (max_uid != 0)
			seq_range_set_add_range(&resolved, first, last);
	}
	seq_range_set_intersect(&resolved, &box->uids);
	seq_range_set_merge(uids_r, &resolved);
	seq_range_set_deinit(&resolved);
}
