#ifndef POSTERN_AUTH_SCRAM_SERVER_H
#define POSTERN_AUTH_SCRAM_SERVER_H

/* The server side of a SCRAM exchange (RFC 5802 §5 and §7, RFC 7677,
   channel binding per RFC 9266 tls-exporter), free of I/O so that tests
   can feed it the RFCs' example messages:

     client-first -> scram_server_parse_client_first()
     credentials  -> scram_server_first_message(server nonce)
     client-final -> scram_server_verify_final() -> server-final */

#include "auth-scram.h"

#include <stdbool.h>
#include <stddef.h>

struct pool;

struct scram_server {
	const struct scram_hash *hash;
	/* the mechanism is -PLUS: the client must bind to the channel */
	bool plus;
	/* tls-exporter data of this connection, or NULL without TLS */
	const unsigned char *cbind_data;
	size_t cbind_size;

	/* from client-first */
	const char *username;
	const char *authzid;
	const char *gs2_header;
	char cbind_flag; /* 'n', 'y' or 'p' */
	const char *client_first_bare;
	const char *client_nonce;
	/* from scram_server_first_message() */
	const char *server_first;
	const char *nonce;
	struct scram_credentials cred;
};

/* Parses the client-first-message. Returns 0, or -1 with *error_r for
   malformed input or a channel binding the mechanism refuses. */
int scram_server_parse_client_first(struct scram_server *server,
				    struct pool *pool,
				    const unsigned char *data, size_t size,
				    const char **error_r);
/* Makes the server-first-message from the credentials and server_nonce
   (printable, no ','). */
const char *scram_server_first_message(struct scram_server *server,
				       struct pool *pool,
				       const struct scram_credentials *cred,
				       const char *server_nonce);
/* Verifies the client-final-message. Returns 1 with the server-final-
   message in *reply_r, 0 when the proof is wrong, -1 with *error_r for
   malformed input or a channel binding mismatch. */
int scram_server_verify_final(struct scram_server *server, struct pool *pool,
			      const unsigned char *data, size_t size,
			      const char **reply_r, const char **error_r);

#endif
