#ifndef POSTERN_STORAGE_BACKEND_H
#define POSTERN_STORAGE_BACKEND_H

/* What a mail storage backend (maildir, mbox, dbox) fills in. Protocol
   code never includes this; the storage layer (storage/) calls these
   functions with the user's index lock held and does everything that is
   the same for every backend: the index, views, UIDs, MODSEQs, \Recent,
   keywords, caching, search, notification, durability ordering.

   The split of work, per operation:
   - Mailbox list: the backend says which mailboxes exist on disk and keeps
     each mailbox's rebuild record (UIDVALIDITY, GUID, special-use, UID
     and MODSEQ high-water marks) where it survives index loss.
   - Sync: the backend scans its files when they may have changed (cheap
     no-change check first) and reports differences to the index through
     struct index_sync (new messages with the UID the files carry, flag
     changes, vanished messages). Rebuild is a sync of an empty index.
   - Save: the storage layer converts line endings and calls write; the
     backend writes a temporary file (or appends to a storage file), and
     at commit time, with UIDs allocated under the mailbox lock, makes the
     messages visible with their UIDs recorded in its own format.
   - Flags: with MAIL_BACKEND_CAP_FLAGS_IN_FILES the backend records flag
     changes in its files (maildir file names) so that they survive index
     loss; otherwise they live in the index (and the backend's rebuild
     record of them, if any, is its own business).
   - Reading: open_message gives a byte range of a file (fd, offset,
     size), so that one-file-per-message (maildir), one-file-per-mailbox
     with offsets (mbox) and append-only storage files (dbox) fit. The
     storage layer maps it and converts to CRLF when the bytes aren't.

   A capability mask says what a backend can do; the layer above tests
   capabilities, never backend names. */

#include "macros.h"
#include "storage.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct pool;
struct mail_storage;
struct backend_mailbox;
struct index_sync;

enum mail_backend_caps {
	/* Copies within the backend are hard links (cheap, no data I/O). */
	MAIL_BACKEND_CAP_HARDLINK_COPY = 0x01,
	/* Flags and keywords are recorded in the mail files: every flag change
	   calls update_flags. */
	MAIL_BACKEND_CAP_FLAGS_IN_FILES = 0x02,
	/* Other programs may change the files (maildir MUAs, MDAs writing
	   new/): sync must look at the files, not only the index. */
	MAIL_BACKEND_CAP_EXTERNAL_CHANGES = 0x04,
	/* A mailbox can hold messages and child mailboxes at once (else
	   \NoInferiors on mailboxes). */
	MAIL_BACKEND_CAP_CHILDREN = 0x08,
	/* Message files may use bare LF: the index remembers per message
	   whether its bytes are pure CRLF. */
	MAIL_BACKEND_CAP_MAYBE_LF = 0x10,
	/* The location is a file's base name (POP3 UIDL %f). */
	MAIL_BACKEND_CAP_FILE_NAMES = 0x20,
};

/* The record that lets a mailbox's index be rebuilt without clients
   noticing: kept by the backend next to the mail (maildir: a small file
   per folder), updated with fsync + rename. */
struct mailbox_record {
	uint32_t uidvalidity;
	unsigned char guid[16];
	enum mailbox_special_use special_use;
	/* No UID below this may be handed out again (raised before an expunge
	   removes the highest UIDs). */
	uint32_t uid_high_water;
	/* MODSEQs handed out were below this (raised when written). */
	uint64_t modseq_high_water;
	/* Not stored: record_read() made the record just now (the mailbox
	   was never ours before), so nothing was handed out yet. */
	bool created;
};

