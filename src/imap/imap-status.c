#include "imap-status.h"
#include "imap-client.h"
#include "imap-mailbox-name.h"
#include "strfuncs.h"

static const struct {
	const char *name;
	enum mailbox_status_items item;
} imap_status_items[] = {
	{ "MESSAGES", STATUS_MESSAGES },
	{ "RECENT", STATUS_RECENT },
	{ "UIDNEXT", STATUS_UIDNEXT },
	{ "UIDVALIDITY", STATUS_UIDVALIDITY },
	{ "UNSEEN", STATUS_UNSEEN },
	{ "DELETED", STATUS_DELETED },
	{ "SIZE", STATUS_SIZE },
	{ "HIGHESTMODSEQ", STATUS_HIGHESTMODSEQ },
	{ "MAILBOXID", STATUS_MAILBOXID },
};

int imap_status_parse_items(const struct imap_arg *list,
			    enum mailbox_status_items *items_r)
{
	const char *name;
	size_t j;

	*items_r = 0;
	for (unsigned int i = 0; !IMAP_ARG_IS_EOL(&list[i]); i++) {
		if (!imap_arg_get_atom(&list[i], &name))
			return -1;
		for (j = 0; j < N_ELEMENTS(imap_status_items); j++) {
			if (str_eq_icase(name, imap_status_items[j].name))
				break;
		}
		if (j == N_ELEMENTS(imap_status_items))
			return -1;
		*items_r |= imap_status_items[j].item;
	}
	return *items_r == 0 ? -1 : 0;
}

static void imap_status_append_item(string_t *dest,
				    enum mailbox_status_items item,
				    const struct mailbox_status *status)
{
	switch (item) {
	case STATUS_MESSAGES:
		str_printfa(dest, "%u", status->messages);
		break;
	case STATUS_RECENT:
		str_printfa(dest, "%u", status->recent);
		break;
	case STATUS_UIDNEXT:
		str_printfa(dest, "%u", status->uidnext);
		break;
	case STATUS_UIDVALIDITY:
		str_printfa(dest, "%u", status->uidvalidity);
		break;
	case STATUS_UNSEEN:
		str_printfa(dest, "%u", status->unseen);
		break;
	case STATUS_DELETED:
		str_printfa(dest, "%u", status->deleted);
		break;
	case STATUS_SIZE:
		str_printfa(dest, "%llu", (unsigned long long)status->size);
		break;
	case STATUS_HIGHESTMODSEQ:
		str_printfa(dest, "%llu",
			    (unsigned long long)status->highest_modseq);
		break;
	case STATUS_MAILBOXID:
		str_printfa(dest, "(%s)", status->mailbox_id);
		break;
	default:
		i_unreached();
	}
}

void imap_status_append(struct imap_client *client, string_t *dest,
			const char *name, enum mailbox_status_items items,
			const struct mailbox_status *status)
{
	bool first = true;

	str_append(dest, "* STATUS ");
	imap_mailbox_name_write(client, dest, name);
	str_append(dest, " (");
	for (size_t i = 0; i < N_ELEMENTS(imap_status_items); i++) {
		if ((items & imap_status_items[i].item) == 0)
			continue;
		str_printfa(dest, "%s%s ", first ? "" : " ",
			    imap_status_items[i].name);
		imap_status_append_item(dest, imap_status_items[i].item,
					status);
		first = false;
	}
	str_append(dest, ")\r\n");
}
