#include "ctl-storage-commands.h"
#include "strfuncs.h"

#include <stdio.h>
#include <sysexits.h>
#include <unistd.h>

static int ctl_fetch_write(const struct mail_data *data)
{
	const unsigned char *p = data->data;
	size_t left = data->size;

	while (left > 0) {
		ssize_t n = write(STDOUT_FILENO, p, left);

		if (n < 0)
			return EX_IOERR;
		p += n;
		left -= (size_t)n;
	}
	return EX_OK;
}

/* Writes the message's bytes (CRLF, as IMAP sends them). */
static int ctl_fetch_uid(struct mailbox *box, uint32_t uid)
{
	struct seq_range_set uids;
	struct mail_fetch_ctx *ctx;
	struct mail_data data;
	struct mail *mail;
	enum mail_error code;
	int ret;

	seq_range_set_init(&uids, NULL);
	seq_range_set_add(&uids, uid);
	ctx = mailbox_fetch_init(box, &uids, MAIL_FETCH_DATA);
	ret = mailbox_fetch_next(ctx, &mail);
	if (ret > 0 && mail_get_data(mail, &data) == 0) {
		ret = ctl_fetch_write(&data);
		mail_data_release(&data);
	} else if (ret == 0) {
		fprintf(stderr, "posternctl: no message with UID %u\n", uid);
		ret = EX_DATAERR;
	} else {
		fprintf(stderr, "posternctl: %s\n",
			mailbox_get_last_error(box, &code));
		ret = ctl_storage_exit_code(code);
	}
	(void)mailbox_fetch_deinit(&ctx);
	seq_range_set_deinit(&uids);
	return ret;
}

/* fetch USER MAILBOX UID */
int ctl_storage_cmd_fetch(const struct storage_settings *set,
			  const char *userdb_socket, int argc, char *argv[])
{
	struct mail_user *user;
	struct mailbox *box;
	enum mail_error code;
	uint32_t uid;
	int ret;

	if (argc != 3 || str_to_uint32(argv[2], &uid) < 0 || uid == 0) {
		fprintf(stderr, "Usage: posternctl fetch USER MAILBOX UID\n");
		return EX_USAGE;
	}
	ret = ctl_storage_user_open(set, userdb_socket, argv[0], &user);
	if (ret != EX_OK)
		return ret;
	box = mailbox_alloc(user, argv[1],
			    MAILBOX_FLAG_READONLY | MAILBOX_FLAG_NO_RECENT,
			    NULL);
	if (mailbox_open(box) < 0) {
		fprintf(stderr, "posternctl: %s: %s\n", argv[1],
			mailbox_get_last_error(box, &code));
		ret = ctl_storage_exit_code(code);
	} else {
		ret = ctl_fetch_uid(box, uid);
	}
	mailbox_free(&box);
	mail_user_unref(&user);
	return ret;
}
