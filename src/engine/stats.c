/* A native container's resource usage, read straight from its cgroup (cgroup.h) and from its network
 * namespace's /proc/<pid>/net/dev: no runc call, so sampling many containers each second stays cheap. */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "engine/cgroup.h"
#include "engine/native-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Host CPU time in microseconds, from /proc/stat's first line (docker's system_cpu_usage). */
static uint64_t host_cpu_us(void)
{
	FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	char line[512];
	uint64_t ticks = 0;
	if (fgets(line, sizeof(line), f) && strncmp(line, "cpu ", 4) == 0) {
		char *p = line + 4, *end;
		for (int i = 0; i < 8; i++, p = end) {
			unsigned long long v = strtoull(p, &end, 10);
			if (end == p)
				break;
			ticks += v;
		}
	}
	fclose(f);
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 ? ticks * (1000000ULL / (uint64_t)hz) : 0;
}

static uint64_t host_memory(void)
{
	uint64_t kb = 0;
	return native_cgroup_keyed("/proc/meminfo", "MemTotal:", &kb) ? kb * 1024 : 0;
}

/* Bytes read and written: v1 blkio's "MAJ:MIN Read|Write N" lines, v2 io.stat's rbytes=/wbytes=. */
static void block_io(const char *id, struct cc_stats *out)
{
	cleanup_free char *path =
	    native_cgroup_file(id, "blkio", "blkio.throttle.io_service_bytes", "io.stat");
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char dev[64], op[32];
		unsigned long long v;
		if (sscanf(line, "%63s %31s %llu", dev, op, &v) == 3) {
			if (strcmp(op, "Read") == 0)
				out->block_read += v;
			else if (strcmp(op, "Write") == 0)
				out->block_write += v;
			continue;
		}
		for (char *tok = strtok(line, " \n"); tok; tok = strtok(NULL, " \n")) {
			if (strncmp(tok, "rbytes=", 7) == 0)
				out->block_read += strtoull(tok + 7, NULL, 10);
			else if (strncmp(tok, "wbytes=", 7) == 0)
				out->block_write += strtoull(tok + 7, NULL, 10);
		}
	}
	fclose(f);
}

/* Every interface of the container's network namespace but loopback, as docker reports them. */
static void network_io(int pid, struct cc_stats *out)
{
	cleanup_free char *path = cc_xasprintf("/proc/%d/net/dev", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[512];
	size_t cap = 0;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue; /* the two header lines */
		*colon = '\0';
		char *name = line;
		while (*name == ' ')
			name++;
		unsigned long long rb, rp, tb, tp, skip;
		if (strcmp(name, "lo") == 0 ||
		    sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &rb, &rp, &skip,
			   &skip, &skip, &skip, &skip, &skip, &tb, &tp) != 10)
			continue;
		CC_GROW(out->netifs, cap, out->nnetifs + 1);
		out->netifs[out->nnetifs++] = (struct cc_netif_stats){cc_xstrdup(name), rb, tb, rp, tp};
	}
	fclose(f);
}

int native_container_stats(void *self, const char *ref, struct cc_stats *out, struct cc_error **err)
{
	struct cc_container c;
	if (native_container_inspect(self, ref, &c, err) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->id = cc_xstrdup(c.id);
	out->name = cc_xstrdup(c.name);
	out->sampled_ns = cc_now_ns();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	out->online_cpus = cpus > 0 ? (unsigned)cpus : 1;
	out->system_cpu_us = host_cpu_us();
	bool up = c.state == CC_STATE_RUNNING || c.state == CC_STATE_PAUSED;
	if (!up) { /* docker's figures for a container that does not run: all zero */
		cc_container_release(&c);
		return 0;
	}
	const char *id = c.id;
	uint64_t v = 0;
	cleanup_free char *cpu = native_cgroup_file(id, "cpuacct", "cpuacct.usage", "cpu.stat");
	if (native_cgroup_v2() ? native_cgroup_keyed(cpu, "usage_usec", &v) : native_cgroup_u64(cpu, &v))
		out->cpu_usage_us = native_cgroup_v2() ? v : v / 1000;
	/* usage without the reclaimable page cache, as docker's CLI shows it */
	cleanup_free char *usage =
	    native_cgroup_file(id, "memory", "memory.usage_in_bytes", "memory.current");
	cleanup_free char *stat = native_cgroup_file(id, "memory", "memory.stat", NULL);
	uint64_t inactive = 0;
	if (native_cgroup_u64(usage, &out->memory_usage) &&
	    (native_cgroup_keyed(stat, "total_inactive_file", &inactive) ||
	     native_cgroup_keyed(stat, "inactive_file", &inactive)) &&
	    inactive < out->memory_usage)
		out->memory_usage -= inactive;
	cleanup_free char *limit = native_cgroup_file(id, "memory", "memory.limit_in_bytes", "memory.max");
	uint64_t host = host_memory();
	if (!native_cgroup_u64(limit, &out->memory_limit) || (host && out->memory_limit > host))
		out->memory_limit = host; /* unlimited: the host's memory, as docker shows */
	out->oom_kills = native_cgroup_oom_kills(id);
	cleanup_free char *pids = native_cgroup_file(id, "pids", "pids.current", NULL);
	if (!native_cgroup_u64(pids, &out->pids))
		out->pids = 0;
	block_io(id, out);
	if (c.pid > 0)
		network_io(c.pid, out);
	cc_container_release(&c);
	return 0;
}
