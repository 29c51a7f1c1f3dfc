/* `watch`: bring the services up (unless --no-up), then apply their develop.watch rules as files change,
 * until Ctrl+C or SIGTERM. */
#include "base/cleanup.h"
#include "cli/cli.h"
#include "cli/flags.h"
#include "orchestrator/watch.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

static void watch_status(void *ctx, const char *kind, const char *name, const char *status)
{
	struct cli_watch_ui *w = ctx;
	/* --progress json: every status is an object, the watch's too */
	if (strcmp(kind, "Watch") != 0 || w->cli->json) {
		w->cli->ui.status(w->cli->ui.ctx, kind, name, status);
		return;
	}
	if (w->cli->quiet)
		return;
	pthread_mutex_lock(&w->cli->lock);
	fprintf(stderr, "watch: %s: %s\n", name, status);
	pthread_mutex_unlock(&w->cli->lock);
}

static void watch_warn(void *ctx, const char *msg)
{
	struct cli_watch_ui *w = ctx;
	w->cli->ui.warn(w->cli->ui.ctx, msg);
}

void cli_watch_ui_init(struct cli_watch_ui *w, struct cli_ui *cli)
{
	*w = (struct cli_watch_ui){cli, {watch_status, watch_warn, w}};
}

static int bring_up(struct cli_ctx *ctx, struct cc_runtime *rt, struct cc_project *p, char *const *services,
		    const struct cc_orch_ui *ui)
{
	struct cc_error *err = NULL;
	struct cc_up_opts up = {.services = services, .parallel = (int)ctx->parallel, .stop_timeout_ns = -1};
	if (cc_orch_prepare_images(rt, p, services, "always", NULL, ui, &err) < 0 ||
	    cc_orch_ensure_resources(rt, p, services, ui, &err) < 0 || cc_orch_up(rt, p, &up, ui, &err) < 0)
		return cli_fail(&err);
	return CLI_OK;
}

int cli_watch(struct cli_ctx *ctx, int argc, char **argv)
{
	bool no_up = false, quiet = false;
	const struct cli_flag flags[] = {
	    {"no-up", 0, CLI_BOOL, &no_up, NULL, "Do not build and start the services before watching"},
	    {"quiet", 0, CLI_BOOL, &quiet, NULL, "Hide build output"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "watch", "[SERVICE...]",
	    "Watch the build context of services and rebuild, restart or sync them as "
	    "files change",
	    flags, false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	if (quiet)
		ctx->progress = "quiet";
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	int rc = cli_open(ctx, args, &p, &rt);
	struct cc_watch_rules rules = {NULL, 0};
	struct cc_error *err = NULL;
	if (rc == CLI_OK && cc_watch_rules_load(p, args, &rules, &err) < 0)
		rc = cli_fail(&err);
	struct cli_ui ui;
	cli_ui_init(ctx, &ui);
	struct cli_watch_ui wui;
	cli_watch_ui_init(&wui, &ui);
	char *const *selected = args && args[0] ? args : NULL;
	/* Ctrl+C during the build and start stops the command as it would stop up */
	if (rc == CLI_OK && !no_up)
		rc = bring_up(ctx, rt, p, selected, &ui.ui);
	/* while watching, the signals arrive on a descriptor, and every thread an action starts leaves them
	 * to it */
	sigset_t stop_signals, old_mask;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	int sfd = -1;
	if (rc == CLI_OK) {
		pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
		sfd = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
		if (sfd < 0) {
			cc_error_set_errno(&err, CC_ERR_INTERNAL, errno, "signalfd");
			rc = cli_fail(&err);
		}
	}
	if (rc == CLI_OK) {
		struct cc_watch_opts o = {.cancel_fd = sfd, .parallel = (int)ctx->parallel};
		if (!ui.quiet)
			fprintf(stderr, "Watch enabled (Ctrl+C to stop)\n");
		if (cc_orch_watch(rt, p, &rules, &o, &wui.ui, &err) < 0) {
			rc = cli_fail(&err);
		} else {
			struct signalfd_siginfo si = {0};
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si) && si.ssi_signo == SIGINT)
				rc = 130; /* as up's Ctrl+C */
		}
	}
	if (sfd >= 0) {
		/* what else came meanwhile is taken here, not delivered once the mask is restored */
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			;
		close(sfd);
		pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	}
	cli_ui_release(&ui);
	cc_watch_rules_release(&rules);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	return rc;
}
