#ifndef POSTERN_IMAP_SEQSET_H
#define POSTERN_IMAP_SEQSET_H

/* IMAP sequence sets as commands take them (RFC 9051 §9 sequence-set):
   numbers, ranges, "*", and SEARCHRES's "$" for the saved search result
   (RFC 5182 §2.1), parsed as written and then resolved against the
   selected mailbox's view into UIDs.

   The ranges are kept as written, with IMAP_SEQSET_STAR for "*", rather
   than merged at once: "7:*" in a mailbox of 5 messages means 5:7 and
   names two messages that don't exist (BAD), while for UIDs "559:*"
   always includes the last message even past its UID (RFC 9051 §6.4.8). */

#include "postern/seq-range.h"

#include <stdbool.h>
#include <stdint.h>

struct pool;

/* "*" in the ranges of a parsed set: 0, which no number can be, so that
   4294967295 stays a number of its own. */
#define IMAP_SEQSET_STAR 0

struct imap_seqset {
	/* As written: first and last in the client's order,
	   IMAP_SEQSET_STAR for "*". Empty for "$". */
	struct seq_range *ranges;
	unsigned int count;
	/* "$": the saved search result. */
	bool saved;
};

/* Parses str (an atom's text). "0" anywhere, empty elements, signs and
   numbers past 4294967295 are errors; "$" is accepted only as the whole
   set. Returns 0, or -1 with *error_r (for a BAD). */
int imap_seqset_parse(struct pool *pool, const char *str,
		      struct imap_seqset *seqset_r, const char **error_r);

/* Replaces "*" in seqset by star and adds every number to dest (which
   merges and sorts them). */
void imap_seqset_resolve_star(const struct imap_seqset *seqset, uint32_t star,
			      struct seq_range_set *dest);

/* The UIDs of a view (view: the mailbox's UIDs, mailbox_get_uids()) that
   seqset names, added to uids_r. With uid, the numbers are UIDs, those not
   in the view are left out, and "*" is the highest UID in the view.
   Otherwise they are sequence numbers: "*" is the number of messages, and
   a number past it (so any number in an empty view) is an error. "$" is
   saved (UIDs) limited to the view, either way. Returns 0, or -1 with
   *error_r (for a BAD). */
int imap_seqset_to_uids(const struct seq_range_set *view,
			const struct imap_seqset *seqset, bool uid,
			const struct seq_range_set *saved,
			struct seq_range_set *uids_r, const char **error_r);

/* Like imap_seqset_to_uids(), but sequence numbers past the end name
   nothing instead of being an error: a SEARCH key ("7:*" in a mailbox of 5
   messages is 5:7 and matches message 5). */
void imap_seqset_match_uids(const struct seq_range_set *view,
			    const struct imap_seqset *seqset, bool uid,
			    const struct seq_range_set *saved,
			    struct seq_range_set *uids_r);

/* Adds the sequence numbers of the view's UIDs in uids to seqs_r. */
void imap_seqset_uids_to_seqs(const struct seq_range_set *view,
			      const struct seq_range_set *uids,
			      struct seq_range_set *seqs_r);

#endif
