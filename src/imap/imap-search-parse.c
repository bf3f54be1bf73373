#include "imap-search.h"
#include "charset.h"
#include "message-date.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <string.h>

/* NOT and OR nest keys; bound the recursion whatever the client sends. */
#define IMAP_SEARCH_MAX_DEPTH 100
/* Keys in one SEARCH (the parser bounds the arguments too). */
#define IMAP_SEARCH_MAX_SEQSETS 1000
/* RFC 7162 §7: mod-sequence-valzer is at most 2^63-1. */
#define IMAP_SEARCH_MODSEQ_MAX INT64_MAX

struct imap_search_parser {
	struct pool *pool;
	struct imap_search_query *query;
	/* the next argument */
	const struct imap_arg *arg;
	/* CHARSET, NULL for UTF-8 */
	const char *charset;
	unsigned int depth;
	unsigned int seqsets_alloc;
	const char *error;
};

struct imap_search_key_def;
typedef int imap_search_key_parse_t(struct imap_search_parser *parser,
				    const struct imap_search_key_def *def,
				    struct mail_search_key **key_r);

struct imap_search_key_def {
	const char *name;
	imap_search_key_parse_t *parse;
	enum mail_search_key_type type;
	/* flags for flag keys, the header of FROM, TO, ... */
	enum mail_flags flags;
	const char *header;
	/* UNANSWERED, UNKEYWORD, ...: NOT of the key */
	bool negate;
};

static struct mail_search_key *
imap_search_key_new(struct imap_search_parser *parser,
		    enum mail_search_key_type type)
{
	struct mail_search_key *key =
		p_new(parser->pool, struct mail_search_key, 1);

	key->type = type;
	return key;
}

static struct mail_search_key *
imap_search_not(struct imap_search_parser *parser, struct mail_search_key *key)
{
	struct mail_search_key *not = imap_search_key_new(parser, SEARCH_NOT);

	not ->u.subkeys = key;
	return not ;
}

static int imap_search_error(struct imap_search_parser *parser,
			     const char *error)
{
	if (parser->error == NULL)
		parser->error = error;
	return -1;
}

/* ---- Arguments of keys ---- */

/* An astring converted to UTF-8 from the CHARSET. */
static int imap_search_get_string(struct imap_search_parser *parser,
				  const char **str_r)
{
	const struct imap_arg *arg = parser->arg;
	buffer_t utf8;
	const char *str;

	if (!imap_arg_get_astring(arg, &str) || strlen(str) != arg->str_len)
		return imap_search_error(parser, "Missing or invalid string");
	parser->arg++;
	buffer_init(&utf8, SIZE_MAX);
	if (parser->charset == NULL) {
		(void)charset_utf8_sanitize(str, arg->str_len, &utf8);
	} else if (charset_convert_to_utf8(parser->charset, str, arg->str_len,
					   &utf8) < 0) {
		buffer_deinit(&utf8);
		return imap_search_error(parser, "Invalid string");
	}
	*str_r = pool_strndup(parser->pool, utf8.data, utf8.used);
	buffer_deinit(&utf8);
	return 0;
}

static int imap_search_get_atom(struct imap_search_parser *parser,
				const char **atom_r)
{
	if (!imap_arg_get_atom(parser->arg, atom_r))
		return imap_search_error(parser, "Missing or invalid argument");
	parser->arg++;
	return 0;
}

static int imap_search_get_number(struct imap_search_parser *parser,
				  uint64_t max, uint64_t *num_r)
{
	const char *atom;

	if (imap_search_get_atom(parser, &atom) < 0)
		return -1;
	if (str_to_uint64(atom, num_r) < 0 || *num_r > max)
		return imap_search_error(parser, "Invalid number");
	return 0;
}

/* ---- Keys ---- */

static int imap_search_parse_simple(struct imap_search_parser *parser,
				    const struct imap_search_key_def *def,
				    struct mail_search_key **key_r)
{
	*key_r = imap_search_key_new(parser, def->type);
	return 0;
}

