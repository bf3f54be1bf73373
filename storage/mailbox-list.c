/* The mailbox list and subscriptions. Subscriptions are user data, so they
   live in a file at the mail root ("postern-subscriptions", one UTF-8 name
   a line), not only in the index. A Dovecot or Courier user's subscription
   file is read the first time (Dovecot: "subscriptions"; Courier:
   "courierimapsubscribed", whose names start with "INBOX."). */

#include "mail-glue.h"
#include "pool.h"
#include "storage-file.h"
#include "storage-private.h"
#include "str.h"
#include "strfuncs.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define SUBSCRIPTIONS_FILE "postern-subscriptions"
#define SUBSCRIPTIONS_MAX_SIZE (1024 * 1024)

/* A legacy name ("a.b" in modified UTF-7, maybe "INBOX."-prefixed) in
   our form, or NULL. */
static const char *subscription_import_name(struct pool *pool, const char *line,
					    char sep)
{
	string_t *str = str_new(256, 4096);
	const char *result = NULL, *error;

	if (str_begins(line, "INBOX.") && sep == '.')
		line += 6;
	if (mail_glue_mutf7_to_utf8(line, str) == 0) {
		char *name = pool_strdup(pool, str_c(str));

		for (char *p = name; *p != '\0'; p++) {
			if (*p == sep)
				*p = MAILBOX_HIERARCHY_SEP;
		}
		if (mailbox_name_validate(name, &error) == 0)
			result = name;
	}
	str_free(&str);
	return result;
}

/* Reads Dovecot's or Courier's subscriptions. */
static void subscriptions_read_legacy(struct mail_user *user, struct pool *pool,
				      string_t *dest)
{
	static const char *const files[] = { "subscriptions",
					     "courierimapsubscribed" };
	const char *error;
	char *data;
	size_t size;

	for (unsigned int i = 0; i < N_ELEMENTS(files); i++) {
		const char *path =
			pool_printf(pool, "%s/%s", user->mail_root, files[i]);
		char **lines;
		char sep = '.';

		if (storage_file_read(path, pool, SUBSCRIPTIONS_MAX_SIZE, &data,
				      &size, &error) <= 0)
			continue;
		lines = str_split(pool, data, "\n");
		for (unsigned int j = 0; lines[j] != NULL; j++) {
			const char *name;

			/* Dovecot 2.3 writes "V\t2" and tab-separated levels */
			if (j == 0 && str_begins(lines[j], "V\t")) {
				sep = '\t';
				continue;
			}
			if (lines[j][0] == '\0')
				continue;
			name = subscription_import_name(pool, lines[j], sep);
			if (name != NULL)
				str_printfa(dest, "%s\n", name);
		}
		return;
	}
}

/* Returns the subscribed names, NULL-terminated, from pool. */
static int subscriptions_read(struct mail_user *user, struct pool *pool,
			      char ***names_r)
{
	const char *path =
		pool_printf(pool, "%s/%s", user->mail_root, SUBSCRIPTIONS_FILE);
	const char *error;
	char *data;
	size_t size;
	int ret;

	ret = storage_file_read(path, pool, SUBSCRIPTIONS_MAX_SIZE, &data,
				&size, &error);
	if (ret < 0) {
		storage_error_critical(&user->log_ctx, "%s", error);
		return -1;
	}
	if (ret == 0) {
		string_t *str = str_new(256, SUBSCRIPTIONS_MAX_SIZE);

		subscriptions_read_legacy(user, pool, str);
		data = pool_strdup(pool, str_c(str));
		str_free(&str);
	}
	*names_r = str_split(pool, data, "\n");
	return 0;
}

static bool names_contain(char **names, const char *name)
{
	for (unsigned int i = 0; names[i] != NULL; i++) {
		if (strcmp(names[i], name) == 0)
			return true;
	}
	return false;
}

