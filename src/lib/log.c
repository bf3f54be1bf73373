#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *log_process_name = "postern";
static enum log_level log_min_level = LOG_LEVEL_INFO;

static const char *const log_level_names[] = {
	[LOG_LEVEL_DEBUG] = "debug",     [LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_WARNING] = "warning", [LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_FATAL] = "fatal",
};

void log_set_process_name(const char *name)
{
	log_process_name = name;
}

void log_set_level(enum log_level level)
{
	log_min_level = level;
}

enum log_level log_get_level(void)
{
	return log_min_level;
}

bool log_level_enabled(enum log_level level)
{
	return level >= log_min_level;
}

int log_level_parse(const char *name, enum log_level *level_r)
{
	for (unsigned int i = 0; i < LOG_LEVEL_FATAL; i++) {
		if (strcasecmp(name, log_level_names[i]) == 0) {
			*level_r = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *log_level_name(enum log_level level)
{
	return log_level_names[level];
}

static size_t log_format_prefix(char *buf, size_t size, enum log_level level,
				const struct log_ctx *ctx)
{
	struct timeval tv;
	struct tm tm;
	int len;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	len = snprintf(
		buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%ld] %s: ",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000),
		log_process_name, (long)getpid(), log_level_names[level]);
	if (ctx != NULL && ctx->service != NULL && len > 0 &&
	    (size_t)len < size) {
		len += snprintf(
			buf + len, size - len, "%s(%s,%s,%s): ", ctx->service,
			ctx->user != NULL ? ctx->user : "-",
			ctx->remote_ip != NULL ? ctx->remote_ip : "-",
			ctx->session_id != NULL ? ctx->session_id : "-");
	}
	if (len < 0)
		return 0;
	return (size_t)len < size ? (size_t)len : size - 1;
}

void log_msgv(enum log_level level, const struct log_ctx *ctx, const char *fmt,
	      va_list args)
{
	char line[2048];
	size_t len;
	int saved_errno = errno;
	int n;

	if (level < log_min_level)
		return;
	len = log_format_prefix(line, sizeof(line) - 1, level, ctx);
	n = vsnprintf(line + len, sizeof(line) - 1 - len, fmt, args);
	if (n < 0)
		n = 0;
	len += (size_t)n < sizeof(line) - 1 - len ? (size_t)n
						  : sizeof(line) - 2 - len;
	line[len++] = '\n';
	/* One write() per line, so that lines of several processes sharing
	   stderr don't interleave. */
	if (write(STDERR_FILENO, line, len) < 0) {
		/* nowhere to report it */
	}
	errno = saved_errno;
}

void log_msg(enum log_level level, const struct log_ctx *ctx, const char *fmt,
	     ...)
{
	va_list args;

	va_start(args, fmt);
	log_msgv(level, ctx, fmt, args);
	va_end(args);
}

void fatal(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	log_msgv(LOG_LEVEL_FATAL, NULL, fmt, args);
	va_end(args);
	exit(FATAL_EXIT);
}

void panic(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	log_msgv(LOG_LEVEL_FATAL, NULL, fmt, args);
	va_end(args);
	abort();
}

char *log_sanitize(char *dest, size_t dest_size, const void *input,
		   size_t input_len)
{
	const unsigned char *in = input;
	size_t i, max = dest_size - 1;
	bool cut = input_len > max;

	i_assert(dest_size > 4);
	if (cut)
		max -= 3;
	for (i = 0; i < input_len && i < max; i++)
		dest[i] = (in[i] < 0x20 || in[i] >= 0x7f) ? '?' : (char)in[i];
	if (cut) {
		memcpy(dest + i, "...", 3);
		i += 3;
	}
	dest[i] = '\0';
	return dest;
}
