/* What most commands need: the state root, the runtime the global options select, the progress printer,
 * and the mapping from library errors to exit codes. */
#include "base/cleanup.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "store/store.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

char *cli_state_root(const struct cli_ctx *ctx)
{
	if (ctx->root && *ctx->root)
		return cc_xstrdup(ctx->root);
	const char *home = getenv("HOME");
	return cc_xasprintf("%s/.container-compose", home && *home ? home : "/root");
}

struct cc_runtime *cli_runtime(struct cli_ctx *ctx)
{
	if (ctx->rt)
		return ctx->rt;
	cleanup_free char *root = cli_state_root(ctx);
	struct cc_runtime_config cfg = {.root = root,
					.trace = ctx->debug ? stderr : NULL,
					.remote = ctx->remote.url ? &ctx->remote : NULL,
					.docker_host = ctx->docker_host,
					.oci_runtime = ctx->oci_runtime,
					.cleanup_exe = ctx->self_exe};
	struct cc_error *err = NULL;
	/* a daemon address means the remote backend, whatever else was asked */
	if (cc_runtime_open(ctx->remote.url ? "remote" : ctx->backend, &cfg, &ctx->rt, &err) < 0) {
		cli_fail(&err);
		return NULL;
	}
	return ctx->rt;
}

int cli_fail(struct cc_error **err)
{
	cli_print_error(*err);
	cc_error_release(err);
	return CLI_FAIL;
}

int cli_project_name(struct cli_ctx *ctx, char **name)
{
	if (ctx->project_name) {
		*name = cc_project_name_normalize(ctx->project_name);
		return 0;
	}
	struct cc_project *p;
	if (cli_load_project(ctx, NULL, 0, false, false, &p) < 0)
		return -1;
	*name = cc_xstrdup(p->name);
	cli_release_project(p);
	return 0;
}

bool cli_use_color(const struct cli_ctx *ctx, FILE *f)
{
	if (ctx->ansi && strcmp(ctx->ansi, "always") == 0)
		return true;
	if (ctx->ansi && strcmp(ctx->ansi, "never") == 0)
		return false;
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	return isatty(fileno(f));
}

