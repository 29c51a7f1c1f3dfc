/* up: converge the project. Like docker compose, in two passes over the dependency levels: first every
 * selected service's containers are made to match the model (created, recreated when the config hash
 * changed, scaled), then they are started, each service once its dependencies meet their depends_on
 * conditions. Services of one level run in parallel, bounded by --parallel. */
#include "orchestrator/internal.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/graph.h"
#include "compose/hash.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define POLL_NS (50 * CC_NS_PER_MSEC)

struct up_run {
	struct cc_runtime *rt;
	const struct cc_project *p;
	const struct cc_up_opts *o;
	const struct cc_orch_ui *ui;
	struct cc_graph *g;
	bool *sel;
	bool *recreated; /* per service: a container was (re)created this run */
	/* per service: its containers after pass 1 as "state name id" lines (each job writes its own), so
	 * pass 2 needs no listing or inspection */
	cc_strv *ids;
	size_t *level;
	/* the services of the level being worked on */
	size_t *batch;
	struct cc_container *existing; /* project containers at the start, sorted by service, number */
	size_t nexisting;
	pthread_mutex_t lock;
};

static int stop_and_remove(struct up_run *u, const struct cc_container *c, struct cc_error **err)
{
	if (cc_orch_is_up(c)) {
		cc_orch_status(u->ui, "Container", c->name, "Stopping");
		struct cc_error *e = NULL;
		cc_orch_lifecycle_hooks(u->rt, u->p, cc_orch_container_service(c), c->id, c->name, "pre_stop",
					u->ui, &e);
		if (cc_rt_container_stop(u->rt, c->id, NULL, u->o->stop_timeout_ns, &e) < 0) {
			if (e->kind != CC_ERR_INVALID_STATE) { /* it stopped on its own meanwhile */
				*err = e;
				return -1;
			}
			cc_error_free(e);
		}
		cc_orch_status(u->ui, "Container", c->name, "Stopped");
	}
	return cc_rt_container_remove(u->rt, c->id, true, false, err);
}

/* Anonymous volumes outlive a recreation, as with docker compose: the new container mounts the old one's at
 * the same target. */
static void inherit_anonymous_volumes(struct cc_container_spec *spec, const struct cc_container *old)
{
	for (size_t i = 0; old && i < spec->nmounts; i++) {
		struct cc_mount *m = &spec->mounts[i];
		if (m->type != CC_MOUNT_VOLUME || m->source)
			continue;
		for (size_t k = 0; k < old->spec.nmounts; k++) {
			const struct cc_mount *o = &old->spec.mounts[k];
			if (o->type == CC_MOUNT_VOLUME && o->source && strcmp(o->target, m->target) == 0)
				m->source = cc_xstrdup(o->source);
		}
	}
}

static int create_one(struct up_run *u, size_t si, int number, const struct cc_container *old,
		      struct cc_error **err)
{
	const char *service = u->g->names[si];
	struct cc_container_spec spec;
	if (cc_orch_service_spec(u->p, service, number, false, &spec, err) < 0)
		return -1;
	if (!u->o->renew_anon_volumes)
		inherit_anonymous_volumes(&spec, old);
	if (cc_orch_volumes_from(u->rt, u->p, service, &spec, err) < 0) {
		cc_container_spec_release(&spec);
		return -1;
	}
	cc_orch_status(u->ui, "Container", spec.name, "Creating");
	char *id = NULL;
	int r = cc_rt_container_create(u->rt, &spec, &id, err);
	if (r == 0) {
		cc_orch_status(u->ui, "Container", spec.name, "Created");
		char *line = cc_xasprintf("%d %s %s", CC_STATE_CREATED, spec.name, id);
		cc_strv_push(&u->ids[si], line);
		free(line);
		free(id);
	} else
		cc_error_wrap(err, "service %s", service);
	cc_container_spec_release(&spec);
	return r;
}

static bool needs_recreate(struct up_run *u, size_t svc_index, const struct cc_container *c, const char *hash,
			   const char *image_id)
{
	if (u->o->no_recreate)
		return false;
	/* -V means new anonymous volumes, which only a new container gets: docker compose recreates for it */
	if (u->o->force_recreate || u->o->renew_anon_volumes)
		return true;
	const char *have = cc_kvs_get(&c->spec.labels, CC_LABEL_CONFIG_HASH);
	if (!have || strcmp(have, hash) != 0)
		return true;
	/* same configuration, but the reference now names another image (a pull or a build moved it) */
	if (image_id && c->image_id && strcmp(image_id, c->image_id) != 0)
		return true;
	if (u->o->always_recreate_deps) {
		for (size_t d = 0; d < u->g->ndeps[svc_index]; d++)
			if (u->recreated[u->g->deps[svc_index][d]])
				return true;
	}
	return false;
}

