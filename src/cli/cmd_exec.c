/* `exec` (a command in a running service container) and `run` (a one-off container of a service). Both exit
 * with the command's exit code, as docker compose does. */
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/strmap.h"
#include "compose/dotenv.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli/attachrelay.h"
#include "cli/cli.h"
#include "cli/flags.h"
#include "cli/objects.h"

#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

static int print_raw(void *ctx, const struct cc_log_frame *f)
{
	FILE *out = f->stream == CC_STREAM_STDERR ? stderr : stdout;
	fwrite(f->data, 1, f->len, out);
	fputc('\n', out);
	fflush(out);
	return 0;
}

/* The project, its runtime and the running container of `service` that exec and attach work on. */
static int open_running(struct cli_ctx *ctx, const char *service, long index, struct cc_project **p,
			struct cc_runtime **rt, struct cc_container *target)
{
	char *const svc[] = {(char *)service, NULL};
	int rc = cli_open(ctx, svc, p, rt);
	return rc == CLI_OK ? cli_service_container(*rt, (*p)->name, service, index, true, false, target)
			    : rc;
}

int cli_exec(struct cli_ctx *ctx, int argc, char **argv)
{
	bool detach = false, no_tty = false, privileged = false, tty = false, interactive = false;
	const char *user = NULL, *workdir = NULL;
	long index = 1;
	cc_strv env = NULL;
	const struct cli_flag flags[] = {
	    {"detach", 'd', CLI_BOOL, &detach, NULL, "Detached mode: run the command in the background"},
	    {"env", 'e', CLI_LIST, &env, "KEY=VAL", "Set environment variables"},
	    {"index", 0, CLI_INT, &index, "N", "Index of the container if the service has several replicas"},
	    {"no-TTY", 'T', CLI_BOOL, &no_tty, NULL, "Disable pseudo-TTY allocation"},
	    {"privileged", 0, CLI_BOOL, &privileged, NULL, "Give extended privileges to the process"},
	    {"user", 'u', CLI_STR, &user, "USER", "Run the command as this user"},
	    {"workdir", 'w', CLI_STR, &workdir, "DIR", "Path to workdir directory for this command"},
	    {"interactive", 'i', CLI_BOOL, &interactive, NULL,
	     "Pass standard input to the command (on with a terminal)"},
	    {"tty", 't', CLI_BOOL, &tty, NULL,
	     "Allocate a pseudo-TTY (default when standard input is a terminal)"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"exec", "SERVICE COMMAND [ARGS...]",
				      "Execute a command in a running container", flags, true};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	int rc = CLI_OK;
	bool terminal = isatty(STDIN_FILENO);
	if (cc_strv_len(args) < 2) {
		cli_usage_error("exec", "requires at least 2 arguments: SERVICE COMMAND");
		rc = CLI_USAGE;
	} else if (tty && !no_tty && !terminal) {
		cli_usage_error("exec", "the input device is not a TTY (use -T, or run from a terminal)");
		rc = CLI_USAGE;
	}
	/* docker compose's habit: a pseudo-TTY whenever standard input is a terminal, unless -T */
	bool use_tty = !no_tty && !detach && terminal;
	struct cc_exec_stdio stdio = {interactive || use_tty ? STDIN_FILENO : -1,
				      use_tty ? STDIN_FILENO : -1};
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	struct cc_container target = {0};
	if (rc == CLI_OK)
		rc = open_running(ctx, args[0], index, &p, &rt, &target);
	const char *id = target.id;
	if (rc == CLI_OK) {
		struct cc_exec_opts o = {.argv = args + 1,
					 .env = env,
					 .user = user,
					 .working_dir = workdir,
					 .tty = use_tty,
					 .detach = detach,
					 .privileged = privileged,
					 .stdio = &stdio};
		struct cc_log_sink sink = {print_raw, NULL, NULL};
		int code = 0;
		struct cc_error *err = NULL;
		if (cc_rt_container_exec(rt, id, &o, &sink, &code, &err) < 0)
			rc = cli_fail(&err);
		else
			rc = code;
	}
	cc_container_release(&target);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	cc_strv_free(env);
	return rc;
}

/* --entrypoint is one string, split like a shell would (quotes group words). */
static cc_strv split_words(const char *s)
{
	cc_strv v = cc_xcalloc(1, sizeof(char *));
	cleanup_strbuf struct cc_strbuf w = CC_STRBUF_INIT;
	bool in_word = false;
	char quote = 0;
	for (const char *c = s; *c; c++) {
		if (quote) {
			if (*c == quote)
				quote = 0;
			else
				cc_strbuf_addch(&w, *c);
		} else if (*c == '\'' || *c == '"') {
			quote = *c;
			in_word = true;
		} else if (*c == ' ' || *c == '\t') {
			if (in_word)
				cc_strv_push(&v, cc_strbuf_str(&w));
			cc_strbuf_reset(&w);
			in_word = false;
		} else {
			cc_strbuf_addch(&w, *c);
			in_word = true;
		}
	}
	if (in_word)
		cc_strv_push(&v, cc_strbuf_str(&w));
	return v;
}

struct run_opts {
	bool rm, detach, no_deps, no_tty, quiet_pull, quiet_build, build, remove_orphans, tty;
	bool interactive;  /* -i given */
	bool attach_tty;   /* a pseudo-TTY: -t, or by default when stdin is a terminal (not with -T) */
	bool attach_stdin; /* stdin goes to the container: -i, or with the pseudo-TTY */
	const char *name, *entrypoint, *user, *workdir, *pull;
	cc_strv env, labels, env_files;
	struct cc_oneoff_opts oneoff;
};

static const char *os_lookup(void *ud, const char *name)
{
	(void)ud;
	return getenv(name);
}

/* --env-from-file: the files' variables in the env_file grammar, before -e's (which win). */
static int add_env_files(char *const *files, struct cc_container_spec *spec, struct cc_error **err)
{
	for (; files && *files; files++) {
		char *data = NULL;
		size_t len = 0;
		struct cc_strmap vars;
		cc_strmap_init(&vars, free);
		int r = cc_read_file(*files, &data, &len, err) < 0
			    ? cc_error_wrap(err, "--env-from-file")
			    : cc_dotenv_parse(data, len, *files, os_lookup, NULL, &vars, err);
		free(data);
		if (r == 0) {
			cc_strmap_foreach(&vars, e)
			{
				char *kv = cc_xasprintf("%s=%s", e->key, (const char *)e->value);
				cc_strv_push(&spec->env, kv);
				free(kv);
			}
		}
		cc_strmap_release(&vars);
		if (r < 0)
			return -1;
	}
	return 0;
}

static void apply_overrides(const struct run_opts *ro, char *const *command, struct cc_container_spec *spec)
{
	if (ro->name) {
		free(spec->name);
		spec->name = cc_xstrdup(ro->name);
	}
	if (ro->entrypoint) {
		cc_strv_free(spec->entrypoint);
		spec->entrypoint = split_words(ro->entrypoint);
		spec->has_entrypoint = true;
	}
	if (command && command[0]) {
		cc_strv_free(spec->cmd);
		spec->cmd = cc_strv_copy(command);
		spec->has_cmd = true;
	} else if (ro->entrypoint) {
		cc_strv_free(spec->cmd); /* a new entrypoint drops the service's command, as in docker */
		spec->cmd = NULL;
		spec->has_cmd = false;
	}
	for (char **e = ro->env; e && *e; e++) {
		if (strchr(*e, '=')) {
			cc_strv_push(&spec->env, *e);
		} else {
			const char *v = getenv(*e);
			if (v) {
				char *kv = cc_xasprintf("%s=%s", *e, v);
				cc_strv_push(&spec->env, kv);
				free(kv);
			}
		}
	}
	cli_kvs_from_list(ro->labels, &spec->labels);
	if (ro->user) {
		free(spec->user);
		spec->user = cc_xstrdup(ro->user);
	}
	if (ro->workdir) {
		free(spec->working_dir);
		spec->working_dir = cc_xstrdup(ro->workdir);
	}
	spec->tty = ro->attach_tty;
	spec->stdin_open = ro->attach_stdin || spec->stdin_open;
}

/* The one-off's output until it ends: attached (stdin and a terminal as asked), else followed from its log.
 * A backend without attach falls back to the log unless -i or -t asked for it; a container that ended before
 * the attach connected has all its output in its log. */
static int run_output(struct cc_runtime *rt, const char *id, const struct run_opts *ro, struct cc_error **err)
{
	if (ro->attach_stdin || ro->attach_tty) {
		struct cc_attach_io io = {.in_fd = ro->attach_stdin ? STDIN_FILENO : -1,
					  .out_fd = STDOUT_FILENO,
					  .terminal = ro->attach_tty ? STDIN_FILENO : -1,
					  .cancel = -1};
		struct cc_error *e = NULL;
		if (cc_rt_container_attach(rt, id, &io, &e) == 0)
			return 0;
		bool explicit = ro->interactive || ro->tty;
		if (e->kind != CC_ERR_INVALID_STATE && (e->kind != CC_ERR_NOT_SUPPORTED || explicit)) {
			*err = e;
			return -1;
		}
		cc_error_free(e);
	}
	struct cc_log_opts lo = {.follow = true, .tail = -1};
	struct cc_log_sink sink = {print_raw, NULL, NULL};
	return cc_rt_container_logs(rt, id, &lo, &sink, err);
}

/* Start the service's dependencies the way up would, then create and run the one-off container. */
static int run_oneoff(struct cli_ctx *ctx, struct cc_runtime *rt, const struct cc_project *p,
		      const struct run_opts *ro, char *const *args)
{
	struct cli_ui ui;
	cli_ui_init(ctx, &ui);
	ui.quiet_build = ro->quiet_build;
	struct cc_error *err = NULL;
	const char *service = args[0];
	char *const svc[] = {(char *)service, NULL};
	int rc = CLI_OK;
	const struct cc_val *deps = cc_map_get(cc_project_service(p, service), "depends_on");
	cc_strv dep_names = cc_xcalloc(1, sizeof(char *));
	for (size_t i = 0; deps && deps->kind == CC_V_MAP && i < deps->map.n; i++)
		cc_strv_push(&dep_names, deps->map.e[i].key);
	bool ignore_orphans = cli_compose_switch(p, "COMPOSE_IGNORE_ORPHANS");
	struct cc_up_opts up = {.services = dep_names,
				.parallel = (int)ctx->parallel,
				.stop_timeout_ns = -1,
				.ignore_orphans = true}; /* named once, below */
	struct cc_orphan_opts orphans = {.remove = ro->remove_orphans ||
						   cli_compose_switch(p, "COMPOSE_REMOVE_ORPHANS"),
					 .ignore = ignore_orphans,
					 .timeout_ns = -1};
	if (cc_orch_orphans(rt, p, &orphans, &ui.ui, &err) < 0 ||
	    cc_orch_prepare_images(rt, p, svc, ro->build ? "always" : NULL, ro->pull, &ui.ui, &err) < 0 ||
	    cc_orch_ensure_resources(rt, p, svc, &ui.ui, &err) < 0 ||
	    (!ro->no_deps && dep_names[0] && cc_orch_up(rt, p, &up, &ui.ui, &err) < 0) ||
	    (!ro->no_deps && cc_orch_wait_dependencies(rt, p, service, &ui.ui, &err) < 0)) {
		cc_strv_free(dep_names);
		cli_ui_release(&ui);
		return cli_fail(&err);
	}
	cc_strv_free(dep_names);
	struct cc_container_spec spec;
	char *id = NULL;
	if (cc_orch_oneoff_spec(p, service, &ro->oneoff, &spec, &err) < 0 ||
	    cc_orch_volumes_from(rt, p, service, &spec, &err) < 0 ||
	    add_env_files(ro->env_files, &spec, &err) < 0) {
		cc_container_spec_release(&spec);
		cli_ui_release(&ui);
		return cli_fail(&err);
	}
	apply_overrides(ro, args + 1, &spec);
	/* detached, --rm is the engine's to do when the container exits, as docker's run -d --rm */
	spec.auto_remove = ro->rm && ro->detach;
	bool started = false;
	if (cc_rt_container_create(rt, &spec, &id, &err) < 0 ||
	    !(started = cc_rt_container_start(rt, id, &err) == 0)) {
		rc = cli_fail(&err);
	} else if (ro->detach) {
		printf("%s\n", spec.name);
	} else {
		int code = 0;
		if (run_output(rt, id, ro, &err) < 0 ||
		    cc_rt_container_wait(rt, id, CC_WAIT_NOT_RUNNING, -1, &code, &err) < 0)
			rc = cli_fail(&err);
		else
			rc = code;
	}
	/* --rm also when the start failed: nothing of a one-off that never ran stays behind */
	if (id && ro->rm && (!ro->detach || !started) && cc_rt_container_remove(rt, id, true, true, &err) < 0)
		cli_fail(&err);
	free(id);
	cc_container_spec_release(&spec);
	cli_ui_release(&ui);
	return rc;
}

int cli_run(struct cli_ctx *ctx, int argc, char **argv)
{
	struct run_opts ro = {0};
	cc_strv publish = NULL, volumes = NULL, cap_add = NULL, cap_drop = NULL;
	bool quiet = false;
	const struct cli_flag flags[] = {
	    {"rm", 0, CLI_BOOL, &ro.rm, NULL, "Automatically remove the container when it exits"},
	    {"detach", 'd', CLI_BOOL, &ro.detach, NULL, "Run container in background and print container ID"},
	    {"env", 'e', CLI_LIST, &ro.env, "KEY=VAL", "Set environment variables"},
	    {"label", 'l', CLI_LIST, &ro.labels, "KEY=VAL", "Add or override a label"},
	    {"name", 0, CLI_STR, &ro.name, "NAME", "Assign a name to the container"},
	    {"entrypoint", 0, CLI_STR, &ro.entrypoint, "CMD", "Override the entrypoint of the image"},
	    {"user", 'u', CLI_STR, &ro.user, "USER", "Run as specified username or uid"},
	    {"workdir", 'w', CLI_STR, &ro.workdir, "DIR", "Working directory inside the container"},
	    {"service-ports", 'P', CLI_BOOL, &ro.oneoff.service_ports, NULL,
	     "Run command with all service's ports enabled and mapped to the host"},
	    {"no-deps", 0, CLI_BOOL, &ro.no_deps, NULL, "Don't start linked services"},
	    {"no-TTY", 'T', CLI_BOOL, &ro.no_tty, NULL, "Disable pseudo-TTY allocation"},
	    {"tty", 't', CLI_BOOL, &ro.tty, NULL, "Allocate a pseudo-TTY"},
	    {"interactive", 'i', CLI_BOOL, &ro.interactive, NULL, "Keep STDIN open and attached"},
	    {"build", 0, CLI_BOOL, &ro.build, NULL, "Build image before starting container"},
	    {"pull", 0, CLI_STR, &ro.pull, "POLICY", "Pull image before running: always, missing, never"},
	    {"quiet-pull", 0, CLI_BOOL, &ro.quiet_pull, NULL, "Pull without printing progress information"},
	    {"quiet-build", 0, CLI_BOOL, &ro.quiet_build, NULL, "Suppress the build output"},
	    {"remove-orphans", 0, CLI_BOOL, &ro.remove_orphans, NULL,
	     "Remove containers for undefined services"},
	    {"publish", 'p', CLI_LIST, &publish, "PORT", "Publish a container's port(s) to the host"},
	    {"volume", 'v', CLI_LIST, &volumes, "VOLUME", "Bind mount a volume"},
	    {"cap-add", 0, CLI_LIST, &cap_add, "CAP", "Add Linux capabilities"},
	    {"cap-drop", 0, CLI_LIST, &cap_drop, "CAP", "Drop Linux capabilities"},
	    {"use-aliases", 0, CLI_BOOL, &ro.oneoff.use_aliases, NULL,
	     "Use the service's network aliases in the network(s) the container connects to"},
	    {"env-from-file", 0, CLI_LIST, &ro.env_files, "FILE", "Set environment variables from file"},
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Don't print anything to STDOUT"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"run", "SERVICE [COMMAND] [ARGS...]",
				      "Run a one-off command on a service", flags, true};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	int rc = CLI_OK;
	if (!args[0]) {
		cli_usage_error("run", "requires at least 1 argument: SERVICE");
		rc = CLI_USAGE;
	} else if (ro.tty && !ro.no_tty && !ro.detach && !isatty(STDIN_FILENO)) {
		cli_usage_error("run", "the input device is not a TTY (use -T, or run from a terminal)");
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK && ro.oneoff.service_ports && publish && publish[0]) {
		cli_usage_error("run", "--service-ports and --publish are incompatible");
		rc = CLI_USAGE;
	}
	ro.oneoff.publish = publish;
	ro.oneoff.volumes = volumes;
	ro.oneoff.cap_add = cap_add;
	ro.oneoff.cap_drop = cap_drop;
	if (quiet)
		ctx->progress = "quiet";
	/* docker compose's habits: a pseudo-TTY whenever standard input is a terminal, unless -T or -d */
	ro.attach_tty = !ro.no_tty && !ro.detach && isatty(STDIN_FILENO);
	ro.attach_stdin = !ro.detach && (ro.interactive || ro.attach_tty);
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	char *const svc[] = {rc == CLI_OK ? args[0] : NULL, NULL};
	if (rc == CLI_OK)
		rc = cli_open(ctx, svc, &p, &rt);
	if (rc == CLI_OK)
		rc = run_oneoff(ctx, rt, p, &ro, args);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	cc_strv_free(ro.env);
	cc_strv_free(ro.labels);
	cc_strv_free(ro.env_files);
	cc_strv_free(publish);
	cc_strv_free(volumes);
	cc_strv_free(cap_add);
	cc_strv_free(cap_drop);
	return rc;
}

int cli_attach(struct cli_ctx *ctx, int argc, char **argv)
{
	long index = 1;
	bool no_stdin = false, sig_proxy = true;
	const char *detach_keys = "ctrl-p,ctrl-q";
	const struct cli_flag flags[] = {
	    {"index", 0, CLI_INT, &index, "N", "Index of the container if the service has several replicas"},
	    {"no-stdin", 0, CLI_BOOL, &no_stdin, NULL, "Do not attach STDIN"},
	    {"detach-keys", 0, CLI_STR, &detach_keys, "KEYS",
	     "Override the key sequence for detaching from a container (default ctrl-p,ctrl-q)"},
	    {"sig-proxy", 0, CLI_BOOL, &sig_proxy, NULL,
	     "Proxy all received signals to the process (default true)"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "attach", "SERVICE",
	    "Attach local standard input, output, and error streams to a service's running "
	    "container",
	    flags, false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	int rc = CLI_OK;
	unsigned char keys[CLI_DETACH_KEYS_MAX];
	size_t nkeys = 0;
	char *bad = NULL;
	if (cc_strv_len(args) != 1) {
		cli_usage_error("attach", "requires exactly 1 argument: SERVICE");
		rc = CLI_USAGE;
	} else if (cli_detach_keys_parse(detach_keys, keys, &nkeys, &bad) < 0) {
		cli_usage_error("attach", "--detach-keys: %s", bad);
		free(bad);
		rc = CLI_USAGE;
	}
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	struct cc_container target = {0};
	if (rc == CLI_OK)
		rc = open_running(ctx, args[0], index, &p, &rt, &target);
	if (rc == CLI_OK) {
		/* the terminal goes raw only for a container that has one */
		bool terminal = target.spec.tty && isatty(STDIN_FILENO);
		/* as docker's attach: input only to a container that keeps its stdin open, the detach keys
		 * only on a terminal, the signals only to a container without one (a terminal's own keys
		 * reach it) */
		struct cli_input_relay relay;
		bool want_stdin = !no_stdin && target.spec.stdin_open;
		bool relaying = want_stdin && cli_input_relay_start(&relay, STDIN_FILENO, keys,
								    target.spec.tty ? nkeys : 0) == 0;
		struct cc_attach_io io = {.in_fd = relaying     ? relay.in
						   : want_stdin ? STDIN_FILENO
								: -1,
					  .out_fd = STDOUT_FILENO,
					  .terminal = terminal ? STDIN_FILENO : -1,
					  .cancel = relaying ? relay.cancel : -1};
		struct cli_signal_proxy proxy;
		bool proxying =
		    sig_proxy && !target.spec.tty && cli_signal_proxy_start(&proxy, rt, target.id) == 0;
		struct cc_error *err = NULL;
		int code = 0;
		int r = cc_rt_container_attach(rt, target.id, &io, &err);
		if (r < 0 && (err->kind == CC_ERR_INVALID_STATE || err->kind == CC_ERR_NOT_SUPPORTED)) {
			/* no input to attach to (no stdin_open or tty), or a backend without attach: its
			 * output from now on, as docker's attach shows it */
			cc_error_release(&err);
			struct cc_log_opts lo = {.follow = true, .tail = 0};
			struct cc_log_sink sink = {print_raw, NULL, NULL};
			r = cc_rt_container_logs(rt, target.id, &lo, &sink, &err);
		}
		bool detached = relaying && relay.detached;
		if (relaying)
			cli_input_relay_stop(&relay);
		if (detached && r == 0) {
			/* the container goes on; the terminal is the user's again */
			fprintf(stderr, "read escape sequence\n");
			rc = CLI_OK;
		} else if (r < 0 ||
			   cc_rt_container_wait(rt, target.id, CC_WAIT_NOT_RUNNING, -1, &code, &err) < 0) {
			rc = cli_fail(&err);
		} else {
			rc = code; /* docker's habit: the container's exit code once it ended */
		}
		if (proxying)
			cli_signal_proxy_stop(&proxy);
	}
	cc_container_release(&target);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	return rc;
}
