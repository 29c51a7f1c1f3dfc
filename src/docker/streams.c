/* The streams: logs and exec output (the Engine's 8-byte multiplexing headers, timestamps parsed off each
 * line) and events (the Engine's JSON lines mapped to cc_event). A sink answering <0 aborts the transfer. */
#include "docker/docker-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

#define D(self) (((struct docker *)(self))->c)

/* A demultiplexer: raw (TTY) or framed bytes in, one cc_log_frame per line out. */
struct demux {
	bool raw, timestamps;
	const char *name;
	const struct cc_log_sink *sink;
	int64_t since_ns, until_ns; /* applied here too: podman's service cuts at whole seconds */
	struct cc_strbuf in;        /* framed: the bytes not yet parsed */
	struct cc_strbuf line[3];   /* per stream: a partial line */
	int stopped;                /* the sink cancelled */
};

static int emit_line(struct demux *d, int stream, const char *s, size_t len)
{
	if (!d->sink || !d->sink->emit)
		return 0;
	int64_t t = 0;
	if (d->timestamps) {
		const char *sp = memchr(s, ' ', len);
		if (sp && sp - s < 40) {
			char ts[48];
			memcpy(ts, s, (size_t)(sp - s));
			ts[sp - s] = '\0';
			if (!dk_stamp_in_window(ts, d->since_ns, d->until_ns, &t))
				return 0;
			len -= (size_t)(sp + 1 - s);
			s = sp + 1;
		}
	}
	if (len && s[len - 1] == '\r')
		len--;
	struct cc_log_frame f = {d->name, stream == 2 ? CC_STREAM_STDERR : CC_STREAM_STDOUT, t, s, len};
	if (d->sink->emit(d->sink->ctx, &f) < 0) {
		d->stopped = 1;
		return -1;
	}
	return 0;
}

static int feed_stream(struct demux *d, int stream, const char *data, size_t len)
{
	struct cc_strbuf *lb = &d->line[stream == 2 ? 2 : 1];
	while (len) {
		const char *nl = memchr(data, '\n', len);
		if (!nl) {
			cc_strbuf_add(lb, data, len);
			return 0;
		}
		size_t n = (size_t)(nl - data);
		int rc;
		if (lb->len) {
			cc_strbuf_add(lb, data, n);
			rc = emit_line(d, stream, lb->buf, lb->len);
			cc_strbuf_reset(lb);
		} else {
			rc = emit_line(d, stream, data, n);
		}
		if (rc < 0)
			return -1;
		data = nl + 1;
		len -= n + 1;
	}
	return 0;
}

static int demux_chunk(void *ctx, const char *data, size_t len)
{
	struct demux *d = ctx;
	if (d->stopped)
		return -1;
	if (d->raw)
		return feed_stream(d, 1, data, len);
	cc_strbuf_add(&d->in, data, len);
	size_t off = 0;
	while (d->in.len - off >= 8) {
		const unsigned char *h = (const unsigned char *)d->in.buf + off;
		size_t size = (size_t)h[4] << 24 | (size_t)h[5] << 16 | (size_t)h[6] << 8 | h[7];
		if (d->in.len - off - 8 < size)
			break;
		int stream = h[0] == 2 ? 2 : 1;
		if (feed_stream(d, stream, d->in.buf + off + 8, size) < 0)
			return -1;
		off += 8 + size;
	}
	if (off) {
		memmove(d->in.buf, d->in.buf + off, d->in.len - off);
		cc_strbuf_truncate(&d->in, d->in.len - off);
	}
	return 0;
}

/* Emit the partial lines left at the end (flush) and release the buffers. */
static void demux_finish(struct demux *d, bool flush)
{
	for (int s = 1; s <= 2 && flush && !d->stopped; s++)
		if (d->line[s].len)
			emit_line(d, s, d->line[s].buf, d->line[s].len);
	cc_strbuf_release(&d->in);
	for (int s = 0; s < 3; s++)
		cc_strbuf_release(&d->line[s]);
}

static void add_time(struct cc_strbuf *q, const char *key, int64_t ns)
{
	cc_strbuf_addf(q, "&%s=%lld.%09lld", key, (long long)(ns / 1000000000LL),
		       (long long)(ns % 1000000000LL));
}

