/* Mock container lifecycle: create, start, stop, kill, pause, remove, list and inspect, each one transaction
 * over the settled state, with docker's rules for what each state allows. */
#include "mock/mock.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "runtime/ipv4.h"
#include "runtime/codec.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*mutate_fn)(struct mock *m, struct mock_container *mc, int64_t now, void *arg,
			 struct cc_error **err);

/* One operation on one container: load, settle, check and change it, save, all in one transaction. */
static int mutate(struct mock *m, const char *ref, mutate_fn fn, void *arg, struct cc_error **err)
{
	struct mock_container mc = {0};
	if (mock_begin(m, err) < 0)
		return -1;
	int64_t now = cc_now_ns();
	bool changed = false;
	/* saved before fn acts: fn may list containers, and must not find a stale copy of this one to settle
	 */
	int reaped = 0;
	if (mock_load(m, ref, &mc, err) < 0 || mock_settle(m, &mc, now, &changed, err) < 0 ||
	    (changed && mock_save(m, &mc, err) < 0) || (reaped = mock_reap(m, &mc, now, err)) < 0 ||
	    (!reaped && (fn(m, &mc, now, arg, err) < 0 || mock_save(m, &mc, err) < 0))) {
		mock_abort(m);
		mock_container_release(&mc);
		return -1;
	}
	mock_container_release(&mc);
	if (mock_commit(m, err) < 0)
		return -1;
	return reaped ? cc_error_set(err, CC_ERR_NOT_FOUND, "No such container: %s", ref) : 0;
}

static int not_running(const struct mock_container *mc, struct cc_error **err)
{
	return cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is not running (state: %s)", mc->c.name,
			    cc_state_name(mc->c.state));
}

struct list_ctx {
	struct mock *m;
	cc_strv payloads;
};

static int collect(void *ctx, const char *id, const char *payload)
{
	(void)id;
	struct list_ctx *lc = ctx;
	cc_strv_push(&lc->payloads, payload);
	return 0;
}

/* Decoding payloads is most of a listing's cost and needs no store: large listings decode on every CPU. */
struct decode_job {
	char **payloads;
	struct mock_container *out;
	size_t from, to;
	struct cc_error *err;
};

static void *decode_range(void *arg)
{
	struct decode_job *j = arg;
	for (size_t i = j->from; i < j->to && !j->err; i++)
		if (mock_decode(j->payloads[i], &j->out[i], &j->err) < 0)
			break;
	return NULL;
}

static int decode_all(char **payloads, size_t count, struct mock_container *out, struct cc_error **err)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = count < 128 || cpus < 2 ? 1 : (size_t)(cpus > 8 ? 8 : cpus);
	struct decode_job jobs[8];
	pthread_t threads[8];
	bool started[8] = {false};
	for (size_t t = 0; t < nthreads; t++) {
		jobs[t] = (struct decode_job){payloads, out, count * t / nthreads, count * (t + 1) / nthreads,
					      NULL};
		if (t > 0)
			started[t] = pthread_create(&threads[t], NULL, decode_range, &jobs[t]) == 0;
		if (!started[t] && t > 0)
			decode_range(&jobs[t]);
	}
	decode_range(&jobs[0]);
	int r = 0;
	for (size_t t = 0; t < nthreads; t++) {
		if (started[t])
			pthread_join(threads[t], NULL);
		if (jobs[t].err && r == 0) {
			*err = jobs[t].err;
			r = -1;
		} else if (jobs[t].err) {
			cc_error_free(jobs[t].err);
		}
	}
	return r;
}

/* Every container of the backend (or of one project), settled to now (and saved where that changed them). */
static int load_some(struct mock *m, const char *project, struct mock_container **out, size_t *n,
		     struct cc_error **err)
{
	struct list_ctx lc = {m, NULL};
	*out = NULL;
	*n = 0;
	if (cc_store_container_each(m->store, MOCK_BACKEND, project, collect, &lc, err) < 0)
		return -1;
	size_t count = cc_strv_len(lc.payloads);
	struct mock_container *v = cc_xcalloc(count ? count : 1, sizeof(*v));
	int64_t now = cc_now_ns();
	int r = decode_all(lc.payloads, count, v, err);
	size_t kept = 0;
	for (size_t i = 0; i < count; i++) {
		bool changed = false;
		int reaped = 0;
		if (r == 0 && (mock_settle(m, &v[i], now, &changed, err) < 0 ||
			       (changed && mock_save(m, &v[i], err) < 0) ||
			       (reaped = mock_reap(m, &v[i], now, err)) < 0))
			r = -1;
		if (r == 0 && !reaped)
			v[kept++] = v[i];
		else
			mock_container_release(&v[i]);
	}
	count = kept;
	cc_strv_free(lc.payloads);
	if (r < 0) {
		for (size_t i = 0; i < count; i++)
			mock_container_release(&v[i]);
		free(v);
		return -1;
	}
	*out = v;
	*n = count;
	return 0;
}

