#include "array.h"

void array_grow_(void **data, size_t *alloc, size_t need, size_t elem_size)
{
	size_t new_alloc;

	if (need <= *alloc)
		return;
	new_alloc = *alloc < 4 ? 4 : *alloc;
	while (new_alloc < need)
		new_alloc *= 2;
	*data = xreallocarray(*data, new_alloc, elem_size);
	*alloc = new_alloc;
}
