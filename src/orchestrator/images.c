/* Images for a project's services: build what has a build section and is missing (or --build), pull what is
 * missing (or --pull always), as docker compose's up, create, pull and build do. */
#include "orchestrator/internal.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct progress_ctx {
	const struct cc_orch_ui *ui;
	const char *service;
};

static int show_progress(void *ctx, const struct cc_progress *p)
{
	struct progress_ctx *pc = ctx;
	if (p->message)
		cc_orch_status(pc->ui, "Service", pc->service, p->message);
	return 0;
}

/* The build's secrets: id -> a file on the host. A secret from the environment is written to a private
 * temporary file for the build's duration (listed in *tmp for removal). */
static int build_secrets(const struct cc_project *p, const struct cc_val *build, struct cc_kvs *out,
			 cc_strv *tmp, struct cc_error **err)
{
	const struct cc_val *list = cc_orch_get(build, "secrets");
	const struct cc_val *defs = cc_orch_get(p->model, "secrets");
	for (size_t i = 0; list && list->kind == CC_V_SEQ && i < list->seq.n; i++) {
		const char *src = cc_orch_str(list->seq.v[i], "source");
		const struct cc_val *def = src ? cc_orch_get(defs, src) : NULL;
		if (!def)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "build secret %s is not defined in secrets",
					    src ? src : "(no source)");
		const char *file = cc_orch_str(def, "file"), *var = cc_orch_str(def, "environment");
		if (file) {
			cc_kvs_set(out, src, file);
			continue;
		}
		const char *value = var ? cc_strmap_get(&p->env, var) : NULL;
		if (!value)
			value = var ? getenv(var) : NULL;
		if (!value)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "build secret %s: needs a file or a set environment variable",
					    src);
		char path[] = "/tmp/cc-build-secret-XXXXXX";
		int fd = mkstemp(path);
		if (fd < 0)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "build secret %s", src);
		cc_strv_push(tmp, path);
		bool ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
		close(fd);
		if (!ok)
			return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "build secret %s: write failed",
					    src);
		cc_kvs_set(out, src, path);
	}
	return 0;
}

int cc_orch_build_service(struct cc_runtime *rt, const struct cc_project *p, const char *service,
			  bool no_cache, bool pull, const struct cc_kvs *extra_args,
			  const struct cc_orch_ui *ui, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	const struct cc_val *svc = cc_project_service(p, service);
	const struct cc_val *build = cc_orch_get(svc, "build");
	if (!build)
		return 0;
	cleanup_free char *image = cc_orch_image_of(p, service);
	struct cc_kvs args = {0}, labels = {0}, secrets = {0};
	const struct cc_val *a = cc_orch_get(build, "args");
	for (size_t i = 0; a && a->kind == CC_V_MAP && i < a->map.n; i++)
		if (a->map.e[i].val && a->map.e[i].val->kind != CC_V_NULL)
			cc_kvs_set(&args, a->map.e[i].key, cc_val_text(a->map.e[i].val));
	for (size_t i = 0; extra_args && i < extra_args->n; i++)
		cc_kvs_set(&args, extra_args->items[i].key, extra_args->items[i].value);
	const struct cc_val *l = cc_orch_get(build, "labels");
	for (size_t i = 0; l && l->kind == CC_V_MAP && i < l->map.n; i++)
		cc_kvs_set(&labels, l->map.e[i].key, cc_val_text(l->map.e[i].val));
	cc_strv tags = NULL, hosts = NULL, tmp = NULL;
	cc_strv_push(&tags, image);
	const struct cc_val *more = cc_orch_get(build, "tags");
	for (size_t i = 0; more && more->kind == CC_V_SEQ && i < more->seq.n; i++)
		cc_strv_push(&tags, cc_val_text(more->seq.v[i]));
	const struct cc_val *eh = cc_orch_get(build, "extra_hosts");
	for (size_t i = 0; eh && eh->kind == CC_V_SEQ && i < eh->seq.n; i++)
		cc_strv_push(&hosts, cc_val_text(eh->seq.v[i]));
	const struct cc_val *shm = cc_orch_get(build, "shm_size");
	struct cc_build_opts o = {
	    .context_dir = cc_orch_str(build, "context") ? cc_orch_str(build, "context") : p->working_dir,
	    .dockerfile = cc_orch_str(build, "dockerfile"),
	    .dockerfile_inline = cc_orch_str(build, "dockerfile_inline"),
	    .target = cc_orch_str(build, "target"),
	    .platform = cc_orch_str(svc, "platform"),
	    .tags = tags,
	    .args = &args,
	    .labels = &labels,
	    .network = cc_orch_str(build, "network"),
	    .extra_hosts = hosts,
	    .shm_size = shm && shm->kind == CC_V_INT ? shm->num.i : 0,
	    .secrets = &secrets,
	    .no_cache = no_cache || (cc_orch_get(build, "no_cache") && cc_orch_get(build, "no_cache")->num.b),
	    .pull = pull || (cc_orch_get(build, "pull") && cc_orch_get(build, "pull")->num.b)};
	struct progress_ctx pc = {ui, service};
	struct cc_progress_sink sink = {show_progress, &pc};
	cc_orch_status(ui, "Service", service, "Building");
	int r = build_secrets(p, build, &secrets, &tmp, err);
	if (r == 0)
		r = cc_rt_image_build(rt, &o, &sink, err);
	for (char **t = tmp; t && *t; t++)
		unlink(*t);
	cc_strv_free(tmp);
	cc_strv_free(tags);
	cc_strv_free(hosts);
	cc_kvs_release(&args);
	cc_kvs_release(&labels);
	cc_kvs_release(&secrets);
	if (r < 0)
		return cc_error_wrap(err, "failed to build service %s", service);
	cc_orch_status(ui, "Service", service, "Built");
	return 0;
}

