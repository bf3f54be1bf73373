/* Index loss and other servers' maildirs: UIDs, UIDVALIDITY, flags and
   keywords survive, and changes by other programs are found. */

#include "test-common.h"
#include "test-storage-util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

struct expect {
	uint32_t uid;
	enum mail_flags flags;
	const char *keyword;
	uint64_t size;
};

static void check_mailbox(struct test_env *env, const char *name,
			  uint32_t uidvalidity, uint32_t uidnext,
			  const struct expect *expect, unsigned int count)
{
	struct mailbox *box = test_open(env, name, MAILBOX_FLAG_NO_RECENT);
	struct mailbox_status status;
	struct mail_fetch_ctx *ctx;
	struct mail *mail;

	assert_int_equal(mailbox_get_status(box,
					    STATUS_UIDVALIDITY |
						    STATUS_UIDNEXT |
						    STATUS_MESSAGES,
					    &status),
			 0);
	if (uidvalidity != 0)
		assert_int_equal(status.uidvalidity, uidvalidity);
	assert_int_equal(status.uidnext, uidnext);
	assert_int_equal(status.messages, count);
	ctx = mailbox_fetch_init(box, mailbox_get_uids(box), MAIL_FETCH_FLAGS);
	for (unsigned int i = 0; i < count; i++) {
		const char *const *kw;
		uint64_t size;

		assert_int_equal(mailbox_fetch_next(ctx, &mail), 1);
		assert_int_equal(mail_get_uid(mail), expect[i].uid);
		assert_int_equal(mail_get_flags(mail), expect[i].flags);
		kw = mail_get_keywords(mail);
		if (expect[i].keyword == NULL) {
			assert_null(kw[0]);
		} else {
			assert_non_null(kw[0]);
			assert_string_equal(kw[0], expect[i].keyword);
		}
		if (expect[i].size != 0) {
			assert_int_equal(mail_get_size(mail, &size), 0);
			assert_int_equal(size, expect[i].size);
		}
	}
	assert_int_equal(mailbox_fetch_next(ctx, &mail), 0);
	assert_int_equal(mailbox_fetch_deinit(&ctx), 0);
	mailbox_free(&box);
}

static void reopen_user(struct test_env *env)
{
	mail_user_unref(&env->user);
	test_env_open_user(env);
}

static void remove_index(struct test_env *env)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -f '%s'/postern-index.db*", env->root);
	assert_int_equal(system(cmd), 0);
}

static const struct expect dovecot_inbox[] = {
	{ 1, MAIL_SEEN, "$Label1", 150 },
	{ 2, MAIL_FLAGGED, "$Junk", 60 },
	{ 4, MAIL_ANSWERED | MAIL_SEEN, "work", 48 },
	{ 5, MAIL_DRAFT, NULL, 52 },
	{ 6, 0, NULL, 19 },
};

static void test_dovecot_import(void **state)
{
	struct test_env env;
	static const struct expect umlaut[] = { { 1, MAIL_SEEN, NULL, 33 } };
	static const struct expect ab[] = { { 1, 0, NULL, 30 } };
	struct mailbox *box;
	struct mail_fetch_ctx *ctx;
	struct mail *mail;
	struct mail_data data;

	test_env_init_fixture(&env, "maildir-dovecot23");
	check_mailbox(&env, "INBOX", 1795710445, 6, dovecot_inbox, 4);
	check_mailbox(&env, "Entw\xc3\xbcrfe", 1795710446, 2, umlaut, 1);
	check_mailbox(&env, "a/b", 1795710447, 2, ab, 1);

	/* bare LFs become CRLF, exactly RFC822.SIZE bytes */
	box = test_open(&env, "INBOX", 0);
	ctx = mailbox_fetch_init(box, mailbox_get_uids(box), MAIL_FETCH_DATA);
	assert_int_equal(mailbox_fetch_next(ctx, &mail), 1);
	assert_int_equal(mail_get_data(mail, &data), 0);
	assert_int_equal(data.size, 150);
	assert_memory_equal(data.data, "From: Alice <alice@example.org>\r\n",
			    33);
	assert_null(memmem(data.data, data.size, "\n\n", 2));
	mail_data_release(&data);
	mailbox_fetch_deinit(&ctx);
	mailbox_free(&box);

	/* a new message continues after Dovecot's UIDs; after losing the
	   index, everything comes back the same */
	assert_int_equal(
		test_save(&env, "INBOX", "Subject: new\n\nx\n", 0, NULL), 6);
	mail_user_unref(&env.user);
	remove_index(&env);
	test_env_open_user(&env);
	check_mailbox(&env, "INBOX", 1795710445, 7, dovecot_inbox, 5);
	test_env_deinit(&env);
}

