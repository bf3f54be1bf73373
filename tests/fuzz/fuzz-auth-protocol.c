/* The auth-client protocol line parser: tab splitting, unescaping and
   AUTH parameters, checked parse -> write -> parse. */
#include "auth-protocol.h"
#include "log.h"
#include "pool.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const struct auth_request_info *a,
		       const struct auth_request_info *b)
{
#define SAME_STR(f)                                  \
	i_assert((a->f == NULL) == (b->f == NULL) && \
		 (a->f == NULL || strcmp(a->f, b->f) == 0))
	i_assert(a->id == b->id);
	SAME_STR(mech);
	SAME_STR(service);
	SAME_STR(local_ip);
	SAME_STR(remote_ip);
	SAME_STR(session_id);
	SAME_STR(initial_resp);
	i_assert(a->secured == b->secured && a->nologin == b->nologin);
	i_assert(a->remote_port == b->remote_port);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool = pool_create("fuzz", 0);
	char *line = pool_strndup(pool, data, size);
	char **args = auth_split_line(pool, line);
	struct auth_request_info info, again;
	const char *error;

	(void)auth_fields_find(args, "resp");
	(void)auth_mech_flags_parse(args);
	if (auth_request_info_parse(args, &info, &error) == 0) {
		string_t *str = str_new(256, SIZE_MAX);

		auth_request_info_append(str, &info);
		/* values with NULs (\0010) are cut; skip those */
		if (strchr(info.mech, '\t') == NULL &&
		    strncmp(str_c(str), "AUTH\t", 5) == 0) {
			char **args2 = auth_split_line(pool, str_c(str) + 5);

			i_assert(auth_request_info_parse(args2, &again,
							 &error) == 0);
			check_same(&info, &again);
		}
		str_free(&str);
	}
	pool_destroy(&pool);
	return 0;
}
