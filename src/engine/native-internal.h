/* The native backend's internals, shared by native.c (registration, system and image calls), containers.c
 * (the container lifecycle over the state store) and monitor.c (the per-container monitor process).
 *
 * A container's record lives in the state store (backend "native"); its files live in
 * <root>/containers/<id>/: config.json, rootfs/ (the overlay mount point), upper/, work/, hosts,
 * resolv.conf, hostname, log (one JSON object per output line), init (the running init's pid and start
 * time, initproc.h) and, once the process has ended, exit.
 *
 * The monitor is a forked process that owns one run of a container: it runs `runc run --detach`,
 * copies the container's output into the log file, reaps its init (it is the subreaper), runs `runc delete`,
 * unmounts the rootfs and writes the exit file. It never touches the state store: a forked child must not
 * open SQLite while it has inherited the parent's connection (store.h). Whoever reads the container next
 * records the exit from that file ("settling", as the mock does for its timelines), in the store
 * transaction, so the exit and its "die" event are recorded once. */
#ifndef CC_ENGINE_NATIVE_INTERNAL_H
#define CC_ENGINE_NATIVE_INTERNAL_H

#include "engine/dirwatch.h"
#include "engine/firewall.h"
#include "engine/ociruntime.h"
#include "engine/image/images.h"
#include "base/strmap.h"
#include "runtime/runtime.h"

#include <jansson.h>

#include <sys/types.h>

struct native {
	struct cc_store *store; /* guarded by images->lock */
	struct cc_images *images;
	char *root;
	/* container id -> its stored payload and decoded container, from the last listing; guarded by
	 * images->lock. Listing decodes only the records that changed since (containers.c). */
	struct cc_strmap decoded;
	struct native_watch_pool watches; /* dirwatch.h */
	char *oci_requested;              /* --oci-runtime; NULL: pick */
	char *cleanup_exe;                /* cc_runtime_config's; NULL: no auto_remove */
	pthread_mutex_t oci_lock;
	struct native_oci oci; /* the pick, once made (path NULL before) */
	struct native_fw fw;   /* firewall.h */
};

/* A store transaction under the backend's lock (the image store's recursive one): begin, then commit or
 * abort. */
int native_begin(struct native *n, struct cc_error **err);
/* A read transaction (cc_store_begin_read): no writer waits for it; ended like a write one. */
int native_begin_read(struct native *n, struct cc_error **err);
int native_commit(struct native *n, struct cc_error **err);
void native_abort(struct native *n);

/* <root>/containers/<id> (owned). */
char *native_container_dir(const struct native *n, const char *id);
/* The OCI runtime (ociruntime.h) new containers start under: the pick for the backend's --oci-runtime, made
 * once (an owned copy). */
int native_oci_default(struct native *n, struct native_oci *out, struct cc_error **err);
/* The runtime container `id` was started under, which its directory records (NATIVE_RUNTIME_FILE); runc (or
 * else the default) for one without a record: started before runtimes were recorded, or never started. */
int native_oci_of(struct native *n, const char *id, struct native_oci *out, struct cc_error **err);
int native_oci_record(struct native *n, const char *id, const struct native_oci *oci, struct cc_error **err);
/* The runtime's state directory, its --root: <root>/<name> (owned). */
char *native_oci_state(const struct native *n, const struct native_oci *oci);
/* Start argv with `<runtime> --root <state>`. */
void native_oci_argv(const struct native *n, const struct native_oci *oci, cc_strv *argv);
/* Run `<runtime> --root <state> ARGS...`, waiting for it. On failure, BACKEND_FAILURE with the runtime's
 * own message (its last stderr line, without logrus decoration), not "exit status 1". */
int native_oci_call(const struct native *n, const struct native_oci *oci, char *const *args,
		    struct cc_error **err);

#define NATIVE_RUNTIME_FILE "runtime"

/* fork + exec argv with the given stdio (everything else closed); the exit status as a shell reports it
 * (128+signal for a signal; -1 when it can't be had). */
