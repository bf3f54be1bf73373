#include "imap-fetch-section.h"
#include "imap-fetch.h"
#include "log.h"
#include "message-header.h"
#include "message-section.h"

#include <string.h>

/* Encoded bytes decoded per step: the memory a BINARY reader holds. */
#define IMAP_SECTION_DECODE_CHUNK (16 * 1024)

/* The kind of byte range message_section_get_range() gives for text. */
static enum message_section_kind imap_section_kind(enum imap_section_text text)
{
	switch (text) {
	case IMAP_SECTION_ALL:
		return MESSAGE_SECTION_ALL;
	case IMAP_SECTION_HEADER:
	case IMAP_SECTION_HEADER_FIELDS:
	case IMAP_SECTION_HEADER_FIELDS_NOT:
		return MESSAGE_SECTION_HEADER;
	case IMAP_SECTION_TEXT:
		return MESSAGE_SECTION_TEXT;
	case IMAP_SECTION_MIME:
		return MESSAGE_SECTION_MIME;
	}
	i_unreached();
}

/* BINARY[n]: a leaf's body is decoded, the rest is sent as it is. */
static int imap_section_set_binary(const struct message_part *part,
				   struct imap_section_content *content)
{
	if ((part->flags &
	     (MESSAGE_PART_FLAG_MULTIPART | MESSAGE_PART_FLAG_MESSAGE)) != 0)
		return 0;
	if (part->cte == MESSAGE_CTE_UNKNOWN)
		return -1;
	content->decode =
		part->cte == MESSAGE_CTE_QP || part->cte == MESSAGE_CTE_BASE64;
	content->cte = part->cte;
	return 0;
}

int imap_fetch_section_find(const struct imap_fetch_section *section,
			    const unsigned char *msg, size_t msg_size,
			    struct message_part *root,
			    enum message_section_flags flags, bool binary,
			    buffer_t *filtered,
			    struct imap_section_content *content_r)
{
	struct message_section_range range;

	memset(content_r, 0, sizeof(*content_r));
	if (message_section_get_range(root, section->part,
				      imap_section_kind(section->text), flags,
				      &range) < 0)
		return 0; /* no such section: the empty string */
	i_assert(range.offset + range.size <= msg_size);
	content_r->offset = range.offset;
	content_r->size = range.size;
	if (section->text == IMAP_SECTION_HEADER_FIELDS ||
	    section->text == IMAP_SECTION_HEADER_FIELDS_NOT) {
		(void)message_header_filter(
			msg + range.offset, range.size, section->fields,
			section->fields_count,
			section->text == IMAP_SECTION_HEADER_FIELDS_NOT,
			filtered);
		content_r->use_buffer = true;
		content_r->size = filtered->used;
	}
	if (binary && section->part[0] != '\0')
		return imap_section_set_binary(range.part, content_r);
	return 0;
}

/* ---- Reading ---- */

void imap_section_reader_init(struct imap_section_reader *reader,
			      const unsigned char *msg,
			      const struct imap_section_content *content,
			      const buffer_t *filtered, uint64_t offset,
			      uint64_t size, bool nul_to_0x80)
{
	memset(reader, 0, sizeof(*reader));
	reader->msg = msg;
	reader->content = content;
	reader->filtered = filtered;
	reader->left = size;
	reader->nul_to_0x80 = nul_to_0x80;
	if (content->decode) {
		reader->decoding = true;
		reader->skip = offset;
		buffer_init(&reader->pending, SIZE_MAX);
		if (message_decoder_init(&reader->decoder, content->cte) < 0)
			i_unreached(); /* checked by imap_fetch_section_find() */
	} else {
		reader->pos = offset;
	}
}

void imap_section_reader_deinit(struct imap_section_reader *reader)
{
	if (reader->decoding) {
		message_decoder_deinit(&reader->decoder);
		buffer_deinit(&reader->pending);
		reader->decoding = false;
	}
}

static void imap_section_append(struct imap_section_reader *reader,
				buffer_t *dest, const unsigned char *data,
				size_t size)
{
	unsigned char *out;

	if (size == 0)
		return;
	if (!reader->nul_to_0x80 || memchr(data, '\0', size) == NULL) {
		buffer_append(dest, data, size);
		return;
	}
	out = buffer_append_space(dest, size);
	if (out == NULL)
		return;
	for (size_t i = 0; i < size; i++)
		out[i] = data[i] == '\0' ? 0x80 : data[i];
}

