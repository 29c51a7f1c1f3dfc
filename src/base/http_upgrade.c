/* Upgraded HTTP connections over libcurl's CONNECT_ONLY (http_upgrade.h says why). */
#include "base/http_upgrade.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/curl.h"
#include "base/xalloc.h"

#define HEAD_MAX (64 * 1024)
/* how long the server may take to answer the request (not the session: that lasts as long as it lasts) */
#define ANSWER_TIMEOUT_MS (120 * 1000)

int cc_http_upgraded_send(struct cc_http_upgraded *u, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		size_t w = 0;
		CURLcode rc = curl_easy_send(u->h, p, n, &w);
		if (rc == CURLE_AGAIN) {
			struct pollfd pf = {u->sock, POLLOUT, 0};
			if (poll(&pf, 1, -1) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		if (rc != CURLE_OK)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

ssize_t cc_http_upgraded_recv(struct cc_http_upgraded *u, void *buf, size_t len)
{
	size_t n = 0;
	CURLcode rc = curl_easy_recv(u->h, buf, len, &n);
	if (rc == CURLE_AGAIN)
		return -2;
	return rc == CURLE_OK ? (ssize_t)n : -1;
}

/* Wait until the connection has something to read, at most timeout_ms; false when nothing came. */
static bool wait_readable(int sock, int timeout_ms)
{
	struct pollfd pf = {sock, POLLIN, 0};
	int pr;
	while ((pr = poll(&pf, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return pr > 0;
}

/* Read into b until it holds the response's head; the head's length (through the blank line), or -1. */
static long read_head(struct cc_http_upgraded *u, struct cc_strbuf *b)
{
	char buf[4096];
	for (;;) {
		const char *end = b->len ? memmem(b->buf, b->len, "\r\n\r\n", 4) : NULL;
		if (end)
			return end + 4 - b->buf;
		if (b->len > HEAD_MAX)
			return -1;
		ssize_t n = cc_http_upgraded_recv(u, buf, sizeof(buf));
		if (n == -2) {
			if (!wait_readable(u->sock, ANSWER_TIMEOUT_MS))
				return -1;
			continue;
		}
		if (n <= 0)
			return -1;
		cc_strbuf_add(b, buf, (size_t)n);
	}
}

/* An error answer's body: Content-Length bytes, or what comes until the server closes. */
static void read_error_body(struct cc_http_upgraded *u, struct cc_strbuf *b, size_t have, size_t want)
{
	char buf[4096];
	while (have < want && b->len < HEAD_MAX * 2) {
		ssize_t n = cc_http_upgraded_recv(u, buf, sizeof(buf));
		if (n == -2) {
			if (!wait_readable(u->sock, 5000))
				return;
			continue;
		}
		if (n <= 0)
			return;
		cc_strbuf_add(b, buf, (size_t)n);
		have += (size_t)n;
	}
}

void cc_http_upgraded_close(struct cc_http_upgraded *u)
{
	if (u->h)
		curl_easy_cleanup(u->h);
	u->h = NULL;
	u->sock = -1;
	cc_strbuf_release(&u->pending);
}

static int connect_only(const struct cc_http_conn *c, const char *url, struct cc_http_upgraded *u,
			struct cc_error **err)
{
	if (cc_curl_ready(err) < 0)
		return -1;
	u->h = curl_easy_init();
	if (!u->h)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "cannot create a libcurl handle");
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(u->h, CURLOPT_URL, url);
	if (c->socket)
		curl_easy_setopt(u->h, CURLOPT_UNIX_SOCKET_PATH, c->socket);
	if (c->cacert)
		curl_easy_setopt(u->h, CURLOPT_CAINFO, c->cacert);
	if (c->cert)
		curl_easy_setopt(u->h, CURLOPT_SSLCERT, c->cert);
	if (c->key)
		curl_easy_setopt(u->h, CURLOPT_SSLKEY, c->key);
	curl_easy_setopt(u->h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(u->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(u->h, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(u->h);
	curl_socket_t s = CURL_SOCKET_BAD;
	if (rc == CURLE_OK)
		curl_easy_getinfo(u->h, CURLINFO_ACTIVESOCKET, &s);
	if (rc != CURLE_OK || s == CURL_SOCKET_BAD)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s: %s", c->name,
				    errbuf[0] ? errbuf : curl_easy_strerror(rc));
	u->sock = s;
	return 0;
}

int cc_http_upgrade(const struct cc_http_conn *c, const char *url, const char *method,
		    const char *request_target, json_t *body, const char *what, struct cc_http_req *answer,
		    struct cc_http_upgraded *out, struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	out->sock = -1;
	cc_strbuf_init(&out->pending);
	if (connect_only(c, url, out, err) < 0) {
		cc_http_upgraded_close(out);
		return -1;
	}
	/* no body at all without one: podman's service reads whatever follows the head as the session's
	 * input */
	cleanup_free char *json = body ? json_dumps(body, JSON_COMPACT) : cc_xstrdup("");
	cleanup_free char *req =
	    cc_xasprintf("%s %s HTTP/1.1\r\nHost: localhost\r\n%s%s%s"
			 "Content-Length: %zu\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n%s",
			 method, request_target, c->auth ? c->auth : "", c->auth ? "\r\n" : "",
			 body ? "Content-Type: application/json\r\n" : "", strlen(json), json);
	struct cc_strbuf *b = &out->pending;
	long head = cc_http_upgraded_send(out, req, strlen(req)) < 0 ? -1 : read_head(out, b);
	if (head < 0) {
		int r = cc_error_set(err, CC_ERR_BACKEND_FAILURE,
				     "%s: %s: no answer (the connection ended, or nothing came in 120 s)",
				     c->name, what);
		cc_http_upgraded_close(out);
		return r;
	}
	/* "HTTP/1.1 101 Switching Protocols": the stream follows the head; an older engine says 200 */
	long status = b->len > 12 ? strtol(b->buf + 9, NULL, 10) : 0;
	if (status == 101 || status == 200) {
		memmove(b->buf, b->buf + head, b->len - (size_t)head);
		cc_strbuf_truncate(b, b->len - (size_t)head);
		return 0;
	}
	const char *cl = memmem(b->buf, (size_t)head, "\r\nContent-Length:", 17);
	size_t want = cl ? (size_t)strtoul(cl + 17, NULL, 10) : HEAD_MAX;
	read_error_body(out, b, b->len - (size_t)head, want);
	answer->status = status;
	cc_strbuf_init(&answer->body);
	cc_strbuf_add(&answer->body, b->buf + head, b->len - (size_t)head);
	cc_http_upgraded_close(out);
	return 1;
}
