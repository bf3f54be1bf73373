#ifndef POSTERN_STORAGE_H
#define POSTERN_STORAGE_H

/* The mail storage API that IMAP, POP3 and LMTP call. Protocol-neutral:
   it knows mailboxes, messages, flags, UIDs and MODSEQs, never a protocol's
   syntax, and it never names a backend (maildir, mbox, dbox live behind
   storage-backend.h).

   Objects
   - struct mail_user: one per user and worker process, shared by that
     user's sessions and refcounted. It owns the user's index (one SQLite
     database) and the backend storage.
   - struct mailbox: one session's handle on one mailbox. Allocated by name
     (never fails), then used unopened (create, delete, rename, status,
     subscribe, saving for LMTP) or opened as a view (SELECT/EXAMINE, a
     POP3 maildrop): the session's own sequence <-> UID mapping, kept as
     UID ranges, brought up to date only by mailbox_sync(), so that sequence
     numbers change only when the session is told.
   - struct mail: one message while iterating a fetch.

   Threads
   Every function here may block on disk or SQLite and must run off the
   loop thread (uv_queue_work), except the change-notification functions
   (mail_user_watch_mailbox() and friends), which run on the loop thread
   only. One struct mailbox (and what hangs off it: fetch, save and
   transaction contexts) is used by one thread at a time, though not always
   the same thread; different mailboxes of one user may be used from
   different threads at once (the user serializes index access inside).

   Errors
   Functions return 0 / -1 (or 1 / 0 / -1 where said). After a failure on a
   mailbox or anything hanging off it, mailbox_get_last_error() gives a
   protocol-neutral code and a text safe to show to the client: internal
   failures are logged with detail and the text is generic, with a
   timestamp to find the log line. NOTFOUND and PERM texts read alike so
   that a mailbox's existence does not leak.

   Names
   Mailbox names are UTF-8 with '/' as the hierarchy separator; "INBOX" is
   case-insensitive and always spelled "INBOX" by this API. IMAP converts
   modified UTF-7 on the wire. Names that could escape the user's directory
   (empty components, ".", "..", control characters, a leading '/' or '~')
   are refused with MAIL_ERROR_PARAMS and a text that says why. */

#include "config.h"
#include "seq-range.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <uv.h>

struct pool;
struct log_ctx;

#define MAILBOX_HIERARCHY_SEP '/'
/* Longest mailbox name (bytes of UTF-8) and deepest hierarchy accepted. */
#define MAILBOX_NAME_MAX_LENGTH 512
#define MAILBOX_NAME_MAX_LEVELS 16
/* Keywords per mailbox: beyond this PERMANENTFLAGS loses \*. */
#define MAILBOX_MAX_KEYWORDS 64
/* Longest keyword (an IMAP atom) accepted. */
#define MAIL_KEYWORD_MAX_LENGTH 100

/* ---- Errors ---- */

enum mail_error {
	MAIL_ERROR_NONE = 0,
	/* Temporary or internal failure (disk, SQLite, a bug): try later. The
	   detail is in the log. IMAP: NO [SERVERBUG]/[UNAVAILABLE];
	   POP3: -ERR [SYS/TEMP]; LMTP: 451 4.3.0. */
	MAIL_ERROR_TEMP,
	/* Not possible by its nature: deleting INBOX, renaming a mailbox
	   under itself, flag changes in a read-only view. */
	MAIL_ERROR_NOTPOSSIBLE,
	/* Invalid parameters from the client: a bad mailbox name, an invalid
	   keyword. */
	MAIL_ERROR_PARAMS,
	/* No permission (file system permissions). */
	MAIL_ERROR_PERM,
	/* Over quota. */
	MAIL_ERROR_NOQUOTA,
	/* The mailbox doesn't exist. */
	MAIL_ERROR_NOTFOUND,
	/* The mailbox already exists. */
	MAIL_ERROR_EXISTS,
	/* The message was expunged (by another session) meanwhile. */
	MAIL_ERROR_EXPUNGED,
	/* Held by another session (the POP3 maildrop lock). */
	MAIL_ERROR_INUSE,
	/* A limit was reached: too many keywords, too deep a hierarchy, a
	   message over the size limit. */
	MAIL_ERROR_LIMIT,
	/* The message data is invalid (e.g. a save of zero bytes). */
	MAIL_ERROR_INVALIDDATA,
};