static int imap_search_parse_flags(struct imap_search_parser *parser,
				   const struct imap_search_key_def *def,
				   struct mail_search_key **key_r)
{
	struct mail_search_key *key = imap_search_key_new(parser, SEARCH_FLAGS);

	key->u.flags = def->flags;
	*key_r = def->negate ? imap_search_not(parser, key) : key;
	return 0;
}

/* NEW: \Recent and not \Seen (RFC 3501 §6.4.4). */
static int imap_search_parse_new(struct imap_search_parser *parser,
				 const struct imap_search_key_def *def,
				 struct mail_search_key **key_r)
{
	struct mail_search_key *recent, *seen;

	recent = imap_search_key_new(parser, SEARCH_FLAGS);
	recent->u.flags = MAIL_RECENT;
	seen = imap_search_key_new(parser, SEARCH_FLAGS);
	seen->u.flags = MAIL_SEEN;
	recent->next = imap_search_not(parser, seen);
	*key_r = imap_search_key_new(parser, SEARCH_AND);
	(*key_r)->u.subkeys = recent;
	return 0;
}

static int imap_search_parse_keyword(struct imap_search_parser *parser,
				     const struct imap_search_key_def *def,
				     struct mail_search_key **key_r)
{
	struct mail_search_key *key =
		imap_search_key_new(parser, SEARCH_KEYWORD);

	if (imap_search_get_atom(parser, &key->u.str) < 0)
		return -1;
	*key_r = def->negate ? imap_search_not(parser, key) : key;
	return 0;
}

static int imap_search_parse_string(struct imap_search_parser *parser,
				    const struct imap_search_key_def *def,
				    struct mail_search_key **key_r)
{
	*key_r = imap_search_key_new(parser, def->type);
	return imap_search_get_string(parser, &(*key_r)->u.str);
}

/* FROM, TO, CC, BCC, SUBJECT and HEADER name value. */
static int imap_search_parse_header(struct imap_search_parser *parser,
				    const struct imap_search_key_def *def,
				    struct mail_search_key **key_r)
{
	struct mail_search_key *key =
		imap_search_key_new(parser, SEARCH_HEADER);

	key->u.header.name = def->header;
	if (key->u.header.name == NULL &&
	    imap_search_get_string(parser, &key->u.header.name) < 0)
		return -1;
	if (key->u.header.name[0] == '\0')
		return imap_search_error(parser, "Empty header name");
	*key_r = key;
	return imap_search_get_string(parser, &key->u.header.value);
}

/* date = date-text / DQUOTE date-text DQUOTE (RFC 9051 §9), kept as
   00:00 UTC of that day. */
static int imap_search_parse_date(struct imap_search_parser *parser,
				  const struct imap_search_key_def *def,
				  struct mail_search_key **key_r)
{
	const char *str;
	long day;

	if (!imap_arg_get_astring(parser->arg, &str) ||
	    message_date_parse_imap_day(str, &day) < 0)
		return imap_search_error(parser, "Invalid date");
	parser->arg++;
	*key_r = imap_search_key_new(parser, def->type);
	(*key_r)->u.date = (time_t)day * 24 * 60 * 60;
	return 0;
}

static int imap_search_parse_size(struct imap_search_parser *parser,
				  const struct imap_search_key_def *def,
				  struct mail_search_key **key_r)
{
	*key_r = imap_search_key_new(parser, def->type);
	return imap_search_get_number(parser, UINT64_MAX, &(*key_r)->u.size);
}

/* MODSEQ ["/flags/name" priv|shared|all] n (RFC 7162 §3.1.5): the entry
   is checked and ignored, as storage keeps one MODSEQ per message. */
static int imap_search_parse_modseq(struct imap_search_parser *parser,
				    const struct imap_search_key_def *def,
				    struct mail_search_key **key_r)
{
	const char *entry;

	if (imap_arg_get_quoted(parser->arg, &entry)) {
		if (!str_begins_icase(entry, "/flags/") ||
		    !(imap_arg_atom_equals(&parser->arg[1], "priv") ||
		      imap_arg_atom_equals(&parser->arg[1], "shared") ||
		      imap_arg_atom_equals(&parser->arg[1], "all")))
			return imap_search_error(parser,
						 "Invalid MODSEQ entry");
		parser->arg += 2;
	}
	*key_r = imap_search_key_new(parser, SEARCH_MODSEQ);
	parser->query->has_modseq = true;
	return imap_search_get_number(parser, IMAP_SEARCH_MODSEQ_MAX,
				      &(*key_r)->u.modseq);
}

