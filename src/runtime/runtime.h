/* THE runtime boundary: one vtable over everything an engine does, implemented by every backend (mock,
 * native, remote, docker, swarm). Nothing above this header knows which backend it talks to.
 *
 * Callers use the cc_rt_* functions, not the table: they check arguments, time each call and tell the
 * runtime's observers (the tracing and recording decorators, runtime.c), so instrumentation lives in one
 * place instead of in every backend. Every call follows the error contract (base/error.h) with typed kinds;
 * an operation a backend's engine cannot do answers CC_ERR_NOT_SUPPORTED naming the operation and backend.
 *
 * Streams (logs, events, exec output, pull/push/build progress) are sinks: the producer calls emit() for each
 * frame as soon as it exists; emit() returning <0 cancels the stream, and the call then returns 0 (a
 * cancelled stream is not an error). */
#ifndef CC_RUNTIME_RUNTIME_H
#define CC_RUNTIME_RUNTIME_H

#include <stdio.h>

#include "base/error.h"
#include "runtime/types.h"

/* alive (optional) is asked by following streams at every idle poll, so a consumer that has gone away ends
 * a stream that has nothing to emit: <0 cancels it like emit's <0. */
struct cc_log_sink {
	int (*emit)(void *ctx, const struct cc_log_frame *f);
	void *ctx;
	int (*alive)(void *ctx);
};
struct cc_event_sink {
	int (*emit)(void *ctx, const struct cc_event *e);
	void *ctx;
	int (*alive)(void *ctx);
};
struct cc_progress_sink {
	int (*emit)(void *ctx, const struct cc_progress *p);
	void *ctx;
};

enum cc_wait_condition {
	CC_WAIT_NOT_RUNNING = 0, /* returns at once when it is not running */
	CC_WAIT_NEXT_EXIT,
	CC_WAIT_REMOVED,
};

