#include "pool.h"
#include "mail-private.h"

#include <stdio.h>
#include <string.h>

struct mailbox_counts {
	uint32_t messages, unseen, deleted;
	uint64_t size;
	uint32_t unknown_sizes;
};

static int mailbox_get_counts(struct mailbox *box,
			      struct mailbox_counts *counts_r)
{
	struct index_db *db = box->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_COUNTS);
	int rc;

	memset(counts_r, 0, sizeof(*counts_r));
	sqlite3_bind_int64(stmt, 1, box->ibox->b.index_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		counts_r->messages = (uint32_t)sqlite3_column_int64(stmt, 0);
		counts_r->unseen = (uint32_t)sqlite3_column_int64(stmt, 1);
		counts_r->deleted = (uint32_t)sqlite3_column_int64(stmt, 2);
		counts_r->size = (uint64_t)sqlite3_column_int64(stmt, 3);
		counts_r->unknown_sizes =
			(uint32_t)sqlite3_column_int64(stmt, 4);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 0 : index_db_error(db, rc, "counting");
}

static uint32_t mailbox_count_recent(struct mailbox *box)
{
	struct index_db *db = box->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_COUNT_RECENT);
	uint32_t count = 0;

	sqlite3_bind_int64(stmt, 1, box->ibox->b.index_id);
	sqlite3_bind_int64(stmt, 2, box->ibox->first_recent_uid);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		count = (uint32_t)sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return count;
}

/* The sequence number of the first message in the view without \Seen. */
static uint32_t mailbox_first_unseen_seq(struct mailbox *box)
{
	struct index_db *db = box->user->db;
	sqlite3_stmt *stmt = index_db_stmt(db, INDEX_STMT_MSG_UNSEEN_UIDS);
	uint32_t seq = 0;

	sqlite3_bind_int64(stmt, 1, box->ibox->b.index_id);
	while (seq == 0 && sqlite3_step(stmt) == SQLITE_ROW) {
		uint32_t uid = (uint32_t)sqlite3_column_int64(stmt, 0);

		seq = seq_range_set_position(&box->uids, uid);
	}
	sqlite3_reset(stmt);
	return seq;
}

static void mailbox_status_keywords(struct mailbox *box,
				    struct mailbox_status *status_r)
{
	struct index_mailbox *ibox = box->ibox;
	const char **names;
	unsigned int n = 0;

	if (box->pool == NULL)
		box->pool = pool_create("mailbox", 1024);
	else
		pool_clear(box->pool);
	names = p_new(box->pool, const char *, ibox->b.keywords_count + 1);
	for (unsigned int i = 0; i < ibox->b.keywords_count; i++) {
		if (ibox->b.keywords[i][0] != '\0')
			names[n++] =
				pool_strdup(box->pool, ibox->b.keywords[i]);
	}
	status_r->keywords = names;
	status_r->allow_new_keywords =
		ibox->b.keywords_count < MAILBOX_MAX_KEYWORDS &&
		(box->flags & MAILBOX_FLAG_READONLY) == 0;
	box->keywords_count = ibox->b.keywords_count;
}

static int mailbox_status_fill(struct mailbox *box,
			       enum mailbox_status_items items,
			       struct mailbox_status *status_r)
{
	struct index_mailbox *ibox = box->ibox;
	struct mailbox_counts counts;
	const enum mailbox_status_items count_items =
		STATUS_MESSAGES | STATUS_UNSEEN | STATUS_DELETED | STATUS_SIZE;

	if ((items & count_items) != 0 && mailbox_get_counts(box, &counts) < 0)
		return -1;
	if ((items & STATUS_SIZE) != 0 && counts.unknown_sizes > 0) {
		if (mail_fill_sizes(box) < 0 ||
		    mailbox_get_counts(box, &counts) < 0)
			return -1;
	}
	status_r->messages =
		box->opened ? mailbox_get_messages_count(box) : counts.messages;
	status_r->unseen = counts.unseen;
	status_r->deleted = counts.deleted;
	status_r->size = counts.size;
	if ((items & STATUS_RECENT) != 0) {
		status_r->recent = box->opened ? (uint32_t)seq_range_set_count(
							 &box->recent_uids)
					       : mailbox_count_recent(box);
	}
	status_r->uidnext = ibox->uidnext;
	status_r->uidvalidity = ibox->b.record.uidvalidity;
	status_r->highest_modseq = ibox->highest_modseq;
	status_r->special_use = ibox->b.record.special_use;
	for (unsigned int i = 0; i < 16; i++)
		snprintf(status_r->mailbox_id + i * 2, 3, "%02x",
			 ibox->b.record.guid[i]);
	if ((items & STATUS_FIRST_UNSEEN_SEQ) != 0 && box->opened)
		status_r->first_unseen_seq = mailbox_first_unseen_seq(box);
	if ((items & STATUS_KEYWORDS) != 0)
		mailbox_status_keywords(box, status_r);
	return 0;
}

int mailbox_get_status(struct mailbox *box, enum mailbox_status_items items,
		       struct mailbox_status *status_r)
{
	struct mail_error_sink *prev = mailbox_begin(box);
	int ret = -1;
	static const char *const no_keywords[] = { NULL };

	memset(status_r, 0, sizeof(*status_r));
	status_r->keywords = no_keywords;
	if (mailbox_lookup(box) <= 0)
		goto out;
	/* STATUS of a mailbox another program changed */
	if (!box->opened && index_mailbox_sync_files(box->ibox, 0) < 0)
		goto out;
	if (index_mailbox_refresh(box->ibox) <= 0) {
		if (!storage_error_is_set())
			storage_error_set(MAIL_ERROR_NOTFOUND,
					  "Mailbox doesn't exist");
		goto out;
	}
	ret = mailbox_status_fill(box, items, status_r);
out:
	mailbox_end(box, prev);
	return ret;
}
