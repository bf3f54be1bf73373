#ifndef POSTERN_SEQ_RANGE_H
#define POSTERN_SEQ_RANGE_H

/* Sets of 32-bit numbers kept as sorted, non-overlapping, non-adjacent
   ranges: IMAP sequence sets and UID sets, a mailbox view's UIDs (so that a
   50,000-message mailbox with few gaps costs a few ranges, not an array),
   search results, COPYUID/APPENDUID lists.

   A set allocates from a pool when given one (command results: nothing to
   free, growth leaves the old array in the pool) or from the heap (long-
   lived sets such as a view's, freed with seq_range_set_deinit()).

   SEQ_RANGE_STAR stands for IMAP's "*" in sets that a parser builds; the
   mailbox view resolves it (mailbox_seqset_to_uids(), mailbox_uidset_in_
   view()). Ordinary set operations treat it as the number 4294967295. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buffer;
struct pool;

#define SEQ_RANGE_STAR UINT32_MAX

struct seq_range {
	uint32_t first, last; /* first <= last */
};

struct seq_range_set {
	struct seq_range *ranges;
	unsigned int count;
	unsigned int alloc;
	struct pool *pool; /* NULL: heap */
};

/* An empty set allocating from pool (NULL: the heap). */
void seq_range_set_init(struct seq_range_set *set, struct pool *pool);
/* Frees a heap set's memory (a no-op for pool sets); the set is empty and
   can be used again. */
void seq_range_set_deinit(struct seq_range_set *set);
void seq_range_set_clear(struct seq_range_set *set);
/* Replaces dest's contents with a copy of src (dest keeps its pool). */
void seq_range_set_copy(struct seq_range_set *dest,
			const struct seq_range_set *src);

/* Adds one number or a range (first > last is swapped, as IMAP's "5:2"
   means 2:5). Merges with neighbours. */
void seq_range_set_add(struct seq_range_set *set, uint32_t num);
void seq_range_set_add_range(struct seq_range_set *set, uint32_t first,
			     uint32_t last);
/* Adds every number of src. */
void seq_range_set_merge(struct seq_range_set *dest,
			 const struct seq_range_set *src);
/* Removes a number or a range; returns how many numbers were removed. */
uint32_t seq_range_set_remove(struct seq_range_set *set, uint32_t num);
uint32_t seq_range_set_remove_range(struct seq_range_set *set, uint32_t first,
				    uint32_t last);
/* Keeps only numbers also in other. */
void seq_range_set_intersect(struct seq_range_set *set,
			     const struct seq_range_set *other);

bool seq_range_set_contains(const struct seq_range_set *set, uint32_t num);
/* Numbers in the set (a 64-bit count: 1:4294967295 has 2^32-1). */
uint64_t seq_range_set_count(const struct seq_range_set *set);
static inline bool seq_range_set_is_empty(const struct seq_range_set *set)
{
	return set->count == 0;
}
/* The smallest / largest number; 0 for an empty set. */
uint32_t seq_range_set_min(const struct seq_range_set *set);
uint32_t seq_range_set_max(const struct seq_range_set *set);

/* The nth number (1-based) in ascending order, or 0 past the end: a view's
   sequence -> UID lookup. O(ranges). */
uint32_t seq_range_set_nth(const struct seq_range_set *set, uint32_t n);
/* 1-based position of num in the set, or 0 if absent: UID -> sequence. */
uint32_t seq_range_set_position(const struct seq_range_set *set, uint32_t num);

/* The range with SEQ_RANGE_STAR replaced by star, ordered (IMAP's "*:5"
   with star 3 is 3:5). */
struct seq_range seq_range_resolve_star(struct seq_range range, uint32_t star);

/* Parses an IMAP sequence-set ("1,3:5,7:*"), with "*" as SEQ_RANGE_STAR.
   Returns 0, or -1 on a syntax error (nothing added then) or a 0. */
int seq_range_set_parse(struct seq_range_set *set, const char *str);
/* Appends the set in IMAP syntax ("1:3,7"); nothing for an empty set.
   dest is a string_t. Returns 0, or -1 when dest is full. */
int seq_range_set_write(const struct seq_range_set *set, struct buffer *dest);

#endif
