/* The per-folder rebuild record, "postern-mailbox": what the index can't
   get back from the message files after it is lost. One "key value" line
   each:

     postern-mailbox 1
     uidvalidity 1700000000
     guid 0f1e2d3c4b5a69788796a5b4c3d2e1f0
     special-use 4
     uid-high-water 1234
     modseq-high-water 98765

   Written with fsync + rename. A folder without one (made by Dovecot,
   Courier or a MUA) gets one at first access, taking UIDVALIDITY and the
   mailbox GUID from dovecot-uidlist or courierimapuiddb when they exist.
   UIDVALIDITY values come from the per-user counter file
   "postern-uidvalidity" at the mail root, so that a mailbox deleted and
   made again never gets its old value back. */

#include "maildir-private.h"
#include "pool.h"
#include "storage-file.h"
#include "storage-private.h"
#include "str.h"
#include "strfuncs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAILDIR_RECORD_MAX_SIZE 4096
#define MAILDIR_UIDVALIDITY_FILE "postern-uidvalidity"

static int maildir_record_parse_line(const char *key, const char *value,
				     struct mailbox_record *record)
{
	unsigned int num;

	if (strcmp(key, "uidvalidity") == 0)
		return str_to_uint32(value, &record->uidvalidity);
	if (strcmp(key, "guid") == 0)
		return maildir_parse_guid(value, strlen(value), record->guid);
	if (strcmp(key, "special-use") == 0) {
		if (str_to_uint(value, &num) < 0)
			return -1;
		record->special_use = (enum mailbox_special_use)num;
		return 0;
	}
	if (strcmp(key, "uid-high-water") == 0)
		return str_to_uint32(value, &record->uid_high_water);
	if (strcmp(key, "modseq-high-water") == 0)
		return str_to_uint64(value, &record->modseq_high_water);
	/* unknown keys are from a newer version: ignore */
	return 0;
}

int maildir_record_parse(const char *data, size_t size,
			 struct mailbox_record *record_r)
{
	struct pool *pool = pool_create("maildir record", 1024);
	char *text = pool_strndup(pool, data, size);
	char **lines = str_split(pool, text, "\n");
	int ret = 0;

	memset(record_r, 0, sizeof(*record_r));
	if (lines[0] == NULL || !str_begins(lines[0], "postern-mailbox "))
		ret = -1;
	for (unsigned int i = 1; ret == 0 && lines[i] != NULL; i++) {
		char *space = strchr(lines[i], ' ');

		if (lines[i][0] == '\0')
			continue;
		if (space == NULL) {
			ret = -1;
			break;
		}
		*space = '\0';
		ret = maildir_record_parse_line(lines[i], space + 1, record_r);
	}
	if (record_r->uidvalidity == 0)
		ret = -1;
	pool_destroy(&pool);
	return ret;
}

int maildir_record_write_dir(const char *dir,
			     const struct mailbox_record *record, bool fsync,
			     const char **error_r)
{
	char path[4096], text[512];
	size_t len = 0;

	len += (size_t)snprintf(text, sizeof(text),
				"postern-mailbox 1\nuidvalidity %u\nguid ",
				record->uidvalidity);
	for (unsigned int i = 0; i < 16; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%02x",
					record->guid[i]);
	len += (size_t)snprintf(text + len, sizeof(text) - len,
				"\nspecial-use %u\nuid-high-water %u\n"
				"modseq-high-water %llu\n",
				(unsigned int)record->special_use,
				record->uid_high_water,
				(unsigned long long)record->modseq_high_water);
	snprintf(path, sizeof(path), "%s/%s", dir, MAILDIR_RECORD_FILE);
	return storage_file_write_atomic(path, text, len, fsync, error_r);
}

/* Hands out the next UIDVALIDITY of the user: max(now, last + 1), kept in
   a counter file under an flock. */
