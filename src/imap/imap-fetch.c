#include "imap-fetch.h"
#include "imap-fetch-section.h"
#include "imap-bodystructure.h"
#include "imap-util.h"
#include "log.h"
#include "message-date.h"
#include "message-parser.h"
#include "message-part-serialize.h"
#include "pool.h"
#include "postern/storage.h"

#include <string.h>

/* The state of one body item of the message being written. */
struct imap_fetch_body_state {
	struct imap_section_content content;
	buffer_t filtered;
	uint64_t offset;
	uint64_t size;
	bool literal8;
};

struct imap_fetch_ctx {
	struct pool *pool;
	struct mailbox *box;
	const struct imap_fetch_query *query;
	enum imap_fetch_flags flags;
	struct mail_fetch_ctx *iter;

	/* UIDs whose flags this FETCH changed (implicit \Seen): their
	   responses carry FLAGS (RFC 3501 §6.4.5). */
	struct seq_range_set seen_changed;
	unsigned int expunged_count;

	/* The message being written, with what its body items need. */
	struct mail *mail;
	struct pool *msg_pool;
	struct mail_data data;
	bool have_data;
	struct imap_fetch_body_state *bodies;
	unsigned int body_idx;
	/* Items were written: the next one needs a space before it. */
	bool need_space;
	bool in_body;
	struct imap_section_reader reader;

	const char *error;
	bool failed;
};

static enum mail_fetch_field
imap_fetch_storage_fields(const struct imap_fetch_query *query)
{
	static const struct {
		enum imap_fetch_field item;
		enum mail_fetch_field field;
	} map[] = {
		{ IMAP_FETCH_FLAGS, MAIL_FETCH_FLAGS },
		{ IMAP_FETCH_INTERNALDATE, MAIL_FETCH_RECEIVED_DATE },
		{ IMAP_FETCH_RFC822_SIZE, MAIL_FETCH_SIZE },
		{ IMAP_FETCH_ENVELOPE, MAIL_FETCH_ENVELOPE },
		{ IMAP_FETCH_BODY, MAIL_FETCH_BODY },
		{ IMAP_FETCH_BODYSTRUCTURE, MAIL_FETCH_BODYSTRUCTURE },
		{ IMAP_FETCH_MODSEQ, MAIL_FETCH_MODSEQ },
		{ IMAP_FETCH_SAVEDATE, MAIL_FETCH_SAVE_DATE },
		{ IMAP_FETCH_EMAILID, MAIL_FETCH_GUID },
	};
	enum mail_fetch_field fields = 0;

	for (size_t i = 0; i < N_ELEMENTS(map); i++) {
		if ((query->fields & map[i].item) != 0)
			fields |= map[i].field;
	}
	if (query->bodies_count > 0)
		fields |= MAIL_FETCH_PARTS | MAIL_FETCH_DATA;
	if (query->sets_seen)
		fields |= MAIL_FETCH_FLAGS | MAIL_FETCH_MODSEQ;
	return fields;
}

static void imap_fetch_fail_storage(struct imap_fetch_ctx *ctx)
{
	ctx->failed = true;
	ctx->error = pool_printf(ctx->pool, "NO %s",
				 imap_mail_error_text(ctx->pool, ctx->box));
}

/* RFC 3501 §6.4.5: BODY[...] without PEEK sets \Seen; the responses then
   include the new FLAGS. Done for the whole set at once. */
static void imap_fetch_set_seen(struct imap_fetch_ctx *ctx,
				const struct seq_range_set *uids)
{
	struct mail_flag_update update = { .modify = MAIL_MODIFY_ADD,
					   .flags = MAIL_SEEN };
	struct mailbox_update_result result;

	if (mailbox_update_flags(ctx->box, uids, &update, ctx->pool, &result) <
	    0) {
		imap_fetch_fail_storage(ctx);
		return;
	}
	for (unsigned int i = 0; i < result.messages_count; i++) {
		if (result.messages[i].changed)
			seq_range_set_add(&ctx->seen_changed,
					  result.messages[i].uid);
	}
}

struct imap_fetch_ctx *imap_fetch_begin(struct pool *pool, struct mailbox *box,
					const struct imap_fetch_query *query,
					const struct seq_range_set *uids,
					enum imap_fetch_flags flags)
{
	struct imap_fetch_ctx *ctx = p_new(pool, struct imap_fetch_ctx, 1);