pid_t native_spawn(char *const *argv, int in, int out, int errfd);
/* A terminal session (termrelay.c): a child that runs argv, the runtime's `exec --detach --tty
 * --console-socket <socket_name> --pid-file <pid_file>` (names relative to dir), in dir, and relays between
 * the pty master it hands over and `terminal`, whose size changes it passes on; its exit status is the
 * process's, or the runtime's when that failed. A terminal that is not the caller's controlling
 * one (the daemon's, for a client's session) becomes the child's: the child leads a session of its own on
 * it, so that the kernel tells it of size changes with SIGWINCH, as a shell tells its foreground job. */
pid_t native_exec_terminal(const char *dir, const char *socket_name, const char *pid_file, char *const *argv,
			   int terminal);
/* native_spawn in the working directory cwd. */
pid_t native_spawn_in(const char *cwd, char *const *argv, int in, int out, int errfd);
int native_wait_status(pid_t pid);

/* The container's log (records "<stream> <time_ns> <len>\n<data>\n"), rotated to NATIVE_LOG_FILE ".1" when it
 * would pass this size: at most two files' worth of a container's output stays on disk. */
#define NATIVE_LOG_FILE      "log"
#define NATIVE_LOG_MAX_BYTES ((off_t)10 * 1024 * 1024)

/* Files in the container directory by which the start, stop and pause calls cue its monitor: a stop or
 * kill ends the restart policy; a paused container is not health-checked. */
#define NATIVE_MARKER_STOPPING "stopping"
#define NATIVE_MARKER_PAUSED   "paused"

/* What a monitor needs for one run. */
struct native_run {
	const char *runc;          /* the OCI runtime's binary */
	const char *state;         /* its --root */
	const char *seccomp_store; /* NULL, or where to keep crun's compiled filter (seccomp_cache.h) */
	const char *dir;           /* the container directory (the bundle) */
	const char *id;            /* the container id */
	const struct cc_healthcheck *health; /* NULL or disabled: none */
	enum cc_restart_policy restart;
	int max_retries;   /* on-failure:N */
	int restart_count; /* restarts so far, counted toward max_retries */
	bool stdin_open;   /* its stdin is a pipe the monitor holds for attached clients (attach.h) */
	bool tty;          /* its stdio is a pty whose master the monitor holds */
	const struct native_proxy_port *proxies; /* its published ports on IPv6 (portproxy.h) */
	size_t nproxies;
	/* auto_remove: what the monitor becomes once the container has exited for good and its exit is
	 * recorded, with the monitor's lock released: the removal (cc_runtime_config's cleanup_exe, run as
	 * /proc/self/exe, so a program replaced on disk since is still the one that runs) */
	char *const *exit_command;
};
/* Fork a monitor for one run and wait until the container runs: 0 with the init's pid, or
 * BACKEND_FAILURE with runc's message (the monitor has then cleaned up and exited). */
int native_monitor_spawn(const struct native_run *run, int *pid, struct cc_error **err);
/* The monitor's life as a lock: it holds <dir>/monitor.lock (flock, exclusive) from its start to its end, so
 * a second monitor for the container cannot start (native_monitor_lock: the descriptor, or -1 when another
 * holds it after a second of trying), and a reader can tell a monitor that is gone, killed or lost with the
 * host (native_monitor_gone; false when there is no lock file: a monitor from before the lock). */
int native_monitor_lock(const char *dir);
bool native_monitor_gone(const char *dir);
/* The exit file the monitor leaves: the exit code (128+signal for a signal) and when it happened. 1 when
 * present, 0 when not (the run is going on), <0 on error. */
int native_exit_read(const char *dir, int *code, int64_t *finished_ns, struct cc_error **err);

struct native_proxy_port;
/* The IPv6 side of c's published ports, for its monitor's proxy (portproxy.h): how many, in *out (owned,
 * never NULL). */
size_t native_net_proxies(struct native *n, const struct cc_container *c, struct native_proxy_port **out);

/* The ops table's container parts (containers.c). */
int native_container_list(void *self, const struct cc_container_filter *f, struct cc_container **out,
			  size_t *n, struct cc_error **err);
