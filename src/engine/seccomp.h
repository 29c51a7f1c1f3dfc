/* The default seccomp filter of native containers: podman's maintained profile, which Debian ships in the
 * moby format (/usr/share/containers/seccomp.json, package golang-github-containers-common), converted to
 * the OCI runtime's linux.seccomp for one container: its architecture and its capabilities decide which
 * conditional rules apply, as docker and podman decide. */
#ifndef CC_ENGINE_SECCOMP_H
#define CC_ENGINE_SECCOMP_H

#include "base/error.h"

#include <jansson.h>

/* The profile file: $CC_SECCOMP_PROFILE, else Debian's path. */
const char *native_seccomp_default_path(void);

/* The sub-architectures this kernel cannot execute (NULL-terminated; NULL for none), which filters leave
 * out: runc compiles a filter per architecture, about 10 ms of every container start here, and one for
 * system calls that cannot be made protects nothing. Today that is x32, on kernels built without it or
 * booted with it off (probed with one system call). */
const char *const *native_seccomp_dead_arches(void);

/* The OCI form of the moby-format profile `profile` for a container with the capabilities `caps` (a JSON
 * array of "CAP_..." names) on the machine `machine` (uname's: "x86_64", "aarch64", ...), without the
 * sub-architectures in dead_arches (may be NULL). INVALID_ARGUMENT names what in the profile could not be
 * read. */
int native_seccomp_convert(const json_t *profile, const json_t *caps, const char *machine,
			   const char *const *dead_arches, json_t **out, struct cc_error **err);

/* Load a profile file and convert it for this machine and kernel (NOT_FOUND when the file is missing). */
int native_seccomp_load(const char *path, const json_t *caps, json_t **out, struct cc_error **err);

#endif
