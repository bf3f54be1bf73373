#include "imap-fetch.h"
#include "imap-quote.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <string.h>

/* A FETCH argument list holds at most this many items (each body item may
   cost a pass over the message). */
#define IMAP_FETCH_MAX_BODIES 200
/* RFC 7162 §7: mod-sequence-value is at most 2^63-1. */
#define IMAP_MODSEQ_MAX INT64_MAX

struct imap_fetch_parser {
	struct pool *pool;
	struct imap_fetch_query *query;
	enum imap_fetch_parse_flags flags;
	/* the next argument of the item list */
	const struct imap_arg *arg;
	unsigned int bodies_alloc;
	const char *error;
};

static const struct {
	const char *name;
	enum imap_fetch_field fields;
} imap_fetch_simple_items[] = {
	{ "FLAGS", IMAP_FETCH_FLAGS },
	{ "INTERNALDATE", IMAP_FETCH_INTERNALDATE },
	{ "RFC822.SIZE", IMAP_FETCH_RFC822_SIZE },
	{ "ENVELOPE", IMAP_FETCH_ENVELOPE },
	{ "BODY", IMAP_FETCH_BODY },
	{ "BODYSTRUCTURE", IMAP_FETCH_BODYSTRUCTURE },
	{ "UID", IMAP_FETCH_UID },
	{ "MODSEQ", IMAP_FETCH_MODSEQ },
	{ "SAVEDATE", IMAP_FETCH_SAVEDATE },
	{ "EMAILID", IMAP_FETCH_EMAILID },
	{ "THREADID", IMAP_FETCH_THREADID },
};

#define IMAP_FETCH_FAST \
	(IMAP_FETCH_FLAGS | IMAP_FETCH_INTERNALDATE | IMAP_FETCH_RFC822_SIZE)
#define IMAP_FETCH_ALL (IMAP_FETCH_FAST | IMAP_FETCH_ENVELOPE)
#define IMAP_FETCH_FULL (IMAP_FETCH_ALL | IMAP_FETCH_BODY)

/* RFC 9051 §6.4.5: the macros stand alone, never inside a list. */
static const struct {
	const char *name;
	enum imap_fetch_field fields;
} imap_fetch_macros[] = {
	{ "ALL", IMAP_FETCH_ALL },
	{ "FAST", IMAP_FETCH_FAST },
	{ "FULL", IMAP_FETCH_FULL },
};

/* Items followed by "[section]". */
static const struct {
	const char *prefix;
	enum imap_fetch_body_type type;
	bool peek;
} imap_fetch_section_items[] = {
	{ "BODY[", IMAP_FETCH_BODY_SECTION, false },
	{ "BODY.PEEK[", IMAP_FETCH_BODY_SECTION, true },
	{ "BINARY[", IMAP_FETCH_BINARY, false },
	{ "BINARY.PEEK[", IMAP_FETCH_BINARY, true },
	{ "BINARY.SIZE[", IMAP_FETCH_BINARY_SIZE, true },
};

/* RFC822 items: the IMAP2 names of body sections (RFC 3501 §6.4.5). */
static const struct {
	const char *name;
	enum imap_section_text text;
	bool sets_seen;
} imap_fetch_rfc822_items[] = {
	{ "RFC822", IMAP_SECTION_ALL, true },
	{ "RFC822.HEADER", IMAP_SECTION_HEADER, false },
	{ "RFC822.TEXT", IMAP_SECTION_TEXT, true },
};

static const struct {
	const char *name;
	enum imap_section_text text;
} imap_section_texts[] = {
	{ "HEADER", IMAP_SECTION_HEADER },
	{ "HEADER.FIELDS", IMAP_SECTION_HEADER_FIELDS },
	{ "HEADER.FIELDS.NOT", IMAP_SECTION_HEADER_FIELDS_NOT },
	{ "TEXT", IMAP_SECTION_TEXT },
	{ "MIME", IMAP_SECTION_MIME },
};

static struct imap_fetch_body *
imap_fetch_parser_add_body(struct imap_fetch_parser *parser)
{
	struct imap_fetch_query *query = parser->query;
	struct imap_fetch_body *bodies;

	if (query->bodies_count == parser->bodies_alloc) {
		parser->bodies_alloc = parser->bodies_alloc * 2 + 4;
		bodies = p_new(parser->pool, struct imap_fetch_body,
			       parser->bodies_alloc);
		if (query->bodies_count > 0) {
			memcpy(bodies, query->bodies,
			       query->bodies_count * sizeof(*bodies));
		}
		query->bodies = bodies;
	}
	return &query->bodies[query->bodies_count++];
}

