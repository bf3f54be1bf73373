#include "lmtp-delivery.h"
#include "lmtp-quota.h"
#include "pool.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <pthread.h>
#include <string.h>

struct lmtp_delivery {
	struct mail_user *user;
	const struct log_ctx *log_ctx;
	struct mailbox *box;
	struct mailbox_transaction *trans;
	struct mail_save *save;
	uint64_t size;
	enum mail_error error;
	char error_text[256];
};

static const char *lmtp_delivery_field(char *const *fields, const char *key)
{
	size_t len = strlen(key);

	for (; fields != NULL && *fields != NULL; fields++) {
		if (strncmp(*fields, key, len) == 0 && (*fields)[len] == '=')
			return *fields + len + 1;
	}
	return NULL;
}

static struct storage_settings lmtp_delivery_defaults;

static void lmtp_delivery_init_defaults(void)
{
	storage_settings_init_defaults(&lmtp_delivery_defaults);
}

/* Storage's defaults, for a caller without a [storage] section. */
static const struct storage_settings *lmtp_delivery_default_settings(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, lmtp_delivery_init_defaults);
	return &lmtp_delivery_defaults;
}

int lmtp_delivery_user_open(const char *username, char *const *fields,
			    const struct storage_settings *set,
			    struct mail_user **user_r, const char **error_r)
{
	struct mail_user_params params = {
		.username = username,
		.home = lmtp_delivery_field(fields, "home"),
		.mail_location = lmtp_delivery_field(fields, "mail"),
	};

	if (set == NULL)
		set = lmtp_delivery_default_settings();
	return mail_user_open(&params, set, user_r, error_r);
}

int lmtp_delivery_mailbox_exists(struct mail_user *user, const char *name,
				 const char **error_r)
{
	struct mailbox *box;
	const char *error;
	int ret;

	if (mailbox_name_validate(name, &error) < 0)
		return 0;
	box = mailbox_alloc(user, name, MAILBOX_FLAG_SAVE_ONLY, NULL);
	ret = mailbox_exists(box);
	if (ret < 0)
		*error_r = mailbox_get_last_error(box, NULL);
	mailbox_free(&box);
	return ret;
}

int lmtp_delivery_quota_usage(struct mail_user *user, struct lmtp_quota *quota,
			      const char **error_r)
{
	struct pool *pool = pool_create("quota usage", 1024);
	struct mailbox_info *infos;
	struct mailbox_status status;
	unsigned int count;
	int ret;

	quota->bytes = quota->messages = 0;
	ret = mail_user_list_mailboxes(user, 0, pool, &infos, &count, error_r);
	for (unsigned int i = 0; ret == 0 && i < count; i++) {
		struct mailbox *box;

		if ((infos[i].flags & MAILBOX_INFO_NOSELECT) != 0)
			continue;
		box = mailbox_alloc(user, infos[i].name, 0, NULL);
		if (mailbox_get_status(box, STATUS_SIZE | STATUS_MESSAGES,
				       &status) < 0) {
			ret = -1;
		} else {
			quota->bytes += status.size;
			quota->messages += status.messages;
		}
		mailbox_free(&box);
	}
	if (ret < 0)
		*error_r = "Can't compute the quota usage";
	pool_destroy(&pool);
	return ret;
}

void lmtp_delivery_user_ref(struct mail_user *user)
{
	mail_user_ref(user);
}

void lmtp_delivery_user_unref(struct mail_user **user)
{
	mail_user_unref(user);
}

const char *lmtp_delivery_error_name(enum mail_error error)
{
	return mail_error_name(error);
}

static void lmtp_delivery_set_error(struct lmtp_delivery *delivery)
{
	enum mail_error code;
	const char *text = mailbox_get_last_error(delivery->box, &code);

	if (delivery->error != MAIL_ERROR_NONE)
		return; /* keep the first */
	delivery->error = code != MAIL_ERROR_NONE ? code : MAIL_ERROR_TEMP;
	str_copy(delivery->error_text, text, sizeof(delivery->error_text));
}

void lmtp_delivery_fail(struct lmtp_delivery *delivery, enum mail_error code,
			const char *text)
{
	if (delivery->error != MAIL_ERROR_NONE)
		return;
	delivery->error = code;
	str_copy(delivery->error_text, text, sizeof(delivery->error_text));
	if (delivery->save != NULL)
		mailbox_save_abort(&delivery->save);
}