int dk_container_logs(void *self, const char *ref, const struct cc_log_opts *opts,
		      const struct cc_log_sink *sink, struct cc_error **err)
{
	struct cc_container c;
	if (dk_container_inspect(self, ref, &c, err) < 0)
		return -1;
	cleanup_free char *e = cc_http_escape(c.id);
	cleanup_strbuf struct cc_strbuf q = CC_STRBUF_INIT;
	cc_strbuf_addf(&q, "/containers/%s/logs?timestamps=1&stdout=%d&stderr=%d&follow=%d", e,
		       opts->no_stdout ? 0 : 1, opts->no_stderr ? 0 : 1, opts->follow ? 1 : 0);
	if (opts->tail >= 0)
		cc_strbuf_addf(&q, "&tail=%ld", opts->tail);
	if (opts->since_ns > 0)
		add_time(&q, "since", opts->since_ns);
	if (opts->until_ns > 0)
		add_time(&q, "until", opts->until_ns);
	struct demux d = {.raw = c.spec.tty,
			  .timestamps = true,
			  .name = c.name,
			  .sink = sink,
			  .since_ns = opts->since_ns,
			  .until_ns = opts->until_ns};
	cleanup_free char *what = cc_xasprintf("container %s", ref);
	struct cc_http_req r = {
	    .method = "GET", .path = q.buf, .raw_fd = -1, .chunk = demux_chunk, .ctx = &d};
	int rc = 0;
	if (!(opts->no_stdout && opts->no_stderr)) {
		rc = dk_do(D(self), &r, err);
		if (rc == 0)
			rc = dk_check(D(self), &r, what, NULL, err);
	}
	demux_finish(&d, rc == 0 && !r.cancelled);
	cc_http_req_release(&r);
	cc_container_release(&c);
	return rc;
}

static int terminal_write(void *ctx, const char *data, size_t len)
{
	return cc_http_chunk_to_fd(ctx, data, len);
}

int dk_container_exec(void *self, const char *ref, const struct cc_exec_opts *opts,
		      const struct cc_log_sink *sink, int *exit_code, struct cc_error **err)
{
	if (!opts->argv || !opts->argv[0])
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "container %s: exec needs a command", ref);
	struct cc_container c;
	if (dk_container_inspect(self, ref, &c, err) < 0)
		return -1;
	cleanup_free char *name = cc_xstrdup(c.name);
	cleanup_free char *cid = cc_http_escape(c.id);
	bool running = c.state == CC_STATE_RUNNING;
	enum cc_container_state st = c.state;
	cc_container_release(&c);
	if (!running)
		return cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is %s, not running", ref,
				    cc_state_name(st));
	/* input, or a terminal: the exec's stream goes over a hijacked connection both ways */
	const struct cc_exec_stdio *io = opts->detach ? NULL : opts->stdio;
	bool with_in = io && io->in >= 0;
	bool with_term = io && opts->tty && io->terminal >= 0;
	json_t *body = json_pack("{s:b, s:b, s:b, s:b, s:b, s:o}", "AttachStdin", with_in, "AttachStdout",
				 !opts->detach, "AttachStderr", !opts->detach, "Tty", opts->tty, "Privileged",
				 opts->privileged, "Cmd", dk_json_strv(opts->argv));
	if (opts->env && opts->env[0])
		json_object_set_new(body, "Env", dk_json_strv(opts->env));
	if (opts->user)
		json_object_set_new(body, "User", json_string(opts->user));
	if (opts->working_dir)
		json_object_set_new(body, "WorkingDir", json_string(opts->working_dir));
	cleanup_free char *path = cc_xasprintf("/containers/%s/exec", cid);
	cleanup_free char *what = cc_xasprintf("container %s", ref);
	json_t *resp;
	int rc = dk_call(D(self), "POST", path, body, &resp, what, err);
	json_decref(body);
	if (rc < 0)
		return -1;
	cleanup_free char *xid = dk_strdup(resp, "Id");
	json_decref(resp);
	if (!xid)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s: the engine answered no exec id", what);
	cleanup_free char *spath = cc_xasprintf("/exec/%s/start", xid);
	json_t *sbody = json_pack("{s:b, s:b}", "Detach", opts->detach, "Tty", opts->tty);
	struct demux d = {.raw = opts->tty, .name = name, .sink = sink};
	if (with_in || with_term) {
		/* with a terminal, the caller's takes the output as it comes; else it is demultiplexed into
		 * the sink's frames */
		cleanup_free char *rpath = cc_xasprintf("/exec/%s/resize", xid);
		int term_fd = io->terminal;
		struct dk_session ss = {.path = spath,
					.body = sbody,
					.in_fd = io->in,
					.terminal = with_term ? io->terminal : -1,
					.resize_path = rpath,
					.out = with_term ? terminal_write : demux_chunk,
					.ctx = with_term ? (void *)&term_fd : (void *)&d,
					.cancel = -1};
		rc = dk_hijack_run(D(self), &ss, what, err);
		demux_finish(&d, rc == 0);
	} else {
		struct cc_http_req r = {.method = "POST",
					.path = spath,
					.json = sbody,
					.raw_fd = -1,
					.chunk = demux_chunk,
					.ctx = &d};
		rc = dk_do(D(self), &r, err);
		if (rc == 0)
			rc = dk_check(D(self), &r, what, NULL, err);
		demux_finish(&d, rc == 0 && !r.cancelled);
		cc_http_req_release(&r);
	}
	json_decref(sbody);
	if (rc < 0 || opts->detach) {
		if (rc == 0 && exit_code)
			*exit_code = 0;
		return rc;
	}
	cleanup_free char *ipath = cc_xasprintf("/exec/%s/json", xid);
	/* the exec may still be winding down when the stream ends */
	for (int i = 0; i < 100; i++) {
		json_t *ij;
		if (dk_call(D(self), "GET", ipath, NULL, &ij, what, err) < 0)
			return -1;
		bool still = json_is_true(json_object_get(ij, "Running"));
		int code = (int)dk_int(ij, "ExitCode");
		json_decref(ij);
		if (!still) {
			if (exit_code)
				*exit_code = code;
			return 0;
		}
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	}
	return cc_error_set(err, CC_ERR_TIMEOUT, "%s: exec %s still running after its output ended", what,
			    xid);
}

