#include "auth-scram-mech.h"
#include "auth-scram.h"
#include "sasl-mech.h"

/* SCRAM with SHA-1. */

static void mech_scram_sha1_initial(struct auth_request *request,
				    const unsigned char *data, size_t size)
{
	auth_scram_mech_initial(request, &scram_hash_sha1, false, data, size);
}

const struct sasl_mech sasl_mech_scram_sha1 = {
	.name = "SCRAM-SHA-1",
	.flags = AUTH_MECH_FLAG_MUTUAL_AUTH,
	.channel_binding = false,
	.auth_initial = mech_scram_sha1_initial,
	.auth_continue = auth_scram_mech_continue,
};
