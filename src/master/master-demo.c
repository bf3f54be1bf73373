#include "master.h"
#include "auth.h"
#include "auth-db.h"
#include "log.h"
#include "password-scheme.h"
#include "pool.h"
#include "strfuncs.h"

#include <string.h>
#include <unistd.h>

#define MASTER_DEMO_USER "demo"
#define MASTER_DEMO_PASSWORD "demo"

/* The files of a sqlite passdb belong to the user the auth process runs
   as, so that posternctl (as that user) and auth can both write them. */
static void master_demo_chown(struct master *master, const char *db_path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	struct pool *pool = master->config->pool;

	if (!master->drop_privileges)
		return;
	for (size_t i = 0; i < N_ELEMENTS(suffixes); i++) {
		const char *path =
			pool_printf(pool, "%s%s", db_path, suffixes[i]);

		if (chown(path, master->mail_uid, master->mail_gid) < 0 &&
		    i == 0)
			log_warning("chown(%s) failed: %m", path);
	}
}

static int master_demo_user_add(struct master *master, struct auth_db *db,
				struct pool *pool)
{
	const struct auth_settings *set = &master->config->auth;
	struct auth_user user = { .name = MASTER_DEMO_USER };
	const char *error;

	if (password_generate(pool, set->password_scheme, MASTER_DEMO_PASSWORD,
			      MASTER_DEMO_USER, &user.password, &error) < 0 ||
	    auth_db_save(db, &user, &error) < 0) {
		log_error("Can't create the demo user: %s", error);
		return -1;
	}
	log_info("Created the demo user: log in as %s / %s", MASTER_DEMO_USER,
		 MASTER_DEMO_PASSWORD);
	return 0;
}

int master_demo_user_init(struct master *master)
{
	struct postern_config *config = master->config;
	struct pool *pool;
	struct auth_db *db;
	struct auth_user user;
	const char *error;
	int ret;

	if (!config->is_embedded_default)
		return 0;
	pool = pool_create("demo user", 0);
	db = auth_db_open(config->auth.passdb, config->master.data_dir, true,
			  &error);
	if (db == NULL) {
		log_error("Can't open %s: %s", config->auth.passdb, error);
		pool_destroy(&pool);
		return -1;
	}
	ret = auth_db_lookup(db, pool, MASTER_DEMO_USER, &user, &error);
	if (ret == 0)
		ret = master_demo_user_add(master, db, pool);
	else if (ret < 0)
		log_error("Can't look up the demo user: %s", error);
	auth_db_close(&db);
	if (ret >= 0 && str_begins(config->auth.passdb, "sqlite:"))
		master_demo_chown(master,
				  auth_path(pool, config->master.data_dir,
					    config->auth.passdb + 7));
	pool_destroy(&pool);
	return ret < 0 ? -1 : 0;
}
