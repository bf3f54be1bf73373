#include "log.h"
#include "storage-private.h"
#include "strfuncs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static __thread struct mail_error_sink *storage_error_sink;

static const char *const mail_error_names[] = {
	[MAIL_ERROR_NONE] = "NONE",
	[MAIL_ERROR_TEMP] = "TEMP",
	[MAIL_ERROR_NOTPOSSIBLE] = "NOTPOSSIBLE",
	[MAIL_ERROR_PARAMS] = "PARAMS",
	[MAIL_ERROR_PERM] = "PERM",
	[MAIL_ERROR_NOQUOTA] = "NOQUOTA",
	[MAIL_ERROR_NOTFOUND] = "NOTFOUND",
	[MAIL_ERROR_EXISTS] = "EXISTS",
	[MAIL_ERROR_EXPUNGED] = "EXPUNGED",
	[MAIL_ERROR_INUSE] = "INUSE",
	[MAIL_ERROR_LIMIT] = "LIMIT",
	[MAIL_ERROR_INVALIDDATA] = "INVALIDDATA",
};

const char *mail_error_name(enum mail_error error)
{
	if ((unsigned int)error >= N_ELEMENTS(mail_error_names))
		return "UNKNOWN";
	return mail_error_names[error];
}

enum mail_error mail_error_from_errno(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
	case EROFS:
		return MAIL_ERROR_PERM;
	case ENOSPC:
	case EDQUOT:
		return MAIL_ERROR_NOQUOTA;
	case ENOENT:
	case ENOTDIR:
		return MAIL_ERROR_NOTFOUND;
	case EEXIST:
	case ENOTEMPTY:
		return MAIL_ERROR_EXISTS;
	default:
		return MAIL_ERROR_TEMP;
	}
}

struct mail_error_sink *storage_error_push(struct mail_error_sink *sink)
{
	struct mail_error_sink *prev = storage_error_sink;

	sink->code = MAIL_ERROR_NONE;
	sink->text[0] = '\0';
	storage_error_sink = sink;
	return prev;
}

void storage_error_pop(struct mail_error_sink *prev)
{
	storage_error_sink = prev;
}

void storage_error_set(enum mail_error code, const char *text)
{
	struct mail_error_sink *sink = storage_error_sink;

	if (sink == NULL || sink->code != MAIL_ERROR_NONE)
		return;
	sink->code = code;
	str_copy(sink->text, text, sizeof(sink->text));
}

bool storage_error_is_set(void)
{
	return storage_error_sink != NULL &&
	       storage_error_sink->code != MAIL_ERROR_NONE;
}

enum mail_error storage_error_code(void)
{
	return storage_error_sink == NULL ? MAIL_ERROR_NONE
					  : storage_error_sink->code;
}

void storage_error_criticalv(const struct log_ctx *ctx, const char *fmt,
			     va_list args)
{
	char text[128];
	struct tm tm;
	time_t now = time(NULL);

	log_msgv(LOG_LEVEL_ERROR, ctx, fmt, args);
	gmtime_r(&now, &tm);
	strftime(text, sizeof(text),
		 "Internal error occurred. Refer to server log for more "
		 "information. [%Y-%m-%d %H:%M:%S UTC]",
		 &tm);
	storage_error_set(MAIL_ERROR_TEMP, text);
}

void storage_error_critical(const struct log_ctx *ctx, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	storage_error_criticalv(ctx, fmt, args);
	va_end(args);
}

void backend_set_critical(struct backend_mailbox *box, const char *fmt, ...)
{
	char msg[1024];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	storage_error_critical(&box->storage->user->log_ctx, "mailbox %s: %s",
			       box->name, msg);
}

void backend_set_error(struct backend_mailbox *box, enum mail_error code,
		       const char *text)
{
	storage_error_set(code, text);
}

void storage_set_critical(struct mail_storage *storage, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	storage_error_criticalv(&storage->user->log_ctx, fmt, args);
	va_end(args);
}

void storage_set_error(struct mail_storage *storage, enum mail_error code,
		       const char *text)
{
	storage_error_set(code, text);
}
