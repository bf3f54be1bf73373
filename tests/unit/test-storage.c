#include "test-common.h"
#include "test-storage-util.h"

#include "postern/mail-search.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define MSG1 "From: a@example.org\nSubject: hello\n\nbody one\n"
#define MSG1_CRLF "From: a@example.org\r\nSubject: hello\r\n\r\nbody one\r\n"

static int setup(void **state)
{
	struct test_env *env = malloc(sizeof(*env));

	test_env_init(env);
	*state = env;
	return 0;
}

static int teardown(void **state)
{
	test_env_deinit(*state);
	free(*state);
	return 0;
}

static const struct mailbox_info *find_info(const struct mailbox_info *infos,
					    unsigned int count,
					    const char *name)
{
	for (unsigned int i = 0; i < count; i++) {
		if (strcmp(infos[i].name, name) == 0)
			return &infos[i];
	}
	return NULL;
}

static void test_new_user_autocreate(void **state)
{
	struct test_env *env = *state;
	struct mailbox_info *infos;
	unsigned int count;
	const char *error;
	const struct mailbox_info *info;

	assert_int_equal(mail_user_list_mailboxes(env->user, 0, env->pool,
						  &infos, &count, &error),
			 0);
	assert_int_equal(count, 6);
	assert_string_equal(infos[0].name, "INBOX");
	info = find_info(infos, count, "Drafts");
	assert_non_null(info);
	assert_int_equal(info->special_use, MAILBOX_SPECIAL_DRAFTS);
	assert_true((info->flags & MAILBOX_INFO_SUBSCRIBED) != 0);
	assert_true((info->flags & MAILBOX_INFO_NOCHILDREN) != 0);
	info = find_info(infos, count, "Trash");
	assert_int_equal(info->special_use, MAILBOX_SPECIAL_TRASH);
}

static void read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, size - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

