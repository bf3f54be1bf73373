#include "str.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

string_t *str_new(size_t initial_size, size_t max)
{
	return buffer_create(initial_size, max);
}

void str_free(string_t **str)
{
	buffer_free(str);
}

const char *str_c(string_t *str)
{
	if (str->data == NULL)
		return "";
	return (const char *)str->data;
}

int str_append_n(string_t *str, const void *data, size_t len)
{
	return buffer_append(str, data, len);
}

int str_append(string_t *str, const char *cstr)
{
	return buffer_append(str, cstr, strlen(cstr));
}

int str_append_c(string_t *str, char chr)
{
	return buffer_append(str, &chr, 1);
}

int str_append_uint(string_t *str, uint64_t num)
{
	char digits[20];
	size_t pos = sizeof(digits);

	do {
		digits[--pos] = (char)('0' + num % 10);
		num /= 10;
	} while (num > 0);
	return buffer_append(str, digits + pos, sizeof(digits) - pos);
}

int str_vprintfa(string_t *str, const char *fmt, va_list args)
{
	size_t room = str->alloc > str->used ? str->alloc - str->used : 0;
	va_list copy;
	char *space;
	int len;

	/* one pass when the result fits in the memory the string has (it
	   usually does): formatting twice is most of a short printf's cost */
	va_copy(copy, args);
	len = vsnprintf(room > 0 ? (char *)str->data + str->used : NULL, room,
			fmt, copy);
	va_end(copy);
	if (len < 0)
		panic("str_vprintfa: bad format %s", fmt);
	if ((size_t)len < room && (size_t)len <= str->max - str->used) {
		str->used += (size_t)len;
		return 0;
	}
	if (room > 0)
		str->data[str->used] = '\0';
	space = buffer_append_space(str, (size_t)len);
	if (space == NULL)
		return -1;
	/* buffer_append_space() left room for the NUL */
	vsnprintf(space, (size_t)len + 1, fmt, args);
	return 0;
}

int str_printfa(string_t *str, const char *fmt, ...)
{
	va_list args;
	int ret;

	va_start(args, fmt);
	ret = str_vprintfa(str, fmt, args);
	va_end(args);
	return ret;
}

void str_truncate(string_t *str, size_t len)
{
	if (len < str->used)
		buffer_set_used(str, len);
}