/* The new container could not be created: put the old one back as it was (same configuration and name, a new
 * id), so a failed recreation leaves the service as it found it. The original error is what the user sees. */
static void restore(struct up_run *u, const struct cc_container *old)
{
	struct cc_error *e = NULL;
	char *id = NULL;
	if (cc_rt_container_create(u->rt, &old->spec, &id, &e) == 0 &&
	    (!cc_orch_is_up(old) || cc_rt_container_start(u->rt, id, &e) == 0)) {
		cc_orch_status(u->ui, "Container", old->name, "Restored");
	} else {
		cc_orch_warn(u->ui, "container %s could not be restored: %s", old->name, e ? e->msg : "?");
	}
	cc_error_free(e);
	free(id);
}

/* Pass 1 for one service: create, recreate and scale its containers. */
static int converge_service(void *ctx, size_t k, struct cc_error **err)
{
	struct up_run *u = ctx;
	size_t si = u->batch[k];
	const char *service = u->g->names[si];
	const struct cc_val *svc = cc_project_service(u->p, service);
	int want = cc_orch_service_replicas(u->p, service, u->o->scale);
	if (want > 1 && cc_orch_str(svc, "container_name"))
		return cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT,
		    "service %s: can't set container_name and scale to %d: container names must be "
		    "unique",
		    service, want);
	char hash[CC_SHA256_HEX_LEN + 1];
	cc_service_config_hash(svc, hash);
	/* the image's current id, when the backend has an image store (an image it can't find is built or
	 * pulled by create; that is not this comparison's business) */
	cleanup_free char *image_id = NULL;
	struct cc_image img;
	struct cc_error *ierr = NULL;
	cleanup_free char *image = cc_orch_image_of(u->p, service);
	if (cc_rt_image_inspect(u->rt, image, &img, &ierr) == 0) {
		image_id = steal_pointer(&img.id);
		cc_image_release(&img);
	}
	cc_error_free(ierr);
	bool *have = cc_xcalloc((size_t)want + 1, sizeof(bool));
	u->ids[si] = cc_xcalloc(1, sizeof(char *));
	int r = 0;
	/* scale down first, highest numbers first, so names free up before creation */
	for (size_t i = u->nexisting; r == 0 && i-- > 0;) {
		const struct cc_container *c = &u->existing[i];
		if (strcmp(cc_orch_container_service(c), service) != 0)
			continue;
		int num = cc_orch_container_number(c);
		if (num >= 1 && num <= want && !have[num]) {
			have[num] = true;
			continue;
		}
		cc_orch_status(u->ui, "Container", c->name, "Removing");
		r = stop_and_remove(u, c, err);
		if (r == 0)
			cc_orch_status(u->ui, "Container", c->name, "Removed");
	}
	for (size_t i = 0; r == 0 && i < u->nexisting; i++) {
		const struct cc_container *c = &u->existing[i];
		if (strcmp(cc_orch_container_service(c), service) != 0)
			continue;
		int num = cc_orch_container_number(c);
		if (num < 1 || num > want)
			continue;
		if (!needs_recreate(u, si, c, hash, image_id)) {
			char *line = cc_xasprintf("%d %s %s", (int)c->state, c->name, c->id);
			cc_strv_push(&u->ids[si], line);
			free(line);
			continue;
		}
		cc_orch_status(u->ui, "Container", c->name, "Recreate");
		r = stop_and_remove(u, c, err);
		if (r == 0 && (r = create_one(u, si, num, c, err)) < 0)
			restore(u, c);
		if (r == 0) {
			cc_orch_status(u->ui, "Container", c->name, "Recreated");
			pthread_mutex_lock(&u->lock);
			u->recreated[si] = true;
			pthread_mutex_unlock(&u->lock);
		}
	}
	for (int num = 1; r == 0 && num <= want; num++) {
		if (have[num])
			continue;
		r = create_one(u, si, num, NULL, err);
		if (r == 0) {
			pthread_mutex_lock(&u->lock);
			u->recreated[si] = true;
			pthread_mutex_unlock(&u->lock);
		}
	}
	free(have);
	return r;
}

