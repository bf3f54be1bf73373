/* A command-line driver of the storage API for tests that need a process
   boundary (concurrent writers, kill -9, cross-process notification):

     storage-tool -l LOCATION [-f FSYNC] COMMAND ARGS...

   mailbox|index|fetch ...   the posternctl subcommands
   deliver USER BOX N SIZE   N saves of SIZE bytes, one commit each;
                             prints "uid N" after each commit
   deliver-threads USER BOX THREADS N SIZE
                             THREADS threads delivering N each (USER
                             "user%u": a user per thread); prints the
                             group-commit counters
   save-slow USER BOX SIZE MS
                             one save written in 4 KiB pieces, MS ms apart
   uids USER BOX             syncs and prints the UIDs, one a line
   verify USER BOX           checks every message is complete (ends with
                             the marker deliver writes); prints the count
   watch USER BOX SECS       prints "event <ms since epoch>" per callback
   big-save USER BOX MB      streams MB MiB; prints "maxrss-kb <n>"
   sync-bench USER BOX N [fast]
                             N syncs of an unchanged view; prints the
                             time per sync */

#include "ctl-storage-commands.h"
#include "fsync-queue.h"
#include "pool.h"
#include "strfuncs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define MARKER "\r\n--end-of-test-message--\r\n"

static struct storage_settings tool_set;

static struct mail_user *tool_user(const char *name)
{
	struct mail_user *user;

	if (ctl_storage_user_open(&tool_set, NULL, name, &user) != EX_OK)
		exit(EX_TEMPFAIL);
	return user;
}

static void tool_fail(struct mailbox *box, const char *what)
{
	fprintf(stderr, "storage-tool: %s: %s\n", what,
		mailbox_get_last_error(box, NULL));
	exit(EX_TEMPFAIL);
}

/* A message of about size bytes that ends with MARKER. */
static char *tool_message(unsigned int n, size_t size)
{
	size_t len = size < 200 ? 200 : size;
	char *msg = malloc(len + 1);
	int hdr = snprintf(msg, len,
			   "From: tool@example.org\r\nSubject: %u\r\n"
			   "\r\n",
			   n);

	for (size_t i = (size_t)hdr; i < len; i++)
		msg[i] = (i % 72 == 71) ? '\n' : 'a' + (char)(i % 26);
	memcpy(msg + len - strlen(MARKER), MARKER, strlen(MARKER));
	msg[len] = '\0';
	return msg;
}

static uint32_t tool_deliver_one(struct mailbox *box, const char *msg,
				 struct pool *pool)
{
	struct mailbox_transaction *t = mailbox_transaction_begin(box);
	struct mail_transaction_commit_result result;
	struct mail_save_params params = { 0 };
	struct mail_save *save;

	if (mailbox_save_begin(t, &params, &save) < 0)
		tool_fail(box, "save begin");
	if (mailbox_save_write(save, msg, strlen(msg)) < 0 ||
	    mailbox_save_finish(&save) < 0)
		tool_fail(box, "save");
	if (mailbox_transaction_commit(&t, pool, &result) < 0)
		tool_fail(box, "commit");
	return seq_range_set_min(&result.saved_uids);
}

static int tool_deliver(int argc, char *argv[])
{
	struct mail_user *user;
	struct mailbox *box;
	struct pool *pool = pool_create("deliver", 1024);
	unsigned int n, size;

	if (argc != 4 || str_to_uint(argv[2], &n) < 0 ||
	    str_to_uint(argv[3], &size) < 0)
		return EX_USAGE;
	user = tool_user(argv[0]);
	box = mailbox_alloc(user, argv[1], MAILBOX_FLAG_SAVE_ONLY, NULL);
	for (unsigned int i = 0; i < n; i++) {
		char *msg = tool_message(i, size);

		printf("uid %u\n", tool_deliver_one(box, msg, pool));
		fflush(stdout);
		free(msg);
		pool_clear(pool);
	}
	mailbox_free(&box);
	mail_user_unref(&user);
	pool_destroy(&pool);
	return EX_OK;
}

struct tool_thread {
	pthread_t thread;
	char username[128];
	const char *box_name;
	unsigned int n, size;
};

static void *tool_deliver_thread(void *arg)
{
	struct tool_thread *th = arg;
	struct mail_user *user = tool_user(th->username);
	struct mailbox *box =
		mailbox_alloc(user, th->box_name, MAILBOX_FLAG_SAVE_ONLY, NULL);
	struct pool *pool = pool_create("deliver", 1024);

	for (unsigned int i = 0; i < th->n; i++) {
		char *msg = tool_message(i, th->size);
		uint32_t uid = tool_deliver_one(box, msg, pool);

		printf("uid %u\n", uid);
		fflush(stdout);
		free(msg);
		pool_clear(pool);
	}
	pool_destroy(&pool);
	mailbox_free(&box);
	mail_user_unref(&user);
	return NULL;
}

