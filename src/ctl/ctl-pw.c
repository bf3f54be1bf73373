#include "ctl-auth-commands.h"
#include "auth.h"
#include "password-scheme.h"
#include "pool.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

const char *ctl_auth_path(struct ctl_context *ctx, struct pool *pool,
			  const char *path)
{
	return auth_path(pool, ctx->config->master.data_dir, path);
}

static int ctl_read_line(FILE *in, char *buf, size_t size)
{
	size_t len;

	if (fgets(buf, (int)size, in) == NULL)
		return -1;
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (len == size - 1)
		return -1;
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return 0;
}

static int ctl_read_tty(const char *prompt, char *buf, size_t size)
{
	struct termios old, noecho;
	int ret;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) < 0)
		return ctl_read_line(stdin, buf, size);
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
	ret = ctl_read_line(stdin, buf, size);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return ret;
}

int ctl_read_password(bool from_stdin, bool confirm, char *buf, size_t size)
{
	char again[1024];

	if (from_stdin || !isatty(STDIN_FILENO)) {
		if (ctl_read_line(stdin, buf, size) < 0) {
			fprintf(stderr, "posternctl: no password on stdin\n");
			return -1;
		}
		return 0;
	}
	if (ctl_read_tty("Password: ", buf, size) < 0)
		return -1;
	if (confirm) {
		if (ctl_read_tty("Retype password: ", again, sizeof(again)) <
			    0 ||
		    strcmp(buf, again) != 0) {
			sodium_memzero(again, sizeof(again));
			fprintf(stderr, "posternctl: passwords don't match\n");
			return -1;
		}
		sodium_memzero(again, sizeof(again));
	}
	return 0;
}

static void ctl_pw_list(void)
{
	const struct password_scheme *const *schemes = password_schemes_list();

	for (unsigned int i = 0; schemes[i] != NULL; i++)
		printf("%s%c", schemes[i]->name,
		       schemes[i + 1] == NULL ? '\n' : ' ');
}

/* posternctl pw [-s SCHEME] [-u USER] | pw -l */
int ctl_cmd_pw(struct ctl_context *ctx, int argc, char *argv[])
{
	const char *scheme = ctx->config->auth.password_scheme, *user = "";
	const char *result, *error;
	char password[1024];
	struct pool *pool;
	int opt, ret = EX_OK;

	optind = 0;
	while ((opt = getopt(argc + 1, argv - 1, "s:u:l")) != -1) {
		switch (opt) {
		case 's':
			scheme = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'l':
			ctl_pw_list();
			return EX_OK;
		default:
			fprintf(stderr, "Usage: posternctl pw [-s SCHEME] "
					"[-u USER] | pw -l\n");
			return EX_USAGE;
		}
	}
	if (sodium_init() < 0 ||
	    ctl_read_password(false, true, password, sizeof(password)) < 0)
		return EX_DATAERR;
	pool = pool_create("pw", 0);
	if (password_generate(pool, scheme, password, user, &result, &error) <
	    0) {
		fprintf(stderr, "posternctl: %s\n", error);
		ret = EX_USAGE;
	} else {
		printf("%s\n", result);
	}
	sodium_memzero(password, sizeof(password));
	pool_destroy(&pool);
	return ret;
}
