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

/* The OCI form of the moby-format profile `profile` for a container with the capabilities `caps` (a JSON
 * array of "CAP_..." names) on the machine `machine` (uname's: "x86_64", "aarch64", ...). INVALID_ARGUMENT
 * names what in the profile could not be read. */
int native_seccomp_convert(const json_t *profile, const json_t *caps, const char *machine, json_t **out,
			   struct cc_error **err);

/* Load a profile file and convert it (NOT_FOUND when the file is missing). */
int native_seccomp_load(const char *path, const json_t *caps, const char *machine, json_t **out,
			struct cc_error **err);

#endif