/* A message as the index holds it, as much as a backend needs. */
struct index_record {
	uint32_t uid;
	/* enum mail_flags without MAIL_RECENT, plus backend bits from
	   INDEX_FLAG_BACKEND_SHIFT up. */
	uint32_t flags;
	/* Bit n: keyword n of the mailbox (struct backend_mailbox keywords). */
	uint64_t keywords;
	uint64_t modseq;
	/* Where the message is: the backend's own string (maildir: the base
	   file name; mbox: a byte offset in decimal; dbox: file and offset). */
	const char *location;
	/* Flag characters or data the backend keeps but doesn't interpret
	   (maildir: unknown flag letters); NULL if none. */
	const char *extra;
	/* 0 if not known yet. */
	uint64_t physical_size;
	uint64_t virtual_size;
	/* 0 if not known yet. */
	time_t received_date;
	int received_tz_offset;
	/* When it was saved here; 0 if not known. */
	time_t save_date;
	/* A UIDL imported from another server's records, or NULL. */
	const char *pop3_uidl;
	/* 16 bytes, or NULL: derived from the location. */
	const unsigned char *guid;
};

#define INDEX_FLAG_BACKEND_SHIFT 16
#define INDEX_FLAG_BACKEND(n) (1U << (INDEX_FLAG_BACKEND_SHIFT + (n)))
/* Byte layout of the message is known: pure CRLF / has bare LFs. */
#define INDEX_FLAG_CRLF 0x100
#define INDEX_FLAG_HAS_LF 0x200

/* A mailbox as the storage layer shares it among sessions of the user. */
struct backend_mailbox {
	struct mail_storage *storage;
	/* UTF-8, '/'-separated; "INBOX". */
	const char *name;
	/* The index's id of the mailbox. */
	int64_t index_id;
	struct mailbox_record record;
	/* Keyword names by number (0..count-1); NULL-terminated. */
	const char *const *keywords;
	unsigned int keywords_count;
	/* The backend's sync state string stored in the index (maildir: the
	   directory mtimes it last scanned); "" if none. */
	const char *sync_state;
	/* The backend's own per-mailbox data (paths). */
	void *backend_ctx;
};

/* A message being saved or copied, as the backend sees it. */
struct backend_save {
	struct backend_mailbox *box;
	/* Memory that lives until the transaction ends. */
	struct pool *pool;
	/* Set by the backend at save_begin: where the bytes go. */
	int fd;
	/* Filled by the storage layer. */
	enum mail_flags flags;
	uint64_t keywords;
	time_t received_date;
	time_t save_date;
	uint64_t size; /* bytes written (CRLF) */
	unsigned char guid[16];
	bool guid_set;
	/* Assigned at commit before commit_saves is called. */
	uint32_t uid;
	/* Set by the backend: the location string and backend flag bits for
	   the index, and whether the data still needs an fsync (a
	   hard-linked copy doesn't). */
	const char *location;
	uint32_t index_flags;
	bool needs_fsync;
	/* The backend's own data (temporary file name). */
	void *backend_ctx;
};

/* The open byte range of one message. */
struct backend_stream {
	int fd; /* closed by the storage layer */
	off_t offset;
	uint64_t size;
};

enum backend_sync_flags {
	/* Scan even if the no-change check says nothing changed. */
	BACKEND_SYNC_FLAG_FORCE = 0x01,
	/* The index has no messages for this mailbox: take every UID the
	   files carry (rebuild). */
	BACKEND_SYNC_FLAG_REBUILD = 0x02,
	/* Only the cheap check; report whether a scan is needed (returns 1). */
	BACKEND_SYNC_FLAG_CHECK_ONLY = 0x04,
};

struct mail_backend {
	const char *name; /* "maildir" in mail_location */
	enum mail_backend_caps caps;

	/* Sets storage->backend_ctx up for the mail root (creating it when
	   create is true). Returns 0, or -1 with *error_r. */
	int (*storage_init)(struct mail_storage *storage, bool create,
			    const char **error_r);
	void (*storage_deinit)(struct mail_storage *storage);

	/* Names of every mailbox that exists on disk (INBOX included), from
	   pool. Returns 0, or -1. */
	int (*list)(struct mail_storage *storage, struct pool *pool,
		    const char ***names_r, unsigned int *count_r);
	/* Returns 1 if the mailbox exists on disk, 0 if not, -1 on error. */
	int (*exists)(struct mail_storage *storage, const char *name);
	/* Creates the mailbox with this record; a zero uidvalidity asks for
	   a new UIDVALIDITY and GUID, filled in. EXISTS if it is there. */
	int (*create)(struct mail_storage *storage, const char *name,
		      struct mailbox_record *record);
	/* Deletes the mailbox's messages and its directory/file (not its
	   children). */
	int (*delete)(struct mail_storage *storage, const char *name);
	/* Renames the mailbox and its children. */
	int (*rename)(struct mail_storage *storage, const char *old_name,
		      const char *new_name);

