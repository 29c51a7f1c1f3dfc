/* The project routes that stream: build, pull and logs. */
#include "api/shapes.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "orchestrator/orchestrator.h"
#include "runtime/codec.h"
#include "server/projects.h"

#include <stdlib.h>
#include <string.h>

struct work_ctx {
	char *name;
	cc_strv services;
	bool build, no_cache, pull, ignore_failures;
	struct srv_stream *st;
	const char *service; /* the one being worked on */
	bool cancelled;
};

static void work_free(void *p)
{
	struct work_ctx *c = p;
	free(c->name);
	cc_strv_free(c->services);
	free(c);
}

static int frame(struct work_ctx *c, const char *type, const char *image, const char *line, const char *msg)
{
	json_t *o = json_object();
	json_object_set_new(o, "service", json_string(c->service ? c->service : ""));
	if (image)
		json_object_set_new(o, "image", json_string(image));
	if (line)
		json_object_set_new(o, "line", json_string(line));
	if (msg)
		json_object_set_new(o, "message", json_string(msg));
	api_set_time(o, "timestamp", cc_now_ns());
	json_object_set_new(o, "type", json_string(type));
	int r = srv_stream_write(c->st, o);
	if (r < 0)
		c->cancelled = true;
	return r;
}

static void work_status(void *ctx, const char *kind, const char *name, const char *status)
{
	struct work_ctx *c = ctx;
	char *line = cc_xasprintf("%s %s %s", kind, name, status);
	frame(c, "log", NULL, line, line);
	free(line);
}

static void work_warn(void *ctx, const char *msg)
{
	struct work_ctx *c = ctx;
	frame(c, "log", NULL, msg, msg);
}

static int work_produce(struct srv_stream *st, struct cc_runtime *rt, void *ctx, struct cc_error **err)
{
	struct work_ctx *c = ctx;
	c->st = st;
	struct cc_project *p = NULL;
	if (srv_project_load(srv_stream_server(st), c->name, &p, err) < 0)
		return -1;
	struct cc_orch_ui ui = {work_status, work_warn, c};
	const struct cc_val *svcs = cc_project_services(p);
	int rc = 0;
	for (size_t i = 0; svcs && i < svcs->map.n && !c->cancelled; i++) {
		const char *svc = svcs->map.e[i].key;
		if (c->services && !cc_strv_contains(c->services, svc))
			continue;
		const struct cc_val *image = cc_map_get(svcs->map.e[i].val, "image");
		bool has_build = cc_map_get(svcs->map.e[i].val, "build") != NULL;
		if (c->build ? !has_build : !image)
			continue;
		c->service = svc;
		const char *ref = image && image->str ? image->str : NULL;
		if (!c->build && frame(c, "pulling", ref, NULL, NULL) < 0)
			break;
		struct cc_error *e = NULL;
		int r = c->build ? cc_orch_build_service(rt, p, svc, c->no_cache, c->pull, NULL, &ui, &e)
				 : cc_orch_pull_service(rt, p, svc, &ui, &e);
		if (r < 0) {
			frame(c, "error", ref, e->msg, e->msg);
			if (!c->ignore_failures) {
				*err = e;
				rc = -1;
				/* the error frame is out; the producer's own error frame would repeat it */
				cc_error_release(err);
				break;
			}
			cc_error_free(e);
			continue;
		}
		frame(c, "done", ref, NULL, NULL);
	}
	cc_project_free(p);
	return rc < 0 ? 0 : 0;
}

static void start_work(struct srv_req *r, bool build)
{
	json_t *b = srv_body_json(r, true);
	if (!b)
		return;
	struct cc_project *p = NULL;
	struct cc_error *err = NULL;
	/* a 404 before the stream opens */
	if (srv_project_load(srv_server(r), srv_param(r, 0), &p, &err) < 0) {
		json_decref(b);
		srv_reply_error(r, &err);
		return;
	}
	cc_project_free(p);
	struct work_ctx *c = cc_xcalloc(1, sizeof(*c));
	c->name = cc_xstrdup(srv_param(r, 0));
	c->build = build;
	c->no_cache = json_is_true(json_object_get(b, "noCache"));
	c->pull = json_is_true(json_object_get(b, "pull"));
	c->ignore_failures = json_is_true(json_object_get(b, "ignoreFailures"));
	json_t *s = json_object_get(b, "services");
	if (s && !json_is_null(s) && cc_strv_from_json(s, "services", &c->services, &err) < 0) {
		json_decref(b);
		work_free(c);
		srv_reply_error(r, &err);
		return;
	}
	json_decref(b);
	srv_reply_stream(r, "application/x-ndjson", work_produce, c, work_free);
}

void h_project_build(struct srv_req *r)
{
	start_work(r, true);
}