	ctx->pool = pool;
	ctx->box = box;
	ctx->query = query;
	ctx->flags = flags;
	seq_range_set_init(&ctx->seen_changed, pool);
	ctx->msg_pool = pool_create("imap fetch message", 4096);
	if (query->sets_seen && !mailbox_is_readonly(box) &&
	    !seq_range_set_is_empty(uids))
		imap_fetch_set_seen(ctx, uids);
	if (!ctx->failed) {
		ctx->iter = mailbox_fetch_init(
			box, uids, imap_fetch_storage_fields(query));
	}
	return ctx;
}

/* ---- One message: the small items ---- */

static bool imap_fetch_wants_flags(const struct imap_fetch_ctx *ctx,
				   uint32_t uid)
{
	return (ctx->query->fields & IMAP_FETCH_FLAGS) != 0 ||
	       seq_range_set_contains(&ctx->seen_changed, uid);
}

static bool imap_fetch_wants_modseq(const struct imap_fetch_ctx *ctx,
				    uint32_t uid)
{
	return (ctx->query->fields & IMAP_FETCH_MODSEQ) != 0 ||
	       ((ctx->flags & IMAP_FETCH_FLAG_CONDSTORE) != 0 &&
		seq_range_set_contains(&ctx->seen_changed, uid));
}

static int imap_fetch_write_dates(struct imap_fetch_ctx *ctx, string_t *dest)
{
	time_t date;
	int tz;

	if ((ctx->query->fields & IMAP_FETCH_INTERNALDATE) != 0) {
		if (mail_get_received_date(ctx->mail, &date, &tz) < 0)
			return -1;
		str_append(dest, " INTERNALDATE \"");
		message_date_write_imap(dest, date, tz);
		str_append_c(dest, '"');
	}
	if ((ctx->query->fields & IMAP_FETCH_SAVEDATE) != 0) {
		if (mail_get_save_date(ctx->mail, &date) < 0)
			return -1;
		if (date == 0) {
			str_append(dest, " SAVEDATE NIL");
		} else {
			str_append(dest, " SAVEDATE \"");
			message_date_write_imap(dest, date, 0);
			str_append_c(dest, '"');
		}
	}
	return 0;
}

/* BODY or BODYSTRUCTURE of a message with a message/global part, for an
   IMAP4rev2 session: storage caches IMAP4rev1's form, where message/global
   is a basic body, but IMAP4rev2 shows its envelope and structure like
   message/rfc822's (RFC 9051 §7.5.2). Such messages are rare (returned
   internationalized mail, RFC 6533): they are parsed again. */
static int imap_fetch_write_structure_rev2(struct imap_fetch_ctx *ctx,
					   enum imap_bodystructure_flags flags,
					   string_t *dest)
{
	struct message_part *root;

	if (!ctx->have_data) {
		if (mail_get_data(ctx->mail, &ctx->data) < 0)
			return -1;
		ctx->have_data = true;
	}
	root = message_parse(ctx->msg_pool, ctx->data.data, ctx->data.size,
			     NULL);
	if (imap_bodystructure_write(dest, root, ctx->data.data, ctx->data.size,
				     flags | IMAP_BODYSTRUCTURE_FLAG_IMAP4REV2,
				     ctx->msg_pool) < 0)
		i_unreached();
	return 0;
}

/* Appends " BODY value" or " BODYSTRUCTURE value" from the cached string. */
static int imap_fetch_write_cached_structure(
	struct imap_fetch_ctx *ctx, const char *name, const char *cached,
	enum imap_bodystructure_flags flags, string_t *dest)
{
	str_append_c(dest, ' ');
	str_append(dest, name);
	str_append_c(dest, ' ');
	if ((ctx->flags & IMAP_FETCH_FLAG_IMAP4REV2) != 0 &&
	    strcasestr(cached, "\"message\" \"global\"") != NULL)
		return imap_fetch_write_structure_rev2(ctx, flags, dest);
	str_append(dest, cached);
	return 0;
}

