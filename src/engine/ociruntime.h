/* The OCI runtime binary that runs native containers: crun where it can run containers on this host, runc
 * otherwise, or the one asked for (--oci-runtime, CONTAINER_COMPOSE_OCI_RUNTIME).
 *
 * crun starts a container in about a third of runc's time, but crun 1.8 refuses a hybrid cgroup layout
 * whose v2 hierarchy holds any controller ("cgroups in hybrid mode not supported"), even with its cgroup
 * manager disabled: these machines have exactly that (hugetlb bound to no v1 hierarchy). runc runs
 * everywhere. The layout is read from files, so the choice costs no process. */
#ifndef CC_ENGINE_OCIRUNTIME_H
#define CC_ENGINE_OCIRUNTIME_H

#include "base/error.h"

#include <stdbool.h>

struct native_oci {
	char *path; /* the binary */
	char *name; /* its base name; its state lives under <root>/<name> */
};

/* Can crun run containers with the cgroup layout under cgroup_root (normally /sys/fs/cgroup)? When not,
 * *why (owned) says what stands in the way. A pure v1 or v2 layout can; a hybrid one only while its v2
 * hierarchy (<cgroup_root>/unified) has no controllers. */
bool native_crun_usable(const char *cgroup_root, char **why);

/* The runtime for `requested`: NULL or "" picks (crun when found and usable, else runc); a name is looked up
 * in the system's binary directories; a path is taken as it is. NOT_FOUND when the binary is missing or not
 * executable; INVALID_ARGUMENT when crun is asked for where it cannot run, with the reason. */
int native_oci_pick(const char *requested, const char *cgroup_root, struct native_oci *out,
		    struct cc_error **err);

void native_oci_release(struct native_oci *oci);

/* Does a runtime's error say the container's process or the container is gone? A kill or pause racing the
 * container's exit gets one of these, from runc ("container not running", "container does not exist") or
 * crun ("No such process", "error opening file `<state>/status`: No such file or directory"). */
bool native_oci_says_gone(const char *msg);

#endif
