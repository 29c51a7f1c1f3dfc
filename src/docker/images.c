/* Images over the Engine API: list, inspect, pull, push and build (their JSON progress lines), tag, remove,
 * and load/save as tarballs. */
#include "docker/docker-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "engine/build/context.h"

#define D(self) (((struct docker *)(self))->c)

static void image_from_json(json_t *j, struct cc_image *img)
{
	memset(img, 0, sizeof(*img));
	img->id = dk_strdup(j, "Id");
	img->repo_tags = dk_strv(json_object_get(j, "RepoTags"));
	img->repo_digests = dk_strv(json_object_get(j, "RepoDigests"));
	img->size = dk_int(j, "Size");
	json_t *created = json_object_get(j, "Created");
	img->created_ns = json_is_integer(created) ? (int64_t)json_integer_value(created) * 1000000000LL
						   : dk_parse_time(json_string_value(created));
	json_t *cfg = json_object_get(j, "Config");
	if (json_is_object(cfg)) {
		img->env = dk_strv(json_object_get(cfg, "Env"));
		img->cmd = dk_strv(json_object_get(cfg, "Cmd"));
		img->entrypoint = dk_strv(json_object_get(cfg, "Entrypoint"));
		img->working_dir = dk_strdup(cfg, "WorkingDir");
		img->user = dk_strdup(cfg, "User");
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(cfg, "ExposedPorts"), k, v)
		{
			cc_strv_push(&img->exposed_ports, k);
		}
	}
	json_t *labels = json_is_object(cfg) ? json_object_get(cfg, "Labels") : json_object_get(j, "Labels");
	const char *k;
	json_t *v;
	json_object_foreach(labels, k, v)
	{
		if (json_is_string(v))
			cc_kvs_set(&img->labels, k, json_string_value(v));
	}
	img->layers = dk_strv(json_object_get(json_object_get(j, "RootFS"), "Layers"));
}

int dk_image_list(void *self, struct cc_image **out, size_t *n, struct cc_error **err)
{
	json_t *arr;
	if (dk_call(D(self), "GET", "/images/json", NULL, &arr, "image list", err) < 0)
		return -1;
	struct cc_image *v = cc_xcalloc(json_array_size(arr) + 1, sizeof(*v));
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		image_from_json(e, &v[i]);
	}
	*n = json_array_size(arr);
	*out = v;
	json_decref(arr);
	return 0;
}

int dk_image_inspect(void *self, const char *ref, struct cc_image *out, struct cc_error **err)
{
	cleanup_free char *e = cc_http_escape(ref);
	cleanup_free char *path = cc_xasprintf("/images/%s/json", e);
	cleanup_free char *what = cc_xasprintf("image %s", ref);
	json_t *j;
	if (dk_call(D(self), "GET", path, NULL, &j, what, err) < 0)
		return -1;
	image_from_json(j, out);
	json_decref(j);
	return 0;
}

/* Progress lines: {status, id, progressDetail{current,total}, error}; a build's are {stream} and {aux{ID}}.
 */
struct progress {
	const char *ref;
	const struct cc_progress_sink *sink;
	struct cc_strbuf buf;
	char *error;
	bool build;
	char *image_id; /* a build's result */
};

static int emit(struct progress *p, const struct cc_progress *pr)
{
	return p->sink && p->sink->emit ? p->sink->emit(p->sink->ctx, pr) : 0;
}

/* A build's output, as the native builder's frames: "step" for each instruction, "log" for the rest. */
static int build_line(struct progress *p, json_t *j)
{
	const char *id = dk_str(json_object_get(j, "aux"), "ID");
	if (id) {
		free(p->image_id);
		p->image_id = cc_xstrdup(id);
		return 0;
	}
	const char *stream = dk_str(j, "stream");
	if (!stream)
		return 0;
	cleanup_free char *text = cc_xstrdup(stream);
	int rc = 0;
	for (char *line = text, *nl; rc == 0 && line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (!*line)
			continue;
		struct cc_progress pr = {.ref = p->ref,
					 .status = strncasecmp(line, "Step ", 5) == 0 ? "step" : "log",
					 .message = line};
		rc = emit(p, &pr);
	}
	return rc;
}

