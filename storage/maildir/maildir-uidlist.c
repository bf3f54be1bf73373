/* Readers for the UID lists other IMAP servers keep in a maildir, so that
   users migrating to Postern keep their UIDs and UIDVALIDITY (and POP3
   UIDLs), and their clients don't download everything again.

   dovecot-uidlist, version 3 (Dovecot 1.1 and later):
     3 V<uidvalidity> N<nextuid> G<mailbox guid hex> [more fields]
     <uid> [<key><value> ...] :<file name>
   where keys are W (virtual size), S (physical size), G (message GUID),
   P (POP3 UIDL), O (POP3 order). Version 1, also Courier-IMAP's
   courierimapuiddb:
     1 <uidvalidity> <nextuid>
     <uid> <file name>
   The file name is the last one known and may carry an old ":2,<flags>"
   part; only the base (before ":2,") identifies the message. */

#include "maildir-private.h"
#include "pool.h"
#include "storage-file.h"
#include "strfuncs.h"

#include <string.h>

#define MAILDIR_UIDLIST_MAX_SIZE (256U * 1024 * 1024)

struct uidlist_line {
	const char *p, *end;
};

static bool uidlist_next_word(struct uidlist_line *line, const char **word_r,
			      size_t *len_r)
{
	while (line->p < line->end && *line->p == ' ')
		line->p++;
	if (line->p == line->end)
		return false;
	*word_r = line->p;
	while (line->p < line->end && *line->p != ' ')
		line->p++;
	*len_r = (size_t)(line->p - *word_r);
	return true;
}

static int uidlist_parse_u32(const char *p, size_t len, uint32_t *num_r)
{
	uint64_t num;

	if (str_n_to_uint64(p, len, &num) < 0 || num > UINT32_MAX)
		return -1;
	*num_r = (uint32_t)num;
	return 0;
}