/* The code's name for logs ("TEMP", "NOTFOUND", ...). */
const char *mail_error_name(enum mail_error error);

/* ---- Settings: the [storage] section ---- */

struct storage_settings {
	/* "maildir:~/Maildir", "maildir:/srv/mail/%d/%n"; %u user, %n local
	   part, %d domain, %h or a leading ~ the home directory. Optional
	   ":KEY=value" parameters after the path: INDEX=dir. */
	char *mail_location;
	/* Where the per-user index lives ("" = inside the mail location);
	   same expansions. */
	char *index_dir;
	/* group: deliveries in flight share fsyncs (default); always: every
	   save fsyncs on its own; never: no fsync (tests, tmpfs). */
	char *fsync;
	/* Create Drafts, Sent, Trash, Junk and Archive with their special-use
	   attributes for a user whose storage is new. */
	bool autocreate;
	/* Biggest message a save accepts (0 = no limit); LIMIT beyond. */
	uint64_t max_message_size;
};

/* The [storage] setting table for config_parse_*(). */
extern const struct setting_def storage_setting_defs[];
/* Defaults, for tools and tests that have no config file. */
void storage_settings_init_defaults(struct storage_settings *set);

/* ---- Users ---- */

struct mail_user;

struct mail_user_params {
	/* "alice" or "alice@example.org" (then %n = alice, %d = example.org) */
	const char *username;
	/* The home directory, from the userdb; NULL or "" if none. */
	const char *home;
	/* Override of the settings' mail_location and index_dir (a userdb
	   field); NULL: use the settings. */
	const char *mail_location;
	const char *index_dir;
};

/* Opens a user's storage: expands the location, creates the directories of
   a new user (with the autocreated mailboxes), opens the index, rebuilding
   it (and logging why) if it is missing or corrupt. Within one process the
   same (username, location) returns the object already open, with one more
   reference. set must outlive the user. Thread-safe. Returns 0, or -1 with
   *error_r (for the log and the operator: includes paths). */
int mail_user_open(const struct mail_user_params *params,
		   const struct storage_settings *set,
		   struct mail_user **user_r, const char **error_r);
void mail_user_ref(struct mail_user *user);
/* Drops a reference; the last one closes the index and frees the user.
   Every mailbox and watch of the user must be freed before. Thread-safe. */
void mail_user_unref(struct mail_user **user);

const char *mail_user_get_username(const struct mail_user *user);
/* The expanded mail root (e.g. /home/alice/Maildir) and index directory. */
const char *mail_user_get_mail_root(const struct mail_user *user);
const char *mail_user_get_index_dir(const struct mail_user *user);

/* Rebuilds the index of one mailbox (NULL: every mailbox) from the mail
   files, keeping UIDs, UIDVALIDITY, flags and keywords. For posternctl and
   recovery; sessions of other processes notice at their next sync. Returns
   0, or -1 with *error_r. */
int mail_user_rebuild_index(struct mail_user *user, const char *mailbox_name,
			    const char **error_r);

/* An exclusive lock named name held for the user across processes: the
   POP3 maildrop lock ("pop3"). Returns 1 with *lock_r, 0 when another
   session holds it, -1 on error (*error_r). Released by
   mail_user_unlock() or when the process dies. */
struct mail_user_lock;
int mail_user_lock(struct mail_user *user, const char *name,
		   struct mail_user_lock **lock_r, const char **error_r);
void mail_user_unlock(struct mail_user_lock **lock);

/* ---- Mailbox names and the mailbox list ---- */

/* Returns 0 if name is a valid mailbox name, or -1 with *error_r saying
   why not (for the client). */
int mailbox_name_validate(const char *name, const char **error_r);
/* IMAP LIST-style pattern match: '*' matches anything, '%' anything but
   the hierarchy separator; "INBOX" matches case-insensitively. */
bool mailbox_name_match(const char *pattern, const char *name);

