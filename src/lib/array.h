#ifndef POSTERN_ARRAY_H
#define POSTERN_ARRAY_H

/* Type-safe dynamic arrays on the heap:

     ARRAY(struct foo) foos = ARRAY_INIT;
     array_push(&foos, foo);
     for (size_t i = 0; i < foos.count; i++) use(&foos.v[i]);
     array_free(&foos);

   Elements move on growth: don't keep pointers into an array you append
   to. */

#include "xalloc.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY(type)           \
	struct {              \
		type *v;      \
		size_t count; \
		size_t alloc; \
	}
#define ARRAY_INIT         \
	{                  \
		NULL, 0, 0 \
	}

void array_grow_(void **data, size_t *alloc, size_t need, size_t elem_size);

#define array_reserve(a, n)                                          \
	array_grow_((void **)&(a)->v, &(a)->alloc, (a)->count + (n), \
		    sizeof(*(a)->v))
#define array_push(a, value) \
	(array_reserve(a, 1), (a)->v[(a)->count++] = (value))
/* Appends a zeroed element and returns a pointer to it. */
#define array_push_new(a)                                                      \
	(array_reserve(a, 1), memset(&(a)->v[(a)->count], 0, sizeof(*(a)->v)), \
	 &(a)->v[(a)->count++])
#define array_pop(a) ((a)->v[--(a)->count])
#define array_last(a) (&(a)->v[(a)->count - 1])
#define array_clear(a) ((a)->count = 0)
#define array_free(a) (free((a)->v), (a)->v = NULL, (a)->count = (a)->alloc = 0)
/* Removes element i, keeping the order. */
#define array_delete(a, i)                                \
	(memmove(&(a)->v[i], &(a)->v[(i) + 1],            \
		 ((a)->count - (i)-1) * sizeof(*(a)->v)), \
	 (a)->count--)
/* Inserts value before element i. */
#define array_insert(a, i, value)                       \
	(array_reserve(a, 1),                           \
	 memmove(&(a)->v[(i) + 1], &(a)->v[i],          \
		 ((a)->count - (i)) * sizeof(*(a)->v)), \
	 (a)->count++, (a)->v[i] = (value))

#endif
