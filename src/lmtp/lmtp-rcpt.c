#include "lmtp-client.h"
#include "auth-master-client.h"
#include "lmtp-settings.h"
#include "lmtp-transaction.h"
#include "lmtp-user-cache.h"
#include "pool.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <string.h>

/* RCPT TO: the userdb socket says whether the user exists (and normalizes
   the name, as IMAP logins get it), then a thread-pool job opens the
   user's storage, looks for the +detail folder and checks the quota. Only
   then is the recipient accepted, so that DATA can write at once. */

struct lmtp_rcpt_job {
	uv_work_t work;
	/* The auth service's socket has no timeout of its own. */
	uv_timer_t timer;
	struct lmtp_client *client;
	struct lmtp_recipient *rcpt;
	unsigned int code;
	enum lmtp_esc esc;
	const char *text;
};

static void lmtp_rcpt_job_close_cb(uv_handle_t *handle)
{
	free(handle->data);
}

static void lmtp_rcpt_job_free(struct lmtp_rcpt_job *job)
{
	uv_close((uv_handle_t *)&job->timer, lmtp_rcpt_job_close_cb);
}

static void lmtp_rcpt_reply(struct lmtp_client *client,
			    const struct lmtp_recipient *rcpt,
			    unsigned int code, enum lmtp_esc esc,
			    const char *text)
{
	lmtp_client_reply(client, code, esc, "<%s> %s", rcpt->address_str,
			  text);
}

/* What over quota answers: permanent unless configured temporary. */
static void lmtp_rcpt_quota_error(struct lmtp_rcpt_job *job)
{
	job->code = lmtp_set->quota_full_tempfail ? 452 : 552;
	job->esc = LMTP_ESC_MAILBOX_FULL;
	job->text = "Mailbox is full";
}

static int lmtp_rcpt_check_quota(struct lmtp_rcpt_job *job)
{
	struct lmtp_recipient *rcpt = job->rcpt;
	const char *rule = NULL, *error;

	for (char **f = rcpt->fields; f != NULL && *f != NULL; f++) {
		if (str_begins(*f, "quota_rule="))
			rule = *f + 11;
	}
	if (lmtp_quota_parse_rule(rule, &rcpt->quota, &error) < 0) {
		log_msg(LOG_LEVEL_ERROR, &job->client->log, "%s: %s: %s",
			rcpt->username, error, rule);
		return -1;
	}
	if (!lmtp_quota_has_limits(&rcpt->quota))
		return 0;
	if (lmtp_delivery_quota_usage(rcpt->user, &rcpt->quota, &error) < 0) {
		log_msg(LOG_LEVEL_ERROR, &job->client->log, "%s: %s",
			rcpt->username, error);
		return -1;
	}
	if (lmtp_quota_exceeded(&rcpt->quota, rcpt->trans->params.size)) {
		lmtp_rcpt_quota_error(job);
		return 1;
	}
	return 0;
}

static int lmtp_rcpt_find_mailbox(struct lmtp_rcpt_job *job)
{
	struct lmtp_recipient *rcpt = job->rcpt;
	const char *error;
	int ret;

	if (rcpt->detail == NULL || rcpt->detail[0] == '\0')
		return 0;
	ret = lmtp_delivery_mailbox_exists(rcpt->user, rcpt->detail, &error);
	if (ret < 0) {
		log_msg(LOG_LEVEL_ERROR, &job->client->log,
			"%s: Can't look up folder: %s", rcpt->username, error);
		return -1;
	}
	if (ret > 0)
		rcpt->mailbox = rcpt->detail;
	return 0;
}

static void lmtp_rcpt_work_cb(uv_work_t *work)
{
	struct lmtp_rcpt_job *job =
		CONTAINER_OF(work, struct lmtp_rcpt_job, work);
	struct lmtp_recipient *rcpt = job->rcpt;
	const char *error;
	int ret;

	if (lmtp_delivery_user_open(rcpt->username, rcpt->fields,
				    lmtp_env->storage_set, &rcpt->user,
				    &error) < 0) {
		log_msg(LOG_LEVEL_ERROR, &job->client->log,
			"%s: Can't open the mail storage: %s", rcpt->username,
			error);
		ret = -1;
	} else {
		ret = lmtp_rcpt_find_mailbox(job);
		if (ret == 0)
			ret = lmtp_rcpt_check_quota(job);
	}
	if (ret < 0) {
		job->code = 451;
		job->esc = LMTP_ESC_SYSTEM_OTHER;
		job->text = "Temporary internal error, try again later";
	}
	if (ret != 0 && rcpt->user != NULL)
		lmtp_delivery_user_unref(&rcpt->user);
}

static void lmtp_rcpt_done(uv_work_t *work, int status)
{
	struct lmtp_rcpt_job *job =
		CONTAINER_OF(work, struct lmtp_rcpt_job, work);
	struct lmtp_client *client = job->client;
	struct lmtp_recipient *rcpt = job->rcpt;

	if (rcpt->user != NULL) {
		/* kept by the transaction; freed with it */
		lmtp_transaction_add_rcpt(rcpt->trans, rcpt);
		lmtp_user_cache_keep(rcpt->user);
	}
	if (!conn_is_closing(client->conn)) {
		if (rcpt->user != NULL) {
			lmtp_rcpt_reply(
				client, rcpt, 250, LMTP_ESC_DESTINATION_VALID,
				rcpt->mailbox != NULL ? "OK (to a folder)"
						      : "OK");
		} else {
			lmtp_rcpt_reply(client, rcpt, job->code, job->esc,
					job->text);
		}
	}
	client->rcpt_job = NULL;
	lmtp_rcpt_job_free(job);
	lmtp_client_command_done(client);
	lmtp_client_job_done(client);
}

