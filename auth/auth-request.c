#include "auth-request.h"
#include "auth.h"
#include "auth-base64.h"
#include "auth-cache.h"
#include "auth-penalty.h"
#include "auth-scram.h"
#include "auth-username.h"
#include "password-scheme.h"
#include "sasl-mech.h"
#include "pool.h"
#include "strfuncs.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *auth_request_strdup(struct pool *pool, const char *str)
{
	return str == NULL ? NULL : pool_strdup(pool, str);
}

static void auth_request_copy_info(struct auth_request *request,
				   const struct auth_request_info *info)
{
	struct pool *pool = request->pool;
	struct auth_request_info *dest = &request->info;

	*dest = *info;
	dest->mech = request->mech->name;
	dest->service = auth_request_strdup(pool, info->service);
	dest->local_ip = auth_request_strdup(pool, info->local_ip);
	dest->remote_ip = auth_request_strdup(pool, info->remote_ip);
	dest->session_id = auth_request_strdup(pool, info->session_id);
	dest->cert_username = auth_request_strdup(pool, info->cert_username);
	dest->cbind_tls_exporter =
		auth_request_strdup(pool, info->cbind_tls_exporter);
	dest->initial_resp = auth_request_strdup(pool, info->initial_resp);
}

struct auth_request *auth_request_new(struct auth *auth,
				      const struct sasl_mech *mech,
				      const struct auth_request_info *info,
				      auth_request_reply_callback_t *callback,
				      void *context)
{
	struct pool *pool = pool_create("auth request", 2048);
	struct auth_request *request = p_new(pool, struct auth_request, 1);

	request->pool = pool;
	request->auth = auth;
	request->mech = mech;
	request->reply_callback = callback;
	request->context = context;
	request->refcount = 1;
	auth_request_copy_info(request, info);
	return request;
}

static void auth_request_ref(struct auth_request *request)
{
	request->refcount++;
}

static void auth_request_unref(struct auth_request *request)
{
	struct pool *pool = request->pool;

	i_assert(request->refcount > 0);
	if (--request->refcount > 0)
		return;
	if (request->work_password != NULL)
		sodium_memzero(request->work_password,
			       strlen(request->work_password));
	pool_destroy(&pool);
}

void auth_request_log(struct auth_request *request, enum log_level level,
		      const char *fmt, ...)
{
	struct log_ctx ctx = {
		.service = "auth",
		.user = request->user,
		.remote_ip = request->info.remote_ip,
		.session_id = request->info.session_id,
	};
	char msg[1024];
	va_list args;

	if (!log_level_enabled(level))
		return;
	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	log_msg(level, &ctx, "%s(%s): %s", request->mech->name,
		request->info.service, msg);
}

static void auth_request_reply(struct auth_request *request,
			       enum auth_reply reply, const void *data,
			       size_t size)
{
	if (!request->aborted)
		request->reply_callback(request, reply, data, size,
					request->context);
}

/* Drops the request's own reference after its final reply. */
static void auth_request_finish(struct auth_request *request)
{
	request->finished = true;
	request->accept_input = false;
	auth_request_unref(request);
}

void auth_request_abort(struct auth_request *request)
{
	if (request->aborted)
		return;
	request->aborted = true;
	if (!request->finished)
		auth_request_finish(request);
}

bool auth_request_wants_input(const struct auth_request *request)
{
	return request->accept_input;
}

bool auth_request_is_timed_out(const struct auth_request *request,
			       uint64_t now_msecs)
{
	uint64_t timeout = (uint64_t)request->auth->set->request_timeout * 1000;

	return request->accept_input && timeout > 0 &&
	       now_msecs - request->waiting_since_msecs > timeout;
}

static const char *auth_request_penalty_user(struct auth_request *request)
{
	return request->master_user != NULL ? request->master_user
					    : request->user;
}

static void auth_request_send_fail_cb(struct auth_request *request)
{
	request->delayed = false;
	auth_request_reply(request, AUTH_REPLY_FAIL, NULL, 0);
	auth_request_unref(request);
}

/* The final FAIL, after failure_delay (Dovecot's auth_failure_delay:
   against timing attacks and floods), with the failure counted. */
