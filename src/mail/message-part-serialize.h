#ifndef POSTERN_MESSAGE_PART_SERIALIZE_H
#define POSTERN_MESSAGE_PART_SERIALIZE_H

/* A compact binary form of a message_part tree, for the index to cache
   so that IMAP can serve BODY[1.2], BINARY and sizes without reparsing.
   It keeps the structure, positions, sizes, line counts, flags and
   transfer encodings; not the parsed MIME fields (storage caches the
   BODYSTRUCTURE string for those).

   Format: a version byte (1), then each part in document order as six
   unsigned LEB128 varints: flags | cte << 12, position relative to where
   the part could start at the earliest (its parent's body, or the end of
   its previous sibling), header size, body size, body lines, child count.

   The blob comes from a database that may be corrupt or stale, so
   parsing it back checks everything a user of the tree relies on. */

#include "buffer.h"
#include "message-part.h"

#include <stddef.h>
#include <stdint.h>

struct pool;

#define MESSAGE_PART_SERIALIZE_VERSION 1
/* Limits for a blob read back: what message_parse() can produce. */
#define MESSAGE_PART_SERIALIZE_MAX_DEPTH 128
#define MESSAGE_PART_SERIALIZE_MAX_PARTS 20002

/* Appends the serialized tree to dest. */
void message_part_serialize(const struct message_part *root, buffer_t *dest);

/* Rebuilds a tree (pool memory, data fields NULL) from size bytes.
   message_size is the size of the message the tree must fit exactly, or
   UINT64_MAX not to check that. Returns 0, or -1 with error_r set if the
   blob is corrupt: truncated or trailing bytes, an unknown version, flag
   or encoding, inconsistent flags and child counts, parts that overlap,
   leave their parent or the message, more lines than bytes, or past the
   depth and part limits. */
int message_part_deserialize(struct pool *pool, const void *data, size_t size,
			     uint64_t message_size,
			     struct message_part **root_r,
			     const char **error_r);

#endif
