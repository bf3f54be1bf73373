#include "config.h"
#include "array.h"
#include "log.h"
#include "pool.h"
#include "str.h"
#include "strfuncs.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#define CONFIG_MAX_INCLUDE_DEPTH 8
#define CONFIG_MAX_LINE 8192

/* Where each key was first set, to report duplicates. */
struct config_seen {
	const struct setting_section *section;
	const struct setting_def *def;
};

struct config_parser {
	struct setting_section *const *sections;
	struct pool *pool;
	const struct setting_section *cur_section;
	ARRAY(struct config_seen) seen;
	const char *error;
};

int config_parse_bool(const char *value, bool *bool_r)
{
	if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "true") == 0 ||
	    strcmp(value, "1") == 0)
		*bool_r = true;
	else if (strcasecmp(value, "no") == 0 ||
		 strcasecmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*bool_r = false;
	else
		return -1;
	return 0;
}

static int config_parse_suffixed(const char *value,
				 const char *const suffixes[],
				 const uint64_t multipliers[], uint64_t *num_r)
{
	size_t digits = strspn(value, "0123456789");
	const char *suffix = value + digits;
	uint64_t num;

	if (str_n_to_uint64(value, digits, &num) < 0)
		return -1;
	while (*suffix == ' ')
		suffix++;
	for (unsigned int i = 0; suffixes[i] != NULL; i++) {
		if (strcasecmp(suffix, suffixes[i]) != 0)
			continue;
		if (multipliers[i] != 0 && num > UINT64_MAX / multipliers[i])
			return -1;
		*num_r = num * multipliers[i];
		return 0;
	}
	return -1;
}

int config_parse_size(const char *value, uint64_t *size_r)
{
	static const char *const suffixes[] = { "",  "b",  "k", "kb", "m", "mb",
						"g", "gb", "t", "tb", NULL };
	static const uint64_t multipliers[] = {
		1,          1,          1ULL << 10, 1ULL << 10, 1ULL << 20,
		1ULL << 20, 1ULL << 30, 1ULL << 30, 1ULL << 40, 1ULL << 40
	};

	return config_parse_suffixed(value, suffixes, multipliers, size_r);
}

int config_parse_time(const char *value, unsigned int *secs_r)
{
	static const char *const suffixes[] = { "",     "s",     "sec",  "secs",
						"m",    "min",   "mins", "h",
						"hour", "hours", "d",    "day",
						"days", NULL };
	static const uint64_t multipliers[] = { 1,     1,     1,    1,    60,
						60,    60,    3600, 3600, 3600,
						86400, 86400, 86400 };
	uint64_t secs;

	if (config_parse_suffixed(value, suffixes, multipliers, &secs) < 0 ||
	    secs > UINT32_MAX)
		return -1;
	*secs_r = (unsigned int)secs;
	return 0;
}

static bool config_enum_allows(const char *values, const char *value)
{
	size_t len = strlen(value);

	for (const char *p = values; *p != '\0';) {
		const char *end = strchrnul(p, ':');

		if ((size_t)(end - p) == len && strncmp(p, value, len) == 0)
			return true;
		p = *end == ':' ? end + 1 : end;
	}
	return false;
}

/* Stores value into the def's field. Returns 0, or -1 with *error_r. */
static int config_set_value(const struct setting_def *def, void *settings,
			    const char *value, struct pool *pool,
			    const char **error_r)
{
	void *field = (char *)settings + def->offset;
	uint64_t num;

	switch (def->type) {
	case SETTING_STR:
		*(char **)field = pool_strdup(pool, value);
		break;
	case SETTING_ENUM:
		if (!config_enum_allows(def->values, value)) {
			*error_r = pool_printf(pool, "must be one of %s",
					       def->values);
			return -1;
		}
		*(char **)field = pool_strdup(pool, value);
		break;
	case SETTING_UINT:
		if (str_to_uint64(value, &num) < 0 || num > UINT32_MAX) {
			*error_r = "not a number";
			return -1;
		}
		*(unsigned int *)field = (unsigned int)num;
		break;
	case SETTING_BOOL:
		if (config_parse_bool(value, field) < 0) {
			*error_r = "must be yes or no";
			return -1;
		}
		break;
	case SETTING_SIZE:
		if (config_parse_size(value, field) < 0) {
			*error_r = "not a size (e.g. 512k, 50M, 1G)";
			return -1;
		}
		break;
	case SETTING_TIME:
		if (config_parse_time(value, field) < 0) {
			*error_r = "not a time (e.g. 30s, 5m, 1h)";
			return -1;
		}
		break;
	}
	if (def->check != NULL && def->check(value, error_r) < 0)
		return -1;
	return 0;
}

