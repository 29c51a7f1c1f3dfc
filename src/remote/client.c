/* The REST API's client (client.h). */
#include "remote/client.h"
#include "base/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rc_client_new(const struct cc_remote_target *t, struct rc_client **out, struct cc_error **err)
{
	const char *url = t->url;
	if (!url || !*url)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "no daemon address: give --remote URL or set "
				    "CONTAINER_COMPOSE_HOST");
	struct rc_client *c = cc_xcalloc(1, sizeof(*c));
	if (strncmp(url, "unix://", 7) == 0) {
		const char *p = url + 7;
		if (p[0] == '~' && p[1] == '/') {
			const char *home = getenv("HOME");
			c->socket = cc_xasprintf("%s%s", home && *home ? home : "/root", p + 1);
		} else {
			c->socket = cc_xstrdup(p);
		}
		c->base = cc_xstrdup("http://localhost");
	} else if (strncmp(url, "tcp://", 6) == 0) {
		c->base = cc_xasprintf("http://%s", url + 6);
	} else if (strncmp(url, "tls://", 6) == 0) {
		c->base = cc_xasprintf("https://%s", url + 6);
	} else if (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) {
		c->base = cc_xstrdup(url);
	} else {
		free(c);
		return cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT,
		    "daemon address \"%s\": expected unix:///path, tcp://host:port or tls://host:port", url);
	}
	size_t l = strlen(c->base);
	while (l && c->base[l - 1] == '/')
		c->base[--l] = '\0';
	c->name = cc_xasprintf("container-compose daemon at %s", url);
	c->auth = t->token && *t->token ? cc_xasprintf("Authorization: Bearer %s", t->token) : NULL;
	c->cacert = t->cacert ? cc_xstrdup(t->cacert) : NULL;
	c->cert = t->cert ? cc_xstrdup(t->cert) : NULL;
	c->key = t->key ? cc_xstrdup(t->key) : NULL;
	c->conn = (struct cc_http_conn){.name = c->name,
					.socket = c->socket,
					.cacert = c->cacert,
					.cert = c->cert,
					.key = c->key,
					.auth = c->auth};
	*out = c;
	return 0;
}

void rc_client_free(struct rc_client *c)
{
	if (!c)
		return;
	free(c->base);
	free(c->socket);
	free(c->name);
	free(c->auth);
	free(c->cacert);
	free(c->cert);
	free(c->key);
	free(c);
}

static int kind_from_name(const char *name)
{
	for (int k = CC_ERR_INTERNAL; k <= CC_ERR_PERMISSION; k++)
		if (name && strcmp(cc_err_kind_name((enum cc_err_kind)k), name) == 0)
			return k;
	return -1;
}

static enum cc_err_kind kind_from_status(long status)
{
	switch (status) {
	case 400:
	case 413:
	case 415:
		return CC_ERR_INVALID_ARGUMENT;
	case 401:
	case 403:
		return CC_ERR_PERMISSION;
	case 404:
		return CC_ERR_NOT_FOUND;
	case 408:
		return CC_ERR_TIMEOUT;
	case 409:
		return CC_ERR_INVALID_STATE;
	case 501:
		return CC_ERR_NOT_SUPPORTED;
	case 502:
		return CC_ERR_BACKEND_FAILURE;
	default:
		return CC_ERR_INTERNAL;
	}
}

/* The daemon's envelope (or frame) as an error: its kind extension when present, else the status's. */
static int envelope_error(long status, json_t *j, const char *text, struct cc_error **err)
{
	const char *msg = json_string_value(json_object_get(j, "message"));
	int kind = kind_from_name(json_string_value(json_object_get(j, "kind")));
	if (kind < 0)
		kind = (int)kind_from_status(status);
	if (!msg)
		msg = text && *text ? text : "the daemon gave no reason";
	/* the daemon's backend named itself; the caller's is this one */
	if (kind == CC_ERR_NOT_SUPPORTED)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED, "%s (through the remote backend)", msg);
	return cc_error_set(err, (enum cc_err_kind)kind, "%s", msg);
}

static int status_error(struct cc_http_req *r, struct cc_error **err)
{
	json_t *j = r->body.len ? json_loadb(r->body.buf, r->body.len, 0, NULL) : NULL;
	char text[160];
	snprintf(text, sizeof(text), "HTTP %ld", r->status);
	int rc = envelope_error(r->status, j, text, err);
	json_decref(j);
	return rc;
}

int rc_upgrade(struct rc_client *c, const char *path, json_t *body, struct cc_http_upgraded *out,
	       struct cc_error **err)
{
	char *url = cc_xasprintf("%s%s", c->base, path);
	struct cc_http_req answer = {.status = 0};
	int rc = cc_http_upgrade(&c->conn, url, "POST", path, body, path, &answer, out, err);
	free(url);
	if (rc <= 0)
		return rc;
	status_error(&answer, err);
	cc_http_req_release(&answer);
	return -1;
}

int rc_frame_error(json_t *j, struct cc_error **err)
{
	return envelope_error(500, j, NULL, err);
}

static int perform(struct rc_client *c, struct cc_http_req *r, struct cc_error **err)
{
	char *url = cc_xasprintf("%s%s", c->base, r->path);
	int rc = cc_http_perform(&c->conn, r, url, err);
	free(url);
	return rc;
}

