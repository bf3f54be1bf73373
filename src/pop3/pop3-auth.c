#include "pop3-auth.h"
#include "array.h"
#include "auth-base64.h"
#include "auth-client.h"
#include "auth-master-client.h"
#include "pool.h"
#include "pop3-parse.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long greetings wait for the auth process at most (then logins fail
   with [SYS/TEMP]). */
#define POP3_AUTH_WAIT_MAX_MSECS 5000
/* Connection attempts to an auth socket that isn't there yet. */
#define POP3_AUTH_RECONNECT_MSECS 500
/* After this many failed logins the session is closed. */
#define POP3_AUTH_MAX_FAILURES 3
/* RFC 1939 doesn't limit user names; the auth process does. */
#define POP3_USER_NAME_MAX_LEN 255

#define POP3_PLAINTEXT_DISALLOWED                                   \
	"[AUTH] Plaintext authentication disallowed on non-secure " \
	"(SSL/TLS) connections."

static struct auth_client *pop3_auth_client;
static struct auth_master_client *pop3_userdb_client;
static uv_timer_t pop3_auth_wait_timer;
static bool pop3_auth_wait_timer_initialized;
static uint64_t pop3_auth_last_connect;
static ARRAY(struct pop3_client *) pop3_auth_waiters;

/* ---- Greeting after the auth handshake ---- */

/* The greeting names the mechanisms (CAPA, APOP's timestamp), which the
   auth process tells at its handshake: a session waits for it, at most
   POP3_AUTH_WAIT_MAX_MSECS. */

static void pop3_auth_greet(struct pop3_client *client)
{
	pop3_client_enter(client);
	client->greeting_pending = false;
	pop3_client_send_greeting(client);
	pop3_client_leave(client);
}

/* Greets the waiting sessions: all when the auth handshake has ended (or
   failed), else those that waited too long. */
static void pop3_auth_greet_waiters(bool all)
{
	uint64_t now = uv_now(pop3_env->loop);

	for (size_t i = 0; i < pop3_auth_waiters.count;) {
		struct pop3_client *client = pop3_auth_waiters.v[i];

		if (!all &&
		    now - client->connect_msecs < POP3_AUTH_WAIT_MAX_MSECS) {
			i++;
			continue;
		}
		array_delete(&pop3_auth_waiters, i);
		pop3_auth_greet(client);
	}
	if (pop3_auth_waiters.count == 0)
		uv_timer_stop(&pop3_auth_wait_timer);
}

static void pop3_auth_ready_cb(void *context)
{
	pop3_auth_greet_waiters(true);
}

static void pop3_auth_wait_timer_cb(uv_timer_t *timer)
{
	pop3_auth_greet_waiters(false);
}

/* Connects to the auth process unless that was just tried. */
static void pop3_auth_connect(void)
{
	uint64_t now = uv_now(pop3_env->loop);

	if (pop3_auth_last_connect != 0 &&
	    now - pop3_auth_last_connect < POP3_AUTH_RECONNECT_MSECS) {
		/* too soon: don't leave the waiters to the timeout alone */
		uv_timer_start(&pop3_auth_wait_timer, pop3_auth_wait_timer_cb,
			       POP3_AUTH_RECONNECT_MSECS, 0);
		return;
	}
	pop3_auth_last_connect = now;
	auth_client_connect(pop3_auth_client, pop3_auth_ready_cb, NULL);
}

static bool pop3_auth_ready(void)
{
	return pop3_auth_client == NULL ||
	       auth_client_is_connected(pop3_auth_client);
}

void pop3_auth_greet_when_ready(struct pop3_client *client)
{
	if (pop3_auth_ready()) {
		pop3_client_send_greeting(client);
		return;
	}
	client->greeting_pending = true;
	array_push(&pop3_auth_waiters, client);
	if (!uv_is_active((uv_handle_t *)&pop3_auth_wait_timer))
		uv_timer_start(&pop3_auth_wait_timer, pop3_auth_wait_timer_cb,
			       POP3_AUTH_WAIT_MAX_MSECS, 0);
	pop3_auth_connect();
}

static void pop3_auth_wait_remove(struct pop3_client *client)
{
	for (size_t i = 0; i < pop3_auth_waiters.count; i++) {
		if (pop3_auth_waiters.v[i] == client) {
			array_delete(&pop3_auth_waiters, i);
			break;
		}
	}
	client->greeting_pending = false;
	if (pop3_auth_waiters.count == 0)
		uv_timer_stop(&pop3_auth_wait_timer);
}