enum mailbox_special_use {
	MAILBOX_SPECIAL_ALL = 0x01,
	MAILBOX_SPECIAL_ARCHIVE = 0x02,
	MAILBOX_SPECIAL_DRAFTS = 0x04,
	MAILBOX_SPECIAL_FLAGGED = 0x08,
	MAILBOX_SPECIAL_JUNK = 0x10,
	MAILBOX_SPECIAL_SENT = 0x20,
	MAILBOX_SPECIAL_TRASH = 0x40,
	MAILBOX_SPECIAL_IMPORTANT = 0x80,
};
/* "\\Drafts" -> MAILBOX_SPECIAL_DRAFTS (case-insensitive); 0 if unknown. */
enum mailbox_special_use mailbox_special_use_parse(const char *name);
/* The attribute name ("\\Drafts") of one bit. */
const char *mailbox_special_use_name(enum mailbox_special_use bit);

enum mailbox_info_flags {
	/* Exists only as a parent of other mailboxes: cannot be selected. */
	MAILBOX_INFO_NOSELECT = 0x01,
	/* Listed only because it is subscribed (LIST-EXTENDED). */
	MAILBOX_INFO_NONEXISTENT = 0x02,
	MAILBOX_INFO_CHILDREN = 0x04,
	MAILBOX_INFO_NOCHILDREN = 0x08,
	MAILBOX_INFO_NOINFERIORS = 0x10,
	MAILBOX_INFO_SUBSCRIBED = 0x20,
};

struct mailbox_info {
	const char *name;
	enum mailbox_info_flags flags;
	enum mailbox_special_use special_use;
};

enum mailbox_list_flags {
	/* Also list subscribed names that don't exist (\NonExistent). */
	MAILBOX_LIST_FLAG_SUBSCRIBED = 0x01,
};

/* Every mailbox of the user (INBOX first, then by name, parents before
   children, including \Noselect parents implied by children), each with
   CHILDREN/NOCHILDREN and SUBSCRIBED set. The array and names are
   allocated from pool. Returns 0, or -1 with *error_r (generic text;
   detail logged). */
int mail_user_list_mailboxes(struct mail_user *user,
			     enum mailbox_list_flags flags, struct pool *pool,
			     struct mailbox_info **infos_r,
			     unsigned int *count_r, const char **error_r);

/* ---- Mailboxes ---- */

struct mailbox;

enum mailbox_flags {
	/* EXAMINE, a read-only view: no flag changes, no expunges, no
	   \Recent claimed. */
	MAILBOX_FLAG_READONLY = 0x01,
	/* Don't claim \Recent (IMAP4rev2 sessions, POP3). */
	MAILBOX_FLAG_NO_RECENT = 0x02,
	/* Open for saving only (LMTP, APPEND without SELECT): no view is
	   built, so opening costs nothing per message. */
	MAILBOX_FLAG_SAVE_ONLY = 0x04,
};

/* A handle on the mailbox called name. Never fails: an invalid or missing
   name is reported by the first call that needs the mailbox. The user
   gets a reference. log_ctx (may be NULL) names the session in log lines
   and must outlive the mailbox. */
struct mailbox *mailbox_alloc(struct mail_user *user, const char *name,
			      enum mailbox_flags flags,
			      const struct log_ctx *log_ctx);
/* Frees the handle (closing the view). NULLs *box. */
void mailbox_free(struct mailbox **box);

/* The canonical name ("INBOX" for any case of inbox). */
const char *mailbox_get_name(const struct mailbox *box);
struct mail_user *mailbox_get_user(const struct mailbox *box);
bool mailbox_is_readonly(const struct mailbox *box);

/* The last error on box or anything hanging off it. The text is for the
   client (no paths); *code_r may be NULL. Returns "" / NONE if none. */
const char *mailbox_get_last_error(struct mailbox *box,
				   enum mail_error *code_r);

/* Returns 1 if the mailbox exists (and is selectable), 0 if not, -1 on
   error. */
int mailbox_exists(struct mailbox *box);

/* Creates the mailbox with the given special-use attributes (0 for none).
   Parents are not created: they are listed as \Noselect while only their
   children exist. EXISTS if it exists, PARAMS for a bad name. */
int mailbox_create(struct mailbox *box, enum mailbox_special_use special_use);
/* Deletes the mailbox and its messages; its children stay (the name then
   lists as \Noselect while they exist). INBOX can't be deleted
   (NOTPOSSIBLE); a missing mailbox is NOTFOUND. The box must not be
   opened. */