/* The one file in dir (new/ or cur/); its name into name_r. */
static int only_file(const char *dir, char *name_r, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(name_r, size, "%s", e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static void test_save_fetch_crlf(void **state)
{
	struct test_env *env = *state;
	struct mail_fetch_ctx *ctx;
	struct mailbox *box;
	struct mail *mail;
	struct mail_data data;
	char path[1024], name[256], buf[1024];
	uint64_t size;
	uint32_t uid;

	uid = test_save(env, "INBOX", MSG1, 0, NULL);
	assert_int_equal(uid, 1);
	/* stored with CRLF, UID and sizes in the name, in new/ */
	snprintf(path, sizeof(path), "%s/new", env->root);
	assert_int_equal(only_file(path, name, sizeof(name)), 1);
	assert_non_null(strstr(name, ",U=1"));
	snprintf(buf, sizeof(buf), ",S=%zu,W=%zu", strlen(MSG1_CRLF),
		 strlen(MSG1_CRLF));
	assert_non_null(strstr(name, buf));
	snprintf(path, sizeof(path), "%s/new/%s", env->root, name);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, MSG1_CRLF);

	box = test_open(env, "INBOX", 0);
	assert_int_equal(mailbox_get_messages_count(box), 1);
	ctx = mailbox_fetch_init(box, mailbox_get_uids(box),
				 MAIL_FETCH_DATA | MAIL_FETCH_SIZE);
	assert_int_equal(mailbox_fetch_next(ctx, &mail), 1);
	assert_int_equal(mail_get_uid(mail), 1);
	assert_int_equal(mail_get_seq(mail), 1);
	assert_int_equal(mail_get_flags(mail), MAIL_RECENT);
	assert_int_equal(mail_get_size(mail, &size), 0);
	assert_int_equal(size, strlen(MSG1_CRLF));
	assert_int_equal(mail_get_data(mail, &data), 0);
	assert_int_equal(data.size, strlen(MSG1_CRLF));
	assert_memory_equal(data.data, MSG1_CRLF, data.size);
	mail_data_release(&data);
	assert_int_equal(mailbox_fetch_next(ctx, &mail), 0);
	assert_int_equal(mailbox_fetch_deinit(&ctx), 0);
	mailbox_free(&box);
}

static void test_multiappend(void **state)
{
	struct test_env *env = *state;
	struct mailbox *box = mailbox_alloc(env->user, "Sent", 0, NULL);
	struct mailbox_transaction *t = mailbox_transaction_begin(box);
	struct mail_transaction_commit_result result;
	struct mailbox_status status;

	for (unsigned int i = 0; i < 3; i++) {
		struct mail_save_params params = { .flags = MAIL_SEEN };
		struct mail_save *save;

		assert_int_equal(mailbox_save_begin(t, &params, &save), 0);
		/* split in the middle of a CRLF */
		assert_int_equal(mailbox_save_write(save, "Subject: x\r", 11),
				 0);
		assert_int_equal(mailbox_save_write(save, "\n\r\nbody\n", 8),
				 0);
		assert_int_equal(mailbox_save_finish(&save), 0);
	}
	assert_int_equal(mailbox_transaction_commit(&t, env->pool, &result), 0);
	assert_int_equal(result.saved_uids.count, 1);
	assert_int_equal(result.saved_uids.ranges[0].first, 1);
	assert_int_equal(result.saved_uids.ranges[0].last, 3);
	assert_int_equal(mailbox_get_status(box,
					    STATUS_MESSAGES | STATUS_UIDNEXT |
						    STATUS_UNSEEN | STATUS_SIZE,
					    &status),
			 0);
	assert_int_equal(status.messages, 3);
	assert_int_equal(status.uidnext, 4);
	assert_int_equal(status.unseen, 0);
	assert_int_equal(status.size, 3 * strlen("Subject: x\r\n\r\nbody\r\n"));
	assert_int_equal(result.uidvalidity, status.uidvalidity);
	mailbox_free(&box);
}

static void test_empty_save_refused(void **state)
{
	struct test_env *env = *state;
	struct mailbox *box = mailbox_alloc(env->user, "INBOX", 0, NULL);
	struct mailbox_transaction *t = mailbox_transaction_begin(box);
	struct mail_save_params params = { 0 };
	struct mail_save *save;
	enum mail_error code;

	assert_int_equal(mailbox_save_begin(t, &params, &save), 0);
	assert_int_equal(mailbox_save_finish(&save), -1);
	mailbox_get_last_error(box, &code);
	assert_int_equal(code, MAIL_ERROR_INVALIDDATA);
	mailbox_transaction_rollback(&t);
	mailbox_free(&box);
}

static void test_flags_two_views(void **state)
{
	struct test_env *env = *state;
	struct mailbox *a, *b;
	struct seq_range_set uids;
	struct mail_flag_update update = { .modify = MAIL_MODIFY_ADD,
					   .flags = MAIL_SEEN };
	static const char *const kw[] = { "$Junk", NULL };
	struct mailbox_update_result res;
	struct mailbox_sync_result sync;

	test_save(env, "INBOX", MSG1, 0, NULL);
	test_save(env, "INBOX", MSG1, 0, NULL);
	a = test_open(env, "INBOX", 0);
	b = test_open(env, "INBOX", 0);
	seq_range_set_init(&uids, env->pool);
	seq_range_set_add(&uids, 2);
	update.keywords = kw;
	assert_int_equal(
		mailbox_update_flags(a, &uids, &update, env->pool, &res), 0);
	assert_int_equal(res.messages_count, 1);
	assert_true(res.messages[0].changed);
	assert_int_equal(res.messages[0].seq, 2);
	assert_int_equal(res.messages[0].flags, MAIL_SEEN | MAIL_RECENT);
	assert_string_equal(res.messages[0].keywords[0], "$Junk");
	/* a's own change is not reported back to it */
	assert_int_equal(mailbox_sync(a, 0, env->pool, &sync), 0);
	assert_int_equal(sync.changes_count, 0);
	assert_true(sync.keywords_changed);
	/* b hears of it, with the MODSEQ */
	assert_int_equal(mailbox_sync(b, 0, env->pool, &sync), 0);
	assert_int_equal(sync.changes_count, 1);
	assert_int_equal(sync.changes[0].uid, 2);
	assert_int_equal(sync.changes[0].seq, 2);
	assert_int_equal(sync.changes[0].flags, MAIL_SEEN);
	assert_int_equal(sync.changes[0].modseq, res.messages[0].modseq);
	assert_string_equal(sync.changes[0].keywords[0], "$Junk");
	/* nothing new afterwards */
	assert_int_equal(mailbox_sync(b, 0, env->pool, &sync), 0);
	assert_int_equal(sync.changes_count, 0);
	assert_false(sync.messages_changed);
	/* unchanged flags: reported as such, no MODSEQ bump */
	assert_int_equal(
		mailbox_update_flags(a, &uids, &update, env->pool, &res), 0);
	assert_false(res.messages[0].changed);
	/* CONDSTORE: UNCHANGEDSINCE below the message's MODSEQ fails */
	update.use_unchanged_since = true;
	update.unchanged_since = 1;
	update.flags = MAIL_FLAGGED;
	assert_int_equal(
		mailbox_update_flags(a, &uids, &update, env->pool, &res), 0);
	assert_int_equal(res.messages_count, 0);
	assert_true(seq_range_set_contains(&res.modified_uids, 2));
	mailbox_free(&a);
	mailbox_free(&b);
}

static void expunge_uid(struct test_env *env, struct mailbox *box, uint32_t uid)
{
	struct seq_range_set uids;
	struct mail_flag_update update = { .modify = MAIL_MODIFY_ADD,
					   .flags = MAIL_DELETED };
	struct mailbox_update_result res;

	seq_range_set_init(&uids, env->pool);
	seq_range_set_add(&uids, uid);
	assert_int_equal(
		mailbox_update_flags(box, &uids, &update, env->pool, &res), 0);
	assert_int_equal(mailbox_expunge(box, NULL, true, env->pool, NULL), 0);
}

static void test_expunge_rules(void **state)
{
	struct test_env *env = *state;
	struct mailbox_sync_result sync;
	struct mailbox *a, *b;

	for (unsigned int i = 0; i < 5; i++)
		test_save(env, "INBOX", MSG1, 0, NULL);
	a = test_open(env, "INBOX", 0);
	b = test_open(env, "INBOX", 0);
	expunge_uid(env, a, 2);
	expunge_uid(env, a, 4);
	/* during FETCH/STORE/SEARCH: no expunges, sequence numbers stay */
	assert_int_equal(mailbox_sync(b, MAILBOX_SYNC_FLAG_NO_EXPUNGES,
				      env->pool, &sync),
			 0);
	assert_int_equal(sync.expunges_count, 0);
	assert_int_equal(mailbox_get_messages_count(b), 5);
	assert_int_equal(mailbox_seq_to_uid(b, 4), 4);
	/* a new message meanwhile comes after the pending expunges */
	test_save(env, "INBOX", MSG1, 0, NULL);
	assert_int_equal(mailbox_sync(b, MAILBOX_SYNC_FLAG_NO_EXPUNGES,
				      env->pool, &sync),
			 0);
	assert_true(sync.messages_changed);
	assert_int_equal(sync.messages, 6);
	assert_int_equal(mailbox_seq_to_uid(b, 6), 6);
	/* then the expunges, in descending order */
	assert_int_equal(mailbox_sync(b, 0, env->pool, &sync), 0);
	assert_int_equal(sync.expunges_count, 2);
	assert_int_equal(sync.expunges[0].uid, 4);
	assert_int_equal(sync.expunges[0].seq, 4);
	assert_int_equal(sync.expunges[1].uid, 2);
	assert_int_equal(sync.expunges[1].seq, 2);
	assert_true(seq_range_set_contains(&sync.expunged_uids, 2));
	assert_int_equal(sync.messages, 4);
	assert_int_equal(mailbox_uid_to_seq(b, 6), 4);
	/* the view is ranges: 1, 3, 5:6 */
	assert_int_equal(mailbox_get_uids(b)->count, 3);
	/* a was told too */
	assert_int_equal(mailbox_sync(a, 0, env->pool, &sync), 0);
	assert_int_equal(sync.expunges_count, 2);
	mailbox_free(&a);
	mailbox_free(&b);
}

static void test_recent_once(void **state)
{
	struct test_env *env = *state;
	struct mailbox_sync_result sync;
	struct mailbox_status status;
	struct mailbox *a, *b, *ro;

	test_save(env, "INBOX", MSG1, 0, NULL);
	ro = test_open(env, "INBOX", MAILBOX_FLAG_READONLY);
	a = test_open(env, "INBOX", 0);
	b = test_open(env, "INBOX", 0);
	assert_int_equal(mailbox_get_status(a, STATUS_RECENT, &status), 0);
	assert_int_equal(status.recent, 1);
	assert_int_equal(mailbox_get_status(b, STATUS_RECENT, &status), 0);
	assert_int_equal(status.recent, 0);
	assert_int_equal(mailbox_get_status(ro, STATUS_RECENT, &status), 0);
	assert_int_equal(status.recent, 0);
	test_save(env, "INBOX", MSG1, 0, NULL);
	assert_int_equal(mailbox_sync(b, 0, env->pool, &sync), 0);
	assert_int_equal(sync.recent, 1);
	assert_int_equal(mailbox_sync(a, 0, env->pool, &sync), 0);
	assert_int_equal(sync.messages, 2);
	assert_int_equal(sync.recent, 1);
	mailbox_free(&a);
	mailbox_free(&b);
	mailbox_free(&ro);
}

static void test_readonly(void **state)
{
	struct test_env *env = *state;
	struct mailbox *ro;
	struct seq_range_set uids;
	struct mail_flag_update update = { .modify = MAIL_MODIFY_ADD,
					   .flags = MAIL_SEEN };
	struct mailbox_update_result res;
	enum mail_error code;

	test_save(env, "INBOX", MSG1, 0, NULL);
	ro = test_open(env, "INBOX", MAILBOX_FLAG_READONLY);
	seq_range_set_init(&uids, env->pool);
	seq_range_set_add(&uids, 1);
	assert_int_equal(
		mailbox_update_flags(ro, &uids, &update, env->pool, &res), -1);
	mailbox_get_last_error(ro, &code);
	assert_int_equal(code, MAIL_ERROR_NOTPOSSIBLE);
	assert_int_equal(mailbox_expunge(ro, NULL, true, env->pool, NULL), -1);
	mailbox_free(&ro);
}

static void test_copy_move(void **state)
{
	struct test_env *env = *state;
	static const char *const kw[] = { "work", NULL };
	struct mailbox *src, *dest;
	struct mailbox_copy_result res;
	struct mailbox_sync_result sync;
	struct mail_fetch_ctx *ctx;
	struct mail *mail;
	const char *guid1, *guid2;
	char guid_src[40];

	test_save(env, "INBOX", MSG1, MAIL_FLAGGED, kw);
	test_save(env, "INBOX", MSG1, 0, NULL);
	src = test_open(env, "INBOX", 0);
	dest = mailbox_alloc(env->user, "Archive", 0, NULL);
	assert_int_equal(mailbox_copy(src, mailbox_get_uids(src), dest, false,
				      env->pool, &res),
			 0);
	assert_int_equal(seq_range_set_count(&res.src_uids), 2);
	assert_int_equal(res.dest_uids.ranges[0].first, 1);
	assert_int_equal(res.dest_uids.ranges[0].last, 2);

	ctx = mailbox_fetch_init(src, mailbox_get_uids(src), MAIL_FETCH_GUID);
	assert_int_equal(mailbox_fetch_next(ctx, &mail), 1);
	assert_int_equal(mail_get_guid(mail, &guid1), 0);
	snprintf(guid_src, sizeof(guid_src), "%s", guid1);
	mailbox_fetch_deinit(&ctx);
	mailbox_free(&dest);

	dest = test_open(env, "Archive", 0);
	ctx = mailbox_fetch_init(dest, mailbox_get_uids(dest),
				 MAIL_FETCH_FLAGS | MAIL_FETCH_GUID);
	assert_int_equal(mailbox_fetch_next(ctx, &mail), 1);
	assert_int_equal(mail_get_flags(mail) & MAIL_FLAGGED, MAIL_FLAGGED);
	assert_string_equal(mail_get_keywords(mail)[0], "work");
	/* EMAILID survives the copy */
	assert_int_equal(mail_get_guid(mail, &guid2), 0);
	assert_string_equal(guid2, guid_src);
	mailbox_fetch_deinit(&ctx);

	/* MOVE: the originals go */
	assert_int_equal(mailbox_copy(src, mailbox_get_uids(src), dest, true,
				      env->pool, &res),
			 0);
	assert_int_equal(res.dest_uids.ranges[0].first, 3);
	assert_int_equal(mailbox_sync(src, 0, env->pool, &sync), 0);
	assert_int_equal(sync.expunges_count, 2);
	assert_int_equal(sync.messages, 0);
	assert_int_equal(mailbox_sync(dest, 0, env->pool, &sync), 0);
	assert_int_equal(sync.messages, 4);
	mailbox_free(&src);
	mailbox_free(&dest);
}

static void test_create_rename_delete(void **state)
{
	struct test_env *env = *state;
	struct mailbox_info *infos;
	struct mailbox_status st1, st2;
	unsigned int count;
	const char *error;
	const struct mailbox_info *info;
	struct mailbox *box, *box2;
	enum mail_error code;

	box = mailbox_alloc(env->user, "a/b", 0, NULL);
	assert_int_equal(mailbox_create(box, 0), 0);
	assert_int_equal(mailbox_create(box, 0), -1);
	mailbox_get_last_error(box, &code);
	assert_int_equal(code, MAIL_ERROR_EXISTS);
	mailbox_free(&box);
	test_save(env, "a/b", MSG1, 0, NULL);

	assert_int_equal(mail_user_list_mailboxes(env->user, 0, env->pool,
						  &infos, &count, &error),
			 0);
	info = find_info(infos, count, "a");
	assert_non_null(info);
	assert_true((info->flags & MAILBOX_INFO_NOSELECT) != 0);
	assert_true((info->flags & MAILBOX_INFO_CHILDREN) != 0);

	box = mailbox_alloc(env->user, "a/b", 0, NULL);
	assert_int_equal(
		mailbox_get_status(box, STATUS_UIDVALIDITY | STATUS_MAILBOXID,
				   &st1),
		0);
	mailbox_free(&box);
	/* rename the \Noselect parent: the child follows, UIDVALIDITY kept */
	box = mailbox_alloc(env->user, "a", 0, NULL);
	box2 = mailbox_alloc(env->user, "x", 0, NULL);
	assert_int_equal(mailbox_rename(box, box2), 0);
	mailbox_free(&box);
	mailbox_free(&box2);
	box = mailbox_alloc(env->user, "x/b", 0, NULL);
	assert_int_equal(mailbox_get_status(box,
					    STATUS_UIDVALIDITY |
						    STATUS_MESSAGES |
						    STATUS_MAILBOXID,
					    &st2),
			 0);
	assert_int_equal(st2.uidvalidity, st1.uidvalidity);
	assert_string_equal(st2.mailbox_id, st1.mailbox_id);
	assert_int_equal(st2.messages, 1);
	/* under itself: no */
	box2 = mailbox_alloc(env->user, "x/b/c", 0, NULL);
	assert_int_equal(mailbox_rename(box, box2), -1);
	mailbox_get_last_error(box, &code);
	assert_int_equal(code, MAIL_ERROR_NOTPOSSIBLE);
	mailbox_free(&box2);
	assert_int_equal(mailbox_delete(box), 0);
	assert_int_equal(mailbox_exists(box), 0);
	mailbox_free(&box);
	/* INBOX can't go; a missing mailbox is NOTFOUND */
	box = mailbox_alloc(env->user, "inbox", 0, NULL);
	assert_string_equal(mailbox_get_name(box), "INBOX");
	assert_int_equal(mailbox_delete(box), -1);
	mailbox_get_last_error(box, &code);
	assert_int_equal(code, MAIL_ERROR_NOTPOSSIBLE);
	mailbox_free(&box);
	box = mailbox_alloc(env->user, "nothere", 0, NULL);
	assert_int_equal(mailbox_delete(box), -1);
	mailbox_get_last_error(box, &code);
	assert_int_equal(code, MAIL_ERROR_NOTFOUND);
	assert_int_equal(mailbox_open(box), -1);
	mailbox_free(&box);
}

static void test_rename_inbox(void **state)
{
	struct test_env *env = *state;
	struct mailbox *inbox, *dest;
	struct mailbox_status status;

	test_save(env, "INBOX", MSG1, MAIL_SEEN, NULL);
	test_save(env, "INBOX", MSG1, 0, NULL);
	inbox = mailbox_alloc(env->user, "INBOX", 0, NULL);
	dest = mailbox_alloc(env->user, "Old", 0, NULL);
	assert_int_equal(mailbox_rename(inbox, dest), 0);
	assert_int_equal(mailbox_get_status(inbox, STATUS_MESSAGES, &status),
			 0);
	assert_int_equal(status.messages, 0);
	assert_int_equal(mailbox_get_status(dest,
					    STATUS_MESSAGES | STATUS_UNSEEN,
					    &status),
			 0);
	assert_int_equal(status.messages, 2);
	assert_int_equal(status.unseen, 1);
	mailbox_free(&inbox);
	mailbox_free(&dest);
}

static void test_name_escapes_refused(void **state)
{
	struct test_env *env = *state;
	static const char *const bad[] = { "../escape", "a/../../b", "/etc",
					   "~root",     "a\nb",      "a//b",
					   "..",        "x/." };
	enum mail_error code;
	char path[512];
	struct stat st;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mailbox *box = mailbox_alloc(env->user, bad[i], 0, NULL);

		assert_int_equal(mailbox_create(box, 0), -1);
		mailbox_get_last_error(box, &code);
		assert_int_equal(code, MAIL_ERROR_PARAMS);
		assert_int_equal(mailbox_open(box), -1);
		mailbox_free(&box);
	}
	snprintf(path, sizeof(path), "%s/escape", env->dir);
	assert_int_equal(stat(path, &st), -1);
}