static int tool_deliver_threads(int argc, char *argv[])
{
	unsigned int threads, n, size;
	unsigned long groups, requests;
	struct tool_thread *th;

	if (argc != 5 || str_to_uint(argv[2], &threads) < 0 ||
	    str_to_uint(argv[3], &n) < 0 || str_to_uint(argv[4], &size) < 0)
		return EX_USAGE;
	th = calloc(threads, sizeof(*th));
	for (unsigned int i = 0; i < threads; i++) {
		th[i] = (struct tool_thread){ .box_name = argv[1],
					      .n = n,
					      .size = size };
		/* "user%u": a user per thread */
		if (strstr(argv[0], "%u") != NULL)
			snprintf(th[i].username, sizeof(th[i].username),
				 "user%u", i);
		else
			snprintf(th[i].username, sizeof(th[i].username), "%s",
				 argv[0]);
		pthread_create(&th[i].thread, NULL, tool_deliver_thread,
			       &th[i]);
	}
	for (unsigned int i = 0; i < threads; i++)
		pthread_join(th[i].thread, NULL);
	free(th);
	fsync_queue_get_stats(&groups, &requests);
	printf("fsync-groups %lu requests %lu\n", groups, requests);
	return EX_OK;
}

static int tool_save_slow(int argc, char *argv[])
{
	struct mail_user *user;
	struct mailbox *box;
	struct mailbox_transaction *t;
	struct mail_save_params params = { 0 };
	struct mail_save *save;
	struct pool *pool = pool_create("slow", 1024);
	unsigned int size, ms;
	char *msg;

	if (argc != 4 || str_to_uint(argv[2], &size) < 0 ||
	    str_to_uint(argv[3], &ms) < 0)
		return EX_USAGE;
	user = tool_user(argv[0]);
	box = mailbox_alloc(user, argv[1], MAILBOX_FLAG_SAVE_ONLY, NULL);
	msg = tool_message(0, size);
	t = mailbox_transaction_begin(box);
	if (mailbox_save_begin(t, &params, &save) < 0)
		tool_fail(box, "save begin");
	for (size_t off = 0; off < strlen(msg); off += 4096) {
		size_t len =
			strlen(msg) - off < 4096 ? strlen(msg) - off : 4096;

		if (mailbox_save_write(save, msg + off, len) < 0)
			tool_fail(box, "write");
		usleep(ms * 1000);
	}
	if (mailbox_save_finish(&save) < 0 ||
	    mailbox_transaction_commit(&t, pool, NULL) < 0)
		tool_fail(box, "commit");
	printf("committed\n");
	free(msg);
	mailbox_free(&box);
	mail_user_unref(&user);
	pool_destroy(&pool);
	return EX_OK;
}

static int tool_uids(int argc, char *argv[], bool verify)
{
	struct mail_user *user;
	struct mailbox *box;
	struct mail_fetch_ctx *ctx;
	struct mail *mail;
	struct mail_data data;
	unsigned int count = 0, bad = 0;

	if (argc != 2)
		return EX_USAGE;
	user = tool_user(argv[0]);
	box = mailbox_alloc(user, argv[1], MAILBOX_FLAG_READONLY, NULL);
	if (mailbox_open(box) < 0)
		tool_fail(box, "open");
	ctx = mailbox_fetch_init(box, mailbox_get_uids(box), MAIL_FETCH_DATA);
	while (mailbox_fetch_next(ctx, &mail) > 0) {
		count++;
		if (!verify) {
			printf("%u\n", mail_get_uid(mail));
			continue;
		}
		if (mail_get_data(mail, &data) < 0) {
			bad++;
			continue;
		}
		if (data.size < strlen(MARKER) ||
		    memcmp(data.data + data.size - strlen(MARKER), MARKER,
			   strlen(MARKER)) != 0) {
			printf("incomplete %u\n", mail_get_uid(mail));
			bad++;
		}
		mail_data_release(&data);
	}
	(void)mailbox_fetch_deinit(&ctx);
	if (verify)
		printf("count %u bad %u\n", count, bad);
	mailbox_free(&box);
	mail_user_unref(&user);
	return bad == 0 ? EX_OK : EX_DATAERR;
}

static void tool_watch_cb(void *context)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	printf("event %lld\n", (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
	fflush(stdout);
}

static void tool_watch_timeout_cb(uv_timer_t *timer)
{
	uv_stop(timer->loop);
}

static int tool_watch(int argc, char *argv[])
{
	struct mail_user *user;
	struct mailbox_watch *watch;
	uv_loop_t loop;
	uv_timer_t timer;
	unsigned int secs;

	if (argc != 3 || str_to_uint(argv[2], &secs) < 0)
		return EX_USAGE;
	user = tool_user(argv[0]);
	uv_loop_init(&loop);
	watch = mail_user_watch_mailbox(&loop, user, argv[1], tool_watch_cb,
					NULL);
	uv_timer_init(&loop, &timer);
	uv_timer_start(&timer, tool_watch_timeout_cb, secs * 1000, 0);
	printf("ready\n");
	fflush(stdout);
	uv_run(&loop, UV_RUN_DEFAULT);
	mail_user_unwatch_mailbox(&watch);
	uv_close((uv_handle_t *)&timer, NULL);
	mail_user_watch_deinit(&loop);
	uv_run(&loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop) != 0) {
		fprintf(stderr, "storage-tool: handles leaked\n");
		return EX_SOFTWARE;
	}
	mail_user_unref(&user);
	return EX_OK;
}

