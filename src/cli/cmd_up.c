/* `up` and `create`: converge the project, then (up without -d) attach to the containers' output until they
 * stop, or until Ctrl+C stops them. */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/flags.h"
#include "cli/logprint.h"
#include "orchestrator/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Set by SIGINT/SIGTERM while attached: the front-end's only global state, as signals demand. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted++;
}

static int parse_scale(const char *cmd, cc_strv scale, struct cc_kvs *out)
{
	for (char **s = scale; s && *s; s++) {
		const char *eq = strchr(*s, '=');
		char *end = NULL;
		long n = eq ? strtol(eq + 1, &end, 10) : -1;
		if (!eq || eq == *s || !end || *end || end == eq + 1 || n < 0 || n > INT_MAX) {
			cli_usage_error(cmd, "invalid %s\"%s\": expected SERVICE=NUM",
					strcmp(cmd, "scale") == 0 ? "" : "--scale ", *s);
			return -1;
		}
		char *svc = cc_xstrndup(*s, (size_t)(eq - *s));
		cc_kvs_set(out, svc, eq + 1);
		free(svc);
	}
	return 0;
}

/* Attached mode: one thread per container follows its output and, when the stream ends (the container
 * stopped), reports its exit code, so "exited with code" always comes after the container's last line. */
struct attach_state {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	size_t done;
	int first_code;    /* of the first container to stop, -1 before */
	int first_code_of; /* of the first container of --exit-code-from's service to stop, -1 before */
	int failed_code;   /* the first non-zero exit code, -1 before */
	const char *code_service;
	bool refresh;     /* --watch rebuilt a service: its new containers are to be followed */
	bool watch_ended; /* the watch returned (cancelled, or failed) */
};

struct attach_job {
	struct cc_runtime *rt;
	struct cc_container c;
	struct cli_log_printer *lp;
	struct attach_state *st;
	int64_t since_ns;
	pthread_t thread;
	bool started;
};

static void *attach_one(void *arg)
{
	struct attach_job *j = arg;
	struct cc_log_opts opts = {.follow = true, .tail = -1, .since_ns = j->since_ns};
	struct cc_error *err = NULL;
	int code = -1;
	if (cli_follow_logs(j->rt, &j->c, &opts, j->lp, true, &code, &err) < 0)
		cc_error_release(&err); /* removed while attached: it stopped either way */
	pthread_mutex_lock(&j->st->lock);
	j->st->done++;
	if (j->st->first_code < 0)
		j->st->first_code = code < 0 ? 0 : code;
	if (j->st->failed_code < 0 && code > 0)
		j->st->failed_code = code;
	if (j->st->code_service && j->st->first_code_of < 0 &&
	    strcmp(cc_orch_container_service(&j->c), j->st->code_service) == 0)
		j->st->first_code_of = code < 0 ? 0 : code;
	pthread_cond_signal(&j->st->changed);
	pthread_mutex_unlock(&j->st->lock);
	return NULL;
}

struct stopper {
	struct cc_runtime *rt;
	const struct cc_project *p;
	const struct cc_orch_ui *ui;
	struct cc_orch_action_opts o;
	pthread_t thread;
	bool started;
	struct cc_error *err;
};

static void *run_stop(void *arg)
{
	struct stopper *s = arg;
	cc_orch_act(s->rt, s->p, CC_ORCH_STOP, &s->o, s->ui, &s->err);
	return NULL;
}

/* Follow the output until every container stopped (or, with abort, until one did); returns the exit code up
 * reports. */
struct attach_opts {
	char *const *services;  /* up's services (NULL: all) */
	char *const *shown;     /* whose output is shown, when not services (--attach-dependencies) */
	char *const *attach;    /* --attach: only these services' output (NULL: all) */
	char *const *no_attach; /* --no-attach: not these */
	bool abort_on_exit, abort_on_failure, no_prefix, timestamps;
	const char *exit_code_from;
	int64_t since_ns;
	const struct cc_watch_rules *watch; /* --watch: these rules applied meanwhile */
};

