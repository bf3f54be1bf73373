#ifndef POSTERN_RFC822_ADDRESS_H
#define POSTERN_RFC822_ADDRESS_H

/* RFC 5322 §3.4 address lists (From, To, Cc, ...), parsed into the
   shape of IMAP's ENVELOPE addresses (RFC 3501 §7.4.2): a list of
   mailboxes, with a group shown as a start marker (mailbox = the group's
   display name, domain NULL), its members, and an end marker (mailbox and
   domain NULL).

   Everything is accepted, nothing crashes:
   - comments and folding anywhere (RFC 5322 §3.2.2, §4.4), obsolete
     routes "<@a,@b:user@host>" (kept in route, RFC 5322 §4.4 says to
     ignore them when interpreting), quoted local parts, domain literals;
   - the legacy form "user@host (Full Name)": the comment becomes the
     display name when there is none (RFC 5322 §3.4 note);
   - empty list elements ("a@b,,c@d") are dropped, as obs-addr-list
     allows (RFC 5322 §4.4);
   - a mailbox without a domain gets RFC822_ADDRESS_MISSING_DOMAIN, one
     without a local part RFC822_ADDRESS_MISSING_MAILBOX, and an element
     that cannot be parsed at all gets MISSING_MAILBOX with
     RFC822_ADDRESS_SYNTAX_ERROR as its domain. RFC 3501 defines no
     placeholders and a NIL host would announce group syntax, so these are
     the strings Dovecot uses (UW-IMAP had ".MISSING-HOST-NAME."); parsing
     then resumes at the next top-level comma, so one broken element does
     not hide the recipients after it;
   - a group without its ';' is closed at the end of the list.
   Display names are unquoted and unescaped, words joined by one space;
   encoded words are left as they are (ENVELOPE strings are raw). */

#include <stdbool.h>
#include <stddef.h>

struct pool;

#define RFC822_ADDRESS_MISSING_MAILBOX "MISSING_MAILBOX"
#define RFC822_ADDRESS_MISSING_DOMAIN "MISSING_DOMAIN"
#define RFC822_ADDRESS_SYNTAX_ERROR "SYNTAX_ERROR"

/* Stop after this many addresses in one list; the rest is dropped. */
#define RFC822_ADDRESS_MAX_COUNT 10000

struct rfc822_address {
	struct rfc822_address *next;
	/* NULL when absent. Group start: mailbox is the group name and
	   domain is NULL. Group end: mailbox and domain are NULL. */
	const char *name;
	const char *route;
	const char *mailbox;
	const char *domain;
	/* The element did not parse; mailbox/domain are placeholders. */
	bool invalid_syntax;
};

/* Parses an address-list value (raw, folding allowed) of size bytes.
   Returns the first address, or NULL for an empty list. All memory comes
   from pool. */
struct rfc822_address *rfc822_address_parse(struct pool *pool, const void *data,
					    size_t size);

/* Whether addr is a group start or end marker. */
static inline bool
rfc822_address_is_group_start(const struct rfc822_address *addr)
{
	return addr->mailbox != NULL && addr->domain == NULL;
}

static inline bool
rfc822_address_is_group_end(const struct rfc822_address *addr)
{
	return addr->mailbox == NULL && addr->domain == NULL;
}

#endif
