/* libmicrohttpd glue: requests in, replies and NDJSON streams out, and the checks every request passes
 * before a handler sees it (route, method, body limit, credentials).
 *
 * Threads: libmicrohttpd's own pool (epoll) reads requests and runs the quick handlers inline. A route marked
 * SRV_BLOCKING runs on a thread of its own while its connection is suspended, so a 30-second wait never
 * stalls other clients. A stream's producer runs on a thread of its own too and hands frames over through a
 * buffer; the connection sleeps (suspended) while the buffer is empty and wakes when a frame arrives, so an
 * idle follower costs no polling. */
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/random.h"
#include "base/xalloc.h"
#include "server/http.h"
#include "server/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include "base/libgnutls.h"
#include "base/libmhd.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define STREAM_HIGH_WATER (4u * 1024 * 1024) /* a producer waits while this much is unsent */
#define THREAD_STACK      (512u * 1024)

struct srv_req {
	struct server *srv;
	struct MHD_Connection *conn;
	struct srv_route *route;
	char *params[SRV_MAX_PARAMS];
	struct cc_strbuf body;
	size_t limit;
	bool overflow;
	/* SRV_UNLIMITED routes: the body goes to this file as it arrives (unlinked when the request ends) */
	int body_fd;
	char *body_path;
	size_t body_len;
	bool body_failed;
	char id[24];
	int64_t t0;
	struct MHD_Response *resp;
	unsigned status;
	struct cc_runtime *rt;
	bool job_started;
	atomic_bool job_done;
};

struct srv_stream {
	pthread_mutex_t lock;
	pthread_cond_t drained;
	int refs; /* the response and the producer */
	struct server *srv;
	struct MHD_Connection *conn;
	struct cc_strbuf buf;
	size_t off;
	bool done, cancelled, suspended, wrote;
	int fd; /* the connection's socket, watched for the client hanging up while the stream is idle */
	srv_producer fn;
	void *ctx;
	void (*ctx_free)(void *);
	struct srv_stream *next, *prev;
};

/* ---- what handlers read ---- */

struct server *srv_server(struct srv_req *r)
{
	return r->srv;
}

const char *srv_param(struct srv_req *r, int i)
{
	return i >= 0 && i < SRV_MAX_PARAMS ? r->params[i] : NULL;
}

const char *srv_query(struct srv_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

struct query_all {
	const char *key;
	char **out;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct query_all *q = cls;
	if (key && strcmp(key, q->key) == 0 && value)
		cc_strv_push(&q->out, value);
	return MHD_YES;
}

char **srv_query_all(struct srv_req *r, const char *key)
{
	struct query_all q = {key, NULL};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
	return q.out;
}

bool srv_query_bool(struct srv_req *r, const char *key, bool def)
{
	const char *v = srv_query(r, key);
	if (!v)
		return def;
	if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes"))
		return true;
	if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no"))
		return false;
	return def;
}

const char *srv_header(struct srv_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, key);
}

const char *srv_body_file(struct srv_req *r, size_t *len)
{
	*len = r->body_len;
	return r->body_failed ? NULL : r->body_path;
}

const char *srv_body_upload(struct srv_req *r, const char *empty)
{
	size_t len;
	const char *path = srv_body_file(r, &len);
	if (!path)
		srv_reply_status(r, 500, "the upload could not be kept (is the state root's disk full?)");
	else if (!len)
		srv_reply_status(r, 400, "%s", empty);
	return path && len ? path : NULL;
}

const char *srv_body(struct srv_req *r, size_t *len)
{
	*len = r->body.len;
	return r->body.buf ? r->body.buf : "";
}

