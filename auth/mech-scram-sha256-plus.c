#include "auth-scram-mech.h"
#include "auth-scram.h"
#include "sasl-mech.h"

/* SCRAM with SHA-256 bound to the TLS channel (RFC 9266 tls-exporter). */

static void mech_scram_sha256_plus_initial(struct auth_request *request,
					   const unsigned char *data,
					   size_t size)
{
	auth_scram_mech_initial(request, &scram_hash_sha256, true, data, size);
}

const struct sasl_mech sasl_mech_scram_sha256_plus = {
	.name = "SCRAM-SHA-256-PLUS",
	.flags = AUTH_MECH_FLAG_MUTUAL_AUTH,
	.channel_binding = true,
	.auth_initial = mech_scram_sha256_plus_initial,
	.auth_continue = auth_scram_mech_continue,
};
