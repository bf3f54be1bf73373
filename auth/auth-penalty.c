#include "auth-penalty.h"
#include "array.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys are "ip:<ip>" and "user:<name>"; the state file has one record a
   line: key TAB failures TAB last_failure TAB minute_start TAB
   minute_failures. */

struct auth_penalty_record {
	char *key;
	unsigned int failures;
	time_t last_failure;
	time_t minute_start;
	unsigned int minute_failures;
};

struct auth_penalty {
	unsigned int max_delay_secs;
	unsigned int max_per_minute;
	ARRAY(struct auth_penalty_record) records;
	bool dirty;
};

struct auth_penalty *auth_penalty_create(unsigned int max_delay_secs,
					 unsigned int max_per_minute)
{
	struct auth_penalty *penalty = xnew(struct auth_penalty, 1);

	penalty->max_delay_secs = max_delay_secs;
	penalty->max_per_minute = max_per_minute;
	return penalty;
}

void auth_penalty_free(struct auth_penalty **_penalty)
{
	struct auth_penalty *penalty = *_penalty;

	if (penalty == NULL)
		return;
	*_penalty = NULL;
	for (size_t i = 0; i < penalty->records.count; i++)
		free(penalty->records.v[i].key);
	array_free(&penalty->records);
	free(penalty);
}

static struct auth_penalty_record *
auth_penalty_find(struct auth_penalty *penalty, const char *kind,
		  const char *value)
{
	size_t kind_len = strlen(kind);

	if (value == NULL || value[0] == '\0')
		return NULL;
	for (size_t i = 0; i < penalty->records.count; i++) {
		const char *key = penalty->records.v[i].key;

		if (strncmp(key, kind, kind_len) == 0 &&
		    strcmp(key + kind_len, value) == 0)
			return &penalty->records.v[i];
	}
	return NULL;
}

static void auth_penalty_drop(struct auth_penalty *penalty, size_t idx)
{
	free(penalty->records.v[idx].key);
	array_delete(&penalty->records, idx);
	penalty->dirty = true;
}

static void auth_penalty_drop_oldest(struct auth_penalty *penalty)
{
	size_t oldest = 0;

	for (size_t i = 1; i < penalty->records.count; i++) {
		if (penalty->records.v[i].last_failure <
		    penalty->records.v[oldest].last_failure)
			oldest = i;
	}
	auth_penalty_drop(penalty, oldest);
}

static struct auth_penalty_record *
auth_penalty_get(struct auth_penalty *penalty, const char *kind,
		 const char *value)
{
	struct auth_penalty_record *rec =
		auth_penalty_find(penalty, kind, value);
	size_t len;

	if (rec != NULL || value == NULL || value[0] == '\0')
		return rec;
	if (penalty->records.count >= AUTH_PENALTY_MAX_RECORDS)
		auth_penalty_drop_oldest(penalty);
	rec = array_push_new(&penalty->records);
	len = strlen(kind) + strlen(value) + 1;
	rec->key = xmalloc(len);
	snprintf(rec->key, len, "%s%s", kind, value);
	return rec;
}

static unsigned int
auth_penalty_record_delay(const struct auth_penalty *penalty,
			  const struct auth_penalty_record *rec, time_t now)
{
	unsigned int secs;

	if (rec == NULL || rec->failures == 0 ||
	    now - rec->last_failure >= AUTH_PENALTY_EXPIRE_SECS)
		return 0;
	secs = rec->failures > 16 ? 1U << 15 : 1U << (rec->failures - 1);
	return MIN(secs, penalty->max_delay_secs);
}

unsigned int auth_penalty_get_delay_msecs(struct auth_penalty *penalty,
					  const char *ip, const char *user,
					  time_t now)
{
	unsigned int ip_secs, user_secs;

	ip_secs = auth_penalty_record_delay(
		penalty, auth_penalty_find(penalty, "ip:", ip), now);
	user_secs = auth_penalty_record_delay(
		penalty, auth_penalty_find(penalty, "user:", user), now);
	return MAX(ip_secs, user_secs) * 1000;
}

