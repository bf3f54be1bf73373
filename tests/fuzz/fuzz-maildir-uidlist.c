/* Dovecot's dovecot-uidlist (versions 1 and 3) and Courier's
   courierimapuiddb: files other servers left in a maildir we import. */

#include "maildir-private.h"
#include "pool.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool = pool_create("fuzz", 4096);
	struct maildir_uidlist list;
	const char *error;

	if (maildir_uidlist_parse((const char *)data, size, pool, &list,
				  &error) == 0) {
		for (unsigned int i = 0; i < list.count; i++) {
			const struct maildir_uidlist_rec *rec = &list.recs[i];

			/* every record has a UID and a base without ":2," */
			if (rec->uid == 0 || rec->base == NULL ||
			    strstr(rec->base, ":2,") != NULL)
				__builtin_trap();
		}
	}
	pool_destroy(&pool);
	return 0;
}
