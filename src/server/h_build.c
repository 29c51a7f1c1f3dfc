/* POST /images/build: a build context (a tar body, what the remote backend sends) built by the daemon's
 * backend, its progress as NDJSON frames as the builder makes them (the same frames as pulls: image, status,
 * message; the last one has status "done" and the image id as its message). The context is unpacked with the
 * image store's safe unpacker into a scratch directory the stream removes when it ends. */
#include "api/shapes.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "engine/image/unpack.h"
#include "server/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct build_ctx {
	char *dir;
	char *dockerfile, *target, *network, *platform;
	cc_strv tags, extra_hosts;
	struct cc_kvs args, labels;
	int64_t shm_size;
	bool no_cache, pull;
	struct srv_stream *st;
};

static void build_free(void *p)
{
	struct build_ctx *c = p;
	if (c->dir)
		cc_remove_tree(c->dir);
	free(c->dir);
	free(c->dockerfile);
	free(c->target);
	free(c->network);
	free(c->platform);
	cc_strv_free(c->tags);
	cc_strv_free(c->extra_hosts);
	cc_kvs_release(&c->args);
	cc_kvs_release(&c->labels);
	free(c);
}

static int frame(void *ctx, const struct cc_progress *p)
{
	struct build_ctx *c = ctx;
	return srv_stream_write(c->st, api_progress_frame(p));
}

static int produce(struct srv_stream *st, struct cc_runtime *rt, void *ctx, struct cc_error **err)
{
	struct build_ctx *c = ctx;
	c->st = st;
	struct cc_build_opts o = {
	    .context_dir = c->dir,
	    .dockerfile = c->dockerfile,
	    .target = c->target,
	    .platform = c->platform,
	    .tags = c->tags,
	    .args = &c->args,
	    .labels = &c->labels,
	    .no_cache = c->no_cache,
	    .pull = c->pull,
	    .network = c->network,
	    .extra_hosts = c->extra_hosts,
	    .shm_size = c->shm_size,
	};
	struct cc_progress_sink sink = {frame, c};
	return cc_rt_image_build(rt, &o, &sink, err);
}

static char *query_copy(struct srv_req *r, const char *key)
{
	const char *v = srv_query(r, key);
	return v && *v ? cc_xstrdup(v) : NULL;
}

/* A query argument holding a JSON object of strings into kvs; false (replied) when it is not one. */
static bool query_kvs(struct srv_req *r, const char *key, struct cc_kvs *out)
{
	const char *v = srv_query(r, key);
	if (!v)
		return true;
	json_t *j = json_loads(v, 0, NULL);
	bool ok = json_is_object(j);
	const char *k;
	json_t *e;
	json_object_foreach(j, k, e)
	{
		if (!json_is_string(e)) {
			ok = false;
			break;
		}
		cc_kvs_set(out, k, json_string_value(e));
	}
	json_decref(j);
	if (!ok)
		srv_reply_status(r, 400, "%s: expected a JSON object of strings", key);
	return ok;
}

static bool read_query(struct srv_req *r, struct build_ctx *c)
{
	c->dockerfile = query_copy(r, "dockerfile");
	c->target = query_copy(r, "target");
	c->network = query_copy(r, "network");
	c->platform = query_copy(r, "platform");
	c->tags = srv_query_all(r, "t");
	c->extra_hosts = srv_query_all(r, "extrahosts");
	c->no_cache = srv_query_bool(r, "nocache", false);
	c->pull = srv_query_bool(r, "pull", false);
	const char *shm = srv_query(r, "shmsize");
	if (shm) {
		char *end;
		long long n = strtoll(shm, &end, 10);
		if (!*shm || *end || n < 0) {
			srv_reply_status(r, 400, "shmsize: expected a number of bytes");
			return false;
		}
		c->shm_size = n;
	}
	/* the Dockerfile is a path inside the context the body carries */
	if (c->dockerfile && (c->dockerfile[0] == '/' || strstr(c->dockerfile, ".."))) {
		srv_reply_status(r, 400, "dockerfile: must be a path inside the build context");
		return false;
	}
	return query_kvs(r, "buildargs", &c->args) && query_kvs(r, "labels", &c->labels);
}

void h_image_build(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt)
		return;
	const char *path = srv_body_upload(r, "the body must be the build context as a tar");
	if (!path)
		return;
	struct build_ctx *c = cc_xcalloc(1, sizeof(*c));
	if (!read_query(r, c)) {
		build_free(c);
		return;
	}
	c->dir = srv_scratch_path(srv_server(r), "build-context");
	struct cc_error *err = NULL;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = mkdir(c->dir, 0700) < 0
		     ? cc_error_set_errno(&err, CC_ERR_INTERNAL, errno, "mkdir %s", c->dir)
		 : fd < 0 ? cc_error_set_errno(&err, CC_ERR_INTERNAL, errno, "open %s", path)
			  : cc_tar_unpack(fd, c->dir, &err);
	if (rc < 0) {
		if (err->kind != CC_ERR_INTERNAL)
			err->kind = CC_ERR_INVALID_ARGUMENT;
		cc_error_wrap(&err, "the build context");
		srv_reply_error(r, &err);
		build_free(c);
		return;
	}
	srv_reply_stream(r, "application/x-ndjson", produce, c, build_free);
}
