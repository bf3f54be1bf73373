#include "imap-parser.h"
#include "log.h"
#include "pool.h"
#include "strfuncs.h"

#include <string.h>

/* Longest literal announcement we read: 20 digits fit any uint64. */
#define IMAP_LITERAL_MAX_DIGITS 20

/* The arguments of one open list (or of the top level), grown in the
   pool: parent pointers are set once the whole tree is known, since
   elements move as an array grows. */
struct imap_parser_level {
	struct imap_arg *args;
	unsigned int count, alloc;
};

struct imap_parser {
	struct pool *pool;
	struct imap_parser_settings set;
	enum imap_parser_flags flags;

	/* levels[0] is the top level; levels[depth] the innermost list. */
	struct imap_parser_level *levels;
	unsigned int depth;
	unsigned int n_args;
	size_t total_size;

	struct imap_parser_literal literal;
	uint64_t literal_left;
	unsigned char *literal_data;
	bool literal_pending;
	bool literal_streaming;
	/* The last token needs a space, ')' or the end of line after it. */
	bool need_sep;
	/* The last token was ')': "]..." may follow at once, as in
	   BODY[HEADER.FIELDS (FROM)]<0.10>. */
	bool after_close;
	/* A ')' must follow the streamed literal (APPEND UTF8). */
	bool utf8_close;

	enum imap_parser_error error;
	const char *error_text;
	struct imap_arg *result;
};

void imap_parser_settings_init_defaults(struct imap_parser_settings *set)
{
	memset(set, 0, sizeof(*set));
	set->max_literal_size = 64 * 1024;
	set->max_command_size = 1024 * 1024;
	set->max_args = 100000;
	set->max_list_depth = 64;
}

struct imap_parser *imap_parser_create(struct pool *pool,
				       const struct imap_parser_settings *set,
				       enum imap_parser_flags flags)
{
	struct imap_parser *parser = p_new(pool, struct imap_parser, 1);

	parser->pool = pool;
	parser->set = *set;
	parser->flags = flags;
	parser->levels =
		p_new(pool, struct imap_parser_level, set->max_list_depth + 1);
	return parser;
}

static enum imap_parser_result imap_parser_fail(struct imap_parser *parser,
						enum imap_parser_error error,
						const char *text)
{
	if (parser->error == IMAP_PARSE_ERROR_NONE) {
		parser->error = error;
		parser->error_text = text;
	}
	return IMAP_PARSE_ERROR;
}

static struct imap_arg *imap_parser_level_push(struct imap_parser *parser,
					       struct imap_parser_level *level)
{
	if (level->count == level->alloc) {
		unsigned int alloc = level->alloc == 0 ? 8 : level->alloc * 2;
		struct imap_arg *args =
			p_new(parser->pool, struct imap_arg, alloc);

		if (level->count > 0)
			memcpy(args, level->args, level->count * sizeof(*args));
		level->args = args;
		level->alloc = alloc;
	}
	return &level->args[level->count++];
}

/* A new argument at the current level; NULL past max_args. The EOL
   elements that end lists are not counted. */
static struct imap_arg *imap_parser_new_arg(struct imap_parser *parser,
					    enum imap_arg_type type)
{
	struct imap_arg *arg;

	if (type != IMAP_ARG_EOL && ++parser->n_args > parser->set.max_args)
		return NULL;
	arg = imap_parser_level_push(parser, &parser->levels[parser->depth]);
	arg->type = type;
	return arg;
}

static void imap_parser_set_parents(struct imap_arg *args,
				    struct imap_arg *parent)
{
	for (unsigned int i = 0; args[i].type != IMAP_ARG_EOL; i++) {
		args[i].parent = parent;
		if (args[i].type == IMAP_ARG_LIST)
			imap_parser_set_parents(args[i].u.list.args, &args[i]);
	}
	/* the EOL element too */
	while (args->type != IMAP_ARG_EOL)
		args++;
	args->parent = parent;
}

static enum imap_parser_result imap_parser_finish(struct imap_parser *parser)
{
	struct imap_parser_level *top = &parser->levels[0];

	(void)imap_parser_new_arg(parser, IMAP_ARG_EOL);
	parser->result = top->args;
	imap_parser_set_parents(parser->result, NULL);
	return IMAP_PARSE_DONE;
}