void pop3_auth_abort(struct pop3_client *client)
{
	if (client->greeting_pending)
		pop3_auth_wait_remove(client);
	if (client->auth_request != NULL)
		auth_client_request_abort(&client->auth_request);
	if (client->userdb_lookup != NULL)
		auth_master_lookup_abort(&client->userdb_lookup);
}

/* ---- Policy ---- */

bool pop3_auth_plaintext_allowed(struct pop3_client *client)
{
	return pop3_env->allow_plaintext || conn_is_secured(client->conn);
}

/* Mechanisms the auth process offers to our own commands only (APOP). */
static bool pop3_auth_mech_is_private(const char *mech)
{
	return auth_client_mech_is_private(pop3_auth_client, mech);
}

static bool pop3_auth_mech_usable(struct pop3_client *client, const char *mech)
{
	return !pop3_auth_mech_is_private(mech) &&
	       (!auth_mech_needs_tls(mech) || conn_is_tls(client->conn)) &&
	       auth_client_mech_is_usable(pop3_auth_client, mech,
					  conn_is_secured(client->conn),
					  pop3_env->allow_plaintext);
}

const char *pop3_auth_apop_challenge(struct pop3_client *client)
{
	if (pop3_auth_client == NULL ||
	    !auth_client_mech_is_usable(pop3_auth_client, "APOP", true, true))
		return NULL;
	/* RFC 1939 §7: unique per connection; the session id is random */
	client->apop_challenge = pool_printf(
		client->pool, "<%ld.%s.%ld@%s>", (long)getpid(),
		client->session_id, (long)time(NULL), pop3_env->hostname);
	return client->apop_challenge;
}

void pop3_auth_append_mechs(struct pop3_client *client, string_t *dest)
{
	char **mechs;

	if (pop3_auth_client == NULL)
		return;
	mechs = str_split(client->cmd_pool,
			  auth_client_get_mechs(pop3_auth_client), " ");
	for (unsigned int i = 0; mechs[i] != NULL; i++) {
		if (mechs[i][0] != '\0' &&
		    pop3_auth_mech_usable(client, mechs[i])) {
			str_append_c(dest, ' ');
			str_append(dest, mechs[i]);
		}
	}
}

/* ---- The userdb lookup after a successful authentication ---- */

static void pop3_auth_userdb_cb(int result, const char *user,
				char *const *fields, void *context)
{
	struct pop3_client *client = context;

	pop3_client_enter(client);
	client->userdb_lookup = NULL;
	if (result < 0) {
		pop3_client_err(client,
				"[SYS/TEMP] Temporary user lookup failure.");
		pop3_client_command_end(client);
	} else if (result == 0) {
		log_msg(LOG_LEVEL_ERROR, &client->log,
			"Authenticated user %s has no userdb entry", user);
		pop3_client_err(client, "[SYS/PERM] User has no mailbox.");
		pop3_client_command_end(client);
	} else {
		pop3_login_open(client, user, auth_master_field(fields, "home"),
				auth_master_field(fields, "mail"));
	}
	pop3_client_leave(client);
}

static void pop3_auth_succeeded(struct pop3_client *client, const char *user)
{
	if (pop3_userdb_client == NULL) {
		pop3_login_open(client, user, NULL, NULL);
		return;
	}
	client->userdb_lookup = auth_master_user_lookup(
		pop3_userdb_client, user, "pop3", pop3_auth_userdb_cb, client);
}

/* ---- The SASL exchange ---- */

static const char *pop3_auth_fail_text(struct pop3_client *client,
				       const struct auth_client_result *result)
{
	char reason[128];

	if (result->temp)
		return "[SYS/TEMP] Temporary authentication failure.";
	if (result->user_disabled)
		return "[AUTH] Account is disabled.";
	if (result->authz)
		return "[AUTH] Authorization failed.";
	if (result->reason != NULL && result->reason[0] != '\0') {
		log_sanitize(reason, sizeof(reason), result->reason,
			     strlen(result->reason));
		return pool_printf(client->cmd_pool, "[AUTH] %s", reason);
	}
	return "[AUTH] Authentication failed.";
}

static void pop3_auth_failed(struct pop3_client *client,
			     const struct auth_client_result *result)
{
	pop3_client_err(client, pop3_auth_fail_text(client, result));
	if (!result->temp && ++client->auth_failures >= POP3_AUTH_MAX_FAILURES)
		pop3_client_disconnect(client, "Too many authentication "
					       "failures");
	pop3_client_command_end(client);
}

