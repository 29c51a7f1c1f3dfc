/* The orchestrator: converge a loaded Compose project onto a runtime (any backend), and the project-level
 * queries and lifecycle operations the CLI's commands and the daemon's project routes share.
 *
 * Containers are named <project>-<service>-<n> (or container_name) and carry docker compose's
 * com.docker.compose.* labels, so the project's state is read back from the runtime alone: nothing about a
 * project's containers is kept anywhere else. */
#ifndef CC_ORCHESTRATOR_ORCHESTRATOR_H
#define CC_ORCHESTRATOR_ORCHESTRATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "compose/project.h"
#include "runtime/runtime.h"

#define CC_LABEL_PROJECT      "com.docker.compose.project"
#define CC_LABEL_SERVICE      "com.docker.compose.service"
#define CC_LABEL_NUMBER       "com.docker.compose.container-number"
#define CC_LABEL_CONFIG_HASH  "com.docker.compose.config-hash"
#define CC_LABEL_ONEOFF       "com.docker.compose.oneoff"
#define CC_LABEL_WORKING_DIR  "com.docker.compose.project.working_dir"
#define CC_LABEL_CONFIG_FILES "com.docker.compose.project.config_files"
#define CC_LABEL_VERSION      "com.docker.compose.version"
#define CC_LABEL_NETWORK      "com.docker.compose.network"
#define CC_LABEL_VOLUME       "com.docker.compose.volume"
#define CC_LABEL_DEPENDS_ON   "com.docker.compose.depends_on"
#define CC_LABEL_IMAGE        "com.docker.compose.image"

/* How the orchestrator reports progress: kind "Container", "Network", "Volume", "Secret", "Config";
 * status docker compose's words ("Creating", "Created", "Starting", "Started", "Recreate", "Recreated",
 * "Running", "Waiting", "Healthy", "Stopping", "Stopped", "Removing", "Removed", "Exited", "Error"). */
struct cc_orch_ui {
	void (*status)(void *ctx, const char *kind, const char *name, const char *status);
	void (*warn)(void *ctx, const char *msg);
	void *ctx;
};

struct cc_up_opts {
	char *const *services; /* NULL or empty: all enabled services */
	bool no_deps, force_recreate, no_recreate, no_start, remove_orphans, always_recreate_deps;
	bool renew_anon_volumes;    /* a recreated container gets new anonymous volumes (up -V) */
	bool ignore_orphans;        /* no warning naming orphans (COMPOSE_IGNORE_ORPHANS) */
	bool wait;                  /* return once everything is running/healthy (or completed as required) */
	int64_t wait_timeout_ns;    /* <= 0: none */
	int64_t stop_timeout_ns;    /* for recreation; <0: each container's grace period */
	int parallel;               /* <= 0: unlimited */
	const struct cc_kvs *scale; /* service -> replicas (--scale) */
};

/* Create what is missing, recreate what changed, start what is stopped; honours depends_on conditions. On a
 * dependency failure the error names the dependency and why. */
int cc_orch_up(struct cc_runtime *rt, const struct cc_project *p, const struct cc_up_opts *o,
	       const struct cc_orch_ui *ui, struct cc_error **err);

/* Wait until every container of the services (NULL: all) runs, and is healthy where it has a healthcheck, or
 * has completed where a dependent waits for that (up --wait, start --wait). INVALID_STATE names a container
 * that exited or is unhealthy; TIMEOUT past timeout_ns (<= 0: none). */
int cc_orch_wait_ready(struct cc_runtime *rt, const struct cc_project *p, char *const *services,
		       int64_t timeout_ns, struct cc_error **err);

/* Create missing networks, volumes, secrets and configs the given services use (NULL: all services). */
int cc_orch_ensure_resources(struct cc_runtime *rt, const struct cc_project *p, char *const *services,
			     const struct cc_orch_ui *ui, struct cc_error **err);

struct cc_down_opts {
	bool volumes, remove_orphans;
	bool ignore_orphans;   /* no warning naming them (COMPOSE_IGNORE_ORPHANS) */
	const char *rmi;       /* NULL, "local" or "all" */
	int64_t timeout_ns;    /* <0: each container's grace period */
	char *const *services; /* NULL: the whole project (and its networks) */
	int parallel;
};
/* The project's orphans (containers, one-offs too, of services the model does not define): stopped and
 * removed with remove, else named in a warning unless ignore (COMPOSE_IGNORE_ORPHANS). For run and kill. */
struct cc_orphan_opts {
	bool remove, ignore;
	int64_t timeout_ns; /* <0: each container's grace period */
};
int cc_orch_orphans(struct cc_runtime *rt, const struct cc_project *p, const struct cc_orphan_opts *o,
		    const struct cc_orch_ui *ui, struct cc_error **err);

/* p may be NULL: then everything is found by the project's labels (down -p NAME without a file). */
int cc_orch_down(struct cc_runtime *rt, const char *project, const struct cc_project *p,
		 const struct cc_down_opts *o, const struct cc_orch_ui *ui, struct cc_error **err);

/* The project's containers (one-offs included when oneoff), sorted by service then number. services NULL:
 * all. all: stopped ones too. */