/* Backend implementations receive their own instance pointer `self`. Lists return owned arrays. */
struct cc_runtime_ops {
	/* system */
	int (*version)(void *self, struct cc_version *out, struct cc_error **err);
	int (*info)(void *self, struct cc_info *out, struct cc_error **err);
	/* containers; `ref` is an id, an unambiguous id prefix or a name */
	int (*container_list)(void *self, const struct cc_container_filter *f, struct cc_container **out,
			      size_t *n, struct cc_error **err);
	int (*container_inspect)(void *self, const char *ref, struct cc_container *out,
				 struct cc_error **err);
	int (*container_create)(void *self, const struct cc_container_spec *spec, char **id_out,
				struct cc_error **err);
	int (*container_start)(void *self, const char *ref, struct cc_error **err);
	/* signal NULL: the container's stop signal; timeout_ns <0: its grace period; then SIGKILL */
	int (*container_stop)(void *self, const char *ref, const char *signal, int64_t timeout_ns,
			      struct cc_error **err);
	int (*container_restart)(void *self, const char *ref, int64_t timeout_ns, struct cc_error **err);
	int (*container_kill)(void *self, const char *ref, const char *signal, struct cc_error **err);
	int (*container_pause)(void *self, const char *ref, struct cc_error **err);
	int (*container_unpause)(void *self, const char *ref, struct cc_error **err);
	int (*container_remove)(void *self, const char *ref, bool force, bool volumes, struct cc_error **err);
	/* timeout_ns <0: no timeout (CC_ERR_TIMEOUT otherwise) */
	int (*container_wait)(void *self, const char *ref, enum cc_wait_condition cond, int64_t timeout_ns,
			      int *exit_code, struct cc_error **err);
	int (*container_logs)(void *self, const char *ref, const struct cc_log_opts *opts,
			      const struct cc_log_sink *sink, struct cc_error **err);
	int (*container_exec)(void *self, const char *ref, const struct cc_exec_opts *opts,
			      const struct cc_log_sink *sink, int *exit_code, struct cc_error **err);
	int (*container_top)(void *self, const char *ref, struct cc_top *out, struct cc_error **err);
	/* Connect the caller's stdio to a running container's (created with stdin_open and/or tty) until its
	 * output ends: what `run -i`/`run -it` and `attach` do. */
	int (*container_attach)(void *self, const char *ref, const struct cc_attach_io *io,
				struct cc_error **err);
	int (*container_stats)(void *self, const char *ref, struct cc_stats *out, struct cc_error **err);
	/* copy: host_path <-> container path; to_container picks the direction */
	int (*container_copy)(void *self, const char *ref, const char *container_path, const char *host_path,
			      bool to_container, struct cc_error **err);
	int (*events)(void *self, const struct cc_event_filter *f, const struct cc_event_sink *sink,
		      struct cc_error **err);
	/* images */
	int (*image_list)(void *self, struct cc_image **out, size_t *n, struct cc_error **err);
	int (*image_inspect)(void *self, const char *ref, struct cc_image *out, struct cc_error **err);
	int (*image_pull)(void *self, const char *ref, const char *platform,
			  const struct cc_progress_sink *sink, struct cc_error **err);
	int (*image_push)(void *self, const char *ref, const struct cc_progress_sink *sink,
			  struct cc_error **err);
	int (*image_build)(void *self, const struct cc_build_opts *opts, const struct cc_progress_sink *sink,
			   struct cc_error **err);
	int (*image_tag)(void *self, const char *src, const char *dst, struct cc_error **err);
	int (*image_remove)(void *self, const char *ref, bool force, struct cc_error **err);
	int (*image_load)(void *self, const char *tar_path, cc_strv *loaded, struct cc_error **err);
	/* format: "oci" or "docker-archive" */
	int (*image_save)(void *self, char *const *refs, const char *format, const char *tar_path,
			  struct cc_error **err);
	/* networks */
	int (*network_list)(void *self, struct cc_network **out, size_t *n, struct cc_error **err);
	int (*network_inspect)(void *self, const char *name, struct cc_network *out, struct cc_error **err);
	int (*network_create)(void *self, const struct cc_network_config *cfg, char **id_out,
			      struct cc_error **err);
	int (*network_remove)(void *self, const char *name, struct cc_error **err);
	int (*network_connect)(void *self, const char *network, const char *container, char *const *aliases,
			       struct cc_error **err);
	int (*network_disconnect)(void *self, const char *network, const char *container, bool force,
				  struct cc_error **err);
	/* volumes */
	int (*volume_list)(void *self, struct cc_volume **out, size_t *n, struct cc_error **err);
	int (*volume_inspect)(void *self, const char *name, struct cc_volume *out, struct cc_error **err);
	int (*volume_create)(void *self, const struct cc_volume_config *cfg, struct cc_volume *out,
			     struct cc_error **err);
	int (*volume_remove)(void *self, const char *name, bool force, struct cc_error **err);
	int (*volume_prune)(void *self, cc_strv *removed, struct cc_error **err);
	/* secrets and configs */
	int (*secret_list)(void *self, enum cc_secret_kind kind, struct cc_secret **out, size_t *n,
			   struct cc_error **err);
	int (*secret_create)(void *self, enum cc_secret_kind kind, const char *name, const void *value,
			     size_t len, const struct cc_kvs *labels, struct cc_error **err);
	int (*secret_remove)(void *self, enum cc_secret_kind kind, const char *name, struct cc_error **err);
	/* a new value for an existing one (labels kept): containers started after it see it, running ones
	 * keep the copy they started with */
	int (*secret_update)(void *self, enum cc_secret_kind kind, const char *name, const void *value,
			     size_t len, struct cc_error **err);
	void (*close)(void *self);
};

/* A daemon the remote backend talks to: unix:///path, tcp://host:port or tls://host:port. */
struct cc_remote_target {
	const char *url;
	const char *cacert, *cert, *key; /* PEM files for tls:// */
	const char *token;               /* "cc_v1_..." */
};

/* Where a runtime keeps its state, and how it reports. */
struct cc_runtime_config {
	const char *root; /* state root; required */
	FILE *trace;      /* non-NULL: the tracing decorator logs every call there (--debug) */
	/* the remote backend's daemon; NULL or no url: CONTAINER_COMPOSE_HOST and CONTAINER_COMPOSE_TOKEN */
	const struct cc_remote_target *remote;
	/* the docker backend's engine (--docker-host); NULL: DOCKER_HOST */
	const char *docker_host;
	/* the native backend's OCI runtime: a name or a path (--oci-runtime); NULL: crun where it works, else
	 * runc */
	const char *oci_runtime;
	/* the native backend's exit command for containers it removes when they exit (auto_remove): this
	 * program, run as `EXE --root ROOT --backend native internal-cleanup ID` by the container's monitor,
	 * as podman's conmon runs `podman container cleanup --rm`; NULL: auto_remove is NOT_SUPPORTED */
	const char *cleanup_exe;
};

