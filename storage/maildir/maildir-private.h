#ifndef POSTERN_MAILDIR_PRIVATE_H
#define POSTERN_MAILDIR_PRIVATE_H

/* The maildir backend: Maildir++ folders (INBOX at the root, ".a.b" for
   a/b), files named
     <unique>,S=<size>,W=<vsize>,U=<uid>[:2,<flags><keyword letters>]
   so that UIDs, sizes and flags survive the loss of the index; Dovecot's
   dovecot-uidlist and dovecot-keywords and Courier's courierimapuiddb are
   read so that migrated users keep their UIDs. See doc/design.md. */

#include "postern/storage-backend.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pool;

#define MAILDIR_RECORD_FILE "postern-mailbox"
#define MAILDIR_SUBSCRIPTIONS_FILE "postern-subscriptions"
#define MAILDIR_DOVECOT_UIDLIST "dovecot-uidlist"
#define MAILDIR_DOVECOT_KEYWORDS "dovecot-keywords"
#define MAILDIR_COURIER_UIDDB "courierimapuiddb"
/* Keywords a..z in file names. */
#define MAILDIR_MAX_KEYWORD_LETTERS 26
/* The message's file is in new/ (no info part). */
#define MAILDIR_FLAG_IN_NEW INDEX_FLAG_BACKEND(0)

/* ---- File names (maildir-filename.c) ---- */

struct maildir_filename {
	/* The base name: everything before ":2,". */
	const char *base;
	size_t base_len;
	/* ,S= ,W= ,U= fields of the base; 0 when absent. */
	uint64_t size;
	uint64_t vsize;
	uint32_t uid;
	/* ":2," was present. */
	bool has_info;
	enum mail_flags flags;
	/* Keyword letters a..z as bits 0..25. */
	uint32_t keyword_letters;
	/* Flag characters we don't interpret, and anything after a ',' in
	   the info part (kept as is); "" when none. */
	char extra[32];
};

/* Parses a file name. Returns 0, or -1 if it can't be a message file
   (empty, starts with '.', too long an info part). */
int maildir_filename_parse(const char *name, struct maildir_filename *fn_r);
/* The base of name (up to ":2,") as a new string from pool. */
const char *maildir_filename_base(struct pool *pool, const char *name);
/* Writes the file name for base with flags (sorted flag letters, keyword
   letters for keywords 0..25, then extra). With in_new, just the base.
   Returns the name from pool. */
const char *maildir_filename_build(struct pool *pool, const char *base,
				   enum mail_flags flags, uint64_t keywords,
				   const char *extra, bool in_new);
/* A new unique base name "<sec>.M<usec>P<pid>Q<n>.<host>". */
const char *maildir_filename_unique(struct pool *pool);
/* base with ",S=<size>,W=<vsize>,U=<uid>" added (replacing any). */
const char *maildir_filename_set_fields(struct pool *pool, const char *base,
					uint64_t size, uint64_t vsize,
					uint32_t uid);
/* base with its ,U= field replaced (or added). */
const char *maildir_filename_set_uid(struct pool *pool, const char *base,
				     uint32_t uid);
/* base without its ,U= field: the part that identifies the message
   across renames and copies (the GUID is a hash of it). */
size_t maildir_filename_guid_part(const char *base, char *dest,
				  size_t dest_size);

/* ---- Other servers' UID lists (maildir-uidlist.c) ---- */

struct maildir_uidlist_rec {
	uint32_t uid;
	const char *base;
	uint64_t vsize;
	const char *pop3_uidl;
	const unsigned char *guid; /* 16 bytes or NULL */
};

struct maildir_uidlist {
	/* 1 or 3 (dovecot-uidlist), 1 (courierimapuiddb) */
	unsigned int version;
	uint32_t uidvalidity;
	uint32_t nextuid;
	unsigned char guid[16];
	bool have_guid;
	struct maildir_uidlist_rec *recs;
	unsigned int count;
};

/* A hex digit's value, or -1. */
int maildir_hex_value(char c);
/* 32 hex digits into 16 bytes. Returns 0, or -1. */
int maildir_parse_guid(const char *p, size_t len, unsigned char *guid);
/* Parses dovecot-uidlist (v1 or v3) or courierimapuiddb contents.
   Records are kept in file order; malformed record lines are skipped.
   Returns 0, or -1 with *error_r for an unusable header. */
int maildir_uidlist_parse(const char *data, size_t size, struct pool *pool,
			  struct maildir_uidlist *list_r, const char **error_r);
/* Reads path (a missing file: returns 0 with an empty list and
   uidvalidity 0). Returns 0, or -1 with *error_r. */
