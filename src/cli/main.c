/* container-compose: global options, then one subcommand from a table. */
#include "cli/cli.h"
#include "base/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static const struct cli_command commands[] = {
    {"config", cli_config, CLI_NEEDS_PROJECT, "Parse, resolve and render the Compose file in canonical form"},
    {"version", cli_version, 0, "Show the container-compose version"},
    {NULL, NULL, 0, NULL},
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: container-compose [OPTIONS] COMMAND [ARGS...]\n\n"
		"Define and run multi-container applications from a Compose file.\n\n"
		"Options:\n"
		"  -f, --file FILE             Compose file (repeatable; - for standard input)\n"
		"  -p, --project-name NAME     Project name\n"
		"      --project-directory DIR Working directory of the project (default: the first file's)\n"
		"      --env-file FILE         Environment file (repeatable; replaces .env)\n"
		"      --profile NAME          Enable a profile (repeatable)\n"
		"      --root DIR              State root (env CONTAINER_COMPOSE_ROOT)\n"
		"      --backend NAME          Runtime backend (env CONTAINER_COMPOSE_BACKEND)\n"
		"      --debug                 Verbose diagnostics\n"
		"  -v, --version               Print the version and exit\n"
		"  -h, --help                  Show this help\n\n"
		"Commands:\n");
	for (const struct cli_command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
}

static void push(const char ***v, size_t *n, const char *s)
{
	*v = cc_xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = s;
}

int main(int argc, char **argv)
{
	enum { OPT_PROJECT_DIR = 256, OPT_ENV_FILE, OPT_PROFILE, OPT_ROOT, OPT_BACKEND, OPT_DEBUG };
	static const struct option longopts[] = {
	    {"file", required_argument, NULL, 'f'},
	    {"project-name", required_argument, NULL, 'p'},
	    {"project-directory", required_argument, NULL, OPT_PROJECT_DIR},
	    {"env-file", required_argument, NULL, OPT_ENV_FILE},
	    {"profile", required_argument, NULL, OPT_PROFILE},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"backend", required_argument, NULL, OPT_BACKEND},
	    {"debug", no_argument, NULL, OPT_DEBUG},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_ctx ctx = {.argv0 = argv[0], .environ = environ};
	ctx.root = getenv("CONTAINER_COMPOSE_ROOT");
	ctx.backend = getenv("CONTAINER_COMPOSE_BACKEND");
	int c, rc;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f:p:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			push(&ctx.files, &ctx.nfiles, optarg);
			break;
		case 'p':
			ctx.project_name = optarg;
			break;
		case OPT_PROJECT_DIR:
			ctx.project_dir = optarg;
			break;
		case OPT_ENV_FILE:
			push(&ctx.env_files, &ctx.nenv_files, optarg);
			break;
		case OPT_PROFILE:
			push(&ctx.profiles, &ctx.nprofiles, optarg);
			break;
		case OPT_ROOT:
			ctx.root = optarg;
			break;
		case OPT_BACKEND:
			ctx.backend = optarg;
			break;
		case OPT_DEBUG:
			ctx.debug = true;
			break;
		case 'v': {
			char *vargv[] = {argv[0], NULL};
			rc = cli_version(&ctx, 1, vargv);
			goto out;
		}
		case 'h':
			usage(stdout);
			rc = CLI_OK;
			goto out;
		case ':':
			cli_usage_error(NULL, "option %s needs a value", argv[optind - 1]);
			rc = CLI_USAGE;
			goto out;
		default:
			cli_usage_error(NULL, "unknown option %s", argv[optind - 1]);
			rc = CLI_USAGE;
			goto out;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		rc = CLI_USAGE;
		goto out;
	}
	const char *name = argv[optind];
	rc = -1;
	for (const struct cli_command *cmd = commands; cmd->name; cmd++) {
		if (strcmp(cmd->name, name) != 0)
			continue;
		rc = cmd->fn(&ctx, argc - optind, argv + optind);
		break;
	}
	if (rc == -1) {
		cli_usage_error(NULL, "unknown command \"%s\"", name);
		rc = CLI_USAGE;
	}
out:
	free(ctx.files);
	free(ctx.env_files);
	free(ctx.profiles);
	return rc;
}
