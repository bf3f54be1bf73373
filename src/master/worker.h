#ifndef POSTERN_WORKER_H
#define POSTERN_WORKER_H

/* A mail worker process: one libuv loop serving IMAP, POP3 and LMTP on the
   listening sockets it inherited from the master. */

#include "master-config.h"

/* fd 3 carries the configuration; listeners follow. */
#define WORKER_CONFIG_FD 3
#define WORKER_FIRST_LISTENER_FD 4

int worker_main(struct postern_config *config, unsigned int index,
		const char *listener_spec);

#endif
