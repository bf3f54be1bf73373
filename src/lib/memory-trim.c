#include "memory-trim.h"

#include "macros.h"
#include "work-pool.h"

#include <malloc.h>
#include <stdbool.h>

#define MEMORY_TRIM_DELAY_MSECS 1000

static struct {
	uv_timer_t timer;
	struct work_req req;
	bool initialized, running;
} trim;

static void memory_trim_work(struct work_req *req ATTR_UNUSED)
{
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

static void memory_trim_done(struct work_req *req ATTR_UNUSED)
{
	trim.running = false;
}

static void memory_trim_timer_cb(uv_timer_t *timer ATTR_UNUSED)
{
	if (trim.running)
		return;
	trim.running = true;
	work_pool_queue(&trim.req, memory_trim_work, memory_trim_done);
}

void memory_trim_init(uv_loop_t *loop)
{
	uv_timer_init(loop, &trim.timer);
	/* a pending trim doesn't keep the loop (and the process) alive */
	uv_unref((uv_handle_t *)&trim.timer);
	trim.initialized = true;
}

void memory_trim_deinit(void)
{
	if (!trim.initialized)
		return;
	uv_close((uv_handle_t *)&trim.timer, NULL);
	trim.initialized = false;
}

void memory_trim_soon(void)
{
	/* an armed timer is a trim already due */
	if (!trim.initialized || uv_is_active((uv_handle_t *)&trim.timer))
		return;
	uv_timer_start(&trim.timer, memory_trim_timer_cb,
		       MEMORY_TRIM_DELAY_MSECS, 0);
}
