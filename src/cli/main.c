/* container-compose: global options, then one subcommand from a table. */
#include "cli/cli.h"
#include "base/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const struct cli_command commands[] = {
    {"build", cli_build, CLI_NEEDS_PROJECT, "Build or rebuild services"},
    {"config", cli_config, CLI_NEEDS_PROJECT, "Parse, resolve and render the Compose file in canonical form"},
    {"cp", cli_cp, CLI_NEEDS_PROJECT, "Copy files between a service container and the local filesystem"},
    {"create", cli_create, CLI_NEEDS_PROJECT, "Create containers for a service"},
    {"down", cli_down, CLI_NEEDS_PROJECT, "Stop and remove containers, networks"},
    {"events", cli_events, CLI_NEEDS_PROJECT, "Receive real time events from containers"},
    {"exec", cli_exec, CLI_NEEDS_PROJECT, "Execute a command in a running container"},
    {"help", NULL, 0, "Help about any command"},
    {"attach", cli_attach, CLI_NEEDS_PROJECT, "Attach to a service's running container"},
    {"image", cli_image, 0, "Manage images (ls, inspect, pull, push, tag, rm, load, save)"},
    {"images", cli_images, CLI_NEEDS_PROJECT, "List images used by the created containers"},
    {"internal-cleanup", cli_internal_cleanup, CLI_HIDDEN, "Remove an auto-removed container at its exit"},
    {"kill", cli_kill, CLI_NEEDS_PROJECT, "Force stop service containers"},
    {"logs", cli_logs, CLI_NEEDS_PROJECT, "View output from containers"},
    {"login", cli_login, 0, "Log in to a registry"},
    {"ls", cli_ls, 0, "List running compose projects"},
    {"network", cli_network, 0, "Manage networks (ls, inspect, create, rm, connect, disconnect, prune)"},
    {"pause", cli_pause, CLI_NEEDS_PROJECT, "Pause services"},
    {"port", cli_port, CLI_NEEDS_PROJECT, "Print the public port for a port binding"},
    {"ps", cli_ps, CLI_NEEDS_PROJECT, "List containers"},
    {"pull", cli_pull, CLI_NEEDS_PROJECT, "Pull service images"},
    {"push", cli_push, CLI_NEEDS_PROJECT, "Push service images"},
    {"restart", cli_restart, CLI_NEEDS_PROJECT, "Restart service containers"},
    {"rm", cli_rm, CLI_NEEDS_PROJECT, "Removes stopped service containers"},
    {"run", cli_run, CLI_NEEDS_PROJECT, "Run a one-off command on a service"},
    {"scale", cli_scale, CLI_NEEDS_PROJECT, "Scale services"},
    {"secret", cli_secret, 0, "Manage secrets (ls, create, rm)"},
    {"serve", cli_serve, 0, "Run the REST API daemon"},
    {"start", cli_start, CLI_NEEDS_PROJECT, "Start services"},
    {"stats", cli_stats, CLI_NEEDS_PROJECT,
     "Display a live stream of container(s) resource usage statistics"},
    {"stop", cli_stop, CLI_NEEDS_PROJECT, "Stop services"},
    {"system", cli_system, 0, "The daemon: status, API keys, TLS certificate"},
    {"top", cli_top, CLI_NEEDS_PROJECT, "Display the running processes"},
    {"unpause", cli_unpause, CLI_NEEDS_PROJECT, "Unpause services"},
    {"up", cli_up, CLI_NEEDS_PROJECT, "Create and start containers"},
    {"volume", cli_volume, 0, "Manage volumes (ls, inspect, create, rm, prune)"},
    {"volumes", cli_volumes, CLI_NEEDS_PROJECT, "List the project's volumes"},
    {"version", cli_version, 0, "Show the container-compose version"},
    {"wait", cli_wait, CLI_NEEDS_PROJECT, "Block until the first service container stops"},
    {"watch", cli_watch, CLI_NEEDS_PROJECT, "Sync, restart or rebuild services as their files change"},
    {NULL, NULL, 0, NULL},
};

