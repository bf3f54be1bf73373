#include "test-common.h"

#include "config.h"
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct top_settings {
	char *data_dir;
	unsigned int workers;
	bool verbose;
	char *log_level;
};

struct net_settings {
	char *listen;
	uint64_t max_size;
	unsigned int timeout;
};

static int check_no_spaces(const char *value, const char **error_r)
{
	if (strchr(value, ' ') != NULL) {
		*error_r = "must not contain spaces";
		return -1;
	}
	return 0;
}

#define DEF(type, name, st, dflt)                                        \
	{                                                                \
#name, type, offsetof(struct st, name), dflt, NULL, NULL \
	}
static const struct setting_def top_defs[] = {
	DEF(SETTING_STR, data_dir, top_settings, "./var"),
	DEF(SETTING_UINT, workers, top_settings, "0"),
	DEF(SETTING_BOOL, verbose, top_settings, NULL),
	{ "log_level", SETTING_ENUM, offsetof(struct top_settings, log_level),
	  NULL, "info:debug:warning:error", NULL },
	SETTING_DEFS_END
};
static const struct setting_def net_defs[] = {
	{ "listen", SETTING_STR, offsetof(struct net_settings, listen),
	  "127.0.0.1:143", NULL, check_no_spaces },
	DEF(SETTING_SIZE, max_size, net_settings, "64k"),
	DEF(SETTING_TIME, timeout, net_settings, "30m"),
	SETTING_DEFS_END
};

static struct top_settings top;
static struct net_settings net;
static struct setting_section top_section = { NULL, top_defs, &top };
static struct setting_section net_section = { "net", net_defs, &net };
static struct setting_section *const sections[] = { &top_section, &net_section,
						    NULL };

static struct pool *pool;

static int setup(void **state)
{
	pool = pool_create("config-test", 0);
	config_set_defaults(sections, pool);
	return 0;
}

static int teardown(void **state)
{
	pool_destroy(&pool);
	return 0;
}

static void test_defaults(void **state)
{
	assert_string_equal(top.data_dir, "./var");
	assert_int_equal(top.workers, 0);
	assert_false(top.verbose);
	assert_string_equal(top.log_level, "info");
	assert_string_equal(net.listen, "127.0.0.1:143");
	assert_int_equal(net.max_size, 65536);
	assert_int_equal(net.timeout, 1800);
}

static void test_good_file(void **state)
{
	const char *error = NULL;
	const char *text = "# a comment\n"
			   "data_dir = /srv/mail\r\n"
			   "  workers=4\n"
			   "verbose = yes\n"
			   "log_level = debug\n"
			   "\n"
			   "[net]\n"
			   "listen = \"[::1]:143,127.0.0.1:1143\"\n"
			   "max_size = 50M\n"
			   "timeout = 90s\n";

	assert_int_equal(
		config_parse_string("t.conf", text, sections, pool, &error), 0);
	assert_string_equal(top.data_dir, "/srv/mail");
	assert_int_equal(top.workers, 4);
	assert_true(top.verbose);
	assert_string_equal(top.log_level, "debug");
	assert_string_equal(net.listen, "[::1]:143,127.0.0.1:1143");
	assert_int_equal(net.max_size, 50 * 1024 * 1024);
	assert_int_equal(net.timeout, 90);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *error;
	} cases[] = {
		{ "bogus = 1\n", "t.conf:1: unknown key bogus" },
		{ "\n[net]\nworkers = 1\n",
		  "t.conf:3: unknown key workers in [net]" },
		{ "[nope]\n", "t.conf:1: unknown section [nope]" },
		{ "[net\n", "t.conf:1: section header must be [name]" },
		{ "workers = many\n", "t.conf:1: workers: not a number" },
		{ "workers = -1\n", "t.conf:1: workers: not a number" },
		{ "verbose = maybe\n", "t.conf:1: verbose: must be yes or no" },
		{ "log_level = loud\n", "t.conf:1: log_level: must be one of "
					"info:debug:warning:error" },
		{ "[net]\nmax_size = 5 parsecs\n",
		  "t.conf:2: max_size: not a size (e.g. 512k, 50M, 1G)" },
		{ "[net]\ntimeout = soon\n",
		  "t.conf:2: timeout: not a time (e.g. 30s, 5m, 1h)" },
		{ "[net]\nlisten = a b\n",
		  "t.conf:2: listen: must not contain spaces" },
		{ "workers = 1\nworkers = 2\n",
		  "t.conf:2: duplicate key workers" },
		{ "workers\n", "t.conf:1: expected key = value" },
		{ " = 3\n", "t.conf:1: missing key before '='" },
		{ "!include /nonexistent/x.conf\n",
		  "t.conf:1: cannot read /nonexistent/x.conf: No such file or "
		  "directory" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *error = NULL;

		config_set_defaults(sections, pool);
		assert_int_equal(config_parse_string("t.conf", cases[i].text,
						     sections, pool, &error),
				 -1);
		assert_string_equal(error, cases[i].error);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");

	assert_non_null(file);
	fputs(text, file);
	fclose(file);
}

static void test_include(void **state)
{
	char dir[] = "/tmp/postern-config-XXXXXX";
	char main_path[128], inc_path[128], bad_path[128];
	const char *error = NULL;

	assert_non_null(mkdtemp(dir));
	snprintf(main_path, sizeof(main_path), "%s/main.conf", dir);
	snprintf(inc_path, sizeof(inc_path), "%s/inc.conf", dir);
	snprintf(bad_path, sizeof(bad_path), "%s/bad.conf", dir);
	write_file(inc_path, "[net]\nmax_size = 1k\n");
	write_file(main_path,
		   "workers = 2\n!include inc.conf\nverbose = yes\n");
	assert_int_equal(config_parse_file(main_path, sections, pool, &error),
			 0);
	assert_int_equal(net.max_size, 1024);
	/* the include's section ended with it */
	assert_true(top.verbose);

	/* errors in an included file name that file */
	write_file(inc_path, "[net]\n\ntimeout = x\n");
	config_set_defaults(sections, pool);
	assert_int_equal(config_parse_file(main_path, sections, pool, &error),
			 -1);
	char expected[256];
	snprintf(expected, sizeof(expected),
		 "%s:3: timeout: not a time (e.g. 30s, 5m, 1h)", inc_path);
	assert_string_equal(error, expected);

	/* a duplicate across files */
	write_file(inc_path, "workers = 3\n");
	config_set_defaults(sections, pool);
	assert_int_equal(config_parse_file(main_path, sections, pool, &error),
			 -1);
	snprintf(expected, sizeof(expected), "%s:1: duplicate key workers",
		 inc_path);
	assert_string_equal(error, expected);

	/* an include of itself stops at the depth limit */
	write_file(bad_path, "!include bad.conf\n");
	config_set_defaults(sections, pool);
	assert_int_equal(config_parse_file(bad_path, sections, pool, &error),
			 -1);
	assert_non_null(strstr(error, "includes nested too deep"));

	unlink(main_path);
	unlink(inc_path);
	unlink(bad_path);
	rmdir(dir);
	assert_int_equal(config_parse_file(main_path, sections, pool, &error),
			 -1);
	assert_non_null(strstr(error, "cannot read"));
}

static void test_print(void **state)
{
	char *out = NULL;
	size_t size = 0;
	FILE *file = open_memstream(&out, &size);

	config_print(file, sections);
	fclose(file);
	assert_non_null(strstr(out, "data_dir = ./var\n"));
	assert_non_null(strstr(out, "\n[net]\nlisten = 127.0.0.1:143\n"));
	assert_non_null(strstr(out, "timeout = 1800s\n"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_good_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
