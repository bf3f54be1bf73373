#ifndef POSTERN_LMTP_TRANSACTION_H
#define POSTERN_LMTP_TRANSACTION_H

/* One mail transaction of an LMTP session, from MAIL FROM to the replies
   after the message (or RSET): the envelope, the accepted recipients with
   their open storage, and the message as it streams in. Everything hangs
   off the transaction's pool. Freeing it may have to close storage (a
   blocking call), which then happens on the thread pool. */

#include "buffer.h"
#include "lmtp-delivery.h"
#include "lmtp-dot.h"
#include "lmtp-esc.h"
#include "lmtp-parse.h"
#include "lmtp-quota.h"

#include <time.h>
#include <uv.h>

struct lmtp_client;

struct lmtp_recipient {
	struct lmtp_transaction *trans;
	struct lmtp_address address;
	/* The address as given (Delivered-To, Received, replies, logs) */
	const char *address_str;
	/* The user as the auth service normalized it, and its fields */
	const char *username;
	char **fields;
	/* The folder of a +detail that exists, else NULL (INBOX) */
	const char *mailbox;
	const char *detail;
	struct lmtp_quota quota;
	/* The trace headers of this recipient's copy */
	const char *header;
	size_t header_size;
	struct mail_user *user;
	struct lmtp_delivery *delivery;
	/* The reply after the message */
	unsigned int reply_code;
	enum lmtp_esc reply_esc;
	const char *reply_text;
	struct lmtp_delivery_result result;
	uv_work_t work;
};

struct lmtp_transaction {
	struct pool *pool;
	struct lmtp_address from;
	const char *from_str;
	struct lmtp_mail_params params;
	/* Accepted recipients, in RCPT order */
	struct lmtp_recipient **rcpts;
	unsigned int rcpts_count, rcpts_alloc;
	/* RCPT commands seen (accepted or not), for max_recipients */
	unsigned int rcpt_commands;

	/* The message: decoded bytes gather in fill; flush is being written
	   by a job meanwhile. */
	buffer_t *fill, *flush;
	struct lmtp_dot_decoder dot;
	uint64_t size;
	time_t received;
	/* Headers and saves are begun (by the first write job). */
	bool deliveries_begun;
	/* The message passed max_message_size: the rest is discarded. */
	bool too_big;
	/* BDAT was used (DATA is then a bad sequence). */
	bool chunking;
	/* A BDAT failed: every later BDAT gets 503 until RSET. */
	bool chunking_failed;
	/* The end of the message was read. */
	bool data_end;

	/* The job writing flush; it ends the message when final */
	uv_work_t flush_work;
	bool flush_final;
	/* The job runs (at most one at a time). */
	bool flushing;
	/* The session let go of the transaction while the job ran: the
	   job's end frees it. */
	bool orphaned;

	/* Cleanup on the thread pool */
	uv_work_t free_work;
	unsigned int pending_commits;
};

/* A new transaction after MAIL FROM. */
struct lmtp_transaction *lmtp_transaction_create(void);
/* Adds an accepted recipient. */
void lmtp_transaction_add_rcpt(struct lmtp_transaction *trans,
			       struct lmtp_recipient *rcpt);
/* Frees the transaction: aborts unfinished deliveries and closes the
   recipients' storage, on the thread pool of loop if there is any to
   close. While a write job runs, the transaction is only marked orphaned
   and the job's end frees it. NULLs *trans. */
void lmtp_transaction_free(uv_loop_t *loop, struct lmtp_transaction **trans);
/* The blocking part of the above, for a caller already on the thread
   pool: aborts deliveries and drops the users. */
void lmtp_transaction_release_storage(struct lmtp_transaction *trans);

#endif
