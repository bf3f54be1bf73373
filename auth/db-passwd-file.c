#include "auth-db-private.h"
#include "array.h"
#include "log.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Dovecot's passwd-file: user:password:uid:gid:gecos:home:shell:extra
   where extra is space-separated key=value fields and may itself contain
   ':' (userdb_mail=maildir:~/Maildir). Trailing fields may be left out.
   The file is re-read when its mtime, size or inode changes, checked at
   most once a second. */

#define PASSWD_FILE_CHECK_INTERVAL 1
#define PASSWD_FILE_MAX_SIZE (256 * 1024 * 1024)

struct passwd_file_entry {
	struct auth_user user;
	unsigned int line;
};

struct passwd_file_db {
	struct auth_db db;
	char *path;
	pthread_mutex_t lock;
	struct pool *pool;
	ARRAY(struct passwd_file_entry) entries;
	struct stat st;
	time_t last_check;
	bool loaded;
};

static int passwd_file_entry_cmp(const void *a, const void *b)
{
	const struct passwd_file_entry *e1 = a, *e2 = b;
	int ret = strcmp(e1->user.name, e2->user.name);

	if (ret != 0)
		return ret;
	return e1->line < e2->line ? -1 : e1->line > e2->line;
}

static const char *passwd_file_field(char **fields, unsigned int i)
{
	for (unsigned int n = 0; n <= i; n++) {
		if (fields[n] == NULL)
			return NULL;
	}
	return fields[i][0] == '\0' ? NULL : fields[i];
}

/* Parses one line into an entry; returns false for comments, blank and
   broken lines. */
static bool passwd_file_parse_line(struct pool *pool, char *line,
				   struct auth_user *user_r)
{
	char *fields[8] = { NULL };
	unsigned int n = 0;
	char *p = line;

	if (line[0] == '#' || line[0] == '\0')
		return false;
	fields[n++] = p;
	while (n < 8 && (p = strchr(p, ':')) != NULL) {
		*p++ = '\0';
		fields[n++] = p;
	}
	memset(user_r, 0, sizeof(*user_r));
	user_r->name = pool_strdup(pool, fields[0]);
	if (user_r->name[0] == '\0')
		return false;
	user_r->password =
		pool_strdup(pool, fields[1] != NULL ? fields[1] : "");
	user_r->uid = pool_strdup(pool, passwd_file_field(fields, 2) ?: "");
	user_r->gid = pool_strdup(pool, passwd_file_field(fields, 3) ?: "");
	user_r->home = pool_strdup(pool, passwd_file_field(fields, 5) ?: "");
	user_r->extra =
		auth_db_parse_extra(pool, passwd_file_field(fields, 7) ?: "");
	user_r->mail = auth_user_extra_find(user_r, "mail");
	user_r->quota = auth_user_extra_find(user_r, "quota_rule");
	auth_db_user_check_disabled(user_r);
	return true;
}

static int passwd_file_read_all(const char *path, string_t **text_r,
				struct stat *st_r, const char **error_r)
{
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, st_r) < 0) {
		*error_r = strerror(errno);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*text_r = str_new((size_t)st_r->st_size + 1, PASSWD_FILE_MAX_SIZE);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		str_append_n(*text_r, buf, (size_t)n);
	close(fd);
	if (n < 0 || (*text_r)->overflow) {
		*error_r = n < 0 ? strerror(errno) : "file too large";
		str_free(text_r);
		return -1;
	}
	return 0;
}

static int passwd_file_load(struct passwd_file_db *db, const char **error_r)
{
	string_t *text;
	struct stat st;
	unsigned int line_num = 0;
	char *line, *saveptr = NULL;

	if (passwd_file_read_all(db->path, &text, &st, error_r) < 0)
		return -1;
	pool_clear(db->pool);
	array_clear(&db->entries);
	for (line = strtok_r((char *)str_c(text), "\n", &saveptr); line != NULL;
	     line = strtok_r(NULL, "\n", &saveptr)) {
		struct passwd_file_entry entry = { .line = ++line_num };
		size_t len = strlen(line);

		if (len > 0 && line[len - 1] == '\r')
			line[len - 1] = '\0';
		if (passwd_file_parse_line(db->pool, line, &entry.user))
			array_push(&db->entries, entry);
	}
	str_free(&text);
	qsort(db->entries.v, db->entries.count, sizeof(*db->entries.v),
	      passwd_file_entry_cmp);
	db->st = st;
	db->loaded = true;
	return 0;
}

