/* The data that crosses the runtime boundary: container specs and views, images, networks, volumes,
 * secrets, events, log frames, stats. Plain owned structs; every type has one *_release/free function here
 * (types.c) and one JSON codec (codec.h), so the store, the daemon and the remote backend share one shape. */
#ifndef CC_RUNTIME_TYPES_H
#define CC_RUNTIME_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A NULL-terminated vector of owned strings. */
typedef char **cc_strv;
size_t cc_strv_len(char *const *v);
void cc_strv_push(cc_strv *v, const char *s);
cc_strv cc_strv_copy(char *const *v);
/* Does v hold s? (s NULL: no) */
bool cc_strv_contains(char *const *v, const char *s);
void cc_strv_free(cc_strv v);

/* Secrets and configs share their operations; this says which one is meant. */
enum cc_secret_kind { CC_SECRET = 0, CC_CONFIG };

/* An ordered list of owned key/value pairs (labels, sysctls, driver options). */
struct cc_kv {
	char *key;
	char *value;
};
struct cc_kvs {
	struct cc_kv *items;
	size_t n;
};
void cc_kvs_set(struct cc_kvs *kvs, const char *key, const char *value);
const char *cc_kvs_get(const struct cc_kvs *kvs, const char *key);
void cc_kvs_copy(struct cc_kvs *dst, const struct cc_kvs *src);
void cc_kvs_release(struct cc_kvs *kvs);

enum cc_container_state {
	CC_STATE_CREATED = 0,
	CC_STATE_RUNNING,
	CC_STATE_PAUSED,
	CC_STATE_RESTARTING,
	CC_STATE_REMOVING,
	CC_STATE_EXITED,
	CC_STATE_DEAD,
	CC_STATE_COUNT_,
};
/* docker's words: "created", "running", "paused", "restarting", "removing", "exited", "dead". */
const char *cc_state_name(enum cc_container_state s);
/* Up, as docker ps without -a counts it: running, paused or restarting. */
bool cc_state_is_up(enum cc_container_state s);
int cc_state_parse(const char *s); /* -1 when unknown */

enum cc_health_status {
	CC_HEALTH_NONE = 0, /* no healthcheck */
	CC_HEALTH_STARTING,
	CC_HEALTH_HEALTHY,
	CC_HEALTH_UNHEALTHY,
};
const char *cc_health_name(enum cc_health_status h); /* "", "starting", "healthy", "unhealthy" */
int cc_health_parse(const char *s);

enum cc_restart_policy {
	CC_RESTART_NO = 0,
	CC_RESTART_ALWAYS,
	CC_RESTART_ON_FAILURE,
	CC_RESTART_UNLESS_STOPPED,
};
const char *cc_restart_name(enum cc_restart_policy p);
int cc_restart_parse(const char *s);

struct cc_healthcheck {
	cc_strv test; /* test[0] is "CMD", "CMD-SHELL" or "NONE" */
	int64_t interval_ns, timeout_ns, start_period_ns, start_interval_ns; /* 0: the engine's default */
	int retries;                                                         /* 0: the engine's default (3) */
};

struct cc_port_binding {
	char *host_ip;                     /* NULL: all addresses */
	uint16_t host_port, host_port_end; /* 0: ephemeral; end 0: a single port */
	uint16_t container_port;
	char protocol[8]; /* "tcp", "udp", "sctp" */
};

enum cc_mount_type { CC_MOUNT_BIND = 0, CC_MOUNT_VOLUME, CC_MOUNT_TMPFS };
struct cc_mount {
	enum cc_mount_type type;
	char *source; /* host path, volume name (NULL: anonymous volume), unused for tmpfs */
	char *target;
	bool read_only;
	bool create_host_path; /* bind: create a missing source directory */
	bool nocopy;           /* volume: don't pre-populate from the image */
	char *subpath;         /* volume: mount this directory of the volume (relative); NULL: all of it */
	int64_t tmpfs_size;    /* bytes; 0: unlimited */
	int64_t tmpfs_mode;    /* permission bits of the tmpfs root; 0: the default (1777) */
};

struct cc_endpoint {
	char *network; /* the engine-level network name */
	cc_strv aliases;
	char *ipv4_address; /* requested or, in a view, assigned; NULL when none */
	char *ipv6_address; /* the same, on a network with enable_ipv6 */
	char *mac_address;
};
void cc_endpoint_release(struct cc_endpoint *e);

