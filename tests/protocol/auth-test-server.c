/* A test-only host for the auth process until posternd starts it:
     auth-test-server CONFIG DATA_DIR
   reads [auth] from CONFIG, binds DATA_DIR/<client_socket> and
   DATA_DIR/<userdb_socket>, and runs auth_process_main() until SIGTERM. */

#include "auth-process.h"
#include "auth.h"
#include "config.h"
#include "listener.h"
#include "log.h"
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>

static int bind_socket(struct pool *pool, const char *data_dir,
		       const char *path)
{
	struct listen_addr addr = {
		.unix_path = (char *)auth_path(pool, data_dir, path),
	};
	const char *error;
	int fd = listen_addr_bind(&addr, 0666, &error);

	if (fd < 0)
		fatal("%s", error);
	return fd;
}

static void close_walk_cb(uv_handle_t *handle, void *arg)
{
	if (!uv_is_closing(handle))
		uv_close(handle, NULL);
}

int main(int argc, char *argv[])
{
	struct pool *pool = pool_create("auth-test-server", 0);
	struct auth_settings set;
	static const struct setting_def no_defs[] = { SETTING_DEFS_END };
	struct setting_section top = { NULL, no_defs, NULL };
	struct setting_section section = { "auth", auth_setting_defs, &set };
	struct setting_section *const sections[] = { &top, &section, NULL };
	const char *error;
	uv_loop_t loop;
	int client_fd, userdb_fd, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CONFIG DATA_DIR\n", argv[0]);
		return 2;
	}
	config_set_defaults(sections, pool);
	if (config_parse_file(argv[1], sections, pool, &error) < 0)
		fatal("%s", error);
	if (set.debug)
		log_set_level(LOG_LEVEL_DEBUG);
	client_fd = bind_socket(pool, argv[2], set.client_socket);
	userdb_fd = bind_socket(pool, argv[2], set.userdb_socket);
	uv_loop_init(&loop);
	ret = auth_process_main(&loop, &set, client_fd, userdb_fd, argv[2]);
	/* the connection layer keeps unreferenced per-loop handles */
	uv_walk(&loop, close_walk_cb, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop) != 0)
		log_error("handles left open at exit");
	pool_destroy(&pool);
	return ret;
}
