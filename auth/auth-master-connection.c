#include "auth.h"
#include "auth-db.h"
#include "auth-protocol.h"
#include "auth-server.h"
#include "auth-username.h"
#include "array.h"
#include "conn.h"
#include "log.h"
#include "pool.h"
#include "strfuncs.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The userdb socket, in the shape of Dovecot's auth-master protocol:

     S: VERSION 1 0 / SPID <pid>
     C: VERSION 1 0
     C: USER <id> <name> service=lmtp [...]
     S: USER <id> <name> home=... uid=... gid=... mail=... quota_rule=...
      | NOTFOUND <id> | FAIL <id> reason=...
     C: LIST <id> [user=<prefix>*]
     S: LIST <id> <name> (one per user) ... DONE <id> [fail]

   Lookups run on the thread pool; replies may come out of order, which
   the ids sort out. */

struct auth_master_connection {
	struct auth_server *server;
	struct auth_server_conn link;
	struct conn *conn;
	bool version_received;
};

struct auth_master_job {
	uv_work_t work;
	struct auth_master_connection *master;
	struct conn *conn;
	struct pool *pool;
	struct auth *auth;
	unsigned int id;
	bool list;
	const char *name;
	const char *prefix;
	string_t *reply;
};

static struct auth_db *auth_master_userdb(struct auth *auth)
{
	return auth->userdb != NULL ? auth->userdb : auth->passdb;
}

static void auth_master_append_field(string_t *str, const char *key,
				     const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	str_printfa(str, "\t%s=", key);
	auth_str_append_tabescaped(str, value);
}

static void auth_master_append_user(string_t *str, unsigned int id,
				    const struct auth_user *user)
{
	str_printfa(str, "USER\t%u\t", id);
	auth_str_append_tabescaped(str, user->name);
	auth_master_append_field(str, "home", user->home);
	auth_master_append_field(str, "uid", user->uid);
	auth_master_append_field(str, "gid", user->gid);
	auth_master_append_field(str, "mail", user->mail);
	auth_master_append_field(str, "quota_rule", user->quota);
	for (const char *const *p = user->extra; p != NULL && *p != NULL; p++) {
		if (str_begins(*p, "mail=") || str_begins(*p, "quota_rule=") ||
		    strcmp(*p, "disabled") == 0)
			continue;
		str_append_c(str, '\t');
		auth_str_append_tabescaped(str, *p);
	}
	str_append_c(str, '\n');
}

static void auth_master_user_work(struct auth_master_job *job)
{
	struct auth_user user;
	const char *error;
	int ret;

	ret = auth_db_lookup(auth_master_userdb(job->auth), job->pool,
			     job->name, &user, &error);
	if (ret < 0) {
		log_error("auth-userdb: lookup of %s failed: %s", job->name,
			  error);
		str_printfa(job->reply, "FAIL\t%u\treason=Internal error\n",
			    job->id);
	} else if (ret == 0 || user.disabled) {
		str_printfa(job->reply, "NOTFOUND\t%u\n", job->id);
	} else {
		auth_master_append_user(job->reply, job->id, &user);
	}
}

static void auth_master_list_cb(const struct auth_user *user, void *context)
{
	struct auth_master_job *job = context;

	if (job->prefix != NULL && !str_begins(user->name, job->prefix))
		return;
	str_printfa(job->reply, "LIST\t%u\t", job->id);
	auth_str_append_tabescaped(job->reply, user->name);
	str_append_c(job->reply, '\n');
}

static void auth_master_list_work(struct auth_master_job *job)
{
	const char *error;

	if (auth_db_iterate(auth_master_userdb(job->auth), job->pool,
			    auth_master_list_cb, job, &error) < 0) {
		log_error("auth-userdb: LIST failed: %s", error);
		str_printfa(job->reply, "DONE\t%u\tfail\n", job->id);
		return;
	}
	str_printfa(job->reply, "DONE\t%u\n", job->id);
}

static void auth_master_work_cb(uv_work_t *work)
{
	struct auth_master_job *job =
		CONTAINER_OF(work, struct auth_master_job, work);

	if (job->list)
		auth_master_list_work(job);
	else
		auth_master_user_work(job);
}

static void auth_master_after_work_cb(uv_work_t *work, int status)
{
	struct auth_master_job *job =
		CONTAINER_OF(work, struct auth_master_job, work);

	job->auth->n_work--;
	if (status == 0 && !conn_is_closing(job->conn))
		conn_write(job->conn, str_c(job->reply), str_len(job->reply));
	conn_unref(&job->conn);
	str_free(&job->reply);
	pool_destroy(&job->pool);
}

static void auth_master_queue(struct auth_master_connection *master,
			      struct auth_master_job *job)
{
	struct auth *auth = master->server->auth;

