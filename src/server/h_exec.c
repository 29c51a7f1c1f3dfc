/* exec and attach: an exec's output as an NDJSON stream, and the interactive sessions, an exec with input
 * or a terminal and an attach, over an upgraded connection that carries frames (base/frame.h) both ways.
 *
 * A session runs the backend call (exec or attach) on its own thread and relays on a second one: the
 * client's frames become the process's input, its output becomes frames. The process gets a pseudo-terminal
 * of the daemon's when the session has a terminal: the client's size changes are set on it, and the call's
 * side reads them from there as it does from a user's terminal. */
#include "api/shapes.h"
#include "base/frame.h"
#include "base/xalloc.h"
#include "runtime/codec.h"
#include "server/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

/* how long the output may take to drain once the call has returned */
#define DRAIN_MS 2000

struct exec_ctx {
	char *id;
	bool attach; /* an attach, else an exec */
	cc_strv argv, env;
	char *user, *workdir;
	bool tty, privileged, detach;
	bool input; /* the client sends input */
	unsigned short rows, cols;
	struct srv_stream *st;
};

static void exec_free(void *p)
{
	struct exec_ctx *c = p;
	free(c->id);
	cc_strv_free(c->argv);
	cc_strv_free(c->env);
	free(c->user);
	free(c->workdir);
	free(c);
}

static struct cc_exec_opts exec_opts(const struct exec_ctx *c, const struct cc_exec_stdio *io)
{
	return (struct cc_exec_opts){.argv = c->argv,
				     .env = c->env,
				     .user = c->user,
				     .working_dir = c->workdir,
				     .tty = c->tty,
				     .detach = c->detach,
				     .privileged = c->privileged,
				     .stdio = io};
}

/* ---- the NDJSON stream ---- */

static int exec_emit(void *ctx, const struct cc_log_frame *f)
{
	struct exec_ctx *c = ctx;
	json_t *o = api_log_frame(f, false);
	json_object_del(o, "container");
	return srv_stream_write(c->st, o);
}

static int exec_produce(struct srv_stream *st, struct cc_runtime *rt, void *ctx, struct cc_error **err)
{
	struct exec_ctx *c = ctx;
	c->st = st;
	struct cc_exec_opts o = exec_opts(c, NULL);
	struct cc_log_sink sink = {exec_emit, c, NULL};
	int code = 0;
	if (cc_rt_container_exec(rt, c->id, &o, &sink, &code, err) < 0)
		return -1;
	json_t *fin = json_object();
	json_object_set_new(fin, "exitCode", json_integer(code));
	srv_stream_write(st, fin);
	return 0;
}

/* ---- sessions: the relay ---- */

struct relay {
	int sock;
	pthread_mutex_t wlock; /* frames to the client come from both threads */
	bool broken;           /* the client cannot be written to any more */
	bool tty, attach;
	int master;               /* the terminal's master: input and output (-1: no terminal) */
	int input;                /* without a terminal: the process's input pipe (-1: none) */
	int output;               /* an attach without a terminal: its output pipe (-1: none) */
	int done;                 /* eventfd: the call has returned */
	int cancel;               /* eventfd: the client has gone (ends an attach) */
	pthread_t caller;         /* the call's thread, told of size changes (an attach follows them) */
	struct cc_strbuf from;    /* the client's bytes not yet whole frames */
	struct cc_strbuf pending; /* input not yet taken by the process */
	bool end_input;           /* 'e' came: the input closes once pending is out */
	const char *early;
	size_t early_len;
};

