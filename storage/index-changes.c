#include "index-changes.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define INDEX_CHANGES_SUFFIX "-changes"

struct index_changes {
	char *path;
	uint64_t *count;
	dev_t dev;
	ino_t ino;
};

/* Opens the file at path with room for the count, and maps it. */
static int index_changes_map(struct index_changes *changes)
{
	struct stat st;
	void *map;
	int fd;

	fd = open(changes->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("index: open(%s) failed: %m", changes->path);
		return -1;
	}
	/* a new file (or one another process is creating) gets its 8 bytes;
	   ftruncate() to the same size keeps a count already written */
	if (fstat(fd, &st) < 0 || (st.st_size < (off_t)sizeof(uint64_t) &&
				   ftruncate(fd, sizeof(uint64_t)) < 0)) {
		log_error("index: sizing %s failed: %m", changes->path);
		close(fd);
		return -1;
	}
	map = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		log_error("index: mmap(%s) failed: %m", changes->path);
		return -1;
	}
	changes->count = map;
	changes->dev = st.st_dev;
	changes->ino = st.st_ino;
	return 0;
}

struct index_changes *index_changes_open(const char *db_path)
{
	struct index_changes *changes = xnew(struct index_changes, 1);
	size_t len = strlen(db_path) + sizeof(INDEX_CHANGES_SUFFIX);

	changes->path = xmalloc(len);
	snprintf(changes->path, len, "%s%s", db_path, INDEX_CHANGES_SUFFIX);
	if (index_changes_map(changes) < 0) {
		free(changes->path);
		free(changes);
		return NULL;
	}
	return changes;
}

void index_changes_close(struct index_changes **_changes)
{
	struct index_changes *changes = *_changes;

	if (changes == NULL)
		return;
	*_changes = NULL;
	(void)munmap(changes->count, sizeof(uint64_t));
	free(changes->path);
	free(changes);
}

uint64_t index_changes_get(const struct index_changes *changes)
{
	return __atomic_load_n(changes->count, __ATOMIC_ACQUIRE);
}

void index_changes_bump(struct index_changes *changes)
{
	(void)__atomic_add_fetch(changes->count, 1, __ATOMIC_RELEASE);
}

bool index_changes_is_stale(const struct index_changes *changes)
{
	struct stat st;

	if (stat(changes->path, &st) < 0)
		return true;
	return st.st_ino != changes->ino || st.st_dev != changes->dev;
}