static void usage(FILE *out)
{
	fprintf(
	    out,
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
	    "      --debug                 Verbose diagnostics (logs every runtime call)\n"
	    "      --progress TYPE         Progress output: auto, tty, plain, json, quiet\n"
	    "      --ansi WHEN             Control characters: never, always, auto\n"
	    "      --insecure-registry H   Allow plain HTTP to registry H (repeatable; loopback always is)\n"
	    "      --remote URL            Work through a daemon: unix:///path, tcp://host:port, "
	    "tls://host:port\n"
	    "                              (env CONTAINER_COMPOSE_HOST)\n"
	    "      --cacert FILE           CA certificate of a tls:// daemon\n"
	    "      --cert FILE, --key FILE Client certificate and key for a tls:// daemon\n"
	    "      --token TOKEN           API token (env CONTAINER_COMPOSE_TOKEN)\n"
	    "      --oci-runtime NAME|PATH The native backend's OCI runtime (env\n"
	    "                              CONTAINER_COMPOSE_OCI_RUNTIME; default: crun where it works, else "
	    "runc)\n"
	    "      --docker-host HOST      The docker backend's engine: unix:///path, tcp://host:port\n"
	    "                              (env DOCKER_HOST; TLS with DOCKER_TLS_VERIFY, DOCKER_CERT_PATH)\n"
	    "      --parallel N            Concurrent engine calls (env COMPOSE_PARALLEL_LIMIT; default 16,\n"
	    "                              -1: unlimited)\n"
	    "  -v, --version               Print the version and exit\n"
	    "  -h, --help                  Show this help\n\n"
	    "Commands:\n");
	for (const struct cli_command *c = commands; c->name; c++)
		if (!(c->flags & CLI_HIDDEN))
			fprintf(out, "  %-10s %s\n", c->name, c->summary);
}