static int wait_container_condition(struct cc_runtime *rt, const char *name, const char *cond,
				    const struct cc_orch_ui *ui, struct cc_error **err)
{
	bool healthy = strcmp(cond, "service_healthy") == 0;
	bool completed = strcmp(cond, "service_completed_successfully") == 0;
	bool announced = false;
	for (;;) {
		struct cc_container c;
		if (cc_rt_container_inspect(rt, name, &c, err) < 0)
			return -1;
		int r = 1;
		if (healthy) {
			const struct cc_healthcheck *hc = c.spec.healthcheck;
			if (!hc || !hc->test || !hc->test[0] || strcmp(hc->test[0], "NONE") == 0)
				r = cc_error_set(
				    err, CC_ERR_INVALID_STATE,
				    "dependency failed to start: container %s has no healthcheck configured",
				    name);
			else if (c.health == CC_HEALTH_HEALTHY)
				r = 0;
			else if (c.health == CC_HEALTH_UNHEALTHY)
				r = cc_error_set(
				    err, CC_ERR_INVALID_STATE,
				    "dependency failed to start: container %s is unhealthy (%d failed "
				    "health checks in a row)",
				    name, c.failing_streak);
			else if (!cc_orch_is_up(&c))
				r = cc_error_set(
				    err, CC_ERR_INVALID_STATE,
				    "dependency failed to start: container %s exited with code %d", name,
				    c.exit_code);
		} else if (completed) {
			if (!cc_orch_is_up(&c) && c.state != CC_STATE_CREATED)
				r = c.exit_code == 0
					? 0
					: cc_error_set(
					      err, CC_ERR_INVALID_STATE,
					      "dependency failed to start: container %s exited with code %d "
					      "(service_completed_successfully)",
					      name, c.exit_code);
		} else {
			r = 0;
		}
		cc_container_release(&c);
		if (r <= 0) {
			if (r == 0 && announced)
				cc_orch_status(ui, "Container", name, healthy ? "Healthy" : "Exited");
			return r;
		}
		if (!announced)
			cc_orch_status(ui, "Container", name, "Waiting");
		announced = true;
		cc_sleep_ns(POLL_NS);
	}
}

