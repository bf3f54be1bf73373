#ifndef POSTERN_IMAP_SEARCH_H
#define POSTERN_IMAP_SEARCH_H

/* SEARCH (RFC 3501 §6.4.4, RFC 9051 §6.4.4) with ESEARCH's RETURN options
   (RFC 4731), SEARCHRES (RFC 5182), CONDSTORE's MODSEQ key (RFC 7162
   §3.1.5), SAVEDATE's keys (RFC 8514) and OBJECTID's (RFC 8474): the
   arguments parsed into storage's key tree (postern/mail-search.h), and
   the result written as "* SEARCH" or "* ESEARCH".

   Strings of the keys are converted from the CHARSET to UTF-8 with ICU
   (no CHARSET: UTF-8, which covers US-ASCII, as RFC 9051 §6.4.4 makes it
   the default); invalid UTF-8 becomes U+FFFD. Sequence sets in keys are
   kept as written (struct imap_search_seqset) and resolved against the
   view on the thread pool by imap_search_resolve_seqsets(): numbers past
   the end match nothing there (they are not an error in SEARCH). */

#include "imap-arg.h"
#include "imap-seqset.h"
#include "postern/mail-search.h"
#include "str.h"

#include <stdbool.h>
#include <stdint.h>

struct pool;

enum imap_search_return {
	IMAP_SEARCH_RETURN_MIN = 0x01,
	IMAP_SEARCH_RETURN_MAX = 0x02,
	IMAP_SEARCH_RETURN_ALL = 0x04,
	IMAP_SEARCH_RETURN_COUNT = 0x08,
	IMAP_SEARCH_RETURN_SAVE = 0x10,
};

/* A sequence-set key ("1:5", "UID 3:*", "$") waiting for the view. */
struct imap_search_seqset {
	struct mail_search_key *key;
	struct imap_seqset seqset;
	bool uid;
};

struct imap_search_query {
	/* RETURN (...) given, or IMAP4rev2: answer with ESEARCH. */
	bool esearch;
	enum imap_search_return ret;
	/* The key list (an implicit AND). */
	struct mail_search_key *keys;
	struct imap_search_seqset *seqsets;
	unsigned int seqsets_count;
	/* A MODSEQ key: the result carries (MODSEQ n) (RFC 7162 §3.1.5). */
	bool has_modseq;
};

enum imap_search_parse_result {
	IMAP_SEARCH_PARSE_OK = 0,
	/* Bad syntax: BAD with the error. */
	IMAP_SEARCH_PARSE_BAD = -1,
	/* Unknown CHARSET: NO [BADCHARSET (...)]. */
	IMAP_SEARCH_PARSE_BADCHARSET = -2,
};

/* The charsets named in NO [BADCHARSET (...)]. */
#define IMAP_SEARCH_BADCHARSET_LIST "(US-ASCII UTF-8)"

/* Parses SEARCH's arguments: [RETURN (options)] [CHARSET name] keys.
   rev2 answers with ESEARCH even without RETURN (RFC 9051 §6.4.4).
   Allocates from pool. On BAD, *error_r says why. */
enum imap_search_parse_result
imap_search_parse(struct pool *pool, const struct imap_arg *args, bool rev2,
		  struct imap_search_query *query_r, const char **error_r);

/* Turns every sequence-set key of the query into a SEARCH_UIDSET of the
   view's UIDs (view: mailbox_get_uids()); saved is SEARCHRES's result. */
void imap_search_resolve_seqsets(struct pool *pool,
				 const struct imap_search_query *query,
				 const struct seq_range_set *view,
				 const struct seq_range_set *saved);

/* Writes the untagged response for a result (UIDs of the view): "* SEARCH
   1 2 3 (MODSEQ n)" or "* ESEARCH (TAG "t") UID MIN 1 ...", with
   sequence numbers unless uid. Nothing for RETURN (SAVE) alone
   (RFC 5182 §2.4). */
void imap_search_write_result(string_t *dest,
			      const struct imap_search_query *query,
			      const char *tag, bool uid,
			      const struct seq_range_set *view,
			      const struct mail_search_result *result);

/* What RETURN (SAVE) keeps (RFC 5182 §2.4): the whole result, or only its
   MIN and/or MAX when they are the other options. Adds to saved_r. */
void imap_search_saved_result(const struct imap_search_query *query,
			      const struct seq_range_set *uids,
			      struct seq_range_set *saved_r);

#endif
