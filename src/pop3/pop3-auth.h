#ifndef POSTERN_POP3_AUTH_H
#define POSTERN_POP3_AUTH_H

/* Logging in: USER/PASS (RFC 1939 §7) and AUTH (RFC 5034) through the auth
   process's auth-client socket (auth-client.h), with the auth process's
   answers turned into RFC 2449/3206 response codes ([AUTH], [SYS/TEMP]).
   A successful authentication goes on in pop3-login.c.

   Plaintext (USER/PASS and plaintext SASL mechanisms) is refused on a
   connection that isn't secured (TLS, loopback; conn_is_secured()) unless
   [auth] allow_plaintext is set; USER and those mechanisms aren't
   advertised then (DESIGN.md, RFC 2595 §2.3 spirit).

   APOP (RFC 1939 §7) is offered when the auth process offers its private
   "APOP" mechanism: the greeting then carries a timestamp of ours, unique
   per connection, and APOP hands the auth process that challenge, the name
   and the client's MD5 digest; the auth process checks the digest against
   the passdb's password, which works only where the passdb holds a
   plaintext-equivalent ({PLAIN}) secret. Other users get [AUTH]. The
   client never chooses the challenge, so a digest can't be replayed on
   another connection. */

#include "pop3-client.h"
#include "str.h"

struct service_env;

/* Creates the auth clients for the sockets in env (if configured) and
   starts connecting, so that the mechanisms are known for CAPA. */
void pop3_auth_init(const struct service_env *env);
void pop3_auth_deinit(void);

/* Sends the greeting once the auth process has said which mechanisms it
   offers (at most a few seconds after connecting), so that CAPA and AUTH
   are right from the first command. */
void pop3_auth_greet_when_ready(struct pop3_client *client);
/* The APOP timestamp for the greeting ("<pid.id.time@host>"), kept in the
   session, or NULL when the auth process doesn't offer APOP. */
const char *pop3_auth_apop_challenge(struct pop3_client *client);
/* Cancels what the session waits for from the auth process (a SASL
   exchange, a userdb lookup, the greeting). No callback comes after. */
void pop3_auth_abort(struct pop3_client *client);

/* May this session send a password in the clear? */
bool pop3_auth_plaintext_allowed(struct pop3_client *client);
/* Appends the SASL mechanisms usable on this session, each preceded by a
   space (CAPA's SASL line). */
void pop3_auth_append_mechs(struct pop3_client *client, string_t *dest);

/* A line from the client while an AUTH exchange waits for one: base64,
   or "*" to cancel (RFC 5034 §4); NULL for a line that was too long or
   had NULs. */
void pop3_auth_sasl_response(struct pop3_client *client, const char *line);

/* The AUTHORIZATION commands. */
void pop3_cmd_user(struct pop3_client *client, const char *args);
void pop3_cmd_pass(struct pop3_client *client, const char *args);
void pop3_cmd_auth(struct pop3_client *client, const char *args);
void pop3_cmd_apop(struct pop3_client *client, const char *args);

/* pop3-login.c: user has authenticated and the userdb gave home and
   mail_location (either may be NULL): open the maildrop on the thread
   pool and answer the login command. */
void pop3_login_open(struct pop3_client *client, const char *user,
		     const char *home, const char *mail_location);

#endif
