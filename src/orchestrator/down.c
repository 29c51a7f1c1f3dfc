/* down, and the per-service lifecycle commands (start, stop, restart, kill, pause, unpause, rm): over the
 * project's containers, services in dependency order (reverse for stopping), each level in parallel; removal
 * as one pipeline, where a level stops as soon as the one before it has stopped. */
#include "orchestrator/internal.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/graph.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* down's pipeline over dependency levels (reversed): a container stops once every container of the levels
 * before it has stopped, and its removal overlaps the next level's stop. Levels are counted down as their
 * containers pass their stop; a failure opens the gate for everyone, who then do nothing. */
struct stop_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t *pending;      /* per level: its containers not yet past their stop */
	size_t nlevels, open; /* levels [0, open) have all stopped */
	bool *passed;         /* per batch entry */
	bool failed;
};

struct act_run {
	struct cc_runtime *rt;
	const struct cc_project *p; /* NULL: no model (down -p NAME) */
	enum cc_orch_action action;
	const struct cc_orch_action_opts *o;
	const struct cc_orch_ui *ui;
	struct cc_container *cs;
	size_t *batch;
	size_t *batch_level;    /* the level of each batch entry, with gate */
	struct stop_gate *gate; /* NULL: one level at a time */
};

/* Entry k is past its stop; failed: it failed, before or after its stop, and nothing more is begun. */
static void gate_pass(struct act_run *a, size_t k, bool failed)
{
	struct stop_gate *g = a->gate;
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	if (!g->passed[k]) {
		g->passed[k] = true;
		g->pending[a->batch_level[k]]--;
		while (g->open < g->nlevels && g->pending[g->open] == 0)
			g->open++;
	}
	g->failed |= failed;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* Whether entry k may go on: every level before its own has stopped, and nothing failed. */
static bool gate_wait(struct act_run *a, size_t k)
{
	struct stop_gate *g = a->gate;
	pthread_mutex_lock(&g->lock);
	while (!g->failed && g->open < a->batch_level[k])
		pthread_cond_wait(&g->cond, &g->lock);
	bool go = !g->failed;
	pthread_mutex_unlock(&g->lock);
	return go;
}

static const char *const progress[][2] = {
    [CC_ORCH_START] = {"Starting", "Started"},     [CC_ORCH_STOP] = {"Stopping", "Stopped"},
    [CC_ORCH_RESTART] = {"Restarting", "Started"}, [CC_ORCH_KILL] = {"Killing", "Killed"},
    [CC_ORCH_PAUSE] = {"Pausing", "Paused"},       [CC_ORCH_UNPAUSE] = {"Unpausing", "Unpaused"},
    [CC_ORCH_REMOVE] = {"Removing", "Removed"},
};

/* Whether the action applies to a container in its state (docker compose skips the others silently). */
static bool applies(enum cc_orch_action a, const struct cc_container *c, const struct cc_orch_action_opts *o)
{
	switch (a) {
	case CC_ORCH_START:
		return !cc_orch_is_up(c);
	case CC_ORCH_STOP:
	case CC_ORCH_KILL:
		return cc_orch_is_up(c);
	case CC_ORCH_PAUSE:
		return c->state == CC_STATE_RUNNING;
	case CC_ORCH_UNPAUSE:
		return c->state == CC_STATE_PAUSED;
	case CC_ORCH_REMOVE:
		return o->all_states || !cc_orch_is_up(c);
	case CC_ORCH_RESTART:
		return true;
	}
	return false;
}

static int act_one(void *ctx, size_t k, struct cc_error **err)
{
	struct act_run *a = ctx;
	const struct cc_container *c = &a->cs[a->batch[k]];
	if (!applies(a->action, c, a->o))
		return 0;
	/* start honours depends_on like up does: the dependencies' conditions first */
	if (a->action == CC_ORCH_START && a->p &&
	    cc_orch_wait_dependencies(a->rt, a->p, cc_orch_container_service(c), a->ui, err) < 0)
		return -1;
	cc_orch_status(a->ui, "Container", c->name, progress[a->action][0]);
	const char *service = cc_orch_container_service(c);
	bool stops = a->action == CC_ORCH_STOP || a->action == CC_ORCH_RESTART || a->action == CC_ORCH_REMOVE;
	if (stops && cc_orch_is_up(c))
		cc_orch_lifecycle_hooks(a->rt, a->p, service, c->id, c->name, "pre_stop", a->ui, err);
	int r = 0;
	switch (a->action) {
	case CC_ORCH_START:
		r = cc_rt_container_start(a->rt, c->id, err);
		if (r == 0)
			r = cc_orch_lifecycle_hooks(a->rt, a->p, service, c->id, c->name, "post_start", a->ui,
						    err);
		break;
	case CC_ORCH_STOP:
		r = cc_rt_container_stop(a->rt, c->id, NULL, a->o->timeout_ns, err);
		break;
	case CC_ORCH_RESTART:
		r = cc_rt_container_restart(a->rt, c->id, a->o->timeout_ns, err);
		if (r == 0)
			r = cc_orch_lifecycle_hooks(a->rt, a->p, service, c->id, c->name, "post_start", a->ui,
						    err);
		break;
	case CC_ORCH_KILL:
		r = cc_rt_container_kill(a->rt, c->id, a->o->signal, err);
		break;
	case CC_ORCH_PAUSE:
		r = cc_rt_container_pause(a->rt, c->id, err);
		break;
	case CC_ORCH_UNPAUSE:
		r = cc_rt_container_unpause(a->rt, c->id, err);
		break;
	case CC_ORCH_REMOVE:
		if (cc_orch_is_up(c)) {
			struct cc_error *e = NULL;
			if (cc_rt_container_stop(a->rt, c->id, NULL, a->o->timeout_ns, &e) < 0) {
				if (e->kind != CC_ERR_INVALID_STATE && e->kind != CC_ERR_NOT_FOUND) {
					*err = e;
					return -1;
				}
				cc_error_free(e);
			}
		}
		gate_pass(a, k, false); /* its dependencies may stop while it is removed */
		r = cc_rt_container_remove(a->rt, c->id, true, a->o->volumes, err);
		if (r < 0 && (*err)->kind == CC_ERR_NOT_FOUND) {
			/* gone meanwhile (an auto-removed one-off, removed by its engine as it stopped) */
			cc_error_release(err);
			r = 0;
		}
		break;
	}
	if (r < 0 && (*err)->kind == CC_ERR_INVALID_STATE && a->action != CC_ORCH_START &&
	    a->action != CC_ORCH_REMOVE) {
		/* it changed state on its own since the listing (a one-shot exiting): nothing to do */
		cc_error_release(err);
		r = 0;
	}
	if (r < 0)
		return cc_error_wrap(err, "container %s", c->name);
	cc_orch_status(a->ui, "Container", c->name, progress[a->action][1]);
	return 0;
}

static int act_gated(void *ctx, size_t k, struct cc_error **err)
{
	struct act_run *a = ctx;
	if (!gate_wait(a, k))
		return 0; /* an earlier level failed: its error is the one reported */
	int r = act_one(ctx, k, err);
	gate_pass(a, k, r < 0);
	return r;
}

/* Removal in reverse order as one pipeline (see struct stop_gate); the entries sorted by level, so that a
 * worker only ever waits for entries other workers have already taken. */
static int remove_pipelined(struct act_run *a, size_t n, const size_t *level, size_t nlevels, int parallel,
			    struct cc_error **err)
{
	struct stop_gate g = {.pending = cc_xcalloc(nlevels, sizeof(size_t)),
			      .nlevels = nlevels,
			      .passed = cc_xcalloc(n + 1, sizeof(bool))};
	pthread_mutex_init(&g.lock, NULL);
	pthread_cond_init(&g.cond, NULL);
	a->batch_level = cc_xcalloc(n + 1, sizeof(size_t));
	size_t nb = 0;
	for (size_t lv = 0; lv < nlevels; lv++)
		for (size_t i = 0; i < n; i++)
			if (level[i] == lv) {
				a->batch[nb] = i;
				a->batch_level[nb++] = lv;
				g.pending[lv]++;
			}
	while (g.open < nlevels && g.pending[g.open] == 0)
		g.open++;
	a->gate = &g;
	int r = cc_orch_parallel(nb, parallel, act_gated, a, err);
	a->gate = NULL;
	pthread_cond_destroy(&g.cond);
	pthread_mutex_destroy(&g.lock);
	free(a->batch_level);
	free(g.pending);
	free(g.passed);
	return r;
}

/* The level of each container: its service's dependency level, reversed for stopping; containers of services
 * the model doesn't know (orphans, or no model) go first when stopping, last when starting. */
static int run_in_order(struct act_run *a, size_t n, const struct cc_project *p, bool reverse, int parallel,
			struct cc_error **err)
{
	struct cc_graph *g = NULL;
	size_t *level = cc_xcalloc(n + 1, sizeof(size_t));
	size_t nlevels = 1;
	if (p && cc_graph_build(cc_project_services(p), &g, err) < 0) {
		free(level);
		return -1;
	}
	if (g) {
		bool *sel = cc_xcalloc(g->n + 1, sizeof(bool));
		size_t *svc_level = cc_xcalloc(g->n + 1, sizeof(size_t));
		for (size_t i = 0; i < g->n; i++)
			sel[i] = true;
		size_t depth = cc_orch_levels(g, sel, svc_level);
		nlevels = depth + 1;
		for (size_t i = 0; i < n; i++) {
			size_t lv = reverse ? 0 : depth; /* unknown services */
			for (size_t k = 0; k < g->n; k++)
				if (strcmp(g->names[k], cc_orch_container_service(&a->cs[i])) == 0)
					lv = reverse ? depth - svc_level[k] : svc_level[k];
			level[i] = lv;
		}
		free(sel);
		free(svc_level);
		cc_graph_free(g);
	}
	a->batch = cc_xcalloc(n + 1, sizeof(size_t));
	int r = 0;
	if (a->action == CC_ORCH_REMOVE) {
		r = remove_pipelined(a, n, level, nlevels, parallel, err);
	} else {
		for (size_t lv = 0; r == 0 && lv < nlevels; lv++) {
			size_t nb = 0;
			for (size_t i = 0; i < n; i++)
				if (level[i] == lv)
					a->batch[nb++] = i;
			r = cc_orch_parallel(nb, parallel, act_one, a, err);
		}
	}
	free(a->batch);
	free(level);
	return r;
}

/* The services named, with every service whose depends_on names one of them with restart: true, and so on:
 * a restart of a service restarts those that share its namespaces or must reconnect to it. */
static cc_strv with_dependents(const struct cc_project *p, char *const *services)
{
	cc_strv out = cc_strv_copy(services);
	const struct cc_val *svcs = cc_project_services(p);
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; svcs && i < svcs->map.n; i++) {
			if (cc_strv_contains(out, svcs->map.e[i].key))
				continue;
			const struct cc_val *deps = cc_orch_get(svcs->map.e[i].val, "depends_on");
			for (size_t k = 0; deps && deps->kind == CC_V_MAP && k < deps->map.n; k++)
				if (cc_orch_flag(deps->map.e[k].val, "restart") &&
				    cc_strv_contains(out, deps->map.e[k].key)) {
					cc_strv_push(&out, svcs->map.e[i].key);
					grew = true;
					break;
				}
		}
	}
	return out;
}

