/* The native backend's containers: records in the state store, runs under runc through a monitor per run
 * (monitor.c). Reading a container settles it: a run whose monitor left an exit file is recorded as exited,
 * with its "die" event, inside the store transaction (native-internal.h). */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/random.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/bundle.h"
#include "engine/cgroup.h"
#include "engine/health.h"
#include "engine/journal.h"
#include "engine/initproc.h"
#include "engine/native-internal.h"
#include "engine/netfiles.h"
#include "engine/netlink.h"
#include "engine/seccomp.h"
#include "engine/seccomp_cache.h"
#include "engine/portproxy.h"
#include "engine/rootfs.h"
#include "runtime/codec.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define POLL_NS          (50 * CC_NS_PER_MSEC)
#define DEFAULT_GRACE_NS (10 * CC_NS_PER_SEC)

static void open_watch(struct native *n, const char *id, struct dir_watch *w)
{
	cleanup_free char *dir = native_container_dir(n, id);
	dir_watch_open(&n->watches, dir, w);
}

/* ---- store access (one connection, guarded by the image store's recursive lock) ---- */

int native_begin(struct native *n, struct cc_error **err)
{
	pthread_mutex_lock(&n->images->lock);
	if (cc_store_begin(n->store, err) < 0) {
		pthread_mutex_unlock(&n->images->lock);
		return -1;
	}
	return 0;
}

int native_begin_read(struct native *n, struct cc_error **err)
{
	pthread_mutex_lock(&n->images->lock);
	if (cc_store_begin_read(n->store, err) < 0) {
		pthread_mutex_unlock(&n->images->lock);
		return -1;
	}
	return 0;
}

int native_commit(struct native *n, struct cc_error **err)
{
	int r = cc_store_commit(n->store, err);
	if (r < 0)
		cc_store_rollback(n->store);
	pthread_mutex_unlock(&n->images->lock);
	return r;
}

void native_abort(struct native *n)
{
	cc_store_rollback(n->store);
	pthread_mutex_unlock(&n->images->lock);
}

static int decode(const char *payload, struct cc_container *out, struct cc_error **err)
{
	json_t *j;
	memset(out, 0, sizeof(*out));
	if (cc_json_parse(payload, &j, err) < 0)
		return -1;
	int r = cc_container_from_json(j, out, err);
	json_decref(j);
	return r;
}

static int load(struct native *n, const char *ref, struct cc_container *out, struct cc_error **err)
{
	cleanup_free char *payload = NULL;
	memset(out, 0, sizeof(*out));
	if (cc_store_container_get(n->store, CC_NATIVE_BACKEND, ref, &payload, err) < 0)
		return -1;
	if (decode(payload, out, err) < 0)
		return cc_error_wrap(err, "container %s", ref);
	return 0;
}

static int save(struct native *n, const struct cc_container *c, struct cc_error **err)
{
	cleanup_free char *payload = cc_json_dump_compact(cc_container_to_json(c));
	struct cc_store_container_row row = {c->id,
					     c->name,
					     cc_kvs_get(&c->spec.labels, "com.docker.compose.project"),
					     cc_kvs_get(&c->spec.labels, "com.docker.compose.service"),
					     (int)c->state,
					     payload};
	return cc_store_container_put(n->store, CC_NATIVE_BACKEND, &row, err);
}

int native_container_load(struct native *n, const char *ref, struct cc_container *out, struct cc_error **err)
{
	return load(n, ref, out, err);
}

int native_container_save(struct native *n, const struct cc_container *c, struct cc_error **err)
{
	return save(n, c, err);
}

/* Container events carry the image, the name and the container's labels, as docker's do. */
static int event(struct native *n, const struct cc_container *c, int64_t time_ns, const char *action,
		 const char *key, const char *value, struct cc_error **err)
{
	struct cc_event e = {.time_ns = time_ns,
			     .type = (char *)"container",
			     .action = (char *)action,
			     .id = c->id,
			     .name = c->name};
	cc_kvs_copy(&e.attributes, &c->spec.labels);
	cc_kvs_set(&e.attributes, "image", c->spec.image);
	cc_kvs_set(&e.attributes, "name", c->name);
	if (key)
		cc_kvs_set(&e.attributes, key, value);
	cleanup_free char *payload = cc_json_dump_compact(cc_event_to_json(&e));
	cc_kvs_release(&e.attributes);
	return cc_store_event_append(n->store, CC_NATIVE_BACKEND, time_ns, payload, NULL, err);
}

/* How far the run's journal has been read (journal.h): kept in the store beside the container. */
static int journal_offset(struct native *n, const char *id, int64_t *off, struct cc_error **err)
{
	cleanup_free char *payload = NULL;
	struct cc_error *e = NULL;
	*off = 0;
	if (cc_store_object_get(n->store, CC_NATIVE_BACKEND, "journal", id, &payload, &e) < 0) {
		if (e->kind == CC_ERR_NOT_FOUND) {
			cc_error_free(e);
			return 0;
		}
		*err = e;
		return -1;
	}
	*off = strtoll(payload, NULL, 10);
	return 0;
}

static int journal_offset_put(struct native *n, const char *id, int64_t off, struct cc_error **err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)off);
	return cc_store_object_put(n->store, CC_NATIVE_BACKEND, "journal", id, buf, err);
}

static bool has_health(const struct cc_container *c)
{
	return cc_healthcheck_enabled(c->spec.healthcheck);
}

/* A run begins: the state every new run starts from, and its "start" event. */
static int record_start(struct native *n, struct cc_container *c, int pid, int64_t t, struct cc_error **err)
{
	c->state = CC_STATE_RUNNING;
	c->pid = pid;
	c->started_ns = t;
	c->exit_code = 0;
	c->oom_killed = false;
	c->health = has_health(c) ? CC_HEALTH_STARTING : CC_HEALTH_NONE;
	c->failing_streak = 0;
	return event(n, c, t, "start", NULL, NULL, err);
}

/* A run ends with `code`: into `state` (restarting or exited), with its "die" event. */
static int record_die(struct native *n, struct cc_container *c, enum cc_container_state state, int code,
		      int64_t t, struct cc_error **err)
{
	c->state = state;
	c->exit_code = code;
	c->finished_ns = t;
	c->pid = 0;
	char buf[16];
	snprintf(buf, sizeof(buf), "%d", code);
	return event(n, c, t, "die", "exitCode", buf, err);
}

/* One journal entry as the state change and the event it is. */
static int apply_entry(struct native *n, struct cc_container *c, const struct native_journal_entry *e,
		       struct cc_error **err)
{
	switch (e->kind) {
	case NATIVE_JOURNAL_DIE:
		return record_die(n, c, CC_STATE_RESTARTING, e->value, e->time_ns, err);
	case NATIVE_JOURNAL_START:
		c->restart_count++;
		if (!e->value) /* a restart that failed to start: still restarting */
			return 0;
		return record_start(n, c, e->value, e->time_ns, err);
	case NATIVE_JOURNAL_HEALTH: {
		bool changed = c->health != e->health;
		c->health = e->health;
		c->failing_streak = e->value;
		if (!changed || e->health == CC_HEALTH_STARTING)
			return 0;
		return event(n, c, e->time_ns, "health_status", "health_status", cc_health_name(e->health),
			     err);
	}
	case NATIVE_JOURNAL_OOM:
		c->oom_killed = true;
		return event(n, c, e->time_ns, "oom", NULL, NULL, err);
	}
	return 0;
}

/* How far c's journal has been applied (*off), and whether it has grown past that. Most runs never journal
 * anything: a listing then costs no store read and no file read. */
static int journal_unread(struct native *n, const char *id, const char *journal, int64_t *off, bool *grown,
			  struct cc_error **err)
{
	struct stat st;
	*off = 0;
	*grown = false;
	if (stat(journal, &st) < 0 || st.st_size == 0)
		return 0;
	if (journal_offset(n, id, off, err) < 0)
		return -1;
	*grown = st.st_size > *off;
	return 0;
}

