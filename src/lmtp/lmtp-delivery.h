#ifndef POSTERN_LMTP_DELIVERY_H
#define POSTERN_LMTP_DELIVERY_H

/* Saving one message for one recipient through the storage API, shared by
   the LMTP server and postern-deliver. This is LMTP's only door to
   storage: nothing else in src/lmtp calls storage.h's functions.
   Blocking: LMTP runs these in thread-pool jobs, one job at a time per
   delivery.

     d = lmtp_delivery_begin(&params);        prepended headers go first
     lmtp_delivery_write(d, chunk, size);     as the message streams in
     lmtp_delivery_commit(&d, &result);       durable when it returns 0

   A delivery remembers its first failure; later writes do nothing and the
   commit reports it, so a caller feeding many recipients does not check
   each write. */

/* lib headers first: their MIN/MAX win over <sys/param.h>'s (via uv.h) */
#include "config.h"
#include "lmtp-quota.h"
#include "postern/storage.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct log_ctx;
struct lmtp_delivery;

/* Opens the storage of a user found by the userdb: fields are its
   "key=value" fields (home=, mail=), NULL-terminated, or NULL. set NULL
   means storage's defaults (no [storage] section wired yet). Returns 0,
   or -1 with *error_r for the log. */
int lmtp_delivery_user_open(const char *username, char *const *fields,
			    const struct storage_settings *set,
			    struct mail_user **user_r, const char **error_r);

/* Another reference (thread-safe). */
void lmtp_delivery_user_ref(struct mail_user *user);
/* Drops the reference of lmtp_delivery_user_open(). */
void lmtp_delivery_user_unref(struct mail_user **user);
/* mail_error_name(), for logs. */
const char *lmtp_delivery_error_name(enum mail_error error);
/* Fills quota's usage from the user's mailboxes. Returns 0, or -1 with
   *error_r. */
int lmtp_delivery_quota_usage(struct mail_user *user, struct lmtp_quota *quota,
			      const char **error_r);

/* Returns 1 if mailbox name exists for the user, 0 if not or if the name
   is not valid, -1 on error (*error_r). */
int lmtp_delivery_mailbox_exists(struct mail_user *user, const char *name,
				 const char **error_r);

struct lmtp_delivery_params {
	struct mail_user *user;
	/* NULL for INBOX. A folder that doesn't exist (any more) means
	   INBOX. */
	const char *mailbox;
	/* Written before the message (the trace headers), CRLF lines. */
	const void *header;
	size_t header_size;
	/* Expected size of the message, 0 if unknown. */
	uint64_t size_hint;
	/* Names the session in storage's log lines; outlives the delivery. */
	const struct log_ctx *log_ctx;
};

/* Starts saving. Never NULL; a failure shows at commit. */
struct lmtp_delivery *
lmtp_delivery_begin(const struct lmtp_delivery_params *params);
/* Appends message bytes (any line endings: storage writes CRLF). */
void lmtp_delivery_write(struct lmtp_delivery *delivery, const void *data,
			 size_t size);
/* Fails the delivery with code and a text for the reply (quota, size). */
void lmtp_delivery_fail(struct lmtp_delivery *delivery, enum mail_error code,
			const char *text);

struct lmtp_delivery_result {
	enum mail_error error; /* MAIL_ERROR_NONE on success */
	/* The storage's text for the client (no paths), "" on success. */
	char error_text[256];
	/* Where it went and its UID. */
	char mailbox[MAILBOX_NAME_MAX_LENGTH + 1];
	uint32_t uid;
	uint64_t size;
};

/* Finishes the message and commits: returns 0 once the message and its
   index row are on disk, or -1 with result_r->error (nothing is then
   visible). Frees *delivery either way. */
int lmtp_delivery_commit(struct lmtp_delivery **delivery,
			 struct lmtp_delivery_result *result_r);
/* Drops the message (nothing becomes visible). Frees *delivery. */
void lmtp_delivery_abort(struct lmtp_delivery **delivery);

#endif