/* Every container, settled (in the caller's transaction when there is one). */
int native_all_containers(struct native *n, struct cc_container **out, size_t *count, struct cc_error **err);
int native_container_inspect(void *self, const char *ref, struct cc_container *out, struct cc_error **err);
int native_container_create(void *self, const struct cc_container_spec *spec, char **id_out,
			    struct cc_error **err);
int native_container_start(void *self, const char *ref, struct cc_error **err);
int native_container_stop(void *self, const char *ref, const char *signal, int64_t timeout_ns,
			  struct cc_error **err);
int native_container_kill(void *self, const char *ref, const char *signal, struct cc_error **err);
int native_container_remove(void *self, const char *ref, bool force, bool volumes, struct cc_error **err);
int native_container_wait(void *self, const char *ref, enum cc_wait_condition cond, int64_t timeout_ns,
			  int *exit_code, struct cc_error **err);
int native_container_logs(void *self, const char *ref, const struct cc_log_opts *opts,
			  const struct cc_log_sink *sink, struct cc_error **err);
int native_container_pause(void *self, const char *ref, struct cc_error **err);
/* stop (when running or paused) then start; a "restart" event. */
int native_container_restart(void *self, const char *ref, int64_t timeout_ns, struct cc_error **err);
int native_container_unpause(void *self, const char *ref, struct cc_error **err);
/* exec.c: a command in a running container (runc exec), and its processes (runc ps). */
int native_container_exec(void *self, const char *ref, const struct cc_exec_opts *opts,
			  const struct cc_log_sink *sink, int *exit_code, struct cc_error **err);
int native_container_top(void *self, const char *ref, struct cc_top *out, struct cc_error **err);
/* The container's root filesystem at <dir>/rootfs (a mount a dead monitor left undone first): *rootfs (owned)
 * is the mount point. */
int native_mount_rootfs(struct native *n, const struct cc_image_record *rec, const char *dir, char **rootfs,
			struct cc_error **err);
/* cp.c: docker cp between the host and a container (running or not). */
int native_container_copy(void *self, const char *ref, const char *container_path, const char *host_path,
			  bool to_container, struct cc_error **err);
/* attach.c: the caller's stdio to a container created with stdin_open or tty. */
int native_container_attach(void *self, const char *ref, const struct cc_attach_io *io,
			    struct cc_error **err);
/* stats.c: CPU, memory, OOM kills, pids, block and network I/O from the cgroup and /proc. */
int native_container_stats(void *self, const char *ref, struct cc_stats *out, struct cc_error **err);
/* The container (settled) when it is running, else INVALID_STATE; *dir is its directory (owned). */
int native_running(void *self, const char *ref, struct cc_container *out, struct cc_error **err);

/* volumes.c: docker's local volume driver. */
int native_volume_list(void *self, struct cc_volume **out, size_t *n, struct cc_error **err);
int native_volume_inspect(void *self, const char *name, struct cc_volume *out, struct cc_error **err);
int native_volume_create(void *self, const struct cc_volume_config *cfg, struct cc_volume *out,
			 struct cc_error **err);
int native_volume_remove(void *self, const char *name, bool force, struct cc_error **err);
int native_volume_prune(void *self, cc_strv *removed, struct cc_error **err);
/* In the caller's transaction: the volume of a mount, created when missing (an anonymous one gets a name,
 * written into mt->source, and the anonymous label). */
int native_volume_ensure(struct native *n, struct cc_mount *mt, struct cc_error **err);
/* In the caller's transaction: remove the anonymous volumes of a removed container. */
int native_volume_remove_anonymous(struct native *n, const struct cc_container *c, struct cc_error **err);
/* Make a volume's data directory usable: a tmpfs volume is mounted on first use. */
int native_volume_activate(struct native *n, const char *name, struct cc_error **err);
/* In the caller's transaction, after a container's removal: tmpfs volumes no other container of `cs` uses are
 * unmounted (their data goes, as with docker's local driver). */
void native_volume_release_unused(struct native *n, const struct cc_container *removed,
				  const struct cc_container *cs, size_t ncs);
