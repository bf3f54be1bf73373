#include "postern/seq-range.h"
#include "buffer.h"
#include "pool.h"
#include "str.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void seq_range_set_init(struct seq_range_set *set, struct pool *pool)
{
	memset(set, 0, sizeof(*set));
	set->pool = pool;
}

void seq_range_set_deinit(struct seq_range_set *set)
{
	if (set->pool == NULL)
		free(set->ranges);
	set->ranges = NULL;
	set->count = set->alloc = 0;
}

void seq_range_set_clear(struct seq_range_set *set)
{
	set->count = 0;
}

static void seq_range_set_reserve(struct seq_range_set *set, unsigned int need)
{
	unsigned int new_alloc;
	struct seq_range *ranges;

	if (need <= set->alloc)
		return;
	new_alloc = set->alloc < 4 ? 4 : set->alloc * 2;
	while (new_alloc < need)
		new_alloc *= 2;
	if (set->pool == NULL) {
		set->ranges = xreallocarray(set->ranges, new_alloc,
					    sizeof(*set->ranges));
	} else {
		ranges = p_new(set->pool, struct seq_range, new_alloc);
		if (set->count > 0) {
			memcpy(ranges, set->ranges,
			       set->count * sizeof(*ranges));
		}
		set->ranges = ranges;
	}
	set->alloc = new_alloc;
}

void seq_range_set_copy(struct seq_range_set *dest,
			const struct seq_range_set *src)
{
	seq_range_set_clear(dest);
	seq_range_set_reserve(dest, src->count);
	if (src->count > 0) {
		memcpy(dest->ranges, src->ranges,
		       src->count * sizeof(*src->ranges));
	}
	dest->count = src->count;
}

