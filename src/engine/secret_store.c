/* Secrets and configs in our own store: see secret_store.h. */
#include "engine/secret_store.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "runtime/codec.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_name(enum cc_secret_kind k)
{
	return k == CC_CONFIG ? "config" : "secret";
}

static char *value_path(const struct cc_secret_store *ss, enum cc_secret_kind k, const char *name)
{
	return cc_xasprintf("%s/%s/%s", ss->dir, kind_name(k), name);
}

static int begin(const struct cc_secret_store *ss, struct cc_error **err)
{
	pthread_mutex_lock(ss->lock);
	if (cc_store_begin(ss->store, err) < 0) {
		pthread_mutex_unlock(ss->lock);
		return -1;
	}
	return 0;
}

static int commit(const struct cc_secret_store *ss, struct cc_error **err)
{
	int r = cc_store_commit(ss->store, err);
	if (r < 0)
		cc_store_rollback(ss->store);
	pthread_mutex_unlock(ss->lock);
	return r;
}

static void abort_tx(const struct cc_secret_store *ss)
{
	cc_store_rollback(ss->store);
	pthread_mutex_unlock(ss->lock);
}

static int secret_event(const struct cc_secret_store *ss, enum cc_secret_kind k, const char *action,
			const char *name, struct cc_error **err)
{
	if (!ss->events)
		return 0;
	int64_t now = cc_now_ns();
	struct cc_event e = {.time_ns = now,
			     .type = (char *)kind_name(k),
			     .action = (char *)action,
			     .id = (char *)name,
			     .name = (char *)name};
	cleanup_free char *payload = cc_json_dump_compact(cc_event_to_json(&e));
	return cc_store_event_append(ss->store, ss->backend, now, payload, NULL, err);
}

struct secret_set {
	struct cc_secret *v;
	size_t n;
	struct cc_error *err;
};

static int collect_secret(void *ctx, const char *name, const char *payload)
{
	(void)name;
	struct secret_set *s = ctx;
	json_t *j;
	if (cc_json_parse(payload, &j, &s->err) < 0)
		return -1;
	s->v = cc_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	int r = cc_secret_from_json(j, &s->v[s->n], &s->err);
	json_decref(j);
	if (r == 0)
		s->n++;
	return r;
}

int cc_secret_store_list(const struct cc_secret_store *ss, enum cc_secret_kind kind, struct cc_secret **out,
			 size_t *count, struct cc_error **err)
{
	struct secret_set s = {0};
	if (begin(ss, err) < 0)
		return -1;
	int r = cc_store_object_each(ss->store, ss->backend, kind_name(kind), collect_secret, &s, err);
	abort_tx(ss); /* read only */
	if (r < 0) {
		if (s.err && !*err)
			*err = s.err;
		else
			cc_error_free(s.err);
		cc_secrets_free(s.v, s.n);
		return -1;
	}
	*out = s.v;
	*count = s.n;
	return 0;
}

/* The value, written whole or not at all, readable by root alone. The temporary file starts with a dot,
 * which no secret name can, so it never lands on another secret's value. */
static int write_value(const char *path, const void *value, size_t len, struct cc_error **err)
{
	const char *slash = strrchr(path, '/');
	cleanup_free char *tmp = cc_xasprintf("%.*s/.%s.tmp", (int)(slash - path), path, slash + 1);
	return cc_write_file_atomic(path, tmp, value, len, 0600, true, err);
}

