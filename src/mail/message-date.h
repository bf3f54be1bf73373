#ifndef POSTERN_MESSAGE_DATE_H
#define POSTERN_MESSAGE_DATE_H

/* Dates: the RFC 5322 Date field (§3.3, with the obsolete forms of §4.3),
   and IMAP's date-time (INTERNALDATE, APPEND) and date (SEARCH) strings
   (RFC 3501 §9 / RFC 9051 §9).

   RFC 5322 dates are parsed leniently: comments and extra white space
   anywhere, no day of week, any case, a missing seconds field, a missing
   zone (taken as -0000), two-digit years (00-49 are 2000-2049, 50-99 are
   1950-1999) and three-digit years (+1900) as §4.3 says, the named zones
   UT, GMT, EST/EDT, CST/CDT, MST/MDT, PST/PDT, and military and unknown
   alphabetic zones as -0000 (§4.3: their meaning is unreliable). Anything
   after the zone is ignored. */

#include "str.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Parses an RFC 5322 date-time of size bytes. Returns 0 with the UTC time
   in time_r and the zone in tz_offset_r (minutes east of UTC), or -1 if
   it is not a date (a field out of range, February 30th, ...). */
int message_date_parse(const void *data, size_t size, time_t *time_r,
		       int *tz_offset_r);

/* Appends an IMAP date-time, "01-Jan-2024 12:00:00 +0000", of t shown in
   the zone tz_offset (minutes east of UTC). */
void message_date_write_imap(string_t *dest, time_t t, int tz_offset);

/* Parses an IMAP date-time (" 1-Jan-2024 12:00:00 +0000" or
   "01-Jan-2024 ...", without the quotes). Returns 0, or -1. */
int message_date_parse_imap(const char *str, time_t *time_r, int *tz_offset_r);

/* Parses an IMAP date ("1-Jan-2000" or "01-Jan-2000") into the day
   number (days since 1970-01-01). Returns 0, or -1. */
int message_date_parse_imap_day(const char *str, long *day_r);

/* The day number of t as a calendar date in the zone tz_offset: SEARCH's
   SENT* keys compare dates "disregarding time and timezone" (RFC 3501
   §6.4.4), that is the date written in the Date field. */
long message_date_day(time_t t, int tz_offset);

#endif