static bool listed(char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* The containers whose output up shows: the project's services only (an orphan's output and exit are not
 * this up's business), nor those --attach leaves out or --no-attach names. */
static int attached_containers(struct cc_runtime *rt, const struct cc_project *p,
			       const struct attach_opts *ao, struct cc_container **out, size_t *nout,
			       struct cc_error **err)
{
	char *const *services = ao->shown ? ao->shown : ao->services;
	if (services && !services[0])
		services = NULL;
	struct cc_container *cs;
	size_t n;
	if (cc_orch_containers(rt, p->name, services, true, false, &cs, &n, err) < 0)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *svc = cc_orch_container_service(&cs[i]);
		/* a service's `attach: false` keeps it out unless --attach names it */
		const struct cc_val *flag = cc_map_get(cc_project_service(p, svc), "attach");
		bool quiet = flag && flag->kind == CC_V_BOOL && !flag->num.b;
		bool wanted = ao->attach && ao->attach[0] ? listed(ao->attach, svc) : !quiet;
		if (cc_project_service(p, svc) && wanted && !listed(ao->no_attach, svc))
			cs[k++] = cs[i];
		else
			cc_container_release(&cs[i]);
	}
	*out = cs;
	*nout = k;
	return 0;
}

struct followers {
	struct attach_job **v; /* each on its own allocation: their threads hold them */
	size_t n;
};

/* Start following each container not followed yet; takes the containers (releases the array). */
static void follow_new(struct followers *f, struct cc_runtime *rt, struct cc_container *cs, size_t n,
		       struct cli_log_printer *lp, struct attach_state *st, int64_t since_ns)
{
	for (size_t i = 0; i < n; i++) {
		bool known = false;
		for (size_t k = 0; k < f->n && !known; k++)
			known = strcmp(f->v[k]->c.id, cs[i].id) == 0;
		if (known) {
			cc_container_release(&cs[i]);
			continue;
		}
		struct attach_job *j = cc_xcalloc(1, sizeof(*j));
		*j = (struct attach_job){rt, cs[i], lp, st, since_ns, 0, false};
		cli_log_printer_add(lp, &j->c);
		f->v = cc_xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
		f->v[f->n++] = j;
		j->started = pthread_create(&j->thread, NULL, attach_one, j) == 0;
		if (!j->started)
			attach_one(j);
	}
	free(cs);
}

/* up --watch: the watch runs on a thread of its own until cancelled through a pipe. */
struct watcher {
	struct cc_runtime *rt;
	const struct cc_project *p;
	const struct cc_watch_rules *rules;
	struct cc_watch_opts o;
	struct cli_watch_ui ui;
	struct attach_state *st;
	int cancel[2];
	pthread_t thread;
	bool running, cancelled;
	struct cc_error *err;
};

static void on_recreated(void *ctx, const char *service)
{
	(void)service;
	struct watcher *w = ctx;
	pthread_mutex_lock(&w->st->lock);
	w->st->refresh = true;
	pthread_cond_signal(&w->st->changed);
	pthread_mutex_unlock(&w->st->lock);
}

static void *run_watch(void *arg)
{
	struct watcher *w = arg;
	cc_orch_watch(w->rt, w->p, w->rules, &w->o, &w->ui.ui, &w->err);
	pthread_mutex_lock(&w->st->lock);
	w->st->watch_ended = true;
	pthread_cond_signal(&w->st->changed);
	pthread_mutex_unlock(&w->st->lock);
	return NULL;
}

static bool watch_start(struct watcher *w, struct cli_ctx *ctx, struct cli_ui *ui)
{
	if (pipe2(w->cancel, O_CLOEXEC) < 0) {
		cc_error_set_errno(&w->err, CC_ERR_INTERNAL, errno, "pipe");
		return false;
	}
	cli_watch_ui_init(&w->ui, ui);
	w->o = (struct cc_watch_opts){.cancel_fd = w->cancel[0],
				      .parallel = (int)ctx->parallel,
				      .recreated = on_recreated,
				      .recreated_ctx = w};
	if (pthread_create(&w->thread, NULL, run_watch, w) != 0) {
		cc_error_set_errno(&w->err, CC_ERR_INTERNAL, errno, "watch thread");
		return false;
	}
	w->running = true;
	if (!ui->quiet)
		fprintf(stderr, "Watch enabled\n");
	return true;
}