static bool passwd_file_changed(const struct passwd_file_db *db,
				const struct stat *st)
{
	return st->st_mtim.tv_sec != db->st.st_mtim.tv_sec ||
	       st->st_mtim.tv_nsec != db->st.st_mtim.tv_nsec ||
	       st->st_size != db->st.st_size || st->st_ino != db->st.st_ino;
}

/* Called with the lock held. */
static int passwd_file_refresh(struct passwd_file_db *db, const char **error_r)
{
	time_t now = time(NULL);
	struct stat st;

	if (db->loaded && now - db->last_check < PASSWD_FILE_CHECK_INTERVAL)
		return 0;
	db->last_check = now;
	if (db->loaded && stat(db->path, &st) == 0 &&
	    !passwd_file_changed(db, &st))
		return 0;
	if (passwd_file_load(db, error_r) < 0) {
		*error_r = pool_printf(db->pool, "passwd-file %s: %s", db->path,
				       *error_r);
		/* keep serving the old contents if we had them */
		return db->loaded ? 0 : -1;
	}
	if (log_level_enabled(LOG_LEVEL_DEBUG))
		log_debug("passwd-file %s: read %zu users", db->path,
			  db->entries.count);
	return 0;
}

static const char *const *passwd_file_copy_extra(struct pool *pool,
						 const char *const *extra)
{
	unsigned int n = 0;
	const char **copy;

	while (extra != NULL && extra[n] != NULL)
		n++;
	copy = p_new(pool, const char *, n + 1);
	for (unsigned int i = 0; i < n; i++)
		copy[i] = pool_strdup(pool, extra[i]);
	return copy;
}

static void passwd_file_copy_user(struct pool *pool,
				  const struct auth_user *src,
				  struct auth_user *dest)
{
	dest->name = pool_strdup(pool, src->name);
	dest->password = pool_strdup(pool, src->password);
	dest->uid = pool_strdup(pool, src->uid);
	dest->gid = pool_strdup(pool, src->gid);
	dest->home = pool_strdup(pool, src->home);
	dest->disabled = src->disabled;
	dest->extra = passwd_file_copy_extra(pool, src->extra);
	dest->mail = auth_user_extra_find(dest, "mail");
	dest->quota = auth_user_extra_find(dest, "quota_rule");
}

static const struct passwd_file_entry *
passwd_file_find(struct passwd_file_db *db, const char *name)
{
	size_t lo = 0, hi = db->entries.count;

	/* lower bound, so that the first of duplicate lines wins */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(db->entries.v[mid].user.name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < db->entries.count &&
	    strcmp(db->entries.v[lo].user.name, name) == 0)
		return &db->entries.v[lo];
	return NULL;
}

static int passwd_file_lookup(struct auth_db *_db, struct pool *pool,
			      const char *name, struct auth_user *user_r,
			      const char **error_r)
{
	struct passwd_file_db *db = (struct passwd_file_db *)_db;
	const struct passwd_file_entry *entry;
	int ret = -1;

	pthread_mutex_lock(&db->lock);
	if (passwd_file_refresh(db, error_r) == 0) {
		entry = passwd_file_find(db, name);
		if (entry != NULL)
			passwd_file_copy_user(pool, &entry->user, user_r);
		ret = entry != NULL ? 1 : 0;
	}
	if (ret < 0)
		*error_r = pool_strdup(pool, *error_r);
	pthread_mutex_unlock(&db->lock);
	return ret;
}

