/* The HTTP exchange under every registry call: one libcurl easy handle per call (never shared between
 * threads), the response headers the protocol needs, the 401 challenge answered once per attempt, and the
 * retry policy for transient failures. libcurl is loaded and initialised once per process by base/curl.c
 * (curl_global_init is not thread-safe); that is never undone, since other threads may still hold handles. */
#include "engine/registry/registry-internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/clock.h"
#include "base/xalloc.h"

#define DEFAULT_MAX_BODY ((size_t)1 << 20)

int reg_curl_new(CURL **out, struct cc_error **err)
{
	if (cc_curl_ready(err) < 0)
		return -1;
	CURL *h = curl_easy_init();
	if (!h)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "cannot create a libcurl handle");
	*out = h;
	return 0;
}

void reg_req_init(struct reg_req *rq, const char *method, const char *url)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = method;
	rq->url = url;
	rq->body_fd = -1;
	cc_strbuf_init(&rq->resp);
}

static void clear_headers(struct reg_req *rq)
{
	free(rq->h_content_type);
	free(rq->h_digest);
	free(rq->h_location);
	free(rq->h_www_auth);
	free(rq->h_content_range);
	rq->h_content_type = rq->h_digest = rq->h_location = rq->h_www_auth = rq->h_content_range = NULL;
}

static void reset_response(struct reg_req *rq)
{
	clear_headers(rq);
	cc_strbuf_reset(&rq->resp);
	rq->curl_rc = CURLE_OK;
	rq->status = 0;
	rq->too_large = false;
	rq->errbuf[0] = '\0';
	rq->sent = 0;
}

void reg_req_release(struct reg_req *rq)
{
	reset_response(rq);
	cc_strbuf_release(&rq->resp);
	free(rq->range);
	rq->range = NULL;
	cc_error_release(&rq->cb_err);
}

void reg_take_error(struct cc_error **from, struct cc_error **err)
{
	struct cc_error *e = *from;
	*from = NULL;
	if (err && !*err)
		*err = e;
	else
		cc_error_free(e);
}

/* ---- callbacks ---- */

struct xfer {
	struct reg_req *rq;
	CURL *h;
};

static void set_header(char **slot, const char *v, size_t n)
{
	free(*slot);
	*slot = cc_xstrndup(v, n);
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct reg_req *rq = ((struct xfer *)ud)->rq;
	size_t len = size * nitems;
	if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
		/* a new response (redirect, 100 Continue): forget the previous one's headers */
		clear_headers(rq);
		cc_strbuf_reset(&rq->resp);
		return len;
	}
	const char *colon = memchr(buf, ':', len);
	if (!colon)
		return len;
	size_t nlen = (size_t)(colon - buf);
	const char *v = colon + 1, *end = buf + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t vlen = (size_t)(end - v);
#define IS(name) (nlen == sizeof(name) - 1 && strncasecmp(buf, name, nlen) == 0)
	if (IS("content-type"))
		set_header(&rq->h_content_type, v, vlen);
	else if (IS("docker-content-digest"))
		set_header(&rq->h_digest, v, vlen);
	else if (IS("location"))
		set_header(&rq->h_location, v, vlen);
	else if (IS("content-range"))
		set_header(&rq->h_content_range, v, vlen);
	else if (IS("www-authenticate")) {
		/* several challenges may come in several headers: one comma-separated list */
		char *joined = rq->h_www_auth ? cc_xasprintf("%s, %.*s", rq->h_www_auth, (int)vlen, v)
					      : cc_xstrndup(v, vlen);
		free(rq->h_www_auth);
		rq->h_www_auth = joined;
	}
