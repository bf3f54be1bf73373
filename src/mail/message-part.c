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

/* The parts numbered 1..n below part (see message_part_find_section()),
   or NULL when part has no numbered subparts. */
static struct message_part *section_children(struct message_part *part,
					     enum message_section_flags flags)
{
	if ((part->flags & MESSAGE_PART_FLAG_MULTIPART) != 0)
		return part->children;
	if (message_part_is_message(part, flags)) {
		struct message_part *msg = part->children;

		if ((msg->flags & MESSAGE_PART_FLAG_MULTIPART) != 0)
			return msg->children;
		return msg;
	}
	return NULL;
}

/* Parses one number of a section: no sign, no leading zero, not zero. */
static const char *section_number(const char *p, unsigned int *num_r)
{
	unsigned int num = 0;

	if (*p < '1' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (num > 100000)
			return NULL;
		num = num * 10 + (unsigned int)(*p - '0');
	}
	*num_r = num;
	return p;
}

struct message_part *message_part_find_section(struct message_part *root,
					       const char *section,
					       enum message_section_flags flags)
{
	struct message_part *part = NULL;
	struct message_part *list =
	    (root->flags & MESSAGE_PART_FLAG_MULTIPART) ? root->children : root;
	const char *p = section;

	for (;;) {
		unsigned int num;

		p = section_number(p, &num);
		if (p == NULL || list == NULL)
			return NULL;
		for (part = list; part != NULL && num > 1; num--)
			part = part->next;
		if (part == NULL)
			return NULL;
		if (*p == '\0')
			return part;
		if (*p++ != '.')
			return NULL;
		list = section_children(part, flags);
	}
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
