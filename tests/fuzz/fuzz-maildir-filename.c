/* maildir file names (anything a program can drop into new/ or cur/), and
   Maildir++ folder directory names: parse, then write back and parse
   again, which must give the same result. */

#include "maildir-private.h"
#include "pool.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_filename(struct pool *pool, const char *name)
{
	struct maildir_filename fn, fn2;
	const char *base, *built;

	if (maildir_filename_parse(name, &fn) < 0)
		return;
	base = pool_strndup(pool, fn.base, fn.base_len);
	built = maildir_filename_build(pool, base, fn.flags, fn.keyword_letters,
				       fn.extra, !fn.has_info);
	if (maildir_filename_parse(built, &fn2) < 0 ||
	    fn2.base_len != fn.base_len || fn2.uid != fn.uid ||
	    fn2.size != fn.size || fn2.vsize != fn.vsize ||
	    (fn.has_info && (fn2.flags != fn.flags ||
			     fn2.keyword_letters != fn.keyword_letters)))
		__builtin_trap();
	(void)maildir_filename_set_uid(pool, base, 42);
}

static void fuzz_folder(struct pool *pool, const char *entry)
{
	struct mail_storage storage = { .root = "/r" };
	const char *name = maildir_dir_to_name(pool, entry);
	const char *dir, *error;

	if (name == NULL)
		return;
	/* a name we accept maps back to a directory inside the root */
	if (mailbox_name_validate(name, &error) < 0)
		__builtin_trap();
	dir = maildir_name_to_dir(&storage, pool, name);
	if (dir != NULL &&
	    (strncmp(dir, "/r/.", 4) != 0 || strchr(dir + 3, '/') != NULL))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool = pool_create("fuzz", 4096);
	char *str = pool_strndup(pool, data, size);

	if (strlen(str) == size) {
		fuzz_filename(pool, str);
		fuzz_folder(pool, str);
	}
	pool_destroy(&pool);
	return 0;
}