/* A secret or config made available in the container's filesystem. */
struct cc_file_ref {
	char *source; /* the engine-level secret/config name */
	char *target; /* absolute path in the container */
	char *uid, *gid;
	uint32_t mode; /* 0: 0444 */
};

struct cc_ulimit {
	char *name;
	int64_t soft, hard;
};

/* What a container is created from. Everything optional is NULL/0/empty when unset. */
struct cc_container_spec {
	char *name; /* required by the orchestrator; backends generate one when NULL */
	char *image;
	char *platform;
	cc_strv entrypoint; /* with has_entrypoint: [] clears the image's */
	bool has_entrypoint;
	cc_strv cmd;
	bool has_cmd;
	cc_strv env; /* "KEY=VALUE" */
	struct cc_kvs labels;
	char *working_dir, *user, *hostname, *domainname;
	bool tty, stdin_open, init, privileged, read_only;
	enum cc_restart_policy restart;
	int restart_max_retries;
	char *stop_signal;                  /* NULL: SIGTERM */
	int64_t stop_grace_ns;              /* <0: the default (10 s) */
	struct cc_healthcheck *healthcheck; /* NULL: the image's; test ["NONE"]: disabled */
	struct cc_port_binding *ports;
	size_t nports;
	struct cc_mount *mounts;
	size_t nmounts;
	struct cc_endpoint *networks;
	size_t nnetworks;
	char *network_mode; /* NULL: bridge networks above; "none", "host", "container:<id>" */
	struct cc_file_ref *secrets;
	size_t nsecrets;
	struct cc_file_ref *configs;
	size_t nconfigs;
	cc_strv cap_add, cap_drop, extra_hosts, dns, dns_search, dns_opt, group_add, security_opt, devices,
	    tmpfs;
	cc_strv links; /* "CONTAINER:ALIAS": another container this one reaches by an extra name */
	struct cc_kvs sysctls;
	struct cc_ulimit *ulimits;
	size_t nulimits;
	int64_t nano_cpus, memory, memory_reservation, memswap, pids_limit, shm_size, cpu_shares;
	int64_t cpu_period, cpu_quota; /* microseconds; 0: unset (cpus gives both) */
	char *cpuset;                  /* CPUs the container may run on ("0-1", "0,2"); NULL: any */
	int oom_score_adj;             /* 0: unset */
	char *pid_mode, *ipc_mode;
	char *uts_mode;   /* NULL: its own UTS namespace; "host": the host's */
	bool auto_remove; /* removed by the engine once it exits for good (run -d --rm); no restart policy */
};
void cc_container_spec_release(struct cc_container_spec *spec);
/* A healthcheck copied (NULL for NULL), and freed. */
struct cc_healthcheck *cc_healthcheck_copy(const struct cc_healthcheck *src);
void cc_healthcheck_free(struct cc_healthcheck *h);
void cc_container_spec_copy(struct cc_container_spec *dst, const struct cc_container_spec *src);

/* A container as the backend sees it now (inspect and list return this). */
/* One healthcheck probe's result, as docker keeps the last ones (CC_HEALTH_LOG_MAX). */
#define CC_HEALTH_LOG_MAX    5
#define CC_HEALTH_OUTPUT_MAX 4096
struct cc_health_result {
	int64_t start_ns, end_ns; /* wall clock */
	int exit_code;            /* the test's; -1: killed at its timeout */
	char *output;             /* what it printed, at most CC_HEALTH_OUTPUT_MAX bytes */
};
void cc_health_results_free(struct cc_health_result *v, size_t n);

struct cc_container {
	char *id;                      /* 64 hex digits */
	char *name;                    /* without a leading '/' */
	struct cc_container_spec spec; /* the configuration it was created with (incl. labels) */
	char *image_id;                /* NULL when the backend has no image store */
	enum cc_container_state state;
	int exit_code;
	bool oom_killed;
	int pid;                                     /* 0 when not running */
	int64_t created_ns, started_ns, finished_ns; /* wall clock, ns since the epoch; 0: never */
	enum cc_health_status health;
	int failing_streak;
	struct cc_health_result *health_log; /* the last probes, oldest first (inspect; a listing may omit) */
	size_t nhealth_log;
	int restart_count;
	struct cc_endpoint *endpoints; /* attached networks with assigned addresses */
	size_t nendpoints;
	struct cc_port_binding *published; /* actual host ports */
	size_t npublished;
	/* The backend's fingerprint of the record this was read from, when it keeps one: two containers with
	 * the same id and the same non-zero revision are equal in every field. 0: unknown. Not serialized. */
	uint64_t revision;
};
void cc_container_release(struct cc_container *c);
void cc_container_copy(struct cc_container *dst, const struct cc_container *src);
void cc_containers_free(struct cc_container *v, size_t n);
struct cc_strbuf;
/* docker's status text: "Up 5 minutes (healthy)", "Exited (0) 3 minutes ago", "Created", ... (status.c) */
void cc_container_status_text(const struct cc_container *c, int64_t now, struct cc_strbuf *out);

