#include "lmtp-transaction.h"
#include "log.h"
#include "pool.h"
#include "xalloc.h"

#include <string.h>

struct lmtp_transaction *lmtp_transaction_create(void)
{
	struct pool *pool = pool_create("lmtp transaction", 2048);
	struct lmtp_transaction *trans =
		p_new(pool, struct lmtp_transaction, 1);

	trans->pool = pool;
	lmtp_dot_decoder_init(&trans->dot);
	return trans;
}

void lmtp_transaction_add_rcpt(struct lmtp_transaction *trans,
			       struct lmtp_recipient *rcpt)
{
	if (trans->rcpts_count == trans->rcpts_alloc) {
		struct lmtp_recipient **rcpts;
		unsigned int alloc = trans->rcpts_alloc * 2 + 4;

		rcpts = p_new(trans->pool, struct lmtp_recipient *, alloc);
		if (trans->rcpts_count > 0)
			memcpy(rcpts, trans->rcpts,
			       sizeof(*rcpts) * trans->rcpts_count);
		trans->rcpts = rcpts;
		trans->rcpts_alloc = alloc;
	}
	trans->rcpts[trans->rcpts_count++] = rcpt;
}

static bool lmtp_transaction_has_storage(struct lmtp_transaction *trans)
{
	for (unsigned int i = 0; i < trans->rcpts_count; i++) {
		if (trans->rcpts[i]->user != NULL ||
		    trans->rcpts[i]->delivery != NULL)
			return true;
	}
	return false;
}

void lmtp_transaction_release_storage(struct lmtp_transaction *trans)
{
	for (unsigned int i = 0; i < trans->rcpts_count; i++) {
		struct lmtp_recipient *rcpt = trans->rcpts[i];

		if (rcpt->delivery != NULL)
			lmtp_delivery_abort(&rcpt->delivery);
		if (rcpt->user != NULL)
			lmtp_delivery_user_unref(&rcpt->user);
	}
}

static void lmtp_transaction_destroy(struct lmtp_transaction *trans)
{
	struct pool *pool = trans->pool;

	buffer_free(&trans->fill);
	buffer_free(&trans->flush);
	pool_destroy(&pool);
}

static void lmtp_transaction_free_work_cb(uv_work_t *work)
{
	struct lmtp_transaction *trans =
		CONTAINER_OF(work, struct lmtp_transaction, free_work);

	lmtp_transaction_release_storage(trans);
}

static void lmtp_transaction_free_done(uv_work_t *work, int status)
{
	struct lmtp_transaction *trans =
		CONTAINER_OF(work, struct lmtp_transaction, free_work);

	lmtp_transaction_destroy(trans);
}

void lmtp_transaction_free(uv_loop_t *loop, struct lmtp_transaction **_trans)
{
	struct lmtp_transaction *trans = *_trans;

	*_trans = NULL;
	if (trans == NULL)
		return;
	if (trans->flushing) {
		trans->orphaned = true;
		return;
	}
	if (!lmtp_transaction_has_storage(trans)) {
		lmtp_transaction_destroy(trans);
		return;
	}
	if (uv_queue_work(loop, &trans->free_work,
			  lmtp_transaction_free_work_cb,
			  lmtp_transaction_free_done) != 0)
		panic("uv_queue_work() failed");
}