static void test_status_unopened(void **state)
{
	struct test_env *env = *state;
	struct mailbox *box;
	struct mailbox_status status;

	test_save(env, "INBOX", MSG1, MAIL_SEEN, NULL);
	test_save(env, "INBOX", MSG1, MAIL_DELETED, NULL);
	test_save(env, "INBOX", MSG1, 0, NULL);
	box = mailbox_alloc(env->user, "INBOX", 0, NULL);
	assert_int_equal(mailbox_get_status(
				 box,
				 STATUS_MESSAGES | STATUS_RECENT |
					 STATUS_UNSEEN | STATUS_DELETED |
					 STATUS_UIDNEXT | STATUS_HIGHESTMODSEQ |
					 STATUS_MAILBOXID,
				 &status),
			 0);
	assert_int_equal(status.messages, 3);
	assert_int_equal(status.recent, 3);
	assert_int_equal(status.unseen, 2);
	assert_int_equal(status.deleted, 1);
	assert_int_equal(status.uidnext, 4);
	assert_true(status.highest_modseq >= 3);
	assert_int_equal(strlen(status.mailbox_id), 32);
	mailbox_free(&box);
}

static struct mail_search_key *key_new(struct test_env *env,
				       enum mail_search_key_type type)
{
	return mail_search_key_new(env->pool, type);
}

