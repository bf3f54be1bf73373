/* A main() for fuzz targets built without libFuzzer: runs the target once
   on each file named on the command line (or each file in a named
   directory), so that the seed corpus is a regression test in every build.
   With -Dfuzz=true the targets link libFuzzer's own main instead. */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *file = fopen(path, "rb");
	unsigned char *data;
	long size;

	if (file == NULL) {
		perror(path);
		return -1;
	}
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	fseek(file, 0, SEEK_SET);
	data = malloc(size > 0 ? (size_t)size : 1);
	if (size > 0 && fread(data, 1, (size_t)size, file) != (size_t)size) {
		perror(path);
		fclose(file);
		free(data);
		return -1;
	}
	fclose(file);
	LLVMFuzzerTestOneInput(data, (size_t)size);
	free(data);
	return 0;
}

static int run_path(const char *path)
{
	struct stat st;
	struct dirent *entry;
	DIR *dir;
	int ret = 0;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	dir = opendir(path);
	if (dir == NULL) {
		perror(path);
		return -1;
	}
	while ((entry = readdir(dir)) != NULL) {
		char child[4096];

		if (entry->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, entry->d_name);
		if (run_path(child) < 0)
			ret = -1;
	}
	closedir(dir);
	return ret;
}

int main(int argc, char *argv[])
{
	int ret = 0;

	for (int i = 1; i < argc; i++) {
		if (run_path(argv[i]) < 0)
			ret = 1;
	}
	return ret;
}
