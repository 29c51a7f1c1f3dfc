/* Compiled seccomp filters for crun, kept across starts.
 *
 * crun compiles a container's linux.seccomp with libseccomp at every start (about 6 ms of each one here, for
 * podman's profile on two architectures), writes what it loaded to its state directory (seccomp.bpf), and
 * takes an already compiled filter through the annotation run.oci.seccomp_bpf_data (crun(1)). The first start
 * of a filter keeps crun's own compilation under <root>/seccomp/<key>.bpf; later starts of the same filter
 * under the same crun binary pass it on, so what the kernel loads is byte for byte what crun compiled. The
 * key covers the filter's JSON and the binary's path, size and mtime: another crun compiles afresh. */
#ifndef CC_ENGINE_SECCOMP_CACHE_H
#define CC_ENGINE_SECCOMP_CACHE_H

#include <jansson.h>
#include <stdbool.h>

/* The cache file for cfg's linux.seccomp under runtime_path (owned), or NULL when cfg has no filter. */
char *native_seccomp_cache_file(const char *root, const json_t *cfg, const char *runtime_path);
/* Put the cached filter into cfg's annotations; false when there is none (or it is not a filter). */
bool native_seccomp_cache_apply(const char *file, json_t *cfg);
/* Keep what crun loaded for container id (<state>/<id>/seccomp.bpf) as `file`; best effort. */
void native_seccomp_cache_store(const char *file, const char *state, const char *id);

#endif
