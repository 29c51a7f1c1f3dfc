/* The remote backend: the runtime vtable over the daemon's REST API (design/API.md), so every CLI command
 * works through `container-compose serve`. Shapes come back through api/shapes.c, which reads the
 * extension fields the daemon adds, so nothing is lost on the way. Operations the API has no route for
 * answer NOT_SUPPORTED naming themselves. */
#include "api/shapes.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/curl.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "remote/client.h"
#include "engine/build/context.h"
#include "base/fsutil.h"
#include "base/tar.h"
#include "engine/build/copy.h"
#include "engine/image/unpack.h"
#include "runtime/backends.h"
#include "runtime/codec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKEND "remote"

struct remote {
	struct rc_client *c;
};

static int not_supported(struct cc_error **err, const char *op)
{
	return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
			    "%s is not supported by the %s backend (the REST API has "
			    "no route for it)",
			    op, BACKEND);
}

/* "/containers/<ref><suffix>" with ref escaped */
static char *obj_path(const char *kind, const char *ref, const char *suffix)
{
	char *e = cc_http_escape(ref);
	char *p = cc_xasprintf("/%s/%s%s", kind, e, suffix ? suffix : "");
	free(e);
	return p;
}

static void query_time(struct cc_strbuf *q, const char *key, int64_t ns)
{
	if (!ns)
		return;
	struct cc_strbuf t = CC_STRBUF_INIT;
	cc_format_iso8601(ns, 1, &t);
	cc_http_query_add(q, key, t.buf);
	cc_strbuf_release(&t);
}

/* ---- system ---- */

static int r_version(void *self, struct cc_version *out, struct cc_error **err)
{
	struct remote *r = self;
	json_t *j;
	memset(out, 0, sizeof(*out));
	if (rc_get_json(r->c, "/version", &j, err) < 0)
		return -1;
	const char *v = json_string_value(json_object_get(j, "version"));
	const char *arch = json_string_value(json_object_get(j, "arch"));
	const char *be = json_string_value(json_object_get(j, "runtimeBackend"));
	const char *api = json_string_value(json_object_get(j, "apiVersion"));
	out->backend = cc_xstrdup(BACKEND);
	out->version = cc_xstrdup(v ? v : "");
	out->api_version = cc_xstrdup(api ? api : "v1");
	out->os = cc_xstrdup("linux");
	out->arch = cc_xstrdup(arch ? arch : "");
	out->engine = cc_xasprintf("container-compose daemon (%s backend)", be ? be : "?");
	json_decref(j);
	return 0;
}

static int r_info(void *self, struct cc_info *out, struct cc_error **err)
{
	struct remote *r = self;
	json_t *j;
	memset(out, 0, sizeof(*out));
	if (rc_get_json(r->c, "/info", &j, err) < 0)
		return -1;
	const char *name = json_string_value(json_object_get(j, "name"));
	out->backend = cc_xstrdup(BACKEND);
	out->name = cc_xstrdup(name ? name : "");
	out->root = cc_xstrdup(r->c->name);
	out->containers = (long)json_integer_value(json_object_get(j, "containerCount"));
	out->running = (long)json_integer_value(json_object_get(j, "containersRunning"));
	out->paused = (long)json_integer_value(json_object_get(j, "containersPaused"));
	out->stopped = (long)json_integer_value(json_object_get(j, "containersStopped"));
	out->images = (long)json_integer_value(json_object_get(j, "images"));
	json_decref(j);
	return 0;
}

/* ---- containers ---- */

static int r_container_list(void *self, const struct cc_container_filter *f, struct cc_container **out,
			    size_t *n, struct cc_error **err)
{
	struct remote *r = self;
	*out = NULL;
	*n = 0;
	struct cc_strbuf q = CC_STRBUF_INIT;
	cc_strbuf_adds(&q, "/containers");
	struct cc_strbuf args = CC_STRBUF_INIT;
	cc_http_query_add(&args, "all", f && (f->all || f->state_mask) ? "true" : "false");
	cc_http_query_add(&args, "full", "true");
	if (f && f->state_mask) {
		struct cc_strbuf st = CC_STRBUF_INIT;
		for (int s = 0; s < CC_STATE_COUNT_; s++)
			if (f->state_mask & (1u << s))
				cc_strbuf_addf(&st, "%s%s", st.len ? "," : "",
					       s == CC_STATE_REMOVING
						   ? "stopping"
						   : cc_state_name((enum cc_container_state)s));
		cc_http_query_add(&args, "status", st.buf);
		cc_strbuf_release(&st);
	}
	if (f) {
		cc_http_query_add(&args, "name", f->name_prefix);
		cc_http_query_add(&args, "project", f->project);
		for (char *const *l = f->labels; l && *l; l++)
			cc_http_query_add(&args, "label", *l);
	}
	if (args.len)
		cc_strbuf_adds(&q, args.buf);
	cc_strbuf_release(&args);
	json_t *a;
	int rc = rc_get_json(r->c, q.buf, &a, err);
	cc_strbuf_release(&q);
	if (rc < 0)
		return -1;
	size_t cnt = json_array_size(a);
	struct cc_container *v = cc_xcalloc(cnt + 1, sizeof(*v));
	size_t i;
	json_t *o;
	json_array_foreach(a, i, o)
	{
		if (api_container_decode(o, &v[i], err) < 0) {
			cc_containers_free(v, i);
			json_decref(a);
			return -1;
		}
	}
	json_decref(a);
	*out = v;
	*n = cnt;
	return 0;
}

