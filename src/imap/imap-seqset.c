#include "imap-seqset.h"
#include "pool.h"

#include <string.h>

/* One seq-number: nz-number or "*". Returns 0 and advances *p, or -1. */
static int imap_seqset_parse_num(const char **p, uint32_t *num_r)
{
	const char *s = *p;
	uint64_t num = 0;

	if (*s == '*') {
		*num_r = IMAP_SEQSET_STAR;
		*p = s + 1;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		num = num * 10 + (uint64_t)(*s - '0');
		if (num > UINT32_MAX)
			return -1;
	}
	if (num == 0)
		return -1;
	*num_r = (uint32_t)num;
	*p = s;
	return 0;
}

static unsigned int imap_seqset_count_elements(const char *str)
{
	unsigned int count = 1;

	for (; *str != '\0'; str++) {
		if (*str == ',')
			count++;
	}
	return count;
}

int imap_seqset_parse(struct pool *pool, const char *str,
		      struct imap_seqset *seqset_r, const char **error_r)
{
	const char *p = str;
	struct seq_range *r;

	memset(seqset_r, 0, sizeof(*seqset_r));
	if (strcmp(str, "$") == 0) {
		seqset_r->saved = true;
		return 0;
	}
	seqset_r->ranges =
		p_new(pool, struct seq_range, imap_seqset_count_elements(str));
	for (;;) {
		r = &seqset_r->ranges[seqset_r->count];
		if (imap_seqset_parse_num(&p, &r->first) < 0)
			break;
		r->last = r->first;
		if (*p == ':') {
			p++;
			if (imap_seqset_parse_num(&p, &r->last) < 0)
				break;
		}
		seqset_r->count++;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			break;
	}
	*error_r = "Invalid sequence set";
	return -1;
}

static uint32_t imap_seqset_num(uint32_t num, uint32_t star)
{
	return num == IMAP_SEQSET_STAR ? star : num;
}

void imap_seqset_resolve_star(const struct imap_seqset *seqset, uint32_t star,
			      struct seq_range_set *dest)
{
	for (unsigned int i = 0; i < seqset->count; i++) {
		seq_range_set_add_range(
			dest, imap_seqset_num(seqset->ranges[i].first, star),
			imap_seqset_num(seqset->ranges[i].last, star));
	}
}

/* Adds the UIDs at positions first..last (1-based) of the view. */
static void imap_seqset_add_positions(const struct seq_range_set *view,
				      uint32_t first, uint32_t last,
				      struct seq_range_set *dest)
{
	uint64_t pos = 1;

	for (unsigned int i = 0; i < view->count && pos <= last; i++) {
		const struct seq_range *r = &view->ranges[i];
		uint64_t n = (uint64_t)r->last - r->first + 1;
		uint64_t from = MAX(pos, (uint64_t)first);
		uint64_t to = MIN(pos + n - 1, (uint64_t)last);

		if (from <= to) {
			seq_range_set_add_range(
				dest, (uint32_t)(r->first + (from - pos)),
				(uint32_t)(r->first + (to - pos)));
		}
		pos += n;
	}
}

static int imap_seqset_seqs_to_uids(const struct seq_range_set *view,
				    const struct imap_seqset *seqset,
				    struct seq_range_set *uids_r,
				    const char **error_r)
{
	uint64_t messages = seq_range_set_count(view);
	struct seq_range_set seqs;

	/* RFC 3501 §6.4.8 / RFC 9051 §9: a sequence number past the
	   number of messages, "*" in an empty mailbox included, is BAD. */
	seq_range_set_init(&seqs, NULL);
	imap_seqset_resolve_star(seqset, (uint32_t)messages, &seqs);
	if (seq_range_set_max(&seqs) > messages ||
	    seq_range_set_min(&seqs) == 0) {
		seq_range_set_deinit(&seqs);
		*error_r = "Invalid messageset";
		return -1;
	}
	for (unsigned int i = 0; i < seqs.count; i++) {
		imap_seqset_add_positions(view, seqs.ranges[i].first,
					  seqs.ranges[i].last, uids_r);
	}
	seq_range_set_deinit(&seqs);
	return 0;
}

/* "$" or a UID set: the UIDs of the view it names. */
static void imap_seqset_uids_in_view(const struct seq_range_set *view,
				     const struct imap_seqset *seqset,
				     const struct seq_range_set *saved,
				     struct seq_range_set *uids_r)
{
	struct seq_range_set uids;

	seq_range_set_init(&uids, NULL);
	if (seqset->saved)
		seq_range_set_copy(&uids, saved);
	else
		imap_seqset_resolve_star(seqset, seq_range_set_max(view),
					 &uids);
	seq_range_set_intersect(&uids, view);
	seq_range_set_merge(uids_r, &uids);
	seq_range_set_deinit(&uids);
}

int imap_seqset_to_uids(const struct seq_range_set *view,
			const struct imap_seqset *seqset, bool uid,
			const struct seq_range_set *saved,
			struct seq_range_set *uids_r, const char **error_r)
{
	if (!seqset->saved && !uid)
		return imap_seqset_seqs_to_uids(view, seqset, uids_r, error_r);
	imap_seqset_uids_in_view(view, seqset, saved, uids_r);
	return 0;
}

void imap_seqset_match_uids(const struct seq_range_set *view,
			    const struct imap_seqset *seqset, bool uid,
			    const struct seq_range_set *saved,
			    struct seq_range_set *uids_r)
{
	uint32_t messages = (uint32_t)seq_range_set_count(view);

	if (seqset->saved || uid) {
		imap_seqset_uids_in_view(view, seqset, saved, uids_r);
		return;
	}
	for (unsigned int i = 0; i < seqset->count; i++) {
		uint32_t a = imap_seqset_num(seqset->ranges[i].first, messages);
		uint32_t b = imap_seqset_num(seqset->ranges[i].last, messages);
		uint32_t lo = MIN(a, b), hi = MIN(MAX(a, b), messages);

		if (lo >= 1 && lo <= hi)
			imap_seqset_add_positions(view, lo, hi, uids_r);
	}
}

void imap_seqset_uids_to_seqs(const struct seq_range_set *view,
			      const struct seq_range_set *uids,
			      struct seq_range_set *seqs_r)
{
	unsigned int j = 0;
	uint64_t pos = 1;

	/* both sets are sorted: one walk over the two */
	for (unsigned int i = 0; i < view->count; i++) {
		const struct seq_range *v = &view->ranges[i];

		while (j < uids->count && uids->ranges[j].last < v->first)
			j++;
		for (unsigned int k = j;
		     k < uids->count && uids->ranges[k].first <= v->last; k++) {
			uint32_t from = MAX(v->first, uids->ranges[k].first);
			uint32_t to = MIN(v->last, uids->ranges[k].last);

			seq_range_set_add_range(
				seqs_r, (uint32_t)(pos + (from - v->first)),
				(uint32_t)(pos + (to - v->first)));
		}
		pos += (uint64_t)v->last - v->first + 1;
	}
}
