#ifndef POSTERN_SESSION_ID_H
#define POSTERN_SESSION_ID_H

/* Session ids for log lines: 16 characters of base64url from the kernel's
   random source, as Dovecot's session ids, so that one grep finds one
   session across processes. */

#define SESSION_ID_LEN 16

void session_id_generate(char id[SESSION_ID_LEN + 1]);

#endif