static int r_container_inspect(void *self, const char *ref, struct cc_container *out, struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path("containers", ref, NULL);
	json_t *j;
	int rc = rc_get_json(r->c, p, &j, err);
	free(p);
	if (rc < 0)
		return -1;
	rc = api_container_decode(j, out, err);
	json_decref(j);
	return rc;
}

static int r_container_create(void *self, const struct cc_container_spec *spec, char **id_out,
			      struct cc_error **err)
{
	struct remote *r = self;
	json_t *body = cc_container_spec_to_json(spec), *res;
	int rc = rc_call(r->c, "POST", "/containers/create", body, &res, err);
	json_decref(body);
	if (rc < 0)
		return -1;
	const char *id = json_string_value(json_object_get(res, "engineId"));
	if (!id)
		id = json_string_value(json_object_get(res, "id"));
	if (id_out)
		*id_out = cc_xstrdup(id ? id : "");
	json_decref(res);
	return 0;
}

static int simple(struct remote *r, const char *method, const char *ref, const char *suffix, json_t *body,
		  struct cc_error **err)
{
	char *p = obj_path("containers", ref, suffix);
	int rc = rc_call(r->c, method, p, body, NULL, err);
	free(p);
	json_decref(body);
	return rc;
}

static json_t *stop_body(const char *signal, int64_t timeout_ns)
{
	json_t *b = json_object();
	if (signal)
		json_object_set_new(b, "signal", json_string(signal));
	json_object_set_new(b, "timeoutSeconds",
			    timeout_ns < 0 ? json_integer(-1) : json_real((double)timeout_ns / 1e9));
	return b;
}

static int r_container_start(void *self, const char *ref, struct cc_error **err)
{
	return simple(self, "POST", ref, "/start", NULL, err);
}

static int r_container_stop(void *self, const char *ref, const char *signal, int64_t timeout_ns,
			    struct cc_error **err)
{
	/* strict=false: the runtime's stop, a no-op on a stopped container, not the contract's 409 */
	return simple(self, "POST", ref, "/stop?strict=false", stop_body(signal, timeout_ns), err);
}

static int r_container_restart(void *self, const char *ref, int64_t timeout_ns, struct cc_error **err)
{
	return simple(self, "POST", ref, "/restart", stop_body(NULL, timeout_ns), err);
}

static int r_container_kill(void *self, const char *ref, const char *signal, struct cc_error **err)
{
	json_t *b = json_object();
	if (signal)
		json_object_set_new(b, "signal", json_string(signal));
	return simple(self, "POST", ref, "/kill", b, err);
}

static int r_container_pause(void *self, const char *ref, struct cc_error **err)
{
	return simple(self, "POST", ref, "/pause", NULL, err);
}

static int r_container_unpause(void *self, const char *ref, struct cc_error **err)
{
	return simple(self, "POST", ref, "/unpause", NULL, err);
}

static int r_container_remove(void *self, const char *ref, bool force, bool volumes, struct cc_error **err)
{
	char suffix[48];
	snprintf(suffix, sizeof(suffix), "?force=%s&volumes=%s", force ? "true" : "false",
		 volumes ? "true" : "false");
	return simple(self, "DELETE", ref, suffix, NULL, err);
}

