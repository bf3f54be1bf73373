#include "imap-auth.h"
#include "imap-client.h"
#include "imap-commands.h"
#include "imap-settings.h"
#include "str.h"

#include <string.h>

/* Extensions advertised after login, each only when the command that
   implements it is in the table (the FETCH/SEARCH/STORE branch adds
   its own). */
static const struct {
	const char *name;
	const char *command; /* NULL: always */
} imap_capabilities[] = {
	{ "NAMESPACE", "NAMESPACE" },
	{ "UIDPLUS", "EXPUNGE" },
	{ "UNSELECT", "UNSELECT" },
	{ "CHILDREN", "LIST" },
	{ "MOVE", "MOVE" },
	{ "SPECIAL-USE", "LIST" },
	{ "CREATE-SPECIAL-USE", "CREATE" },
	{ "LIST-EXTENDED", "LIST" },
	{ "LIST-STATUS", "LIST" },
	{ "STATUS=SIZE", "STATUS" },
	{ "ESEARCH", "SEARCH" },
	{ "SEARCHRES", "SEARCH" },
	{ "CONDSTORE", "SELECT" },
	{ "QRESYNC", "SELECT" },
	{ "BINARY", "FETCH" },
	{ "MULTIAPPEND", "APPEND" },
	{ "I18NLEVEL=1", "SEARCH" },
	{ "SAVEDATE", "FETCH" },
	{ "OBJECTID", "STATUS" },
	{ "UTF8=ACCEPT", NULL },
};

static void imap_capability_append_extensions(string_t *dest)
{
	for (size_t i = 0; i < N_ELEMENTS(imap_capabilities); i++) {
		if (imap_capabilities[i].command == NULL ||
		    imap_command_find(imap_capabilities[i].command) != NULL)
			str_printfa(dest, " %s", imap_capabilities[i].name);
	}
}

const char *imap_client_capability(struct imap_client *client)
{
	static string_t *capability;

	if (capability == NULL)
		capability = str_new(512, 4096);
	str_truncate(capability, 0);
	str_append(capability, "IMAP4rev1 IMAP4rev2 SASL-IR LOGIN-REFERRALS "
			       "ID ENABLE IDLE");
	str_append(capability,
		   imap_set->literal_minus ? " LITERAL-" : " LITERAL+");
	if (client->state != IMAP_CLIENT_STATE_NOT_AUTH) {
		imap_capability_append_extensions(capability);
		return str_c(capability);
	}
	if (imap_env->tls != NULL && !conn_is_tls(client->conn))
		str_append(capability, " STARTTLS");
	if (!imap_auth_plaintext_allowed(client))
		str_append(capability, " LOGINDISABLED");
	imap_auth_append_capability(client, capability);
	return str_c(capability);
}