static void test_courier_import(void **state)
{
	struct test_env env;
	static const struct expect inbox[] = {
		{ 3, MAIL_SEEN, NULL, 0 },
		{ 7, MAIL_ANSWERED | MAIL_SEEN, NULL, 0 },
		{ 8, 0, NULL, 0 },
	};
	static const struct expect lists[] = { { 2, MAIL_SEEN, NULL, 0 } };
	struct mailbox_info *infos;
	unsigned int count;
	const char *error;
	bool subscribed = false;

	test_env_init_fixture(&env, "maildir-courier");
	check_mailbox(&env, "INBOX", 1600000000, 9, inbox, 3);
	check_mailbox(&env, "Lists", 1600000100, 3, lists, 1);
	assert_int_equal(mail_user_list_mailboxes(env.user, 0, env.pool, &infos,
						  &count, &error),
			 0);
	for (unsigned int i = 0; i < count; i++) {
		if (strcmp(infos[i].name, "Lists") == 0)
			subscribed =
				(infos[i].flags & MAILBOX_INFO_SUBSCRIBED) != 0;
	}
	assert_true(subscribed);
	/* UID 8 was given to a file without a U= field: dovecot-uidlist
	   keeps it across index loss */
	reopen_user(&env);
	mail_user_unref(&env.user);
	remove_index(&env);
	test_env_open_user(&env);
	check_mailbox(&env, "INBOX", 1600000000, 9, inbox, 3);
	test_env_deinit(&env);
}

/* Messages with flags and keywords; returns HIGHESTMODSEQ. */
static uint64_t fill_mailbox(struct test_env *env, struct expect *expect)
{
	static const char *const kw1[] = { "$Forwarded", NULL };
	static const char *const kw2[] = { "project", NULL };
	struct mailbox *box;
	struct mailbox_status status;
	struct seq_range_set uids;
	struct mail_flag_update update = { .modify = MAIL_MODIFY_ADD,
					   .flags = MAIL_FLAGGED };
	struct mailbox_update_result res;

	test_save(env, "INBOX", "Subject: 1\n\none\n", MAIL_SEEN, kw1);
	test_save(env, "INBOX", "Subject: 2\n\ntwo\n", 0, NULL);
	test_save(env, "INBOX", "Subject: 3\n\nthree\n", MAIL_DELETED, NULL);
	test_save(env, "INBOX", "Subject: 4\n\nfour\n", 0, kw2);
	box = test_open(env, "INBOX", 0);
	seq_range_set_init(&uids, env->pool);
	seq_range_set_add(&uids, 2);
	assert_int_equal(
		mailbox_update_flags(box, &uids, &update, env->pool, &res), 0);
	/* expunge 3, and the highest UID too */
	assert_int_equal(mailbox_expunge(box, NULL, true, env->pool, NULL), 0);
	seq_range_set_clear(&uids);
	seq_range_set_add(&uids, 4);
	assert_int_equal(mailbox_expunge(box, &uids, false, env->pool, NULL),
			 0);
	assert_int_equal(mailbox_get_status(box, STATUS_HIGHESTMODSEQ, &status),
			 0);
	mailbox_free(&box);
	expect[0] = (struct expect){ 1, MAIL_SEEN, "$Forwarded", 0 };
	expect[1] = (struct expect){ 2, MAIL_FLAGGED, NULL, 0 };
	return status.highest_modseq;
}

