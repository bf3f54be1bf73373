#ifndef POSTERN_IMAP_COPY_H
#define POSTERN_IMAP_COPY_H

/* COPY and MOVE (RFC 9051 §6.4.7-8, RFC 6851) with UIDPLUS's COPYUID
   (RFC 4315): one engine, as a MOVE is a copy whose originals are then
   expunged. */

#include <stdbool.h>

struct imap_command;

/* Runs COPY (move false) or MOVE of cmd's arguments: sequence set and
   mailbox name. COPY answers OK [COPYUID ...]; MOVE sends the COPYUID in
   an untagged OK, then the expunges (or VANISHED), then its tagged OK. */
void imap_copy_run(struct imap_command *cmd, bool move);

#endif
