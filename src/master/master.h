#ifndef POSTERN_MASTER_H
#define POSTERN_MASTER_H

/* posternd's master process: binds every listener while it may be root,
   starts the auth process and the mail workers with the descriptors they
   need, restarts a child that dies, and turns SIGHUP into a reload and
   SIGTERM into a graceful stop of every child. */

#include "array.h"
#include "master-config.h"

#include <stdbool.h>
#include <sys/types.h>
#include <uv.h>

/* What a child process is for. */
enum master_role {
	MASTER_ROLE_WORKER,
	MASTER_ROLE_AUTH,
};

/* One bound socket. kind is the protocol ("imap", "pop3", "lmtp",
   "auth-client", "auth-userdb"). */
struct master_listener {
	const char *kind;
	const char *name; /* "127.0.0.1:143", for logs */
	bool implicit_tls;
	bool is_unix;
	int fd;
	enum master_role role; /* who accepts on it */
};

struct master_child {
	struct master *master;
	enum master_role role;
	unsigned int index;
	uv_process_t process;
	uv_timer_t restart_timer;
	uint64_t started_msecs;
	unsigned int restart_delay_msecs;
	bool running;
};

struct master {
	uv_loop_t *loop;
	struct postern_config *config;
	char exe_path[4096];
	int config_fd;
	/* memfd with the TLS certificate chain and key (see
	   tls_pem_bundle_read()); rewritten on SIGHUP */
	int tls_fd;
	ARRAY(struct master_listener) listeners;
	struct master_child *children;
	unsigned int n_children;
	uv_signal_t signals[4];
	uv_timer_t stop_timer;
	bool stopping;
	bool drop_privileges;
	uid_t mail_uid;
	gid_t mail_gid;
};

/* Runs the master until it is stopped; returns the exit status. */
int master_main(struct postern_config *config);

/* master-listeners.c: binds every listener of the configuration. */
int master_listeners_bind(struct master *master, const char **error_r);
/* "imap:t,imap:s,lmtp:u" for the children: kind and t/s/u (plain TCP,
   implicit TLS, unix) of each descriptor from 4 on, for one role. */
const char *master_listeners_spec(struct master *master, enum master_role role);

/* master-tls.c: (re)reads certificate and key into master->tls_fd.
   Returns 0, or -1 after logging why (the old contents stay). */
int master_tls_load(struct master *master);

/* master-demo.c: with the embedded default configuration, makes sure the
   demo user (demo / demo) exists. Returns 0, or -1 after logging. */
int master_demo_user_init(struct master *master);

/* master-process.c */
void master_children_start(struct master *master);
/* Sends sig to every running child. */
void master_children_signal(struct master *master, int sig);
unsigned int master_children_running(const struct master *master);

#endif
