#include "lmtp-quota.h"
#include "config.h"
#include "pool.h"
#include "strfuncs.h"

#include <string.h>

/* storage=N is KiB without a suffix; bytes=N is bytes; a 'b' suffix means
   bytes in both. */
static int lmtp_quota_parse_size(const char *value, bool kib, uint64_t *size_r)
{
	size_t len = strlen(value);

	if (len > 1 && (value[len - 1] == 'b' || value[len - 1] == 'B'))
		return str_n_to_uint64(value, len - 1, size_r);
	if (str_to_uint64(value, size_r) == 0) {
		if (kib && *size_r > UINT64_MAX / 1024)
			return -1;
		*size_r *= kib ? 1024 : 1;
		return 0;
	}
	return config_parse_size(value, size_r);
}

static int lmtp_quota_parse_arg(const char *arg, struct lmtp_quota *quota)
{
	if (str_begins(arg, "storage="))
		return lmtp_quota_parse_size(arg + 8, true, &quota->max_bytes);
	if (str_begins(arg, "bytes="))
		return lmtp_quota_parse_size(arg + 6, false, &quota->max_bytes);
	if (str_begins(arg, "messages="))
		return str_to_uint64(arg + 9, &quota->max_messages);
	if (strcmp(arg, "ignore") == 0 || strcmp(arg, "noenforcing") == 0) {
		quota->max_bytes = quota->max_messages = 0;
		return 0;
	}
	return -1;
}

int lmtp_quota_parse_rule(const char *rule, struct lmtp_quota *quota_r,
			  const char **error_r)
{
	struct pool *pool;
	char **args;
	int ret = 0;

	memset(quota_r, 0, sizeof(*quota_r));
	if (rule == NULL || rule[0] == '\0')
		return 0;
	pool = pool_create("quota rule", 256);
	args = str_split(pool, rule, ": ");
	/* Only the rule for every mailbox ("*") limits a delivery. */
	if (strcmp(args[0], "*") == 0) {
		for (unsigned int i = 1; args[i] != NULL && ret == 0; i++) {
			if (args[i][0] != '\0')
				ret = lmtp_quota_parse_arg(args[i], quota_r);
		}
	}
	pool_destroy(&pool);
	if (ret < 0)
		*error_r = "Invalid quota_rule";
	return ret;
}

bool lmtp_quota_exceeded(const struct lmtp_quota *quota, uint64_t size)
{
	if (quota->max_bytes != 0 && quota->bytes + size > quota->max_bytes)
		return true;
	return quota->max_messages != 0 &&
	       quota->messages + 1 > quota->max_messages;
}