static int r_container_wait(void *self, const char *ref, enum cc_wait_condition cond, int64_t timeout_ns,
			    int *exit_code, struct cc_error **err)
{
	struct remote *r = self;
	static const char *const conds[] = {[CC_WAIT_NOT_RUNNING] = "not-running",
					    [CC_WAIT_NEXT_EXIT] = "next-exit",
					    [CC_WAIT_REMOVED] = "removed"};
	char suffix[96];
	if (timeout_ns < 0)
		snprintf(suffix, sizeof(suffix), "/wait?condition=%s&timeout=-1", conds[cond]);
	else
		snprintf(suffix, sizeof(suffix), "/wait?condition=%s&timeout=%.3f", conds[cond],
			 (double)timeout_ns / 1e9);
	char *p = obj_path("containers", ref, suffix);
	json_t *res;
	int rc = rc_call(r->c, "POST", p, NULL, &res, err);
	free(p);
	if (rc < 0)
		return -1;
	*exit_code = (int)json_integer_value(json_object_get(res, "exitCode"));
	json_decref(res);
	return 0;
}

struct log_fwd {
	const struct cc_log_sink *sink;
};

static int log_frame(void *ctx, json_t *j)
{
	struct log_fwd *f = ctx;
	struct cc_log_frame fr;
	struct cc_error *err = NULL;
	if (api_log_decode(j, &fr, &err) < 0) {
		cc_error_free(err);
		return 0;
	}
	return f->sink->emit(f->sink->ctx, &fr);
}

static int r_container_logs(void *self, const char *ref, const struct cc_log_opts *o,
			    const struct cc_log_sink *sink, struct cc_error **err)
{
	struct remote *r = self;
	struct cc_strbuf q = CC_STRBUF_INIT;
	cc_http_query_add(&q, "follow", o->follow ? "true" : "false");
	if (o->tail >= 0)
		cc_strbuf_addf(&q, "&tail=%ld", o->tail);
	query_time(&q, "since", o->since_ns);
	query_time(&q, "until", o->until_ns);
	cc_http_query_add(&q, "stdout", o->no_stdout ? "false" : "true");
	cc_http_query_add(&q, "stderr", o->no_stderr ? "false" : "true");
	char *p = obj_path("containers", ref, "/logs");
	char *path = cc_xasprintf("%s%s", p, q.buf);
	struct log_fwd f = {sink};
	int rc = rc_stream(r->c, "GET", path, NULL, log_frame, &f, err);
	free(p);
	free(path);
	cc_strbuf_release(&q);
	return rc;
}

struct exec_fwd {
	const struct cc_log_sink *sink;
	const char *container;
	int code;
	bool got_code;
};

static int exec_frame(void *ctx, json_t *j)
{
	struct exec_fwd *f = ctx;
	json_t *code = json_object_get(j, "exitCode");
	if (json_is_integer(code)) {
		f->code = (int)json_integer_value(code);
		f->got_code = true;
		return 0;
	}
	struct cc_log_frame fr;
	struct cc_error *err = NULL;
	if (api_log_decode(j, &fr, &err) < 0) {
		cc_error_free(err);
		return 0;
	}
	fr.container = f->container;
	return f->sink ? f->sink->emit(f->sink->ctx, &fr) : 0;
}

static int r_container_exec(void *self, const char *ref, const struct cc_exec_opts *o,
			    const struct cc_log_sink *sink, int *exit_code, struct cc_error **err)
{
	struct remote *r = self;
	const struct cc_exec_stdio *io = o->detach ? NULL : o->stdio;
	bool with_in = io && io->in >= 0, with_term = io && o->tty && io->terminal >= 0;
	json_t *b = json_object();
	json_object_set_new(b, "command", cc_strv_to_json(o->argv));
	if (o->env)
		json_object_set_new(b, "environment", cc_strv_to_json(o->env));
	if (o->user)
		json_object_set_new(b, "user", json_string(o->user));
	if (o->working_dir)
		json_object_set_new(b, "workingDirectory", json_string(o->working_dir));
	if (o->tty)
		json_object_set_new(b, "tty", json_true());
	if (o->privileged)
		json_object_set_new(b, "privileged", json_true());
	if (o->detach)
		json_object_set_new(b, "detach", json_true());
	char *p = obj_path("containers", ref, "/exec");
	if (with_in || with_term) {
		/* input or a terminal: a session both ways over the upgraded connection */
		if (with_in)
			json_object_set_new(b, "stdin", json_true());
		struct rc_session_io sio = {.in_fd = with_in ? io->in : -1,
					    .out_fd = STDOUT_FILENO,
					    .terminal = with_term ? io->terminal : -1,
					    .cancel = -1,
					    .sink = with_term ? NULL : sink,
					    .container = ref};
		int rc = rc_session_run(r->c, p, b, &sio, exit_code, err);
		free(p);
		json_decref(b);
		return rc;
	}
	struct exec_fwd f = {.sink = sink, .container = ref};
	int rc = rc_stream(r->c, "POST", p, b, exec_frame, &f, err);
	free(p);
	json_decref(b);
	if (rc < 0)
		return -1;
	if (!f.got_code)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE,
				    "exec in %s: the daemon's stream ended without "
				    "an exit code",
				    ref);
	*exit_code = f.code;
	return 0;
}

