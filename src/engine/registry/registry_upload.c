/* Pushing a blob: an upload session (POST, trying a cross-repository mount first when asked), then either
 * one monolithic PUT or PATCH chunks following the Location the registry hands back each time, and the
 * closing PUT with the digest. A session cannot be resumed reliably after a transient failure (the
 * registry's view of the received bytes may differ from ours), so a retry starts a fresh session. */
#include "engine/registry/registry.h"
#include "engine/registry/registry-internal.h"

#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

struct upload {
	struct cc_registry *r;
	CURL *h;
	const char *repo, *digest, *mount_from, *scope;
	int fd;
	uint64_t size;
	size_t chunk;
	cc_registry_progress_fn progress;
	void *ctx;
	bool transient; /* the failure may pass on a new attempt */
};

/* Judge a response: `want` is the expected status; anything else is an error mentioning the request. */
static int expect(struct upload *u, struct reg_req *rq, long want, struct cc_error **err)
{
	if (rq->status == want)
		return 0;
	u->transient = rq->status >= 500 || rq->status == 429;
	cleanup_free char *what = cc_xasprintf("%s %s", rq->method, rq->url);
	return reg_http_error(u->r, rq, what, err);
}

/* One request, no retry of its own: a transient failure fails the attempt, which starts over. */
static int upload_send(struct upload *u, struct reg_req *rq, struct cc_error **err)
{
	rq->scope = u->scope;
	if (reg_do(u->r, u->h, rq, 0, err) < 0) {
		u->transient = rq->transient;
		return -1;
	}
	return 0;
}

static int check_digest(struct upload *u, const struct reg_req *rq, struct cc_error **err)
{
	if (rq->h_digest && strcmp(rq->h_digest, u->digest) != 0)
		return cc_error_set(err, CC_ERR_INVALID_STATE, "push %s@%s: %s stored the blob as %s",
				    u->repo, u->digest, u->r->name, rq->h_digest);
	return 0;
}

/* POST an upload session: *location is where to send the data, or NULL when the blob was mounted. */
static int start(struct upload *u, char **location, struct cc_error **err)
{
	cleanup_free char *url = u->mount_from ? cc_xasprintf("%s/v2/%s/blobs/uploads/?mount=%s&from=%s",
							      u->r->base, u->repo, u->digest, u->mount_from)
					       : cc_xasprintf("%s/v2/%s/blobs/uploads/", u->r->base, u->repo);
	struct reg_req rq;
	reg_req_init(&rq, "POST", url);
	int rc = upload_send(u, &rq, err);
	if (rc == 0 && u->mount_from && rq.status == 201) {
		rc = check_digest(u, &rq, err);
		*location = NULL;
	} else if (rc == 0 && (rc = expect(u, &rq, 202, err)) == 0) {
		if (!rq.h_location)
			rc = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "POST %s: no Location in the answer",
					  url);
		else
			rc = reg_resolve(u->r, rq.h_location, location, err);
	}
	reg_req_release(&rq);
	return rc;
}

/* The closing PUT <location>[?&]digest=..., with the whole blob (monolithic) or nothing (after chunks). */
static int finish(struct upload *u, const char *location, bool with_body, struct cc_error **err)
{
	cleanup_free char *url =
	    cc_xasprintf("%s%cdigest=%s", location, strchr(location, '?') ? '&' : '?', u->digest);
	struct reg_req rq;
	reg_req_init(&rq, "PUT", url);
	rq.content_type = "application/octet-stream";
	if (with_body) {
		rq.body_fd = u->fd;
		rq.body_size = u->size;
		rq.progress = u->progress;
		rq.progress_ctx = u->ctx;
		rq.upload_total = u->size;
	}
	int rc = upload_send(u, &rq, err);
	if (rc == 0)
		rc = expect(u, &rq, 201, err);
	if (rc == 0)
		rc = check_digest(u, &rq, err);
	reg_req_release(&rq);
	return rc;
}

/* PATCH the blob in chunks; *location follows the registry from one chunk to the next. */
static int chunks(struct upload *u, char **location, struct cc_error **err)
{
	for (uint64_t off = 0; off < u->size;) {
		uint64_t n = u->size - off < u->chunk ? u->size - off : u->chunk;
		cleanup_free char *range =
		    cc_xasprintf("%llu-%llu", (unsigned long long)off, (unsigned long long)(off + n - 1));
		struct reg_req rq;
		reg_req_init(&rq, "PATCH", *location);
		rq.content_type = "application/octet-stream";
		rq.content_range = range;
		rq.body_fd = u->fd;
		rq.body_off = off;
		rq.body_size = n;
		rq.progress = u->progress;
		rq.progress_ctx = u->ctx;
		rq.upload_base = off;
		rq.upload_total = u->size;
		int rc = upload_send(u, &rq, err);
		if (rc == 0)
			rc = expect(u, &rq, 202, err);
		char *next = NULL;
		if (rc == 0 && rq.h_location && (rc = reg_resolve(u->r, rq.h_location, &next, err)) == 0) {
			free(*location);
			*location = next;
		}
		reg_req_release(&rq);
		if (rc < 0)
			return -1;
		off += n;
	}
	return 0;
}

static int attempt(struct upload *u, struct cc_error **err)
{
	cleanup_free char *location = NULL;
	u->transient = false;
	if (start(u, &location, err) < 0)
		return -1;
	if (!location)
		return 0; /* mounted */
	if (u->chunk == 0)
		return finish(u, location, true, err);
	if (chunks(u, &location, err) < 0)
		return -1;
	return finish(u, location, false, err);
}

int cc_registry_put_blob(struct cc_registry *r, const char *repo, const char *digest, int fd, uint64_t size,
			 const char *mount_from, size_t chunk_size, cc_registry_progress_fn progress,
			 void *ctx, struct cc_error **err)
{
	if (reg_check_repo(repo, err) < 0 || reg_check_digest(digest, err) < 0 ||
	    (mount_from && reg_check_repo(mount_from, err) < 0))
		return -1;
	cleanup_free char *scope =
	    mount_from ? cc_xasprintf("repository:%s:pull,push repository:%s:pull", repo, mount_from)
		       : cc_xasprintf("repository:%s:pull,push", repo);
	struct upload u = {
	    .r = r,
	    .repo = repo,
	    .digest = digest,
	    .mount_from = mount_from,
	    .scope = scope,
	    .fd = fd,
	    .size = size,
	    .chunk = chunk_size,
	    .progress = progress,
	    .ctx = ctx,
	};
	cleanup_curl CURL *h = NULL;
	if (reg_curl_new(&h, err) < 0)
		return -1;
	u.h = h;
	for (int n = 0;; n++) {
		struct cc_error *e = NULL;
		if (attempt(&u, &e) == 0)
			return 0;
		if (!u.transient || n >= r->retries) {
			reg_take_error(&e, err);
			return -1;
		}
		cc_error_free(e);
		reg_backoff(n);
	}
}
