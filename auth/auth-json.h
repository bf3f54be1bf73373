#ifndef POSTERN_AUTH_JSON_H
#define POSTERN_AUTH_JSON_H

/* Just enough JSON (RFC 8259) for JWT headers and claims: a top-level
   object whose members are read as strings, numbers, booleans or arrays
   of strings. Nested values are validated and skipped. Bounded: depth,
   sizes. */

#include <stdbool.h>
#include <stddef.h>

struct pool;

enum auth_json_type {
	AUTH_JSON_STRING,
	AUTH_JSON_NUMBER,
	AUTH_JSON_BOOL,
	AUTH_JSON_NULL,
	AUTH_JSON_STRING_ARRAY,
	AUTH_JSON_OTHER,
};

struct auth_json_member {
	const char *name;
	enum auth_json_type type;
	/* STRING: the unescaped text; NUMBER/BOOL: the literal text;
	   STRING_ARRAY: NULL-terminated in strings */
	const char *value;
	const char *const *strings;
};

/* Parses an object of at most max_members members. Returns the member
   count, or -1 for invalid JSON. */
int auth_json_parse_object(struct pool *pool, const char *text, size_t len,
			   struct auth_json_member *members,
			   unsigned int max_members);
/* The member called name, or NULL. */
const struct auth_json_member *
auth_json_find(const struct auth_json_member *members, unsigned int count,
	       const char *name);

#endif
