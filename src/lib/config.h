#ifndef POSTERN_CONFIG_H
#define POSTERN_CONFIG_H

/* postern.conf: "key = value" lines, "# comment" lines, "[section]"
   headers and "!include PATH" (relative to the including file). Each module
   declares its settings in a table of setting_defs with the offsets into its
   own settings struct (as dovecot's maildir-settings.c); the master hands
   every table to config_parse_*(), which fills the structs and checks every
   value. Unknown sections and keys, bad values, duplicate keys and unreadable
   includes are errors of the form "FILE:LINE: message". */

#include "macros.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pool;

enum setting_type {
	SETTING_STR,  /* char * */
	SETTING_UINT, /* unsigned int */
	SETTING_BOOL, /* bool; yes/no/true/false/1/0 */
	SETTING_SIZE, /* uint64_t bytes; suffixes k, M, G (powers of 1024) */
	SETTING_TIME, /* unsigned int seconds; suffixes s, m, h, d */
	SETTING_ENUM, /* char *, one of def->values; first is the default */
};

struct setting_def {
	const char *key;
	enum setting_type type;
	size_t offset;
	/* Text parsed like a value from the file; NULL: "" / 0 / no. */
	const char *default_value;
	/* SETTING_ENUM: the allowed values separated by ':'. */
	const char *values;
	/* Optional extra check of a parsed string value. Returns 0, or -1
	   with *error_r set. */
	int (*check)(const char *value, const char **error_r);
};

#define SETTING_DEFS_END                     \
	{                                    \
		NULL, 0, 0, NULL, NULL, NULL \
	}

struct setting_section {
	const char *name; /* NULL for the top level */
	const struct setting_def *defs;
	void *settings; /* the struct the defs' offsets point into */
};

/* Fills every section's struct with its defaults. */
void config_set_defaults(struct setting_section *const sections[],
			 struct pool *pool);

/* Parses path over the defaults; sections is NULL-terminated. String values
   live in pool. Returns 0, or -1 with *error_r "FILE:LINE: reason". */
int config_parse_file(const char *path,
		      struct setting_section *const sections[],
		      struct pool *pool, const char **error_r);
/* The same for text in memory (the embedded default); name stands in for
   the file name in errors, and !include is relative to the current
   directory. */
int config_parse_string(const char *name, const char *text,
			struct setting_section *const sections[],
			struct pool *pool, const char **error_r);

/* Writes the effective configuration, every key with its value. */
void config_print(FILE *out, struct setting_section *const sections[]);

/* Value parsers, shared with command-line tools. Return 0, or -1. */
int config_parse_bool(const char *value, bool *bool_r);
int config_parse_size(const char *value, uint64_t *size_r);
int config_parse_time(const char *value, unsigned int *secs_r);

#endif