/* Would settle() change c? Reads only: a journal grown past what was applied, or an exit record. */
static int settle_pending(struct native *n, const struct cc_container *c, bool *pending,
			  struct cc_error **err)
{
	*pending = false;
	if (!cc_state_is_up(c->state))
		return 0;
	cleanup_free char *dir = native_container_dir(n, c->id);
	cleanup_free char *journal = cc_xasprintf("%s/journal", dir);
	cleanup_free char *exit_record = cc_xasprintf("%s/exit", dir);
	int64_t off;
	if (journal_unread(n, c->id, journal, &off, pending, err) < 0)
		return -1;
	if (!*pending)
		*pending = access(exit_record, F_OK) == 0 || native_monitor_gone(dir);
	return 0;
}

static int oci_call(struct native *n, const char *id, char *const *args, struct cc_error **err);

/* A live record whose monitor is gone (killed, or lost with the host): nothing will record its end, keep its
 * log or apply its restart policy. As containerd does for a task whose shim died, what is left of it is
 * killed, its runtime state deleted, and it is recorded as exited with 255. */
static int recover_orphan(struct native *n, struct cc_container *c, const char *dir, struct cc_error **err)
{
	native_init_signal(dir, SIGKILL);
	char *args[] = {(char *)"delete", (char *)"--force", c->id, NULL};
	struct cc_error *e = NULL;
	if (oci_call(n, c->id, args, &e) < 0)
		cc_error_free(e);
	e = NULL;
	if (cc_rootfs_unmount(dir, &e) < 0)
		cc_error_free(e);
	native_init_forget(dir);
	return record_die(n, c, CC_STATE_EXITED, 255, cc_now_ns(), err);
}

/* Bring a live container's record up to what its monitor has seen: the journal's entries, then the exit
 * file once the monitor is done. */
static int settle(struct native *n, struct cc_container *c, bool *changed, struct cc_error **err)
{
	*changed = false;
	if (!cc_state_is_up(c->state))
		return 0;
	cleanup_free char *dir = native_container_dir(n, c->id);
	cleanup_free char *journal = cc_xasprintf("%s/journal", dir);
	int64_t off, next;
	bool grown;
	struct native_journal_entry *entries = NULL;
	size_t k = 0;
	if (journal_unread(n, c->id, journal, &off, &grown, err) < 0)
		return -1;
	if (grown && native_journal_read(dir, off, &entries, &k, &next, err) < 0)
		return -1;
	for (size_t i = 0; i < k; i++)
		if (apply_entry(n, c, &entries[i], err) < 0) {
			free(entries);
			return -1;
		}
	free(entries);
	if (k) {
		*changed = true;
		if (journal_offset_put(n, c->id, next, err) < 0)
			return -1;
	}
	int code;
	int64_t finished;
	int r = native_exit_read(dir, &code, &finished, err);
	if (r == 0 && native_monitor_gone(dir)) {
		/* the monitor writes the exit before it ends: a second look after its end is final */
		r = native_exit_read(dir, &code, &finished, err);
		if (r == 0) {
			*changed = true;
			return recover_orphan(n, c, dir, err);
		}
	}
	if (r <= 0)
		return r;
	*changed = true;
	if (c->state == CC_STATE_RESTARTING) { /* its die is in the journal already */
		c->state = CC_STATE_EXITED;
		return 0;
	}
	return record_die(n, c, CC_STATE_EXITED, code, finished, err);
}

/* Load, settle and save one container in its own transaction. */
static int settled(struct native *n, const char *ref, struct cc_container *out, struct cc_error **err)
{
	bool changed = false;
	if (native_begin(n, err) < 0)
		return -1;
	if (load(n, ref, out, err) < 0 || settle(n, out, &changed, err) < 0 ||
	    (changed && save(n, out, err) < 0)) {
		native_abort(n);
		cc_container_release(out);
		return -1;
	}
	if (native_commit(n, err) < 0) {
		cc_container_release(out);
		return -1;
	}
	return 0;
}

struct rows {
	cc_strv ids, payloads;
};

static int collect(void *ctx, const char *id, const char *payload)
{
	struct rows *rows = ctx;
	cc_strv_push(&rows->ids, id);
	cc_strv_push(&rows->payloads, payload);
	return 0;
}

/* A record of the last listing: its stored text and what that decoded to. */
struct decoded {
	char *payload;
	struct cc_container c;
};

static void native_decoded_free(void *p)
{
	struct decoded *d = p;
	if (!d)
		return;
	cc_container_release(&d->c);
	free(d->payload);
	free(d);
}

/* The revision of a record: a digest of its stored text, so that equal revisions mean equal records
 * whichever backend instance (a daemon keeps several) read them. */
static uint64_t revision_of(const char *payload)
{
	char hex[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(payload, strlen(payload), hex);
	hex[16] = '\0';
	uint64_t r = strtoull(hex, NULL, 16);
	return r ? r : 1;
}

/* decode() through the cache of the last listing: a record whose stored text is byte for byte what it
 * was is copied from its decoded form instead of parsed again (parsing is most of a listing's cost). The
 * cache is keyed by id, so a hit costs one comparison of the text, not a hash of it; it keeps only what
 * this listing saw, so it never outgrows the store. Takes payload. */
static int decode_cached(struct native *n, struct cc_strmap *next, const char *id, char *payload,
			 struct cc_container *out, struct cc_error **err)
{
	struct decoded *hit = cc_strmap_get(&n->decoded, id);
	if (hit && strcmp(hit->payload, payload) == 0) {
		free(payload);
		cc_container_copy(out, &hit->c);
		/* moved to next; n->decoded frees nothing itself while a listing runs */
		cc_strmap_set(next, id, hit);
		cc_strmap_set(&n->decoded, id, NULL);
		return 0;
	}
	if (decode(payload, out, err) < 0) {
		free(payload);
		return -1;
	}
	out->revision = revision_of(payload);
	struct decoded *keep = cc_xcalloc(1, sizeof(*keep));
	keep->payload = payload;
	cc_container_copy(&keep->c, out);
	cc_strmap_set(next, id, keep);
	return 0;
}

/* One pass of load_some. A write pass settles and saves; a read pass stops at the first container that
 * would need it and says so in *pending. */
static int load_pass(struct native *n, const char *project, bool write, struct cc_container **out,
		     size_t *count, bool *pending, struct cc_error **err)
{
	struct rows rows = {NULL, NULL};
	*out = NULL;
	*count = 0;
	*pending = false;
	if ((write ? native_begin(n, err) : native_begin_read(n, err)) < 0)
		return -1;
	if (cc_store_container_each(n->store, CC_NATIVE_BACKEND, project, collect, &rows, err) < 0) {
		native_abort(n);
		cc_strv_free(rows.ids);
		cc_strv_free(rows.payloads);
		return -1;
	}
	size_t k = cc_strv_len(rows.ids);
	struct cc_container *v = cc_xcalloc(k ? k : 1, sizeof(*v));
	struct cc_strmap next;
	cc_strmap_init(&next, native_decoded_free);
	n->decoded.free_value = NULL;
	int r = 0;
	for (size_t i = 0; i < k; i++) {
		/* each payload is handed over, the ones after a stop freed */
		char *payload = rows.payloads[i];
		rows.payloads[i] = NULL;
		if (r < 0 || *pending) {
			free(payload);
			continue;
		}
		r = decode_cached(n, &next, rows.ids[i], payload, &v[i], err);
		if (r == 0 && !write)
			r = settle_pending(n, &v[i], pending, err);
		bool changed = false;
		if (r == 0 && write)
			r = settle(n, &v[i], &changed, err);
		if (r == 0 && changed) {
			v[i].revision = 0; /* no longer what was read; the next listing reads what is saved */
			r = save(n, &v[i], err);
		}
	}
	/* a partial listing keeps the records it did not see; a full one drops them */
	bool partial = project || r < 0 || *pending;
	cc_strmap_foreach(&n->decoded, ent) if (ent->value)
	{
		if (partial)
			cc_strmap_set(&next, ent->key, ent->value);
		else
			native_decoded_free(ent->value);
	}
	cc_strmap_release(&n->decoded);
	n->decoded = next;
	cc_strv_free(rows.ids);
	free(rows.payloads);
	if (r < 0)
		native_abort(n);
	else
		r = native_commit(n, err);
	if (r < 0 || *pending) {
		cc_containers_free(v, k);
		return r;
	}
	*out = v;
	*count = k;
	return 0;
}

/* Every container (of one project), settled. Most listings find nothing to settle: they read in a read
 * transaction, which no other listing and no writer waits for; one that finds something starts over in a
 * write transaction, which settles and saves in one go. */
static int load_some(struct native *n, const char *project, struct cc_container **out, size_t *count,
		     struct cc_error **err)
{
	bool pending = false;
	int r = load_pass(n, project, false, out, count, &pending, err);
	if (r < 0 || !pending)
		return r;
	return load_pass(n, project, true, out, count, &pending, err);
}

int native_settle_all(void *self, struct cc_error **err)
{
	struct cc_container *v;
	size_t k;
	if (load_some(self, NULL, &v, &k, err) < 0)
		return -1;
	cc_containers_free(v, k);
	return 0;
}

int native_container_list(void *self, const struct cc_container_filter *f, struct cc_container **out,
			  size_t *count, struct cc_error **err)
{
	struct cc_container *v;
	size_t k;
	if (load_some(self, f ? f->project : NULL, &v, &k, err) < 0)
		return -1;
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (cc_container_matches(&v[i], f))
			v[m++] = v[i];
		else
			cc_container_release(&v[i]);
	}
	*out = v;
	*count = m;
	return 0;
}