/* Where a volume's data lives on the host (owned); NULL when there is no such volume. */
char *native_volume_mountpoint(struct native *n, const char *name);
/* Check that `subpath` names a directory inside the volume at `mountpoint`, reached without a symbolic link
 * (a container could otherwise point it anywhere on the host). */
int native_volume_subpath(const char *mountpoint, const char *volume, const char *subpath,
			  struct cc_error **err);
/* Fill an empty volume with what the image has at `target` in `rootfs` (nothing when it has nothing). */
int native_volume_populate(const char *rootfs, const char *target, const char *mountpoint,
			   struct cc_error **err);

/* secrets.c: secrets and configs, their values kept under the root with mode 0600. */
int native_secret_list(void *self, enum cc_secret_kind kind, struct cc_secret **out, size_t *n,
		       struct cc_error **err);
int native_secret_create(void *self, enum cc_secret_kind kind, const char *name, const void *value,
			 size_t len, const struct cc_kvs *labels, struct cc_error **err);
int native_secret_update(void *self, enum cc_secret_kind kind, const char *name, const void *value,
			 size_t len, struct cc_error **err);
int native_secret_remove(void *self, enum cc_secret_kind kind, const char *name, struct cc_error **err);
/* The container's secrets and configs copied into <dir>/files with their owners and modes, and a read-only
 * bind mount of each appended to `mounts` (the bundle's). */
/* Every secret and config the spec names exists (NOT_FOUND naming the first that does not). */
/* Every network the container was created on still holds its endpoint (NOT_FOUND naming the first that
 * was removed): what start checks. */
int native_net_check(struct native *n, const struct cc_container *c, struct cc_error **err);
int native_secrets_exist(struct native *n, const struct cc_container_spec *spec, struct cc_error **err);
int native_secret_mounts(struct native *n, const struct cc_container *c, const char *dir, json_t *mounts,
			 struct cc_error **err);

/* A container's record as stored (not settled), and its record written back: in the caller's transaction. */
int native_container_load(struct native *n, const char *ref, struct cc_container *out, struct cc_error **err);
int native_container_save(struct native *n, const struct cc_container *c, struct cc_error **err);

/* networks.c: docker's bridge driver. */
int native_network_list(void *self, struct cc_network **out, size_t *n, struct cc_error **err);
int native_network_inspect(void *self, const char *name, struct cc_network *out, struct cc_error **err);
int native_network_create(void *self, const struct cc_network_config *cfg, char **id_out,
			  struct cc_error **err);
int native_network_remove(void *self, const char *name, struct cc_error **err);
int native_network_connect(void *self, const char *network, const char *container, char *const *aliases,
			   struct cc_error **err);
int native_network_disconnect(void *self, const char *network, const char *container, bool force,
			      struct cc_error **err);
/* <root>/netns/<id>: the network namespace of a container that has its own (owned). */
char *native_netns_path(const struct native *n, const char *id);
/* The container whose namespace `c` joins (network_mode container:NAME), or NULL. */
const char *native_net_joined(const struct cc_container *c);
/* In the caller's transaction, for a container being created: its endpoints (an address on each of its
 * networks) and its published ports (host ports checked free, ephemeral ones chosen). */
int native_net_plan(struct native *n, struct cc_container *c, struct cc_error **err);
/* The container's namespace and its interfaces (nothing for host or joined namespaces); undone on failure. */
int native_net_setup(struct native *n, const struct cc_container *c, struct cc_error **err);
/* Its interfaces and namespace removed. */
void native_net_teardown(struct native *n, const struct cc_container *c);
/* In the caller's transaction: the firewall table and the DNS server made to match the store. */
int native_net_sync(struct native *n, struct cc_error **err);
/* The gateways of the container's networks: its resolvers (aardvark-dns listens there). */
int native_net_nameservers(struct native *n, const struct cc_container *c, cc_strv *out,
			   struct cc_error **err);

/* build/builder.c: a Dockerfile build into the image store. */
int native_image_build(void *self, const struct cc_build_opts *opts, const struct cc_progress_sink *sink,
		       struct cc_error **err);

/* Record the exits of every container whose monitor has finished (the events stream's poll hook). */
int native_settle_all(void *self, struct cc_error **err);

#endif