static int send_frame(struct relay *r, char type, const void *data, size_t len)
{
	struct cc_strbuf b = CC_STRBUF_INIT;
	cc_frame_put(&b, type, data, (uint32_t)len);
	pthread_mutex_lock(&r->wlock);
	const char *p = b.buf;
	size_t n = b.len;
	while (n && !r->broken) {
		ssize_t w = send(r->sock, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			r->broken = true;
		else
			p += w, n -= (size_t)w;
	}
	bool ok = !r->broken;
	pthread_mutex_unlock(&r->wlock);
	cc_strbuf_release(&b);
	return ok ? 0 : -1;
}

static int input_fd(const struct relay *r)
{
	return r->tty ? r->master : r->input;
}

static void close_input(struct relay *r)
{
	cc_strbuf_reset(&r->pending);
	if (r->input >= 0)
		close(r->input);
	r->input = -1;
}

static void write_pending(struct relay *r)
{
	int fd = input_fd(r);
	while (fd >= 0 && r->pending.len) {
		ssize_t w = write(fd, r->pending.buf, r->pending.len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) { /* the process has closed its input */
			close_input(r);
			return;
		}
		cc_frame_consumed(&r->pending, (size_t)w);
	}
	if (r->end_input && !r->tty)
		close_input(r);
}

static void client_frame(struct relay *r, char type, const char *data, uint32_t len)
{
	unsigned short rows, cols;
	if (type == 'd' && input_fd(r) >= 0) {
		cc_strbuf_add(&r->pending, data, len);
	} else if (type == 'e') {
		/* a terminal has no end of input: its process reads ^D itself */
		r->end_input = true;
	} else if (type == 'w' && r->tty && cc_frame_size_get(data, len, &rows, &cols)) {
		struct winsize ws = {.ws_row = rows, .ws_col = cols};
		ioctl(r->master, TIOCSWINSZ, &ws);
		/* an exec's terminal relay (engine/termrelay.c) leads the terminal's session and gets
		 * SIGWINCH from the kernel; an attach follows it on the call's thread */
		if (r->attach)
			pthread_kill(r->caller, SIGWINCH);
	}
}

/* The client's bytes; false when it has gone or sent something that is not a frame. */
static bool client_bytes(struct relay *r, const char *data, size_t len)
{
	cc_strbuf_add(&r->from, data, len);
	size_t off = 0;
	char type;
	const char *payload;
	uint32_t plen;
	int got;
	while ((got = cc_frame_next(&r->from, &off, &type, &payload, &plen)) > 0)
		client_frame(r, type, payload, plen);
	cc_frame_consumed(&r->from, off);
	write_pending(r);
	return got >= 0;
}

static void client_gone(struct relay *r)
{
	pthread_mutex_lock(&r->wlock);
	r->broken = true;
	pthread_mutex_unlock(&r->wlock);
	if (!r->tty)
		close_input(r);
	cc_strbuf_reset(&r->pending);
	eventfd_write(r->cancel, 1);
}

/* Until the call has returned and its output is all out. */
static void *relay_main(void *arg)
{
	struct relay *r = arg;
	int out = r->tty ? r->master : r->output;
	bool client = true, done = false;
	if (r->early_len && !client_bytes(r, r->early, r->early_len)) {
		client = false;
		client_gone(r);
	}
	char buf[16384];
	for (;;) {
		if (done && out < 0)
			break;
		int in = input_fd(r);
		struct pollfd p[4] = {{client ? r->sock : -1, POLLIN, 0},
				      {out, POLLIN, 0},
				      {in >= 0 && r->pending.len ? in : -1, POLLOUT, 0},
				      {done ? -1 : r->done, POLLIN, 0}};
		int n = poll(p, 4, done ? DRAIN_MS : -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* drained as far as it will go */
		if (p[3].revents)
			done = true;
		if (p[0].revents) {
			ssize_t got = recv(r->sock, buf, sizeof(buf), 0);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0 || !client_bytes(r, buf, (size_t)got)) {
				client = false;
				client_gone(r);
			}
		}
		if (p[1].revents) {
			ssize_t got = read(out, buf, sizeof(buf));
			if (got < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (got > 0)
				send_frame(r, '1', buf, (size_t)got);
			else
				out = -1; /* the end (a terminal says EIO once nobody holds its other side) */
		}
		if (p[2].revents)
			write_pending(r);
	}
	return NULL;
}

/* ---- sessions: the call ---- */

/* The session's descriptors; the call's ends in *call_in, *call_out, *terminal (-1: none). */
static int session_fds(const struct exec_ctx *c, struct relay *r, int *call_in, int *call_out, int *terminal)
{
	*call_in = *call_out = *terminal = -1;
	r->done = eventfd(0, EFD_CLOEXEC);
	r->cancel = eventfd(0, EFD_CLOEXEC);
	if (r->done < 0 || r->cancel < 0)
		return -1;
	if (c->tty) {
		struct winsize ws = {.ws_row = c->rows, .ws_col = c->cols};
		int slave;
		if (openpty(&r->master, &slave, NULL, NULL, c->rows && c->cols ? &ws : NULL) < 0)
			return -1;
		fcntl(r->master, F_SETFD, FD_CLOEXEC);
		fcntl(slave, F_SETFD, FD_CLOEXEC);
		fcntl(r->master, F_SETFL, O_NONBLOCK);
		/* the bytes pass as they are: the container's own terminal does the line discipline */
		struct termios t;
		if (tcgetattr(slave, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(slave, TCSANOW, &t);
		}
		*call_in = *call_out = *terminal = slave;
		return 0;
	}
	int p[2];
	if (c->input) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
		*call_in = p[0];
		r->input = p[1];
		fcntl(r->input, F_SETFL, O_NONBLOCK);
	}
	if (c->attach) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
		r->output = p[0];
		*call_out = p[1];
	}
	return 0;
}

struct session_sink {
	struct relay *r;
	struct cc_strbuf line;
};

/* an exec without a terminal: its lines, each a frame of its stream */
static int session_emit(void *ctx, const struct cc_log_frame *f)
{
	struct session_sink *s = ctx;
	cc_strbuf_reset(&s->line);
	cc_strbuf_add(&s->line, f->data, f->len);
	cc_strbuf_addch(&s->line, '\n');
	return send_frame(s->r, f->stream == CC_STREAM_STDERR ? '2' : '1', s->line.buf, s->line.len);
}

static int session_call(struct exec_ctx *c, struct relay *r, struct cc_runtime *rt, int call_in, int call_out,
			int terminal, int *code, struct cc_error **err)
{
	if (c->attach) {
		struct cc_attach_io io = {.in_fd = c->input || c->tty ? call_in : -1,
					  .out_fd = call_out,
					  .terminal = terminal,
					  .cancel = r->cancel};
		return cc_rt_container_attach(rt, c->id, &io, err);
	}
	struct cc_exec_stdio io = {.in = call_in, .terminal = terminal};
	struct cc_exec_opts o = exec_opts(c, &io);
	struct session_sink s = {r, CC_STRBUF_INIT};
	struct cc_log_sink sink = {session_emit, &s, NULL};
	int rc = cc_rt_container_exec(rt, c->id, &o, &sink, code, err);
	cc_strbuf_release(&s.line);
	return rc;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* With a terminal the three ends are one descriptor: each is closed once. A second close() would take
 * whatever the number names by then, in a daemon whose other threads open sockets all the time. */
static void close_call_ends(int *call_in, int *call_out, int *terminal)
{
	if (*call_out == *call_in || *call_out == *terminal)
		*call_out = -1;
	if (*terminal == *call_in)
		*terminal = -1;
	close_fd(call_in);
	close_fd(call_out);
	close_fd(terminal);
}

static void session_end(struct relay *r, int rc, int code, struct cc_error **err)
{
	json_t *o = json_object();
	char type = 'x';
	if (rc < 0) {
		type = '!';
		unsigned status = srv_status_for_kind((*err)->kind);
		json_object_set_new(o, "error", json_string(srv_status_key(status)));
		json_object_set_new(o, "message",
				    json_string(status == 500 ? "internal error" : (*err)->msg));
		json_object_set_new(o, "kind", json_string(cc_err_kind_name((*err)->kind)));
		if (status == 500)
			fprintf(stderr, "session: internal error: %s\n", (*err)->msg);
		cc_error_release(err);
	} else if (code >= 0) {
		json_object_set_new(o, "exitCode", json_integer(code));
	}
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	send_frame(r, type, text, strlen(text));
	free(text);
}

static void session_run(struct server *s, int sock, const char *early, size_t early_len, void *ctx)
{
	struct exec_ctx *c = ctx;
	struct relay r = {.sock = sock,
			  .tty = c->tty,
			  .attach = c->attach,
			  .master = -1,
			  .input = -1,
			  .output = -1,
			  .done = -1,
			  .cancel = -1,
			  .caller = pthread_self(),
			  .from = CC_STRBUF_INIT,
			  .pending = CC_STRBUF_INIT,
			  .early = early,
			  .early_len = early_len};
	pthread_mutex_init(&r.wlock, NULL);
	int call_in, call_out, terminal;
	struct cc_error *err = NULL;
	struct cc_runtime *rt = NULL;
	int rc = -1, code = c->attach ? -1 : 0;
	pthread_t t;
	if (session_fds(c, &r, &call_in, &call_out, &terminal) < 0)
		cc_error_set_errno(&err, CC_ERR_INTERNAL, errno, "session for %s", c->id);
	else if (srv_pool_take(s, &rt, &err) == 0 && pthread_create(&t, NULL, relay_main, &r) != 0)
		cc_error_set(&err, CC_ERR_INTERNAL, "session for %s: out of threads", c->id);
	else if (rt) {
		rc = session_call(c, &r, rt, call_in, call_out, terminal, &code, &err);
		/* the call's ends close first, so that the output drains to its end */
		close_call_ends(&call_in, &call_out, &terminal);
		eventfd_write(r.done, 1);
		pthread_join(t, NULL);
	}
	session_end(&r, rc, code, &err);
	if (rt)
		srv_pool_give(s, rt);
	close_call_ends(&call_in, &call_out, &terminal);
	close_fd(&r.master);
	close_fd(&r.input);
	close_fd(&r.output);
	close_fd(&r.done);
	close_fd(&r.cancel);
	cc_strbuf_release(&r.from);
	cc_strbuf_release(&r.pending);
	pthread_mutex_destroy(&r.wlock);
}

/* ---- the routes ---- */

static bool strv_field(struct srv_req *r, json_t *b, const char *key, bool required, cc_strv *out)
{
	json_t *a = json_object_get(b, key);
	*out = NULL;
	if (!a || json_is_null(a)) {
		if (required)
			srv_reply_status(r, 400, "%s: required", key);
		return !required;
	}
	if (!json_is_array(a) || (required && json_array_size(a) == 0)) {
		srv_reply_status(r, 400, "%s: expected a%s array of strings", key,
				 required ? " non-empty" : "n");
		return false;
	}
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v)) {
			cc_strv_free(*out);
			*out = NULL;
			srv_reply_status(r, 400, "%s[%zu]: expected a string", key, i);
			return false;
		}
		cc_strv_push(out, json_string_value(v));
	}
	return true;
}

