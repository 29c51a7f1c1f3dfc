/* The boundary's front: argument checks, instrumentation (tracing and recording decorators as observers of
 * every call) and the NOT_SUPPORTED answer for operations a backend leaves out of its table. */
#include "runtime/runtime.h"
#include "runtime/backends.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OBSERVERS 4

struct cc_runtime {
	char *name;
	const struct cc_runtime_ops *ops;
	void *self;
	struct cc_runtime_observer observers[MAX_OBSERVERS];
	size_t nobservers;
	struct cc_call_log *log; /* owned when recording */
	FILE *trace;
};

struct cc_call_log {
	pthread_mutex_t lock;
	char **entries;
	size_t n, cap;
};

struct cc_runtime *cc_runtime_new(const char *name, const struct cc_runtime_ops *ops, void *self)
{
	struct cc_runtime *rt = cc_xcalloc(1, sizeof(*rt));
	rt->name = cc_xstrdup(name);
	rt->ops = ops;
	rt->self = self;
	return rt;
}

void cc_runtime_add_observer(struct cc_runtime *rt, const struct cc_runtime_observer *obs)
{
	if (rt->nobservers == MAX_OBSERVERS)
		abort(); /* a programming error: decorators are a fixed, small set */
	rt->observers[rt->nobservers++] = *obs;
}

const char *cc_runtime_name(const struct cc_runtime *rt)
{
	return rt->name;
}

void cc_runtime_close(struct cc_runtime *rt)
{
	if (!rt)
		return;
	if (rt->ops->close)
		rt->ops->close(rt->self);
	if (rt->log) {
		for (size_t i = 0; i < rt->log->n; i++)
			free(rt->log->entries[i]);
		free(rt->log->entries);
		pthread_mutex_destroy(&rt->log->lock);
		free(rt->log);
	}
	free(rt->name);
	free(rt);
}

/* The tracing decorator: one line per call, "runtime: container.start web-1 -> ok (0.2 ms)". */
static void trace_call(void *ctx, const char *op, const char *target, int rc, const struct cc_error *err,
		       int64_t duration_ns)
{
	struct cc_runtime *rt = ctx;
	cleanup_strbuf struct cc_strbuf line = CC_STRBUF_INIT;
	cc_strbuf_addf(&line, "runtime[%s]: %s", rt->name, op);
	if (target)
		cc_strbuf_addf(&line, " %s", target);
	if (rc < 0 && err)
		cc_strbuf_addf(&line, " -> %s: %s", cc_err_kind_name(err->kind), err->msg);
	else
		cc_strbuf_adds(&line, " -> ok");
	cc_strbuf_addf(&line, " (%.3f ms)\n", (double)duration_ns / 1e6);
	fputs(cc_strbuf_str(&line), rt->trace);
}

static void record_call(void *ctx, const char *op, const char *target, int rc, const struct cc_error *err,
			int64_t duration_ns)
{
	struct cc_call_log *log = ctx;
	char *entry = cc_xasprintf("%s %s %s", op, target ? target : "-",
				   rc < 0 && err ? cc_err_kind_name(err->kind) : "ok");
	pthread_mutex_lock(&log->lock);
	cc_grow((void **)&log->entries, &log->cap, log->n + 1, sizeof(char *));
	log->entries[log->n++] = entry;
	pthread_mutex_unlock(&log->lock);
}

struct cc_call_log *cc_runtime_record(struct cc_runtime *rt)
{
	if (!rt->log) {
		rt->log = cc_xcalloc(1, sizeof(*rt->log));
		pthread_mutex_init(&rt->log->lock, NULL);
		cc_runtime_add_observer(rt, &(struct cc_runtime_observer){record_call, rt->log});
	}
	return rt->log;
}

size_t cc_call_log_count(const struct cc_call_log *log)
{
	return log->n;
}

const char *cc_call_log_entry(const struct cc_call_log *log, size_t i)
{
	return i < log->n ? log->entries[i] : NULL;
}

