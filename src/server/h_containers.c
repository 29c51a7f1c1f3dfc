/* Container routes (design/API.md "Containers"). */
#include "api/shapes.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "runtime/codec.h"
#include "server/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers shared by the container handlers ---- */

bool srv_container_load(struct srv_req *r, struct cc_runtime *rt, struct cc_container *c)
{
	struct cc_error *err = NULL;
	if (cc_rt_container_inspect(rt, srv_param(r, 0), c, &err) < 0) {
		srv_reply_error(r, &err);
		return false;
	}
	return true;
}

static bool is_running(const struct cc_container *c)
{
	return cc_state_is_up(c->state);
}

/* Seconds as a query value or JSON number; false (400 replied) when it is not a number. */
static bool seconds_arg(struct srv_req *r, const char *name, const char *text, double def, double *out)
{
	if (!text || !*text) {
		*out = def;
		return true;
	}
	char *end = NULL;
	double v = strtod(text, &end);
	if (*end == 's' && end[1] == '\0')
		end++;
	if (*end || !isfinite(v)) {
		srv_reply_status(r, 400, "%s: expected a number of seconds, got \"%s\"", name, text);
		return false;
	}
	*out = v;
	return true;
}

/* ---- list, inspect, create ---- */

void h_container_list(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt)
		return;
	struct cc_container_filter f = {.all = srv_query_bool(r, "all", true)};
	const char *status = srv_query(r, "status");
	if (status) {
		char *copy = cc_xstrdup(status), *save = NULL;
		for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
			int st = strcmp(w, "stopping") == 0 ? CC_STATE_REMOVING : cc_state_parse(w);
			if (st >= 0)
				f.state_mask |= 1u << st;
		}
		free(copy);
		if (f.state_mask)
			f.all = true;
	}
	f.name_prefix = srv_query(r, "name");
	f.project = srv_query(r, "project");
	char **labels = srv_query_all(r, "label");
	f.labels = labels;
	struct cc_container *cs = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	if (cc_rt_container_list(rt, &f, &cs, &n, &err) < 0) {
		cc_strv_free(labels);
		srv_reply_error(r, &err);
		return;
	}
	cc_strv_free(labels);
	int64_t now = cc_now_ns();
	bool full = srv_query_bool(r, "full", false);
	struct srv_summaries *kept = srv_server(r)->summaries;
	struct cc_strbuf text = CC_STRBUF_INIT;
	cc_strbuf_addch(&text, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			cc_strbuf_addch(&text, ',');
		srv_summaries_append(kept, &cs[i], now, full, &text);
	}
	cc_strbuf_addch(&text, ']');
	srv_summaries_trim(kept, n);
	cc_containers_free(cs, n);
	size_t len;
	char *body = cc_strbuf_detach(&text, &len);
	srv_reply_data(r, 200, "application/json", body, len, SRV_MEM_FREE);
}

void h_container_inspect(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_container c;
	if (!rt || !srv_container_load(r, rt, &c))
		return;
	struct cc_image img;
	struct cc_error *err = NULL;
	bool have_image = cc_rt_image_inspect(rt, c.image_id ? c.image_id : c.spec.image, &img, &err) == 0;
	cc_error_free(err);
	srv_reply_json(r, 200, api_container_inspect(&c, have_image ? &img : NULL));
	if (have_image)
		cc_image_release(&img);
	cc_container_release(&c);
}

void h_container_create(struct srv_req *r)
{
	json_t *body = srv_body_json(r, false);
	if (!body)
		return;
	struct cc_container_spec spec;
	struct cc_error *err = NULL;
	int rc = api_create_body_decode(body, &spec, &err);
	json_decref(body);
	if (rc < 0) {
		srv_reply_error(r, &err);
		return;
	}
	const char *alias = srv_query(r, "name");
	if (!spec.name && alias && *alias)
		spec.name = cc_xstrdup(alias);
	struct cc_runtime *rt = srv_runtime(r);
	char *id = NULL;
	if (rt && cc_rt_container_create(rt, &spec, &id, &err) < 0) {
		cc_container_spec_release(&spec);
		srv_reply_error(r, &err);
		return;
	}
	cc_container_spec_release(&spec);
	if (!rt)
		return;
	struct cc_container c;
	json_t *o = json_object();
	if (cc_rt_container_inspect(rt, id, &c, &err) == 0) {
		json_object_set_new(o, "id", json_string(c.name));
		cc_container_release(&c);
	} else {
		cc_error_release(&err);
		json_object_set_new(o, "id", json_string(id));
	}
	json_object_set_new(o, "engineId", json_string(id));
	json_object_set_new(o, "warnings", json_array());
	free(id);
	srv_reply_json(r, 201, o);
}