static int imap_parser_open_list(struct imap_parser *parser)
{
	struct imap_arg *arg;

	if (parser->depth >= parser->set.max_list_depth)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_LIMIT,
					"Lists nested too deeply.");
	arg = imap_parser_new_arg(parser, IMAP_ARG_LIST);
	if (arg == NULL)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_LIMIT,
					"Too many arguments.");
	parser->depth++;
	memset(&parser->levels[parser->depth], 0,
	       sizeof(parser->levels[parser->depth]));
	return 0;
}

static int imap_parser_close_list(struct imap_parser *parser)
{
	struct imap_parser_level *level = &parser->levels[parser->depth];
	struct imap_arg *list;

	if (parser->depth == 0)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
					"Unexpected ')'.");
	imap_parser_level_push(parser, level)->type = IMAP_ARG_EOL;
	parser->depth--;
	list = &parser->levels[parser->depth]
			.args[parser->levels[parser->depth].count - 1];
	list->u.list.args = level->args;
	list->u.list.count = level->count - 1;
	return 0;
}

static bool imap_parser_is_atom_char_(unsigned char chr)
{
	return chr > ' ' && chr != 0x7f && chr != '(' && chr != ')' &&
	       chr != '{' && chr != '"';
}

bool imap_parser_is_atom_char(unsigned char chr)
{
	return imap_parser_is_atom_char_(chr);
}

static int imap_parser_read_atom(struct imap_parser *parser, const char *line,
				 size_t len, size_t *pos)
{
	size_t start = *pos, end = start;
	struct imap_arg *arg;

	while (end < len && imap_parser_is_atom_char_((unsigned char)line[end]))
		end++;
	if (end == start) {
		return imap_parser_fail(
			parser, IMAP_PARSE_ERROR_SYNTAX,
			line[end] == '\0' ? "NUL in command."
					  : "Invalid characters in atom.");
	}
	arg = imap_parser_new_arg(parser, IMAP_ARG_ATOM);
	if (arg == NULL)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_LIMIT,
					"Too many arguments.");
	arg->u.str = pool_strndup(parser->pool, line + start, end - start);
	arg->str_len = end - start;
	if (arg->str_len == 3 && str_eq_icase(arg->u.str, "NIL"))
		arg->type = IMAP_ARG_NIL;
	*pos = end;
	return 0;
}

static int imap_parser_read_quoted(struct imap_parser *parser, const char *line,
				   size_t len, size_t *pos)
{
	char *value = pool_alloc(parser->pool, len - *pos);
	size_t i = *pos + 1, n = 0;
	struct imap_arg *arg;

	for (; i < len && line[i] != '"'; i++) {
		if (line[i] == '\\') {
			if (++i == len || (line[i] != '\\' && line[i] != '"'))
				return imap_parser_fail(
					parser, IMAP_PARSE_ERROR_SYNTAX,
					"Invalid escape in quoted string.");
		} else if (line[i] == '\0') {
			return imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
						"NUL in quoted string.");
		}
		value[n++] = line[i];
	}
	if (i == len)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
					"Missing '\"'.");
	arg = imap_parser_new_arg(parser, IMAP_ARG_STRING);
	if (arg == NULL)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_LIMIT,
					"Too many arguments.");
	value[n] = '\0';
	arg->u.str = value;
	arg->str_len = n;
	*pos = i + 1;
	return 0;
}

/* Parses "{n}", "{n+}", "~{n}" or "~{n+}" that must end the line. */
static int imap_parser_read_literal_size(struct imap_parser *parser,
					 const char *line, size_t len,
					 size_t pos)
{
	struct imap_parser_literal *lit = &parser->literal;
	size_t digits;

	memset(lit, 0, sizeof(*lit));
	if (line[pos] == '~') {
		lit->literal8 = true;
		pos++;
	}
	if (pos >= len || line[pos] != '{')
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
					"Invalid literal.");
	pos++;
	for (digits = 0; pos + digits < len && line[pos + digits] >= '0' &&
			 line[pos + digits] <= '9';
	     digits++)
		;
	if (digits == 0 || digits > IMAP_LITERAL_MAX_DIGITS ||
	    str_n_to_uint64(line + pos, digits, &lit->size) < 0)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
					"Invalid literal size.");
	pos += digits;
	lit->sync = true;
	if (pos < len && line[pos] == '+') {
		lit->sync = false;
		pos++;
	}
	if (pos + 1 != len || line[pos] != '}')
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
					"Literal must end the line.");
	return 0;
}