static void auth_request_fail_final(struct auth_request *request)
{
	struct auth *auth = request->auth;
	unsigned int delay = auth->set->failure_delay * 1000;

	if (request->finished)
		return;
	if (!request->info.no_penalty && !request->internal_failure)
		auth_penalty_note(auth, request->info.remote_ip,
				  auth_request_penalty_user(request), false);
	if (request->internal_failure || request->info.no_penalty)
		delay = 0;
	request->finished = true;
	request->accept_input = false;
	request->delayed = true;
	/* the delay takes over our own reference */
	auth_delay_add(auth, request, delay, auth_request_send_fail_cb);
}

void auth_request_fail(struct auth_request *request, const char *reason)
{
	char safe[128];

	log_sanitize(safe, sizeof(safe), reason, strlen(reason));
	auth_request_log(request, LOG_LEVEL_INFO, "%s", safe);
	auth_request_fail_final(request);
}

/* A refusal that is not a guess (plaintext policy, rate limit): no
   penalty, a reason for the client. */
static void auth_request_refuse(struct auth_request *request,
				const char *reason, bool temp)
{
	auth_request_log(request, LOG_LEVEL_INFO, "%s", reason);
	request->fail_reason = reason;
	request->internal_failure = temp;
	request->finished = true;
	request->accept_input = false;
	auth_request_reply(request, AUTH_REPLY_FAIL, NULL, 0);
	auth_request_unref(request);
}

void auth_request_fail_result(struct auth_request *request,
			      enum passdb_result result)
{
	switch (result) {
	case PASSDB_RESULT_OK:
		i_unreached();
	case PASSDB_RESULT_PASSWORD_MISMATCH:
		auth_request_fail(request, "Password mismatch");
		break;
	case PASSDB_RESULT_USER_UNKNOWN:
		auth_request_fail(request, "Unknown user");
		break;
	case PASSDB_RESULT_USER_DISABLED:
		request->user_disabled = true;
		auth_request_fail(request, "User disabled");
		break;
	case PASSDB_RESULT_SCHEME_NOT_AVAILABLE:
		auth_request_fail(request, "Password scheme not available "
					   "for this mechanism");
		break;
	case PASSDB_RESULT_INTERNAL_FAILURE:
		request->internal_failure = true;
		auth_request_fail(request, "Temporary failure (see error log)");
		break;
	}
}

void auth_request_success(struct auth_request *request)
{
	i_assert(!request->finished);
	auth_penalty_note(request->auth, request->info.remote_ip,
			  auth_request_penalty_user(request), true);
	auth_request_log(request, LOG_LEVEL_DEBUG, "Login succeeded");
	request->finished = true;
	request->accept_input = false;
	auth_request_reply(request, AUTH_REPLY_OK, NULL, 0);
	auth_request_unref(request);
}

void auth_request_continue_reply(struct auth_request *request, const void *data,
				 size_t size)
{
	request->accept_input = true;
	auth_request_reply(request, AUTH_REPLY_CONTINUE, data, size);
}

/* ---- usernames ---- */

int auth_request_set_username(struct auth_request *request,
			      const char *username, const char **error_r)
{
	const struct auth_settings *set = request->auth->set;
	const char *user;

	request->original_user = pool_strdup(request->pool, username);
	if (auth_username_normalize(request->pool, set->username_format,
				    set->default_domain, username, &user,
				    error_r) < 0)
		return -1;
	request->user = user;
	return 0;
}

int auth_request_set_login_username(struct auth_request *request,
				    const char *authzid, const char **error_r)
{
	const struct auth_settings *set = request->auth->set;
	const char *login_user;

	if (authzid == NULL || authzid[0] == '\0')
		return 0;
	if (auth_username_normalize(request->pool, set->username_format,
				    set->default_domain, authzid, &login_user,
				    error_r) < 0)
		return -1;
	if (strcmp(login_user, request->user) == 0)
		return 0;
	if (request->auth->master_passdb == NULL) {
		request->authz_failure = true;
		*error_r = "Authorization identity given but master users "
			   "are not configured";
		return -1;
	}
	request->master_user = request->user;
	request->user = login_user;
	return 0;
}

/* ---- work on the thread pool ---- */

static void auth_request_work_cb(uv_work_t *work)
{
	struct auth_request *request =
		CONTAINER_OF(work, struct auth_request, work);

	request->work_func(request);
}

static void auth_request_after_work_cb(uv_work_t *work, int status)
{
	struct auth_request *request =
		CONTAINER_OF(work, struct auth_request, work);

	request->in_work = false;
	request->auth->n_work--;
	if (!request->aborted)
		request->work_done(request);
	auth_request_unref(request);
}