static int load_all(struct mock *m, struct mock_container **out, size_t *n, struct cc_error **err)
{
	return load_some(m, NULL, out, n, err);
}

int mock_settle_all(struct mock *m, struct cc_error **err)
{
	struct mock_container *v;
	size_t n;
	if (mock_begin(m, err) < 0)
		return -1;
	if (load_all(m, &v, &n, err) < 0) {
		mock_abort(m);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		mock_container_release(&v[i]);
	free(v);
	return mock_commit(m, err);
}

int mock_container_list(void *self, const struct cc_container_filter *f, struct cc_container **out, size_t *n,
			struct cc_error **err)
{
	struct mock *m = self;
	struct mock_container *v;
	size_t count;
	if (mock_begin(m, err) < 0)
		return -1;
	if (load_some(m, f ? f->project : NULL, &v, &count, err) < 0) {
		mock_abort(m);
		return -1;
	}
	if (mock_commit(m, err) < 0) {
		for (size_t i = 0; i < count; i++)
			mock_container_release(&v[i]);
		free(v);
		return -1;
	}
	struct cc_container *res = cc_xcalloc(count ? count : 1, sizeof(*res));
	size_t k = 0;
	for (size_t i = 0; i < count; i++) {
		if (cc_container_matches(&v[i].c, f)) {
			res[k++] = v[i].c; /* moved */
			memset(&v[i].c, 0, sizeof(v[i].c));
		}
		mock_container_release(&v[i]);
	}
	free(v);
	*out = res;
	*n = k;
	return 0;
}

int mock_container_inspect(void *self, const char *ref, struct cc_container *out, struct cc_error **err)
{
	struct mock_container mc;
	if (mock_settled(self, ref, &mc, err) < 0)
		return -1;
	*out = mc.c;
	return 0;
}

static bool valid_name(const char *s)
{
	if (!isalnum((unsigned char)s[0]))
		return false;
	for (const char *p = s + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			return false;
	return true;
}

static int check_references(struct mock *m, const struct cc_container_spec *spec, struct cc_error **err)
{
	cleanup_free char *payload = NULL;
	for (size_t i = 0; i < spec->nnetworks; i++) {
		if (cc_store_object_get(m->store, MOCK_BACKEND, "network", spec->networks[i].network,
					&payload, err) < 0)
			return -1;
		free(steal_pointer(&payload));
	}
	for (size_t i = 0; i < spec->nsecrets + spec->nconfigs; i++) {
		bool secret = i < spec->nsecrets;
		const struct cc_file_ref *ref =
		    secret ? &spec->secrets[i] : &spec->configs[i - spec->nsecrets];
		if (cc_store_object_get(m->store, MOCK_BACKEND, secret ? "secret" : "config", ref->source,
					&payload, err) < 0)
			return -1;
		free(steal_pointer(&payload));
	}
	return 0;
}

static int create_locked(struct mock *m, const struct cc_container_spec *spec, char **id_out,
			 struct cc_error **err)
{
	struct mock_container mc = {0};
	char id[65];
	mock_new_id(id);
	const char *name = spec->name;
	char generated[32];
	if (!name) {
		snprintf(generated, sizeof(generated), "mock_%.12s", id);
		name = generated;
	}
	if (!valid_name(name))
		return cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT,
		    "invalid container name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
	/* a lookup by reference also matches ids and id prefixes: only the same name is a conflict */
	cleanup_free char *existing = NULL;
	struct cc_error *lookup = NULL;
	if (cc_store_container_get(m->store, MOCK_BACKEND, name, &existing, &lookup) == 0) {
		json_t *j = NULL;
		if (cc_json_parse(existing, &j, err) < 0)
			return -1;
		const char *other = json_string_value(json_object_get(j, "id"));
		const char *other_name = json_string_value(json_object_get(j, "name"));
		int r = 0;
		if (other_name && strcmp(other_name, name) == 0)
			r = cc_rt_name_conflict(name, other, err);
		json_decref(j);
		if (r < 0)
			return -1;
	} else if (lookup->kind != CC_ERR_NOT_FOUND && lookup->kind != CC_ERR_INVALID_ARGUMENT) {
		*err = lookup;
		return -1;
	}
	cc_error_free(lookup);
	if (check_references(m, spec, err) < 0)
		return -1;

	cc_container_spec_copy(&mc.c.spec, spec);
	free(mc.c.spec.name);
	mc.c.spec.name = cc_xstrdup(name);
	mc.c.id = cc_xstrdup(id);
	mc.c.name = cc_xstrdup(name);
	mc.c.state = CC_STATE_CREATED;
	mc.c.created_ns = cc_now_ns();
	/* the image as it is now, so a later pull or tag that moves the reference shows as a new image */
	struct cc_image img;
	int r = mock_image_inspect(m, spec->image, &img, err);
	if (r == 0) {
		mc.c.image_id = steal_pointer(&img.id);
		cc_image_release(&img);
		mc.sim.seq = cc_store_next(m->store, MOCK_BACKEND, "container", err);
		r = mc.sim.seq < 0 ? -1 : 0;
	}
	for (size_t i = 0; r == 0 && i < mc.c.spec.nmounts; i++) {
		struct cc_mount *mt = &mc.c.spec.mounts[i];
		if (mt->type != CC_MOUNT_VOLUME)
			continue;
		struct cc_kvs labels = {0};
		if (!mt->source) {
			char vid[65];
			mock_new_id(vid);
			mt->source = cc_xstrdup(vid);
			cc_kvs_set(&labels, CC_VOLUME_ANONYMOUS_LABEL, "");
		}
		r = mock_volume_ensure(m, mt->source, &labels, err);
		cc_kvs_release(&labels);
	}
	if (r == 0 && mc.c.spec.nnetworks) {
		mc.c.endpoints = cc_xcalloc(mc.c.spec.nnetworks, sizeof(*mc.c.endpoints));
		for (size_t i = 0; r == 0 && i < mc.c.spec.nnetworks; i++) {
			const struct cc_endpoint *want = &mc.c.spec.networks[i];
			struct cc_endpoint *ep = &mc.c.endpoints[mc.c.nendpoints++];
			ep->network = cc_xstrdup(want->network);
			ep->aliases = cc_strv_copy(want->aliases);
			ep->ipv4_address = mock_network_address(m, want->network, want->ipv4_address, err);
			if (!ep->ipv4_address || mock_network_address6(m, want->network, want->ipv6_address,
								       &ep->ipv6_address, err) < 0)
				r = -1;
			else
				ep->mac_address = want->mac_address ? cc_xstrdup(want->mac_address)
								    : cc_ipv4_docker_mac(ep->ipv4_address);
		}
	}
	if (r == 0 && mc.c.spec.nports) {
		/* published ports: an ephemeral host port gets a deterministic one, as an engine would assign
		 */
		mc.c.published = cc_xcalloc(mc.c.spec.nports, sizeof(*mc.c.published));
		for (size_t i = 0; i < mc.c.spec.nports; i++) {
			struct cc_port_binding *p = &mc.c.published[mc.c.npublished++];
			*p = mc.c.spec.ports[i];
			p->host_ip = p->host_ip ? cc_xstrdup(p->host_ip) : NULL;
			if (!p->host_port)
				p->host_port = (uint16_t)(32768 + (mc.sim.seq * 16 + (int64_t)i) % 28000);
		}
	}
	if (r == 0)
		r = mock_save(m, &mc, err);
	if (r == 0)
		r = mock_container_event(m, &mc, mc.c.created_ns, "create", NULL, NULL, err);
	if (r == 0 && id_out)
		*id_out = cc_xstrdup(id);
	mock_container_release(&mc);
	return r;
}

int mock_container_create(void *self, const struct cc_container_spec *spec, char **id_out,
			  struct cc_error **err)
{
	struct mock *m = self;
	if (mock_begin(m, err) < 0)
		return -1;
	if (create_locked(m, spec, id_out, err) < 0) {
		mock_abort(m);
		return -1;
	}
	return mock_commit(m, err);
}

static bool same_address(const char *a, const char *b)
{
	bool any_a = !a || strcmp(a, "0.0.0.0") == 0, any_b = !b || strcmp(b, "0.0.0.0") == 0;
	return any_a || any_b || strcmp(a, b) == 0;
}

/* A host port is one process's at a time, as with a real engine's bind(). */
static int check_ports(struct mock *m, const struct mock_container *mc, struct cc_error **err)
{
	bool publishes = false;
	for (size_t i = 0; i < mc->c.npublished; i++)
		publishes |= mc->c.published[i].host_port != 0;
	if (!publishes)
		return 0;
	struct mock_container *all;
	size_t n;
	if (load_all(m, &all, &n, err) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct cc_container *o = &all[i].c;
		if (strcmp(o->id, mc->c.id) == 0 || !cc_state_is_up(o->state))
			continue;
		for (size_t a = 0; a < mc->c.npublished && r == 0; a++)
			for (size_t b = 0; b < o->npublished && r == 0; b++) {
				const struct cc_port_binding *x = &mc->c.published[a], *y = &o->published[b];
				if (x->host_port && x->host_port == y->host_port &&
				    strcmp(x->protocol, y->protocol) == 0 &&
				    same_address(x->host_ip, y->host_ip))
					r = cc_error_set(
					    err, CC_ERR_INVALID_STATE,
					    "driver failed programming external connectivity on endpoint %s: "
					    "Bind for %s:%u failed: port is already allocated (by %s)",
					    mc->c.name, x->host_ip ? x->host_ip : "0.0.0.0", x->host_port,
					    o->name);
			}
	}
	for (size_t i = 0; i < n; i++)
		mock_container_release(&all[i]);
	free(all);
	return r;
}

static int do_start(struct mock *m, struct mock_container *mc, int64_t now, void *arg, struct cc_error **err)
{
	if (mc->c.state == CC_STATE_PAUSED)
		return cc_error_set(err, CC_ERR_INVALID_STATE,
				    "cannot start a paused container %s, try unpause instead", mc->c.name);
	if (cc_state_is_up(mc->c.state))
		return cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is already running", mc->c.name);
	if (check_references(m, &mc->c.spec, err) < 0)
		return cc_error_wrap(err, "cannot start container %s", mc->c.name);
	if (check_ports(m, mc, err) < 0)
		return -1;
	bool changed;
	if (mock_begin_run(m, mc, now, err) < 0)
		return -1;
	return mock_settle(m, mc, now, &changed, err);
}

int mock_container_start(void *self, const char *ref, struct cc_error **err)
{
	return mutate(self, ref, do_start, NULL, err);
}

/* End the current run by a signal: stop (exit 0) or kill (128+signal); neither is followed by a policy
 * restart. */
static int end_by_signal(struct mock *m, struct mock_container *mc, int64_t now, int sig, bool stop,
			 struct cc_error **err)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "%d", sig);
	if (mock_container_event(m, mc, now, "kill", "signal", buf, err) < 0)
		return -1;
	if (mc->c.state == CC_STATE_RESTARTING) {
		mc->c.state = CC_STATE_EXITED;
		mc->sim.manual_stop = true;
	} else {
		/* docker treats kill like stop here: a container the user ended is not restarted by its
		 * policy */
		mc->sim.manual_stop = true;
		if (mock_end_run(m, mc, now, stop ? 0 : 128 + sig, err) < 0)
			return -1;
	}
	return stop ? mock_container_event(m, mc, now, "stop", NULL, NULL, err) : 0;
}

