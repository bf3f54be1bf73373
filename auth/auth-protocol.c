#include "auth-protocol.h"
#include "array.h"
#include "pool.h"
#include "strfuncs.h"

#include <string.h>

void auth_str_append_tabescaped(string_t *dest, const char *src)
{
	for (; *src != '\0'; src++) {
		switch (*src) {
		case '\001':
			str_append_n(dest, "\0011", 2);
			break;
		case '\t':
			str_append_n(dest, "\001t", 2);
			break;
		case '\r':
			str_append_n(dest, "\001r", 2);
			break;
		case '\n':
			str_append_n(dest, "\001n", 2);
			break;
		default:
			str_append_c(dest, *src);
			break;
		}
	}
}

static char auth_tabunescape_char(char chr)
{
	switch (chr) {
	case '0':
		return '\0';
	case '1':
		return '\001';
	case 't':
		return '\t';
	case 'r':
		return '\r';
	case 'n':
		return '\n';
	default:
		return chr;
	}
}

char *auth_tabunescape(char *str)
{
	char *src = strchr(str, '\001'), *dest;

	if (src == NULL)
		return str;
	for (dest = src; *src != '\0'; src++) {
		if (*src != '\001') {
			*dest++ = *src;
			continue;
		}
		if (*++src == '\0')
			break;
		*dest++ = auth_tabunescape_char(*src);
	}
	*dest = '\0';
	return str;
}

char **auth_split_line(struct pool *pool, const char *line)
{
	char **fields = str_split(pool, line, "\t");

	for (unsigned int i = 0; fields[i] != NULL; i++)
		auth_tabunescape(fields[i]);
	return fields;
}

unsigned int auth_fields_count(char *const *fields)
{
	unsigned int count = 0;

	while (fields[count] != NULL)
		count++;
	return count;
}

const char *auth_fields_find(char *const *fields, const char *name)
{
	size_t len = strlen(name);

	for (; *fields != NULL; fields++) {
		if (strncmp(*fields, name, len) != 0)
			continue;
		if ((*fields)[len] == '=')
			return *fields + len + 1;
		if ((*fields)[len] == '\0')
			return "";
	}
	return NULL;
}

static const char *const auth_mech_flag_names[] = {
	"plaintext",       "dictionary",  "active",
	"forward-secrecy", "mutual-auth", "private",
};

void auth_mech_flags_append(string_t *dest, enum auth_mech_flags flags)
{
	for (unsigned int i = 0; i < N_ELEMENTS(auth_mech_flag_names); i++) {
		if ((flags & (1U << i)) != 0) {
			str_append_c(dest, '\t');
			str_append(dest, auth_mech_flag_names[i]);
		}
	}
}

enum auth_mech_flags auth_mech_flags_parse(char *const *words)
{
	enum auth_mech_flags flags = 0;

	for (; *words != NULL; words++) {
		for (unsigned int i = 0; i < N_ELEMENTS(auth_mech_flag_names);
		     i++) {
			if (str_eq_icase(*words, auth_mech_flag_names[i]))
				flags |= 1U << i;
		}
	}
	return flags;
}

static int auth_parse_port(const char *value, unsigned int *port_r)
{
	return str_to_uint(value, port_r) < 0 || *port_r > 65535 ? -1 : 0;
}

/* Stores one optional AUTH parameter; unknown ones are ignored. Returns
   -1 for a known parameter with a bad value. */
static int auth_request_info_param(struct auth_request_info *info,
				   const char *name, const char *value)
{
	if (strcmp(name, "service") == 0)
		info->service = value;
	else if (strcmp(name, "lip") == 0)
		info->local_ip = value;
	else if (strcmp(name, "rip") == 0)
		info->remote_ip = value;
	else if (strcmp(name, "lport") == 0)
		return auth_parse_port(value, &info->local_port);
	else if (strcmp(name, "rport") == 0)
		return auth_parse_port(value, &info->remote_port);
	else if (strcmp(name, "secured") == 0)
		info->secured = true;
	else if (strcmp(name, "valid-client-cert") == 0)
		info->valid_client_cert = true;
	else if (strcmp(name, "nologin") == 0)
		info->nologin = true;
	else if (strcmp(name, "no-penalty") == 0)
		info->no_penalty = true;
	else if (strcmp(name, "session") == 0)
		info->session_id = value;
	else if (strcmp(name, "cert_username") == 0)
		info->cert_username = value;
	else if (strcmp(name, "cbind_tls_exporter") == 0)
		info->cbind_tls_exporter = value;
	else if (strcmp(name, "resp") == 0)
		info->initial_resp = *value == '\0' ? NULL : value;
	return 0;
}

int auth_request_info_parse(char *const *args, struct auth_request_info *info,
			    const char **error_r)
{
	memset(info, 0, sizeof(*info));
	if (args[0] == NULL || args[1] == NULL ||
	    str_to_uint(args[0], &info->id) < 0 || args[1][0] == '\0') {
		*error_r = "AUTH without id and mechanism";
		return -1;
	}
	info->mech = args[1];
	for (args += 2; *args != NULL; args++) {
		char *eq = strchr(*args, '=');
		const char *value = "";

		if (eq != NULL) {
			*eq = '\0';
			value = eq + 1;
		}
		if (auth_request_info_param(info, *args, value) < 0) {
			*error_r = "AUTH with an invalid port";
			return -1;
		}
	}
	if (info->service == NULL || info->service[0] == '\0') {
		*error_r = "AUTH without service";
		return -1;
	}
	return 0;
}

static void auth_append_param(string_t *dest, const char *name,
			      const char *value)
{
	if (value == NULL)
		return;
	str_append_c(dest, '\t');
	str_append(dest, name);
	str_append_c(dest, '=');
	auth_str_append_tabescaped(dest, value);
}

static void auth_append_bool(string_t *dest, const char *name, bool value)
{
	if (value) {
		str_append_c(dest, '\t');
		str_append(dest, name);
	}
}

void auth_request_info_append(string_t *dest,
			      const struct auth_request_info *info)
{
	str_printfa(dest, "AUTH\t%u\t", info->id);
	auth_str_append_tabescaped(dest, info->mech);
	auth_append_param(dest, "service", info->service);
	auth_append_param(dest, "lip", info->local_ip);
	auth_append_param(dest, "rip", info->remote_ip);
	if (info->local_port != 0)
		str_printfa(dest, "\tlport=%u", info->local_port);
	if (info->remote_port != 0)
		str_printfa(dest, "\trport=%u", info->remote_port);
	auth_append_bool(dest, "secured", info->secured);
	auth_append_bool(dest, "valid-client-cert", info->valid_client_cert);
	auth_append_bool(dest, "nologin", info->nologin);
	auth_append_bool(dest, "no-penalty", info->no_penalty);
	auth_append_param(dest, "session", info->session_id);
	auth_append_param(dest, "cert_username", info->cert_username);
	auth_append_param(dest, "cbind_tls_exporter", info->cbind_tls_exporter);
	/* Dovecot wants resp last */
	auth_append_param(dest, "resp", info->initial_resp);
}
