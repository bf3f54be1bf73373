/* Maildir++ folder names. Mailbox "a/b" lives in directory ".a.b" under
   the mail root, INBOX at the root itself, as Dovecot and Courier lay it
   out. Each component is written in modified UTF-7 (as Dovecot does), and
   the characters that would break the layout are escaped the way
   Dovecot's listescape plugin does it, "\NN" in hex: '.' (the Maildir++
   separator, so "Mr. Smith" is ".Mr\2e Smith"), '\' itself, and a '~' at
   the start. Names were validated before they get here, so '/' never
   appears inside a component. */

#include "maildir-private.h"
#include "mail-glue.h"
#include "pool.h"
#include "storage-file.h"
#include "storage-private.h"
#include "str.h"
#include "strfuncs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAILDIR_TRASH_PREFIX "..postern-deleted-"

static void maildir_escape_component(string_t *dest, const char *mutf7)
{
	for (const char *p = mutf7; *p != '\0'; p++) {
		if (*p == '.' || *p == '\\' || (*p == '~' && p == mutf7))
			str_printfa(dest, "\\%02x", (unsigned char)*p);
		else
			str_append_c(dest, *p);
	}
}

const char *maildir_name_to_dir(struct mail_storage *storage, struct pool *pool,
				const char *name)
{
	string_t *dir, *mutf7;
	char **components;
	const char *result = NULL;

	if (strcmp(name, "INBOX") == 0)
		return storage->root;
	dir = str_new(256, 4096);
	mutf7 = str_new(128, 4096);
	str_append(dir, storage->root);
	str_append(dir, "/");
	components = str_split(pool, name, "/");
	for (unsigned int i = 0; components[i] != NULL; i++) {
		str_truncate(mutf7, 0);
		if (mail_glue_utf8_to_mutf7(components[i], mutf7) < 0)
			goto out;
		str_append_c(dir, '.');
		maildir_escape_component(dir, str_c(mutf7));
	}
	if (!dir->overflow)
		result = pool_strdup(pool, str_c(dir));
out:
	str_free(&dir);
	str_free(&mutf7);
	return result;
}

/* Undoes the escapes of one component into dest. Returns 0, or -1. */
static int maildir_unescape_component(const char *src, size_t len,
				      string_t *dest)
{
	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (src[i] != '\\') {
			str_append_c(dest, src[i]);
			continue;
		}
		if (i + 2 >= len)
			return -1;
		if ((hi = maildir_hex_value(src[i + 1])) < 0 ||
		    (lo = maildir_hex_value(src[i + 2])) < 0)
			return -1;
		str_append_c(dest, (char)(hi << 4 | lo));
		i += 2;
	}
	return 0;
}

/* INBOX is the root: a ".INBOX" directory, or one whose first level is
   another spelling of inbox (".inbox.x" would be INBOX/x, which lives in
   ".INBOX.x"), is no mailbox we can reach by name. */
static bool maildir_name_is_reachable(const char *name)
{
	if (strncasecmp(name, "INBOX", 5) != 0 ||
	    (name[5] != '\0' && name[5] != MAILBOX_HIERARCHY_SEP))
		return true;
	return name[5] != '\0' && strncmp(name, "INBOX", 5) == 0;
}

const char *maildir_dir_to_name(struct pool *pool, const char *entry)
{
	string_t *name, *component;
	const char *p, *result = NULL;

	if (entry[0] != '.' || entry[1] == '\0' || entry[1] == '.')
		return NULL;
	name = str_new(128, 4096);
	component = str_new(128, 4096);
	p = entry + 1;
	for (;;) {
		const char *dot = strchrnul(p, '.');

		str_truncate(component, 0);
		if (dot == p || maildir_unescape_component(p, (size_t)(dot - p),
							   component) < 0)
			goto out;
		if (str_len(name) > 0)
			str_append_c(name, MAILBOX_HIERARCHY_SEP);
		if (mail_glue_mutf7_to_utf8(str_c(component), name) < 0)
			goto out;
		if (*dot == '\0')
			break;
		p = dot + 1;
	}
	if (!name->overflow && mailbox_name_validate(str_c(name), &p) == 0 &&
	    maildir_name_is_reachable(str_c(name)))
		result = pool_strdup(pool, str_c(name));
out:
	str_free(&name);
	str_free(&component);
	return result;
}

