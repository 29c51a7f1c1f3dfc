/* The registry client's handle and its pull side: manifests (verified against Docker-Content-Digest and a
 * digest reference), blobs streamed into a file with a running sha256 (resumable with Range), HEAD, and the
 * manifest PUT. Pushing blobs is in registry_upload.c, the auth flow in registry_auth.c, transport in
 * registry_http.c.
 *
 * Cancelling a blob transfer from the progress callback fails the call with INVALID_STATE "cancelled". */
#include "engine/registry/registry.h"
#include "engine/registry/registry-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/sha256.h"
#include "base/xalloc.h"

#define MANIFEST_MAX ((size_t)4 << 20) /* distribution refuses manifests over 4 MiB */
#define ACCEPT_MANIFESTS                                                                                     \
	CC_MT_OCI_INDEX ", " CC_MT_OCI_MANIFEST ", " CC_MT_DOCKER_LIST ", " CC_MT_DOCKER_MANIFEST

/* ---- names and URLs ---- */

/* The host part of "host", "host:port", "[v6]:port", "v6". */
static char *host_part(const char *registry)
{
	if (registry[0] == '[') {
		const char *end = strchr(registry, ']');
		return cc_xstrndup(registry + 1, end ? (size_t)(end - registry - 1) : strlen(registry + 1));
	}
	const char *colon = strchr(registry, ':');
	if (colon && !strchr(colon + 1, ':'))
		return cc_xstrndup(registry, (size_t)(colon - registry));
	return cc_xstrdup(registry); /* no port, or a bare IPv6 address */
}

bool reg_host_is_loopback(const char *registry)
{
	cleanup_free char *host = host_part(registry);
	unsigned char a[16];
	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, host, a) == 1)
		return memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
	return false;
}

char *reg_base_url(const char *registry, char *const *insecure)
{
	bool plain = reg_host_is_loopback(registry);
	cleanup_free char *host = host_part(registry);
	for (char *const *i = insecure; i && *i && !plain; i++)
		plain = strcasecmp(*i, registry) == 0 || strcasecmp(*i, host) == 0;
	if (strcmp(registry, "docker.io") == 0 || strcmp(registry, "index.docker.io") == 0)
		registry = "registry-1.docker.io";
	return cc_xasprintf("%s://%s", plain ? "http" : "https", registry);
}

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int reg_check_repo(const char *repo, struct cc_error **err)
{
	size_t n = repo ? strlen(repo) : 0;
	bool ok = n > 0 && n <= 255;
	for (size_t i = 0; ok && i < n; i++) {
		char c = repo[i];
		bool edge = i == 0 || repo[i - 1] == '/' || i + 1 == n || repo[i + 1] == '/';
		if (c == '/')
			ok = i > 0 && i + 1 < n && repo[i + 1] != '/';
		else if (c == '.' || c == '_' || c == '-')
			ok = !edge;
		else
			ok = lower_alnum(c);
	}
	if (!ok)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid repository name \"%s\"",
				    repo ? repo : "");
	return 0;
}

int reg_check_digest(const char *digest, struct cc_error **err)
{
	const char *colon = digest ? strchr(digest, ':') : NULL;
	if (!colon || colon == digest)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid digest \"%s\"",
				    digest ? digest : "");
	if (strncmp(digest, "sha256:", 7) != 0)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED, "unsupported digest algorithm in \"%s\"",
				    digest);
	const char *hex = colon + 1;
	bool ok = strlen(hex) == CC_SHA256_HEX_LEN;
	for (size_t i = 0; ok && hex[i]; i++)
		ok = (hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f');
	if (!ok)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid digest \"%s\"", digest);
	return 0;
}

/* A tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}) or a digest. */
static int check_reference(const char *ref, struct cc_error **err)
{
	if (ref && strchr(ref, ':'))
		return reg_check_digest(ref, err);
	size_t n = ref ? strlen(ref) : 0;
	bool ok = n > 0 && n <= 128 && ref[0] != '.' && ref[0] != '-';
	for (size_t i = 0; ok && i < n; i++)
		ok = (ref[i] >= 'A' && ref[i] <= 'Z') || (ref[i] >= 'a' && ref[i] <= 'z') ||
		     (ref[i] >= '0' && ref[i] <= '9') || strchr("_.-", ref[i]);
	if (!ok)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid tag \"%s\"", ref ? ref : "");
	return 0;
}

