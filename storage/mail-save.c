/* Saving messages (APPEND, MULTIAPPEND, LMTP, COPY's fallback).

   A save streams the message to a temporary file as it arrives, turning
   bare LFs into CRLF on the way, so memory stays bounded. Commit:
     1. fdatasync the new files, without any lock, shared with other
        deliveries in flight (fsync=group, fsync-queue.c);
     2. under the mailbox lock: allocate contiguous UIDs, let the backend
        rename the files into place with the UIDs in their names and fsync
        the directories, write the index rows in one transaction;
     3. wake watchers.
   A crash before the rename leaves a temporary file and no visible
   message; after it, the file carries its UID and the next sync indexes
   it. UIDs come from the index under the mailbox lock, so no two
   processes hand out the same one, and rows appear in UID order. */

#include "fsync-queue.h"
#include "mail-glue.h"
#include "mail-private.h"
#include "pool.h"
#include "storage-file.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define MAIL_SAVE_BUFFER_SIZE (64 * 1024)

struct mailbox_transaction {
	struct mailbox *box;
	struct pool *pool;
	ARRAY(struct mail_save *) saves;
	unsigned int open_saves;
};

struct mail_save {
	struct mailbox_transaction *t;
	struct backend_save b;
	const char *const *keywords;
	/* INTERNALDATE's zone, minutes east of UTC (index only: a rebuild
	   from the files gives UTC) */
	int received_tz;
	struct mail_glue_crlf crlf;
	bool failed;
	buffer_t *buf;
};

struct mailbox_transaction *mailbox_transaction_begin(struct mailbox *box)
{
	struct mailbox_transaction *t = xnew(struct mailbox_transaction, 1);

	t->box = box;
	t->pool = pool_create("transaction", 4096);
	return t;
}

static void mail_save_free(struct mail_save *save)
{
	if (save->b.fd >= 0)
		close(save->b.fd);
	save->b.fd = -1;
	buffer_free(&save->buf);
}

static const char *const *mail_save_copy_keywords(struct pool *pool,
						  const char *const *keywords)
{
	unsigned int n = 0;
	const char **copy;

	while (keywords != NULL && keywords[n] != NULL)
		n++;
	copy = p_new(pool, const char *, n + 1);
	for (unsigned int i = 0; i < n; i++)
		copy[i] = pool_strdup(pool, keywords[i]);
	return copy;
}

/* A save with its fields set, not yet opened by the backend. */
/* The server's zone at t, minutes east of UTC. */
static int mail_save_local_tz(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return (int)(tm.tm_gmtoff / 60);
}

static struct mail_save *mail_save_new(struct mailbox_transaction *t,
				       const struct mail_save_params *params)
{
	struct mail_save *save = p_new(t->pool, struct mail_save, 1);
	time_t now = time(NULL);

	save->t = t;
	save->b.box = &t->box->ibox->b;
	save->b.pool = t->pool;
	save->b.fd = -1;
	save->b.flags = params->flags & MAIL_FLAGS_STORABLE;
	save->b.received_date =
		params->received_date != 0 ? params->received_date : now;
	save->received_tz = params->received_date != 0
				    ? params->received_tz_offset
				    : mail_save_local_tz(now);
	save->b.save_date = now;
	save->keywords = mail_save_copy_keywords(t->pool, params->keywords);
	return save;
}

static int mail_save_check_keywords(const char *const *keywords)
{
	for (unsigned int i = 0; keywords[i] != NULL; i++) {
		if (mail_keyword_validate(keywords[i]) < 0) {
			storage_error_set(MAIL_ERROR_PARAMS, "Invalid keyword");
			return -1;
		}
	}
	return 0;
}

int mailbox_save_begin(struct mailbox_transaction *t,
		       const struct mail_save_params *params,
		       struct mail_save **save_r)
{
	struct mailbox *box = t->box;
	struct mail_error_sink *prev = mailbox_begin(box);
	struct mail_save *save;
	int ret = -1;

