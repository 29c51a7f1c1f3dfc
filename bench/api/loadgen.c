/* loadgen: a small HTTP/1.1 load generator for bench/api (the REST daemons' benchmark).
 *
 *   loadgen [-c CONNECTIONS=64] [-d SECONDS=5] [-t THREADS=1] [-H 'Name: value']... [--warmup SECONDS=1]
 *           TARGET PATH
 *
 * TARGET is unix:/path/to.sock or tcp:HOST:PORT. CONNECTIONS keep-alive connections are spread over THREADS
 * threads, each running its own epoll loop. A connection sends `GET PATH` one request at a time (no
 * pipelining), reads the whole response (Content-Length, chunked, or until close), records the latency from
 * the first byte written to the last byte read, then sends the next request. A response that closes the
 * connection (Connection: close, HTTP/1.0, or a body delimited by the close) is followed by a reconnect,
 * which is counted; connect time is not part of any request's latency.
 *
 * Only responses that complete inside the measured window [warmup, warmup + SECONDS) count; so do the errors
 * and reconnects. Prints one JSON line on stdout. Exits 1 when the target cannot be connected to at all.
 *
 * Standalone on purpose (libc and pthreads only): build with
 *   gcc -O2 -std=c11 -Wall -Wextra -D_GNU_SOURCE -o loadgen loadgen.c -pthread */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LG_BUF_SIZE    32768 /* per connection: the longest header block or chunk-size line */
#define LG_MAX_EVENTS  256
#define LG_MAX_WAIT_MS 50 /* epoll_wait's longest sleep, so backoffs and the end are noticed */

/* Latency histogram, in microseconds: one bucket per µs below 1024 µs, then 512 buckets per power of two
 * (relative error under 0.1%) up to 2^36 µs; larger values land in the last bucket. */
#define LG_HIST_EXACT   1024
#define LG_HIST_SUBBITS 9
#define LG_HIST_SUB     (1 << LG_HIST_SUBBITS)
#define LG_HIST_OCTAVES 26
#define LG_HIST_SIZE    (LG_HIST_EXACT + LG_HIST_OCTAVES * LG_HIST_SUB)

struct lg_stats {
	uint64_t requests;
	uint64_t non2xx;
	uint64_t errors;
	uint64_t reconnects;
	uint64_t max_ns;
	uint64_t hist[LG_HIST_SIZE];
};

struct lg_target {
	char spec[512]; /* as given, for the report */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int family;
};

enum lg_state {
	LG_CONNECTING,
	LG_WRITING,
	LG_READING,
	LG_BACKOFF,
};

enum lg_parse {
	LG_P_STATUS,
	LG_P_HEADERS,
	LG_P_BODY_LENGTH,
	LG_P_CHUNK_SIZE,
	LG_P_CHUNK_DATA,
	LG_P_CHUNK_CRLF,
	LG_P_TRAILERS,
	LG_P_BODY_EOF,
};

struct lg_thread;

struct lg_conn {
	struct lg_thread *thr;
	int fd;
	enum lg_state state;
	uint32_t events; /* what epoll watches for now */
	size_t wr_off;
	int64_t sent_ns;
	int64_t retry_ns;
	unsigned fails; /* consecutive failures, for the backoff */
	/* response parser */
	char *buf;
	size_t len;
	enum lg_parse ps;
	int status;
	bool http10;
	bool keep_alive;
	bool close_after;
	bool chunked;
	bool has_length;
	uint64_t remaining;
};

struct lg_thread {
	pthread_t tid;
	int epfd;
	const struct lg_target *target;
	const char *req;
	size_t req_len;
	int64_t warm_end_ns;
	int64_t end_ns;
	struct lg_conn *conns;
	size_t nconns;
	size_t nbackoff;
	uint64_t connects; /* successful connects, warmup included */
	struct lg_stats st;
};

static int64_t lg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* --- histogram --- */

static size_t lg_hist_index(uint64_t us)
{
	unsigned k;
	size_t sub;

	if (us < LG_HIST_EXACT)
		return (size_t)us;
	k = 63 - (unsigned)__builtin_clzll(us); /* 2^k <= us < 2^(k+1), k >= 10 */
	if (k >= 10 + LG_HIST_OCTAVES)
		return LG_HIST_SIZE - 1;
	sub = (size_t)(us >> (k - LG_HIST_SUBBITS)) & (LG_HIST_SUB - 1);
	return LG_HIST_EXACT + (size_t)(k - 10) * LG_HIST_SUB + sub;
}