/* The part number at the start of spec: "1.2." -> "1.2", leaving *spec at
   what follows the last dot. Numbers are nz-number (RFC 9051 §9
   section-part). Returns 0, or -1. */
static int imap_fetch_parse_part(struct pool *pool, const char **spec,
				 const char **part_r)
{
	const char *p = *spec, *end = *spec;

	while (*p >= '1' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
		end = p;
		if (*p != '.')
			break;
		p++;
	}
	if (*p >= '0' && *p <= '9')
		return -1; /* a zero or a leading zero */
	*part_r = pool_strndup(pool, *spec, (size_t)(end - *spec));
	*spec = end == *spec ? p : (*end == '.' ? end + 1 : end);
	return 0;
}

/* Parses the section text inside the brackets (without the list of
   HEADER.FIELDS). Returns 0, or -1. */
static int imap_fetch_parse_section(struct pool *pool, const char *spec,
				    bool binary,
				    struct imap_fetch_section *section_r)
{
	memset(section_r, 0, sizeof(*section_r));
	if (imap_fetch_parse_part(pool, &spec, &section_r->part) < 0)
		return -1;
	if (*spec == '\0') {
		/* "1." is not a section */
		size_t len = strlen(section_r->part);

		return len > 0 && spec[-1] == '.' ? -1 : 0;
	}
	if (binary)
		return -1; /* RFC 3516 §3: section-binary has parts only */
	for (size_t i = 0; i < N_ELEMENTS(imap_section_texts); i++) {
		if (!str_eq_icase(spec, imap_section_texts[i].name))
			continue;
		section_r->text = imap_section_texts[i].text;
		if (section_r->text == IMAP_SECTION_MIME &&
		    section_r->part[0] == '\0')
			return -1; /* MIME needs a part number */
		return 0;
	}
	return -1;
}

/* HEADER.FIELDS (name ...): astrings, upper-cased. Returns 0, or -1. */
static int imap_fetch_parse_fields(struct imap_fetch_parser *parser,
				   struct imap_fetch_section *section)
{
	const struct imap_arg *list;
	unsigned int count;
	const char **fields;
	const char *name;

	if (!imap_arg_get_list(parser->arg, &list, &count) || count == 0)
		return -1;
	fields = p_new(parser->pool, const char *, count + 1);
	for (unsigned int i = 0; i < count; i++) {
		if (!imap_arg_get_astring(&list[i], &name) || name[0] == '\0' ||
		    strlen(name) != list[i].str_len)
			return -1;
		fields[i] = str_ucase(pool_strdup(parser->pool, name));
	}
	section->fields = fields;
	section->fields_count = count;
	parser->arg++;
	return 0;
}

/* "<offset.size>" after the section, or nothing. Returns 0, or -1. */
static int imap_fetch_parse_partial(const char *str,
				    struct imap_fetch_body *body)
{
	const char *dot, *end;

	if (*str == '\0')
		return 0;
	dot = strchr(str, '.');
	end = strchr(str, '>');
	if (str[0] != '<' || dot == NULL || end == NULL || end[1] != '\0' ||
	    dot > end)
		return -1;
	if (str_n_to_uint64(str + 1, (size_t)(dot - str - 1),
			    &body->partial_offset) < 0 ||
	    str_n_to_uint64(dot + 1, (size_t)(end - dot - 1),
			    &body->partial_size) < 0 ||
	    body->partial_size == 0)
		return -1;
	body->partial = true;
	return 0;
}

static const char *imap_section_text_name(enum imap_section_text text)
{
	for (size_t i = 0; i < N_ELEMENTS(imap_section_texts); i++) {
		if (imap_section_texts[i].text == text)
			return imap_section_texts[i].name;
	}
	return "";
}

/* The item's name in the response, e.g. "BODY[1.HEADER.FIELDS (TO)]<0>":
   BODY.PEEK answers as BODY, BINARY.PEEK as BINARY (RFC 9051 §7.5.2). */
static const char *imap_fetch_body_name(struct pool *pool,
					const struct imap_fetch_body *body)
{
	const struct imap_fetch_section *section = &body->section;
	string_t *str = str_new(64, SIZE_MAX);
	const char *name;

	str_append(str, body->type == IMAP_FETCH_BODY_SECTION ? "BODY["
			: body->type == IMAP_FETCH_BINARY     ? "BINARY["
							      : "BINARY.SIZE[");
	str_append(str, section->part);
	if (section->text != IMAP_SECTION_ALL) {
		if (section->part[0] != '\0')
			str_append_c(str, '.');
		str_append(str, imap_section_text_name(section->text));
	}
	for (unsigned int i = 0; i < section->fields_count; i++) {
		str_append(str, i == 0 ? " (" : " ");
		imap_append_astring(str, section->fields[i], 0);
	}
	if (section->fields_count > 0)
		str_append_c(str, ')');
	str_append_c(str, ']');
	if (body->partial)
		str_printfa(str, "<%llu>",
			    (unsigned long long)body->partial_offset);
	name = pool_strdup(pool, str_c(str));
	str_free(&str);
	return name;
}

