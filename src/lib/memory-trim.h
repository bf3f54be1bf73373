#ifndef POSTERN_MEMORY_TRIM_H
#define POSTERN_MEMORY_TRIM_H

/* Gives the memory that sessions freed back to the kernel once they go
   idle. glibc keeps freed blocks inside its arenas, one per thread that
   allocated (every pool thread gets one), and the pages under them stay
   resident unless they are at an arena's top: after a thousand logins and
   SELECTs on the pool's threads that is megabytes that no idle session
   uses. malloc_trim() returns the free pages of every arena; it runs on a
   pool thread, a second after a session asked for it and at most once a
   second. */

#include <uv.h>

/* Call after work_pool_init(), before memory_trim_soon(). */
void memory_trim_init(uv_loop_t *loop);
/* Closes the timer; run the loop once more after this. */
void memory_trim_deinit(void);

/* A session went idle or away: trim in a second (if not already due).
   Loop thread only; does nothing before memory_trim_init(). */
void memory_trim_soon(void);

#endif