static void pop3_auth_callback(struct auth_client_request *request,
			       const struct auth_client_result *result,
			       void *context)
{
	struct pop3_client *client = context;

	pop3_client_enter(client);
	switch (result->type) {
	case AUTH_CLIENT_RESULT_CONTINUE:
		conn_printf(client->conn, "+ %s\r\n", result->challenge);
		client->sasl_waiting = true;
		conn_input_resume(client->conn);
		break;
	case AUTH_CLIENT_RESULT_OK:
		client->auth_request = NULL;
		pop3_auth_succeeded(client, result->user);
		break;
	case AUTH_CLIENT_RESULT_FAIL:
		client->auth_request = NULL;
		pop3_auth_failed(client, result);
		break;
	}
	pop3_client_leave(client);
}

/* Starts an exchange with mech and a base64 initial response (or NULL);
   the command runs until the auth process answers. */
static void pop3_auth_start(struct pop3_client *client, const char *mech,
			    const char *initial_resp)
{
	struct auth_client_request_params params = {
		.mech = mech,
		.service = "pop3",
		.local_ip = conn_get_local_ip(client->conn),
		.remote_ip = conn_get_remote_ip(client->conn),
		.local_port = conn_get_local_port(client->conn),
		.remote_port = conn_get_remote_port(client->conn),
		.secured = conn_is_secured(client->conn),
		.session_id = client->session_id,
		.initial_resp = initial_resp,
	};
	unsigned char cbind[32];

	if (conn_tls_exporter(client->conn, cbind) == 0) {
		params.cbind_data = cbind;
		params.cbind_size = sizeof(cbind);
	}
	pop3_client_command_begin(client);
	client->auth_request = auth_client_request_start(
		pop3_auth_client, &params, pop3_auth_callback, client);
}

void pop3_auth_sasl_response(struct pop3_client *client, const char *line)
{
	client->sasl_waiting = false;
	conn_input_pause(client->conn);
	if (line != NULL && pop3_parse_is_base64(line)) {
		auth_client_request_continue(client->auth_request, line);
		return;
	}
	auth_client_request_abort(&client->auth_request);
	if (line != NULL && strcmp(line, "*") == 0)
		pop3_client_err(client, "Authentication aborted by client.");
	else
		pop3_client_err(client, "[AUTH] Invalid base64 data in "
					"continued response.");
	pop3_client_command_end(client);
}

/* ---- Commands ---- */

static bool pop3_auth_check_available(struct pop3_client *client)
{
	if (pop3_auth_client == NULL) {
		pop3_client_err(client, "[SYS/TEMP] Authentication isn't "
					"available.");
		return false;
	}
	return true;
}

void pop3_cmd_user(struct pop3_client *client, const char *args)
{
	if (!pop3_auth_check_available(client))
		return;
	if (!pop3_auth_plaintext_allowed(client)) {
		pop3_client_err(client, POP3_PLAINTEXT_DISALLOWED);
		return;
	}
	if (args[0] == '\0' || strlen(args) > POP3_USER_NAME_MAX_LEN) {
		pop3_client_err(client, "Invalid user name.");
		return;
	}
	free(client->user_name);
	client->user_name = xstrdup(args);
	pop3_client_ok(client, NULL);
}

/* base64 of "a\0b\0c" (c of c_size bytes): PLAIN's "\0user\0password"
   (RFC 4616) and APOP's "challenge\0user\0digest" (auth-client.h). */
static string_t *pop3_auth_response3(const char *a, const char *b,
				     const void *c, size_t c_size)
{
	size_t a_len = strlen(a), b_len = strlen(b);
	size_t size = a_len + b_len + c_size + 2;
	unsigned char *raw = xmalloc(size);
	string_t *b64 = str_new(size * 2 + 8, size * 2 + 8);

	memcpy(raw, a, a_len);
	raw[a_len] = '\0';
	memcpy(raw + a_len + 1, b, b_len);
	raw[a_len + 1 + b_len] = '\0';
	memcpy(raw + a_len + b_len + 2, c, c_size);
	auth_base64_encode(b64, raw, size);
	explicit_bzero(raw, size);
	free(raw);
	return b64;
}

