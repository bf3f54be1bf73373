#include "storage-file.h"
#include "pool.h"
#include "strfuncs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *storage_file_error(const char *func, const char *path)
{
	static __thread char buf[4096 + 512];

	snprintf(buf, sizeof(buf), "%s(%s) failed: %s", func, path,
		 strerror(errno));
	return buf;
}

int storage_file_read(const char *path, struct pool *pool, size_t max_size,
		      char **data_r, size_t *size_r, const char **error_r)
{
	struct stat st;
	size_t done = 0;
	ssize_t ret = 0;
	char *data;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		*error_r = storage_file_error("open", path);
		return -1;
	}
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size > max_size) {
		errno = EFBIG;
		*error_r = storage_file_error("read", path);
		close(fd);
		return -1;
	}
	data = pool_alloc(pool, (size_t)st.st_size + 1);
	while (done < (size_t)st.st_size) {
		ret = read(fd, data + done, (size_t)st.st_size - done);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		done += (size_t)ret;
	}
	if (ret < 0) {
		*error_r = storage_file_error("read", path);
		close(fd);
		return -1;
	}
	close(fd);
	data[done] = '\0';
	*data_r = data;
	*size_r = done;
	return 1;
}

int storage_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

int storage_fsync_parent(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return storage_fsync_dir(".");
	if ((size_t)(slash - path) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	return storage_fsync_dir(slash == path ? "/" : dir);
}

int storage_write_all(int fd, const void *data, size_t size)
{
	const unsigned char *p = data;

	while (size > 0) {
		ssize_t ret = write(fd, p, size);

		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -1;
		p += ret;
		size -= (size_t)ret;
	}
	return 0;
}

int storage_file_write_atomic(const char *path, const void *data, size_t size,
			      bool fsync_file, const char **error_r)
{
	static atomic_uint counter;
	char tmp[4096];
	int fd, saved_errno;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%u", path, (long)getpid(),
		 atomic_fetch_add(&counter, 1));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		*error_r = storage_file_error("open", tmp);
		return -1;
	}
	if (storage_write_all(fd, data, size) < 0 ||
	    (fsync_file && fsync(fd) < 0)) {
		*error_r = storage_file_error("write", tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		*error_r = storage_file_error("close", tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		*error_r = storage_file_error("rename", path);
		goto fail;
	}
	if (fsync_file && storage_fsync_parent(path) < 0) {
		*error_r = storage_file_error("fsync", path);
		return -1;
	}
	return 0;
fail:
	saved_errno = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = saved_errno;
	return -1;
}

int storage_mkdir_parents(const char *path, unsigned int mode)
{
	char buf[4096];
	size_t len = str_copy(buf, path, sizeof(buf));

	if (len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}
