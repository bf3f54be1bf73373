#ifndef POSTERN_MAIL_SEARCH_H
#define POSTERN_MAIL_SEARCH_H

/* A protocol-neutral search: IMAP's parser builds a tree of keys, storage
   evaluates it over a mailbox view. Cheap keys (flags, UIDs, sizes, dates,
   MODSEQ) are answered from the index; text keys read the messages through
   src/mail's search text (decoded headers and bodies, i;unicode-casemap
   substring matching). A full-text index (FTS5) will answer BODY and TEXT
   later behind the same call.

   Building a tree: allocate keys from a pool (p_new), link siblings with
   next; the children of AND, OR and NOT hang from u.subkeys. The top level
   is an implicit AND of the list. Strings are UTF-8 (IMAP converts the
   CHARSET first). */

#include "seq-range.h"
#include "storage.h"

#include <stdint.h>
#include <time.h>

struct pool;
struct mailbox;

enum mail_search_key_type {
	SEARCH_ALL,
	/* u.set: sequence numbers of the view (SEQ_RANGE_STAR = last). */
	SEARCH_SEQSET,
	/* u.set: UIDs (SEQ_RANGE_STAR = highest UID in the view). */
	SEARCH_UIDSET,
	/* u.flags: every one of the flags is set (\Recent included:
	   RECENT = MAIL_RECENT, NEW = RECENT and NOT SEEN, OLD = NOT RECENT). */
	SEARCH_FLAGS,
	/* u.str: the keyword is set. */
	SEARCH_KEYWORD,
	/* u.date: a day, as 00:00 UTC of that date. The message's date is
	   compared as a calendar date in its own timezone ("disregarding time
	   and timezone", RFC 9051 §6.4.4). */
	SEARCH_BEFORE, /* INTERNALDATE */
	SEARCH_ON,
	SEARCH_SINCE,
	SEARCH_SENTBEFORE, /* Date: header */
	SEARCH_SENTON,
	SEARCH_SENTSINCE,
	SEARCH_SAVEDBEFORE, /* SAVEDATE (RFC 8514) */
	SEARCH_SAVEDON,
	SEARCH_SAVEDSINCE,
	/* RFC 8514: SAVEDATESUPPORTED, always true here. */
	SEARCH_SAVEDATESUPPORTED,
	/* u.size: RFC822.SIZE. */
	SEARCH_LARGER,
	SEARCH_SMALLER,
	/* u.header: the header field exists and, if value is not "", contains
	   value (decoded, i;unicode-casemap). FROM, TO, CC, BCC and SUBJECT
	   are HEADER keys with those names. */
	SEARCH_HEADER,
	/* u.str: in the decoded body text. */
	SEARCH_BODY,
	/* u.str: in the headers or the body. */
	SEARCH_TEXT,
	/* u.modseq: MODSEQ >= value (RFC 7162; the entry name is ignored). */
	SEARCH_MODSEQ,
	/* u.str (RFC 8474). */
	SEARCH_EMAILID,
	SEARCH_THREADID,
	/* u.subkeys. */
	SEARCH_AND,
	SEARCH_OR,  /* any of the subkeys (IMAP's OR a b is a two-key OR) */
	SEARCH_NOT, /* not (all of the subkeys) */
};

struct mail_search_key {
	enum mail_search_key_type type;
	struct mail_search_key *next;
	union {
		struct mail_search_key *subkeys;
		struct seq_range_set set;
		enum mail_flags flags;
		const char *str;
		time_t date;
		uint64_t size;
		uint64_t modseq;
		struct {
			const char *name;
			const char *value;
		} header;
	} u;
};

struct mail_search_result {
	/* Matching UIDs of the view. */
	struct seq_range_set uids;
	/* The highest MODSEQ of the matches when the tree has a MODSEQ key
	   (RFC 7162 §3.1.5), else 0. */
	uint64_t highest_modseq;
};

/* Evaluates the key list (an implicit AND) over the messages of the opened
   view. Allocated from pool. Returns 0, or -1 (last error on box). */
int mailbox_search(struct mailbox *box, const struct mail_search_key *keys,
		   struct pool *pool, struct mail_search_result *result_r);

/* Helpers for building trees. */
struct mail_search_key *mail_search_key_new(struct pool *pool,
					    enum mail_search_key_type type);
/* True if the tree has a key of this type. */
bool mail_search_keys_have(const struct mail_search_key *keys,
			   enum mail_search_key_type type);

#endif
