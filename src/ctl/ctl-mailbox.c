#include "ctl-storage-commands.h"
#include "auth-client-blocking.h"
#include "auth-master-client.h"
#include "pool.h"
#include "pool.h"
#include "strfuncs.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

int ctl_storage_exit_code(enum mail_error code)
{
	switch (code) {
	case MAIL_ERROR_NONE:
		return EX_OK;
	case MAIL_ERROR_TEMP:
	case MAIL_ERROR_INUSE:
		return EX_TEMPFAIL;
	case MAIL_ERROR_NOTPOSSIBLE:
	case MAIL_ERROR_PARAMS:
	case MAIL_ERROR_LIMIT:
	case MAIL_ERROR_INVALIDDATA:
		return EX_DATAERR;
	case MAIL_ERROR_PERM:
		return EX_NOPERM;
	case MAIL_ERROR_NOQUOTA:
		return EX_CANTCREAT;
	case MAIL_ERROR_NOTFOUND:
	case MAIL_ERROR_EXPUNGED:
		return EX_DATAERR;
	case MAIL_ERROR_EXISTS:
		return EX_CANTCREAT;
	}
	return EX_SOFTWARE;
}

/* Fills params from the userdb socket. Returns 1 found, 0 no such user,
   -1 when the socket can't answer. */
static int ctl_storage_userdb_lookup(const char *socket_path,
				     const char *username, struct pool *pool,
				     struct mail_user_params *params)
{
	char **fields;
	const char *error;
	int ret;

	ret = auth_blocking_user_lookup(socket_path, username, "doveadm", pool,
					&fields, &error);
	if (ret < 0) {
		fprintf(stderr, "posternctl: warning: userdb lookup: %s\n",
			error);
		return -1;
	}
	if (ret == 0)
		return 0;
	params->username = fields[0];
	params->home = auth_master_field(fields + 1, "home");
	params->mail_location = auth_master_field(fields + 1, "mail");
	return 1;
}

int ctl_storage_user_open(const struct storage_settings *set,
			  const char *userdb_socket, const char *username,
			  struct mail_user **user_r)
{
	struct mail_user_params params = { .username = username };
	struct pool *pool = pool_create("ctl user", 0);
	const struct passwd *pw;
	const char *error;
	int ret = userdb_socket == NULL
			  ? -1
			  : ctl_storage_userdb_lookup(userdb_socket, username,
						      pool, &params);

	if (ret == 0) {
		fprintf(stderr, "posternctl: no such user: %s\n", username);
		pool_destroy(&pool);
		return EX_NOUSER;
	}
	if (ret < 0 && (pw = getpwnam(username)) != NULL)
		params.home = pw->pw_dir;
	ret = EX_OK;
	if (mail_user_open(&params, set, user_r, &error) < 0) {
		fprintf(stderr, "posternctl: user %s: %s\n", username, error);
		ret = EX_TEMPFAIL;
	}
	pool_destroy(&pool);
	return ret;
}

/* Prints the box's error and returns its exit code. */
static int ctl_mailbox_failed(struct mailbox *box, const char *what)
{
	enum mail_error code;
	const char *text = mailbox_get_last_error(box, &code);

	fprintf(stderr, "posternctl: %s %s: %s\n", what, mailbox_get_name(box),
		text);
	return ctl_storage_exit_code(code);
}

static void ctl_mailbox_print_info(const struct mailbox_info *info)
{
	static const struct {
		enum mailbox_info_flags flag;
		const char *name;
	} attrs[] = {
		{ MAILBOX_INFO_NOSELECT, "\\Noselect" },
		{ MAILBOX_INFO_NONEXISTENT, "\\NonExistent" },
		{ MAILBOX_INFO_CHILDREN, "\\HasChildren" },
		{ MAILBOX_INFO_NOCHILDREN, "\\HasNoChildren" },
		{ MAILBOX_INFO_NOINFERIORS, "\\NoInferiors" },
		{ MAILBOX_INFO_SUBSCRIBED, "\\Subscribed" },
	};
	const char *sep = "";

	printf("%s\t", info->name);
	for (size_t i = 0; i < N_ELEMENTS(attrs); i++) {
		if ((info->flags & attrs[i].flag) != 0) {
			printf("%s%s", sep, attrs[i].name);
			sep = " ";
		}
	}
	for (unsigned int bit = 1; bit <= MAILBOX_SPECIAL_IMPORTANT;
	     bit <<= 1) {
		if ((info->special_use & bit) != 0) {
			printf("%s%s", sep, mailbox_special_use_name(bit));
			sep = " ";
		}
	}
	printf("\n");
}

static int ctl_mailbox_list(struct mail_user *user, int argc, char *argv[])
{
	struct pool *pool = pool_create("list", 4096);
	struct mailbox_info *infos;
	unsigned int count;
	const char *error;

	if (mail_user_list_mailboxes(user, MAILBOX_LIST_FLAG_SUBSCRIBED, pool,
				     &infos, &count, &error) < 0) {
		fprintf(stderr, "posternctl: listing mailboxes: %s\n", error);
		pool_destroy(&pool);
		return EX_TEMPFAIL;
	}
	for (unsigned int i = 0; i < count; i++)
		ctl_mailbox_print_info(&infos[i]);
	pool_destroy(&pool);
	return EX_OK;
}

