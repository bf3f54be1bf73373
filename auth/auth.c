#include "auth.h"
#include "auth-cache.h"
#include "auth-db.h"
#include "auth-jwt.h"
#include "auth-penalty.h"
#include "auth-request.h"
#include "log.h"
#include "password-scheme.h"
#include "pool.h"
#include "sasl-mech.h"
#include "str.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define AUTH_PENALTY_FILE "auth-penalty.state"
#define AUTH_PENALTY_SAVE_MSECS 1000
#define AUTH_PENALTY_MAX_FILE (4 * 1024 * 1024)

struct auth_delay {
	uint64_t due_msecs;
	struct auth_request *request;
	void (*callback)(struct auth_request *request);
};

const char *auth_path(struct pool *pool, const char *data_dir, const char *path)
{
	if (path[0] == '/' || data_dir == NULL || data_dir[0] == '\0')
		return pool_strdup(pool, path);
	return pool_printf(pool, "%s/%s", data_dir, path);
}

static int auth_init_mechs(struct auth *auth, const char **error_r)
{
	struct pool *pool = pool_create("auth mechs", 0);
	char **names = str_split(pool, auth->set->mechanisms, " ,");
	unsigned int count = 0;

	while (names[count] != NULL)
		count++;
	auth->mechs = xnew(const struct sasl_mech *, count + 1);
	for (unsigned int i = 0; names[i] != NULL; i++) {
		const struct sasl_mech *mech;

		if (names[i][0] == '\0')
			continue;
		mech = sasl_mech_find(names[i]);
		if (mech == NULL) {
			*error_r = "[auth] mechanisms: unknown mechanism";
			pool_destroy(&pool);
			return -1;
		}
		if (auth_find_mech(auth, mech->name) == NULL)
			auth->mechs[auth->n_mechs++] = mech;
	}
	pool_destroy(&pool);
	return 0;
}

const struct sasl_mech *auth_find_mech(const struct auth *auth,
				       const char *name)
{
	for (unsigned int i = 0; i < auth->n_mechs; i++) {
		if (strcasecmp(auth->mechs[i]->name, name) == 0)
			return auth->mechs[i];
	}
	return NULL;
}

static const char *auth_penalty_path(struct pool *pool, const struct auth *auth)
{
	return auth_path(pool, auth->data_dir, AUTH_PENALTY_FILE);
}

static void auth_penalty_load_file(struct auth *auth)
{
	struct pool *pool = pool_create("penalty load", 0);
	const char *path = auth_penalty_path(pool, auth);
	string_t *text = str_new(4096, AUTH_PENALTY_MAX_FILE);
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			str_append_n(text, buf, (size_t)n);
		close(fd);
		auth_penalty_load(auth->penalty, str_c(text), time(NULL));
	}
	str_free(&text);
	pool_destroy(&pool);
}