int cli_service_color(const char *service)
{
	/* docker compose's palette (cyan, yellow, green, magenta, blue and their bright forms), picked by a
	 * hash of the name so a service keeps its colour from one run to the next */
	static const int palette[] = {36, 33, 32, 35, 34, 96, 93, 92, 95, 94};
	unsigned h = 2166136261u;
	for (const char *p = service; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return palette[h % (sizeof(palette) / sizeof(palette[0]))];
}

/* One compact JSON object and a newline on standard error; takes o. */
static void cli_ui_json_line(json_t *o)
{
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (text)
		fprintf(stderr, "%s\n", text);
	free(text);
	json_decref(o);
}

static void ui_status(void *ctx, const char *kind, const char *name, const char *status)
{
	struct cli_ui *u = ctx;
	if (u->quiet || (u->quiet_build && strcmp(kind, "Service") == 0 && strcmp(status, "Building") != 0 &&
			 strcmp(status, "Built") != 0))
		return;
	pthread_mutex_lock(&u->lock);
	bool final = strcmp(status, "Created") == 0 || strcmp(status, "Started") == 0 ||
		     strcmp(status, "Running") == 0 || strcmp(status, "Removed") == 0 ||
		     strcmp(status, "Stopped") == 0 || strcmp(status, "Healthy") == 0 ||
		     strcmp(status, "Recreated") == 0 || strcmp(status, "Exited") == 0 ||
		     strcmp(status, "Killed") == 0 || strcmp(status, "Paused") == 0 ||
		     strcmp(status, "Unpaused") == 0 || strcmp(status, "Restarted") == 0 ||
		     strcmp(status, "Pulled") == 0 || strcmp(status, "Built") == 0 ||
		     strcmp(status, "Error") == 0;
	if (u->json) {
		/* docker compose's --progress json: one object per event, its id the resource */
		cleanup_free char *id = cc_xasprintf("%s %s", kind, name);
		json_t *o = json_pack("{s:s, s:s}", "id", id, "status", status);
		cli_ui_json_line(o);
	} else if (u->tty) {
		/* one line per finished step; the steps in between would only flicker past */
		if (final)
			fprintf(stderr, " %s✔%s %s %-30s %s\n", u->color ? "\033[32m" : "",
				u->color ? "\033[0m" : "", kind, name, status);
	} else {
		fprintf(stderr, "%s %s  %s\n", kind, name, status);
	}
	pthread_mutex_unlock(&u->lock);
}

static void ui_warn(void *ctx, const char *msg)
{
	struct cli_ui *u = ctx;
	pthread_mutex_lock(&u->lock);
	if (u->json)
		cli_ui_json_line(json_pack("{s:b, s:s}", "tail", 1, "text", msg));
	else
		fprintf(stderr, "warning: %s\n", msg);
	pthread_mutex_unlock(&u->lock);
}

void cli_ui_init(struct cli_ctx *ctx, struct cli_ui *ui)
{
	memset(ui, 0, sizeof(*ui));
	pthread_mutex_init(&ui->lock, NULL);
	const char *mode = ctx->progress ? ctx->progress : "auto";
	ui->quiet = strcmp(mode, "quiet") == 0;
	ui->json = strcmp(mode, "json") == 0;
	ui->tty = strcmp(mode, "tty") == 0 || (strcmp(mode, "auto") == 0 && isatty(STDERR_FILENO));
	ui->color = cli_use_color(ctx, stderr);
	ui->ui = (struct cc_orch_ui){ui_status, ui_warn, ui};
}

void cli_ui_release(struct cli_ui *ui)
{
	pthread_mutex_destroy(&ui->lock);
}

/* Services named on the command line must exist in the project. */
static bool services_exist(const struct cc_project *p, char *const *services)
{
	for (char *const *s = services; s && *s; s++) {
		if (!cc_project_service(p, *s)) {
			fprintf(stderr, "error: no such service: %s\n", *s);
			return false;
		}
	}
	return true;
}

int cli_open(struct cli_ctx *ctx, char *const *services, struct cc_project **p, struct cc_runtime **rt)
{
	size_t n = services ? cc_strv_len(services) : 0;
	if (cli_load_project_ex(ctx, (const char *const *)services, n, false, false, true, p, NULL) < 0)
		return CLI_FAIL;
	if (!services_exist(*p, services) || !(*rt = cli_runtime(ctx))) {
		cli_release_project(*p);
		*p = NULL;
		return CLI_FAIL;
	}
	return CLI_OK;
}

void cli_record_project(struct cli_ctx *ctx, const struct cc_project *p, bool forget)
{
	cleanup_free char *root = cli_state_root(ctx);
	struct cc_store *s;
	struct cc_error *err = NULL;
	int r = cc_store_open(root, &s, &err);
	if (r == 0) {
		r = forget ? cc_orch_project_forget(s, p->name, &err) : cc_orch_project_record(s, p, &err);
		cc_store_close(s);
	}
	if (r < 0) {
		/* the containers are what they are; a missing record only affects listings */
		fprintf(stderr, "warning: project record: %s\n", err->msg);
		cc_error_free(err);
	}
}

int cli_open_by_name(struct cli_ctx *ctx, char *const *services, struct cc_project **p,
		     struct cc_runtime **rt, char **name)
{
	size_t n = services ? cc_strv_len(services) : 0;
	struct cc_error *err = NULL;
	*p = NULL;
	*name = NULL;
	if (cli_load_project_ex(ctx, (const char *const *)services, n, false, false, true, p, &err) < 0) {
		bool no_file =
		    err->kind == CC_ERR_NOT_FOUND && strstr(err->msg, "no configuration file provided");
		if (!(no_file && ctx->project_name && ctx->nfiles == 0))
			return cli_fail(&err);
		cc_error_free(err);
		*name = cc_project_name_normalize(ctx->project_name);
	} else {
		if (!services_exist(*p, services)) {
			cli_release_project(*p);
			*p = NULL;
			return CLI_FAIL;
		}
		*name = cc_xstrdup((*p)->name);
	}
	if (!(*rt = cli_runtime(ctx))) {
		if (*p)
			cli_release_project(*p);
		*p = NULL;
		free(*name);
		*name = NULL;
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cli_service_container(struct cc_runtime *rt, const char *project, const char *service, long index,
			  bool running, bool oneoff, struct cc_container *out)
{
	char *const svcs[] = {(char *)service, NULL};
	struct cc_container *cs;
	size_t n;
	struct cc_error *err = NULL;
	if (cc_orch_containers(rt, project, svcs, !running, oneoff, &cs, &n, &err) < 0)
		return cli_fail(&err);
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		if (!found && cc_orch_container_number(&cs[i]) == index) {
			*out = cs[i];
			found = true;
		} else {
			cc_container_release(&cs[i]);
		}
	}
	free(cs);
	if (found)
		return CLI_OK;
	if (!running)
		fprintf(stderr, "error: no container found for service \"%s\"\n", service);
	else if (index == 1)
		fprintf(stderr, "error: service \"%s\" is not running\n", service);
	else
		fprintf(stderr, "error: service \"%s\" is not running container #%ld\n", service, index);
	return CLI_FAIL;
}

bool cli_compose_switch(const struct cc_project *p, const char *name)
{
	const char *v = p ? cc_strmap_get(&p->env, name) : NULL;
	if (!v)
		v = getenv(name);
	return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0);
}

int cli_internal_cleanup(struct cli_ctx *ctx, int argc, char **argv)
{
	/* run by a container's monitor (as its exit command) once the container exited for good: its
	 * standard streams go nowhere, and a failure leaves the container for `rm` to remove */
	if (argc != 2)
		return CLI_USAGE;
	/* the monitor kept the environment of whoever started the container: the engine is this root's
	 * native one, whatever daemon CONTAINER_COMPOSE_HOST names */
	ctx->remote.url = NULL;
	struct cc_runtime *rt = cli_runtime(ctx);
	struct cc_error *err = NULL;
	if (!rt)
		return CLI_FAIL;
	/* the start that spawned the monitor records the run after the monitor reported it running: a
	 * command that exits at once can end before that record is written, and the removal waits for it */
	for (int i = 0; i < 200; i++) {
		struct cc_container c;
		if (cc_rt_container_inspect(rt, argv[1], &c, &err) < 0)
			return cli_fail(&err);
		bool recorded = c.state != CC_STATE_CREATED;
		cc_container_release(&c);
		if (recorded)
			break;
		usleep(50000);
	}
	if (cc_rt_container_remove(rt, argv[1], true, true, &err) < 0)
		return cli_fail(&err);
	return CLI_OK;
}

int cli_select_services(const struct cc_project *p, char *const *named, bool deps, cc_strv *out)
{
	*out = NULL;
	if (!named || !named[0])
		return CLI_OK;
	if (!deps) {
		*out = cc_strv_copy(named);
		return CLI_OK;
	}
	struct cc_error *err = NULL;
	return cc_orch_with_dependencies(p, named, out, &err) < 0 ? cli_fail(&err) : CLI_OK;
}

bool cli_selected(char *const *selection, const char *service)
{
	return !selection || !selection[0] || cc_strv_contains(selection, service);
}
