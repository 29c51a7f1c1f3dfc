/* Table-driven flag parsing for subcommands: each command declares its flags once (name, short letter,
 * kind, destination, help), and the same table parses argv and prints the help text. Flags may follow
 * positional arguments (as with cobra) unless the command stops at its first positional (exec, run). */
#ifndef CC_CLI_FLAGS_H
#define CC_CLI_FLAGS_H

#include <stdbool.h>

#include "runtime/types.h"

enum cli_flag_kind {
	CLI_BOOL, /* bool *; --x, --x=true|false */
	CLI_STR,  /* const char ** */
	CLI_INT,  /* long *; decimal */
	CLI_LIST, /* cc_strv *; repeatable */
	CLI_SECS, /* int64_t * nanoseconds; a number of seconds ("10", "2.5") */
};

struct cli_flag {
	const char *name;
	char short_name; /* 0: none */
	enum cli_flag_kind kind;
	void *dest;
	const char *arg; /* the value's name in help, e.g. "SERVICE=N" */
	const char *help;
};

struct cli_spec {
	const char *name;             /* "up" */
	const char *args;             /* "[SERVICE...]" */
	const char *summary;          /* one line */
	const struct cli_flag *flags; /* terminated by {NULL} */
	bool stop_at_positional;
};

enum { CLI_PARSED = 0, CLI_PARSE_HELP = 1, CLI_PARSE_ERROR = -1 };
/* Parse argv[1..]; positionals collect in *args (NULL-terminated, owned). Prints help (-h/--help) or the
 * usage error itself. */
int cli_parse(const struct cli_spec *spec, int argc, char **argv, cc_strv *args);
void cli_print_help(const struct cli_spec *spec);

#endif
