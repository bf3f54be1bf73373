#ifndef POSTERN_IMAP_FETCH_H
#define POSTERN_IMAP_FETCH_H

/* FETCH (RFC 3501 §6.4.5, RFC 9051 §6.4.5) with BINARY (RFC 3516),
   CONDSTORE/QRESYNC (RFC 7162), SAVEDATE (RFC 8514) and OBJECTID
   (RFC 8474): the items a command asks for, parsed into a query, and the
   engine that writes the untagged FETCH responses for a set of messages
   in batches of bounded size.

   cmd-fetch.c parses on the loop thread, then runs the engine on the
   thread pool: imap_fetch_begin() once, imap_fetch_more() for each batch
   (writing the batch on the loop thread and waiting for the output to
   drain between batches), imap_fetch_end() at the end. */

#include "imap-arg.h"
#include "postern/seq-range.h"
#include "str.h"

#include <stdbool.h>
#include <stdint.h>

struct pool;
struct mailbox;

/* Items that are not body sections. */
enum imap_fetch_field {
	IMAP_FETCH_FLAGS = 0x0001,
	IMAP_FETCH_INTERNALDATE = 0x0002,
	IMAP_FETCH_RFC822_SIZE = 0x0004,
	IMAP_FETCH_ENVELOPE = 0x0008,
	IMAP_FETCH_BODY = 0x0010, /* BODY without a section */
	IMAP_FETCH_BODYSTRUCTURE = 0x0020,
	IMAP_FETCH_UID = 0x0040,
	IMAP_FETCH_MODSEQ = 0x0080,
	IMAP_FETCH_SAVEDATE = 0x0100,
	IMAP_FETCH_EMAILID = 0x0200,
	IMAP_FETCH_THREADID = 0x0400,
};

enum imap_section_text {
	/* BODY[] or BODY[1.2]: the whole message or part */
	IMAP_SECTION_ALL,
	IMAP_SECTION_HEADER,
	IMAP_SECTION_HEADER_FIELDS,
	IMAP_SECTION_HEADER_FIELDS_NOT,
	IMAP_SECTION_TEXT,
	IMAP_SECTION_MIME,
};

struct imap_fetch_section {
	/* The part number ("1.2"), "" for the message itself. */
	const char *part;
	enum imap_section_text text;
	/* HEADER.FIELDS[.NOT]: the names, upper-cased. */
	const char *const *fields;
	unsigned int fields_count;
};

enum imap_fetch_body_type {
	IMAP_FETCH_BODY_SECTION, /* BODY[...], RFC822* */
	IMAP_FETCH_BINARY,       /* BINARY[...] */
	IMAP_FETCH_BINARY_SIZE,  /* BINARY.SIZE[...] */
};

/* One BODY[...], BINARY[...], BINARY.SIZE[...] or RFC822[.HEADER|.TEXT]
   item. */
struct imap_fetch_body {
	enum imap_fetch_body_type type;
	struct imap_fetch_section section;
	/* <offset.size> */
	bool partial;
	uint64_t partial_offset;
	uint64_t partial_size;
	/* Sets \Seen (BODY[], BINARY[], RFC822, RFC822.TEXT). */
	bool sets_seen;
	/* The item's name in the response: "BODY[1.2]<0>", "RFC822". */
	const char *name;
};

struct imap_fetch_query {
	enum imap_fetch_field fields;
	struct imap_fetch_body *bodies;
	unsigned int bodies_count;
	/* Some item sets \Seen. */
	bool sets_seen;
	/* (CHANGEDSINCE modseq) (RFC 7162 §3.1.4) */
	bool changedsince_set;
	uint64_t changedsince;
	/* (VANISHED) (RFC 7162 §3.2.6) */
	bool vanished;
};

enum imap_fetch_parse_flags {
	/* UID FETCH: VANISHED is allowed, UID is implied. */
	IMAP_FETCH_PARSE_FLAG_UID = 0x01,
	/* QRESYNC is enabled: VANISHED is allowed. */
	IMAP_FETCH_PARSE_FLAG_QRESYNC = 0x02,
};

/* Parses FETCH's arguments after the sequence set: an item, a macro (ALL,
   FAST, FULL) or a list of items, then optional modifiers. Allocates from
   pool. Returns 0, or -1 with *error_r (for a BAD). */
int imap_fetch_query_parse(struct pool *pool, const struct imap_arg *args,
			   enum imap_fetch_parse_flags flags,
			   struct imap_fetch_query *query_r,
			   const char **error_r);
/* Whether the query makes the command CONDSTORE-enabling (RFC 7162 §3.1:
   the MODSEQ item or CHANGEDSINCE). */
bool imap_fetch_query_uses_condstore(const struct imap_fetch_query *query);

/* ---- The engine ---- */

enum imap_fetch_flags {
	/* Write UID in every response (UID FETCH). */
	IMAP_FETCH_FLAG_UID = 0x01,
	/* CONDSTORE is in use: responses that carry FLAGS because of an
	   implicit \Seen also carry MODSEQ (RFC 7162 §3.2). */
	IMAP_FETCH_FLAG_CONDSTORE = 0x02,
	/* IMAP4rev2 session: message/global is an encapsulated message. */
	IMAP_FETCH_FLAG_IMAP4REV2 = 0x04,
};

enum imap_fetch_result {
	IMAP_FETCH_MORE = 0,
	IMAP_FETCH_DONE = 1,
	IMAP_FETCH_ERROR = -1,
};

struct imap_fetch_ctx;

/* Starts fetching uids (UIDs of box's view) on the thread pool: VANISHED
   (EARLIER) first when asked, then sets \Seen where the query asks for it
   (for every message not already \Seen, if box is writable). The context
   is allocated from pool. */
struct imap_fetch_ctx *imap_fetch_begin(struct pool *pool, struct mailbox *box,
					const struct imap_fetch_query *query,
					const struct seq_range_set *uids,
					enum imap_fetch_flags flags);
/* Appends responses to dest until it holds about batch_size bytes or the
   last message is done. Thread pool. Returns MORE, DONE or ERROR (then
   imap_fetch_end() says what to answer). */
enum imap_fetch_result imap_fetch_more(struct imap_fetch_ctx *ctx,
				       string_t *dest, size_t batch_size);
/* Ends the fetch (thread pool). Returns the tagged reply: "OK ...",
   "NO [...] ..." text after the tag, allocated from the context's pool. */
const char *imap_fetch_end(struct imap_fetch_ctx **ctx);

#endif
