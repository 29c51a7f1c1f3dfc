/* What the engine-level object commands (network, volume, secret, config) share: a subcommand table, the
 * `ls` output in docker's three forms (table, -q names, --format json: one object per line), and KEY=VALUE
 * flags. */
#ifndef CC_CLI_OBJECTS_H
#define CC_CLI_OBJECTS_H

#include "cli/cli.h"
#include "cli/flags.h"

#include <jansson.h>

struct cli_sub {
	const char *name, *alias;
	int (*fn)(struct cli_ctx *ctx, int argc, char **argv);
	const char *summary;
};
/* Run the subcommand argv[1] names (subs ends with {NULL}). */
int cli_dispatch(struct cli_ctx *ctx, const char *group, const char *summary, const struct cli_sub *subs,
		 int argc, char **argv);

/* Parse flags; -1 when the command goes on, else the exit code (help printed, or a usage error). */
int cli_parse_or_exit(const struct cli_spec *spec, int argc, char **argv, cc_strv *args);
/* The same for a command without positional arguments (one given is a usage error). */
int cli_parse_no_args(const struct cli_spec *spec, int argc, char **argv);

/* An `ls` being built: rows[0] is the header. */
struct cli_listing {
	cc_strv *rows;
	size_t nrows;
	json_t *lines; /* one object per listed thing */
	cc_strv names; /* what -q prints */
};
void cli_listing_init(struct cli_listing *l, const char *const *header);
/* A row (NULL-terminated cells), its JSON form (owned by the listing now) and its -q name. */
void cli_listing_add(struct cli_listing *l, const char *const *cells, json_t *obj, const char *name);
/* Print it as --format and -q say; CLI_USAGE for an unknown format. Releases the listing. */
int cli_listing_print(struct cli_listing *l, const char *cmd, const char *format, bool quiet);

/* "KEY=VALUE" (or "KEY", an empty value) items into a map. */
void cli_kvs_from_list(char *const *items, struct cc_kvs *out);
/* `inspect NAME...`: each name through `get` (its JSON document, or NULL with *err set), printed as one
 * indented array; the first failure ends the command. */
int cli_inspect_each(struct cli_ctx *ctx, const char *cmd, char *const *names, const char *what,
		     json_t *(*get)(struct cc_runtime *rt, const char *name, struct cc_error **err));
/* `rm NAME...`: each name through `rm`; every one is tried, removed ones are printed, and the command fails
 * if one did. */
int cli_remove_each(struct cli_ctx *ctx, const char *cmd, char *const *names, const char *what,
		    int (*rm)(struct cc_runtime *rt, const char *name, const void *arg,
			      struct cc_error **err),
		    const void *arg);

#endif