static bool one_of(const char *s, const char **set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static void push(const char ***v, size_t *n, const char *s)
{
	*v = cc_xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = s;
}

int main(int argc, char **argv)
{
	enum {
		OPT_PROJECT_DIR = 256,
		OPT_ENV_FILE,
		OPT_PROFILE,
		OPT_ROOT,
		OPT_BACKEND,
		OPT_DEBUG,
		OPT_PROGRESS,
		OPT_ANSI,
		OPT_PARALLEL,
		OPT_INSECURE,
		OPT_REMOTE,
		OPT_CACERT,
		OPT_CERT,
		OPT_KEY,
		OPT_TOKEN,
		OPT_DOCKER_HOST,
		OPT_OCI_RUNTIME
	};
	static const struct option longopts[] = {
	    {"file", required_argument, NULL, 'f'},
	    {"project-name", required_argument, NULL, 'p'},
	    {"project-directory", required_argument, NULL, OPT_PROJECT_DIR},
	    {"env-file", required_argument, NULL, OPT_ENV_FILE},
	    {"profile", required_argument, NULL, OPT_PROFILE},
	    {"root", required_argument, NULL, OPT_ROOT},
	    {"backend", required_argument, NULL, OPT_BACKEND},
	    {"debug", no_argument, NULL, OPT_DEBUG},
	    {"progress", required_argument, NULL, OPT_PROGRESS},
	    {"ansi", required_argument, NULL, OPT_ANSI},
	    {"parallel", required_argument, NULL, OPT_PARALLEL},
	    {"insecure-registry", required_argument, NULL, OPT_INSECURE},
	    {"remote", required_argument, NULL, OPT_REMOTE},
	    {"cacert", required_argument, NULL, OPT_CACERT},
	    {"cert", required_argument, NULL, OPT_CERT},
	    {"key", required_argument, NULL, OPT_KEY},
	    {"token", required_argument, NULL, OPT_TOKEN},
	    {"docker-host", required_argument, NULL, OPT_DOCKER_HOST},
	    {"oci-runtime", required_argument, NULL, OPT_OCI_RUNTIME},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_ctx ctx = {.argv0 = argv[0], .environ = environ};
	/* the engine runs this program again to remove an auto-removed container at its exit */
	char self_exe[4096];
	ssize_t self_len = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	self_exe[self_len > 0 ? self_len : 0] = 0;
	ctx.self_exe = self_len > 0 ? self_exe : NULL;
	ctx.root = getenv("CONTAINER_COMPOSE_ROOT");
	ctx.backend = getenv("CONTAINER_COMPOSE_BACKEND");
	ctx.oci_runtime = getenv("CONTAINER_COMPOSE_OCI_RUNTIME");
	ctx.remote.url = getenv("CONTAINER_COMPOSE_HOST");
	ctx.remote.token = getenv("CONTAINER_COMPOSE_TOKEN");
	if (ctx.remote.url && !*ctx.remote.url)
		ctx.remote.url = NULL;
	const char *limit = getenv("COMPOSE_PARALLEL_LIMIT");
	/* bounded by default: past a few threads per core, more parallel calls only add contention (see
	 * docs/deviations.md); -1 asks for one thread per service of a level */
	ctx.parallel = limit ? strtol(limit, NULL, 10) : 16;
	ctx.progress = getenv("COMPOSE_PROGRESS");
	ctx.ansi = getenv("COMPOSE_ANSI");
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
		case OPT_REMOTE:
			ctx.remote.url = optarg;
			break;
		case OPT_CACERT:
			ctx.remote.cacert = optarg;
			break;
		case OPT_CERT:
			ctx.remote.cert = optarg;
			break;
		case OPT_KEY:
			ctx.remote.key = optarg;
			break;
		case OPT_TOKEN:
			ctx.remote.token = optarg;
			break;
		case OPT_DOCKER_HOST:
			ctx.docker_host = optarg;
			break;
		case OPT_OCI_RUNTIME:
			ctx.oci_runtime = optarg;
			break;
		case OPT_DEBUG:
			ctx.debug = true;
			break;
		case OPT_PROGRESS:
			ctx.progress = optarg;
			break;
		case OPT_ANSI:
			ctx.ansi = optarg;
			break;
		case OPT_INSECURE: {
			/* handed to the engine through its environment variable, appended to what it held */
			const char *was = getenv("CONTAINER_COMPOSE_INSECURE_REGISTRIES");
			char *list = was && *was ? cc_xasprintf("%s,%s", was, optarg) : cc_xstrdup(optarg);
			setenv("CONTAINER_COMPOSE_INSECURE_REGISTRIES", list, 1);
			free(list);
			break;
		}
		case OPT_PARALLEL: {
			char *end;
			ctx.parallel = strtol(optarg, &end, 10);
			if (*end || end == optarg) {
				cli_usage_error(NULL, "invalid value \"%s\" for --parallel", optarg);
				rc = CLI_USAGE;
				goto out;
			}
			break;
		}
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
	if (ctx.progress &&
	    !one_of(ctx.progress, (const char *[]){"auto", "tty", "plain", "quiet", "json", NULL})) {
		cli_usage_error(NULL, "invalid --progress \"%s\": use auto, tty, plain, json or quiet",
				ctx.progress);
		rc = CLI_USAGE;
		goto out;
	}
	if (ctx.ansi && !one_of(ctx.ansi, (const char *[]){"auto", "never", "always", NULL})) {
		cli_usage_error(NULL, "invalid --ansi \"%s\": use never, always or auto", ctx.ansi);
		rc = CLI_USAGE;
		goto out;
	}
	if (optind >= argc) {
		usage(stderr);
		rc = CLI_USAGE;
		goto out;
	}
	const char *name = argv[optind];
	int cmd_argc = argc - optind;
	char **cmd_argv = argv + optind;
	char *help_argv[] = {NULL, (char *)"--help", NULL};
	if (strcmp(name, "help") == 0 && (cmd_argc == 1 || strcmp(cmd_argv[1], "help") == 0)) {
		usage(stdout);
		rc = CLI_OK;
		goto out;
	}
	if (strcmp(name, "help") == 0) {
		/* `help CMD` is `CMD --help`, as docker's CLI has it */
		name = help_argv[0] = cmd_argv[1];
		cmd_argc = 2;
		cmd_argv = help_argv;
	}
	rc = -1;
	for (const struct cli_command *cmd = commands; cmd->name; cmd++) {
		if (strcmp(cmd->name, name) != 0 || !cmd->fn)
			continue;
		rc = cmd->fn(&ctx, cmd_argc, cmd_argv);
		break;
	}
	if (rc == -1) {
		cli_usage_error(NULL, "unknown command \"%s\"", name);
		rc = CLI_USAGE;
	}
out:
	cc_runtime_close(ctx.rt);
	free(ctx.files);
	free(ctx.env_files);
	free(ctx.profiles);
	return rc;
}
