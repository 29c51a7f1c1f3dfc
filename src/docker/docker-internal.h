/* Shared within the docker backend: the instance, the spec/container mapping and the ops of each file. */
#ifndef CC_DOCKER_INTERNAL_H
#define CC_DOCKER_INTERNAL_H

#include "docker/client.h"
#include "store/store.h"
#include "runtime/runtime.h"

#define CC_DOCKER_BACKEND "docker"

struct docker {
	struct dk_client *c;
	char *root;             /* the state root: our secrets and configs (the engine keeps the rest) */
	pthread_mutex_t lock;   /* the store connection */
	struct cc_store *store; /* opened on first use (secrets.c) */
	char *values;           /* <root>/docker/secrets */
	char *files;            /* <root>/docker/files: containers' copies */
};

/* mapping.c */
json_t *dk_spec_to_json(const struct cc_container_spec *spec);
void dk_container_from_json(json_t *j, struct cc_container *out);
cc_strv dk_strv(json_t *arr); /* NULL for a non-array */
json_t *dk_json_strv(char *const *v);
/* Parse a log line's RFC 3339 stamp into *t_out (0 if none) and say whether it falls within since/until
 * (0: unbounded) */
bool dk_stamp_in_window(const char *stamp, int64_t since_ns, int64_t until_ns, int64_t *t_out);

/* containers.c */
int dk_container_list(void *self, const struct cc_container_filter *f, struct cc_container **out, size_t *n,
		      struct cc_error **err);
int dk_container_inspect(void *self, const char *ref, struct cc_container *out, struct cc_error **err);
int dk_container_create(void *self, const struct cc_container_spec *spec, char **id_out,
			struct cc_error **err);
int dk_container_start(void *self, const char *ref, struct cc_error **err);
int dk_container_stop(void *self, const char *ref, const char *signal, int64_t timeout_ns,
		      struct cc_error **err);
int dk_container_restart(void *self, const char *ref, int64_t timeout_ns, struct cc_error **err);
int dk_container_kill(void *self, const char *ref, const char *signal, struct cc_error **err);
int dk_container_pause(void *self, const char *ref, struct cc_error **err);
int dk_container_unpause(void *self, const char *ref, struct cc_error **err);
int dk_container_remove(void *self, const char *ref, bool force, bool volumes, struct cc_error **err);
int dk_container_wait(void *self, const char *ref, enum cc_wait_condition cond, int64_t timeout_ns,
		      int *exit_code, struct cc_error **err);
int dk_container_top(void *self, const char *ref, struct cc_top *out, struct cc_error **err);
int dk_container_stats(void *self, const char *ref, struct cc_stats *out, struct cc_error **err);

/* copy.c */
int dk_container_copy(void *self, const char *ref, const char *container_path, const char *host_path,
		      bool to_container, struct cc_error **err);

/* hijack.c: sessions over the engine's hijacked connections (attach, interactive exec). POST path (body:
 * NULL for none) asking for an upgrade; then, until the output ends, in_fd is sent as it comes and the output
 * goes to out(ctx). With a terminal (-1: none) the caller's goes raw and its size is sent to resize_path at
 * the start and on each change; without one, the end of in_fd half-closes the connection, which ends the
 * container's input. */
struct dk_session {
	const char *path;
	json_t *body;
	int in_fd;
	int terminal;
	const char *resize_path;
	int (*out)(void *ctx, const char *data, size_t len); /* <0 ends the session */
	void *ctx;
	int cancel; /* readable: the session ends (-1: none) */
};
int dk_hijack_run(struct dk_client *c, const struct dk_session *s, const char *what, struct cc_error **err);
int dk_container_attach(void *self, const char *ref, const struct cc_attach_io *io, struct cc_error **err);

/* secrets.c: secrets and configs in our own store, bind-mounted from copies under the root */
int dk_secret_list(void *self, enum cc_secret_kind kind, struct cc_secret **out, size_t *n,
		   struct cc_error **err);
int dk_secret_create(void *self, enum cc_secret_kind kind, const char *name, const void *value, size_t len,
		     const struct cc_kvs *labels, struct cc_error **err);
int dk_secret_update(void *self, enum cc_secret_kind kind, const char *name, const void *value, size_t len,
		     struct cc_error **err);
int dk_secret_remove(void *self, enum cc_secret_kind kind, const char *name, struct cc_error **err);
/* Copies of the spec's secrets and configs, their read-only mounts and our labels added to the create
 * body; *files_out the copies' directory (owned; NULL when the spec has none), for removal on failure. */
int dk_secret_files(struct docker *d, const struct cc_container_spec *spec, json_t *body, char **files_out,
		    struct cc_error **err);
void dk_secret_files_remove(struct docker *d, const char *files);
/* Whether any container has copies under the root (a cheap look, before asking the engine which). */
bool dk_secret_files_any(struct docker *d);
/* The copies' directory a container was created with, or NULL. */
const char *dk_secret_files_label(const struct cc_container *c);

/* streams.c */
int dk_container_logs(void *self, const char *ref, const struct cc_log_opts *opts,
		      const struct cc_log_sink *sink, struct cc_error **err);
int dk_container_exec(void *self, const char *ref, const struct cc_exec_opts *opts,
		      const struct cc_log_sink *sink, int *exit_code, struct cc_error **err);
int dk_events(void *self, const struct cc_event_filter *f, const struct cc_event_sink *sink,
	      struct cc_error **err);

/* objects.c (images) and networks.c (networks, volumes) */
int dk_image_list(void *self, struct cc_image **out, size_t *n, struct cc_error **err);
int dk_image_inspect(void *self, const char *ref, struct cc_image *out, struct cc_error **err);
int dk_image_pull(void *self, const char *ref, const char *platform, const struct cc_progress_sink *sink,
		  struct cc_error **err);
int dk_image_push(void *self, const char *ref, const struct cc_progress_sink *sink, struct cc_error **err);
int dk_image_build(void *self, const struct cc_build_opts *o, const struct cc_progress_sink *sink,
		   struct cc_error **err);
int dk_image_tag(void *self, const char *src, const char *dst, struct cc_error **err);
int dk_image_remove(void *self, const char *ref, bool force, struct cc_error **err);
int dk_image_load(void *self, const char *tar_path, cc_strv *loaded, struct cc_error **err);
int dk_image_save(void *self, char *const *refs, const char *format, const char *tar_path,
		  struct cc_error **err);
int dk_network_list(void *self, struct cc_network **out, size_t *n, struct cc_error **err);
int dk_network_inspect(void *self, const char *name, struct cc_network *out, struct cc_error **err);
int dk_network_create(void *self, const struct cc_network_config *cfg, char **id_out, struct cc_error **err);
int dk_network_remove(void *self, const char *name, struct cc_error **err);
int dk_network_connect(void *self, const char *network, const char *container, char *const *aliases,
		       struct cc_error **err);
int dk_network_disconnect(void *self, const char *network, const char *container, bool force,
			  struct cc_error **err);
int dk_volume_list(void *self, struct cc_volume **out, size_t *n, struct cc_error **err);
int dk_volume_inspect(void *self, const char *name, struct cc_volume *out, struct cc_error **err);
int dk_volume_create(void *self, const struct cc_volume_config *cfg, struct cc_volume *out,
		     struct cc_error **err);
int dk_volume_remove(void *self, const char *name, bool force, struct cc_error **err);
int dk_volume_prune(void *self, cc_strv *removed, struct cc_error **err);

#endif
