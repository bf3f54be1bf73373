#include "lmtp-headers.h"

#include <stdlib.h>

static const char *const lmtp_weekdays[] = { "Sun", "Mon", "Tue", "Wed",
					     "Thu", "Fri", "Sat" };
static const char *const lmtp_months[] = { "Jan", "Feb", "Mar", "Apr",
					   "May", "Jun", "Jul", "Aug",
					   "Sep", "Oct", "Nov", "Dec" };

void lmtp_headers_append_date(string_t *str, time_t t)
{
	struct tm tm;
	long offset;

	localtime_r(&t, &tm);
	offset = tm.tm_gmtoff / 60;
	str_printfa(str, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
		    lmtp_weekdays[tm.tm_wday], tm.tm_mday,
		    lmtp_months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, offset < 0 ? '-' : '+',
		    labs(offset) / 60, labs(offset) % 60);
}

/* A client's name in a header: no folding, no comments, no control
   characters. */
static void lmtp_headers_append_safe(string_t *str, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0';
	     p++) {
		if (*p > 0x20 && *p < 0x7f && *p != '(' && *p != ')' &&
		    *p != '\\')
			str_append_c(str, (char)*p);
		else
			str_append_c(str, '_');
	}
}

static void
lmtp_headers_append_received(string_t *str,
			     const struct lmtp_headers_params *params)
{
	str_append(str, "Received: from ");
	lmtp_headers_append_safe(str, params->helo);
	if (params->remote_ip[0] != '\0')
		str_printfa(str, " ([%s])", params->remote_ip);
	str_printfa(str, "\r\n\tby %s with %s id %s\r\n\tfor <",
		    params->hostname, params->tls ? "LMTPS" : "LMTP",
		    params->session_id);
	lmtp_headers_append_safe(str, params->delivered_to);
	str_append(str, ">; ");
	lmtp_headers_append_date(str, params->now);
	str_append(str, "\r\n");
}

void lmtp_headers_append(string_t *str,
			 const struct lmtp_headers_params *params)
{
	str_printfa(str, "Return-Path: <%s>\r\n", params->return_path);
	str_printfa(str, "Delivered-To: %s\r\n", params->delivered_to);
	if (params->helo != NULL)
		lmtp_headers_append_received(str, params);
}