static void watch_cancel(struct watcher *w)
{
	if (w->running && !w->cancelled && write(w->cancel[1], "x", 1) == 1)
		w->cancelled = true;
}

static int attach_and_wait(struct cli_ctx *ctx, struct cc_runtime *rt, const struct cc_project *p,
			   const struct attach_opts *ao, struct cli_ui *ui)
{
	char *const *services = ao->services;
	bool abort_on_exit = ao->abort_on_exit;
	const char *exit_code_from = ao->exit_code_from;
	struct cc_error *err = NULL;
	struct cc_container *cs;
	size_t n;
	if (attached_containers(rt, p, ao, &cs, &n, &err) < 0)
		return cli_fail(&err);
	struct cli_log_printer lp;
	cli_log_printer_init(&lp, ctx, p->name, cs, n, ao->no_prefix, ao->timestamps);
	fprintf(stderr, "Attaching to ");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", cs[i].name);
	fprintf(stderr, "\n");
	struct attach_state st = {
	    .first_code = -1, .first_code_of = -1, .failed_code = -1, .code_service = exit_code_from};
	pthread_mutex_init(&st.lock, NULL);
	pthread_cond_init(&st.changed, NULL);
	struct sigaction sa = {.sa_handler = on_interrupt}, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	struct followers f = {NULL, 0};
	follow_new(&f, rt, cs, n, &lp, &st, ao->since_ns);
	int rc = CLI_OK;
	struct watcher w = {.rt = rt, .p = p, .rules = ao->watch, .st = &st, .cancel = {-1, -1}};
	if (ao->watch && !watch_start(&w, ctx, ui))
		rc = cli_fail(&w.err);
	/* the graceful stop runs on its own thread, so a second Ctrl+C can still force a kill meanwhile */
	struct stopper stop = {.rt = rt,
			       .p = p,
			       .ui = &ui->ui,
			       .o = {.services = services && services[0] ? services : NULL,
				     .timeout_ns = -1,
				     .parallel = (int)ctx->parallel}};
	bool stopping = false, killing = false;
	pthread_mutex_lock(&st.lock);
	/* while watching, containers that stopped may come back with a rebuild: only Ctrl+C ends it */
	while (w.running || st.done < f.n || (rc != CLI_OK && !stopping)) {
		bool abort_now =
		    (abort_on_exit && st.done > 0) || (ao->abort_on_failure && st.failed_code > 0);
		if (w.running && st.watch_ended) {
			pthread_mutex_unlock(&st.lock);
			pthread_join(w.thread, NULL);
			w.running = false;
			if (w.err) /* watching failed: the project is stopped as on Ctrl+C */
				rc = cli_fail(&w.err);
			pthread_mutex_lock(&st.lock);
			continue;
		}
		if ((interrupted || abort_now || rc != CLI_OK) && w.running) {
			/* a rebuild under way finishes first, so the stop that follows finds its containers
			 */
			watch_cancel(&w);
		} else if ((interrupted || abort_now || rc != CLI_OK) && !stopping) {
			stopping = true;
			pthread_mutex_unlock(&st.lock);
			fprintf(stderr, abort_now && !interrupted
					    ? "Aborting on container exit...\n"
					    : "Gracefully stopping... (press Ctrl+C again to force)\n");
			stop.started = pthread_create(&stop.thread, NULL, run_stop, &stop) == 0;
			if (!stop.started)
				run_stop(&stop);
			pthread_mutex_lock(&st.lock);
			continue;
		}
		if (stopping && interrupted > 1 && !killing) {
			killing = true;
			pthread_mutex_unlock(&st.lock);
			struct cc_orch_action_opts ko = stop.o;
			if (cc_orch_act(rt, p, CC_ORCH_KILL, &ko, &ui->ui, &err) < 0)
				rc = cli_fail(&err);
			pthread_mutex_lock(&st.lock);
			continue;
		}
		if (st.refresh && !stopping) {
			st.refresh = false;
			pthread_mutex_unlock(&st.lock);
			/* the rebuilt service's new containers, from their first line */
			if (attached_containers(rt, p, ao, &cs, &n, &err) < 0)
				cli_fail(&err);
			else
				follow_new(&f, rt, cs, n, &lp, &st, 0);
			pthread_mutex_lock(&st.lock);
			continue;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000)
			until.tv_sec++, until.tv_nsec -= 1000000000;
		pthread_cond_timedwait(&st.changed, &st.lock, &until);
	}
	pthread_mutex_unlock(&st.lock);
	if (stop.started)
		pthread_join(stop.thread, NULL);
	if (stop.err)
		rc = cli_fail(&stop.err);
	if (interrupted && rc == CLI_OK)
		rc = 130;
	for (size_t i = 0; i < f.n; i++) {
		if (f.v[i]->started)
			pthread_join(f.v[i]->thread, NULL);
		cc_container_release(&f.v[i]->c);
		free(f.v[i]);
	}
	free(f.v);
	for (int i = 0; i < 2; i++)
		if (w.cancel[i] >= 0)
			close(w.cancel[i]);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (rc == CLI_OK && exit_code_from)
		rc = st.first_code_of > 0 ? st.first_code_of : CLI_OK;
	else if (rc == CLI_OK && abort_on_exit)
		rc = st.first_code > 0 ? st.first_code : CLI_OK;
	else if (rc == CLI_OK && ao->abort_on_failure)
		rc = st.failed_code > 0 ? st.failed_code : CLI_OK;
	pthread_cond_destroy(&st.changed);
	pthread_mutex_destroy(&st.lock);
	cli_log_printer_release(&lp);
	return rc;
}