/* ENVELOPE, BODY, BODYSTRUCTURE: strings storage builds and caches. */
static int imap_fetch_write_structure(struct imap_fetch_ctx *ctx,
				      string_t *dest)
{
	enum imap_fetch_field fields = ctx->query->fields;
	const char *value;

	if ((fields & IMAP_FETCH_ENVELOPE) != 0) {
		if (mail_get_envelope(ctx->mail, &value) < 0)
			return -1;
		str_append(dest, " ENVELOPE ");
		str_append(dest, value);
	}
	if ((fields & IMAP_FETCH_BODY) != 0) {
		if (mail_get_body(ctx->mail, &value) < 0 ||
		    imap_fetch_write_cached_structure(ctx, "BODY", value, 0,
						      dest) < 0)
			return -1;
	}
	if ((fields & IMAP_FETCH_BODYSTRUCTURE) != 0) {
		if (mail_get_bodystructure(ctx->mail, &value) < 0 ||
		    imap_fetch_write_cached_structure(
			    ctx, "BODYSTRUCTURE", value,
			    IMAP_BODYSTRUCTURE_FLAG_EXTENDED, dest) < 0)
			return -1;
	}
	return 0;
}

static int imap_fetch_write_ids(struct imap_fetch_ctx *ctx, string_t *dest)
{
	const char *id;
	uint64_t size;

	if ((ctx->query->fields & IMAP_FETCH_RFC822_SIZE) != 0) {
		if (mail_get_size(ctx->mail, &size) < 0)
			return -1;
		str_append(dest, " RFC822.SIZE ");
		str_append_uint(dest, size);
	}
	if ((ctx->query->fields & IMAP_FETCH_EMAILID) != 0) {
		if (mail_get_guid(ctx->mail, &id) < 0)
			return -1;
		str_printfa(dest, " EMAILID (%s)", id);
	}
	if ((ctx->query->fields & IMAP_FETCH_THREADID) != 0) {
		/* RFC 8474 §5.2: NIL when the server doesn't thread */
		id = mail_get_thread_id(ctx->mail);
		if (id == NULL)
			str_append(dest, " THREADID NIL");
		else
			str_printfa(dest, " THREADID (%s)", id);
	}
	return 0;
}

/* The small items, each with a space in front. */
static int imap_fetch_write_items(struct imap_fetch_ctx *ctx, string_t *dest)
{
	struct mail *mail = ctx->mail;
	uint32_t uid = mail_get_uid(mail);

	if ((ctx->query->fields & IMAP_FETCH_UID) != 0) {
		str_append(dest, " UID ");
		str_append_uint(dest, uid);
	}
	if (imap_fetch_wants_flags(ctx, uid)) {
		str_append(dest, " FLAGS ");
		imap_write_flags(dest, mail_get_flags(mail),
				 mail_get_keywords(mail));
	}
	if (imap_fetch_wants_modseq(ctx, uid)) {
		str_append(dest, " MODSEQ (");
		str_append_uint(dest, mail_get_modseq(mail));
		str_append_c(dest, ')');
	}
	if (imap_fetch_write_dates(ctx, dest) < 0 ||
	    imap_fetch_write_ids(ctx, dest) < 0 ||
	    imap_fetch_write_structure(ctx, dest) < 0)
		return -1;
	return 0;
}

/* "* seq FETCH (UID n FLAGS (...) ..." without the body items. */
static int imap_fetch_write_head(struct imap_fetch_ctx *ctx, string_t *dest)
{
	size_t items;

	str_append(dest, "* ");
	str_append_uint(dest, mail_get_seq(ctx->mail));
	str_append(dest, " FETCH (");
	items = dest->used;
	if (imap_fetch_write_items(ctx, dest) < 0)
		return -1;
	ctx->need_space = dest->used > items;
	if (ctx->need_space) {
		/* drop the first item's space */
		memmove(dest->data + items, dest->data + items + 1,
			dest->used - items - 1);
		str_truncate(dest, dest->used - 1);
	}
	return 0;
}

/* ---- One message: preparing the body items ---- */

static int imap_fetch_load_parts(struct imap_fetch_ctx *ctx,
				 struct message_part **root_r)
{
	const unsigned char *parts;
	size_t parts_size;
	const char *error;

