/* Where a native container's cgroup lives and how to read its counters, on cgroup v1 (what these machines
 * exercise: one hierarchy per controller) and v2 (one unified hierarchy). Every container's cgroup is
 * /container-compose/<id>, given to runc as linux.cgroupsPath, so it can be found without asking runc. */
#ifndef CC_ENGINE_CGROUP_H
#define CC_ENGINE_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

#define NATIVE_CGROUP_ROOT "/sys/fs/cgroup"

/* "/container-compose/<id>" (owned): the bundle's cgroupsPath. */
char *native_cgroup_path(const char *id);
/* The file of a container's cgroup: on v1 under the hierarchy of `controller`, on v2 `v2_file` (NULL: the
 * v1 name) under the unified one (owned). */
char *native_cgroup_file(const char *id, const char *controller, const char *file, const char *v2_file);
/* Is /sys/fs/cgroup a pure v2 hierarchy? */
bool native_cgroup_v2(void);
/* A file holding one number ("max" reads as UINT64_MAX); false when unreadable. */
bool native_cgroup_u64(const char *path, uint64_t *out);
/* The value of `key` in a file of "key value" lines (memory.stat, memory.events, memory.oom_control). */
bool native_cgroup_keyed(const char *path, const char *key, uint64_t *out);
/* Remove the container's (empty) cgroup from every hierarchy; false when one could not be removed (processes
 * left, sub-groups). */
bool native_cgroup_remove(const char *id);
/* OOM kills in the container's cgroup so far (0 when unknown). */
uint64_t native_cgroup_oom_kills(const char *id);

#endif
