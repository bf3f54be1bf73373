/* Saving: a message is written to tmp/<unique> (the storage layer writes
   the CRLF bytes to save->fd), its mtime set to the INTERNALDATE, and at
   commit, with its UID allocated under the mailbox lock, renamed to
   new/<unique>,S=<size>,W=<size>,U=<uid> (or cur/...:2,<flags> when it
   has flags). A crash before the rename leaves only a file in tmp/, never
   a half message in new/ or cur/. Copies are hard links into tmp/ with
   the source's base name (so the GUID, a hash of the base without U=,
   stays the same) renamed the same way. */

#include "maildir-private.h"
#include "pool.h"
#include "storage-file.h"
#include "storage-private.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct maildir_save {
	char *tmp_path;
	/* the base before S=/W=/U= are set; a copy's keeps its fields */
	char *base;
	bool is_copy;
	/* the final path while committing (for undoing) */
	char *final_path;
};

static struct maildir_save *maildir_save_new(struct backend_save *save,
					     const char *base)
{
	struct maildir_mailbox *mbox = maildir_mailbox(save->box);
	struct maildir_save *ms = xnew(struct maildir_save, 1);
	size_t len = strlen(mbox->tmp_dir) + strlen(base) + 2;

	ms->base = xstrdup(base);
	ms->tmp_path = xmalloc(len);
	snprintf(ms->tmp_path, len, "%s/%s", mbox->tmp_dir, base);
	save->backend_ctx = ms;
	return ms;
}

static void maildir_save_free(struct backend_save *save)
{
	struct maildir_save *ms = save->backend_ctx;

	free(ms->tmp_path);
	free(ms->base);
	free(ms->final_path);
	free(ms);
	save->backend_ctx = NULL;
}

int maildir_save_begin(struct backend_save *save)
{
	struct pool *pool = pool_create("maildir save", 512);
	struct maildir_save *ms;

	ms = maildir_save_new(save, maildir_filename_unique(pool));
	pool_destroy(&pool);
	save->fd = open(ms->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0600);
	if (save->fd < 0) {
		if (errno == ENOENT)
			backend_set_error(save->box, MAIL_ERROR_NOTFOUND,
					  "Mailbox doesn't exist");
		else if (errno == ENOSPC || errno == EDQUOT)
			backend_set_error(save->box, MAIL_ERROR_NOQUOTA,
					  "Not enough disk space");
		else
			backend_set_critical(save->box, "open(%s) failed: %m",
					     ms->tmp_path);
		maildir_save_free(save);
		return -1;
	}
	save->needs_fsync = true;
	return 0;
}

int maildir_save_finish(struct backend_save *save)
{
	struct maildir_save *ms = save->backend_ctx;
	struct timespec times[2];

	/* INTERNALDATE is the file's mtime (as Dovecot keeps it), so that
	   it survives the loss of the index */
	times[0].tv_sec = times[1].tv_sec = save->received_date;
	times[0].tv_nsec = times[1].tv_nsec = 0;
	if (save->fd >= 0 && futimens(save->fd, times) < 0) {
		backend_set_critical(save->box, "futimens(%s) failed: %m",
				     ms->tmp_path);
		return -1;
	}
	return 0;
}

void maildir_save_abort(struct backend_save *save)
{
	struct maildir_save *ms = save->backend_ctx;

	if (ms == NULL)
		return;
	if (unlink(ms->tmp_path) < 0 && errno != ENOENT)
		log_warning("maildir: unlink(%s) failed: %m", ms->tmp_path);
	maildir_save_free(save);
}

const char *maildir_record_path(struct backend_mailbox *box, struct pool *pool,
				const struct index_record *rec)
{
	struct maildir_mailbox *mbox = maildir_mailbox(box);
	bool in_new = (rec->flags & MAILDIR_FLAG_IN_NEW) != 0;

	return pool_printf(
		pool, "%s/%s", in_new ? mbox->new_dir : mbox->cur_dir,
		maildir_filename_build(pool, rec->location,
				       rec->flags & MAIL_FLAGS_STORABLE,
				       rec->keywords, rec->extra, in_new));
}