/* ---- events ---- */

struct evctx {
	const struct cc_event_sink *sink;
	int64_t since_ns, until_ns; /* applied here too (see dk_events) */
	const char *container;      /* a name or an id prefix; NULL: any */
	struct cc_strbuf buf;
	bool stopped;
};

static int emit_event(struct evctx *x, json_t *j)
{
	const char *type = dk_str(j, "Type");
	const char *action = dk_str(j, "Action");
	bool container = type && strcmp(type, "container") == 0;
	/* podman's "init" (its runtime set the container up, between create and start) has no counterpart in
	 * docker's events, which are the contract's words */
	if (container && action && strcmp(action, "init") == 0)
		return 0;
	if (container && action && strcmp(action, "remove") == 0)
		action = "destroy"; /* podman's word for it */
	struct cc_event e = {0};
	json_t *actor = json_object_get(j, "Actor");
	json_t *attrs = json_object_get(actor, "Attributes");
	e.type = dk_strdup(j, "Type");
	const char *colon = action ? strstr(action, ": ") : NULL;
	e.action = colon ? cc_xstrndup(action, (size_t)(colon - action)) : cc_xstrdup(action ? action : "");
	e.id = dk_strdup(actor, "ID");
	const char *name = dk_str(attrs, "name");
	e.name = cc_xstrdup(name ? name : e.id ? e.id : "");
	e.time_ns = dk_int(j, "timeNano");
	if (!e.time_ns)
		e.time_ns = dk_int(j, "time") * 1000000000LL;
	bool other = x->container && !(e.type && strcmp(e.type, "container") == 0 &&
				       ((e.name && strcmp(e.name, x->container) == 0) ||
					(e.id && strncmp(e.id, x->container, strlen(x->container)) == 0)));
	if (other || (x->since_ns > 0 && e.time_ns < x->since_ns) ||
	    (x->until_ns > 0 && e.time_ns > x->until_ns)) {
		cc_event_release(&e);
		return 0;
	}
	const char *k;
	json_t *v;
	json_object_foreach(attrs, k, v)
	{
		if (json_is_string(v))
			cc_kvs_set(&e.attributes, k, json_string_value(v));
	}
	if (colon && e.action && strcmp(e.action, "health_status") == 0 &&
	    !cc_kvs_get(&e.attributes, "health_status"))
		cc_kvs_set(&e.attributes, "health_status", colon + 2);
	const char *proj = dk_str(attrs, "com.docker.compose.project");
	if (proj && !cc_kvs_get(&e.attributes, "project"))
		cc_kvs_set(&e.attributes, "project", proj);
	const char *svc = dk_str(attrs, "com.docker.compose.service");
	if (svc && !cc_kvs_get(&e.attributes, "service"))
		cc_kvs_set(&e.attributes, "service", svc);
	int rc = x->sink && x->sink->emit ? x->sink->emit(x->sink->ctx, &e) : 0;
	cc_event_release(&e);
	return rc;
}

