/* cgroup paths and counters of cgroup.h. */
#include "engine/cgroup.h"
#include "base/cleanup.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <errno.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *native_cgroup_path(const char *id)
{
	return cc_xasprintf("/container-compose/%s", id);
}

bool native_cgroup_v2(void)
{
	return access(NATIVE_CGROUP_ROOT "/cgroup.controllers", F_OK) == 0;
}

char *native_cgroup_file(const char *id, const char *controller, const char *file, const char *v2_file)
{
	if (native_cgroup_v2())
		return cc_xasprintf(NATIVE_CGROUP_ROOT "/container-compose/%s/%s", id,
				    v2_file ? v2_file : file);
	return cc_xasprintf(NATIVE_CGROUP_ROOT "/%s/container-compose/%s/%s", controller, id, file);
}

bool native_cgroup_u64(const char *path, uint64_t *out)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	char buf[64];
	bool ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return false;
	if (strncmp(buf, "max", 3) == 0) {
		*out = UINT64_MAX;
		return true;
	}
	char *end;
	*out = strtoull(buf, &end, 10);
	return end != buf;
}

bool native_cgroup_keyed(const char *path, const char *key, uint64_t *out)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	char k[128];
	unsigned long long v;
	bool found = false;
	while (!found && fscanf(f, "%127s %llu", k, &v) == 2)
		if (strcmp(k, key) == 0) {
			*out = v;
			found = true;
		}
	fclose(f);
	return found;
}

uint64_t native_cgroup_oom_kills(const char *id)
{
	char *path = native_cgroup_file(id, "memory", "memory.oom_control", "memory.events");
	uint64_t n = 0;
	if (!native_cgroup_keyed(path, "oom_kill", &n))
		n = 0;
	free(path);
	return n;
}

bool native_cgroup_remove(const char *id)
{
	bool ok = true;
	cleanup_free char *unified = cc_xasprintf(NATIVE_CGROUP_ROOT "/container-compose/%s", id);
	if (rmdir(unified) < 0 && errno != ENOENT)
		ok = false;
	DIR *d = opendir(NATIVE_CGROUP_ROOT);
	if (!d)
		return false;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		cleanup_free char *path =
		    cc_xasprintf(NATIVE_CGROUP_ROOT "/%s/container-compose/%s", de->d_name, id);
		if (rmdir(path) < 0 && errno != ENOENT && errno != ENOTDIR)
			ok = false;
	}
	closedir(d);
	return ok;
}
