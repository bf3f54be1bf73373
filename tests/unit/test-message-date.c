#include "test-common.h"

#include "macros.h"
#include "message-date.h"

#include <string.h>

static const struct {
	const char *input;
	int ret;
	long long time;
	int tz;
} date_cases[] = {
	{ "Tue, 14 Mar 2023 09:26:50 +0000", 0, 1678786010, 0 },
	{ "Wed, 15 Mar 2023 17:02:11 +0100", 0, 1678896131, 60 },
	{ "14 Mar 2023 09:26:50 -0730", 0, 1678813010, -450 },
	/* two-digit years: 00-49 -> 20xx, 50-99 -> 19xx (RFC 5322 §4.3) */
	{ "Fri, 31 Dec 99 23:59:59 -0500", 0, 946702799, -300 },
	{ "1 Jan 49 00:00:00 +0000", 0, 2493072000LL, 0 },
	{ "1 Jan 50 00:00:00 +0000", 0, -631152000LL, 0 },
	/* three-digit year: + 1900 */
	{ "tue,  3 feb 104 10:00:00 Z (UTC)", 0, 1075802400, 0 },
	/* named and military zones */
	{ "25 Dec 1995 10:00:00 EST", 0, 819903600, -300 },
	{ "25 Dec 1995 10:00:00 PDT", 0, 819910800, -420 },
	{ "25 Dec 1995 10:00:00 UT", 0, 819885600, 0 },
	{ "25 Dec 1995 10:00:00 A", 0, 819885600, 0 },
	{ "25 Dec 1995 10:00:00 XYZT", 0, 819885600, 0 },
	/* no seconds, no zone */
	{ "Wed, 3 Mar 2004 14:30", 0, 1078324200, 0 },
	/* comments and white space everywhere */
	{ " (c) Wed (d), 3 (x) Mar 2004 14 : 30 : 05 (y) +0100 (z)", 0,
	  1078320605, 60 },
	/* day name without comma, full month name */
	{ "Wed 3 March 2004 14:30:00 +0000", 0, 1078324200, 0 },
	{ "29 Feb 2024 00:00:00 +0000", 0, 1709164800, 0 },
	{ "31 Dec 2023 23:59:60 +0000", 0, 1704067199, 0 },
	/* garbage */
	{ "", -1, 0, 0 },
	{ "sometime next week, probably", -1, 0, 0 },
	{ "29 Feb 2023 00:00:00 +0000", -1, 0, 0 },
	{ "32 Jan 2023 00:00:00 +0000", -1, 0, 0 },
	{ "1 Foo 2023 00:00:00 +0000", -1, 0, 0 },
	{ "1 Jan 2023 24:00:00 +0000", -1, 0, 0 },
	{ "1 Jan 2023 10:60:00 +0000", -1, 0, 0 },
	{ "1 Jan 2023 10:00:00 +0060", -1, 0, 0 },
	{ "1 Jan 2023 10:00:00 +00", -1, 0, 0 },
	{ "1 Jan 1899 10:00:00 +0000", -1, 0, 0 },
	{ "1 Jan 2023", -1, 0, 0 },
	{ "1 Jan 5 10:00:00 +0000", -1, 0, 0 },
};

static void test_date_parse(void **state)
{
	for (size_t i = 0; i < N_ELEMENTS(date_cases); i++) {
		time_t t = 0;
		int tz = 0, ret;

		ret = message_date_parse(date_cases[i].input,
					 strlen(date_cases[i].input), &t, &tz);
		if (ret != date_cases[i].ret)
			fail_msg("%s: ret %d", date_cases[i].input, ret);
		if (ret == 0 && ((long long)t != date_cases[i].time ||
				 tz != date_cases[i].tz))
			fail_msg("%s: got %lld %d", date_cases[i].input,
				 (long long)t, tz);
	}
}

static void test_imap_date_time(void **state)
{
	string_t *str = str_new(64, SIZE_MAX);
	time_t t;
	int tz;

	message_date_write_imap(str, 1704110400, 0);
	assert_string_equal(str_c(str), "01-Jan-2024 12:00:00 +0000");
	str_truncate(str, 0);
	message_date_write_imap(str, 1078324200, -450);
	assert_string_equal(str_c(str), "03-Mar-2004 07:00:00 -0730");
	str_truncate(str, 0);
	message_date_write_imap(str, -1, 0);
	assert_string_equal(str_c(str), "31-Dec-1969 23:59:59 +0000");
	str_truncate(str, 0);
	message_date_write_imap(str, 1732622400 + 9 * 3600 + 5 * 60 + 7, 330);
	assert_string_equal(str_c(str), "27-Nov-2024 02:35:07 +0530");
	str_truncate(str, 0);
	/* past what four digits hold */
	message_date_write_imap(str, 253402300800, 0);
	assert_string_equal(str_c(str), "01-Jan-10000 00:00:00 +0000");

	assert_int_equal(
		message_date_parse_imap("01-Jan-2024 12:00:00 +0000", &t, &tz),
		0);
	assert_true(t == 1704110400 && tz == 0);
	assert_int_equal(
		message_date_parse_imap(" 3-Mar-2004 07:00:00 -0730", &t, &tz),
		0);
	assert_true(t == 1078324200 && tz == -450);
	assert_int_equal(
		message_date_parse_imap("3-Mar-2004 07:00:00 -0730", &t, &tz),
		-1);
	assert_int_equal(
		message_date_parse_imap("03-Mar-2004 07:00 -0730", &t, &tz),
		-1);
	assert_int_equal(
		message_date_parse_imap("30-Feb-2004 07:00:00 +0000", &t, &tz),
		-1);
	assert_int_equal(
		message_date_parse_imap("03-Mar-2004 07:00:00 +0000x", &t, &tz),
		-1);
	str_free(&str);
}

static void test_imap_date(void **state)
{
	long day;

	assert_int_equal(message_date_parse_imap_day("1-Jan-2000", &day), 0);
	assert_int_equal(day, 10957);
	assert_int_equal(message_date_parse_imap_day("01-jan-2000", &day), 0);
	assert_int_equal(day, 10957);
	assert_int_equal(message_date_parse_imap_day("1-Jan-2000 ", &day), -1);
	assert_int_equal(message_date_parse_imap_day("1-Jan-00", &day), -1);
	assert_int_equal(message_date_parse_imap_day("", &day), -1);
	/* the day written in the Date field, not the UTC day */
	assert_int_equal(message_date_day(946702799, -300), 10956);
	assert_int_equal(message_date_day(946702799, 0), 10957);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_imap_date_time),
		cmocka_unit_test(test_imap_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
