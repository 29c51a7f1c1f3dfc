/* Secrets and configs on the docker backend. The engine's own exist only in swarm mode, so they are kept
 * in our store (engine/secret_store.c) under the state root, as the native backend keeps them: values in
 * <root>/docker/secrets, metadata in the state store under the backend name "docker". A container's copies
 * (owner and mode as its references ask) go to <root>/docker/files/<random>/ and are bind-mounted read-only,
 * as docker compose mounts file secrets; so the engine must see our files: its socket must be a unix one.
 *
 * The container carries two labels: the copies' directory, removed with the container, and the secrets it
 * mounts, which is how a secret in use is found. A directory left behind (a container the engine removed on
 * its own, --rm) is swept at the next create that has secrets. */
#include "docker/docker-internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/random.h"
#include "base/xalloc.h"
#include "engine/secret_store.h"

#define FILES_LABEL   "io.container-compose.files"
#define SECRETS_LABEL "io.container-compose.secrets"
/* a directory younger than this may belong to a create still under way */
#define SWEEP_AGE_S 300

static const char *kind_name(enum cc_secret_kind k)
{
	return k == CC_CONFIG ? "config" : "secret";
}

/* The containers carrying `label` (names and labels), from the engine. */
static int labelled(struct dk_client *c, const char *label, json_t **out, struct cc_error **err)
{
	cleanup_free char *filters = cc_xasprintf("{\"label\":[\"%s\"]}", label);
	cleanup_free char *e = cc_http_escape(filters);
	cleanup_free char *path = cc_xasprintf("/containers/json?all=1&filters=%s", e);
	return dk_call(c, "GET", path, NULL, out, "containers", err);
}

static const char *container_name(json_t *ct)
{
	const char *n = json_string_value(json_array_get(json_object_get(ct, "Names"), 0));
	return n ? (n[0] == '/' ? n + 1 : n) : "?";
}

static int in_use(void *ctx, enum cc_secret_kind kind, const char *name, struct cc_error **err)
{
	struct docker *d = ctx;
	json_t *list;
	if (labelled(d->c, SECRETS_LABEL, &list, err) < 0)
		return -1;
	cleanup_free char *want = cc_xasprintf("%s:%s", kind_name(kind), name);
	int r = 0;
	size_t i;
	json_t *ct;
	json_array_foreach(list, i, ct)
	{
		const char *v = dk_str(json_object_get(ct, "Labels"), SECRETS_LABEL);
		cleanup_free char *copy = cc_xstrdup(v ? v : "");
		char *save = NULL;
		for (char *tok = strtok_r(copy, ",", &save); tok && r == 0; tok = strtok_r(NULL, ",", &save))
			if (strcmp(tok, want) == 0)
				r = cc_error_set(err, CC_ERR_INVALID_STATE, "%s %s is in use by %s",
						 kind_name(kind), name, container_name(ct));
		if (r)
			break;
	}
	json_decref(list);
	return r;
}

/* The store, opened on first use: most projects have no secrets, and most commands none to look at. */
static int secret_store(struct docker *d, struct cc_secret_store *out, struct cc_error **err)
{
	pthread_mutex_lock(&d->lock);
	int r = 0;
	if (!d->store)
		r = cc_store_open(d->root, &d->store, err);
	pthread_mutex_unlock(&d->lock);
	if (r < 0)
		return -1;
	*out = (struct cc_secret_store){.store = d->store,
					.lock = &d->lock,
					.backend = CC_DOCKER_BACKEND,
					.dir = d->values,
					.in_use = in_use,
					.ctx = d};
	return 0;
}

int dk_secret_list(void *self, enum cc_secret_kind kind, struct cc_secret **out, size_t *n,
		   struct cc_error **err)
{
	struct cc_secret_store ss;
	if (secret_store(self, &ss, err) < 0)
		return -1;
	return cc_secret_store_list(&ss, kind, out, n, err);
}

int dk_secret_create(void *self, enum cc_secret_kind kind, const char *name, const void *value, size_t len,
		     const struct cc_kvs *labels, struct cc_error **err)
{
	struct cc_secret_store ss;
	if (secret_store(self, &ss, err) < 0)
		return -1;
	return cc_secret_store_create(&ss, kind, name, value, len, labels, err);
}

int dk_secret_update(void *self, enum cc_secret_kind kind, const char *name, const void *value, size_t len,
		     struct cc_error **err)
{
	struct cc_secret_store ss;
	if (secret_store(self, &ss, err) < 0)
		return -1;
	return cc_secret_store_update(&ss, kind, name, value, len, err);
}

int dk_secret_remove(void *self, enum cc_secret_kind kind, const char *name, struct cc_error **err)
{
	struct cc_secret_store ss;
	if (secret_store(self, &ss, err) < 0)
		return -1;
	return cc_secret_store_remove(&ss, kind, name, err);
}