static int imap_search_add_seqset(struct imap_search_parser *parser,
				  const char *str, bool uid,
				  struct mail_search_key **key_r)
{
	struct imap_search_query *query = parser->query;
	struct imap_search_seqset *seqsets;
	const char *error;

	if (query->seqsets_count == IMAP_SEARCH_MAX_SEQSETS)
		return imap_search_error(parser, "Too many sequence sets");
	if (query->seqsets_count == parser->seqsets_alloc) {
		parser->seqsets_alloc = parser->seqsets_alloc * 2 + 4;
		seqsets = p_new(parser->pool, struct imap_search_seqset,
				parser->seqsets_alloc);
		if (query->seqsets_count > 0) {
			memcpy(seqsets, query->seqsets,
			       query->seqsets_count * sizeof(*seqsets));
		}
		query->seqsets = seqsets;
	}
	seqsets = &query->seqsets[query->seqsets_count];
	if (imap_seqset_parse(parser->pool, str, &seqsets->seqset, &error) < 0)
		return imap_search_error(parser, "Invalid sequence set");
	query->seqsets_count++;
	seqsets->uid = uid;
	seqsets->key = imap_search_key_new(parser,
					   uid ? SEARCH_UIDSET : SEARCH_SEQSET);
	seq_range_set_init(&seqsets->key->u.set, parser->pool);
	*key_r = seqsets->key;
	return 0;
}

static int imap_search_parse_uid(struct imap_search_parser *parser,
				 const struct imap_search_key_def *def,
				 struct mail_search_key **key_r)
{
	const char *str;

	if (imap_search_get_atom(parser, &str) < 0)
		return -1;
	return imap_search_add_seqset(parser, str, true, key_r);
}

static int imap_search_parse_key(struct imap_search_parser *parser,
				 struct mail_search_key **key_r);

static int imap_search_parse_not(struct imap_search_parser *parser,
				 const struct imap_search_key_def *def,
				 struct mail_search_key **key_r)
{
	struct mail_search_key *key;

	if (imap_search_parse_key(parser, &key) < 0)
		return -1;
	*key_r = imap_search_not(parser, key);
	return 0;
}

static int imap_search_parse_or(struct imap_search_parser *parser,
				const struct imap_search_key_def *def,
				struct mail_search_key **key_r)
{
	struct mail_search_key *first, *second;

	if (imap_search_parse_key(parser, &first) < 0 ||
	    imap_search_parse_key(parser, &second) < 0)
		return -1;
	first->next = second;
	*key_r = imap_search_key_new(parser, SEARCH_OR);
	(*key_r)->u.subkeys = first;
	return 0;
}

#define KEY(name, fn, type)                                        \
	{                                                          \
		name, imap_search_parse_##fn, type, 0, NULL, false \
	}
#define FLAG(name, flag, negate)                                         \
	{                                                                \
		name, imap_search_parse_flags, SEARCH_FLAGS, flag, NULL, \
			negate                                           \
	}
#define HEADER(name, header)                                              \
	{                                                                 \
		name, imap_search_parse_header, SEARCH_HEADER, 0, header, \
			false                                             \
	}