static int progress_line(struct progress *p, const char *line)
{
	json_t *j = json_loads(line, 0, NULL);
	if (!j)
		return 0;
	const char *e = dk_str(j, "error");
	if (e) {
		if (!p->error)
			p->error = cc_xstrdup(e);
		json_decref(j);
		return 0;
	}
	if (p->build) {
		int rc = build_line(p, j);
		json_decref(j);
		return rc;
	}
	json_t *pd = json_object_get(j, "progressDetail");
	const char *status = dk_str(j, "status");
	struct cc_progress pr = {p->ref,
				 status ? status : "",
				 dk_str(j, "id"),
				 dk_int(pd, "current"),
				 dk_int(pd, "total"),
				 dk_str(j, "stream")};
	int rc = emit(p, &pr);
	json_decref(j);
	return rc;
}

static int progress_chunk(void *ctx, const char *data, size_t len)
{
	struct progress *p = ctx;
	cc_strbuf_add(&p->buf, data, len);
	char *start = p->buf.buf, *nl;
	while ((nl = memchr(start, '\n', p->buf.len - (size_t)(start - p->buf.buf)))) {
		*nl = '\0';
		int rc = progress_line(p, start);
		start = nl + 1;
		if (rc < 0)
			return -1;
	}
	size_t rest = p->buf.len - (size_t)(start - p->buf.buf);
	memmove(p->buf.buf, start, rest);
	cc_strbuf_truncate(&p->buf, rest);
	return 0;
}

static int progress_request(void *self, struct cc_http_req *r, struct progress *p, const char *verb,
			    struct cc_error **err)
{
	r->chunk = progress_chunk;
	r->ctx = p;
	cleanup_free char *what = cc_xasprintf("%s %s", verb, p->ref);
	int rc = dk_do(D(self), r, err);
	if (rc == 0)
		rc = dk_check(D(self), r, what, NULL, err);
	if (rc == 0 && !r->cancelled && p->buf.len)
		progress_line(p, p->buf.buf);
	if (rc == 0 && !r->cancelled && p->error) {
		enum cc_err_kind k =
		    strstr(p->error, "not found") || strstr(p->error, "does not exist") ? CC_ERR_NOT_FOUND
		    : strstr(p->error, "denied") || strstr(p->error, "unauthorized")    ? CC_ERR_PERMISSION
		    : p->build ? CC_ERR_INVALID_ARGUMENT /* the Dockerfile or a step failed */
			       : CC_ERR_BACKEND_FAILURE;
		rc = cc_error_set(err, k, "%s: %s", what, p->error);
	}
	free(p->error);
	cc_strbuf_release(&p->buf);
	cc_http_req_release(r);
	return rc;
}

/* Is ref's registry on this machine's loopback? */
static bool loopback_registry(const char *ref)
{
	const char *slash = strchr(ref, '/');
	if (!slash)
		return false;
	size_t n = (size_t)(slash - ref);
	return (n >= 4 && strncmp(ref, "127.", 4) == 0) ||
	       (n >= 9 && strncmp(ref, "localhost", 9) == 0 && (n == 9 || ref[9] == ':'));
}

static int registry_request(void *self, const char *path, const char *ref, const char *verb,
			    const struct cc_progress_sink *sink, struct cc_error **err)
{
	struct progress p = {.ref = ref, .sink = sink};
	if (dk_negotiate(D(self), err) < 0)
		return -1;
	/* dockerd speaks plain HTTP to a loopback registry by default; podman's service is told to */
	bool plain = D(self)->podman && loopback_registry(ref);
	cleanup_free char *full = cc_xasprintf("%s%s", path, plain ? "&tlsVerify=false" : "");
	struct cc_http_req r = {
	    .method = "POST", .path = full, .raw_fd = -1, .header = "X-Registry-Auth: e30="};
	return progress_request(self, &r, &p, verb, err);
}

