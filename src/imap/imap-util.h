#ifndef POSTERN_IMAP_UTIL_H
#define POSTERN_IMAP_UTIL_H

/* Helpers shared by IMAP commands: flag lists, date-times, storage
   errors as tagged replies. */

#include "imap-arg.h"
#include "postern/storage.h"
#include "str.h"

#include <stdbool.h>
#include <time.h>

struct pool;
struct imap_command;

/* Appends "(\Seen kw1 kw2)": the system flags in RFC order, \Recent when
   set, then the keywords (NULL or NULL-terminated). */
void imap_write_flags(string_t *dest, enum mail_flags flags,
		      const char *const *keywords);
/* Appends the FLAGS list of a mailbox: system flags and keywords. */
void imap_write_flag_names(string_t *dest, const char *const *keywords,
			   bool permanent_any);

/* Parses a flag list (APPEND, STORE: the elements of a list, or a single
   flag) into system flags and keywords (NULL-terminated, from pool; NULL
   if none). \Recent and unknown \flags are refused (RFC 9051 §2.3.2).
   Returns 0, or -1 with *error_r for a BAD. */
int imap_parse_flags(const struct imap_arg *args, struct pool *pool,
		     enum mail_flags *flags_r, const char *const **keywords_r,
		     const char **error_r);

/* Parses an IMAP date-time ("17-Jul-1996 02:44:25 -0700"). Returns true
   with the time and its zone in minutes east of UTC. */
bool imap_parse_datetime(const char *str, time_t *time_r, int *tz_offset_r);
/* Parses an IMAP date ("1-Feb-1994") as 00:00 UTC of that day. */
bool imap_parse_date(const char *str, time_t *time_r);

/* The response code and text for the box's last storage error, e.g.
   "[NONEXISTENT] Mailbox doesn't exist: Foo" (RFC 5530 codes). */
const char *imap_mail_error_text(struct pool *pool, struct mailbox *box);
/* As imap_mail_error_text(), with [TRYCREATE] when the box doesn't exist
   (the destination of APPEND, COPY, MOVE: RFC 9051 §6.3.12). */
const char *imap_mail_dest_error_text(struct pool *pool, struct mailbox *box);
/* Ends cmd with NO and imap_mail_error_text(). */
void imap_command_reply_mail_error(struct imap_command *cmd,
				   struct mailbox *box);
/* NO [TRYCREATE] when the destination doesn't exist (APPEND, COPY, MOVE:
   RFC 9051 §6.3.12), else as imap_command_reply_mail_error(). */
void imap_command_reply_dest_error(struct imap_command *cmd,
				   struct mailbox *box);

#endif