/* sync-bench USER BOX N [fast]: the cost of a sync that finds nothing. */
static int tool_sync_bench(int argc, char *argv[])
{
	struct mail_user *user;
	struct mailbox *box;
	struct pool *pool = pool_create("sync", 4096);
	struct mailbox_sync_result result;
	struct timespec start, end;
	enum mailbox_sync_flags flags = 0;
	unsigned int n;

	if (argc < 3 || str_to_uint(argv[2], &n) < 0 || n == 0)
		return EX_USAGE;
	if (argc == 4 && strcmp(argv[3], "fast") == 0)
		flags = MAILBOX_SYNC_FLAG_FAST;
	user = tool_user(argv[0]);
	box = mailbox_alloc(user, argv[1], 0, NULL);
	if (mailbox_open(box) < 0)
		tool_fail(box, "open");
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (unsigned int i = 0; i < n; i++) {
		if (mailbox_sync(box, flags, pool, &result) < 0)
			tool_fail(box, "sync");
		pool_clear(pool);
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	printf("%.1f us per sync (%u messages)\n",
	       ((double)(end.tv_sec - start.tv_sec) * 1e6 +
		(double)(end.tv_nsec - start.tv_nsec) / 1e3) /
		       n,
	       mailbox_get_messages_count(box));
	mailbox_free(&box);
	mail_user_unref(&user);
	pool_destroy(&pool);
	return EX_OK;
}

static int tool_big_save(int argc, char *argv[])
{
	struct mail_user *user;
	struct mailbox *box;
	struct mailbox_transaction *t;
	struct mail_save_params params = { 0 };
	struct mail_save *save;
	struct pool *pool = pool_create("big", 1024);
	struct rusage ru;
	char chunk[65536];
	unsigned int mb;

	if (argc != 3 || str_to_uint(argv[2], &mb) < 0)
		return EX_USAGE;
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (i % 64 == 63) ? '\n' : 'x';
	user = tool_user(argv[0]);
	box = mailbox_alloc(user, argv[1], MAILBOX_FLAG_SAVE_ONLY, NULL);
	t = mailbox_transaction_begin(box);
	if (mailbox_save_begin(t, &params, &save) < 0)
		tool_fail(box, "save begin");
	if (mailbox_save_write(save, "Subject: big\n\n", 14) < 0)
		tool_fail(box, "write");
	for (unsigned int i = 0; i < mb * 16; i++) {
		if (mailbox_save_write(save, chunk, sizeof(chunk)) < 0)
			tool_fail(box, "write");
	}
	if (mailbox_save_finish(&save) < 0 ||
	    mailbox_transaction_commit(&t, pool, NULL) < 0)
		tool_fail(box, "commit");
	getrusage(RUSAGE_SELF, &ru);
	printf("maxrss-kb %ld\n", ru.ru_maxrss);
	mailbox_free(&box);
	mail_user_unref(&user);
	pool_destroy(&pool);
	return EX_OK;
}

int main(int argc, char *argv[])
{
	int opt;

	storage_settings_init_defaults(&tool_set);
	while ((opt = getopt(argc, argv, "+l:f:")) != -1) {
		if (opt == 'l')
			tool_set.mail_location = optarg;
		else if (opt == 'f')
			tool_set.fsync = optarg;
		else
			return EX_USAGE;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return EX_USAGE;
	if (strcmp(argv[0], "mailbox") == 0)
		return ctl_storage_cmd_mailbox(&tool_set, NULL, argc - 1,
					       argv + 1);
	if (strcmp(argv[0], "index") == 0)
		return ctl_storage_cmd_index(&tool_set, NULL, argc - 1,
					     argv + 1);
	if (strcmp(argv[0], "fetch") == 0)
		return ctl_storage_cmd_fetch(&tool_set, NULL, argc - 1,
					     argv + 1);
	if (strcmp(argv[0], "deliver") == 0)
		return tool_deliver(argc - 1, argv + 1);
	if (strcmp(argv[0], "deliver-threads") == 0)
		return tool_deliver_threads(argc - 1, argv + 1);
	if (strcmp(argv[0], "save-slow") == 0)
		return tool_save_slow(argc - 1, argv + 1);
	if (strcmp(argv[0], "uids") == 0)
		return tool_uids(argc - 1, argv + 1, false);
	if (strcmp(argv[0], "verify") == 0)
		return tool_uids(argc - 1, argv + 1, true);
	if (strcmp(argv[0], "watch") == 0)
		return tool_watch(argc - 1, argv + 1);
	if (strcmp(argv[0], "sync-bench") == 0)
		return tool_sync_bench(argc - 1, argv + 1);
	if (strcmp(argv[0], "big-save") == 0)
		return tool_big_save(argc - 1, argv + 1);
	return EX_USAGE;
}