	/* Reads the rebuild record. Without one, makes it from what older
	   servers left (Dovecot's dovecot-uidlist, Courier's
	   courierimapuiddb) or anew, and writes it. Returns 0, or -1. */
	int (*record_read)(struct mail_storage *storage, const char *name,
			   struct mailbox_record *record_r);
	int (*record_write)(struct mail_storage *storage, const char *name,
			    const struct mailbox_record *record);

	/* Keyword names of the mailbox as the files know them (maildir:
	   dovecot-keywords, letter a = 0), from pool; holes are NULL. Used
	   when the index is (re)built. Optional. */
	int (*keywords_read)(struct mail_storage *storage, const char *name,
			     struct pool *pool, const char ***names_r,
			     unsigned int *count_r);
	/* A keyword was defined: record the table if the backend keeps one
	   (names[0..count-1]). Called with the mailbox lock held. Optional. */
	int (*keywords_write)(struct backend_mailbox *box,
			      const char *const *names, unsigned int count);

	/* Prepares box->backend_ctx (paths). */
	int (*mailbox_init)(struct backend_mailbox *box);
	void (*mailbox_deinit)(struct backend_mailbox *box);

	/* Brings the index up to date with the files through sync (see
	   index_sync_*()). Called with the mailbox lock held. Returns 0 (1
	   for CHECK_ONLY when a scan is due), or -1. */
	int (*sync)(struct backend_mailbox *box, struct index_sync *sync,
		    enum backend_sync_flags flags);

	/* Saving: save_begin opens save->fd (a temporary file); the storage
	   layer writes the CRLF bytes to it; save_finish sets what the file
	   needs when complete (its mtime = received date); save_abort removes
	   it. */
	int (*save_begin)(struct backend_save *save);
	int (*save_finish)(struct backend_save *save);
	void (*save_abort)(struct backend_save *save);
	/* A copy of src's message into save->box without going through the
	   data (hard link). Returns 1 if done, 0 if not possible here (the
	   storage layer then copies the bytes), -1 on error. Optional. */
	int (*copy)(struct backend_save *save, struct backend_mailbox *src,
		    const struct index_record *src_rec);
	/* Makes saves visible under their UIDs (set in saves[i]->uid), after
	   the storage layer fsynced their data: rename into place, fsync the
	   directories (if fsync is true), and set each save->location. Called
	   with the mailbox lock held. On -1 nothing may be visible. */
	int (*commit_saves)(struct backend_mailbox *box,
			    struct backend_save *const *saves,
			    unsigned int count, bool fsync);

	/* Bracket a batch of file changes (saves committed, flag updates,
	   expunges) made under the mailbox lock, so that the backend can
	   keep its no-change state current without a scan. Optional. */
	void (*changes_begin)(struct backend_mailbox *box);
	void (*changes_end)(struct backend_mailbox *box);

	/* Records new flags/keywords of a message in the files
	   (CAP_FLAGS_IN_FILES). new_rec has the new flags and keywords; the
	   backend may change its backend bits and location (a new file
	   name). Returns 1 on success, 0 if the message's file is gone, -1
	   on error. */
	int (*update_flags)(struct backend_mailbox *box,
			    const struct index_record *old_rec,
			    struct index_record *new_rec, struct pool *pool);
	/* Removes messages. Returns 0, or -1. Files already gone are fine. */
	int (*expunge)(struct backend_mailbox *box,
		       const struct index_record *recs, unsigned int count);
	/* Opens the message's byte range. Returns 1, 0 if the message is
	   gone (the storage layer resyncs and retries once), -1 on error. */
	int (*open_message)(struct backend_mailbox *box,
			    const struct index_record *rec,
			    struct backend_stream *stream_r);

