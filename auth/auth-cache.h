#ifndef POSTERN_AUTH_CACHE_H
#define POSTERN_AUTH_CACHE_H

/* A cache of successful password verifications, so that a client that
   logs in every minute does not cost an Argon2id run every minute.

   An entry is a keyed digest of (user, stored password hash, offered
   password) under a random per-process key: nothing in the cache reveals
   a password, and the stored hash is part of the key, so a changed
   password misses the cache at once (the old password stops working, the
   new one is verified for real). Entries expire after ttl seconds; the
   cache holds at most max_entries, evicting the oldest of a bucket.
   Thread-safe. */

#include <stdbool.h>
#include <time.h>

#define AUTH_CACHE_KEY_SIZE 32

struct auth_cache;

/* ttl_secs 0 or max_entries 0 makes a cache that stores nothing. */
struct auth_cache *auth_cache_create(unsigned int ttl_secs,
				     unsigned int max_entries);
void auth_cache_free(struct auth_cache **cache);

void auth_cache_key(const struct auth_cache *cache, const char *user,
		    const char *stored, const char *password,
		    unsigned char key_r[AUTH_CACHE_KEY_SIZE]);
/* True when key was inserted less than ttl seconds before now. */
bool auth_cache_lookup(struct auth_cache *cache,
		       const unsigned char key[AUTH_CACHE_KEY_SIZE],
		       time_t now);
void auth_cache_insert(struct auth_cache *cache,
		       const unsigned char key[AUTH_CACHE_KEY_SIZE],
		       time_t now);
/* Drops every entry (SIGHUP, tests). */
void auth_cache_clear(struct auth_cache *cache);
unsigned int auth_cache_count(struct auth_cache *cache);

#endif