/* Split "name:tag" / "name@digest" (a ':' after the last '/' is a tag). */
static void split_ref(const char *ref, char **name, char **tag)
{
	const char *at = strchr(ref, '@');
	const char *slash = strrchr(ref, '/');
	const char *colon = strrchr(ref, ':');
	if (at) {
		*name = cc_xstrndup(ref, (size_t)(at - ref));
		*tag = cc_xstrdup(at + 1);
	} else if (colon && (!slash || colon > slash)) {
		*name = cc_xstrndup(ref, (size_t)(colon - ref));
		*tag = cc_xstrdup(colon + 1);
	} else {
		*name = cc_xstrdup(ref);
		*tag = cc_xstrdup("latest");
	}
}

int dk_image_pull(void *self, const char *ref, const char *platform, const struct cc_progress_sink *sink,
		  struct cc_error **err)
{
	cleanup_free char *name = NULL, *tag = NULL;
	split_ref(ref, &name, &tag);
	cleanup_free char *en = cc_http_escape(name), *et = cc_http_escape(tag);
	cleanup_free char *ep = platform ? cc_http_escape(platform) : NULL;
	if (dk_negotiate(D(self), err) < 0)
		return -1;
	if (D(self)->podman && loopback_registry(ref)) { /* its compat pull has no tlsVerify: libpod's has */
		cleanup_free char *er = cc_http_escape(ref);
		cleanup_free char *lp = cc_xasprintf("/libpod/images/pull?reference=%s%s%s", er,
						     ep ? "&platform=" : "", ep ? ep : "");
		return registry_request(self, lp, ref, "pull", sink, err);
	}
	cleanup_free char *path = cc_xasprintf("/images/create?fromImage=%s&tag=%s%s%s", en, et,
					       ep ? "&platform=" : "", ep ? ep : "");
	return registry_request(self, path, ref, "pull", sink, err);
}

int dk_image_push(void *self, const char *ref, const struct cc_progress_sink *sink, struct cc_error **err)
{
	cleanup_free char *name = NULL, *tag = NULL;
	split_ref(ref, &name, &tag);
	cleanup_free char *en = cc_http_escape(name), *et = cc_http_escape(tag);
	cleanup_free char *path = cc_xasprintf("/images/%s/push?tag=%s", en, et);
	return registry_request(self, path, ref, "push", sink, err);
}

/* The engine's builder gets the context as a tar (the same one our daemon gets), the options as its query
 * arguments; its output lines come back as our build frames, ending with "done" and the image id. */
int dk_image_build(void *self, const struct cc_build_opts *o, const struct cc_progress_sink *sink,
		   struct cc_error **err)
{
	if (o->secrets && o->secrets->n)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				    "image build: build secrets are not supported by the docker backend (the "
				    "engine's API builder has no secret mounts)");
	char tar[] = "/tmp/cc-context-XXXXXX";
	int fd = mkstemp(tar);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "build context");
	close(fd);
	cleanup_free char *dockerfile = NULL;
	int rc = cc_build_context_tar(o, tar, &dockerfile, err);
	cleanup_strbuf struct cc_strbuf q = CC_STRBUF_INIT;
	cc_build_query(o, dockerfile, "networkmode", &q);
	fd = rc == 0 ? open(tar, O_RDONLY | O_CLOEXEC) : -1;
	if (rc == 0 && fd < 0)
		rc = cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "open %s", tar);
	struct progress p = {.ref = o->tags && o->tags[0] ? o->tags[0] : "", .sink = sink, .build = true};
	if (rc == 0) {
		cleanup_free char *path = cc_xasprintf("/build%s", cc_strbuf_str(&q));
		struct cc_http_req r = {.method = "POST",
					.path = path,
					.raw_fd = fd,
					.content_type = "Content-Type: application/x-tar"};
		rc = progress_request(self, &r, &p, "image build", err);
	}
	if (fd >= 0)
		close(fd);
	unlink(tar);
	if (rc == 0 && !p.image_id)
		rc = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "image build: the engine named no image");
	if (rc == 0)
		rc = emit(&p, &(struct cc_progress){.ref = p.ref, .status = "done", .message = p.image_id});
	free(p.image_id);
	return rc;
}

int dk_image_tag(void *self, const char *src, const char *dst, struct cc_error **err)
{
	cleanup_free char *name = NULL, *tag = NULL;
	split_ref(dst, &name, &tag);
	cleanup_free char *es = cc_http_escape(src), *en = cc_http_escape(name), *et = cc_http_escape(tag);
	cleanup_free char *path = cc_xasprintf("/images/%s/tag?repo=%s&tag=%s", es, en, et);
	cleanup_free char *what = cc_xasprintf("image %s", src);
	return dk_call(D(self), "POST", path, NULL, NULL, what, err);
}