static int event_chunk(void *ctx, const char *data, size_t len)
{
	struct evctx *x = ctx;
	cc_strbuf_add(&x->buf, data, len);
	char *start = x->buf.buf;
	char *nl;
	while ((nl = memchr(start, '\n', x->buf.len - (size_t)(start - x->buf.buf)))) {
		*nl = '\0';
		json_t *j = json_loads(start, 0, NULL);
		start = nl + 1;
		if (!j)
			continue;
		int rc = emit_event(x, j);
		json_decref(j);
		if (rc < 0) {
			x->stopped = true;
			return -1;
		}
	}
	size_t rest = x->buf.len - (size_t)(start - x->buf.buf);
	memmove(x->buf.buf, start, rest);
	cc_strbuf_truncate(&x->buf, rest);
	return 0;
}

int dk_events(void *self, const struct cc_event_filter *f, const struct cc_event_sink *sink,
	      struct cc_error **err)
{
	json_t *filters = json_object();
	if (f->type)
		json_object_set_new(filters, "type", json_pack("[s]", f->type));
	/* podman's service resolves a container filter when the request comes, so a container made later is
	 * never matched: that filter is applied here instead */
	if (dk_negotiate(D(self), err) < 0) {
		json_decref(filters);
		return -1;
	}
	bool podman = D(self)->podman;
	if (f->container && !podman)
		json_object_set_new(filters, "container", json_pack("[s]", f->container));
	json_t *labels = json_array();
	if (f->project) {
		char *l = cc_xasprintf("com.docker.compose.project=%s", f->project);
		json_array_append_new(labels, json_string(l));
		free(l);
	}
	for (size_t i = 0; f->labels && f->labels[i]; i++)
		json_array_append_new(labels, json_string(f->labels[i]));
	if (json_array_size(labels))
		json_object_set_new(filters, "label", labels);
	else
		json_decref(labels);
	cleanup_free char *fj = json_dumps(filters, JSON_COMPACT);
	json_decref(filters);
	cleanup_free char *fe = cc_http_escape(fj);
	cleanup_strbuf struct cc_strbuf q = CC_STRBUF_INIT;
	cc_strbuf_addf(&q, "/events?filters=%s", fe);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t now_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	int64_t until = f->until_ns;
	/* following up to a time already past is a replay */
	bool follow = f->follow && !(until > 0 && until <= now_ns);
	if (!follow && (!until || until > now_ns))
		until = now_ns;
	/* a replay starts at the beginning; a followed stream without a start shows only what comes */
	if (f->since_ns > 0 || !follow)
		add_time(&q, "since", f->since_ns > 0 ? f->since_ns : 1);
	/* podman's service answers nothing to a query with `until`: it ends a replay on stream=false, and the
	 * bound is applied to what comes back */
	if (podman && !follow)
		cc_strbuf_adds(&q, "&stream=false");
	else if (until > 0 && !podman)
		add_time(&q, "until", until);
	struct evctx x = {.sink = sink,
			  .since_ns = f->since_ns,
			  .until_ns = until,
			  .container = podman ? f->container : NULL};
	struct cc_http_req r = {
	    .method = "GET", .path = q.buf, .raw_fd = -1, .chunk = event_chunk, .ctx = &x};
	int64_t left_ms = 0;
	if (until > 0 && podman && follow) { /* a followed stream with an end: we end it */
		left_ms = (until - now_ns) / 1000000 + 1;
		r.timeout_ms = (long)left_ms;
	}
	int rc = dk_do(D(self), &r, err);
	if (rc < 0 && left_ms && r.timed_out) {
		cc_error_release(err);
		rc = 0;
		r.status = 200;
	}
	if (rc == 0)
		rc = dk_check(D(self), &r, "events", NULL, err);
	cc_strbuf_release(&x.buf);
	cc_http_req_release(&r);
	return rc;
}