json_t *srv_body_json(struct srv_req *r, bool optional)
{
	if (r->body.len == 0) {
		if (optional)
			return json_object();
		srv_reply_status(r, 400, "the request needs a JSON body");
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(r->body.buf, r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		srv_reply_status(r, 400, "malformed JSON at line %d, column %d: %s", je.line, je.column,
				 je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		srv_reply_status(r, 400, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

struct cc_runtime *srv_runtime(struct srv_req *r)
{
	if (r->rt)
		return r->rt;
	struct cc_error *err = NULL;
	if (srv_pool_take(r->srv, &r->rt, &err) < 0) {
		srv_reply_error(r, &err);
		return NULL;
	}
	return r->rt;
}

bool srv_query_time(struct srv_req *r, const char *key, int64_t *out)
{
	const char *v = srv_query(r, key);
	*out = 0;
	if (!v || !*v)
		return true;
	struct cc_error *err = NULL;
	if (cc_parse_time(v, out, &err) < 0) {
		srv_reply_status(r, 400, "%s: %s", key, err->msg);
		cc_error_free(err);
		return false;
	}
	return true;
}

char *srv_scratch_path(struct server *s, const char *what)
{
	char rnd[17];
	cc_random_hex(rnd, 8);
	char *dir = cc_path_join(s->root, "tmp");
	struct cc_error *err = NULL;
	if (cc_mkdir_p(dir, 0700, &err) < 0)
		cc_error_free(err); /* the open or write of the file says what is wrong */
	char *p = cc_xasprintf("%s/%s-%s", dir, what, rnd);
	free(dir);
	return p;
}

/* ---- replies ---- */

static void set_reply(struct srv_req *r, unsigned status, struct MHD_Response *resp, const char *ctype)
{
	if (r->resp) /* a second reply is a handler bug; the first one stands */
		MHD_destroy_response(r->resp);
	if (ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	r->resp = resp;
	r->status = status;
}

void srv_reply_data(struct srv_req *r, unsigned status, const char *content_type, const void *data,
		    size_t len, enum srv_mem mem)
{
	enum MHD_ResponseMemoryMode mode = mem == SRV_MEM_COPY   ? MHD_RESPMEM_MUST_COPY
					   : mem == SRV_MEM_FREE ? MHD_RESPMEM_MUST_FREE
								 : MHD_RESPMEM_PERSISTENT;
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)data, mode);
	set_reply(r, status, resp, content_type);
}

void srv_reply_json(struct srv_req *r, unsigned status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	size_t len = strlen(text);
	srv_reply_data(r, status, "application/json", text, len, SRV_MEM_FREE);
}

void srv_reply_empty(struct srv_req *r, unsigned status)
{
	set_reply(r, status, MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT), NULL);
}

void srv_reply_done(struct srv_req *r, int rc, struct cc_error **err, unsigned status)
{
	if (rc < 0)
		srv_reply_error(r, err);
	else
		srv_reply_empty(r, status);
}

void srv_reply_file(struct srv_req *r, const char *content_type, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		srv_reply_status(r, 500, "cannot read the result: %s", strerror(errno));
		return;
	}
	unlink(path);
	set_reply(r, 200, MHD_create_response_from_fd((uint64_t)st.st_size, fd), content_type);
}

static void reply_envelope(struct srv_req *r, unsigned status, const char *msg, const char *kind)
{
	json_t *o = json_object();
	/* extension: the runtime's error kind, so the remote backend gives its callers the same one */
	if (kind)
		json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "error", json_string(srv_status_key(status)));
	json_object_set_new(o, "message", json_string(msg));
	char code[16];
	snprintf(code, sizeof(code), "E_%u", status);
	json_object_set_new(o, "code", json_string(code));
	json_object_set_new(o, "requestId", json_string(r->id));
	srv_reply_json(r, status, o);
}

void srv_reply_status(struct srv_req *r, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	reply_envelope(r, status, msg ? msg : "error", NULL);
	free(msg);
}

void srv_reply_error(struct srv_req *r, struct cc_error **err)
{
	unsigned status = srv_status_for_kind((*err)->kind);
	/* internal failures keep their details in the daemon's log, not in the answer */
	if (status == 500) {
		fprintf(stderr, "request %s: internal error: %s\n", r->id, (*err)->msg);
		reply_envelope(r, status, "internal error (see the daemon's log)", NULL);
	} else {
		reply_envelope(r, status, (*err)->msg, cc_err_kind_name((*err)->kind));
	}
	cc_error_release(err);
}

/* ---- streams ---- */

static void stream_unref(struct srv_stream *st)
{
	pthread_mutex_lock(&st->lock);
	bool last = --st->refs == 0;
	pthread_mutex_unlock(&st->lock);
	if (!last)
		return;
	struct server *s = st->srv;
	pthread_mutex_lock(&s->streams_lock);
	if (st->prev)
		st->prev->next = st->next;
	else
		s->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	pthread_mutex_unlock(&s->streams_lock);
	if (st->ctx_free)
		st->ctx_free(st->ctx);
	cc_strbuf_release(&st->buf);
	pthread_cond_destroy(&st->drained);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

/* Under st->lock: let libmicrohttpd send again. */
static void wake(struct srv_stream *st)
{
	if (st->suspended) {
		st->suspended = false;
		MHD_resume_connection(st->conn);
	}
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)pos;
	struct srv_stream *st = cls;
	pthread_mutex_lock(&st->lock);
	if (st->buf.len > st->off) {
		size_t n = st->buf.len - st->off;
		if (n > max)
			n = max;
		memcpy(out, st->buf.buf + st->off, n);
		st->off += n;
		if (st->off == st->buf.len) {
			cc_strbuf_reset(&st->buf);
			st->off = 0;
		}
		pthread_cond_broadcast(&st->drained);
		pthread_mutex_unlock(&st->lock);
		return (ssize_t)n;
	}
	if (st->done) {
		pthread_mutex_unlock(&st->lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	st->suspended = true;
	MHD_suspend_connection(st->conn);
	pthread_mutex_unlock(&st->lock);
	return 0;
}

/* The response is gone: the stream ended, or the client went away. */
static void stream_response_freed(void *cls)
{
	struct srv_stream *st = cls;
	pthread_mutex_lock(&st->lock);
	st->cancelled = true;
	pthread_cond_broadcast(&st->drained);
	pthread_mutex_unlock(&st->lock);
	stream_unref(st);
}

int srv_stream_write_raw(struct srv_stream *st, const void *data, size_t len)
{
	pthread_mutex_lock(&st->lock);
	while (!st->cancelled && st->buf.len - st->off > STREAM_HIGH_WATER)
		pthread_cond_wait(&st->drained, &st->lock);
	if (st->cancelled) {
		pthread_mutex_unlock(&st->lock);
		return -1;
	}
	cc_strbuf_add(&st->buf, data, len);
	st->wrote = true;
	wake(st);
	pthread_mutex_unlock(&st->lock);
	return 0;
}

int srv_stream_alive(struct srv_stream *st)
{
	pthread_mutex_lock(&st->lock);
	/* libmicrohttpd does not watch a suspended connection: a client that hung up is seen here. While the
	 * connection is suspended it cannot be closed, so its descriptor is still its own. */
	if (!st->cancelled && st->suspended && st->fd >= 0) {
		struct pollfd p = {.fd = st->fd, .events = POLLIN | POLLRDHUP};
		if (poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
			st->cancelled = true;
			st->done = true;
			wake(st);
		}
	}
	int r = st->cancelled ? -1 : 0;
	pthread_mutex_unlock(&st->lock);
	return r;
}

int srv_stream_write(struct srv_stream *st, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	size_t len = strlen(text);
	text[len] = '\0';
	char *line = cc_xrealloc(text, len + 2);
	line[len] = '\n';
	int r = srv_stream_write_raw(st, line, len + 1);
	free(line);
	return r;
}

static void *producer_main(void *arg)
{
	struct srv_stream *st = arg;
	struct cc_runtime *rt = NULL;
	struct cc_error *err = NULL;
	int r = srv_pool_take(st->srv, &rt, &err);
	if (r == 0) {
		r = st->fn(st, rt, st->ctx, &err);
		srv_pool_give(st->srv, rt);
	}
	if (r < 0 && err) {
		json_t *o = json_object();
		unsigned status = srv_status_for_kind(err->kind);
		json_object_set_new(o, "error", json_string(srv_status_key(status)));
		json_object_set_new(o, "message", json_string(status == 500 ? "internal error" : err->msg));
		if (status != 500)
			json_object_set_new(o, "kind", json_string(cc_err_kind_name(err->kind)));
		if (status == 500)
			fprintf(stderr, "stream: internal error: %s\n", err->msg);
		srv_stream_write(st, o);
	}
	cc_error_free(err);
	if (r != SRV_STREAM_HANDED_OVER)
		srv_stream_finish(st);
	return NULL;
}

int srv_spawn(void *(*fn)(void *), void *arg)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, THREAD_STACK);
	pthread_t t;
	int e = pthread_create(&t, &a, fn, arg);
	pthread_attr_destroy(&a);
	return e;
}

struct srv_stream *srv_stream_open(struct srv_req *r, const char *content_type)
{
	struct srv_stream *st = cc_xcalloc(1, sizeof(*st));
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->drained, NULL);
	st->refs = 2;
	st->srv = r->srv;
	st->conn = r->conn;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	st->fd = ci ? ci->connect_fd : -1;
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024,
								      stream_read, st, stream_response_freed);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	set_reply(r, 200, resp, content_type);
	struct server *s = r->srv;
	pthread_mutex_lock(&s->streams_lock);
	st->next = s->streams;
	if (s->streams)
		s->streams->prev = st;
	s->streams = st;
	pthread_mutex_unlock(&s->streams_lock);
	return st;
}

