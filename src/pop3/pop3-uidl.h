#ifndef POSTERN_POP3_UIDL_H
#define POSTERN_POP3_UIDL_H

/* UIDL values (RFC 1939 §7) from [pop3] uidl_format, written like
   Dovecot's pop3_uidl_format so that clients moving from Dovecot keep
   their UIDLs and don't download everything again:

     %u  the message's UID              %{uid}
     %v  the mailbox's UIDVALIDITY      %{uidvalidity}
     %g  the message's GUID             %{guid}
     %f  maildir: the file's base name  %{filename}
     %%  a percent sign

   Between '%' and the variable, as in Dovecot: an optional '0' and a width
   (with '0': pad on the left with zeros to the width; without: keep the
   first width characters), optionally ".width" after an offset (skip
   offset characters first), and modifiers: X (the number in lowercase
   hex, as Dovecot prints it), L and U (lower and upper case). The default
   %08Xu%08Xv gives Dovecot's default: "000000010a3c5e21".

   Dovecot's %m (an MD5 of the header) is refused: storage doesn't keep
   one. UIDL values are stable because every part is: UIDs and UIDVALIDITY
   survive index rebuilds and backend conversions (storage.h), and so do
   GUIDs. A UIDL imported with the mail (Dovecot's uidlist P field) wins
   over the format, as in Dovecot. */

#include "str.h"

#include <stdbool.h>

struct mail_pop3_uidl;

#define POP3_UIDL_DEFAULT_FORMAT "%08Xu%08Xv"

/* RFC 1939 §7: 1 to 70 characters in the range 0x21 to 0x7E. */
#define POP3_UIDL_MAX_LEN 70

/* Checks a format (a setting_def check). Returns 0, or -1 with *error_r. */
int pop3_uidl_format_check(const char *format, const char **error_r);

/* Appends the UIDL of a message: the imported one when storage kept a
   valid one, else the format expanded; cut to POP3_UIDL_MAX_LEN, with
   bytes outside 0x21..0x7E (from a GUID or a file name) as '_'; an empty
   expansion (%f where the backend has no file names) falls back to the
   default format. The format must have passed pop3_uidl_format_check(). */
void pop3_uidl_append(string_t *dest, const char *format,
		      const struct mail_pop3_uidl *uidl);

/* True if str is a valid UIDL by RFC 1939's rules. */
bool pop3_uidl_is_valid(const char *str);

#endif
