#include "auth-cache.h"
#include "xalloc.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define AUTH_CACHE_WAYS 4

struct auth_cache_entry {
	unsigned char key[AUTH_CACHE_KEY_SIZE];
	time_t created; /* 0: empty */
};

struct auth_cache {
	pthread_mutex_t lock;
	unsigned int ttl_secs;
	unsigned int n_buckets;
	struct auth_cache_entry *entries;
	unsigned char secret[crypto_generichash_KEYBYTES];
};

struct auth_cache *auth_cache_create(unsigned int ttl_secs,
				     unsigned int max_entries)
{
	struct auth_cache *cache = xnew(struct auth_cache, 1);

	pthread_mutex_init(&cache->lock, NULL);
	cache->ttl_secs = ttl_secs;
	cache->n_buckets = ttl_secs == 0 ? 0
					 : (max_entries + AUTH_CACHE_WAYS - 1) /
						   AUTH_CACHE_WAYS;
	if (cache->n_buckets > 0)
		cache->entries = xnew(struct auth_cache_entry,
				      cache->n_buckets * AUTH_CACHE_WAYS);
	randombytes_buf(cache->secret, sizeof(cache->secret));
	return cache;
}

void auth_cache_free(struct auth_cache **_cache)
{
	struct auth_cache *cache = *_cache;

	if (cache == NULL)
		return;
	*_cache = NULL;
	pthread_mutex_destroy(&cache->lock);
	free(cache->entries);
	sodium_memzero(cache->secret, sizeof(cache->secret));
	free(cache);
}

static void auth_cache_update_str(crypto_generichash_state *state,
				  const char *str)
{
	/* with the NUL, so that ("ab","c") and ("a","bc") differ */
	crypto_generichash_update(state, (const unsigned char *)str,
				  strlen(str) + 1);
}

void auth_cache_key(const struct auth_cache *cache, const char *user,
		    const char *stored, const char *password,
		    unsigned char key_r[AUTH_CACHE_KEY_SIZE])
{
	crypto_generichash_state state;

	crypto_generichash_init(&state, cache->secret, sizeof(cache->secret),
				AUTH_CACHE_KEY_SIZE);
	auth_cache_update_str(&state, user);
	auth_cache_update_str(&state, stored);
	auth_cache_update_str(&state, password);
	crypto_generichash_final(&state, key_r, AUTH_CACHE_KEY_SIZE);
}

static struct auth_cache_entry *
auth_cache_bucket(struct auth_cache *cache,
		  const unsigned char key[AUTH_CACHE_KEY_SIZE])
{
	uint32_t hash;

	memcpy(&hash, key, sizeof(hash));
	return &cache->entries[(hash % cache->n_buckets) * AUTH_CACHE_WAYS];
}

bool auth_cache_lookup(struct auth_cache *cache,
		       const unsigned char key[AUTH_CACHE_KEY_SIZE], time_t now)
{
	struct auth_cache_entry *bucket;
	bool found = false;

	if (cache->n_buckets == 0)
		return false;
	pthread_mutex_lock(&cache->lock);
	bucket = auth_cache_bucket(cache, key);
	for (unsigned int i = 0; i < AUTH_CACHE_WAYS; i++) {
		if (bucket[i].created != 0 &&
		    now - bucket[i].created < (time_t)cache->ttl_secs &&
		    sodium_memcmp(bucket[i].key, key, AUTH_CACHE_KEY_SIZE) == 0)
			found = true;
	}
	pthread_mutex_unlock(&cache->lock);
	return found;
}

void auth_cache_insert(struct auth_cache *cache,
		       const unsigned char key[AUTH_CACHE_KEY_SIZE], time_t now)
{
	struct auth_cache_entry *bucket, *victim;

	if (cache->n_buckets == 0)
		return;
	pthread_mutex_lock(&cache->lock);
	bucket = auth_cache_bucket(cache, key);
	victim = &bucket[0];
	for (unsigned int i = 0; i < AUTH_CACHE_WAYS; i++) {
		if (memcmp(bucket[i].key, key, AUTH_CACHE_KEY_SIZE) == 0) {
			victim = &bucket[i];
			break;
		}
		if (bucket[i].created < victim->created)
			victim = &bucket[i];
	}
	memcpy(victim->key, key, AUTH_CACHE_KEY_SIZE);
	victim->created = now;
	pthread_mutex_unlock(&cache->lock);
}

void auth_cache_clear(struct auth_cache *cache)
{
	pthread_mutex_lock(&cache->lock);
	memset(cache->entries, 0,
	       sizeof(*cache->entries) * cache->n_buckets * AUTH_CACHE_WAYS);
	pthread_mutex_unlock(&cache->lock);
}

unsigned int auth_cache_count(struct auth_cache *cache)
{
	unsigned int count = 0;

	pthread_mutex_lock(&cache->lock);
	for (unsigned int i = 0; i < cache->n_buckets * AUTH_CACHE_WAYS; i++) {
		if (cache->entries[i].created != 0)
			count++;
	}
	pthread_mutex_unlock(&cache->lock);
	return count;
}
