#ifndef POSTERN_AUTH_PROCESS_H
#define POSTERN_AUTH_PROCESS_H

/* The auth process. The master binds the two unix sockets ([auth]
   client_socket and userdb_socket, relative to data_dir) while it may be
   root, forks, drops privileges and calls auth_process_main() in the
   child, which serves both sockets on loop until SIGTERM:

     - auth-client socket: Dovecot's auth-client protocol (Postfix, Exim,
       our IMAP/POP3 logins through auth-client.h);
     - userdb socket: auth-master style USER/LIST lookups (LMTP, logins,
       posternctl through auth-master-client.h).

   Password verification and database lookups run on the libuv thread
   pool (UV_THREADPOOL_SIZE sets its size). SIGHUP drops the success
   cache; passwd-files are re-read by themselves when they change. */

#include "auth-settings.h"

#include <uv.h>

/* Serves the listening descriptors (either may be -1 for none) until
   SIGTERM or SIGINT, then closes connections, waits for running lookups
   and returns the exit status (0, or FATAL_EXIT when the databases can't
   be opened). */
int auth_process_main(uv_loop_t *loop, const struct auth_settings *set,
		      int client_listen_fd, int userdb_listen_fd,
		      const char *data_dir);

#endif