static int r_container_attach(void *self, const char *ref, const struct cc_attach_io *io,
			      struct cc_error **err)
{
	struct remote *r = self;
	json_t *b = json_pack("{s:b}", "stdin", io->in_fd >= 0);
	char *p = obj_path("containers", ref, "/attach");
	/* the container's terminal, when it has one, decides whether ours goes raw: the daemon's session
	 * carries bytes either way, and a terminal ignored by a container without one stays as it is */
	struct rc_session_io sio = {.in_fd = io->in_fd,
				    .out_fd = io->out_fd,
				    .terminal = io->terminal,
				    .cancel = io->cancel,
				    .container = ref};
	int code;
	int rc = rc_session_run(r->c, p, b, &sio, &code, err);
	free(p);
	json_decref(b);
	return rc;
}

static int r_container_top(void *self, const char *ref, struct cc_top *out, struct cc_error **err)
{
	struct remote *r = self;
	memset(out, 0, sizeof(*out));
	char *p = obj_path("containers", ref, "/top");
	json_t *j;
	int rc = rc_get_json(r->c, p, &j, err);
	free(p);
	if (rc < 0)
		return -1;
	rc = cc_strv_from_json(json_object_get(j, "titles"), "titles", &out->titles, err);
	json_t *rows = json_object_get(j, "processes");
	out->rows = cc_xcalloc(json_array_size(rows) + 1, sizeof(*out->rows));
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		if (rc == 0 && cc_strv_from_json(row, "processes", &out->rows[i], err) < 0)
			rc = -1;
		out->nrows = i + 1;
	}
	json_decref(j);
	if (rc < 0)
		cc_top_release(out);
	return rc;
}

static int r_container_stats(void *self, const char *ref, struct cc_stats *out, struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path("containers", ref, "/stats?stream=false");
	json_t *j;
	int rc = rc_get_json(r->c, p, &j, err);
	free(p);
	if (rc < 0)
		return -1;
	rc = api_stats_decode(j, out, err);
	json_decref(j);
	return rc;
}

static bool contents_form(const char *path)
{
	size_t n = strlen(path);
	return n >= 2 && strcmp(path + n - 2, "/.") == 0;
}

/* cp through the daemon: a tar each way, the path rules applied where the files land (the daemon's backend
 * for the container's side, cc_cp here for the host's). */
static int r_container_copy(void *self, const char *ref, const char *container_path, const char *host_path,
			    bool to_container, struct cc_error **err)
{
	struct remote *r = self;
	cleanup_free char *host = cc_cp_host_path(host_path, err);
	if (!host)
		return -1;
	char tmp[] = "/tmp/cc-cp-XXXXXX";
	if (!mkdtemp(tmp))
		return cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "cp");
	cleanup_free char *tar = cc_xasprintf("%s/copy.tar", tmp);
	cleanup_free char *e_ref = cc_http_escape(ref);
	cleanup_free char *e_path = cc_http_escape(container_path);
	int rc;
	if (to_container) {
		cleanup_free char *clean = cc_path_clean(host);
		cleanup_free char *name = api_copy_entry_name(clean);
		cleanup_free char *e_name = cc_http_escape(name);
		cleanup_free char *p =
		    cc_xasprintf("/containers/%s/archive?path=%s&name=%s&contents=%s", e_ref, e_path, e_name,
				 contents_form(host) ? "true" : "false");
		rc = cc_tar_write(clean, tar, &(struct cc_tar_opts){.prefix = name}, err);
		int fd = rc == 0 ? open(tar, O_RDONLY | O_CLOEXEC) : -1;
		if (rc == 0 && fd < 0)
			rc = cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "open %s", tar);
		if (rc == 0)
			rc =
			    rc_transfer(r->c, "PUT", p, fd, "Content-Type: application/x-tar", -1, NULL, err);
		if (fd >= 0)
			close(fd);
	} else {
		cleanup_free char *p = cc_xasprintf("/containers/%s/archive?path=%s", e_ref, e_path);
		int fd = open(tar, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		rc = fd < 0 ? cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "create %s", tar)
			    : rc_transfer(r->c, "GET", p, -1, NULL, fd, NULL, err);
		if (rc == 0 && lseek(fd, 0, SEEK_SET) < 0)
			rc = cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "cp");
		if (rc == 0)
			rc = cc_cp_tar_to_host(fd, contents_form(container_path), NULL, host, err);
		if (fd >= 0)
			close(fd);
	}
	cc_remove_tree(tmp);
	return rc;
}