	if (mailbox_lookup(box) > 0) {
		save = mail_save_new(t, params);
		if (mail_save_check_keywords(save->keywords) == 0 &&
		    box->user->storage.backend->save_begin(&save->b) == 0) {
			save->buf = buffer_create(MAIL_SAVE_BUFFER_SIZE * 2,
						  MAIL_SAVE_BUFFER_SIZE * 2);
			mail_glue_crlf_init(&save->crlf);
			t->open_saves++;
			*save_r = save;
			ret = 0;
		}
	}
	mailbox_end(box, prev);
	return ret;
}

/* Converts a chunk to CRLF into save->buf and writes it. */
static int mail_save_write_chunk(struct mail_save *save,
				 const unsigned char *data, size_t size)
{
	buffer_clear(save->buf);
	if (mail_glue_crlf_convert(&save->crlf, data, size, save->buf) < 0)
		i_unreached();
	save->b.size += save->buf->used;
	return storage_write_all(save->b.fd, save->buf->data, save->buf->used);
}

static void mail_save_set_write_error(struct mail_save *save)
{
	struct mail_error_sink *prev = storage_error_push(&save->t->box->error);

	if (errno == ENOSPC || errno == EDQUOT)
		storage_error_set(MAIL_ERROR_NOQUOTA, "Not enough disk space");
	else
		backend_set_critical(save->b.box, "write() failed: %m");
	storage_error_pop(prev);
}

int mailbox_save_write(struct mail_save *save, const void *data, size_t size)
{
	const unsigned char *p = data;
	uint64_t max = save->t->box->user->set->max_message_size;

	if (save->failed)
		return -1;
	while (size > 0) {
		size_t chunk = size < MAIL_SAVE_BUFFER_SIZE
				       ? size
				       : MAIL_SAVE_BUFFER_SIZE;

		if (mail_save_write_chunk(save, p, chunk) < 0) {
			mail_save_set_write_error(save);
			save->failed = true;
			return -1;
		}
		p += chunk;
		size -= chunk;
	}
	if (max != 0 && save->b.size > max) {
		struct mail_error_sink *prev =
			storage_error_push(&save->t->box->error);

		storage_error_set(MAIL_ERROR_LIMIT, "Message is too large");
		storage_error_pop(prev);
		save->failed = true;
		return -1;
	}
	return 0;
}

int mailbox_save_write_fd(struct mail_save *save, int fd, off_t offset,
			  uint64_t size)
{
	unsigned char *buf = xmalloc(MAIL_SAVE_BUFFER_SIZE);
	int ret = 0;

	while (size > 0 && ret == 0) {
		size_t want = size < MAIL_SAVE_BUFFER_SIZE
				      ? (size_t)size
				      : MAIL_SAVE_BUFFER_SIZE;
		ssize_t n = pread(fd, buf, want, offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			mail_save_set_write_error(save);
			ret = -1;
			break;
		}
		ret = mailbox_save_write(save, buf, (size_t)n);
		offset += n;
		size -= (uint64_t)n;
	}
	free(buf);
	return ret;
}

int mailbox_save_finish(struct mail_save **_save)
{
	struct mail_save *save = *_save;
	struct mailbox *box = save->t->box;
	struct mail_error_sink *prev;
	int ret = 0;

	*_save = NULL;
	if (save->failed) {
		ret = -1;
	} else if (save->b.size == 0) {
		prev = storage_error_push(&box->error);
		storage_error_set(MAIL_ERROR_INVALIDDATA, "Message is empty");
		storage_error_pop(prev);
		ret = -1;
	} else {
		prev = storage_error_push(&box->error);
		ret = box->user->storage.backend->save_finish(&save->b);
		storage_error_pop(prev);
	}
	buffer_free(&save->buf);
	save->t->open_saves--;
	if (ret < 0) {
		box->user->storage.backend->save_abort(&save->b);
		mail_save_free(save);
		return -1;
	}
	array_push(&save->t->saves, save);
	return 0;
}

