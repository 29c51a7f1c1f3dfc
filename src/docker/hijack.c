/* The engine's hijacked connections, for attach and interactive exec: the request asks to upgrade the
 * connection (base/http_upgrade.c), the engine answers 101 and the same connection then carries the
 * container's output one way and our input the other, until the output ends. */
#include "docker/docker-internal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/http_upgrade.h"
#include "base/term.h"
#include "base/xalloc.h"

struct relay {
	const struct dk_session *s;
	struct dk_client *c;
	struct cc_term *term; /* the caller's terminal while raw, or NULL */
};

static int dk_hijack_open(struct dk_client *c, const char *path, json_t *body, const char *what,
			  struct cc_http_upgraded *out, struct cc_error **err)
{
	if (dk_negotiate(c, err) < 0)
		return -1;
	cleanup_free char *target = cc_xasprintf("/v%s%s", c->api, path);
	cleanup_free char *url = cc_xasprintf("%s%s", c->base, target);
	struct cc_http_req answer = {.status = 0};
	int rc = cc_http_upgrade(&c->conn, url, "POST", target, body, what, &answer, out, err);
	if (rc <= 0)
		return rc;
	int rc2 = dk_check(c, &answer, what, NULL, err);
	cc_http_req_release(&answer);
	return rc2 < 0 ? -1
		       : cc_error_set(err, CC_ERR_BACKEND_FAILURE,
				      "%s: the engine did not upgrade the connection", what);
}

static void send_size(struct dk_client *c, const char *path, int terminal)
{
	unsigned rows, cols;
	if (!path || terminal < 0 || !cc_term_size(terminal, &rows, &cols) || !rows || !cols)
		return;
	cleanup_free char *p = cc_xasprintf("%s?h=%u&w=%u", path, rows, cols);
	struct cc_error *e = NULL;
	/* a size the engine refuses leaves the session as it was: not worth ending it for */
	if (dk_call(c, "POST", p, NULL, NULL, "resize", &e) < 0)
		cc_error_free(e);
}

static int relay_run(struct cc_http_upgraded *hj, const struct relay *r)
{
	if (hj->pending.len && r->s->out(r->s->ctx, hj->pending.buf, hj->pending.len) < 0)
		return 0;
	cc_strbuf_reset(&hj->pending);
	bool in_open = r->s->in_fd >= 0;
	int winch = r->term ? r->term->winch : -1;
	char buf[16384];
	/* TLS may already hold output read with the answer's head: read before the first wait */
	bool readable = true;
	for (;;) {
		while (readable) {
			ssize_t n = cc_http_upgraded_recv(hj, buf, sizeof(buf));
			if (n == -2)
				break;
			if (n <= 0)
				return n == 0 ? 0 : -1; /* the output ended: the process is done */
			if (r->s->out(r->s->ctx, buf, (size_t)n) < 0)
				return 0;
		}
		struct pollfd p[4] = {{hj->sock, POLLIN, 0},
				      {in_open ? r->s->in_fd : -1, POLLIN, 0},
				      {winch, POLLIN, 0},
				      {r->s->cancel, POLLIN, 0}};
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[3].revents)
			return 0;
		readable = p[0].revents != 0;
		if (in_open && p[1].revents) {
			ssize_t n = read(r->s->in_fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n > 0 && cc_http_upgraded_send(hj, buf, (size_t)n) < 0)
				in_open = false;
			if (n <= 0) {
				in_open = false;
				/* the end of our input is the end of the process's (no terminal: a terminal
				 * has no end of input, its process reads ^D itself) */
				if (r->s->terminal < 0)
					shutdown(hj->sock, SHUT_WR);
			}
		}
		if (winch >= 0 && p[2].revents) {
			cc_term_winch_ack(r->term);
			send_size(r->c, r->s->resize_path, r->s->terminal);
		}
	}
}

int dk_hijack_run(struct dk_client *c, const struct dk_session *s, const char *what, struct cc_error **err)
{
	struct cc_http_upgraded hj;
	if (dk_hijack_open(c, s->path, s->body, what, &hj, err) < 0)
		return -1;
	struct cc_term t;
	cc_term_enter(&t, s->terminal);
	if (t.raw)
		send_size(c, s->resize_path, s->terminal);
	struct relay r = {.s = s, .c = c, .term = t.raw ? &t : NULL};
	int rr = relay_run(&hj, &r);
	cc_term_leave(&t);
	cc_http_upgraded_close(&hj);
	if (rr < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "%s: the session's connection",
					  what);
	return 0;
}

/* ---- attach ---- */

struct attach_out {
	bool raw;            /* a terminal: the bytes as they come */
	int out_fd;          /* stdout; stderr goes to 2 when out_fd is 1, else with stdout */
	struct cc_strbuf in; /* framed: bytes not yet parsed */
};

static int attach_write(void *ctx, const char *data, size_t len)
{
	struct attach_out *a = ctx;
	if (a->raw) {
		int fd = a->out_fd;
		return cc_http_chunk_to_fd(&fd, data, len);
	}
	cc_strbuf_add(&a->in, data, len);
	size_t off = 0;
	while (a->in.len - off >= 8) {
		const unsigned char *h = (const unsigned char *)a->in.buf + off;
		size_t size = (size_t)h[4] << 24 | (size_t)h[5] << 16 | (size_t)h[6] << 8 | h[7];
		if (a->in.len - off - 8 < size)
			break;
		int fd = h[0] == 2 && a->out_fd == STDOUT_FILENO ? STDERR_FILENO : a->out_fd;
		if (cc_http_chunk_to_fd(&fd, a->in.buf + off + 8, size) < 0)
			return -1;
		off += 8 + size;
	}
	memmove(a->in.buf, a->in.buf + off, a->in.len - off);
	cc_strbuf_truncate(&a->in, a->in.len - off);
	return 0;
}

int dk_container_attach(void *self, const char *ref, const struct cc_attach_io *io, struct cc_error **err)
{
	struct dk_client *c = ((struct docker *)self)->c;
	struct cc_container ct;
	if (dk_container_inspect(self, ref, &ct, err) < 0)
		return -1;
	bool tty = ct.spec.tty, can = ct.spec.stdin_open || ct.spec.tty;
	bool running = ct.state == CC_STATE_RUNNING;
	cleanup_free char *cid = cc_http_escape(ct.id);
	cc_container_release(&ct);
	if (!running)
		return cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is not running", ref);
	if (!can)
		return cc_error_set(err, CC_ERR_INVALID_STATE,
				    "container %s was created without stdin_open or tty: there is nothing to "
				    "attach to",
				    ref);
	/* logs=1: what the container wrote before we connected comes first (a shell's first prompt), as
	 * the native backend replays it */
	cleanup_free char *path = cc_xasprintf(
	    "/containers/%s/attach?stream=1&logs=1&stdin=%d&stdout=1&stderr=1", cid, io->in_fd >= 0 ? 1 : 0);
	cleanup_free char *what = cc_xasprintf("container %s", ref);
	cleanup_free char *rpath = cc_xasprintf("/containers/%s/resize", cid);
	struct attach_out out = {.raw = tty, .out_fd = io->out_fd};
	cc_strbuf_init(&out.in);
	struct dk_session ss = {.path = path,
				.in_fd = io->in_fd,
				.terminal = tty ? io->terminal : -1,
				.resize_path = rpath,
				.out = attach_write,
				.ctx = &out,
				.cancel = io->cancel};
	int rc = dk_hijack_run(c, &ss, what, err);
	cc_strbuf_release(&out.in);
	return rc;
}