static const struct imap_search_key_def imap_search_keys[] = {
	KEY("ALL", simple, SEARCH_ALL),
	FLAG("ANSWERED", MAIL_ANSWERED, false),
	HEADER("BCC", "Bcc"),
	KEY("BEFORE", date, SEARCH_BEFORE),
	KEY("BODY", string, SEARCH_BODY),
	HEADER("CC", "Cc"),
	FLAG("DELETED", MAIL_DELETED, false),
	FLAG("DRAFT", MAIL_DRAFT, false),
	KEY("EMAILID", string, SEARCH_EMAILID),
	FLAG("FLAGGED", MAIL_FLAGGED, false),
	HEADER("FROM", "From"),
	HEADER("HEADER", NULL),
	KEY("KEYWORD", keyword, SEARCH_KEYWORD),
	KEY("LARGER", size, SEARCH_LARGER),
	KEY("MODSEQ", modseq, SEARCH_MODSEQ),
	KEY("NEW", new, SEARCH_AND),
	KEY("NOT", not, SEARCH_NOT),
	FLAG("OLD", MAIL_RECENT, true),
	KEY("ON", date, SEARCH_ON),
	KEY("OR", or, SEARCH_OR),
	FLAG("RECENT", MAIL_RECENT, false),
	KEY("SAVEDATESUPPORTED", simple, SEARCH_SAVEDATESUPPORTED),
	KEY("SAVEDBEFORE", date, SEARCH_SAVEDBEFORE),
	KEY("SAVEDON", date, SEARCH_SAVEDON),
	KEY("SAVEDSINCE", date, SEARCH_SAVEDSINCE),
	FLAG("SEEN", MAIL_SEEN, false),
	KEY("SENTBEFORE", date, SEARCH_SENTBEFORE),
	KEY("SENTON", date, SEARCH_SENTON),
	KEY("SENTSINCE", date, SEARCH_SENTSINCE),
	KEY("SINCE", date, SEARCH_SINCE),
	KEY("SMALLER", size, SEARCH_SMALLER),
	HEADER("SUBJECT", "Subject"),
	KEY("TEXT", string, SEARCH_TEXT),
	KEY("THREADID", string, SEARCH_THREADID),
	HEADER("TO", "To"),
	KEY("UID", uid, SEARCH_UIDSET),
	FLAG("UNANSWERED", MAIL_ANSWERED, true),
	FLAG("UNDELETED", MAIL_DELETED, true),
	FLAG("UNDRAFT", MAIL_DRAFT, true),
	FLAG("UNFLAGGED", MAIL_FLAGGED, true),
	{ "UNKEYWORD", imap_search_parse_keyword, SEARCH_KEYWORD, 0, NULL,
	  true },
	FLAG("UNSEEN", MAIL_SEEN, true),
};

static int imap_search_parse_list(struct imap_search_parser *parser,
				  const struct imap_arg *args,
				  struct mail_search_key **keys_r);

/* A parenthesized list: an AND of its keys. */
static int imap_search_parse_sublist(struct imap_search_parser *parser,
				     struct mail_search_key **key_r)
{
	const struct imap_arg *list;
	const struct imap_arg *next = parser->arg + 1;

	(void)imap_arg_get_list(parser->arg, &list, NULL);
	if (IMAP_ARG_IS_EOL(list))
		return imap_search_error(parser, "Empty list of search keys");
	*key_r = imap_search_key_new(parser, SEARCH_AND);
	if (imap_search_parse_list(parser, list, &(*key_r)->u.subkeys) < 0)
		return -1;
	parser->arg = next;
	return 0;
}

static int imap_search_parse_key_at(struct imap_search_parser *parser,
				    struct mail_search_key **key_r)
{
	const char *atom;

	if (parser->arg->type == IMAP_ARG_LIST)
		return imap_search_parse_sublist(parser, key_r);
	if (imap_search_get_atom(parser, &atom) < 0)
		return imap_search_error(parser, "Missing search key");
	if ((atom[0] >= '0' && atom[0] <= '9') || atom[0] == '*' ||
	    atom[0] == '$')
		return imap_search_add_seqset(parser, atom, false, key_r);
	for (size_t i = 0; i < N_ELEMENTS(imap_search_keys); i++) {
		if (str_eq_icase(atom, imap_search_keys[i].name)) {
			return imap_search_keys[i].parse(
				parser, &imap_search_keys[i], key_r);
		}
	}
	return imap_search_error(parser, "Unknown search key");
}

static int imap_search_parse_key(struct imap_search_parser *parser,
				 struct mail_search_key **key_r)
{
	int ret;