/* ---- lifecycle ---- */

void h_container_start(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_container c;
	if (!rt || !srv_container_load(r, rt, &c))
		return;
	bool running = c.state == CC_STATE_RUNNING || c.state == CC_STATE_PAUSED;
	cc_container_release(&c);
	if (running) {
		srv_reply_status(r, 409, "container %s is running; expected it created or exited",
				 srv_param(r, 0));
		return;
	}
	struct cc_error *err = NULL;
	srv_reply_done(r, cc_rt_container_start(rt, srv_param(r, 0), &err), &err, 204);
}

/* The optional {signal?, timeoutSeconds?} body of stop and restart. */
static bool stop_body(struct srv_req *r, char **signal, int64_t *timeout_ns)
{
	json_t *b = srv_body_json(r, true);
	if (!b)
		return false;
	*signal = NULL;
	*timeout_ns = 10 * CC_NS_PER_SEC;
	json_t *sig = json_object_get(b, "signal"), *t = json_object_get(b, "timeoutSeconds");
	bool ok = true;
	if (sig && !json_is_null(sig)) {
		if (json_is_integer(sig) && cc_signal_name((int)json_integer_value(sig)))
			*signal = cc_xstrdup(cc_signal_name((int)json_integer_value(sig)));
		else if (json_is_string(sig) && cc_signal_parse(json_string_value(sig)) > 0)
			*signal = cc_xstrdup(json_string_value(sig));
		else
			ok = false, srv_reply_status(r, 400, "signal: not a signal name or number");
	}
	if (ok && t && !json_is_null(t)) {
		if (!json_is_number(t))
			ok = false, srv_reply_status(r, 400, "timeoutSeconds: expected a number of seconds");
		else if (json_number_value(t) < 0)
			*timeout_ns = -1; /* extension: the container's own grace period */
		else
			*timeout_ns = (int64_t)(json_number_value(t) * 1e9);
	}
	json_decref(b);
	if (!ok) {
		free(*signal);
		*signal = NULL;
	}
	return ok;
}

void h_container_stop(struct srv_req *r)
{
	char *sig = NULL;
	int64_t timeout = 0;
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_container c;
	if (!rt || !stop_body(r, &sig, &timeout))
		return;
	if (!srv_container_load(r, rt, &c)) {
		free(sig);
		return;
	}
	bool running = is_running(&c);
	cc_container_release(&c);
	struct cc_error *err = NULL;
	/* extension strict=false: the runtime's stop, a no-op on a stopped container (the remote backend) */
	if (!running && srv_query_bool(r, "strict", true))
		srv_reply_status(r, 409, "container %s is not running; expected it running", srv_param(r, 0));
	else
		srv_reply_done(r, cc_rt_container_stop(rt, srv_param(r, 0), sig, timeout, &err), &err, 204);
	free(sig);
}

void h_container_restart(struct srv_req *r)
{
	char *sig = NULL;
	int64_t timeout = 0;
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt || !stop_body(r, &sig, &timeout))
		return;
	struct cc_error *err = NULL;
	if (!sig) {
		/* the container's own stop signal */
		srv_reply_done(r, cc_rt_container_restart(rt, srv_param(r, 0), timeout, &err), &err, 204);
		return;
	}
	/* the body's signal: a stop with it, then a start; a container that was not running only starts */
	int rc = cc_rt_container_stop(rt, srv_param(r, 0), sig, timeout, &err);
	if (rc < 0 && err->kind == CC_ERR_INVALID_STATE) {
		cc_error_release(&err);
		rc = 0;
	}
	if (rc == 0)
		rc = cc_rt_container_start(rt, srv_param(r, 0), &err);
	free(sig);
	srv_reply_done(r, rc, &err, 204);
}