/* terminalSize {rows, columns}: optional; false with a 400 replied when malformed */
static bool size_field(struct srv_req *r, json_t *b, struct exec_ctx *c)
{
	json_t *ts = json_object_get(b, "terminalSize");
	if (!ts)
		return true;
	json_t *rows = json_object_get(ts, "rows"), *cols = json_object_get(ts, "columns");
	if (!json_is_object(ts) || !json_is_integer(rows) || !json_is_integer(cols) ||
	    json_integer_value(rows) < 1 || json_integer_value(rows) > 65535 ||
	    json_integer_value(cols) < 1 || json_integer_value(cols) > 65535) {
		srv_reply_status(r, 400, "terminalSize: expected {\"rows\": 1-65535, \"columns\": 1-65535}");
		return false;
	}
	c->rows = (unsigned short)json_integer_value(rows);
	c->cols = (unsigned short)json_integer_value(cols);
	return true;
}

/* The container behind {id}, running; else the error replied and NULL (its name otherwise, owned). */
static char *running_container(struct srv_req *r, struct cc_runtime *rt, struct cc_container *out)
{
	if (!srv_container_load(r, rt, out))
		return NULL;
	if (out->state != CC_STATE_RUNNING) {
		srv_reply_status(r, 409, "container %s is %s; expected it running", srv_param(r, 0),
				 cc_state_name(out->state));
		cc_container_release(out);
		return NULL;
	}
	return cc_xstrdup(out->name);
}