/* The middle of bucket i, in microseconds. */
static double lg_hist_value(size_t i)
{
	unsigned k;
	uint64_t sub, lower, width;

	if (i < LG_HIST_EXACT)
		return (double)i;
	k = (unsigned)((i - LG_HIST_EXACT) / LG_HIST_SUB) + 10;
	sub = (i - LG_HIST_EXACT) % LG_HIST_SUB;
	lower = (LG_HIST_SUB + sub) << (k - LG_HIST_SUBBITS);
	width = (uint64_t)1 << (k - LG_HIST_SUBBITS);
	return (double)lower + (double)(width - 1) / 2.0;
}

static void lg_hist_record(struct lg_stats *st, int64_t ns)
{
	uint64_t v = ns > 0 ? (uint64_t)ns : 0;

	st->hist[lg_hist_index((v + 500) / 1000)]++;
	if (v > st->max_ns)
		st->max_ns = v;
}

/* Nearest rank: the smallest recorded value with at least q of all samples at or below it; in ms. */
static double lg_hist_quantile_ms(const struct lg_stats *st, double q)
{
	uint64_t total = 0, rank, seen = 0;
	double v;
	size_t i;

	for (i = 0; i < LG_HIST_SIZE; i++)
		total += st->hist[i];
	if (total == 0)
		return 0.0;
	rank = (uint64_t)(q * (double)total);
	if ((double)rank < q * (double)total)
		rank++; /* the ceiling, without libm */
	if (rank < 1)
		rank = 1;
	for (i = 0; i < LG_HIST_SIZE; i++) {
		seen += st->hist[i];
		if (seen >= rank)
			break;
	}
	v = lg_hist_value(i) / 1000.0;
	/* a bucket's middle may lie above the largest sample in it */
	if (v > (double)st->max_ns / 1e6)
		v = (double)st->max_ns / 1e6;
	return v;
}

/* --- response parser --- */

static void lg_parse_reset(struct lg_conn *c)
{
	c->ps = LG_P_STATUS;
	c->status = 0;
	c->http10 = false;
	c->keep_alive = false;
	c->close_after = false;
	c->chunked = false;
	c->has_length = false;
	c->remaining = 0;
}

/* Whether the comma-separated list v (of length n) holds token tok, case-insensitively. */
static bool lg_has_token(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok), i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && strncasecmp(v + s, tok, tl) == 0)
			return true;
	}
	return false;
}

static int lg_parse_status_line(struct lg_conn *c, const char *l, size_t n)
{
	int i;

	/* HTTP/1.x SSS[ reason] */
	if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || (l[7] != '0' && l[7] != '1') || l[8] != ' ')
		return -1;
	c->status = 0;
	for (i = 9; i < 12; i++) {
		if (l[i] < '0' || l[i] > '9')
			return -1;
		c->status = c->status * 10 + (l[i] - '0');
	}
	if (n > 12 && l[12] != ' ')
		return -1;
	c->http10 = l[7] == '0';
	return 0;
}

static int lg_parse_header(struct lg_conn *c, const char *l, size_t n)
{
	const char *colon = memchr(l, ':', n);
	const char *v, *end = l + n;
	size_t name_len, vn;

	if (!colon || colon == l)
		return -1;
	name_len = (size_t)(colon - l);
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	vn = (size_t)(end - v);

	if (name_len == 14 && strncasecmp(l, "content-length", 14) == 0) {
		uint64_t x = 0;
		size_t i;

		if (vn == 0)
			return -1;
		for (i = 0; i < vn; i++) {
			if (v[i] < '0' || v[i] > '9' || x > (UINT64_MAX - 9) / 10)
				return -1;
			x = x * 10 + (uint64_t)(v[i] - '0');
		}
		if (c->has_length && c->remaining != x)
			return -1; /* two different lengths: refuse, as RFC 9112 says */
		c->has_length = true;
		c->remaining = x;
	} else if (name_len == 17 && strncasecmp(l, "transfer-encoding", 17) == 0) {
		if (lg_has_token(v, vn, "chunked"))
			c->chunked = true;
	} else if (name_len == 10 && strncasecmp(l, "connection", 10) == 0) {
		if (lg_has_token(v, vn, "close"))
			c->close_after = true;
		if (lg_has_token(v, vn, "keep-alive"))
			c->keep_alive = true;
	}
	return 0;
}

