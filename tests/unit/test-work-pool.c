#include "test-common.h"

#include "macros.h"
#include "work-pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#define TEST_JOBS 200

struct test_job {
	struct work_req req;
	unsigned int n;
	pthread_t work_thread;
	bool done;
};

static struct test_job test_jobs[TEST_JOBS];
static unsigned int test_done_count, test_requeued;
static pthread_t test_loop_thread;

static void test_work(struct work_req *req)
{
	struct test_job *job = CONTAINER_OF(req, struct test_job, req);

	job->work_thread = pthread_self();
	if (job->n % 17 == 0)
		usleep(1000); /* a slow one: the others go on meanwhile */
}

static void test_done(struct work_req *req)
{
	struct test_job *job = CONTAINER_OF(req, struct test_job, req);

	assert_true(pthread_equal(pthread_self(), test_loop_thread));
	assert_false(pthread_equal(job->work_thread, test_loop_thread));
	assert_false(job->done);
	job->done = true;
	test_done_count++;
	/* done may queue more work (the next piece of a command) */
	if (job->n < 10 && test_requeued < 10) {
		test_requeued++;
		job->done = false;
		test_done_count--;
		job->n += TEST_JOBS;
		work_pool_queue(&job->req, test_work, test_done);
	}
}

static void test_work_pool_round_trips(void **state)
{
	uv_loop_t loop;

	assert_int_equal(uv_loop_init(&loop), 0);
	test_loop_thread = pthread_self();
	work_pool_init(&loop, 4);
	for (unsigned int i = 0; i < TEST_JOBS; i++) {
		test_jobs[i].n = i;
		work_pool_queue(&test_jobs[i].req, test_work, test_done);
	}
	/* pending work keeps the loop running; it ends when all is done */
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(test_done_count, TEST_JOBS);
	assert_int_equal(test_requeued, 10);
	for (unsigned int i = 0; i < TEST_JOBS; i++)
		assert_true(test_jobs[i].done);
	work_pool_deinit();
	uv_run(&loop, UV_RUN_NOWAIT);
	/* no handle is left behind */
	assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_work_pool_idle_deinit(void **state)
{
	uv_loop_t loop;

	/* nothing queued: the loop doesn't wait for the pool, and the pool
	   stops at once */
	assert_int_equal(uv_loop_init(&loop), 0);
	work_pool_init(&loop, 2);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	work_pool_deinit();
	uv_run(&loop, UV_RUN_NOWAIT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_work_pool_round_trips),
		cmocka_unit_test(test_work_pool_idle_deinit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
