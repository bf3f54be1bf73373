#ifndef POSTERN_STORAGE_PRIVATE_H
#define POSTERN_STORAGE_PRIVATE_H

/* Internals shared by the files of storage/: the user object, the shared
   per-mailbox state, the session's mailbox handle with its view, the error
   sink. */

#include "array.h"
#include "index-db.h"
#include "log.h"
#include "postern/storage-backend.h"
#include "postern/storage.h"

#include <pthread.h>

/* Where errors of the running operation go: a mailbox's last error, or a
   local one for user-level calls. Set per thread while an operation runs,
   so that backends report without knowing the caller. */
struct mail_error_sink {
	enum mail_error code;
	char text[256];
};

struct mail_user {
	/* Registry fields, protected by the registry mutex. */
	struct mail_user *next;
	int refcount;

	char *username;
	char *home;
	char *mail_root;
	char *index_dir;
	char *notify_path;
	char *lock_dir;
	const struct storage_settings *set;
	struct log_ctx log_ctx;
	struct mail_storage storage;
	struct pool *pool;

	/* Serializes every use of db and boxes. */
	pthread_mutex_t lock;
	struct index_db *db;
	ARRAY(struct backend_mailbox *) boxes;
	/* A new user's special-use mailboxes are still to be made. */
	bool autocreate_pending;
	/* When the index file was last checked for replacement. */
	int64_t stale_checked_ms;
};

/* The shared state of a mailbox: struct backend_mailbox plus what the
   storage layer keeps. Protected by user->lock. */
struct index_mailbox {
	struct backend_mailbox b;
	int refcount;
	struct pool *pool;
	/* From the index row. */
	uint32_t uidnext;
	uint64_t highest_modseq;
	uint32_t first_recent_uid;
	uint64_t expunge_horizon;
	/* b.sync_state points here. */
	char *sync_state;
	/* Keyword names (b.keywords points here). */
	ARRAY(char *) keyword_names;
	/* The mailbox lock across processes (flock on a file in the index
	   directory), held while changing files or allocating UIDs. */
	int lock_fd;
	int lock_count;
	/* The mailbox row was not found: the name doesn't exist. */
	bool missing;
	/* The mailbox row was just made from the backend's record: the next
	   sync is a rebuild (every UID the files carry is taken). */
	bool need_rebuild;
	/* b.record's high-water marks are the backend's (read or written
	   by us); the index row doesn't keep them. */
	bool record_marks_known;
};

struct mailbox_own_change {
	uint32_t uid;
	uint64_t modseq;
};

struct mailbox {
	struct mail_user *user;
	char *name;
	enum mailbox_flags flags;
	const struct log_ctx *log_ctx;
	struct mail_error_sink error;
	/* Per-call scratch memory (status keywords). */
	struct pool *pool;

	struct index_mailbox *ibox; /* set once looked up */
	bool opened;

	/* The view. */
	struct seq_range_set uids;
	struct seq_range_set recent_uids;
	uint32_t view_uidnext;
	uint32_t uidvalidity;
	/* MODSEQ up to which flag changes were reported. */
	uint64_t view_modseq;
	/* MODSEQ up to which expunges were reported and applied. */
	uint64_t expunge_modseq;
	unsigned int keywords_count;
	/* Changes made by this session since its last sync (uid, modseq):
	   not reported back to it. */
	ARRAY(struct mailbox_own_change) own;
	/* The index's change count when the view last read it, and when
	   (CLOCK_MONOTONIC_COARSE, ms): see mailbox_sync_unchanged(). */
	uint64_t synced_changes;
	int64_t synced_ms;
	bool synced_changes_set;
};

/* ---- Errors (mail-error.c) ---- */

/* Makes sink the current thread's error sink until the matching
   storage_error_pop(); clears it first. Returns the previous one. */
struct mail_error_sink *storage_error_push(struct mail_error_sink *sink);
void storage_error_pop(struct mail_error_sink *prev);
/* Sets an error on the current sink (if it has none yet: the first error
   is kept across cleanup). */
