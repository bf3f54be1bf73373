#ifndef POSTERN_XALLOC_H
#define POSTERN_XALLOC_H

/* Heap allocation that never returns NULL: running out of memory is fatal,
   as in OpenSMTPD's xmalloc(). Every allocation has an owner that frees it. */

#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t size);
/* Zeroed; nmemb * size overflow is fatal. */
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* realloc of an array, checking nmemb * size for overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *str);
char *xstrndup(const char *str, size_t len);

#define xnew(type, count) ((type *)xcalloc((count), sizeof(type)))

#endif
