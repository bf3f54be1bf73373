#ifndef POSTERN_LMTP_QUOTA_H
#define POSTERN_LMTP_QUOTA_H

/* The quota check of a delivery: the userdb's quota_rule field in
   Dovecot's form ("*:storage=1G", "*:bytes=1048576:messages=1000"; storage
   counts KiB unless it has a suffix b/k/M/G/T), against what the user's
   mailboxes hold. Storage keeps no quota of its own yet, so the usage is
   summed over the mailboxes' STATUS SIZE/MESSAGES, and only for users that
   have a rule. */

#include <stdbool.h>
#include <stdint.h>

struct lmtp_quota {
	uint64_t max_bytes;    /* 0 = no limit */
	uint64_t max_messages; /* 0 = no limit */
	uint64_t bytes;
	uint64_t messages;
};

/* Parses rule into the limits of *quota_r (usage zeroed). A NULL or empty
   rule, or "*:ignore", gives no limits. Returns 0, or -1 if the rule is
   malformed (*error_r). */
int lmtp_quota_parse_rule(const char *rule, struct lmtp_quota *quota_r,
			  const char **error_r);
static inline bool lmtp_quota_has_limits(const struct lmtp_quota *quota)
{
	return quota->max_bytes != 0 || quota->max_messages != 0;
}
/* Whether one more message of size bytes would go over a limit. */
bool lmtp_quota_exceeded(const struct lmtp_quota *quota, uint64_t size);

#endif
