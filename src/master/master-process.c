#include "master.h"
#include "log.h"
#include "xalloc.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* A child that dies sooner than this after its start is restarted with a
   growing delay, so that a crash loop doesn't spin. */
#define MASTER_CHILD_MIN_LIFETIME_MSECS 5000
#define MASTER_RESTART_DELAY_MAX_MSECS 30000

static const char *master_role_name(enum master_role role)
{
	return role == MASTER_ROLE_AUTH ? "auth" : "worker";
}

static void master_child_spawn(struct master_child *child);

static void master_child_restart_cb(uv_timer_t *timer)
{
	struct master_child *child = timer->data;

	if (!child->master->stopping)
		master_child_spawn(child);
}

static void master_child_close_cb(uv_handle_t *handle)
{
	struct master_child *child = handle->data;
	uint64_t lived = uv_now(child->master->loop) - child->started_msecs;

	if (child->master->stopping)
		return;
	if (lived >= MASTER_CHILD_MIN_LIFETIME_MSECS)
		child->restart_delay_msecs = 0;
	else if (child->restart_delay_msecs == 0)
		child->restart_delay_msecs = 1000;
	else if (child->restart_delay_msecs < MASTER_RESTART_DELAY_MAX_MSECS)
		child->restart_delay_msecs *= 2;
	uv_timer_start(&child->restart_timer, master_child_restart_cb,
		       child->restart_delay_msecs, 0);
}

static void master_child_exit_cb(uv_process_t *process, int64_t status,
				 int term_signal)
{
	struct master_child *child = process->data;

	child->running = false;
	if (child->master->stopping) {
		log_debug("%s %u (pid %d) stopped",
			  master_role_name(child->role), child->index,
			  process->pid);
	} else if (term_signal != 0) {
		log_error("%s %u (pid %d) killed by signal %d (%s); restarting",
			  master_role_name(child->role), child->index,
			  process->pid, term_signal, strsignal(term_signal));
	} else {
		log_error("%s %u (pid %d) exited with status %lld; restarting",
			  master_role_name(child->role), child->index,
			  process->pid, (long long)status);
	}
	uv_close((uv_handle_t *)process, master_child_close_cb);
}

/* argv for a child: the same binary, told its role and descriptors. */
static void master_child_args(struct master_child *child, char *args[],
			      char index_buf[16])
{
	struct master *master = child->master;

	snprintf(index_buf, 16, "%u", child->index);
	args[0] = master->exe_path;
	args[1] = "--process";
	args[2] = (char *)master_role_name(child->role);
	args[3] = "--index";
	args[4] = index_buf;
	args[5] = "--listeners";
	args[6] = (char *)master_listeners_spec(master, child->role);
	args[7] = NULL;
}

static void master_child_spawn(struct master_child *child)
{
	struct master *master = child->master;
	uv_stdio_container_t stdio[64];
	uv_process_options_t options = { 0 };
	char *args[8], index_buf[16];
	int n = 5, ret;

	stdio[0].flags = UV_IGNORE;
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = 1;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = 2;
	stdio[3].flags = UV_INHERIT_FD;
	stdio[3].data.fd = master->config_fd;
	stdio[4].flags = UV_INHERIT_FD;
	stdio[4].data.fd = master->tls_fd;
	for (size_t i = 0; i < master->listeners.count; i++) {
		if (master->listeners.v[i].role != child->role)
			continue;
		if (n == (int)N_ELEMENTS(stdio))
			fatal("Too many listeners");
		stdio[n].flags = UV_INHERIT_FD;
		stdio[n++].data.fd = master->listeners.v[i].fd;
	}
	master_child_args(child, args, index_buf);
	options.file = master->exe_path;
	options.args = args;
	options.exit_cb = master_child_exit_cb;
	options.stdio = stdio;
	options.stdio_count = n;
	if (master->drop_privileges) {
		options.flags = UV_PROCESS_SETUID | UV_PROCESS_SETGID;
		options.uid = master->mail_uid;
		options.gid = master->mail_gid;
	}
	child->process.data = child;
	ret = uv_spawn(master->loop, &child->process, &options);
	if (ret < 0) {
		log_error("Can't start %s %u: %s",
			  master_role_name(child->role), child->index,
			  uv_strerror(ret));
		uv_close((uv_handle_t *)&child->process, master_child_close_cb);
		return;
	}
	child->running = true;
	child->started_msecs = uv_now(master->loop);
	log_debug("Started %s %u (pid %d)", master_role_name(child->role),
		  child->index, child->process.pid);
}

/* The auth process first (workers need its sockets), then the workers. */
void master_children_start(struct master *master)
{
	unsigned int n_workers = master->config->master.workers;

	if (n_workers == 0)
		n_workers = (unsigned int)uv_available_parallelism();
	master->n_children = 1 + n_workers;
	master->children = xnew(struct master_child, master->n_children);
	for (unsigned int i = 0; i < master->n_children; i++) {
		struct master_child *child = &master->children[i];

		child->master = master;
		child->role = i == 0 ? MASTER_ROLE_AUTH : MASTER_ROLE_WORKER;
		child->index = i == 0 ? 1 : i;
		uv_timer_init(master->loop, &child->restart_timer);
		child->restart_timer.data = child;
		master_child_spawn(child);
	}
}

void master_children_signal(struct master *master, int sig)
{
	for (unsigned int i = 0; i < master->n_children; i++) {
		if (master->children[i].running)
			uv_process_kill(&master->children[i].process, sig);
	}
}

unsigned int master_children_running(const struct master *master)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < master->n_children; i++) {
		if (master->children[i].running)
			n++;
	}
	return n;
}
