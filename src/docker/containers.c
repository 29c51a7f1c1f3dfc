/* Container operations over the Engine API: create (and connect to the extra networks), the lifecycle,
 * wait, inspect/list, top and stats. */
#include "docker/docker-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/clock.h"
#include "base/xalloc.h"

#define D(self) (((struct docker *)(self))->c)
/* the grace period dockerd gives a container created without StopTimeout */
#define DOCKERD_STOP_TIMEOUT_S 10

/* POST /containers/{ref}/{verb}{query}; 304 becomes INVALID_STATE with `notmod`. */
static int post(void *self, const char *ref, const char *verb, const char *query, const char *notmod,
		struct cc_error **err)
{
	cleanup_free char *e = cc_http_escape(ref);
	cleanup_free char *path = cc_xasprintf("/containers/%s/%s%s", e, verb, query ? query : "");
	cleanup_free char *what = cc_xasprintf("container %s", ref);
	struct cc_http_req r = {.method = "POST", .path = path, .raw_fd = -1};
	int rc = dk_do(D(self), &r, err);
	if (rc == 0)
		rc = dk_check(D(self), &r, what, notmod, err);
	cc_http_req_release(&r);
	return rc;
}

int dk_container_inspect(void *self, const char *ref, struct cc_container *out, struct cc_error **err)
{
	if (!*ref)
		return cc_error_set(err, CC_ERR_NOT_FOUND, "container %s: no such container", ref);
	cleanup_free char *e = cc_http_escape(ref);
	cleanup_free char *path = cc_xasprintf("/containers/%s/json", e);
	cleanup_free char *what = cc_xasprintf("container %s", ref);
	json_t *j;
	if (dk_call(D(self), "GET", path, NULL, &j, what, err) < 0)
		return -1;
	dk_container_from_json(j, out);
	json_decref(j);
	return 0;
}

int dk_container_list(void *self, const struct cc_container_filter *f, struct cc_container **out, size_t *n,
		      struct cc_error **err)
{
	json_t *filters = json_object(), *labels = json_array();
	if (f && f->project) {
		char *l = cc_xasprintf("com.docker.compose.project=%s", f->project);
		json_array_append_new(labels, json_string(l));
		free(l);
	}
	for (size_t i = 0; f && f->labels && f->labels[i]; i++)
		json_array_append_new(labels, json_string(f->labels[i]));
	if (json_array_size(labels))
		json_object_set_new(filters, "label", labels);
	else
		json_decref(labels);
	cleanup_free char *fj = json_dumps(filters, JSON_COMPACT);
	json_decref(filters);
	cleanup_free char *fe = cc_http_escape(fj);
	cleanup_free char *path = cc_xasprintf("/containers/json?all=1&filters=%s", fe);
	json_t *arr;
	if (dk_call(D(self), "GET", path, NULL, &arr, "container list", err) < 0)
		return -1;
	struct cc_container *v = cc_xcalloc(json_array_size(arr) + 1, sizeof(*v));
	size_t count = 0, i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		const char *id = dk_str(item, "Id");
		if (!id)
			continue;
		struct cc_error *ierr = NULL;
		if (dk_container_inspect(self, id, &v[count], &ierr) < 0) {
			if (ierr->kind == CC_ERR_NOT_FOUND) { /* removed meanwhile */
				cc_error_free(ierr);
				continue;
			}
			*err = ierr;
			cc_containers_free(v, count);
			json_decref(arr);
			return -1;
		}
		if (cc_container_matches(&v[count], f))
			count++;
		else
			cc_container_release(&v[count]);
	}
	json_decref(arr);
	*out = v;
	*n = count;
	return 0;
}