int cc_orch_containers(struct cc_runtime *rt, const char *project, char *const *services, bool all,
		       bool oneoff, struct cc_container **out, size_t *n, struct cc_error **err);

/* Lifecycle over a project's service containers, in dependency order (reverse for stop/kill), parallel. */
enum cc_orch_action {
	CC_ORCH_START,
	CC_ORCH_STOP,
	CC_ORCH_RESTART,
	CC_ORCH_KILL,
	CC_ORCH_PAUSE,
	CC_ORCH_UNPAUSE,
	CC_ORCH_REMOVE,
};
struct cc_orch_action_opts {
	char *const *services;
	int64_t timeout_ns;  /* stop, restart; <0: the container's */
	const char *signal;  /* kill */
	bool force, volumes; /* remove */
	bool all_states;     /* remove: stopped containers only unless set (rm -s stops first) */
	bool no_deps;        /* restart: only the services named; else also those whose depends_on names a
				restarted one with restart: true, and theirs, as docker compose restarts */
	int parallel;
};
/* Returns how many containers it acted on (states the action doesn't apply to are skipped, as in docker
 * compose); start fails for a service without containers and waits for depends_on conditions first. */
int cc_orch_act(struct cc_runtime *rt, const struct cc_project *p, enum cc_orch_action action,
		const struct cc_orch_action_opts *o, const struct cc_orch_ui *ui, struct cc_error **err);

/* A service's container spec for replica `number` (labels included). oneoff: a `run` container. */
int cc_orch_service_spec(const struct cc_project *p, const char *service, int number, bool oneoff,
			 struct cc_container_spec *out, struct cc_error **err);
/* What `run` adds to a service's one-off container. */
struct cc_oneoff_opts {
	char *const *publish; /* -p: ports in the Compose short syntax */
	char *const *volumes; /* -v: volumes in the Compose short syntax (binds relative to the project) */
	char *const *cap_add, *const *cap_drop;
	bool service_ports; /* -P: the service's own ports too */
	bool use_aliases;   /* the service's name and aliases on its networks, as its replicas have them */
};
/* A one-off container's spec: the service's without its ports, network aliases and restart policy (docker
 * compose's one-off), plus opts. INVALID_ARGUMENT names the flag and its value. */
int cc_orch_oneoff_spec(const struct cc_project *p, const char *service, const struct cc_oneoff_opts *o,
			struct cc_container_spec *out, struct cc_error **err);
/* Add to spec the mounts of the service's volumes_from: another service's first container's, or a named
 * container's (`container:NAME`), read-only with `:ro`, writable with `:rw`, else as they are there. Its own
 * targets win. NOT_FOUND when a source has no container. */
int cc_orch_volumes_from(struct cc_runtime *rt, const struct cc_project *p, const char *service,
			 struct cc_container_spec *spec, struct cc_error **err);
/* The number of replicas up wants for a service (scale override, scale, deploy.replicas, 1). */
int cc_orch_service_replicas(const struct cc_project *p, const char *service, const struct cc_kvs *scale);

/* A container's replica number (its com.docker.compose.container-number label), 0 when unlabelled; its
 * service ("" when unlabelled); whether it is running, paused or restarting. */
int cc_orch_container_number(const struct cc_container *c);
const char *cc_orch_container_service(const struct cc_container *c);
bool cc_orch_is_up(const struct cc_container *c);

/* The services named with everything they depend on (depends_on and the implicit dependencies), in the
 * model's order; NULL (every service) when none is named. */
int cc_orch_with_dependencies(const struct cc_project *p, char *const *services, cc_strv *out,
			      struct cc_error **err);

/* Images: build_mode NULL (build when missing), "always" (--build) or "never" (--no-build); pull_mode NULL
 * (the service's pull_policy, pulling when missing), "always", "missing" or "never". */
int cc_orch_prepare_images(struct cc_runtime *rt, const struct cc_project *p, char *const *services,
			   const char *build_mode, const char *pull_mode, const struct cc_orch_ui *ui,
			   struct cc_error **err);
/* Build a service's image with its build section (extra_args: --build-arg values over build.args). */
int cc_orch_build_service(struct cc_runtime *rt, const struct cc_project *p, const char *service,
			  bool no_cache, bool pull, const struct cc_kvs *extra_args,
			  const struct cc_orch_ui *ui, struct cc_error **err);
int cc_orch_pull_service(struct cc_runtime *rt, const struct cc_project *p, const char *service,
			 const struct cc_orch_ui *ui, struct cc_error **err);

/* The project's record in the state store (name, working dir, files, config hashes): written by up, removed
 * by down of the whole project. */
struct cc_store;
int cc_orch_project_record(struct cc_store *s, const struct cc_project *p, struct cc_error **err);
int cc_orch_project_forget(struct cc_store *s, const char *name, struct cc_error **err);

/* Wait for a service's dependencies to meet their depends_on conditions. */
int cc_orch_wait_dependencies(struct cc_runtime *rt, const struct cc_project *p, const char *service,
			      const struct cc_orch_ui *ui, struct cc_error **err);

#endif
