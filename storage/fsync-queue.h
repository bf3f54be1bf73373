#ifndef POSTERN_FSYNC_QUEUE_H
#define POSTERN_FSYNC_QUEUE_H

/* Group commit for deliveries in flight on several threads: each hands in
   the descriptors of its new files and waits; one of the waiters (the
   leader) starts write-back on every queued file, then fdatasyncs them,
   so that the file system journals them in as few commits as possible,
   and wakes everyone whose files were synced. Requests that arrive while
   a leader works form the next group. */

/* Makes the data of fds durable, sharing the work with other threads.
   Returns 0, or -1 with errno of the first failure. Thread-safe. */
int fsync_queue_sync(const int *fds, unsigned int count);
/* The same without sharing: fdatasync each. */
int fsync_each(const int *fds, unsigned int count);

/* Counters for tests and the benchmark: groups synced and requests. */
void fsync_queue_get_stats(unsigned long *groups_r, unsigned long *requests_r);

#endif