int cc_secret_store_create(const struct cc_secret_store *ss, enum cc_secret_kind kind, const char *name,
			   const void *value, size_t len, const struct cc_kvs *labels, struct cc_error **err)
{
	if (!cc_valid_object_name(name, 255))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "invalid %s name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				    kind_name(kind), name ? name : "");
	cleanup_free char *dir = cc_xasprintf("%s/%s", ss->dir, kind_name(kind));
	if (cc_mkdir_p(dir, 0700, err) < 0)
		return -1;
	if (begin(ss, err) < 0)
		return -1;
	cleanup_free char *existing = NULL;
	struct cc_error *e = NULL;
	if (cc_store_object_get(ss->store, ss->backend, kind_name(kind), name, &existing, &e) == 0) {
		abort_tx(ss);
		return cc_error_set(err, CC_ERR_ALREADY_EXISTS, "%s %s already exists", kind_name(kind),
				    name);
	}
	cc_error_free(e);
	struct cc_secret s;
	cc_secret_init(&s, kind, name, value, len, labels, cc_now_ns());
	cleanup_free char *path = value_path(ss, kind, name);
	cleanup_free char *payload = cc_json_dump_compact(cc_secret_to_json(&s));
	int r = write_value(path, value ? value : "", len, err);
	if (r == 0)
		r = cc_store_object_put(ss->store, ss->backend, kind_name(kind), name, payload, err);
	if (r == 0)
		r = secret_event(ss, kind, "create", name, err);
	cc_secret_release(&s);
	if (r < 0) {
		abort_tx(ss);
		unlink(path);
		return -1;
	}
	return commit(ss, err);
}

int cc_secret_store_update(const struct cc_secret_store *ss, enum cc_secret_kind kind, const char *name,
			   const void *value, size_t len, struct cc_error **err)
{
	if (begin(ss, err) < 0)
		return -1;
	cleanup_free char *payload = NULL;
	struct cc_secret old = {0};
	int r = cc_store_object_get(ss->store, ss->backend, kind_name(kind), name, &payload, err);
	json_t *j = r == 0 ? json_loads(payload, 0, NULL) : NULL;
	if (r == 0 && (!j || cc_secret_from_json(j, &old, err) < 0))
		r = j ? -1
		      : cc_error_set(err, CC_ERR_INTERNAL, "%s %s: its record is unreadable", kind_name(kind),
				     name);
	json_decref(j);
	struct cc_secret s = {0};
	cleanup_free char *path = value_path(ss, kind, name);
	/* the new value waits beside the old one until the record that describes it is committed; its name
	 * starts with a dot, which no secret's can */
	const char *slash = strrchr(path, '/');
	cleanup_free char *next_path = cc_xasprintf("%.*s/.%s.next", (int)(slash - path), path, slash + 1);
	if (r == 0) {
		/* the record keeps its labels and creation time; its digest and size follow the value */
		cc_secret_init(&s, kind, name, value, len, &old.labels, old.created_ns);
		cleanup_free char *next = cc_json_dump_compact(cc_secret_to_json(&s));
		r = write_value(next_path, value ? value : "", len, err);
		if (r == 0)
			r = cc_store_object_put(ss->store, ss->backend, kind_name(kind), name, next, err);
		if (r == 0)
			r = secret_event(ss, kind, "update", name, err);
	}
	cc_secret_release(&s);
	cc_secret_release(&old);
	if (r < 0)
		abort_tx(ss);
	if (r < 0 || commit(ss, err) < 0) {
		unlink(next_path);
		return -1;
	}
	if (rename(next_path, path) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "%s %s: replace its value",
					  kind_name(kind), name);
	return 0;
}

int cc_secret_store_remove(const struct cc_secret_store *ss, enum cc_secret_kind kind, const char *name,
			   struct cc_error **err)
{
	if (begin(ss, err) < 0)
		return -1;
	cleanup_free char *payload = NULL;
	int r = cc_store_object_get(ss->store, ss->backend, kind_name(kind), name, &payload, err);
	if (r == 0)
		r = ss->in_use(ss->ctx, kind, name, err);
	if (r == 0)
		r = cc_store_object_delete(ss->store, ss->backend, kind_name(kind), name, err);
	if (r == 0)
		r = secret_event(ss, kind, "remove", name, err);
	if (r < 0) {
		abort_tx(ss);
		return -1;
	}
	cleanup_free char *path = value_path(ss, kind, name);
	r = commit(ss, err);
	if (r == 0)
		unlink(path);
	return r;
}

