/* Change notification in one process: a commit on another thread wakes
   the loop's watchers at once; watchers share one watch; a callback may
   remove watches; the loop ends with no handle left. */

#include "test-common.h"
#include "test-storage-util.h"

#include <pthread.h>
#include <time.h>

struct watch_test {
	struct test_env env;
	uv_loop_t loop;
	uv_timer_t timeout;
	struct mailbox_watch *watches[3];
	unsigned int calls[3];
	struct timespec committed, woken;
	bool remove_in_callback;
};

static struct watch_test *wt_global;

static void watch_cb(void *context)
{
	struct watch_test *wt = wt_global;
	unsigned int idx = (unsigned int)(uintptr_t)context;

	if (wt->calls[0] + wt->calls[1] + wt->calls[2] == 0)
		clock_gettime(CLOCK_MONOTONIC, &wt->woken);
	wt->calls[idx]++;
	if (wt->remove_in_callback && idx == 1) {
		/* removing itself and a neighbour from inside a callback */
		mail_user_unwatch_mailbox(&wt->watches[1]);
		mail_user_unwatch_mailbox(&wt->watches[2]);
	}
	if (idx == 0)
		uv_stop(&wt->loop);
}

static void *commit_thread(void *arg)
{
	struct watch_test *wt = arg;

	usleep(50 * 1000);
	test_save(&wt->env, "INBOX", "Subject: x\n\nbody\n", 0, NULL);
	clock_gettime(CLOCK_MONOTONIC, &wt->committed);
	return NULL;
}

static void timeout_cb(uv_timer_t *timer)
{
	uv_stop(timer->loop);
}

static double elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1000.0 +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void run_commit(struct watch_test *wt)
{
	pthread_t thread;

	uv_timer_start(&wt->timeout, timeout_cb, 2000, 0);
	pthread_create(&thread, NULL, commit_thread, wt);
	uv_run(&wt->loop, UV_RUN_DEFAULT);
	pthread_join(thread, NULL);
	uv_timer_stop(&wt->timeout);
}

static void test_same_process_wakeup(void **state)
{
	struct watch_test wt;

	memset(&wt, 0, sizeof(wt));
	wt_global = &wt;
	test_env_init(&wt.env);
	uv_loop_init(&wt.loop);
	uv_timer_init(&wt.loop, &wt.timeout);
	for (unsigned int i = 0; i < 3; i++)
		wt.watches[i] =
			mail_user_watch_mailbox(&wt.loop, wt.env.user, "INBOX",
						watch_cb, (void *)(uintptr_t)i);
	run_commit(&wt);
	assert_true(wt.calls[0] > 0 && wt.calls[1] > 0 && wt.calls[2] > 0);
	/* "at once": well under the 1 s cross-process bound */
	assert_true(elapsed_ms(&wt.committed, &wt.woken) < 200.0);

	wt.remove_in_callback = true;
	memset(wt.calls, 0, sizeof(wt.calls));
	run_commit(&wt);
	assert_null(wt.watches[1]);
	assert_null(wt.watches[2]);
	mail_user_unwatch_mailbox(&wt.watches[0]);
	uv_close((uv_handle_t *)&wt.timeout, NULL);
	mail_user_watch_deinit(&wt.loop);
	uv_run(&wt.loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&wt.loop), 0);
	test_env_deinit(&wt.env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_process_wakeup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