void mailbox_save_abort(struct mail_save **_save)
{
	struct mail_save *save = *_save;

	if (save == NULL)
		return;
	*_save = NULL;
	save->t->open_saves--;
	save->t->box->user->storage.backend->save_abort(&save->b);
	mail_save_free(save);
}

/* ---- commit ---- */

static int mail_commit_fsync(struct mailbox_transaction *t)
{
	const char *mode = t->box->user->set->fsync;
	int *fds = p_new(t->pool, int, t->saves.count + 1);
	unsigned int n = 0;
	int ret;

	for (size_t i = 0; i < t->saves.count; i++) {
		if (t->saves.v[i]->b.needs_fsync && t->saves.v[i]->b.fd >= 0)
			fds[n++] = t->saves.v[i]->b.fd;
	}
	if (n == 0 || strcmp(mode, "never") == 0)
		return 0;
	ret = strcmp(mode, "group") == 0 ? fsync_queue_sync(fds, n)
					 : fsync_each(fds, n);
	if (ret < 0) {
		struct mail_error_sink *prev =
			storage_error_push(&t->box->error);

		backend_set_critical(t->saves.v[0]->b.box,
				     "fdatasync() failed: %m");
		storage_error_pop(prev);
	}
	return ret;
}

static void mail_commit_record(const struct mail_save *save, uint64_t modseq,
			       struct index_record *rec_r)
{
	memset(rec_r, 0, sizeof(*rec_r));
	rec_r->uid = save->b.uid;
	rec_r->flags = save->b.flags | save->b.index_flags | INDEX_FLAG_CRLF;
	rec_r->keywords = save->b.keywords;
	rec_r->modseq = modseq;
	rec_r->location = save->b.location;
	rec_r->physical_size = save->b.size;
	rec_r->virtual_size = save->b.size;
	rec_r->received_date = save->b.received_date;
	rec_r->received_tz_offset = save->received_tz;
	rec_r->save_date = save->b.save_date;
	if (save->b.guid_set)
		rec_r->guid = save->b.guid;
}

/* Under the mailbox lock, in an index transaction: UIDs, keywords, the
   backend's renames, the rows. */
static int mail_commit_locked(struct mailbox_transaction *t,
			      struct mail_transaction_commit_result *result)
{
	struct mailbox *box = t->box;
	struct index_mailbox *ibox = box->ibox;
	const struct mail_backend *backend = box->user->storage.backend;
	struct backend_save **bsaves;
	struct index_record rec;
	uint64_t modseq;
	unsigned int count = (unsigned int)t->saves.count;

	bsaves = p_new(t->pool, struct backend_save *, count + 1);
	for (unsigned int i = 0; i < count; i++) {
		struct mail_save *save = t->saves.v[i];
		bool full;

		save->b.keywords = 0;
		for (unsigned int k = 0; save->keywords[k] != NULL; k++) {
			int idx = index_mailbox_keyword(ibox, save->keywords[k],
							true, &full);
			if (idx >= 0)
				save->b.keywords |= 1ULL << idx;
		}
		save->b.uid = ibox->uidnext++;
		bsaves[i] = &save->b;
	}
	if (backend->commit_saves(&ibox->b, bsaves, count,
				  box->user->storage.fsync) < 0)
		return -1;
	modseq = index_mailbox_next_modseq(ibox);
	for (unsigned int i = 0; i < count; i++) {
		mail_commit_record(t->saves.v[i], modseq, &rec);
		if (index_message_insert(ibox, &rec) < 0)
			return -1;
		if (result != NULL)
			seq_range_set_add(&result->saved_uids, rec.uid);
	}
	if (result != NULL)
		result->uidvalidity = ibox->b.record.uidvalidity;
	return index_mailbox_write_counters(ibox);
}

struct mail_commit_ctx {
	struct mailbox_transaction *t;
	struct mail_transaction_commit_result *result;
};