static bool maildir_is_folder_dir(const char *root, const char *entry)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/cur", root, entry);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int maildir_list(struct mail_storage *storage, struct pool *pool,
		 const char ***names_r, unsigned int *count_r)
{
	ARRAY(const char *) names = ARRAY_INIT;
	struct dirent *d;
	DIR *dir;

	dir = opendir(storage->root);
	if (dir == NULL) {
		storage_set_critical(storage, "opendir(%s) failed: %m",
				     storage->root);
		return -1;
	}
	array_push(&names, "INBOX");
	while ((d = readdir(dir)) != NULL) {
		const char *name;

		if (d->d_name[0] != '.' ||
		    (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN &&
		     d->d_type != DT_LNK))
			continue;
		name = maildir_dir_to_name(pool, d->d_name);
		if (name == NULL || strcmp(name, "INBOX") == 0 ||
		    !maildir_is_folder_dir(storage->root, d->d_name))
			continue;
		array_push(&names, name);
	}
	closedir(dir);
	*names_r = p_new(pool, const char *, names.count + 1);
	memcpy(*names_r, names.v, names.count * sizeof(*names.v));
	*count_r = (unsigned int)names.count;
	array_free(&names);
	return 0;
}

int maildir_exists(struct mail_storage *storage, const char *name)
{
	struct pool *pool = pool_create("maildir exists", 512);
	const char *dir = maildir_name_to_dir(storage, pool, name);
	char path[4096];
	struct stat st;
	int ret = 0;

	if (dir != NULL) {
		snprintf(path, sizeof(path), "%s/cur", dir);
		ret = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 1 : 0;
	}
	pool_destroy(&pool);
	return ret;
}

static int maildir_mkdir(struct mail_storage *storage, const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	if (errno == ENOSPC || errno == EDQUOT || errno == EACCES) {
		storage_set_error(storage, mail_error_from_errno(errno),
				  "Not enough disk space or permission");
		return -1;
	}
	storage_set_critical(storage, "mkdir(%s) failed: %m", path);
	return -1;
}

int maildir_create(struct mail_storage *storage, const char *name,
		   struct mailbox_record *record)
{
	struct pool *pool = pool_create("maildir create", 1024);
	const char *dir = maildir_name_to_dir(storage, pool, name);
	static const char *const subdirs[] = { "tmp", "new", "cur" };
	const char *error;
	int ret = -1;