int maildir_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int maildir_parse_guid(const char *p, size_t len, unsigned char *guid)
{
	if (len != 32)
		return -1;
	for (unsigned int i = 0; i < 16; i++) {
		int hi = maildir_hex_value(p[i * 2]),
		    lo = maildir_hex_value(p[i * 2 + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		guid[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int uidlist_parse_header_v3(struct uidlist_line *line,
				   struct maildir_uidlist *list)
{
	const char *word;
	size_t len;

	while (uidlist_next_word(line, &word, &len)) {
		if (len < 2)
			continue;
		if (word[0] == 'V' && uidlist_parse_u32(word + 1, len - 1,
							&list->uidvalidity) < 0)
			return -1;
		if (word[0] == 'N' &&
		    uidlist_parse_u32(word + 1, len - 1, &list->nextuid) < 0)
			return -1;
		if (word[0] == 'G' &&
		    maildir_parse_guid(word + 1, len - 1, list->guid) == 0)
			list->have_guid = true;
	}
	return 0;
}

static int uidlist_parse_header(struct uidlist_line *line,
				struct maildir_uidlist *list,
				const char **error_r)
{
	const char *word;
	size_t len;

	if (!uidlist_next_word(line, &word, &len) ||
	    uidlist_parse_u32(word, len, &list->version) < 0) {
		*error_r = "missing version";
		return -1;
	}
	if (list->version == 3) {
		if (uidlist_parse_header_v3(line, list) < 0) {
			*error_r = "invalid header field";
			return -1;
		}
	} else if (list->version == 1) {
		if (!uidlist_next_word(line, &word, &len) ||
		    uidlist_parse_u32(word, len, &list->uidvalidity) < 0 ||
		    !uidlist_next_word(line, &word, &len) ||
		    uidlist_parse_u32(word, len, &list->nextuid) < 0) {
			*error_r = "invalid version 1 header";
			return -1;
		}
	} else {
		*error_r = "unsupported version";
		return -1;
	}
	if (list->uidvalidity == 0) {
		*error_r = "missing UIDVALIDITY";
		return -1;
	}
	return 0;
}

/* The base of a file name (up to ":2,"), from pool. */
static const char *uidlist_base(struct pool *pool, const char *p, size_t len)
{
	for (size_t i = 0; i + 2 < len; i++) {
		if (p[i] == ':' && p[i + 1] == '2' && p[i + 2] == ',')
			return pool_strndup(pool, p, i);
	}
	return pool_strndup(pool, p, len);
}

static void uidlist_parse_ext(struct pool *pool, const char *word, size_t len,
			      struct maildir_uidlist_rec *rec)
{
	uint64_t num;
	unsigned char *guid;

	switch (word[0]) {
	case 'W':
		if (str_n_to_uint64(word + 1, len - 1, &num) == 0)
			rec->vsize = num;
		break;
	case 'P':
		rec->pop3_uidl = pool_strndup(pool, word + 1, len - 1);
		break;
	case 'G':
		guid = pool_alloc(pool, 16);
		if (maildir_parse_guid(word + 1, len - 1, guid) == 0)
			rec->guid = guid;
		break;
	default:
		break;
	}
}

/* Parses one record line. Returns 0, or -1 if it is malformed. */
static int uidlist_parse_record(struct pool *pool, unsigned int version,
				struct uidlist_line *line,
				struct maildir_uidlist_rec *rec)
{
	const char *word;
	size_t len;

	memset(rec, 0, sizeof(*rec));
	if (!uidlist_next_word(line, &word, &len) ||
	    uidlist_parse_u32(word, len, &rec->uid) < 0 || rec->uid == 0)
		return -1;
	if (version == 1) {
		while (line->p < line->end && *line->p == ' ')
			line->p++;
		if (line->p == line->end)
			return -1;
		rec->base = uidlist_base(pool, line->p,
					 (size_t)(line->end - line->p));
		return 0;
	}
	while (uidlist_next_word(line, &word, &len)) {
		if (word[0] == ':') {
			/* the file name runs to the end of the line */
			len = (size_t)(line->end - word - 1);
			if (len == 0)
				return -1;
			rec->base = uidlist_base(pool, word + 1, len);
			return 0;
		}
		if (len > 1)
			uidlist_parse_ext(pool, word, len, rec);
	}
	return -1;
}

static unsigned int uidlist_count_lines(const char *data, size_t size)
{
	unsigned int n = 0;

	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n')
			n++;
	}
	return n + 1;
}

int maildir_uidlist_parse(const char *data, size_t size, struct pool *pool,
			  struct maildir_uidlist *list_r, const char **error_r)
{
	const char *end = data + size, *p = data;
	struct uidlist_line line;
	unsigned int max_recs;
	bool header = true;

	memset(list_r, 0, sizeof(*list_r));
	max_recs = uidlist_count_lines(data, size);
	list_r->recs = p_new(pool, struct maildir_uidlist_rec, max_recs);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		line.p = p;
		line.end = nl != NULL ? nl : end;
		if (line.end > line.p && line.end[-1] == '\r')
			line.end--;
		p = nl != NULL ? nl + 1 : end;
		if (header) {
			if (uidlist_parse_header(&line, list_r, error_r) < 0)
				return -1;
			header = false;
		} else if (line.p != line.end &&
			   uidlist_parse_record(pool, list_r->version, &line,
						&list_r->recs[list_r->count]) ==
				   0) {
			list_r->count++;
		}
	}
	if (header) {
		*error_r = "empty file";
		return -1;
	}
	return 0;
}

int maildir_uidlist_read(const char *path, struct pool *pool,
			 struct maildir_uidlist *list_r, const char **error_r)
{
	char *data;
	size_t size;
	int ret;

	memset(list_r, 0, sizeof(*list_r));
	ret = storage_file_read(path, pool, MAILDIR_UIDLIST_MAX_SIZE, &data,
				&size, error_r);
	if (ret <= 0)
		return ret;
	if (maildir_uidlist_parse(data, size, pool, list_r, error_r) < 0) {
		*error_r = pool_printf(pool, "%s: %s", path, *error_r);
		return -1;
	}
	return 0;
}
