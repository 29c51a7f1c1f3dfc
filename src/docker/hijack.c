/* The engine's hijacked connections, for attach and interactive exec: the request asks to upgrade the
 * connection ("Upgrade: tcp"), the engine answers 101 and the same connection then carries the container's
 * output one way and our input the other, until the output ends.
 *
 * libcurl connects (unix socket, TCP or TLS, as for every other request) with CONNECT_ONLY, and the
 * request is written by hand with curl_easy_send: libcurl has no way to hand over a connection after an
 * upgrade other than to a websocket, which the engine does not speak. The relay reads and writes through
 * libcurl too (TLS is its), polling the socket for readiness. */
#include "docker/docker-internal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/curl.h"
#include "base/term.h"
#include "base/xalloc.h"

struct dk_hijack {
	CURL *h;                  /* the libcurl handle that owns the connection */
	int sock;                 /* the connection */
	struct cc_strbuf pending; /* output that came with the answer's head */
};

struct relay {
	const struct dk_session *s;
	struct dk_client *c;
	struct cc_term *term; /* the caller's terminal while raw, or NULL */
};

#define HEAD_MAX (64 * 1024)
/* how long the engine may take to answer the request (not the session: that lasts as long as it lasts) */
#define ANSWER_TIMEOUT_MS (120 * 1000)

/* ---- the connection's bytes, through libcurl: plain or TLS alike ---- */

