/* The command-line front-end: global options and the subcommand table. Only this layer prints and exits. */
#ifndef CC_CLI_CLI_H
#define CC_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "compose/project.h"
#include "orchestrator/orchestrator.h"
#include "runtime/runtime.h"

#include <pthread.h>
#include <stdio.h>

enum cli_flags {
	CLI_NEEDS_PROJECT = 1 << 0, /* the command works on a Compose project */
	CLI_HIDDEN = 1 << 1,        /* the engine's own (internal-cleanup): not listed */
};

struct cli_ctx {
	const char *argv0;
	const char
	    *self_exe; /* this program's path, for the engine to run again (cleanup_exe); NULL: unknown */
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
	const char *progress; /* auto, tty, plain, quiet */
	const char *ansi;     /* auto, never, always */
	long parallel;        /* --parallel / COMPOSE_PARALLEL_LIMIT; <= 0: unlimited */
	char **environ;
	/* --remote and friends: the daemon the remote backend uses (url NULL: none) */
	struct cc_remote_target remote;
	const char *docker_host; /* --docker-host: the docker backend's engine (NULL: DOCKER_HOST) */
	const char *oci_runtime; /* --oci-runtime: the native backend's runtime (NULL: pick) */
	/* opened on demand by cli_runtime() */
	struct cc_runtime *rt;
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
int cli_serve(struct cli_ctx *ctx, int argc, char **argv);
int cli_system(struct cli_ctx *ctx, int argc, char **argv);
int cli_version(struct cli_ctx *ctx, int argc, char **argv);
int cli_up(struct cli_ctx *ctx, int argc, char **argv);
int cli_create(struct cli_ctx *ctx, int argc, char **argv);
int cli_down(struct cli_ctx *ctx, int argc, char **argv);
int cli_ps(struct cli_ctx *ctx, int argc, char **argv);
int cli_ls(struct cli_ctx *ctx, int argc, char **argv);
int cli_logs(struct cli_ctx *ctx, int argc, char **argv);
int cli_start(struct cli_ctx *ctx, int argc, char **argv);
int cli_stop(struct cli_ctx *ctx, int argc, char **argv);
int cli_restart(struct cli_ctx *ctx, int argc, char **argv);
int cli_kill(struct cli_ctx *ctx, int argc, char **argv);
int cli_rm(struct cli_ctx *ctx, int argc, char **argv);
int cli_pause(struct cli_ctx *ctx, int argc, char **argv);
int cli_unpause(struct cli_ctx *ctx, int argc, char **argv);
int cli_exec(struct cli_ctx *ctx, int argc, char **argv);
int cli_run(struct cli_ctx *ctx, int argc, char **argv);
int cli_attach(struct cli_ctx *ctx, int argc, char **argv);
int cli_top(struct cli_ctx *ctx, int argc, char **argv);
int cli_port(struct cli_ctx *ctx, int argc, char **argv);
int cli_images(struct cli_ctx *ctx, int argc, char **argv);
int cli_events(struct cli_ctx *ctx, int argc, char **argv);
int cli_wait(struct cli_ctx *ctx, int argc, char **argv);
int cli_watch(struct cli_ctx *ctx, int argc, char **argv);
int cli_scale(struct cli_ctx *ctx, int argc, char **argv);
int cli_stats(struct cli_ctx *ctx, int argc, char **argv);
int cli_cp(struct cli_ctx *ctx, int argc, char **argv);
int cli_pull(struct cli_ctx *ctx, int argc, char **argv);
int cli_build(struct cli_ctx *ctx, int argc, char **argv);
int cli_image(struct cli_ctx *ctx, int argc, char **argv);
int cli_login(struct cli_ctx *ctx, int argc, char **argv);
int cli_push(struct cli_ctx *ctx, int argc, char **argv);
int cli_network(struct cli_ctx *ctx, int argc, char **argv);
int cli_volume(struct cli_ctx *ctx, int argc, char **argv);
int cli_volumes(struct cli_ctx *ctx, int argc, char **argv);
int cli_internal_cleanup(struct cli_ctx *ctx, int argc, char **argv);
/* Push an image with the progress --progress asks for (push, build --push). */
int cli_push_image(struct cli_ctx *ctx, struct cc_runtime *rt, const char *image, bool quiet,
		   struct cc_error **err);
int cli_secret(struct cli_ctx *ctx, int argc, char **argv);
/* `config ls|create|rm`: the engine's configs (`config` alone renders the Compose file). */
int cli_config_object(struct cli_ctx *ctx, int argc, char **argv);

/* The runtime the global options select (opened once per process); NULL after printing the error. */
struct cc_runtime *cli_runtime(struct cli_ctx *ctx);
/* The state root: --root, CONTAINER_COMPOSE_ROOT, else ~/.container-compose (owned string). */
char *cli_state_root(const struct cli_ctx *ctx);
/* Print an error from the library, release it (*err becomes NULL, ready for the next call) and return the
 * exit code for it. */
int cli_fail(struct cc_error **err);
/* --build-arg values: "KEY=VALUE", or "KEY" for the environment's value (left out when unset). CLI_USAGE
 * (reported) for "=VALUE". */
int cli_build_args(char *const *list, struct cc_kvs *out);
/* The project name the global options give without loading files when -p is set, else by loading. */
int cli_project_name(struct cli_ctx *ctx, char **name);

/* Record (or forget) the project in the state store; a failure is a warning. */
void cli_record_project(struct cli_ctx *ctx, const struct cc_project *p, bool forget);
/* Load the project (services named in args enable their profiles and must exist; the project keeps its other
 * enabled services) and open the runtime. */
int cli_open(struct cli_ctx *ctx, char *const *services, struct cc_project **p, struct cc_runtime **rt);
/* The services a command acts on: those named (NULL: all, when none is), with what they depend on when deps
 * (--include-deps, --with-dependencies). CLI_OK, or the failure printed. */
int cli_select_services(const struct cc_project *p, char *const *named, bool deps, cc_strv *out);
/* Whether a selection from cli_select_services takes the service. */
bool cli_selected(char *const *selection, const char *service);
/* A docker compose switch from the project's environment (.env, the process's winning), as docker compose
 * reads COMPOSE_REMOVE_ORPHANS and COMPOSE_IGNORE_ORPHANS: 1, true or yes. p NULL: the process's only. */
bool cli_compose_switch(const struct cc_project *p, const char *name);
/* Like cli_open, but with -p NAME and no compose file to be found, *p is NULL and the command works from the
 * containers' labels (ps, down, as docker compose allows). *name is the project's name either way. */
int cli_open_by_name(struct cli_ctx *ctx, char *const *services, struct cc_project **p,
		     struct cc_runtime **rt, char **name);

/* The container of a service with replica number `index` (running ones only when `running`; one-offs too
 * when `oneoff`), or CLI_FAIL after docker compose's message ('service "web" is not running'). */
int cli_service_container(struct cc_runtime *rt, const char *project, const char *service, long index,
			  bool running, bool oneoff, struct cc_container *out);

/* Progress and warnings for the orchestrator, per --progress. */
struct cli_ui {
	struct cc_orch_ui ui;
	bool tty, quiet, color;
	bool json;        /* --progress json: an object per event */
	bool quiet_build; /* --quiet-build: a build's steps are not shown, only Building and Built */
	pthread_mutex_t lock;
};
void cli_ui_init(struct cli_ctx *ctx, struct cli_ui *ui);
void cli_ui_release(struct cli_ui *ui);
/* A ui over `cli` for watching (`watch`, `up --watch`): what the watch does ("Watch" statuses) is printed
 * whatever the progress mode, since a tty display shows only finished steps and a sync never finishes in
 * that sense; the rest goes to `cli`. */
struct cli_watch_ui {
	struct cli_ui *cli;
	struct cc_orch_ui ui;
};
void cli_watch_ui_init(struct cli_watch_ui *w, struct cli_ui *cli);
/* Whether output to `f` gets ANSI colours (--ansi, NO_COLOR, a terminal). */
bool cli_use_color(const struct cli_ctx *ctx, FILE *f);
/* The SGR colour code a service keeps across runs. */
int cli_service_color(const char *service);

/* Load the project the global options describe; services named on the command line enable their profiles. */
int cli_load_project(struct cli_ctx *ctx, const char *const *services, size_t nservices, bool no_interpolate,
		     bool all_profiles, struct cc_project **out);
/* The same with the loader's keep_enabled (named services don't narrow the project), and the error handed
 * back instead of printed when err is non-NULL. */
int cli_load_project_ex(struct cli_ctx *ctx, const char *const *services, size_t nservices,
			bool no_interpolate, bool all_profiles, bool keep_enabled, struct cc_project **out,
			struct cc_error **err);
/* Free a project at the end of a command. The process is about to exit, so outside sanitizer builds this
 * leaves the tree to the kernel (as git's CLI does): walking and freeing every node is measurable time on
 * large projects. The library itself always frees; its tests check that under ASan. */
void cli_release_project(struct cc_project *p);
void cli_print_error(const struct cc_error *err);
void cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