static void auth_request_queue_work_now(struct auth_request *request)
{
	request->delayed = false;
	if (request->aborted) {
		auth_request_unref(request);
		return;
	}
	request->in_work = true;
	request->work_result = PASSDB_RESULT_INTERNAL_FAILURE;
	if (request->auth->loop == NULL) {
		request->work_func(request);
		request->in_work = false;
		if (!request->aborted)
			request->work_done(request);
		auth_request_unref(request);
		return;
	}
	request->auth->n_work++;
	if (uv_queue_work(request->auth->loop, &request->work,
			  auth_request_work_cb,
			  auth_request_after_work_cb) != 0)
		panic("uv_queue_work() failed");
}

/* Runs func on the thread pool and done on the loop, after the user's
   penalty delay (the IP's was waited at the start). */
static void auth_request_queue_work(struct auth_request *request,
				    void (*func)(struct auth_request *),
				    void (*done)(struct auth_request *))
{
	unsigned int delay = 0;

	request->work_func = func;
	request->work_done = done;
	auth_request_ref(request);
	if (!request->info.no_penalty)
		delay = auth_penalty_get_delay_msecs(
			request->auth->penalty, NULL,
			auth_request_penalty_user(request), time(NULL));
	if (delay == 0) {
		auth_request_queue_work_now(request);
		return;
	}
	request->delayed = true;
	auth_delay_add(request->auth, request, delay,
		       auth_request_queue_work_now);
}

static void auth_request_work_log(struct auth_request *request,
				  const char *what, const char *error)
{
	/* log_msg is thread-safe: one write() per line */
	auth_request_log(request, LOG_LEVEL_ERROR, "%s: %s", what, error);
}

/* Looks up whoever authenticates: a master user in the master passdb,
   else the user in the passdb. */
static enum passdb_result
auth_request_lookup_authn(struct auth_request *request, struct auth_user *rec_r)
{
	struct auth *auth = request->auth;
	struct auth_db *db = request->master_user != NULL ? auth->master_passdb
							  : auth->passdb;
	const char *error;
	int ret;

	ret = auth_db_lookup(db, request->pool,
			     auth_request_penalty_user(request), rec_r, &error);
	if (ret < 0) {
		auth_request_work_log(request, "passdb lookup failed", error);
		return PASSDB_RESULT_INTERNAL_FAILURE;
	}
	return ret == 0 ? PASSDB_RESULT_USER_UNKNOWN : PASSDB_RESULT_OK;
}

/* The user logged into must exist and be enabled; with a master user it
   is looked up on its own. */
static enum passdb_result
auth_request_lookup_target(struct auth_request *request,
			   const struct auth_user *authn)
{
	const char *error;
	int ret;

	if (request->master_user == NULL) {
		request->record = *authn;
	} else {
		ret = auth_db_lookup(request->auth->passdb, request->pool,
				     request->user, &request->record, &error);
		if (ret < 0) {
			auth_request_work_log(request, "passdb lookup failed",
					      error);
			return PASSDB_RESULT_INTERNAL_FAILURE;
		}
		if (ret == 0)
			return PASSDB_RESULT_USER_UNKNOWN;
	}
	request->have_record = true;
	return request->record.disabled ? PASSDB_RESULT_USER_DISABLED
					: PASSDB_RESULT_OK;
}

static enum passdb_result
auth_request_check_password(struct auth_request *request,
			    const struct auth_user *rec, const char *password)
{
	unsigned char key[AUTH_CACHE_KEY_SIZE];
	struct auth_cache *cache = request->auth->cache;
	const char *error;
	int ret;

	if (rec->password[0] == '\0' || rec->password[0] == '!')
		return PASSDB_RESULT_PASSWORD_MISMATCH;
	auth_cache_key(cache, rec->name, rec->password, password, key);
	if (auth_cache_lookup(cache, key, time(NULL)))
		return PASSDB_RESULT_OK;
	ret = password_verify(password, rec->name, rec->password, &error);
	if (ret < 0) {
		auth_request_work_log(request, "Invalid password in passdb",
				      error);
		return PASSDB_RESULT_INTERNAL_FAILURE;
	}
	if (ret == 0)
		return PASSDB_RESULT_PASSWORD_MISMATCH;
	auth_cache_insert(cache, key, time(NULL));
	return PASSDB_RESULT_OK;
}