static void test_search(void **state)
{
	struct test_env *env = *state;
	struct mail_search_result result;
	struct mail_search_key *key, *sub;
	struct mailbox *box;

	test_save(env, "INBOX", MSG1, MAIL_SEEN, NULL);
	test_save(env, "INBOX",
		  "From: b@example.org\nSubject: Invoice 42\n\nPay now\n", 0,
		  NULL);
	test_save(env, "INBOX", MSG1, MAIL_FLAGGED, NULL);
	box = test_open(env, "INBOX", MAILBOX_FLAG_NO_RECENT);

	key = key_new(env, SEARCH_FLAGS);
	key->u.flags = MAIL_SEEN;
	assert_int_equal(mailbox_search(box, key, env->pool, &result), 0);
	assert_int_equal(seq_range_set_count(&result.uids), 1);
	assert_true(seq_range_set_contains(&result.uids, 1));

	key = key_new(env, SEARCH_NOT);
	key->u.subkeys = key_new(env, SEARCH_FLAGS);
	key->u.subkeys->u.flags = MAIL_SEEN;
	assert_int_equal(mailbox_search(box, key, env->pool, &result), 0);
	assert_int_equal(seq_range_set_count(&result.uids), 2);

	key = key_new(env, SEARCH_HEADER);
	key->u.header.name = "subject";
	key->u.header.value = "invoice";
	assert_int_equal(mailbox_search(box, key, env->pool, &result), 0);
	assert_int_equal(seq_range_set_min(&result.uids), 2);
	assert_int_equal(seq_range_set_count(&result.uids), 1);

	key = key_new(env, SEARCH_BODY);
	key->u.str = "pay NOW";
	assert_int_equal(mailbox_search(box, key, env->pool, &result), 0);
	assert_int_equal(seq_range_set_count(&result.uids), 1);

	/* OR of a sequence set and a UID set, AND a size */
	key = key_new(env, SEARCH_OR);
	sub = key->u.subkeys = key_new(env, SEARCH_SEQSET);
	seq_range_set_init(&sub->u.set, env->pool);
	seq_range_set_add(&sub->u.set, SEQ_RANGE_STAR);
	sub->next = key_new(env, SEARCH_UIDSET);
	seq_range_set_init(&sub->next->u.set, env->pool);
	seq_range_set_add(&sub->next->u.set, 1);
	key->next = key_new(env, SEARCH_LARGER);
	key->next->u.size = 10;
	assert_int_equal(mailbox_search(box, key, env->pool, &result), 0);
	assert_int_equal(seq_range_set_count(&result.uids), 2);
	assert_true(seq_range_set_contains(&result.uids, 3));

	key = key_new(env, SEARCH_MODSEQ);
	key->u.modseq = 1;
	assert_int_equal(mailbox_search(box, key, env->pool, &result), 0);
	assert_int_equal(seq_range_set_count(&result.uids), 3);
	assert_true(result.highest_modseq >= 3);

	key = key_new(env, SEARCH_SINCE);
	key->u.date = 86400 * 365;
	assert_int_equal(mailbox_search(box, key, env->pool, &result), 0);
	assert_int_equal(seq_range_set_count(&result.uids), 3);
	mailbox_free(&box);
}