int mailbox_delete(struct mailbox *box);
/* Renames src (with its children) to dest's name. Renaming INBOX moves its
   messages into a new mailbox called dest and leaves INBOX empty (RFC 3501
   §6.3.5; INBOX's children stay). dest EXISTS, src NOTFOUND, dest under
   src NOTPOSSIBLE. Neither box may be opened. UIDVALIDITY is kept. */
int mailbox_rename(struct mailbox *src, struct mailbox *dest);
/* Subscribes or unsubscribes the name; the mailbox need not exist. */
int mailbox_set_subscribed(struct mailbox *box, bool subscribed);

enum mailbox_status_items {
	STATUS_MESSAGES = 0x0001,
	STATUS_RECENT = 0x0002,
	STATUS_UIDNEXT = 0x0004,
	STATUS_UIDVALIDITY = 0x0008,
	STATUS_UNSEEN = 0x0010,
	STATUS_DELETED = 0x0020,
	STATUS_SIZE = 0x0040,
	STATUS_HIGHESTMODSEQ = 0x0080,
	STATUS_MAILBOXID = 0x0100,
	/* Opened boxes only (SELECT's untagged responses): */
	STATUS_FIRST_UNSEEN_SEQ = 0x0200,
	STATUS_KEYWORDS = 0x0400,
	STATUS_SPECIAL_USE = 0x0800,
};

struct mailbox_status {
	uint32_t messages;
	uint32_t recent;
	uint32_t unseen;
	uint32_t deleted;
	uint32_t uidnext;
	uint32_t uidvalidity;
	/* Sequence number of the first message without \Seen; 0: none. */
	uint32_t first_unseen_seq;
	uint64_t highest_modseq;
	/* Sum of RFC822.SIZE (STATUS=SIZE). */
	uint64_t size;
	/* OBJECTID MAILBOXID: 32 hex digits, stable across renames and index
	   rebuilds. */
	char mailbox_id[33];
	/* Every keyword defined in the mailbox (FLAGS), NULL-terminated, from
	   the box's memory: valid until the next call on box. */
	const char *const *keywords;
	/* New keywords may be created (\* in PERMANENTFLAGS). */
	bool allow_new_keywords;
	enum mailbox_special_use special_use;
};

/* Fills the asked items. On an unopened box the counts come from the index
   after a cheap check for changes by other programs (STATUS); on an opened
   box MESSAGES and RECENT are the view's (what the session was told) and
   the rest are current. */
int mailbox_get_status(struct mailbox *box, enum mailbox_status_items items,
		       struct mailbox_status *status_r);

/* Opens the view: syncs the mailbox with the mail files, claims \Recent
   (unless READONLY or NO_RECENT) and loads the UID ranges. NOTFOUND for a
   missing mailbox, PARAMS for a bad name. */
int mailbox_open(struct mailbox *box);
bool mailbox_is_opened(const struct mailbox *box);

/* ---- The view: sequence numbers and UIDs ---- */

/* Messages in the view (what the session was last told: EXISTS). */
uint32_t mailbox_get_messages_count(const struct mailbox *box);
/* The UID of sequence number seq, 0 if out of range. */
uint32_t mailbox_seq_to_uid(const struct mailbox *box, uint32_t seq);
/* The sequence number of uid, 0 if it is not in the view. */
uint32_t mailbox_uid_to_seq(const struct mailbox *box, uint32_t uid);
/* The view's UIDs, for iteration (owned by the box; valid until the next
   sync). */
const struct seq_range_set *mailbox_get_uids(const struct mailbox *box);

/* Converts a set of sequence numbers, SEQ_RANGE_STAR meaning the last
   message, into the UIDs of the view (numbers past the end are dropped).
   Returns 0, or -1 if the set names a number past the end (IMAP: BAD
   "Invalid messageset") while the view is non-empty; uids_r is filled with
   what exists either way. */
int mailbox_seqset_to_uids(const struct mailbox *box,
			   const struct seq_range_set *seqs,
			   struct seq_range_set *uids_r);
/* Keeps the UIDs of a UID set that are in the view; SEQ_RANGE_STAR is the
   highest UID in the view (so "n:*" always includes it, RFC 9051 §6.4.8). */
void mailbox_uidset_in_view(const struct mailbox *box,
			    const struct seq_range_set *uids,
			    struct seq_range_set *uids_r);

/* ---- Sync: what the session must be told ---- */

