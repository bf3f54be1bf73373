#ifndef POSTERN_AUTH_SCRAM_MECH_H
#define POSTERN_AUTH_SCRAM_MECH_H

/* The SASL glue of the SCRAM mechanisms; mech-scram-*.c define the
   mechanisms with these handlers. */

#include <stdbool.h>
#include <stddef.h>

struct auth_request;
struct scram_hash;

void auth_scram_mech_initial(struct auth_request *request,
			     const struct scram_hash *hash, bool plus,
			     const unsigned char *data, size_t size);
void auth_scram_mech_continue(struct auth_request *request,
			      const unsigned char *data, size_t size);

/* For tests: the server nonce of the next exchange instead of a random
   one (NULL: random). */
extern const char *auth_scram_test_nonce;

#endif
