#include "master.h"
#include "log.h"
#include "postern-config.h"
#include "pool.h"
#include "tls.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int master_mkdir(const char *path, uid_t uid, gid_t gid, bool chown_it)
{
	/* 0755: the auth socket inside must be reachable by the MTA's user;
	   mail directories below have their own modes. */
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		log_error("mkdir(%s) failed: %m", path);
		return -1;
	}
	if (chown_it && chown(path, uid, gid) < 0) {
		log_error("chown(%s) failed: %m", path);
		return -1;
	}
	return 0;
}

/* Children get an absolute data_dir, so that every path derived from it
   means the same in every process. */
static int master_absolute_data_dir(struct master *master)
{
	struct master_settings *set = &master->config->master;
	char *path = realpath(set->data_dir, NULL);

	if (path == NULL) {
		log_error("realpath(%s) failed: %m", set->data_dir);
		return -1;
	}
	set->data_dir = pool_strdup(master->config->pool, path);
	free(path);
	return 0;
}

/* When started as root, children run as mail_user. */
static int master_init_privileges(struct master *master)
{
	const char *user = master->config->master.mail_user;
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if (user[0] == '\0') {
		log_warning("Running as root without mail_user: "
			    "the mail workers keep root privileges");
		return 0;
	}
	pw = getpwnam(user);
	if (pw == NULL) {
		log_error("mail_user %s doesn't exist", user);
		return -1;
	}
	master->drop_privileges = true;
	master->mail_uid = pw->pw_uid;
	master->mail_gid = pw->pw_gid;
	return 0;
}

/* Without [tls] cert and key, use (and on first run make) a self-signed
   pair under data_dir/tls, as the embedded default promises. */
static int master_init_tls(struct master *master)
{
	struct postern_config *config = master->config;
	struct tls_settings *tls = &config->tls;
	const char *dir, *error;

	if (tls->cert[0] != '\0' || tls->key[0] != '\0')
		return 0;
	dir = pool_printf(config->pool, "%s/tls", config->master.data_dir);
	if (master_mkdir(dir, 0, 0, false) < 0)
		return -1;
	tls->cert = pool_printf(config->pool, "%s/cert.pem", dir);
	tls->key = pool_printf(config->pool, "%s/key.pem", dir);
	if (access(tls->cert, R_OK) < 0)
		log_warning("No [tls] cert configured: making a self-signed "
			    "certificate in %s",
			    dir);
	if (tls_make_self_signed(tls->cert, tls->key, config->master.hostname,
				 &error) < 0) {
		log_error("%s", error);
		return -1;
	}
	return 0;
}

/* The effective configuration goes to children through a memfd, so that
   every child runs with exactly what the master checked. */
static int master_write_config_fd(struct master *master)
{
	FILE *file;
	int fd = memfd_create("postern.conf", MFD_CLOEXEC);

	if (fd < 0) {
		log_error("memfd_create() failed: %m");
		return -1;
	}
	file = fdopen(dup(fd), "w");
	if (file == NULL) {
		log_error("fdopen() failed: %m");
		close(fd);
		return -1;
	}
	postern_config_write(master->config, file);
	fclose(file);
	master->config_fd = fd;
	return 0;
}

static void master_stop_timeout_cb(uv_timer_t *timer)
{
	struct master *master = timer->data;

	log_warning("Children didn't stop in time: killing them");
	master_children_signal(master, SIGKILL);
}

static void master_stop(struct master *master)
{
	uint64_t timeout = (uint64_t)master->config->master.shutdown_timeout;

	if (master->stopping)
		return;
	master->stopping = true;
	log_info("Stopping");
	master_children_signal(master, SIGTERM);
	uv_timer_start(&master->stop_timer, master_stop_timeout_cb,
		       (timeout + 5) * 1000, 0);
	for (size_t i = 0; i < N_ELEMENTS(master->signals); i++)
		uv_close((uv_handle_t *)&master->signals[i], NULL);
	for (unsigned int i = 0; i < master->n_children; i++)
		uv_close((uv_handle_t *)&master->children[i].restart_timer,
			 NULL);
	uv_unref((uv_handle_t *)&master->stop_timer);
}

static void master_signal_cb(uv_signal_t *handle, int signum)
{
	struct master *master = handle->data;

	switch (signum) {
	case SIGHUP:
		log_info("SIGHUP: reloading certificates and user files");
		if (master_tls_load(master) == 0)
			master_children_signal(master, SIGHUP);
		break;
	case SIGTERM:
	case SIGINT:
		master_stop(master);
		break;
	case SIGUSR1:
		log_info("%u children running",
			 master_children_running(master));
		break;
	}
}

static void master_signals_init(struct master *master)
{
	static const int signums[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1 };

	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < N_ELEMENTS(signums); i++) {
		uv_signal_init(master->loop, &master->signals[i]);
		master->signals[i].data = master;
		uv_signal_start(&master->signals[i], master_signal_cb,
				signums[i]);
	}
}

static int master_init(struct master *master)
{
	struct postern_config *config = master->config;
	const char *error;
	ssize_t len;

	len = readlink("/proc/self/exe", master->exe_path,
		       sizeof(master->exe_path) - 1);
	if (len < 0) {
		log_error("readlink(/proc/self/exe) failed: %m");
		return -1;
	}
	master->exe_path[len] = '\0';
	if (master_init_privileges(master) < 0 ||
	    master_mkdir(config->master.data_dir, master->mail_uid,
			 master->mail_gid, master->drop_privileges) < 0 ||
	    master_absolute_data_dir(master) < 0 ||
	    master_demo_user_init(master) < 0 || master_init_tls(master) < 0 ||
	    master_tls_load(master) < 0 || master_write_config_fd(master) < 0)
		return -1;
	if (master_listeners_bind(master, &error) < 0) {
		log_error("Can't listen: %s", error);
		return -1;
	}
	return 0;
}

static void master_deinit(struct master *master)
{
	for (size_t i = 0; i < master->listeners.count; i++)
		close(master->listeners.v[i].fd);
	array_free(&master->listeners);
	free(master->children);
	if (master->config_fd >= 0)
		close(master->config_fd);
	if (master->tls_fd >= 0)
		close(master->tls_fd);
	uv_loop_close(master->loop);
}

int master_main(struct postern_config *config)
{
	struct master master = { .config = config,
				 .config_fd = -1,
				 .tls_fd = -1 };

	master.loop = uv_default_loop();
	log_set_process_name("posternd");
	if (master_init(&master) < 0) {
		master_deinit(&master);
		return 1;
	}
	uv_timer_init(master.loop, &master.stop_timer);
	master.stop_timer.data = &master;
	master_signals_init(&master);
	master_children_start(&master);
	log_info("Postern %s started (%s)", POSTERN_VERSION, config->source);
	uv_run(master.loop, UV_RUN_DEFAULT);
	master_deinit(&master);
	log_info("Stopped");
	return 0;
}
