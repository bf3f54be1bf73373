#include "imap-util.h"
#include "imap-commands.h"
#include "log.h"
#include "pool.h"
#include "strfuncs.h"

#include <stdio.h>
#include <string.h>

static const struct {
	enum mail_flags flag;
	const char *name;
} imap_system_flags[] = {
	{ MAIL_ANSWERED, "\\Answered" }, { MAIL_FLAGGED, "\\Flagged" },
	{ MAIL_DELETED, "\\Deleted" },   { MAIL_SEEN, "\\Seen" },
	{ MAIL_DRAFT, "\\Draft" },       { MAIL_RECENT, "\\Recent" },
};

void imap_write_flags(string_t *dest, enum mail_flags flags,
		      const char *const *keywords)
{
	size_t start = str_len(dest) + 1;

	str_append_c(dest, '(');
	for (size_t i = 0; i < N_ELEMENTS(imap_system_flags); i++) {
		if ((flags & imap_system_flags[i].flag) == 0)
			continue;
		if (str_len(dest) > start)
			str_append_c(dest, ' ');
		str_append(dest, imap_system_flags[i].name);
	}
	for (unsigned int i = 0; keywords != NULL && keywords[i] != NULL; i++) {
		if (str_len(dest) > start)
			str_append_c(dest, ' ');
		str_append(dest, keywords[i]);
	}
	str_append_c(dest, ')');
}

void imap_write_flag_names(string_t *dest, const char *const *keywords,
			   bool permanent_any)
{
	str_append(dest, "(\\Answered \\Flagged \\Deleted \\Seen \\Draft");
	for (unsigned int i = 0; keywords != NULL && keywords[i] != NULL; i++)
		str_printfa(dest, " %s", keywords[i]);
	if (permanent_any)
		str_append(dest, " \\*");
	str_append_c(dest, ')');
}

static int imap_parse_flag(const char *name, enum mail_flags *flags,
			   const char **error_r)
{
	for (size_t i = 0; i < N_ELEMENTS(imap_system_flags); i++) {
		if (imap_system_flags[i].flag != MAIL_RECENT &&
		    str_eq_icase(name, imap_system_flags[i].name)) {
			*flags |= imap_system_flags[i].flag;
			return 0;
		}
	}
	*error_r = "Invalid system flag.";
	return -1;
}

int imap_parse_flags(const struct imap_arg *args, struct pool *pool,
		     enum mail_flags *flags_r, const char *const **keywords_r,
		     const char **error_r)
{
	unsigned int count = imap_args_count(args), n = 0;
	const char **keywords = p_new(pool, const char *, count + 1);
	const char *name;

	*flags_r = 0;
	for (unsigned int i = 0; i < count; i++) {
		if (!imap_arg_get_atom(&args[i], &name)) {
			*error_r = "Flags must be atoms.";
			return -1;
		}
		if (name[0] == '\\') {
			if (imap_parse_flag(name, flags_r, error_r) < 0)
				return -1;
		} else if (mail_keyword_validate(name) < 0) {
			*error_r = "Invalid keyword.";
			return -1;
		} else {
			keywords[n++] = name;
		}
	}
	*keywords_r = n == 0 ? NULL : keywords;
	return 0;
}

static const char *const imap_months[] = { "Jan", "Feb", "Mar", "Apr",
					   "May", "Jun", "Jul", "Aug",
					   "Sep", "Oct", "Nov", "Dec" };

/* "1-Feb-1994" or " 1-Feb-1994" (date-day-fixed) into tm; returns the
   position after it, or NULL. */
