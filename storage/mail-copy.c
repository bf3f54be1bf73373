/* COPY and MOVE: a transaction of saves into the destination, made by
   hard links where the backend can and by copying the bytes otherwise,
   committed like any save (durable, contiguous UIDs); MOVE then expunges
   the originals (RFC 6851 allows this non-atomic form). */

#include "mail-private.h"
#include "pool.h"
#include "strfuncs.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct mail_copy_item {
	struct index_record rec;
	const char *const *keywords;
};

/* Reads the source rows (lock held). */
static int mail_copy_load(struct mailbox *src, const struct seq_range_set *uids,
			  struct pool *pool, struct mail_copy_item **items_r,
			  unsigned int *count_r)
{
	struct index_record *recs;
	unsigned int count;

	if (index_messages_load(src->ibox, uids, pool, &recs, &count) < 0)
		return -1;
	if (count < seq_range_set_count(uids)) {
		storage_error_set(MAIL_ERROR_EXPUNGED,
				  "Some of the requested messages no longer "
				  "exist");
		return -1;
	}
	*items_r = p_new(pool, struct mail_copy_item, count + 1);
	for (unsigned int i = 0; i < count; i++) {
		(*items_r)[i].rec = recs[i];
		(*items_r)[i].keywords = index_mailbox_keyword_names(
			src->ibox, recs[i].keywords, pool);
	}
	*count_r = count;
	return 0;
}

/* The message's INTERNALDATE for a copy of its bytes. Lock held. */
static time_t mail_copy_received_date(struct mailbox *src,
				      const struct index_record *rec)
{
	struct backend_stream stream;
	struct stat st;
	time_t date = rec->received_date;

	if (date == 0 && src->user->storage.backend->open_message(
				 &src->ibox->b, rec, &stream) > 0) {
		if (fstat(stream.fd, &st) == 0)
			date = st.st_mtime;
		close(stream.fd);
	}
	return date;
}

/* Copies one message's bytes through an ordinary save. */
static int mail_copy_bytes(struct mailbox *src, struct mail_copy_item *item,
			   struct mailbox_transaction *t, struct pool *pool)
{
	struct mail_save_params params;
	struct mail_error_sink *prev;
	struct mail_data data;
	struct mail_save *save;
	int ret;

	memset(&params, 0, sizeof(params));
	params.flags = item->rec.flags & MAIL_FLAGS_STORABLE;
	params.keywords = item->keywords;
	prev = mailbox_begin(src);
	params.received_date = mail_copy_received_date(src, &item->rec);
	ret = mail_data_open(src, &item->rec, pool, &data) > 0 ? 0 : -1;
	mailbox_end(src, prev);
	if (ret < 0)
		return -1;
	ret = mailbox_save_begin(t, &params, &save);
	if (ret == 0) {
		ret = mailbox_save_write(save, data.data, data.size);
		if (ret == 0)
			ret = mailbox_save_finish(&save);
		else
			mailbox_save_abort(&save);
	}
	mail_data_release(&data);
	return ret;
}

/* Hard link if possible. Returns 1 done, 0 not possible, -1 error. */
static int mail_copy_link(struct mailbox *src, struct mail_copy_item *item,
			  struct mailbox *dest, struct mailbox_transaction *t)
{
	struct mail_error_sink *prev = mailbox_begin(dest);
	struct mail_save *save;
	int ret = mailbox_lookup(dest);

	if (ret > 0) {
		save = mail_save_copy_begin(t, &item->rec, &src->ibox->b);
		if (save == (struct mail_save *)-1) {
			ret = -1;
		} else if (save == NULL) {
			ret = 0;
		} else {
			mail_save_set_keywords(save, item->keywords);
			ret = 1;
		}
	} else {
		ret = -1;
	}
	mailbox_end(dest, prev);
	return ret;
}

static void mail_copy_take_error(struct mailbox *src, struct mailbox *dest)
{
	if (src->error.code == MAIL_ERROR_NONE) {
		src->error.code = dest->error.code;
		str_copy(src->error.text, dest->error.text,
			 sizeof(src->error.text));
	}
}

static int mail_copy_items(struct mailbox *src, struct mail_copy_item *items,
			   unsigned int count, struct mailbox *dest,
			   struct pool *pool,
			   struct mailbox_copy_result *result_r)
{
	struct mailbox_transaction *t = mailbox_transaction_begin(dest);
	struct mail_transaction_commit_result commit;
	int ret = 0;

	for (unsigned int i = 0; ret >= 0 && i < count; i++) {
		ret = mail_copy_link(src, &items[i], dest, t);
		if (ret == 0)
			ret = mail_copy_bytes(src, &items[i], t, pool);
	}
	if (ret < 0) {
		mailbox_transaction_rollback(&t);
		mail_copy_take_error(src, dest);
		return -1;
	}
	if (mailbox_transaction_commit(&t, pool, &commit) < 0) {
		mail_copy_take_error(src, dest);
		return -1;
	}
	result_r->uidvalidity = commit.uidvalidity;
	seq_range_set_merge(&result_r->dest_uids, &commit.saved_uids);
	for (unsigned int i = 0; i < count; i++)
		seq_range_set_add(&result_r->src_uids, items[i].rec.uid);
	return 0;
}

int mailbox_copy(struct mailbox *src, const struct seq_range_set *uids,
		 struct mailbox *dest, bool move, struct pool *pool,
		 struct mailbox_copy_result *result_r)
{
	struct mail_error_sink *prev = mailbox_begin(src);
	struct pool *tmp = pool_create("copy", 16 * 1024);
	struct seq_range_set set;
	struct mail_copy_item *items = NULL;
	unsigned int count = 0;
	int ret = -1;

	i_assert(src->opened && src->user == dest->user);
	memset(result_r, 0, sizeof(*result_r));
	seq_range_set_init(&result_r->src_uids, pool);
	seq_range_set_init(&result_r->dest_uids, pool);
	seq_range_set_init(&set, NULL);
	seq_range_set_copy(&set, uids);
	seq_range_set_intersect(&set, &src->uids);
	if (move && (src->flags & MAILBOX_FLAG_READONLY) != 0)
		storage_error_set(MAIL_ERROR_NOTPOSSIBLE,
				  "Mailbox is read-only");
	else if (mailbox_lookup(src) > 0)
		ret = mail_copy_load(src, &set, tmp, &items, &count);
	mailbox_end(src, prev);
	if (ret == 0 && count > 0)
		ret = mail_copy_items(src, items, count, dest, tmp, result_r);
	if (ret == 0 && move && count > 0)
		ret = mailbox_expunge(src, &result_r->src_uids, false, tmp,
				      NULL);
	seq_range_set_deinit(&set);
	pool_destroy(&tmp);
	return ret;
}