int cc_orch_act(struct cc_runtime *rt, const struct cc_project *p, enum cc_orch_action action,
		const struct cc_orch_action_opts *o, const struct cc_orch_ui *ui, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	for (char *const *s = o->services; s && *s; s++)
		if (!cc_project_service(p, *s))
			return cc_error_set(err, CC_ERR_NOT_FOUND, "no such service: %s", *s);
	struct cc_orch_action_opts wider = *o;
	cc_strv services = NULL;
	if (action == CC_ORCH_RESTART && !o->no_deps && o->services && o->services[0]) {
		services = with_dependents(p, o->services);
		wider.services = services;
		o = &wider;
	}
	struct act_run a = {.rt = rt, .p = p, .action = action, .o = o, .ui = ui};
	size_t n;
	if (cc_orch_containers(rt, p->name, o->services, true, false, &a.cs, &n, err) < 0) {
		cc_strv_free(services);
		return -1;
	}
	/* like docker compose: starting a service that has no container is an error (up creates, start
	 * doesn't) */
	const struct cc_val *svcs = cc_project_services(p);
	for (size_t i = 0; action == CC_ORCH_START && svcs && i < svcs->map.n; i++) {
		const char *name = svcs->map.e[i].key;
		bool wanted = !o->services || !o->services[0], found = false;
		for (char *const *s = o->services; s && *s; s++)
			wanted |= strcmp(*s, name) == 0;
		for (size_t k = 0; k < n && !found; k++)
			found = strcmp(cc_orch_container_service(&a.cs[k]), name) == 0;
		if (wanted && !found && cc_orch_service_replicas(p, name, NULL) > 0) {
			cc_containers_free(a.cs, n);
			return cc_error_set(err, CC_ERR_NOT_FOUND, "service \"%s\" has no container to start",
					    name);
		}
	}
	size_t acted = 0;
	for (size_t i = 0; i < n; i++)
		acted += applies(action, &a.cs[i], o);
	bool reverse = action == CC_ORCH_STOP || action == CC_ORCH_KILL || action == CC_ORCH_REMOVE ||
		       action == CC_ORCH_PAUSE;
	int r = run_in_order(&a, n, p, reverse, o->parallel, err);
	cc_containers_free(a.cs, n);
	cc_strv_free(services);
	return r < 0 ? r : (int)acted;
}