static int lmtp_delivery_save_begin(struct lmtp_delivery *delivery,
				    const char *name, uint64_t size_hint)
{
	struct mail_save_params save_params = { .size_hint = size_hint };

	delivery->box =
		mailbox_alloc(delivery->user, name, MAILBOX_FLAG_SAVE_ONLY,
			      delivery->log_ctx);
	delivery->trans = mailbox_transaction_begin(delivery->box);
	return mailbox_save_begin(delivery->trans, &save_params,
				  &delivery->save);
}

/* Drops a failed attempt on a folder, to try INBOX instead. */
static void lmtp_delivery_close_box(struct lmtp_delivery *delivery)
{
	if (delivery->trans != NULL)
		mailbox_transaction_rollback(&delivery->trans);
	if (delivery->box != NULL)
		mailbox_free(&delivery->box);
}

struct lmtp_delivery *
lmtp_delivery_begin(const struct lmtp_delivery_params *params)
{
	struct lmtp_delivery *delivery = xnew(struct lmtp_delivery, 1);
	const char *name = params->mailbox != NULL ? params->mailbox : "INBOX";
	enum mail_error code;
	int ret;

	delivery->user = params->user;
	delivery->log_ctx = params->log_ctx;
	mail_user_ref(delivery->user);
	ret = lmtp_delivery_save_begin(delivery, name, params->size_hint);
	if (ret < 0 && strcmp(name, "INBOX") != 0) {
		/* The folder went away since RCPT: INBOX it is. */
		(void)mailbox_get_last_error(delivery->box, &code);
		if (code == MAIL_ERROR_NOTFOUND || code == MAIL_ERROR_PARAMS) {
			lmtp_delivery_close_box(delivery);
			ret = lmtp_delivery_save_begin(delivery, "INBOX",
						       params->size_hint);
		}
	}
	if (ret < 0) {
		lmtp_delivery_set_error(delivery);
		return delivery;
	}
	lmtp_delivery_write(delivery, params->header, params->header_size);
	delivery->size = 0;
	return delivery;
}

void lmtp_delivery_write(struct lmtp_delivery *delivery, const void *data,
			 size_t size)
{
	if (delivery->save == NULL || size == 0)
		return;
	delivery->size += size;
	if (mailbox_save_write(delivery->save, data, size) < 0) {
		lmtp_delivery_set_error(delivery);
		mailbox_save_abort(&delivery->save);
	}
}

static void lmtp_delivery_free(struct lmtp_delivery **_delivery)
{
	struct lmtp_delivery *delivery = *_delivery;

	*_delivery = NULL;
	if (delivery->save != NULL)
		mailbox_save_abort(&delivery->save);
	lmtp_delivery_close_box(delivery);
	mail_user_unref(&delivery->user);
	free(delivery);
}

static int lmtp_delivery_finish(struct lmtp_delivery *delivery,
				struct lmtp_delivery_result *result_r)
{
	struct mail_transaction_commit_result commit;
	struct pool *pool;
	int ret;

	if (delivery->save == NULL || mailbox_save_finish(&delivery->save) < 0)
		return -1;
	pool = pool_create("lmtp commit", 256);
	ret = mailbox_transaction_commit(&delivery->trans, pool, &commit);
	if (ret == 0) {
		result_r->uid = seq_range_set_min(&commit.saved_uids);
		str_copy(result_r->mailbox, mailbox_get_name(delivery->box),
			 sizeof(result_r->mailbox));
	}
	pool_destroy(&pool);
	return ret;
}

int lmtp_delivery_commit(struct lmtp_delivery **_delivery,
			 struct lmtp_delivery_result *result_r)
{
	struct lmtp_delivery *delivery = *_delivery;

	memset(result_r, 0, sizeof(*result_r));
	if (delivery->error == MAIL_ERROR_NONE &&
	    lmtp_delivery_finish(delivery, result_r) < 0)
		lmtp_delivery_set_error(delivery);
	result_r->error = delivery->error;
	result_r->size = delivery->size;
	str_copy(result_r->error_text, delivery->error_text,
		 sizeof(result_r->error_text));
	lmtp_delivery_free(_delivery);
	return result_r->error == MAIL_ERROR_NONE ? 0 : -1;
}

void lmtp_delivery_abort(struct lmtp_delivery **delivery)
{
	lmtp_delivery_free(delivery);
}
