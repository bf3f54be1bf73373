/* Finding what other programs changed in a maildir.

   No-change check: the index keeps the mtimes (with nanoseconds) of new/
   and cur/ as of the last scan. If both are unchanged, nothing happened
   and a sync costs two stat()s. A directory's mtime has the granularity
   of the kernel's clock tick, so a change in the same tick as our scan
   would not move it: an mtime less than MAILDIR_SYNC_SECS old when we
   scan is not trusted, and the directory is scanned again next time
   ("v" flags in the state).

   Our own changes (saves, flag renames, expunges, all under the mailbox
   lock) move the stored mtime along when the directory was unchanged
   before them (maildir_sync_stamp_*), so a busy mailbox isn't rescanned
   after each of its own changes.

   A scan reads the directory (twice if it changed meanwhile: readdir() may
   skip entries renamed during the listing) and compares with the index:
   - a known base name: flags from the name (keyword letters a..z are the
     mailbox's keywords 0..25; keywords above stay index-only);
   - an unknown name: a new message. Its UID is the file's U= field when
     that is still free, else the next UID. Files without U= get theirs
     recorded in dovecot-uidlist (appended, as Dovecot's format allows),
     so that a rebuilt index finds it again and Dovecot would too;
   - a known message whose file is gone: expunged.
   A rebuild (empty index) takes every UID the files carry, and those in
   dovecot-uidlist and courierimapuiddb for files without U=. */

#include "maildir-private.h"
#include "pool.h"
#include "storage-file.h"
#include "storage-private.h"
#include "str.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAILDIR_SYNC_SECS 1
#define MAILDIR_TMP_STALE_SECS (36 * 3600)
#define KEYWORD_LETTERS_MASK ((1ULL << MAILDIR_MAX_KEYWORD_LETTERS) - 1)

struct maildir_sync_state {
	int64_t new_ns, cur_ns;
	bool verify_new, verify_cur;
};

struct maildir_file {
	const char *name;
	const char *base;
	struct maildir_filename fn;
	bool in_new;
	uint32_t uid; /* the UID the file claims (U= or an imported list) */
	const struct maildir_uidlist_rec *imported;
};

/* Open-addressing hash of strings to 1-based indexes. */
struct maildir_hash {
	uint32_t *slots;
	const char *const *keys; /* keys[i - 1] */
	size_t mask;
};

struct maildir_sync_ctx {
	struct backend_mailbox *box;
	struct maildir_mailbox *mbox;
	struct index_sync *sync;
	struct pool *pool;
	enum backend_sync_flags flags;
	bool scan_new, scan_cur;
	struct maildir_sync_state state;

	struct index_record *recs;
	unsigned int recs_count;
	bool *seen;
	const char **rec_keys;
	struct maildir_hash rec_hash;

	ARRAY(struct maildir_file) files;
	ARRAY(struct maildir_file *) new_files;

	/* rebuild: imported UID lists */
	struct maildir_uidlist_rec **imports;
	const char **import_keys;
	unsigned int imports_count;
	struct maildir_hash import_hash;
	uint32_t import_nextuid;

	/* lines to append to dovecot-uidlist */
	string_t *uidlist_append;
};

static uint32_t maildir_hash_str(const char *str)
{
	uint32_t h = 2166136261u;

	for (; *str != '\0'; str++)
		h = (h ^ (unsigned char)*str) * 16777619u;
	return h;
}

static void maildir_hash_init(struct maildir_hash *hash, struct pool *pool,
			      const char *const *keys, unsigned int count)
{
	size_t size = 16;

	while (size < (size_t)count * 2)
		size *= 2;
	hash->slots = p_new(pool, uint32_t, size);
	hash->mask = size - 1;
	hash->keys = keys;
	for (unsigned int i = 0; i < count; i++) {
		size_t pos = maildir_hash_str(keys[i]) & hash->mask;

		while (hash->slots[pos] != 0)
			pos = (pos + 1) & hash->mask;
		hash->slots[pos] = i + 1;
	}
}

/* Returns the 1-based index of key, or 0. */
static uint32_t maildir_hash_lookup(const struct maildir_hash *hash,
				    const char *key)
{
	size_t pos = maildir_hash_str(key) & hash->mask;

	while (hash->slots[pos] != 0) {
		if (strcmp(hash->keys[hash->slots[pos] - 1], key) == 0)
			return hash->slots[pos];
		pos = (pos + 1) & hash->mask;
	}
	return 0;
}