void h_project_pull(struct srv_req *r)
{
	start_work(r, false);
}

/* ---- logs ---- */

struct plogs_ctx {
	char *name;
	struct cc_log_opts opts;
	bool timestamps;
	struct srv_stream *st;
	pthread_mutex_t lock;
	/* history, sorted before it is written */
	json_t **frames;
	int64_t *times;
	size_t n, cap;
	const struct cc_container *current;
};

static void plogs_free(void *p)
{
	struct plogs_ctx *c = p;
	free(c->name);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static json_t *project_frame(const struct cc_container *ct, const struct cc_log_frame *f, bool ts)
{
	json_t *o = api_log_frame(f, ts);
	json_object_set_new(o, "service", json_string(cc_orch_container_service(ct)));
	json_object_set_new(o, "container", json_string(ct->name));
	return o;
}

static int collect_frame(void *ctx, const struct cc_log_frame *f)
{
	struct plogs_ctx *c = ctx;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->frames = cc_xrealloc(c->frames, c->cap * sizeof(*c->frames));
		c->times = cc_xrealloc(c->times, c->cap * sizeof(*c->times));
	}
	c->frames[c->n] = project_frame(c->current, f, c->timestamps);
	c->times[c->n++] = f->time_ns;
	return 0;
}

static int plogs_produce(struct srv_stream *st, struct cc_runtime *rt, void *ctx, struct cc_error **err)
{
	struct plogs_ctx *c = ctx;
	c->st = st;
	struct cc_container *cs = NULL;
	size_t n = 0;
	if (cc_orch_containers(rt, c->name, NULL, true, false, &cs, &n, err) < 0)
		return -1;
	/* following: the running containers' live lines queue from now on, so that none falls between the
	 * history and the live part; the log hub's threads follow them, one per container for all clients */
	struct srv_loggroup *g = NULL;
	if (c->opts.follow) {
		g = srv_loghub_group(srv_stream_server(st)->loghub, st, &c->opts, c->timestamps);
		for (size_t i = 0; i < n; i++)
			if (cc_orch_is_up(&cs[i]))
				srv_loggroup_add(g, cs[i].name, cc_orch_container_service(&cs[i]));
	}
	/* the history of every container, merged by time */
	struct cc_log_opts hist = c->opts;
	hist.follow = false;
	cc_strv names = NULL;
	int64_t *last = cc_xcalloc(n + 1, sizeof(*last));
	for (size_t i = 0; i < n; i++) {
		c->current = &cs[i];
		size_t before = c->n;
		struct cc_log_sink sink = {collect_frame, c, NULL};
		struct cc_error *e = NULL;
		if (cc_rt_container_logs(rt, cs[i].name, &hist, &sink, &e) < 0)
			cc_error_free(e);
		last[i] = c->n > before ? c->times[c->n - 1] : 0;
		cc_strv_push(&names, cs[i].name);
	}
	size_t *idx = cc_xcalloc(c->n + 1, sizeof(*idx));
	for (size_t i = 0; i < c->n; i++)
		idx[i] = i;
	/* insertion-stable merge: frames of one container are already in order */
	for (size_t i = 1; i < c->n; i++) {
		size_t k = idx[i], j = i;
		while (j > 0 && c->times[idx[j - 1]] > c->times[k]) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = k;
	}
	bool gone = false;
	for (size_t i = 0; i < c->n; i++) {
		if (!gone && srv_stream_write(st, c->frames[idx[i]]) < 0)
			gone = true;
		else if (gone)
			json_decref(c->frames[idx[i]]);
	}
	free(idx);
	free(c->frames);
	free(c->times);
	c->frames = NULL;
	c->times = NULL;
	if (g)
		srv_loggroup_settle(g, names, last, n);
	cc_strv_free(names);
	free(last);
	cc_containers_free(cs, n);
	return g ? SRV_STREAM_HANDED_OVER : 0;
}

void h_project_logs(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_log_opts o;
	bool ts;
	if (!rt || !srv_log_options(r, &o, &ts))
		return;
	struct cc_container *cs = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	struct srv_project_record rec;
	bool ingested = srv_project_record_get(srv_server(r), srv_param(r, 0), &rec, &err) == 0;
	if (ingested)
		srv_project_record_release(&rec);
	cc_error_release(&err);
	if (cc_orch_containers(rt, srv_param(r, 0), NULL, true, false, &cs, &n, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	cc_containers_free(cs, n);
	if (!ingested && n == 0) {
		srv_reply_status(r, 404, "No such project: %s", srv_param(r, 0));
		return;
	}
	struct plogs_ctx *c = cc_xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->name = cc_xstrdup(srv_param(r, 0));
	c->opts = o;
	c->timestamps = ts;
	srv_reply_stream(r, "application/x-ndjson", plogs_produce, c, plogs_free);
}