static int send_all(CURL *h, int sock, const char *p, size_t n)
{
	while (n) {
		size_t w = 0;
		CURLcode rc = curl_easy_send(h, p, n, &w);
		if (rc == CURLE_AGAIN) {
			struct pollfd pf = {sock, POLLOUT, 0};
			poll(&pf, 1, -1);
			continue;
		}
		if (rc != CURLE_OK)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

/* What can be read now: a count >0, 0 at the end of the stream, -1 on an error, -2 when nothing is there
 * yet (TLS may hold a part of a record: the socket's readiness alone does not say) */
static ssize_t recv_some(CURL *h, char *buf, size_t len)
{
	size_t n = 0;
	CURLcode rc = curl_easy_recv(h, buf, len, &n);
	if (rc == CURLE_AGAIN)
		return -2;
	return rc == CURLE_OK ? (ssize_t)n : -1;
}

/* Read into b until it holds the response's head; the head's length (through the blank line), or -1. */
static long read_head(CURL *h, int sock, struct cc_strbuf *b)
{
	char buf[4096];
	for (;;) {
		const char *end = b->len ? memmem(b->buf, b->len, "\r\n\r\n", 4) : NULL;
		if (end)
			return end + 4 - b->buf;
		if (b->len > HEAD_MAX)
			return -1;
		ssize_t n = recv_some(h, buf, sizeof(buf));
		if (n == -2) {
			struct pollfd pf = {sock, POLLIN, 0};
			int pr = poll(&pf, 1, ANSWER_TIMEOUT_MS);
			if (pr == 0 || (pr < 0 && errno != EINTR))
				return -1;
			continue;
		}
		if (n <= 0)
			return -1;
		cc_strbuf_add(b, buf, (size_t)n);
	}
}

/* An error answer's body: Content-Length bytes, or what comes until the engine closes. */
static void read_error_body(CURL *h, int sock, struct cc_strbuf *b, size_t have, size_t want)
{
	char buf[4096];
	while (have < want && b->len < HEAD_MAX * 2) {
		ssize_t n = recv_some(h, buf, sizeof(buf));
		if (n == -2) {
			struct pollfd pf = {sock, POLLIN, 0};
			if (poll(&pf, 1, 5000) <= 0)
				return;
			continue;
		}
		if (n <= 0)
			return;
		cc_strbuf_add(b, buf, (size_t)n);
		have += (size_t)n;
	}
}

static void dk_hijack_close(struct dk_hijack *hj)
{
	if (hj->h)
		curl_easy_cleanup(hj->h);
	hj->h = NULL;
	hj->sock = -1;
	cc_strbuf_release(&hj->pending);
}

static int dk_hijack_open(struct dk_client *c, const char *path, json_t *body, const char *what,
			  struct dk_hijack *out, struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	out->sock = -1;
	cc_strbuf_init(&out->pending);
	if (dk_negotiate(c, err) < 0)
		return -1;
	out->h = curl_easy_init();
	if (!out->h)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "cannot create a libcurl handle");
	char errbuf[CURL_ERROR_SIZE] = "";
	cleanup_free char *url = cc_xasprintf("%s/v%s%s", c->base, c->api, path);
	curl_easy_setopt(out->h, CURLOPT_URL, url);
	if (c->socket)
		curl_easy_setopt(out->h, CURLOPT_UNIX_SOCKET_PATH, c->socket);
	if (c->cacert)
		curl_easy_setopt(out->h, CURLOPT_CAINFO, c->cacert);
	if (c->cert)
		curl_easy_setopt(out->h, CURLOPT_SSLCERT, c->cert);
	if (c->key)
		curl_easy_setopt(out->h, CURLOPT_SSLKEY, c->key);
	curl_easy_setopt(out->h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(out->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(out->h, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(out->h);
	curl_socket_t s = CURL_SOCKET_BAD;
	if (rc == CURLE_OK)
		curl_easy_getinfo(out->h, CURLINFO_ACTIVESOCKET, &s);
	if (rc != CURLE_OK || s == CURL_SOCKET_BAD) {
		int r = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s: %s", c->name,
				     errbuf[0] ? errbuf : curl_easy_strerror(rc));
		dk_hijack_close(out);
		return r;
	}
	out->sock = s;
	/* no body at all without one: podman's service reads whatever follows the head as the container's
	 * input */
	cleanup_free char *json = body ? json_dumps(body, JSON_COMPACT) : cc_xstrdup("");
	cleanup_free char *req =
	    cc_xasprintf("POST /v%s%s HTTP/1.1\r\nHost: docker\r\n%s"
			 "Content-Length: %zu\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n%s",
			 c->api, path, body ? "Content-Type: application/json\r\n" : "", strlen(json), json);
	struct cc_strbuf *b = &out->pending;
	long head = send_all(out->h, s, req, strlen(req)) < 0 ? -1 : read_head(out->h, s, b);
	if (head < 0) {
		int r = cc_error_set(err, CC_ERR_BACKEND_FAILURE,
				     "%s: %s: no answer (the connection ended, or nothing came in 120 s)",
				     c->name, what);
		dk_hijack_close(out);
		return r;
	}
	/* "HTTP/1.1 101 UPGRADED": the stream follows the head; an older engine says 200 */
	long status = b->len > 12 ? strtol(b->buf + 9, NULL, 10) : 0;
	if (status == 101 || status == 200) {
		memmove(b->buf, b->buf + head, b->len - (size_t)head);
		cc_strbuf_truncate(b, b->len - (size_t)head);
		return 0;
	}
	const char *cl = memmem(b->buf, (size_t)head, "\r\nContent-Length:", 17);
	size_t want = cl ? (size_t)strtoul(cl + 17, NULL, 10) : HEAD_MAX;
	read_error_body(out->h, s, b, b->len - (size_t)head, want);
	struct cc_http_req r = {.status = status};
	cc_strbuf_init(&r.body);
	cc_strbuf_add(&r.body, b->buf + head, b->len - (size_t)head);
	int rc2 = dk_check(c, &r, what, NULL, err);
	cc_http_req_release(&r);
	dk_hijack_close(out);
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

static int relay_run(struct dk_hijack *hj, const struct relay *r)
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
			ssize_t n = recv_some(hj->h, buf, sizeof(buf));
			if (n == -2)
				break;
			if (n <= 0)
				return n == 0 ? 0 : -1; /* the output ended: the process is done */
			if (r->s->out(r->s->ctx, buf, (size_t)n) < 0)
				return 0;
		}
		struct pollfd p[3] = {
		    {hj->sock, POLLIN, 0}, {in_open ? r->s->in_fd : -1, POLLIN, 0}, {winch, POLLIN, 0}};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		readable = p[0].revents != 0;
		if (in_open && p[1].revents) {
			ssize_t n = read(r->s->in_fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n > 0 && send_all(hj->h, hj->sock, buf, (size_t)n) < 0)
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
	struct dk_hijack hj;
	if (dk_hijack_open(c, s->path, s->body, what, &hj, err) < 0)
		return -1;
	struct cc_term t;
	cc_term_enter(&t, s->terminal);
	if (t.raw)
		send_size(c, s->resize_path, s->terminal);
	struct relay r = {.s = s, .c = c, .term = t.raw ? &t : NULL};
	int rr = relay_run(&hj, &r);
	cc_term_leave(&t);
	dk_hijack_close(&hj);
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
				.ctx = &out};
	int rc = dk_hijack_run(c, &ss, what, err);
	cc_strbuf_release(&out.in);
	return rc;
}