/* The source bytes of a section that is not decoded. */
static const unsigned char *
imap_section_source(const struct imap_section_reader *reader)
{
	if (reader->content->use_buffer)
		return reader->filtered->data;
	return reader->msg + reader->content->offset;
}

static void imap_section_read_plain(struct imap_section_reader *reader,
				    buffer_t *dest, size_t max)
{
	uint64_t avail = reader->content->size > reader->pos
				 ? reader->content->size - reader->pos
				 : 0;
	size_t n = (size_t)MIN(MIN(avail, reader->left), (uint64_t)max);

	imap_section_append(reader, dest,
			    imap_section_source(reader) + reader->pos, n);
	reader->pos += n;
	reader->left = n == 0 ? 0 : reader->left - n;
}

/* Decodes the next chunk of the encoded range into pending, dropping what
   is still to be skipped. Returns false at the end of the data. */
static bool imap_section_decode_more(struct imap_section_reader *reader)
{
	const struct imap_section_content *content = reader->content;
	uint64_t avail = content->size - reader->pos;
	size_t n = (size_t)MIN(avail, (uint64_t)IMAP_SECTION_DECODE_CHUNK);
	size_t drop;

	buffer_clear(&reader->pending);
	reader->pending_pos = 0;
	if (n == 0)
		return false;
	message_decoder_more(&reader->decoder,
			     reader->msg + content->offset + reader->pos, n,
			     &reader->pending);
	reader->pos += n;
	if (reader->pos == content->size)
		message_decoder_finish(&reader->decoder, &reader->pending);
	drop = (size_t)MIN((uint64_t)reader->pending.used, reader->skip);
	reader->pending_pos = drop;
	reader->skip -= drop;
	return true;
}

static void imap_section_read_decoded(struct imap_section_reader *reader,
				      buffer_t *dest, size_t max)
{
	while (max > 0 && reader->left > 0) {
		size_t have = reader->pending.used - reader->pending_pos;
		size_t n;

		if (have == 0) {
			if (!imap_section_decode_more(reader)) {
				reader->left = 0;
				break;
			}
			continue;
		}
		n = (size_t)MIN(MIN((uint64_t)have, reader->left),
				(uint64_t)max);
		imap_section_append(reader, dest,
				    reader->pending.data + reader->pending_pos,
				    n);
		reader->pending_pos += n;
		reader->left -= n;
		max -= n;
	}
}

bool imap_section_reader_read(struct imap_section_reader *reader,
			      buffer_t *dest, size_t max)
{
	if (reader->decoding)
		imap_section_read_decoded(reader, dest, max);
	else
		imap_section_read_plain(reader, dest, max);
	return reader->left == 0;
}

/* The decoded size of the whole range, in one counting pass. */
static uint64_t
imap_section_decoded_size(const unsigned char *msg,
			  const struct imap_section_content *content)
{
	struct message_decoder decoder;
	uint64_t size;

	if (message_decoder_init(&decoder, content->cte) < 0)
		i_unreached(); /* checked by imap_fetch_section_find() */
	message_decoder_more(&decoder, msg + content->offset, content->size,
			     NULL);
	message_decoder_finish(&decoder, NULL);
	size = decoder.size;
	message_decoder_deinit(&decoder);
	return size;
}

void imap_section_measure(const unsigned char *msg,
			  const struct imap_section_content *content,
			  const buffer_t *filtered, uint64_t offset,
			  uint64_t max_size, uint64_t *size_r, bool *literal8_r)
{
	const unsigned char *data;
	uint64_t size;

	if (content->decode) {
		size = imap_section_decoded_size(msg, content);
		size = offset >= size ? 0 : size - offset;
		*size_r = MIN(size, max_size);
		*literal8_r = true;
		return;
	}
	size = offset >= content->size ? 0 : content->size - offset;
	size = MIN(size, max_size);
	data = content->use_buffer ? filtered->data : msg + content->offset;
	*size_r = size;
	*literal8_r = size > 0 && memchr(data + offset, '\0', size) != NULL;
}
