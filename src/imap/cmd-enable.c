#include "imap-client.h"
#include "imap-commands.h"
#include "str.h"
#include "strfuncs.h"

static const struct {
	const char *name;
	enum imap_client_enabled bits;
} imap_enable_caps[] = {
	{ "IMAP4rev2", IMAP_ENABLED_IMAP4REV2 },
	{ "UTF8=ACCEPT", IMAP_ENABLED_UTF8_ACCEPT },
	{ "CONDSTORE", IMAP_ENABLED_CONDSTORE },
	/* RFC 7162 §3.2.3: QRESYNC implies CONDSTORE */
	{ "QRESYNC", IMAP_ENABLED_QRESYNC | IMAP_ENABLED_CONDSTORE },
};

/* Enables name if known; appends it to enabled if that changed anything
   (RFC 5161 §3.1: ENABLED lists what this command newly enabled). */
static void imap_enable_one(struct imap_client *client, const char *name,
			    string_t *enabled)
{
	for (size_t i = 0; i < N_ELEMENTS(imap_enable_caps); i++) {
		if (!str_eq_icase(imap_enable_caps[i].name, name))
			continue;
		if ((client->enabled & imap_enable_caps[i].bits) ==
		    imap_enable_caps[i].bits)
			return;
		client->enabled |= imap_enable_caps[i].bits;
		str_printfa(enabled, " %s", imap_enable_caps[i].name);
		return;
	}
}

void imap_cmd_enable(struct imap_command *cmd)
{
	struct imap_client *client = cmd->client;
	string_t *enabled;
	const char *name;

	if (IMAP_ARG_IS_EOL(cmd->args)) {
		imap_command_bad(cmd, "ENABLE needs capability names.");
		return;
	}
	enabled = str_new(64, 1024);
	for (const struct imap_arg *arg = cmd->args; !IMAP_ARG_IS_EOL(arg);
	     arg++) {
		if (!imap_arg_get_atom(arg, &name)) {
			str_free(&enabled);
			imap_command_bad(cmd, "Invalid ENABLE arguments.");
			return;
		}
		imap_enable_one(client, name, enabled);
	}
	imap_client_send_line(client, "* ENABLED%s", str_c(enabled));
	str_free(&enabled);
	imap_command_ok(cmd, "Enabled.");
}