/* RFC 6855 §4: APPEND's "UTF8 (~{n}...)". The literal is alone in a
   list that follows the atom UTF8: the list is dropped, so the caller sees
   UTF8 as the last argument before the literal, and the ')' that closes
   it is expected after the literal. */
static bool imap_parser_utf8_literal(struct imap_parser *parser)
{
	struct imap_parser_level *top = &parser->levels[0];

	if (parser->depth != 1 || parser->levels[1].count != 0 ||
	    top->count < 2 ||
	    !imap_arg_atom_equals(&top->args[top->count - 2], "UTF8"))
		return false;
	top->count--;
	parser->n_args--;
	parser->depth = 0;
	parser->utf8_close = true;
	return true;
}

static int imap_parser_check_literal(struct imap_parser *parser)
{
	const struct imap_parser_literal *lit = &parser->literal;
	bool streamed = (parser->flags & IMAP_PARSE_FLAG_LITERAL_STREAM) != 0;

	if (!lit->sync && parser->set.literal_minus &&
	    lit->size > IMAP_LITERAL_MINUS_MAX_SIZE)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_TOOBIG,
					"[TOOBIG] Non-synchronizing literal "
					"too large for LITERAL-.");
	if (streamed) {
		if (parser->depth > 0 && !imap_parser_utf8_literal(parser))
			return imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
						"Unexpected literal in list.");
		return 0;
	}
	if (lit->size > parser->set.max_literal_size ||
	    lit->size > parser->set.max_command_size - parser->total_size)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_TOOBIG,
					"[TOOBIG] Literal too large.");
	return 0;
}

static void imap_parser_literal_complete(struct imap_parser *parser)
{
	struct imap_arg *arg = imap_parser_new_arg(parser, IMAP_ARG_LITERAL);

	parser->literal_pending = false;
	parser->need_sep = true;
	if (arg == NULL) {
		(void)imap_parser_fail(parser, IMAP_PARSE_ERROR_LIMIT,
				       "Too many arguments.");
		return;
	}
	arg->literal8 = parser->literal.literal8;
	arg->u.str = (const char *)parser->literal_data;
	arg->str_len = parser->literal.size;
	if (!arg->literal8 &&
	    memchr(parser->literal_data, '\0', parser->literal.size) != NULL)
		(void)imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
				       "NUL in literal.");
}

static enum imap_parser_result
imap_parser_start_literal(struct imap_parser *parser, const char *line,
			  size_t len, size_t pos)
{
	if (imap_parser_read_literal_size(parser, line, len, pos) < 0 ||
	    imap_parser_check_literal(parser) < 0)
		return IMAP_PARSE_ERROR;
	if ((parser->flags & IMAP_PARSE_FLAG_LITERAL_STREAM) != 0) {
		(void)imap_parser_new_arg(parser, IMAP_ARG_EOL);
		parser->levels[0].count--;
		parser->result = parser->levels[0].args;
		imap_parser_set_parents(parser->result, NULL);
		parser->literal_streaming = true;
		return IMAP_PARSE_LITERAL;
	}
	parser->total_size += parser->literal.size;
	parser->literal_left = parser->literal.size;
	parser->literal_data =
		pool_alloc(parser->pool, parser->literal.size + 1);
	parser->literal_pending = true;
	if (parser->literal_left == 0)
		imap_parser_literal_complete(parser);
	return parser->error != IMAP_PARSE_ERROR_NONE ? IMAP_PARSE_ERROR
						      : IMAP_PARSE_MORE;
}

/* One token at line[*pos] (not a space). Returns 0, 1 when the line ends
   in a literal announcement (handled), or -1. */
