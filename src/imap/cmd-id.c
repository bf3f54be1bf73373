#include "imap-client.h"
#include "imap-commands.h"
#include "str.h"

/* RFC 2971: at most 30 field/value pairs, fields up to 30 bytes, values up
   to 1024. */
#define IMAP_ID_MAX_PAIRS 30
#define IMAP_ID_LOG_MAX 256

static bool imap_id_parse(const struct imap_arg *args, string_t *log)
{
	const struct imap_arg *list;
	unsigned int count;
	const char *key, *value;

	if (args[0].type == IMAP_ARG_NIL)
		return IMAP_ARG_IS_EOL(&args[1]);
	if (!imap_arg_get_list(&args[0], &list, &count) || count % 2 != 0 ||
	    count / 2 > IMAP_ID_MAX_PAIRS || !IMAP_ARG_IS_EOL(&args[1]))
		return false;
	for (unsigned int i = 0; i < count; i += 2) {
		if (!imap_arg_get_string(&list[i], &key) ||
		    !imap_arg_get_nstring(&list[i + 1], &value))
			return false;
		str_printfa(log, "%s%s=%s", i > 0 ? " " : "", key,
			    value == NULL ? "NIL" : value);
	}
	return true;
}

void imap_cmd_id(struct imap_command *cmd)
{
	string_t *log = str_new(128, 4096);
	char safe[IMAP_ID_LOG_MAX];

	if (!imap_id_parse(cmd->args, log)) {
		str_free(&log);
		imap_command_bad(cmd, "Invalid ID arguments.");
		return;
	}
	if (str_len(log) > 0) {
		log_msg(LOG_LEVEL_INFO, &cmd->client->log, "ID: %s",
			log_sanitize(safe, sizeof(safe), log->data,
				     str_len(log)));
	}
	str_free(&log);
	imap_client_send_line(cmd->client,
			      "* ID (\"name\" \"Postern\" \"vendor\" "
			      "\"Postern\" \"support-url\" NIL)");
	imap_command_ok(cmd, "ID completed.");
}
