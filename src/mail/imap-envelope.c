#include "imap-envelope.h"
#include "message-header.h"
#include "pool.h"

#include <string.h>

enum envelope_field {
	ENVELOPE_DATE,
	ENVELOPE_SUBJECT,
	ENVELOPE_FROM,
	ENVELOPE_SENDER,
	ENVELOPE_REPLY_TO,
	ENVELOPE_TO,
	ENVELOPE_CC,
	ENVELOPE_BCC,
	ENVELOPE_IN_REPLY_TO,
	ENVELOPE_MESSAGE_ID,
	ENVELOPE_FIELD_COUNT
};

static const char *const envelope_field_names[ENVELOPE_FIELD_COUNT] = {
	"Date", "Subject", "From", "Sender",      "Reply-To",
	"To",   "Cc",      "Bcc",  "In-Reply-To", "Message-ID",
};

static struct rfc822_address **envelope_address_list(struct imap_envelope *env,
						     enum envelope_field field)
{
	switch (field) {
	case ENVELOPE_FROM:
		return &env->from;
	case ENVELOPE_SENDER:
		return &env->sender;
	case ENVELOPE_REPLY_TO:
		return &env->reply_to;
	case ENVELOPE_TO:
		return &env->to;
	case ENVELOPE_CC:
		return &env->cc;
	case ENVELOPE_BCC:
		return &env->bcc;
	default:
		return NULL;
	}
}

static const char **envelope_string(struct imap_envelope *env,
				    enum envelope_field field)
{
	switch (field) {
	case ENVELOPE_DATE:
		return &env->date;
	case ENVELOPE_SUBJECT:
		return &env->subject;
	case ENVELOPE_IN_REPLY_TO:
		return &env->in_reply_to;
	case ENVELOPE_MESSAGE_ID:
		return &env->message_id;
	default:
		return NULL;
	}
}

struct envelope_ctx {
	struct pool *pool;
	struct imap_envelope *env;
	/* where each address list goes on, and how long it is */
	struct rfc822_address **tails[ENVELOPE_FIELD_COUNT];
	unsigned int counts[ENVELOPE_FIELD_COUNT];
};

/* RFC 5322 §4.5.3: repeated address fields are joined. */
static void envelope_add_addresses(struct envelope_ctx *ctx,
				   enum envelope_field field,
				   const struct message_header_field *hdr)
{
	struct rfc822_address *addr;

	if (ctx->counts[field] >= RFC822_ADDRESS_MAX_COUNT)
		return;
	addr = rfc822_address_parse(ctx->pool, hdr->value, hdr->value_len);
	*ctx->tails[field] = addr;
	for (; addr != NULL; addr = addr->next) {
		ctx->tails[field] = &addr->next;
		ctx->counts[field]++;
	}
}

static void envelope_add_field(struct envelope_ctx *ctx,
			       enum envelope_field field,
			       const struct message_header_field *hdr)
{
	const char **str;

	if (ctx->tails[field] != NULL) {
		envelope_add_addresses(ctx, field, hdr);
		return;
	}
	str = envelope_string(ctx->env, field);
	if (*str == NULL)
		*str = message_header_unfold_str(ctx->pool, hdr->value,
						 hdr->value_len);
}

void imap_envelope_parse(struct pool *pool, const void *header, size_t size,
			 struct imap_envelope *env_r)
{
	struct envelope_ctx ctx = { .pool = pool, .env = env_r };
	struct message_header_iter iter;
	struct message_header_field hdr;

	memset(env_r, 0, sizeof(*env_r));
	for (unsigned int i = 0; i < ENVELOPE_FIELD_COUNT; i++)
		ctx.tails[i] = envelope_address_list(env_r, i);
	message_header_iter_init(&iter, header, size);
	while (message_header_iter_next(&iter, &hdr) > 0) {
		for (unsigned int i = 0; i < ENVELOPE_FIELD_COUNT; i++) {
			if (message_header_field_is(&hdr,
						    envelope_field_names[i])) {
				envelope_add_field(&ctx, i, &hdr);
				break;
			}
		}
	}
	if (env_r->sender == NULL)
		env_r->sender = env_r->from;
	if (env_r->reply_to == NULL)
		env_r->reply_to = env_r->from;
}

void imap_envelope_write_addresses(string_t *dest,
				   const struct rfc822_address *addr,
				   enum imap_quote_flags flags)
{
	if (addr == NULL) {
		str_append(dest, "NIL");
		return;
	}
	str_append_c(dest, '(');
	for (; addr != NULL; addr = addr->next) {
		str_append_c(dest, '(');
		imap_append_nstring(dest, addr->name, flags);
		str_append_c(dest, ' ');
		imap_append_nstring(dest, addr->route, flags);
		str_append_c(dest, ' ');
		imap_append_nstring(dest, addr->mailbox, flags);
		str_append_c(dest, ' ');
		imap_append_nstring(dest, addr->domain, flags);
		str_append_c(dest, ')');
	}
	str_append_c(dest, ')');
}

void imap_envelope_write(string_t *dest, const struct imap_envelope *env,
			 enum imap_quote_flags flags)
{
	const struct rfc822_address *lists[] = {
		env->from, env->sender, env->reply_to,
		env->to,   env->cc,     env->bcc,
	};

	str_append_c(dest, '(');
	imap_append_nstring(dest, env->date, flags);
	str_append_c(dest, ' ');
	imap_append_nstring(dest, env->subject, flags);
	for (size_t i = 0; i < N_ELEMENTS(lists); i++) {
		str_append_c(dest, ' ');
		imap_envelope_write_addresses(dest, lists[i], flags);
	}
	str_append_c(dest, ' ');
	imap_append_nstring(dest, env->in_reply_to, flags);
	str_append_c(dest, ' ');
	imap_append_nstring(dest, env->message_id, flags);
	str_append_c(dest, ')');
}