#undef IS
	return len;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	struct reg_req *rq = x->rq;
	size_t len = size * nmemb;
	long status = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	bool ok = status >= 200 && status < 300;
	if (ok && rq->sink)
		return rq->sink(rq->sink_ctx, x->h, data, len, &rq->cb_err) < 0 ? 0 : len;
	size_t max = rq->max_body ? rq->max_body : DEFAULT_MAX_BODY;
	if (rq->resp.len + len > max) {
		if (!ok)
			return len; /* an oversized error page: its start is enough */
		rq->too_large = true;
		return 0;
	}
	cc_strbuf_add(&rq->resp, data, len);
	return len;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
	struct reg_req *rq = ((struct xfer *)ud)->rq;
	size_t want = size * nitems;
	uint64_t total = rq->body_fd >= 0 ? rq->body_size : rq->body_len;
	if (rq->sent >= total)
		return 0;
	if (want > total - rq->sent)
		want = (size_t)(total - rq->sent);
	ssize_t got;
	if (rq->body_fd >= 0) {
		do
			got = pread(rq->body_fd, buf, want, (off_t)(rq->body_off + rq->sent));
		while (got < 0 && errno == EINTR);
		if (got <= 0) {
			if (got < 0)
				cc_error_set_errno(&rq->cb_err, CC_ERR_INVALID_ARGUMENT, errno,
						   "cannot read the data to upload");
			else
				cc_error_set(&rq->cb_err, CC_ERR_INVALID_ARGUMENT,
					     "the data to upload ends at %llu of %llu bytes",
					     (unsigned long long)(rq->body_off + rq->sent),
					     (unsigned long long)(rq->body_off + total));
			return CURL_READFUNC_ABORT;
		}
	} else {
		memcpy(buf, rq->body + rq->sent, want);
		got = (ssize_t)want;
	}
	rq->sent += (uint64_t)got;
	if (rq->progress &&
	    rq->progress(rq->progress_ctx, rq->upload_base + rq->sent, rq->upload_total) < 0) {
		cc_error_set(&rq->cb_err, CC_ERR_INVALID_STATE, "cancelled");
		return CURL_READFUNC_ABORT;
	}
	return (size_t)got;
}

static int on_seek(void *ud, curl_off_t offset, int origin)
{
	struct reg_req *rq = ((struct xfer *)ud)->rq;
	if (origin != SEEK_SET || offset < 0)
		return CURL_SEEKFUNC_CANTSEEK;
	rq->sent = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

/* ---- one request ---- */

/* "Name: value"; an empty value makes "Name:", which tells curl not to send its default. */
static struct curl_slist *add_header(struct curl_slist *list, const char *name, const char *value)
{
	cleanup_free char *line = cc_xasprintf("%s:%s%s", name, *value ? " " : "", value);
	struct curl_slist *n = curl_slist_append(list, line);
	if (!n)
		abort(); /* out of memory, like cc_xmalloc */
	return n;
}

void reg_perform(CURL *h, struct reg_req *rq, const char *authorization)
{
	struct xfer x = {rq, h};
	reset_response(rq);
	curl_easy_reset(h);
	struct curl_slist *hdrs = NULL;
	if (authorization)
		hdrs = add_header(hdrs, "Authorization", authorization);
	if (rq->accept)
		hdrs = add_header(hdrs, "Accept", rq->accept);
	if (rq->content_type)
		hdrs = add_header(hdrs, "Content-Type", rq->content_type);
	else
		hdrs = add_header(hdrs, "Content-Type", ""); /* no form type on an empty POST */
	if (rq->content_range)
		hdrs = add_header(hdrs, "Content-Range", rq->content_range);
	hdrs = add_header(hdrs, "Expect", ""); /* send bodies at once: no 100-continue round trip */

	curl_easy_setopt(h, CURLOPT_URL, rq->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "container-compose/" CC_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, rq->errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a stalled transfer (under 1 byte/s for a minute) fails and is retried; no overall limit for big
	 * blobs */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	if (rq->follow) {
		curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	}
	if (rq->range)
		curl_easy_setopt(h, CURLOPT_RANGE, rq->range);
	if (strcmp(rq->method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(rq->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	} else if (strcmp(rq->method, "GET") != 0) {
		uint64_t size = rq->body_fd >= 0 ? rq->body_size : rq->body_len;
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &x);
		curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(h, CURLOPT_SEEKDATA, &x);
		if (strcmp(rq->method, "PUT") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
	}
	rq->curl_rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rq->status);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
}

static bool curl_transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/* After an attempt: fail for callback errors and oversized bodies, else classify. */
static int judge(struct reg_req *rq, bool *transient, struct cc_error **err)
{
	if (rq->cb_err) {
		reg_take_error(&rq->cb_err, err);
		return -1;
	}
	if (rq->too_large)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s %s: response larger than %zu bytes",
				    rq->method, rq->url, rq->max_body ? rq->max_body : DEFAULT_MAX_BODY);
	if (rq->curl_rc == CURLE_PARTIAL_FILE && rq->status >= 400 && rq->status < 500)
		rq->curl_rc = CURLE_OK; /* a cut error body loses only detail: distribution's 416 announces
					   the blob's length and sends none of it */
	if (rq->curl_rc != CURLE_OK)
		*transient = curl_transient(rq->curl_rc);
	else
		*transient = rq->status >= 500 || rq->status == 429;
	return 0;
}

int reg_send(struct cc_registry *r, CURL *h, struct reg_req *rq, bool *transient, struct cc_error **err)
{
	*transient = false;
	cleanup_free char *auth = reg_auth_cached(r, rq->scope);
	reg_perform(h, rq, auth);
	if (judge(rq, transient, err) < 0)
		return -1;
	if (rq->curl_rc != CURLE_OK || rq->status != 401)
		return 0;
	cleanup_free char *fresh = NULL;
	if (reg_auth_answer(r, h, rq, &fresh, err) < 0)
		return -1;
	if (!fresh || (auth && strcmp(auth, fresh) == 0))
		return 0; /* nothing new to try: the 401 stands */
	reg_perform(h, rq, fresh);
	return judge(rq, transient, err);
}

void reg_backoff(int attempt)
{
	uint32_t jitter = 0;
	if (getrandom(&jitter, sizeof(jitter), GRND_NONBLOCK) != (ssize_t)sizeof(jitter))
		jitter = 0;
	int64_t delay = 200 * CC_NS_PER_MSEC << (attempt < 8 ? attempt : 8);
	cc_sleep_ns(delay + (int64_t)(jitter % 100) * CC_NS_PER_MSEC);
}

int reg_do(struct cc_registry *r, CURL *h, struct reg_req *rq, int retries, struct cc_error **err)
{
	for (int attempt = 0;; attempt++) {
		if (rq->prepare && rq->prepare(rq->sink_ctx, err) < 0)
			return -1;
		if (reg_send(r, h, rq, &rq->transient, err) < 0)
			return -1;
		if (!rq->transient || attempt >= retries)
			break;
		reg_backoff(attempt);
	}
	if (rq->curl_rc != CURLE_OK)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s %s: %s", rq->method, rq->url,
				    rq->errbuf[0] ? rq->errbuf : curl_easy_strerror(rq->curl_rc));
	return 0;
}

/* ---- errors ---- */

char *reg_error_detail(const struct reg_req *rq)
{
	if (!rq->resp.len)
		return NULL;
	json_t *root = json_loadb(rq->resp.buf, rq->resp.len, 0, NULL);
	json_t *errors = json_object_get(root, "errors");
	struct cc_strbuf sb = CC_STRBUF_INIT;
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e)
	{
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		if (!code && !msg)
			continue;
		if (sb.len)
			cc_strbuf_adds(&sb, "; ");
		cc_strbuf_addf(&sb, "%s%s%s", code ? code : "", code && msg ? ": " : "", msg ? msg : "");
	}
	json_decref(root);
	return sb.len ? cc_strbuf_detach(&sb, NULL) : NULL;
}