static const char *config_default_text(const struct setting_def *def)
{
	if (def->default_value != NULL)
		return def->default_value;
	switch (def->type) {
	case SETTING_STR:
		return "";
	case SETTING_UINT:
	case SETTING_SIZE:
	case SETTING_TIME:
		return "0";
	case SETTING_BOOL:
		return "no";
	case SETTING_ENUM: {
		/* static, so an ENUM default must name its first value */
		break;
	}
	}
	return def->values;
}

void config_set_defaults(struct setting_section *const sections[],
			 struct pool *pool)
{
	for (unsigned int i = 0; sections[i] != NULL; i++) {
		const struct setting_def *def;

		for (def = sections[i]->defs; def->key != NULL; def++) {
			const char *value = config_default_text(def);
			const char *error;

			if (def->type == SETTING_ENUM &&
			    def->default_value == NULL)
				value = pool_strndup(pool, def->values,
						     strcspn(def->values, ":"));
			if (config_set_value(def, sections[i]->settings, value,
					     pool, &error) < 0) {
				panic("default of %s is invalid: %s", def->key,
				      error);
			}
		}
	}
}

static const struct setting_section *
config_find_section(struct config_parser *parser, const char *name)
{
	for (unsigned int i = 0; parser->sections[i] != NULL; i++) {
		const char *sname = parser->sections[i]->name;

		if (name == NULL ? sname == NULL
				 : sname != NULL && strcmp(sname, name) == 0)
			return parser->sections[i];
	}
	return NULL;
}

static const struct setting_def *
config_find_def(const struct setting_section *section, const char *key)
{
	const struct setting_def *def;

	for (def = section->defs; def->key != NULL; def++) {
		if (strcmp(def->key, key) == 0)
			return def;
	}
	return NULL;
}

static bool config_seen_before(struct config_parser *parser,
			       const struct setting_section *section,
			       const struct setting_def *def)
{
	for (size_t i = 0; i < parser->seen.count; i++) {
		if (parser->seen.v[i].section == section &&
		    parser->seen.v[i].def == def)
			return true;
	}
	array_push(&parser->seen,
		   ((struct config_seen){ .section = section, .def = def }));
	return false;
}

static int config_parse_text(struct config_parser *parser, const char *name,
			     const char *text, unsigned int depth);

static int config_include(struct config_parser *parser, const char *from,
			  const char *path, unsigned int depth)
{
	const char *full_path = path;
	const char *slash = strrchr(from, '/');
	char buf[CONFIG_MAX_LINE];
	string_t *text;
	FILE *file;
	size_t n;
	int ret;

	if (depth >= CONFIG_MAX_INCLUDE_DEPTH) {
		parser->error = "includes nested too deep";
		return -1;
	}
	if (path[0] != '/' && slash != NULL) {
		full_path = pool_printf(parser->pool, "%.*s/%s",
					(int)(slash - from), from, path);
	}
	file = fopen(full_path, "r");
	if (file == NULL) {
		parser->error = pool_printf(parser->pool, "cannot read %s: %s",
					    full_path, strerror(errno));
		return -1;
	}
	text = str_new(4096, 16 * 1024 * 1024);
	while ((n = fread(buf, 1, sizeof(buf), file)) > 0)
		str_append_n(text, buf, n);
	if (ferror(file) || text->overflow) {
		parser->error =
			pool_printf(parser->pool, "cannot read %s", full_path);
		ret = -1;
	} else {
		ret = config_parse_text(parser, full_path, str_c(text), depth);
	}
	fclose(file);
	str_free(&text);
	return ret;
}

static int config_parse_section_header(struct config_parser *parser, char *line)
{
	char *end = strchr(line, ']');

	if (end == NULL || end[1] != '\0') {
		parser->error = "section header must be [name]";
		return -1;
	}
	*end = '\0';
	parser->cur_section = config_find_section(parser, line + 1);
	if (parser->cur_section == NULL) {
		parser->error = pool_printf(parser->pool,
					    "unknown section [%s]", line + 1);
		return -1;
	}
	return 0;
}

/* Strips one pair of double quotes, which let a value keep edge spaces. */
static char *config_unquote(char *value)
{
	size_t len = strlen(value);

	if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
		value[len - 1] = '\0';
		return value + 1;
	}
	return value;
}

static int config_parse_assignment(struct config_parser *parser, char *line)
{
	const struct setting_def *def;
	char *eq = strchr(line, '='), *key, *value;
	const char *error;

	if (eq == NULL) {
		parser->error = "expected key = value";
		return -1;
	}
	*eq = '\0';
	key = str_trim(parser->pool, line);
	value = config_unquote(str_trim(parser->pool, eq + 1));
	if (*key == '\0') {
		parser->error = "missing key before '='";
		return -1;
	}
	def = config_find_def(parser->cur_section, key);
	if (def == NULL) {
		parser->error =
			parser->cur_section->name == NULL
				? pool_printf(parser->pool, "unknown key %s",
					      key)
				: pool_printf(parser->pool,
					      "unknown key %s in [%s]", key,
					      parser->cur_section->name);
		return -1;
	}
	if (config_seen_before(parser, parser->cur_section, def)) {
		parser->error =
			pool_printf(parser->pool, "duplicate key %s", key);
		return -1;
	}
	if (config_set_value(def, parser->cur_section->settings, value,
			     parser->pool, &error) < 0) {
		parser->error = pool_printf(parser->pool, "%s: %s", key, error);
		return -1;
	}
	return 0;
}

