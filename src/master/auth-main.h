#ifndef POSTERN_AUTH_MAIN_H
#define POSTERN_AUTH_MAIN_H

/* The auth process as posternd starts it: its two listening sockets come
   from the master (see master_listeners_spec()). */

#include "master-config.h"

int auth_main(struct postern_config *config, const char *listener_spec);

#endif
