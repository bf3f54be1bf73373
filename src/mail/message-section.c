#include "message-section.h"

#include <string.h>

/* The parts numbered 1..n below part, or NULL when it has none. */
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

struct message_part *message_section_find(struct message_part *root,
					  const char *section,
					  enum message_section_flags flags)
{
	struct message_part *part = NULL;
	struct message_part *list = (root->flags & MESSAGE_PART_FLAG_MULTIPART)
					    ? root->children
					    : root;
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

static void section_range(const struct message_part *part, uint64_t offset,
			  uint64_t size, struct message_section_range *range_r)
{
	range_r->part = part;
	range_r->offset = offset;
	range_r->size = size;
}

int message_section_get_range(struct message_part *root, const char *section,
			      enum message_section_kind kind,
			      enum message_section_flags flags,
			      struct message_section_range *range_r)
{
	const struct message_part *part = root;

	if (section != NULL && *section != '\0') {
		part = message_section_find(root, section, flags);
		if (part == NULL)
			return -1;
		if (kind == MESSAGE_SECTION_ALL) {
			section_range(part, message_part_body_pos(part),
				      part->body_size, range_r);
			return 0;
		}
		if (kind == MESSAGE_SECTION_MIME) {
			section_range(part, part->physical_pos,
				      part->header_size, range_r);
			return 0;
		}
		if (!message_part_is_message(part, flags))
			return -1;
		part = part->children;
	} else if (kind == MESSAGE_SECTION_MIME) {
		return -1;
	} else if (kind == MESSAGE_SECTION_ALL) {
		section_range(part, 0, message_part_end_pos(part), range_r);
		return 0;
	}
	if (kind == MESSAGE_SECTION_HEADER)
		section_range(part, part->physical_pos, part->header_size,
			      range_r);
	else
		section_range(part, message_part_body_pos(part),
			      part->body_size, range_r);
	return 0;
}