struct event_fwd {
	const struct cc_event_sink *sink;
};

static int event_frame(void *ctx, json_t *j)
{
	struct event_fwd *f = ctx;
	struct cc_event e;
	struct cc_error *err = NULL;
	if (api_event_decode(j, &e, &err) < 0) {
		cc_error_free(err);
		return 0;
	}
	int rc = f->sink->emit(f->sink->ctx, &e);
	cc_event_release(&e);
	return rc;
}

static int r_events(void *self, const struct cc_event_filter *f, const struct cc_event_sink *sink,
		    struct cc_error **err)
{
	struct remote *r = self;
	struct cc_strbuf q = CC_STRBUF_INIT;
	cc_strbuf_adds(&q, "/events");
	struct cc_strbuf a = CC_STRBUF_INIT;
	cc_http_query_add(&a, "follow", f->follow ? "true" : "false");
	query_time(&a, "since", f->since_ns);
	query_time(&a, "until", f->until_ns);
	cc_http_query_add(&a, "type", f->type);
	cc_http_query_add(&a, "container", f->container);
	cc_http_query_add(&a, "project", f->project);
	for (char *const *l = f->labels; l && *l; l++)
		cc_http_query_add(&a, "label", *l);
	cc_strbuf_adds(&q, a.buf);
	cc_strbuf_release(&a);
	struct event_fwd fw = {sink};
	int rc = rc_stream(r->c, "GET", q.buf, NULL, event_frame, &fw, err);
	cc_strbuf_release(&q);
	return rc;
}

/* ---- images ---- */

static int r_image_list(void *self, struct cc_image **out, size_t *n, struct cc_error **err)
{
	struct remote *r = self;
	json_t *a;
	*out = NULL;
	*n = 0;
	if (rc_get_json(r->c, "/images", &a, err) < 0)
		return -1;
	size_t cnt = json_array_size(a), i;
	struct cc_image *v = cc_xcalloc(cnt + 1, sizeof(*v));
	json_t *o;
	json_array_foreach(a, i, o)
	{
		if (cc_image_from_json(o, &v[i], err) < 0) {
			cc_images_free(v, i);
			json_decref(a);
			return -1;
		}
	}
	json_decref(a);
	*out = v;
	*n = cnt;
	return 0;
}

static int r_image_inspect(void *self, const char *ref, struct cc_image *out, struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path("images", ref, NULL);
	json_t *j;
	int rc = rc_get_json(r->c, p, &j, err);
	free(p);
	if (rc < 0)
		return -1;
	rc = cc_image_from_json(j, out, err);
	json_decref(j);
	return rc;
}

struct progress_fwd {
	const struct cc_progress_sink *sink;
};

static int progress_frame(void *ctx, json_t *j)
{
	struct progress_fwd *f = ctx;
	if (!f->sink)
		return 0;
	struct cc_progress p = {
	    .ref = json_string_value(json_object_get(j, "image")),
	    .status = json_string_value(json_object_get(j, "status")),
	    .layer = json_string_value(json_object_get(j, "layer")),
	    .current = json_integer_value(json_object_get(j, "current")),
	    .total = json_integer_value(json_object_get(j, "total")),
	    .message = json_string_value(json_object_get(j, "message")),
	};
	return f->sink->emit(f->sink->ctx, &p);
}

static int transfer(struct remote *r, const char *path, const char *ref, const char *platform,
		    const struct cc_progress_sink *sink, struct cc_error **err)
{
	json_t *b = json_object();
	json_object_set_new(b, "image", json_string(ref));
	if (platform)
		json_object_set_new(b, "platform", json_string(platform));
	struct progress_fwd f = {sink};
	int rc = rc_stream(r->c, "POST", path, b, progress_frame, &f, err);
	json_decref(b);
	return rc;
}

static int r_image_pull(void *self, const char *ref, const char *platform,
			const struct cc_progress_sink *sink, struct cc_error **err)
{
	return transfer(self, "/images/pull", ref, platform, sink, err);
}

static int r_image_push(void *self, const char *ref, const struct cc_progress_sink *sink,
			struct cc_error **err)
{
	return transfer(self, "/images/push", ref, NULL, sink, err);
}

/* The context goes to the daemon as a tar (remote/context.c), the options as query arguments, and the
 * builder's frames come back as they happen. */
