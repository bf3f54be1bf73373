#ifndef POSTERN_MACROS_H
#define POSTERN_MACROS_H

#include <stddef.h>

#define ATTR_FORMAT(fmt, first) __attribute__((format(printf, fmt, first)))
#define ATTR_NORETURN __attribute__((noreturn))
#define ATTR_UNUSED __attribute__((unused))
#define ATTR_NULL_TERMINATED __attribute__((sentinel))

#define N_ELEMENTS(arr) (sizeof(arr) / sizeof((arr)[0]))
/* <sys/param.h> (through <uv.h>) may have defined the same already */
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* The struct that holds member ptr. */
#define CONTAINER_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif
