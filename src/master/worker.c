#include "worker.h"
#include "array.h"
#include "auth.h"
#include "buffer.h"
#include "imap-client.h"
#include "lmtp-client.h"
#include "log.h"
#include "pool.h"
#include "pop3-client.h"
#include "strfuncs.h"
#include "tls.h"
#include "memory-trim.h"
#include "work-pool.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* How often a stopping worker checks whether its sessions are gone. */
#define WORKER_STOP_POLL_MSECS 50
/* Threads for storage work: fsyncs and SQLite waits block them. */
#define WORKER_WORK_THREADS 16

struct worker {
	uv_loop_t *loop;
	struct postern_config *config;
	struct service_env env;
	ARRAY(struct listener *) listeners;
	uv_signal_t sigterm, sighup, sigint;
	uv_timer_t stop_timer;
	uint64_t stop_deadline;
	bool stopping;
};

static unsigned int worker_session_count(void)
{
	return imap_client_count() + pop3_client_count() + lmtp_client_count();
}

static void worker_stop_poll_cb(uv_timer_t *timer)
{
	struct worker *worker = timer->data;

	if (worker_session_count() > 0 &&
	    uv_now(worker->loop) < worker->stop_deadline)
		return;
	/* Whatever is still open is closed now, without goodbye. */
	uv_stop(worker->loop);
}

static void worker_stop(struct worker *worker)
{
	if (worker->stopping)
		return;
	worker->stopping = true;
	for (size_t i = 0; i < worker->listeners.count; i++)
		listener_destroy(&worker->listeners.v[i]);
	imap_service_shutdown();
	pop3_service_shutdown();
	lmtp_service_shutdown();
	worker->stop_deadline =
		uv_now(worker->loop) +
		(uint64_t)worker->config->master.shutdown_timeout * 1000;
	uv_timer_start(&worker->stop_timer, worker_stop_poll_cb, 0,
		       WORKER_STOP_POLL_MSECS);
}

/* The PEM text the master left in our TLS memfd. */
static int worker_read_tls_pem(buffer_t *pem)
{
	char buf[4096];
	off_t offset = 0;
	ssize_t n;

	while ((n = pread(WORKER_TLS_FD, buf, sizeof(buf), offset)) > 0) {
		buffer_append(pem, buf, (size_t)n);
		offset += n;
	}
	return n < 0 ? -1 : 0;
}

/* Creates the TLS context, or replaces its certificate (SIGHUP). */
static int worker_load_tls(struct worker *worker)
{
	const struct tls_settings *set = &worker->config->tls;
	const char *error = "Can't read the TLS memfd";
	buffer_t pem;
	int ret = -1;

	buffer_init(&pem, 16 * 1024 * 1024);
	if (worker_read_tls_pem(&pem) == 0 && pem.used > 0) {
		if (worker->env.tls == NULL) {
			worker->env.tls = tls_context_create(set, pem.data,
							     pem.used, &error);
			ret = worker->env.tls == NULL ? -1 : 0;
		} else {
			ret = tls_context_reload(worker->env.tls, pem.data,
						 pem.used, &error);
		}
	}
	if (ret < 0)
		log_error("TLS: %s", error);
	if (pem.data != NULL)
		explicit_bzero(pem.data, pem.alloc);
	buffer_deinit(&pem);
	return ret;
}

static void worker_signal_cb(uv_signal_t *handle, int signum)
{
	struct worker *worker = handle->data;

	if (signum != SIGHUP) {
		worker_stop(worker);
		return;
	}
	(void)worker_load_tls(worker);
}

static void worker_signals_init(struct worker *worker)
{
	uv_signal_t *handles[] = { &worker->sigterm, &worker->sighup,
				   &worker->sigint };
	const int signums[] = { SIGTERM, SIGHUP, SIGINT };

	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < N_ELEMENTS(handles); i++) {
		uv_signal_init(worker->loop, handles[i]);
		handles[i]->data = worker;
		uv_signal_start(handles[i], worker_signal_cb, signums[i]);
	}
}