static int passwd_file_iterate(struct auth_db *_db, struct pool *pool,
			       auth_db_iterate_callback_t *callback,
			       void *context, const char **error_r)
{
	struct passwd_file_db *db = (struct passwd_file_db *)_db;
	ARRAY(struct auth_user) users = ARRAY_INIT;

	pthread_mutex_lock(&db->lock);
	if (passwd_file_refresh(db, error_r) < 0) {
		*error_r = pool_strdup(pool, *error_r);
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	for (size_t i = 0; i < db->entries.count; i++) {
		if (i > 0 && strcmp(db->entries.v[i].user.name,
				    db->entries.v[i - 1].user.name) == 0)
			continue;
		passwd_file_copy_user(pool, &db->entries.v[i].user,
				      array_push_new(&users));
	}
	pthread_mutex_unlock(&db->lock);
	/* callbacks run unlocked: they may look users up */
	for (size_t i = 0; i < users.count; i++)
		callback(&users.v[i], context);
	array_free(&users);
	return 0;
}

static void passwd_file_append_user(string_t *dest,
				    const struct auth_user *user)
{
	str_printfa(dest, "%s:%s:%s:%s::%s::", user->name, user->password ?: "",
		    user->uid ?: "", user->gid ?: "", user->home ?: "");
	if (user->mail != NULL && user->mail[0] != '\0')
		str_printfa(dest, "userdb_mail=%s ", user->mail);
	if (user->quota != NULL && user->quota[0] != '\0')
		str_printfa(dest, "userdb_quota_rule=%s ", user->quota);
	if (user->disabled)
		str_append(dest, "disabled ");
	str_truncate(dest,
		     str_len(dest) - (str_c(dest)[str_len(dest) - 1] == ' '));
	str_append_c(dest, '\n');
}

/* Rewrites the file without name's lines, adding replacement (if not
   NULL) where the first one was or at the end. Returns the number of
   lines dropped, or -1. */
static int passwd_file_rewrite(struct passwd_file_db *db, const char *name,
			       const struct auth_user *replacement,
			       const char **error_r)
{
	string_t *text = NULL, *out = str_new(4096, PASSWD_FILE_MAX_SIZE);
	struct stat st;
	size_t name_len = strlen(name);
	char *tmp_path;
	int dropped = 0, fd, ret = -1;
	bool written = false;

	if (passwd_file_read_all(db->path, &text, &st, error_r) < 0) {
		if (errno != ENOENT) {
			str_free(&out);
			return -1;
		}
		text = str_new(1, 1);
	}
	for (const char *p = str_c(text); *p != '\0';) {
		const char *end = strchrnul(p, '\n');

		if (strncmp(p, name, name_len) == 0 && p[name_len] == ':') {
			dropped++;
			if (replacement != NULL && !written)
				passwd_file_append_user(out, replacement);
			written = true;
		} else {
			str_append_n(out, p, end - p);
			str_append_c(out, '\n');
		}
		p = *end == '\0' ? end : end + 1;
	}
	if (replacement != NULL && !written)
		passwd_file_append_user(out, replacement);
	tmp_path = pool_printf(db->pool, "%s.tmp", db->path);
	fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 &&
	    write(fd, str_c(out), str_len(out)) == (ssize_t)str_len(out) &&
	    fsync(fd) == 0 && rename(tmp_path, db->path) == 0)
		ret = dropped;
	else
		*error_r = strerror(errno);
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		unlink(tmp_path);
	str_free(&text);
	str_free(&out);
	db->loaded = false;
	return ret;
}

static int passwd_file_save(struct auth_db *_db, const struct auth_user *user,
			    const char **error_r)
{
	struct passwd_file_db *db = (struct passwd_file_db *)_db;
	int ret;

	if (strchr(user->name, ':') != NULL ||
	    strchr(user->password, ':') != NULL) {
		*error_r = "':' is not allowed in a passwd-file";
		return -1;
	}
	pthread_mutex_lock(&db->lock);
	ret = passwd_file_rewrite(db, user->name, user, error_r);
	pthread_mutex_unlock(&db->lock);
	return ret < 0 ? -1 : 0;
}

static int passwd_file_remove(struct auth_db *_db, const char *name,
			      const char **error_r)
{
	struct passwd_file_db *db = (struct passwd_file_db *)_db;
	int ret;

	pthread_mutex_lock(&db->lock);
	ret = passwd_file_rewrite(db, name, NULL, error_r);
	pthread_mutex_unlock(&db->lock);
	return ret < 0 ? -1 : ret > 0;
}

static struct auth_db *passwd_file_open(const char *path, bool create,
					const char **error_r)
{
	struct passwd_file_db *db = xnew(struct passwd_file_db, 1);

	db->path = xstrdup(path);
	db->pool = pool_create("passwd-file", 16384);
	pthread_mutex_init(&db->lock, NULL);
	return &db->db;
}

static void passwd_file_close(struct auth_db *_db)
{
	struct passwd_file_db *db = (struct passwd_file_db *)_db;

	pthread_mutex_destroy(&db->lock);
	array_free(&db->entries);
	pool_destroy(&db->pool);
	free(db->path);
	free(db);
}

const struct auth_db_vfuncs auth_db_passwd_file = {
	.name = "passwd-file",
	.open = passwd_file_open,
	.close = passwd_file_close,
	.lookup = passwd_file_lookup,
	.iterate = passwd_file_iterate,
	.save = passwd_file_save,
	.remove = passwd_file_remove,
};