int native_all_containers(struct native *n, struct cc_container **out, size_t *count, struct cc_error **err)
{
	struct cc_container_filter all = {.all = true};
	return native_container_list(n, &all, out, count, err);
}

/* The last probes' results, which the monitor keeps in <dir>/health.json (the record holds only the status:
 * a probe every few seconds is no reason to write the store). */
static void read_health_log(struct native *n, struct cc_container *c)
{
	cleanup_free char *dir = native_container_dir(n, c->id);
	cleanup_free char *path = cc_xasprintf("%s/health.json", dir);
	json_t *a = json_load_file(path, 0, NULL);
	struct cc_error *e = NULL;
	if (json_is_array(a) && cc_health_results_from_json(a, &c->health_log, &c->nhealth_log, &e) < 0) {
		cc_error_free(e);
		cc_health_results_free(c->health_log, c->nhealth_log);
		c->health_log = NULL;
		c->nhealth_log = 0;
	}
	json_decref(a);
}

int native_container_inspect(void *self, const char *ref, struct cc_container *out, struct cc_error **err)
{
	if (settled(self, ref, out, err) < 0)
		return -1;
	if (out->health != CC_HEALTH_NONE)
		read_health_log(self, out);
	return 0;
}

/* ---- create ---- */

static int name_free(struct native *n, const char *name, struct cc_error **err)
{
	cleanup_free char *existing = NULL;
	struct cc_error *lookup = NULL;
	if (cc_store_container_get(n->store, CC_NATIVE_BACKEND, name, &existing, &lookup) < 0) {
		if (lookup->kind == CC_ERR_NOT_FOUND || lookup->kind == CC_ERR_INVALID_ARGUMENT) {
			cc_error_free(lookup);
			return 0;
		}
		*err = lookup;
		return -1;
	}
	/* a lookup by reference also matches ids and id prefixes: only the same name is a conflict */
	struct cc_container other;
	if (decode(existing, &other, err) < 0)
		return -1;
	int r = 0;
	if (other.name && strcmp(other.name, name) == 0)
		r = cc_rt_name_conflict(name, other.id, err);
	cc_container_release(&other);
	return r;
}

/* docker's rule: the image's HEALTHCHECK applies unless the service has one; a service healthcheck without
 * a test (timings only) keeps the image's test. */
static void inherit_healthcheck(struct cc_container_spec *spec, const struct cc_healthcheck *image)
{
	if (!image)
		return;
	if (!spec->healthcheck) {
		spec->healthcheck = cc_healthcheck_copy(image);
	} else if (!spec->healthcheck->test || !spec->healthcheck->test[0]) {
		cc_strv_free(spec->healthcheck->test);
		spec->healthcheck->test = cc_strv_copy(image->test);
	}
}

/* network_mode container:NAME needs NAME, with a namespace of its own to share. */
static int joined_exists(struct native *n, const struct cc_container *c, struct cc_error **err)
{
	const char *other = native_net_joined(c);
	if (!other)
		return 0;
	struct cc_container o;
	if (load(n, other, &o, err) < 0)
		return cc_error_wrap(err, "network_mode container:%s", other);
	int r = 0;
	if (native_net_joined(&o) || (o.spec.network_mode && strcmp(o.spec.network_mode, "host") == 0))
		r = cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT,
		    "network_mode container:%s: that container has no network namespace of its own", other);
	cc_container_release(&o);
	return r;
}

int native_container_create(void *self, const struct cc_container_spec *spec, char **id_out,
			    struct cc_error **err)
{
	struct native *n = self;
	char id[65];
	cc_random_hex(id, 32);
	char generated[32];
	const char *name = spec->name;
	if (!name) {
		snprintf(generated, sizeof(generated), "native_%.12s", id);
		name = generated;
	}
	if (!cc_valid_object_name(name, 0))
		return cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT,
		    "invalid container name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
	/* the orchestrator pulls first: a missing image is the caller's mistake; a runtime that cannot run it
	 * is refused before anything is made */
	if (spec->auto_remove && !n->cleanup_exe)
		return cc_error_set(
		    err, CC_ERR_NOT_SUPPORTED,
		    "autoRemove needs container-compose's binary to remove the container at its "
		    "exit; this program opened the engine without one");
	struct cc_image_record rec;
	struct native_oci oci;
	if (native_oci_default(n, &oci, err) < 0)
		return -1;
	native_oci_release(&oci);
	if (native_secrets_exist(n, spec, err) < 0 ||
	    cc_images_resolve(n->images, spec->image, &rec, err) < 0)
		return -1;
	struct cc_container c = {0};
	cc_container_spec_copy(&c.spec, spec);
	free(c.spec.name);
	c.spec.name = cc_xstrdup(name);
	c.id = cc_xstrdup(id);
	c.name = cc_xstrdup(name);
	c.image_id = cc_xstrdup(rec.img.id);
	c.state = CC_STATE_CREATED;
	inherit_healthcheck(&c.spec, rec.img.healthcheck);
	/* docker's rule: the image's STOPSIGNAL unless the service sets stop_signal */
	if (!c.spec.stop_signal && rec.img.stop_signal)
		c.spec.stop_signal = cc_xstrdup(rec.img.stop_signal);
	c.created_ns = cc_now_ns();
	cc_image_record_release(&rec);
	int r = native_begin(n, err);
	if (r == 0) {
		for (size_t i = 0; r == 0 && i < c.spec.nmounts; i++)
			if (c.spec.mounts[i].type == CC_MOUNT_VOLUME)
				r = native_volume_ensure(n, &c.spec.mounts[i], err);
		bool wired = false;
		if (r < 0 || name_free(n, name, err) < 0 || joined_exists(n, &c, err) < 0 ||
		    native_net_plan(n, &c, err) < 0 || save(n, &c, err) < 0 ||
		    event(n, &c, c.created_ns, "create", NULL, NULL, err) < 0 ||
		    !(wired = native_net_setup(n, &c, err) == 0) ||
		    (c.nendpoints && native_net_sync(n, err) < 0)) {
			native_abort(n);
			if (wired)
				native_net_teardown(n, &c);
			r = -1;
		} else {
			r = native_commit(n, err);
			if (r < 0)
				native_net_teardown(n, &c);
		}
	}
	if (r == 0 && id_out)
		*id_out = cc_xstrdup(id);
	cc_container_release(&c);
	return r;
}

/* ---- start ---- */

static int write_text(const char *dir, const char *file, const char *text, struct cc_error **err)
{
	cleanup_free char *path = cc_xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "w");
	if (!f)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "write %s", path);
	fputs(text, f);
	if (fclose(f) != 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "write %s", path);
	return 0;
}

