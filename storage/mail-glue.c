#include "mail-glue.h"
#include "imap-bodystructure.h"
#include "imap-envelope.h"
#include "imap-utf7.h"
#include "message-crlf.h"
#include "message-date.h"
#include "message-header.h"
#include "message-parser.h"
#include "message-part-serialize.h"
#include "message-search-text.h"
#include "pool.h"

#include <string.h>

/* Cached strings are built up to this size; a bigger one (a message with
   thousands of parts) is left out of the cache and computed when asked. */
#define MAIL_GLUE_MAX_CACHED (1024 * 1024)

int mail_glue_mutf7_to_utf8(const char *src, string_t *dest)
{
	return imap_utf7_to_utf8(src, dest);
}

int mail_glue_utf8_to_mutf7(const char *src, string_t *dest)
{
	return imap_utf8_to_utf7(src, dest);
}

bool mail_glue_crlf_is_normalized(const void *data, size_t size)
{
	return message_crlf_is_normalized(data, size);
}

size_t mail_glue_crlf_size(const void *data, size_t size)
{
	return message_crlf_normalized_size(data, size);
}

void mail_glue_crlf_init(struct mail_glue_crlf *ctx)
{
	struct message_crlf_ctx crlf;

	message_crlf_init(&crlf);
	ctx->last_cr = crlf.last_cr;
}

int mail_glue_crlf_convert(struct mail_glue_crlf *ctx, const void *data,
			   size_t size, buffer_t *dest)
{
	struct message_crlf_ctx crlf = { .last_cr = ctx->last_cr };
	int ret = message_crlf_convert(&crlf, data, size, dest);

	ctx->last_cr = crlf.last_cr;
	return ret;
}

static const char *mail_glue_str(struct pool *pool, string_t *str)
{
	return str->overflow ? NULL : pool_strdup(pool, str_c(str));
}

static void mail_glue_sent_date(const unsigned char *data, size_t header_size,
				struct mail_glue_parsed *parsed_r)
{
	struct message_header_field field;

	if (message_header_find(data, header_size, "Date", &field) > 0 &&
	    message_date_parse(field.value, field.value_len,
			       &parsed_r->sent_date, &parsed_r->sent_tz) < 0) {
		parsed_r->sent_date = 0;
		parsed_r->sent_tz = 0;
	}
}

int mail_glue_parse(struct pool *pool, const unsigned char *data, size_t size,
		    struct mail_glue_parsed *parsed_r)
{
	struct message_part *root;
	struct imap_envelope env;
	string_t *str = str_new(4096, MAIL_GLUE_MAX_CACHED);
	buffer_t *parts = buffer_create(256, MAIL_GLUE_MAX_CACHED);

	memset(parsed_r, 0, sizeof(*parsed_r));
	root = message_parse(pool, data, size, NULL);
	imap_envelope_parse(pool, data, root->header_size, &env);
	imap_envelope_write(str, &env, 0);
	parsed_r->envelope = mail_glue_str(pool, str);
	str_truncate(str, 0);
	if (imap_bodystructure_write(str, root, data, size,
				     IMAP_BODYSTRUCTURE_FLAG_EXTENDED,
				     pool) == 0)
		parsed_r->bodystructure = mail_glue_str(pool, str);
	str_truncate(str, 0);
	if (imap_bodystructure_write(str, root, data, size, 0, pool) == 0)
		parsed_r->body = mail_glue_str(pool, str);
	message_part_serialize(root, parts);
	if (!parts->overflow) {
		parsed_r->parts = pool_memdup(pool, parts->data, parts->used);
		parsed_r->parts_size = parts->used;
	}
	mail_glue_sent_date(data, root->header_size, parsed_r);
	str_free(&str);
	buffer_free(&parts);
	return parsed_r->envelope != NULL ? 0 : -1;
}

bool mail_glue_search_header(struct pool *pool, const unsigned char *data,
			     size_t size, const char *name, const char *key)
{
	string_t *values = str_new(1024, SIZE_MAX);
	unsigned int count;
	bool found;

	count = message_search_header(data, size, name, values);
	found = count > 0 &&
		(key[0] == '\0' ||
		 message_search_contains(values->data, values->used, key,
					 strlen(key)));
	str_free(&values);
	return found;
}

bool mail_glue_search_text(struct pool *pool, const unsigned char *data,
			   size_t size, bool headers, const char *key)
{
	struct message_part *root = message_parse(pool, data, size, NULL);
	string_t *text = str_new(4096, SIZE_MAX);
	bool found;

	if (headers)
		message_search_header_text(data, root->header_size, text);
	message_search_body_text(data, size, root, text);
	found = message_search_contains(text->data, text->used, key,
					strlen(key));
	str_free(&text);
	return found;
}