/* An observer sees every call after it returns: its operation name ("container.start"), its main argument,
 * the result and how long it took. */
struct cc_runtime_observer {
	void (*call)(void *ctx, const char *op, const char *target, int rc, const struct cc_error *err,
		     int64_t duration_ns);
	void *ctx;
};

struct cc_runtime;

/* The backend registry. name NULL: CONTAINER_COMPOSE_BACKEND is the caller's business; the default backend.
 */
int cc_runtime_open(const char *name, const struct cc_runtime_config *cfg, struct cc_runtime **out,
		    struct cc_error **err);
void cc_runtime_close(struct cc_runtime *rt);
const char *cc_runtime_name(const struct cc_runtime *rt);
const char *cc_runtime_default_backend(void);
/* The registered backend names, NULL-terminated. */
const char *const *cc_runtime_backends(void);
/* Wrap an engine instance (backends' open functions use this). */
struct cc_runtime *cc_runtime_new(const char *name, const struct cc_runtime_ops *ops, void *self);
void cc_runtime_add_observer(struct cc_runtime *rt, const struct cc_runtime_observer *obs);

/* The recording decorator: remembers every call as "op target rc" lines, for tests. */
struct cc_call_log;
struct cc_call_log *cc_runtime_record(struct cc_runtime *rt);
size_t cc_call_log_count(const struct cc_call_log *log);
/* "container.start web-1 ok", or with the error kind's name: "container.start web-1 INVALID_STATE" */
const char *cc_call_log_entry(const struct cc_call_log *log, size_t i);
/* The index of the first entry at or after `from` that starts with `prefix`, or -1. */
long cc_call_log_find(const struct cc_call_log *log, size_t from, const char *prefix);

/* The calls. Arguments are as in the table above. */
int cc_rt_version(struct cc_runtime *rt, struct cc_version *out, struct cc_error **err);
int cc_rt_info(struct cc_runtime *rt, struct cc_info *out, struct cc_error **err);
int cc_rt_container_list(struct cc_runtime *rt, const struct cc_container_filter *f,
			 struct cc_container **out, size_t *n, struct cc_error **err);
int cc_rt_container_inspect(struct cc_runtime *rt, const char *ref, struct cc_container *out,
			    struct cc_error **err);
int cc_rt_container_create(struct cc_runtime *rt, const struct cc_container_spec *spec, char **id_out,
			   struct cc_error **err);
int cc_rt_container_start(struct cc_runtime *rt, const char *ref, struct cc_error **err);
int cc_rt_container_stop(struct cc_runtime *rt, const char *ref, const char *signal, int64_t timeout_ns,
			 struct cc_error **err);
int cc_rt_container_restart(struct cc_runtime *rt, const char *ref, int64_t timeout_ns,
			    struct cc_error **err);
int cc_rt_container_kill(struct cc_runtime *rt, const char *ref, const char *signal, struct cc_error **err);
int cc_rt_container_pause(struct cc_runtime *rt, const char *ref, struct cc_error **err);
int cc_rt_container_unpause(struct cc_runtime *rt, const char *ref, struct cc_error **err);
int cc_rt_container_remove(struct cc_runtime *rt, const char *ref, bool force, bool volumes,
			   struct cc_error **err);
int cc_rt_container_wait(struct cc_runtime *rt, const char *ref, enum cc_wait_condition cond,
			 int64_t timeout_ns, int *exit_code, struct cc_error **err);
int cc_rt_container_logs(struct cc_runtime *rt, const char *ref, const struct cc_log_opts *opts,
			 const struct cc_log_sink *sink, struct cc_error **err);
int cc_rt_container_exec(struct cc_runtime *rt, const char *ref, const struct cc_exec_opts *opts,
			 const struct cc_log_sink *sink, int *exit_code, struct cc_error **err);
int cc_rt_container_top(struct cc_runtime *rt, const char *ref, struct cc_top *out, struct cc_error **err);
int cc_rt_container_attach(struct cc_runtime *rt, const char *ref, const struct cc_attach_io *io,
			   struct cc_error **err);
int cc_rt_container_stats(struct cc_runtime *rt, const char *ref, struct cc_stats *out,
			  struct cc_error **err);