/* ---- state ---- */

static void maildir_state_parse(const char *str, struct maildir_sync_state *st)
{
	int vn = 1, vc = 1;

	memset(st, 0, sizeof(*st));
	if (sscanf(str, "n=%" SCNd64 " c=%" SCNd64 " vn=%d vc=%d", &st->new_ns,
		   &st->cur_ns, &vn, &vc) != 4) {
		st->new_ns = st->cur_ns = -1;
	}
	st->verify_new = vn != 0;
	st->verify_cur = vc != 0;
}

static void maildir_state_write(const struct maildir_sync_state *st, char *buf,
				size_t size)
{
	snprintf(buf, size, "n=%" PRId64 " c=%" PRId64 " vn=%d vc=%d",
		 st->new_ns, st->cur_ns, st->verify_new ? 1 : 0,
		 st->verify_cur ? 1 : 0);
}

static int maildir_dir_mtime(const char *path, int64_t *ns_r)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	*ns_r = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return 0;
}

static bool maildir_mtime_too_new(int64_t ns)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return ns + (int64_t)MAILDIR_SYNC_SECS * 1000000000 >
	       (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Returns 1 if a scan is due, 0 if not. */
static int maildir_sync_check(struct backend_mailbox *box)
{
	struct maildir_mailbox *mbox = maildir_mailbox(box);
	struct maildir_sync_state st;
	int64_t new_ns, cur_ns;

	maildir_state_parse(box->sync_state, &st);
	if (maildir_dir_mtime(mbox->new_dir, &new_ns) < 0 ||
	    maildir_dir_mtime(mbox->cur_dir, &cur_ns) < 0)
		return 1;
	return st.verify_new || st.verify_cur || new_ns != st.new_ns ||
	       cur_ns != st.cur_ns;
}

void maildir_sync_stamp_before(struct backend_mailbox *box,
			       struct maildir_dir_stamp *stamp_r)
{
	struct maildir_mailbox *mbox = maildir_mailbox(box);

	if (maildir_dir_mtime(mbox->new_dir, &stamp_r->new_ns) < 0)
		stamp_r->new_ns = -2;
	if (maildir_dir_mtime(mbox->cur_dir, &stamp_r->cur_ns) < 0)
		stamp_r->cur_ns = -2;
}

void maildir_sync_stamp_after(struct backend_mailbox *box,
			      const struct maildir_dir_stamp *before)
{
	struct maildir_mailbox *mbox = maildir_mailbox(box);
	struct maildir_sync_state st;
	char buf[128];
	int64_t ns;
	bool changed = false;

	maildir_state_parse(box->sync_state, &st);
	if (before->new_ns == st.new_ns &&
	    maildir_dir_mtime(mbox->new_dir, &ns) == 0 && ns != st.new_ns) {
		st.new_ns = ns;
		changed = true;
	}
	if (before->cur_ns == st.cur_ns &&
	    maildir_dir_mtime(mbox->cur_dir, &ns) == 0 && ns != st.cur_ns) {
		st.cur_ns = ns;
		changed = true;
	}
	if (!changed)
		return;
	maildir_state_write(&st, buf, sizeof(buf));
	(void)backend_mailbox_set_sync_state(box, buf);
}

/* ---- scanning ---- */

static int maildir_scan_dir(struct maildir_sync_ctx *ctx, const char *path,
			    bool in_new)
{
	struct dirent *d;
	DIR *dir;

	dir = opendir(path);
	if (dir == NULL) {
		if (errno == ENOENT) {
			backend_set_error(ctx->box, MAIL_ERROR_NOTFOUND,
					  "Mailbox doesn't exist");
			return -1;
		}
		backend_set_critical(ctx->box, "opendir(%s) failed: %m", path);
		return -1;
	}
	while ((d = readdir(dir)) != NULL) {
		struct maildir_file *file;

		if (d->d_name[0] == '.')
			continue;
		file = array_push_new(&ctx->files);
		file->name = pool_strdup(ctx->pool, d->d_name);
		file->in_new = in_new;
	}
	closedir(dir);
	return 0;
}

/* Lists the directories to scan until a listing saw no change meanwhile
   (at most twice). */
static int maildir_scan(struct maildir_sync_ctx *ctx)
{
	struct maildir_sync_state before, after;

	for (unsigned int attempt = 0;; attempt++) {
		array_clear(&ctx->files);
		if (maildir_dir_mtime(ctx->mbox->new_dir, &before.new_ns) < 0 ||
		    maildir_dir_mtime(ctx->mbox->cur_dir, &before.cur_ns) < 0) {
			backend_set_error(ctx->box, MAIL_ERROR_NOTFOUND,
					  "Mailbox doesn't exist");
			return -1;
		}
		if ((ctx->scan_new &&
		     maildir_scan_dir(ctx, ctx->mbox->new_dir, true) < 0) ||
		    (ctx->scan_cur &&
		     maildir_scan_dir(ctx, ctx->mbox->cur_dir, false) < 0))
			return -1;
		if (maildir_dir_mtime(ctx->mbox->new_dir, &after.new_ns) < 0 ||
		    maildir_dir_mtime(ctx->mbox->cur_dir, &after.cur_ns) < 0)
			return -1;
		if ((before.new_ns == after.new_ns &&
		     before.cur_ns == after.cur_ns) ||
		    attempt == 1)
			break;
	}
	if (ctx->scan_new) {
		ctx->state.new_ns = after.new_ns;
		ctx->state.verify_new = maildir_mtime_too_new(after.new_ns);
	}
	if (ctx->scan_cur) {
		ctx->state.cur_ns = after.cur_ns;
		ctx->state.verify_cur = maildir_mtime_too_new(after.cur_ns);
	}
	return 0;
}

static int maildir_sync_load_records(struct maildir_sync_ctx *ctx)
{
	if (index_sync_get_records(ctx->sync, ctx->pool, &ctx->recs,
				   &ctx->recs_count) < 0)
		return -1;
	ctx->seen = p_new(ctx->pool, bool, ctx->recs_count + 1);
	ctx->rec_keys = p_new(ctx->pool, const char *, ctx->recs_count + 1);
	for (unsigned int i = 0; i < ctx->recs_count; i++)
		ctx->rec_keys[i] = ctx->recs[i].location;
	maildir_hash_init(&ctx->rec_hash, ctx->pool, ctx->rec_keys,
			  ctx->recs_count);
	return 0;
}

/* Loads dovecot-uidlist and courierimapuiddb for a rebuild; Dovecot's
   entries win for a base both know. */
static void maildir_sync_load_imports(struct maildir_sync_ctx *ctx)
{
	static const char *const files[] = { MAILDIR_DOVECOT_UIDLIST,
					     MAILDIR_COURIER_UIDDB };
	ARRAY(struct maildir_uidlist_rec *) all = ARRAY_INIT;
	struct maildir_uidlist lists[N_ELEMENTS(files)];
	const char *error;

	for (unsigned int i = 0; i < N_ELEMENTS(files); i++) {
		const char *path = pool_printf(ctx->pool, "%s/%s",
					       ctx->mbox->dir, files[i]);

		if (maildir_uidlist_read(path, ctx->pool, &lists[i], &error) <
		    0) {
			log_warning("maildir: ignoring %s", error);
			memset(&lists[i], 0, sizeof(lists[i]));
		}
		if (lists[i].nextuid > ctx->import_nextuid)
			ctx->import_nextuid = lists[i].nextuid;
		/* later lines of a list override earlier ones */
		for (unsigned int j = lists[i].count; j > 0; j--)
			array_push(&all, &lists[i].recs[j - 1]);
	}
	ctx->imports_count = (unsigned int)all.count;
	ctx->imports =
		p_new(ctx->pool, struct maildir_uidlist_rec *, all.count + 1);
	ctx->import_keys = p_new(ctx->pool, const char *, all.count + 1);
	for (size_t i = 0; i < all.count; i++) {
		ctx->imports[i] = all.v[i];
		ctx->import_keys[i] = all.v[i]->base;
	}
	maildir_hash_init(&ctx->import_hash, ctx->pool, ctx->import_keys,
			  ctx->imports_count);
	array_free(&all);
}

/* Keyword letters of a name that the mailbox knows. */
static uint64_t maildir_sync_keywords(struct maildir_sync_ctx *ctx,
				      uint32_t letters)
{
	uint64_t known = ctx->box->keywords_count >= 64
				 ? UINT64_MAX
				 : (1ULL << ctx->box->keywords_count) - 1;

	return (uint64_t)letters & known;
}

/* A known message: record what its name says now. */
static int maildir_sync_known(struct maildir_sync_ctx *ctx,
			      struct index_record *rec,
			      const struct maildir_file *file)
{
	struct index_record new_rec = *rec;
	const char *old_extra = rec->extra != NULL ? rec->extra : "";

	new_rec.flags =
		(rec->flags & ~(MAIL_FLAGS_STORABLE | MAILDIR_FLAG_IN_NEW)) |
		file->fn.flags | (file->in_new ? MAILDIR_FLAG_IN_NEW : 0);
	new_rec.keywords = (rec->keywords & ~KEYWORD_LETTERS_MASK);
	if (!file->in_new) {
		new_rec.keywords |=
			maildir_sync_keywords(ctx, file->fn.keyword_letters);
	} else {
		/* a file moved back to new/ lost its info */
		new_rec.keywords |= rec->keywords & KEYWORD_LETTERS_MASK;
	}
	new_rec.extra = file->fn.extra;
	if (new_rec.flags == rec->flags && new_rec.keywords == rec->keywords &&
	    strcmp(old_extra, file->fn.extra) == 0)
		return 0;
	return index_sync_update(ctx->sync, &new_rec);
}

static int maildir_sync_match(struct maildir_sync_ctx *ctx)
{
	for (size_t i = 0; i < ctx->files.count; i++) {
		struct maildir_file *file = &ctx->files.v[i];
		uint32_t idx;

		if (maildir_filename_parse(file->name, &file->fn) < 0)
			continue;
		file->base = pool_strndup(ctx->pool, file->fn.base,
					  file->fn.base_len);
		file->fn.base = file->base;
		idx = maildir_hash_lookup(&ctx->rec_hash, file->base);
		if (idx == 0) {
			array_push(&ctx->new_files, file);
			continue;
		}
		if (ctx->seen[idx - 1]) {
			log_warning("maildir %s: %s is there twice (new/ and "
				    "cur/?): ignoring one",
				    ctx->mbox->dir, file->base);
			continue;
		}
		ctx->seen[idx - 1] = true;
		if (maildir_sync_known(ctx, &ctx->recs[idx - 1], file) < 0)
			return -1;
	}
	return 0;
}

static int maildir_sync_missing(struct maildir_sync_ctx *ctx)
{
	for (unsigned int i = 0; i < ctx->recs_count; i++) {
		bool in_new = (ctx->recs[i].flags & MAILDIR_FLAG_IN_NEW) != 0;

		if (ctx->seen[i] || (in_new && !ctx->scan_new) ||
		    (!in_new && !ctx->scan_cur))
			continue;
		if (index_sync_expunge(ctx->sync, ctx->recs[i].uid) < 0)
			return -1;
	}
	return 0;
}

static int maildir_new_file_cmp(const void *p1, const void *p2)
{
	const struct maildir_file *f1 = *(struct maildir_file *const *)p1;
	const struct maildir_file *f2 = *(struct maildir_file *const *)p2;
	uint32_t u1 = f1->uid != 0 ? f1->uid : UINT32_MAX;
	uint32_t u2 = f2->uid != 0 ? f2->uid : UINT32_MAX;

	if (u1 != u2)
		return u1 < u2 ? -1 : 1;
	return strcmp(f1->name, f2->name);
}

/* The UID each new file claims. */
static void maildir_sync_claim_uids(struct maildir_sync_ctx *ctx)
{
	bool rebuild = (ctx->flags & BACKEND_SYNC_FLAG_REBUILD) != 0;

	for (size_t i = 0; i < ctx->new_files.count; i++) {
		struct maildir_file *file = ctx->new_files.v[i];
		uint32_t idx;

		file->uid = file->fn.uid;
		if (!rebuild || ctx->imports_count == 0)
			continue;
		idx = maildir_hash_lookup(&ctx->import_hash, file->base);
		if (idx == 0)
			continue;
		file->imported = ctx->imports[idx - 1];
		if (file->uid == 0)
			file->uid = file->imported->uid;
	}
	if (ctx->new_files.count > 1)
		qsort(ctx->new_files.v, ctx->new_files.count,
		      sizeof(*ctx->new_files.v), maildir_new_file_cmp);
}

static void maildir_sync_record_for(struct maildir_sync_ctx *ctx,
				    const struct maildir_file *file,
				    struct index_record *rec_r)
{
	memset(rec_r, 0, sizeof(*rec_r));
	rec_r->flags =
		file->fn.flags | (file->in_new ? MAILDIR_FLAG_IN_NEW : 0);
	if (!file->in_new)
		rec_r->keywords =
			maildir_sync_keywords(ctx, file->fn.keyword_letters);
	rec_r->location = file->base;
	rec_r->extra = file->fn.extra;
	rec_r->physical_size = file->fn.size;
	rec_r->virtual_size = file->fn.vsize;
	if (file->imported != NULL) {
		if (rec_r->virtual_size == 0)
			rec_r->virtual_size = file->imported->vsize;
		rec_r->pop3_uidl = file->imported->pop3_uidl;
		rec_r->guid = file->imported->guid;
	}
}

/* A file whose U= is taken gets a name with its new UID. Returns 1, 0 if
   the file vanished, -1 on error. */
static int maildir_sync_rename_uid(struct maildir_sync_ctx *ctx,
				   struct maildir_file *file, uint32_t uid)
{
	const char *dir =
		file->in_new ? ctx->mbox->new_dir : ctx->mbox->cur_dir;
	const char *base = maildir_filename_set_uid(ctx->pool, file->base, uid);
	const char *from = pool_printf(ctx->pool, "%s/%s", dir, file->name);
	const char *to = pool_printf(ctx->pool, "%s/%s%s", dir, base,
				     file->name + file->fn.base_len);

	if (rename(from, to) < 0) {
		if (errno == ENOENT)
			return 0;
		backend_set_critical(ctx->box, "rename(%s, %s) failed: %m",
				     from, to);
		return -1;
	}
	file->base = base;
	return 1;
}

static int maildir_sync_add_new(struct maildir_sync_ctx *ctx,
				struct maildir_file *file, uint32_t uid)
{
	struct index_record rec;
	int ret;

	if (uid == 0) {
		uid = index_sync_get_uidnext(ctx->sync);
		if (file->fn.uid != 0) {
			/* its U= is taken: give it a name with the new one */
			ret = maildir_sync_rename_uid(ctx, file, uid);
			if (ret <= 0)
				return ret;
		} else {
			str_printfa(ctx->uidlist_append, "%u :%s\n", uid,
				    file->base);
		}
	}
	maildir_sync_record_for(ctx, file, &rec);
	rec.uid = uid;
	return index_sync_add(ctx->sync, &rec) == 0 ? -1 : 0;
}

static int maildir_sync_add_all(struct maildir_sync_ctx *ctx)
{
	bool rebuild = (ctx->flags & BACKEND_SYNC_FLAG_REBUILD) != 0;
	uint32_t min_uid = index_sync_get_max_uid(ctx->sync) + 1;
	ARRAY(struct maildir_file *) later = ARRAY_INIT;
	int ret = 0;

	if (!rebuild && min_uid < index_sync_get_uidnext(ctx->sync))
		min_uid = index_sync_get_uidnext(ctx->sync);
	maildir_sync_claim_uids(ctx);
	for (size_t i = 0; ret == 0 && i < ctx->new_files.count; i++) {
		struct maildir_file *file = ctx->new_files.v[i];

		if (file->uid == 0 || file->uid < min_uid ||
		    file->uid == UINT32_MAX) {
			array_push(&later, file);
			continue;
		}
		ret = maildir_sync_add_new(ctx, file, file->uid);
		min_uid = file->uid + 1;
	}
	if (rebuild && ret == 0)
		index_sync_raise_uidnext(ctx->sync, ctx->import_nextuid);
	for (size_t i = 0; ret == 0 && i < later.count; i++)
		ret = maildir_sync_add_new(ctx, later.v[i], 0);
	array_free(&later);
	return ret;
}

/* Appends the UIDs given to files without U= to dovecot-uidlist (made
   with a version 3 header if missing). */
static int maildir_sync_write_uidlist(struct maildir_sync_ctx *ctx)
{
	const char *path = pool_printf(ctx->pool, "%s/%s", ctx->mbox->dir,
				       MAILDIR_DOVECOT_UIDLIST);
	const struct mailbox_record *record = &ctx->box->record;
	string_t *data = ctx->uidlist_append;
	int fd, ret = 0;

	if (str_len(data) == 0)
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		string_t *hdr = str_new(128, SIZE_MAX);

		str_printfa(hdr, "3 V%u N%u G", record->uidvalidity,
			    index_sync_get_uidnext(ctx->sync));
		for (unsigned int i = 0; i < 16; i++)
			str_printfa(hdr, "%02x", record->guid[i]);
		str_append_c(hdr, '\n');
		str_append_n(hdr, data->data, data->used);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0 &&
		    write(fd, hdr->data, hdr->used) != (ssize_t)hdr->used)
			ret = -1;
		str_free(&hdr);
	} else if (fd >= 0 &&
		   write(fd, data->data, data->used) != (ssize_t)data->used) {
		ret = -1;
	}
	if (fd < 0 || ret < 0 ||
	    (ctx->box->storage->fsync && fdatasync(fd) < 0)) {
		backend_set_critical(ctx->box, "writing %s failed: %m", path);
		ret = -1;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Removes files left in tmp/ by saves that never committed (a crash,
   kill -9) once they are old enough that no save can still be writing
   them, as the maildir spec and Dovecot do after 36 hours. The ctime
   counts too: a save sets its file's mtime to an INTERNALDATE that may be
   years old. */
static void maildir_sync_clean_tmp(struct maildir_sync_ctx *ctx)
{
	time_t limit = time(NULL) - MAILDIR_TMP_STALE_SECS;
	int dir_fd =
		open(ctx->mbox->tmp_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	struct stat st;
	DIR *dir;

	if (dir_fd < 0 || (dir = fdopendir(dir_fd)) == NULL) {
		if (dir_fd >= 0)
			close(dir_fd);
		return;
	}
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.' ||
		    fstatat(dir_fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime > limit ||
		    st.st_ctime > limit)
			continue;
		if (unlinkat(dir_fd, d->d_name, 0) == 0)
			log_info("maildir %s: removed stale tmp/%s",
				 ctx->mbox->dir, d->d_name);
	}
	closedir(dir);
}

static int maildir_sync_full(struct maildir_sync_ctx *ctx)
{
	char state[128];

	if (maildir_scan(ctx) < 0 || maildir_sync_load_records(ctx) < 0)
		return -1;
	if ((ctx->flags & BACKEND_SYNC_FLAG_REBUILD) != 0)
		maildir_sync_load_imports(ctx);
	if (maildir_sync_match(ctx) < 0 || maildir_sync_missing(ctx) < 0 ||
	    maildir_sync_add_all(ctx) < 0 ||
	    maildir_sync_write_uidlist(ctx) < 0)
		return -1;
	maildir_state_write(&ctx->state, state, sizeof(state));
	index_sync_set_state(ctx->sync, state);
	if (ctx->scan_cur)
		maildir_sync_clean_tmp(ctx);
	return 0;
}

int maildir_sync(struct backend_mailbox *box, struct index_sync *sync,
		 enum backend_sync_flags flags)
{
	struct maildir_sync_ctx ctx;
	int64_t new_ns, cur_ns;
	int ret;

	if ((flags & BACKEND_SYNC_FLAG_CHECK_ONLY) != 0)
		return maildir_sync_check(box);
	memset(&ctx, 0, sizeof(ctx));
	ctx.box = box;
	ctx.mbox = maildir_mailbox(box);
	ctx.sync = sync;
	ctx.flags = flags;
	maildir_state_parse(box->sync_state, &ctx.state);
	if (maildir_dir_mtime(ctx.mbox->new_dir, &new_ns) < 0 ||
	    maildir_dir_mtime(ctx.mbox->cur_dir, &cur_ns) < 0) {
		backend_set_error(box, MAIL_ERROR_NOTFOUND,
				  "Mailbox doesn't exist");
		return -1;
	}
	ctx.scan_new = (flags & BACKEND_SYNC_FLAG_FORCE) != 0 ||
		       ctx.state.verify_new || new_ns != ctx.state.new_ns;
	ctx.scan_cur = (flags & BACKEND_SYNC_FLAG_FORCE) != 0 ||
		       ctx.state.verify_cur || cur_ns != ctx.state.cur_ns;
	if (!ctx.scan_new && !ctx.scan_cur)
		return 0;
	ctx.pool = pool_create("maildir sync", 64 * 1024);
	ctx.uidlist_append = str_new(256, SIZE_MAX);
	ret = maildir_sync_full(&ctx);
	str_free(&ctx.uidlist_append);
	array_free(&ctx.files);
	array_free(&ctx.new_files);
	pool_destroy(&ctx.pool);
	return ret;
}