/* hosts, resolv.conf and hostname, bind-mounted read-only by the bundle. `net` is the container whose network
 * namespace this one has (itself, or the one it joins); `gateways` its networks' resolvers. */
static int write_files(const struct cc_container *c, const struct cc_container *net, char *const *gateways,
		       const char *dir, const char *hostname, struct cc_error **err)
{
	cleanup_strbuf struct cc_strbuf hosts = CC_STRBUF_INIT;
	native_hosts_text(&hosts, &c->spec, net, hostname, gateways);
	cleanup_strbuf struct cc_strbuf resolv = CC_STRBUF_INIT;
	cleanup_free char *host_resolv = cc_read_text("/etc/resolv.conf");
	/* on a network, names go to its DNS server, which forwards the rest to `dns` or the host's */
	native_resolv_text(&resolv, host_resolv, gateways && gateways[0] ? gateways : c->spec.dns,
			   c->spec.dns_search, c->spec.dns_opt);
	cleanup_free char *hn = cc_xasprintf("%s\n", hostname);
	if (write_text(dir, "hosts", cc_strbuf_str(&hosts), err) < 0 ||
	    write_text(dir, "resolv.conf", cc_strbuf_str(&resolv), err) < 0 ||
	    write_text(dir, "hostname", hn, err) < 0)
		return -1;
	return 0;
}

/* The init for `init: true`: the host's static tini, bind-mounted where docker puts its own. */
static const char *host_init(void)
{
	static const char *const candidates[] = {"/usr/bin/tini-static", "/usr/bin/docker-init", NULL};
	for (const char *const *c = candidates; *c; c++)
		if (access(*c, X_OK) == 0)
			return *c;
	return NULL;
}

/* The host directories of a container's volumes, resolved once for the bundle. */
struct volume_paths {
	cc_strv names, paths;
};

static const char *volume_path(void *ctx, const char *name)
{
	struct volume_paths *vp = ctx;
	for (size_t i = 0; vp->names && vp->names[i]; i++)
		if (strcmp(vp->names[i], name) == 0)
			return vp->paths[i];
	return NULL;
}

/* Volumes resolved (and filled from the image on first use), bind sources checked or created. */
static int prepare_mounts(struct native *n, const struct cc_container *c, const char *rootfs,
			  struct volume_paths *vp, struct cc_error **err)
{
	for (size_t i = 0; i < c->spec.nmounts; i++) {
		const struct cc_mount *mt = &c->spec.mounts[i];
		if (mt->type == CC_MOUNT_BIND && mt->source && !cc_file_exists(mt->source)) {
			if (!mt->create_host_path)
				return cc_error_set(
				    err, CC_ERR_INVALID_ARGUMENT,
				    "invalid mount config: bind source path does not exist: %s", mt->source);
			if (cc_mkdir_p(mt->source, 0755, err) < 0)
				return -1;
		}
		if (mt->type != CC_MOUNT_VOLUME || !mt->source)
			continue;
		if (native_volume_activate(n, mt->source, err) < 0)
			return -1;
		char *path = native_volume_mountpoint(n, mt->source);
		if (!path)
			return cc_error_set(err, CC_ERR_NOT_FOUND, "No such volume: %s", mt->source);
		cc_strv_push(&vp->names, mt->source);
		cc_strv_push(&vp->paths, path);
		/* a part of a volume is not filled from the image (docker neither) */
		int r = mt->subpath  ? native_volume_subpath(path, mt->source, mt->subpath, err)
			: mt->nocopy ? 0
				     : native_volume_populate(rootfs, mt->target, path, err);
		free(path);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Where a container's network comes from: the namespace to run in, the container that owns it and that
 * one's resolvers. */
struct net_view {
	char *netns; /* "host" or a path */
	struct cc_container owner;
	cc_strv gateways;
};

static void net_view_release(struct net_view *v)
{
	free(v->netns);
	if (v->owner.id)
		cc_container_release(&v->owner);
	cc_strv_free(v->gateways);
}

static int net_view(struct native *n, const struct cc_container *c, struct net_view *v, struct cc_error **err)
{
	memset(v, 0, sizeof(*v));
	if (c->spec.network_mode && strcmp(c->spec.network_mode, "host") == 0) {
		v->netns = cc_xstrdup("host");
		cc_container_copy(&v->owner, c);
		return 0;
	}
	if (native_begin(n, err) < 0)
		return -1;
	const char *joined = native_net_joined(c);
	int r = 0;
	if (joined)
		r = load(n, joined, &v->owner, err);
	else
		cc_container_copy(&v->owner, c);
	if (r == 0)
		v->netns = native_netns_path(n, v->owner.id);
	/* a namespace lost with a reboot is made again, with the bridges, firewall table and DNS server that
	 * went with it */
	bool rebuilt = false;
	if (r == 0 && !joined && !native_netns_exists(v->netns)) {
		r = native_net_setup(n, c, err);
		rebuilt = r == 0 && c->nendpoints;
		if (rebuilt && native_net_sync(n, err) < 0) {
			native_net_teardown(n, c);
			r = -1;
		}
	}
	if (r == 0 && !native_netns_exists(v->netns))
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "container %s has no network namespace to join",
				 v->owner.name);
	if (r == 0)
		r = native_net_nameservers(n, &v->owner, &v->gateways, err);
	if (r == 0 && rebuilt)
		r = native_commit(n, err); /* the firewall's record of what it applied */
	else
		native_abort(n);
	if (r < 0)
		net_view_release(v);
	return r;
}

/* The seccomp filter: podman's default profile, another given with security_opt seccomp=PATH, or none for
 * seccomp=unconfined and privileged containers (docker's rules). A missing default profile leaves the
 * container unfiltered, as docker does on hosts without seccomp support; a missing given one is an error. */
static int apply_seccomp(const struct cc_container *c, json_t *cfg, struct cc_error **err)
{
	const char *custom = NULL;
	for (char *const *o = c->spec.security_opt; o && *o; o++)
		if (strncmp(*o, "seccomp=", 8) == 0 || strncmp(*o, "seccomp:", 8) == 0)
			custom = *o + 8;
	if (c->spec.privileged || (custom && strcmp(custom, "unconfined") == 0))
		return 0;
	json_t *caps =
	    json_object_get(json_object_get(json_object_get(cfg, "process"), "capabilities"), "bounding");
	json_t *filter;
	struct cc_error *e = NULL;
	if (native_seccomp_load(custom ? custom : native_seccomp_default_path(), caps, &filter, &e) < 0) {
		if (!custom && e->kind == CC_ERR_NOT_FOUND) {
			cc_error_free(e);
			return 0;
		}
		*err = e;
		return cc_error_wrap(err, "security_opt");
	}
	json_object_set_new(json_object_get(cfg, "linux"), "seccomp", filter);
	return 0;
}

/* Under crun, a filter compiled at an earlier start is passed on (seccomp_cache.h); *store names where the
 * monitor keeps this start's compilation when there was none. */
static void seccomp_precompiled(struct native *n, const struct native_oci *oci, json_t *cfg, char **store)
{
	*store = NULL;
	if (strcmp(oci->name, "crun") != 0)
		return;
	char *file = native_seccomp_cache_file(n->root, cfg, oci->path);
	if (file && native_seccomp_cache_apply(file, cfg)) {
		free(file);
		return;
	}
	*store = file;
}

static int write_bundle_files(struct native *n, const struct cc_container *c, const struct net_view *net,
			      const char *pidns, const char *ipcns, const struct cc_image_record *rec,
			      const char *dir, const char *rootfs, struct volume_paths *vp,
			      const struct native_oci *oci, char **seccomp_store, struct cc_error **err)
{
	char hostbuf[HOST_NAME_MAX + 1];
	const char *hostname = cc_bundle_hostname(&c->spec, c->id, hostbuf, sizeof(hostbuf));
	if (write_files(c, &net->owner, net->gateways, dir, hostname, err) < 0)
		return -1;
	cleanup_free char *hosts = cc_xasprintf("%s/hosts", dir);
	cleanup_free char *resolv = cc_xasprintf("%s/resolv.conf", dir);
	cleanup_free char *hostfile = cc_xasprintf("%s/hostname", dir);
	const char *init = host_init();
	struct cc_bundle_input in = {
	    .spec = &c->spec,
	    .image = &rec->img,
	    .rootfs = rootfs,
	    .id = c->id,
	    .netns_path = net->netns,
	    .pidns_path = pidns,
	    .ipcns_path = ipcns,
	    .hosts_file = hosts,
	    .resolv_file = resolv,
	    .hostname_file = hostfile,
	    .hostname = hostname,
	    .init_path = init ? "/sbin/docker-init" : NULL,
	    .volume_path = volume_path,
	    .volume_ctx = vp,
	};
	json_t *cfg;
	if (cc_bundle_config(&in, &cfg, err) < 0)
		return -1;
	if (apply_seccomp(c, cfg, err) < 0 ||
	    native_secret_mounts(n, c, dir, json_object_get(cfg, "mounts"), err) < 0) {
		json_decref(cfg);
		return -1;
	}
	seccomp_precompiled(n, oci, cfg, seccomp_store);
	/* a known cgroup, so stats and OOM kills are read without asking runc */
	cleanup_free char *cgroup = native_cgroup_path(c->id);
	json_object_set_new(json_object_get(cfg, "linux"), "cgroupsPath", json_string(cgroup));
	/* a tty's master comes to the monitor over its console socket (monitor.c, attach.h) */
	json_object_set_new(json_object_get(cfg, "process"), "terminal", json_boolean(c->spec.tty));
	if (c->spec.init && init)
		json_array_append_new(json_object_get(cfg, "mounts"),
				      json_pack("{ss ss ss s[sss]}", "destination", "/sbin/docker-init",
						"type", "bind", "source", init, "options", "rbind", "ro",
						"nosuid"));
	cleanup_free char *path = cc_xasprintf("%s/config.json", dir);
	int r = json_dump_file(cfg, path, JSON_INDENT(1));
	json_decref(cfg);
	if (r < 0)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "write %s", path);
	return 0;
}

