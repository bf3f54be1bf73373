#include "auth-client-blocking.h"
#include "auth.h"
#include "lmtp-delivery.h"
#include "lmtp-headers.h"
#include "lmtp-quota.h"
#include "log.h"
#include "master-config.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

/* postern-deliver: a local delivery agent for Postfix's mailbox_command,
   Exim pipe transports and .qmail files. It reads one message on stdin
   and saves it for -d USER, answering with sysexits(3) codes that MTAs
   turn into a retry (EX_TEMPFAIL) or a bounce.

   The user is looked up through the auth service's userdb socket, so
   that username_format and the userdb's home/mail fields apply exactly as
   for LMTP and IMAP. When posternd isn't running the socket can't answer
   and the delivery fails with EX_TEMPFAIL: the MTA keeps the message and
   retries, which is safer than guessing the user's storage from the
   passdb file without the auth service's rules. */

#define DELIVER_CHUNK_SIZE (64 * 1024)

struct deliver_options {
	const char *config_path;
	const char *user;
	const char *mailbox;
	const char *sender;
	const char *address;
};

struct deliver_context {
	struct pool *pool;
	struct postern_config config;
	struct deliver_options opts;
	const char *username;
	char **fields;
	struct mail_user *user;
	struct lmtp_quota quota;
};

/* The [storage] section. The master's configuration doesn't carry one
   yet (the lead is wiring it, with service_env.storage_set); until then
   storage falls back to its defaults. */
static const struct storage_settings *
deliver_storage_settings(const struct postern_config *config)
{
	return NULL;
}

static void deliver_usage(void)
{
	fprintf(stderr,
		"usage: postern-deliver [-c CONFIG] -d USER [-m FOLDER] "
		"[-f SENDER] [-a ADDRESS] < message\n");
	exit(EX_USAGE);
}

static void deliver_parse_args(int argc, char *argv[],
			       struct deliver_options *opts_r)
{
	int c;

	memset(opts_r, 0, sizeof(*opts_r));
	while ((c = getopt(argc, argv, "a:c:d:f:m:")) != -1) {
		switch (c) {
		case 'a':
			opts_r->address = optarg;
			break;
		case 'c':
			opts_r->config_path = optarg;
			break;
		case 'd':
			opts_r->user = optarg;
			break;
		case 'f':
			opts_r->sender = optarg;
			break;
		case 'm':
			opts_r->mailbox = optarg;
			break;
		default:
			deliver_usage();
		}
	}
	if (optind != argc || opts_r->user == NULL || opts_r->user[0] == '\0')
		deliver_usage();
}

/* userdb: 1 found, EX_NOUSER / EX_TEMPFAIL otherwise. */
static int deliver_lookup(struct deliver_context *ctx)
{
	const char *socket_path =
		auth_path(ctx->pool, ctx->config.master.data_dir,
			  ctx->config.auth.userdb_socket);
	const char *error;
	int ret;

	ret = auth_blocking_user_lookup(socket_path, ctx->opts.user, "lda",
					ctx->pool, &ctx->fields, &error);
	if (ret < 0) {
		fprintf(stderr, "postern-deliver: userdb lookup failed: %s\n",
			error);
		return EX_TEMPFAIL;
	}
	if (ret == 0) {
		fprintf(stderr, "postern-deliver: %s: no such user\n",
			ctx->opts.user);
		return EX_NOUSER;
	}
	ctx->username = ctx->fields[0];
	return 0;
}

static int deliver_exit_code(enum mail_error error)
{
	switch (error) {
	case MAIL_ERROR_NONE:
		return EX_OK;
	case MAIL_ERROR_NOQUOTA:
	case MAIL_ERROR_LIMIT:
		return EX_CANTCREAT;
	case MAIL_ERROR_TEMP:
	case MAIL_ERROR_NOTPOSSIBLE:
	case MAIL_ERROR_PARAMS:
	case MAIL_ERROR_PERM:
	case MAIL_ERROR_NOTFOUND:
	case MAIL_ERROR_EXISTS:
	case MAIL_ERROR_EXPUNGED:
	case MAIL_ERROR_INUSE:
	case MAIL_ERROR_INVALIDDATA:
		return EX_TEMPFAIL;
	}
	return EX_SOFTWARE;
}

/* An mbox "From sender date" line before the message is not part of it;
   its address is the envelope sender unless -f gave one. */
static size_t deliver_skip_from_line(struct deliver_context *ctx,
				     const char *data, size_t size)
{
	const char *lf = memchr(data, '\n', size);
	const char *addr_end;

	if (size < 5 || memcmp(data, "From ", 5) != 0 || lf == NULL)
		return 0;
	addr_end = memchr(data + 5, ' ', (size_t)(lf - data) - 5);
	if (ctx->opts.sender == NULL) {
		ctx->opts.sender = pool_strndup(
			ctx->pool, data + 5,
			(size_t)((addr_end != NULL ? addr_end : lf) - data) -
				5);
		if (strcmp(ctx->opts.sender, "MAILER-DAEMON") == 0)
			ctx->opts.sender = "";
	}
	return (size_t)(lf - data) + 1;
}