int maildir_uidlist_read(const char *path, struct pool *pool,
			 struct maildir_uidlist *list_r, const char **error_r);

/* ---- dovecot-keywords (maildir-keywords.c) ---- */

/* Parses "N name" lines into names[0..25] (NULL holes). Returns the
   number of slots used (highest index + 1). */
unsigned int maildir_keywords_parse(const char *data, size_t size,
				    struct pool *pool, const char **names);
int maildir_keywords_read(struct mail_storage *storage, const char *name,
			  struct pool *pool, const char ***names_r,
			  unsigned int *count_r);
int maildir_keywords_write(struct backend_mailbox *box,
			   const char *const *names, unsigned int count);

/* ---- Per-folder rebuild record (maildir-record.c) ---- */

/* Parses the record file's text. Returns 0, or -1. */
int maildir_record_parse(const char *data, size_t size,
			 struct mailbox_record *record_r);
int maildir_record_read(struct mail_storage *storage, const char *name,
			struct mailbox_record *record_r);
int maildir_record_write(struct mail_storage *storage, const char *name,
			 const struct mailbox_record *record);
/* Writes record into dir (an existing folder directory). */
int maildir_record_write_dir(const char *dir,
			     const struct mailbox_record *record, bool fsync,
			     const char **error_r);
/* A new record: UIDVALIDITY from the clock (greater than any the user's
   storage handed out before), a random GUID. */
void maildir_record_new(struct mail_storage *storage,
			struct mailbox_record *record);

/* ---- Folders (maildir-list.c) ---- */

/* The folder directory of name ("/root" for INBOX, "/root/.a.b"), or NULL
   for a name that can't be mapped. */
const char *maildir_name_to_dir(struct mail_storage *storage, struct pool *pool,
				const char *name);
/* The mailbox name of a Maildir++ directory entry (".a.b"), or NULL. */
const char *maildir_dir_to_name(struct pool *pool, const char *entry);
int maildir_list(struct mail_storage *storage, struct pool *pool,
		 const char ***names_r, unsigned int *count_r);
int maildir_exists(struct mail_storage *storage, const char *name);
int maildir_create(struct mail_storage *storage, const char *name,
		   struct mailbox_record *record);
int maildir_delete(struct mail_storage *storage, const char *name);
int maildir_rename(struct mail_storage *storage, const char *old_name,
		   const char *new_name);
const char *const *maildir_watch_paths(struct mail_storage *storage,
				       const char *name, struct pool *pool);

/* ---- Per-mailbox state ---- */

/* Directory mtimes (ns) before a batch of own changes. */
struct maildir_dir_stamp {
	int64_t new_ns, cur_ns;
};

struct maildir_mailbox {
	char *dir;
	char *new_dir;
	char *cur_dir;
	char *tmp_dir;
	struct maildir_dir_stamp stamp;
};

static inline struct maildir_mailbox *
maildir_mailbox(struct backend_mailbox *box)
{
	return box->backend_ctx;
}

/* ---- Sync, saving, messages ---- */

int maildir_sync(struct backend_mailbox *box, struct index_sync *sync,
		 enum backend_sync_flags flags);
/* Around own changes in new/ or cur/ (under the mailbox lock): if a
   directory was unchanged since the stored state before the changes, the
   state moves to its new mtime, so the next sync needn't scan. */
void maildir_sync_stamp_before(struct backend_mailbox *box,
			       struct maildir_dir_stamp *stamp_r);
void maildir_sync_stamp_after(struct backend_mailbox *box,
			      const struct maildir_dir_stamp *before);

int maildir_save_begin(struct backend_save *save);
int maildir_save_finish(struct backend_save *save);
void maildir_save_abort(struct backend_save *save);
int maildir_copy(struct backend_save *save, struct backend_mailbox *src,
		 const struct index_record *src_rec);
int maildir_commit_saves(struct backend_mailbox *box,
			 struct backend_save *const *saves, unsigned int count,
			 bool fsync);

int maildir_update_flags(struct backend_mailbox *box,
			 const struct index_record *old_rec,
			 struct index_record *new_rec, struct pool *pool);
int maildir_expunge(struct backend_mailbox *box,
		    const struct index_record *recs, unsigned int count);
int maildir_open_message(struct backend_mailbox *box,
			 const struct index_record *rec,
			 struct backend_stream *stream_r);
/* The path of a message's file as the index knows it. */
const char *maildir_record_path(struct backend_mailbox *box, struct pool *pool,
				const struct index_record *rec);

#endif
