#include "pool.h"
#include "storage-file.h"
#include "storage-private.h"
#include "str.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAIL_USER_NOTIFY_FILE "postern-notify"
#define MAIL_USER_LOCK_DIR "postern-locks"
#define MAIL_USER_STALE_CHECK_MSECS 1000

static pthread_mutex_t mail_user_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mail_user *mail_user_registry;

static const struct {
	const char *name;
	enum mailbox_special_use special_use;
} mail_user_autocreate[] = {
	{ "Drafts", MAILBOX_SPECIAL_DRAFTS },
	{ "Sent", MAILBOX_SPECIAL_SENT },
	{ "Trash", MAILBOX_SPECIAL_TRASH },
	{ "Junk", MAILBOX_SPECIAL_JUNK },
	{ "Archive", MAILBOX_SPECIAL_ARCHIVE },
};

struct mail_user_lock {
	int fd;
};

/* Expands %u %n %d %h %% and a leading ~ in a location. Returns 0, or -1
   with *error_r. */
static int mail_user_expand(struct pool *pool,
			    const struct mail_user_params *params,
			    const char *value, const char **result_r,
			    const char **error_r)
{
	const char *at = strchr(params->username, '@');
	const char *home = params->home != NULL ? params->home : "";
	string_t *str = str_new(256, 4096);

	if (value[0] == '~' && (value[1] == '/' || value[1] == '\0')) {
		str_append(str, home);
		value++;
		if (home[0] == '\0')
			goto no_home;
	}
	for (const char *p = value; *p != '\0'; p++) {
		if (*p != '%' || p[1] == '\0') {
			str_append_c(str, *p);
			continue;
		}
		switch (*++p) {
		case 'u':
			str_append(str, params->username);
			break;
		case 'n':
			str_append_n(str, params->username,
				     at != NULL
					     ? (size_t)(at - params->username)
					     : strlen(params->username));
			break;
		case 'd':
			str_append(str, at != NULL ? at + 1 : "");
			break;
		case 'h':
			if (home[0] == '\0')
				goto no_home;
			str_append(str, home);
			break;
		case '%':
			str_append_c(str, '%');
			break;
		default:
			*error_r = pool_printf(
				pool, "unknown variable %%%c in %s", *p, value);
			str_free(&str);
			return -1;
		}
	}
	*result_r = pool_strdup(pool, str_c(str));
	str_free(&str);
	return 0;
no_home:
	*error_r = pool_printf(pool,
			       "%s needs a home directory, and user %s "
			       "has none",
			       value, params->username);
	str_free(&str);
	return -1;
}

/* A user name may not walk the file system when it lands in a path. */
static bool mail_user_name_is_safe(const char *username)
{
	if (username[0] == '\0' || username[0] == '.' ||
	    strstr(username, "..") != NULL)
		return false;
	for (const char *p = username; *p != '\0'; p++) {
		if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	}
	return true;
}

/* Splits "format:path[:KEY=value...]" into the backend, the path and the
   parameters. */
static int mail_user_parse_location(struct mail_user *user,
				    const struct mail_user_params *params,
				    const char *location, const char **error_r)
{
	char **parts = str_split(user->pool, location, ":");
	const char *root, *index_dir = NULL;

	user->storage.backend = mail_backend_find(parts[0]);
	if (user->storage.backend == NULL || parts[1] == NULL) {
		*error_r = pool_printf(user->pool,
				       "unknown mail location "
				       "format in %s",
				       location);
		return -1;
	}
	if (mail_user_expand(user->pool, params, parts[1], &root, error_r) < 0)
		return -1;
	for (unsigned int i = 2; parts[i] != NULL; i++) {
		if (str_begins(parts[i], "INDEX="))
			index_dir = parts[i] + 6;
	}
	user->storage.params = (const char *const *)parts + 2;
	user->mail_root = pool_strdup(user->pool, root);
	if (params->index_dir != NULL && params->index_dir[0] != '\0')
		index_dir = params->index_dir;
	else if (index_dir == NULL && user->set->index_dir[0] != '\0')
		index_dir = user->set->index_dir;
	if (index_dir == NULL) {
		user->index_dir = user->mail_root;
		return 0;
	}
	return mail_user_expand(user->pool, params, index_dir,
				(const char **)&user->index_dir, error_r);
}

static void mail_user_free(struct mail_user *user)
{
	i_assert(user->boxes.count == 0);
	index_db_close(&user->db);
	if (user->storage.backend != NULL && user->storage.backend_ctx != NULL)
		user->storage.backend->storage_deinit(&user->storage);
	pthread_mutex_destroy(&user->lock);
	array_free(&user->boxes);
	pool_destroy(&user->pool);
	free(user);
}