int cc_rt_container_copy(struct cc_runtime *rt, const char *ref, const char *container_path,
			 const char *host_path, bool to_container, struct cc_error **err);
int cc_rt_events(struct cc_runtime *rt, const struct cc_event_filter *f, const struct cc_event_sink *sink,
		 struct cc_error **err);
int cc_rt_image_list(struct cc_runtime *rt, struct cc_image **out, size_t *n, struct cc_error **err);
int cc_rt_image_inspect(struct cc_runtime *rt, const char *ref, struct cc_image *out, struct cc_error **err);
int cc_rt_image_pull(struct cc_runtime *rt, const char *ref, const char *platform,
		     const struct cc_progress_sink *sink, struct cc_error **err);
int cc_rt_image_push(struct cc_runtime *rt, const char *ref, const struct cc_progress_sink *sink,
		     struct cc_error **err);
int cc_rt_image_build(struct cc_runtime *rt, const struct cc_build_opts *opts,
		      const struct cc_progress_sink *sink, struct cc_error **err);
int cc_rt_image_tag(struct cc_runtime *rt, const char *src, const char *dst, struct cc_error **err);
int cc_rt_image_remove(struct cc_runtime *rt, const char *ref, bool force, struct cc_error **err);
int cc_rt_image_load(struct cc_runtime *rt, const char *tar_path, cc_strv *loaded, struct cc_error **err);
int cc_rt_image_save(struct cc_runtime *rt, char *const *refs, const char *format, const char *tar_path,
		     struct cc_error **err);
int cc_rt_network_list(struct cc_runtime *rt, struct cc_network **out, size_t *n, struct cc_error **err);
int cc_rt_network_inspect(struct cc_runtime *rt, const char *name, struct cc_network *out,
			  struct cc_error **err);
int cc_rt_network_create(struct cc_runtime *rt, const struct cc_network_config *cfg, char **id_out,
			 struct cc_error **err);
int cc_rt_network_remove(struct cc_runtime *rt, const char *name, struct cc_error **err);
int cc_rt_network_connect(struct cc_runtime *rt, const char *network, const char *container,
			  char *const *aliases, struct cc_error **err);
int cc_rt_network_disconnect(struct cc_runtime *rt, const char *network, const char *container, bool force,
			     struct cc_error **err);
int cc_rt_volume_list(struct cc_runtime *rt, struct cc_volume **out, size_t *n, struct cc_error **err);
int cc_rt_volume_inspect(struct cc_runtime *rt, const char *name, struct cc_volume *out,
			 struct cc_error **err);
int cc_rt_volume_create(struct cc_runtime *rt, const struct cc_volume_config *cfg, struct cc_volume *out,
			struct cc_error **err);
int cc_rt_volume_remove(struct cc_runtime *rt, const char *name, bool force, struct cc_error **err);
int cc_rt_volume_prune(struct cc_runtime *rt, cc_strv *removed, struct cc_error **err);
int cc_rt_secret_list(struct cc_runtime *rt, enum cc_secret_kind kind, struct cc_secret **out, size_t *n,
		      struct cc_error **err);
int cc_rt_secret_create(struct cc_runtime *rt, enum cc_secret_kind kind, const char *name, const void *value,
			size_t len, const struct cc_kvs *labels, struct cc_error **err);
int cc_rt_secret_remove(struct cc_runtime *rt, enum cc_secret_kind kind, const char *name,
			struct cc_error **err);
/* NOT_FOUND when there is no such secret or config. */
int cc_rt_secret_update(struct cc_runtime *rt, enum cc_secret_kind kind, const char *name, const void *value,
			size_t len, struct cc_error **err);

/* Does the event pass the filter (type, container name or id prefix, project, labels, since/until)? The rule
 * every backend's event stream applies, for consumers that filter a stream themselves. */
bool cc_event_matches(const struct cc_event *e, const struct cc_event_filter *f);

/* docker's ALREADY_EXISTS for a container name in use, shared by the backends that check names themselves. */
int cc_rt_name_conflict(const char *name, const char *other_id, struct cc_error **err);

/* Signal names and numbers: "SIGTERM", "TERM", "15" -> 15; -1 when unknown. */
int cc_signal_parse(const char *s);
const char *cc_signal_name(int sig); /* "SIGTERM"; NULL when unknown */

#endif
