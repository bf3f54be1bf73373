#ifndef POSTERN_AUTH_PROTOCOL_H
#define POSTERN_AUTH_PROTOCOL_H

/* The wire format shared by Dovecot's auth-client and auth-master
   protocols, which the auth service speaks and its clients (our workers,
   posternctl, Postfix, Exim) use: one command per LF-terminated line,
   fields separated by TAB, optional parameters as "name=value" or a bare
   boolean "name", unknown parameters ignored.

   Values are tab-escaped as Dovecot's str_append_tabescaped() does, with
   \001 as the escape byte: \001 -> \001 '1', TAB -> \001 't',
   CR -> \001 'r', LF -> \001 'n'. Unescaping also accepts \001 '0' (NUL,
   from protocol v1.3 peers; it cuts the C string) and maps any other
   escaped byte to itself. */

#include "str.h"

#include <stdbool.h>

struct pool;

/* Protocol versions we speak. */
#define AUTH_CLIENT_PROTOCOL_MAJOR 1
#define AUTH_CLIENT_PROTOCOL_MINOR 2
#define AUTH_MASTER_PROTOCOL_MAJOR 1
#define AUTH_MASTER_PROTOCOL_MINOR 0
/* Longest line either side sends or accepts, LF included (Dovecot's
   AUTH_CLIENT_MAX_LINE_LENGTH). */
#define AUTH_PROTOCOL_MAX_LINE 16384

/* Appends src tab-escaped. */
void auth_str_append_tabescaped(string_t *dest, const char *src);
/* Unescapes str in place and returns it. */
char *auth_tabunescape(char *str);
/* Splits line at TABs into a NULL-terminated array allocated from pool,
   each field unescaped. The line itself is not modified. */
char **auth_split_line(struct pool *pool, const char *line);
/* Number of fields in a NULL-terminated array. */
unsigned int auth_fields_count(char *const *fields);
/* The value of "name=value" among fields, "" for a bare "name", or NULL
   when absent. */
const char *auth_fields_find(char *const *fields, const char *name);

/* Mechanism security flags of a MECH line. */
enum auth_mech_flags {
	AUTH_MECH_FLAG_PLAINTEXT = 1 << 0,
	AUTH_MECH_FLAG_DICTIONARY = 1 << 1,
	AUTH_MECH_FLAG_ACTIVE = 1 << 2,
	AUTH_MECH_FLAG_FORWARD_SECRECY = 1 << 3,
	AUTH_MECH_FLAG_MUTUAL_AUTH = 1 << 4,
	AUTH_MECH_FLAG_PRIVATE = 1 << 5,
};

/* Appends the MECH line's flag words ("\tplaintext\tmutual-auth"). */
void auth_mech_flags_append(string_t *dest, enum auth_mech_flags flags);
/* Parses the flag words of a MECH line (fields after the name); unknown
   words are ignored. */
enum auth_mech_flags auth_mech_flags_parse(char *const *words);

/* What an AUTH command says about the login attempt. Strings point into
   the pool the command was parsed with; NULL when not given. */
struct auth_request_info {
	unsigned int id;
	const char *mech;
	const char *service;
	const char *local_ip, *remote_ip;
	unsigned int local_port, remote_port;
	/* TLS, or a connection the client trusts (loopback, unix) */
	bool secured;
	bool valid_client_cert;
	/* Only verify the credentials; no login follows (MTAs). */
	bool nologin;
	/* A trusted client asks us not to count failures. */
	bool no_penalty;
	const char *session_id;
	/* Subject of the verified TLS client certificate (EXTERNAL). */
	const char *cert_username;
	/* Base64 RFC 9266 tls-exporter data for SCRAM-*-PLUS (Postern
	   extension "cbind_tls_exporter"). */
	const char *cbind_tls_exporter;
	/* Base64 initial response; NULL when absent. Dovecot treats an empty
	   "resp=" (Exim sends it) as no initial response; so do we. */
	const char *initial_resp;
};

/* Parses the fields of "AUTH <id> <mech> [params...]" after the command
   name. Returns 0, or -1 with *error_r for a broken command (missing id,
   mechanism or service). Unknown parameters are ignored. */
int auth_request_info_parse(char *const *args, struct auth_request_info *info,
			    const char **error_r);
/* Appends "AUTH\t<id>\t<mech>\tservice=..." with every set field, without
   the trailing LF. */
void auth_request_info_append(string_t *dest,
			      const struct auth_request_info *info);

#endif
