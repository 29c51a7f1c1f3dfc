/* `down` and the per-service lifecycle commands: start, stop, restart, kill, rm, pause, unpause. */
#include "base/cleanup.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/flags.h"

#include <stdio.h>
#include <string.h>

int cli_down(struct cli_ctx *ctx, int argc, char **argv)
{
	bool volumes = false, remove_orphans = false;
	const char *rmi = NULL;
	int64_t timeout = -1;
	const struct cli_flag flags[] = {
	    {"volumes", 'v', CLI_BOOL, &volumes, NULL,
	     "Remove named volumes declared in the volumes section and anonymous volumes attached to "
	     "containers"},
	    {"remove-orphans", 0, CLI_BOOL, &remove_orphans, NULL,
	     "Remove containers for undefined services"},
	    {"rmi", 0, CLI_STR, &rmi, "TYPE", "Remove images used by services: local or all"},
	    {"timeout", 't', CLI_SECS, &timeout, "SECONDS", "Specify a shutdown timeout in seconds"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"down", "[SERVICES]", "Stop and remove containers, networks", flags,
				      false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	int rc = CLI_OK;
	if (rmi && strcmp(rmi, "local") && strcmp(rmi, "all")) {
		cli_usage_error("down", "invalid --rmi \"%s\": use local or all", rmi);
		rc = CLI_USAGE;
	}
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	cleanup_free char *project = NULL;
	if (rc == CLI_OK)
		rc = cli_open_by_name(ctx, args, &p, &rt, &project);
	if (rc == CLI_OK) {
		struct cli_ui ui;
		cli_ui_init(ctx, &ui);
		struct cc_down_opts o = {.volumes = volumes,
					 .remove_orphans = remove_orphans ||
							   cli_compose_switch(p, "COMPOSE_REMOVE_ORPHANS"),
					 .ignore_orphans = cli_compose_switch(p, "COMPOSE_IGNORE_ORPHANS"),
					 .rmi = rmi,
					 .timeout_ns = timeout,
					 .services = args[0] ? args : NULL,
					 .parallel = (int)ctx->parallel};
		struct cc_error *err = NULL;
		if (cc_orch_down(rt, project, p, &o, &ui.ui, &err) < 0)
			rc = cli_fail(&err);
		else if (!args[0] && p)
			cli_record_project(ctx, p, true);
		cli_ui_release(&ui);
	}
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	return rc;
}

/* What some of the commands do after the action; their flags, read once parsed. */
struct after_action {
	const bool *remove_orphans; /* kill */
	const bool *wait;           /* start */
	const int64_t *wait_timeout;
};

/* The common shape: parse, load, act on the named services' containers. */
static int lifecycle(struct cli_ctx *ctx, int argc, char **argv, const struct cli_spec *spec,
		     enum cc_orch_action action, struct cc_orch_action_opts *o,
		     const struct after_action *after)
{
	const bool *remove_orphans = after ? after->remove_orphans : NULL;
	cc_strv args;
	int pr = cli_parse(spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	int rc = CLI_OK;
	if (action == CC_ORCH_KILL && o->signal && cc_signal_parse(o->signal) < 0) {
		cli_usage_error(spec->name, "invalid signal \"%s\"", o->signal);
		rc = CLI_USAGE;
	}
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	if (rc == CLI_OK)
		rc = cli_open(ctx, args, &p, &rt);
	if (rc == CLI_OK) {
		struct cli_ui ui;
		cli_ui_init(ctx, &ui);
		o->services = args[0] ? args : NULL;
		o->parallel = (int)ctx->parallel;
		struct cc_error *err = NULL;
		int acted = cc_orch_act(rt, p, action, o, &ui.ui, &err);
		struct cc_orphan_opts orphans = {
		    .remove = remove_orphans &&
			      (*remove_orphans || cli_compose_switch(p, "COMPOSE_REMOVE_ORPHANS")),
		    .ignore = true, /* only removed here, as docker compose's kill */
		    .timeout_ns = -1};
		if (acted < 0 || (orphans.remove && cc_orch_orphans(rt, p, &orphans, &ui.ui, &err) < 0))
			rc = cli_fail(&err);
		else if (after && after->wait && *after->wait &&
			 cc_orch_wait_ready(rt, p, o->services, *after->wait_timeout, &err) < 0)
			rc = cli_fail(&err);
		else if (acted == 0 && action == CC_ORCH_REMOVE)
			fprintf(stderr, "No stopped containers\n");
		cli_ui_release(&ui);
	}
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	return rc;
}

int cli_start(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cc_orch_action_opts o = {.timeout_ns = -1};
	bool wait = false;
	int64_t wait_timeout = 0;
	const struct cli_flag flags[] = {
	    {"wait", 0, CLI_BOOL, &wait, NULL, "Wait for services to be running|healthy"},
	    {"wait-timeout", 0, CLI_SECS, &wait_timeout, "SECONDS",
	     "Maximum duration to wait for the project"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"start", "[SERVICE...]", "Start services", flags, false};
	const struct after_action after = {.wait = &wait, .wait_timeout = &wait_timeout};
	return lifecycle(ctx, argc, argv, &spec, CC_ORCH_START, &o, &after);
}

int cli_stop(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cc_orch_action_opts o = {.timeout_ns = -1};
	const struct cli_flag flags[] = {
	    {"timeout", 't', CLI_SECS, &o.timeout_ns, "SECONDS", "Specify a shutdown timeout in seconds"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"stop", "[SERVICE...]", "Stop services", flags, false};
	return lifecycle(ctx, argc, argv, &spec, CC_ORCH_STOP, &o, NULL);
}

int cli_restart(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cc_orch_action_opts o = {.timeout_ns = -1};
	const struct cli_flag flags[] = {
	    {"timeout", 't', CLI_SECS, &o.timeout_ns, "SECONDS", "Specify a shutdown timeout in seconds"},
	    {"no-deps", 0, CLI_BOOL, &o.no_deps, NULL, "Don't restart dependent services"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"restart", "[SERVICE...]", "Restart service containers", flags, false};
	return lifecycle(ctx, argc, argv, &spec, CC_ORCH_RESTART, &o, NULL);
}

int cli_kill(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cc_orch_action_opts o = {.timeout_ns = -1, .signal = "SIGKILL"};
	bool remove_orphans = false;
	const struct cli_flag flags[] = {
	    {"signal", 's', CLI_STR, &o.signal, "SIGNAL",
	     "SIGNAL to send to the container (default SIGKILL)"},
	    {"remove-orphans", 0, CLI_BOOL, &remove_orphans, NULL,
	     "Remove containers for undefined services"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"kill", "[SERVICE...]", "Force stop service containers", flags, false};
	const struct after_action after = {.remove_orphans = &remove_orphans};
	return lifecycle(ctx, argc, argv, &spec, CC_ORCH_KILL, &o, &after);
}

int cli_rm(struct cli_ctx *ctx, int argc, char **argv)
{
	/* like docker compose, rm takes stopped containers only, unless --stop; there is no prompt to skip,
	 * so -f changes nothing */
	struct cc_orch_action_opts o = {.timeout_ns = -1};
	const struct cli_flag flags[] = {
	    {"force", 'f', CLI_BOOL, &o.force, NULL, "Don't ask to confirm removal"},
	    {"stop", 's', CLI_BOOL, &o.all_states, NULL, "Stop the containers, if required, before removing"},
	    {"volumes", 'v', CLI_BOOL, &o.volumes, NULL,
	     "Remove any anonymous volumes attached to containers"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"rm", "[SERVICE...]", "Removes stopped service containers", flags,
				      false};
	return lifecycle(ctx, argc, argv, &spec, CC_ORCH_REMOVE, &o, NULL);
}

int cli_pause(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cc_orch_action_opts o = {.timeout_ns = -1};
	const struct cli_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	const struct cli_spec spec = {"pause", "[SERVICE...]", "Pause services", flags, false};
	return lifecycle(ctx, argc, argv, &spec, CC_ORCH_PAUSE, &o, NULL);
}

int cli_unpause(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cc_orch_action_opts o = {.timeout_ns = -1};
	const struct cli_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	const struct cli_spec spec = {"unpause", "[SERVICE...]", "Unpause services", flags, false};
	return lifecycle(ctx, argc, argv, &spec, CC_ORCH_UNPAUSE, &o, NULL);
}