static int imap_parser_read_token(struct imap_parser *parser, const char *line,
				  size_t len, size_t *pos)
{
	char chr = line[*pos];
	bool after_close = parser->after_close;

	parser->after_close = false;
	if (chr == ')') {
		(*pos)++;
		parser->need_sep = true;
		parser->after_close = true;
		return imap_parser_close_list(parser);
	}
	if (parser->need_sep && !(after_close && chr == ']'))
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
					"Missing space between arguments.");
	switch (chr) {
	case '(':
		(*pos)++;
		return imap_parser_open_list(parser);
	case '"':
		parser->need_sep = true;
		return imap_parser_read_quoted(parser, line, len, pos);
	case '{':
	case '~':
		if (chr == '~' && (*pos + 1 >= len || line[*pos + 1] != '{'))
			break;
		return 1;
	default:
		break;
	}
	parser->need_sep = true;
	return imap_parser_read_atom(parser, line, len, pos);
}

/* After a streamed UTF8 literal: the line must go on with ')'. */
static bool imap_parser_skip_utf8_close(struct imap_parser *parser,
					const char **line, size_t *len)
{
	if (!parser->utf8_close)
		return true;
	parser->utf8_close = false;
	if (*len == 0 || (*line)[0] != ')')
		return false;
	(*line)++;
	(*len)--;
	return true;
}

enum imap_parser_result imap_parser_feed_line(struct imap_parser *parser,
					      const char *line, size_t len)
{
	size_t pos = 0;
	int ret;

	if (parser->error != IMAP_PARSE_ERROR_NONE)
		return IMAP_PARSE_ERROR;
	if (parser->literal_pending || parser->literal_streaming)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
					"Literal data missing.");
	memset(&parser->literal, 0, sizeof(parser->literal));
	parser->total_size += len + 2;
	if (parser->total_size > parser->set.max_command_size)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_TOOBIG,
					"[TOOBIG] Command too long.");
	if (!imap_parser_skip_utf8_close(parser, &line, &len))
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
					"Missing ')' after UTF8 literal.");
	while (pos < len) {
		if (line[pos] == ' ') {
			pos++;
			parser->need_sep = false;
			parser->after_close = false;
			continue;
		}
		ret = imap_parser_read_token(parser, line, len, &pos);
		if (ret < 0)
			return IMAP_PARSE_ERROR;
		if (ret > 0)
			return imap_parser_start_literal(parser, line, len,
							 pos);
	}
	if (parser->depth > 0)
		return imap_parser_fail(parser, IMAP_PARSE_ERROR_SYNTAX,
					"Missing ')'.");
	return imap_parser_finish(parser);
}

size_t imap_parser_feed_literal(struct imap_parser *parser, const void *data,
				size_t size)
{
	size_t used;

	if (!parser->literal_pending)
		return 0;
	used = size < parser->literal_left ? size : parser->literal_left;
	memcpy(parser->literal_data +
		       (parser->literal.size - parser->literal_left),
	       data, used);
	parser->literal_left -= used;
	if (parser->literal_left == 0)
		imap_parser_literal_complete(parser);
	return used;
}

uint64_t imap_parser_literal_remaining(const struct imap_parser *parser)
{
	return parser->literal_pending ? parser->literal_left : 0;
}

void imap_parser_get_literal(const struct imap_parser *parser,
			     struct imap_parser_literal *literal_r)
{
	*literal_r = parser->literal;
}

void imap_parser_literal_streamed(struct imap_parser *parser)
{
	i_assert(parser->literal_streaming);
	parser->literal_streaming = false;
	parser->need_sep = true;
	/* the arguments after the literal start a new top level */
	memset(&parser->levels[0], 0, sizeof(parser->levels[0]));
	parser->result = NULL;
}

const struct imap_arg *imap_parser_get_args(const struct imap_parser *parser)
{
	i_assert(parser->result != NULL);
	return parser->result;
}

enum imap_parser_error imap_parser_get_error(const struct imap_parser *parser,
					     const char **text_r)
{
	*text_r = parser->error_text;
	return parser->error;
}

bool imap_parser_is_valid_tag(const char *tag, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char chr = (unsigned char)tag[i];

		if (chr <= ' ' || chr >= 0x7f ||
		    strchr("(){%*\"\\+", chr) != NULL)
			return false;
	}
	return true;
}
