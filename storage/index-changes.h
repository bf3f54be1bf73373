#ifndef POSTERN_INDEX_CHANGES_H
#define POSTERN_INDEX_CHANGES_H

/* A count of the index's committed write transactions, shared by every
   process that opens the index (workers, posternctl, postern-deliver)
   through a small memory-mapped file beside the database, <db>-changes.
   Reading it is a memory load: a view that finds the count where its last
   sync left it knows that nothing in the index changed, without starting
   an SQLite read transaction (two to four fcntl() locks, a look at the
   WAL, and the view's queries).

   A writer bumps the count after its COMMIT, so a reader that sees the
   old count and skips its sync started before that commit. A writer that
   dies between the two leaves a change that readers find at their next
   full read, which views make at least once a second (mailbox-sync.c).
   The file is a hint, not data: losing it or its count loses nothing.
   Like SQLite's own -shm file it is mapped, so it must not be truncated
   under running processes. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct index_changes;

/* Maps (creating it if needed) the counter file of the database at
   db_path. NULL when that fails: callers then read the index every
   time. */
struct index_changes *index_changes_open(const char *db_path);
void index_changes_close(struct index_changes **changes);

/* The current count (acquire: what was committed before the bump that
   made it is visible to a read transaction started after). */
uint64_t index_changes_get(const struct index_changes *changes);
/* Counts a committed write transaction (release). */
void index_changes_bump(struct index_changes *changes);
/* True if the file at the path is no longer the one mapped (deleted or
   replaced): reopen. */
bool index_changes_is_stale(const struct index_changes *changes);

#endif