/* BODY[...], BODY.PEEK[...], BINARY[...], BINARY.PEEK[...],
   BINARY.SIZE[...]; atom is the item's first atom, after the prefix. The
   lenient atoms of imap-arg.h split "BODY[HEADER.FIELDS (A B)]<0.5>" into
   an atom, a list and "]<0.5>". */
static int imap_fetch_parse_section_item(struct imap_fetch_parser *parser,
					 const char *rest,
					 enum imap_fetch_body_type type,
					 bool peek)
{
	struct imap_fetch_body body;
	const char *close = strchr(rest, ']');
	const char *spec, *after;

	memset(&body, 0, sizeof(body));
	body.type = type;
	spec = pool_strndup(parser->pool, rest,
			    close != NULL ? (size_t)(close - rest)
					  : strlen(rest));
	if (imap_fetch_parse_section(parser->pool, spec,
				     type != IMAP_FETCH_BODY_SECTION,
				     &body.section) < 0)
		return -1;
	if (body.section.text == IMAP_SECTION_HEADER_FIELDS ||
	    body.section.text == IMAP_SECTION_HEADER_FIELDS_NOT) {
		if (close != NULL ||
		    imap_fetch_parse_fields(parser, &body.section) < 0)
			return -1;
		if (!imap_arg_get_atom(parser->arg, &after) || after[0] != ']')
			return -1;
		parser->arg++;
		after++;
	} else {
		if (close == NULL)
			return -1;
		after = close + 1;
	}
	if (imap_fetch_parse_partial(after, &body) < 0)
		return -1;
	if (body.partial && type == IMAP_FETCH_BINARY_SIZE)
		return -1; /* RFC 3516 §3: BINARY.SIZE takes no partial */
	body.sets_seen = !peek;
	body.name = imap_fetch_body_name(parser->pool, &body);
	*imap_fetch_parser_add_body(parser) = body;
	return 0;
}

static bool imap_fetch_parse_rfc822(struct imap_fetch_parser *parser,
				    const char *name)
{
	struct imap_fetch_body *body;

	for (size_t i = 0; i < N_ELEMENTS(imap_fetch_rfc822_items); i++) {
		if (!str_eq_icase(name, imap_fetch_rfc822_items[i].name))
			continue;
		body = imap_fetch_parser_add_body(parser);
		memset(body, 0, sizeof(*body));
		body->type = IMAP_FETCH_BODY_SECTION;
		body->section.part = "";
		body->section.text = imap_fetch_rfc822_items[i].text;
		body->sets_seen = imap_fetch_rfc822_items[i].sets_seen;
		body->name = imap_fetch_rfc822_items[i].name;
		return true;
	}
	return false;
}

/* One item at parser->arg (consuming it and what belongs to it). */
static int imap_fetch_parse_item(struct imap_fetch_parser *parser)
{
	const char *atom;

	if (!imap_arg_get_atom(parser->arg, &atom)) {
		parser->error = "Invalid FETCH item";
		return -1;
	}
	parser->arg++;
	for (size_t i = 0; i < N_ELEMENTS(imap_fetch_simple_items); i++) {
		if (str_eq_icase(atom, imap_fetch_simple_items[i].name)) {
			parser->query->fields |=
				imap_fetch_simple_items[i].fields;
			return 0;
		}
	}
	if (imap_fetch_parse_rfc822(parser, atom))
		return 0;
	for (size_t i = 0; i < N_ELEMENTS(imap_fetch_section_items); i++) {
		const char *prefix = imap_fetch_section_items[i].prefix;

		if (!str_begins_icase(atom, prefix))
			continue;
		if (imap_fetch_parse_section_item(
			    parser, atom + strlen(prefix),
			    imap_fetch_section_items[i].type,
			    imap_fetch_section_items[i].peek) < 0) {
			parser->error = "Invalid section in FETCH item";
			return -1;
		}
		return 0;
	}
	parser->error = "Unknown FETCH item";
	return -1;
}

