#include "auth-settings.h"
#include "auth-username.h"
#include "password-scheme.h"
#include "sasl-mech.h"
#include "strfuncs.h"

#include <stddef.h>
#include <string.h>

static int auth_db_spec_check(const char *value, const char **error_r)
{
	if (value[0] == '\0' || str_begins(value, "passwd-file:") ||
	    str_begins(value, "sqlite:"))
		return 0;
	*error_r = "must be passwd-file:PATH or sqlite:PATH";
	return -1;
}

static int auth_mechanisms_check(const char *value, const char **error_r)
{
	char name[64];

	for (const char *p = value; *p != '\0';) {
		size_t len = strcspn(p, " ,");

		if (len >= sizeof(name)) {
			*error_r = "unknown mechanism";
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if (len > 0 && sasl_mech_find(name) == NULL) {
			*error_r = "unknown mechanism";
			return -1;
		}
		p += len;
		p += strspn(p, " ,");
	}
	return 0;
}

static int auth_scheme_check(const char *value, const char **error_r)
{
	const struct password_scheme *scheme = password_scheme_find(value);

	if (scheme == NULL || scheme->generate == NULL) {
		*error_r = "unknown password scheme";
		return -1;
	}
	return 0;
}

#define DEF(type, name, dflt)                                                  \
	{                                                                      \
#name, type, offsetof(struct auth_settings, name), dflt, NULL, \
			NULL                                                   \
	}
#define DEF_CHECK(type, name, dflt, check)                                     \
	{                                                                      \
#name, type, offsetof(struct auth_settings, name), dflt, NULL, \
			check                                                  \
	}

const struct setting_def auth_setting_defs[] = {
	DEF(SETTING_STR, client_socket, "auth-client"),
	DEF(SETTING_STR, userdb_socket, "auth-userdb"),
	DEF_CHECK(SETTING_STR, passdb, "sqlite:users.db", auth_db_spec_check),
	DEF_CHECK(SETTING_STR, userdb, "", auth_db_spec_check),
	DEF(SETTING_BOOL, allow_plaintext, "no"),
	DEF_CHECK(SETTING_STR, mechanisms,
		  "PLAIN LOGIN SCRAM-SHA-1 SCRAM-SHA-256 SCRAM-SHA-256-PLUS "
		  "APOP",
		  auth_mechanisms_check),
	DEF_CHECK(SETTING_STR, username_format, "%Lu",
		  auth_username_format_check),
	DEF(SETTING_STR, default_domain, ""),
	DEF_CHECK(SETTING_STR, master_passdb, "", auth_db_spec_check),
	DEF_CHECK(SETTING_STR, password_scheme, PASSWORD_SCHEME_DEFAULT,
		  auth_scheme_check),
	DEF(SETTING_TIME, failure_delay, "2s"),
	/* Postfix waits 10 s for a reply; delay + failure_delay stays under */
	DEF(SETTING_TIME, penalty_max_delay, "6s"),
	DEF(SETTING_UINT, max_failures_per_minute, "30"),
	DEF(SETTING_TIME, cache_ttl, "5m"),
	DEF(SETTING_UINT, cache_size, "10000"),
	DEF(SETTING_STR, oauth_keys, ""), DEF(SETTING_STR, oauth_issuer, ""),
	DEF(SETTING_STR, oauth_audience, ""),
	DEF(SETTING_STR, oauth_username_claim, "sub"),
	DEF(SETTING_TIME, request_timeout, "2m"),
	DEF(SETTING_BOOL, debug, "no"), SETTING_DEFS_END
};

int auth_settings_check(const struct auth_settings *set, const char **error_r)
{
	if (set->passdb[0] == '\0') {
		*error_r = "[auth] passdb must be set";
		return -1;
	}
	if (strstr(set->mechanisms, "OAUTH") != NULL &&
	    set->oauth_keys[0] == '\0') {
		*error_r = "[auth] OAUTHBEARER/XOAUTH2 need oauth_keys";
		return -1;
	}
	return 0;
}
