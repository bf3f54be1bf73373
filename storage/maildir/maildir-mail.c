#include "maildir-private.h"
#include "pool.h"
#include "storage-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int maildir_open_message(struct backend_mailbox *box,
			 const struct index_record *rec,
			 struct backend_stream *stream_r)
{
	struct pool *pool = pool_create("maildir open", 512);
	const char *path = maildir_record_path(box, pool, rec);
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int ret = errno == ENOENT ? 0 : -1;

		if (ret < 0)
			backend_set_critical(box, "open(%s) failed: %m", path);
		pool_destroy(&pool);
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		backend_set_critical(box, "fstat(%s) failed: %m", path);
		close(fd);
		pool_destroy(&pool);
		return -1;
	}
	pool_destroy(&pool);
	stream_r->fd = fd;
	stream_r->offset = 0;
	stream_r->size = (uint64_t)st.st_size;
	return 1;
}

int maildir_update_flags(struct backend_mailbox *box,
			 const struct index_record *old_rec,
			 struct index_record *new_rec, struct pool *pool)
{
	const uint64_t letters = (1ULL << MAILDIR_MAX_KEYWORD_LETTERS) - 1;
	const char *old_path = maildir_record_path(box, pool, old_rec);
	bool was_new = (old_rec->flags & MAILDIR_FLAG_IN_NEW) != 0;
	const char *new_path;

	/* a message without flags may stay in new/; one with flags moves to
	   cur/ where its name can say so */
	if (was_new && (new_rec->flags & MAIL_FLAGS_STORABLE) == 0 &&
	    (new_rec->keywords & letters) == 0 &&
	    (new_rec->extra == NULL || new_rec->extra[0] == '\0'))
		new_rec->flags |= MAILDIR_FLAG_IN_NEW;
	else
		new_rec->flags &= ~MAILDIR_FLAG_IN_NEW;
	new_path = maildir_record_path(box, pool, new_rec);
	if (strcmp(old_path, new_path) == 0)
		return 1;
	if (rename(old_path, new_path) < 0) {
		if (errno == ENOENT)
			return 0;
		backend_set_critical(box, "rename(%s, %s) failed: %m", old_path,
				     new_path);
		return -1;
	}
	return 1;
}

int maildir_expunge(struct backend_mailbox *box,
		    const struct index_record *recs, unsigned int count)
{
	struct pool *pool = pool_create("maildir expunge", 1024);
	int ret = 0;

	for (unsigned int i = 0; i < count; i++) {
		const char *path = maildir_record_path(box, pool, &recs[i]);

		if (unlink(path) < 0 && errno != ENOENT) {
			backend_set_critical(box, "unlink(%s) failed: %m",
					     path);
			ret = -1;
		}
		if ((i & 255) == 255)
			pool_clear(pool);
	}
	pool_destroy(&pool);
	return ret;
}
