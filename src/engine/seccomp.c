/* moby-format seccomp profiles to OCI linux.seccomp: see seccomp.h. */
#include "engine/seccomp.h"
#include "base/cleanup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

const char *native_seccomp_default_path(void)
{
	const char *env = getenv("CC_SECCOMP_PROFILE");
	return env && *env ? env : "/usr/share/containers/seccomp.json";
}

static const char *const x32_only[] = {"SCMP_ARCH_X32", NULL};

const char *const *native_seccomp_dead_arches(void)
{
#ifdef __x86_64__
	/* getpid through the x32 ABI: ENOSYS from a kernel without it (or a filter around us refusing it) */
	errno = 0;
	if (syscall(0x40000000L | SYS_getpid) == -1 && errno == ENOSYS)
		return x32_only;
#endif
	return NULL;
}

static bool listed(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* The profile's names for this machine: libseccomp's architecture and Go's (which "arches" conditions use).
 */
static void arch_names(const char *machine, const char **scmp, const char **go)
{
	static const char *const table[][3] = {
	    {"x86_64", "SCMP_ARCH_X86_64", "amd64"},
	    {"aarch64", "SCMP_ARCH_AARCH64", "arm64"},
	    {"i686", "SCMP_ARCH_X86", "386"},
	    {"armv7l", "SCMP_ARCH_ARM", "arm"},
	    {"ppc64le", "SCMP_ARCH_PPC64LE", "ppc64le"},
	    {"s390x", "SCMP_ARCH_S390X", "s390x"},
	    {"riscv64", "SCMP_ARCH_RISCV64", "riscv64"},
	};
	*scmp = *go = NULL;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i][0], machine) == 0) {
			*scmp = table[i][1];
			*go = table[i][2];
		}
}

static bool has_string(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i,
			   v) if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

/* Does a condition ({"caps": [...], "arches": [...]}) hold? includes: all caps present and the arch listed;
 * excludes: any cap present or the arch listed. An empty condition: includes hold, excludes don't. */
static bool holds(const json_t *cond, const json_t *caps, const char *go_arch, bool include)
{
	const json_t *want_caps = json_object_get(cond, "caps"), *arches = json_object_get(cond, "arches");
	size_t i;
	json_t *c;
	if (include) {
		json_array_foreach(want_caps, i, c) if (!has_string(caps, json_string_value(c))) return false;
		return !json_array_size(arches) || (go_arch && has_string(arches, go_arch));
	}
	json_array_foreach(want_caps, i, c) if (has_string(caps, json_string_value(c))) return true;
	return go_arch && json_array_size(arches) && has_string(arches, go_arch);
}

int native_seccomp_convert(const json_t *profile, const json_t *caps, const char *machine,
			   const char *const *dead_arches, json_t **out, struct cc_error **err)
{
	const char *def = json_string_value(json_object_get(profile, "defaultAction"));
	const json_t *syscalls = json_object_get(profile, "syscalls");
	if (!def || !json_is_array(syscalls))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "seccomp profile: defaultAction and syscalls are required");
	const char *scmp, *go;
	arch_names(machine, &scmp, &go);
	json_t *o = json_pack("{ss}", "defaultAction", def);
	json_t *ret = json_object_get(profile, "defaultErrnoRet");
	if (json_is_integer(ret))
		json_object_set(o, "defaultErrnoRet", ret);
	json_t *arches = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(profile, "archMap"), i, m)
	{
		const char *a = json_string_value(json_object_get(m, "architecture"));
		if (!scmp || !a || strcmp(a, scmp) != 0)
			continue;
		json_array_append_new(arches, json_string(a));
		size_t k;
		json_t *sub;
		json_array_foreach(json_object_get(m, "subArchitectures"), k, sub)
		{
			if (json_is_string(sub) && !listed(dead_arches, json_string_value(sub)))
				json_array_append(arches, sub);
		}
	}
	if (!json_array_size(arches) && scmp)
		json_array_append_new(arches, json_string(scmp));
	json_object_set_new(o, "architectures", arches);
	json_t *rules = json_array();
	json_t *s;
	json_array_foreach(syscalls, i, s)
	{
		const char *action = json_string_value(json_object_get(s, "action"));
		json_t *names = json_object_get(s, "names");
		if (!action || !json_is_array(names)) {
			json_decref(o);
			json_decref(rules);
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "seccomp profile: syscalls[%zu] needs names and an action", i);
		}
		if (!holds(json_object_get(s, "includes"), caps, go, true) ||
		    holds(json_object_get(s, "excludes"), caps, go, false))
			continue;
		json_t *r = json_pack("{sO ss}", "names", names, "action", action);
		json_t *args = json_object_get(s, "args");
		if (json_array_size(args))
			json_object_set(r, "args", args);
		json_t *errno_ret = json_object_get(s, "errnoRet");
		if (json_is_integer(errno_ret))
			json_object_set(r, "errnoRet", errno_ret);
		json_array_append_new(rules, r);
	}
	json_object_set_new(o, "syscalls", rules);
	*out = o;
	return 0;
}

int native_seccomp_load(const char *path, const json_t *caps, json_t **out, struct cc_error **err)
{
	struct utsname u;
	uname(&u);
	json_error_t je;
	json_t *profile = json_load_file(path, 0, &je);
	if (!profile) {
		FILE *probe = fopen(path, "r");
		if (!probe)
			return cc_error_set_errno(err,
						  errno == ENOENT ? CC_ERR_NOT_FOUND : CC_ERR_BACKEND_FAILURE,
						  errno, "seccomp profile %s", path);
		fclose(probe);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "seccomp profile %s:%d: %s", path, je.line,
				    je.text);
	}
	int r = native_seccomp_convert(profile, caps, u.machine, native_seccomp_dead_arches(), out, err);
	json_decref(profile);
	if (r < 0)
		cc_error_wrap(err, "%s", path);
	return r;
}
