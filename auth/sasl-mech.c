#include "sasl-mech.h"
#include "strfuncs.h"

static const struct sasl_mech *const sasl_mechs[] = {
	&sasl_mech_plain,
	&sasl_mech_login,
	&sasl_mech_scram_sha1,
	&sasl_mech_scram_sha256,
	&sasl_mech_scram_sha256_plus,
	&sasl_mech_external,
	&sasl_mech_oauthbearer,
	&sasl_mech_xoauth2,
	&sasl_mech_apop,
	NULL
};

const struct sasl_mech *sasl_mech_find(const char *name)
{
	for (unsigned int i = 0; sasl_mechs[i] != NULL; i++) {
		if (str_eq_icase(sasl_mechs[i]->name, name))
			return sasl_mechs[i];
	}
	return NULL;
}

const struct sasl_mech *const *sasl_mechs_list(void)
{
	return sasl_mechs;
}
