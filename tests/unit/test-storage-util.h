#ifndef TEST_STORAGE_UTIL_H
#define TEST_STORAGE_UTIL_H

/* A throw-away user with a maildir in a temporary directory. */

#include "pool.h"
#include "postern/storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct test_env {
	char dir[256];
	char root[300];
	char location[320];
	struct storage_settings set;
	struct mail_user *user;
	struct pool *pool;
};

static inline void test_env_open_user(struct test_env *env)
{
	struct mail_user_params params = { .username = "alice" };
	const char *error;

	if (mail_user_open(&params, &env->set, &env->user, &error) < 0) {
		fprintf(stderr, "mail_user_open: %s\n", error);
		abort();
	}
}

/* tests/data, found from the test binary (build/tests/unit/x) or from
   the source file's path relative to the working directory. */
static inline const char *test_data_dir(void)
{
	static char dir[4200];
	char exe[4096], *p;
	ssize_t len;
	struct stat st;

	if (getenv("POSTERN_TEST_DATA") != NULL)
		return getenv("POSTERN_TEST_DATA");
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		for (int up = 0; up < 6 && (p = strrchr(exe, '/')) != NULL;
		     up++) {
			*p = '\0';
			snprintf(dir, sizeof(dir), "%s/tests/data", exe);
			if (stat(dir, &st) == 0)
				return dir;
		}
	}
	snprintf(dir, sizeof(dir), "%s", __FILE__);
	p = strstr(dir, "tests/unit/");
	if (p != NULL)
		memcpy(p, "tests/data", sizeof("tests/data"));
	return dir;
}

static inline void test_env_init_common(struct test_env *env)
{
	memset(env, 0, sizeof(*env));
	snprintf(env->dir, sizeof(env->dir), "/tmp/postern-test-XXXXXX");
	if (mkdtemp(env->dir) == NULL)
		abort();
	snprintf(env->root, sizeof(env->root), "%s/Maildir", env->dir);
	snprintf(env->location, sizeof(env->location), "maildir:%s", env->root);
	storage_settings_init_defaults(&env->set);
	env->set.mail_location = env->location;
	env->set.fsync = (char *)"never";
	env->pool = pool_create("test", 4096);
}

static inline void test_env_init(struct test_env *env)
{
	test_env_init_common(env);
	test_env_open_user(env);
}

/* A user whose maildir starts as a copy of tests/data/<fixture>. */
static inline void test_env_init_fixture(struct test_env *env,
					 const char *fixture)
{
	char cmd[8192];

	test_env_init_common(env);
	snprintf(cmd, sizeof(cmd), "cp -a '%s/%s' '%s'", test_data_dir(),
		 fixture, env->root);
	if (system(cmd) != 0)
		abort();
	test_env_open_user(env);
}

static inline void test_env_deinit(struct test_env *env)
{
	char cmd[512];

	mail_user_unref(&env->user);
	pool_destroy(&env->pool);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", env->dir);
	if (system(cmd) != 0)
		abort();
}

/* Saves text into mailbox name; returns the UID. */
static inline uint32_t test_save(struct test_env *env, const char *name,
				 const char *text, enum mail_flags flags,
				 const char *const *keywords)
{
	struct mailbox *box =
		mailbox_alloc(env->user, name, MAILBOX_FLAG_SAVE_ONLY, NULL);
	struct mailbox_transaction *t = mailbox_transaction_begin(box);
	struct mail_transaction_commit_result result;
	struct mail_save_params params = { .flags = flags,
					   .keywords = keywords };
	struct mail_save *save;
	uint32_t uid;

	if (mailbox_save_begin(t, &params, &save) < 0 ||
	    mailbox_save_write(save, text, strlen(text)) < 0 ||
	    mailbox_save_finish(&save) < 0 ||
	    mailbox_transaction_commit(&t, env->pool, &result) < 0) {
		fprintf(stderr, "save failed: %s\n",
			mailbox_get_last_error(box, NULL));
		abort();
	}
	uid = seq_range_set_min(&result.saved_uids);
	mailbox_free(&box);
	return uid;
}

static inline struct mailbox *test_open(struct test_env *env, const char *name,
					enum mailbox_flags flags)
{
	struct mailbox *box = mailbox_alloc(env->user, name, flags, NULL);

	if (mailbox_open(box) < 0) {
		fprintf(stderr, "open %s failed: %s\n", name,
			mailbox_get_last_error(box, NULL));
		abort();
	}
	return box;
}

#endif
