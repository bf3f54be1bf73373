#ifndef POSTERN_WORK_POOL_H
#define POSTERN_WORK_POOL_H

/* Threads for work that may block the loop (storage: disk and SQLite),
   with the result handed back to the loop: what uv_queue_work() does, at
   half its cost per round trip, which a mail worker pays for nearly every
   command. libuv's pool signals its one condition variable while holding
   its queue lock and wakes the loop while holding the completion lock, so
   the thread woken first blocks again on the lock the waker still holds;
   its threads share one condition variable, so the thread woken is the
   one idle longest, whose cache is coldest. Here a waker signals after
   unlocking, and the most recently idle thread (its own condition
   variable) takes the work.

   One pool per process, for the loop given to work_pool_init(). While
   work is queued or running the loop stays alive (as with libuv's
   requests). */

#include "macros.h"

#include <uv.h>

struct work_req;
typedef void work_pool_callback_t(struct work_req *req);

/* Embed in the request's owner and find it with CONTAINER_OF(). */
struct work_req {
	/* private */
	struct work_req *next_;
	work_pool_callback_t *work_, *done_;
};

/* Starts n_threads threads working for loop. Call once per process,
   before work_pool_queue(). */
void work_pool_init(uv_loop_t *loop, unsigned int n_threads);
/* Stops the threads once the work they are running ends (queued work that
   has not started is dropped, its done never called) and closes the
   loop-side handle: run the loop once more after this. */
void work_pool_deinit(void);

/* Runs work on a pool thread, then done on the loop thread. Loop thread
   only. req must stay valid until done is called. */
void work_pool_queue(struct work_req *req, work_pool_callback_t *work,
		     work_pool_callback_t *done);

#endif