static void test_cached_parse(void **state)
{
	struct test_env *env = *state;
	struct mail_fetch_ctx *ctx;
	struct mailbox *box;
	struct mail *mail;
	const char *envelope, *bs, *body;
	const unsigned char *parts;
	size_t parts_size;
	time_t sent;
	int tz;

	test_save(env, "INBOX",
		  "Date: Mon, 1 Jan 2024 10:00:00 +0100\n"
		  "From: Alice <alice@example.org>\nSubject: hi\n\nbody\n",
		  0, NULL);
	box = test_open(env, "INBOX", 0);
	for (unsigned int round = 0; round < 2; round++) {
		/* the second round comes from the index's cache */
		ctx = mailbox_fetch_init(box, mailbox_get_uids(box),
					 MAIL_FETCH_ENVELOPE);
		assert_int_equal(mailbox_fetch_next(ctx, &mail), 1);
		assert_int_equal(mail_get_envelope(mail, &envelope), 0);
		assert_string_equal(
			envelope, "(\"Mon, 1 Jan 2024 10:00:00 +0100\" \"hi\" "
				  "((\"Alice\" NIL \"alice\" \"example.org\")) "
				  "((\"Alice\" NIL \"alice\" \"example.org\")) "
				  "((\"Alice\" NIL \"alice\" \"example.org\")) "
				  "NIL NIL NIL NIL NIL)");
		assert_int_equal(mail_get_bodystructure(mail, &bs), 0);
		assert_non_null(strstr(bs, "\"text\" \"plain\""));
		assert_int_equal(mail_get_body(mail, &body), 0);
		assert_true(strlen(body) < strlen(bs));
		assert_int_equal(mail_get_parts(mail, &parts, &parts_size), 0);
		assert_true(parts_size > 0);
		assert_int_equal(mail_get_sent_date(mail, &sent, &tz), 0);
		assert_int_equal(sent, 1704099600);
		assert_int_equal(tz, 60);
		mailbox_fetch_deinit(&ctx);
	}
	mailbox_free(&box);
}