int reg_http_error(struct cc_registry *r, const struct reg_req *rq, const char *what, struct cc_error **err)
{
	cleanup_free char *detail = reg_error_detail(rq);
	const char *sep = detail ? ": " : "";
	const char *d = detail ? detail : "";
	enum cc_err_kind kind;
	switch (rq->status) {
	case 401:
	case 403:
		return cc_error_set(err, CC_ERR_PERMISSION,
				    "%s: HTTP %ld%s%s: access denied by %s (if it needs credentials, run "
				    "`container-compose login %s`)",
				    what, rq->status, sep, d, r->name, r->name);
	case 404:
		kind = CC_ERR_NOT_FOUND;
		break;
	case 400:
	case 411:
	case 413:
		kind = CC_ERR_INVALID_ARGUMENT;
		break;
	case 405:
	case 501:
		kind = CC_ERR_NOT_SUPPORTED;
		break;
	case 409:
	case 416:
		kind = CC_ERR_INVALID_STATE;
		break;
	default:
		kind = CC_ERR_BACKEND_FAILURE;
		break;
	}
	return cc_error_set(err, kind, "%s: HTTP %ld%s%s", what, rq->status, sep, d);
}

int reg_resolve(struct cc_registry *r, const char *location, char **out, struct cc_error **err)
{
	CURLU *u = curl_url();
	if (!u)
		abort();
	char *s = NULL;
	int rc = 0;
	if (curl_url_set(u, CURLUPART_URL, r->base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, location, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		rc = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s answered an invalid Location: %s", r->name,
				  location);
	else
		*out = cc_xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return rc;
}
