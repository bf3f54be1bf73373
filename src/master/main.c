#include "auth-main.h"
#include "log.h"
#include "postern-config.h"
#include "master.h"
#include "strfuncs.h"
#include "str.h"
#include "worker.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void main_usage(FILE *out)
{
	fprintf(out, "Usage: posternd [-c FILE] [--print-config] [--version]\n"
		     "\n"
		     "  -c, --config FILE  read FILE (default: ./postern.conf "
		     "if it\n"
		     "                     exists, else the embedded default)\n"
		     "  --print-config     print the effective configuration "
		     "and exit\n"
		     "  --version          print the version and exit\n");
}

/* A child reads the master's effective configuration from fd 3. The
   memfd's file offset is shared by every child started from it, so read
   with pread(), never lseek() + read(): two children starting at once
   would read each other's halves. */
static int main_load_child_config(struct postern_config *config,
				  const char **error_r)
{
	string_t *text = str_new(4096, 16 * 1024 * 1024);
	char buf[4096];
	off_t offset = 0;
	ssize_t n;
	int ret;

	while ((n = pread(WORKER_CONFIG_FD, buf, sizeof(buf), offset)) > 0) {
		str_append_n(text, buf, (size_t)n);
		offset += n;
	}
	close(WORKER_CONFIG_FD);
	if (n < 0) {
		*error_r = "Can't read the configuration from the master";
		ret = -1;
	} else {
		ret = postern_config_load_text(config, str_c(text), error_r);
	}
	str_free(&text);
	return ret;
}

static void main_set_log_level(const struct postern_config *config)
{
	enum log_level level;

	if (log_level_parse(config->master.log_level, &level) == 0)
		log_set_level(level);
}

struct main_args {
	const char *config_path;
	const char *process;
	const char *listeners;
	unsigned int index;
	bool print_config;
};

static void main_parse_args(int argc, char *argv[], struct main_args *args)
{
	enum {
		OPT_PRINT = 256,
		OPT_VERSION,
		OPT_PROCESS,
		OPT_INDEX,
		OPT_LISTENERS
	};
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "print-config", no_argument, NULL, OPT_PRINT },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		/* internal: how the master starts its children */
		{ "process", required_argument, NULL, OPT_PROCESS },
		{ "index", required_argument, NULL, OPT_INDEX },
		{ "listeners", required_argument, NULL, OPT_LISTENERS },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			args->config_path = optarg;
			break;
		case OPT_PRINT:
			args->print_config = true;
			break;
		case OPT_VERSION:
			printf("Postern %s\n", POSTERN_VERSION);
			exit(0);
		case 'h':
			main_usage(stdout);
			exit(0);
		case OPT_PROCESS:
			args->process = optarg;
			break;
		case OPT_INDEX:
			(void)str_to_uint(optarg, &args->index);
			break;
		case OPT_LISTENERS:
			args->listeners = optarg;
			break;
		default:
			main_usage(stderr);
			exit(64);
		}
	}
	if (optind != argc) {
		main_usage(stderr);
		exit(64);
	}
}

int main(int argc, char *argv[])
{
	struct main_args args = { .listeners = "" };
	struct postern_config config;
	const char *error;
	int ret;

	main_parse_args(argc, argv, &args);
	ret = args.process != NULL
		      ? main_load_child_config(&config, &error)
		      : postern_config_load(&config, args.config_path, &error);
	if (ret < 0) {
		fprintf(stderr, "posternd: %s\n", error);
		postern_config_free(&config);
		return 78; /* EX_CONFIG */
	}
	main_set_log_level(&config);
	if (args.print_config) {
		printf("# %s\n", config.source);
		postern_config_write(&config, stdout);
		ret = 0;
	} else if (args.process == NULL) {
		ret = master_main(&config);
	} else if (strcmp(args.process, "worker") == 0) {
		ret = worker_main(&config, args.index, args.listeners);
	} else if (strcmp(args.process, "auth") == 0) {
		ret = auth_main(&config, args.listeners);
	} else {
		fprintf(stderr, "posternd: unknown process %s\n", args.process);
		ret = 64;
	}
	postern_config_free(&config);
	return ret;
}