/* The header block is complete: choose how the body ends. Returns 1 when the response is complete. */
static int lg_parse_headers_done(struct lg_conn *c)
{
	if (c->status >= 100 && c->status < 200) {
		if (c->status == 101)
			return -1; /* an upgrade we did not ask for */
		lg_parse_reset(c); /* an interim response: the real one follows */
		return 0;
	}
	if (c->http10 && !c->keep_alive)
		c->close_after = true;
	if (c->status == 204 || c->status == 304)
		return 1;
	if (c->chunked) {
		c->ps = LG_P_CHUNK_SIZE;
		return 0;
	}
	if (c->has_length) {
		if (c->remaining == 0)
			return 1;
		c->ps = LG_P_BODY_LENGTH;
		return 0;
	}
	c->ps = LG_P_BODY_EOF; /* no length: the body ends when the server closes */
	c->close_after = true;
	return 0;
}

static int lg_parse_chunk_size(struct lg_conn *c, const char *l, size_t n)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = l[i];
		unsigned d;

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			break;
		if (x > (UINT64_MAX >> 4))
			return -1;
		x = (x << 4) | d;
	}
	if (i == 0 || (i < n && l[i] != ';' && l[i] != ' ' && l[i] != '\t'))
		return -1;
	if (x == 0) {
		c->ps = LG_P_TRAILERS;
	} else {
		c->remaining = x;
		c->ps = LG_P_CHUNK_DATA;
	}
	return 0;
}

/* Consume what c->buf holds. Returns -1 on a protocol error, 0 when more input is needed, 1 when the response
 * is complete (c->buf then keeps only what followed it). eof: the peer has closed. */
static int lg_parse(struct lg_conn *c, bool eof)
{
	size_t pos = 0;
	int r = 0;

	while (r == 0 && pos < c->len) {
		const char *p = c->buf + pos;
		size_t avail = c->len - pos;
		const char *nl;
		size_t n;

		switch (c->ps) {
		case LG_P_BODY_LENGTH:
		case LG_P_CHUNK_DATA:
			n = avail < c->remaining ? avail : (size_t)c->remaining;
			pos += n;
			c->remaining -= n;
			if (c->remaining == 0) {
				if (c->ps == LG_P_BODY_LENGTH)
					r = 1;
				else
					c->ps = LG_P_CHUNK_CRLF;
			}
			continue;
		case LG_P_BODY_EOF:
			pos = c->len;
			continue;
		default:
			break;
		}

		/* the line-oriented states; a bare LF is accepted as a line end too */
		nl = memchr(p, '\n', avail);
		if (!nl)
			break;
		pos += (size_t)(nl - p) + 1;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;

		switch (c->ps) {
		case LG_P_STATUS:
			if (lg_parse_status_line(c, p, n) < 0)
				return -1;
			c->ps = LG_P_HEADERS;
			break;
		case LG_P_HEADERS:
			if (n == 0)
				r = lg_parse_headers_done(c);
			else if (lg_parse_header(c, p, n) < 0)
				return -1;
			break;
		case LG_P_CHUNK_SIZE:
			if (lg_parse_chunk_size(c, p, n) < 0)
				return -1;
			break;
		case LG_P_CHUNK_CRLF:
			if (n != 0)
				return -1;
			c->ps = LG_P_CHUNK_SIZE;
			break;
		case LG_P_TRAILERS:
			if (n == 0)
				r = 1;
			break;
		default:
			return -1;
		}
		if (r < 0)
			return -1;
	}

	/* keep only the unconsumed tail (a partial line, or what followed the response) */
	if (pos > 0) {
		memmove(c->buf, c->buf + pos, c->len - pos);
		c->len -= pos;
	}
	if (r != 0)
		return r;
	if (eof)
		return c->ps == LG_P_BODY_EOF ? 1 : -1;
	if (c->len == LG_BUF_SIZE)
		return -1; /* a line longer than the buffer */
	return 0;
}