int mailbox_set_subscribed(struct mailbox *box, bool subscribed)
{
	struct mail_error_sink *prev = mailbox_begin(box);
	struct mail_user *user = box->user;
	struct pool *pool = pool_create("subscriptions", 4096);
	string_t *str = str_new(1024, SUBSCRIPTIONS_MAX_SIZE);
	const char *error, *path;
	char **names;
	int lock_fd = -1, ret = -1;

	if (mailbox_name_validate(box->name, &error) < 0) {
		storage_error_set(MAIL_ERROR_PARAMS, error);
		goto out;
	}
	/* serialize read-modify-write with other processes */
	lock_fd =
		open(pool_printf(pool, "%s/subscriptions.lock", user->lock_dir),
		     O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX) < 0) {
		storage_error_critical(&user->log_ctx,
				       "subscriptions lock: %m");
		goto out;
	}
	if (subscriptions_read(user, pool, &names) < 0)
		goto out;
	for (unsigned int i = 0; names[i] != NULL; i++) {
		if (names[i][0] != '\0' && strcmp(names[i], box->name) != 0 &&
		    !names_contain(names + i + 1, names[i]))
			str_printfa(str, "%s\n", names[i]);
	}
	if (subscribed)
		str_printfa(str, "%s\n", box->name);
	path = pool_printf(pool, "%s/%s", user->mail_root, SUBSCRIPTIONS_FILE);
	if (str->overflow) {
		storage_error_set(MAIL_ERROR_LIMIT, "Too many subscriptions");
	} else if (storage_file_write_atomic(path, str_c(str), str_len(str),
					     user->storage.fsync, &error) < 0) {
		storage_error_critical(&user->log_ctx, "%s", error);
	} else {
		ret = 0;
	}
out:
	if (lock_fd >= 0)
		close(lock_fd);
	str_free(&str);
	pool_destroy(&pool);
	mailbox_end(box, prev);
	return ret;
}

static int mailbox_info_cmp(const void *p1, const void *p2)
{
	const struct mailbox_info *i1 = p1, *i2 = p2;
	bool inbox1 = strcmp(i1->name, "INBOX") == 0;
	bool inbox2 = strcmp(i2->name, "INBOX") == 0;

	if (inbox1 != inbox2)
		return inbox1 ? -1 : 1;
	return strcmp(i1->name, i2->name);
}

static struct mailbox_info *list_find(struct mailbox_info *infos,
				      unsigned int count, const char *name)
{
	for (unsigned int i = 0; i < count; i++) {
		if (strcmp(infos[i].name, name) == 0)
			return &infos[i];
	}
	return NULL;
}

struct list_ctx {
	struct pool *pool;
	ARRAY(struct mailbox_info) infos;
};

static struct mailbox_info *list_add(struct list_ctx *ctx, const char *name,
				     enum mailbox_info_flags flags)
{
	struct mailbox_info *info =
		list_find(ctx->infos.v, (unsigned int)ctx->infos.count, name);

	if (info != NULL) {
		info->flags &=
			~(MAILBOX_INFO_NOSELECT | MAILBOX_INFO_NONEXISTENT);
		info->flags |= flags;
		return info;
	}
	info = array_push_new(&ctx->infos);
	info->name = pool_strdup(ctx->pool, name);
	info->flags = flags;
	return info;
}

static void list_add_parents_of(struct list_ctx *ctx, const char *name)
{
	char *parent = pool_strdup(ctx->pool, name);
	char *slash;

	while ((slash = strrchr(parent, MAILBOX_HIERARCHY_SEP)) != NULL) {
		*slash = '\0';
		if (list_find(ctx->infos.v, (unsigned int)ctx->infos.count,
			      parent) != NULL)
			break;
		array_push_new(&ctx->infos)->name =
			pool_strdup(ctx->pool, parent);
		array_last(&ctx->infos)->flags = MAILBOX_INFO_NOSELECT;
	}
}