/* Starts mech with the response, then wipes it (it held a secret). */
static void pop3_auth_start_wiped(struct pop3_client *client, const char *mech,
				  string_t **response)
{
	pop3_auth_start(client, mech, str_c(*response));
	explicit_bzero((*response)->data, (*response)->alloc);
	str_free(response);
}

void pop3_cmd_pass(struct pop3_client *client, const char *args)
{
	string_t *b64;

	if (!pop3_auth_check_available(client))
		return;
	if (!pop3_auth_plaintext_allowed(client)) {
		pop3_client_err(client, POP3_PLAINTEXT_DISALLOWED);
		return;
	}
	if (client->user_name == NULL) {
		pop3_client_err(client, "No username given.");
		return;
	}
	b64 = pop3_auth_response3("", client->user_name, args, strlen(args));
	/* RFC 1939 §7: after PASS, USER must come again */
	free(client->user_name);
	client->user_name = NULL;
	pop3_auth_start_wiped(client, "PLAIN", &b64);
}

/* AUTH alone: the mechanisms, one a line (as before RFC 5034, which
   clients such as Outlook still send). */
static void pop3_auth_list_mechs(struct pop3_client *client)
{
	string_t *mechs = str_new(128, 4096);
	char **names;

	pop3_auth_append_mechs(client, mechs);
	names = str_split(client->cmd_pool, str_c(mechs), " ");
	pop3_client_ok(client, NULL);
	for (unsigned int i = 0; names[i] != NULL; i++) {
		if (names[i][0] != '\0')
			pop3_client_send_line(client, names[i]);
	}
	pop3_client_send_line(client, ".");
	str_free(&mechs);
}

void pop3_cmd_auth(struct pop3_client *client, const char *args)
{
	char mech[POP3_SASL_MECH_MAX_LEN + 1];
	const char *initial_resp, *error;

	if (!pop3_auth_check_available(client))
		return;
	if ((error = pop3_parse_auth_args(args, mech, &initial_resp)) != NULL) {
		pop3_client_err(client, error);
		return;
	}
	if (mech[0] == '\0') {
		pop3_auth_list_mechs(client);
	} else if (pop3_auth_mech_usable(client, mech)) {
		pop3_auth_start(client, mech, initial_resp);
	} else if (!pop3_auth_mech_is_private(mech) &&
		   auth_client_mech_is_usable(pop3_auth_client, mech, true,
					      true)) {
		pop3_client_err(client, POP3_PLAINTEXT_DISALLOWED);
	} else {
		pop3_client_err(client, "[AUTH] Unsupported authentication "
					"mechanism.");
	}
}

void pop3_cmd_apop(struct pop3_client *client, const char *args)
{
	char name[POP3_APOP_NAME_MAX_LEN + 1];
	unsigned char digest[POP3_APOP_DIGEST_SIZE];
	const char *error;
	string_t *b64;

	if (client->apop_challenge == NULL) {
		pop3_client_err(client, "APOP not enabled.");
		return;
	}
	if ((error = pop3_parse_apop_args(args, name, digest)) != NULL) {
		pop3_client_err(client, error);
		return;
	}
	b64 = pop3_auth_response3(client->apop_challenge, name, digest,
				  sizeof(digest));
	pop3_auth_start_wiped(client, "APOP", &b64);
}

/* ---- Service ---- */

void pop3_auth_init(const struct service_env *env)
{
	uv_timer_init(env->loop, &pop3_auth_wait_timer);
	pop3_auth_wait_timer_initialized = true;
	if (env->auth_client_socket != NULL &&
	    env->auth_client_socket[0] != '\0') {
		pop3_auth_client =
			auth_client_create(env->loop, env->auth_client_socket);
		pop3_auth_connect();
	}
	if (env->auth_userdb_socket != NULL &&
	    env->auth_userdb_socket[0] != '\0')
		pop3_userdb_client = auth_master_client_create(
			env->loop, env->auth_userdb_socket);
}

void pop3_auth_deinit(void)
{
	if (pop3_auth_client != NULL)
		auth_client_free(&pop3_auth_client);
	if (pop3_userdb_client != NULL)
		auth_master_client_free(&pop3_userdb_client);
	if (pop3_auth_wait_timer_initialized) {
		uv_timer_stop(&pop3_auth_wait_timer);
		uv_close((uv_handle_t *)&pop3_auth_wait_timer, NULL);
		pop3_auth_wait_timer_initialized = false;
	}
	array_free(&pop3_auth_waiters);
	pop3_auth_last_connect = 0;
}
