#include "lmtp-user-cache.h"
#include "array.h"
#include "lmtp-delivery.h"
#include "log.h"
#include "xalloc.h"

struct lmtp_user_cache_entry {
	struct mail_user *user;
	uint64_t last_used;
};

/* A thread-pool job dropping the references of evicted users. */
struct lmtp_user_cache_release {
	uv_work_t work;
	struct mail_user **users;
	size_t count;
};

static ARRAY(struct lmtp_user_cache_entry) lmtp_user_cache;
static uv_loop_t *lmtp_user_cache_loop;
static uv_timer_t lmtp_user_cache_timer;
static bool lmtp_user_cache_timer_running;

static void lmtp_user_cache_release_work_cb(uv_work_t *work)
{
	struct lmtp_user_cache_release *release =
		CONTAINER_OF(work, struct lmtp_user_cache_release, work);

	for (size_t i = 0; i < release->count; i++)
		lmtp_delivery_user_unref(&release->users[i]);
}

static void lmtp_user_cache_release_done(uv_work_t *work, int status)
{
	struct lmtp_user_cache_release *release =
		CONTAINER_OF(work, struct lmtp_user_cache_release, work);

	free(release->users);
	free(release);
}

/* Moves the entries last used before older_than, and the oldest beyond
   keep_max, into a release job. */
static void lmtp_user_cache_evict(uint64_t older_than, size_t keep_max)
{
	struct lmtp_user_cache_release *release;
	size_t i = 0;

	release = xnew(struct lmtp_user_cache_release, 1);
	release->users = xnew(struct mail_user *, lmtp_user_cache.count + 1);
	while (i < lmtp_user_cache.count) {
		struct lmtp_user_cache_entry *entry = &lmtp_user_cache.v[i];

		if (entry->last_used < older_than ||
		    lmtp_user_cache.count - i > keep_max) {
			release->users[release->count++] = entry->user;
			array_delete(&lmtp_user_cache, i);
		} else {
			i++;
		}
	}
	if (release->count == 0) {
		lmtp_user_cache_release_done(&release->work, 0);
		return;
	}
	if (uv_queue_work(lmtp_user_cache_loop, &release->work,
			  lmtp_user_cache_release_work_cb,
			  lmtp_user_cache_release_done) != 0)
		panic("uv_queue_work() failed");
}

static void lmtp_user_cache_timer_cb(uv_timer_t *timer)
{
	uint64_t now = uv_now(lmtp_user_cache_loop);
	uint64_t idle = LMTP_USER_CACHE_IDLE_SECS * 1000;

	lmtp_user_cache_evict(now > idle ? now - idle : 0, SIZE_MAX);
	if (lmtp_user_cache.count == 0) {
		uv_timer_stop(timer);
		lmtp_user_cache_timer_running = false;
	}
}

void lmtp_user_cache_keep(struct mail_user *user)
{
	uint64_t now = uv_now(lmtp_user_cache_loop);
	struct lmtp_user_cache_entry *entry;

	/* Entries are in order of last use: the newest at the end. */
	for (size_t i = lmtp_user_cache.count; i > 0; i--) {
		if (lmtp_user_cache.v[i - 1].user == user) {
			array_delete(&lmtp_user_cache, i - 1);
			entry = array_push_new(&lmtp_user_cache);
			entry->user = user;
			entry->last_used = now;
			return;
		}
	}
	lmtp_delivery_user_ref(user);
	entry = array_push_new(&lmtp_user_cache);
	entry->user = user;
	entry->last_used = now;
	if (lmtp_user_cache.count > LMTP_USER_CACHE_MAX)
		lmtp_user_cache_evict(0, LMTP_USER_CACHE_MAX);
	if (!lmtp_user_cache_timer_running) {
		uv_timer_start(&lmtp_user_cache_timer, lmtp_user_cache_timer_cb,
			       LMTP_USER_CACHE_IDLE_SECS * 1000 / 2,
			       LMTP_USER_CACHE_IDLE_SECS * 1000 / 2);
		lmtp_user_cache_timer_running = true;
	}
}

void lmtp_user_cache_init(uv_loop_t *loop)
{
	lmtp_user_cache_loop = loop;
	uv_timer_init(loop, &lmtp_user_cache_timer);
	/* the cache never keeps a stopping worker alive */
	uv_unref((uv_handle_t *)&lmtp_user_cache_timer);
}

void lmtp_user_cache_deinit(void)
{
	if (lmtp_user_cache_loop == NULL)
		return;
	for (size_t i = 0; i < lmtp_user_cache.count; i++)
		lmtp_delivery_user_unref(&lmtp_user_cache.v[i].user);
	array_free(&lmtp_user_cache);
	uv_timer_stop(&lmtp_user_cache_timer);
	lmtp_user_cache_timer_running = false;
	uv_close((uv_handle_t *)&lmtp_user_cache_timer, NULL);
	lmtp_user_cache_loop = NULL;
}