static bool has_label(const struct cc_kvs *labels, const char *key, const char *value)
{
	const char *v = cc_kvs_get(labels, key);
	return v && strcmp(v, value) == 0;
}

static int remove_networks(struct cc_runtime *rt, const char *project, const struct cc_orch_ui *ui,
			   struct cc_error **err)
{
	struct cc_network *nets;
	size_t n;
	if (cc_rt_network_list(rt, &nets, &n, err) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (!has_label(&nets[i].spec.labels, CC_LABEL_PROJECT, project))
			continue;
		const char *name = nets[i].spec.name;
		cc_orch_status(ui, "Network", name, "Removing");
		struct cc_error *e = NULL;
		if (cc_rt_network_remove(rt, name, &e) < 0) {
			if (e->kind == CC_ERR_INVALID_STATE || e->kind == CC_ERR_NOT_FOUND) {
				/* another project's container still uses it: leave it, like docker compose */
				cc_orch_warn(ui, "network %s not removed: %s", name, e->msg);
				cc_error_free(e);
				continue;
			}
			*err = e;
			r = -1;
			break;
		}
		cc_orch_status(ui, "Network", name, "Removed");
	}
	cc_networks_free(nets, n);
	return r;
}

static int remove_volumes(struct cc_runtime *rt, const char *project, const struct cc_orch_ui *ui,
			  struct cc_error **err)
{
	struct cc_volume *vols;
	size_t n;
	if (cc_rt_volume_list(rt, &vols, &n, err) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (!has_label(&vols[i].spec.labels, CC_LABEL_PROJECT, project))
			continue;
		const char *name = vols[i].spec.name;
		cc_orch_status(ui, "Volume", name, "Removing");
		struct cc_error *e = NULL;
		if (cc_rt_volume_remove(rt, name, false, &e) < 0) {
			if (e->kind == CC_ERR_INVALID_STATE) {
				cc_orch_warn(ui, "volume %s not removed: %s", name, e->msg);
				cc_error_free(e);
				continue;
			}
			*err = e;
			r = -1;
			break;
		}
		cc_orch_status(ui, "Volume", name, "Removed");
	}
	cc_volumes_free(vols, n);
	return r;
}