bool auth_penalty_is_blocked(struct auth_penalty *penalty, const char *ip,
			     time_t now)
{
	const struct auth_penalty_record *rec;

	if (penalty->max_per_minute == 0)
		return false;
	rec = auth_penalty_find(penalty, "ip:", ip);
	return rec != NULL && now - rec->minute_start < 60 &&
	       rec->minute_failures >= penalty->max_per_minute;
}

static void auth_penalty_count(struct auth_penalty_record *rec, time_t now)
{
	if (rec == NULL)
		return;
	if (now - rec->last_failure >= AUTH_PENALTY_EXPIRE_SECS)
		rec->failures = 0;
	rec->failures++;
	rec->last_failure = now;
	if (now - rec->minute_start >= 60) {
		rec->minute_start = now;
		rec->minute_failures = 0;
	}
	rec->minute_failures++;
}

void auth_penalty_failure(struct auth_penalty *penalty, const char *ip,
			  const char *user, time_t now)
{
	auth_penalty_count(auth_penalty_get(penalty, "ip:", ip), now);
	auth_penalty_count(auth_penalty_get(penalty, "user:", user), now);
	penalty->dirty = true;
}

static void auth_penalty_forget(struct auth_penalty *penalty, const char *kind,
				const char *value)
{
	struct auth_penalty_record *rec =
		auth_penalty_find(penalty, kind, value);

	if (rec != NULL)
		auth_penalty_drop(penalty, rec - penalty->records.v);
}

void auth_penalty_success(struct auth_penalty *penalty, const char *ip,
			  const char *user)
{
	/* The IP's minute counter stays: a success between guesses must not
	   reset the rate limit. Its delay goes, as Dovecot's does. */
	struct auth_penalty_record *rec = auth_penalty_find(penalty, "ip:", ip);

	if (rec != NULL && rec->failures > 0) {
		rec->failures = 0;
		penalty->dirty = true;
	}
	auth_penalty_forget(penalty, "user:", user);
}

bool auth_penalty_is_dirty(const struct auth_penalty *penalty)
{
	return penalty->dirty;
}

void auth_penalty_serialize(struct auth_penalty *penalty, string_t *dest)
{
	for (size_t i = 0; i < penalty->records.count; i++) {
		const struct auth_penalty_record *rec = &penalty->records.v[i];

		str_printfa(dest, "%s\t%u\t%" PRId64 "\t%" PRId64 "\t%u\n",
			    rec->key, rec->failures, (int64_t)rec->last_failure,
			    (int64_t)rec->minute_start, rec->minute_failures);
	}
	penalty->dirty = false;
}

static bool auth_penalty_parse_line(char *line,
				    struct auth_penalty_record *rec_r)
{
	char *fields[6] = { NULL };
	unsigned int n = 0;
	uint64_t last, minute;

	for (char *p = line; n < 5; n++) {
		fields[n] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	if (n != 4 ||
	    (!str_begins(fields[0], "ip:") &&
	     !str_begins(fields[0], "user:")) ||
	    str_to_uint(fields[1], &rec_r->failures) < 0 ||
	    str_to_uint64(fields[2], &last) < 0 ||
	    str_to_uint64(fields[3], &minute) < 0 ||
	    str_to_uint(fields[4], &rec_r->minute_failures) < 0)
		return false;
	rec_r->key = fields[0];
	rec_r->last_failure = (time_t)last;
	rec_r->minute_start = (time_t)minute;
	return true;
}

void auth_penalty_load(struct auth_penalty *penalty, const char *text,
		       time_t now)
{
	char *copy = xstrdup(text), *saveptr = NULL;

	for (char *line = strtok_r(copy, "\n", &saveptr); line != NULL;
	     line = strtok_r(NULL, "\n", &saveptr)) {
		struct auth_penalty_record rec;

		if (!auth_penalty_parse_line(line, &rec) ||
		    now - rec.last_failure >= AUTH_PENALTY_EXPIRE_SECS ||
		    penalty->records.count >= AUTH_PENALTY_MAX_RECORDS)
			continue;
		rec.key = xstrdup(rec.key);
		array_push(&penalty->records, rec);
	}
	free(copy);
}