void storage_error_set(enum mail_error code, const char *text);
/* Logs an internal error and sets the generic TEMP text. */
void storage_error_critical(const struct log_ctx *ctx, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
void storage_error_criticalv(const struct log_ctx *ctx, const char *fmt,
			     va_list args) ATTR_FORMAT(2, 0);
/* Whether the current sink has an error. */
bool storage_error_is_set(void);
enum mail_error storage_error_code(void);

/* ---- Users (mail-user.c) ---- */

void mail_user_lock_index(struct mail_user *user);
void mail_user_unlock_index(struct mail_user *user);
/* Makes sure user->db is open and current (reopening a replaced or
   corrupt database, rebuilding as needed). Lock held. Returns 0, or -1. */
int mail_user_index_ensure(struct mail_user *user);
/* Tells other processes something changed (touches the notify file). */
void mail_user_notify_file_touch(struct mail_user *user);

/* ---- Shared mailbox state (index-mailbox.c) ---- */

/* Finds or loads the shared state of name (canonical), creating the index
   row from the backend's record when the mailbox exists on disk but not in
   the index. Lock held. Returns 1 found, 0 the mailbox doesn't exist, -1
   on error. */
int index_mailbox_get(struct mail_user *user, const char *name,
		      struct index_mailbox **ibox_r);
void index_mailbox_unref(struct mail_user *user, struct index_mailbox **ibox);
/* Re-reads the row (counters) from the index. Lock held. */
int index_mailbox_refresh(struct index_mailbox *ibox);
/* Forgets the shared state of name (after delete/rename). Lock held. */
void index_mailbox_forget(struct mail_user *user, const char *name);
/* Replaces the in-memory copy of the backend's sync state. */
void index_mailbox_set_state_str(struct index_mailbox *ibox, const char *state);
/* Empties the in-memory keyword table. */
void index_mailbox_clear_keywords(struct index_mailbox *ibox);
/* Defines the keywords the backend's files know (index rebuild). */
int index_mailbox_import_keywords(struct index_mailbox *ibox);
/* Reloads the keyword table. */
int index_mailbox_load_keywords(struct index_mailbox *ibox);
/* The keyword's number, defining it (within the current transaction) when
   create is set. Returns the number, -1 if unknown (or full: then
   *full_r). */
int index_mailbox_keyword(struct index_mailbox *ibox, const char *name,
			  bool create, bool *full_r);
/* Bitmask <-> names. */
const char *const *index_mailbox_keyword_names(struct index_mailbox *ibox,
					       uint64_t mask,
					       struct pool *pool);
/* The cross-process mailbox lock (nests within a process). */
int index_mailbox_lock(struct index_mailbox *ibox);
void index_mailbox_unlock(struct index_mailbox *ibox);

/* Syncs the index with the backend's files. Lock held, no transaction
   open. Returns 0, or -1. */
int index_mailbox_sync_files(struct index_mailbox *ibox,
			     enum backend_sync_flags flags);
/* Rebuilds the mailbox's index from the files. */
int index_mailbox_rebuild(struct index_mailbox *ibox);

/* Reads the message row of uid. Returns 1, 0 if none, -1 on error. */
int index_message_get(struct index_mailbox *ibox, uint32_t uid,
		      struct pool *pool, struct index_record *rec_r);
void index_record_from_row(sqlite3_stmt *stmt, struct pool *pool,
			   struct index_record *rec_r);

/* The first MODSEQ of a rebuilt mailbox index; records a reservation
   above it in the backend's record (see index-mailbox.c). */
uint64_t index_mailbox_modseq_floor(struct mail_storage *storage,
				    const char *name,
				    struct mailbox_record *record);
/* Before expunges remove UIDs up to max_uid: makes sure the backend's
   record keeps a rebuilt index from handing them out again (see
   index-mailbox.c). Returns 0, or -1. */
int index_mailbox_protect_uids(struct index_mailbox *ibox, uint32_t max_uid);
/* Inserts the index row of a mailbox we just created (MODSEQ from 1),
   replacing a stale row of that name. Lock held. */
int index_mailbox_insert_new(struct mail_user *user, const char *name,
			     const struct mailbox_record *record);
/* Runs an index transaction's modseq bump: the next MODSEQ. */
uint64_t index_mailbox_next_modseq(struct index_mailbox *ibox);
/* Writes uidnext and highest_modseq of the row. */
int index_mailbox_write_counters(struct index_mailbox *ibox);
/* Inserts a message row (rec->modseq set by the caller). */
int index_message_insert(struct index_mailbox *ibox,
			 const struct index_record *rec);
/* Writes flags, keywords, modseq, location and extra of a row. */
int index_message_update(struct index_mailbox *ibox,
			 const struct index_record *rec);
/* Every row of uids, ascending, from pool. */
int index_messages_load(struct index_mailbox *ibox,
			const struct seq_range_set *uids, struct pool *pool,
			struct index_record **recs_r, unsigned int *count_r);
/* Runs func under the mailbox lock inside an index transaction, with the
   backend's change bracket around it: commit if it returns 0, else roll
   back and reload the in-memory counters. Returns func's result, or -1. */
int index_mailbox_change(struct index_mailbox *ibox, int (*func)(void *context),
			 void *context);
/* Records uid as expunged with modseq and deletes its row and cache. */
int index_message_expunge(struct index_mailbox *ibox, uint32_t uid,
			  uint64_t modseq);

/* Claims \Recent for messages from the mailbox's first recent UID on, for
   this view only (RFC 3501 §2.3.2). Lock held. */
int mailbox_claim_recent(struct mailbox *box);

/* Sets a box error for the running call from a backend or storage. */
#define MAILBOX_LOG_CTX(box) \
	((box)->log_ctx != NULL ? (box)->log_ctx : &(box)->user->log_ctx)

/* Runs at the start of every public mailbox call: sets box's error sink
   and takes the user lock. mailbox_end() undoes both. */
struct mail_error_sink *mailbox_begin(struct mailbox *box);
void mailbox_end(struct mailbox *box, struct mail_error_sink *prev);
/* Finds box->ibox (lock held). Returns 1, 0 (NOTFOUND set), -1. */
int mailbox_lookup(struct mailbox *box);

/* ---- Notification (mailbox-watch.c) ---- */

/* A commit in this process changed mailbox name of user: wake watchers
   (any thread). */
void mailbox_watch_notify(struct mail_user *user, const char *name);

/* ---- Saving internals (mail-save.c) used by copy ---- */

struct mail_save_internal;

#endif
