#include "auth-base64.h"

#include <sodium.h>

void auth_base64_encode(string_t *dest, const void *data, size_t size)
{
	size_t enc_size =
		sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL);
	char *space;

	/* buffer_append_space() keeps room for the NUL sodium writes */
	space = buffer_append_space(dest, enc_size - 1);
	if (space == NULL)
		return;
	sodium_bin2base64(space, enc_size, data, size,
			  sodium_base64_VARIANT_ORIGINAL);
}

static int auth_base64_decode_variant(buffer_t *dest, const char *src,
				      size_t len, int variant)
{
	size_t max = len / 4 * 3 + 3, bin_len;
	const char *end;
	unsigned char *space;

	if (buffer_reserve(dest, max) < 0)
		return -1;
	space = dest->data + dest->used;
	if (sodium_base642bin(space, max, src, len, NULL, &bin_len, &end,
			      variant) != 0 ||
	    end != src + len)
		return -1;
	dest->used += bin_len;
	dest->data[dest->used] = '\0';
	return 0;
}

int auth_base64_decode(buffer_t *dest, const char *src, size_t len)
{
	return auth_base64_decode_variant(dest, src, len,
					  sodium_base64_VARIANT_ORIGINAL);
}

int auth_base64url_decode(buffer_t *dest, const char *src, size_t len)
{
	return auth_base64_decode_variant(
		dest, src, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
