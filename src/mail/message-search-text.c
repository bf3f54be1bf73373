#include "message-search-text.h"
#include "xalloc.h"
#include "charset.h"
#include "message-decode.h"
#include "message-header.h"
#include "rfc2047.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

void message_search_header_value(const struct message_header_field *field,
				 string_t *dest)
{
	(void)rfc2047_decode(field->value, field->value_len, dest);
}

unsigned int message_search_header(const void *header, size_t size,
				   const char *name, string_t *dest)
{
	struct message_header_iter iter;
	struct message_header_field field;
	unsigned int count = 0;

	message_header_iter_init(&iter, header, size);
	while (message_header_iter_next(&iter, &field) > 0) {
		if (!message_header_field_is(&field, name))
			continue;
		message_search_header_value(&field, dest);
		str_append_c(dest, '\n');
		count++;
	}
	return count;
}

void message_search_header_text(const void *header, size_t size, string_t *dest)
{
	struct message_header_iter iter;
	struct message_header_field field;

	message_header_iter_init(&iter, header, size);
	while (message_header_iter_next(&iter, &field) > 0) {
		(void)charset_utf8_sanitize(field.name, field.name_len, dest);
		if (!field.no_colon)
			str_append(dest, ": ");
		message_search_header_value(&field, dest);
		str_append_c(dest, '\n');
	}
}

/* The decoded text of one text part. */
static void search_text_part(const unsigned char *msg,
			     const struct message_part *part, string_t *dest)
{
	struct message_decode_result result;
	buffer_t *decoded = buffer_create(part->body_size + 1, SIZE_MAX);

	if (message_decode(part->cte, msg + message_part_body_pos(part),
			   part->body_size, decoded, &result) < 0) {
		/* unknown encoding: search what is there */
		buffer_append(decoded, msg + message_part_body_pos(part),
			      part->body_size);
	}
	if (charset_convert_to_utf8(message_part_data_charset(part->data),
				    decoded->data, decoded->used, dest) < 0)
		(void)charset_utf8_sanitize(decoded->data, decoded->used, dest);
	str_append_c(dest, '\n');
	buffer_free(&decoded);
}

void message_search_body_text(const void *msg, size_t size,
			      const struct message_part *root, string_t *dest)
{
	const unsigned char *data = msg;

	for (const struct message_part *part = root; part != NULL;
	     part = message_part_next((struct message_part *)part)) {
		if (part->data == NULL ||
		    message_part_end_pos(part) > (uint64_t)size)
			return;
		if (part->parent != NULL &&
		    (part->parent->flags & MESSAGE_PART_FLAG_MESSAGE) != 0) {
			/* an encapsulated message's header is body text */
			message_search_header_text(data + part->physical_pos,
						   part->header_size, dest);
		}
		if (part->children == NULL &&
		    message_part_data_is_type(part->data, "text", NULL))
			search_text_part(data, part, dest);
	}
}

/* Runs an ICU string transformation, growing the output as needed. */
typedef int32_t search_ufunc_t(UChar *dest, int32_t dest_cap, const UChar *src,
			       int32_t src_len, UErrorCode *err);

static UChar *search_transform(search_ufunc_t *func, const UChar *src,
			       int32_t src_len, int32_t *len_r)
{
	int32_t cap = src_len + 16;
	UChar *dest = xreallocarray(NULL, (size_t)cap, sizeof(UChar));
	UErrorCode err = U_ZERO_ERROR;
	int32_t len = func(dest, cap, src, src_len, &err);

	if (err == U_BUFFER_OVERFLOW_ERROR) {
		cap = len + 1;
		dest = xreallocarray(dest, (size_t)cap, sizeof(UChar));
		err = U_ZERO_ERROR;
		len = func(dest, cap, src, src_len, &err);
	}
	if (U_FAILURE(err)) {
		free(dest);
		return NULL;
	}
	*len_r = len;
	return dest;
}

static int32_t search_fold(UChar *dest, int32_t cap, const UChar *src,
			   int32_t len, UErrorCode *err)
{
	return u_strFoldCase(dest, cap, src, len, U_FOLD_CASE_DEFAULT, err);
}

static int32_t search_nfkd(UChar *dest, int32_t cap, const UChar *src,
			   int32_t len, UErrorCode *err)
{
	const UNormalizer2 *nfkd = unorm2_getNFKDInstance(err);

	if (U_FAILURE(*err))
		return 0;
	return unorm2_normalize(nfkd, src, len, dest, cap, err);
}

static UChar *search_utf8_to_utf16(const void *text, size_t size,
				   int32_t *len_r)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t len = 0;
	UChar *dest;

	if (size > INT32_MAX / 2)
		return NULL;
	u_strFromUTF8WithSub(NULL, 0, &len, text, (int32_t)size, 0xfffd, NULL,
			     &err);
	dest = malloc(sizeof(UChar) * (size_t)(len + 1));
	err = U_ZERO_ERROR;
	u_strFromUTF8WithSub(dest, len + 1, len_r, text, (int32_t)size, 0xfffd,
			     NULL, &err);
	if (U_FAILURE(err)) {
		free(dest);
		return NULL;
	}
	return dest;
}

static int search_utf16_to_utf8(const UChar *src, int32_t len, string_t *dest)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t out_len = 0;
	char *out;

	u_strToUTF8WithSub(NULL, 0, &out_len, src, len, 0xfffd, NULL, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		return -1;
	out = buffer_append_space(dest, (size_t)out_len);
	if (out == NULL)
		return -1;
	err = U_ZERO_ERROR;
	u_strToUTF8WithSub(out, out_len + 1, NULL, src, len, 0xfffd, NULL,
			   &err);
	return U_FAILURE(err) ? -1 : 0;
}

int message_search_normalize(const void *text, size_t size, string_t *dest)
{
	int32_t len, folded_len, norm_len;
	UChar *utf16, *folded, *norm = NULL;
	int ret = -1;

	utf16 = search_utf8_to_utf16(text, size, &len);
	if (utf16 == NULL)
		return -1;
	folded = search_transform(search_fold, utf16, len, &folded_len);
	if (folded != NULL)
		norm = search_transform(search_nfkd, folded, folded_len,
					&norm_len);
	if (norm != NULL)
		ret = search_utf16_to_utf8(norm, norm_len, dest);
	free(utf16);
	free(folded);
	free(norm);
	return ret;
}

bool message_search_contains(const void *haystack, size_t haystack_size,
			     const void *needle, size_t needle_size)
{
	string_t *hay = str_new(haystack_size + 16, SIZE_MAX);
	string_t *key = str_new(needle_size + 16, SIZE_MAX);
	bool found = false;

	if (message_search_normalize(haystack, haystack_size, hay) == 0 &&
	    message_search_normalize(needle, needle_size, key) == 0) {
		found = key->used == 0 || memmem(hay->data, hay->used,
						 key->data, key->used) != NULL;
	}
	str_free(&hay);
	str_free(&key);
	return found;
}
