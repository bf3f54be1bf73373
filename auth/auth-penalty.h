#ifndef POSTERN_AUTH_PENALTY_H
#define POSTERN_AUTH_PENALTY_H

/* Failed-authentication penalties. Each failure counts against the
   remote IP and the user name; the next attempt from that IP or for that
   user waits 2^(n-1) seconds for n failures, capped at max_delay. An IP
   with max_per_minute failures in the current minute is refused until
   the minute ends. A success clears both counters; a record expires an
   hour after its last failure.

   The state is written to a file (under data_dir) so that a restart of
   the auth process does not wipe an attacker's slate. Used only on the
   loop thread. */

#include "str.h"

#include <stdbool.h>
#include <time.h>

/* A record without failures for this long is forgotten. */
#define AUTH_PENALTY_EXPIRE_SECS 3600
/* At most this many records; the oldest is dropped past it. */
#define AUTH_PENALTY_MAX_RECORDS 10000

struct auth_penalty;

/* max_delay_secs 0 disables delays; max_per_minute 0 disables the rate
   limit. */
struct auth_penalty *auth_penalty_create(unsigned int max_delay_secs,
					 unsigned int max_per_minute);
void auth_penalty_free(struct auth_penalty **penalty);

/* Milliseconds to wait before handling an attempt by ip (may be "" or
   NULL) for user (NULL while unknown). */
unsigned int auth_penalty_get_delay_msecs(struct auth_penalty *penalty,
					  const char *ip, const char *user,
					  time_t now);
/* True while ip is over its failures-per-minute limit. */
bool auth_penalty_is_blocked(struct auth_penalty *penalty, const char *ip,
			     time_t now);
void auth_penalty_failure(struct auth_penalty *penalty, const char *ip,
			  const char *user, time_t now);
void auth_penalty_success(struct auth_penalty *penalty, const char *ip,
			  const char *user);

/* True when there were changes since the last auth_penalty_serialize(). */
bool auth_penalty_is_dirty(const struct auth_penalty *penalty);
/* Appends the state file's text and clears the dirty flag. */
void auth_penalty_serialize(struct auth_penalty *penalty, string_t *dest);
/* Loads a state file's text (over nothing); broken lines are skipped and
   expired records dropped. */
void auth_penalty_load(struct auth_penalty *penalty, const char *text,
		       time_t now);

#endif
