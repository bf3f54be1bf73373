#include "imap-auth.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "strfuncs.h"

#include <string.h>

/* RFC 9051 §6.2.2 with SASL-IR (RFC 4959): "=" is an empty initial
   response. */
void imap_cmd_authenticate(struct imap_command *cmd)
{
	const char *mech, *initial = NULL;

	if (!imap_arg_get_atom(&cmd->args[0], &mech) ||
	    (!IMAP_ARG_IS_EOL(&cmd->args[1]) &&
	     (!imap_arg_get_atom(&cmd->args[1], &initial) ||
	      !IMAP_ARG_IS_EOL(&cmd->args[2])))) {
		imap_command_bad(cmd, "Invalid AUTHENTICATE arguments.");
		return;
	}
	if (initial != NULL && strcmp(initial, "=") == 0)
		initial = "";
	if (!imap_auth_plaintext_allowed(cmd->client) &&
	    (str_eq_icase(mech, "PLAIN") || str_eq_icase(mech, "LOGIN"))) {
		imap_command_no(cmd, "[PRIVACYREQUIRED] Plaintext "
				     "authentication disallowed on "
				     "non-secure connections.");
		return;
	}
	imap_auth_begin(cmd, str_ucase((char *)mech), initial);
}