/* Index of the first range whose last >= num (count if none). */
static unsigned int seq_range_lookup(const struct seq_range_set *set,
				     uint32_t num)
{
	unsigned int lo = 0, hi = set->count;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (set->ranges[mid].last < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void seq_range_delete(struct seq_range_set *set, unsigned int idx,
			     unsigned int n)
{
	memmove(&set->ranges[idx], &set->ranges[idx + n],
		(set->count - idx - n) * sizeof(*set->ranges));
	set->count -= n;
}

static void seq_range_insert(struct seq_range_set *set, unsigned int idx,
			     uint32_t first, uint32_t last)
{
	seq_range_set_reserve(set, set->count + 1);
	memmove(&set->ranges[idx + 1], &set->ranges[idx],
		(set->count - idx) * sizeof(*set->ranges));
	set->ranges[idx].first = first;
	set->ranges[idx].last = last;
	set->count++;
}

void seq_range_set_add_range(struct seq_range_set *set, uint32_t first,
			     uint32_t last)
{
	unsigned int idx, end;

	if (first > last) {
		uint32_t tmp = first;

		first = last;
		last = tmp;
	}
	/* appending in order is the common case */
	if (set->count > 0 && set->ranges[set->count - 1].last < first) {
		struct seq_range *tail = &set->ranges[set->count - 1];

		if (tail->last + 1 == first)
			tail->last = last;
		else
			seq_range_insert(set, set->count, first, last);
		return;
	}
	/* the first range that touches or follows [first, last] */
	idx = seq_range_lookup(set, first == 0 ? 0 : first - 1);
	if (idx == set->count ||
	    (last != UINT32_MAX && set->ranges[idx].first > last + 1)) {
		seq_range_insert(set, idx, first, last);
		return;
	}
	/* merge every range overlapping or adjacent */
	end = idx;
	while (end + 1 < set->count &&
	       (last == UINT32_MAX || set->ranges[end + 1].first <= last + 1))
		end++;
	if (set->ranges[idx].first < first)
		first = set->ranges[idx].first;
	if (set->ranges[end].last > last)
		last = set->ranges[end].last;
	set->ranges[idx].first = first;
	set->ranges[idx].last = last;
	if (end > idx)
		seq_range_delete(set, idx + 1, end - idx);
}

void seq_range_set_add(struct seq_range_set *set, uint32_t num)
{
	seq_range_set_add_range(set, num, num);
}

void seq_range_set_merge(struct seq_range_set *dest,
			 const struct seq_range_set *src)
{
	for (unsigned int i = 0; i < src->count; i++) {
		seq_range_set_add_range(dest, src->ranges[i].first,
					src->ranges[i].last);
	}
}

uint32_t seq_range_set_remove_range(struct seq_range_set *set, uint32_t first,
				    uint32_t last)
{
	uint32_t removed = 0;
	unsigned int idx;

	if (first > last)
		return 0;
	idx = seq_range_lookup(set, first);
	while (idx < set->count && set->ranges[idx].first <= last) {
		struct seq_range *r = &set->ranges[idx];
		uint32_t cut_first = r->first > first ? r->first : first;
		uint32_t cut_last = r->last < last ? r->last : last;

		removed += cut_last - cut_first + 1;
		if (cut_first == r->first && cut_last == r->last) {
			seq_range_delete(set, idx, 1);
		} else if (cut_first == r->first) {
			r->first = cut_last + 1;
			idx++;
		} else if (cut_last == r->last) {
			r->last = cut_first - 1;
			idx++;
		} else {
			uint32_t old_last = r->last;

			r->last = cut_first - 1;
			seq_range_insert(set, idx + 1, cut_last + 1, old_last);
			break;
		}
	}
	return removed;
}

uint32_t seq_range_set_remove(struct seq_range_set *set, uint32_t num)
{
	return seq_range_set_remove_range(set, num, num);
}

void seq_range_set_intersect(struct seq_range_set *set,
			     const struct seq_range_set *other)
{
	struct seq_range_set result;
	unsigned int i = 0, j = 0;

	seq_range_set_init(&result, NULL);
	while (i < set->count && j < other->count) {
		const struct seq_range *a = &set->ranges[i];
		const struct seq_range *b = &other->ranges[j];
		uint32_t first = a->first > b->first ? a->first : b->first;
		uint32_t last = a->last < b->last ? a->last : b->last;

		if (first <= last)
			seq_range_set_add_range(&result, first, last);
		if (a->last < b->last)
			i++;
		else
			j++;
	}
	seq_range_set_copy(set, &result);
	seq_range_set_deinit(&result);
}

bool seq_range_set_contains(const struct seq_range_set *set, uint32_t num)
{
	unsigned int idx = seq_range_lookup(set, num);

	return idx < set->count && set->ranges[idx].first <= num;
}

uint64_t seq_range_set_count(const struct seq_range_set *set)
{
	uint64_t count = 0;

	for (unsigned int i = 0; i < set->count; i++)
		count += (uint64_t)set->ranges[i].last - set->ranges[i].first +
			 1;
	return count;
}

uint32_t seq_range_set_min(const struct seq_range_set *set)
{
	return set->count == 0 ? 0 : set->ranges[0].first;
}

uint32_t seq_range_set_max(const struct seq_range_set *set)
{
	return set->count == 0 ? 0 : set->ranges[set->count - 1].last;
}

uint32_t seq_range_set_nth(const struct seq_range_set *set, uint32_t n)
{
	if (n == 0)
		return 0;
	for (unsigned int i = 0; i < set->count; i++) {
		uint64_t len = (uint64_t)set->ranges[i].last -
			       set->ranges[i].first + 1;

		if (n <= len)
			return set->ranges[i].first + (n - 1);
		n -= (uint32_t)len;
	}
	return 0;
}

uint32_t seq_range_set_position(const struct seq_range_set *set, uint32_t num)
{
	uint64_t pos = 0;

	for (unsigned int i = 0; i < set->count; i++) {
		const struct seq_range *r = &set->ranges[i];

		if (num < r->first)
			return 0;
		if (num <= r->last)
			return (uint32_t)(pos + (num - r->first) + 1);
		pos += (uint64_t)r->last - r->first + 1;
	}
	return 0;
}

struct seq_range seq_range_resolve_star(struct seq_range range, uint32_t star)
{
	struct seq_range r = range;

	if (r.first == SEQ_RANGE_STAR)
		r.first = star;
	if (r.last == SEQ_RANGE_STAR)
		r.last = star;
	if (r.first > r.last) {
		r.first = r.last;
		r.last = range.first == SEQ_RANGE_STAR ? star : range.first;
	}
	return r;
}

static int seq_range_parse_num(const char **p, uint32_t *num_r)
{
	uint64_t num = 0;

	if (**p == '*') {
		(*p)++;
		*num_r = SEQ_RANGE_STAR;
		return 0;
	}
	if (**p < '1' || **p > '9')
		return -1;
	while (**p >= '0' && **p <= '9') {
		num = num * 10 + (uint64_t)(**p - '0');
		if (num >= UINT32_MAX)
			return -1;
		(*p)++;
	}
	*num_r = (uint32_t)num;
	return 0;
}

int seq_range_set_parse(struct seq_range_set *set, const char *str)
{
	struct seq_range_set parsed;
	const char *p = str;
	uint32_t first, last;

	seq_range_set_init(&parsed, NULL);
	for (;;) {
		if (seq_range_parse_num(&p, &first) < 0)
			break;
		last = first;
		if (*p == ':') {
			p++;
			if (seq_range_parse_num(&p, &last) < 0)
				break;
		}
		seq_range_set_add_range(&parsed, first, last);
		if (*p == '\0') {
			seq_range_set_merge(set, &parsed);
			seq_range_set_deinit(&parsed);
			return 0;
		}
		if (*p++ != ',')
			break;
	}
	seq_range_set_deinit(&parsed);
	return -1;
}

int seq_range_set_write(const struct seq_range_set *set, struct buffer *dest)
{
	for (unsigned int i = 0; i < set->count; i++) {
		const struct seq_range *r = &set->ranges[i];

		if (i > 0)
			str_append_c(dest, ',');
		str_append_uint(dest, r->first);
		if (r->first != r->last) {
			str_append_c(dest, ':');
			str_append_uint(dest, r->last);
		}
	}
	return dest->overflow ? -1 : 0;
}