	if (mail_get_data(ctx->mail, &ctx->data) < 0)
		return -1;
	ctx->have_data = true;
	if (mail_get_parts(ctx->mail, &parts, &parts_size) < 0)
		return -1;
	if (message_part_deserialize(ctx->msg_pool, parts, parts_size,
				     ctx->data.size, root_r, &error) < 0) {
		/* the index is a cache: a broken tree is reparsed by
		   storage; reaching here is a storage bug */
		ctx->failed = true;
		ctx->error = "NO [SERVERBUG] Internal error: broken message "
			     "structure.";
		return -1;
	}
	return 0;
}

/* Finds and measures one body item. Returns 0, or -1 (UNKNOWN-CTE). */
static int imap_fetch_prepare_body(struct imap_fetch_ctx *ctx,
				   const struct imap_fetch_body *body,
				   struct message_part *root,
				   struct imap_fetch_body_state *state)
{
	enum message_section_flags section_flags =
		(ctx->flags & IMAP_FETCH_FLAG_IMAP4REV2) != 0
			? MESSAGE_SECTION_FLAG_IMAP4REV2
			: 0;
	uint64_t max_size = body->partial ? body->partial_size : UINT64_MAX;

	buffer_init(&state->filtered, SIZE_MAX);
	if (imap_fetch_section_find(&body->section, ctx->data.data,
				    ctx->data.size, root, section_flags,
				    body->type != IMAP_FETCH_BODY_SECTION,
				    &state->filtered, &state->content) < 0) {
		ctx->failed = true;
		ctx->error = pool_printf(
			ctx->pool,
			"NO [UNKNOWN-CTE] Can't decode the "
			"Content-Transfer-Encoding of part %s of UID %u.",
			body->section.part, mail_get_uid(ctx->mail));
		return -1;
	}
	state->offset = body->partial ? body->partial_offset : 0;
	imap_section_measure(ctx->data.data, &state->content, &state->filtered,
			     state->offset, max_size, &state->size,
			     &state->literal8);
	/* RFC 3516 §4.2: only BINARY may send a literal8; BODY[] sends
	   NUL as 0x80 instead (see imap-quote.h) */
	if (body->type == IMAP_FETCH_BODY_SECTION)
		state->literal8 = false;
	return 0;
}

static int imap_fetch_prepare_bodies(struct imap_fetch_ctx *ctx)
{
	const struct imap_fetch_query *query = ctx->query;
	struct message_part *root;

	if (query->bodies_count == 0)
		return 0;
	if (imap_fetch_load_parts(ctx, &root) < 0)
		return -1;
	ctx->bodies = p_new(ctx->msg_pool, struct imap_fetch_body_state,
			    query->bodies_count);
	for (unsigned int i = 0; i < query->bodies_count; i++) {
		if (imap_fetch_prepare_body(ctx, &query->bodies[i], root,
					    &ctx->bodies[i]) < 0)
			return -1;
	}
	return 0;
}

/* Releases what the message being written holds. */
static void imap_fetch_end_mail(struct imap_fetch_ctx *ctx)
{
	if (ctx->in_body) {
		imap_section_reader_deinit(&ctx->reader);
		ctx->in_body = false;
	}
	for (unsigned int i = 0;
	     ctx->bodies != NULL && i < ctx->query->bodies_count; i++)
		buffer_deinit(&ctx->bodies[i].filtered);
	ctx->bodies = NULL;
	ctx->body_idx = 0;
	if (ctx->have_data) {
		mail_data_release(&ctx->data);
		ctx->have_data = false;
	}
	pool_clear(ctx->msg_pool);
	ctx->mail = NULL;
}

/* A message failed to load: skipped if it was expunged meanwhile
   (RFC 2180 §4.1.1), else the fetch fails. */
static int imap_fetch_mail_failed(struct imap_fetch_ctx *ctx)
{
	enum mail_error code;

	if (!ctx->failed) {
		(void)mailbox_get_last_error(ctx->box, &code);
		if (code != MAIL_ERROR_EXPUNGED) {
			imap_fetch_fail_storage(ctx);
		} else {
			ctx->expunged_count++;
			imap_fetch_end_mail(ctx);
			return 0;
		}
	}
	imap_fetch_end_mail(ctx);
	return -1;
}

/* Starts the next message: everything that can fail is done before its
   first byte is written to dest. Returns 1, 0 at the end, -1 on error. */
