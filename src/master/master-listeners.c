#include "master.h"
#include "auth.h"
#include "listener.h"
#include "log.h"
#include "pool.h"
#include "str.h"

static int master_bind_list(struct master *master, const char *kind,
			    const char *value, bool implicit_tls,
			    bool allow_unix, const char **error_r)
{
	struct pool *pool = master->config->pool;
	struct listen_addr *addrs;
	int n = listen_addrs_parse(pool, value, allow_unix, implicit_tls,
				   &addrs, error_r);

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct master_listener *l = array_push_new(&master->listeners);

		l->kind = kind;
		l->name = listen_addr_name(pool, &addrs[i]);
		l->implicit_tls = implicit_tls;
		l->is_unix = addrs[i].unix_path != NULL;
		l->role = MASTER_ROLE_WORKER;
		/* LMTP's unix socket is for the local MTA: 0660 would need
		   a shared group; Postfix runs as its own user. */
		l->fd = listen_addr_bind(&addrs[i], 0666, error_r);
		if (l->fd < 0)
			return -1;
		log_info("Listening for %s%s on %s", kind,
			 implicit_tls ? " (TLS)" : "", l->name);
	}
	return 0;
}

/* The auth sockets are 0666 like Dovecot's: Postfix and Exim (their own
   users) and the workers connect; access is limited by the directory. */
static int master_bind_auth(struct master *master, const char *kind,
			    const char *path, const char **error_r)
{
	struct pool *pool = master->config->pool;
	struct listen_addr addr = {
		.unix_path = (char *)auth_path(
			pool, master->config->master.data_dir, path),
	};
	struct master_listener *l = array_push_new(&master->listeners);

	l->kind = kind;
	l->name = listen_addr_name(pool, &addr);
	l->is_unix = true;
	l->role = MASTER_ROLE_AUTH;
	l->fd = listen_addr_bind(&addr, 0666, error_r);
	if (l->fd < 0)
		return -1;
	log_info("Listening for %s on %s", kind, l->name);
	return 0;
}

int master_listeners_bind(struct master *master, const char **error_r)
{
	const struct auth_settings *auth_set = &master->config->auth;

	if (master_bind_auth(master, "auth-client", auth_set->client_socket,
			     error_r) < 0 ||
	    master_bind_auth(master, "auth-userdb", auth_set->userdb_socket,
			     error_r) < 0)
		return -1;
	const struct postern_config *config = master->config;

	if (master_bind_list(master, "imap", config->imap.listen, false, false,
			     error_r) < 0 ||
	    master_bind_list(master, "imap", config->imap.listen_tls, true,
			     false, error_r) < 0 ||
	    master_bind_list(master, "pop3", config->pop3.listen, false, false,
			     error_r) < 0 ||
	    master_bind_list(master, "pop3", config->pop3.listen_tls, true,
			     false, error_r) < 0 ||
	    master_bind_list(master, "lmtp", config->lmtp.listen, false, true,
			     error_r) < 0)
		return -1;
	return 0;
}

const char *master_listeners_spec(struct master *master, enum master_role role)
{
	string_t *spec = str_new(128, SIZE_MAX);
	const char *result;

	for (size_t i = 0; i < master->listeners.count; i++) {
		const struct master_listener *l = &master->listeners.v[i];

		if (l->role != role)
			continue;
		str_printfa(spec, "%s%s:%c", str_len(spec) > 0 ? "," : "",
			    l->kind,
			    l->is_unix        ? 'u'
			    : l->implicit_tls ? 's'
					      : 't');
	}
	result = pool_strdup(master->config->pool, str_c(spec));
	str_free(&spec);
	return result;
}