struct cc_container_filter {
	const char *project;     /* label com.docker.compose.project */
	const char *name_prefix; /* name or id prefix */
	char *const *labels;     /* NULL-terminated "key" or "key=value" */
	unsigned state_mask;     /* bit (1 << state); 0: running only unless all */
	bool all;                /* include stopped containers */
};
bool cc_container_matches(const struct cc_container *c, const struct cc_container_filter *f);
/* Does the healthcheck run at all (present, not ["NONE"])? Every backend's rule. */
bool cc_healthcheck_enabled(const struct cc_healthcheck *hc);
/* Does the container mount the named volume? (What makes a volume "in use".) */
bool cc_container_uses_volume(const struct cc_container *c, const char *volume);
/* docker's rule for the names of containers, networks, volumes, secrets and configs: [a-zA-Z0-9] then
 * [a-zA-Z0-9_.-], at most `max` characters (0: no limit). */
bool cc_valid_object_name(const char *s, size_t max);
struct cc_secret;
/* A secret's (or config's) metadata for a new value: size, sha256 digest, labels copied (owned). */
void cc_secret_init(struct cc_secret *s, enum cc_secret_kind kind, const char *name, const void *value,
		    size_t len, const struct cc_kvs *labels, int64_t created_ns);
/* Does the container mount the secret (or config) `name`? */
bool cc_container_uses_secret(const struct cc_container *c, enum cc_secret_kind kind, const char *name);
/* The label docker puts on a volume created for an anonymous mount. */
#define CC_VOLUME_ANONYMOUS_LABEL "com.docker.volume.anonymous"

/* A log frame: one line (without its newline) or one chunk of output. */
enum cc_stream { CC_STREAM_STDOUT = 1, CC_STREAM_STDERR = 2 };
struct cc_log_frame {
	const char *container; /* name */
	enum cc_stream stream;
	int64_t time_ns;
	const char *data;
	size_t len;
};
struct cc_log_opts {
	bool follow;
	long tail;        /* <0: all */
	int64_t since_ns; /* 0: from the start */
	int64_t until_ns; /* 0: no end */
	bool no_stdout, no_stderr;
};

/* Where an exec's process takes its input, for backends that run in the caller's process. */
struct cc_exec_stdio {
	int in;       /* the process reads this descriptor (-1: no input) */
	int terminal; /* with tty: the caller's terminal, connected raw to the process's pty (-1: none) */
};

/* An attach: input from in_fd (-1: none; its end closes the container's stdin), output to out_fd, and with
 * a terminal (-1: none) its size followed and its mode left raw while attached. cancel (-1: none) turning
 * readable ends the attach early: the daemon's way to let go when its client has gone. */
struct cc_attach_io {
	int in_fd, out_fd, terminal;
	int cancel;
};

struct cc_exec_opts {
	char *const *argv; /* required, non-empty */
	char *const *env;  /* "KEY=VALUE" added to the container's */
	const char *user, *working_dir;
	bool tty, detach, privileged;
	/* NULL: no input, output as frames through the sink. With a terminal and tty, the output goes to the
	 * terminal instead and the sink sees nothing. */
	const struct cc_exec_stdio *stdio;
};

struct cc_top {
	cc_strv titles;
	cc_strv *rows; /* each a vector of the same length as titles */
	size_t nrows;
};
void cc_top_release(struct cc_top *t);

struct cc_netif_stats {
	char *name;
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
};
struct cc_stats {
	char *id, *name;
	int64_t sampled_ns;
	uint64_t cpu_usage_us, system_cpu_us;
	unsigned online_cpus;
	uint64_t memory_usage, memory_limit, oom_kills, pids, block_read, block_write;
	struct cc_netif_stats *netifs;
	size_t nnetifs;
};
void cc_stats_release(struct cc_stats *s);

/* An event. type: "container", "network", "volume", "image", "secret", "config". action: docker's words
 * ("create", "start", "die", "stop", "kill", "pause", "unpause", "destroy", "health_status", "oom",
 * "restart", "connect", "disconnect", "pull", "push", "tag", "delete", ...). */
