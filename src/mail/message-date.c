#include "message-date.h"
#include "macros.h"
#include "rfc822-parser.h"

#include <string.h>
#include <strings.h>

static const char month_names[12][4] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec",
};

static const char imap_month_names[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static const char day_names[7][4] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

/* RFC 5322 §4.3 obs-zone: the named zones; military and other alphabetic
   zones count as -0000. */
static const struct {
	const char *name;
	int offset;
} zone_names[] = {
	{ "ut", 0 },        { "gmt", 0 },       { "est", -5 * 60 },
	{ "edt", -4 * 60 }, { "cst", -6 * 60 }, { "cdt", -5 * 60 },
	{ "mst", -7 * 60 }, { "mdt", -6 * 60 }, { "pst", -8 * 60 },
	{ "pdt", -7 * 60 },
};

/* Days from 1970-01-01 to the given proleptic Gregorian date. */
static long days_from_civil(long year, unsigned int month, unsigned int day)
{
	long era;
	unsigned int yoe, doy, doe;

	year -= month <= 2;
	era = (year >= 0 ? year : year - 399) / 400;
	yoe = (unsigned int)(year - era * 400);
	doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long days, long *year_r, unsigned int *month_r,
			    unsigned int *day_r)
{
	long era, year;
	unsigned int doe, yoe, doy, mp;

	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned int)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	year = (long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day_r = doy - (153 * mp + 2) / 5 + 1;
	*month_r = mp < 10 ? mp + 3 : mp - 9;
	*year_r = year + (*month_r <= 2);
}

static unsigned int days_in_month(long year, unsigned int month)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30,
						31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* A run of up to max_digits digits, then CFWS. Returns the digit count,
   0 if there was none. */
static unsigned int date_number(struct rfc822_parser *parser,
				unsigned int max_digits, unsigned int *num_r)
{
	unsigned int digits = 0, num = 0;

	while (!rfc822_parser_at_end(parser) && *parser->data >= '0' &&
	       *parser->data <= '9') {
		if (++digits > max_digits)
			return 0;
		num = num * 10 + (unsigned int)(*parser->data++ - '0');
	}
	*num_r = num;
	(void)rfc822_skip_lwsp(parser);
	return digits;
}

/* A run of letters, lower-cased into buf (cut at its size), then CFWS.
   Returns the run's length. */
static size_t date_word(struct rfc822_parser *parser, char *buf, size_t size)
{
	size_t len = 0;

	while (!rfc822_parser_at_end(parser) &&
	       ((*parser->data | 0x20) >= 'a' &&
		(*parser->data | 0x20) <= 'z')) {
		if (len + 1 < size)
			buf[len] = (char)(*parser->data | 0x20);
		len++;
		parser->data++;
	}
	buf[len + 1 < size ? len : size - 1] = '\0';
	(void)rfc822_skip_lwsp(parser);
	return len;
}

static bool date_char(struct rfc822_parser *parser, char chr)
{
	if (rfc822_parser_at_end(parser) || *parser->data != (unsigned char)chr)
		return false;
	parser->data++;
	(void)rfc822_skip_lwsp(parser);
	return true;
}

/* [day-of-week ","] */
static int date_skip_day_of_week(struct rfc822_parser *parser)
{
	char word[16];
	size_t len;

	if (rfc822_parser_at_end(parser) || *parser->data < 'A')
		return 0;
	len = date_word(parser, word, sizeof(word));
	if (date_char(parser, ','))
		return 0;
	/* obs: a day name without its comma */
	for (unsigned int i = 0; i < N_ELEMENTS(day_names); i++) {
		if (len == 3 && strcmp(word, day_names[i]) == 0)
			return 0;
	}
	return -1;
}

static int date_month(struct rfc822_parser *parser, unsigned int *month_r)
{
	char word[16];
	size_t len = date_word(parser, word, sizeof(word));

	if (len < 3 || len >= sizeof(word))
		return -1;
	for (unsigned int i = 0; i < 12; i++) {
		if (strncmp(word, month_names[i], 3) == 0) {
			*month_r = i + 1;
			return 0;
		}
	}
	return -1;
}

/* RFC 5322 §4.3: 00-49 -> 2000-2049, 50-99 and three digits -> +1900. */
static int date_year(struct rfc822_parser *parser, long *year_r)
{
	unsigned int year, digits = date_number(parser, 9, &year);

	if (digits < 2)
		return -1;
	if (digits == 2)
		*year_r = year < 50 ? 2000 + year : 1900 + year;
	else if (digits == 3)
		*year_r = 1900 + year;
	else
		*year_r = year;
	return *year_r >= 1900 && *year_r <= 9999 ? 0 : -1;
}

/* hour ":" minute [":" second] */
static int date_time_of_day(struct rfc822_parser *parser, unsigned int *secs_r)
{
	unsigned int hour, min, sec = 0;

	if (date_number(parser, 2, &hour) == 0 || !date_char(parser, ':') ||
	    date_number(parser, 2, &min) == 0)
		return -1;
	if (date_char(parser, ':') && date_number(parser, 2, &sec) == 0)
		return -1;
	if (hour > 23 || min > 59 || sec > 60)
		return -1;
	if (sec == 60)
		sec = 59; /* a leap second */
	*secs_r = hour * 3600 + min * 60 + sec;
	return 0;
}

static int date_zone(struct rfc822_parser *parser, int *offset_r)
{
	char word[16];
	unsigned int hhmm;
	int sign;

	*offset_r = 0;
	if (rfc822_parser_at_end(parser))
		return 0; /* obs: no zone is -0000 */
	if (*parser->data == '+' || *parser->data == '-') {
		sign = *parser->data++ == '-' ? -1 : 1;
		if (date_number(parser, 4, &hhmm) != 4 || hhmm % 100 > 59)
			return -1;
		*offset_r = sign * (int)((hhmm / 100) * 60 + hhmm % 100);
		return 0;
	}
	(void)date_word(parser, word, sizeof(word));
	for (unsigned int i = 0; i < N_ELEMENTS(zone_names); i++) {
		if (strcmp(word, zone_names[i].name) == 0)
			*offset_r = zone_names[i].offset;
	}
	return 0;
}

int message_date_parse(const void *data, size_t size, time_t *time_r,
		       int *tz_offset_r)
{
	struct rfc822_parser parser;
	unsigned int day, month, secs;
	long year, days;

	rfc822_parser_init(&parser, data, size, NULL);
	(void)rfc822_skip_lwsp(&parser);
	if (date_skip_day_of_week(&parser) < 0 ||
	    date_number(&parser, 2, &day) == 0 ||
	    date_month(&parser, &month) < 0 || date_year(&parser, &year) < 0 ||
	    date_time_of_day(&parser, &secs) < 0 ||
	    date_zone(&parser, tz_offset_r) < 0)
		return -1;
	if (day < 1 || day > days_in_month(year, month))
		return -1;
	days = days_from_civil(year, month, day);
	*time_r = (time_t)days * 86400 + secs - (time_t)*tz_offset_r * 60;
	return 0;
}

/* n as exactly width digits, zero-padded (n < 10^width). */
static char *date_digits(char *p, unsigned int n, unsigned int width)
{
	for (unsigned int i = width; i > 0; i--) {
		p[i - 1] = (char)('0' + n % 10);
		n /= 10;
	}
	return p + width;
}

void message_date_write_imap(string_t *dest, time_t t, int tz_offset)
{
	long days = message_date_day(t, tz_offset);
	long secs = (long)(t + (time_t)tz_offset * 60 - (time_t)days * 86400);
	long year;
	unsigned int month, day;
	int offset = tz_offset < 0 ? -tz_offset : tz_offset;
	char buf[32], *p = buf;

	civil_from_days(days, &year, &month, &day);
	if (year < 0 || year > 9999 || offset >= 100 * 60) {
		/* out of what the format holds: as printf would */
		str_printfa(dest, "%02u-%s-%04ld %02ld:%02ld:%02ld %c%02d%02d",
			    day, imap_month_names[month - 1], year, secs / 3600,
			    secs / 60 % 60, secs % 60,
			    tz_offset < 0 ? '-' : '+', offset / 60,
			    offset % 60);
		return;
	}
	/* "dd-Mon-yyyy hh:mm:ss +zzzz" without printf: FETCH writes one per
	   message */
	p = date_digits(p, day, 2);
	*p++ = '-';
	memcpy(p, imap_month_names[month - 1], 3);
	p += 3;
	*p++ = '-';
	p = date_digits(p, (unsigned int)year, 4);
	*p++ = ' ';
	p = date_digits(p, (unsigned int)(secs / 3600), 2);
	*p++ = ':';
	p = date_digits(p, (unsigned int)(secs / 60 % 60), 2);
	*p++ = ':';
	p = date_digits(p, (unsigned int)(secs % 60), 2);
	*p++ = ' ';
	*p++ = tz_offset < 0 ? '-' : '+';
	p = date_digits(p, (unsigned int)(offset / 60), 2);
	p = date_digits(p, (unsigned int)(offset % 60), 2);
	str_append_n(dest, buf, (size_t)(p - buf));
}

/* "1-Jan-2000" / "01-Jan-2000" / " 1-Jan-2000" at str; returns the
   position after it, or NULL. */
static const char *imap_parse_date(const char *str, long *days_r)
{
	unsigned int day = 0, month = 0, year = 0, digits = 0;

	if (*str == ' ')
		str++;
	for (; *str >= '0' && *str <= '9' && digits < 2; digits++)
		day = day * 10 + (unsigned int)(*str++ - '0');
	if (digits == 0 || *str++ != '-')
		return NULL;
	for (unsigned int i = 0; i < 12 && month == 0; i++) {
		if (strncasecmp(str, imap_month_names[i], 3) == 0)
			month = i + 1;
	}
	if (month == 0 || str[3] != '-')
		return NULL;
	str += 4;
	for (digits = 0; *str >= '0' && *str <= '9' && digits < 4; digits++)
		year = year * 10 + (unsigned int)(*str++ - '0');
	if (digits != 4 || day < 1 || day > days_in_month(year, month))
		return NULL;
	*days_r = days_from_civil(year, month, day);
	return str;
}

int message_date_parse_imap_day(const char *str, long *day_r)
{
	const char *end = imap_parse_date(str, day_r);

	return end != NULL && *end == '\0' ? 0 : -1;
}

static bool imap_two_digits(const char *str, unsigned int max,
			    unsigned int *num_r)
{
	if (str[0] < '0' || str[0] > '9' || str[1] < '0' || str[1] > '9')
		return false;
	*num_r = (unsigned int)((str[0] - '0') * 10 + (str[1] - '0'));
	return *num_r <= max;
}

int message_date_parse_imap(const char *str, time_t *time_r, int *tz_offset_r)
{
	unsigned int hour, min, sec, zh, zm;
	long days;

	/* date-day-fixed must be two characters wide */
	if (str[0] == '\0' || str[1] == '-')
		return -1;
	str = imap_parse_date(str, &days);
	if (str == NULL || *str++ != ' ' || !imap_two_digits(str, 23, &hour) ||
	    str[2] != ':' || !imap_two_digits(str + 3, 59, &min) ||
	    str[5] != ':' || !imap_two_digits(str + 6, 60, &sec) ||
	    str[8] != ' ' || (str[9] != '+' && str[9] != '-') ||
	    !imap_two_digits(str + 10, 99, &zh) ||
	    !imap_two_digits(str + 12, 59, &zm) || str[14] != '\0')
		return -1;
	*tz_offset_r = (int)(zh * 60 + zm) * (str[9] == '-' ? -1 : 1);
	*time_r = (time_t)days * 86400 + hour * 3600 + min * 60 + sec -
		  (time_t)*tz_offset_r * 60;
	return 0;
}

long message_date_day(time_t t, int tz_offset)
{
	time_t local = t + (time_t)tz_offset * 60;

	return (long)(local >= 0 ? local / 86400 : (local - 86399) / 86400);
}
