/* Change notification for IDLE, on the loop thread.

   One shared watch per (user, mailbox) and loop holds the inotify handles
   (the backend's directories, e.g. maildir new/ and cur/, and the user's
   notify file that every committing process touches) and a list of
   watchers, so tens of thousands of idle sessions on one mailbox cost a
   list entry each. A commit in this process (on a pool thread) marks the
   shared watch and wakes the loop with uv_async_send(); the loop calls the
   watchers at once. If inotify can't watch (out of watches), a 1 s timer
   stands in. */

#include "pool.h"
#include "storage-private.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define WATCH_MAX_PATHS 4
#define WATCH_POLL_MSECS 1000

struct watch_shared;

struct mailbox_watch {
	struct watch_shared *shared;
	struct mailbox_watch *prev, *next;
	mailbox_watch_callback_t *callback;
	void *context;
};

struct watch_shared {
	struct watch_registry *reg;
	struct watch_shared *next;
	struct mail_user *user;
	char *name;
	uv_fs_event_t events[WATCH_MAX_PATHS];
	unsigned int n_events;
	uv_timer_t poll;
	bool polling;
	unsigned int closing;
	struct mailbox_watch *watchers;
	/* set by any thread under reg->lock */
	bool pending;
	bool dispatching;
	bool has_removed;
};

struct watch_registry {
	struct watch_registry *next;
	uv_loop_t *loop;
	uv_async_t async;
	pthread_mutex_t lock;
	struct watch_shared *shares;
};

static pthread_mutex_t watch_registries_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watch_registry *watch_registries;

static void watch_unlink(struct watch_shared *shared,
			 struct mailbox_watch *watch)
{
	if (watch->prev != NULL)
		watch->prev->next = watch->next;
	else
		shared->watchers = watch->next;
	if (watch->next != NULL)
		watch->next->prev = watch->prev;
	free(watch);
}

/* Calls every watcher of shared. Watchers removed by a callback are only
   unlinked afterwards. */
static void watch_dispatch(struct watch_shared *shared)
{
	struct mailbox_watch *watch, *next;

	shared->dispatching = true;
	for (watch = shared->watchers; watch != NULL; watch = watch->next) {
		if (watch->callback != NULL)
			watch->callback(watch->context);
	}
	shared->dispatching = false;
	if (!shared->has_removed)
		return;
	shared->has_removed = false;
	for (watch = shared->watchers; watch != NULL; watch = next) {
		next = watch->next;
		if (watch->callback == NULL)
			watch_unlink(shared, watch);
	}
}

static void watch_shared_free(struct watch_shared *shared);

/* Dispatches, then frees shared if every watcher left meanwhile. */
static void watch_notify_shared(struct watch_shared *shared)
{
	watch_dispatch(shared);
	if (shared->watchers == NULL)
		watch_shared_free(shared);
}

/* Takes one pending shared watch off the registry's list, or NULL. */
static struct watch_shared *watch_next_pending(struct watch_registry *reg)
{
	struct watch_shared *shared;

	pthread_mutex_lock(&reg->lock);
	for (shared = reg->shares; shared != NULL; shared = shared->next) {
		if (shared->pending) {
			shared->pending = false;
			break;
		}
	}
	pthread_mutex_unlock(&reg->lock);
	return shared;
}

static void watch_async_cb(uv_async_t *async)
{
	struct watch_registry *reg = async->data;
	struct watch_shared *shared;

	/* one at a time: a callback may free other shared watches */
	while ((shared = watch_next_pending(reg)) != NULL)
		watch_notify_shared(shared);
}

static void watch_fs_event_cb(uv_fs_event_t *handle, const char *filename,
			      int events, int status)
{
	watch_notify_shared(handle->data);
}

static void watch_poll_cb(uv_timer_t *timer)
{
	watch_notify_shared(timer->data);
}

static struct watch_registry *watch_registry_get(uv_loop_t *loop)
{
	struct watch_registry *reg;

	pthread_mutex_lock(&watch_registries_lock);
	for (reg = watch_registries; reg != NULL; reg = reg->next) {
		if (reg->loop == loop)
			break;
	}
	if (reg == NULL) {
		reg = xnew(struct watch_registry, 1);
		reg->loop = loop;
		pthread_mutex_init(&reg->lock, NULL);
		uv_async_init(loop, &reg->async, watch_async_cb);
		reg->async.data = reg;
		/* an idle registry must not keep the loop alive */
		uv_unref((uv_handle_t *)&reg->async);
		reg->next = watch_registries;
		watch_registries = reg;
	}
	pthread_mutex_unlock(&watch_registries_lock);
	return reg;
}

