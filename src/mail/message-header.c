#include "message-header.h"
#include "pool.h"

#include <string.h>
#include <strings.h>

static bool is_wsp(unsigned char chr)
{
	return chr == ' ' || chr == '\t';
}

void message_header_iter_init(struct message_header_iter *iter,
			      const void *data, size_t size)
{
	memset(iter, 0, sizeof(*iter));
	iter->data = data;
	iter->size = size;
}

/* Offset just past the line starting at pos (past its LF, or the end). */
static size_t header_line_next(const struct message_header_iter *iter,
			       size_t pos)
{
	const unsigned char *lf =
		memchr(iter->data + pos, '\n', iter->size - pos);

	return lf == NULL ? iter->size : (size_t)(lf - iter->data) + 1;
}

static bool header_is_blank_line(const struct message_header_iter *iter,
				 size_t pos)
{
	const unsigned char *p = iter->data + pos;
	size_t left = iter->size - pos;

	return (left >= 1 && p[0] == '\n') ||
	       (left >= 2 && p[0] == '\r' && p[1] == '\n') ||
	       (left == 1 && p[0] == '\r');
}

static int header_iter_finish(struct message_header_iter *iter, size_t pos,
			      bool blank_line)
{
	iter->finished = true;
	iter->has_blank_line = blank_line;
	iter->header_size = blank_line ? header_line_next(iter, pos) : pos;
	iter->pos = iter->header_size;
	return 0;
}

/* Length of the line [start, next) without its line end. */
static size_t header_line_len(const unsigned char *data, size_t start,
			      size_t next)
{
	size_t end = next;

	if (end > start && data[end - 1] == '\n') {
		end--;
		if (end > start && data[end - 1] == '\r')
			end--;
	}
	return end - start;
}

static void header_split_name(const unsigned char *line, size_t line_len,
			      struct message_header_field *field)
{
	const unsigned char *colon = memchr(line, ':', line_len);
	size_t name_len;

	if (colon == NULL) {
		/* no colon: the whole line is the name, with no value */
		field->no_colon = true;
		field->name = line;
		field->name_len = line_len;
		field->value = line + line_len;
		return;
	}
	name_len = (size_t)(colon - line);
	while (name_len > 0 && is_wsp(line[name_len - 1]))
		name_len--;
	field->name = line;
	field->name_len = name_len;
	field->value = colon + 1;
	while (field->value < line + line_len && is_wsp(*field->value))
		field->value++;
}

int message_header_iter_next(struct message_header_iter *iter,
			     struct message_header_field *field_r)
{
	size_t start = iter->pos, first_next, next, value_end;

	if (iter->finished)
		return 0;
	if (start >= iter->size)
		return header_iter_finish(iter, iter->size, false);
	if (header_is_blank_line(iter, start))
		return header_iter_finish(iter, start, true);

	memset(field_r, 0, sizeof(*field_r));
	first_next = next = header_line_next(iter, start);
	while (next < iter->size && is_wsp(iter->data[next]))
		next = header_line_next(iter, next);

	header_split_name(iter->data + start,
			  header_line_len(iter->data, start, first_next),
			  field_r);
	value_end = start + header_line_len(iter->data, start, next);
	if (field_r->no_colon && first_next != next) {
		/* continuation lines of a line without a colon: keep them
		   as the value so that nothing is lost */
		field_r->value = iter->data + first_next;
	}
	field_r->value_len = iter->data + value_end - field_r->value;
	field_r->offset = start;
	field_r->size = next - start;
	field_r->no_eol = next == iter->size && iter->data[next - 1] != '\n';
	iter->pos = next;
	return 1;
}

bool message_header_field_is(const struct message_header_field *field,
			     const char *name)
{
	size_t len = strlen(name);

	return field->name_len == len && !field->no_colon &&
	       strncasecmp((const char *)field->name, name, len) == 0;
}

char *message_header_unfold(struct pool *pool, const unsigned char *value,
			    size_t value_len, size_t *len_r)
{
	char *dest = pool_alloc(pool, value_len + 1);
	size_t len = 0, start;

	for (size_t i = 0; i < value_len; i++) {
		if (value[i] == '\n')
			continue;
		if (value[i] == '\r' && i + 1 < value_len &&
		    value[i + 1] == '\n')
			continue;
		dest[len++] = (char)value[i];
	}
	while (len > 0 &&
	       (is_wsp((unsigned char)dest[len - 1]) || dest[len - 1] == '\r'))
		len--;
	for (start = 0; start < len && is_wsp((unsigned char)dest[start]);)
		start++;
	if (start > 0)
		memmove(dest, dest + start, len - start);
	len -= start;
	dest[len] = '\0';
	if (len_r != NULL)
		*len_r = len;
	return dest;
}

void message_header_replace_nuls(char *str, size_t len)
{
	char *p;

	while ((p = memchr(str, '\0', len)) != NULL)
		*p = (char)0x80;
}

char *message_header_unfold_str(struct pool *pool, const unsigned char *value,
				size_t value_len)
{
	size_t len;
	char *str = message_header_unfold(pool, value, value_len, &len);

	message_header_replace_nuls(str, len);
	return str;
}

int message_header_find(const void *data, size_t size, const char *name,
			struct message_header_field *field_r)
{
	struct message_header_iter iter;

	message_header_iter_init(&iter, data, size);
	while (message_header_iter_next(&iter, field_r) > 0) {
		if (message_header_field_is(field_r, name))
			return 1;
	}
	return 0;
}

static bool header_name_listed(const struct message_header_field *field,
			       const char *const *names,
			       unsigned int names_count)
{
	for (unsigned int i = 0; i < names_count; i++) {
		if (message_header_field_is(field, names[i]))
			return true;
	}
	return false;
}

int message_header_filter(const void *data, size_t size,
			  const char *const *names, unsigned int names_count,
			  bool exclude, buffer_t *dest)
{
	struct message_header_iter iter;
	struct message_header_field field;
	const unsigned char *block = data;

	message_header_iter_init(&iter, data, size);
	while (message_header_iter_next(&iter, &field) > 0) {
		if (header_name_listed(&field, names, names_count) == exclude)
			continue;
		buffer_append(dest, block + field.offset, field.size);
		if (field.no_eol)
			buffer_append(dest, "\r\n", 2);
	}
	if (iter.has_blank_line)
		buffer_append(dest, "\r\n", 2);
	return dest->overflow ? -1 : 0;
}
