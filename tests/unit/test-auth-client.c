#include "test-common.h"

#include "auth.h"
#include "auth-base64.h"
#include "auth-client.h"
#include "auth-master-client.h"
#include "auth-server.h"
#include "config.h"
#include "conn.h"
#include "listener.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The client libraries against the real socket servers, all on one loop:
   what an IMAP/POP3/LMTP worker does. */

static char dir[64];
static uv_loop_t loop;
static struct pool *pool;
static struct auth_settings set;
static struct auth_server server;
static struct listener *client_listener, *userdb_listener;

struct result {
	int n_calls;
	enum auth_client_result_type type;
	char user[64];
	char challenge[64];
	bool temp;
	int lookup;
	char home[64];
};

static void stop_loop_cb(uv_timer_t *timer)
{
	uv_stop(timer->loop);
}

/* Runs the loop until a (and b, if given) got a callback, for at most
   five seconds. */
static void run_until(const struct result *a, const struct result *b)
{
	uv_timer_t timer;

	uv_timer_init(&loop, &timer);
	uv_timer_start(&timer, stop_loop_cb, 10, 10);
	for (int i = 0;
	     i < 500 && (a->n_calls == 0 || (b != NULL && b->n_calls == 0));
	     i++)
		uv_run(&loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&timer, NULL);
	uv_run(&loop, UV_RUN_NOWAIT);
}

static int bind_socket(const char *name)
{
	struct listen_addr addr = {
		.unix_path = pool_printf(pool, "%s/%s", dir, name),
	};
	const char *error;

	return listen_addr_bind(&addr, 0600, &error);
}

static int setup(void **state)
{
	static const struct setting_def no_defs[] = { SETTING_DEFS_END };
	struct setting_section top = { NULL, no_defs, NULL };
	struct setting_section section = { "auth", auth_setting_defs, &set };
	struct setting_section *const sections[] = { &top, &section, NULL };
	const char *error;
	char path[128];
	FILE *f;

	if (sodium_init() < 0)
		return -1;
	str_copy(dir, "/tmp/postern-test-client-XXXXXX", sizeof(dir));
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/users", dir);
	f = fopen(path, "w");
	fputs("alice:{PLAIN}secret::::/home/alice\n", f);
	fclose(f);
	pool = pool_create("test", 0);
	config_set_defaults(sections, pool);
	set.passdb = "passwd-file:users";
	set.failure_delay = 0;
	uv_loop_init(&loop);
	if (auth_init(&server.auth, &loop, &set, dir, &error) < 0)
		return -1;
	client_listener =
		listener_create(&loop, bind_socket("auth-client"), true,
				&auth_client_conn_settings, NULL,
				auth_client_connection_accept, &server);
	userdb_listener =
		listener_create(&loop, bind_socket("auth-userdb"), true,
				&auth_master_conn_settings, NULL,
				auth_master_connection_accept, &server);
	return 0;
}

static void close_walk_cb(uv_handle_t *handle, void *arg)
{
	if (!uv_is_closing(handle))
		uv_close(handle, NULL);
}

static int teardown(void **state)
{
	char cmd[128];

	listener_destroy(&client_listener);
	listener_destroy(&userdb_listener);
	auth_server_close_all(&server);
	uv_run(&loop, UV_RUN_DEFAULT);
	auth_deinit(&server.auth);
	uv_walk(&loop, close_walk_cb, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop) != 0)
		return -1;
	pool_destroy(&pool);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void auth_cb(struct auth_client_request *request,
		    const struct auth_client_result *res, void *context)
{
	struct result *r = context;

	r->n_calls++;
	r->type = res->type;
	r->temp = res->temp;
	str_copy(r->user, res->user ?: "", sizeof(r->user));
	str_copy(r->challenge, res->challenge ?: "", sizeof(r->challenge));
}

static const char *path(const char *name)
{
	return pool_printf(pool, "%s/%s", dir, name);
}

