#ifndef POSTERN_AUTH_REQUEST_H
#define POSTERN_AUTH_REQUEST_H

/* One SASL exchange: what the client connection started with AUTH, driven
   by its mechanism, answered through the reply callback. Password
   verification and credential lookups run on the libuv thread pool; while
   one runs, the loop thread touches nothing of the request but its
   flags.

   Lifetime: the owner (a client connection) creates the request, feeds it
   input, and gets replies through its callback. After the final reply
   (OK or FAIL) the request frees itself once the callback returns. An
   owner that goes away calls auth_request_abort(): no callback runs
   after that, and the request is freed when its pending work ends. */

#include "auth-protocol.h"
#include "auth-db.h"
#include "log.h"

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct auth;
struct sasl_mech;

enum auth_reply {
	AUTH_REPLY_CONTINUE,
	AUTH_REPLY_OK,
	AUTH_REPLY_FAIL,
};

enum passdb_result {
	PASSDB_RESULT_OK,
	PASSDB_RESULT_PASSWORD_MISMATCH,
	PASSDB_RESULT_USER_UNKNOWN,
	PASSDB_RESULT_USER_DISABLED,
	PASSDB_RESULT_SCHEME_NOT_AVAILABLE,
	PASSDB_RESULT_INTERNAL_FAILURE,
};

struct auth_request;

/* CONTINUE carries a challenge; OK may carry final server data (none of
   ours does); FAIL carries nothing: see the request's fail fields. */
typedef void auth_request_reply_callback_t(struct auth_request *request,
					   enum auth_reply reply,
					   const unsigned char *data,
					   size_t size, void *context);
typedef void auth_request_verify_callback_t(struct auth_request *request,
					    enum passdb_result result);
/* credentials: the stored data for the scheme asked for, without the
   {SCHEME} prefix; NULL unless result is OK. */
typedef void auth_request_credentials_callback_t(struct auth_request *request,
						 enum passdb_result result,
						 const char *credentials);

struct auth_request {
	struct pool *pool;
	struct auth *auth;
	const struct sasl_mech *mech;
	/* the mechanism's state, from pool */
	void *mech_ctx;
	struct auth_request_info info;
	/* decoded tls-exporter data, or NULL */
	const unsigned char *cbind_data;
	size_t cbind_size;

	/* normalized name that logs in; NULL until the mechanism knows */
	const char *user;
	/* as the client sent it */
	const char *original_user;
	/* the master user that authenticated for user, or NULL */
	const char *master_user;
	/* the passdb record after a successful lookup */
	struct auth_user record;
	bool have_record;

	/* for the FAIL line */
	const char *fail_reason;
	bool internal_failure;
	bool authz_failure;
	bool user_disabled;

	/* ---- private to auth-request.c ---- */
	auth_request_reply_callback_t *reply_callback;
	void *context;
	uv_work_t work;
	void (*work_func)(struct auth_request *request);
	void (*work_done)(struct auth_request *request);
	union {
		auth_request_verify_callback_t *verify;
		auth_request_credentials_callback_t *credentials;
	} callback;
	char *work_password;
	const char *work_scheme;
	const char *work_credentials;
	enum passdb_result work_result;
	/* monotonic msecs of the last CONTINUE, for request_timeout */
	uint64_t waiting_since_msecs;
	bool initial_done;
	bool accept_input;
	bool in_work;
	bool delayed;
	bool finished;
	bool aborted;
	unsigned int refcount;
};

/* A request for mech with the parsed AUTH parameters (copied). */
struct auth_request *auth_request_new(struct auth *auth,
				      const struct sasl_mech *mech,
				      const struct auth_request_info *info,
				      auth_request_reply_callback_t *callback,
				      void *context);
/* Applies the plaintext and penalty rules, decodes the initial response
   and starts the mechanism (possibly after a penalty delay). */
void auth_request_start(struct auth_request *request);
/* Input from CONT (base64, as received). */
void auth_request_continue(struct auth_request *request, const char *b64);
/* The owner is gone; see the lifetime note above. */
void auth_request_abort(struct auth_request *request);
/* True while the request waits for client input (after a CONTINUE). */
bool auth_request_wants_input(const struct auth_request *request);
/* True when it has waited for the client longer than request_timeout. */
bool auth_request_is_timed_out(const struct auth_request *request,
			       uint64_t now_msecs);

/* ---- for mechanisms ---- */

/* Sets the authenticating user from a client-supplied name, normalized by
   username_format. Returns 0, or -1 with *error_r (then fail). */
int auth_request_set_username(struct auth_request *request,
			      const char *username, const char **error_r);
/* An authorization identity: "" or the user itself changes nothing;
   another name makes the authenticated user a master user logging in as
   authzid, allowed only with a master passdb. Returns 0, or -1 with
   *error_r (the request is then marked as an authz failure). */
int auth_request_set_login_username(struct auth_request *request,
				    const char *authzid, const char **error_r);
/* Verifies password for the user (or its master user) on the thread
   pool; callback runs on the loop. */
void auth_request_verify_plain(struct auth_request *request,
			       const char *password,
			       auth_request_verify_callback_t *callback);
/* Fetches the stored credentials of scheme (e.g. "SCRAM-SHA-256"),
   deriving SCRAM keys from a {PLAIN} password when needed. */
void auth_request_lookup_credentials(
	struct auth_request *request, const char *scheme,
	auth_request_credentials_callback_t *callback);
/* Checks that the user exists and may log in, without a password
   (EXTERNAL, OAUTHBEARER). */
void auth_request_lookup_user(struct auth_request *request,
			      auth_request_verify_callback_t *callback);

void auth_request_continue_reply(struct auth_request *request, const void *data,
				 size_t size);
void auth_request_success(struct auth_request *request);
/* Fails with the reason a passdb result implies (penalty, temp, ...). */
void auth_request_fail_result(struct auth_request *request,
			      enum passdb_result result);
/* Fails a malformed exchange; reason goes to the log (sanitized). */
void auth_request_fail(struct auth_request *request, const char *reason);

/* Logs with the request's context (service, user, rip, session). */
void auth_request_log(struct auth_request *request, enum log_level level,
		      const char *fmt, ...) ATTR_FORMAT(3, 4);

#endif