static const char *imap_parse_day(const char *str, struct tm *tm)
{
	char month[4];
	int day, year, n = 0;

	if (*str == ' ')
		str++;
	if (sscanf(str, "%2d-%3c-%4d%n", &day, month, &year, &n) != 3 ||
	    n < 10 || day < 1 || day > 31 || year < 1900)
		return NULL;
	month[3] = '\0';
	memset(tm, 0, sizeof(*tm));
	tm->tm_mday = day;
	tm->tm_year = year - 1900;
	tm->tm_mon = -1;
	for (int i = 0; i < 12; i++) {
		if (str_eq_icase(month, imap_months[i]))
			tm->tm_mon = i;
	}
	return tm->tm_mon < 0 ? NULL : str + n;
}

bool imap_parse_date(const char *str, time_t *time_r)
{
	struct tm tm;
	const char *end = imap_parse_day(str, &tm);

	if (end == NULL || *end != '\0')
		return false;
	*time_r = timegm(&tm);
	return true;
}

bool imap_parse_datetime(const char *str, time_t *time_r, int *tz_offset_r)
{
	struct tm tm;
	const char *p = imap_parse_day(str, &tm);
	int hour, min, sec, zone, n = 0;
	char sign;

	if (p == NULL ||
	    sscanf(p, " %2d:%2d:%2d %c%4d%n", &hour, &min, &sec, &sign, &zone,
		   &n) != 5 ||
	    p[n] != '\0' || (sign != '+' && sign != '-') || hour > 23 ||
	    min > 59 || sec > 60 || zone % 100 > 59 || zone > 2359)
		return false;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	*tz_offset_r = (zone / 100 * 60 + zone % 100) * (sign == '-' ? -1 : 1);
	*time_r = timegm(&tm) - *tz_offset_r * 60;
	return true;
}

/* RFC 5530 response codes for storage errors. */
static const char *imap_mail_error_code(enum mail_error error)
{
	switch (error) {
	case MAIL_ERROR_NONE:
		return "";
	case MAIL_ERROR_TEMP:
		return "[UNAVAILABLE] ";
	case MAIL_ERROR_NOTPOSSIBLE:
	case MAIL_ERROR_PARAMS:
		return "[CANNOT] ";
	case MAIL_ERROR_PERM:
		return "[NOPERM] ";
	case MAIL_ERROR_NOQUOTA:
		return "[OVERQUOTA] ";
	case MAIL_ERROR_NOTFOUND:
		return "[NONEXISTENT] ";
	case MAIL_ERROR_EXISTS:
		return "[ALREADYEXISTS] ";
	case MAIL_ERROR_EXPUNGED:
		return "[EXPUNGEISSUED] ";
	case MAIL_ERROR_INUSE:
		return "[INUSE] ";
	case MAIL_ERROR_LIMIT:
		return "[LIMIT] ";
	case MAIL_ERROR_INVALIDDATA:
		return "[PARSE] ";
	}
	i_unreached();
}

const char *imap_mail_error_text(struct pool *pool, struct mailbox *box)
{
	enum mail_error error;
	const char *text = mailbox_get_last_error(box, &error);

	if (error == MAIL_ERROR_NONE)
		return "[SERVERBUG] Internal error.";
	return pool_printf(pool, "%s%s", imap_mail_error_code(error), text);
}

const char *imap_mail_dest_error_text(struct pool *pool, struct mailbox *box)
{
	enum mail_error error;
	const char *text = mailbox_get_last_error(box, &error);

	if (error == MAIL_ERROR_NOTFOUND)
		return pool_printf(pool, "[TRYCREATE] %s", text);
	return imap_mail_error_text(pool, box);
}

void imap_command_reply_mail_error(struct imap_command *cmd,
				   struct mailbox *box)
{
	imap_command_no(cmd, imap_mail_error_text(cmd->pool, box));
}

void imap_command_reply_dest_error(struct imap_command *cmd,
				   struct mailbox *box)
{
	enum mail_error error;
	const char *text = mailbox_get_last_error(box, &error);

	if (error == MAIL_ERROR_NOTFOUND)
		imap_command_nof(cmd, "[TRYCREATE] %s", text);
	else
		imap_command_reply_mail_error(cmd, box);
}