void srv_stream_finish(struct srv_stream *st)
{
	pthread_mutex_lock(&st->lock);
	st->done = true;
	if (!st->cancelled)
		wake(st);
	pthread_mutex_unlock(&st->lock);
	stream_unref(st);
}

int srv_stream_try_write(struct srv_stream *st, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	pthread_mutex_lock(&st->lock);
	int r = -1;
	/* a consumer this far behind is dropped rather than waited for: it would hold up everyone else */
	if (!st->cancelled && st->buf.len - st->off <= STREAM_HIGH_WATER) {
		cc_strbuf_adds(&st->buf, text);
		cc_strbuf_addch(&st->buf, '\n');
		wake(st);
		r = 0;
	}
	pthread_mutex_unlock(&st->lock);
	free(text);
	return r;
}

void srv_reply_stream(struct srv_req *r, const char *content_type, srv_producer fn, void *ctx,
		      void (*ctx_free)(void *))
{
	struct srv_stream *st = srv_stream_open(r, content_type);
	st->fn = fn;
	st->ctx = ctx;
	st->ctx_free = ctx_free;
	if (srv_spawn(producer_main, st) != 0)
		srv_stream_finish(st);
}

void srv_streams_end_all(struct server *s)
{
	pthread_mutex_lock(&s->streams_lock);
	for (struct srv_stream *st = s->streams; st; st = st->next) {
		pthread_mutex_lock(&st->lock);
		st->done = true;
		wake(st);
		pthread_mutex_unlock(&st->lock);
	}
	pthread_mutex_unlock(&s->streams_lock);
}