/* The secrets and configs `up` made from the project's files: made again at the next up, from the files
 * as they are then. External ones carry no project label and stay. */
static int remove_secrets(struct cc_runtime *rt, enum cc_secret_kind kind, const char *project,
			  const struct cc_orch_ui *ui, struct cc_error **err)
{
	struct cc_secret *v;
	size_t n;
	if (cc_rt_secret_list(rt, kind, &v, &n, err) < 0) {
		if ((*err)->kind != CC_ERR_NOT_SUPPORTED)
			return -1;
		cc_error_release(err);
		return 0;
	}
	const char *what = kind == CC_CONFIG ? "Config" : "Secret";
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (!has_label(&v[i].labels, CC_LABEL_PROJECT, project))
			continue;
		struct cc_error *e = NULL;
		if (cc_rt_secret_remove(rt, kind, v[i].name, &e) < 0) {
			if (e->kind == CC_ERR_INVALID_STATE || e->kind == CC_ERR_NOT_FOUND) {
				cc_orch_warn(ui, "%s %s not removed: %s", what, v[i].name, e->msg);
				cc_error_free(e);
				continue;
			}
			*err = e;
			r = -1;
			break;
		}
		cc_orch_status(ui, what, v[i].name, "Removed");
	}
	cc_secrets_free(v, n);
	return r;
}