/* pid and ipc modes: a namespace of its own (NULL), the host's ("host"), or a running container's
 * ("container:REF", the path of its process's namespace). */
static int shared_namespace(struct native *n, const char *mode, const char *kind, char **out,
			    struct cc_error **err)
{
	*out = NULL;
	if (!mode || !*mode || strcmp(mode, "private") == 0 ||
	    (strcmp(kind, "ipc") == 0 && strcmp(mode, "shareable") == 0))
		return 0;
	if (strcmp(mode, "host") == 0) {
		*out = cc_xstrdup("host");
		return 0;
	}
	if (strncmp(mode, "container:", 10) != 0)
		return cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT, "%s: unsupported mode \"%s\": use host or %s", kind, mode,
		    strcmp(kind, "ipc") == 0 ? "container:NAME, shareable or private" : "container:NAME");
	/* the record as it is now (a restart's new pid applied), and a pid that is still its process: a pid
	 * the kernel gave to another process since would join that process's namespace */
	struct cc_container other;
	if (settled(n, mode + 10, &other, err) < 0)
		return cc_error_wrap(err, "%s: %s", kind, mode);
	int r = 0;
	cleanup_free char *cgroups = NULL;
	if (other.pid > 0 && (other.state == CC_STATE_RUNNING || other.state == CC_STATE_PAUSED)) {
		char file[64];
		snprintf(file, sizeof(file), "/proc/%d/cgroup", other.pid);
		cgroups = cc_read_text(file);
	}
	if (!cgroups || !strstr(cgroups, other.id))
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "%s: container %s is not running", kind,
				 other.name);
	else
		*out = cc_xasprintf("/proc/%d/ns/%s", other.pid, kind);
	cc_container_release(&other);
	return r;
}

static int write_bundle(struct native *n, const struct cc_container *c, const struct cc_image_record *rec,
			const char *dir, const char *rootfs, const struct native_oci *oci,
			char **seccomp_store, struct cc_error **err)
{
	struct volume_paths vp = {0};
	struct net_view net;
	int r = net_view(n, c, &net, err);
	if (r < 0)
		return -1;
	cleanup_free char *pidns = NULL, *ipcns = NULL;
	r = shared_namespace(n, c->spec.pid_mode, "pid", &pidns, err);
	if (r == 0)
		r = shared_namespace(n, c->spec.ipc_mode, "ipc", &ipcns, err);
	if (r == 0)
		r = prepare_mounts(n, c, rootfs, &vp, err);
	if (r == 0)
		r = write_bundle_files(n, c, &net, pidns, ipcns, rec, dir, rootfs, &vp, oci, seccomp_store,
				       err);
	net_view_release(&net);
	cc_strv_free(vp.names);
	cc_strv_free(vp.paths);
	return r;
}

int native_mount_rootfs(struct native *n, const struct cc_image_record *rec, const char *dir, char **rootfs,
			struct cc_error **err)
{
	size_t k = cc_strv_len(rec->diff_ids);
	cc_strv layers = NULL;
	char chain[72] = "";
	for (size_t i = 0; i < k; i++) {
		cc_chain_id(i ? chain : NULL, rec->diff_ids[i], chain);
		char *p = cc_layer_path(n->images->blobs, chain);
		cc_strv_push(&layers, p);
		free(p);
	}
	cleanup_free char *init = cc_xasprintf("%s/images/init", n->root);
	if (cc_rootfs_init_layer(init, err) < 0) {
		cc_strv_free(layers);
		return -1;
	}
	cc_strv_push(&layers, init);
	/* a mount left by a monitor that died */
	struct cc_error *e = NULL;
	if (cc_rootfs_unmount(dir, &e) < 0)
		cc_error_free(e);
	int r = cc_rootfs_mount(layers, dir, rootfs, err);
	cc_strv_free(layers);
	return r;
}

