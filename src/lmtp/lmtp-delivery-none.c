#include "lmtp-delivery.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <string.h>

/* Built until storage/ provides storage_dep: every recipient gets a
   temporary failure, so that relays keep the mail queued. This file goes
   away when storage has landed. */

struct lmtp_delivery {
	int unused;
};

int lmtp_delivery_user_open(const char *username, char *const *fields,
			    const struct storage_settings *set,
			    struct mail_user **user_r, const char **error_r)
{
	*user_r = NULL;
	*error_r = "Mail storage is not built in";
	return -1;
}

void lmtp_delivery_user_ref(struct mail_user *user)
{
}

void lmtp_delivery_user_unref(struct mail_user **user)
{
	*user = NULL;
}

const char *lmtp_delivery_error_name(enum mail_error error)
{
	return error == MAIL_ERROR_NONE ? "NONE" : "TEMP";
}

int lmtp_delivery_quota_usage(struct mail_user *user, struct lmtp_quota *quota,
			      const char **error_r)
{
	*error_r = "Mail storage is not built in";
	return -1;
}

int lmtp_delivery_mailbox_exists(struct mail_user *user, const char *name,
				 const char **error_r)
{
	*error_r = "Mail storage is not built in";
	return -1;
}

struct lmtp_delivery *
lmtp_delivery_begin(const struct lmtp_delivery_params *params)
{
	return xnew(struct lmtp_delivery, 1);
}

void lmtp_delivery_write(struct lmtp_delivery *delivery, const void *data,
			 size_t size)
{
}

void lmtp_delivery_fail(struct lmtp_delivery *delivery, enum mail_error code,
			const char *text)
{
}

int lmtp_delivery_commit(struct lmtp_delivery **delivery,
			 struct lmtp_delivery_result *result_r)
{
	memset(result_r, 0, sizeof(*result_r));
	result_r->error = MAIL_ERROR_TEMP;
	str_copy(result_r->error_text, "Mail storage is not built in",
		 sizeof(result_r->error_text));
	lmtp_delivery_abort(delivery);
	return -1;
}

void lmtp_delivery_abort(struct lmtp_delivery **delivery)
{
	free(*delivery);
	*delivery = NULL;
}
