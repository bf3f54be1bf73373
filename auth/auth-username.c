#include "auth-username.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <string.h>

enum username_case {
	USERNAME_CASE_KEEP,
	USERNAME_CASE_LOWER,
	USERNAME_CASE_UPPER
};

static void username_append(string_t *dest, const char *value, size_t len,
			    enum username_case change)
{
	size_t start = str_len(dest);

	str_append_n(dest, value, len);
	if (dest->overflow)
		return;
	if (change == USERNAME_CASE_LOWER)
		str_lcase((char *)dest->data + start);
	else if (change == USERNAME_CASE_UPPER)
		str_ucase((char *)dest->data + start);
}

/* Appends the value of variable var ('u', 'n' or 'd'). Returns -1 for an
   unknown variable. */
static int username_append_var(string_t *dest, char var, const char *username,
			       enum username_case change)
{
	const char *at = strrchr(username, '@');

	switch (var) {
	case 'u':
		username_append(dest, username, strlen(username), change);
		return 0;
	case 'n':
		username_append(dest, username,
				at == NULL ? strlen(username)
					   : (size_t)(at - username),
				change);
		return 0;
	case 'd':
		if (at != NULL)
			username_append(dest, at + 1, strlen(at + 1), change);
		return 0;
	default:
		return -1;
	}
}

static int username_expand(string_t *dest, const char *format,
			   const char *username, const char **error_r)
{
	for (const char *p = format; *p != '\0'; p++) {
		enum username_case change = USERNAME_CASE_KEEP;

		if (*p != '%') {
			str_append_c(dest, *p);
			continue;
		}
		if (*++p == '%') {
			str_append_c(dest, '%');
			continue;
		}
		if (*p == 'L' || *p == 'U') {
			change = *p == 'L' ? USERNAME_CASE_LOWER
					   : USERNAME_CASE_UPPER;
			p++;
		}
		if (*p == '\0' ||
		    username_append_var(dest, *p, username, change) < 0) {
			*error_r = "username_format: unknown variable (use %u, "
				   "%n, %d with optional L or U)";
			return -1;
		}
	}
	return 0;
}

int auth_username_format(struct pool *pool, const char *format,
			 const char *username, const char **result_r,
			 const char **error_r)
{
	string_t *str = str_new(64, AUTH_USERNAME_MAX_LENGTH * 4);
	int ret = username_expand(str, format, username, error_r);

	if (ret == 0 && str->overflow) {
		*error_r = "Username too long";
		ret = -1;
	}
	if (ret == 0)
		*result_r = pool_strdup(pool, str_c(str));
	str_free(&str);
	return ret;
}

int auth_username_format_check(const char *format, const char **error_r)
{
	struct pool *pool = pool_create("username format check", 0);
	const char *result;
	int ret = auth_username_format(pool, format, "a@b", &result, error_r);

	pool_destroy(&pool);
	return ret;
}

static bool username_is_valid(const char *username)
{
	size_t len = strlen(username);

	if (len == 0 || len > AUTH_USERNAME_MAX_LENGTH)
		return false;
	for (const unsigned char *p = (const void *)username; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
	}
	return true;
}

int auth_username_normalize(struct pool *pool, const char *format,
			    const char *default_domain, const char *username,
			    const char **result_r, const char **error_r)
{
	if (!username_is_valid(username)) {
		*error_r = "Invalid username";
		return -1;
	}
	if (default_domain[0] != '\0' && strchr(username, '@') == NULL)
		username = pool_printf(pool, "%s@%s", username, default_domain);
	if (auth_username_format(pool, format, username, result_r, error_r) < 0)
		return -1;
	if (!username_is_valid(*result_r)) {
		*error_r = "Invalid username after username_format";
		return -1;
	}
	return 0;
}
