#include "test-common.h"

#include "auth-db.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	str_copy(dir, "/tmp/postern-test-db-XXXXXX", sizeof(dir));
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_passwd_file_format(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct auth_user user;
	struct auth_db *db;
	const char *error;

	write_file(
		"users",
		"# comment\n"
		"\n"
		"alice:{PLAIN}pw:1000:1001:Alice A:/home/alice:/bin/sh:"
		"userdb_mail=maildir:~/Maildir userdb_quota_rule=*:storage=1G"
		" nodelay\r\n"
		"bob:{PLAIN}first\n"
		"bob:{PLAIN}second\n"
		"carol:!{PLAIN}locked\n"
		"dave:{PLAIN}x::::::disabled\n"
		":nameless\n");
	db = auth_db_open("passwd-file:users", dir, false, &error);
	assert_non_null(db);
	assert_int_equal(auth_db_lookup(db, pool, "alice", &user, &error), 1);
	assert_string_equal(user.password, "{PLAIN}pw");
	assert_string_equal(user.uid, "1000");
	assert_string_equal(user.gid, "1001");
	assert_string_equal(user.home, "/home/alice");
	assert_string_equal(user.mail, "maildir:~/Maildir");
	assert_string_equal(user.quota, "*:storage=1G");
	assert_string_equal(auth_user_extra_find(&user, "nodelay"), "");
	assert_false(user.disabled);
	/* the first of duplicate lines wins, as in Dovecot */
	assert_int_equal(auth_db_lookup(db, pool, "bob", &user, &error), 1);
	assert_string_equal(user.password, "{PLAIN}first");
	assert_string_equal(user.home, "");
	assert_int_equal(auth_db_lookup(db, pool, "carol", &user, &error), 1);
	assert_true(user.disabled);
	assert_int_equal(auth_db_lookup(db, pool, "dave", &user, &error), 1);
	assert_true(user.disabled);
	assert_int_equal(auth_db_lookup(db, pool, "nobody", &user, &error), 0);
	assert_int_equal(auth_db_lookup(db, pool, "", &user, &error), 0);
	auth_db_close(&db);
	pool_destroy(&pool);
}

static void test_passwd_file_reload(void **state)
{
	struct pool *pool = pool_create("test", 0);
	struct auth_user user;
	struct auth_db *db;
	const char *error;

	write_file("reload", "a:{PLAIN}1\n");
	db = auth_db_open("passwd-file:reload", dir, false, &error);
	assert_int_equal(auth_db_lookup(db, pool, "a", &user, &error), 1);
	sleep(1);
	write_file("reload", "a:{PLAIN}2\nb:{PLAIN}3\n");
	sleep(1);
	assert_int_equal(auth_db_lookup(db, pool, "a", &user, &error), 1);
	assert_string_equal(user.password, "{PLAIN}2");
	assert_int_equal(auth_db_lookup(db, pool, "b", &user, &error), 1);
	auth_db_close(&db);
	db = auth_db_open("passwd-file:missing", dir, false, &error);
	assert_int_equal(auth_db_lookup(db, pool, "a", &user, &error), -1);
	auth_db_close(&db);
	pool_destroy(&pool);
}

static void collect_cb(const struct auth_user *user, void *context)
{
	string_t *names = context;

	str_append(names, user->name);
	str_append_c(names, ' ');
}

static void check_write_ops(const char *spec, const char *expect_names)
{
	struct pool *pool = pool_create("test", 0);
	struct auth_user user = {
		.name = "zed",
		.password = "{PLAIN}pw",
		.home = "/h/zed",
		.mail = "maildir:/m/zed",
		.quota = "*:storage=5M",
	};
	string_t *names = str_new(64, 1024);
	struct auth_db *db;
	const char *error;

	db = auth_db_open(spec, dir, true, &error);
	assert_non_null(db);
	assert_int_equal(auth_db_save(db, &user, &error), 0);
	user.name = "amy";
	assert_int_equal(auth_db_save(db, &user, &error), 0);
	user.password = "{PLAIN}changed";
	assert_int_equal(auth_db_save(db, &user, &error), 0);
	assert_int_equal(auth_db_lookup(db, pool, "amy", &user, &error), 1);
	assert_string_equal(user.password, "{PLAIN}changed");
	assert_string_equal(user.home, "/h/zed");
	assert_string_equal(user.mail, "maildir:/m/zed");
	assert_string_equal(user.quota, "*:storage=5M");
	assert_int_equal(auth_db_iterate(db, pool, collect_cb, names, &error),
			 0);
	assert_string_equal(str_c(names), expect_names);
	assert_int_equal(auth_db_remove(db, "zed", &error), 1);
	assert_int_equal(auth_db_remove(db, "zed", &error), 0);
	assert_int_equal(auth_db_lookup(db, pool, "zed", &user, &error), 0);
	auth_db_close(&db);
	str_free(&names);
	pool_destroy(&pool);
}

static void test_write_ops(void **state)
{
	check_write_ops("sqlite:users.db", "amy zed ");
	write_file("pwfile", "# kept\nother:{PLAIN}x\n");
	check_write_ops("passwd-file:pwfile", "amy other zed ");
}

static void test_open_errors(void **state)
{
	const char *error;

	assert_null(auth_db_open("ldap:x", dir, false, &error));
	assert_null(auth_db_open("sqlite", dir, false, &error));
	assert_null(auth_db_open("sqlite:nodir/x.db", dir, true, &error));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passwd_file_format),
		cmocka_unit_test(test_passwd_file_reload),
		cmocka_unit_test(test_write_ops),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