enum mail_flags {
	MAIL_ANSWERED = 0x01,
	MAIL_FLAGGED = 0x02,
	MAIL_DELETED = 0x04,
	MAIL_SEEN = 0x08,
	MAIL_DRAFT = 0x10,
	/* Only in what a view reports; never stored or set by a client. */
	MAIL_RECENT = 0x20,
};
#define MAIL_FLAGS_STORABLE \
	(MAIL_ANSWERED | MAIL_FLAGGED | MAIL_DELETED | MAIL_SEEN | MAIL_DRAFT)

enum mailbox_sync_flags {
	/* Leave expunged messages in the view and report no expunges (IMAP
	   during FETCH, STORE, SEARCH, RFC 9051 §7.5.1). They are reported by
	   the next sync without this flag. */
	MAILBOX_SYNC_FLAG_NO_EXPUNGES = 0x01,
	/* Look only at the index, not at the mail files (between commands
	   that can't miss anything, e.g. after the session's own STORE). */
	MAILBOX_SYNC_FLAG_FAST = 0x02,
	/* Scan the mail files even if nothing looks changed. */
	MAILBOX_SYNC_FLAG_FULL = 0x04,
	/* The session waits for changes after this sync (IMAP IDLE), maybe
	   for hours: the user's index gives back its page cache, which the
	   next read fills again from the OS's file cache. */
	MAILBOX_SYNC_FLAG_IDLE = 0x08,
};

struct mailbox_sync_expunge {
	uint32_t seq; /* valid when reported in array order */
	uint32_t uid;
};

struct mailbox_sync_change {
	uint32_t seq;
	uint32_t uid;
	enum mail_flags flags; /* with MAIL_RECENT of the view */
	const char *const *keywords;
	uint64_t modseq;
};

struct mailbox_sync_result {
	/* Expunged messages in descending sequence order, so that each seq is
	   right when the responses are sent in array order (IMAP EXPUNGE). */
	struct mailbox_sync_expunge *expunges;
	unsigned int expunges_count;
	/* The same UIDs as a set (QRESYNC VANISHED). */
	struct seq_range_set expunged_uids;
	/* Messages in the view after the sync; send EXISTS if
	   messages_changed (new messages arrived, or expunges shrank it and
	   a client wants the count again). */
	uint32_t messages;
	bool messages_changed;
	/* \Recent in the view after the sync (IMAP4rev1 RECENT). */
	uint32_t recent;
	bool recent_changed;
	/* Flag and keyword changes made by other sessions since the last sync,
	   ascending by seq (seqs after the expunges above). The session's own
	   changes are not repeated (it reported them with its STORE). */
	struct mailbox_sync_change *changes;
	unsigned int changes_count;
	/* A keyword was defined: send FLAGS and PERMANENTFLAGS again. */
	bool keywords_changed;
	uint64_t highest_modseq;
	/* The mailbox was replaced (UIDVALIDITY changed) or deleted: the
	   session must be closed (IMAP: BYE). */
	bool mailbox_lost;
};

/* Brings the view up to date: looks for changes by other programs
   (unless FAST), then reports, in order, expunges (applied to the view
   unless NO_EXPUNGES), new messages, and flag changes with MODSEQ. Result
   arrays are allocated from pool. Returns 0, or -1 (the view is then
   unchanged). */
int mailbox_sync(struct mailbox *box, enum mailbox_sync_flags flags,
		 struct pool *pool, struct mailbox_sync_result *result_r);

/* QRESYNC (RFC 7162 §3.2.5): UIDs expunged after modseq among known_uids
   (NULL: 1:UIDNEXT-1), for VANISHED (EARLIER). If the index no longer
   remembers expunges that far back (after a rebuild, or pruned), every
   UID of known_uids not in the mailbox is returned, which the RFC allows.
   Allocated from pool. */
int mailbox_get_vanished_since(struct mailbox *box, uint64_t modseq,
			       const struct seq_range_set *known_uids,
			       struct pool *pool, struct seq_range_set *uids_r);
/* UIDs in the view whose MODSEQ is greater than modseq (QRESYNC's FETCH
   of changed messages, CHANGEDSINCE). */
int mailbox_get_changed_since(struct mailbox *box, uint64_t modseq,
			      struct pool *pool, struct seq_range_set *uids_r);

/* ---- Messages ---- */

