#include "auth-main.h"
#include "auth-process.h"
#include "log.h"
#include "pool.h"
#include "strfuncs.h"
#include "worker.h"

#include <string.h>
#include <sys/prctl.h>
#include <signal.h>

/* The descriptor of the listener called kind in spec, or -1. */
static int auth_main_find_fd(struct pool *pool, const char *spec,
			     const char *kind)
{
	char **items = str_split(pool, spec, ",");

	for (int i = 0; items[i] != NULL; i++) {
		char *colon = strchr(items[i], ':');

		if (colon != NULL &&
		    strncmp(items[i], kind, (size_t)(colon - items[i])) == 0 &&
		    strlen(kind) == (size_t)(colon - items[i]))
			return WORKER_FIRST_LISTENER_FD + i;
	}
	return -1;
}

int auth_main(struct postern_config *config, const char *listener_spec)
{
	int client_fd, userdb_fd;

	log_set_process_name("auth");
	prctl(PR_SET_NAME, "postern-auth");
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* A client (a worker killed meanwhile) may be gone when we answer:
	   that is an EPIPE for the write, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	client_fd =
		auth_main_find_fd(config->pool, listener_spec, "auth-client");
	userdb_fd =
		auth_main_find_fd(config->pool, listener_spec, "auth-userdb");
	return auth_process_main(uv_default_loop(), &config->auth, client_fd,
				 userdb_fd, config->master.data_dir);
}