static int parse_id(const char *s, unsigned *out)
{
	if (!s)
		return 0;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v > 0xfffffffful)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* One file for one container: a copy of the value, owned and moded as asked, and its mount. */
static int materialize(const struct cc_secret_store *ss, enum cc_secret_kind kind,
		       const struct cc_file_ref *ref, const char *files, size_t index,
		       int (*mount)(void *ctx, const char *target, const char *source, struct cc_error **err),
		       void *ctx, struct cc_error **err)
{
	unsigned uid = 0, gid = 0;
	if (!cc_valid_object_name(ref->source, 255))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid %s name \"%s\"", kind_name(kind),
				    ref->source ? ref->source : "");
	if (parse_id(ref->uid, &uid) < 0 || parse_id(ref->gid, &gid) < 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "%s %s: uid and gid must be numbers (got uid \"%s\", gid \"%s\")",
				    kind_name(kind), ref->source, ref->uid ? ref->uid : "",
				    ref->gid ? ref->gid : "");
	cleanup_free char *src = value_path(ss, kind, ref->source);
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (cc_read_file(src, &data, &len, err) < 0) {
		if ((*err)->kind == CC_ERR_NOT_FOUND || (*err)->errnum == ENOENT) {
			cc_error_release(err);
			return cc_error_set(err, CC_ERR_NOT_FOUND, "%s %s not found", kind_name(kind),
					    ref->source);
		}
		return -1;
	}
	cleanup_free char *copy = cc_xasprintf("%s/%s-%zu", files, kind_name(kind), index);
	if (write_value(copy, data, len, err) < 0)
		return -1;
	if (chown(copy, uid, gid) < 0 || chmod(copy, ref->mode ? ref->mode : 0444) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "set owner and mode of %s",
					  copy);
	cleanup_free char *target =
	    ref->target[0] == '/' ? cc_xstrdup(ref->target)
				  : cc_xasprintf(kind == CC_CONFIG ? "/%s" : "/run/secrets/%s", ref->target);
	return mount(ctx, target, copy, err);
}

int cc_secret_store_check(const struct cc_secret_store *ss, const struct cc_container_spec *spec,
			  struct cc_error **err)
{
	for (int k = 0; k < 2; k++) {
		enum cc_secret_kind kind = k ? CC_CONFIG : CC_SECRET;
		const struct cc_file_ref *refs = k ? spec->configs : spec->secrets;
		size_t nrefs = k ? spec->nconfigs : spec->nsecrets;
		for (size_t i = 0; i < nrefs; i++) {
			if (!cc_valid_object_name(refs[i].source, 255))
				return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid %s name \"%s\"",
						    kind_name(kind), refs[i].source ? refs[i].source : "");
			cleanup_free char *src = value_path(ss, kind, refs[i].source);
			if (access(src, F_OK) < 0)
				return cc_error_set(err, CC_ERR_NOT_FOUND, "%s %s not found", kind_name(kind),
						    refs[i].source);
		}
	}
	return 0;
}

int cc_secret_store_materialize(const struct cc_secret_store *ss, const struct cc_container_spec *spec,
				const char *files,
				int (*mount)(void *ctx, const char *target, const char *source,
					     struct cc_error **err),
				void *ctx, struct cc_error **err)
{
	if (!spec->nsecrets && !spec->nconfigs)
		return 0;
	if (mkdir(files, 0700) < 0 && errno != EEXIST)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", files);
	/* the directory is the container's only: its files' own modes decide who reads them inside */
	for (size_t i = 0; i < spec->nsecrets; i++)
		if (materialize(ss, CC_SECRET, &spec->secrets[i], files, i, mount, ctx, err) < 0)
			return -1;
	for (size_t i = 0; i < spec->nconfigs; i++)
		if (materialize(ss, CC_CONFIG, &spec->configs[i], files, i, mount, ctx, err) < 0)
			return -1;
	return 0;
}