static int config_parse_line(struct config_parser *parser, const char *name,
			     char *line, unsigned int depth)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0' || *line == '#')
		return 0;
	if (*line == '[')
		return config_parse_section_header(parser, line);
	if (str_begins(line, "!include ") || str_begins(line, "!include\t"))
		return config_include(parser, name,
				      str_trim(parser->pool, line + 9),
				      depth + 1);
	return config_parse_assignment(parser, line);
}

static int config_parse_text(struct config_parser *parser, const char *name,
			     const char *text, unsigned int depth)
{
	const struct setting_section *saved_section = parser->cur_section;
	unsigned int line_num = 0;
	const char *p = text;

	while (*p != '\0') {
		const char *end = strchrnul(p, '\n');
		size_t len = (size_t)(end - p);
		char *line;

		line_num++;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		line = pool_strndup(parser->pool, p, len);
		if (len >= CONFIG_MAX_LINE) {
			parser->error = "line too long";
		} else if (strlen(line) != len) {
			parser->error = "NUL byte in line";
		} else if (config_parse_line(parser, name, line, depth) == 0) {
			p = *end == '\0' ? end : end + 1;
			continue;
		}
		/* Prefix only the innermost location: the include's own
		   errors already name their file. */
		if (!str_begins(parser->error, "\x01"))
			parser->error =
				pool_printf(parser->pool, "\x01%s:%u: %s", name,
					    line_num, parser->error);
		return -1;
	}
	/* A section opened in an included file ends with it. */
	parser->cur_section = saved_section;
	return 0;
}

static int config_parse(const char *name, const char *text,
			struct setting_section *const sections[],
			struct pool *pool, const char **error_r, bool is_file)
{
	struct config_parser parser = {
		.sections = sections,
		.pool = pool,
	};
	int ret;

	parser.cur_section = config_find_section(&parser, NULL);
	i_assert(parser.cur_section != NULL);
	if (is_file)
		ret = config_include(&parser, "", name, 0);
	else
		ret = config_parse_text(&parser, name, text, 0);
	if (ret < 0) {
		*error_r = parser.error[0] == '\x01' ? parser.error + 1
						     : parser.error;
	}
	array_free(&parser.seen);
	return ret;
}

int config_parse_file(const char *path,
		      struct setting_section *const sections[],
		      struct pool *pool, const char **error_r)
{
	return config_parse(path, NULL, sections, pool, error_r, true);
}

int config_parse_string(const char *name, const char *text,
			struct setting_section *const sections[],
			struct pool *pool, const char **error_r)
{
	return config_parse(name, text, sections, pool, error_r, false);
}

/* Quotes a value that would not read back the same without. */
static void config_print_string(FILE *out, const char *key, const char *value)
{
	size_t len = strlen(value);
	bool quote = len > 0 &&
		     (value[0] == ' ' || value[0] == '\t' || value[0] == '"' ||
		      value[len - 1] == ' ' || value[len - 1] == '\t');

	fprintf(out, quote ? "%s = \"%s\"\n" : "%s = %s\n", key, value);
}

static void config_print_value(FILE *out, const struct setting_def *def,
			       const void *settings)
{
	const void *field = (const char *)settings + def->offset;

	switch (def->type) {
	case SETTING_STR:
	case SETTING_ENUM:
		config_print_string(out, def->key, *(char *const *)field);
		break;
	case SETTING_UINT:
		fprintf(out, "%s = %u\n", def->key,
			*(const unsigned int *)field);
		break;
	case SETTING_BOOL:
		fprintf(out, "%s = %s\n", def->key,
			*(const bool *)field ? "yes" : "no");
		break;
	case SETTING_SIZE:
		fprintf(out, "%s = %llu\n", def->key,
			(unsigned long long)*(const uint64_t *)field);
		break;
	case SETTING_TIME:
		fprintf(out, "%s = %us\n", def->key,
			*(const unsigned int *)field);
		break;
	}
}

void config_print(FILE *out, struct setting_section *const sections[])
{
	for (unsigned int i = 0; sections[i] != NULL; i++) {
		const struct setting_def *def;

		if (sections[i]->name != NULL)
			fprintf(out, "\n[%s]\n", sections[i]->name);
		for (def = sections[i]->defs; def->key != NULL; def++)
			config_print_value(out, def, sections[i]->settings);
	}
}
