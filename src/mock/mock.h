/* The mock backend's internals. It keeps every object in the state store, so separate CLI processes see the
 * same containers, and it simulates processes instead of running them: a container's command is evaluated
 * (sim.c) into a timeline (output lines, an exit at a time, or "runs until stopped"), and the container's
 * state is brought up to date from that timeline whenever anything reads it ("settling", containers.c).
 * No background process is needed, and every transition is recorded as an event at the time it happened. */
#ifndef CC_MOCK_MOCK_H
#define CC_MOCK_MOCK_H

#include <pthread.h>

#include "runtime/runtime.h"
#include "store/store.h"

#define MOCK_BACKEND "mock"

struct mock {
	pthread_mutex_t lock; /* recursive; one store connection, shared by the caller's threads */
	struct cc_store *store;
	char *root;
};

/* What a simulated command does. */
struct sim_line {
	int64_t offset_ns; /* after the start */
	char *text;
};
struct sim_program {
	bool exits;          /* false: runs until stopped */
	int64_t duration_ns; /* when it exits, after the start */
	int exit_code;
	struct sim_line *lines;
	size_t nlines;
};
/* Evaluate argv (entrypoint + command). Unknown programs run until stopped. */
void sim_evaluate(char *const *argv, struct sim_program *out);
/* Whether the simulator knows argv (exec and healthchecks refuse what it cannot represent). */
bool sim_known(char *const *argv);
void sim_program_release(struct sim_program *p);
/* The argv a container runs: entrypoint + cmd (an empty vector when the image's default would run). */
cc_strv sim_container_argv(const struct cc_container_spec *spec);

/* The mock's private bookkeeping, kept next to the container in its store payload. */
struct sim_state {
	int64_t t0_ns;         /* timeline origin of the current run (shifted by pauses) */
	int64_t paused_ns;     /* when it was paused */
	int64_t next_start_ns; /* when a restarting container runs again */
	size_t lines_emitted;  /* of the current run's output */
	bool manual_stop;      /* stopped by the user: restart policies don't apply */
	int64_t seq;           /* creation number, for addresses */
};

struct mock_container {
	struct cc_container c;
	struct sim_state sim;
};
void mock_container_release(struct mock_container *mc);

/* A stored payload back into a container and the mock's bookkeeping. Pure: safe on any thread. */
int mock_decode(const char *payload, struct mock_container *out, struct cc_error **err);
/* Store access, inside the caller's transaction. */
int mock_load(struct mock *m, const char *ref, struct mock_container *out, struct cc_error **err);
int mock_save(struct mock *m, const struct mock_container *mc, struct cc_error **err);
/* Bring a container's state up to now, writing transitions, events and output. Sets *changed. */
int mock_settle(struct mock *m, struct mock_container *mc, int64_t now, bool *changed, struct cc_error **err);
/* A run begins at time t (start, or a policy restart) / ends at t with an exit code (restart policies may
 * schedule the next run). Both record their events. */
int mock_begin_run(struct mock *m, struct mock_container *mc, int64_t t, struct cc_error **err);
int mock_end_run(struct mock *m, struct mock_container *mc, int64_t t, int code, struct cc_error **err);
/* An auto-removed container (spec.auto_remove) that has exited is removed, in the caller's transaction, when
 * it is next looked at: 1 when it was (the caller then answers as for a container that is gone), 0 when it
 * stays. */
int mock_reap(struct mock *m, struct mock_container *mc, int64_t now, struct cc_error **err);
/* Load, settle and save one container in its own transaction. */
int mock_settled(struct mock *m, const char *ref, struct mock_container *out, struct cc_error **err);
/* Settle every container (one transaction). */
int mock_settle_all(struct mock *m, struct cc_error **err);

/* Events: container events carry the image, the name and the container's labels. */
int mock_event(struct mock *m, int64_t time_ns, const char *type, const char *action, const char *id,
	       const char *name, const struct cc_kvs *attrs, struct cc_error **err);
int mock_container_event(struct mock *m, const struct mock_container *mc, int64_t time_ns, const char *action,
			 const char *extra_key, const char *extra_value, struct cc_error **err);

/* Locking and transactions around one operation. */
int mock_begin(struct mock *m, struct cc_error **err);
int mock_commit(struct mock *m, struct cc_error **err);
void mock_abort(struct mock *m);

/* The ops table's parts. */
int mock_container_list(void *self, const struct cc_container_filter *f, struct cc_container **out, size_t *n,
			struct cc_error **err);
