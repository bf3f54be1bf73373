#ifndef POSTERN_STORAGE_FILE_H
#define POSTERN_STORAGE_FILE_H

/* Small-file helpers for the records backends keep beside the mail (UID
   lists, keyword tables, rebuild records, subscriptions). */

#include <stdbool.h>
#include <stddef.h>

struct pool;

/* Reads a whole file (NUL-terminated) into pool. Returns 1, 0 if it
   doesn't exist, -1 with *error_r (also for files over max_size). */
int storage_file_read(const char *path, struct pool *pool, size_t max_size,
		      char **data_r, size_t *size_r, const char **error_r);
/* Replaces path atomically: a temporary file beside it, fsynced (when
   fsync is set), renamed over path, and the directory fsynced. Returns 0,
   or -1 with *error_r and errno. */
int storage_file_write_atomic(const char *path, const void *data, size_t size,
			      bool fsync, const char **error_r);
/* write() all of data, retrying on EINTR. Returns 0, or -1 with errno. */
int storage_write_all(int fd, const void *data, size_t size);
/* fsyncs the directory at path. Returns 0, or -1 with errno. */
int storage_fsync_dir(const char *path);
/* fsyncs the directory that holds path. */
int storage_fsync_parent(const char *path);
/* mkdir -p with mode. Returns 0, or -1 with errno. */
int storage_mkdir_parents(const char *path, unsigned int mode);

#endif