static int do_stop(struct mock *m, struct mock_container *mc, int64_t now, void *arg, struct cc_error **err)
{
	if (!cc_state_is_up(mc->c.state))
		return not_running(mc, err);
	const char *signame = arg ? arg : mc->c.spec.stop_signal;
	int sig = signame ? cc_signal_parse(signame) : SIGTERM;
	return end_by_signal(m, mc, now, sig > 0 ? sig : SIGTERM, true, err);
}

int mock_container_stop(void *self, const char *ref, const char *signal, int64_t timeout_ns,
			struct cc_error **err)
{
	return mutate(self, ref, do_stop, (void *)signal, err);
}

static int do_restart(struct mock *m, struct mock_container *mc, int64_t now, void *arg,
		      struct cc_error **err)
{
	if (cc_state_is_up(mc->c.state) && do_stop(m, mc, now, NULL, err) < 0)
		return -1;
	if (do_start(m, mc, now, NULL, err) < 0)
		return -1;
	return mock_container_event(m, mc, now, "restart", NULL, NULL, err);
}

int mock_container_restart(void *self, const char *ref, int64_t timeout_ns, struct cc_error **err)
{
	return mutate(self, ref, do_restart, NULL, err);
}

static int do_kill(struct mock *m, struct mock_container *mc, int64_t now, void *arg, struct cc_error **err)
{
	if (mc->c.state != CC_STATE_RUNNING && mc->c.state != CC_STATE_PAUSED)
		return not_running(mc, err);
	int sig = arg ? cc_signal_parse(arg) : SIGKILL;
	return end_by_signal(m, mc, now, sig, false, err);
}

