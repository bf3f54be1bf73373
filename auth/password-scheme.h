#ifndef POSTERN_PASSWORD_SCHEME_H
#define POSTERN_PASSWORD_SCHEME_H

/* Password schemes: stored passwords are "{SCHEME}data" as in Dovecot's
   passdbs. A stored value without a {SCHEME} prefix is taken as CRYPT
   (crypt(3): $6$, $5$, $2y$, $y$, ...), Dovecot's default for
   passwd-files. Every comparison of secrets is constant-time. Each scheme
   lives in its own password-scheme-<name>.c. */

#include <stdbool.h>
#include <stddef.h>

struct pool;

struct password_scheme {
	/* upper case, e.g. "SHA512-CRYPT" */
	const char *name;
	/* Checks plaintext against the stored data (without the prefix).
	   user is the login name, for schemes that salt with it. Returns 1
	   for a match, 0 for a mismatch, -1 with *error_r when the stored
	   data is malformed. Safe to call from any thread. */
	int (*verify)(const char *plaintext, const char *user,
		      const char *stored, const char **error_r);
	/* Makes new stored data for plaintext, allocated from pool. Returns
	   0, or -1 with *error_r. */
	int (*generate)(struct pool *pool, const char *plaintext,
			const char *user, const char **data_r,
			const char **error_r);
	/* The name written in front of generated data when it differs from
	   name (YESCRYPT hashes are written as {CRYPT} for Dovecot). */
	const char *write_name;
};

/* The scheme every new password gets unless configured otherwise. */
#define PASSWORD_SCHEME_DEFAULT "ARGON2ID"

/* Case-insensitive lookup; NULL if unknown. */
const struct password_scheme *password_scheme_find(const char *name);
/* NULL-terminated list of all schemes, for "pw -l". */
const struct password_scheme *const *password_schemes_list(void);

/* Splits stored into its scheme name (upper case, from pool) and data
   (pointing into stored). Without a prefix the scheme is CRYPT. */
void password_split(struct pool *pool, const char *stored,
		    const char **scheme_r, const char **data_r);

/* Verifies plaintext against a stored "{SCHEME}data" value. Returns 1
   match, 0 mismatch, -1 with *error_r (unknown scheme, malformed data). */
int password_verify(const char *plaintext, const char *user, const char *stored,
		    const char **error_r);
/* Makes "{SCHEME}data" for plaintext. Returns 0, or -1 with *error_r. */
int password_generate(struct pool *pool, const char *scheme_name,
		      const char *plaintext, const char *user,
		      const char **stored_r, const char **error_r);

/* Constant-time comparison of two byte strings; different lengths never
   match (lengths are not secret). */
bool password_mem_equals(const void *a, size_t a_len, const void *b,
			 size_t b_len);

/* The schemes, defined one per file. */
extern const struct password_scheme password_scheme_argon2id;
extern const struct password_scheme password_scheme_argon2i;
extern const struct password_scheme password_scheme_crypt;
extern const struct password_scheme password_scheme_sha512_crypt;
extern const struct password_scheme password_scheme_sha256_crypt;
extern const struct password_scheme password_scheme_blf_crypt;
extern const struct password_scheme password_scheme_yescrypt;
extern const struct password_scheme password_scheme_ssha512;
extern const struct password_scheme password_scheme_scram_sha1;
extern const struct password_scheme password_scheme_scram_sha256;
extern const struct password_scheme password_scheme_plain;
extern const struct password_scheme password_scheme_clear;
extern const struct password_scheme password_scheme_cleartext;

#endif