void h_container_kill(struct srv_req *r)
{
	json_t *b = srv_body_json(r, true);
	struct cc_runtime *rt = b ? srv_runtime(r) : NULL;
	if (!rt) {
		json_decref(b);
		return;
	}
	char sig[32] = "SIGKILL";
	json_t *s = json_object_get(b, "signal");
	if (s && json_is_integer(s) && cc_signal_name((int)json_integer_value(s))) {
		snprintf(sig, sizeof(sig), "%s", cc_signal_name((int)json_integer_value(s)));
	} else if (s && json_is_string(s) && cc_signal_parse(json_string_value(s)) > 0) {
		snprintf(sig, sizeof(sig), "%s", json_string_value(s));
	} else if (s && !json_is_null(s)) {
		json_decref(b);
		srv_reply_status(r, 400, "signal: not a signal name or number");
		return;
	}
	json_decref(b);
	struct cc_container c;
	if (!srv_container_load(r, rt, &c))
		return;
	bool running = is_running(&c);
	cc_container_release(&c);
	struct cc_error *err = NULL;
	if (!running)
		srv_reply_status(r, 409, "container %s is not running; expected it running", srv_param(r, 0));
	else
		srv_reply_done(r, cc_rt_container_kill(rt, srv_param(r, 0), sig, &err), &err, 204);
}

void h_container_pause(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_error *err = NULL;
	if (rt)
		srv_reply_done(r, cc_rt_container_pause(rt, srv_param(r, 0), &err), &err, 204);
}

void h_container_unpause(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_error *err = NULL;
	if (rt)
		srv_reply_done(r, cc_rt_container_unpause(rt, srv_param(r, 0), &err), &err, 204);
}

void h_container_remove(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt)
		return;
	bool force = srv_query_bool(r, "force", false);
	struct cc_error *err = NULL;
	if (cc_rt_container_remove(rt, srv_param(r, 0), force, srv_query_bool(r, "volumes", false), &err) <
	    0) {
		if (err->kind == CC_ERR_INVALID_STATE && !force) {
			srv_reply_status(r, 409, "%s (remove it with force=true)", err->msg);
			cc_error_free(err);
			return;
		}
		srv_reply_error(r, &err);
		return;
	}
	srv_reply_empty(r, 204);
}

void h_container_wait(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	double secs;
	if (!rt || !seconds_arg(r, "timeout", srv_query(r, "timeout"), 30, &secs))
		return;
	/* extension for the remote backend: which condition ends the wait */
	const char *cond = srv_query(r, "condition");
	enum cc_wait_condition wc = CC_WAIT_NOT_RUNNING;
	if (cond && strcmp(cond, "next-exit") == 0)
		wc = CC_WAIT_NEXT_EXIT;
	else if (cond && strcmp(cond, "removed") == 0)
		wc = CC_WAIT_REMOVED;
	else if (cond && strcmp(cond, "not-running") != 0) {
		srv_reply_status(r, 400, "condition: expected not-running, next-exit or removed");
		return;
	}
	int code = 0;
	struct cc_error *err = NULL;
	int64_t timeout = secs < 0 ? -1 : (int64_t)(secs * 1e9);
	if (cc_rt_container_wait(rt, srv_param(r, 0), wc, timeout, &code, &err) < 0) {
		if (err->kind == CC_ERR_TIMEOUT) {
			srv_reply_status(r, 408, "Container %s did not exit within %gs", srv_param(r, 0),
					 secs);
			cc_error_free(err);
			return;
		}
		srv_reply_error(r, &err);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "exitCode", json_integer(code));
	struct cc_container c;
	if (wc != CC_WAIT_REMOVED && cc_rt_container_inspect(rt, srv_param(r, 0), &c, &err) == 0) {
		api_set_time(o, "exitedAt", c.finished_ns);
		cc_container_release(&c);
	}
	cc_error_free(err);
	srv_reply_json(r, 200, o);
}

/* ---- logs ---- */

struct logs_ctx {
	char *id;
	struct cc_log_opts opts;
	bool timestamps;
	struct srv_stream *st;
};

