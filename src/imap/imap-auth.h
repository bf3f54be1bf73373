#ifndef POSTERN_IMAP_AUTH_H
#define POSTERN_IMAP_AUTH_H

/* Logging in: LOGIN and AUTHENTICATE run a SASL exchange with the auth
   process through auth-client.h, look the user up in the userdb
   (auth-master-client.h: home, mail location), open the user's storage
   and move the session to the authenticated state. One auth client and
   one userdb client per worker, connected on first use. */

#include "str.h"

#include <stdbool.h>

struct imap_client;
struct imap_command;

/* Plaintext passwords are acceptable on this connection (RFC 9051
   §6.2.3: else LOGINDISABLED and no plaintext AUTH= mechanisms). */
bool imap_auth_plaintext_allowed(struct imap_client *client);
/* Appends " AUTH=<mech>" for each mechanism usable on this connection. */
void imap_auth_append_capability(struct imap_client *client, string_t *dest);

/* Runs the SASL exchange for cmd (LOGIN: mech PLAIN with the credentials
   as initial response; AUTHENTICATE: the client's mechanism, relaying
   challenges as "+ <base64>"). initial_resp is base64 or NULL. Ends the
   command: OK [CAPABILITY ...] once logged in, NO [AUTHENTICATIONFAILED],
   [UNAVAILABLE] or [AUTHORIZATIONFAILED] otherwise, BAD if the client
   cancels with "*". */
void imap_auth_begin(struct imap_command *cmd, const char *mech,
		     const char *initial_resp);

/* Frees the worker's auth clients (service deinit). */
/* Connects to the auth process at once, so that the first greetings can
   already list its mechanisms. */
void imap_auth_init(void);
void imap_auth_deinit(void);

#endif