/* Returns 0 if keyword is acceptable (an IMAP atom without '\\', at most
   MAIL_KEYWORD_MAX_LENGTH), -1 if not. */
int mail_keyword_validate(const char *keyword);

enum mail_fetch_field {
	MAIL_FETCH_FLAGS = 0x0001, /* flags and keywords */
	MAIL_FETCH_MODSEQ = 0x0002,
	MAIL_FETCH_RECEIVED_DATE = 0x0004, /* INTERNALDATE */
	MAIL_FETCH_SAVE_DATE = 0x0008,
	MAIL_FETCH_SIZE = 0x0010, /* RFC822.SIZE */
	MAIL_FETCH_GUID = 0x0020,
	MAIL_FETCH_ENVELOPE = 0x0040,
	MAIL_FETCH_BODYSTRUCTURE = 0x0080,
	MAIL_FETCH_BODY = 0x0100,
	MAIL_FETCH_PARTS = 0x0200, /* the serialized part tree */
	MAIL_FETCH_DATA = 0x0400,  /* the message bytes will be read */
	MAIL_FETCH_POP3_UIDL = 0x0800,
};

struct mail;
struct mail_fetch_ctx;

/* Iterates over the messages of uids that are in the view, ascending.
   fields says what will be asked, so that it is loaded in bulk; anything
   else still works, loaded on demand. The box must be opened. */
struct mail_fetch_ctx *mailbox_fetch_init(struct mailbox *box,
					  const struct seq_range_set *uids,
					  enum mail_fetch_field fields);
/* Returns 1 with *mail_r (valid until the next call), 0 at the end, -1 on
   error. Messages expunged meanwhile are skipped and counted. May be
   called across several thread-pool jobs (IMAP stops when its output is
   full and resumes later). */
int mailbox_fetch_next(struct mail_fetch_ctx *ctx, struct mail **mail_r);
/* How many of the asked messages had been expunged (IMAP: NO
   [EXPUNGEISSUED] or the RFC 2180 behaviour). */
unsigned int mailbox_fetch_get_expunged_count(const struct mail_fetch_ctx *ctx);
/* Returns 0, or -1 if an error happened on the way (last error on box). */
int mailbox_fetch_deinit(struct mail_fetch_ctx **ctx);

/* Accessors. A field that fails to load (the file vanished: EXPUNGED;
   I/O: TEMP) returns -1 with the error on the box. Strings live until the
   next mailbox_fetch_next(). */
uint32_t mail_get_uid(const struct mail *mail);
uint32_t mail_get_seq(const struct mail *mail);
/* Stored flags plus MAIL_RECENT when the view holds it as recent. */
enum mail_flags mail_get_flags(const struct mail *mail);
/* NULL-terminated, never NULL. */
const char *const *mail_get_keywords(const struct mail *mail);
uint64_t mail_get_modseq(const struct mail *mail);
/* INTERNALDATE with the timezone it was received in (minutes east of
   UTC). */
int mail_get_received_date(struct mail *mail, time_t *date_r, int *tz_offset_r);
int mail_get_save_date(struct mail *mail, time_t *date_r);
/* The Date: header with its zone; 0 if it is missing or unparsable
   (mailbox_search() then uses INTERNALDATE for SENT* keys). */
int mail_get_sent_date(struct mail *mail, time_t *date_r, int *tz_offset_r);
/* RFC822.SIZE: the size with CRLF line endings, exactly the bytes
   mail_get_data() gives. */
int mail_get_size(struct mail *mail, uint64_t *size_r);
/* OBJECTID EMAILID: 32 hex digits, kept by COPY and MOVE and across index
   rebuilds. */
int mail_get_guid(struct mail *mail, const char **guid_r);
/* OBJECTID THREADID: NULL until threading exists (IMAP sends NIL). */
const char *mail_get_thread_id(struct mail *mail);
/* IMAP ENVELOPE, BODYSTRUCTURE and BODY as strings, from the cache or
   parsed now and cached. */
int mail_get_envelope(struct mail *mail, const char **envelope_r);
int mail_get_bodystructure(struct mail *mail, const char **bodystructure_r);
int mail_get_body(struct mail *mail, const char **body_r);
/* The part tree as serialized by src/mail (message_part_serialize()),
   with offsets into mail_get_data()'s bytes. */