int cc_orch_pull_service(struct cc_runtime *rt, const struct cc_project *p, const char *service,
			 const struct cc_orch_ui *ui, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	cleanup_free char *image = cc_orch_image_of(p, service);
	const char *platform = cc_orch_str(cc_project_service(p, service), "platform");
	cc_orch_status(ui, "Image", image, "Pulling");
	if (cc_rt_image_pull(rt, image, platform, NULL, err) < 0)
		return cc_error_wrap(err, "failed to pull %s for service %s", image, service);
	cc_orch_status(ui, "Image", image, "Pulled");
	return 0;
}

int cc_orch_prepare_images(struct cc_runtime *rt, const struct cc_project *p, char *const *services,
			   const char *build_mode, const char *pull_mode, const struct cc_orch_ui *ui,
			   struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	const struct cc_val *svcs = cc_project_services(p);
	for (size_t i = 0; svcs && i < svcs->map.n; i++) {
		const char *name = svcs->map.e[i].key;
		const struct cc_val *svc = svcs->map.e[i].val;
		if (!cc_orch_selected(services, name))
			continue;
		bool has_build = cc_orch_get(svc, "build") != NULL;
		const char *policy = pull_mode ? pull_mode : cc_orch_str(svc, "pull_policy");
		bool build_always = build_mode && strcmp(build_mode, "always") == 0;
		/* pull_policy: build means build every time, like --build */
		if (has_build && (build_always || (policy && strcmp(policy, "build") == 0))) {
			if (cc_orch_build_service(rt, p, name, false, false, NULL, ui, err) < 0)
				return -1;
			continue;
		}
		if (policy && strcmp(policy, "always") == 0 && cc_orch_get(svc, "image")) {
			if (cc_orch_pull_service(rt, p, name, ui, err) < 0)
				return -1;
			continue;
		}
		cleanup_free char *image = cc_orch_image_of(p, name);
		struct cc_image img;
		struct cc_error *e = NULL;
		if (cc_rt_image_inspect(rt, image, &img, &e) == 0) {
			cc_image_release(&img);
			continue;
		}
		if (e->kind != CC_ERR_NOT_FOUND) {
			*err = e;
			return -1;
		}
		cc_error_free(e);
		if (has_build && !(build_mode && strcmp(build_mode, "never") == 0)) {
			if (cc_orch_build_service(rt, p, name, false, false, NULL, ui, err) < 0)
				return -1;
		} else if (!policy || strcmp(policy, "never") != 0) {
			if (cc_orch_pull_service(rt, p, name, ui, err) < 0)
				return -1;
		} else {
			return cc_error_set(err, CC_ERR_NOT_FOUND,
					    "service %s: image %s not found (pull_policy: never)", name,
					    image);
		}
	}
	return 0;
}