long cc_call_log_find(const struct cc_call_log *log, size_t from, const char *prefix)
{
	for (size_t i = from; i < log->n; i++)
		if (strncmp(log->entries[i], prefix, strlen(prefix)) == 0)
			return (long)i;
	return -1;
}

static const struct cc_backend *const backends[] = {
    &cc_backend_mock, &cc_backend_native, &cc_backend_docker, &cc_backend_remote, NULL,
};

const char *cc_runtime_default_backend(void)
{
	return "native";
}

const char *const *cc_runtime_backends(void)
{
	static const char *const names[] = {"mock", "native", "docker", "remote", NULL};
	return names;
}

int cc_runtime_open(const char *name, const struct cc_runtime_config *cfg, struct cc_runtime **out,
		    struct cc_error **err)
{
	if (!cfg || !cfg->root || !*cfg->root)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "a state root is required");
	if (!name || !*name)
		name = cc_runtime_default_backend();
	for (const struct cc_backend *const *b = backends; *b; b++) {
		if (strcmp((*b)->name, name) != 0)
			continue;
		struct cc_runtime *rt;
		if ((*b)->open(cfg, &rt, err) < 0)
			return cc_error_wrap(err, "backend %s", name);
		if (cfg->trace) {
			rt->trace = cfg->trace;
			cc_runtime_add_observer(rt, &(struct cc_runtime_observer){trace_call, rt});
		}
		*out = rt;
		return 0;
	}
	cleanup_strbuf struct cc_strbuf known = CC_STRBUF_INIT;
	for (const struct cc_backend *const *b = backends; *b; b++)
		cc_strbuf_addf(&known, "%s%s", b == backends ? "" : ", ", (*b)->name);
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "unknown backend %s (available: %s)", name,
			    cc_strbuf_str(&known));
}

static void notify(struct cc_runtime *rt, const char *op, const char *target, int rc, struct cc_error **err,
		   int64_t t0)
{
	int64_t dt = cc_monotonic_ns() - t0;
	for (size_t i = 0; i < rt->nobservers; i++)
		rt->observers[i].call(rt->observers[i].ctx, op, target, rc, rc < 0 ? *err : NULL, dt);
}

/* Dispatch one call: answer NOT_SUPPORTED for a missing entry, time it, tell the observers. A caller may pass
 * err NULL (docs/errors.md): the backend still gets somewhere to put its error, and observers see it. */
#define RT_CALL(rt, op, target, field, ...)                                                                  \
	do {                                                                                                 \
		struct cc_error *local_ = NULL;                                                              \
		if (!err)                                                                                    \
			err = &local_;                                                                       \
		int64_t t0_ = (rt)->nobservers ? cc_monotonic_ns() : 0;                                      \
		int rc_;                                                                                     \
		if (!(rt)->ops->field)                                                                       \
			rc_ = cc_error_set(err, CC_ERR_NOT_SUPPORTED,                                        \
					   "%s is not supported by the %s backend", op, (rt)->name);         \
		else                                                                                         \
			rc_ = (rt)->ops->field((rt)->self, __VA_ARGS__);                                     \
		if ((rt)->nobservers)                                                                        \
			notify(rt, op, target, rc_, err, t0_);                                               \
		cc_error_free(local_);                                                                       \
		return rc_;                                                                                  \
	} while (0)

