/* A build context as a tar for the daemon (see context.h). */
#include "engine/build/context.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/http.h"
#include "base/tar.h"
#include "base/xalloc.h"
#include "base/ignore.h"

#include <stdlib.h>
#include <string.h>

struct skip_ctx {
	const struct cc_ignore *ig;
	const char *dockerfile; /* relative to the context: always sent */
};

static bool always_sent(const struct skip_ctx *c, const char *rel)
{
	if (strcmp(rel, ".dockerignore") == 0)
		return true;
	if (!c->dockerfile)
		return false;
	size_t n = strlen(c->dockerfile);
	return strncmp(rel, c->dockerfile, n) == 0 && (!rel[n] || strcmp(rel + n, ".dockerignore") == 0);
}

static bool skip(void *ctx, const char *rel, bool is_dir)
{
	const struct skip_ctx *c = ctx;
	/* an excluded directory is still walked when an exception could bring back something in it */
	return cc_ignore_excluded(c->ig, rel) && !always_sent(c, rel) && !(is_dir && c->ig->has_exceptions);
}

/* The Dockerfile's path relative to the context, or NULL when it lies outside it. */
static char *inside(const char *ctx, const char *dockerfile)
{
	cleanup_free char *abs =
	    dockerfile[0] == '/' ? cc_path_clean(dockerfile) : cc_path_join(ctx, dockerfile);
	size_t n = strlen(ctx);
	if (strncmp(abs, ctx, n) != 0 || abs[n] != '/')
		return NULL;
	return cc_xstrdup(abs + n + 1);
}

int cc_build_context_tar(const struct cc_build_opts *o, const char *tar_path, char **dockerfile,
			 struct cc_error **err)
{
	*dockerfile = NULL;
	cleanup_free char *ctx = cc_path_abs(NULL, o->context_dir ? o->context_dir : ".", err);
	if (!ctx)
		return -1;
	if (!cc_is_dir(ctx))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "build context %s is not a directory", ctx);
	const char *df = o->dockerfile ? o->dockerfile : "Dockerfile";
	cleanup_free char *rel = o->dockerfile_inline ? NULL : inside(ctx, df);
	cleanup_free char *outside = NULL; /* a Dockerfile from outside the context travels as text */
	size_t outside_len = 0;
	if (o->dockerfile_inline) {
		outside = cc_xstrdup(o->dockerfile_inline);
		outside_len = strlen(outside);
	} else if (!rel) {
		cleanup_free char *abs = df[0] == '/' ? cc_xstrdup(df) : cc_path_join(ctx, df);
		if (cc_read_file(abs, &outside, &outside_len, err) < 0)
			return cc_error_wrap(err, "cannot read the Dockerfile");
	}
	/* the patterns that apply: the Dockerfile's own ignore file, else the context's */
	struct cc_ignore ig = {0};
	cleanup_free char *own = rel ? cc_xasprintf("%s/%s.dockerignore", ctx, rel) : NULL;
	cleanup_free char *common = cc_xasprintf("%s/.dockerignore", ctx);
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct cc_error *e = NULL;
	if ((own && cc_read_file(own, &text, &len, &e) == 0) ||
	    (cc_error_release(&e), cc_read_file(common, &text, &len, &e) == 0))
		cc_ignore_parse(text, len, &ig);
	cc_error_release(&e);
	struct skip_ctx sc = {&ig, rel};
	*dockerfile = cc_xstrdup(outside ? ".container-compose.Dockerfile" : rel);
	struct cc_tar_opts to = {.skip = skip,
				 .ctx = &sc,
				 .extra_name = outside ? *dockerfile : NULL,
				 .extra_data = outside,
				 .extra_len = outside_len};
	int r = cc_tar_write(ctx, tar_path, &to, err);
	cc_ignore_release(&ig);
	if (r < 0) {
		free(*dockerfile);
		*dockerfile = NULL;
		return cc_error_wrap(err, "build context");
	}
	return 0;
}

static void query_add_json(struct cc_strbuf *q, const char *key, const struct cc_kvs *kvs)
{
	if (!kvs || !kvs->n)
		return;
	json_t *o = json_object();
	for (size_t i = 0; i < kvs->n; i++)
		json_object_set_new(o, kvs->items[i].key, json_string(kvs->items[i].value));
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	cc_http_query_add(q, key, text);
	free(text);
}

void cc_build_query(const struct cc_build_opts *o, const char *dockerfile, const char *network_key,
		    struct cc_strbuf *q)
{
	cc_http_query_add(q, "dockerfile", dockerfile);
	for (char *const *t = o->tags; t && *t; t++)
		cc_http_query_add(q, "t", *t);
	cc_http_query_add(q, "target", o->target);
	cc_http_query_add(q, "platform", o->platform);
	cc_http_query_add(q, network_key, o->network);
	query_add_json(q, "buildargs", o->args);
	query_add_json(q, "labels", o->labels);
	for (char *const *h = o->extra_hosts; h && *h; h++)
		cc_http_query_add(q, "extrahosts", *h);
	if (o->shm_size > 0)
		cc_strbuf_addf(q, "%cshmsize=%lld", q->len ? '&' : '?', (long long)o->shm_size);
	cc_http_query_add(q, "nocache", o->no_cache ? "true" : NULL);
	cc_http_query_add(q, "pull", o->pull ? "true" : NULL);
}