/* A FLAGS fetch reads flag columns only; the rest of a row is read when
   asked for, and a message expunged meanwhile says so. */
static void test_fetch_flags_rows(void **state)
{
	struct test_env *env = *state;
	struct mail_fetch_ctx *ctx;
	struct mailbox *box, *other;
	struct seq_range_set uids;
	struct mail *mail;
	struct mail_data data;
	enum mail_error code;
	const char *guid;
	uint64_t size;
	time_t date;

	test_save(env, "INBOX", MSG1, MAIL_SEEN, NULL);
	test_save(env, "INBOX", MSG1, 0, NULL);
	box = test_open(env, "INBOX", 0);
	ctx = mailbox_fetch_init(box, mailbox_get_uids(box),
				 MAIL_FETCH_FLAGS | MAIL_FETCH_MODSEQ);
	assert_int_equal(mailbox_fetch_next(ctx, &mail), 1);
	assert_int_equal(mail_get_flags(mail) & MAIL_SEEN, MAIL_SEEN);
	assert_true(mail_get_modseq(mail) > 0);
	assert_int_equal(mail_get_received_date(mail, &date, NULL), 0);
	assert_true(date > 0);
	assert_int_equal(mail_get_size(mail, &size), 0);
	assert_int_equal(size, strlen(MSG1_CRLF));
	assert_int_equal(mail_get_guid(mail, &guid), 0);
	assert_int_equal(strlen(guid), 32);
	assert_int_equal(mail_get_data(mail, &data), 0);
	assert_memory_equal(data.data, MSG1_CRLF, data.size);
	mail_data_release(&data);

	/* the batch has the second row; another view expunges it */
	other = test_open(env, "INBOX", 0);
	seq_range_set_init(&uids, NULL);
	seq_range_set_add(&uids, 2);
	assert_int_equal(mailbox_expunge(other, &uids, false, env->pool, NULL),
			 0);
	seq_range_set_deinit(&uids);
	mailbox_free(&other);
	assert_int_equal(mailbox_fetch_next(ctx, &mail), 1);
	assert_int_equal(mail_get_uid(mail), 2);
	assert_int_equal(mail_get_flags(mail) & MAIL_SEEN, 0);
	assert_int_equal(mail_get_size(mail, &size), -1);
	(void)mailbox_get_last_error(box, &code);
	assert_int_equal(code, MAIL_ERROR_EXPUNGED);
	assert_int_equal(mailbox_fetch_next(ctx, &mail), 0);
	mailbox_fetch_deinit(&ctx);
	mailbox_free(&box);
}