int rc_call(struct rc_client *c, const char *method, const char *path, json_t *body, json_t **out,
	    struct cc_error **err)
{
	if (out)
		*out = NULL;
	struct cc_http_req r = {.method = method, .path = path, .json = body, .raw_fd = -1};
	int rc = perform(c, &r, err);
	if (rc == 0 && (r.status < 200 || r.status >= 300))
		rc = status_error(&r, err);
	if (rc == 0 && out && r.body.len) {
		json_error_t je;
		*out = json_loadb(r.body.buf, r.body.len, 0, &je);
		if (!*out)
			rc = cc_error_set(err, CC_ERR_BACKEND_FAILURE,
					  "%s %s: malformed JSON from the daemon: %s", method, path, je.text);
	}
	cc_http_req_release(&r);
	return rc;
}

int rc_get_json(struct rc_client *c, const char *path, json_t **out, struct cc_error **err)
{
	return rc_call(c, "GET", path, NULL, out, err);
}

struct ndjson {
	struct cc_strbuf line;
	int (*frame)(void *ctx, json_t *j);
	void *ctx;
	struct cc_error *err;
	bool stopped;
};

static int one_line(struct ndjson *s, const char *text, size_t len)
{
	if (!len)
		return 0;
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	if (!j) {
		cc_error_set(&s->err, CC_ERR_BACKEND_FAILURE, "malformed stream frame from the daemon: %s",
			     je.text);
		return -1;
	}
	int rc = 0;
	if (json_object_get(j, "error") && json_object_get(j, "message")) {
		envelope_error(500, j, NULL, &s->err);
		rc = -1;
	} else if (s->frame(s->ctx, j) < 0) {
		s->stopped = true;
		rc = -1;
	}
	json_decref(j);
	return rc;
}

static int on_chunk(void *ctx, const char *data, size_t len)
{
	struct ndjson *s = ctx;
	cc_strbuf_add(&s->line, data, len);
	size_t start = 0;
	for (size_t i = 0; i < s->line.len; i++) {
		if (s->line.buf[i] != '\n')
			continue;
		if (one_line(s, s->line.buf + start, i - start) < 0)
			return -1;
		start = i + 1;
	}
	if (start) {
		memmove(s->line.buf, s->line.buf + start, s->line.len - start);
		cc_strbuf_truncate(&s->line, s->line.len - start);
	}
	return 0;
}

static int stream(struct rc_client *c, struct cc_http_req *req, int (*frame)(void *ctx, json_t *j), void *ctx,
		  struct cc_error **err);

int rc_stream(struct rc_client *c, const char *method, const char *path, json_t *body,
	      int (*frame)(void *ctx, json_t *j), void *ctx, struct cc_error **err)
{
	struct cc_http_req r = {.method = method, .path = path, .json = body, .raw_fd = -1};
	return stream(c, &r, frame, ctx, err);
}

int rc_stream_upload(struct rc_client *c, const char *method, const char *path, int in_fd, const char *ctype,
		     int (*frame)(void *ctx, json_t *j), void *ctx, struct cc_error **err)
{
	struct cc_http_req r = {.method = method, .path = path, .raw_fd = in_fd, .content_type = ctype};
	return stream(c, &r, frame, ctx, err);
}

static int stream(struct rc_client *c, struct cc_http_req *req, int (*frame)(void *ctx, json_t *j), void *ctx,
		  struct cc_error **err)
{
	struct ndjson s = {.frame = frame, .ctx = ctx};
	struct cc_http_req r = *req;
	r.chunk = on_chunk;
	r.ctx = &s;
	int rc = perform(c, &r, err);
	if (rc == 0 && s.err) {
		*err = s.err;
		s.err = NULL;
		rc = -1;
	} else if (rc == 0 && (r.status < 200 || r.status >= 300)) {
		rc = status_error(&r, err);
	} else if (rc == 0 && !s.stopped && s.line.len) {
		rc = one_line(&s, s.line.buf, s.line.len) < 0 && s.err ? (*err = s.err, s.err = NULL, -1) : 0;
	}
	cc_error_free(s.err);
	cc_strbuf_release(&s.line);
	cc_http_req_release(&r);
	return rc;
}

int rc_transfer(struct rc_client *c, const char *method, const char *path, int in_fd, const char *ctype,
		int out_fd, json_t **out, struct cc_error **err)
{
	if (out)
		*out = NULL;
	struct cc_http_req r = {.method = method, .path = path, .raw_fd = in_fd, .content_type = ctype};
	if (out_fd >= 0) {
		r.chunk = cc_http_chunk_to_fd;
		r.ctx = &out_fd;
	}
	int rc = perform(c, &r, err);
	if (rc == 0 && r.cancelled)
		rc = cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "%s %s: cannot write the answer", method,
					path);
	if (rc == 0 && (r.status < 200 || r.status >= 300))
		rc = status_error(&r, err);
	if (rc == 0 && out && out_fd < 0 && r.body.len)
		*out = json_loadb(r.body.buf, r.body.len, 0, NULL);
	cc_http_req_release(&r);
	return rc;
}