	if (IMAP_ARG_IS_EOL(parser->arg))
		return imap_search_error(parser, "Missing search key");
	if (++parser->depth > IMAP_SEARCH_MAX_DEPTH)
		return imap_search_error(parser, "Search keys nested too deep");
	ret = imap_search_parse_key_at(parser, key_r);
	parser->depth--;
	return ret;
}

/* Keys up to the EOL of args, linked with next. */
static int imap_search_parse_list(struct imap_search_parser *parser,
				  const struct imap_arg *args,
				  struct mail_search_key **keys_r)
{
	struct mail_search_key **tail = keys_r;

	parser->arg = args;
	while (!IMAP_ARG_IS_EOL(parser->arg)) {
		if (imap_search_parse_key(parser, tail) < 0)
			return -1;
		tail = &(*tail)->next;
	}
	return 0;
}

/* ---- RETURN and CHARSET ---- */

static int imap_search_parse_return(struct imap_search_parser *parser,
				    const struct imap_arg *arg)
{
	static const struct {
		const char *name;
		enum imap_search_return ret;
	} options[] = {
		{ "MIN", IMAP_SEARCH_RETURN_MIN },
		{ "MAX", IMAP_SEARCH_RETURN_MAX },
		{ "ALL", IMAP_SEARCH_RETURN_ALL },
		{ "COUNT", IMAP_SEARCH_RETURN_COUNT },
		{ "SAVE", IMAP_SEARCH_RETURN_SAVE },
	};
	const struct imap_arg *list;
	size_t i;

	if (!imap_arg_get_list(arg, &list, NULL))
		return imap_search_error(parser, "Invalid RETURN options");
	for (; !IMAP_ARG_IS_EOL(list); list++) {
		for (i = 0; i < N_ELEMENTS(options); i++) {
			if (imap_arg_atom_equals(list, options[i].name))
				break;
		}
		if (i == N_ELEMENTS(options))
			return imap_search_error(
				parser, "Unknown SEARCH return option");
		parser->query->ret |= options[i].ret;
	}
	/* RFC 4731 §3.1: RETURN () means RETURN (ALL) */
	if (parser->query->ret == 0)
		parser->query->ret = IMAP_SEARCH_RETURN_ALL;
	parser->query->esearch = true;
	return 0;
}

/* Returns 0, -1 (BAD) or -2 (BADCHARSET). */
static int imap_search_parse_charset(struct imap_search_parser *parser,
				     const struct imap_arg *arg)
{
	const char *charset;

	if (!imap_arg_get_astring(arg, &charset))
		return imap_search_error(parser, "Invalid CHARSET");
	if (charset_is_utf8(charset) || str_eq_icase(charset, "US-ASCII"))
		return 0;
	if (!charset_is_known(charset))
		return -2;
	parser->charset = pool_strdup(parser->pool, charset);
	return 0;
}

enum imap_search_parse_result
imap_search_parse(struct pool *pool, const struct imap_arg *args, bool rev2,
		  struct imap_search_query *query_r, const char **error_r)
{
	struct imap_search_parser parser = { .pool = pool, .query = query_r };
	int ret;

	memset(query_r, 0, sizeof(*query_r));
	if (imap_arg_atom_equals(args, "RETURN")) {
		if (imap_search_parse_return(&parser, &args[1]) < 0)
			goto bad;
		args += 2;
	} else if (rev2) {
		/* RFC 9051 §6.4.4: only ESEARCH, ALL by default */
		query_r->esearch = true;
		query_r->ret = IMAP_SEARCH_RETURN_ALL;
	}
	if (imap_arg_atom_equals(args, "CHARSET")) {
		ret = imap_search_parse_charset(&parser, &args[1]);
		if (ret == -2)
			return IMAP_SEARCH_PARSE_BADCHARSET;
		if (ret < 0)
			goto bad;
		args += 2;
	}
	if (IMAP_ARG_IS_EOL(args)) {
		imap_search_error(&parser, "Missing search keys");
		goto bad;
	}
	if (imap_search_parse_list(&parser, args, &query_r->keys) == 0)
		return IMAP_SEARCH_PARSE_OK;
bad:
	*error_r = parser.error;
	return IMAP_SEARCH_PARSE_BAD;
}
