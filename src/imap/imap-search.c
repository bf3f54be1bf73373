#include "imap-search.h"
#include "imap-quote.h"
#include "pool.h"

void imap_search_resolve_seqsets(struct pool *pool,
				 const struct imap_search_query *query,
				 const struct seq_range_set *view,
				 const struct seq_range_set *saved)
{
	for (unsigned int i = 0; i < query->seqsets_count; i++) {
		const struct imap_search_seqset *s = &query->seqsets[i];

		s->key->type = SEARCH_UIDSET;
		seq_range_set_init(&s->key->u.set, pool);
		imap_seqset_match_uids(view, &s->seqset, s->uid, saved,
				       &s->key->u.set);
	}
}

/* "1 2 3 5" as the old SEARCH response lists numbers. */
static void imap_search_write_numbers(string_t *dest,
				      const struct seq_range_set *set)
{
	for (unsigned int i = 0; i < set->count; i++) {
		for (uint64_t n = set->ranges[i].first;
		     n <= set->ranges[i].last; n++) {
			str_append_c(dest, ' ');
			str_append_uint(dest, n);
		}
	}
}

static void imap_search_write_esearch(string_t *dest,
				      const struct imap_search_query *query,
				      const char *tag, bool uid,
				      const struct seq_range_set *numbers,
				      const struct mail_search_result *result)
{
	enum imap_search_return ret = query->ret;
	bool found = !seq_range_set_is_empty(numbers);

	str_append(dest, "* ESEARCH (TAG ");
	imap_append_string(dest, tag, 0);
	str_append_c(dest, ')');
	if (uid)
		str_append(dest, " UID");
	/* RFC 4731 §3.1: MIN, MAX and ALL only when something matched */
	if ((ret & IMAP_SEARCH_RETURN_MIN) != 0 && found)
		str_printfa(dest, " MIN %u", seq_range_set_min(numbers));
	if ((ret & IMAP_SEARCH_RETURN_MAX) != 0 && found)
		str_printfa(dest, " MAX %u", seq_range_set_max(numbers));
	if ((ret & IMAP_SEARCH_RETURN_ALL) != 0 && found) {
		str_append(dest, " ALL ");
		(void)seq_range_set_write(numbers, dest);
	}
	if ((ret & IMAP_SEARCH_RETURN_COUNT) != 0) {
		str_printfa(dest, " COUNT %llu",
			    (unsigned long long)seq_range_set_count(numbers));
	}
	/* RFC 7162 §3.1.5 */
	if (query->has_modseq && found) {
		str_printfa(dest, " MODSEQ %llu",
			    (unsigned long long)result->highest_modseq);
	}
	str_append(dest, "\r\n");
}

void imap_search_write_result(string_t *dest,
			      const struct imap_search_query *query,
			      const char *tag, bool uid,
			      const struct seq_range_set *view,
			      const struct mail_search_result *result)
{
	struct seq_range_set seqs;
	const struct seq_range_set *numbers = &result->uids;

	if (query->esearch && query->ret == IMAP_SEARCH_RETURN_SAVE)
		return; /* RFC 5182 §2.4: no ESEARCH for SAVE alone */
	seq_range_set_init(&seqs, NULL);
	if (!uid) {
		imap_seqset_uids_to_seqs(view, &result->uids, &seqs);
		numbers = &seqs;
	}
	if (query->esearch) {
		imap_search_write_esearch(dest, query, tag, uid, numbers,
					  result);
	} else {
		str_append(dest, "* SEARCH");
		imap_search_write_numbers(dest, numbers);
		if (query->has_modseq && !seq_range_set_is_empty(numbers)) {
			str_printfa(dest, " (MODSEQ %llu)",
				    (unsigned long long)result->highest_modseq);
		}
		str_append(dest, "\r\n");
	}
	seq_range_set_deinit(&seqs);
}

void imap_search_saved_result(const struct imap_search_query *query,
			      const struct seq_range_set *uids,
			      struct seq_range_set *saved_r)
{
	const enum imap_search_return min_max =
		IMAP_SEARCH_RETURN_MIN | IMAP_SEARCH_RETURN_MAX;
	enum imap_search_return others =
		query->ret & ~(enum imap_search_return)IMAP_SEARCH_RETURN_SAVE;

	if (others == 0 || (others & ~min_max) != 0 ||
	    seq_range_set_is_empty(uids)) {
		seq_range_set_merge(saved_r, uids);
		return;
	}
	if ((others & IMAP_SEARCH_RETURN_MIN) != 0)
		seq_range_set_add(saved_r, seq_range_set_min(uids));
	if ((others & IMAP_SEARCH_RETURN_MAX) != 0)
		seq_range_set_add(saved_r, seq_range_set_max(uids));
}
