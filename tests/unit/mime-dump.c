/* mime-dump: prints what IMAP would answer for a message, for
   test_mime_corpus.py to compare with recorded reference answers.

     mime-dump FILE
     mime-dump [--internaldate DATE] --search KEY VALUE [--search ...] FILE

   KEY is SUBJECT, FROM, HEADER:<name>, BODY, TEXT or SENTBEFORE; each
   search prints "search KEY VALUE 0|1", as SEARCH would match.

   The message is normalized to CRLF first, as storage does. Each output
   line is "key<TAB>value"; byte strings are hex, large items are
   "length sha256". Per section (RFC 3501 §6.4.5 numbering):
     part SECTION KIND TYPE    (KIND: leaf, message, multipart)
     mime / body / binary / binary.size / header / text */

#include "imap-bodystructure.h"
#include "imap-envelope.h"
#include "message-crlf.h"
#include "message-date.h"
#include "message-decode.h"
#include "message-header.h"
#include "message-parser.h"
#include "message-section.h"
#include "message-part-serialize.h"
#include "message-search-text.h"
#include "pool.h"
#include "str.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct dump_ctx {
	const char *internaldate;
	struct pool *pool;
	const unsigned char *msg;
	size_t size;
	struct message_part *root;
};

static void print_hex(const char *key, const void *data, size_t size)
{
	const unsigned char *p = data;

	printf("%s\t", key);
	for (size_t i = 0; i < size; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static void print_digest(const char *key, const void *data, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len;

	EVP_Digest(data, size, md, &md_len, EVP_sha256(), NULL);
	printf("%s\t%zu ", key, size);
	for (unsigned int i = 0; i < md_len; i++)
		printf("%02x", md[i]);
	printf("\n");
}

/* BODY[] literals can't carry NUL (RFC 3501 CHAR8): IMAP sends 0x80, as
   imap-quote.h does for strings. */
static void print_body_digest(struct dump_ctx *ctx, const char *key,
			      const unsigned char *data, size_t size)
{
	unsigned char *copy = malloc(size + 1);

	memcpy(copy, data, size);
	for (size_t i = 0; i < size; i++) {
		if (copy[i] == '\0')
			copy[i] = 0x80;
	}
	print_digest(key, copy, size);
	/* where it is, so that the test can check departures byte by byte */
	printf("%s.offset\t%zu\n", key, (size_t)(data - ctx->msg));
	free(copy);
}

static void print_imap(const char *key, string_t *str)
{
	print_hex(key, str->data, str->used);
	str_truncate(str, 0);
}

static void dump_binary(struct dump_ctx *ctx, const struct message_part *part)
{
	struct message_decode_result result;
	buffer_t *decoded = buffer_create(part->body_size + 16, SIZE_MAX);

	if (message_decode(part->cte, ctx->msg + message_part_body_pos(part),
			   part->body_size, decoded, &result) < 0) {
		printf("binary\tNO UNKNOWN-CTE\n");
		printf("binary.size\tNO UNKNOWN-CTE\n");
	} else {
		bool literal8 = result.has_nul || part->cte == MESSAGE_CTE_QP ||
				part->cte == MESSAGE_CTE_BASE64;

		print_digest(literal8 ? "binary~" : "binary", decoded->data,
			     decoded->used);
		printf("binary.size\t%llu\n", (unsigned long long)result.size);
	}
	buffer_free(&decoded);
}

static const char *part_kind(const struct message_part *part)
{
	if ((part->flags & MESSAGE_PART_FLAG_MULTIPART) != 0)
		return "multipart";
	if (message_part_is_message(part, 0))
		return "message";
	return "leaf";
}

/* BODY[section kind] as IMAP would fetch it; key is the output name. */
static void dump_range(struct dump_ctx *ctx, const char *key,
		       const char *section, enum message_section_kind kind,
		       bool digest)
{
	struct message_section_range range;

	if (message_section_get_range(ctx->root, section, kind, 0, &range) <
	    0) {
		printf("%s\tNIL\n", key);
		return;
	}
	if (digest)
		print_body_digest(ctx, key, ctx->msg + range.offset,
				  range.size);
	else
		print_hex(key, ctx->msg + range.offset, range.size);
}

static void dump_part(struct dump_ctx *ctx, const struct message_part *part,
		      const char *section)
{
	printf("part\t%s %s %s/%s\n", section, part_kind(part),
	       message_part_data_type(part->data),
	       message_part_data_subtype(part->data));
	dump_range(ctx, "mime", section, MESSAGE_SECTION_MIME, false);
	dump_range(ctx, "body", section, MESSAGE_SECTION_ALL, true);
	dump_binary(ctx, part);
	if (message_part_is_message(part, 0)) {
		dump_range(ctx, "header", section, MESSAGE_SECTION_HEADER,
			   false);
		dump_range(ctx, "text", section, MESSAGE_SECTION_TEXT, true);
	}
}

static void dump_sections(struct dump_ctx *ctx, const char *prefix)
{
	for (unsigned int i = 1;; i++) {
		char section[1024];
		const struct message_part *part;

		snprintf(section, sizeof(section), "%s%s%u", prefix,
			 *prefix == '\0' ? "" : ".", i);
		part = message_section_find(ctx->root, section, 0);
		if (part == NULL)
			break;
		dump_part(ctx, part, section);
		dump_sections(ctx, section);
	}
}

static void dump_summary(struct dump_ctx *ctx, string_t *str)
{
	struct imap_envelope env;

	printf("rfc822.size\t%zu\n", ctx->size);
	imap_envelope_parse(ctx->pool, ctx->msg, ctx->root->header_size, &env);
	imap_envelope_write(str, &env, 0);
	print_imap("envelope", str);
	imap_bodystructure_write(str, ctx->root, ctx->msg, ctx->size,
				 IMAP_BODYSTRUCTURE_FLAG_EXTENDED, ctx->pool);
	print_imap("bodystructure", str);
	imap_bodystructure_write(str, ctx->root, ctx->msg, ctx->size, 0,
				 ctx->pool);
	print_imap("body", str);
	imap_bodystructure_write(str, ctx->root, ctx->msg, ctx->size,
				 IMAP_BODYSTRUCTURE_FLAG_EXTENDED |
					 IMAP_BODYSTRUCTURE_FLAG_IMAP4REV2,
				 ctx->pool);
	print_imap("bodystructure.rev2", str);
}

static void dump_fetches(struct dump_ctx *ctx)
{
	static const char *const fields[] = { "FROM", "SUBJECT" };
	struct message_section_range range;
	buffer_t *buf = buffer_create(256, SIZE_MAX);

	dump_range(ctx, "header", NULL, MESSAGE_SECTION_HEADER, false);
	dump_range(ctx, "text", NULL, MESSAGE_SECTION_TEXT, true);
	if (message_section_get_range(ctx->root, NULL, MESSAGE_SECTION_HEADER,
				      0, &range) == 0) {
		message_header_filter(ctx->msg + range.offset, range.size,
				      fields, 2, false, buf);
		print_hex("header.fields", buf->data, buf->used);
	}
	if (message_section_get_range(ctx->root, "1", MESSAGE_SECTION_ALL, 0,
				      &range) == 0) {
		print_hex("partial", ctx->msg + range.offset,
			  range.size < 10 ? range.size : 10);
	}
	buffer_free(&buf);
}

/* The serialized tree must read back to the same structure. */
static int check_serialize(struct dump_ctx *ctx)
{
	buffer_t *blob = buffer_create(256, SIZE_MAX);
	struct message_part *copy, *a, *b;
	const char *error;
	int ret = 0;

	message_part_serialize(ctx->root, blob);
	if (message_part_deserialize(ctx->pool, blob->data, blob->used,
				     ctx->size, &copy, &error) < 0) {
		fprintf(stderr, "deserialize failed: %s\n", error);
		ret = -1;
	}
	for (a = ctx->root, b = copy; ret == 0 && a != NULL;
	     a = message_part_next(a), b = message_part_next(b)) {
		if (b == NULL || a->physical_pos != b->physical_pos ||
		    a->header_size != b->header_size ||
		    a->body_size != b->body_size ||
		    a->body_lines != b->body_lines || a->flags != b->flags ||
		    a->cte != b->cte) {
			fprintf(stderr, "serialized tree differs\n");
			ret = -1;
		}
	}
	printf("serialized\t%zu\n", blob->used);
	buffer_free(&blob);
	return ret;
}

static unsigned char *read_file(const char *path, size_t *size_r)
{
	FILE *file = fopen(path, "rb");
	unsigned char *data;
	long size;

	if (file == NULL) {
		perror(path);
		exit(2);
	}
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	fseek(file, 0, SEEK_SET);
	data = malloc((size_t)size + 1);
	if (fread(data, 1, (size_t)size, file) != (size_t)size) {
		perror(path);
		exit(2);
	}
	fclose(file);
	*size_r = (size_t)size;
	return data;
}

/* SENTBEFORE: the Date field's date, disregarding time and zone (RFC 3501
   §6.4.4). A message without a usable Date is dated by its INTERNALDATE,
   as RFC 5256 does for SORT and THREAD, so one rule holds everywhere. */
static bool search_sentbefore(struct dump_ctx *ctx, const char *value)
{
	struct message_header_field field;
	time_t t = 0;
	int tz = 0;
	long day, before;
	bool dated = false;

	if (message_header_find(ctx->msg, ctx->root->header_size, "Date",
				&field) > 0) {
		char *date = message_header_unfold(ctx->pool, field.value,
						   field.value_len, NULL);

		dated = message_date_parse(date, strlen(date), &t, &tz) == 0;
	}
	if (!dated && message_date_parse_imap(ctx->internaldate, &t, &tz) < 0)
		return false;
	if (message_date_parse_imap_day(value, &before) < 0)
		return false;
	day = message_date_day(t, tz);
	return day < before;
}

static void search_text(struct dump_ctx *ctx, const char *key, string_t *text)
{
	const unsigned char *hdr = ctx->msg;
	size_t hdr_size = ctx->root->header_size;
	struct message_header_field field;

	if (strcmp(key, "SUBJECT") == 0) {
		/* the envelope's subject: the first field */
		if (message_header_find(hdr, hdr_size, "Subject", &field) > 0)
			message_search_header_value(&field, text);
	} else if (strcmp(key, "FROM") == 0) {
		(void)message_search_header(hdr, hdr_size, "From", text);
	} else if (strncmp(key, "HEADER:", 7) == 0) {
		(void)message_search_header(hdr, hdr_size, key + 7, text);
	} else if (strcmp(key, "BODY") == 0) {
		message_search_body_text(ctx->msg, ctx->size, ctx->root, text);
	} else if (strcmp(key, "TEXT") == 0) {
		message_search_header_text(hdr, hdr_size, text);
		message_search_body_text(ctx->msg, ctx->size, ctx->root, text);
	}
}

static void dump_search(struct dump_ctx *ctx, const char *key,
			const char *value)
{
	string_t *text = str_new(1024, SIZE_MAX);
	bool match;

	if (strcmp(key, "SENTBEFORE") == 0) {
		match = search_sentbefore(ctx, value);
	} else {
		search_text(ctx, key, text);
		match = message_search_contains(text->data, text->used, value,
						strlen(value));
	}
	printf("search\t%s %s\t%d\n", key, value, match ? 1 : 0);
	str_free(&text);
}

int main(int argc, char *argv[])
{
	struct dump_ctx ctx;
	struct message_crlf_ctx crlf;
	buffer_t *normalized = buffer_create(4096, SIZE_MAX);
	string_t *str = str_new(1024, SIZE_MAX);
	unsigned char *raw;
	size_t raw_size;
	int ret;

	int argi = 1;
	bool searching = false;

	memset(&ctx, 0, sizeof(ctx));
	ctx.internaldate = "01-Jan-2024 12:00:00 +0000";
	for (; argi + 1 < argc && strncmp(argv[argi], "--", 2) == 0; argi++) {
		if (strcmp(argv[argi], "--internaldate") == 0) {
			ctx.internaldate = argv[++argi];
		} else if (strcmp(argv[argi], "--search") == 0 &&
			   argi + 3 < argc) {
			searching = true;
			argi += 2;
		} else {
			break;
		}
	}
	if (argi + 1 != argc) {
		fprintf(stderr, "usage: mime-dump [--internaldate DATE] "
				"[--search KEY VALUE]... FILE\n");
		return 2;
	}
	raw = read_file(argv[argi], &raw_size);
	message_crlf_init(&crlf);
	message_crlf_convert(&crlf, raw, raw_size, normalized);

	ctx.pool = pool_create("mime-dump", 0);
	ctx.msg = normalized->data;
	ctx.size = normalized->used;
	ctx.root = message_parse(ctx.pool, ctx.msg, ctx.size, NULL);

	if (searching) {
		for (int i = 1; i + 2 < argc; i++) {
			if (strcmp(argv[i], "--search") == 0) {
				dump_search(&ctx, argv[i + 1], argv[i + 2]);
				i += 2;
			}
		}
		ret = 0;
	} else {
		dump_summary(&ctx, str);
		dump_fetches(&ctx);
		dump_sections(&ctx, "");
		ret = check_serialize(&ctx);
	}

	pool_destroy(&ctx.pool);
	str_free(&str);
	buffer_free(&normalized);
	free(raw);
	return ret < 0 ? 1 : 0;
}
