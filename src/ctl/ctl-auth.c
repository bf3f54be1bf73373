#include "ctl-auth-commands.h"
#include "auth-client-blocking.h"
#include "pool.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

/* posternctl auth test USER [-s SERVICE] [-a SOCKET] [--password-stdin]:
   authenticates through the running auth process exactly as an MTA
   would (PLAIN over the auth-client socket), then looks the user up on
   the userdb socket, as doveadm auth test and doveadm user do. */

static const char ctl_auth_usage[] =
	"Usage: posternctl auth test USER [-s SERVICE] [-a SOCKET] "
	"[--password-stdin]\n"
	"       posternctl auth lookup USER [-s SERVICE] [-a SOCKET]\n";

struct ctl_auth_opts {
	const char *service;
	const char *socket;
	bool password_stdin;
};

static int ctl_auth_parse(int argc, char *argv[], struct ctl_auth_opts *opts)
{
	static const struct option longopts[] = { { "password-stdin",
						    no_argument, NULL, 'p' },
						  { NULL, 0, NULL, 0 } };
	int opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "s:a:", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			opts->service = optarg;
			break;
		case 'a':
			opts->socket = optarg;
			break;
		case 'p':
			opts->password_stdin = true;
			break;
		default:
			return -1;
		}
	}
	return argc - optind == 1 ? 0 : -1;
}

static void ctl_auth_print_fields(const char *prefix, char **fields)
{
	for (; *fields != NULL; fields++)
		printf("%s%s\n", prefix, *fields);
}

static int ctl_auth_lookup(struct ctl_context *ctx, struct pool *pool,
			   const struct ctl_auth_opts *opts, const char *user)
{
	const char *path =
		opts->socket != NULL
			? opts->socket
			: ctl_auth_path(ctx, pool,
					ctx->config->auth.userdb_socket);
	const char *error;
	char **fields;
	int ret;

	ret = auth_blocking_user_lookup(path, user, opts->service, pool,
					&fields, &error);
	if (ret < 0) {
		fprintf(stderr, "posternctl: userdb: %s\n", error);
		return EX_UNAVAILABLE;
	}
	if (ret == 0) {
		printf("userdb: %s: no such user\n", user);
		return EX_NOUSER;
	}
	printf("userdb: %s\n", fields[0]);
	ctl_auth_print_fields("  ", fields + 1);
	return EX_OK;
}

static int ctl_auth_test(struct ctl_context *ctx, struct pool *pool,
			 const struct ctl_auth_opts *opts, const char *user)
{
	const char *path =
		opts->socket != NULL
			? opts->socket
			: ctl_auth_path(ctx, pool,
					ctx->config->auth.client_socket);
	struct auth_blocking_result result;
	const char *error;
	char password[1024];
	int ret;

	if (ctl_read_password(opts->password_stdin, false, password,
			      sizeof(password)) < 0)
		return EX_DATAERR;
	ret = auth_blocking_plain(path, opts->service, user, password, pool,
				  &result, &error);
	sodium_memzero(password, sizeof(password));
	if (ret < 0) {
		fprintf(stderr, "posternctl: auth: %s\n", error);
		return EX_UNAVAILABLE;
	}
	printf("passdb: %s auth %s\n", user,
	       result.success ? "succeeded" : "failed");
	ctl_auth_print_fields("  ", result.fields + 1);
	return result.success ? EX_OK : EX_NOPERM;
}

int ctl_cmd_auth(struct ctl_context *ctx, int argc, char *argv[])
{
	struct ctl_auth_opts opts = { .service = "posternctl" };
	struct pool *pool;
	int ret;

	if (argc < 2 || ctl_auth_parse(argc, argv, &opts) < 0 ||
	    (strcmp(argv[0], "test") != 0 && strcmp(argv[0], "lookup") != 0)) {
		fputs(ctl_auth_usage, stderr);
		return EX_USAGE;
	}
	pool = pool_create("posternctl auth", 0);
	if (strcmp(argv[0], "test") == 0)
		ret = ctl_auth_test(ctx, pool, &opts, argv[optind]);
	else
		ret = ctl_auth_lookup(ctx, pool, &opts, argv[optind]);
	pool_destroy(&pool);
	return ret;
}
