#ifndef POSTERN_AUTH_H
#define POSTERN_AUTH_H

/* The auth service's shared state: settings, the opened passdb, userdb
   and master passdb, the offered mechanisms, the success cache, the
   failure penalties and the delay queue. One per auth process; unit
   tests and posternctl make one without a loop, and then every lookup
   runs synchronously in the caller. */

#include "auth-settings.h"

#include <stdbool.h>
#include <uv.h>

struct auth_db;
struct auth_cache;
struct auth_penalty;
struct auth_jwt_keys;
struct auth_request;
struct sasl_mech;

struct auth {
	/* NULL: run lookups synchronously (tests, tools) */
	uv_loop_t *loop;
	const struct auth_settings *set;
	char *data_dir;
	struct auth_db *passdb, *userdb, *master_passdb;
	struct auth_cache *cache;
	struct auth_penalty *penalty;
	struct auth_jwt_keys *oauth_keys;
	const struct sasl_mech **mechs;
	unsigned int n_mechs;

	/* requests waiting for a penalty or failure delay, by due time */
	struct auth_delay *delays;
	unsigned int n_delays, delays_alloc;
	uv_timer_t delay_timer;
	uv_timer_t penalty_save_timer;
	bool penalty_saving;
	/* thread pool jobs in flight */
	unsigned int n_work;
	bool deinitializing;
};

/* Opens the databases named in set (relative paths under data_dir) and
   loads the penalty state. Returns 0, or -1 with *error_r. */
int auth_init(struct auth **auth_r, uv_loop_t *loop,
	      const struct auth_settings *set, const char *data_dir,
	      const char **error_r);
/* Closes handles (the loop must run once more to finish closing) and
   writes the penalty state. */
void auth_deinit(struct auth **auth);

/* The mechanism of that name if it is offered, else NULL. */
const struct sasl_mech *auth_find_mech(const struct auth *auth,
				       const char *name);
/* Path of a setting relative to data_dir, from pool. */
const char *auth_path(struct pool *pool, const char *data_dir,
		      const char *path);

/* Runs callback for request after msecs on the loop (at once without a
   loop). auth_request_free() removes a pending delay. */
void auth_delay_add(struct auth *auth, struct auth_request *request,
		    unsigned int msecs,
		    void (*callback)(struct auth_request *request));
void auth_delay_remove(struct auth *auth, struct auth_request *request);

/* For the embedded default's demo user: adds name with password (hashed
   with set->password_scheme) to set->passdb unless the user exists.
   Returns 1 added, 0 existed already, -1 with *error_r. Blocking: call
   it before starting loops. */
int auth_ensure_user(const struct auth_settings *set, const char *data_dir,
		     const char *name, const char *password,
		     const char **error_r);

/* Records a failure or success for the penalty state and schedules the
   state file's write. */
void auth_penalty_note(struct auth *auth, const char *ip, const char *user,
		       bool success);

#endif
