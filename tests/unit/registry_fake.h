/* A small HTTP/1.1 server on a loopback port, on its own thread, for test_registry.c: it plays the parts
 * docker-registry will not play on demand (a bearer token service, 5xx and 429 answers, a blob server that
 * ignores Range, redirects, relative upload Locations, a lying Docker-Content-Digest) and logs every request
 * it gets. One connection at a time, one request per connection ("Connection: close"). */
#ifndef CC_TESTS_REGISTRY_FAKE_H
#define CC_TESTS_REGISTRY_FAKE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/registry/registry.h"

static char *fake_digest(const void *data, size_t len)
{
	char hex[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(data, len, hex);
	return cc_xasprintf("sha256:%s", hex);
}

struct fake_req {
	char method[16];
	char target[2048];
	char auth[512];
	char range[128];
	char content_range[128];
	size_t body_len;
};

struct fake {
	int lfd, port;
	char host[32];
	pthread_t th;
	pthread_mutex_t lock; /* guards what follows */
	bool stop;
	struct cc_strbuf log; /* "METHOD target [range=..] [body=n]\n" per request */
	int token_requests;
	char token_auth[512], token_query[2048];
	int flaky;         /* 503s left for manifests/flaky */
	bool busy_done;    /* manifests/busy said 429 once */
	bool token_denied; /* the token service refuses */
};

static struct fake fk;
static char fake_blob[5000];
static const char fake_manifest[] = "{\"schemaVersion\":2,\"mediaType\":\"" CC_MT_OCI_MANIFEST "\"}";

static void fake_reply(struct cc_strbuf *out, int status, const char *headers, const char *body, size_t len)
{
	cc_strbuf_addf(out, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", status,
		       len, headers ? headers : "");
	cc_strbuf_add(out, body, len);
}

static void fake_reply_error(struct cc_strbuf *out, int status, const char *code, const char *msg)
{
	char *body =
	    cc_xasprintf("{\"errors\":[{\"code\":\"%s\",\"message\":\"%s\",\"detail\":null}]}", code, msg);
	fake_reply(out, status, "Content-Type: application/json\r\n", body, strlen(body));
	free(body);
}

static void fake_reply_manifest(struct cc_strbuf *out, const char *content_type, const char *digest)
{
	char *d = fake_digest(fake_manifest, strlen(fake_manifest));
	char *h = cc_xasprintf("Content-Type: %s\r\nDocker-Content-Digest: %s\r\n", content_type,
			       digest ? digest : d);
	fake_reply(out, 200, h, fake_manifest, strlen(fake_manifest));
	free(h);
	free(d);
}

/* The routes; called with the lock held. */
static void fake_route(struct fake *f, const struct fake_req *q, struct cc_strbuf *out)
{
	const char *t = q->target;
	int n = 0;
	char repo[256];
	if (strcmp(t, "/v2/") == 0) {
		/* login: a challenge without a scope */
		if (strcmp(q->auth, "Bearer tok-1") == 0) {
			fake_reply(out, 200, NULL, "{}", 2);
		} else {
			char *h = cc_xasprintf(
			    "WWW-Authenticate: Bearer realm=\"http://%s/token\",service=\"fake\"\r\n",
			    f->host);
			fake_reply(out, 401, h, "{}", 2);
			free(h);
		}
	} else if (strncmp(t, "/token", 6) == 0) {
		f->token_requests++;
		snprintf(f->token_auth, sizeof(f->token_auth), "%s", q->auth);
		snprintf(f->token_query, sizeof(f->token_query), "%s", t);
		if (f->token_denied)
			fake_reply_error(out, 401, "UNAUTHORIZED", "bad credentials");
		else if (strstr(t, "bearer%2Falt"))
			fake_reply(out, 200, NULL, "{\"access_token\":\"tok-1\"}", 24);
		else
			fake_reply(out, 200, NULL, "{\"token\":\"tok-1\",\"expires_in\":300}", 34);
	} else if (sscanf(t, "/v2/bearer/%255[^/]/manifests/v1%n", repo, &n) == 1 && !t[n]) {
		if (strcmp(q->auth, "Bearer tok-1") == 0) {
			fake_reply_manifest(out, CC_MT_OCI_MANIFEST "; charset=utf-8", NULL);
		} else {
			char *h = cc_xasprintf(
			    "WWW-Authenticate: Bearer realm=\"http://%s/token\",service=\"fake\","
			    "scope=\"repository:bearer/%s:pull\"\r\n",
			    f->host, repo);
			fake_reply(out, 401, h, "{}", 2);
			free(h);
		}
	} else if (strcmp(t, "/v2/r/manifests/flaky") == 0) {
		if (f->flaky-- > 0)
			fake_reply_error(out, 503, "UNAVAILABLE", "try later");
		else
			fake_reply_manifest(out, CC_MT_OCI_MANIFEST, NULL);
	} else if (strcmp(t, "/v2/r/manifests/down") == 0) {
		fake_reply_error(out, 503, "UNAVAILABLE", "try later");
	} else if (strcmp(t, "/v2/r/manifests/busy") == 0) {
		if (!f->busy_done)
			fake_reply_error(out, 429, "TOOMANYREQUESTS", "slow down");
		else
			fake_reply_manifest(out, CC_MT_OCI_MANIFEST, NULL);
		f->busy_done = true;
	} else if (strcmp(t, "/v2/r/manifests/gone") == 0) {
		fake_reply_error(out, 404, "MANIFEST_UNKNOWN", "manifest unknown");
	} else if (strcmp(t, "/v2/r/manifests/denied") == 0) {
		fake_reply_error(out, 403, "DENIED", "requested access to the resource is denied");
	} else if (strcmp(t, "/v2/r/manifests/liar") == 0) {
		fake_reply_manifest(
		    out, CC_MT_OCI_MANIFEST,
		    "sha256:0000000000000000000000000000000000000000000000000000000000000000");
	} else if (strcmp(t, "/v2/r/manifests/plain") == 0) {
		fake_reply_manifest(out, "text/plain", NULL);
	} else if (strncmp(t, "/v2/drop/blobs/", 15) == 0 && !q->range[0]) {
		/* announce the whole blob, send 2000 bytes and hang up */
		cc_strbuf_addf(out, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			       sizeof(fake_blob));
		cc_strbuf_add(out, fake_blob, 2000);
	} else if (strncmp(t, "/v2/drop/blobs/", 15) == 0) {
		unsigned long from = 0;
		sscanf(q->range, "bytes=%lu-", &from);
		if (from > sizeof(fake_blob))
			from = sizeof(fake_blob);
		char *h = cc_xasprintf("Content-Range: bytes %lu-%zu/%zu\r\n", from, sizeof(fake_blob) - 1,
				       sizeof(fake_blob));
		cc_strbuf_addf(out,
			       "HTTP/1.1 206 Partial\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
			       sizeof(fake_blob) - from, h);
		cc_strbuf_add(out, fake_blob + from, sizeof(fake_blob) - from);
		free(h);
	} else if (strncmp(t, "/v2/redir/blobs/", 16) == 0) {
		char *h = cc_xasprintf("Location: /storage/%s\r\n", t + 16);
		fake_reply(out, 307, h, "", 0);
		free(h);
	} else if (strncmp(t, "/v2/r/blobs/sha256:", 19) == 0 || strncmp(t, "/storage/", 9) == 0) {
		fake_reply(out, 200, "Content-Type: application/octet-stream\r\n", fake_blob,
			   sizeof(fake_blob)); /* no Range */
	} else if (strcmp(q->method, "POST") == 0 && strcmp(t, "/v2/r/blobs/uploads/") == 0) {
		fake_reply(out, 202, "Location: /upload/1\r\n", "", 0);
	} else if (strcmp(q->method, "PATCH") == 0 && sscanf(t, "/upload/%d%n", &n, &(int){0}) == 1) {
		char *h = cc_xasprintf("Location: /upload/%d\r\n", n + 1);
		fake_reply(out, 202, h, "", 0);
		free(h);
	} else if (strcmp(q->method, "PUT") == 0 && strncmp(t, "/upload/", 8) == 0 && strstr(t, "?digest=")) {
		char *h = cc_xasprintf("Docker-Content-Digest: %s\r\n", strstr(t, "?digest=") + 8);
		fake_reply(out, 201, h, "", 0);
		free(h);
	} else {
		fake_reply_error(out, 404, "NAME_UNKNOWN", "no route");
	}
}

static void fake_header(const char *line, const char *name, char *dst, size_t cap)
{
	size_t n = strlen(name);
	if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
		const char *v = line + n + 1;
		while (*v == ' ')
			v++;
		snprintf(dst, cap, "%.*s", (int)strcspn(v, "\r\n"), v);
	}
}