/* --- connections --- */

static bool lg_in_window(const struct lg_thread *t, int64_t now)
{
	return now >= t->warm_end_ns && now < t->end_ns;
}

static int lg_set_events(struct lg_conn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	if (c->events == events)
		return 0;
	if (epoll_ctl(c->thr->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		return -1;
	c->events = events;
	return 0;
}

static void lg_conn_close(struct lg_conn *c)
{
	if (c->fd >= 0) {
		/* close() drops the epoll registration: fds are never dup'ed here */
		close(c->fd);
		c->fd = -1;
	}
	c->len = 0;
}

static void lg_conn_start(struct lg_conn *c, int64_t now);

/* A socket error: count it, drop the connection, reconnect (at once the first time, then backing off). */
static void lg_conn_fail(struct lg_conn *c, int64_t now)
{
	struct lg_thread *t = c->thr;

	if (lg_in_window(t, now))
		t->st.errors++;
	lg_conn_close(c);
	c->fails++;
	if (c->fails == 1) {
		lg_conn_start(c, now);
		return;
	}
	c->state = LG_BACKOFF;
	c->retry_ns = now + (int64_t)(c->fails < 7 ? 1 << c->fails : 100) * 1000000; /* 4, 8, ... 100 ms */
	t->nbackoff++;
}

static void lg_conn_send(struct lg_conn *c, int64_t now)
{
	struct lg_thread *t = c->thr;

	if (c->wr_off == 0) {
		c->sent_ns = now;
		lg_parse_reset(c);
	}
	c->state = LG_WRITING;
	while (c->wr_off < t->req_len) {
		ssize_t n = send(c->fd, t->req + c->wr_off, t->req_len - c->wr_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (lg_set_events(c, EPOLLIN | EPOLLOUT) < 0)
					lg_conn_fail(c, now);
				return;
			}
			lg_conn_fail(c, now);
			return;
		}
		c->wr_off += (size_t)n;
	}
	c->wr_off = 0;
	c->state = LG_READING;
	if (lg_set_events(c, EPOLLIN) < 0)
		lg_conn_fail(c, now);
}

static void lg_conn_start(struct lg_conn *c, int64_t now)
{
	struct lg_thread *t = c->thr;
	struct epoll_event ev = {.data.ptr = c};
	int one = 1;

	c->wr_off = 0;
	c->len = 0;
	c->fd = socket(t->target->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		lg_conn_fail(c, now);
		return;
	}
	if (t->target->family != AF_UNIX)
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (const struct sockaddr *)&t->target->addr, t->target->addrlen) == 0) {
		c->state = LG_WRITING;
		c->events = ev.events = EPOLLIN;
	} else if (errno == EINPROGRESS) {
		c->state = LG_CONNECTING;
		c->events = ev.events = EPOLLOUT;
	} else {
		/* refused, or EAGAIN: a unix socket's backlog is full */
		lg_conn_fail(c, now);
		return;
	}
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		lg_conn_fail(c, now);
		return;
	}
	if (c->state == LG_WRITING) {
		t->connects++;
		lg_conn_send(c, now);
	}
}

/* A complete response: record it, then the next request (on a new connection if this one is closing). */
static void lg_conn_done(struct lg_conn *c, int64_t now)
{
	struct lg_thread *t = c->thr;
	bool counted = lg_in_window(t, now);

	c->fails = 0;
	if (counted) {
		t->st.requests++;
		if (c->status < 200 || c->status > 299)
			t->st.non2xx++;
		lg_hist_record(&t->st, now - c->sent_ns);
	}
	if (now >= t->end_ns)
		return;
	if (c->len > 0) {
		/* bytes after the response we asked for: the stream cannot be trusted */
		lg_conn_fail(c, now);
		return;
	}
	if (c->close_after) {
		if (counted)
			t->st.reconnects++;
		lg_conn_close(c);
		lg_conn_start(c, now);
		return;
	}
	lg_conn_send(c, now);
}

