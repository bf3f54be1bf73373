#ifndef POSTERN_LOG_H
#define POSTERN_LOG_H

/* Logging to stderr (the master collects its children's stderr, or the
   operator's service manager does). A line names the process, and a session
   context when given: service, user, remote IP and session id, so that one
   grep finds a whole session. Never pass a password or unsanitized client
   input; use log_sanitize() for the latter. */

#include "macros.h"

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_FATAL,
};

struct log_ctx {
	const char *service; /* "imap", "pop3", "lmtp", "auth" */
	const char *user;    /* NULL before login */
	const char *remote_ip;
	const char *session_id;
};

/* Name shown in every line, e.g. "posternd", "worker", "auth". */
void log_set_process_name(const char *name);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_level_enabled(enum log_level level);
/* Parses "debug", "info", "warning", "error". Returns 0, or -1. */
int log_level_parse(const char *name, enum log_level *level_r);
const char *log_level_name(enum log_level level);

void log_msgv(enum log_level level, const struct log_ctx *ctx, const char *fmt,
	      va_list args) ATTR_FORMAT(3, 0);
void log_msg(enum log_level level, const struct log_ctx *ctx, const char *fmt,
	     ...) ATTR_FORMAT(3, 4);

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, NULL, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, NULL, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, NULL, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, NULL, __VA_ARGS__)

/* Logs and exits with status 89 (FATAL_EXIT). */
void fatal(const char *fmt, ...) ATTR_FORMAT(1, 2) ATTR_NORETURN;
/* A bug: logs and aborts, leaving a core dump. */
void panic(const char *fmt, ...) ATTR_FORMAT(1, 2) ATTR_NORETURN;

#define FATAL_EXIT 89

#define i_assert(expr)                                                         \
	do {                                                                   \
		if (unlikely(!(expr)))                                         \
			panic("file %s: line %d (%s): assertion failed: (%s)", \
			      __FILE__, __LINE__, __func__, #expr);            \
	} while (0)
#define i_unreached() panic("file %s: line %d: unreached", __FILE__, __LINE__)

/* Copies at most max_len bytes of untrusted input into dest (size
   dest_size), replacing control and non-ASCII bytes with '?' and marking a
   cut with "...". Returns dest. */
char *log_sanitize(char *dest, size_t dest_size, const void *input,
		   size_t input_len);

#endif
