#ifndef POSTERN_LMTP_USER_CACHE_H
#define POSTERN_LMTP_USER_CACHE_H

/* Keeps the storage of recent recipients open for a while. Storage closes
   a user's index when its last reference goes, and closing a SQLite
   database in WAL mode checkpoints it (several fsyncs), so a relay that
   delivers to the same users again and again would pay an open and a
   checkpoint per message. The cache holds one reference per recent user
   and drops it after LMTP_USER_CACHE_IDLE_SECS without deliveries (or
   when more than LMTP_USER_CACHE_MAX users are held), on the thread pool.
   Loop thread only. */

#include "macros.h"

#include <uv.h>

struct mail_user;

#define LMTP_USER_CACHE_IDLE_SECS 30
#define LMTP_USER_CACHE_MAX 1000

void lmtp_user_cache_init(uv_loop_t *loop);
/* Takes a reference on user (opened by lmtp_delivery_user_open()) if it
   isn't cached yet, and marks it used now. */
void lmtp_user_cache_keep(struct mail_user *user);
/* Drops every cached user now (blocking: at process exit). */
void lmtp_user_cache_deinit(void);

#endif