/* Fetches uids of box; checks the UIDs returned and the expunged count. */
static void check_fetch(struct mailbox *box, const struct seq_range_set *uids,
			enum mail_fetch_field fields,
			const struct seq_range_set *expect,
			unsigned int expunged)
{
	struct mail_fetch_ctx *ctx = mailbox_fetch_init(box, uids, fields);
	struct seq_range_set got;
	struct mail *mail;
	uint32_t last = 0;

	seq_range_set_init(&got, NULL);
	while (mailbox_fetch_next(ctx, &mail) > 0) {
		assert_true(mail_get_uid(mail) > last);
		last = mail_get_uid(mail);
		assert_int_equal(mail_get_seq(mail),
				 mailbox_uid_to_seq(box, last));
		seq_range_set_add(&got, last);
	}
	assert_int_equal(mailbox_fetch_get_expunged_count(ctx), expunged);
	assert_int_equal(mailbox_fetch_deinit(&ctx), 0);
	assert_int_equal(seq_range_set_count(&got),
			 seq_range_set_count(expect));
	seq_range_set_intersect(&got, expect);
	assert_int_equal(seq_range_set_count(&got),
			 seq_range_set_count(expect));
	seq_range_set_deinit(&got);
}

/* A statement reads across small gaps between the ranges asked for (a
   view with scattered expunges), skipping rows not asked for, in batches;
   UIDs gone from the index are counted as expunged. */