static int mail_user_open_index(struct mail_user *user, const char **error_r)
{
	const char *path = pool_printf(user->pool, "%s/%s", user->index_dir,
				       INDEX_DB_FILE_NAME);
	bool rebuilt;

	if (index_db_open(path, &user->db, &rebuilt, error_r) < 0) {
		*error_r = pool_printf(user->pool, "opening index %s: %s", path,
				       *error_r);
		return -1;
	}
	if (rebuilt) {
		log_msg(LOG_LEVEL_INFO, &user->log_ctx,
			"index %s is new: mailboxes are indexed from the mail "
			"files as they are opened",
			path);
	}
	return 0;
}

static void mail_user_autocreate_mailboxes(struct mail_user *user)
{
	for (unsigned int i = 0; i < N_ELEMENTS(mail_user_autocreate); i++) {
		struct mailbox *box = mailbox_alloc(
			user, mail_user_autocreate[i].name, 0, NULL);

		if (mailbox_create(box, mail_user_autocreate[i].special_use) <
			    0 &&
		    mailbox_get_last_error(box, NULL)[0] != '\0') {
			enum mail_error code;
			const char *text = mailbox_get_last_error(box, &code);

			if (code != MAIL_ERROR_EXISTS)
				log_msg(LOG_LEVEL_WARNING, &user->log_ctx,
					"autocreating %s failed: %s",
					mail_user_autocreate[i].name, text);
		} else {
			(void)mailbox_set_subscribed(box, true);
		}
		mailbox_free(&box);
	}
}

/* A new user's INBOX is a new mailbox: its MODSEQs start at 1. */
static int mail_user_index_inbox(struct mail_user *user)
{
	struct mail_storage *storage = &user->storage;
	struct mail_error_sink sink, *prev = storage_error_push(&sink);
	struct mailbox_record record;
	int ret = -1;

	if (storage->backend->record_read(storage, "INBOX", &record) == 0 &&
	    index_db_begin(user->db) == 0) {
		if (index_mailbox_insert_new(user, "INBOX", &record) == 0)
			ret = index_db_commit(user->db);
		else
			index_db_rollback(user->db);
	}
	storage_error_pop(prev);
	return ret;
}

static int mail_user_init(struct mail_user *user,
			  const struct mail_user_params *params,
			  const char **error_r)
{
	const char *location = params->mail_location != NULL &&
					       params->mail_location[0] != '\0'
				       ? params->mail_location
				       : user->set->mail_location;
	struct stat st;
	bool is_new;

	if (!mail_user_name_is_safe(params->username)) {
		*error_r = "invalid user name";
		return -1;
	}
	if (mail_user_parse_location(user, params, location, error_r) < 0)
		return -1;
	user->storage.root = user->mail_root;
	user->storage.user = user;
	user->storage.fsync = strcmp(user->set->fsync, "never") != 0;
	is_new = stat(user->mail_root, &st) < 0 && errno == ENOENT;
	if (user->storage.backend->storage_init(&user->storage, true, error_r) <
	    0)
		return -1;
	user->lock_dir = pool_printf(user->pool, "%s/%s", user->index_dir,
				     MAIL_USER_LOCK_DIR);
	user->notify_path = pool_printf(user->pool, "%s/%s", user->index_dir,
					MAIL_USER_NOTIFY_FILE);
	if (storage_mkdir_parents(user->lock_dir, 0700) < 0) {
		*error_r = pool_printf(user->pool, "mkdir(%s) failed: %m",
				       user->lock_dir);
		return -1;
	}
	if (mail_user_open_index(user, error_r) < 0)
		return -1;
	mail_user_notify_file_touch(user);
	if (is_new && mail_user_index_inbox(user) < 0) {
		*error_r = "indexing the new INBOX failed";
		return -1;
	}
	user->autocreate_pending = is_new && user->set->autocreate;
	return 0;
}

int mail_user_open(const struct mail_user_params *params,
		   const struct storage_settings *set,
		   struct mail_user **user_r, const char **error_r)
{
	struct mail_user *user;
	static __thread char error_buf[4096 + 512];

	pthread_mutex_lock(&mail_user_registry_lock);
	for (user = mail_user_registry; user != NULL; user = user->next) {
		if (strcmp(user->username, params->username) == 0 &&
		    user->set == set) {
			user->refcount++;
			pthread_mutex_unlock(&mail_user_registry_lock);
			*user_r = user;
			return 0;
		}
	}
	user = xnew(struct mail_user, 1);
	user->refcount = 1;
	user->set = set;
	user->pool = pool_create("mail user", 2048);
	user->username = pool_strdup(user->pool, params->username);
	user->home = pool_strdup(user->pool,
				 params->home != NULL ? params->home : "");
	user->log_ctx.service = "storage";
	user->log_ctx.user = user->username;
	pthread_mutex_init(&user->lock, NULL);
	if (mail_user_init(user, params, error_r) < 0) {
		str_copy(error_buf, *error_r, sizeof(error_buf));
		*error_r = error_buf;
		pthread_mutex_unlock(&mail_user_registry_lock);
		mail_user_free(user);
		return -1;
	}
	user->next = mail_user_registry;
	mail_user_registry = user;
	pthread_mutex_unlock(&mail_user_registry_lock);
	if (user->autocreate_pending) {
		user->autocreate_pending = false;
		mail_user_autocreate_mailboxes(user);
	}
	*user_r = user;
	return 0;
}