static int imap_fetch_parse_items(struct imap_fetch_parser *parser,
				  const struct imap_arg *items)
{
	const char *atom;

	if (imap_arg_get_atom(items, &atom)) {
		for (size_t i = 0; i < N_ELEMENTS(imap_fetch_macros); i++) {
			if (str_eq_icase(atom, imap_fetch_macros[i].name)) {
				parser->query->fields |=
					imap_fetch_macros[i].fields;
				return 1;
			}
		}
		parser->arg = items;
		if (imap_fetch_parse_item(parser) < 0)
			return -1;
		return (int)(parser->arg - items);
	}
	if (!imap_arg_get_list(items, &parser->arg, NULL) ||
	    IMAP_ARG_IS_EOL(parser->arg)) {
		parser->error = "Invalid FETCH item list";
		return -1;
	}
	while (!IMAP_ARG_IS_EOL(parser->arg)) {
		if (imap_fetch_parse_item(parser) < 0)
			return -1;
		if (parser->query->bodies_count > IMAP_FETCH_MAX_BODIES) {
			parser->error = "Too many body sections in FETCH";
			return -1;
		}
	}
	return 1;
}

static int imap_fetch_parse_modseq(const struct imap_arg *arg,
				   uint64_t *modseq_r)
{
	const char *atom;

	if (!imap_arg_get_atom(arg, &atom) ||
	    str_to_uint64(atom, modseq_r) < 0 || *modseq_r > IMAP_MODSEQ_MAX)
		return -1;
	return 0;
}

/* RFC 7162 §3.1.4 and §3.2.6: (CHANGEDSINCE modseq [VANISHED]). */
static int imap_fetch_parse_modifiers(struct imap_fetch_parser *parser,
				      const struct imap_arg *arg)
{
	struct imap_fetch_query *query = parser->query;
	const struct imap_arg *list;

	if (!imap_arg_get_list(arg, &list, NULL) || IMAP_ARG_IS_EOL(list))
		return -1;
	for (; !IMAP_ARG_IS_EOL(list); list++) {
		if (imap_arg_atom_equals(list, "CHANGEDSINCE") &&
		    !query->changedsince_set) {
			if (imap_fetch_parse_modseq(++list,
						    &query->changedsince) < 0)
				return -1;
			query->changedsince_set = true;
		} else if (imap_arg_atom_equals(list, "VANISHED") &&
			   !query->vanished) {
			query->vanished = true;
		} else {
			return -1;
		}
	}
	return 0;
}

/* RFC 7162 §3.2.6: VANISHED only in UID FETCH with QRESYNC enabled, and
   only together with CHANGEDSINCE. */
static int imap_fetch_check_vanished(struct imap_fetch_parser *parser)
{
	const struct imap_fetch_query *query = parser->query;
	const enum imap_fetch_parse_flags need =
		IMAP_FETCH_PARSE_FLAG_UID | IMAP_FETCH_PARSE_FLAG_QRESYNC;

	if (!query->vanished)
		return 0;
	if ((parser->flags & need) != need) {
		parser->error = "VANISHED needs UID FETCH with QRESYNC enabled";
		return -1;
	}
	if (!query->changedsince_set) {
		parser->error = "VANISHED needs CHANGEDSINCE";
		return -1;
	}
	return 0;
}

int imap_fetch_query_parse(struct pool *pool, const struct imap_arg *args,
			   enum imap_fetch_parse_flags flags,
			   struct imap_fetch_query *query_r,
			   const char **error_r)
{
	struct imap_fetch_parser parser = { .pool = pool,
					    .query = query_r,
					    .flags = flags };
	int consumed;

	memset(query_r, 0, sizeof(*query_r));
	if (IMAP_ARG_IS_EOL(args)) {
		*error_r = "Missing FETCH items";
		return -1;
	}
	consumed = imap_fetch_parse_items(&parser, args);
	if (consumed < 0) {
		*error_r = parser.error;
		return -1;
	}
	args += consumed;
	if (!IMAP_ARG_IS_EOL(args)) {
		if (imap_fetch_parse_modifiers(&parser, args) < 0 ||
		    !IMAP_ARG_IS_EOL(&args[1])) {
			*error_r = "Invalid FETCH modifiers";
			return -1;
		}
	}
	if (imap_fetch_check_vanished(&parser) < 0) {
		*error_r = parser.error;
		return -1;
	}
	if ((flags & IMAP_FETCH_PARSE_FLAG_UID) != 0)
		query_r->fields |= IMAP_FETCH_UID;
	if (query_r->changedsince_set)
		query_r->fields |= IMAP_FETCH_MODSEQ;
	for (unsigned int i = 0; i < query_r->bodies_count; i++)
		query_r->sets_seen |= query_r->bodies[i].sets_seen;
	return 0;
}

bool imap_fetch_query_uses_condstore(const struct imap_fetch_query *query)
{
	return (query->fields & IMAP_FETCH_MODSEQ) != 0 ||
	       query->changedsince_set;
}