/* Remove the copies' directories no container names any more (and old enough not to be a create's). */
static void sweep(struct docker *d)
{
	json_t *list;
	struct cc_error *e = NULL;
	if (labelled(d->c, FILES_LABEL, &list, &e) < 0) {
		cc_error_free(e);
		return;
	}
	DIR *dir = opendir(d->files);
	struct dirent *ent;
	time_t now = time(NULL);
	while (dir && (ent = readdir(dir))) {
		if (ent->d_name[0] == '.')
			continue;
		cleanup_free char *p = cc_xasprintf("%s/%s", d->files, ent->d_name);
		bool used = false;
		size_t i;
		json_t *ct;
		json_array_foreach(list, i, ct)
		{
			const char *v = dk_str(json_object_get(ct, "Labels"), FILES_LABEL);
			used = used || (v && strcmp(v, p) == 0);
		}
		struct stat st;
		if (!used && lstat(p, &st) == 0 && now - st.st_mtime > SWEEP_AGE_S)
			cc_remove_tree(p);
	}
	if (dir)
		closedir(dir);
	json_decref(list);
}

static int host_mount(void *ctx, const char *target, const char *source, struct cc_error **err)
{
	(void)err;
	json_array_append_new(ctx, json_pack("{ss ss ss sb}", "Type", "bind", "Source", source, "Target",
					     target, "ReadOnly", 1));
	return 0;
}

int dk_secret_files(struct docker *d, const struct cc_container_spec *spec, json_t *body, char **files_out,
		    struct cc_error **err)
{
	*files_out = NULL;
	/* labels copied from another container's (a spec read back from the engine) are not this one's */
	json_t *labels = json_object_get(body, "Labels");
	json_object_del(labels, FILES_LABEL);
	json_object_del(labels, SECRETS_LABEL);
	if (!spec->nsecrets && !spec->nconfigs)
		return 0;
	const char *label = spec->name ? spec->name : "(unnamed)";
	if (!d->c->socket)
		return cc_error_set(
		    err, CC_ERR_NOT_SUPPORTED,
		    "container %s: secrets and configs on the docker backend are bind-mounted "
		    "from this machine, so they need the engine here (DOCKER_HOST=unix://...), "
		    "not at %s",
		    label, d->c->host);
	struct cc_secret_store ss;
	if (secret_store(d, &ss, err) < 0 || cc_secret_store_check(&ss, spec, err) < 0)
		return cc_error_wrap(err, "container %s", label);
	if (cc_mkdir_p(d->files, 0700, err) < 0)
		return -1;
	sweep(d);
	char rnd[33];
	cc_random_hex(rnd, 16);
	cleanup_free char *files = cc_xasprintf("%s/%s", d->files, rnd);
	json_t *host = json_object_get(body, "HostConfig");
	json_t *mounts = json_object_get(host, "Mounts");
	if (!mounts) {
		mounts = json_array();
		json_object_set_new(host, "Mounts", mounts);
	}
	if (cc_secret_store_materialize(&ss, spec, files, host_mount, mounts, err) < 0) {
		cc_remove_tree(files);
		return -1;
	}
	cleanup_strbuf struct cc_strbuf used = CC_STRBUF_INIT;
	for (int k = 0; k < 2; k++) {
		const struct cc_file_ref *refs = k ? spec->configs : spec->secrets;
		size_t n = k ? spec->nconfigs : spec->nsecrets;
		for (size_t i = 0; i < n; i++)
			cc_strbuf_addf(&used, "%s%s:%s", used.len ? "," : "", k ? "config" : "secret",
				       refs[i].source);
	}
	json_object_set_new(labels, FILES_LABEL, json_string(files));
	json_object_set_new(labels, SECRETS_LABEL, json_string(cc_strbuf_str(&used)));
	*files_out = steal_pointer(&files);
	return 0;
}

void dk_secret_files_remove(struct docker *d, const char *files)
{
	/* only a directory of ours: the label is the engine's to change */
	size_t n = strlen(d->files);
	if (files && strncmp(files, d->files, n) == 0 && files[n] == '/' && !strstr(files, "/.."))
		cc_remove_tree(files);
}

bool dk_secret_files_any(struct docker *d)
{
	DIR *dir = opendir(d->files);
	if (!dir)
		return false;
	struct dirent *ent;
	bool any = false;
	while (!any && (ent = readdir(dir)))
		any = ent->d_name[0] != '.';
	closedir(dir);
	return any;
}

const char *dk_secret_files_label(const struct cc_container *c)
{
	return cc_kvs_get(&c->spec.labels, FILES_LABEL);
}