int dk_container_create(void *self, const struct cc_container_spec *spec, char **id_out,
			struct cc_error **err)
{
	const char *label = spec->name ? spec->name : "(unnamed)";
	if (!spec->image || !*spec->image)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "container %s: an image is required",
				    label);
	cleanup_free char *path = NULL;
	if (spec->name) {
		cleanup_free char *e = cc_http_escape(spec->name);
		path = cc_xasprintf("/containers/create?name=%s", e);
	} else {
		path = cc_xstrdup("/containers/create");
	}
	cleanup_free char *what = cc_xasprintf("container %s", label);
	/* the networks must exist before anything is created (dockerd checks only at start) */
	for (size_t i = 0; !spec->network_mode && i < spec->nnetworks; i++) {
		cleanup_free char *ne = cc_http_escape(spec->networks[i].network);
		cleanup_free char *np = cc_xasprintf("/networks/%s", ne);
		cleanup_free char *nw =
		    cc_xasprintf("container %s: network %s", label, spec->networks[i].network);
		if (dk_call(D(self), "GET", np, NULL, NULL, nw, err) < 0)
			return -1;
	}
	if (dk_negotiate(D(self), err) < 0) /* which engine it is: the first call may be this one */
		return -1;
	json_t *body = dk_spec_to_json(spec);
	/* podman's compat create records an absent StopTimeout as 0, so every stop without -t killed at once
	 * (exit code 137, no TERM handler ran): give it the 10 s grace dockerd and docker compose assume */
	if (D(self)->podman && !json_object_get(body, "StopTimeout"))
		json_object_set_new(body, "StopTimeout", json_integer(DOCKERD_STOP_TIMEOUT_S));
	/* swarm's secrets and configs do not exist outside swarm mode: ours, bind-mounted */
	cleanup_free char *files = NULL;
	if (dk_secret_files(self, spec, body, &files, err) < 0) {
		json_decref(body);
		return -1;
	}
	json_t *resp;
	int rc = dk_call(D(self), "POST", path, body, &resp, what, err);
	json_decref(body);
	if (rc < 0) {
		dk_secret_files_remove(self, files);
		return -1;
	}
	cleanup_free char *id = dk_strdup(resp, "Id");
	json_decref(resp);
	if (!id)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s: the engine answered no id", what);
	for (size_t i = 1; !spec->network_mode && i < spec->nnetworks; i++) {
		if (dk_network_connect(self, spec->networks[i].network, id, spec->networks[i].aliases, err) <
		    0) {
			struct cc_error *rerr = NULL;
			dk_container_remove(self, id, true, true, &rerr);
			cc_error_free(rerr);
			return cc_error_wrap(err, "%s", what);
		}
	}
	if (id_out)
		*id_out = steal_pointer(&id);
	return 0;
}

int dk_container_start(void *self, const char *ref, struct cc_error **err)
{
	return post(self, ref, "start", NULL, "already running", err);
}

static int check_signal(const char *ref, const char *signal, struct cc_error **err)
{
	if (signal && cc_signal_parse(signal) < 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "container %s: unknown signal %s", ref,
				    signal);
	return 0;
}

int dk_container_stop(void *self, const char *ref, const char *signal, int64_t timeout_ns,
		      struct cc_error **err)
{
	if (check_signal(ref, signal, err) < 0)
		return -1;
	char q[48] = "";
	if (timeout_ns >= 0)
		snprintf(q, sizeof(q), "?t=%lld", (long long)((timeout_ns + 999999999LL) / 1000000000LL));
	if (signal) {
		/* the API's stop takes no signal before 1.42: send it, then stop with the grace period */
		char kq[32];
		snprintf(kq, sizeof(kq), "?signal=%d", cc_signal_parse(signal));
		if (post(self, ref, "kill", kq, "not running", err) < 0)
			return -1;
		struct cc_error *serr = NULL;
		if (post(self, ref, "stop", q, "not running", &serr) < 0) {
			bool benign = serr->kind == CC_ERR_INVALID_STATE;
			if (!benign) {
				*err = serr;
				return -1;
			}
			cc_error_free(serr);
		}
		return 0;
	}
	return post(self, ref, "stop", q, "not running", err);
}

int dk_container_restart(void *self, const char *ref, int64_t timeout_ns, struct cc_error **err)
{
	char q[48] = "";
	if (timeout_ns >= 0)
		snprintf(q, sizeof(q), "?t=%lld", (long long)((timeout_ns + 999999999LL) / 1000000000LL));
	return post(self, ref, "restart", q, NULL, err);
}

int dk_container_kill(void *self, const char *ref, const char *signal, struct cc_error **err)
{
	if (check_signal(ref, signal, err) < 0)
		return -1;
	char q[32] = "";
	if (signal)
		snprintf(q, sizeof(q), "?signal=%d", cc_signal_parse(signal));
	return post(self, ref, "kill", q, "not running", err);
}

int dk_container_pause(void *self, const char *ref, struct cc_error **err)
{
	return post(self, ref, "pause", NULL, "already paused", err);
}

int dk_container_unpause(void *self, const char *ref, struct cc_error **err)
{
	return post(self, ref, "unpause", NULL, "not paused", err);
}

