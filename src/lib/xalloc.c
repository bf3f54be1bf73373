#include "xalloc.h"
#include "log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void ATTR_NORETURN out_of_memory(size_t size)
{
	fatal("Out of memory allocating %zu bytes", size);
}

void *xmalloc(size_t size)
{
	void *ptr = malloc(size == 0 ? 1 : size);

	if (ptr == NULL)
		out_of_memory(size);
	return ptr;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *ptr;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	ptr = calloc(nmemb, size);
	if (ptr == NULL)
		out_of_memory(nmemb * size);
	return ptr;
}

void *xrealloc(void *ptr, size_t size)
{
	void *new_ptr = realloc(ptr, size == 0 ? 1 : size);

	if (new_ptr == NULL)
		out_of_memory(size);
	return new_ptr;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		fatal("Array allocation overflow: %zu * %zu", nmemb, size);
	return xrealloc(ptr, nmemb * size);
}

char *xstrdup(const char *str)
{
	return xstrndup(str, strlen(str));
}

char *xstrndup(const char *str, size_t len)
{
	char *copy = xmalloc(len + 1);

	memcpy(copy, str, len);
	copy[len] = '\0';
	return copy;
}