/* ---- upgraded connections ---- */

struct srv_session {
	struct server *srv;
	srv_session_fn fn;
	void *ctx;
	void (*ctx_free)(void *);
	int sock;
	struct MHD_UpgradeResponseHandle *urh;
	char *early;
	size_t early_len;
	struct srv_session *next, *prev;
};

/* Does a comma-separated header value hold this token (case-insensitively)? */
static bool header_has_token(const char *value, const char *token)
{
	size_t n = strlen(token);
	for (const char *p = value; p && *p;) {
		p += strspn(p, " \t,");
		size_t len = strcspn(p, " \t,");
		if (len == n && strncasecmp(p, token, n) == 0)
			return true;
		p += len;
	}
	return false;
}

bool srv_wants_upgrade(struct srv_req *r)
{
	const char *up = srv_header(r, MHD_HTTP_HEADER_UPGRADE);
	return up && *up && header_has_token(srv_header(r, MHD_HTTP_HEADER_CONNECTION), "upgrade");
}

static void session_close(struct srv_session *ss)
{
	struct server *s = ss->srv;
	pthread_mutex_lock(&s->streams_lock);
	if (ss->prev)
		ss->prev->next = ss->next;
	else
		s->sessions = ss->next;
	if (ss->next)
		ss->next->prev = ss->prev;
	pthread_mutex_unlock(&s->streams_lock);
	MHD_upgrade_action(ss->urh, MHD_UPGRADE_ACTION_CLOSE);
	if (ss->ctx_free)
		ss->ctx_free(ss->ctx);
	free(ss->early);
	free(ss);
}