void h_container_exec(struct srv_req *r)
{
	json_t *b = srv_body_json(r, false);
	struct cc_runtime *rt = b ? srv_runtime(r) : NULL;
	if (!rt) {
		json_decref(b);
		return;
	}
	bool upgrade = srv_wants_upgrade(r);
	struct exec_ctx *ctx = cc_xcalloc(1, sizeof(*ctx));
	bool ok = strv_field(r, b, "command", true, &ctx->argv) &&
		  strv_field(r, b, "environment", false, &ctx->env) && size_field(r, b, ctx);
	const char *user = json_string_value(json_object_get(b, "user"));
	const char *wd = json_string_value(json_object_get(b, "workingDirectory"));
	ctx->user = user ? cc_xstrdup(user) : NULL;
	ctx->workdir = wd ? cc_xstrdup(wd) : NULL;
	ctx->tty = json_is_true(json_object_get(b, "tty"));
	ctx->privileged = json_is_true(json_object_get(b, "privileged"));
	ctx->detach = json_is_true(json_object_get(b, "detach"));
	ctx->input = json_is_true(json_object_get(b, "stdin"));
	json_decref(b);
	if (ok && ctx->detach && upgrade) {
		srv_reply_status(r, 400, "detach: a detached exec has no session to upgrade to");
		ok = false;
	} else if (ok && ctx->input && !upgrade) {
		srv_reply_status(
		    r, 400, "stdin: input needs an upgraded connection (Connection: Upgrade, Upgrade: tcp)");
		ok = false;
	}
	struct cc_container c;
	if (!ok || !(ctx->id = running_container(r, rt, &c))) {
		exec_free(ctx);
		return;
	}
	cc_container_release(&c);
	if (upgrade)
		srv_reply_upgrade(r, session_run, ctx, exec_free);
	else
		srv_reply_stream(r, "application/x-ndjson", exec_produce, ctx, exec_free);
}