int dk_container_remove(void *self, const char *ref, bool force, bool volumes, struct cc_error **err)
{
	/* the copies of its secrets go with it: read from its label first, when there are copies at all
	 * (most removals have none, and need no inspect) */
	cleanup_free char *files = NULL;
	cleanup_free char *e = NULL;
	if (dk_secret_files_any(self)) {
		struct cc_container c;
		if (dk_container_inspect(self, ref, &c, err) < 0)
			return -1;
		const char *label = dk_secret_files_label(&c);
		files = label ? cc_xstrdup(label) : NULL;
		e = cc_http_escape(c.id);
		cc_container_release(&c);
	} else {
		e = cc_http_escape(ref);
	}
	/* a forced removal kills, as dockerd's does: podman's stops first and waits out the grace period */
	if (force && dk_negotiate(D(self), err) < 0)
		return -1;
	if (force && D(self)->podman) {
		struct cc_error *kerr = NULL; /* not running, or gone: the removal says which */
		post(self, ref, "kill", "?signal=9", "not running", &kerr);
		cc_error_free(kerr);
	}
	cleanup_free char *path =
	    cc_xasprintf("/containers/%s?force=%d&v=%d", e, force ? 1 : 0, volumes ? 1 : 0);
	cleanup_free char *what = cc_xasprintf("container %s", ref);
	int rc = dk_call(D(self), "DELETE", path, NULL, NULL, what, err);
	/* an auto-removed container's engine removes it as it stops: that removal is the one asked for */
	if (rc < 0 && strstr((*err)->msg, "already in progress")) {
		struct cc_error *gone = NULL;
		for (int i = 0; i < 200; i++) {
			struct cc_container c;
			if (dk_container_inspect(self, ref, &c, &gone) == 0) {
				cc_container_release(&c);
				cc_sleep_ns(50 * CC_NS_PER_MSEC);
				continue;
			}
			if (gone->kind == CC_ERR_NOT_FOUND) {
				cc_error_release(err);
				rc = 0;
			}
			break;
		}
		cc_error_free(gone);
	}
	if (rc == 0 && files)
		dk_secret_files_remove(self, files);
	return rc;
}

int dk_container_wait(void *self, const char *ref, enum cc_wait_condition cond, int64_t timeout_ns,
		      int *exit_code, struct cc_error **err)
{
	static const char *const conds[] = {"not-running", "next-exit", "removed"};
	cleanup_free char *e = cc_http_escape(ref);
	cleanup_free char *path = cc_xasprintf("/containers/%s/wait?condition=%s", e, conds[cond]);
	cleanup_free char *what = cc_xasprintf("container %s", ref);
	struct cc_http_req r = {.method = "POST", .path = path, .raw_fd = -1};
	if (timeout_ns >= 0)
		r.timeout_ms = timeout_ns / 1000000 > 0 ? (long)(timeout_ns / 1000000) : 1;
	struct cc_error *derr = NULL;
	if (dk_do(D(self), &r, &derr) < 0) {
		cc_http_req_release(&r);
		if (derr->kind != CC_ERR_TIMEOUT) {
			*err = derr;
			return -1;
		}
		cc_error_free(derr);
		/* a timeout before the answer's headers may hide a NOT_FOUND: ask once */
		struct cc_container c;
		if (dk_container_inspect(self, ref, &c, err) < 0)
			return -1;
		cc_container_release(&c);
		return cc_error_set(err, CC_ERR_TIMEOUT, "container %s: still running after %lld ms", ref,
				    (long long)(timeout_ns / 1000000));
	}
	if (dk_check(D(self), &r, what, NULL, err) < 0) {
		cc_http_req_release(&r);
		return -1;
	}
	json_t *j = json_loads(cc_strbuf_str(&r.body), 0, NULL);
	cc_http_req_release(&r);
	json_t *je = json_object_get(j, "Error");
	const char *msg = je ? dk_str(je, "Message") : NULL;
	if (msg) {
		int rc = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s: %s", what, msg);
		json_decref(j);
		return rc;
	}
	if (exit_code)
		*exit_code = (int)dk_int(j, "StatusCode");
	json_decref(j);
	return 0;
}

/* Split a ps line on blanks into at most max fields (0: no limit), the last one keeping the rest (a command
 * with its arguments). */
static cc_strv split_fields(const char *line, size_t max)
{
	cc_strv v = NULL;
	const char *p = line;
	for (size_t n = 0;; n++) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		size_t len = max && n + 1 == max ? strlen(p) : strcspn(p, " \t");
		char *f = cc_xstrndup(p, len);
		cc_strv_push(&v, f);
		free(f);
		p += len;
	}
	return v ? v : cc_xcalloc(1, sizeof(char *));
}