static void lg_conn_read(struct lg_conn *c, int64_t now)
{
	ssize_t n;
	int r;

	n = read(c->fd, c->buf + c->len, LG_BUF_SIZE - c->len);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		lg_conn_fail(c, now);
		return;
	}
	c->len += (size_t)n;
	r = lg_parse(c, n == 0);
	if (r < 0 || (r == 0 && n == 0)) {
		lg_conn_fail(c, now);
		return;
	}
	if (r == 1)
		lg_conn_done(c, now);
}

static void lg_conn_event(struct lg_conn *c, uint32_t events, int64_t now)
{
	if (c->state == LG_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
			lg_conn_fail(c, now);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		c->thr->connects++;
		lg_conn_send(c, now);
		return;
	}
	if (c->state == LG_WRITING && (events & EPOLLOUT)) {
		lg_conn_send(c, now);
		if (c->fd < 0 || c->state != LG_READING)
			return;
	}
	if ((c->state == LG_READING || c->state == LG_WRITING) && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		lg_conn_read(c, now);
}

static void *lg_thread_main(void *arg)
{
	struct lg_thread *t = arg;
	struct epoll_event evs[LG_MAX_EVENTS];
	int64_t now = lg_now();
	size_t i;

	for (i = 0; i < t->nconns; i++)
		lg_conn_start(&t->conns[i], now);

	for (;;) {
		int64_t wait_ns, next;
		int n, k;

		now = lg_now();
		if (now >= t->end_ns)
			break;
		next = t->end_ns;
		if (t->nbackoff > 0) {
			for (i = 0; i < t->nconns; i++) {
				struct lg_conn *c = &t->conns[i];

				if (c->state != LG_BACKOFF)
					continue;
				if (c->retry_ns <= now) {
					t->nbackoff--;
					lg_conn_start(c, now);
				} else if (c->retry_ns < next) {
					next = c->retry_ns;
				}
			}
		}
		wait_ns = next - now;
		if (wait_ns > (int64_t)LG_MAX_WAIT_MS * 1000000)
			wait_ns = (int64_t)LG_MAX_WAIT_MS * 1000000;
		n = epoll_wait(t->epfd, evs, LG_MAX_EVENTS, (int)((wait_ns + 999999) / 1000000));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("loadgen: epoll_wait");
			break;
		}
		now = lg_now();
		for (k = 0; k < n; k++) {
			struct lg_conn *c = evs[k].data.ptr;

			/* an earlier event in this batch may have failed this connection and parked it */
			if (c->fd < 0 || c->state == LG_BACKOFF)
				continue;
			lg_conn_event(c, evs[k].events, now);
		}
	}
	for (i = 0; i < t->nconns; i++)
		lg_conn_close(&t->conns[i]);
	return NULL;
}

/* --- set-up and report --- */

static void lg_usage(FILE *f)
{
	fputs("usage: loadgen [-c CONNECTIONS=64] [-d SECONDS=5] [-t THREADS=1] [-H 'Name: value']...\n"
	      "               [--warmup SECONDS=1] TARGET PATH\n"
	      "  TARGET: unix:/path/to.sock or tcp:HOST:PORT (e.g. tcp:127.0.0.1:8080)\n"
	      "Sends GET PATH on keep-alive connections, one request at a time each; prints one JSON line.\n",
	      f);
}

static int lg_parse_target(const char *spec, struct lg_target *t)
{
	if (strlen(spec) >= sizeof(t->spec)) {
		fprintf(stderr, "loadgen: target too long\n");
		return -1;
	}
	strcpy(t->spec, spec);
	memset(&t->addr, 0, sizeof(t->addr));

	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un *un = (struct sockaddr_un *)&t->addr;
		const char *path = spec + 5;

		if (strncmp(path, "//", 2) == 0)
			path += 2; /* unix:///abs/path too */
		if (*path == '\0' || strlen(path) >= sizeof(un->sun_path)) {
			fprintf(stderr, "loadgen: bad unix socket path in '%s'\n", spec);
			return -1;
		}
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, path);
		t->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
		t->family = AF_UNIX;
		return 0;
	}
	if (strncmp(spec, "tcp:", 4) == 0) {
		char host[256];
		const char *hp = spec + 4, *colon;
		size_t hl;
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
		struct addrinfo *res = NULL;
		int rc;

		if (strncmp(hp, "//", 2) == 0)
			hp += 2;
		colon = strrchr(hp, ':');
		if (!colon || colon == hp || colon[1] == '\0') {
			fprintf(stderr, "loadgen: target '%s' needs tcp:HOST:PORT\n", spec);
			return -1;
		}
		hl = (size_t)(colon - hp);
		if (hp[0] == '[' && hl >= 2 && hp[hl - 1] == ']') {
			hp++;
			hl -= 2;
		}
		if (hl == 0 || hl >= sizeof(host)) {
			fprintf(stderr, "loadgen: bad host in '%s'\n", spec);
			return -1;
		}
		memcpy(host, hp, hl);
		host[hl] = '\0';
		rc = getaddrinfo(host, colon + 1, &hints, &res);
		if (rc != 0) {
			fprintf(stderr, "loadgen: cannot resolve '%s': %s\n", spec, gai_strerror(rc));
			return -1;
		}
		memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
		t->addrlen = res->ai_addrlen;
		t->family = res->ai_family;
		freeaddrinfo(res);
		return 0;
	}
	fprintf(stderr, "loadgen: target '%s' must be unix:/path or tcp:HOST:PORT\n", spec);
	return -1;
}