/* The monitor's cues (monitor.c): "stopping" ends a restart policy, "paused" holds the healthchecks. */
static void set_marker(struct native *n, const char *id, const char *name, bool on)
{
	cleanup_free char *dir = native_container_dir(n, id);
	cleanup_free char *path = cc_xasprintf("%s/%s", dir, name);
	if (!on) {
		unlink(path);
		return;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

static int ensure_dir(const char *path, mode_t mode, struct cc_error **err)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", path);
	return 0;
}

int native_container_start(void *self, const char *ref, struct cc_error **err)
{
	struct native *n = self;
	struct cc_container c;
	if (settled(n, ref, &c, err) < 0)
		return -1;
	int r = 0;
	if (c.state == CC_STATE_RUNNING || c.state == CC_STATE_PAUSED)
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is already running", c.name);
	else if (c.spec.auto_remove && c.finished_ns)
		/* its monitor's cleanup is removing it (docker's would be gone): a start would race that */
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is being removed (autoRemove)",
				 c.name);
	else if (c.state == CC_STATE_RESTARTING)
		/* its monitor starts it again: a second one would fight it for the runtime's state */
		r = cc_error_set(err, CC_ERR_INVALID_STATE,
				 "container %s is restarting: stop it first, or restart it", c.name);
	struct cc_image_record rec = {0};
	if (r == 0)
		r = native_net_check(n, &c, err);
	if (r == 0)
		r = cc_images_resolve(n->images, c.image_id, &rec, err);
	cleanup_free char *containers = cc_xasprintf("%s/containers", n->root);
	cleanup_free char *dir = native_container_dir(n, c.id);
	cleanup_free char *rootfs = NULL;
	struct native_oci oci = {0};
	cleanup_free char *state = NULL;
	cleanup_free char *exit_file = cc_xasprintf("%s/exit", dir);
	if (r == 0 && (r = native_oci_default(n, &oci, err)) == 0)
		state = native_oci_state(n, &oci);
	if (r == 0)
		r = ensure_dir(containers, 0711, err);
	if (r == 0)
		r = ensure_dir(dir, 0711, err);
	if (r == 0)
		r = native_mount_rootfs(n, &rec, dir, &rootfs, err);
	bool mounted = r == 0;
	cleanup_free char *seccomp_store = NULL;
	if (r == 0)
		r = write_bundle(n, &c, &rec, dir, rootfs, &oci, &seccomp_store, err);
	if (r == 0)
		r = native_oci_record(n, c.id, &oci, err);
	int pid = 0;
	if (r == 0) {
		unlink(exit_file);
		cleanup_free char *journal = cc_xasprintf("%s/journal", dir);
		unlink(journal);
		/* a start begins its health afresh, as docker's does */
		cleanup_free char *health_log = cc_xasprintf("%s/health.json", dir);
		unlink(health_log);
		set_marker(n, c.id, NATIVE_MARKER_STOPPING, false);
		set_marker(n, c.id, NATIVE_MARKER_PAUSED, false);
		struct native_run run = {
		    .runc = oci.path,
		    .state = state,
		    .seccomp_store = seccomp_store,
		    .dir = dir,
		    .id = c.id,
		    .health = c.spec.healthcheck,
		    .restart = c.spec.restart,
		    .max_retries = c.spec.restart_max_retries,
		    /* a start by hand begins the policy's count again, as docker's does */
		    .restart_count = 0,
		    .stdin_open = c.spec.stdin_open,
		    .tty = c.spec.tty};
		cleanup_free struct native_proxy_port *proxies = NULL;
		run.nproxies = native_net_proxies(n, &c, &proxies);
		run.proxies = proxies;
		char *const exit_command[] = {n->cleanup_exe,
					      (char *)"--root",
					      n->root,
					      (char *)"--backend",
					      (char *)CC_NATIVE_BACKEND,
					      (char *)"internal-cleanup",
					      c.id,
					      NULL};
		if (c.spec.auto_remove && n->cleanup_exe)
			run.exit_command = exit_command;
		r = native_monitor_spawn(&run, &pid, err);
		if (r < 0)
			unlink(exit_file); /* this run never ran: nothing to record */
	}
	if (r < 0 && mounted) {
		struct cc_error *e = NULL;
		if (cc_rootfs_unmount(dir, &e) < 0)
			cc_error_free(e);
	}
	if (rec.img.id)
		cc_image_record_release(&rec);
	native_oci_release(&oci);
	if (r < 0) {
		if ((*err)->kind == CC_ERR_BACKEND_FAILURE)
			cc_error_wrap(err, "failed to start container %s", c.name);
		cc_container_release(&c);
		return -1;
	}
	cc_container_release(&c);
	/* the container runs: record it (it may already have exited; the next read settles that) */
	if (native_begin(n, err) < 0)
		return -1;
	bool changed;
	int64_t now = cc_now_ns();
	if (load(n, ref, &c, err) < 0)
		goto fail;
	c.restart_count = 0;
	if (journal_offset_put(n, c.id, 0, err) < 0 || record_start(n, &c, pid, now, err) < 0 ||
	    save(n, &c, err) < 0 || settle(n, &c, &changed, err) < 0 || (changed && save(n, &c, err) < 0))
		goto fail;
	cc_container_release(&c);
	return native_commit(n, err);
fail:
	native_abort(n);
	cc_container_release(&c);
	return -1;
}

/* ---- stop, kill ---- */

static int not_running(const struct cc_container *c, struct cc_error **err)
{
	return cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is not running (state: %s)", c->name,
			    cc_state_name(c->state));
}

/* Poll until the run is recorded as ended; *done says whether it did within timeout_ns. */
static int wait_exit(struct native *n, const char *id, int64_t timeout_ns, bool *done, struct cc_error **err)
{
	int64_t deadline = cc_monotonic_ns() + timeout_ns;
	struct dir_watch w;
	open_watch(n, id, &w);
	for (;;) {
		struct cc_container c;
		if (settled(n, id, &c, err) < 0) {
			dir_watch_close(&w);
			return -1;
		}
		/* a container thawed by remove still reads paused until its monitor writes the exit */
		*done = c.state != CC_STATE_RUNNING && c.state != CC_STATE_PAUSED &&
			c.state != CC_STATE_RESTARTING;
		cc_container_release(&c);
		int64_t left = deadline - cc_monotonic_ns();
		if (*done || left <= 0) {
			dir_watch_close(&w);
			return 0;
		}
		dir_watch_wait(&w, left < POLL_NS ? left : POLL_NS);
	}
}

static int signal_event(struct native *n, const char *id, const char *action, int sig, struct cc_error **err)
{
	struct cc_container c;
	if (native_begin(n, err) < 0)
		return -1;
	char buf[16];
	snprintf(buf, sizeof(buf), "%d", sig);
	if (load(n, id, &c, err) < 0 ||
	    event(n, &c, cc_now_ns(), action, sig ? "signal" : NULL, sig ? buf : NULL, err) < 0) {
		native_abort(n);
		cc_container_release(&c);
		return -1;
	}
	cc_container_release(&c);
	return native_commit(n, err);
}

/* `<runtime> ARGS...` under the runtime container `id` was started with */
static int oci_call(struct native *n, const char *id, char *const *args, struct cc_error **err)
{
	struct native_oci oci;
	if (native_oci_of(n, id, &oci, err) < 0)
		return -1;
	int r = native_oci_call(n, &oci, args, err);
	native_oci_release(&oci);
	return r;
}

/* The signal to the container's init; a container that ended meanwhile is not an error (the caller waits
 * for the exit). The runtime's `kill` is asked only when the monitor left no record of the init. */
static int signal_init(struct native *n, const char *id, int sig, struct cc_error **err)
{
	cleanup_free char *dir = native_container_dir(n, id);
	if (native_init_signal(dir, sig) != NATIVE_INIT_UNKNOWN)
		return 0;
	char num[16];
	snprintf(num, sizeof(num), "%d", sig);
	char *args[] = {(char *)"kill", (char *)id, num, NULL};
	struct cc_error *e = NULL;
	if (oci_call(n, id, args, &e) == 0)
		return 0;
	struct cc_container c;
	bool running = settled(n, id, &c, err) == 0 && c.state == CC_STATE_RUNNING;
	cc_container_release(&c);
	if (running && !native_oci_says_gone(e->msg)) {
		*err = e;
		return -1;
	}
	cc_error_free(e);
	return 0;
}

int native_container_stop(void *self, const char *ref, const char *signal, int64_t timeout_ns,
			  struct cc_error **err)
{
	struct native *n = self;
	struct cc_container c;
	if (settled(n, ref, &c, err) < 0)
		return -1;
	if (c.state != CC_STATE_RUNNING && c.state != CC_STATE_RESTARTING && c.state != CC_STATE_PAUSED) {
		not_running(&c, err);
		cc_container_release(&c);
		return -1;
	}
	set_marker(n, c.id, NATIVE_MARKER_STOPPING, true);
	/* a frozen process handles its signal only once thawed: docker's stop thaws a paused container */
	if (c.state == CC_STATE_PAUSED && native_container_unpause(n, c.id, err) < 0) {
		cc_container_release(&c);
		return -1;
	}
	const char *signame = signal ? signal : c.spec.stop_signal;
	int sig = signame ? cc_signal_parse(signame) : SIGTERM;
	if (sig <= 0)
		sig = SIGTERM;
	if (timeout_ns < 0)
		timeout_ns = c.spec.stop_grace_ns >= 0 ? c.spec.stop_grace_ns : DEFAULT_GRACE_NS;
	cleanup_free char *id = cc_xstrdup(c.id);
	cc_container_release(&c);
	bool done = false;
	if (signal_event(n, id, "kill", sig, err) < 0 || signal_init(n, id, sig, err) < 0 ||
	    wait_exit(n, id, timeout_ns, &done, err) < 0)
		return -1;
	if (!done && (signal_event(n, id, "kill", SIGKILL, err) < 0 || signal_init(n, id, SIGKILL, err) < 0 ||
		      wait_exit(n, id, DEFAULT_GRACE_NS, &done, err) < 0))
		return -1;
	if (!done)
		return cc_error_set(err, CC_ERR_TIMEOUT, "container %s did not exit after SIGKILL", ref);
	return signal_event(n, id, "stop", 0, err);
}