static char **lmtp_rcpt_copy_fields(struct pool *pool, char *const *fields)
{
	unsigned int count = 0;
	char **copy;

	while (fields != NULL && fields[count] != NULL)
		count++;
	copy = p_new(pool, char *, count + 1);
	for (unsigned int i = 0; i < count; i++)
		copy[i] = pool_strdup(pool, fields[i]);
	return copy;
}

static void lmtp_rcpt_finish(struct lmtp_rcpt_job *job, unsigned int code,
			     enum lmtp_esc esc, const char *text)
{
	struct lmtp_client *client = job->client;

	lmtp_rcpt_reply(client, job->rcpt, code, esc, text);
	client->rcpt_job = NULL;
	lmtp_rcpt_job_free(job);
	lmtp_client_command_done(client);
}

static void lmtp_rcpt_lookup_cb(int result, const char *user,
				char *const *fields, void *context)
{
	struct lmtp_rcpt_job *job = context;
	struct lmtp_client *client = job->client;
	struct lmtp_recipient *rcpt = job->rcpt;

	client->lookup = NULL;
	uv_timer_stop(&job->timer);
	if (result < 0) {
		lmtp_rcpt_finish(job, 451, LMTP_ESC_SYSTEM_OTHER,
				 "Temporary user lookup failure");
		return;
	}
	if (result == 0) {
		log_msg(LOG_LEVEL_INFO, &client->log, "<%s>: User unknown",
			rcpt->address_str);
		lmtp_rcpt_finish(job, 550, LMTP_ESC_BAD_MAILBOX,
				 "User unknown");
		return;
	}
	rcpt->username = pool_strdup(rcpt->trans->pool, user);
	rcpt->fields = lmtp_rcpt_copy_fields(rcpt->trans->pool, fields);
	lmtp_client_queue_job(client, &job->work, lmtp_rcpt_work_cb,
			      lmtp_rcpt_done);
}

static void lmtp_rcpt_timeout_cb(uv_timer_t *timer)
{
	struct lmtp_rcpt_job *job = timer->data;
	struct lmtp_client *client = job->client;

	log_msg(LOG_LEVEL_ERROR, &client->log,
		"<%s>: userdb lookup timed out after %u s",
		job->rcpt->address_str, lmtp_set->lookup_timeout);
	auth_master_lookup_abort(&client->lookup);
	lmtp_rcpt_finish(job, 451, LMTP_ESC_SYSTEM_OTHER,
			 "Temporary user lookup failure");
}

static struct lmtp_recipient *
lmtp_rcpt_create(struct lmtp_transaction *trans,
		 const struct lmtp_address *address)
{
	struct pool *pool = trans->pool;
	struct lmtp_recipient *rcpt = p_new(pool, struct lmtp_recipient, 1);

	rcpt->trans = trans;
	rcpt->address.localpart = pool_strdup(pool, address->localpart);
	if (address->domain != NULL)
		rcpt->address.domain = pool_strdup(pool, address->domain);
	rcpt->address_str = lmtp_address_to_string(pool, &rcpt->address);
	return rcpt;
}

/* The name the userdb is asked for: the address without its +detail. */
static const char *lmtp_rcpt_lookup_name(struct lmtp_recipient *rcpt)
{
	struct pool *pool = rcpt->trans->pool;
	const char *user;

	lmtp_address_split_detail(pool, rcpt->address.localpart,
				  lmtp_set->recipient_delimiter, &user,
				  &rcpt->detail);
	if (rcpt->address.domain == NULL)
		return user;
	return pool_printf(pool, "%s@%s", user, rcpt->address.domain);
}

void lmtp_rcpt_proceed(struct lmtp_client *client, struct lmtp_address *address)
{
	struct auth_master_client *userdb = lmtp_client_get_userdb();
	struct lmtp_recipient *rcpt = lmtp_rcpt_create(client->trans, address);
	const char *name = lmtp_rcpt_lookup_name(rcpt);
	struct lmtp_rcpt_job *job;

	if (userdb == NULL) {
		log_msg(LOG_LEVEL_ERROR, &client->log,
			"No userdb socket configured: can't look up users");
		lmtp_rcpt_reply(client, rcpt, 451, LMTP_ESC_SYSTEM_OTHER,
				"Temporary user lookup failure");
		return;
	}
	job = xnew(struct lmtp_rcpt_job, 1);
	job->client = client;
	job->rcpt = rcpt;
	uv_timer_init(lmtp_env->loop, &job->timer);
	job->timer.data = job;
	uv_timer_start(&job->timer, lmtp_rcpt_timeout_cb,
		       (uint64_t)lmtp_set->lookup_timeout * 1000, 0);
	lmtp_client_command_async(client);
	client->rcpt_job = job;
	client->lookup = auth_master_user_lookup(userdb, name, "lmtp",
						 lmtp_rcpt_lookup_cb, job);
}

void lmtp_rcpt_abort(struct lmtp_client *client)
{
	if (client->lookup == NULL)
		return;
	auth_master_lookup_abort(&client->lookup);
	lmtp_rcpt_job_free(client->rcpt_job);
	client->rcpt_job = NULL;
	lmtp_client_command_done(client);
}
