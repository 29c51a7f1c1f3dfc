/* The client half of the daemon's interactive sessions (server/h_exec.c): after the upgrade, frames
 * (base/frame.h) go both ways on the connection: our input and the terminal's size one way, the process's
 * output and the session's end the other. */
#include "base/fsutil.h"
#include "base/clock.h"
#include "base/frame.h"
#include "base/term.h"
#include "base/xalloc.h"
#include "remote/client.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct session {
	struct cc_http_upgraded *u;
	const struct rc_session_io *io;
	struct cc_strbuf from;     /* the daemon's bytes not yet whole frames */
	struct cc_strbuf lines[2]; /* with a sink: stdout's and stderr's partial lines */
	bool ended;                /* the closing frame came */
	int code;
	struct cc_error *err;
	bool broken;    /* a write to the daemon failed */
	bool cancelled; /* the caller ended it */
};

static void send_frame(struct session *s, char type, const void *data, size_t len)
{
	struct cc_strbuf b = CC_STRBUF_INIT;
	cc_frame_put(&b, type, data, (uint32_t)len);
	if (!s->broken && cc_http_upgraded_send(s->u, b.buf, b.len) < 0)
		s->broken = true;
	cc_strbuf_release(&b);
}

static void send_size(struct session *s)
{
	unsigned rows, cols;
	if (s->io->terminal < 0 || !cc_term_size(s->io->terminal, &rows, &cols) || !rows || !cols)
		return;
	struct cc_strbuf b = CC_STRBUF_INIT;
	cc_frame_size_put(&b, rows, cols);
	if (!s->broken && cc_http_upgraded_send(s->u, b.buf, b.len) < 0)
		s->broken = true;
	cc_strbuf_release(&b);
}

/* With a sink: the whole lines of one stream's partial buffer (and the rest too when flushing). */
static void emit_lines(struct session *s, enum cc_stream stream, bool flush)
{
	struct cc_strbuf *b = &s->lines[stream == CC_STREAM_STDERR];
	size_t off = 0;
	while (off < b->len) {
		char *nl = memchr(b->buf + off, '\n', b->len - off);
		if (!nl && !flush)
			break;
		size_t len = nl ? (size_t)(nl - (b->buf + off)) : b->len - off;
		struct cc_log_frame f = {s->io->container, stream, cc_now_ns(), b->buf + off, len};
		if (s->io->sink->emit)
			s->io->sink->emit(s->io->sink->ctx, &f);
		off += nl ? len + 1 : len;
	}
	cc_frame_consumed(b, off);
}

static void output(struct session *s, char type, const char *data, size_t len)
{
	const struct rc_session_io *io = s->io;
	enum cc_stream stream = type == '2' ? CC_STREAM_STDERR : CC_STREAM_STDOUT;
	/* a write that fails has nowhere to go: the session goes on for its input's sake */
	if (io->terminal >= 0) {
		(void)cc_write_all(io->terminal, data, len);
	} else if (io->sink) {
		cc_strbuf_add(&s->lines[stream == CC_STREAM_STDERR], data, len);
		emit_lines(s, stream, false);
	} else {
		(void)cc_write_all(stream == CC_STREAM_STDERR && io->out_fd == STDOUT_FILENO ? STDERR_FILENO
											     : io->out_fd,
				   data, len);
	}
}

static void closing(struct session *s, char type, const char *data, size_t len)
{
	s->ended = true;
	json_t *j = json_loadb(data, len, 0, NULL);
	if (type == '!') {
		rc_frame_error(j, &s->err);
	} else {
		json_t *code = json_object_get(j, "exitCode");
		s->code = json_is_integer(code) ? (int)json_integer_value(code) : -1;
	}
	json_decref(j);
}

/* Take the whole frames of what the daemon sent; false when it is not a session's stream. */
static bool frames(struct session *s)
{
	size_t off = 0;
	char type;
	const char *p;
	uint32_t len;
	int got = 0;
	while (!s->ended && (got = cc_frame_next(&s->from, &off, &type, &p, &len)) > 0) {
		if (type == '1' || type == '2')
			output(s, type, p, len);
		else if (type == 'x' || type == '!')
			closing(s, type, p, len);
	}
	cc_frame_consumed(&s->from, off);
	return s->ended || got >= 0;
}

/* Read what the daemon has sent so far; false when the connection has ended. */
static bool receive(struct session *s)
{
	char buf[16384];
	for (;;) {
		ssize_t n = cc_http_upgraded_recv(s->u, buf, sizeof(buf));
		if (n == -2)
			return true;
		if (n <= 0)
			return false;
		cc_strbuf_add(&s->from, buf, (size_t)n);
		if (!frames(s))
			return false;
		if (s->ended)
			return true;
	}
}

static void relay(struct session *s, struct cc_term *t)
{
	const struct rc_session_io *io = s->io;
	bool in_open = io->in_fd >= 0;
	int winch = t->raw ? t->winch : -1;
	if (!frames(s) || s->ended)
		return;
	char buf[16384];
	/* TLS may already hold bytes read with the answer's head: read before the first wait */
	bool readable = true;
	while (!s->ended) {
		if (readable && !receive(s))
			return;
		if (s->ended)
			return;
		struct pollfd p[4] = {{s->u->sock, POLLIN, 0},
				      {in_open ? io->in_fd : -1, POLLIN, 0},
				      {winch, POLLIN, 0},
				      {io->cancel, POLLIN, 0}};
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[3].revents) {
			s->cancelled = true;
			return;
		}
		readable = p[0].revents != 0;
		if (in_open && p[1].revents) {
			ssize_t n = read(io->in_fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n > 0) {
				send_frame(s, 'd', buf, (size_t)n);
			} else {
				in_open = false;
				send_frame(s, 'e', NULL, 0);
			}
		}
		if (winch >= 0 && p[2].revents) {
			cc_term_winch_ack(t);
			send_size(s);
		}
	}
}

int rc_session_run(struct rc_client *c, const char *path, json_t *body, const struct rc_session_io *io,
		   int *exit_code, struct cc_error **err)
{
	unsigned rows, cols;
	if (io->terminal >= 0 && cc_term_size(io->terminal, &rows, &cols) && rows && cols)
		json_object_set_new(body, "terminalSize",
				    json_pack("{s:i, s:i}", "rows", rows, "columns", cols));
	struct cc_http_upgraded u;
	if (rc_upgrade(c, path, body, &u, err) < 0)
		return -1;
	struct session s = {.u = &u, .io = io, .code = -1};
	cc_strbuf_init(&s.from);
	cc_strbuf_init(&s.lines[0]);
	cc_strbuf_init(&s.lines[1]);
	cc_strbuf_add(&s.from, u.pending.buf, u.pending.len);
	struct cc_term t;
	cc_term_enter(&t, io->terminal);
	relay(&s, &t);
	cc_term_leave(&t);
	if (io->sink) {
		emit_lines(&s, CC_STREAM_STDOUT, true);
		emit_lines(&s, CC_STREAM_STDERR, true);
	}
	cc_http_upgraded_close(&u);
	cc_strbuf_release(&s.from);
	cc_strbuf_release(&s.lines[0]);
	cc_strbuf_release(&s.lines[1]);
	if (s.err) {
		*err = s.err;
		return -1;
	}
	if (!s.ended && !s.cancelled)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE,
				    "%s: the daemon's session ended without saying how it ended", path);
	*exit_code = s.code;
	return 0;
}