int maildir_copy(struct backend_save *save, struct backend_mailbox *src,
		 const struct index_record *src_rec)
{
	struct pool *pool = pool_create("maildir copy", 1024);
	const char *src_path = maildir_record_path(src, pool, src_rec);
	struct maildir_save *ms;
	int ret = 1;

	ms = maildir_save_new(save, src_rec->location);
	ms->is_copy = true;
	if (link(src_path, ms->tmp_path) < 0) {
		if (errno == ENOENT) {
			backend_set_error(save->box, MAIL_ERROR_EXPUNGED,
					  "Some of the requested messages no "
					  "longer exist");
			ret = -1;
		} else if (errno == EXDEV || errno == EPERM ||
			   errno == EMLINK) {
			ret = 0;
		} else {
			backend_set_critical(save->box,
					     "link(%s, %s) failed: %m",
					     src_path, ms->tmp_path);
			ret = -1;
		}
		maildir_save_free(save);
	} else {
		save->fd = -1;
		save->needs_fsync = false;
	}
	pool_destroy(&pool);
	return ret;
}

/* The final name of a save and whether it goes to new/. */
static const char *maildir_save_final_name(struct backend_save *save,
					   struct pool *pool, bool *in_new_r)
{
	struct maildir_save *ms = save->backend_ctx;
	const char *base;

	if (ms->is_copy)
		base = maildir_filename_set_uid(pool, ms->base, save->uid);
	else
		base = maildir_filename_set_fields(pool, ms->base, save->size,
						   save->size, save->uid);
	*in_new_r = (save->flags & MAIL_FLAGS_STORABLE) == 0 &&
		    (save->keywords &
		     ((1ULL << MAILDIR_MAX_KEYWORD_LETTERS) - 1)) == 0;
	save->location = pool_strdup(save->pool, base);
	save->index_flags = *in_new_r ? MAILDIR_FLAG_IN_NEW : 0;
	return maildir_filename_build(pool, base, save->flags, save->keywords,
				      NULL, *in_new_r);
}

/* Moves the first n committed saves back to tmp/ after a failure. */
static void maildir_commit_undo(struct backend_save *const *saves,
				unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct maildir_save *ms = saves[i]->backend_ctx;

		if (rename(ms->final_path, ms->tmp_path) < 0)
			log_error("maildir: undoing rename(%s) failed: %m",
				  ms->final_path);
	}
}

int maildir_commit_saves(struct backend_mailbox *box,
			 struct backend_save *const *saves, unsigned int count,
			 bool fsync)
{
	struct maildir_mailbox *mbox = maildir_mailbox(box);
	struct pool *pool = pool_create("maildir commit", 4096);
	bool used_new = false, used_cur = false, in_new;

	for (unsigned int i = 0; i < count; i++) {
		struct maildir_save *ms = saves[i]->backend_ctx;
		const char *name =
			maildir_save_final_name(saves[i], pool, &in_new);
		size_t len = strlen(mbox->cur_dir) + strlen(name) + 2;

		ms->final_path = xmalloc(len);
		snprintf(ms->final_path, len, "%s/%s",
			 in_new ? mbox->new_dir : mbox->cur_dir, name);
		if (rename(ms->tmp_path, ms->final_path) < 0) {
			backend_set_critical(box, "rename(%s, %s) failed: %m",
					     ms->tmp_path, ms->final_path);
			maildir_commit_undo(saves, i);
			pool_destroy(&pool);
			return -1;
		}
		used_new |= in_new;
		used_cur |= !in_new;
	}
	pool_destroy(&pool);
	if (fsync && ((used_new && storage_fsync_dir(mbox->new_dir) < 0) ||
		      (used_cur && storage_fsync_dir(mbox->cur_dir) < 0))) {
		backend_set_critical(box, "fsync(%s) failed: %m", mbox->dir);
		maildir_commit_undo(saves, count);
		return -1;
	}
	for (unsigned int i = 0; i < count; i++)
		maildir_save_free(saves[i]);
	return 0;
}
