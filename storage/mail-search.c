/* Evaluating a search-key tree over a view. Keys on index fields are
   answered from the rows the fetch iterator reads in batches; text keys
   read the message through src/mail's search text. (An FTS5 index will
   answer BODY and TEXT here, before the per-message walk.) */

#include "mail-glue.h"
#include "mail-private.h"
#include "postern/mail-search.h"
#include "pool.h"

#include <string.h>
#include <strings.h>

#define SECS_PER_DAY 86400

struct mail_search_ctx {
	struct mailbox *box;
	struct pool *pool;
	uint32_t messages;
	uint32_t max_uid;
	bool failed;
};

struct mail_search_key *mail_search_key_new(struct pool *pool,
					    enum mail_search_key_type type)
{
	struct mail_search_key *key = p_new(pool, struct mail_search_key, 1);

	key->type = type;
	return key;
}

bool mail_search_keys_have(const struct mail_search_key *keys,
			   enum mail_search_key_type type)
{
	for (const struct mail_search_key *key = keys; key != NULL;
	     key = key->next) {
		if (key->type == type)
			return true;
		if ((key->type == SEARCH_AND || key->type == SEARCH_OR ||
		     key->type == SEARCH_NOT) &&
		    mail_search_keys_have(key->u.subkeys, type))
			return true;
	}
	return false;
}

/* Is num in set, with SEQ_RANGE_STAR meaning star? */
static bool search_set_contains(const struct seq_range_set *set, uint32_t num,
				uint32_t star)
{
	for (unsigned int i = 0; i < set->count; i++) {
		struct seq_range r =
			seq_range_resolve_star(set->ranges[i], star);

		if (num >= r.first && num <= r.last)
			return true;
	}
	return false;
}

/* The calendar day of a time in its own timezone. */
static int64_t search_day(time_t t, int tz_offset_mins)
{
	int64_t local = (int64_t)t + (int64_t)tz_offset_mins * 60;

	return local >= 0 ? local / SECS_PER_DAY
			  : (local - SECS_PER_DAY + 1) / SECS_PER_DAY;
}

static bool search_date_match(enum mail_search_key_type type, int64_t day,
			      time_t key_date)
{
	int64_t key_day = search_day(key_date, 0);

	switch (type) {
	case SEARCH_BEFORE:
	case SEARCH_SENTBEFORE:
	case SEARCH_SAVEDBEFORE:
		return day < key_day;
	case SEARCH_ON:
	case SEARCH_SENTON:
	case SEARCH_SAVEDON:
		return day == key_day;
	default:
		return day >= key_day;
	}
}

/* Returns 1 match, 0 no match, -1 error. */
static int search_date(struct mail_search_ctx *ctx, struct mail *mail,
		       const struct mail_search_key *key)
{
	time_t date = 0;
	int tz = 0, ret;

	switch (key->type) {
	case SEARCH_BEFORE:
	case SEARCH_ON:
	case SEARCH_SINCE:
		ret = mail_get_received_date(mail, &date, &tz);
		break;
	case SEARCH_SENTBEFORE:
	case SEARCH_SENTON:
	case SEARCH_SENTSINCE:
		/* without a usable Date: header, INTERNALDATE stands in */
		ret = mail_get_sent_date(mail, &date, &tz);
		if (ret < 0 || date == 0)
			ret = mail_get_received_date(mail, &date, &tz);
		break;
	default:
		ret = mail_get_save_date(mail, &date);
		break;
	}
	if (ret < 0)
		return -1;
	return search_date_match(key->type, search_day(date, tz), key->u.date);
}

static int search_keyword(struct mail *mail, const char *keyword)
{
	const char *const *names = mail_get_keywords(mail);

	for (unsigned int i = 0; names[i] != NULL; i++) {
		if (strcasecmp(names[i], keyword) == 0)
			return 1;
	}
	return 0;
}

static int search_text(struct mail_search_ctx *ctx, struct mail *mail,
		       const struct mail_search_key *key)
{
	struct mail_data data;
	bool match;

	if (mail_get_data(mail, &data) < 0)
		return -1;
	if (key->type == SEARCH_HEADER) {
		match = mail_glue_search_header(ctx->pool, data.data, data.size,
						key->u.header.name,
						key->u.header.value);
	} else {
		match = mail_glue_search_text(ctx->pool, data.data, data.size,
					      key->type == SEARCH_TEXT,
					      key->u.str);
	}
	mail_data_release(&data);
	return match ? 1 : 0;
}

static int search_eval_list(struct mail_search_ctx *ctx, struct mail *mail,
			    const struct mail_search_key *keys, bool any);