void reg_hex(const unsigned char *bin, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[bin[i] >> 4];
		out[2 * i + 1] = hex[bin[i] & 15];
	}
	out[2 * len] = '\0';
}

/* ---- the handle ---- */

int reg_open_internal(const char *registry, const struct cc_registry_opts *opts, const char *basic,
		      struct cc_registry **out, struct cc_error **err)
{
	if (!registry || !*registry || strlen(registry) > 255 || strpbrk(registry, "/?#@ \t\r\n\\\"'"))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid registry host \"%s\"",
				    registry ? registry : "");
	cleanup_free char *creds = NULL;
	if (basic) {
		creds = cc_xstrdup(basic);
	} else {
		cleanup_free char *path = reg_auth_file_path(opts);
		if (reg_auth_file_lookup(path, registry, &creds, err) < 0)
			return -1;
	}
	struct cc_registry *r = cc_xcalloc(1, sizeof(*r));
	r->name = cc_xstrdup(registry);
	r->base = reg_base_url(registry, opts ? opts->insecure : NULL);
	r->basic = steal_pointer(&creds);
	r->retries = !opts || opts->retries == 0 ? 3 : opts->retries < 0 ? 0 : opts->retries;
	pthread_mutex_init(&r->lock, NULL);
	*out = r;
	return 0;
}

int cc_registry_open(const char *registry, const struct cc_registry_opts *opts, struct cc_registry **out,
		     struct cc_error **err)
{
	return reg_open_internal(registry, opts, NULL, out, err);
}

void cc_registry_close(struct cc_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ntokens; i++) {
		free(r->tokens[i].scope);
		explicit_bzero(r->tokens[i].value, strlen(r->tokens[i].value));
		free(r->tokens[i].value);
	}
	free(r->tokens);
	if (r->basic)
		explicit_bzero(r->basic, strlen(r->basic));
	free(r->basic);
	free(r->name);
	free(r->base);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* ---- manifests ---- */

void cc_registry_manifest_release(struct cc_registry_manifest *m)
{
	free(m->body);
	free(m->media_type);
	free(m->digest);
	memset(m, 0, sizeof(*m));
}

/* The Content-Type without parameters; the body's mediaType when the header is missing or generic. */
static char *manifest_type(const char *content_type, const char *body, size_t len)
{
	if (content_type) {
		size_t n = strcspn(content_type, ";");
		while (n && (content_type[n - 1] == ' ' || content_type[n - 1] == '\t'))
			n--;
		if (n && strncasecmp(content_type, "application/json", n) != 0 &&
		    strncasecmp(content_type, "text/plain", n) != 0)
			return cc_xstrndup(content_type, n);
	}
	json_t *root = json_loadb(body, len, 0, NULL);
	const char *mt = json_string_value(json_object_get(root, "mediaType"));
	char *out = mt ? cc_xstrdup(mt) : NULL;
	json_decref(root);
	return out;
}

