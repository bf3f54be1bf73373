#include "fsync-queue.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>

struct fsync_request {
	struct fsync_request *next;
	const int *fds;
	unsigned int count;
	int error;
	bool done;
};

static pthread_mutex_t fsync_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fsync_cond = PTHREAD_COND_INITIALIZER;
static struct fsync_request *fsync_head, **fsync_tail = &fsync_head;
static bool fsync_leader_busy;
static unsigned long fsync_groups, fsync_requests;

int fsync_each(const int *fds, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++) {
		if (fdatasync(fds[i]) < 0)
			return -1;
	}
	return 0;
}

/* The leader's work, without the lock: write-back for all first (one
   journal commit can then cover them), then wait for each. */
static void fsync_group_run(struct fsync_request *group)
{
	for (struct fsync_request *req = group; req != NULL; req = req->next) {
		for (unsigned int i = 0; i < req->count; i++)
			(void)sync_file_range(req->fds[i], 0, 0,
					      SYNC_FILE_RANGE_WRITE);
	}
	for (struct fsync_request *req = group; req != NULL; req = req->next) {
		if (fsync_each(req->fds, req->count) < 0)
			req->error = errno;
	}
}

int fsync_queue_sync(const int *fds, unsigned int count)
{
	struct fsync_request req = { .fds = fds, .count = count };

	pthread_mutex_lock(&fsync_lock);
	*fsync_tail = &req;
	fsync_tail = &req.next;
	fsync_requests++;
	while (!req.done) {
		struct fsync_request *group;

		if (fsync_leader_busy) {
			pthread_cond_wait(&fsync_cond, &fsync_lock);
			continue;
		}
		/* lead: take everything queued so far */
		fsync_leader_busy = true;
		group = fsync_head;
		fsync_head = NULL;
		fsync_tail = &fsync_head;
		fsync_groups++;
		pthread_mutex_unlock(&fsync_lock);
		fsync_group_run(group);
		pthread_mutex_lock(&fsync_lock);
		for (struct fsync_request *r = group; r != NULL;) {
			struct fsync_request *next = r->next;

			r->done = true;
			r = next;
		}
		fsync_leader_busy = false;
		pthread_cond_broadcast(&fsync_cond);
	}
	pthread_mutex_unlock(&fsync_lock);
	if (req.error != 0) {
		errno = req.error;
		return -1;
	}
	return 0;
}

void fsync_queue_get_stats(unsigned long *groups_r, unsigned long *requests_r)
{
	pthread_mutex_lock(&fsync_lock);
	*groups_r = fsync_groups;
	*requests_r = fsync_requests;
	pthread_mutex_unlock(&fsync_lock);
}
