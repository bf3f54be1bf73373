#ifndef POSTERN_IMAP_PARSER_H
#define POSTERN_IMAP_PARSER_H

/* The IMAP command argument parser: incremental and bounded.

   The session reads input a line at a time (conn_read_line()) and feeds
   the arguments part of each line: after "tag SP name SP" for the first
   line, whole lines after a literal. A line that ends in a literal
   announcement ({n}, {n+}, ~{n}) makes the parser ask for the literal's
   bytes; the session sends "+ " for a synchronizing one (after checking
   the size), feeds the bytes, then the next line. Nothing is read past
   the limits: line length (the conn's), literal size, list depth, number
   of arguments and total command size.

   With IMAP_PARSE_FLAG_LITERAL_STREAM the parser stops in front of each
   literal instead of reading it (APPEND streams the message to storage):
   it returns IMAP_PARSE_LITERAL with the arguments before the literal, the
   caller consumes the literal's bytes itself, then goes on feeding lines.

   Arguments are allocated from the pool given at creation (the command's
   pool) and stay valid until it is cleared. The parser itself is a small
   struct in that pool too: an idle session holds none. */

#include "imap-arg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pool;
struct imap_parser;

/* RFC 7888 §4: under LITERAL- a non-synchronizing literal is at most
   4096 bytes. */
#define IMAP_LITERAL_MINUS_MAX_SIZE 4096

struct imap_parser_settings {
	/* Largest literal read into memory (LOGIN passwords, SEARCH
	   strings). Streamed literals are limited by the command. */
	uint64_t max_literal_size;
	/* Bytes of all lines and literals of one command. */
	size_t max_command_size;
	/* Arguments in all, and depth of nested lists. */
	unsigned int max_args;
	unsigned int max_list_depth;
	/* LITERAL- instead of LITERAL+: non-synchronizing literals over
	   IMAP_LITERAL_MINUS_MAX_SIZE are refused. */
	bool literal_minus;
};

/* Defaults: 64 KiB literals, 1 MiB commands, 100,000 arguments, lists
   nested 64 deep. */
void imap_parser_settings_init_defaults(struct imap_parser_settings *set);

enum imap_parser_flags {
	/* Stop in front of literals (see above). */
	IMAP_PARSE_FLAG_LITERAL_STREAM = 0x01,
};

enum imap_parser_result {
	/* Bad syntax or a limit: imap_parser_get_error(). */
	IMAP_PARSE_ERROR = -1,
	/* Feed more: the literal's bytes (imap_parser_get_literal() says how
	   many) or, after them, the next line. */
	IMAP_PARSE_MORE = 0,
	/* Every argument is parsed: imap_parser_get_args(). */
	IMAP_PARSE_DONE = 1,
	/* LITERAL_STREAM only: a literal is next; imap_parser_get_args()
	   has the arguments before it. */
	IMAP_PARSE_LITERAL = 2,
};

enum imap_parser_error {
	IMAP_PARSE_ERROR_NONE = 0,
	/* Malformed input: answer BAD. */
	IMAP_PARSE_ERROR_SYNTAX,
	/* A literal over max_literal_size (or over LITERAL-'s limit) or a
	   command over max_command_size: answer with [TOOBIG]. For a
	   synchronizing literal nothing more is coming; a non-synchronizing
	   one must be read and thrown away first (imap_parser_get_literal()
	   still tells its size). */
	IMAP_PARSE_ERROR_TOOBIG,
	/* Too many arguments or lists too deep. */
	IMAP_PARSE_ERROR_LIMIT,
};

/* The literal announced at the end of the last line fed. */
struct imap_parser_literal {
	uint64_t size;
	/* {n}: the client waits for "+ " before sending it. */
	bool sync;
	/* ~{n}: may hold NUL bytes. */
	bool literal8;
};

struct imap_parser *imap_parser_create(struct pool *pool,
				       const struct imap_parser_settings *set,
				       enum imap_parser_flags flags);

/* Parses one line (without its CRLF). Returns DONE, MORE (a literal was
   announced: feed its bytes), LITERAL (streaming) or ERROR. */
enum imap_parser_result imap_parser_feed_line(struct imap_parser *parser,
					      const char *line, size_t len);
/* Feeds bytes of the pending literal; returns how many were used (never
   more than the literal still needs). When the literal is complete the
   parser expects the rest of the command as the next line. */
size_t imap_parser_feed_literal(struct imap_parser *parser, const void *data,
				size_t size);
/* Bytes of the pending literal still expected (0 when a line is). */
uint64_t imap_parser_literal_remaining(const struct imap_parser *parser);
/* After MORE, LITERAL or a TOOBIG error: the announced literal. */
void imap_parser_get_literal(const struct imap_parser *parser,
			     struct imap_parser_literal *literal_r);
/* After a streamed literal was consumed by the caller: the parser takes the
   next line as the rest of the command. */
void imap_parser_literal_streamed(struct imap_parser *parser);

/* After DONE: every argument, EOL-terminated. After LITERAL: the
   top-level arguments before the literal, EOL-terminated (the literal
   must be at the top level; inside a list it is an error). */
const struct imap_arg *imap_parser_get_args(const struct imap_parser *parser);
/* After ERROR: the kind and a text for the client. */
enum imap_parser_error imap_parser_get_error(const struct imap_parser *parser,
					     const char **text_r);

/* Helpers for commands that read their own tokens. */
/* Whether chr may be in an atom as this parser reads it. */
bool imap_parser_is_atom_char(unsigned char chr);
/* Tag syntax (RFC 9051 §9: 1*<any ASTRING-CHAR except "+">). */
bool imap_parser_is_valid_tag(const char *tag, size_t len);

#endif
