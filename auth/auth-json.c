#include "auth-json.h"
#include "array.h"
#include "pool.h"
#include "str.h"

#include <string.h>

#define AUTH_JSON_MAX_DEPTH 16

struct json_parser {
	struct pool *pool;
	const char *p, *end;
	unsigned int depth;
};

static void json_skip_ws(struct json_parser *parser)
{
	while (parser->p < parser->end &&
	       (*parser->p == ' ' || *parser->p == '\t' || *parser->p == '\n' ||
		*parser->p == '\r'))
		parser->p++;
}

static int json_hex4(const char *p, unsigned int *value_r)
{
	*value_r = 0;
	for (unsigned int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		*value_r = *value_r * 16 + d;
	}
	return 0;
}

static void json_append_utf8(string_t *str, unsigned int cp)
{
	if (cp < 0x80) {
		str_append_c(str, (char)cp);
	} else if (cp < 0x800) {
		str_append_c(str, (char)(0xc0 | (cp >> 6)));
		str_append_c(str, (char)(0x80 | (cp & 0x3f)));
	} else {
		str_append_c(str, (char)(0xe0 | (cp >> 12)));
		str_append_c(str, (char)(0x80 | ((cp >> 6) & 0x3f)));
		str_append_c(str, (char)(0x80 | (cp & 0x3f)));
	}
}

static int json_escape(struct json_parser *parser, string_t *str)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *pos;
	unsigned int cp;

	if (parser->p >= parser->end)
		return -1;
	if (*parser->p == 'u') {
		/* surrogate pairs are kept as two 3-byte sequences: claims
		   we compare are ASCII */
		if (parser->end - parser->p < 5 ||
		    json_hex4(parser->p + 1, &cp) < 0 || cp == 0)
			return -1;
		json_append_utf8(str, cp);
		parser->p += 5;
		return 0;
	}
	pos = memchr(from, *parser->p, sizeof(from) - 1);
	if (pos == NULL)
		return -1;
	str_append_c(str, to[pos - from]);
	parser->p++;
	return 0;
}

static int json_parse_string(struct json_parser *parser, const char **value_r)
{
	string_t *str;
	int ret = -1;

	if (parser->p >= parser->end || *parser->p != '"')
		return -1;
	parser->p++;
	str = str_new(64, 65536);
	while (parser->p < parser->end) {
		unsigned char c = (unsigned char)*parser->p++;

		if (c == '"') {
			ret = str->overflow ? -1 : 0;
			break;
		}
		if (c < 0x20)
			break;
		if (c != '\\')
			str_append_c(str, (char)c);
		else if (json_escape(parser, str) < 0)
			break;
	}
	if (ret == 0)
		*value_r = pool_strdup(parser->pool, str_c(str));
	str_free(&str);
	return ret;
}

static int json_parse_literal(struct json_parser *parser,
			      enum auth_json_type *type_r, const char **value_r)
{
	const char *start = parser->p;

	while (parser->p < parser->end &&
	       strchr("0123456789+-.eEtruefalsn", *parser->p) != NULL)
		parser->p++;
	if (parser->p == start)
		return -1;
	*value_r = pool_strndup(parser->pool, start, parser->p - start);
	if (strcmp(*value_r, "true") == 0 || strcmp(*value_r, "false") == 0)
		*type_r = AUTH_JSON_BOOL;
	else if (strcmp(*value_r, "null") == 0)
		*type_r = AUTH_JSON_NULL;
	else if (strspn(*value_r, "0123456789+-.eE") == strlen(*value_r))
		*type_r = AUTH_JSON_NUMBER;
	else
		return -1;
	return 0;
}

static int json_parse_value(struct json_parser *parser,
			    struct auth_json_member *member);

/* Parses [ ... ] or { ... }; an array of only strings is kept. */
static int json_parse_container(struct json_parser *parser, char close,
				struct auth_json_member *member)
{
	ARRAY(const char *) strings = ARRAY_INIT;
	bool all_strings = close == ']';
	int ret = -1;

	if (++parser->depth > AUTH_JSON_MAX_DEPTH)
		return -1;
	parser->p++;
	json_skip_ws(parser);
	if (parser->p < parser->end && *parser->p == close) {
		parser->p++;
		ret = 0;
	}
	while (ret < 0) {
		struct auth_json_member sub;
		const char *name;

		json_skip_ws(parser);
		if (close == '}' &&
		    (json_parse_string(parser, &name) < 0 ||
		     (json_skip_ws(parser), parser->p >= parser->end) ||
		     *parser->p++ != ':'))
			break;
		if (json_parse_value(parser, &sub) < 0)
			break;
		if (sub.type == AUTH_JSON_STRING)
			array_push(&strings, sub.value);
		else
			all_strings = false;
		json_skip_ws(parser);
		if (parser->p >= parser->end)
			break;
		if (*parser->p == close)
			ret = 0;
		else if (*parser->p != ',')
			break;
		parser->p++;
	}
	parser->depth--;
	member->type = all_strings ? AUTH_JSON_STRING_ARRAY : AUTH_JSON_OTHER;
	if (ret == 0 && all_strings) {
		const char **list =
			p_new(parser->pool, const char *, strings.count + 1);

		if (strings.count > 0)
			memcpy(list, strings.v, strings.count * sizeof(*list));
		member->strings = list;
	}
	array_free(&strings);
	return ret;
}

static int json_parse_value(struct json_parser *parser,
			    struct auth_json_member *member)
{
	memset(member, 0, sizeof(*member));
	json_skip_ws(parser);
	if (parser->p >= parser->end)
		return -1;
	switch (*parser->p) {
	case '"':
		member->type = AUTH_JSON_STRING;
		return json_parse_string(parser, &member->value);
	case '[':
		return json_parse_container(parser, ']', member);
	case '{':
		return json_parse_container(parser, '}', member);
	default:
		return json_parse_literal(parser, &member->type,
					  &member->value);
	}
}

static int json_parse_member(struct json_parser *parser,
			     struct auth_json_member *member)
{
	const char *name;

	json_skip_ws(parser);
	if (json_parse_string(parser, &name) < 0)
		return -1;
	json_skip_ws(parser);
	if (parser->p >= parser->end || *parser->p++ != ':' ||
	    json_parse_value(parser, member) < 0)
		return -1;
	member->name = name;
	return 0;
}

int auth_json_parse_object(struct pool *pool, const char *text, size_t len,
			   struct auth_json_member *members,
			   unsigned int max_members)
{
	struct json_parser parser = { pool, text, text + len, 1 };
	unsigned int count = 0;

	json_skip_ws(&parser);
	if (parser.p >= parser.end || *parser.p++ != '{')
		return -1;
	json_skip_ws(&parser);
	if (parser.p < parser.end && *parser.p == '}') {
		parser.p++;
	} else {
		for (;;) {
			if (count >= max_members ||
			    json_parse_member(&parser, &members[count++]) < 0)
				return -1;
			json_skip_ws(&parser);
			if (parser.p >= parser.end)
				return -1;
			if (*parser.p++ == '}')
				break;
			if (parser.p[-1] != ',')
				return -1;
		}
	}
	json_skip_ws(&parser);
	return parser.p == parser.end ? (int)count : -1;
}

const struct auth_json_member *
auth_json_find(const struct auth_json_member *members, unsigned int count,
	       const char *name)
{
	for (unsigned int i = 0; i < count; i++) {
		if (strcmp(members[i].name, name) == 0)
			return &members[i];
	}
	return NULL;
}
