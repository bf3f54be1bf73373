#ifndef POSTERN_WORKER_H
#define POSTERN_WORKER_H

/* A mail worker process: one libuv loop serving IMAP, POP3 and LMTP on the
   listening sockets it inherited from the master. */

#include "master-config.h"

/* fd 3 carries the configuration, fd 4 the TLS certificate and key (as
   PEM text); listeners follow. */
#define WORKER_CONFIG_FD 3
#define WORKER_TLS_FD 4
#define WORKER_FIRST_LISTENER_FD 5

int worker_main(struct postern_config *config, unsigned int index,
		const char *listener_spec);

#endif
