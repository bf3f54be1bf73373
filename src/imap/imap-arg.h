#ifndef POSTERN_IMAP_ARG_H
#define POSTERN_IMAP_ARG_H

/* A parsed IMAP command argument (RFC 9051 §4): an atom, a quoted string,
   a literal, NIL or a parenthesized list. The parser (imap-parser.h)
   builds them in the command's pool; a command receives its arguments as
   an array that ends with an IMAP_ARG_EOL element, and so does every
   list.

   Atoms are parsed leniently so that FETCH items read as one would write
   them: "BODY[HEADER.FIELDS" is an atom, "(FROM TO)" a list and "]<0.10>"
   another atom, as in Dovecot. '%', '*', '\\', '[' and ']' are atom
   characters here (LIST patterns, sequence sets, flags).

   Strings are NUL-terminated; str_len is the real length. Only a literal8
   (~{n}, APPEND and BINARY) may hold NUL bytes. */

#include <stdbool.h>
#include <stddef.h>

struct buffer;

enum imap_arg_type {
	IMAP_ARG_NIL,
	IMAP_ARG_ATOM,
	IMAP_ARG_STRING, /* quoted */
	IMAP_ARG_LITERAL,
	IMAP_ARG_LIST,
	IMAP_ARG_EOL,
};

struct imap_arg {
	enum imap_arg_type type;
	/* The list this argument is in; NULL at the top level. */
	struct imap_arg *parent;
	/* An IMAP_ARG_LITERAL sent as ~{n}. */
	bool literal8;
	union {
		/* NIL, ATOM, STRING, LITERAL. NIL keeps the text as sent. */
		const char *str;
		/* LIST: count elements before the IMAP_ARG_EOL one. */
		struct {
			struct imap_arg *args;
			unsigned int count;
		} list;
	} u;
	/* Length of u.str (strings may hold NUL only when literal8). */
	size_t str_len;
};

#define IMAP_ARG_IS_EOL(arg) ((arg)->type == IMAP_ARG_EOL)

/* Each getter returns true and sets *str_r when arg is of the kinds it
   names, false otherwise. */
/* An atom. */
bool imap_arg_get_atom(const struct imap_arg *arg, const char **str_r);
/* A quoted string. */
bool imap_arg_get_quoted(const struct imap_arg *arg, const char **str_r);
/* A string: quoted or literal. */
bool imap_arg_get_string(const struct imap_arg *arg, const char **str_r);
/* An astring: an atom (NIL included: a mailbox may be called "NIL"), a
   quoted string or a literal. */
bool imap_arg_get_astring(const struct imap_arg *arg, const char **str_r);
/* An nstring: a string, or NIL which gives NULL. */
bool imap_arg_get_nstring(const struct imap_arg *arg, const char **str_r);
/* A list: its elements (ending with an IMAP_ARG_EOL one) and their count
   (count_r may be NULL). */
bool imap_arg_get_list(const struct imap_arg *arg,
		       const struct imap_arg **list_r, unsigned int *count_r);

/* True if arg is an atom equal to str, ASCII case-insensitively. */
bool imap_arg_atom_equals(const struct imap_arg *arg, const char *str);
/* The number of arguments before the IMAP_ARG_EOL one. */
unsigned int imap_args_count(const struct imap_arg *args);

/* Writes args back in IMAP syntax, space-separated: atoms and NIL as
   they came, quoted strings quoted, literals as "{n}" CRLF data ("~{n}"
   for literal8), lists in parentheses. For tests, logs and the fuzz
   target's parse-write-parse check. */
void imap_args_write(struct buffer *dest, const struct imap_arg *args);

#endif