int mail_get_parts(struct mail *mail, const unsigned char **data_r,
		   size_t *size_r);

/* The message bytes, CRLF line endings guaranteed, as a read-only
   mapping (the file itself when it is stored with CRLF; a normalized copy
   otherwise). Independent of the mail and the fetch: keep it as long as
   needed, from any thread, and release it. */
struct mail_data {
	const unsigned char *data;
	size_t size;
	/* private */
	void *map_;
	size_t map_size_;
};
int mail_get_data(struct mail *mail, struct mail_data *data_r);
void mail_data_release(struct mail_data *data);

/* What POP3 builds a UIDL from (pop3_uidl_format). */
struct mail_pop3_uidl {
	uint32_t uid;
	uint32_t uidvalidity;
	const char *guid;
	/* maildir: the file's base name (Dovecot's %f); NULL elsewhere. */
	const char *file_base;
	/* A UIDL kept from an import (Dovecot's uidlist P field); NULL if
	   none. POP3 should prefer it. */
	const char *imported_uidl;
};
int mail_get_pop3_uidl(struct mail *mail, struct mail_pop3_uidl *uidl_r);

/* ---- Changes: flags, expunge, copy, move ---- */

enum mail_modify_type {
	MAIL_MODIFY_ADD,     /* +FLAGS */
	MAIL_MODIFY_REMOVE,  /* -FLAGS */
	MAIL_MODIFY_REPLACE, /* FLAGS */
};

struct mail_flag_update {
	enum mail_modify_type modify;
	enum mail_flags flags; /* MAIL_RECENT is ignored */
	/* NULL-terminated; NULL = none. New keywords are created (LIMIT if
	   the mailbox has MAILBOX_MAX_KEYWORDS already, PARAMS if invalid). */
	const char *const *keywords;
	/* CONDSTORE UNCHANGEDSINCE (RFC 7162 §3.1.3): only messages whose
	   MODSEQ is <= unchanged_since are updated, when
	   use_unchanged_since is set (UNCHANGEDSINCE 0 fails every
	   message). */
	bool use_unchanged_since;
	uint64_t unchanged_since;
};

struct mail_flag_result {
	uint32_t seq;
	uint32_t uid;
	enum mail_flags flags; /* with MAIL_RECENT of the view */
	const char *const *keywords;
	uint64_t modseq;
	/* The update changed something (else the flags were already so). */
	bool changed;
};

struct mailbox_update_result {
	/* Every message of the set still in the mailbox, ascending, with its
	   flags after the update (IMAP's untagged FETCH after STORE). */
	struct mail_flag_result *messages;
	unsigned int messages_count;
	/* UIDs not updated because of UNCHANGEDSINCE (RFC 7162 MODIFIED). */
	struct seq_range_set modified_uids;
	/* Some UIDs of the set were already expunged (not updated). */
	bool some_expunged;
};

/* STORE. uids must be in the view (see mailbox_uidset_in_view()). The
   changes are committed and visible to other sessions when this returns;
   the session's next sync does not report them again. Allocated from pool.
   Read-only box: NOTPOSSIBLE. */
int mailbox_update_flags(struct mailbox *box, const struct seq_range_set *uids,
			 const struct mail_flag_update *update,
			 struct pool *pool,
			 struct mailbox_update_result *result_r);

/* Expunges messages: with uids NULL every message with \Deleted (IMAP
   EXPUNGE, CLOSE); otherwise those of uids that have \Deleted (UID
   EXPUNGE), or all of uids if only_deleted is false (POP3's DELE at
   QUIT, MOVE). The view is not changed: the session's next sync reports
   them. expunged_r (may be NULL) gets the UIDs expunged, from pool.
   Read-only box: NOTPOSSIBLE. */
int mailbox_expunge(struct mailbox *box, const struct seq_range_set *uids,
		    bool only_deleted, struct pool *pool,
		    struct seq_range_set *expunged_r);

struct mailbox_copy_result {
	uint32_t uidvalidity; /* of the destination */
	/* Source and destination UIDs, in the same order (COPYUID). */
	struct seq_range_set src_uids;
	struct seq_range_set dest_uids;
};