int mock_container_inspect(void *self, const char *ref, struct cc_container *out, struct cc_error **err);
int mock_container_create(void *self, const struct cc_container_spec *spec, char **id_out,
			  struct cc_error **err);
int mock_container_start(void *self, const char *ref, struct cc_error **err);
int mock_container_stop(void *self, const char *ref, const char *signal, int64_t timeout_ns,
			struct cc_error **err);
int mock_container_restart(void *self, const char *ref, int64_t timeout_ns, struct cc_error **err);
int mock_container_kill(void *self, const char *ref, const char *signal, struct cc_error **err);
int mock_container_pause(void *self, const char *ref, struct cc_error **err);
int mock_container_unpause(void *self, const char *ref, struct cc_error **err);
int mock_container_remove(void *self, const char *ref, bool force, bool volumes, struct cc_error **err);
int mock_container_wait(void *self, const char *ref, enum cc_wait_condition cond, int64_t timeout_ns,
			int *exit_code, struct cc_error **err);
int mock_container_logs(void *self, const char *ref, const struct cc_log_opts *opts,
			const struct cc_log_sink *sink, struct cc_error **err);
int mock_container_exec(void *self, const char *ref, const struct cc_exec_opts *opts,
			const struct cc_log_sink *sink, int *exit_code, struct cc_error **err);
int mock_container_top(void *self, const char *ref, struct cc_top *out, struct cc_error **err);
int mock_container_stats(void *self, const char *ref, struct cc_stats *out, struct cc_error **err);
int mock_events(void *self, const struct cc_event_filter *f, const struct cc_event_sink *sink,
		struct cc_error **err);

int mock_image_list(void *self, struct cc_image **out, size_t *n, struct cc_error **err);
int mock_image_inspect(void *self, const char *ref, struct cc_image *out, struct cc_error **err);
int mock_image_pull(void *self, const char *ref, const char *platform, const struct cc_progress_sink *sink,
		    struct cc_error **err);
int mock_image_tag(void *self, const char *src, const char *dst, struct cc_error **err);
int mock_image_remove(void *self, const char *ref, bool force, struct cc_error **err);

int mock_network_list(void *self, struct cc_network **out, size_t *n, struct cc_error **err);
int mock_network_inspect(void *self, const char *name, struct cc_network *out, struct cc_error **err);
int mock_network_create(void *self, const struct cc_network_config *cfg, char **id_out,
			struct cc_error **err);
int mock_network_remove(void *self, const char *name, struct cc_error **err);
int mock_network_connect(void *self, const char *network, const char *container, char *const *aliases,
			 struct cc_error **err);
int mock_network_disconnect(void *self, const char *network, const char *container, bool force,
			    struct cc_error **err);
/* The address a new endpoint gets on a network: `wanted` if it is free and in the subnet, else the next free
 * one (inside the caller's transaction; it records the allocation). */
char *mock_network_address(struct mock *m, const char *network, const char *wanted, struct cc_error **err);
/* The IPv6 address of a new endpoint on a dual-stack network (wanted, or the lowest free one); *out NULL on a
 * network without IPv6, where a wanted address is refused. */
int mock_network_address6(struct mock *m, const char *network, const char *wanted, char **out,
			  struct cc_error **err);

int mock_volume_list(void *self, struct cc_volume **out, size_t *n, struct cc_error **err);
int mock_volume_inspect(void *self, const char *name, struct cc_volume *out, struct cc_error **err);
int mock_volume_create(void *self, const struct cc_volume_config *cfg, struct cc_volume *out,
		       struct cc_error **err);
int mock_volume_remove(void *self, const char *name, bool force, struct cc_error **err);
int mock_volume_prune(void *self, cc_strv *removed, struct cc_error **err);
/* Create a volume inside the caller's transaction unless it exists (containers create theirs on use). */
int mock_volume_ensure(struct mock *m, const char *name, const struct cc_kvs *labels, struct cc_error **err);

int mock_secret_list(void *self, enum cc_secret_kind kind, struct cc_secret **out, size_t *n,
		     struct cc_error **err);
int mock_secret_create(void *self, enum cc_secret_kind kind, const char *name, const void *value, size_t len,
		       const struct cc_kvs *labels, struct cc_error **err);
int mock_secret_update(void *self, enum cc_secret_kind kind, const char *name, const void *value, size_t len,
		       struct cc_error **err);
int mock_secret_remove(void *self, enum cc_secret_kind kind, const char *name, struct cc_error **err);

/* A new random 64-hex-digit id. */
void mock_new_id(char out[65]);

#endif