/* Special-use attributes from the index rows. */
static void list_add_special_use(struct mail_user *user, struct list_ctx *ctx)
{
	struct index_db *db = user->db;
	sqlite3_stmt *stmt;

	if (db == NULL)
		return;
	for (size_t i = 0; i < ctx->infos.count; i++) {
		struct mailbox_info *info = &ctx->infos.v[i];

		if ((info->flags &
		     (MAILBOX_INFO_NOSELECT | MAILBOX_INFO_NONEXISTENT)) != 0)
			continue;
		stmt = index_db_stmt(db, INDEX_STMT_MAILBOX_BY_NAME);
		sqlite3_bind_text(stmt, 1, info->name, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			info->special_use = sqlite3_column_int(stmt, 7);
		sqlite3_reset(stmt);
	}
}

static void list_set_children(struct list_ctx *ctx)
{
	for (size_t i = 0; i < ctx->infos.count; i++) {
		struct mailbox_info *info = &ctx->infos.v[i];
		size_t len = strlen(info->name);
		bool children = false;

		if ((info->flags & MAILBOX_INFO_NONEXISTENT) != 0)
			continue;
		for (size_t j = 0; j < ctx->infos.count && !children; j++) {
			const struct mailbox_info *other = &ctx->infos.v[j];

			children = (other->flags & MAILBOX_INFO_NONEXISTENT) ==
					   0 &&
				   strncmp(other->name, info->name, len) == 0 &&
				   other->name[len] == MAILBOX_HIERARCHY_SEP;
		}
		info->flags |= children ? MAILBOX_INFO_CHILDREN
					: MAILBOX_INFO_NOCHILDREN;
	}
}

int mail_user_list_mailboxes(struct mail_user *user,
			     enum mailbox_list_flags flags, struct pool *pool,
			     struct mailbox_info **infos_r,
			     unsigned int *count_r, const char **error_r)
{
	struct mail_error_sink sink, *prev = storage_error_push(&sink);
	struct list_ctx ctx = { .pool = pool, .infos = ARRAY_INIT };
	const char **names;
	char **subscribed;
	unsigned int count;
	int ret = -1;

	mail_user_lock_index(user);
	if (mail_user_index_ensure(user) < 0 ||
	    user->storage.backend->list(&user->storage, pool, &names, &count) <
		    0 ||
	    subscriptions_read(user, pool, &subscribed) < 0)
		goto out;
	for (unsigned int i = 0; i < count; i++)
		list_add(&ctx, names[i], 0);
	for (unsigned int i = 0; i < count; i++)
		list_add_parents_of(&ctx, names[i]);
	for (unsigned int i = 0; subscribed[i] != NULL; i++) {
		struct mailbox_info *info;

		if (subscribed[i][0] == '\0')
			continue;
		info = list_find(ctx.infos.v, (unsigned int)ctx.infos.count,
				 subscribed[i]);
		if (info == NULL && (flags & MAILBOX_LIST_FLAG_SUBSCRIBED) != 0)
			info = list_add(&ctx, subscribed[i],
					MAILBOX_INFO_NONEXISTENT |
						MAILBOX_INFO_NOSELECT);
		if (info != NULL)
			info->flags |= MAILBOX_INFO_SUBSCRIBED;
	}
	list_set_children(&ctx);
	list_add_special_use(user, &ctx);
	qsort(ctx.infos.v, ctx.infos.count, sizeof(*ctx.infos.v),
	      mailbox_info_cmp);
	*infos_r = p_new(pool, struct mailbox_info, ctx.infos.count + 1);
	if (ctx.infos.count > 0)
		memcpy(*infos_r, ctx.infos.v,
		       ctx.infos.count * sizeof(*ctx.infos.v));
	*count_r = (unsigned int)ctx.infos.count;
	ret = 0;
out:
	mail_user_unlock_index(user);
	if (ret < 0)
		*error_r = pool_strdup(pool, sink.text);
	storage_error_pop(prev);
	array_free(&ctx.infos);
	return ret;
}