static uint32_t maildir_uidvalidity_next(struct mail_storage *storage)
{
	char path[4096], buf[32];
	uint32_t now = (uint32_t)time(NULL), last = 0, next;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", storage->root,
		 MAILDIR_UIDVALIDITY_FILE);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return now;
	if (flock(fd, LOCK_EX) == 0) {
		len = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[len > 0 ? len : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		(void)str_to_uint32(buf, &last);
	}
	next = now > last ? now : last + 1;
	len = snprintf(buf, sizeof(buf), "%u\n", next);
	if (pwrite(fd, buf, (size_t)len, 0) == len)
		(void)ftruncate(fd, len);
	close(fd);
	return next;
}

void maildir_record_new(struct mail_storage *storage,
			struct mailbox_record *record)
{
	memset(record, 0, sizeof(*record));
	record->uidvalidity = maildir_uidvalidity_next(storage);
	if (getrandom(record->guid, sizeof(record->guid), 0) !=
	    sizeof(record->guid))
		panic("getrandom() failed: %m");
	record->uid_high_water = 1;
	record->modseq_high_water = 1;
}

/* Takes UIDVALIDITY, NEXTUID and the mailbox GUID from another server's
   UID list in dir. Returns true if one was found. */
static bool maildir_record_import(struct pool *pool, const char *dir,
				  struct mailbox_record *record)
{
	static const char *const files[] = { MAILDIR_DOVECOT_UIDLIST,
					     MAILDIR_COURIER_UIDDB };
	struct maildir_uidlist list;
	const char *error;

	for (unsigned int i = 0; i < N_ELEMENTS(files); i++) {
		const char *path = pool_printf(pool, "%s/%s", dir, files[i]);

		if (maildir_uidlist_read(path, pool, &list, &error) < 0) {
			log_warning("maildir: ignoring %s", error);
			continue;
		}
		if (list.uidvalidity == 0)
			continue;
		record->uidvalidity = list.uidvalidity;
		if (list.have_guid)
			memcpy(record->guid, list.guid, sizeof(record->guid));
		if (list.nextuid > record->uid_high_water)
			record->uid_high_water = list.nextuid;
		return true;
	}
	return false;
}

int maildir_record_read(struct mail_storage *storage, const char *name,
			struct mailbox_record *record_r)
{
	struct pool *pool = pool_create("maildir record", 1024);
	const char *dir = maildir_name_to_dir(storage, pool, name);
	const char *path, *error;
	struct stat st;
	char *data;
	size_t size;
	int ret;

	if (dir == NULL || stat(dir, &st) < 0) {
		storage_set_error(storage, MAIL_ERROR_NOTFOUND,
				  "Mailbox doesn't exist");
		pool_destroy(&pool);
		return -1;
	}
	path = pool_printf(pool, "%s/%s", dir, MAILDIR_RECORD_FILE);
	ret = storage_file_read(path, pool, MAILDIR_RECORD_MAX_SIZE, &data,
				&size, &error);
	if (ret > 0 && maildir_record_parse(data, size, record_r) == 0) {
		pool_destroy(&pool);
		return 0;
	}
	if (ret != 0)
		log_warning("maildir: %s is unreadable; making a new one",
			    path);
	maildir_record_new(storage, record_r);
	record_r->created = ret == 0;
	if (maildir_record_import(pool, dir, record_r))
		log_info("maildir: %s: took UIDVALIDITY %u from an older "
			 "server's UID list",
			 dir, record_r->uidvalidity);
	ret = maildir_record_write_dir(dir, record_r, storage->fsync, &error);
	if (ret < 0)
		storage_set_critical(storage, "maildir: %s", error);
	pool_destroy(&pool);
	return ret;
}

int maildir_record_write(struct mail_storage *storage, const char *name,
			 const struct mailbox_record *record)
{
	struct pool *pool = pool_create("maildir record", 1024);
	const char *dir = maildir_name_to_dir(storage, pool, name);
	const char *error;
	int ret = 0;

	if (dir == NULL ||
	    maildir_record_write_dir(dir, record, storage->fsync, &error) < 0) {
		storage_set_critical(storage,
				     "maildir: writing the record of "
				     "%s failed: %s",
				     name, dir == NULL ? "bad name" : error);
		ret = -1;
	}
	pool_destroy(&pool);
	return ret;
}