static int ctl_mailbox_create(struct mail_user *user, int argc, char *argv[])
{
	enum mailbox_special_use special_use = 0;
	struct mailbox *box;
	int ret = EX_OK;

	if (argc < 1 || argc > 2)
		return EX_USAGE;
	if (argc == 2) {
		special_use = mailbox_special_use_parse(argv[1]);
		if (special_use == 0) {
			fprintf(stderr, "posternctl: unknown special-use %s\n",
				argv[1]);
			return EX_USAGE;
		}
	}
	box = mailbox_alloc(user, argv[0], 0, NULL);
	if (mailbox_create(box, special_use) < 0)
		ret = ctl_mailbox_failed(box, "creating");
	else
		(void)mailbox_set_subscribed(box, true);
	mailbox_free(&box);
	return ret;
}

static int ctl_mailbox_delete(struct mail_user *user, int argc, char *argv[])
{
	struct mailbox *box;
	int ret = EX_OK;

	if (argc != 1)
		return EX_USAGE;
	box = mailbox_alloc(user, argv[0], 0, NULL);
	if (mailbox_delete(box) < 0)
		ret = ctl_mailbox_failed(box, "deleting");
	mailbox_free(&box);
	return ret;
}

static int ctl_mailbox_rename(struct mail_user *user, int argc, char *argv[])
{
	struct mailbox *src, *dest;
	int ret = EX_OK;

	if (argc != 2)
		return EX_USAGE;
	src = mailbox_alloc(user, argv[0], 0, NULL);
	dest = mailbox_alloc(user, argv[1], 0, NULL);
	if (mailbox_rename(src, dest) < 0)
		ret = ctl_mailbox_failed(src, "renaming");
	mailbox_free(&src);
	mailbox_free(&dest);
	return ret;
}

static int ctl_mailbox_status(struct mail_user *user, int argc, char *argv[])
{
	struct mailbox_status st;
	struct mailbox *box;
	int ret = EX_OK;

	if (argc != 1)
		return EX_USAGE;
	box = mailbox_alloc(user, argv[0], MAILBOX_FLAG_READONLY, NULL);
	if (mailbox_get_status(box,
			       STATUS_MESSAGES | STATUS_RECENT |
				       STATUS_UIDNEXT | STATUS_UIDVALIDITY |
				       STATUS_UNSEEN | STATUS_DELETED |
				       STATUS_SIZE | STATUS_HIGHESTMODSEQ |
				       STATUS_MAILBOXID,
			       &st) < 0) {
		ret = ctl_mailbox_failed(box, "status of");
	} else {
		printf("messages=%u recent=%u unseen=%u deleted=%u "
		       "uidnext=%u uidvalidity=%u size=%llu "
		       "highestmodseq=%llu mailboxid=%s\n",
		       st.messages, st.recent, st.unseen, st.deleted,
		       st.uidnext, st.uidvalidity, (unsigned long long)st.size,
		       (unsigned long long)st.highest_modseq, st.mailbox_id);
	}
	mailbox_free(&box);
	return ret;
}

static const struct {
	const char *name;
	const char *usage;
	int (*func)(struct mail_user *user, int argc, char *argv[]);
} ctl_mailbox_commands[] = {
	{ "list", "mailbox list USER", ctl_mailbox_list },
	{ "create", "mailbox create USER NAME [\\SPECIAL-USE]",
	  ctl_mailbox_create },
	{ "delete", "mailbox delete USER NAME", ctl_mailbox_delete },
	{ "rename", "mailbox rename USER OLD NEW", ctl_mailbox_rename },
	{ "status", "mailbox status USER NAME", ctl_mailbox_status },
};

static int ctl_mailbox_usage(void)
{
	fprintf(stderr, "Usage:\n");
	for (size_t i = 0; i < N_ELEMENTS(ctl_mailbox_commands); i++)
		fprintf(stderr, "  posternctl %s\n",
			ctl_mailbox_commands[i].usage);
	return EX_USAGE;
}

int ctl_storage_cmd_mailbox(const struct storage_settings *set,
			    const char *userdb_socket, int argc, char *argv[])
{
	struct mail_user *user;
	int ret;

	if (argc < 2)
		return ctl_mailbox_usage();
	for (size_t i = 0; i < N_ELEMENTS(ctl_mailbox_commands); i++) {
		if (strcmp(argv[0], ctl_mailbox_commands[i].name) != 0)
			continue;
		ret = ctl_storage_user_open(set, userdb_socket, argv[1], &user);
		if (ret != EX_OK)
			return ret;
		ret = ctl_mailbox_commands[i].func(user, argc - 2, argv + 2);
		mail_user_unref(&user);
		return ret == EX_USAGE ? ctl_mailbox_usage() : ret;
	}
	return ctl_mailbox_usage();
}