	if (dir == NULL) {
		storage_set_error(storage, MAIL_ERROR_PARAMS,
				  "Invalid mailbox name");
		goto out;
	}
	if (maildir_exists(storage, name) > 0) {
		storage_set_error(storage, MAIL_ERROR_EXISTS,
				  "Mailbox already exists");
		goto out;
	}
	if (record->uidvalidity == 0) {
		enum mailbox_special_use special_use = record->special_use;

		maildir_record_new(storage, record);
		record->special_use = special_use;
	}
	if (maildir_mkdir(storage, dir) < 0)
		goto out;
	if (maildir_record_write_dir(dir, record, storage->fsync, &error) < 0) {
		storage_set_critical(storage, "maildir: %s", error);
		goto out;
	}
	if (strcmp(name, "INBOX") != 0) {
		/* Maildir++: marks a folder for quota tools and MDAs */
		int fd = open(pool_printf(pool, "%s/maildirfolder", dir),
			      O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	/* cur/ last: it is what makes the folder exist for list/exists */
	for (unsigned int i = 0; i < N_ELEMENTS(subdirs); i++) {
		if (maildir_mkdir(storage, pool_printf(pool, "%s/%s", dir,
						       subdirs[i])) < 0)
			goto out;
	}
	if (storage->fsync)
		(void)storage_fsync_parent(dir);
	ret = 0;
out:
	pool_destroy(&pool);
	return ret;
}

/* rm -r of a directory tree we own (no symlinks followed). */
static int maildir_remove_tree(int parent_fd, const char *name)
{
	int fd = openat(parent_fd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *d;
	DIR *dir;
	int ret = 0;

	if (fd < 0)
		return unlinkat(parent_fd, name, 0) < 0 && errno != ENOENT ? -1
									   : 0;
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return -1;
	}
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (d->d_type == DT_DIR || d->d_type == DT_UNKNOWN) {
			if (maildir_remove_tree(fd, d->d_name) < 0)
				ret = -1;
		} else if (unlinkat(fd, d->d_name, 0) < 0 && errno != ENOENT) {
			ret = -1;
		}
	}
	closedir(dir);
	if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		ret = -1;
	return ret;
}

int maildir_delete(struct mail_storage *storage, const char *name)
{
	struct pool *pool = pool_create("maildir delete", 1024);
	const char *dir = maildir_name_to_dir(storage, pool, name);
	unsigned char rnd[8];
	string_t *trash;
	int ret = -1, root_fd;

	if (dir == NULL || maildir_exists(storage, name) <= 0) {
		storage_set_error(storage, MAIL_ERROR_NOTFOUND,
				  "Mailbox doesn't exist");
		goto out;
	}
	/* Rename it out of sight first, so that it disappears at once and a
	   crash halfway leaves no half mailbox; "..xxx" is no mailbox name. */
	trash = str_new(64, 256);
	str_append(trash, MAILDIR_TRASH_PREFIX);
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		panic("getrandom() failed: %m");
	for (unsigned int i = 0; i < sizeof(rnd); i++)
		str_printfa(trash, "%02x", rnd[i]);
	if (rename(dir, pool_printf(pool, "%s/%s", storage->root,
				    str_c(trash))) < 0) {
		storage_set_critical(storage, "rename(%s) failed: %m", dir);
		str_free(&trash);
		goto out;
	}
	root_fd = open(storage->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0 || maildir_remove_tree(root_fd, str_c(trash)) < 0)
		log_warning("maildir: removing %s/%s failed: %m", storage->root,
			    str_c(trash));
	if (root_fd >= 0)
		close(root_fd);
	str_free(&trash);
	ret = 0;
out:
	pool_destroy(&pool);
	return ret;
}

/* Renames one folder directory; ENOENT is fine for children. */
static int maildir_rename_dir(struct mail_storage *storage, const char *from,
			      const char *to)
{
	struct stat st;

	if (stat(to, &st) == 0) {
		storage_set_error(storage, MAIL_ERROR_EXISTS,
				  "Target mailbox already exists");
		return -1;
	}
	if (rename(from, to) < 0) {
		storage_set_critical(storage, "rename(%s, %s) failed: %m", from,
				     to);
		return -1;
	}
	return 0;
}

int maildir_rename(struct mail_storage *storage, const char *old_name,
		   const char *new_name)
{
	struct pool *pool = pool_create("maildir rename", 4096);
	const char **names;
	unsigned int count;
	size_t old_len = strlen(old_name);
	unsigned int renamed = 0;
	int ret = -1;

	if (maildir_list(storage, pool, &names, &count) < 0)
		goto out;
	/* the mailbox itself first, then its children */
	if (maildir_exists(storage, old_name) > 0) {
		if (maildir_rename_dir(
			    storage,
			    maildir_name_to_dir(storage, pool, old_name),
			    maildir_name_to_dir(storage, pool, new_name)) < 0)
			goto out;
		renamed++;
	}
	for (unsigned int i = 0; i < count; i++) {
		const char *child;

		if (strncmp(names[i], old_name, old_len) != 0 ||
		    names[i][old_len] != MAILBOX_HIERARCHY_SEP)
			continue;
		child = pool_printf(pool, "%s%s", new_name, names[i] + old_len);
		if (maildir_rename_dir(
			    storage,
			    maildir_name_to_dir(storage, pool, names[i]),
			    maildir_name_to_dir(storage, pool, child)) < 0)
			goto out;
		renamed++;
	}
	if (renamed == 0) {
		storage_set_error(storage, MAIL_ERROR_NOTFOUND,
				  "Mailbox doesn't exist");
		goto out;
	}
	if (storage->fsync)
		(void)storage_fsync_dir(storage->root);
	ret = 0;
out:
	pool_destroy(&pool);
	return ret;
}

const char *const *maildir_watch_paths(struct mail_storage *storage,
				       const char *name, struct pool *pool)
{
	const char *dir = maildir_name_to_dir(storage, pool, name);
	const char **paths = p_new(pool, const char *, 3);

	if (dir == NULL)
		return paths;
	paths[0] = pool_printf(pool, "%s/new", dir);
	paths[1] = pool_printf(pool, "%s/cur", dir);
	return paths;
}