static int imap_fetch_next_mail(struct imap_fetch_ctx *ctx, string_t *dest)
{
	size_t start = dest->used;
	int ret;

	while ((ret = mailbox_fetch_next(ctx->iter, &ctx->mail)) > 0) {
		if (imap_fetch_write_head(ctx, dest) == 0 &&
		    imap_fetch_prepare_bodies(ctx) == 0)
			return 1;
		buffer_set_used(dest, start);
		if (imap_fetch_mail_failed(ctx) < 0)
			return -1;
	}
	ctx->mail = NULL;
	if (ret < 0)
		imap_fetch_fail_storage(ctx);
	return ret;
}

/* ---- One message: writing the body items ---- */

static void imap_fetch_start_body(struct imap_fetch_ctx *ctx, string_t *dest)
{
	const struct imap_fetch_body *body = &ctx->query->bodies[ctx->body_idx];
	struct imap_fetch_body_state *state = &ctx->bodies[ctx->body_idx];

	str_printfa(dest, "%s%s ", ctx->need_space ? " " : "", body->name);
	ctx->need_space = true;
	if (body->type == IMAP_FETCH_BINARY_SIZE) {
		str_printfa(dest, "%llu", (unsigned long long)state->size);
		return;
	}
	if (state->size == 0) {
		/* an empty string is better quoted (Crispin, imap-protocol
		   2011); clients accept either */
		str_append(dest, "\"\"");
		return;
	}
	str_printfa(dest, "%s{%llu}\r\n", state->literal8 ? "~" : "",
		    (unsigned long long)state->size);
	imap_section_reader_init(&ctx->reader, ctx->data.data, &state->content,
				 &state->filtered, state->offset, state->size,
				 body->type == IMAP_FETCH_BODY_SECTION);
	ctx->in_body = true;
}

/* Writes the body items until dest holds batch_size bytes. Returns true
   when the message is complete. */
static bool imap_fetch_write_bodies(struct imap_fetch_ctx *ctx, string_t *dest,
				    size_t batch_size)
{
	while (ctx->body_idx < ctx->query->bodies_count) {
		if (!ctx->in_body) {
			imap_fetch_start_body(ctx, dest);
			if (!ctx->in_body) {
				ctx->body_idx++;
				continue;
			}
		}
		if (dest->used >= batch_size ||
		    !imap_section_reader_read(&ctx->reader, dest,
					      batch_size - dest->used))
			return false;
		imap_section_reader_deinit(&ctx->reader);
		ctx->in_body = false;
		ctx->body_idx++;
	}
	str_append(dest, ")\r\n");
	imap_fetch_end_mail(ctx);
	return true;
}

enum imap_fetch_result imap_fetch_more(struct imap_fetch_ctx *ctx,
				       string_t *dest, size_t batch_size)
{
	int ret;

	while (!ctx->failed && dest->used < batch_size) {
		if (ctx->mail == NULL) {
			ret = imap_fetch_next_mail(ctx, dest);
			if (ret == 0)
				return IMAP_FETCH_DONE;
			if (ret < 0)
				break;
		}
		(void)imap_fetch_write_bodies(ctx, dest, batch_size);
	}
	return ctx->failed ? IMAP_FETCH_ERROR : IMAP_FETCH_MORE;
}

const char *imap_fetch_end(struct imap_fetch_ctx **_ctx)
{
	struct imap_fetch_ctx *ctx = *_ctx;
	const char *reply = "OK Fetch completed.";

	*_ctx = NULL;
	if (ctx->mail != NULL)
		imap_fetch_end_mail(ctx);
	if (ctx->iter != NULL) {
		ctx->expunged_count +=
			mailbox_fetch_get_expunged_count(ctx->iter);
		if (mailbox_fetch_deinit(&ctx->iter) < 0 && !ctx->failed)
			imap_fetch_fail_storage(ctx);
	}
	pool_destroy(&ctx->msg_pool);
	if (ctx->failed)
		reply = ctx->error;
	else if (ctx->expunged_count > 0 &&
		 (ctx->flags & IMAP_FETCH_FLAG_UID) == 0)
		reply = "NO [EXPUNGEISSUED] Some of the requested messages "
			"no longer exist.";
	return reply;
}
