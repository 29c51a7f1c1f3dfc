/* The native backend's secrets and configs: our own store (engine/secret_store.c), values under
 * <root>/secrets, each container's copies in <dir>/files, bind-mounted read-only by its bundle. */
#include "base/cleanup.h"
#include "base/xalloc.h"
#include "engine/native-internal.h"
#include "engine/secret_store.h"

#include <stdlib.h>

static int in_use(void *ctx, enum cc_secret_kind kind, const char *name, struct cc_error **err)
{
	struct native *n = ctx;
	struct cc_container *cs = NULL;
	size_t ncs = 0;
	int r = native_all_containers(n, &cs, &ncs, err);
	for (size_t i = 0; r == 0 && i < ncs; i++)
		if (cc_container_uses_secret(&cs[i], kind, name))
			r = cc_error_set(err, CC_ERR_INVALID_STATE, "%s %s is in use by %s",
					 kind == CC_CONFIG ? "config" : "secret", name, cs[i].name);
	if (ncs)
		cc_containers_free(cs, ncs);
	return r;
}

/* dir is the caller's, freed after the call */
static struct cc_secret_store store_of(struct native *n, char *dir)
{
	return (struct cc_secret_store){.store = n->store,
					.lock = &n->images->lock,
					.backend = CC_NATIVE_BACKEND,
					.dir = dir,
					.events = true,
					.in_use = in_use,
					.ctx = n};
}

int native_secret_list(void *self, enum cc_secret_kind kind, struct cc_secret **out, size_t *count,
		       struct cc_error **err)
{
	cleanup_free char *dir = cc_xasprintf("%s/secrets", ((struct native *)self)->root);
	struct cc_secret_store ss = store_of(self, dir);
	return cc_secret_store_list(&ss, kind, out, count, err);
}

int native_secret_create(void *self, enum cc_secret_kind kind, const char *name, const void *value,
			 size_t len, const struct cc_kvs *labels, struct cc_error **err)
{
	cleanup_free char *dir = cc_xasprintf("%s/secrets", ((struct native *)self)->root);
	struct cc_secret_store ss = store_of(self, dir);
	return cc_secret_store_create(&ss, kind, name, value, len, labels, err);
}

int native_secret_update(void *self, enum cc_secret_kind kind, const char *name, const void *value,
			 size_t len, struct cc_error **err)
{
	cleanup_free char *dir = cc_xasprintf("%s/secrets", ((struct native *)self)->root);
	struct cc_secret_store ss = store_of(self, dir);
	return cc_secret_store_update(&ss, kind, name, value, len, err);
}

int native_secret_remove(void *self, enum cc_secret_kind kind, const char *name, struct cc_error **err)
{
	cleanup_free char *dir = cc_xasprintf("%s/secrets", ((struct native *)self)->root);
	struct cc_secret_store ss = store_of(self, dir);
	return cc_secret_store_remove(&ss, kind, name, err);
}

int native_secrets_exist(struct native *n, const struct cc_container_spec *spec, struct cc_error **err)
{
	cleanup_free char *dir = cc_xasprintf("%s/secrets", n->root);
	struct cc_secret_store ss = store_of(n, dir);
	return cc_secret_store_check(&ss, spec, err);
}

static int bundle_mount(void *ctx, const char *target, const char *source, struct cc_error **err)
{
	(void)err;
	json_array_append_new(ctx, json_pack("{ss ss ss s[ssss]}", "destination", target, "type", "bind",
					     "source", source, "options", "rbind", "ro", "nosuid", "nodev"));
	return 0;
}

int native_secret_mounts(struct native *n, const struct cc_container *c, const char *dir, json_t *mounts,
			 struct cc_error **err)
{
	cleanup_free char *values = cc_xasprintf("%s/secrets", n->root);
	cleanup_free char *files = cc_xasprintf("%s/files", dir);
	struct cc_secret_store ss = store_of(n, values);
	return cc_secret_store_materialize(&ss, &c->spec, files, bundle_mount, mounts, err);
}