static int r_image_build(void *self, const struct cc_build_opts *opts, const struct cc_progress_sink *sink,
			 struct cc_error **err)
{
	struct remote *r = self;
	if (opts->secrets && opts->secrets->n)
		return cc_error_set(
		    err, CC_ERR_NOT_SUPPORTED,
		    "build secrets are not supported by the remote backend (they would have to "
		    "leave this machine)");
	char path[] = "/tmp/cc-context-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "build context");
	close(fd);
	char *dockerfile = NULL;
	int rc = cc_build_context_tar(opts, path, &dockerfile, err);
	cleanup_strbuf struct cc_strbuf q = CC_STRBUF_INIT;
	cc_build_query(opts, dockerfile, "network", &q);
	free(dockerfile);
	fd = rc == 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (rc == 0 && fd < 0)
		rc = cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "open %s", path);
	if (rc == 0) {
		struct progress_fwd f = {sink};
		cleanup_free char *p = cc_xasprintf("/images/build%s", cc_strbuf_str(&q));
		rc = rc_stream_upload(r->c, "POST", p, fd, "Content-Type: application/x-tar", progress_frame,
				      &f, err);
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	return rc;
}

static int r_image_tag(void *self, const char *src, const char *dst, struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path("images", src, "/tag");
	json_t *b = json_object();
	json_object_set_new(b, "target", json_string(dst));
	int rc = rc_call(r->c, "POST", p, b, NULL, err);
	json_decref(b);
	free(p);
	return rc;
}

static int r_image_remove(void *self, const char *ref, bool force, struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path("images", ref, force ? "?force=true" : NULL);
	int rc = rc_call(r->c, "DELETE", p, NULL, NULL, err);
	free(p);
	return rc;
}

static int r_image_load(void *self, const char *tar_path, cc_strv *loaded, struct cc_error **err)
{
	struct remote *r = self;
	int fd = open(tar_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_NOT_FOUND, errno, "open %s", tar_path);
	json_t *res;
	int rc =
	    rc_transfer(r->c, "POST", "/images/load", fd, "Content-Type: application/x-tar", -1, &res, err);
	close(fd);
	if (rc < 0)
		return -1;
	*loaded = NULL;
	rc = cc_strv_from_json(json_object_get(res, "loaded"), "loaded", loaded, err);
	json_decref(res);
	return rc;
}

static int r_image_save(void *self, char *const *refs, const char *format, const char *tar_path,
			struct cc_error **err)
{
	struct remote *r = self;
	if (!refs || !refs[0])
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "image save: no image named");
	if (refs[1])
		return not_supported(err, "saving several images into one archive");
	char suffix[64];
	snprintf(suffix, sizeof(suffix), "/save?format=%s", format ? format : "oci");
	char *p = obj_path("images", refs[0], suffix);
	int fd = open(tar_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(p);
		return cc_error_set_errno(err, CC_ERR_PERMISSION, errno, "create %s", tar_path);
	}
	int rc = rc_transfer(r->c, "GET", p, -1, NULL, fd, NULL, err);
	close(fd);
	free(p);
	if (rc < 0)
		unlink(tar_path);
	return rc;
}

/* ---- networks ---- */

static int r_network_list(void *self, struct cc_network **out, size_t *n, struct cc_error **err)
{
	struct remote *r = self;
	json_t *a;
	*out = NULL;
	*n = 0;
	if (rc_get_json(r->c, "/networks", &a, err) < 0)
		return -1;
	size_t cnt = json_array_size(a), i;
	struct cc_network *v = cc_xcalloc(cnt + 1, sizeof(*v));
	json_t *o;
	json_array_foreach(a, i, o)
	{
		if (api_network_decode(o, &v[i], err) < 0) {
			cc_networks_free(v, i);
			json_decref(a);
			return -1;
		}
	}
	json_decref(a);
	*out = v;
	*n = cnt;
	return 0;
}

static int r_network_inspect(void *self, const char *name, struct cc_network *out, struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path("networks", name, NULL);
	json_t *j;
	int rc = rc_get_json(r->c, p, &j, err);
	free(p);
	if (rc < 0)
		return -1;
	rc = api_network_decode(j, out, err);
	json_decref(j);
	return rc;
}

static int r_network_create(void *self, const struct cc_network_config *cfg, char **id_out,
			    struct cc_error **err)
{
	struct remote *r = self;
	struct cc_network n = {.spec = *cfg};
	json_t *b = cc_network_to_json(&n), *res;
	json_object_del(b, "containers");
	json_object_del(b, "createdNs");
	int rc = rc_call(r->c, "POST", "/networks", b, &res, err);
	json_decref(b);
	if (rc < 0)
		return -1;
	const char *id = json_string_value(json_object_get(res, "id"));
	if (id_out)
		*id_out = cc_xstrdup(id ? id : cfg->name);
	json_decref(res);
	return 0;
}

