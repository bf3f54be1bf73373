#ifndef POSTERN_IMAP_CONDSTORE_H
#define POSTERN_IMAP_CONDSTORE_H

/* CONDSTORE-enabling commands (RFC 7162 §3.1): FETCH MODSEQ or
   CHANGEDSINCE, SEARCH MODSEQ, STORE UNCHANGEDSINCE. */

struct imap_command;

/* Marks CONDSTORE as in use by the session (FETCH responses carry MODSEQ
   from now on). The first time, with a mailbox selected, the client is
   sent "* OK [HIGHESTMODSEQ n]" at once, as RFC 7162 §3.1 asks of a server
   that sees a CONDSTORE-enabling command. Loop thread. */
void imap_condstore_use(struct imap_command *cmd);

#endif