struct cc_event {
	int64_t seq; /* the store's order; 0 when not stored */
	int64_t time_ns;
	char *type, *action;
	char *id, *name;
	struct cc_kvs attributes; /* exitCode, signal, health_status, image, project, service, ... */
};
void cc_event_release(struct cc_event *e);
struct cc_event_filter {
	int64_t since_ns, until_ns; /* 0: unbounded; until ends a followed stream */
	const char *type, *container, *project;
	char *const *labels;
	bool follow;
};

struct cc_image {
	char *id; /* sha256:... or, without an image store, the reference */
	cc_strv repo_tags, repo_digests;
	int64_t size, created_ns;
	/* the image configuration */
	cc_strv env, cmd, entrypoint, exposed_ports, layers;
	char *working_dir, *user;
	struct cc_kvs labels;
	struct cc_healthcheck *healthcheck; /* the image's HEALTHCHECK; NULL: none */
	char *stop_signal;                  /* the image's STOPSIGNAL; NULL: none */
};
void cc_image_release(struct cc_image *img);
/* Docker's rule for removing an image by ref: naming one of several tags only untags, so a container using
 * the image does not block it; naming the last tag or the id does. True for the first case. */
bool cc_image_ref_only_untags(const struct cc_image *img, const char *ref, size_t nrefs);
void cc_images_free(struct cc_image *v, size_t n);

/* Progress of pull, push and build. */
struct cc_progress {
	const char *ref;
	const char *status; /* "pulling", "downloading", "extracting", "done", "log", ... */
	const char *layer;  /* NULL when the frame is about the whole operation */
	int64_t current, total;
	const char *message; /* a builder's output line */
};
struct cc_build_opts {
	const char *context_dir, *dockerfile, *target, *platform;
	char *const *tags;
	const struct cc_kvs *args;
	const struct cc_kvs *labels;
	bool no_cache, pull;
	const char *dockerfile_inline; /* the Dockerfile's text, instead of a file */
	const char *network;           /* RUN's network: NULL, "default" or "host": the host's; "none" */
	char *const *extra_hosts;      /* "name:ip" (or "name=ip") for RUN's /etc/hosts */
	int64_t shm_size;              /* RUN's /dev/shm in bytes; 0: the default */
	const struct cc_kvs *secrets;  /* id -> file on the host, for RUN --mount=type=secret */
};

struct cc_network_config {
	char *name;
	char *driver; /* NULL: bridge */
	char *subnet, *gateway, *ip_range;
	bool internal, attachable, enable_ipv6;
	char *subnet6, *gateway6, *ip_range6; /* with enable_ipv6; NULL subnet6: the engine picks one */
	struct cc_kvs labels, options;
};
struct cc_network {
	char *id;
	struct cc_network_config spec;
	int64_t created_ns;
	struct cc_kvs containers;  /* container name -> ipv4 address */
	struct cc_kvs containers6; /* container name -> ipv6 address, for those that have one */
	struct cc_kvs macs;        /* container name -> MAC address on this network, where known */
};
void cc_network_config_release(struct cc_network_config *s);
void cc_network_release(struct cc_network *n);
void cc_networks_free(struct cc_network *v, size_t n);

struct cc_volume_config {
	char *name;
	char *driver; /* NULL: local */
	struct cc_kvs labels, options;
};
struct cc_volume {
	struct cc_volume_config spec;
	char *mountpoint;
	int64_t created_ns;
};
void cc_volume_config_release(struct cc_volume_config *s);
void cc_volume_release(struct cc_volume *v);
void cc_volumes_free(struct cc_volume *v, size_t n);

/* Metadata only: a secret's value never crosses the boundary outward. */
struct cc_secret {
	char *name;
	enum cc_secret_kind kind;
	struct cc_kvs labels;
	int64_t created_ns;
	char *digest; /* sha256 of the value */
	int64_t size;
};
void cc_secret_release(struct cc_secret *s);
void cc_secrets_free(struct cc_secret *v, size_t n);

struct cc_version {
	char *backend, *version, *api_version, *os, *arch, *engine; /* engine: e.g. "crun 1.8.1" */
};
void cc_version_release(struct cc_version *v);
struct cc_info {
	char *backend, *name, *root;
	long containers, running, paused, stopped, images;
};
void cc_info_release(struct cc_info *i);
/* Count containers into info by state (running counts restarting ones, as docker info does). */
void cc_info_count(struct cc_info *info, const struct cc_container *cs, size_t n);

#endif