int native_container_kill(void *self, const char *ref, const char *signal, struct cc_error **err)
{
	struct native *n = self;
	struct cc_container c;
	if (settled(n, ref, &c, err) < 0)
		return -1;
	if (c.state != CC_STATE_RUNNING && c.state != CC_STATE_RESTARTING && c.state != CC_STATE_PAUSED) {
		not_running(&c, err);
		cc_container_release(&c);
		return -1;
	}
	int sig = signal ? cc_signal_parse(signal) : SIGKILL;
	set_marker(n, c.id, NATIVE_MARKER_STOPPING, true); /* docker: a killed container is not restarted */
	cleanup_free char *id = cc_xstrdup(c.id);
	cleanup_free char *c_stop_signal = c.spec.stop_signal ? cc_xstrdup(c.spec.stop_signal) : NULL;
	enum cc_container_state state = c.state;
	cc_container_release(&c);
	bool done;
	/* between two runs there is no process to signal: the marker ends the restart loop, as docker's
	 * kill of a restarting container does */
	if (state == CC_STATE_RESTARTING) {
		if (wait_exit(n, id, 2 * CC_NS_PER_SEC, &done, err) < 0)
			return -1;
		if (done)
			return 0;
		/* a run began before the marker was seen: it gets the signal */
	}
	if (signal_event(n, id, "kill", sig, err) < 0 || signal_init(n, id, sig, err) < 0)
		return -1;
	/* a signal that ends it waits in the frozen process: thaw it, as docker's kill does for SIGKILL and
	 * the stop signal. On cgroup v2 a SIGKILL ends frozen tasks at once, and the thaw then finds nothing
	 * paused: that is not the kill's failure */
	const char *stop_name = c_stop_signal ? c_stop_signal : "SIGTERM";
	if (state == CC_STATE_PAUSED && (sig == SIGKILL || sig == cc_signal_parse(stop_name))) {
		struct cc_error *e = NULL;
		if (native_container_unpause(n, id, &e) < 0)
			cc_error_free(e);
	}
	/* SIGKILL cannot be handled: let the caller's next read see the exit */
	return sig == SIGKILL ? wait_exit(n, id, 2 * CC_NS_PER_SEC, &done, err) : 0;
}

/* ---- remove ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int native_container_remove(void *self, const char *ref, bool force, bool volumes, struct cc_error **err)
{
	struct native *n = self;
	struct cc_container c;
	if (settled(n, ref, &c, err) < 0)
		return -1;
	cleanup_free char *id = cc_xstrdup(c.id);
	bool paused = c.state == CC_STATE_PAUSED;
	bool running = c.state == CC_STATE_RUNNING || c.state == CC_STATE_RESTARTING || paused;
	if (running && !force) {
		cc_error_set(
		    err, CC_ERR_INVALID_STATE,
		    "cannot remove container %s: container is %s: stop the container before removing "
		    "or force remove",
		    c.name, cc_state_name(c.state));
		cc_container_release(&c);
		return -1;
	}
	cc_container_release(&c);
	if (running)
		set_marker(n, id, NATIVE_MARKER_STOPPING, true);
	if (paused) {
		/* a frozen process takes its SIGKILL only once thawed */
		char *args[] = {(char *)"resume", id, NULL};
		if (oci_call(n, id, args, err) < 0)
			return -1;
	}
	if (running) {
		bool done;
		if (signal_event(n, id, "kill", SIGKILL, err) < 0 || signal_init(n, id, SIGKILL, err) < 0 ||
		    wait_exit(n, id, DEFAULT_GRACE_NS, &done, err) < 0)
			return -1;
		if (!done) {
			/* the monitor is gone: nobody will record this exit */
			char *args[] = {(char *)"delete", (char *)"--force", id, NULL};
			struct cc_error *e = NULL;
			if (oci_call(n, id, args, &e) < 0)
				cc_error_free(e);
		}
	}
	cleanup_free char *dir = native_container_dir(n, id);
	if (cc_rootfs_unmount(dir, err) < 0)
		return -1;
	if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "remove %s", dir);
	if (native_begin(n, err) < 0)
		return -1;
	struct cc_error *gone = NULL;
	if (cc_store_object_delete(n->store, CC_NATIVE_BACKEND, "journal", id, &gone) < 0)
		cc_error_free(gone); /* never started */
	if (load(n, id, &c, err) < 0 || (volumes && native_volume_remove_anonymous(n, &c, err) < 0) ||
	    cc_store_log_delete(n->store, CC_NATIVE_BACKEND, id, err) < 0 ||
	    cc_store_container_delete(n->store, CC_NATIVE_BACKEND, id, err) < 0 ||
	    event(n, &c, cc_now_ns(), "destroy", NULL, NULL, err) < 0) {
		native_abort(n);
		cc_container_release(&c);
		return -1;
	}
	/* its process is gone: its interfaces and namespace go, and with them its names and ports */
	native_net_teardown(n, &c);
	struct cc_container *rest = NULL;
	size_t nrest = 0;
	bool volumes_used = false;
	for (size_t i = 0; i < c.spec.nmounts; i++)
		volumes_used |= c.spec.mounts[i].type == CC_MOUNT_VOLUME;
	if (volumes_used && native_all_containers(n, &rest, &nrest, err) < 0) {
		native_abort(n);
		cc_container_release(&c);
		return -1;
	}
	if (volumes_used) {
		native_volume_release_unused(n, &c, rest, nrest);
		cc_containers_free(rest, nrest);
	}
	/* a container on no network changes neither the firewall nor the names */
	if (c.nendpoints && native_net_sync(n, err) < 0) {
		native_abort(n);
		cc_container_release(&c);
		return -1;
	}
	cc_container_release(&c);
	return native_commit(n, err);
}

/* ---- wait, logs ---- */

int native_container_wait(void *self, const char *ref, enum cc_wait_condition cond, int64_t timeout_ns,
			  int *exit_code, struct cc_error **err)
{
	struct native *n = self;
	struct cc_container c;
	if (settled(n, ref, &c, err) < 0)
		return -1;
	cleanup_free char *id = cc_xstrdup(c.id);
	int64_t first_finish = c.finished_ns;
	int64_t deadline = timeout_ns >= 0 ? cc_monotonic_ns() + timeout_ns : INT64_MAX;
	struct dir_watch w __attribute__((cleanup(dir_watch_close))) = {.fd = -1};
	bool watched = false;
	for (;;) {
		bool done = cond == CC_WAIT_NOT_RUNNING ? c.state != CC_STATE_RUNNING
			    : cond == CC_WAIT_NEXT_EXIT ? c.finished_ns != first_finish
							: false;
		int last = c.exit_code;
		cc_container_release(&c);
		if (done) {
			*exit_code = last;
			return 0;
		}
		int64_t left = deadline - cc_monotonic_ns();
		if (left <= 0)
			return cc_error_set(err, CC_ERR_TIMEOUT, "container %s did not exit within %.0fs",
					    ref, (double)timeout_ns / 1e9);
		/* the watch only once waiting is needed, and before the read that decides it */
		if (watched)
			dir_watch_wait(&w, left < POLL_NS ? left : POLL_NS);
		else
			open_watch(n, id, &w);
		watched = true;
		struct cc_error *e = NULL;
		if (settled(n, id, &c, &e) < 0) {
			if (e->kind != CC_ERR_NOT_FOUND) {
				*err = e;
				return -1;
			}
			cc_error_free(e);
			if (cond != CC_WAIT_REMOVED)
				return cc_error_set(err, CC_ERR_NOT_FOUND, "No such container: %s", ref);
			*exit_code = last;
			return 0;
		}
	}
}

struct log_rec {
	int stream;
	int64_t time_ns;
	const char *base; /* the buffer the record was read into */
	size_t off, len;  /* of the data in the buffer */
};

/* A log file opened, with its inode (-1 when it is missing). */
static int open_log(const char *path, ino_t *ino)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	if (fd >= 0)
		*ino = st.st_ino;
	return fd;
}

/* Append what fd holds from `offset` on to sb, and close it. */
static void read_log(int fd, off_t offset, struct cc_strbuf *sb)
{
	char buf[65536];
	ssize_t r;
	lseek(fd, offset, SEEK_SET);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		cc_strbuf_add(sb, buf, (size_t)r);
	close(fd);
}