static void test_fetch_gaps(void **state)
{
	struct test_env *env = *state;
	struct seq_range_set uids, expect;
	struct mailbox_sync_result sync;
	struct mailbox *box, *other;

	for (unsigned int i = 0; i < 600; i++)
		test_save(env, "INBOX", MSG1, 0, NULL);
	box = test_open(env, "INBOX", 0);
	seq_range_set_init(&uids, NULL);
	seq_range_set_init(&expect, NULL);
	/* every third expunged: 400 UIDs in 200 ranges */
	for (uint32_t uid = 3; uid <= 600; uid += 3)
		seq_range_set_add(&uids, uid);
	assert_int_equal(mailbox_expunge(box, &uids, false, env->pool, NULL),
			 0);
	assert_int_equal(mailbox_sync(box, 0, env->pool, &sync), 0);
	seq_range_set_copy(&expect, mailbox_get_uids(box));
	assert_int_equal(seq_range_set_count(&expect), 400);
	check_fetch(box, mailbox_get_uids(box), MAIL_FETCH_FLAGS, &expect, 0);
	check_fetch(box, mailbox_get_uids(box), MAIL_FETCH_ENVELOPE, &expect,
		    0);
	/* a sparse set: rows between its ranges are not returned */
	seq_range_set_clear(&uids);
	seq_range_set_add(&uids, 1);
	seq_range_set_add(&uids, 50);
	seq_range_set_add_range(&uids, 100, 104);
	seq_range_set_add(&uids, 599);
	seq_range_set_copy(&expect, &uids);
	seq_range_set_intersect(&expect, mailbox_get_uids(box));
	check_fetch(box, &uids, MAIL_FETCH_FLAGS, &expect, 0);
	/* another view expunges 100 and 101: this one still has them */
	other = test_open(env, "INBOX", 0);
	seq_range_set_clear(&uids);
	seq_range_set_add_range(&uids, 100, 101);
	assert_int_equal(mailbox_expunge(other, &uids, false, env->pool, NULL),
			 0);
	mailbox_free(&other);
	seq_range_set_remove_range(&expect, 100, 101);
	seq_range_set_clear(&uids);
	seq_range_set_add(&uids, 1);
	seq_range_set_add(&uids, 50);
	seq_range_set_add_range(&uids, 100, 104);
	seq_range_set_add(&uids, 599);
	check_fetch(box, &uids, MAIL_FETCH_FLAGS, &expect, 2);
	seq_range_set_deinit(&uids);
	seq_range_set_deinit(&expect);
	mailbox_free(&box);
}

static void test_search_unicode(void **state)
{
	struct test_env *env = *state;
	struct mail_search_result result;
	struct mail_search_key *key;
	struct mailbox *box;

	test_save(env, "INBOX",
		  "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_Z=C3=9CRICH?=\n"
		  "Content-Type: text/plain; charset=iso-8859-1\n"
		  "Content-Transfer-Encoding: quoted-printable\n\n"
		  "Sch=F6ne Gr=FC=DFe\n",
		  0, NULL);
	test_save(env, "INBOX", MSG1, 0, NULL);
	box = test_open(env, "INBOX", 0);
	key = key_new(env, SEARCH_HEADER);
	key->u.header.name = "Subject";
	key->u.header.value = "z\xc3\xbcrich";
	assert_int_equal(mailbox_search(box, key, env->pool, &result), 0);
	assert_int_equal(seq_range_set_count(&result.uids), 1);
	key = key_new(env, SEARCH_BODY);
	key->u.str = "SCH\xc3\x96NE";
	assert_int_equal(mailbox_search(box, key, env->pool, &result), 0);
	assert_int_equal(seq_range_set_count(&result.uids), 1);
	/* full case folding: ß is ss */
	key = key_new(env, SEARCH_TEXT);
	key->u.str = "gr\xc3\xbcsse";
	assert_int_equal(mailbox_search(box, key, env->pool, &result), 0);
	assert_int_equal(seq_range_set_count(&result.uids), 1);
	key->u.str = "gr\xc3\xbc\xc3\x9f";
	assert_int_equal(mailbox_search(box, key, env->pool, &result), 0);
	assert_int_equal(seq_range_set_count(&result.uids), 1);
	mailbox_free(&box);
}

static void test_pop3_lock(void **state)
{
	struct test_env *env = *state;
	struct mail_user_lock *lock1, *lock2;
	const char *error;

	assert_int_equal(mail_user_lock(env->user, "pop3", &lock1, &error), 1);
	assert_int_equal(mail_user_lock(env->user, "pop3", &lock2, &error), 0);
	mail_user_unlock(&lock1);
	assert_int_equal(mail_user_lock(env->user, "pop3", &lock2, &error), 1);
	mail_user_unlock(&lock2);
}

static void test_vanished_changed_since(void **state)
{
	struct test_env *env = *state;
	struct mailbox *box;
	struct mailbox_status status;
	struct seq_range_set uids;

	for (unsigned int i = 0; i < 4; i++)
		test_save(env, "INBOX", MSG1, 0, NULL);
	box = test_open(env, "INBOX", 0);
	assert_int_equal(mailbox_get_status(box, STATUS_HIGHESTMODSEQ, &status),
			 0);
	expunge_uid(env, box, 3);
	assert_int_equal(mailbox_get_vanished_since(box, status.highest_modseq,
						    NULL, env->pool, &uids),
			 0);
	assert_int_equal(seq_range_set_count(&uids), 1);
	assert_true(seq_range_set_contains(&uids, 3));
	assert_int_equal(mailbox_get_changed_since(box, status.highest_modseq,
						   env->pool, &uids),
			 0);
	/* UID 3 got \Deleted (then vanished): nothing else changed */
	assert_int_equal(seq_range_set_count(&uids), 0);
	mailbox_free(&box);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_user_autocreate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_save_fetch_crlf, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_multiappend, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_save_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_flags_two_views, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_expunge_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_recent_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_move, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_create_rename_delete,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_inbox, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_name_escapes_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_unopened, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cached_parse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fetch_flags_rows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fetch_gaps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_search_unicode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pop3_lock, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vanished_changed_since,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