int dk_image_remove(void *self, const char *ref, bool force, struct cc_error **err)
{
	cleanup_free char *e = cc_http_escape(ref);
	cleanup_free char *path = cc_xasprintf("/images/%s?force=%d", e, force ? 1 : 0);
	cleanup_free char *what = cc_xasprintf("image %s", ref);
	return dk_call(D(self), "DELETE", path, NULL, NULL, what, err);
}

struct loadctx {
	struct cc_strbuf buf;
	cc_strv *loaded;
	char *error;
};

static int load_chunk(void *ctx, const char *data, size_t len)
{
	struct loadctx *l = ctx;
	cc_strbuf_add(&l->buf, data, len);
	return 0;
}

int dk_image_load(void *self, const char *tar_path, cc_strv *loaded, struct cc_error **err)
{
	cleanup_close int fd = open(tar_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cc_error_set_errno(err, errno == ENOENT ? CC_ERR_NOT_FOUND : CC_ERR_INVALID_ARGUMENT,
					  errno, "image load %s", tar_path);
	struct loadctx l = {0};
	struct cc_http_req r = {.method = "POST",
				.path = "/images/load?quiet=1",
				.raw_fd = fd,
				.content_type = "Content-Type: application/x-tar",
				.chunk = load_chunk,
				.ctx = &l};
	cleanup_free char *what = cc_xasprintf("image load %s", tar_path);
	int rc = dk_do(D(self), &r, err);
	if (rc == 0)
		rc = dk_check(D(self), &r, what, NULL, err);
	char *line = l.buf.buf;
	while (rc == 0 && line && *line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		json_t *j = json_loads(line, 0, NULL);
		const char *s = j ? dk_str(j, "stream") : NULL;
		const char *e = j ? dk_str(j, "error") : NULL;
		if (e)
			rc = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: %s", what, e);
		else if (s && loaded) {
			const char *p = strstr(s, "Loaded image: ");
			const char *q = strstr(s, "Loaded image ID: ");
			char *v = p ? cc_xstrdup(p + 14) : q ? cc_xstrdup(q + 17) : NULL;
			if (v) {
				v[strcspn(v, "\n")] = '\0';
				cc_strv_push(loaded, v);
				free(v);
			}
		}
		json_decref(j);
		line = nl ? nl + 1 : NULL;
	}
	cc_strbuf_release(&l.buf);
	cc_http_req_release(&r);
	return rc;
}

int dk_image_save(void *self, char *const *refs, const char *format, const char *tar_path,
		  struct cc_error **err)
{
	if (format && strcmp(format, "docker-archive") != 0)
		return cc_error_set(
		    err, CC_ERR_NOT_SUPPORTED,
		    "image save: format %s is not supported by the docker backend (docker-archive only)",
		    format);
	cleanup_strbuf struct cc_strbuf q = CC_STRBUF_INIT;
	cc_strbuf_adds(&q, "/images/get?");
	for (size_t i = 0; refs && refs[i]; i++) {
		cleanup_free char *e = cc_http_escape(refs[i]);
		cc_strbuf_addf(&q, "%snames=%s", i ? "&" : "", e);
	}
	int fd = open(tar_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno, "image save %s", tar_path);
	struct cc_http_req r = {
	    .method = "GET", .path = q.buf, .raw_fd = -1, .chunk = cc_http_chunk_to_fd, .ctx = &fd};
	cleanup_free char *what = cc_xasprintf("image save %s", refs && refs[0] ? refs[0] : "");
	int rc = dk_do(D(self), &r, err);
	if (rc == 0)
		rc = dk_check(D(self), &r, what, NULL, err);
	if (rc == 0 && r.cancelled)
		rc = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "%s: writing %s", what, tar_path);
	cc_http_req_release(&r);
	if (close(fd) < 0 && rc == 0)
		rc = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "%s: closing %s", what, tar_path);
	if (rc < 0)
		unlink(tar_path);
	return rc;
}