/* A call refused before it reaches the backend: the caller gets INVALID_ARGUMENT, observers see the call. */
static int reject(struct cc_runtime *rt, const char *op, const char *target, struct cc_error **err,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int reject(struct cc_runtime *rt, const char *op, const char *target, struct cc_error **err,
		  const char *fmt, ...)
{
	struct cc_error *local = NULL, **e = err ? err : &local;
	cleanup_strbuf struct cc_strbuf msg = CC_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cc_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	cc_error_set(e, CC_ERR_INVALID_ARGUMENT, "%s", cc_strbuf_str(&msg));
	if (rt->nobservers)
		notify(rt, op, target, -1, e, cc_monotonic_ns());
	cc_error_free(local);
	return -1;
}

/* A required string argument. */
#define NEED(op, target, what, value)                                                                        \
	do {                                                                                                 \
		if (!(value) || !*(value))                                                                   \
			return reject(rt, op, target, err, "%s is required", what);                          \
	} while (0)

int cc_rt_version(struct cc_runtime *rt, struct cc_version *out, struct cc_error **err)
{
	RT_CALL(rt, "system.version", NULL, version, out, err);
}

int cc_rt_info(struct cc_runtime *rt, struct cc_info *out, struct cc_error **err)
{
	RT_CALL(rt, "system.info", NULL, info, out, err);
}

int cc_rt_container_list(struct cc_runtime *rt, const struct cc_container_filter *f,
			 struct cc_container **out, size_t *n, struct cc_error **err)
{
	static const struct cc_container_filter none;
	RT_CALL(rt, "container.list", f && f->project ? f->project : NULL, container_list, f ? f : &none, out,
		n, err);
}

int cc_rt_container_inspect(struct cc_runtime *rt, const char *ref, struct cc_container *out,
			    struct cc_error **err)
{
	NEED("container.inspect", ref, "container", ref);
	RT_CALL(rt, "container.inspect", ref, container_inspect, ref, out, err);
}

int cc_rt_container_create(struct cc_runtime *rt, const struct cc_container_spec *spec, char **id_out,
			   struct cc_error **err)
{
	if (!spec)
		return reject(rt, "container.create", NULL, err, "a container spec is required");
	NEED("container.create", spec->name, "image", spec->image);
	/* docker's rule: a container the engine removes at its exit has nothing to restart */
	if (spec->auto_remove && spec->restart != CC_RESTART_NO)
		return reject(rt, "container.create", spec->name, err,
			      "autoRemove and a restart policy conflict: a removed container cannot restart");
	RT_CALL(rt, "container.create", spec->name, container_create, spec, id_out, err);
}

int cc_rt_container_start(struct cc_runtime *rt, const char *ref, struct cc_error **err)
{
	NEED("container.start", ref, "container", ref);
	RT_CALL(rt, "container.start", ref, container_start, ref, err);
}

int cc_rt_container_stop(struct cc_runtime *rt, const char *ref, const char *signal, int64_t timeout_ns,
			 struct cc_error **err)
{
	NEED("container.stop", ref, "container", ref);
	if (signal && cc_signal_parse(signal) < 0)
		return reject(rt, "container.stop", ref, err, "invalid signal %s", signal);
	RT_CALL(rt, "container.stop", ref, container_stop, ref, signal, timeout_ns, err);
}

int cc_rt_container_restart(struct cc_runtime *rt, const char *ref, int64_t timeout_ns, struct cc_error **err)
{
	NEED("container.restart", ref, "container", ref);
	RT_CALL(rt, "container.restart", ref, container_restart, ref, timeout_ns, err);
}

int cc_rt_container_kill(struct cc_runtime *rt, const char *ref, const char *signal, struct cc_error **err)
{
	NEED("container.kill", ref, "container", ref);
	if (signal && cc_signal_parse(signal) < 0)
		return reject(rt, "container.kill", ref, err, "invalid signal %s", signal);
	RT_CALL(rt, "container.kill", ref, container_kill, ref, signal, err);
}

int cc_rt_container_pause(struct cc_runtime *rt, const char *ref, struct cc_error **err)
{
	NEED("container.pause", ref, "container", ref);
	RT_CALL(rt, "container.pause", ref, container_pause, ref, err);
}

int cc_rt_container_unpause(struct cc_runtime *rt, const char *ref, struct cc_error **err)
{
	NEED("container.unpause", ref, "container", ref);
	RT_CALL(rt, "container.unpause", ref, container_unpause, ref, err);
}

int cc_rt_container_remove(struct cc_runtime *rt, const char *ref, bool force, bool volumes,
			   struct cc_error **err)
{
	NEED("container.remove", ref, "container", ref);
	RT_CALL(rt, "container.remove", ref, container_remove, ref, force, volumes, err);
}

int cc_rt_container_wait(struct cc_runtime *rt, const char *ref, enum cc_wait_condition cond,
			 int64_t timeout_ns, int *exit_code, struct cc_error **err)
{
	NEED("container.wait", ref, "container", ref);
	RT_CALL(rt, "container.wait", ref, container_wait, ref, cond, timeout_ns, exit_code, err);
}

int cc_rt_container_logs(struct cc_runtime *rt, const char *ref, const struct cc_log_opts *opts,
			 const struct cc_log_sink *sink, struct cc_error **err)
{
	NEED("container.logs", ref, "container", ref);
	static const struct cc_log_opts all_output = {.tail = -1};
	if (!opts)
		opts = &all_output;
	RT_CALL(rt, "container.logs", ref, container_logs, ref, opts, sink, err);
}

int cc_rt_container_exec(struct cc_runtime *rt, const char *ref, const struct cc_exec_opts *opts,
			 const struct cc_log_sink *sink, int *exit_code, struct cc_error **err)
{
	NEED("container.exec", ref, "container", ref);
	if (!opts || !opts->argv || !opts->argv[0])
		return reject(rt, "container.exec", ref, err, "command is required and must not be empty");
	RT_CALL(rt, "container.exec", ref, container_exec, ref, opts, sink, exit_code, err);
}

int cc_rt_container_top(struct cc_runtime *rt, const char *ref, struct cc_top *out, struct cc_error **err)
{
	NEED("container.top", ref, "container", ref);
	RT_CALL(rt, "container.top", ref, container_top, ref, out, err);
}

int cc_rt_container_attach(struct cc_runtime *rt, const char *ref, const struct cc_attach_io *io,
			   struct cc_error **err)
{
	NEED("container.attach", ref, "container", ref);
	RT_CALL(rt, "container.attach", ref, container_attach, ref, io, err);
}

int cc_rt_container_stats(struct cc_runtime *rt, const char *ref, struct cc_stats *out, struct cc_error **err)
{
	NEED("container.stats", ref, "container", ref);
	RT_CALL(rt, "container.stats", ref, container_stats, ref, out, err);
}

int cc_rt_container_copy(struct cc_runtime *rt, const char *ref, const char *container_path,
			 const char *host_path, bool to_container, struct cc_error **err)
{
	NEED("container.copy", ref, "container", ref);
	NEED("container.copy", ref, "container path", container_path);
	NEED("container.copy", ref, "host path", host_path);
	RT_CALL(rt, "container.copy", ref, container_copy, ref, container_path, host_path, to_container, err);
}

int cc_rt_events(struct cc_runtime *rt, const struct cc_event_filter *f, const struct cc_event_sink *sink,
		 struct cc_error **err)
{
	static const struct cc_event_filter everything;
	if (!sink || !sink->emit)
		return reject(rt, "system.events", NULL, err, "an event sink is required");
	RT_CALL(rt, "system.events", NULL, events, f ? f : &everything, sink, err);
}

int cc_rt_image_list(struct cc_runtime *rt, struct cc_image **out, size_t *n, struct cc_error **err)
{
	RT_CALL(rt, "image.list", NULL, image_list, out, n, err);
}

int cc_rt_image_inspect(struct cc_runtime *rt, const char *ref, struct cc_image *out, struct cc_error **err)
{
	NEED("image.inspect", ref, "image", ref);
	RT_CALL(rt, "image.inspect", ref, image_inspect, ref, out, err);
}

int cc_rt_image_pull(struct cc_runtime *rt, const char *ref, const char *platform,
		     const struct cc_progress_sink *sink, struct cc_error **err)
{
	NEED("image.pull", ref, "image", ref);
	RT_CALL(rt, "image.pull", ref, image_pull, ref, platform, sink, err);
}

int cc_rt_image_push(struct cc_runtime *rt, const char *ref, const struct cc_progress_sink *sink,
		     struct cc_error **err)
{
	NEED("image.push", ref, "image", ref);
	RT_CALL(rt, "image.push", ref, image_push, ref, sink, err);
}

int cc_rt_image_build(struct cc_runtime *rt, const struct cc_build_opts *opts,
		      const struct cc_progress_sink *sink, struct cc_error **err)
{
	if (!opts)
		return reject(rt, "image.build", NULL, err, "build options are required");
	NEED("image.build", opts->context_dir, "build context", opts->context_dir);
	RT_CALL(rt, "image.build", opts->tags && opts->tags[0] ? opts->tags[0] : opts->context_dir,
		image_build, opts, sink, err);
}

int cc_rt_image_tag(struct cc_runtime *rt, const char *src, const char *dst, struct cc_error **err)
{
	NEED("image.tag", src, "source image", src);
	NEED("image.tag", src, "target image", dst);
	RT_CALL(rt, "image.tag", src, image_tag, src, dst, err);
}

int cc_rt_image_remove(struct cc_runtime *rt, const char *ref, bool force, struct cc_error **err)
{
	NEED("image.remove", ref, "image", ref);
	RT_CALL(rt, "image.remove", ref, image_remove, ref, force, err);
}

int cc_rt_image_load(struct cc_runtime *rt, const char *tar_path, cc_strv *loaded, struct cc_error **err)
{
	NEED("image.load", tar_path, "archive", tar_path);
	RT_CALL(rt, "image.load", tar_path, image_load, tar_path, loaded, err);
}

int cc_rt_image_save(struct cc_runtime *rt, char *const *refs, const char *format, const char *tar_path,
		     struct cc_error **err)
{
	if (!refs || !refs[0])
		return reject(rt, "image.save", NULL, err, "at least one image is required");
	NEED("image.save", refs[0], "archive", tar_path);
	RT_CALL(rt, "image.save", refs[0], image_save, refs, format, tar_path, err);
}

int cc_rt_network_list(struct cc_runtime *rt, struct cc_network **out, size_t *n, struct cc_error **err)
{
	RT_CALL(rt, "network.list", NULL, network_list, out, n, err);
}

int cc_rt_network_inspect(struct cc_runtime *rt, const char *name, struct cc_network *out,
			  struct cc_error **err)
{
	NEED("network.inspect", name, "network", name);
	RT_CALL(rt, "network.inspect", name, network_inspect, name, out, err);
}

int cc_rt_network_create(struct cc_runtime *rt, const struct cc_network_config *cfg, char **id_out,
			 struct cc_error **err)
{
	if (!cfg)
		return reject(rt, "network.create", NULL, err, "a network configuration is required");
	NEED("network.create", cfg->name, "network name", cfg->name);
	/* the name becomes a store key, a file name and a label value in every backend */
	if (!cc_valid_object_name(cfg->name, 0))
		return reject(rt, "network.create", cfg->name, err,
			      "invalid network name \"%s\": use letters, digits, '_', '.' and '-'",
			      cfg->name);
	/* dockerd would make the network and ignore the pool: every backend refuses it here instead */
	if (!cfg->enable_ipv6 && (cfg->subnet6 || cfg->gateway6 || cfg->ip_range6))
		return reject(rt, "network.create", cfg->name, err,
			      "network %s: an IPv6 subnet needs enable_ipv6: true", cfg->name);
	RT_CALL(rt, "network.create", cfg->name, network_create, cfg, id_out, err);
}

int cc_rt_network_remove(struct cc_runtime *rt, const char *name, struct cc_error **err)
{
	NEED("network.remove", name, "network", name);
	RT_CALL(rt, "network.remove", name, network_remove, name, err);
}

int cc_rt_network_connect(struct cc_runtime *rt, const char *network, const char *container,
			  char *const *aliases, struct cc_error **err)
{
	NEED("network.connect", network, "network", network);
	NEED("network.connect", network, "container", container);
	RT_CALL(rt, "network.connect", network, network_connect, network, container, aliases, err);
}

int cc_rt_network_disconnect(struct cc_runtime *rt, const char *network, const char *container, bool force,
			     struct cc_error **err)
{
	NEED("network.disconnect", network, "network", network);
	NEED("network.disconnect", network, "container", container);
	RT_CALL(rt, "network.disconnect", network, network_disconnect, network, container, force, err);
}

int cc_rt_volume_list(struct cc_runtime *rt, struct cc_volume **out, size_t *n, struct cc_error **err)
{
	RT_CALL(rt, "volume.list", NULL, volume_list, out, n, err);
}

int cc_rt_volume_inspect(struct cc_runtime *rt, const char *name, struct cc_volume *out,
			 struct cc_error **err)
{
	NEED("volume.inspect", name, "volume", name);
	RT_CALL(rt, "volume.inspect", name, volume_inspect, name, out, err);
}

int cc_rt_volume_create(struct cc_runtime *rt, const struct cc_volume_config *cfg, struct cc_volume *out,
			struct cc_error **err)
{
	static const struct cc_volume_config anonymous;
	if (!cfg)
		cfg = &anonymous;
	if (cfg->name && !cc_valid_object_name(cfg->name, 0))
		return reject(rt, "volume.create", cfg->name, err,
			      "invalid volume name \"%s\": use letters, digits, '_', '.' and '-'", cfg->name);
	RT_CALL(rt, "volume.create", cfg->name, volume_create, cfg, out, err);
}

int cc_rt_volume_remove(struct cc_runtime *rt, const char *name, bool force, struct cc_error **err)
{
	NEED("volume.remove", name, "volume", name);
	RT_CALL(rt, "volume.remove", name, volume_remove, name, force, err);
}

int cc_rt_volume_prune(struct cc_runtime *rt, cc_strv *removed, struct cc_error **err)
{
	RT_CALL(rt, "volume.prune", NULL, volume_prune, removed, err);
}

static const char *secret_op(enum cc_secret_kind kind, const char *secret_op, const char *config_op)
{
	return kind == CC_CONFIG ? config_op : secret_op;
}

int cc_rt_secret_list(struct cc_runtime *rt, enum cc_secret_kind kind, struct cc_secret **out, size_t *n,
		      struct cc_error **err)
{
	RT_CALL(rt, secret_op(kind, "secret.list", "config.list"), NULL, secret_list, kind, out, n, err);
}

int cc_rt_secret_create(struct cc_runtime *rt, enum cc_secret_kind kind, const char *name, const void *value,
			size_t len, const struct cc_kvs *labels, struct cc_error **err)
{
	NEED(secret_op(kind, "secret.create", "config.create"), name, "name", name);
	if (!value && len)
		return reject(rt, secret_op(kind, "secret.create", "config.create"), name, err,
			      "a value is required");
	if (!cc_valid_object_name(name, 0))
		return reject(rt, secret_op(kind, "secret.create", "config.create"), name, err,
			      "invalid %s name \"%s\": use letters, digits, '_', '.' and '-'",
			      kind == CC_CONFIG ? "config" : "secret", name);
	RT_CALL(rt, secret_op(kind, "secret.create", "config.create"), name, secret_create, kind, name, value,
		len, labels, err);
}

int cc_rt_secret_update(struct cc_runtime *rt, enum cc_secret_kind kind, const char *name, const void *value,
			size_t len, struct cc_error **err)
{
	NEED(secret_op(kind, "secret.update", "config.update"), name, "name", name);
	if (!value && len)
		return reject(rt, secret_op(kind, "secret.update", "config.update"), name, err,
			      "a value is required");
	RT_CALL(rt, secret_op(kind, "secret.update", "config.update"), name, secret_update, kind, name, value,
		len, err);
}

int cc_rt_secret_remove(struct cc_runtime *rt, enum cc_secret_kind kind, const char *name,
			struct cc_error **err)
{
	NEED(secret_op(kind, "secret.remove", "config.remove"), name, "name", name);
	RT_CALL(rt, secret_op(kind, "secret.remove", "config.remove"), name, secret_remove, kind, name, err);
}

int cc_rt_name_conflict(const char *name, const char *other_id, struct cc_error **err)
{
	return cc_error_set(
	    err, CC_ERR_ALREADY_EXISTS,
	    "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to "
	    "remove (or rename) that container to be able to reuse that name.",
	    name, other_id ? other_id : "?");
}