static int up_or_create(struct cli_ctx *ctx, int argc, char **argv, bool create_only)
{
	bool detach = false, build = false, no_build = false, force = false, no_recreate = false,
	     no_deps = false, no_start = false, remove_orphans = false, wait = false, abort_exit = false,
	     no_prefix = false, timestamps = false, no_color = false, always_deps = false, quiet_pull = false,
	     yes = false, renew_anon = false, watch = false, abort_fail = false, attach_deps = false,
	     menu = false, quiet_build = false;
	const char *exit_code_from = NULL, *pull = NULL;
	int64_t wait_timeout = 0, timeout = -1;
	cc_strv scale = NULL, attach = NULL, no_attach = NULL;
	const struct cli_flag up_flags[] = {
	    {"detach", 'd', CLI_BOOL, &detach, NULL, "Detached mode: run containers in the background"},
	    {"build", 0, CLI_BOOL, &build, NULL, "Build images before starting containers"},
	    {"no-build", 0, CLI_BOOL, &no_build, NULL, "Don't build an image, even if it's missing"},
	    {"pull", 0, CLI_STR, &pull, "POLICY", "Pull image before running: always, missing, never"},
	    {"quiet-pull", 0, CLI_BOOL, &quiet_pull, NULL, "Pull without printing progress information"},
	    {"force-recreate", 0, CLI_BOOL, &force, NULL, "Recreate containers even if nothing changed"},
	    {"no-recreate", 0, CLI_BOOL, &no_recreate, NULL,
	     "If containers already exist, don't recreate them"},
	    {"always-recreate-deps", 0, CLI_BOOL, &always_deps, NULL, "Recreate dependent containers"},
	    {"no-deps", 0, CLI_BOOL, &no_deps, NULL, "Don't start linked services"},
	    {"no-start", 0, CLI_BOOL, &no_start, NULL, "Don't start the services after creating them"},
	    {"scale", 0, CLI_LIST, &scale, "SERVICE=NUM", "Scale SERVICE to NUM instances (overrides scale)"},
	    {"remove-orphans", 0, CLI_BOOL, &remove_orphans, NULL,
	     "Remove containers for undefined services"},
	    {"wait", 0, CLI_BOOL, &wait, NULL,
	     "Wait for services to be running|healthy; implies detached mode"},
	    {"wait-timeout", 0, CLI_SECS, &wait_timeout, "SECONDS",
	     "Maximum duration to wait for the project"},
	    {"abort-on-container-exit", 0, CLI_BOOL, &abort_exit, NULL,
	     "Stops all containers if any stopped"},
	    {"abort-on-container-failure", 0, CLI_BOOL, &abort_fail, NULL,
	     "Stops all containers if any container exited with failure"},
	    {"exit-code-from", 0, CLI_STR, &exit_code_from, "SERVICE",
	     "Return the exit code of the selected service container (implies --abort-on-container-exit)"},
	    {"attach-dependencies", 0, CLI_BOOL, &attach_deps, NULL,
	     "Automatically attach to log output of dependent services"},
	    {"menu", 0, CLI_BOOL, &menu, NULL, "Navigation menu (not available: only --menu=false)"},
	    {"quiet-build", 0, CLI_BOOL, &quiet_build, NULL, "Suppress the build output"},
	    {"no-log-prefix", 0, CLI_BOOL, &no_prefix, NULL, "Don't print a prefix in logs"},
	    {"timestamps", 0, CLI_BOOL, &timestamps, NULL, "Show timestamps"},
	    {"no-color", 0, CLI_BOOL, &no_color, NULL, "Produce monochrome output"},
	    {"timeout", 't', CLI_SECS, &timeout, "SECONDS", "Shutdown timeout in seconds when recreating"},
	    {"renew-anon-volumes", 'V', CLI_BOOL, &renew_anon, NULL,
	     "Recreate anonymous volumes instead of retrieving data from the previous containers"},
	    {"attach", 0, CLI_LIST, &attach, "SERVICE", "Restrict attaching to the specified services"},
	    {"no-attach", 0, CLI_LIST, &no_attach, "SERVICE",
	     "Do not attach (stream logs) to the specified services"},
	    {"watch", 'w', CLI_BOOL, &watch, NULL,
	     "Watch source code and rebuild/refresh containers when files are updated"},
	    {"yes", 'y', CLI_BOOL, &yes, NULL, "Assume yes to all prompts"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_flag create_flags[] = {
	    {"build", 0, CLI_BOOL, &build, NULL, "Build images before starting containers"},
	    {"no-build", 0, CLI_BOOL, &no_build, NULL, "Don't build an image, even if it's missing"},
	    {"pull", 0, CLI_STR, &pull, "POLICY", "Pull image before running: always, missing, never"},
	    {"quiet-pull", 0, CLI_BOOL, &quiet_pull, NULL, "Pull without printing progress information"},
	    {"force-recreate", 0, CLI_BOOL, &force, NULL, "Recreate containers even if nothing changed"},
	    {"no-recreate", 0, CLI_BOOL, &no_recreate, NULL,
	     "If containers already exist, don't recreate them"},
	    {"scale", 0, CLI_LIST, &scale, "SERVICE=NUM", "Scale SERVICE to NUM instances"},
	    {"remove-orphans", 0, CLI_BOOL, &remove_orphans, NULL,
	     "Remove containers for undefined services"},
	    {"renew-anon-volumes", 'V', CLI_BOOL, &renew_anon, NULL,
	     "Recreate anonymous volumes instead of retrieving data from the previous containers"},
	    {"yes", 'y', CLI_BOOL, &yes, NULL, "Assume yes to all prompts"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec up_spec = {"up", "[SERVICE...]", "Create and start containers", up_flags,
					 false};
	const struct cli_spec create_spec = {"create", "[SERVICE...]", "Creates containers for a service",
					     create_flags, false};
	const struct cli_spec *spec = create_only ? &create_spec : &up_spec;
	cc_strv args;
	int pr = cli_parse(spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	int rc = CLI_OK;
	struct cc_kvs scales = {0};
	/* as docker compose: --exit-code-from stops all at the first exit, unless only failures are to */
	if (exit_code_from && !abort_fail)
		abort_exit = true;
	if (force && no_recreate)
		cli_usage_error(spec->name, "--force-recreate and --no-recreate are incompatible"),
		    rc = CLI_USAGE;
	else if (build && no_build)
		cli_usage_error(spec->name, "--build and --no-build are incompatible"), rc = CLI_USAGE;
	else if ((abort_exit || abort_fail || attach_deps) && (detach || wait))
		cli_usage_error(spec->name, "--detach (and --wait, which implies it) cannot be combined with "
					    "--abort-on-container-exit, --abort-on-container-failure, "
					    "--attach-dependencies or --watch"),
		    rc = CLI_USAGE;
	else if (abort_exit && abort_fail)
		cli_usage_error(
		    spec->name,
		    "--abort-on-container-exit and --abort-on-container-failure are incompatible"),
		    rc = CLI_USAGE;
	else if (menu)
		cli_usage_error(spec->name, "--menu: there is no navigation menu here; leave it out or pass "
					    "--menu=false"),
		    rc = CLI_USAGE;
	else if (watch && (detach || wait))
		cli_usage_error(spec->name, "--watch needs attached mode: not with --detach or --wait"),
		    rc = CLI_USAGE;
	else if (watch && (abort_exit || abort_fail))
		/* a rebuild stops the old container: that exit would end everything */
		cli_usage_error(spec->name, "--watch cannot be combined with --abort-on-container-exit, "
					    "--abort-on-container-failure or --exit-code-from: a rebuild's "
					    "replaced container would count as an exit"),
		    rc = CLI_USAGE;
	else if (pull && strcmp(pull, "always") && strcmp(pull, "missing") && strcmp(pull, "never"))
		cli_usage_error(spec->name, "invalid --pull \"%s\": use always, missing or never", pull),
		    rc = CLI_USAGE;
	else if (parse_scale(spec->name, scale, &scales) < 0)
		rc = CLI_USAGE;
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	if (rc == CLI_OK)
		rc = cli_open(ctx, args, &p, &rt);
	if (rc == CLI_OK && remove_orphans && cli_compose_switch(p, "COMPOSE_IGNORE_ORPHANS")) {
		fprintf(stderr, "error: cannot combine COMPOSE_IGNORE_ORPHANS and --remove-orphans\n");
		rc = CLI_FAIL;
	}
	if (rc == CLI_OK && exit_code_from && !cc_project_service(p, exit_code_from)) {
		fprintf(stderr, "error: no such service: %s\n", exit_code_from);
		rc = CLI_FAIL;
	}
	for (char **a = attach; rc == CLI_OK && a && *a; a++)
		if (!cc_project_service(p, *a)) {
			fprintf(stderr, "error: --attach: no such service: %s\n", *a);
			rc = CLI_FAIL;
		}
	for (char **a = no_attach; rc == CLI_OK && a && *a; a++)
		if (!cc_project_service(p, *a)) {
			fprintf(stderr, "error: --no-attach: no such service: %s\n", *a);
			rc = CLI_FAIL;
		}
	struct cc_watch_rules rules = {NULL, 0};
	struct cc_error *rules_err = NULL;
	/* the rules are checked before anything starts */
	if (rc == CLI_OK && watch && cc_watch_rules_load(p, args, &rules, &rules_err) < 0)
		rc = cli_fail(&rules_err);
	for (size_t i = 0; rc == CLI_OK && i < scales.n; i++) {
		if (!cc_project_service(p, scales.items[i].key)) {
			fprintf(stderr, "error: no such service: %s\n", scales.items[i].key);
			rc = CLI_FAIL;
		}
	}
	if (rc == CLI_OK) {
		if (no_color)
			ctx->ansi = "never";
		struct cli_ui ui;
		cli_ui_init(ctx, &ui);
		ui.quiet_build = quiet_build;
		struct cc_up_opts o = {.services = args[0] ? args : NULL,
				       .no_deps = no_deps,
				       .force_recreate = force,
				       .no_recreate = no_recreate,
				       .no_start = no_start || create_only,
				       .remove_orphans =
					   remove_orphans || cli_compose_switch(p, "COMPOSE_REMOVE_ORPHANS"),
				       .ignore_orphans = cli_compose_switch(p, "COMPOSE_IGNORE_ORPHANS"),
				       .always_recreate_deps = always_deps,
				       .renew_anon_volumes = renew_anon,
				       .wait = wait,
				       .wait_timeout_ns = wait_timeout,
				       .stop_timeout_ns = timeout,
				       .parallel = (int)ctx->parallel,
				       .scale = &scales};
		struct cc_error *err = NULL;
		const char *build_mode = build ? "always" : no_build ? "never" : NULL;
		int64_t started_ns = cc_now_ns();
		if (cc_orch_prepare_images(rt, p, o.services, build_mode, pull, &ui.ui, &err) < 0 ||
		    cc_orch_up(rt, p, &o, &ui.ui, &err) < 0)
			rc = cli_fail(&err);
		else
			cli_record_project(ctx, p, false);
		if (rc == CLI_OK && !create_only && !detach && !wait && !no_start) {
			cc_strv shown = NULL;
			if (attach_deps && o.services) {
				struct cc_error *e = NULL;
				if (cc_orch_with_dependencies(p, o.services, &shown, &e) < 0)
					cc_error_release(&e); /* the services were checked: cannot happen */
			}
			struct attach_opts ao = {.services = o.services,
						 .shown = shown,
						 .attach = attach,
						 .no_attach = no_attach,
						 .abort_on_exit = abort_exit,
						 .abort_on_failure = abort_fail,
						 .no_prefix = no_prefix,
						 .timestamps = timestamps,
						 .exit_code_from = exit_code_from,
						 .since_ns = started_ns,
						 .watch = watch ? &rules : NULL};
			rc = attach_and_wait(ctx, rt, p, &ao, &ui);
			cc_strv_free(shown);
		}
		cli_ui_release(&ui);
	}
	cc_kvs_release(&scales);
	cc_watch_rules_release(&rules);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	cc_strv_free(scale);
	cc_strv_free(attach);
	cc_strv_free(no_attach);
	return rc;
}

int cli_up(struct cli_ctx *ctx, int argc, char **argv)
{
	return up_or_create(ctx, argc, argv, false);
}

int cli_create(struct cli_ctx *ctx, int argc, char **argv)
{
	return up_or_create(ctx, argc, argv, true);
}

/* `scale SERVICE=N...`: up -d of those services with their replica counts, as docker compose's scale. */
int cli_scale(struct cli_ctx *ctx, int argc, char **argv)
{
	bool no_deps = false;
	const struct cli_flag flags[] = {
	    {"no-deps", 0, CLI_BOOL, &no_deps, NULL, "Don't start linked services"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"scale", "SERVICE=REPLICAS...", "Scale services", flags, false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	struct cc_kvs scales = {0};
	int rc = CLI_OK;
	if (!args[0]) {
		cli_usage_error("scale", "requires at least 1 argument: SERVICE=REPLICAS");
		rc = CLI_USAGE;
	} else if (parse_scale("scale", args, &scales) < 0) {
		rc = CLI_USAGE;
	}
	cc_strv services = NULL;
	for (size_t i = 0; i < scales.n; i++)
		cc_strv_push(&services, scales.items[i].key);
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	if (rc == CLI_OK)
		rc = cli_open(ctx, services, &p, &rt);
	if (rc == CLI_OK) {
		struct cli_ui ui;
		cli_ui_init(ctx, &ui);
		struct cc_up_opts o = {.services = services,
				       .no_deps = no_deps,
				       .stop_timeout_ns = -1,
				       .parallel = (int)ctx->parallel,
				       .scale = &scales};
		struct cc_error *err = NULL;
		if (cc_orch_prepare_images(rt, p, services, NULL, NULL, &ui.ui, &err) < 0 ||
		    cc_orch_up(rt, p, &o, &ui.ui, &err) < 0)
			rc = cli_fail(&err);
		else
			cli_record_project(ctx, p, false);
		cli_ui_release(&ui);
	}
	if (p)
		cli_release_project(p);
	cc_kvs_release(&scales);
	cc_strv_free(services);
	cc_strv_free(args);
	return rc;
}
