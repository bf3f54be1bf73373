#ifndef POSTERN_MAIL_PRIVATE_H
#define POSTERN_MAIL_PRIVATE_H

/* The message object of a fetch, and reading message bytes. */

#include "storage-private.h"

/* The parsed fields the index caches for a message (message_cache). */
struct mail_cached {
	bool loaded;
	time_t sent;
	int sent_tz;
	const char *envelope, *bodystructure, *body;
	const unsigned char *parts;
	size_t parts_size;
};

struct mail {
	struct mail_fetch_ctx *ctx;
	struct mailbox *box;
	struct pool *pool; /* cleared for each message */
	struct index_record rec;
	uint32_t seq;
	int received_tz;

	/* The row holds uid, flags, keywords and modseq only (a batch read
	   for FLAGS): the rest is read when asked for. */
	bool partial;
	struct mail_cached cache;
	char guid_hex[33];
};

/* Opens the message's bytes as a CRLF mapping. Lock held. rec may be
   re-read (into pool) if the file moved. Returns 1, 0 if the message is
   gone (EXPUNGED set), -1 on error. */
int mail_data_open(struct mailbox *box, struct index_record *rec,
		   struct pool *pool, struct mail_data *data_r);
/* Computes and stores the virtual sizes that the index doesn't know yet.
   Lock held. */
int mail_fill_sizes(struct mailbox *box);
/* Loads (or makes) the cached ENVELOPE/BODYSTRUCTURE/BODY/parts/sent date
   of mail. Lock held. */
int mail_cache_load(struct mail *mail);

/* Copying (mail-save.c): a save of src_rec into t made by the backend
   without reading the data (a hard link). Returns the save, NULL when the
   backend can't (copy the bytes instead), or (struct mail_save *)-1 on
   error. Lock held. */
struct mail_save *mail_save_copy_begin(struct mailbox_transaction *t,
				       const struct index_record *src_rec,
				       struct backend_mailbox *src_box);
void mail_save_set_keywords(struct mail_save *save,
			    const char *const *keywords);

#endif
