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
/* A JSON array of things printed indented, as `inspect` prints. */
void cli_print_json_array(json_t *arr);

#endif