static void fake_serve(struct fake *f, int c)
{
	char buf[16384];
	size_t len = 0;
	char *end = NULL;
	while (!end && len < sizeof(buf) - 1) {
		ssize_t n = read(c, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return;
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	if (!end)
		return;
	struct fake_req q = {0};
	size_t clen = 0;
	char cl[32] = "";
	sscanf(buf, "%15s %2047s", q.method, q.target);
	for (char *line = strstr(buf, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
		fake_header(line, "Authorization", q.auth, sizeof(q.auth));
		fake_header(line, "Range", q.range, sizeof(q.range));
		fake_header(line, "Content-Range", q.content_range, sizeof(q.content_range));
		fake_header(line, "Content-Length", cl, sizeof(cl));
	}
	clen = (size_t)strtoull(cl, NULL, 10);
	size_t have = len - (size_t)(end + 4 - buf);
	while (have < clen) {
		ssize_t n = read(c, buf, sizeof(buf));
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	q.body_len = have;
	struct cc_strbuf out = CC_STRBUF_INIT;
	pthread_mutex_lock(&f->lock);
	cc_strbuf_addf(&f->log, "%s %s", q.method, q.target);
	if (q.range[0])
		cc_strbuf_addf(&f->log, " range=%s", q.range);
	if (q.content_range[0])
		cc_strbuf_addf(&f->log, " content-range=%s", q.content_range);
	if (q.body_len)
		cc_strbuf_addf(&f->log, " body=%zu", q.body_len);
	cc_strbuf_addch(&f->log, '\n');
	fake_route(f, &q, &out);
	pthread_mutex_unlock(&f->lock);
	for (size_t off = 0; off < out.len;) {
		ssize_t n = write(c, out.buf + off, out.len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	cc_strbuf_release(&out);
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	for (;;) {
		int c = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
		pthread_mutex_lock(&f->lock);
		bool stop = f->stop;
		pthread_mutex_unlock(&f->lock);
		if (stop) {
			if (c >= 0)
				close(c);
			return NULL;
		}
		if (c < 0)
			continue;
		fake_serve(f, c);
		shutdown(c, SHUT_WR);
		close(c);
	}
}

static int fake_setup(void **state)
{
	memset(&fk, 0, sizeof(fk));
	for (size_t i = 0; i < sizeof(fake_blob); i++)
		fake_blob[i] = (char)(i * 7 + i / 256);
	fk.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	if (bind(fk.lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fk.lfd, 16) < 0 ||
	    getsockname(fk.lfd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	fk.port = ntohs(a.sin_port);
	snprintf(fk.host, sizeof(fk.host), "127.0.0.1:%d", fk.port);
	pthread_mutex_init(&fk.lock, NULL);
	cc_strbuf_init(&fk.log);
	return pthread_create(&fk.th, NULL, fake_main, &fk) == 0 ? 0 : -1;
}

static int fake_teardown(void **state)
{
	pthread_mutex_lock(&fk.lock);
	fk.stop = true;
	pthread_mutex_unlock(&fk.lock);
	/* wake the accept */
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)fk.port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	connect(s, (struct sockaddr *)&a, sizeof(a));
	pthread_join(fk.th, NULL);
	close(s);
	close(fk.lfd);
	cc_strbuf_release(&fk.log);
	pthread_mutex_destroy(&fk.lock);
	return 0;
}

/* The request log so far (owned), and clear it. */
static char *fake_log(void)
{
	pthread_mutex_lock(&fk.lock);
	char *s = cc_strbuf_detach(&fk.log, NULL);
	pthread_mutex_unlock(&fk.lock);
	return s;
}

#endif