/* Copies the messages of uids (in src's view) into dest (allocated, need
   not be opened), keeping flags (not \Recent), keywords, INTERNALDATE and
   GUID; hard links where the backend can. With move, the originals are
   then expunged (src's next sync reports them; RFC 6851). The copies are
   durable and in dest with contiguous new UIDs when this returns. dest ==
   src's mailbox is allowed. Allocated from pool. */
int mailbox_copy(struct mailbox *src, const struct seq_range_set *uids,
		 struct mailbox *dest, bool move, struct pool *pool,
		 struct mailbox_copy_result *result_r);

/* ---- Saving: APPEND, MULTIAPPEND, LMTP delivery ---- */

struct mailbox_transaction;
struct mail_save;

/* Starts a transaction on box (allocated; opened or not, e.g.
   MAILBOX_FLAG_SAVE_ONLY). Its saves become visible together, with
   contiguous UIDs, at commit. Never fails (a missing mailbox shows at
   save begin or commit). */
struct mailbox_transaction *mailbox_transaction_begin(struct mailbox *box);

struct mail_save_params {
	enum mail_flags flags;       /* MAIL_RECENT ignored */
	const char *const *keywords; /* NULL-terminated or NULL */
	/* INTERNALDATE; 0 = now (with the server's timezone). */
	time_t received_date;
	int received_tz_offset; /* minutes east of UTC */
	/* Known size of the message as it will be written, for
	   preallocation; 0 if unknown. */
	uint64_t size_hint;
};

/* Starts saving a message: a temporary file is created. Returns 0 with
   *save_r, or -1 (NOTFOUND for a missing mailbox, LIMIT, TEMP). */
int mailbox_save_begin(struct mailbox_transaction *t,
		       const struct mail_save_params *params,
		       struct mail_save **save_r);
/* Appends bytes of the message, in any line-ending form: bare LF becomes
   CRLF as it is written, a CR at the end of one chunk pairs with an LF at
   the start of the next. Chunks are written through at once (memory stays
   bounded whatever the message size). LIMIT past max_message_size. May be
   called from any thread, one call at a time. */
int mailbox_save_write(struct mail_save *save, const void *data, size_t size);
/* Appends size bytes read from fd at offset (LMTP spools once and saves
   per recipient). */
int mailbox_save_write_fd(struct mail_save *save, int fd, off_t offset,
			  uint64_t size);
/* The message is complete; it becomes part of the transaction (visible at
   commit). Frees *save. INVALIDDATA for an empty message. */
int mailbox_save_finish(struct mail_save **save);
/* Drops the message being saved (its temporary file is removed). */
void mailbox_save_abort(struct mail_save **save);

struct mail_transaction_commit_result {
	uint32_t uidvalidity;
	/* The saved messages' UIDs in save order (APPENDUID). */
	struct seq_range_set saved_uids;
};

/* Makes the transaction's saves durable and visible: files fsynced (shared
   with other deliveries in flight under fsync=group), renamed into place,
   index rows written, watchers notified. Returns only when durable; on -1
   nothing is visible. Frees *t. result_r (may be NULL) from pool. */
int mailbox_transaction_commit(struct mailbox_transaction **t,
			       struct pool *pool,
			       struct mail_transaction_commit_result *result_r);
/* Drops every save of the transaction. Frees *t. */
void mailbox_transaction_rollback(struct mailbox_transaction **t);

/* ---- Change notification (loop thread only) ---- */

struct mailbox_watch;
typedef void mailbox_watch_callback_t(void *context);

/* Calls callback on loop's thread when mailbox name of user may have
   changed: at once after a commit in this process, within a second after a
   change by another process (inotify on the mail directories and the
   user's notify file). Several changes may give one call, and a call may
   find nothing changed. The session then syncs (on the thread pool). One
   watch per mailbox is shared by all sessions of the process, so tens of
   thousands of watchers cost a list entry each. The user must outlive the
   watch. Never fails: if the mailbox can't be watched the watch polls. */
struct mailbox_watch *
mail_user_watch_mailbox(uv_loop_t *loop, struct mail_user *user,
			const char *name, mailbox_watch_callback_t *callback,
			void *context);
/* Stops watching; no callback is called after this returns. NULLs *watch. */
void mail_user_unwatch_mailbox(struct mailbox_watch **watch);
/* Closes the loop-side state of the notification system (the shared
   handles) so that the loop can end. Every watch must be removed first. */
void mail_user_watch_deinit(uv_loop_t *loop);

#endif