static void auth_request_verify_plain_work(struct auth_request *request)
{
	struct auth_user rec;
	enum passdb_result result;

	result = auth_request_lookup_authn(request, &rec);
	if (result == PASSDB_RESULT_OK)
		result = auth_request_check_password(request, &rec,
						     request->work_password);
	if (result == PASSDB_RESULT_OK)
		result = auth_request_lookup_target(request, &rec);
	sodium_memzero(request->work_password, strlen(request->work_password));
	request->work_result = result;
}

static void auth_request_verify_done(struct auth_request *request)
{
	request->callback.verify(request, request->work_result);
}

void auth_request_verify_plain(struct auth_request *request,
			       const char *password,
			       auth_request_verify_callback_t *callback)
{
	request->work_password = pool_strdup(request->pool, password);
	request->callback.verify = callback;
	auth_request_queue_work(request, auth_request_verify_plain_work,
				auth_request_verify_done);
}

static bool auth_scheme_is_plain(const char *scheme)
{
	return strcmp(scheme, "PLAIN") == 0 || strcmp(scheme, "CLEAR") == 0 ||
	       strcmp(scheme, "CLEARTEXT") == 0;
}

/* SCRAM keys from a cleartext password, with a fresh salt. */
static const char *auth_request_scram_from_plain(struct auth_request *request,
						 const char *scheme,
						 const char *password)
{
	const struct scram_hash *hash = strcmp(scheme, "SCRAM-SHA-1") == 0
						? &scram_hash_sha1
						: &scram_hash_sha256;
	struct scram_credentials cred;
	unsigned char salt[16];
	string_t *str = str_new(256, 1024);
	const char *result;

	randombytes_buf(salt, sizeof(salt));
	scram_credentials_derive(hash, password, salt, sizeof(salt),
				 SCRAM_DEFAULT_ITERATIONS, &cred);
	scram_credentials_append(hash, &cred, str);
	result = pool_strdup(request->pool, str_c(str));
	str_free(&str);
	return result;
}

static void auth_request_credentials_work(struct auth_request *request)
{
	const char *scheme, *data;
	struct auth_user rec;
	enum passdb_result result;

	result = auth_request_lookup_authn(request, &rec);
	if (result == PASSDB_RESULT_OK) {
		password_split(request->pool, rec.password, &scheme, &data);
		if (strcmp(scheme, request->work_scheme) == 0 ||
		    (auth_scheme_is_plain(scheme) &&
		     auth_scheme_is_plain(request->work_scheme)))
			request->work_credentials = data;
		else if (auth_scheme_is_plain(scheme) &&
			 str_begins(request->work_scheme, "SCRAM-SHA-"))
			request->work_credentials =
				auth_request_scram_from_plain(
					request, request->work_scheme, data);
		else
			result = PASSDB_RESULT_SCHEME_NOT_AVAILABLE;
	}
	if (result == PASSDB_RESULT_OK)
		result = auth_request_lookup_target(request, &rec);
	request->work_result = result;
}

static void auth_request_credentials_done(struct auth_request *request)
{
	request->callback.credentials(request, request->work_result,
				      request->work_result == PASSDB_RESULT_OK
					      ? request->work_credentials
					      : NULL);
}

void auth_request_lookup_credentials(
	struct auth_request *request, const char *scheme,
	auth_request_credentials_callback_t *callback)
{
	request->work_scheme = pool_strdup(request->pool, scheme);
	request->callback.credentials = callback;
	auth_request_queue_work(request, auth_request_credentials_work,
				auth_request_credentials_done);
}

static void auth_request_lookup_user_work(struct auth_request *request)
{
	struct auth_user rec;
	enum passdb_result result;

	result = auth_request_lookup_authn(request, &rec);
	if (result == PASSDB_RESULT_OK)
		result = auth_request_lookup_target(request, &rec);
	request->work_result = result;
}

void auth_request_lookup_user(struct auth_request *request,
			      auth_request_verify_callback_t *callback)
{
	/* no password: a master user can't be involved */
	request->master_user = NULL;
	request->callback.verify = callback;
	auth_request_queue_work(request, auth_request_lookup_user_work,
				auth_request_verify_done);
}

/* ---- driving the mechanism ---- */

