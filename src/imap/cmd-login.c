#include "auth-base64.h"
#include "imap-auth.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "pool.h"
#include "str.h"

#include <string.h>

/* RFC 9051 §6.2.3 */
void imap_cmd_login(struct imap_command *cmd)
{
	const char *user, *pass;
	string_t *plain, *resp;
	const char *initial;

	if (!imap_arg_get_astring(&cmd->args[0], &user) ||
	    !imap_arg_get_astring(&cmd->args[1], &pass) ||
	    !IMAP_ARG_IS_EOL(&cmd->args[2])) {
		imap_command_bad(cmd, "Invalid LOGIN arguments.");
		return;
	}
	if (!imap_auth_plaintext_allowed(cmd->client)) {
		imap_command_no(cmd, "[PRIVACYREQUIRED] Plaintext "
				     "authentication disallowed on "
				     "non-secure connections.");
		return;
	}
	/* SASL PLAIN (RFC 4616): authzid NUL authcid NUL passwd */
	plain = str_new(256, 8192);
	str_append_c(plain, '\0');
	str_append(plain, user);
	str_append_c(plain, '\0');
	str_append(plain, pass);
	resp = str_new(512, SIZE_MAX);
	auth_base64_encode(resp, plain->data, plain->used);
	memset(plain->data, 0, plain->used);
	str_free(&plain);
	initial = pool_strdup(cmd->pool, str_c(resp));
	memset(resp->data, 0, resp->used);
	str_free(&resp);
	imap_auth_begin(cmd, "PLAIN", initial);
}