static int search_eval(struct mail_search_ctx *ctx, struct mail *mail,
		       const struct mail_search_key *key)
{
	const char *guid;
	uint64_t size;
	int ret;

	switch (key->type) {
	case SEARCH_ALL:
	case SEARCH_SAVEDATESUPPORTED:
		return 1;
	case SEARCH_SEQSET:
		return search_set_contains(&key->u.set, mail_get_seq(mail),
					   ctx->messages);
	case SEARCH_UIDSET:
		return search_set_contains(&key->u.set, mail_get_uid(mail),
					   ctx->max_uid);
	case SEARCH_FLAGS:
		return (mail_get_flags(mail) & key->u.flags) == key->u.flags;
	case SEARCH_KEYWORD:
		return search_keyword(mail, key->u.str);
	case SEARCH_BEFORE:
	case SEARCH_ON:
	case SEARCH_SINCE:
	case SEARCH_SENTBEFORE:
	case SEARCH_SENTON:
	case SEARCH_SENTSINCE:
	case SEARCH_SAVEDBEFORE:
	case SEARCH_SAVEDON:
	case SEARCH_SAVEDSINCE:
		return search_date(ctx, mail, key);
	case SEARCH_LARGER:
	case SEARCH_SMALLER:
		if (mail_get_size(mail, &size) < 0)
			return -1;
		return key->type == SEARCH_LARGER ? size > key->u.size
						  : size < key->u.size;
	case SEARCH_HEADER:
	case SEARCH_BODY:
	case SEARCH_TEXT:
		return search_text(ctx, mail, key);
	case SEARCH_MODSEQ:
		return mail_get_modseq(mail) >= key->u.modseq;
	case SEARCH_EMAILID:
		if (mail_get_guid(mail, &guid) < 0)
			return -1;
		return strcasecmp(guid, key->u.str) == 0;
	case SEARCH_THREADID:
		return 0;
	case SEARCH_AND:
		return search_eval_list(ctx, mail, key->u.subkeys, false);
	case SEARCH_OR:
		return search_eval_list(ctx, mail, key->u.subkeys, true);
	case SEARCH_NOT:
		ret = search_eval_list(ctx, mail, key->u.subkeys, false);
		return ret < 0 ? -1 : !ret;
	}
	i_unreached();
}

/* all (any = false) or any (any = true) of the list */
static int search_eval_list(struct mail_search_ctx *ctx, struct mail *mail,
			    const struct mail_search_key *keys, bool any)
{
	for (const struct mail_search_key *key = keys; key != NULL;
	     key = key->next) {
		int ret = search_eval(ctx, mail, key);

		if (ret < 0)
			return -1;
		if ((ret != 0) == any)
			return any ? 1 : 0;
	}
	return any ? 0 : 1;
}

/* What the keys read of each message: the fetch iterator reads it with
   the rows (flags only, for the common flag searches). */
static enum mail_fetch_field
search_keys_fields(const struct mail_search_key *keys)
{
	enum mail_fetch_field fields = 0;

	for (const struct mail_search_key *key = keys; key != NULL;
	     key = key->next) {
		switch (key->type) {
		case SEARCH_ALL:
		case SEARCH_SAVEDATESUPPORTED:
		case SEARCH_SEQSET:
		case SEARCH_UIDSET:
		case SEARCH_THREADID:
			break;
		case SEARCH_FLAGS:
		case SEARCH_KEYWORD:
			fields |= MAIL_FETCH_FLAGS;
			break;
		case SEARCH_MODSEQ:
			fields |= MAIL_FETCH_MODSEQ;
			break;
		case SEARCH_BEFORE:
		case SEARCH_ON:
		case SEARCH_SINCE:
			fields |= MAIL_FETCH_RECEIVED_DATE;
			break;
		case SEARCH_SENTBEFORE:
		case SEARCH_SENTON:
		case SEARCH_SENTSINCE:
			/* the sent date is cached with the ENVELOPE */
			fields |=
				MAIL_FETCH_ENVELOPE | MAIL_FETCH_RECEIVED_DATE;
			break;
		case SEARCH_SAVEDBEFORE:
		case SEARCH_SAVEDON:
		case SEARCH_SAVEDSINCE:
			fields |= MAIL_FETCH_SAVE_DATE;
			break;
		case SEARCH_LARGER:
		case SEARCH_SMALLER:
			fields |= MAIL_FETCH_SIZE;
			break;
		case SEARCH_HEADER:
		case SEARCH_BODY:
		case SEARCH_TEXT:
			fields |= MAIL_FETCH_DATA;
			break;
		case SEARCH_EMAILID:
			fields |= MAIL_FETCH_GUID;
			break;
		case SEARCH_AND:
		case SEARCH_OR:
		case SEARCH_NOT:
			fields |= search_keys_fields(key->u.subkeys);
			break;
		}
	}
	return fields;
}

int mailbox_search(struct mailbox *box, const struct mail_search_key *keys,
		   struct pool *pool, struct mail_search_result *result_r)
{
	struct mail_search_ctx ctx;
	struct mail_fetch_ctx *fetch;
	bool want_modseq = mail_search_keys_have(keys, SEARCH_MODSEQ);
	struct mail *mail;
	int ret;

	memset(result_r, 0, sizeof(*result_r));
	seq_range_set_init(&result_r->uids, pool);
	memset(&ctx, 0, sizeof(ctx));
	ctx.box = box;
	ctx.pool = pool_create("search", 4096);
	ctx.messages = mailbox_get_messages_count(box);
	ctx.max_uid = seq_range_set_max(&box->uids);
	fetch = mailbox_fetch_init(box, &box->uids,
				   MAIL_FETCH_FLAGS | search_keys_fields(keys));
	while ((ret = mailbox_fetch_next(fetch, &mail)) > 0) {
		pool_clear(ctx.pool);
		ret = search_eval_list(&ctx, mail, keys, false);
		if (ret < 0) {
			enum mail_error code;

			(void)mailbox_get_last_error(box, &code);
			if (code == MAIL_ERROR_EXPUNGED)
				continue;
			break;
		}
		if (ret == 0)
			continue;
		seq_range_set_add(&result_r->uids, mail_get_uid(mail));
		if (want_modseq &&
		    mail_get_modseq(mail) > result_r->highest_modseq)
			result_r->highest_modseq = mail_get_modseq(mail);
	}
	if (mailbox_fetch_deinit(&fetch) < 0)
		ret = -1;
	pool_destroy(&ctx.pool);
	return ret < 0 ? -1 : 0;
}