int cc_registry_get_manifest(struct cc_registry *r, const char *repo, const char *reference,
			     struct cc_registry_manifest *out, struct cc_error **err)
{
	if (reg_check_repo(repo, err) < 0 || check_reference(reference, err) < 0)
		return -1;
	cleanup_free char *url = cc_xasprintf("%s/v2/%s/manifests/%s", r->base, repo, reference);
	cleanup_free char *scope = cc_xasprintf("repository:%s:pull", repo);
	cleanup_curl CURL *h = NULL;
	if (reg_curl_new(&h, err) < 0)
		return -1;
	struct reg_req rq;
	reg_req_init(&rq, "GET", url);
	rq.scope = scope;
	rq.accept = ACCEPT_MANIFESTS;
	rq.max_body = MANIFEST_MAX;
	int rc = reg_do(r, h, &rq, r->retries, err);
	char digest[7 + CC_SHA256_HEX_LEN + 1] = "sha256:";
	if (rc < 0)
		goto out;
	if (rq.status == 404) {
		rc = cc_error_set(err, CC_ERR_NOT_FOUND, "manifest unknown: %s:%s", repo, reference);
		goto out;
	}
	if (rq.status != 200) {
		cleanup_free char *what = cc_xasprintf("GET %s", url);
		rc = reg_http_error(r, &rq, what, err);
		goto out;
	}
	cc_sha256_hex(cc_strbuf_str(&rq.resp), rq.resp.len, digest + 7);
	if (rq.h_digest && strncmp(rq.h_digest, "sha256:", 7) == 0 && strcmp(rq.h_digest, digest) != 0) {
		rc = cc_error_set(err, CC_ERR_INVALID_STATE, "digest mismatch for %s:%s: %s says %s, got %s",
				  repo, reference, r->name, rq.h_digest, digest);
		goto out;
	}
	if (strchr(reference, ':') && strcmp(reference, digest) != 0) {
		rc = cc_error_set(err, CC_ERR_INVALID_STATE, "digest mismatch for %s: got %s", reference,
				  digest);
		goto out;
	}
	out->media_type = manifest_type(rq.h_content_type, cc_strbuf_str(&rq.resp), rq.resp.len);
	out->digest = cc_xstrdup(digest);
	out->body = cc_strbuf_detach(&rq.resp, &out->len);
out:
	reg_req_release(&rq);
	return rc;
}

int cc_registry_put_manifest(struct cc_registry *r, const char *repo, const char *reference,
			     const char *media_type, const char *body, size_t len, char **digest_out,
			     struct cc_error **err)
{
	if (reg_check_repo(repo, err) < 0 || check_reference(reference, err) < 0)
		return -1;
	if (!media_type || !*media_type || strpbrk(media_type, "\r\n"))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "put manifest %s:%s: a media type is required", repo, reference);
	char digest[7 + CC_SHA256_HEX_LEN + 1] = "sha256:";
	cc_sha256_hex(body, len, digest + 7);
	if (strchr(reference, ':') && strcmp(reference, digest) != 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "put manifest %s@%s: the body's digest is %s", repo, reference, digest);
	cleanup_free char *url = cc_xasprintf("%s/v2/%s/manifests/%s", r->base, repo, reference);
	cleanup_free char *scope = cc_xasprintf("repository:%s:pull,push", repo);
	cleanup_curl CURL *h = NULL;
	if (reg_curl_new(&h, err) < 0)
		return -1;
	struct reg_req rq;
	reg_req_init(&rq, "PUT", url);
	rq.scope = scope;
	rq.content_type = media_type;
	rq.body = body;
	rq.body_len = len;
	int rc = reg_do(r, h, &rq, r->retries, err);
	if (rc == 0 && (rq.status < 200 || rq.status >= 300)) {
		cleanup_free char *what = cc_xasprintf("PUT %s", url);
		rc = reg_http_error(r, &rq, what, err);
	}
	if (rc == 0 && rq.h_digest && strcmp(rq.h_digest, digest) != 0)
		rc = cc_error_set(err, CC_ERR_INVALID_STATE, "put manifest %s:%s: %s stored %s, expected %s",
				  repo, reference, r->name, rq.h_digest, digest);
	if (rc == 0 && digest_out)
		*digest_out = cc_xstrdup(rq.h_digest ? rq.h_digest : digest);
	reg_req_release(&rq);
	return rc;
}

/* ---- blobs ---- */

