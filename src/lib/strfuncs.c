#include "strfuncs.h"
#include "array.h"
#include "pool.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

bool str_begins(const char *str, const char *prefix)
{
	return strncmp(str, prefix, strlen(prefix)) == 0;
}

bool str_begins_icase(const char *str, const char *prefix)
{
	return strncasecmp(str, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *str, const char *suffix)
{
	size_t len = strlen(str), suffix_len = strlen(suffix);

	return len >= suffix_len &&
	       memcmp(str + len - suffix_len, suffix, suffix_len) == 0;
}

bool str_eq_icase(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

size_t str_copy(char *dest, const char *src, size_t dest_size)
{
	size_t len = strlen(src);

	if (dest_size > 0) {
		size_t n = len < dest_size ? len : dest_size - 1;

		memcpy(dest, src, n);
		dest[n] = '\0';
	}
	return len;
}

char *str_lcase(char *str)
{
	for (char *p = str; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return str;
}

char *str_ucase(char *str)
{
	for (char *p = str; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return str;
}

char **str_split(struct pool *pool, const char *str, const char *separators)
{
	size_t n_fields = 1, i = 0;
	const char *start = str, *p;
	char **fields;

	for (p = str; *p != '\0'; p++) {
		if (strchr(separators, *p) != NULL)
			n_fields++;
	}
	fields = p_new(pool, char *, n_fields + 1);
	for (p = str;; p++) {
		if (*p == '\0' || strchr(separators, *p) != NULL) {
			fields[i++] =
				pool_strndup(pool, start, (size_t)(p - start));
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
	return fields;
}

char *str_trim(struct pool *pool, const char *str)
{
	const char *end;

	while (*str == ' ' || *str == '\t')
		str++;
	end = str + strlen(str);
	while (end > str && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return pool_strndup(pool, str, (size_t)(end - str));
}

int str_n_to_uint64(const char *str, size_t len, uint64_t *num_r)
{
	uint64_t num = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned int digit;

		if (str[i] < '0' || str[i] > '9')
			return -1;
		digit = (unsigned int)(str[i] - '0');
		if (num > (UINT64_MAX - digit) / 10)
			return -1;
		num = num * 10 + digit;
	}
	*num_r = num;
	return 0;
}

int str_to_uint64(const char *str, uint64_t *num_r)
{
	return str_n_to_uint64(str, strlen(str), num_r);
}

int str_to_uint32(const char *str, uint32_t *num_r)
{
	uint64_t num;

	if (str_to_uint64(str, &num) < 0 || num > UINT32_MAX)
		return -1;
	*num_r = (uint32_t)num;
	return 0;
}

int str_to_uint(const char *str, unsigned int *num_r)
{
	uint32_t num;

	if (str_to_uint32(str, &num) < 0)
		return -1;
	*num_r = num;
	return 0;
}
