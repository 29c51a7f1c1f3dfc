/* The command-line front-end: global options and the subcommand table. Only this layer prints and exits. */
#ifndef CC_CLI_CLI_H
#define CC_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "compose/project.h"

enum cli_flags {
	CLI_NEEDS_PROJECT = 1 << 0, /* the command works on a Compose project */
};

struct cli_ctx {
	const char *argv0;
	/* global options */
	const char **files;
	size_t nfiles;
	const char **env_files;
	size_t nenv_files;
	const char **profiles;
	size_t nprofiles;
	const char *project_name;
	const char *project_dir;
	const char *root;
	const char *backend;
	bool debug;
	char **environ;
};

struct cli_command {
	const char *name;
	int (*fn)(struct cli_ctx *ctx, int argc, char **argv);
	unsigned flags;
	const char *summary;
};

/* Exit codes: 0 success, 1 failure, 2 usage error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int cli_config(struct cli_ctx *ctx, int argc, char **argv);
int cli_version(struct cli_ctx *ctx, int argc, char **argv);

/* Load the project the global options describe; services named on the command line enable their profiles. */
int cli_load_project(struct cli_ctx *ctx, const char *const *services, size_t nservices, bool no_interpolate,
		     bool all_profiles, struct cc_project **out);
/* Free a project at the end of a command. The process is about to exit, so outside sanitizer builds this
 * leaves the tree to the kernel (as git's CLI does): walking and freeing every node is measurable time on
 * large projects. The library itself always frees; its tests check that under ASan. */
void cli_release_project(struct cc_project *p);
void cli_print_error(const struct cc_error *err);
void cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
