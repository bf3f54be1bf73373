#include "message-part.h"

#include <string.h>

bool message_part_is_message(const struct message_part *part,
			     enum message_section_flags flags)
{
	if ((part->flags & MESSAGE_PART_FLAG_MESSAGE) == 0)
		return false;
	return (part->flags & MESSAGE_PART_FLAG_MESSAGE_GLOBAL) == 0 ||
	       (flags & MESSAGE_SECTION_FLAG_IMAP4REV2) != 0;
}

struct message_part *message_part_next(struct message_part *part)
{
	if (part->children != NULL)
		return part->children;
	while (part != NULL && part->next == NULL)
		part = part->parent;
	return part == NULL ? NULL : part->next;
}

unsigned int message_part_count(const struct message_part *part)
{
	unsigned int count = 1;

	for (const struct message_part *child = part->children; child != NULL;
	     child = child->next)
		count += message_part_count(child);
	return count;
}