/* Parse the complete records of buf[0..len); returns how many bytes they take. */
static size_t parse_records(const char *buf, size_t len, struct log_rec **recs, size_t *n, size_t *cap)
{
	size_t pos = 0;
	for (;;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		if (!nl)
			break;
		int stream;
		long long t;
		size_t dlen;
		cleanup_free char *head = cc_xstrndup(buf + pos, (size_t)(nl - (buf + pos)));
		if (sscanf(head, "%d %lld %zu", &stream, &t, &dlen) != 3)
			break;
		size_t data = (size_t)(nl - buf) + 1;
		if (data + dlen + 1 > len)
			break;
		cc_grow((void **)recs, cap, *n + 1, sizeof(**recs));
		(*recs)[(*n)++] = (struct log_rec){stream, t, buf, data, dlen};
		pos = data + dlen + 1;
	}
	return pos;
}

int native_container_logs(void *self, const char *ref, const struct cc_log_opts *opts,
			  const struct cc_log_sink *sink, struct cc_error **err)
{
	struct native *n = self;
	struct cc_container c;
	if (settled(n, ref, &c, err) < 0)
		return -1;
	cleanup_free char *id = cc_xstrdup(c.id);
	cleanup_free char *name = cc_xstrdup(c.name);
	cleanup_free char *dir = native_container_dir(n, c.id);
	cleanup_free char *path = cc_xasprintf("%s/" NATIVE_LOG_FILE, dir);
	bool up = c.state == CC_STATE_RUNNING;
	cc_container_release(&c);
	off_t offset = 0;
	ino_t ino = 0; /* the file `offset` is in */
	bool first = true;
	long tail = opts->tail;
	struct dir_watch w __attribute__((cleanup(dir_watch_close))) = {.fd = -1};
	if (opts->follow && up) {
		/* read the state again under the watch: an exit between the first read and the watch would
		 * otherwise be seen only at the poll's timeout */
		open_watch(n, id, &w);
		if (settled(n, id, &c, err) < 0)
			return -1;
		up = c.state == CC_STATE_RUNNING;
		cc_container_release(&c);
	}
	cleanup_free char *rotated = cc_xasprintf("%s.1", path);
	for (;;) {
		/* what the files have now, complete records only: on the first pass the rotated file whole,
		 * then the current one; later, what was added, following the file we were in if it has been
		 * rotated */
		cleanup_strbuf struct cc_strbuf older = CC_STRBUF_INIT;
		cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
		ino_t cur_ino = 0, old_ino = 0;
		int fd = open_log(path, &cur_ino);
		if (first || (fd >= 0 && ino && cur_ino != ino)) {
			int old = open_log(rotated, &old_ino);
			if (old >= 0 && (first || old_ino == ino))
				read_log(old, first ? 0 : offset, &older);
			else if (old >= 0)
				close(old);
			offset = first ? offset : 0;
		}
		first = false;
		if (fd >= 0) {
			ino = cur_ino;
			read_log(fd, offset, &sb);
		}
		struct log_rec *recs = NULL;
		size_t nrecs = 0, cap = 0;
		parse_records(older.buf ? older.buf : "", older.len, &recs, &nrecs, &cap);
		offset += (off_t)parse_records(sb.buf ? sb.buf : "", sb.len, &recs, &nrecs, &cap);
		size_t from = tail >= 0 && (size_t)tail < nrecs ? nrecs - (size_t)tail : 0;
		tail = -1;
		bool cancelled = false;
		for (size_t i = from; i < nrecs && !cancelled; i++) {
			const struct log_rec *lr = &recs[i];
			if ((lr->stream == CC_STREAM_STDOUT && opts->no_stdout) ||
			    (lr->stream == CC_STREAM_STDERR && opts->no_stderr) ||
			    (opts->since_ns && lr->time_ns < opts->since_ns) ||
			    (opts->until_ns && lr->time_ns > opts->until_ns))
				continue;
			struct cc_log_frame f = {name, (enum cc_stream)lr->stream, lr->time_ns,
						 lr->base + lr->off, lr->len};
			cancelled = sink->emit(sink->ctx, &f) < 0;
		}
		free(recs);
		if (cancelled || !opts->follow || !up || (opts->until_ns && cc_now_ns() > opts->until_ns) ||
		    (sink->alive && sink->alive(sink->ctx) < 0))
			return 0;
		dir_watch_wait(&w, POLL_NS);
		struct cc_error *e = NULL;
		if (settled(n, id, &c, &e) < 0) {
			if (e->kind == CC_ERR_NOT_FOUND) {
				cc_error_free(e);
				return 0; /* removed while followed: the stream ends */
			}
			*err = e;
			return -1;
		}
		/* one more read after the exit is recorded: the monitor wrote the last lines before it */
		up = c.state == CC_STATE_RUNNING;
		cc_container_release(&c);
	}
}

int native_running(void *self, const char *ref, struct cc_container *out, struct cc_error **err)
{
	if (settled(self, ref, out, err) < 0)
		return -1;
	if (out->state == CC_STATE_RUNNING)
		return 0;
	if (out->state == CC_STATE_PAUSED)
		cc_error_set(err, CC_ERR_INVALID_STATE,
			     "container %s is paused, unpause the container before exec", out->name);
	else
		not_running(out, err);
	cc_container_release(out);
	return -1;
}

/* pause and unpause: the cgroup freezer through runc, then the new state and its event. */
static int set_paused(struct native *n, const char *ref, bool pause, struct cc_error **err)
{
	struct cc_container c;
	if (settled(n, ref, &c, err) < 0)
		return -1;
	int r = 0;
	if (pause && c.state == CC_STATE_PAUSED)
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is already paused", c.name);
	else if (pause && c.state != CC_STATE_RUNNING)
		r = not_running(&c, err);
	else if (!pause && c.state != CC_STATE_PAUSED)
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is not paused", c.name);
	char *const args[] = {(char *)(pause ? "pause" : "resume"), c.id, NULL};
	if (r == 0 && pause)
		set_marker(n, c.id, NATIVE_MARKER_PAUSED, true);
	if (r == 0)
		r = oci_call(n, c.id, args, err);
	if (r == 0 && !pause)
		set_marker(n, c.id, NATIVE_MARKER_PAUSED, false);
	if (r == 0 && (r = native_begin(n, err)) == 0) {
		c.state = pause ? CC_STATE_PAUSED : CC_STATE_RUNNING;
		if (save(n, &c, err) < 0 ||
		    event(n, &c, cc_now_ns(), pause ? "pause" : "unpause", NULL, NULL, err) < 0) {
			native_abort(n);
			r = -1;
		} else {
			r = native_commit(n, err);
		}
	}
	cc_container_release(&c);
	return r;
}

int native_container_pause(void *self, const char *ref, struct cc_error **err)
{
	return set_paused(self, ref, true, err);
}

int native_container_unpause(void *self, const char *ref, struct cc_error **err)
{
	return set_paused(self, ref, false, err);
}

int native_container_restart(void *self, const char *ref, int64_t timeout_ns, struct cc_error **err)
{
	struct cc_container c;
	if (settled(self, ref, &c, err) < 0)
		return -1;
	cleanup_free char *id = cc_xstrdup(c.id);
	/* a restarting container's monitor is between two runs: it is ended first, or it would start its
	 * next run beside the new monitor's */
	bool up = c.state == CC_STATE_RUNNING || c.state == CC_STATE_RESTARTING || c.state == CC_STATE_PAUSED;
	cc_container_release(&c);
	if (up && native_container_stop(self, id, NULL, timeout_ns, err) < 0)
		return -1;
	if (native_container_start(self, id, err) < 0)
		return -1;
	if (settled(self, id, &c, err) < 0)
		return -1;
	int r = native_begin(self, err);
	if (r == 0 && event(self, &c, cc_now_ns(), "restart", NULL, NULL, err) < 0) {
		native_abort(self);
		r = -1;
	} else if (r == 0) {
		r = native_commit(self, err);
	}
	cc_container_release(&c);
	return r;
}