	/* The message's GUID when the index has none stored: derived from
	   what identifies it in the files, so that it survives a rebuild
	   (maildir: a hash of the base name without U=). Optional (default:
	   a hash of the location). */
	void (*get_guid)(struct backend_mailbox *box,
			 const struct index_record *rec,
			 unsigned char guid[16]);

	/* Paths to watch with inotify for changes by other programs (maildir:
	   new/ and cur/), from pool; NULL-terminated. */
	const char *const *(*watch_paths)(struct mail_storage *storage,
					  const char *name, struct pool *pool);
};

/* A user's backend storage. */
struct mail_storage {
	const struct mail_backend *backend;
	struct mail_user *user;
	/* The expanded mail root ("/home/alice/Maildir"). */
	const char *root;
	/* Parameters after the path in mail_location (":KEY=value"), or
	   NULL. */
	const char *const *params;
	bool fsync;
	void *backend_ctx;
};

/* Registered backends, looked up by name (the mail_location prefix). */
const struct mail_backend *mail_backend_find(const char *name);

/* ---- What a backend's sync calls ---- */

/* The index's records of box, ascending by UID, from pool (locations and
   extras too). Returns 0, or -1. */
int index_sync_get_records(struct index_sync *sync, struct pool *pool,
			   struct index_record **recs_r, unsigned int *count_r);
/* The UID the next new message gets, and the highest UID in the index. */
uint32_t index_sync_get_uidnext(const struct index_sync *sync);
uint32_t index_sync_get_max_uid(const struct index_sync *sync);
/* Adds a message. rec->uid 0 assigns the next UID (returned); a given UID
   must be >= uidnext, and uidnext moves past it. Messages must be added
   in ascending UID order. Returns the UID, or 0 on error. */
uint32_t index_sync_add(struct index_sync *sync,
			const struct index_record *rec);
/* Records changed flags/keywords/location of a message (a new MODSEQ). */
int index_sync_update(struct index_sync *sync, const struct index_record *rec);
/* The message is gone (recorded as expunged with a new MODSEQ). */
int index_sync_expunge(struct index_sync *sync, uint32_t uid);
/* Was uid expunged before (kept in the expunge table)? */
bool index_sync_was_expunged(struct index_sync *sync, uint32_t uid);
/* Keyword number for name in box, defining it if new; -1 when the
   mailbox has MAILBOX_MAX_KEYWORDS already. */
int index_sync_keyword(struct index_sync *sync, const char *name);
/* Replaces the backend's sync state string of the mailbox. */
void index_sync_set_state(struct index_sync *sync, const char *state);
/* Raises uidnext (e.g. from an imported NEXTUID). */
void index_sync_raise_uidnext(struct index_sync *sync, uint32_t uidnext);

/* ---- Helpers for backends ---- */

/* Stores the backend's sync state string of box in the index outside a
   sync (after an own change that keeps it current). Mailbox lock held.
   Returns 0, or -1. */
int backend_mailbox_set_sync_state(struct backend_mailbox *box,
				   const char *state);

/* Records an internal error for box's current operation: logs the text
   with the user and mailbox, and gives the client a generic TEMP text. */
void backend_set_critical(struct backend_mailbox *box, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
/* Sets a client-visible error on the current operation of box. */
void backend_set_error(struct backend_mailbox *box, enum mail_error code,
		       const char *text);
/* The same for storage-level operations (list, create, delete, rename). */
void storage_set_critical(struct mail_storage *storage, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
void storage_set_error(struct mail_storage *storage, enum mail_error code,
		       const char *text);
/* A 128-bit GUID hashed from data (SHA-256, truncated). */
void storage_hash_guid(const void *data, size_t size, unsigned char guid[16]);
/* Maps an errno from a file operation to a code: EACCES/EPERM -> PERM,
   ENOSPC/EDQUOT -> NOQUOTA, ENOENT -> NOTFOUND, EEXIST -> EXISTS, else
   TEMP. */
enum mail_error mail_error_from_errno(int err);

#endif