static int r_network_remove(void *self, const char *name, struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path("networks", name, NULL);
	int rc = rc_call(r->c, "DELETE", p, NULL, NULL, err);
	free(p);
	return rc;
}

static int r_network_connect(void *self, const char *network, const char *container, char *const *aliases,
			     struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path("networks", network, "/connect");
	json_t *b = json_object();
	json_object_set_new(b, "container", json_string(container));
	if (aliases)
		json_object_set_new(b, "aliases", cc_strv_to_json(aliases));
	int rc = rc_call(r->c, "POST", p, b, NULL, err);
	json_decref(b);
	free(p);
	return rc;
}

static int r_network_disconnect(void *self, const char *network, const char *container, bool force,
				struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path("networks", network, "/disconnect");
	json_t *b = json_object();
	json_object_set_new(b, "container", json_string(container));
	if (force)
		json_object_set_new(b, "force", json_true());
	int rc = rc_call(r->c, "POST", p, b, NULL, err);
	json_decref(b);
	free(p);
	return rc;
}

/* ---- volumes ---- */

static int r_volume_list(void *self, struct cc_volume **out, size_t *n, struct cc_error **err)
{
	struct remote *r = self;
	json_t *j;
	*out = NULL;
	*n = 0;
	if (rc_get_json(r->c, "/volumes", &j, err) < 0)
		return -1;
	json_t *a = json_object_get(j, "volumes");
	size_t cnt = json_array_size(a), i;
	struct cc_volume *v = cc_xcalloc(cnt + 1, sizeof(*v));
	json_t *o;
	json_array_foreach(a, i, o)
	{
		if (cc_volume_from_json(o, &v[i], err) < 0) {
			cc_volumes_free(v, i);
			json_decref(j);
			return -1;
		}
	}
	json_decref(j);
	*out = v;
	*n = cnt;
	return 0;
}

static int r_volume_inspect(void *self, const char *name, struct cc_volume *out, struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path("volumes", name, NULL);
	json_t *j;
	int rc = rc_get_json(r->c, p, &j, err);
	free(p);
	if (rc < 0)
		return -1;
	rc = cc_volume_from_json(j, out, err);
	json_decref(j);
	return rc;
}

static int r_volume_create(void *self, const struct cc_volume_config *cfg, struct cc_volume *out,
			   struct cc_error **err)
{
	struct remote *r = self;
	struct cc_volume v = {.spec = *cfg};
	json_t *b = cc_volume_to_json(&v), *res;
	json_object_del(b, "createdNs");
	json_object_del(b, "mountpoint");
	int rc = rc_call(r->c, "POST", "/volumes", b, &res, err);
	json_decref(b);
	if (rc < 0)
		return -1;
	struct cc_volume scratch;
	rc = cc_volume_from_json(res, out ? out : &scratch, err);
	if (rc == 0 && !out)
		cc_volume_release(&scratch);
	json_decref(res);
	return rc;
}

static int r_volume_remove(void *self, const char *name, bool force, struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path("volumes", name, force ? "?force=true" : NULL);
	int rc = rc_call(r->c, "DELETE", p, NULL, NULL, err);
	free(p);
	return rc;
}

static int r_volume_prune(void *self, cc_strv *removed, struct cc_error **err)
{
	struct remote *r = self;
	json_t *res;
	*removed = NULL;
	if (rc_call(r->c, "POST", "/volumes/prune", NULL, &res, err) < 0)
		return -1;
	int rc = cc_strv_from_json(json_object_get(res, "removed"), "removed", removed, err);
	json_decref(res);
	return rc;
}

/* ---- secrets and configs ---- */

static const char *secret_kind_path(enum cc_secret_kind k)
{
	return k == CC_CONFIG ? "configs" : "secrets";
}

static int r_secret_list(void *self, enum cc_secret_kind kind, struct cc_secret **out, size_t *n,
			 struct cc_error **err)
{
	struct remote *r = self;
	char path[16];
	snprintf(path, sizeof(path), "/%s", secret_kind_path(kind));
	json_t *a;
	*out = NULL;
	*n = 0;
	if (rc_get_json(r->c, path, &a, err) < 0)
		return -1;
	size_t cnt = json_array_size(a), i;
	struct cc_secret *v = cc_xcalloc(cnt + 1, sizeof(*v));
	json_t *o;
	json_array_foreach(a, i, o)
	{
		if (cc_secret_from_json(o, &v[i], err) < 0) {
			cc_secrets_free(v, i);
			json_decref(a);
			return -1;
		}
	}
	json_decref(a);
	*out = v;
	*n = cnt;
	return 0;
}

