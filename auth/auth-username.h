#ifndef POSTERN_AUTH_USERNAME_H
#define POSTERN_AUTH_USERNAME_H

/* Login name normalization, as Dovecot's auth_default_realm and
   auth_username_format: a name without '@' gets "@default_domain" when
   one is set, then the format is expanded with %u (the whole name), %n
   (the part before '@'), %d (the part after it, "" if none), %% (a '%'),
   each optionally preceded by L (lower case) or U (upper case), e.g. "%Lu"
   or "%Ln". Case changes are ASCII-only. */

struct pool;

/* Expands format for username. Returns 0 with *result_r from pool, or -1
   with *error_r for a bad format. */
int auth_username_format(struct pool *pool, const char *format,
			 const char *username, const char **result_r,
			 const char **error_r);
/* A setting_def check for username_format values. */
int auth_username_format_check(const char *format, const char **error_r);

/* Applies default_domain ("" for none) and format to a name a client
   sent. Returns 0, or -1 with *error_r when the name is unacceptable
   (empty, too long, control characters) or the result is empty. */
int auth_username_normalize(struct pool *pool, const char *format,
			    const char *default_domain, const char *username,
			    const char **result_r, const char **error_r);

/* Longest name accepted, in bytes. */
#define AUTH_USERNAME_MAX_LENGTH 255

#endif