static void check_rebuilt(struct test_env *env, const struct expect *expect,
			  uint32_t uidvalidity, uint64_t old_modseq)
{
	struct mailbox *box = mailbox_alloc(env->user, "INBOX", 0, NULL);
	struct mailbox_status status;

	assert_int_equal(
		mailbox_get_status(box, STATUS_HIGHESTMODSEQ | STATUS_UIDNEXT,
				   &status),
		0);
	/* CONDSTORE clients must not miss changes */
	assert_true(status.highest_modseq > old_modseq);
	/* UID 4 was expunged: never handed out again (the record reserves
	   UIDs above UIDNEXT, so UIDNEXT may start higher) */
	assert_true(status.uidnext >= 5);
	mailbox_free(&box);
	check_mailbox(env, "INBOX", uidvalidity, status.uidnext, expect, 2);
	assert_int_equal(test_save(env, "INBOX", "Subject: 5\n\n5\n", 0, NULL),
			 status.uidnext);
}

static uint32_t inbox_uidvalidity(struct test_env *env)
{
	struct mailbox *box = mailbox_alloc(env->user, "INBOX", 0, NULL);
	struct mailbox_status status;

	assert_int_equal(mailbox_get_status(box, STATUS_UIDVALIDITY, &status),
			 0);
	mailbox_free(&box);
	return status.uidvalidity;
}

static void test_rebuild_after_delete(void **state)
{
	struct test_env env;
	struct expect expect[2];
	uint64_t modseq;
	uint32_t uidvalidity;

	test_env_init(&env);
	modseq = fill_mailbox(&env, expect);
	uidvalidity = inbox_uidvalidity(&env);
	mail_user_unref(&env.user);
	remove_index(&env);
	test_env_open_user(&env);
	check_rebuilt(&env, expect, uidvalidity, modseq);
	test_env_deinit(&env);
}

static void test_rebuild_after_corruption(void **state)
{
	struct test_env env;
	struct expect expect[2];
	char path[1024];
	uint64_t modseq;
	uint32_t uidvalidity;
	int fd;

	test_env_init(&env);
	modseq = fill_mailbox(&env, expect);
	uidvalidity = inbox_uidvalidity(&env);
	mail_user_unref(&env.user);
	/* garbage over the header and the first pages */
	snprintf(path, sizeof(path), "%s/postern-index.db", env.root);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	for (unsigned int i = 0; i < 64; i++)
		assert_int_equal(write(fd, "corrupt!corrupt!", 16), 16);
	close(fd);
	snprintf(path, sizeof(path), "%s/postern-index.db-wal", env.root);
	unlink(path);
	test_env_open_user(&env);
	check_rebuilt(&env, expect, uidvalidity, modseq);
	test_env_deinit(&env);
}

/* A database with the current version number but another schema (a
   development build's, or damaged below what SQLite checks) is rebuilt,
   not fatal in the middle of a command. */
static void test_rebuild_after_schema_mismatch(void **state)
{
	struct test_env env;
	struct expect expect[2];
	char path[1024];
	uint64_t modseq;
	uint32_t uidvalidity;
	sqlite3 *db;

	test_env_init(&env);
	modseq = fill_mailbox(&env, expect);
	uidvalidity = inbox_uidvalidity(&env);
	mail_user_unref(&env.user);
	snprintf(path, sizeof(path), "%s/postern-index.db", env.root);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "DROP TABLE messages; CREATE TABLE "
				      "messages (mailbox_id INTEGER, uid "
				      "INTEGER)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	test_env_open_user(&env);
	check_rebuilt(&env, expect, uidvalidity, modseq);
	test_env_deinit(&env);
}

static void test_rebuild_command(void **state)
{
	struct test_env env;
	struct expect expect[2];
	const char *error;
	uint64_t modseq;
	uint32_t uidvalidity;

	test_env_init(&env);
	modseq = fill_mailbox(&env, expect);
	uidvalidity = inbox_uidvalidity(&env);
	assert_int_equal(mail_user_rebuild_index(env.user, NULL, &error), 0);
	check_rebuilt(&env, expect, uidvalidity, modseq);
	test_env_deinit(&env);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* The name of the file in dir that contains needle. */
static void find_file(const char *dir, const char *needle, char *name_r,
		      size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	name_r[0] = '\0';
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, needle) != NULL)
			snprintf(name_r, size, "%s", e->d_name);
	}
	closedir(d);
	assert_true(name_r[0] != '\0');
}