static void test_plain_and_login(void **state)
{
	struct auth_client *client =
		auth_client_create(&loop, path("auth-client"));
	struct auth_client_request_params params = {
		.mech = "PLAIN",
		.service = "imap",
		.secured = true,
		.remote_ip = "127.0.0.1",
		.remote_port = 5000,
		.initial_resp = "AGFsaWNlAHNlY3JldA==", /* \0alice\0secret */
	};
	struct result r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
	struct auth_client_request *req;

	/* two at once before the connection is up */
	auth_client_request_start(client, &params, auth_cb, &r1);
	params.initial_resp = "AGFsaWNlAHdyb25n"; /* \0alice\0wrong */
	auth_client_request_start(client, &params, auth_cb, &r2);
	run_until(&r1, &r2);
	assert_int_equal(r1.type, AUTH_CLIENT_RESULT_OK);
	assert_string_equal(r1.user, "alice");
	assert_int_equal(r2.type, AUTH_CLIENT_RESULT_FAIL);
	assert_true(auth_client_is_connected(client));
	assert_non_null(strstr(auth_client_get_mechs(client), "SCRAM-SHA-256"));
	assert_true(auth_client_mech_is_usable(client, "PLAIN", true, false));
	assert_false(auth_client_mech_is_usable(client, "PLAIN", false, false));
	assert_true(auth_client_mech_is_usable(client, "SCRAM-SHA-256", false,
					       false));
	assert_false(auth_client_mech_is_usable(client, "NTLM", true, true));

	/* LOGIN with continuations */
	params.mech = "LOGIN";
	params.initial_resp = NULL;
	req = auth_client_request_start(client, &params, auth_cb, &r3);
	run_until(&r3, NULL);
	assert_int_equal(r3.type, AUTH_CLIENT_RESULT_CONTINUE);
	assert_string_equal(r3.challenge, "VXNlcm5hbWU6"); /* Username: */
	auth_client_request_continue(req, "YWxpY2U=");
	r3.n_calls = 0;
	run_until(&r3, NULL);
	assert_string_equal(r3.challenge, "UGFzc3dvcmQ6"); /* Password: */
	auth_client_request_continue(req, "c2VjcmV0");
	r3.n_calls = 0;
	run_until(&r3, NULL);
	assert_int_equal(r3.type, AUTH_CLIENT_RESULT_OK);

	/* abort: no callback after it */
	r3.n_calls = 0;
	req = auth_client_request_start(client, &params, auth_cb, &r3);
	run_until(&r3, NULL);
	auth_client_request_abort(&req);
	assert_null(req);
	auth_client_free(&client);
	uv_run(&loop, UV_RUN_NOWAIT);
}

static void lookup_cb(int result, const char *user, char *const *fields,
		      void *context)
{
	struct result *r = context;

	r->n_calls++;
	r->lookup = result;
	str_copy(r->user, user ?: "", sizeof(r->user));
	str_copy(r->home, auth_master_field(fields, "home") ?: "",
		 sizeof(r->home));
}

static void test_userdb_lookup(void **state)
{
	struct auth_master_client *client =
		auth_master_client_create(&loop, path("auth-userdb"));
	struct result r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
	struct auth_master_lookup *lookup;

	auth_master_user_lookup(client, "ALICE", "lmtp", lookup_cb, &r1);
	auth_master_user_lookup(client, "nobody", "lmtp", lookup_cb, &r2);
	lookup = auth_master_user_lookup(client, "alice", "lmtp", lookup_cb,
					 &r3);
	auth_master_lookup_abort(&lookup);
	run_until(&r1, &r2);
	assert_int_equal(r1.lookup, 1);
	assert_string_equal(r1.user, "alice");
	assert_string_equal(r1.home, "/home/alice");
	assert_int_equal(r2.lookup, 0);
	assert_int_equal(r3.n_calls, 0);
	auth_master_client_free(&client);
	uv_run(&loop, UV_RUN_NOWAIT);
}

static void ready_cb(void *context)
{
	((struct result *)context)->n_calls++;
}

static void test_connect_ready(void **state)
{
	struct auth_client *client =
		auth_client_create(&loop, path("auth-client"));
	struct auth_client *nowhere =
		auth_client_create(&loop, path("nonexistent"));
	struct result r = { 0 }, n = { 0 }, again = { 0 };

	/* no request: the handshake alone, then the callback */
	auth_client_connect(client, ready_cb, &r);
	auth_client_connect(nowhere, ready_cb, &n);
	assert_int_equal(r.n_calls, 0);
	run_until(&r, &n);
	assert_int_equal(r.n_calls, 1);
	assert_true(auth_client_is_connected(client));
	assert_non_null(strstr(auth_client_get_mechs(client), "PLAIN"));
	assert_false(auth_client_mech_is_private(client, "PLAIN"));
	assert_true(auth_mech_needs_tls("SCRAM-SHA-256-PLUS"));
	assert_false(auth_mech_needs_tls("SCRAM-SHA-256"));
	/* a failed connect calls back too, and says so */
	assert_int_equal(n.n_calls, 1);
	assert_false(auth_client_is_connected(nowhere));
	/* already connected: at once */
	auth_client_connect(client, ready_cb, &again);
	assert_int_equal(again.n_calls, 1);
	auth_client_free(&client);
	auth_client_free(&nowhere);
	uv_run(&loop, UV_RUN_NOWAIT);
}

static void test_unreachable_socket(void **state)
{
	struct auth_client *client =
		auth_client_create(&loop, path("nonexistent"));
	struct auth_master_client *master =
		auth_master_client_create(&loop, path("nonexistent"));
	struct auth_client_request_params params = {
		.mech = "PLAIN",
		.service = "imap",
		.initial_resp = "AA==",
	};
	struct result r = { 0 }, m = { 0 };

	auth_client_request_start(client, &params, auth_cb, &r);
	auth_master_user_lookup(master, "alice", "lmtp", lookup_cb, &m);
	run_until(&r, &m);
	assert_int_equal(r.type, AUTH_CLIENT_RESULT_FAIL);
	assert_true(r.temp);
	assert_int_equal(m.lookup, -1);
	auth_client_free(&client);
	auth_master_client_free(&master);
	uv_run(&loop, UV_RUN_NOWAIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_login),
		cmocka_unit_test(test_userdb_lookup),
		cmocka_unit_test(test_connect_ready),
		cmocka_unit_test(test_unreachable_socket),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
