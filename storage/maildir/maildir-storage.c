#include "maildir-private.h"
#include "pool.h"
#include "storage-file.h"
#include "storage-private.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int maildir_storage_init(struct mail_storage *storage, bool create,
				const char **error_r)
{
	struct mailbox_record record;

	storage->backend_ctx = storage;
	if (maildir_exists(storage, "INBOX") > 0)
		return 0;
	if (!create) {
		*error_r = "mail root doesn't exist";
		return -1;
	}
	if (storage_mkdir_parents(storage->root, 0700) < 0) {
		*error_r = pool_printf(storage->user->pool,
				       "mkdir(%s) failed: %m", storage->root);
		return -1;
	}
	memset(&record, 0, sizeof(record));
	if (maildir_create(storage, "INBOX", &record) < 0 &&
	    maildir_exists(storage, "INBOX") <= 0) {
		*error_r = pool_printf(storage->user->pool,
				       "creating INBOX in %s failed",
				       storage->root);
		return -1;
	}
	return 0;
}

static void maildir_storage_deinit(struct mail_storage *storage)
{
	storage->backend_ctx = NULL;
}

static int maildir_mailbox_init(struct backend_mailbox *box)
{
	struct pool *pool = pool_create("maildir mailbox", 512);
	const char *dir = maildir_name_to_dir(box->storage, pool, box->name);
	struct maildir_mailbox *mbox;

	if (dir == NULL) {
		pool_destroy(&pool);
		backend_set_error(box, MAIL_ERROR_PARAMS,
				  "Invalid mailbox name");
		return -1;
	}
	mbox = xnew(struct maildir_mailbox, 1);
	mbox->dir = xstrdup(dir);
	mbox->new_dir = xstrdup(pool_printf(pool, "%s/new", dir));
	mbox->cur_dir = xstrdup(pool_printf(pool, "%s/cur", dir));
	mbox->tmp_dir = xstrdup(pool_printf(pool, "%s/tmp", dir));
	box->backend_ctx = mbox;
	pool_destroy(&pool);
	return 0;
}

static void maildir_mailbox_deinit(struct backend_mailbox *box)
{
	struct maildir_mailbox *mbox = maildir_mailbox(box);

	free(mbox->dir);
	free(mbox->new_dir);
	free(mbox->cur_dir);
	free(mbox->tmp_dir);
	free(mbox);
	box->backend_ctx = NULL;
}

static void maildir_changes_begin(struct backend_mailbox *box)
{
	struct maildir_mailbox *mbox = maildir_mailbox(box);

	maildir_sync_stamp_before(box, &mbox->stamp);
}

static void maildir_changes_end(struct backend_mailbox *box)
{
	struct maildir_mailbox *mbox = maildir_mailbox(box);

	maildir_sync_stamp_after(box, &mbox->stamp);
}

static void maildir_get_guid(struct backend_mailbox *box,
			     const struct index_record *rec,
			     unsigned char guid[16])
{
	char part[1024];
	size_t len =
		maildir_filename_guid_part(rec->location, part, sizeof(part));

	storage_hash_guid(part, len < sizeof(part) ? len : sizeof(part) - 1,
			  guid);
}

const struct mail_backend maildir_backend = {
	.name = "maildir",
	.caps = MAIL_BACKEND_CAP_HARDLINK_COPY |
		MAIL_BACKEND_CAP_FLAGS_IN_FILES |
		MAIL_BACKEND_CAP_EXTERNAL_CHANGES | MAIL_BACKEND_CAP_CHILDREN |
		MAIL_BACKEND_CAP_MAYBE_LF | MAIL_BACKEND_CAP_FILE_NAMES,
	.storage_init = maildir_storage_init,
	.storage_deinit = maildir_storage_deinit,
	.list = maildir_list,
	.exists = maildir_exists,
	.create = maildir_create,
	.delete = maildir_delete,
	.rename = maildir_rename,
	.record_read = maildir_record_read,
	.record_write = maildir_record_write,
	.keywords_read = maildir_keywords_read,
	.keywords_write = maildir_keywords_write,
	.mailbox_init = maildir_mailbox_init,
	.mailbox_deinit = maildir_mailbox_deinit,
	.sync = maildir_sync,
	.save_begin = maildir_save_begin,
	.save_finish = maildir_save_finish,
	.save_abort = maildir_save_abort,
	.copy = maildir_copy,
	.commit_saves = maildir_commit_saves,
	.changes_begin = maildir_changes_begin,
	.changes_end = maildir_changes_end,
	.update_flags = maildir_update_flags,
	.expunge = maildir_expunge,
	.open_message = maildir_open_message,
	.get_guid = maildir_get_guid,
	.watch_paths = maildir_watch_paths,
};