void h_container_attach(struct srv_req *r)
{
	json_t *b = srv_body_json(r, true);
	struct cc_runtime *rt = b ? srv_runtime(r) : NULL;
	if (!rt) {
		json_decref(b);
		return;
	}
	struct exec_ctx *ctx = cc_xcalloc(1, sizeof(*ctx));
	ctx->attach = true;
	json_t *in = json_object_get(b, "stdin");
	ctx->input = !in || json_is_true(in);
	bool ok = size_field(r, b, ctx);
	json_decref(b);
	if (ok && !srv_wants_upgrade(r)) {
		srv_reply_status(r, 400,
				 "attach needs an upgraded connection (Connection: Upgrade, Upgrade: tcp)");
		ok = false;
	}
	struct cc_container c;
	if (!ok || !(ctx->id = running_container(r, rt, &c))) {
		exec_free(ctx);
		return;
	}
	bool can = c.spec.stdin_open || c.spec.tty;
	ctx->tty = c.spec.tty;
	cc_container_release(&c);
	if (!can) {
		srv_reply_status(
		    r, 409,
		    "container %s was created without stdin_open or tty: there is nothing to attach to",
		    srv_param(r, 0));
		exec_free(ctx);
		return;
	}
	srv_reply_upgrade(r, session_run, ctx, exec_free);
}