/* Writes text to path atomically (tmp + rename). */
static int auth_write_file(const char *path, const char *text)
{
	size_t len = strlen(path) + 5, text_len = strlen(text);
	char *tmp = xmalloc(len);
	int fd, ret = -1;

	snprintf(tmp, len, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && write(fd, text, text_len) == (ssize_t)text_len &&
	    rename(tmp, path) == 0)
		ret = 0;
	if (fd >= 0)
		close(fd);
	if (ret < 0) {
		log_error("auth: cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

struct auth_penalty_save {
	uv_work_t work;
	struct auth *auth;
	char *path;
	char *text;
};

static void auth_penalty_save_work_cb(uv_work_t *work)
{
	struct auth_penalty_save *save =
		CONTAINER_OF(work, struct auth_penalty_save, work);

	(void)auth_write_file(save->path, save->text);
}

static void auth_penalty_save_done_cb(uv_work_t *work, int status)
{
	struct auth_penalty_save *save =
		CONTAINER_OF(work, struct auth_penalty_save, work);

	save->auth->penalty_saving = false;
	save->auth->n_work--;
	free(save->path);
	free(save->text);
	free(save);
}

static void auth_penalty_save_timer_cb(uv_timer_t *timer)
{
	struct auth *auth =
		CONTAINER_OF(timer, struct auth, penalty_save_timer);
	struct auth_penalty_save *save;
	struct pool *pool;
	string_t *text;

	if (auth->penalty_saving || !auth_penalty_is_dirty(auth->penalty))
		return;
	pool = pool_create("penalty save", 0);
	text = str_new(4096, SIZE_MAX);
	auth_penalty_serialize(auth->penalty, text);
	save = xnew(struct auth_penalty_save, 1);
	save->auth = auth;
	save->path = xstrdup(auth_penalty_path(pool, auth));
	save->text = xstrdup(str_c(text));
	str_free(&text);
	pool_destroy(&pool);
	auth->penalty_saving = true;
	auth->n_work++;
	if (uv_queue_work(auth->loop, &save->work, auth_penalty_save_work_cb,
			  auth_penalty_save_done_cb) != 0)
		panic("uv_queue_work() failed");
}

void auth_penalty_note(struct auth *auth, const char *ip, const char *user,
		       bool success)
{
	if (success)
		auth_penalty_success(auth->penalty, ip, user);
	else
		auth_penalty_failure(auth->penalty, ip, user, time(NULL));
	if (auth->loop != NULL && !auth->deinitializing &&
	    auth_penalty_is_dirty(auth->penalty) &&
	    !uv_is_active((uv_handle_t *)&auth->penalty_save_timer))
		uv_timer_start(&auth->penalty_save_timer,
			       auth_penalty_save_timer_cb,
			       AUTH_PENALTY_SAVE_MSECS, 0);
}

/* ---- the delay queue ---- */

static void auth_delay_schedule(struct auth *auth);

static void auth_delay_timer_cb(uv_timer_t *timer)
{
	struct auth *auth = CONTAINER_OF(timer, struct auth, delay_timer);
	uint64_t now = uv_now(auth->loop);

	while (auth->n_delays > 0 && auth->delays[0].due_msecs <= now) {
		struct auth_delay delay = auth->delays[0];

		memmove(&auth->delays[0], &auth->delays[1],
			--auth->n_delays * sizeof(*auth->delays));
		delay.callback(delay.request);
	}
	auth_delay_schedule(auth);
}

static void auth_delay_schedule(struct auth *auth)
{
	uint64_t now = uv_now(auth->loop), due;

	if (auth->n_delays == 0) {
		uv_timer_stop(&auth->delay_timer);
		return;
	}
	due = auth->delays[0].due_msecs;
	uv_timer_start(&auth->delay_timer, auth_delay_timer_cb,
		       due > now ? due - now : 0, 0);
}

void auth_delay_add(struct auth *auth, struct auth_request *request,
		    unsigned int msecs,
		    void (*callback)(struct auth_request *request))
{
	struct auth_delay delay = { 0, request, callback };
	unsigned int pos;

	if (auth->loop == NULL || msecs == 0 || auth->deinitializing) {
		callback(request);
		return;
	}
	delay.due_msecs = uv_now(auth->loop) + msecs;
	if (auth->n_delays == auth->delays_alloc) {
		auth->delays_alloc =
			auth->delays_alloc == 0 ? 16 : auth->delays_alloc * 2;
		auth->delays = xreallocarray(auth->delays, auth->delays_alloc,
					     sizeof(*auth->delays));
	}
	for (pos = auth->n_delays; pos > 0; pos--) {
		if (auth->delays[pos - 1].due_msecs <= delay.due_msecs)
			break;
	}
	memmove(&auth->delays[pos + 1], &auth->delays[pos],
		(auth->n_delays - pos) * sizeof(*auth->delays));
	auth->delays[pos] = delay;
	auth->n_delays++;
	auth_delay_schedule(auth);
}

void auth_delay_remove(struct auth *auth, struct auth_request *request)
{
	for (unsigned int i = 0; i < auth->n_delays; i++) {
		if (auth->delays[i].request == request) {
			memmove(&auth->delays[i], &auth->delays[i + 1],
				(auth->n_delays - i - 1) *
					sizeof(*auth->delays));
			auth->n_delays--;
			return;
		}
	}
}

/* ---- init ---- */

static int auth_open_dbs(struct auth *auth, const char **error_r)
{
	const struct auth_settings *set = auth->set;

	auth->passdb = auth_db_open(set->passdb, auth->data_dir, true, error_r);
	if (auth->passdb == NULL)
		return -1;
	if (set->userdb[0] != '\0' && strcmp(set->userdb, set->passdb) != 0) {
		auth->userdb = auth_db_open(set->userdb, auth->data_dir, true,
					    error_r);
		if (auth->userdb == NULL)
			return -1;
	}
	if (set->master_passdb[0] != '\0') {
		auth->master_passdb = auth_db_open(
			set->master_passdb, auth->data_dir, false, error_r);
		if (auth->master_passdb == NULL)
			return -1;
	}
	if (set->oauth_keys[0] != '\0') {
		auth->oauth_keys = auth_jwt_keys_load(set->oauth_keys,
						      auth->data_dir, error_r);
		if (auth->oauth_keys == NULL)
			return -1;
	}
	return 0;
}

int auth_init(struct auth **auth_r, uv_loop_t *loop,
	      const struct auth_settings *set, const char *data_dir,
	      const char **error_r)
{
	struct auth *auth = xnew(struct auth, 1);

	auth->loop = loop;
	auth->set = set;
	auth->data_dir = xstrdup(data_dir != NULL ? data_dir : "");
	auth->cache = auth_cache_create(set->cache_ttl, set->cache_size);
	auth->penalty = auth_penalty_create(set->penalty_max_delay,
					    set->max_failures_per_minute);
	if (loop != NULL) {
		uv_timer_init(loop, &auth->delay_timer);
		uv_timer_init(loop, &auth->penalty_save_timer);
		auth_penalty_load_file(auth);
	}
	if (auth_settings_check(set, error_r) < 0 ||
	    auth_init_mechs(auth, error_r) < 0 ||
	    auth_open_dbs(auth, error_r) < 0) {
		auth_deinit(&auth);
		return -1;
	}
	*auth_r = auth;
	return 0;
}

static void auth_free_cb(uv_handle_t *handle)
{
	struct auth *auth = handle->data;

	free(auth);
}

void auth_deinit(struct auth **_auth)
{
	struct auth *auth = *_auth;

	*_auth = NULL;
	auth->deinitializing = true;
	/* requests still delayed are dropped: their clients are gone */
	while (auth->n_delays > 0) {
		struct auth_delay delay = auth->delays[--auth->n_delays];

		auth_request_abort(delay.request);
		delay.callback(delay.request);
	}
	free(auth->delays);
	if (auth->loop != NULL && auth_penalty_is_dirty(auth->penalty)) {
		struct pool *pool = pool_create("penalty save", 0);
		string_t *text = str_new(4096, SIZE_MAX);

		auth_penalty_serialize(auth->penalty, text);
		(void)auth_write_file(auth_penalty_path(pool, auth),
				      str_c(text));
		str_free(&text);
		pool_destroy(&pool);
	}
	auth_db_close(&auth->passdb);
	auth_db_close(&auth->userdb);
	auth_db_close(&auth->master_passdb);
	auth_jwt_keys_free(&auth->oauth_keys);
	auth_cache_free(&auth->cache);
	auth_penalty_free(&auth->penalty);
	free(auth->mechs);
	free(auth->data_dir);
	if (auth->loop == NULL) {
		free(auth);
		return;
	}
	uv_close((uv_handle_t *)&auth->delay_timer, NULL);
	auth->penalty_save_timer.data = auth;
	uv_close((uv_handle_t *)&auth->penalty_save_timer, auth_free_cb);
}

int auth_ensure_user(const struct auth_settings *set, const char *data_dir,
		     const char *name, const char *password,
		     const char **error_r)
{
	struct pool *pool = pool_create("auth ensure user", 0);
	struct auth_db *db = auth_db_open(set->passdb, data_dir, true, error_r);
	struct auth_user user;
	int ret = -1;

	if (db != NULL)
		ret = auth_db_lookup(db, pool, name, &user, error_r);
	if (ret == 0) {
		memset(&user, 0, sizeof(user));
		user.name = name;
		ret = password_generate(pool, set->password_scheme, password,
					name, &user.password, error_r) < 0 ||
				      auth_db_save(db, &user, error_r) < 0
			      ? -1
			      : 1;
	} else if (ret > 0) {
		ret = 0;
	}
	if (ret < 0) {
		/* the error may live in the database handle or the pool */
		static char error[512];

		snprintf(error, sizeof(error), "%s", *error_r);
		*error_r = error;
	}
	auth_db_close(&db);
	pool_destroy(&pool);
	return ret;
}