int dk_container_top(void *self, const char *ref, struct cc_top *out, struct cc_error **err)
{
	cleanup_free char *e = cc_http_escape(ref);
	cleanup_free char *path = cc_xasprintf("/containers/%s/top", e);
	cleanup_free char *what = cc_xasprintf("container %s", ref);
	json_t *j;
	if (D(self)->podman) { /* its service lists the processes of a stopped container too: none */
		struct cc_container c;
		if (dk_container_inspect(self, ref, &c, err) < 0)
			return -1;
		enum cc_container_state st = c.state;
		cc_container_release(&c);
		if (st != CC_STATE_RUNNING && st != CC_STATE_PAUSED)
			return cc_error_set(err, CC_ERR_INVALID_STATE, "%s is not running", what);
	}
	if (dk_call(D(self), "GET", path, NULL, &j, what, err) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->titles = dk_strv(json_object_get(j, "Titles"));
	if (!out->titles)
		out->titles = cc_xcalloc(1, sizeof(char *));
	/* podman's service runs ps in the container and answers its lines whole: one title, one field a row
	 */
	bool whole = cc_strv_len(out->titles) == 1 && strpbrk(out->titles[0], " \t");
	if (whole) {
		cc_strv t = split_fields(out->titles[0], 0);
		cc_strv_free(out->titles);
		out->titles = t;
	}
	json_t *procs = json_object_get(j, "Processes");
	out->rows = cc_xcalloc(json_array_size(procs) + 1, sizeof(*out->rows));
	size_t i;
	json_t *p;
	json_array_foreach(procs, i, p)
	{
		cc_strv row = dk_strv(p);
		if (whole && cc_strv_len(row) == 1) {
			cc_strv split = split_fields(row[0], cc_strv_len(out->titles));
			cc_strv_free(row);
			row = split;
		}
		out->rows[out->nrows++] = row;
	}
	json_decref(j);
	return 0;
}

static uint64_t u64(json_t *o, const char *key)
{
	int64_t v = dk_int(o, key);
	return v > 0 ? (uint64_t)v : 0;
}

static void blkio_totals(json_t *arr, uint64_t *rd, uint64_t *wr)
{
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		const char *op = dk_str(e, "op");
		if (op && strcasecmp(op, "read") == 0)
			*rd += u64(e, "value");
		else if (op && strcasecmp(op, "write") == 0)
			*wr += u64(e, "value");
	}
}

int dk_container_stats(void *self, const char *ref, struct cc_stats *out, struct cc_error **err)
{
	cleanup_free char *e = cc_http_escape(ref);
	cleanup_free char *path = cc_xasprintf("/containers/%s/stats?stream=false", e);
	cleanup_free char *what = cc_xasprintf("container %s", ref);
	json_t *j;
	if (dk_call(D(self), "GET", path, NULL, &j, what, err) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->id = dk_strdup(j, dk_str(j, "id") ? "id" : "Id"); /* podman's service says "Id" */
	const char *name = dk_str(j, "name");
	out->name = cc_xstrdup(name ? (name[0] == '/' ? name + 1 : name) : ref);
	out->sampled_ns = dk_parse_time(dk_str(j, "read"));
	json_t *cpu = json_object_get(j, "cpu_stats");
	out->cpu_usage_us = u64(json_object_get(cpu, "cpu_usage"), "total_usage") / 1000;
	out->system_cpu_us = u64(cpu, "system_cpu_usage") / 1000;
	out->online_cpus = (unsigned)u64(cpu, "online_cpus");
	json_t *mem = json_object_get(j, "memory_stats");
	out->memory_usage = u64(mem, "usage");
	out->memory_limit = u64(mem, "limit");
	out->oom_kills = u64(json_object_get(mem, "stats"), "oom_kill");
	out->pids = u64(json_object_get(j, "pids_stats"), "current");
	blkio_totals(json_object_get(json_object_get(j, "blkio_stats"), "io_service_bytes_recursive"),
		     &out->block_read, &out->block_write);
	json_t *nets = json_object_get(j, "networks");
	const char *ifname;
	json_t *n;
	out->netifs = cc_xcalloc(json_object_size(nets) + 1, sizeof(*out->netifs));
	json_object_foreach(nets, ifname, n)
	{
		struct cc_netif_stats *s = &out->netifs[out->nnetifs++];
		s->name = cc_xstrdup(ifname);
		s->rx_bytes = u64(n, "rx_bytes");
		s->tx_bytes = u64(n, "tx_bytes");
		s->rx_packets = u64(n, "rx_packets");
		s->tx_packets = u64(n, "tx_packets");
	}
	json_decref(j);
	return 0;
}