int mock_container_kill(void *self, const char *ref, const char *signal, struct cc_error **err)
{
	return mutate(self, ref, do_kill, (void *)signal, err);
}

static int do_pause(struct mock *m, struct mock_container *mc, int64_t now, void *arg, struct cc_error **err)
{
	if (mc->c.state == CC_STATE_PAUSED)
		return cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is already paused", mc->c.name);
	if (mc->c.state != CC_STATE_RUNNING)
		return not_running(mc, err);
	mc->c.state = CC_STATE_PAUSED;
	mc->sim.paused_ns = now;
	return mock_container_event(m, mc, now, "pause", NULL, NULL, err);
}

int mock_container_pause(void *self, const char *ref, struct cc_error **err)
{
	return mutate(self, ref, do_pause, NULL, err);
}

static int do_unpause(struct mock *m, struct mock_container *mc, int64_t now, void *arg,
		      struct cc_error **err)
{
	if (mc->c.state != CC_STATE_PAUSED)
		return cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is not paused", mc->c.name);
	/* a frozen process's timeline resumes where it stopped */
	mc->sim.t0_ns += now - mc->sim.paused_ns;
	mc->sim.paused_ns = 0;
	mc->c.state = CC_STATE_RUNNING;
	return mock_container_event(m, mc, now, "unpause", NULL, NULL, err);
}

