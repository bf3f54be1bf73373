#include "work-pool.h"
#include "log.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct work_thread {
	pthread_t thread;
	pthread_cond_t cond;
	struct work_thread *next_idle;
	/* taken off the idle stack by a waker: there is work */
	bool wake;
};

static struct {
	uv_loop_t *loop;
	uv_async_t async;
	struct work_thread *threads;
	unsigned int n_threads;
	/* loop thread only: queued, running or done but not delivered */
	unsigned int pending;

	/* the queue, the idle stack and stopping */
	pthread_mutex_t lock;
	struct work_req *head, **tail;
	struct work_thread *idle;
	bool stopping;

	/* finished work for the loop, in order */
	pthread_mutex_t done_lock;
	struct work_req *done_head, **done_tail;
} work_pool;

static void work_pool_finished(struct work_req *req)
{
	bool send;

	req->next_ = NULL;
	pthread_mutex_lock(&work_pool.done_lock);
	/* a non-empty list has a wake-up on its way already */
	send = work_pool.done_head == NULL;
	*work_pool.done_tail = req;
	work_pool.done_tail = &req->next_;
	pthread_mutex_unlock(&work_pool.done_lock);
	if (send)
		uv_async_send(&work_pool.async);
}

static void *work_pool_thread(void *context)
{
	struct work_thread *self = context;
	struct work_req *req;

	pthread_mutex_lock(&work_pool.lock);
	while (!work_pool.stopping) {
		if (work_pool.head == NULL) {
			self->next_idle = work_pool.idle;
			work_pool.idle = self;
			self->wake = false;
			while (!self->wake && !work_pool.stopping)
				pthread_cond_wait(&self->cond, &work_pool.lock);
			continue;
		}
		req = work_pool.head;
		work_pool.head = req->next_;
		if (work_pool.head == NULL)
			work_pool.tail = &work_pool.head;
		pthread_mutex_unlock(&work_pool.lock);
		req->work_(req);
		work_pool_finished(req);
		pthread_mutex_lock(&work_pool.lock);
	}
	pthread_mutex_unlock(&work_pool.lock);
	return NULL;
}

static void work_pool_async_cb(uv_async_t *async)
{
	struct work_req *req, *next;

	pthread_mutex_lock(&work_pool.done_lock);
	req = work_pool.done_head;
	work_pool.done_head = NULL;
	work_pool.done_tail = &work_pool.done_head;
	pthread_mutex_unlock(&work_pool.done_lock);
	for (; req != NULL; req = next) {
		next = req->next_;
		i_assert(work_pool.pending > 0);
		if (--work_pool.pending == 0)
			uv_unref((uv_handle_t *)&work_pool.async);
		req->done_(req);
	}
}

void work_pool_queue(struct work_req *req, work_pool_callback_t *work,
		     work_pool_callback_t *done)
{
	struct work_thread *thread;

	i_assert(work_pool.loop != NULL);
	req->work_ = work;
	req->done_ = done;
	req->next_ = NULL;
	if (work_pool.pending++ == 0)
		uv_ref((uv_handle_t *)&work_pool.async);
	pthread_mutex_lock(&work_pool.lock);
	*work_pool.tail = req;
	work_pool.tail = &req->next_;
	/* the most recently idle thread: its cache is the warmest */
	thread = work_pool.idle;
	if (thread != NULL) {
		work_pool.idle = thread->next_idle;
		thread->wake = true;
	}
	pthread_mutex_unlock(&work_pool.lock);
	/* after unlocking: the woken thread doesn't block on our lock */
	if (thread != NULL)
		pthread_cond_signal(&thread->cond);
}

void work_pool_init(uv_loop_t *loop, unsigned int n_threads)
{
	i_assert(work_pool.loop == NULL && n_threads > 0);
	memset(&work_pool, 0, sizeof(work_pool));
	work_pool.loop = loop;
	work_pool.tail = &work_pool.head;
	work_pool.done_tail = &work_pool.done_head;
	pthread_mutex_init(&work_pool.lock, NULL);
	pthread_mutex_init(&work_pool.done_lock, NULL);
	if (uv_async_init(loop, &work_pool.async, work_pool_async_cb) < 0)
		panic("uv_async_init() failed");
	uv_unref((uv_handle_t *)&work_pool.async);
	work_pool.threads = xnew(struct work_thread, n_threads);
	work_pool.n_threads = n_threads;
	for (unsigned int i = 0; i < n_threads; i++) {
		struct work_thread *thread = &work_pool.threads[i];

		pthread_cond_init(&thread->cond, NULL);
		if (pthread_create(&thread->thread, NULL, work_pool_thread,
				   thread) != 0)
			panic("pthread_create() failed: %m");
	}
}

void work_pool_deinit(void)
{
	if (work_pool.loop == NULL)
		return;
	pthread_mutex_lock(&work_pool.lock);
	work_pool.stopping = true;
	pthread_mutex_unlock(&work_pool.lock);
	for (unsigned int i = 0; i < work_pool.n_threads; i++)
		pthread_cond_signal(&work_pool.threads[i].cond);
	for (unsigned int i = 0; i < work_pool.n_threads; i++) {
		pthread_join(work_pool.threads[i].thread, NULL);
		pthread_cond_destroy(&work_pool.threads[i].cond);
	}
	free(work_pool.threads);
	uv_close((uv_handle_t *)&work_pool.async, NULL);
	pthread_mutex_destroy(&work_pool.lock);
	pthread_mutex_destroy(&work_pool.done_lock);
	work_pool.loop = NULL;
}