static void test_external_changes(void **state)
{
	struct test_env env;
	struct mailbox_sync_result sync;
	struct mailbox *box;
	char path[2048], path2[2048], dir[1024], name[512];

	test_env_init(&env);
	test_save(&env, "INBOX", "Subject: 1\n\none\n", MAIL_SEEN, NULL);
	test_save(&env, "INBOX", "Subject: 2\n\ntwo\n", MAIL_SEEN, NULL);
	box = test_open(&env, "INBOX", 0);

	/* an MDA drops a message into new/ */
	snprintf(path, sizeof(path), "%s/tmp/1700000000.P1Q1.mda", env.root);
	write_file(path, "Subject: dropped\n\nfrom procmail\n");
	snprintf(path2, sizeof(path2), "%s/new/1700000000.P1Q1.mda", env.root);
	assert_int_equal(rename(path, path2), 0);
	assert_int_equal(mailbox_sync(box, 0, env.pool, &sync), 0);
	assert_true(sync.messages_changed);
	assert_int_equal(sync.messages, 3);
	assert_int_equal(mailbox_seq_to_uid(box, 3), 3);

	/* a MUA changes flags by renaming (after the 1 s mtime window, a
	   change in the same second must be found too) */
	snprintf(dir, sizeof(dir), "%s/cur", env.root);
	find_file(dir, ",U=1:", name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(path2, sizeof(path2), "%s/%.*s:2,FS", dir,
		 (int)(strstr(name, ":2,") - name), name);
	assert_int_equal(rename(path, path2), 0);
	assert_int_equal(mailbox_sync(box, 0, env.pool, &sync), 0);
	assert_int_equal(sync.changes_count, 1);
	assert_int_equal(sync.changes[0].uid, 1);
	assert_int_equal(sync.changes[0].flags & ~MAIL_RECENT,
			 MAIL_FLAGGED | MAIL_SEEN);

	/* and deletes one */
	find_file(dir, ",U=2:", name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mailbox_sync(box, MAILBOX_SYNC_FLAG_NO_EXPUNGES,
				      env.pool, &sync),
			 0);
	assert_int_equal(sync.expunges_count, 0);
	assert_int_equal(mailbox_sync(box, 0, env.pool, &sync), 0);
	assert_int_equal(sync.expunges_count, 1);
	assert_int_equal(sync.expunges[0].seq, 2);
	assert_int_equal(sync.messages, 2);

	/* a save in progress with an old INTERNALDATE (its tmp/ file has an
	   old mtime, but a new ctime) is not taken for a stale leftover */
	snprintf(path, sizeof(path), "%s/tmp/old.P1Q1.host", env.root);
	write_file(path, "Subject: half");
	{
		struct timespec old[2] = { { time(NULL) - 2 * 86400, 0 },
					   { time(NULL) - 2 * 86400, 0 } };

		assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	}
	assert_int_equal(
		mailbox_sync(box, MAILBOX_SYNC_FLAG_FULL, env.pool, &sync), 0);
	assert_int_equal(access(path, F_OK), 0);

	/* nothing changed: nothing reported */
	assert_int_equal(mailbox_sync(box, 0, env.pool, &sync), 0);
	assert_int_equal(sync.expunges_count + sync.changes_count, 0);
	assert_false(sync.messages_changed);
	mailbox_free(&box);
	test_env_deinit(&env);
}

/* A copied file keeps a U= that is already taken: it gets a new UID. */
static void test_duplicate_uid_file(void **state)
{
	struct test_env env;
	struct mailbox *box;
	char dir[1024], name[512], cmd[4096];

	test_env_init(&env);
	test_save(&env, "INBOX", "Subject: 1\n\none\n", MAIL_SEEN, NULL);
	box = test_open(&env, "INBOX", 0);
	snprintf(dir, sizeof(dir), "%s/cur", env.root);
	find_file(dir, ",U=1:", name, sizeof(name));
	snprintf(cmd, sizeof(cmd), "cp '%s/%s' '%s/X%s'", dir, name, dir, name);
	assert_int_equal(system(cmd), 0);
	mailbox_free(&box);
	box = test_open(&env, "INBOX", 0);
	assert_int_equal(mailbox_get_messages_count(box), 2);
	assert_int_equal(mailbox_seq_to_uid(box, 2), 2);
	mailbox_free(&box);
	test_env_deinit(&env);
}

/* Another process deletes the index under a session: the session's next
   sync reopens it, the view goes on; a deleted mailbox is lost. */
static void test_index_replaced_under_session(void **state)
{
	struct test_env env;
	struct mailbox_sync_result sync;
	struct mailbox *box, *other;

	test_env_init(&env);
	test_save(&env, "INBOX", "Subject: 1\n\none\n", MAIL_SEEN, NULL);
	test_save(&env, "Sent", "Subject: s\n\nsent\n", 0, NULL);
	box = test_open(&env, "INBOX", 0);
	other = test_open(&env, "Sent", 0);
	remove_index(&env);
	assert_int_equal(mailbox_sync(box, 0, env.pool, &sync), 0);
	assert_false(sync.mailbox_lost);
	assert_int_equal(sync.messages, 1);
	test_save(&env, "INBOX", "Subject: 2\n\ntwo\n", 0, NULL);
	assert_int_equal(mailbox_sync(box, 0, env.pool, &sync), 0);
	assert_true(sync.messages_changed);
	assert_int_equal(sync.messages, 2);
	assert_int_equal(mailbox_seq_to_uid(box, 2), 2);
	mailbox_free(&box);

	box = mailbox_alloc(env.user, "Sent", 0, NULL);
	assert_int_equal(mailbox_delete(box), 0);
	mailbox_free(&box);
	assert_int_equal(mailbox_sync(other, 0, env.pool, &sync), 0);
	assert_true(sync.mailbox_lost);
	mailbox_free(&other);
	test_env_deinit(&env);
}

static ino_t record_inode(struct test_env *env)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/postern-mailbox", env->root);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* Expunging the highest UID raises the rebuild record (two fsyncs) once
   per reserve of UIDs, not at every such expunge; a rebuild still never
   hands an expunged UID out again. */
static void test_expunge_highest_uid_reserve(void **state)
{
	struct test_env env;
	struct seq_range_set uids;
	struct mailbox *box;
	struct mailbox_status status;
	uint32_t uid = 0;
	ino_t ino = 0;

	test_env_init(&env);
	test_save(&env, "INBOX", "Subject: 1\n\none\n", 0, NULL);
	seq_range_set_init(&uids, NULL);
	for (unsigned int i = 0; i < 5; i++) {
		uid = test_save(&env, "INBOX", "Subject: x\n\nx\n", 0, NULL);
		box = test_open(&env, "INBOX", 0);
		seq_range_set_clear(&uids);
		seq_range_set_add(&uids, uid);
		assert_int_equal(
			mailbox_expunge(box, &uids, false, env.pool, NULL), 0);
		mailbox_free(&box);
		if (i == 0)
			ino = record_inode(&env);
		else
			assert_int_equal(record_inode(&env), ino);
	}
	seq_range_set_deinit(&uids);
	mail_user_unref(&env.user);
	remove_index(&env);
	test_env_open_user(&env);
	box = mailbox_alloc(env.user, "INBOX", 0, NULL);
	assert_int_equal(mailbox_get_status(box,
					    STATUS_UIDNEXT | STATUS_MESSAGES,
					    &status),
			 0);
	assert_int_equal(status.messages, 1);
	assert_true(status.uidnext > uid);
	mailbox_free(&box);
	test_env_deinit(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dovecot_import),
		cmocka_unit_test(test_courier_import),
		cmocka_unit_test(test_rebuild_after_delete),
		cmocka_unit_test(test_rebuild_after_corruption),
		cmocka_unit_test(test_rebuild_after_schema_mismatch),
		cmocka_unit_test(test_rebuild_command),
		cmocka_unit_test(test_external_changes),
		cmocka_unit_test(test_duplicate_uid_file),
		cmocka_unit_test(test_index_replaced_under_session),
		cmocka_unit_test(test_expunge_highest_uid_reserve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