static listener_accept_callback_t *worker_accept_callback(const char *kind)
{
	if (strcmp(kind, "imap") == 0)
		return imap_client_accept;
	if (strcmp(kind, "pop3") == 0)
		return pop3_client_accept;
	if (strcmp(kind, "lmtp") == 0)
		return lmtp_client_accept;
	return NULL;
}

/* Descriptors from 4 on, described by spec (see master_listeners_spec). */
static int worker_listeners_init(struct worker *worker, const char *spec)
{
	static const struct conn_settings initial_set = {
		.max_line_length = 1024,
		.output_limit = 64 * 1024,
	};
	struct pool *pool = worker->config->pool;
	char **items = str_split(pool, spec, ",");
	int fd = WORKER_FIRST_LISTENER_FD;

	for (unsigned int i = 0; spec[0] != '\0' && items[i] != NULL; i++) {
		char *colon = strchr(items[i], ':');
		listener_accept_callback_t *callback;
		struct tls_context *tls;

		if (colon == NULL)
			return -1;
		*colon = '\0';
		callback = worker_accept_callback(items[i]);
		if (callback == NULL)
			return -1;
		tls = colon[1] == 's' ? worker->env.tls : NULL;
		if (colon[1] == 's' && tls == NULL)
			fatal("Implicit TLS on %s needs a certificate",
			      items[i]);
		array_push(&worker->listeners,
			   listener_create(worker->loop, fd++, colon[1] == 'u',
					   &initial_set, tls, callback, NULL));
	}
	return 0;
}

static int worker_env_init(struct worker *worker)
{
	struct postern_config *config = worker->config;

	worker->env.loop = worker->loop;
	worker->env.hostname = config->master.hostname;
	worker->env.data_dir = config->master.data_dir;
	worker->env.auth_client_socket =
		auth_path(config->pool, config->master.data_dir,
			  config->auth.client_socket);
	worker->env.auth_userdb_socket =
		auth_path(config->pool, config->master.data_dir,
			  config->auth.userdb_socket);
	worker->env.allow_plaintext = config->auth.allow_plaintext;
	worker->env.storage_set = &config->storage;
	if (worker_load_tls(worker) < 0)
		return -1;
	imap_service_init(&worker->env, &config->imap);
	pop3_service_init(&worker->env, &config->pop3);
	lmtp_service_init(&worker->env, &config->lmtp);
	return 0;
}

static void worker_deinit(struct worker *worker)
{
	imap_service_deinit();
	pop3_service_deinit();
	lmtp_service_deinit();
	tls_context_unref(&worker->env.tls);
	array_free(&worker->listeners);
	uv_close((uv_handle_t *)&worker->stop_timer, NULL);
	uv_close((uv_handle_t *)&worker->sigterm, NULL);
	uv_close((uv_handle_t *)&worker->sighup, NULL);
	uv_close((uv_handle_t *)&worker->sigint, NULL);
	conn_loop_deinit();
	memory_trim_deinit();
	work_pool_deinit();
	uv_run(worker->loop, UV_RUN_NOWAIT);
}

int worker_main(struct postern_config *config, unsigned int index,
		const char *listener_spec)
{
	struct worker worker = { .config = config };

	log_set_process_name("worker");
	prctl(PR_SET_NAME, "postern-worker");
	/* If the master dies, don't linger serving on its sockets. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* Storage work runs on thread pools (IMAP's on work-pool.h, POP3's
	   and LMTP's on libuv's); fsyncs and SQLite waits would starve
	   libuv's default of 4 threads. */
	setenv("UV_THREADPOOL_SIZE", "16", 0);
	worker.loop = uv_default_loop();
	work_pool_init(worker.loop, WORKER_WORK_THREADS);
	memory_trim_init(worker.loop);
	if (worker_env_init(&worker) < 0)
		return FATAL_EXIT;
	if (worker_listeners_init(&worker, listener_spec) < 0)
		fatal("Invalid --listeners %s", listener_spec);
	uv_timer_init(worker.loop, &worker.stop_timer);
	worker.stop_timer.data = &worker;
	worker_signals_init(&worker);
	log_debug("Worker %u ready", index);
	uv_run(worker.loop, UV_RUN_DEFAULT);
	worker_deinit(&worker);
	return 0;
}
