#include "imap-mailbox-name.h"
#include "imap-client.h"
#include "imap-quote.h"
#include "imap-utf7.h"
#include "pool.h"
#include "strfuncs.h"

#include <string.h>

static bool imap_utf8_is_valid(const char *str)
{
	const unsigned char *p = (const unsigned char *)str;

	while (*p != '\0') {
		unsigned int len = *p < 0x80             ? 1
				   : (*p & 0xe0) == 0xc0 ? 2
				   : (*p & 0xf0) == 0xe0 ? 3
				   : (*p & 0xf8) == 0xf0 ? 4
							 : 0;

		if (len == 0 || (len == 2 && *p < 0xc2))
			return false;
		for (unsigned int i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
		}
		p += len;
	}
	return true;
}

int imap_mailbox_name_from_client(struct imap_client *client, struct pool *pool,
				  const char *name, const char **storage_name_r,
				  const char **error_r)
{
	string_t *utf8;

	if (str_eq_icase(name, "INBOX")) {
		*storage_name_r = "INBOX";
		return 0;
	}
	if (imap_client_utf8(client)) {
		if (!imap_utf8_is_valid(name)) {
			*error_r = "Mailbox name is not valid UTF-8.";
			return -1;
		}
		*storage_name_r = name;
		return 0;
	}
	utf8 = str_new(strlen(name) * 2 + 1, SIZE_MAX);
	if (imap_utf7_to_utf8(name, utf8) < 0) {
		str_free(&utf8);
		*error_r = "Mailbox name is not valid mUTF-7.";
		return -1;
	}
	*storage_name_r = pool_strdup(pool, str_c(utf8));
	str_free(&utf8);
	/* "inbox/foo" names INBOX's child */
	if (str_begins_icase(*storage_name_r, "INBOX/"))
		memcpy((char *)*storage_name_r, "INBOX", 5);
	return 0;
}

void imap_mailbox_name_write(struct imap_client *client, string_t *dest,
			     const char *storage_name)
{
	string_t *utf7;

	if (imap_client_utf8(client)) {
		imap_append_astring(dest, storage_name, IMAP_QUOTE_FLAG_UTF8);
		return;
	}
	utf7 = str_new(strlen(storage_name) * 3 + 8, SIZE_MAX);
	if (imap_utf8_to_utf7(storage_name, utf7) < 0)
		i_unreached(); /* storage names are valid UTF-8 */
	imap_append_astring(dest, str_c(utf7), 0);
	str_free(&utf7);
}
