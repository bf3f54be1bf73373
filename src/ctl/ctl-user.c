#include "ctl-auth-commands.h"
#include "auth-db.h"
#include "auth-username.h"
#include "password-scheme.h"
#include "pool.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

/* posternctl user add|passwd|del|list|show: edits the user database named
   by [auth] passdb directly (sqlite or passwd-file); the auth process sees
   the change at its next lookup. */

struct ctl_user_opts {
	bool password_stdin;
	const char *home, *mail, *quota, *uid, *gid, *scheme;
};

static const char ctl_user_usage[] =
	"Usage: posternctl user add NAME [--password-stdin] [--home DIR]\n"
	"                      [--mail LOCATION] [--quota RULE] [--uid N]\n"
	"                      [--gid N] [--scheme SCHEME]\n"
	"       posternctl user passwd NAME [--password-stdin]\n"
	"       posternctl user del NAME\n"
	"       posternctl user list\n"
	"       posternctl user show NAME\n";

static int ctl_user_parse(int argc, char *argv[], struct ctl_user_opts *opts)
{
	static const struct option longopts[] = {
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "home", required_argument, NULL, 'H' },
		{ "mail", required_argument, NULL, 'm' },
		{ "quota", required_argument, NULL, 'q' },
		{ "uid", required_argument, NULL, 'U' },
		{ "gid", required_argument, NULL, 'G' },
		{ "scheme", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			opts->password_stdin = true;
			break;
		case 'H':
			opts->home = optarg;
			break;
		case 'm':
			opts->mail = optarg;
			break;
		case 'q':
			opts->quota = optarg;
			break;
		case 'U':
			opts->uid = optarg;
			break;
		case 'G':
			opts->gid = optarg;
			break;
		case 's':
			opts->scheme = optarg;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static struct auth_db *ctl_user_open(struct ctl_context *ctx)
{
	const char *error;
	struct auth_db *db =
		auth_db_open(ctx->config->auth.passdb,
			     ctx->config->master.data_dir, true, &error);

	if (db == NULL)
		fprintf(stderr, "posternctl: %s\n", error);
	return db;
}

static const char *ctl_user_name(struct ctl_context *ctx, struct pool *pool,
				 const char *name)
{
	const struct auth_settings *set = &ctx->config->auth;
	const char *result, *error;

	if (auth_username_normalize(pool, set->username_format,
				    set->default_domain, name, &result,
				    &error) < 0) {
		fprintf(stderr, "posternctl: %s: %s\n", name, error);
		return NULL;
	}
	return result;
}

static int ctl_user_set_password(struct ctl_context *ctx, struct pool *pool,
				 const struct ctl_user_opts *opts,
				 struct auth_user *user)
{
	const char *scheme = opts->scheme != NULL
				     ? opts->scheme
				     : ctx->config->auth.password_scheme;
	const char *error;
	char password[1024];
	int ret;

	if (ctl_read_password(opts->password_stdin, true, password,
			      sizeof(password)) < 0)
		return -1;
	ret = password_generate(pool, scheme, password, user->name,
				&user->password, &error);
	sodium_memzero(password, sizeof(password));
	if (ret < 0)
		fprintf(stderr, "posternctl: %s\n", error);
	return ret;
}

static int ctl_user_add(struct ctl_context *ctx, struct auth_db *db,
			struct pool *pool, const char *name,
			const struct ctl_user_opts *opts)
{
	struct auth_user user;
	const char *error;
	int ret = auth_db_lookup(db, pool, name, &user, &error);

	if (ret != 0) {
		fprintf(stderr, "posternctl: %s\n",
			ret > 0 ? "user exists already" : error);
		return ret > 0 ? EX_DATAERR : EX_SOFTWARE;
	}
	memset(&user, 0, sizeof(user));
	user.name = name;
	user.home = opts->home;
	user.mail = opts->mail;
	user.quota = opts->quota;
	user.uid = opts->uid;
	user.gid = opts->gid;
	if (ctl_user_set_password(ctx, pool, opts, &user) < 0)
		return EX_DATAERR;
	if (auth_db_save(db, &user, &error) < 0) {
		fprintf(stderr, "posternctl: %s\n", error);
		return EX_SOFTWARE;
	}
	return EX_OK;
}

static int ctl_user_passwd(struct ctl_context *ctx, struct auth_db *db,
			   struct pool *pool, const char *name,
			   const struct ctl_user_opts *opts)
{
	struct auth_user user;
	const char *error;
	int ret = auth_db_lookup(db, pool, name, &user, &error);

	if (ret <= 0) {
		fprintf(stderr, "posternctl: %s\n",
			ret == 0 ? "no such user" : error);
		return ret == 0 ? EX_NOUSER : EX_SOFTWARE;
	}
	if (ctl_user_set_password(ctx, pool, opts, &user) < 0)
		return EX_DATAERR;
	if (auth_db_save(db, &user, &error) < 0) {
		fprintf(stderr, "posternctl: %s\n", error);
		return EX_SOFTWARE;
	}
	return EX_OK;
}

static int ctl_user_del(struct auth_db *db, const char *name)
{
	const char *error;
	int ret = auth_db_remove(db, name, &error);

	if (ret <= 0)
		fprintf(stderr, "posternctl: %s\n",
			ret == 0 ? "no such user" : error);
	return ret > 0 ? EX_OK : ret == 0 ? EX_NOUSER : EX_SOFTWARE;
}

static void ctl_user_print(const struct auth_user *user)
{
	const char *scheme, *data;
	struct pool *pool = pool_create("user show", 0);

	password_split(pool, user->password, &scheme, &data);
	printf("user:     %s\n", user->name);
	printf("password: %s\n",
	       user->password[0] == '\0'
		       ? "(none)"
		       : pool_printf(pool, "{%s}...", scheme));
	printf("home:     %s\nmail:     %s\nquota:    %s\n", user->home,
	       user->mail ?: "", user->quota ?: "");
	printf("uid:      %s\ngid:      %s\n", user->uid, user->gid);
	printf("disabled: %s\n", user->disabled ? "yes" : "no");
	for (const char *const *p = user->extra; p != NULL && *p != NULL; p++)
		printf("extra:    %s\n", *p);
	pool_destroy(&pool);
}

static int ctl_user_show(struct auth_db *db, struct pool *pool,
			 const char *name)
{
	struct auth_user user;
	const char *error;
	int ret = auth_db_lookup(db, pool, name, &user, &error);

	if (ret <= 0) {
		fprintf(stderr, "posternctl: %s\n",
			ret == 0 ? "no such user" : error);
		return ret == 0 ? EX_NOUSER : EX_SOFTWARE;
	}
	ctl_user_print(&user);
	return EX_OK;
}

static void ctl_user_list_cb(const struct auth_user *user, void *context)
{
	printf("%s\n", user->name);
}

static int ctl_user_list(struct auth_db *db, struct pool *pool)
{
	const char *error;

	if (auth_db_iterate(db, pool, ctl_user_list_cb, NULL, &error) < 0) {
		fprintf(stderr, "posternctl: %s\n", error);
		return EX_SOFTWARE;
	}
	return EX_OK;
}

static int ctl_user_run(struct ctl_context *ctx, struct auth_db *db,
			struct pool *pool, const char *cmd, const char *name,
			const struct ctl_user_opts *opts)
{
	if (strcmp(cmd, "list") == 0)
		return ctl_user_list(db, pool);
	if (name == NULL)
		return -1;
	name = ctl_user_name(ctx, pool, name);
	if (name == NULL)
		return EX_DATAERR;
	if (strcmp(cmd, "add") == 0)
		return ctl_user_add(ctx, db, pool, name, opts);
	if (strcmp(cmd, "passwd") == 0)
		return ctl_user_passwd(ctx, db, pool, name, opts);
	if (strcmp(cmd, "del") == 0)
		return ctl_user_del(db, name);
	if (strcmp(cmd, "show") == 0)
		return ctl_user_show(db, pool, name);
	return -1;
}

int ctl_cmd_user(struct ctl_context *ctx, int argc, char *argv[])
{
	struct ctl_user_opts opts = { 0 };
	struct auth_db *db;
	struct pool *pool;
	int ret;

	if (argc < 1 || ctl_user_parse(argc, argv, &opts) < 0 ||
	    argc - optind > 1) {
		fputs(ctl_user_usage, stderr);
		return EX_USAGE;
	}
	if (sodium_init() < 0 || (db = ctl_user_open(ctx)) == NULL)
		return EX_UNAVAILABLE;
	pool = pool_create("posternctl user", 0);
	ret = ctl_user_run(ctx, db, pool, argv[0],
			   optind < argc ? argv[optind] : NULL, &opts);
	pool_destroy(&pool);
	auth_db_close(&db);
	if (ret < 0) {
		fputs(ctl_user_usage, stderr);
		return EX_USAGE;
	}
	return ret;
}