static struct lmtp_delivery *deliver_begin(struct deliver_context *ctx)
{
	string_t *header = str_new(256, SIZE_MAX);
	struct lmtp_headers_params hparams = {
		.return_path = ctx->opts.sender != NULL ? ctx->opts.sender : "",
		.delivered_to = ctx->opts.address != NULL ? ctx->opts.address
							  : ctx->opts.user,
	};
	struct lmtp_delivery_params params = {
		.user = ctx->user,
		.mailbox = ctx->opts.mailbox,
	};
	struct lmtp_delivery *delivery;

	lmtp_headers_append(header, &hparams);
	params.header = str_c(header);
	params.header_size = str_len(header);
	delivery = lmtp_delivery_begin(&params);
	str_free(&header);
	return delivery;
}

/* Streams stdin into the delivery; the first chunk is read before the
   delivery begins, for the mbox From line. Returns 0, or -1 on a read
   error. */
static int deliver_copy_stdin(struct deliver_context *ctx,
			      struct lmtp_delivery **delivery_r,
			      uint64_t *size_r)
{
	static char buf[DELIVER_CHUNK_SIZE];
	struct lmtp_delivery *delivery = NULL;
	size_t skip;
	ssize_t n;

	*size_r = 0;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		skip = delivery == NULL
			       ? deliver_skip_from_line(ctx, buf, (size_t)n)
			       : 0;
		if (delivery == NULL)
			delivery = deliver_begin(ctx);
		lmtp_delivery_write(delivery, buf + skip, (size_t)n - skip);
		*size_r += (size_t)n - skip;
	}
	if (delivery == NULL)
		delivery = deliver_begin(ctx);
	*delivery_r = delivery;
	if (n < 0) {
		fprintf(stderr, "postern-deliver: read(stdin): %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

static int deliver_quota_init(struct deliver_context *ctx)
{
	const char *rule = NULL, *error;

	for (char **f = ctx->fields + 1; *f != NULL; f++) {
		if (str_begins(*f, "quota_rule="))
			rule = *f + 11;
	}
	if (lmtp_quota_parse_rule(rule, &ctx->quota, &error) < 0 ||
	    (lmtp_quota_has_limits(&ctx->quota) &&
	     lmtp_delivery_quota_usage(ctx->user, &ctx->quota, &error) < 0)) {
		fprintf(stderr, "postern-deliver: %s: quota: %s\n",
			ctx->username, error);
		return -1;
	}
	return 0;
}

static int deliver_message(struct deliver_context *ctx)
{
	struct lmtp_delivery_result result;
	struct lmtp_delivery *delivery;
	uint64_t size, max_size = ctx->config.lmtp.max_message_size;

	if (deliver_quota_init(ctx) < 0)
		return EX_TEMPFAIL;
	if (deliver_copy_stdin(ctx, &delivery, &size) < 0) {
		lmtp_delivery_abort(&delivery);
		return EX_TEMPFAIL;
	}
	if (max_size != 0 && size > max_size)
		lmtp_delivery_fail(delivery, MAIL_ERROR_LIMIT,
				   "Message too big");
	else if (lmtp_quota_has_limits(&ctx->quota) &&
		 lmtp_quota_exceeded(&ctx->quota, size))
		lmtp_delivery_fail(delivery, MAIL_ERROR_NOQUOTA,
				   "Mailbox is full");
	if (lmtp_delivery_commit(&delivery, &result) < 0) {
		fprintf(stderr, "postern-deliver: %s: %s\n", ctx->username,
			result.error_text);
		if (result.error == MAIL_ERROR_NOQUOTA &&
		    ctx->config.lmtp.quota_full_tempfail)
			return EX_TEMPFAIL;
		return deliver_exit_code(result.error);
	}
	log_info("%s: saved mail to %s (uid %u, %llu bytes)", ctx->username,
		 result.mailbox, result.uid, (unsigned long long)result.size);
	return EX_OK;
}

static int deliver_run(struct deliver_context *ctx)
{
	const char *error;
	int ret;

	if (postern_config_load(&ctx->config, ctx->opts.config_path, &error) <
	    0) {
		fprintf(stderr, "postern-deliver: %s\n", error);
		return EX_CONFIG;
	}
	ret = deliver_lookup(ctx);
	if (ret != 0)
		return ret;
	if (lmtp_delivery_user_open(ctx->username, ctx->fields + 1,
				    deliver_storage_settings(&ctx->config),
				    &ctx->user, &error) < 0) {
		fprintf(stderr, "postern-deliver: %s: %s\n", ctx->username,
			error);
		return EX_TEMPFAIL;
	}
	ret = deliver_message(ctx);
	lmtp_delivery_user_unref(&ctx->user);
	return ret;
}

int main(int argc, char *argv[])
{
	struct deliver_context ctx;
	int ret;

	memset(&ctx, 0, sizeof(ctx));
	log_set_process_name("postern-deliver");
	deliver_parse_args(argc, argv, &ctx.opts);
	ctx.pool = pool_create("postern-deliver", 4096);
	ret = deliver_run(&ctx);
	postern_config_free(&ctx.config);
	pool_destroy(&ctx.pool);
	return ret;
}