static int mail_commit_locked_cb(void *context)
{
	struct mail_commit_ctx *ctx = context;

	return mail_commit_locked(ctx->t, ctx->result);
}

static int mail_commit_index(struct mailbox_transaction *t,
			     struct mail_transaction_commit_result *result)
{
	struct mail_commit_ctx ctx = { .t = t, .result = result };

	if (mailbox_lookup(t->box) <= 0)
		return -1;
	return index_mailbox_change(t->box->ibox, mail_commit_locked_cb, &ctx);
}

static void mail_transaction_free(struct mailbox_transaction *t, bool abort)
{
	const struct mail_backend *backend = t->box->user->storage.backend;

	for (size_t i = 0; i < t->saves.count; i++) {
		if (abort && t->saves.v[i]->b.backend_ctx != NULL)
			backend->save_abort(&t->saves.v[i]->b);
		mail_save_free(t->saves.v[i]);
	}
	array_free(&t->saves);
	pool_destroy(&t->pool);
	free(t);
}

int mailbox_transaction_commit(struct mailbox_transaction **_t,
			       struct pool *pool,
			       struct mail_transaction_commit_result *result_r)
{
	struct mailbox_transaction *t = *_t;
	struct mailbox *box = t->box;
	struct mail_error_sink *prev;
	int ret;

	*_t = NULL;
	i_assert(t->open_saves == 0);
	if (result_r != NULL) {
		memset(result_r, 0, sizeof(*result_r));
		seq_range_set_init(&result_r->saved_uids, pool);
	}
	if (t->saves.count == 0) {
		mail_transaction_free(t, false);
		return 0;
	}
	ret = mail_commit_fsync(t);
	for (size_t i = 0; i < t->saves.count; i++) {
		if (t->saves.v[i]->b.fd >= 0)
			close(t->saves.v[i]->b.fd);
		t->saves.v[i]->b.fd = -1;
	}
	if (ret == 0) {
		prev = mailbox_begin(box);
		ret = mail_commit_index(t, result_r);
		mailbox_end(box, prev);
	}
	mail_transaction_free(t, ret < 0);
	if (ret == 0) {
		mail_user_notify_file_touch(box->user);
		mailbox_watch_notify(box->user, box->name);
	}
	return ret;
}

void mailbox_transaction_rollback(struct mailbox_transaction **_t)
{
	struct mailbox_transaction *t = *_t;

	if (t == NULL)
		return;
	*_t = NULL;
	i_assert(t->open_saves == 0);
	mail_transaction_free(t, true);
}

/* ---- for copy ---- */

struct mail_save *mail_save_copy_begin(struct mailbox_transaction *t,
				       const struct index_record *src_rec,
				       struct backend_mailbox *src_box)
{
	const struct mail_backend *backend = t->box->user->storage.backend;
	struct mail_save_params params;
	struct mail_save *save;
	int ret;

	memset(&params, 0, sizeof(params));
	params.flags = src_rec->flags & MAIL_FLAGS_STORABLE;
	params.received_date = src_rec->received_date;
	params.received_tz_offset = src_rec->received_tz_offset;
	save = mail_save_new(t, &params);
	/* a hard link keeps the file's mtime, which is the INTERNALDATE
	   when the index doesn't know it */
	save->b.received_date = src_rec->received_date;
	save->b.size = src_rec->virtual_size;
	if (src_rec->guid != NULL) {
		memcpy(save->b.guid, src_rec->guid, 16);
		save->b.guid_set = true;
	}
	if ((backend->caps & MAIL_BACKEND_CAP_HARDLINK_COPY) == 0 ||
	    backend->copy == NULL)
		return NULL;
	ret = backend->copy(&save->b, src_box, src_rec);
	if (ret <= 0)
		return ret < 0 ? (struct mail_save *)-1 : NULL;
	array_push(&t->saves, save);
	return save;
}

void mail_save_set_keywords(struct mail_save *save, const char *const *keywords)
{
	save->keywords = mail_save_copy_keywords(save->t->pool, keywords);
}