int cc_registry_blob_exists(struct cc_registry *r, const char *repo, const char *digest, bool *exists,
			    uint64_t *size, struct cc_error **err)
{
	if (reg_check_repo(repo, err) < 0 || reg_check_digest(digest, err) < 0)
		return -1;
	cleanup_free char *url = cc_xasprintf("%s/v2/%s/blobs/%s", r->base, repo, digest);
	cleanup_free char *scope = cc_xasprintf("repository:%s:pull", repo);
	cleanup_curl CURL *h = NULL;
	if (reg_curl_new(&h, err) < 0)
		return -1;
	struct reg_req rq;
	reg_req_init(&rq, "HEAD", url);
	rq.scope = scope;
	rq.follow = true;
	int rc = reg_do(r, h, &rq, r->retries, err);
	if (rc == 0 && rq.status == 200) {
		curl_off_t cl = -1;
		curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		*exists = true;
		if (size)
			*size = cl > 0 ? (uint64_t)cl : 0;
	} else if (rc == 0 && rq.status == 404) {
		*exists = false;
		if (size)
			*size = 0;
	} else if (rc == 0) {
		cleanup_free char *what = cc_xasprintf("HEAD %s", url);
		rc = reg_http_error(r, &rq, what, err);
	}
	reg_req_release(&rq);
	return rc;
}

/* A download in progress: what is in fd (from origin) and hashed so far, across attempts. */
struct blob_dl {
	struct reg_req *rq;
	const char *digest;
	int fd;
	off_t origin;   /* where the blob starts in fd; -1 when fd cannot seek */
	uint64_t done;  /* bytes of the blob written and hashed */
	uint64_t start; /* the Range start of this attempt */
	uint64_t total; /* the blob's size when known */
	bool started;   /* this attempt's body has begun */
	struct sha256_ctx sha;
	cc_registry_progress_fn progress;
	void *ctx;
};

static int dl_prepare(void *ctx, struct cc_error **err)
{
	struct blob_dl *dl = ctx;
	dl->start = dl->done;
	dl->started = false;
	free(dl->rq->range);
	dl->rq->range = dl->done ? cc_xasprintf("%llu-", (unsigned long long)dl->done) : NULL;
	return 0;
}

/* Back to an empty blob: the server sent it whole after all. */
static int dl_restart(struct blob_dl *dl, struct cc_error **err)
{
	if (dl->origin < 0 || ftruncate(dl->fd, dl->origin) < 0 || lseek(dl->fd, dl->origin, SEEK_SET) < 0)
		return cc_error_set_errno(
		    err, CC_ERR_INVALID_STATE, errno,
		    "blob %s: the registry ignored the Range request and the file cannot be "
		    "rewound",
		    dl->digest);
	sha256_init(&dl->sha);
	dl->done = 0;
	return 0;
}

static int dl_sink(void *ctx, CURL *h, const char *data, size_t len, struct cc_error **err)
{
	struct blob_dl *dl = ctx;
	if (!dl->started) {
		dl->started = true;
		long status = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		curl_off_t cl = -1;
		curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		if (status == 206) {
			unsigned long long from = 0, to = 0, total = 0;
			const char *cr = dl->rq->h_content_range ? dl->rq->h_content_range : "";
			int n = sscanf(cr, "bytes %llu-%llu/%llu", &from, &to, &total);
			if (n < 2 || from != dl->start)
				return cc_error_set(
				    err, CC_ERR_BACKEND_FAILURE,
				    "blob %s: asked for bytes from %llu, got Content-Range \"%s\"",
				    dl->digest, (unsigned long long)dl->start, cr);
			dl->total = n == 3 ? total : 0;
		} else {
			if (dl->start > 0 && dl_restart(dl, err) < 0)
				return -1;
			dl->total = cl >= 0 ? (uint64_t)cl : 0;
		}
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(dl->fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "cannot write blob %s",
						  dl->digest);
		off += (size_t)n;
	}
	sha256_update(&dl->sha, len, (const uint8_t *)data);
	dl->done += len;
	if (dl->progress && dl->progress(dl->ctx, dl->done, dl->total) < 0)
		return cc_error_set(err, CC_ERR_INVALID_STATE, "cancelled");
	return 0;
}