void mail_user_ref(struct mail_user *user)
{
	pthread_mutex_lock(&mail_user_registry_lock);
	i_assert(user->refcount > 0);
	user->refcount++;
	pthread_mutex_unlock(&mail_user_registry_lock);
}

void mail_user_unref(struct mail_user **_user)
{
	struct mail_user *user = *_user, **p;

	if (user == NULL)
		return;
	*_user = NULL;
	pthread_mutex_lock(&mail_user_registry_lock);
	i_assert(user->refcount > 0);
	if (--user->refcount > 0) {
		pthread_mutex_unlock(&mail_user_registry_lock);
		return;
	}
	for (p = &mail_user_registry; *p != NULL; p = &(*p)->next) {
		if (*p == user) {
			*p = user->next;
			break;
		}
	}
	pthread_mutex_unlock(&mail_user_registry_lock);
	mail_user_free(user);
}

const char *mail_user_get_username(const struct mail_user *user)
{
	return user->username;
}

const char *mail_user_get_mail_root(const struct mail_user *user)
{
	return user->mail_root;
}

const char *mail_user_get_index_dir(const struct mail_user *user)
{
	return user->index_dir;
}

void mail_user_lock_index(struct mail_user *user)
{
	pthread_mutex_lock(&user->lock);
}

void mail_user_unlock_index(struct mail_user *user)
{
	pthread_mutex_unlock(&user->lock);
}

/* Forgets every shared mailbox state that no handle uses; the others are
   marked for a reload. */
static void mail_user_reset_boxes(struct mail_user *user)
{
	for (size_t i = 0; i < user->boxes.count; i++) {
		struct index_mailbox *ibox =
			(struct index_mailbox *)user->boxes.v[i];

		ibox->b.index_id = 0;
		ibox->missing = false;
	}
}

/* Whether to stat() the database file again: a replaced index (an
   operator's rm, another process's recovery) is rare, and this runs for
   every storage call, so at most once per MAIL_USER_STALE_CHECK_MSECS. */
static bool mail_user_index_check_due(struct mail_user *user)
{
	struct timespec now;
	int64_t now_ms;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if (now_ms - user->stale_checked_ms < MAIL_USER_STALE_CHECK_MSECS)
		return false;
	user->stale_checked_ms = now_ms;
	return true;
}

int mail_user_index_ensure(struct mail_user *user)
{
	const char *error;
	bool corrupted;

	if (user->db != NULL && !user->db->corrupted &&
	    !mail_user_index_check_due(user))
		return 0;
	if (user->db != NULL && !user->db->corrupted &&
	    !index_db_is_stale(user->db))
		return 0;
	corrupted = user->db != NULL && user->db->corrupted;
	if (user->db != NULL) {
		log_msg(LOG_LEVEL_WARNING, &user->log_ctx,
			"index %s was %s: reopening", user->db->path,
			corrupted ? "found corrupt" : "replaced or deleted");
		if (corrupted)
			index_db_move_aside(user->db->path);
		index_db_close(&user->db);
	}
	mail_user_reset_boxes(user);
	if (mail_user_open_index(user, &error) < 0) {
		storage_error_critical(&user->log_ctx, "%s", error);
		return -1;
	}
	return 0;
}

void mail_user_notify_file_touch(struct mail_user *user)
{
	int fd;

	if (utimensat(AT_FDCWD, user->notify_path, NULL, 0) == 0 ||
	    errno != ENOENT)
		return;
	fd = open(user->notify_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

int mail_user_lock(struct mail_user *user, const char *name,
		   struct mail_user_lock **lock_r, const char **error_r)
{
	static __thread char error_buf[4096 + 512];
	char path[4096];
	int fd;

	if (strchr(name, '/') != NULL || name[0] == '.')
		panic("mail_user_lock(): bad lock name %s", name);
	snprintf(path, sizeof(path), "%s/%s.lock", user->lock_dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(error_buf, sizeof(error_buf), "open(%s) failed: %s",
			 path, strerror(errno));
		*error_r = error_buf;
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;

		close(fd);
		if (err == EWOULDBLOCK)
			return 0;
		snprintf(error_buf, sizeof(error_buf), "flock(%s) failed: %s",
			 path, strerror(err));
		*error_r = error_buf;
		return -1;
	}
	*lock_r = xnew(struct mail_user_lock, 1);
	(*lock_r)->fd = fd;
	return 1;
}

void mail_user_unlock(struct mail_user_lock **_lock)
{
	struct mail_user_lock *lock = *_lock;

	if (lock == NULL)
		return;
	*_lock = NULL;
	close(lock->fd);
	free(lock);
}