/* One blocking connect before the run, so that a wrong target fails clearly. */
static int lg_probe(const struct lg_target *t)
{
	int fd = socket(t->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)&t->addr, t->addrlen) < 0) {
		fprintf(stderr, "loadgen: cannot connect to %s: %s\n", t->spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* A number in [min, max] (a whole one when whole is set) into *out; -1 after a message otherwise. */
static int lg_parse_number(const char *opt, const char *s, double min, double max, bool whole, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max) ||
	    (whole && v != (double)(long long)v)) {
		fprintf(stderr, "loadgen: %s wants a%s number in [%g, %g], not '%s'\n", opt,
			whole ? " whole" : "", min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

static void lg_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* Enough descriptors for every connection, within the hard limit. */
static void lg_raise_nofile(size_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* GET path HTTP/1.1, Host, the extra headers, an empty line; NULL (after a message) on a bad header. */
static char *lg_build_request(const char *path, char **headers, size_t nheaders, size_t *len_out)
{
	size_t len = strlen("GET  HTTP/1.1\r\nHost: localhost\r\n\r\n") + strlen(path) + 1;
	char *req, *p;
	size_t i;

	for (i = 0; i < nheaders; i++) {
		if (!strchr(headers[i], ':') || headers[i][0] == ':' || strpbrk(headers[i], "\r\n")) {
			fprintf(stderr, "loadgen: header '%s' is not 'Name: value'\n", headers[i]);
			return NULL;
		}
		len += strlen(headers[i]) + 2;
	}
	req = malloc(len);
	if (!req) {
		perror("loadgen");
		exit(1);
	}
	p = req + sprintf(req, "GET %s HTTP/1.1\r\nHost: localhost\r\n", path);
	for (i = 0; i < nheaders; i++)
		p += sprintf(p, "%s\r\n", headers[i]);
	p += sprintf(p, "\r\n");
	*len_out = (size_t)(p - req);
	return req;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"connections", required_argument, NULL, 'c'},
	    {"duration", required_argument, NULL, 'd'},
	    {"threads", required_argument, NULL, 't'},
	    {"header", required_argument, NULL, 'H'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	double connections = 64, seconds = 5, threads = 1, warmup = 1;
	char **headers = NULL;
	size_t nheaders = 0, nconns, nthreads, i;
	struct lg_target target;
	struct lg_thread *thr;
	struct lg_conn *conns;
	struct lg_stats *total;
	char *req;
	size_t req_len;
	const char *path;
	int64_t t0, warm_end, end;
	uint64_t connects = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "+c:d:t:H:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (lg_parse_number("-c", optarg, 1, 1000000, true, &connections) < 0)
				return 2;
			break;
		case 'd':
			if (lg_parse_number("-d", optarg, 0.001, 86400, false, &seconds) < 0)
				return 2;
			break;
		case 't':
			if (lg_parse_number("-t", optarg, 1, 1024, true, &threads) < 0)
				return 2;
			break;
		case 'w':
			if (lg_parse_number("--warmup", optarg, 0, 86400, false, &warmup) < 0)
				return 2;
			break;
		case 'H':
			headers = realloc(headers, (nheaders + 1) * sizeof(*headers));
			if (!headers) {
				perror("loadgen");
				return 1;
			}
			headers[nheaders++] = optarg;
			break;
		case 'h':
			lg_usage(stdout);
			return 0;
		default:
			lg_usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		lg_usage(stderr);
		return 2;
	}
	path = argv[optind + 1];
	if (path[0] != '/' || strpbrk(path, " \r\n")) {
		fprintf(stderr, "loadgen: PATH must start with '/' and hold no spaces: '%s'\n", path);
		return 2;
	}
	if (lg_parse_target(argv[optind], &target) < 0)
		return 2;
	req = lg_build_request(path, headers, nheaders, &req_len);
	if (!req)
		return 2;
	nconns = (size_t)connections;
	nthreads = (size_t)threads;
	if (nthreads > nconns)
		nthreads = nconns;

	signal(SIGPIPE, SIG_IGN);
	lg_raise_nofile(nconns + nthreads + 32);
	if (lg_probe(&target) < 0)
		return 1;

	thr = calloc(nthreads, sizeof(*thr));
	conns = calloc(nconns, sizeof(*conns));
	total = calloc(1, sizeof(*total));
	if (!thr || !conns || !total) {
		perror("loadgen");
		return 1;
	}
	t0 = lg_now();
	warm_end = t0 + (int64_t)(warmup * 1e9);
	end = warm_end + (int64_t)(seconds * 1e9);
	/* each thread gets a contiguous share of conns, the first nconns % nthreads one more than the rest */
	for (i = 0; i < nthreads; i++) {
		struct lg_thread *t = &thr[i];
		size_t first = i * (nconns / nthreads) + (i < nconns % nthreads ? i : nconns % nthreads);
		size_t j;

		t->target = &target;
		t->req = req;
		t->req_len = req_len;
		t->warm_end_ns = warm_end;
		t->end_ns = end;
		t->conns = conns + first;
		t->nconns = nconns / nthreads + (i < nconns % nthreads ? 1 : 0);
		t->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (t->epfd < 0) {
			perror("loadgen: epoll_create1");
			return 1;
		}
		for (j = 0; j < t->nconns; j++) {
			struct lg_conn *c = &t->conns[j];

			c->thr = t;
			c->fd = -1;
			c->buf = malloc(LG_BUF_SIZE);
			if (!c->buf) {
				perror("loadgen");
				return 1;
			}
		}
	}
	for (i = 0; i < nthreads; i++) {
		int rc = pthread_create(&thr[i].tid, NULL, lg_thread_main, &thr[i]);

		if (rc != 0) {
			fprintf(stderr, "loadgen: pthread_create: %s\n", strerror(rc));
			return 1;
		}
	}
	for (i = 0; i < nthreads; i++) {
		struct lg_stats *st = &thr[i].st;
		size_t b;

		pthread_join(thr[i].tid, NULL);
		close(thr[i].epfd);
		connects += thr[i].connects;
		total->requests += st->requests;
		total->non2xx += st->non2xx;
		total->errors += st->errors;
		total->reconnects += st->reconnects;
		if (st->max_ns > total->max_ns)
			total->max_ns = st->max_ns;
		for (b = 0; b < LG_HIST_SIZE; b++)
			total->hist[b] += st->hist[b];
	}
	if (connects == 0) {
		fprintf(stderr, "loadgen: no connection to %s succeeded during the run\n", target.spec);
		return 1;
	}

	printf("{\"target\":");
	lg_json_string(stdout, target.spec);
	printf(",\"path\":");
	lg_json_string(stdout, path);
	printf(",\"connections\":%zu,\"seconds\":%g,\"requests\":%" PRIu64 ",\"rps\":%.1f,"
	       "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
	       "\"non2xx\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"reconnects\":%" PRIu64 "}\n",
	       nconns, seconds, total->requests, (double)total->requests / seconds,
	       lg_hist_quantile_ms(total, 0.50), lg_hist_quantile_ms(total, 0.99),
	       (double)total->max_ns / 1e6, total->non2xx, total->errors, total->reconnects);

	for (i = 0; i < nconns; i++)
		free(conns[i].buf);
	free(conns);
	free(thr);
	free(total);
	free(req);
	free(headers);
	return fflush(stdout) == 0 ? 0 : 1;
}