static void watch_shared_start(struct watch_shared *shared)
{
	struct mail_storage *storage = &shared->user->storage;
	struct pool *pool = pool_create("watch", 1024);
	const char *const *paths =
		storage->backend->watch_paths(storage, shared->name, pool);
	bool failed = false;

	for (unsigned int i = 0; paths[i] != NULL || i == 0; i++) {
		const char *path =
			paths[i] != NULL ? paths[i] : shared->user->notify_path;
		uv_fs_event_t *event;

		if (shared->n_events == WATCH_MAX_PATHS)
			break;
		event = &shared->events[shared->n_events];
		uv_fs_event_init(shared->reg->loop, event);
		event->data = shared;
		/* counted even if it fails to start: closed with the rest */
		shared->n_events++;
		if (uv_fs_event_start(event, watch_fs_event_cb, path, 0) < 0)
			failed = true;
		if (paths[i] == NULL)
			break;
	}
	pool_destroy(&pool);
	if (failed) {
		uv_timer_init(shared->reg->loop, &shared->poll);
		shared->poll.data = shared;
		uv_timer_start(&shared->poll, watch_poll_cb, WATCH_POLL_MSECS,
			       WATCH_POLL_MSECS);
		shared->polling = true;
	}
}

static struct watch_shared *watch_shared_get(struct watch_registry *reg,
					     struct mail_user *user,
					     const char *name)
{
	struct watch_shared *shared;

	for (shared = reg->shares; shared != NULL; shared = shared->next) {
		if (shared->user == user && strcmp(shared->name, name) == 0)
			return shared;
	}
	shared = xnew(struct watch_shared, 1);
	shared->reg = reg;
	shared->user = user;
	mail_user_ref(user);
	shared->name = xstrdup(name);
	watch_shared_start(shared);
	pthread_mutex_lock(&reg->lock);
	shared->next = reg->shares;
	reg->shares = shared;
	pthread_mutex_unlock(&reg->lock);
	return shared;
}

struct mailbox_watch *
mail_user_watch_mailbox(uv_loop_t *loop, struct mail_user *user,
			const char *name, mailbox_watch_callback_t *callback,
			void *context)
{
	struct watch_registry *reg = watch_registry_get(loop);
	struct watch_shared *shared = watch_shared_get(reg, user, name);
	struct mailbox_watch *watch = xnew(struct mailbox_watch, 1);

	watch->shared = shared;
	watch->callback = callback;
	watch->context = context;
	watch->next = shared->watchers;
	if (watch->next != NULL)
		watch->next->prev = watch;
	shared->watchers = watch;
	return watch;
}

static void watch_shared_close_cb(uv_handle_t *handle)
{
	struct watch_shared *shared = handle->data;

	if (--shared->closing > 0)
		return;
	mail_user_unref(&shared->user);
	free(shared->name);
	free(shared);
}

static void watch_shared_free(struct watch_shared *shared)
{
	struct watch_registry *reg = shared->reg;
	struct watch_shared **p;

	pthread_mutex_lock(&reg->lock);
	for (p = &reg->shares; *p != NULL; p = &(*p)->next) {
		if (*p == shared) {
			*p = shared->next;
			break;
		}
	}
	pthread_mutex_unlock(&reg->lock);
	shared->closing = shared->n_events + (shared->polling ? 1 : 0) + 1;
	for (unsigned int i = 0; i < shared->n_events; i++)
		uv_close((uv_handle_t *)&shared->events[i],
			 watch_shared_close_cb);
	if (shared->polling)
		uv_close((uv_handle_t *)&shared->poll, watch_shared_close_cb);
	/* the extra count: free even with no handles */
	shared->events[0].data = shared;
	watch_shared_close_cb((uv_handle_t *)&shared->events[0]);
}

void mail_user_unwatch_mailbox(struct mailbox_watch **_watch)
{
	struct mailbox_watch *watch = *_watch;
	struct watch_shared *shared;

	if (watch == NULL)
		return;
	*_watch = NULL;
	shared = watch->shared;
	if (shared->dispatching) {
		watch->callback = NULL;
		shared->has_removed = true;
		return;
	}
	watch_unlink(shared, watch);
	if (shared->watchers == NULL)
		watch_shared_free(shared);
}

void mailbox_watch_notify(struct mail_user *user, const char *name)
{
	pthread_mutex_lock(&watch_registries_lock);
	for (struct watch_registry *reg = watch_registries; reg != NULL;
	     reg = reg->next) {
		bool found = false;

		pthread_mutex_lock(&reg->lock);
		for (struct watch_shared *shared = reg->shares; shared != NULL;
		     shared = shared->next) {
			if (shared->user == user &&
			    strcmp(shared->name, name) == 0) {
				shared->pending = true;
				found = true;
			}
		}
		pthread_mutex_unlock(&reg->lock);
		if (found)
			uv_async_send(&reg->async);
	}
	pthread_mutex_unlock(&watch_registries_lock);
}

static void watch_registry_close_cb(uv_handle_t *handle)
{
	struct watch_registry *reg = handle->data;

	pthread_mutex_destroy(&reg->lock);
	free(reg);
}

void mail_user_watch_deinit(uv_loop_t *loop)
{
	struct watch_registry **p, *reg = NULL;

	pthread_mutex_lock(&watch_registries_lock);
	for (p = &watch_registries; *p != NULL; p = &(*p)->next) {
		if ((*p)->loop == loop) {
			reg = *p;
			*p = reg->next;
			break;
		}
	}
	pthread_mutex_unlock(&watch_registries_lock);
	if (reg == NULL)
		return;
	i_assert(reg->shares == NULL);
	uv_close((uv_handle_t *)&reg->async, watch_registry_close_cb);
}