/* Hash the first `offset` bytes already in fd and position it after them. */
static int dl_resume(struct blob_dl *dl, uint64_t offset, struct cc_error **err)
{
	char buf[65536];
	for (uint64_t pos = 0; pos < offset;) {
		size_t want = offset - pos < sizeof(buf) ? (size_t)(offset - pos) : sizeof(buf);
		ssize_t n = pread(dl->fd, buf, want, (off_t)pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno,
						  "blob %s: cannot read the %llu bytes to resume from",
						  dl->digest, (unsigned long long)offset);
		if (n == 0)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "blob %s: the file holds %llu bytes, fewer than the offset %llu",
					    dl->digest, (unsigned long long)pos, (unsigned long long)offset);
		sha256_update(&dl->sha, (size_t)n, (const uint8_t *)buf);
		pos += (uint64_t)n;
	}
	struct stat st;
	if (fstat(dl->fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > offset &&
	    ftruncate(dl->fd, (off_t)offset) < 0)
		return cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno,
					  "blob %s: cannot truncate the file", dl->digest);
	if (lseek(dl->fd, (off_t)offset, SEEK_SET) < 0)
		return cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno,
					  "blob %s: cannot seek the file", dl->digest);
	dl->origin = 0;
	dl->done = offset;
	return 0;
}

static void dl_hex(struct blob_dl *dl, char *out)
{
	struct sha256_ctx copy = dl->sha;
	unsigned char bin[SHA256_DIGEST_SIZE];
	sha256_digest(&copy, sizeof(bin), bin);
	reg_hex(bin, sizeof(bin), out);
}

int cc_registry_get_blob(struct cc_registry *r, const char *repo, const char *digest, int fd, uint64_t offset,
			 cc_registry_progress_fn progress, void *ctx, struct cc_error **err)
{
	if (reg_check_repo(repo, err) < 0 || reg_check_digest(digest, err) < 0)
		return -1;
	cleanup_free char *url = cc_xasprintf("%s/v2/%s/blobs/%s", r->base, repo, digest);
	cleanup_free char *scope = cc_xasprintf("repository:%s:pull", repo);
	struct reg_req rq;
	reg_req_init(&rq, "GET", url);
	rq.scope = scope;
	rq.follow = true;
	struct blob_dl dl = {.rq = &rq, .digest = digest, .fd = fd, .progress = progress, .ctx = ctx};
	sha256_init(&dl.sha);
	rq.sink = dl_sink;
	rq.prepare = dl_prepare;
	rq.sink_ctx = &dl;
	cleanup_curl CURL *h = NULL;
	int rc = reg_curl_new(&h, err);
	if (rc == 0 && offset > 0)
		rc = dl_resume(&dl, offset, err);
	else
		dl.origin = lseek(fd, 0, SEEK_CUR);
	if (rc == 0)
		rc = reg_do(r, h, &rq, r->retries, err);
	char hex[CC_SHA256_HEX_LEN + 1];
	bool complete = false;
	if (rc == 0 && rq.status == 416 && dl.start > 0) {
		/* asked for bytes past the end: either the file already holds the whole blob, or start over
		 */
		dl_hex(&dl, hex);
		complete = strcmp(hex, digest + 7) == 0;
		if (!complete) {
			rc = dl_restart(&dl, err);
			if (rc == 0)
				rc = reg_do(r, h, &rq, r->retries, err);
		}
	}
	if (rc < 0 || complete) {
		/* nothing more to judge */
	} else if (rq.status == 404) {
		rc = cc_error_set(err, CC_ERR_NOT_FOUND, "blob unknown: %s@%s", repo, digest);
	} else if (rq.status != 200 && rq.status != 206) {
		cleanup_free char *what = cc_xasprintf("GET %s", url);
		rc = reg_http_error(r, &rq, what, err);
	} else if (rq.status == 200 && !dl.started && dl.start > 0) {
		rc = dl_restart(&dl, err); /* an empty blob, sent whole */
	}
	if (rc == 0) {
		dl_hex(&dl, hex);
		if (strcmp(hex, digest + 7) != 0)
			rc = cc_error_set(err, CC_ERR_INVALID_STATE, "digest mismatch for %s: got sha256:%s",
					  digest, hex);
	}
	reg_req_release(&rq);
	return rc;
}
