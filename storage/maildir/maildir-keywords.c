/* dovecot-keywords: the names of the keyword letters a..z of a folder's
   file names, one "<index> <name>" line each (0 = a). Replaced with
   rename, never edited in place; we write it under the mailbox lock. */

#include "maildir-private.h"
#include "pool.h"
#include "storage-file.h"
#include "storage-private.h"
#include "str.h"
#include "strfuncs.h"

#include <string.h>

#define MAILDIR_KEYWORDS_MAX_SIZE (64 * 1024)

unsigned int maildir_keywords_parse(const char *data, size_t size,
				    struct pool *pool, const char **names)
{
	const char *p = data, *end = data + size;
	unsigned int count = 0;

	for (unsigned int i = 0; i < MAILDIR_MAX_KEYWORD_LETTERS; i++)
		names[i] = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = nl != NULL ? nl : end;
		const char *space = memchr(p, ' ', (size_t)(line_end - p));
		uint64_t idx;

		if (space != NULL &&
		    str_n_to_uint64(p, (size_t)(space - p), &idx) == 0 &&
		    idx < MAILDIR_MAX_KEYWORD_LETTERS && space + 1 < line_end) {
			const char *name =
				pool_strndup(pool, space + 1,
					     (size_t)(line_end - space - 1));

			if (mail_keyword_validate(name) == 0) {
				names[idx] = name;
				if (idx + 1 > count)
					count = (unsigned int)idx + 1;
			}
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return count;
}

int maildir_keywords_read(struct mail_storage *storage, const char *name,
			  struct pool *pool, const char ***names_r,
			  unsigned int *count_r)
{
	const char *dir = maildir_name_to_dir(storage, pool, name);
	const char **names =
		p_new(pool, const char *, MAILDIR_MAX_KEYWORD_LETTERS + 1);
	const char *error;
	char *data;
	size_t size;
	int ret;

	*names_r = names;
	*count_r = 0;
	if (dir == NULL)
		return 0;
	ret = storage_file_read(
		pool_printf(pool, "%s/%s", dir, MAILDIR_DOVECOT_KEYWORDS), pool,
		MAILDIR_KEYWORDS_MAX_SIZE, &data, &size, &error);
	if (ret < 0) {
		storage_set_critical(storage, "maildir: %s", error);
		return -1;
	}
	if (ret > 0)
		*count_r = maildir_keywords_parse(data, size, pool, names);
	return 0;
}

int maildir_keywords_write(struct backend_mailbox *box,
			   const char *const *names, unsigned int count)
{
	struct maildir_mailbox *mbox = maildir_mailbox(box);
	string_t *str = str_new(256, SIZE_MAX);
	char path[4096];
	const char *error;
	int ret = 0;

	if (count > MAILDIR_MAX_KEYWORD_LETTERS)
		count = MAILDIR_MAX_KEYWORD_LETTERS;
	for (unsigned int i = 0; i < count; i++) {
		if (names[i] != NULL)
			str_printfa(str, "%u %s\n", i, names[i]);
	}
	snprintf(path, sizeof(path), "%s/%s", mbox->dir,
		 MAILDIR_DOVECOT_KEYWORDS);
	if (storage_file_write_atomic(path, str_c(str), str_len(str),
				      box->storage->fsync, &error) < 0) {
		backend_set_critical(box, "%s", error);
		ret = -1;
	}
	str_free(&str);
	return ret;
}
