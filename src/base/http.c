/* HTTP requests over libcurl: see http.h. */
#include "base/http.h"
#include "base/cleanup.h"
#include "base/curl.h"
#include "base/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cc_http_req_release(struct cc_http_req *req)
{
	cc_strbuf_release(&req->body);
	free(req->header_value);
	req->header_value = NULL;
}

struct xfer {
	CURL *h;
	struct cc_http_req *req;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *p)
{
	struct xfer *x = p;
	size_t len = size * nmemb;
	long status = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (!x->req->chunk || status < 200 || status >= 300) {
		if (x->req->body.len < ((size_t)64 << 20))
			cc_strbuf_add(&x->req->body, data, len);
		return len;
	}
	if (x->req->chunk(x->req->ctx, data, len) < 0) {
		x->req->cancelled = true;
		return 0;
	}
	return len;
}

static size_t on_read_fd(char *buf, size_t size, size_t nmemb, void *p)
{
	int fd = *(int *)p;
	ssize_t r;
	do
		r = read(fd, buf, size * nmemb);
	while (r < 0 && errno == EINTR);
	return r < 0 ? CURL_READFUNC_ABORT : (size_t)r;
}

int cc_http_perform(const struct cc_http_conn *c, struct cc_http_req *req, const char *url,
		    struct cc_error **err)
{
	CURL *h = curl_easy_init();
	if (!h)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "cannot create a libcurl handle");
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	cleanup_free char *json = NULL;
	struct xfer x = {h, req};
	int fd = req->raw_fd;
	curl_easy_setopt(h, CURLOPT_URL, url);
	if (c->socket)
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->socket);
	if (c->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
	if (c->cert)
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert);
	if (c->key)
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->key);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	/* a HEAD response has a Content-Length but no body: without NOBODY curl would wait for it */
	if (strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	if (req->timeout_ms > 0)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (req->header)
		hdrs = curl_slist_append(hdrs, req->header);
	if (c->auth)
		hdrs = curl_slist_append(hdrs, c->auth);
	if (req->json) {
		json = json_dumps(req->json, JSON_COMPACT);
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
	} else if (req->raw_fd >= 0) {
		hdrs = curl_slist_append(hdrs, req->content_type ? req->content_type
								 : "Content-Type: application/x-tar");
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read_fd);
		curl_easy_setopt(h, CURLOPT_READDATA, &fd);
	} else if (req->raw) {
		if (req->content_type)
			hdrs = curl_slist_append(hdrs, req->content_type);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->raw);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)req->raw_len);
	} else if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	CURLcode rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &req->status);
	struct curl_header *kept;
	if (req->want_header && (rc == CURLE_OK || req->cancelled) &&
	    curl_easy_header(h, req->want_header, 0, CURLH_HEADER, -1, &kept) == CURLHE_OK)
		req->header_value = cc_xstrdup(kept->value);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && req->cancelled))
		return 0;
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		req->timed_out = true;
		return cc_error_set(err, CC_ERR_TIMEOUT, "%s %s: timed out after %ld ms", req->method,
				    req->path, req->timeout_ms);
	}
	return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s: %s", c->name,
			    errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

int cc_http_chunk_to_fd(void *ctx, const char *data, size_t len)
{
	int fd = *(int *)ctx;
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

char *cc_http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = cc_xmalloc(3 * strlen(s) + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

void cc_http_query_add(struct cc_strbuf *q, const char *key, const char *value)
{
	if (!value)
		return;
	char *e = cc_http_escape(value);
	cc_strbuf_addf(q, "%c%s=%s", q->len ? '&' : '?', key, e);
	free(e);
}