static int r_secret_create(void *self, enum cc_secret_kind kind, const char *name, const void *value,
			   size_t len, const struct cc_kvs *labels, struct cc_error **err)
{
	struct remote *r = self;
	json_t *v = json_stringn(value, len);
	if (!v)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				    "%s %s: values that are not UTF-8 text cannot "
				    "cross the %s backend",
				    kind == CC_CONFIG ? "config" : "secret", name, BACKEND);
	json_t *b = json_object();
	json_object_set_new(b, "name", json_string(name));
	json_object_set_new(b, "value", v);
	if (labels && labels->n)
		json_object_set_new(b, "labels", cc_kvs_to_json(labels));
	char path[16];
	snprintf(path, sizeof(path), "/%s", secret_kind_path(kind));
	int rc = rc_call(r->c, "POST", path, b, NULL, err);
	json_decref(b);
	return rc;
}

static int r_secret_update(void *self, enum cc_secret_kind kind, const char *name, const void *value,
			   size_t len, struct cc_error **err)
{
	struct remote *r = self;
	json_t *v = json_stringn(value, len);
	if (!v)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				    "%s %s: values that are not UTF-8 text cannot cross the %s backend",
				    kind == CC_CONFIG ? "config" : "secret", name, BACKEND);
	json_t *b = json_pack("{so}", "value", v);
	cleanup_free char *path = cc_xasprintf("/%s/%s", secret_kind_path(kind), name);
	int rc = rc_call(r->c, "PUT", path, b, NULL, err);
	json_decref(b);
	return rc;
}

static int r_secret_remove(void *self, enum cc_secret_kind kind, const char *name, struct cc_error **err)
{
	struct remote *r = self;
	char *p = obj_path(secret_kind_path(kind), name, NULL);
	int rc = rc_call(r->c, "DELETE", p, NULL, NULL, err);
	free(p);
	return rc;
}

static void r_close(void *self)
{
	struct remote *r = self;
	rc_client_free(r->c);
	free(r);
}

static const struct cc_runtime_ops remote_ops = {
    .version = r_version,
    .info = r_info,
    .container_list = r_container_list,
    .container_inspect = r_container_inspect,
    .container_create = r_container_create,
    .container_start = r_container_start,
    .container_stop = r_container_stop,
    .container_restart = r_container_restart,
    .container_kill = r_container_kill,
    .container_pause = r_container_pause,
    .container_unpause = r_container_unpause,
    .container_remove = r_container_remove,
    .container_wait = r_container_wait,
    .container_logs = r_container_logs,
    .container_exec = r_container_exec,
    .container_attach = r_container_attach,
    .container_top = r_container_top,
    .container_stats = r_container_stats,
    .container_copy = r_container_copy,
    .events = r_events,
    .image_list = r_image_list,
    .image_inspect = r_image_inspect,
    .image_pull = r_image_pull,
    .image_push = r_image_push,
    .image_build = r_image_build,
    .image_tag = r_image_tag,
    .image_remove = r_image_remove,
    .image_load = r_image_load,
    .image_save = r_image_save,
    .network_list = r_network_list,
    .network_inspect = r_network_inspect,
    .network_create = r_network_create,
    .network_remove = r_network_remove,
    .network_connect = r_network_connect,
    .network_disconnect = r_network_disconnect,
    .volume_list = r_volume_list,
    .volume_inspect = r_volume_inspect,
    .volume_create = r_volume_create,
    .volume_remove = r_volume_remove,
    .volume_prune = r_volume_prune,
    .secret_list = r_secret_list,
    .secret_create = r_secret_create,
    .secret_update = r_secret_update,
    .secret_remove = r_secret_remove,
    .close = r_close,
};

static int remote_open(const struct cc_runtime_config *cfg, struct cc_runtime **out, struct cc_error **err)
{
	struct cc_remote_target t = {0};
	if (cfg->remote)
		t = *cfg->remote;
	if (!t.url) {
		t.url = getenv("CONTAINER_COMPOSE_HOST");
		if (!t.token)
			t.token = getenv("CONTAINER_COMPOSE_TOKEN");
	}
	struct remote *r = cc_xcalloc(1, sizeof(*r));
	if (rc_client_new(&t, &r->c, err) < 0) {
		free(r);
		return -1;
	}
	if (cc_curl_ready(err) < 0) {
		r_close(r);
		return -1;
	}
	*out = cc_runtime_new(BACKEND, &remote_ops, r);
	return 0;
}

const struct cc_backend cc_backend_remote = {BACKEND, remote_open};