static bool auth_ip_is_loopback(const char *ip)
{
	return ip != NULL &&
	       (str_begins(ip, "127.") || strcmp(ip, "::1") == 0 ||
		str_begins(ip, "::ffff:127."));
}

/* Plaintext is fine with TLS, from loopback, and from local tools that
   give no remote address at all (doveadm auth test, posternctl): every
   network front end sends rip. */
static bool auth_request_plaintext_allowed(struct auth_request *request)
{
	const char *rip = request->info.remote_ip;

	return request->auth->set->allow_plaintext || request->info.secured ||
	       rip == NULL || rip[0] == '\0' || auth_ip_is_loopback(rip);
}

/* Decodes base64 into a pool copy. Returns -1 for invalid base64. */
static int auth_request_decode(struct auth_request *request, const char *b64,
			       const unsigned char **data_r, size_t *size_r)
{
	buffer_t buf;

	buffer_init(&buf, AUTH_PROTOCOL_MAX_LINE);
	if (auth_base64_decode(&buf, b64, strlen(b64)) < 0) {
		buffer_deinit(&buf);
		return -1;
	}
	*data_r = buf.used > 0
			  ? pool_memdup(request->pool, buf.data, buf.used + 1)
			  : (const unsigned char *)"";
	*size_r = buf.used;
	sodium_memzero(buf.data, buf.used);
	buffer_deinit(&buf);
	return 0;
}

static void auth_request_begin(struct auth_request *request)
{
	const unsigned char *data = NULL;
	size_t size = 0;

	request->delayed = false;
	if (request->aborted) {
		/* the client went away during the penalty delay */
	} else if (request->info.initial_resp != NULL &&
		   auth_request_decode(request, request->info.initial_resp,
				       &data, &size) < 0) {
		auth_request_fail(request,
				  "Invalid base64 data in initial response");
	} else if (data != NULL || request->mech->server_first) {
		request->initial_done = true;
		request->mech->auth_initial(request, data, size);
	} else {
		auth_request_continue_reply(request, "", 0);
	}
	auth_request_unref(request);
}

static int auth_request_decode_cbind(struct auth_request *request)
{
	const char *b64 = request->info.cbind_tls_exporter;

	if (b64 == NULL)
		return 0;
	return auth_request_decode(request, b64, &request->cbind_data,
				   &request->cbind_size);
}

void auth_request_start(struct auth_request *request)
{
	struct auth *auth = request->auth;
	time_t now = time(NULL);
	unsigned int delay = 0;

	if ((request->mech->flags & AUTH_MECH_FLAG_PLAINTEXT) != 0 &&
	    !auth_request_plaintext_allowed(request)) {
		auth_request_refuse(request,
				    "Plaintext authentication disallowed on "
				    "non-secure (SSL/TLS) connections.",
				    false);
		return;
	}
	if (auth_request_decode_cbind(request) < 0 ||
	    (request->mech->channel_binding && request->cbind_data == NULL)) {
		auth_request_refuse(request, "Channel binding unavailable",
				    false);
		return;
	}
	if (!request->info.no_penalty) {
		if (auth_penalty_is_blocked(auth->penalty,
					    request->info.remote_ip, now)) {
			auth_request_refuse(request,
					    "Too many failed authentication "
					    "attempts; try again later",
					    true);
			return;
		}
		delay = auth_penalty_get_delay_msecs(
			auth->penalty, request->info.remote_ip, NULL, now);
	}
	auth_request_ref(request);
	request->delayed = delay > 0;
	auth_delay_add(auth, request, delay, auth_request_begin);
}

void auth_request_continue(struct auth_request *request, const char *b64)
{
	const unsigned char *data;
	size_t size;

	if (request->finished || request->aborted)
		return;
	if (!request->accept_input) {
		/* also while a lookup runs: the client broke the exchange */
		auth_request_refuse(request, "Unexpected continuation", false);
		request->aborted = true;
		return;
	}
	request->accept_input = false;
	auth_request_ref(request);
	if (auth_request_decode(request, b64, &data, &size) < 0) {
		auth_request_fail(request,
				  "Invalid base64 data in continued response");
	} else if (!request->initial_done) {
		request->initial_done = true;
		request->mech->auth_initial(request, data, size);
	} else {
		request->mech->auth_continue(request, data, size);
	}
	auth_request_unref(request);
}