static void *session_main(void *arg)
{
	struct srv_session *ss = arg;
	int fl = fcntl(ss->sock, F_GETFL);
	if (fl >= 0)
		fcntl(ss->sock, F_SETFL, fl & ~O_NONBLOCK);
	ss->fn(ss->srv, ss->sock, ss->early, ss->early_len, ss->ctx);
	session_close(ss);
	return NULL;
}

/* libmicrohttpd's poll thread, once the 101 is out: the session goes to a thread of its own at once */
static void upgraded(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra_in,
		     size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	(void)conn, (void)con_cls;
	struct srv_session *ss = cls;
	ss->sock = sock;
	ss->urh = urh;
	if (extra_in_size) {
		ss->early = cc_xmalloc(extra_in_size);
		memcpy(ss->early, extra_in, extra_in_size);
		ss->early_len = extra_in_size;
	}
	struct server *s = ss->srv;
	pthread_mutex_lock(&s->streams_lock);
	ss->next = s->sessions;
	if (s->sessions)
		s->sessions->prev = ss;
	s->sessions = ss;
	pthread_mutex_unlock(&s->streams_lock);
	if (atomic_load(&s->stopping) || srv_spawn(session_main, ss) != 0)
		session_close(ss);
}

void srv_reply_upgrade(struct srv_req *r, srv_session_fn fn, void *ctx, void (*ctx_free)(void *))
{
	struct srv_session *ss = cc_xcalloc(1, sizeof(*ss));
	ss->srv = r->srv;
	ss->fn = fn;
	ss->ctx = ctx;
	ss->ctx_free = ctx_free;
	ss->sock = -1;
	/* the library has no way to say that an upgrade answer was never sent: a connection that breaks
	 * before its 101 leaves ss behind, a rare and small loss */
	struct MHD_Response *resp = MHD_create_response_for_upgrade(upgraded, ss);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "tcp");
	set_reply(r, MHD_HTTP_SWITCHING_PROTOCOLS, resp, NULL);
}

void srv_sessions_end_all(struct server *s)
{
	pthread_mutex_lock(&s->streams_lock);
	for (struct srv_session *ss = s->sessions; ss; ss = ss->next)
		shutdown(ss->sock, SHUT_RDWR);
	pthread_mutex_unlock(&s->streams_lock);
}

/* ---- the request cycle ---- */

static enum MHD_Result queue(struct srv_req *r)
{
	MHD_add_response_header(r->resp, "X-Request-Id", r->id);
	enum MHD_Result ok = MHD_queue_response(r->conn, r->status, r->resp);
	MHD_destroy_response(r->resp);
	r->resp = NULL;
	return ok;
}

static void *job_main(void *arg)
{
	struct srv_req *r = arg;
	r->route->handler(r);
	if (!r->resp)
		srv_reply_status(r, 500, "internal error: no reply");
	atomic_store(&r->job_done, true);
	MHD_resume_connection(r->conn);
	return NULL;
}

static size_t body_limit(const struct srv_route *route)
{
	if (route->flags & SRV_UNLIMITED)
		return SIZE_MAX;
	return route->flags & SRV_LARGE ? SRV_LARGE_BODY : SRV_SMALL_BODY;
}