static void logs_free(void *p)
{
	struct logs_ctx *c = p;
	free(c->id);
	free(c);
}

static int log_emit(void *ctx, const struct cc_log_frame *f)
{
	struct logs_ctx *c = ctx;
	return srv_stream_write(c->st, api_log_frame(f, c->timestamps));
}

static int logs_alive(void *ctx)
{
	struct logs_ctx *c = ctx;
	return srv_stream_alive(c->st);
}

static int logs_produce(struct srv_stream *st, struct cc_runtime *rt, void *ctx, struct cc_error **err)
{
	struct logs_ctx *c = ctx;
	c->st = st;
	struct cc_log_sink sink = {log_emit, c, logs_alive};
	return cc_rt_container_logs(rt, c->id, &c->opts, &sink, err);
}

bool srv_log_options(struct srv_req *r, struct cc_log_opts *o, bool *timestamps)
{
	memset(o, 0, sizeof(*o));
	o->follow = srv_query_bool(r, "follow", false);
	o->tail = -1;
	const char *tail = srv_query(r, "tail");
	if (tail && *tail && strcmp(tail, "all") != 0) {
		char *end = NULL;
		long n = strtol(tail, &end, 10);
		if (*end || n < 0) {
			srv_reply_status(r, 400, "tail: expected a number or \"all\", got \"%s\"", tail);
			return false;
		}
		o->tail = n;
	}
	if (!srv_query_time(r, "since", &o->since_ns) || !srv_query_time(r, "until", &o->until_ns))
		return false;
	*timestamps = srv_query_bool(r, "timestamps", true);
	o->no_stdout = !srv_query_bool(r, "stdout", true);
	o->no_stderr = !srv_query_bool(r, "stderr", true);
	return true;
}

void h_container_logs(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_container c;
	struct cc_log_opts o;
	bool ts;
	if (!rt || !srv_log_options(r, &o, &ts) || !srv_container_load(r, rt, &c))
		return;
	if (o.follow) {
		/* followers of one container share one thread */
		struct srv_stream *st = srv_stream_open(r, "application/x-ndjson");
		srv_loghub_follow(srv_server(r)->loghub, st, c.name, &o, ts);
		cc_container_release(&c);
		return;
	}
	struct logs_ctx *ctx = cc_xcalloc(1, sizeof(*ctx));
	ctx->id = cc_xstrdup(c.name);
	ctx->opts = o;
	ctx->timestamps = ts;
	cc_container_release(&c);
	srv_reply_stream(r, "application/x-ndjson", logs_produce, ctx, logs_free);
}

/* ---- stats ---- */

void h_container_stats(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt)
		return;
	const char *iv = srv_query(r, "interval");
	double secs;
	if (!seconds_arg(r, "interval", iv, 1, &secs))
		return;
	secs = secs < 0.5 ? 0.5 : secs > 60 ? 60 : secs;
	struct cc_stats s;
	struct cc_error *err = NULL;
	/* the first sample answers 404/501 before any stream opens */
	if (cc_rt_container_stats(rt, srv_param(r, 0), &s, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	if (!srv_query_bool(r, "stream", true)) {
		srv_reply_json(r, 200, api_stats_frame(&s));
		cc_stats_release(&s);
		return;
	}
	cc_stats_release(&s);
	/* clients streaming one container's stats share one sampling thread */
	struct srv_stream *st = srv_stream_open(r, "application/x-ndjson");
	srv_statshub_follow(srv_server(r)->statshub, st, srv_param(r, 0), (int64_t)(secs * 1e9));
}

void h_container_top(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt)
		return;
	struct cc_top t = {0};
	struct cc_error *err = NULL;
	if (cc_rt_container_top(rt, srv_param(r, 0), &t, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "containerId", json_string(srv_param(r, 0)));
	json_object_set_new(o, "titles", cc_strv_to_json(t.titles));
	json_t *rows = json_array();
	for (size_t i = 0; i < t.nrows; i++)
		json_array_append_new(rows, cc_strv_to_json(t.rows[i]));
	json_object_set_new(o, "processes", rows);
	cc_top_release(&t);
	srv_reply_json(r, 200, o);
}