int cc_orch_wait_dependencies(struct cc_runtime *rt, const struct cc_project *p, const char *service,
			      const struct cc_orch_ui *ui, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	const struct cc_val *deps = cc_orch_get(cc_project_service(p, service), "depends_on");
	for (size_t i = 0; deps && deps->kind == CC_V_MAP && i < deps->map.n; i++) {
		const char *dep = deps->map.e[i].key;
		const struct cc_val *d = deps->map.e[i].val;
		const char *cond =
		    cc_orch_str(d, "condition") ? cc_orch_str(d, "condition") : "service_started";
		const struct cc_val *req = cc_orch_get(d, "required");
		bool required = !req || req->kind != CC_V_BOOL || req->num.b;
		char *const svcs[] = {(char *)dep, NULL};
		struct cc_container *cs;
		size_t n;
		if (cc_orch_containers(rt, p->name, svcs, true, false, &cs, &n, err) < 0)
			return -1;
		int r = 0;
		if (n == 0 && required && cc_project_service(p, dep) &&
		    cc_orch_service_replicas(p, dep, NULL) > 0 && strcmp(cond, "service_started") != 0)
			r = cc_error_set(err, CC_ERR_INVALID_STATE,
					 "dependency failed to start: service %s has no container", dep);
		for (size_t k = 0; r == 0 && k < n; k++) {
			r = wait_container_condition(rt, cs[k].name, cond, ui, err);
			if (r < 0 && !required) {
				cc_orch_warn(ui, "optional dependency %s of %s failed: %s", dep, service,
					     (*err)->msg);
				cc_error_release(err);
				r = 0;
			}
		}
		cc_containers_free(cs, n);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Whether a dependency with restart: true was recreated in this run. */
static bool dependency_restarted(struct up_run *u, size_t si)
{
	const struct cc_val *deps = cc_orch_get(cc_project_service(u->p, u->g->names[si]), "depends_on");
	for (size_t i = 0; deps && deps->kind == CC_V_MAP && i < deps->map.n; i++) {
		const struct cc_val *restart = cc_orch_get(deps->map.e[i].val, "restart");
		if (!restart || restart->kind != CC_V_BOOL || !restart->num.b)
			continue;
		for (size_t k = 0; k < u->g->n; k++)
			if (strcmp(u->g->names[k], deps->map.e[i].key) == 0 && u->recreated[k])
				return true;
	}
	return false;
}

/* Pass 2 for one service: wait for its dependencies, then start its containers. */
static int start_service(void *ctx, size_t k, struct cc_error **err)
{
	struct up_run *u = ctx;
	size_t si = u->batch[k];
	const char *service = u->g->names[si];
	if (!u->o->no_deps && cc_orch_wait_dependencies(u->rt, u->p, service, u->ui, err) < 0)
		return -1;
	bool restart_deps = !u->recreated[si] && dependency_restarted(u, si);
	int r = 0;
	for (char **line = u->ids[si]; r == 0 && line && *line; line++) {
		char *name_end, *name = NULL;
		enum cc_container_state st = (enum cc_container_state)strtol(*line, &name, 10);
		name++;
		name_end = strchr(name, ' ');
		cleanup_free char *cname = cc_xstrndup(name, (size_t)(name_end - name));
		const char *id = name_end + 1;
		if (st == CC_STATE_RUNNING || st == CC_STATE_RESTARTING) {
			if (restart_deps) {
				cc_orch_status(u->ui, "Container", cname, "Restarting");
				cc_orch_lifecycle_hooks(u->rt, u->p, service, id, cname, "pre_stop", u->ui,
							err);
				r = cc_rt_container_restart(u->rt, id, u->o->stop_timeout_ns, err);
				if (r == 0)
					r = cc_orch_lifecycle_hooks(u->rt, u->p, service, id, cname,
								    "post_start", u->ui, err);
				if (r == 0)
					cc_orch_status(u->ui, "Container", cname, "Restarted");
			} else {
				cc_orch_status(u->ui, "Container", cname, "Running");
			}
			continue;
		}
		if (st == CC_STATE_PAUSED) {
			cc_orch_status(u->ui, "Container", cname, "Paused");
			continue;
		}
		cc_orch_status(u->ui, "Container", cname, "Starting");
		r = cc_rt_container_start(u->rt, id, err);
		if (r < 0 && (*err)->kind == CC_ERR_INVALID_STATE) {
			/* started by someone else since pass 1 read it: what up wants anyway */
			struct cc_container now;
			struct cc_error *e = NULL;
			if (cc_rt_container_inspect(u->rt, id, &now, &e) == 0) {
				if (cc_orch_is_up(&now)) {
					cc_error_release(err);
					r = 0;
				}
				cc_container_release(&now);
			}
			cc_error_free(e);
		}
		if (r == 0)
			r = cc_orch_lifecycle_hooks(u->rt, u->p, service, id, cname, "post_start", u->ui,
						    err);
		if (r == 0)
			cc_orch_status(u->ui, "Container", cname, "Started");
		else
			cc_error_wrap(err, "service %s", service);
	}
	return r;
}

static int run_levels(struct up_run *u, size_t nlevels, int (*fn)(void *, size_t, struct cc_error **),
		      struct cc_error **err)
{
	for (size_t lv = 0; lv < nlevels; lv++) {
		size_t nb = 0;
		for (size_t i = 0; i < u->g->n; i++)
			if (u->sel[i] && u->level[i] == lv)
				u->batch[nb++] = i;
		if (cc_orch_parallel(nb, u->o->parallel, fn, u, err) < 0)
			return -1;
	}
	return 0;
}

/* The services up works on: those named (all when none) and, unless --no-deps, what they depend on. */
static void select_services(const struct cc_graph *g, const struct cc_up_opts *o, bool *sel)
{
	for (size_t i = 0; i < g->n; i++)
		sel[i] = cc_orch_selected(o->services, g->names[i]);
	if (!o->no_deps)
		cc_graph_mark_dependencies(g, sel);
}

static int wait_ready(struct up_run *u, struct cc_error **err);

int cc_orch_up(struct cc_runtime *rt, const struct cc_project *p, const struct cc_up_opts *o,
	       const struct cc_orch_ui *ui, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	for (char *const *s = o->services; s && *s; s++)
		if (!cc_project_service(p, *s))
			return cc_error_set(err, CC_ERR_NOT_FOUND, "no such service: %s", *s);
	struct up_run u = {.rt = rt, .p = p, .o = o, .ui = ui};
	if (cc_graph_build(cc_project_services(p), &u.g, err) < 0)
		return -1;
	pthread_mutex_init(&u.lock, NULL);
	size_t n = u.g->n;
	u.sel = cc_xcalloc(n + 1, sizeof(bool));
	u.recreated = cc_xcalloc(n + 1, sizeof(bool));
	u.level = cc_xcalloc(n + 1, sizeof(size_t));
	u.batch = cc_xcalloc(n + 1, sizeof(size_t));
	u.ids = cc_xcalloc(n + 1, sizeof(cc_strv));
	select_services(u.g, o, u.sel);
	size_t nlevels = cc_orch_levels(u.g, u.sel, u.level);
	cc_strv selected = cc_xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		if (u.sel[i]) {
			cc_strv_push(&selected, u.g->names[i]);
			cc_orch_warn_unapplied(p, u.g->names[i], ui);
		}

	int r = cc_orch_containers(rt, p->name, NULL, true, false, &u.existing, &u.nexisting, err);
	const struct cc_orphan_opts orphans = {
	    .remove = o->remove_orphans, .ignore = o->ignore_orphans, .timeout_ns = o->stop_timeout_ns};
	if (r == 0)
		r = cc_orch_orphans_among(rt, p, u.existing, u.nexisting, &orphans, ui, err);
	if (r == 0)
		r = cc_orch_ensure_resources(rt, p, selected, ui, err);
	if (r == 0)
		r = run_levels(&u, nlevels, converge_service, err);
	if (r == 0 && !o->no_start)
		r = run_levels(&u, nlevels, start_service, err);
	if (r == 0 && o->wait && !o->no_start)
		r = wait_ready(&u, err);

	cc_strv_free(selected);
	cc_containers_free(u.existing, u.nexisting);
	free(u.sel);
	free(u.recreated);
	free(u.level);
	free(u.batch);
	for (size_t i = 0; i < n; i++)
		cc_strv_free(u.ids[i]);
	free(u.ids);
	cc_graph_free(u.g);
	pthread_mutex_destroy(&u.lock);
	return r;
}

/* Is some service waiting for `service` to complete successfully? Then its exit 0 is what --wait wants. */
static bool awaited_completion(const struct cc_project *p, const char *service)
{
	const struct cc_val *svcs = cc_project_services(p);
	for (size_t i = 0; svcs && i < svcs->map.n; i++) {
		const struct cc_val *d = cc_orch_get(cc_orch_get(svcs->map.e[i].val, "depends_on"), service);
		const char *cond = cc_orch_str(d, "condition");
		if (cond && strcmp(cond, "service_completed_successfully") == 0)
			return true;
	}
	return false;
}

/* --wait: every selected service's containers running (and healthy when they have a healthcheck), or
 * completed with 0 when another service waits for that. */
int cc_orch_wait_ready(struct cc_runtime *rt, const struct cc_project *p, char *const *services,
		       int64_t timeout_ns, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	int64_t deadline = timeout_ns > 0 ? cc_monotonic_ns() + timeout_ns : INT64_MAX;
	for (;;) {
		struct cc_container *cs;
		size_t n;
		if (cc_orch_containers(rt, p->name, NULL, true, false, &cs, &n, err) < 0)
			return -1;
		int r = 0;
		size_t pending = 0;
		const char *waiting_for = NULL;
		for (size_t i = 0; r == 0 && i < n; i++) {
			const char *service = cc_orch_container_service(&cs[i]);
			if (!cc_project_defines(p, service) || !cc_orch_selected(services, service))
				continue;
			const struct cc_container *c = &cs[i];
			if (!cc_orch_is_up(c)) {
				if (c->exit_code == 0 && awaited_completion(p, service))
					continue;
				r = cc_error_set(err, CC_ERR_INVALID_STATE, "container %s exited (%d)",
						 c->name, c->exit_code);
			} else if (c->health == CC_HEALTH_UNHEALTHY) {
				r = cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is unhealthy",
						 c->name);
			} else if (c->health == CC_HEALTH_STARTING || c->state != CC_STATE_RUNNING) {
				pending++;
				waiting_for = waiting_for ? waiting_for : c->name;
			}
		}
		char *first = waiting_for ? cc_xstrdup(waiting_for) : NULL;
		cc_containers_free(cs, n);
		if (r < 0 || pending == 0) {
			free(first);
			return r;
		}
		if (cc_monotonic_ns() >= deadline) {
			cc_error_set(err, CC_ERR_TIMEOUT, "timeout waiting for %s to be healthy", first);
			free(first);
			return -1;
		}
		free(first);
		cc_sleep_ns(POLL_NS);
	}
}

static int wait_ready(struct up_run *u, struct cc_error **err)
{
	cc_strv selected = cc_xcalloc(1, sizeof(char *));
	for (size_t k = 0; k < u->g->n; k++)
		if (u->sel[k])
			cc_strv_push(&selected, u->g->names[k]);
	int r = selected[0] ? cc_orch_wait_ready(u->rt, u->p, selected, u->o->wait_timeout_ns, err) : 0;
	cc_strv_free(selected);
	return r;
}