static void begin(struct server *s, struct srv_req *r, const char *method, const char *url)
{
	/* credentials first: a client without them learns nothing, not even which routes exist */
	if (srv_auth_check(r) != 0)
		return;
	bool path_known = false;
	r->route = srv_route_match(s->routes, s->nroutes, method, url, r->params, &path_known);
	if (!r->route) {
		if (path_known)
			srv_reply_status(r, 405, "method %s not allowed on %s", method, url);
		else
			srv_reply_status(r, 404, "no such route: %s %s", method, url);
		return;
	}
	r->limit = body_limit(r->route);
	const char *cl = srv_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
	/* A body over the limit is read and dropped, and answered 413 at its end: answering before it is
	 * read makes the close reset the connection while the client still sends, and the client sees
	 * that reset instead of the answer. Past SRV_DISCARD_MAX the bandwidth matters more. */
	if (declared > r->limit && declared > SRV_DISCARD_MAX) {
		srv_reply_status(r, 413, "the body is larger than the limit of %zu bytes for %s %s", r->limit,
				 method, r->route->path);
		return;
	}
	if (declared > r->limit)
		r->overflow = true;
	if (r->route->flags & SRV_UNLIMITED) {
		/* next to the images: the body may be as large as one */
		r->body_path = srv_scratch_path(s, "upload");
		r->body_fd = open(r->body_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (r->body_fd < 0)
			srv_reply_status(r, 500, "cannot keep the upload: %s", strerror(errno));
	}
}

enum MHD_Result srv_http_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_size,
				 void **con_cls)
{
	(void)version;
	struct server *s = cls;
	struct srv_req *r = *con_cls;
	if (!r) {
		r = cc_xcalloc(1, sizeof(*r));
		r->body_fd = -1;
		r->srv = s;
		r->conn = conn;
		r->t0 = cc_monotonic_ns();
		unsigned long long n = atomic_fetch_add(&s->next_request, 1);
		snprintf(r->id, sizeof(r->id), "%08x%08llx", s->request_prefix, n & 0xffffffffull);
		atomic_fetch_add(&s->inflight, 1);
		*con_cls = r;
		begin(s, r, method, url);
		if (r->resp)
			return queue(r);
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->body_fd >= 0) {
			if (!r->body_failed && cc_write_all(r->body_fd, upload_data, *upload_size) < 0)
				r->body_failed = true;
			if (!r->body_failed)
				r->body_len += *upload_size;
		} else {
			if (!r->overflow && r->body.len + *upload_size > r->limit)
				r->overflow = true;
			if (!r->overflow)
				cc_strbuf_add(&r->body, upload_data, *upload_size);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->resp)
		return queue(r);
	if (r->job_started)
		return atomic_load(&r->job_done) ? queue(r) : MHD_YES;
	if (r->overflow) {
		srv_reply_status(r, 413, "the body is larger than the limit of %zu bytes for %s %s", r->limit,
				 method, r->route->path);
		return queue(r);
	}
	if (r->route->flags & SRV_BLOCKING) {
		r->job_started = true;
		MHD_suspend_connection(conn);
		if (srv_spawn(job_main, r) != 0) {
			MHD_resume_connection(conn);
			r->job_started = false;
			srv_reply_status(r, 503, "the daemon is out of threads");
			return MHD_YES;
		}
		return MHD_YES;
	}
	r->route->handler(r);
	if (!r->resp)
		srv_reply_status(r, 500, "internal error: no reply");
	return queue(r);
}

void srv_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			enum MHD_RequestTerminationCode toe)
{
	(void)conn, (void)toe;
	struct server *s = cls;
	struct srv_req *r = *con_cls;
	if (!r)
		return;
	srv_metrics_record(s, r->route, r->status, cc_monotonic_ns() - r->t0);
	if (r->rt)
		srv_pool_give(s, r->rt);
	if (r->resp)
		MHD_destroy_response(r->resp);
	for (int i = 0; i < SRV_MAX_PARAMS; i++)
		free(r->params[i]);
	cc_strbuf_release(&r->body);
	if (r->body_fd >= 0)
		close(r->body_fd);
	if (r->body_path)
		unlink(r->body_path);
	free(r->body_path);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

bool srv_client_cert_verified(struct srv_req *r)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return false;
	gnutls_session_t tls = (gnutls_session_t)ci->tls_session;
	unsigned n = 0;
	if (!gnutls_certificate_get_peers(tls, &n) || n == 0)
		return false;
	unsigned status = 0;
	return gnutls_certificate_verify_peers2(tls, &status) == 0 && status == 0;
}

struct server *srv_stream_server(struct srv_stream *st)
{
	return st->srv;
}
