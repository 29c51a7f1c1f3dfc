/* The OCI runtime configuration (config.json) of a container, from its spec and its image's configuration:
 * what crun or runc need to run it the way docker would. Pure apart from reading the rootfs's /etc/passwd and
 * /etc/group (user resolution) and the host's resource limits (rlimits are clamped to the hard limits this
 * process has: root here cannot raise them). */
#ifndef CC_ENGINE_BUNDLE_H
#define CC_ENGINE_BUNDLE_H

#include <jansson.h>

#include "base/error.h"
#include "runtime/types.h"

struct cc_bundle_input {
	const struct cc_container_spec *spec;
	const struct cc_image *image; /* the image's configuration: env, cmd, entrypoint, working dir, user */
	const char *rootfs;           /* the merged root filesystem (absolute) */
	const char *hostname;         /* NULL: the spec's, else the first 12 digits of the id */
	const char *id;               /* the container id (64 hex) */
	const char *netns_path;       /* NULL: a new network namespace; "host": the host's */
	const char *pidns_path;       /* the same for the pid namespace: NULL, "host" or a path to join */
	const char *ipcns_path;       /* and the ipc namespace */
	/* files the engine generated for the container, bind-mounted read-only when non-NULL */
	const char *hosts_file, *resolv_file, *hostname_file;
	/* named volume name -> host directory; NULL entries are refused */
	const char *(*volume_path)(void *ctx, const char *name);
	void *volume_ctx;
	const char *init_path; /* the init binary for `init: true` (catatonit, tini); NULL: refuse init */
};

/* The container's hostname: the spec's; with uts: host, the host's (the namespace it shares says so); else
 * the first 12 digits of its id. buf (HOST_NAME_MAX + 1 bytes) holds what is not the spec's. */
const char *cc_bundle_hostname(const struct cc_container_spec *spec, const char *id, char *buf, size_t len);

/* The config.json document (owned). INVALID_ARGUMENT names the field: "no command specified", an unknown
 * user ("unable to find user x: no matching entries in passwd file"), an invalid mount, a tmpfs size... */
int cc_bundle_config(const struct cc_bundle_input *in, json_t **out, struct cc_error **err);

/* A process's `capabilities` with every capability the engine itself has (privileged, exec --privileged). */
json_t *cc_bundle_all_capabilities(void);

/* The capabilities a container gets by default (docker's set), NULL-terminated. */
extern const char *const cc_default_capabilities[];

#endif
