#ifndef POSTERN_SERVICE_H
#define POSTERN_SERVICE_H

/* What a worker process hands each protocol front end: the loop, the TLS
   context for STARTTLS and implicit TLS, and the process-wide settings the
   protocols share. Each protocol exports, in its own header:
     void <proto>_service_init(const struct service_env *env, settings);
     listener_accept_callback_t <proto>_client_accept;
     void <proto>_service_shutdown(void);   graceful stop: say goodbye
     unsigned int <proto>_client_count(void);
     void <proto>_service_deinit(void); */

#include <stdbool.h>
#include <uv.h>

struct tls_context;
struct storage_settings;

struct service_env {
	uv_loop_t *loop;
	struct tls_context *tls; /* NULL when TLS isn't configured */
	const char *hostname;    /* for greetings */
	const char *data_dir;
	/* The auth service's sockets (Dovecot auth-client and userdb). */
	const char *auth_client_socket;
	const char *auth_userdb_socket;
	/* [auth] allow_plaintext: plaintext logins also on connections that
	   aren't secured (see conn_is_secured()). */
	bool allow_plaintext;
	/* The [storage] section, for mail_user_open(). */
	const struct storage_settings *storage_set;
};

#endif
