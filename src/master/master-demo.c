#include "master.h"
#include "auth.h"
#include "log.h"
#include "pool.h"
#include "strfuncs.h"

#include <unistd.h>

#define MASTER_DEMO_USER "demo"
#define MASTER_DEMO_PASSWORD "demo"

/* The files of a sqlite passdb belong to the user the auth process runs
   as, so that posternctl (as that user) and auth can both write them. */
static void master_demo_chown(struct master *master, struct pool *pool)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	const struct postern_config *config = master->config;
	const char *db_path;

	if (!master->drop_privileges ||
	    !str_begins(config->auth.passdb, "sqlite:"))
		return;
	db_path = auth_path(pool, config->master.data_dir,
			    config->auth.passdb + 7);
	for (size_t i = 0; i < N_ELEMENTS(suffixes); i++) {
		const char *path =
			pool_printf(pool, "%s%s", db_path, suffixes[i]);

		if (chown(path, master->mail_uid, master->mail_gid) < 0 &&
		    i == 0)
			log_warning("chown(%s) failed: %m", path);
	}
}

int master_demo_user_init(struct master *master)
{
	struct postern_config *config = master->config;
	struct pool *pool;
	const char *error;
	int ret;

	if (!config->is_embedded_default)
		return 0;
	ret = auth_ensure_user(&config->auth, config->master.data_dir,
			       MASTER_DEMO_USER, MASTER_DEMO_PASSWORD, &error);
	if (ret < 0) {
		log_error("Can't create the demo user: %s", error);
		return -1;
	}
	if (ret > 0)
		log_info("Created the demo user: log in as %s / %s",
			 MASTER_DEMO_USER, MASTER_DEMO_PASSWORD);
	pool = pool_create("demo user", 0);
	master_demo_chown(master, pool);
	pool_destroy(&pool);
	return 0;
}