	job->auth = auth;
	job->conn = master->conn;
	job->reply = str_new(256, SIZE_MAX);
	conn_ref(job->conn);
	auth->n_work++;
	if (uv_queue_work(auth->loop, &job->work, auth_master_work_cb,
			  auth_master_after_work_cb) != 0)
		panic("uv_queue_work() failed");
}

static struct auth_master_job *auth_master_job_new(unsigned int id)
{
	struct pool *pool = pool_create("auth master job", 1024);
	struct auth_master_job *job = p_new(pool, struct auth_master_job, 1);

	job->pool = pool;
	job->id = id;
	return job;
}

static int auth_master_cmd_user(struct auth_master_connection *master,
				char **args)
{
	const struct auth_settings *set = master->server->auth->set;
	struct auth_master_job *job;
	const char *error;
	unsigned int id;

	if (args[0] == NULL || args[1] == NULL ||
	    str_to_uint(args[0], &id) < 0) {
		log_error("auth-userdb: broken USER request");
		return -1;
	}
	job = auth_master_job_new(id);
	if (auth_username_normalize(job->pool, set->username_format,
				    set->default_domain, args[1], &job->name,
				    &error) < 0) {
		conn_printf(master->conn, "NOTFOUND\t%u\n", id);
		pool_destroy(&job->pool);
		return 0;
	}
	auth_master_queue(master, job);
	return 0;
}

static int auth_master_cmd_list(struct auth_master_connection *master,
				char **args)
{
	struct auth_master_job *job;
	const char *mask;
	unsigned int id;

	if (args[0] == NULL || str_to_uint(args[0], &id) < 0) {
		log_error("auth-userdb: broken LIST request");
		return -1;
	}
	job = auth_master_job_new(id);
	job->list = true;
	mask = auth_fields_find(args + 1, "user");
	if (mask != NULL && mask[0] != '\0' && strcmp(mask, "*") != 0) {
		size_t len = strcspn(mask, "*?");

		job->prefix = pool_strndup(job->pool, mask, len);
	}
	auth_master_queue(master, job);
	return 0;
}

static int auth_master_handle_line(struct auth_master_connection *master,
				   const char *line)
{
	struct pool *pool = pool_create("auth master line", 1024);
	char **args = auth_split_line(pool, line);
	unsigned int major;
	int ret = -1;

	if (!master->version_received) {
		if (strcmp(args[0], "VERSION") == 0 && args[1] != NULL &&
		    str_to_uint(args[1], &major) == 0 &&
		    major == AUTH_MASTER_PROTOCOL_MAJOR) {
			master->version_received = true;
			ret = 0;
		} else {
			log_error("auth-userdb: client not compatible "
				  "(no VERSION 1)");
		}
	} else if (strcmp(args[0], "USER") == 0) {
		ret = auth_master_cmd_user(master, args + 1);
	} else if (strcmp(args[0], "LIST") == 0) {
		ret = auth_master_cmd_list(master, args + 1);
	} else {
		char safe[64];

		log_error("auth-userdb: unknown command %s",
			  log_sanitize(safe, sizeof(safe), args[0],
				       strlen(args[0])));
	}
	pool_destroy(&pool);
	return ret;
}

static void auth_master_input(struct conn *conn)
{
	struct auth_master_connection *master = conn_get_context(conn);
	enum conn_read_result ret;
	const char *line;
	size_t len;

	while ((ret = conn_read_line(conn, &line, &len)) != CONN_READ_MORE) {
		if (ret == CONN_READ_TOO_LONG || strlen(line) != len ||
		    auth_master_handle_line(master, line) < 0) {
			conn_close(conn, "protocol error");
			return;
		}
	}
}

static void auth_master_disconnected(struct conn *conn, const char *reason)
{
}

static void auth_master_destroy(struct conn *conn)
{
	struct auth_master_connection *master = conn_get_context(conn);

	auth_server_conn_unlink(master->server, &master->link);
	free(master);
}

static const struct conn_callbacks auth_master_callbacks = {
	.input = auth_master_input,
	.disconnected = auth_master_disconnected,
	.destroy = auth_master_destroy,
};

void auth_master_connection_accept(struct conn *conn, void *context)
{
	struct auth_server *server = context;
	struct auth_master_connection *master =
		xnew(struct auth_master_connection, 1);

	master->server = server;
	master->conn = conn;
	auth_server_conn_link(server, &master->link, conn);
	conn_set_context(conn, master);
	conn_set_callbacks(conn, &auth_master_callbacks);
	conn_set_settings(conn, &auth_master_conn_settings);
	conn_printf(conn, "VERSION\t%u\t%u\nSPID\t%ld\n",
		    AUTH_MASTER_PROTOCOL_MAJOR, AUTH_MASTER_PROTOCOL_MINOR,
		    (long)getpid());
}