static int remove_images(struct cc_runtime *rt, const struct cc_project *p, const char *rmi,
			 const struct cc_orch_ui *ui, struct cc_error **err)
{
	const struct cc_val *svcs = cc_project_services(p);
	cc_strv done = cc_xcalloc(1, sizeof(char *));
	int r = 0;
	for (size_t i = 0; r == 0 && svcs && i < svcs->map.n; i++) {
		const struct cc_val *img = cc_map_get(svcs->map.e[i].val, "image");
		/* local: only images without a custom tag, i.e. the ones compose names after the service */
		if (strcmp(rmi, "local") == 0 && img && img->kind != CC_V_NULL)
			continue;
		cleanup_free char *ref = cc_orch_image_of(p, svcs->map.e[i].key);
		bool seen = false;
		for (char **d = done; *d; d++)
			seen |= strcmp(*d, ref) == 0;
		if (seen)
			continue;
		cc_strv_push(&done, ref);
		struct cc_error *e = NULL;
		if (cc_rt_image_remove(rt, ref, false, &e) < 0) {
			if (e->kind == CC_ERR_NOT_FOUND) {
				cc_error_free(e);
				continue;
			}
			*err = e;
			r = -1;
			break;
		}
		cc_orch_status(ui, "Image", ref, "Removed");
	}
	cc_strv_free(done);
	return r;
}

int cc_orch_down(struct cc_runtime *rt, const char *project, const struct cc_project *p,
		 const struct cc_down_opts *o, const struct cc_orch_ui *ui, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	struct act_run a = {.rt = rt, .p = p, .action = CC_ORCH_REMOVE, .ui = ui};
	struct cc_orch_action_opts ao = {
	    .timeout_ns = o->timeout_ns, .volumes = o->volumes, .force = true, .all_states = true};
	a.o = &ao;
	size_t n;
	if (cc_orch_containers(rt, project, o->services, true, true, &a.cs, &n, err) < 0)
		return -1;
	/* orphans stay unless asked for (and are reported), one-offs of known services go */
	cleanup_strbuf struct cc_strbuf orphans = CC_STRBUF_INIT;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool orphan = p && !cc_project_defines(p, cc_orch_container_service(&a.cs[i]));
		if (orphan && !o->remove_orphans) {
			cc_strbuf_addf(&orphans, "%s%s", orphans.len ? " " : "", a.cs[i].name);
			cc_container_release(&a.cs[i]);
			continue;
		}
		a.cs[k++] = a.cs[i];
	}
	if (orphans.len && !o->ignore_orphans)
		cc_orch_warn_orphans(ui, cc_strbuf_str(&orphans));
	int r = run_in_order(&a, k, p, true, o->parallel, err);
	cc_containers_free(a.cs, k);
	bool whole = !o->services || !o->services[0];
	if (r == 0 && whole)
		r = remove_networks(rt, project, ui, err);
	if (r == 0 && whole)
		r = remove_secrets(rt, CC_SECRET, project, ui, err);
	if (r == 0 && whole)
		r = remove_secrets(rt, CC_CONFIG, project, ui, err);
	if (r == 0 && whole && o->volumes)
		r = remove_volumes(rt, project, ui, err);
	if (r == 0 && o->rmi && p)
		r = remove_images(rt, p, o->rmi, ui, err);
	return r;
}