int mock_container_unpause(void *self, const char *ref, struct cc_error **err)
{
	return mutate(self, ref, do_unpause, NULL, err);
}

struct remove_args {
	bool force, volumes;
};

static int remove_locked(struct mock *m, struct mock_container *mc, int64_t now, const struct remove_args *a,
			 struct cc_error **err);

int mock_reap(struct mock *m, struct mock_container *mc, int64_t now, struct cc_error **err)
{
	if (!mc->c.spec.auto_remove || mc->c.state != CC_STATE_EXITED)
		return 0;
	const struct remove_args a = {true, true}; /* its anonymous volumes go with it, as docker's --rm */
	return remove_locked(m, mc, now, &a, err) < 0 ? -1 : 1;
}

static int remove_locked(struct mock *m, struct mock_container *mc, int64_t now, const struct remove_args *a,
			 struct cc_error **err)
{
	if (cc_state_is_up(mc->c.state)) {
		if (!a->force)
			return cc_error_set(
			    err, CC_ERR_INVALID_STATE,
			    "cannot remove container %s: container is %s: stop the container before "
			    "removing or force remove",
			    mc->c.name, cc_state_name(mc->c.state));
		if (end_by_signal(m, mc, now, SIGKILL, false, err) < 0)
			return -1;
	}
	if (cc_store_log_delete(m->store, MOCK_BACKEND, mc->c.id, err) < 0 ||
	    cc_store_container_delete(m->store, MOCK_BACKEND, mc->c.id, err) < 0)
		return -1;
	for (size_t i = 0; a->volumes && i < mc->c.spec.nmounts; i++) {
		const struct cc_mount *mt = &mc->c.spec.mounts[i];
		if (mt->type != CC_MOUNT_VOLUME || !mt->source)
			continue;
		struct cc_volume v = {0};
		cleanup_free char *payload = NULL;
		json_t *j = NULL;
		if (cc_store_object_get(m->store, MOCK_BACKEND, "volume", mt->source, &payload, err) < 0)
			return -1;
		if (cc_json_parse(payload, &j, err) < 0)
			return -1;
		int r = cc_volume_from_json(j, &v, err);
		json_decref(j);
		if (r < 0)
			return -1;
		bool anon = cc_kvs_get(&v.spec.labels, CC_VOLUME_ANONYMOUS_LABEL) != NULL;
		cc_volume_release(&v);
		if (anon && (cc_store_object_delete(m->store, MOCK_BACKEND, "volume", mt->source, err) < 0 ||
			     mock_event(m, now, "volume", "destroy", mt->source, mt->source, NULL, err) < 0))
			return -1;
	}
	return mock_container_event(m, mc, now, "destroy", NULL, NULL, err);
}

int mock_container_remove(void *self, const char *ref, bool force, bool volumes, struct cc_error **err)
{
	struct mock *m = self;
	struct mock_container mc = {0};
	struct remove_args a = {force, volumes};
	if (mock_begin(m, err) < 0)
		return -1;
	int64_t now = cc_now_ns();
	bool changed = false;
	if (mock_load(m, ref, &mc, err) < 0 || mock_settle(m, &mc, now, &changed, err) < 0 ||
	    remove_locked(m, &mc, now, &a, err) < 0) {
		mock_abort(m);
		mock_container_release(&mc);
		return -1;
	}
	mock_container_release(&mc);
	return mock_commit(m, err);
}
