#include "auth-process.h"
#include "auth.h"
#include "auth-cache.h"
#include "auth-server.h"
#include "conn.h"
#include "listener.h"
#include "log.h"

#include <signal.h>
#include <sodium.h>
#include <string.h>

#define AUTH_STOP_POLL_MSECS 50
#define AUTH_SWEEP_MSECS 5000

struct auth_process {
	uv_loop_t *loop;
	struct auth_server server;
	struct listener *client_listener;
	struct listener *userdb_listener;
	uv_signal_t sig_term, sig_int, sig_hup;
	uv_timer_t stop_timer;
	uv_timer_t sweep_timer;
	bool stopping;
};

static void auth_process_close_handles(struct auth_process *proc)
{
	uv_close((uv_handle_t *)&proc->sig_term, NULL);
	uv_close((uv_handle_t *)&proc->sig_int, NULL);
	uv_close((uv_handle_t *)&proc->sig_hup, NULL);
	uv_close((uv_handle_t *)&proc->stop_timer, NULL);
	uv_close((uv_handle_t *)&proc->sweep_timer, NULL);
	conn_loop_deinit();
}

static void auth_process_sweep_cb(uv_timer_t *timer)
{
	struct auth_process *proc =
		CONTAINER_OF(timer, struct auth_process, sweep_timer);

	auth_server_sweep(&proc->server);
}

/* Waits until no connection and no thread pool job is left, so that the
   databases are not closed under a running lookup. */
static void auth_process_stop_timer_cb(uv_timer_t *timer)
{
	struct auth_process *proc =
		CONTAINER_OF(timer, struct auth_process, stop_timer);

	if (proc->server.conns != NULL || proc->server.auth->n_work > 0)
		return;
	uv_timer_stop(timer);
	auth_deinit(&proc->server.auth);
	auth_process_close_handles(proc);
}

static void auth_process_stop(struct auth_process *proc)
{
	if (proc->stopping)
		return;
	proc->stopping = true;
	log_info("stopping");
	uv_timer_stop(&proc->sweep_timer);
	if (proc->client_listener != NULL)
		listener_destroy(&proc->client_listener);
	if (proc->userdb_listener != NULL)
		listener_destroy(&proc->userdb_listener);
	auth_server_close_all(&proc->server);
	uv_timer_start(&proc->stop_timer, auth_process_stop_timer_cb, 0,
		       AUTH_STOP_POLL_MSECS);
}

static void auth_process_signal_cb(uv_signal_t *handle, int signum)
{
	struct auth_process *proc = handle->data;

	if (signum == SIGHUP) {
		log_info("SIGHUP: dropping the auth cache");
		auth_cache_clear(proc->server.auth->cache);
		return;
	}
	auth_process_stop(proc);
}

static void auth_process_signal_init(struct auth_process *proc,
				     uv_signal_t *handle, int signum)
{
	uv_signal_init(proc->loop, handle);
	handle->data = proc;
	uv_signal_start(handle, auth_process_signal_cb, signum);
}

static struct listener *auth_process_listen(struct auth_process *proc, int fd,
					    const struct conn_settings *set,
					    listener_accept_callback_t *cb)
{
	if (fd < 0)
		return NULL;
	return listener_create(proc->loop, fd, true, set, NULL, cb,
			       &proc->server);
}

int auth_process_main(uv_loop_t *loop, const struct auth_settings *set,
		      int client_listen_fd, int userdb_listen_fd,
		      const char *data_dir)
{
	struct auth_process proc;
	const char *error;

	memset(&proc, 0, sizeof(proc));
	proc.loop = loop;
	log_set_process_name("auth");
	if (sodium_init() < 0)
		fatal("libsodium initialization failed");
	if (auth_init(&proc.server.auth, loop, set, data_dir, &error) < 0) {
		log_error("auth: %s", error);
		uv_run(loop, UV_RUN_NOWAIT);
		return FATAL_EXIT;
	}
	randombytes_buf(proc.server.cookie, sizeof(proc.server.cookie));
	proc.client_listener = auth_process_listen(
		&proc, client_listen_fd, &auth_client_conn_settings,
		auth_client_connection_accept);
	proc.userdb_listener = auth_process_listen(
		&proc, userdb_listen_fd, &auth_master_conn_settings,
		auth_master_connection_accept);
	uv_timer_init(loop, &proc.stop_timer);
	uv_timer_init(loop, &proc.sweep_timer);
	uv_timer_start(&proc.sweep_timer, auth_process_sweep_cb,
		       AUTH_SWEEP_MSECS, AUTH_SWEEP_MSECS);
	auth_process_signal_init(&proc, &proc.sig_term, SIGTERM);
	auth_process_signal_init(&proc, &proc.sig_int, SIGINT);
	auth_process_signal_init(&proc, &proc.sig_hup, SIGHUP);
	log_info("ready (passdb %s)", set->passdb);
	uv_run(loop, UV_RUN_DEFAULT);
	return 0;
}
