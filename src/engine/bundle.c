/* config.json generation: process (args, env, user, cwd, capabilities, rlimits), root, hostname, mounts,
 * namespaces, masked and read-only paths, resources, sysctls. The defaults are docker's. */
#include "engine/bundle.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "runtime/runtime.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <limits.h>
#include <unistd.h>

const char *const cc_default_capabilities[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
    NULL,
};

/* Every capability the kernel knows (for privileged and cap_add: ALL). */
static const char *const all_capabilities[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
    NULL,
};

static const char *const masked_paths[] = {
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
    NULL,
};

static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static json_t *strings(char *const *v)
{
	json_t *a = json_array();
	for (char *const *s = v; s && *s; s++)
		json_array_append_new(a, json_string(*s));
	return a;
}

/* "chown" -> "CAP_CHOWN"; "ALL" stays ALL. */
static char *cap_name(const char *c)
{
	cleanup_free char *up = cc_xstrdup(c);
	for (char *p = up; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return strncmp(up, "CAP_", 4) == 0 || strcmp(up, "ALL") == 0 ? cc_xstrdup(up)
								     : cc_xasprintf("CAP_%s", up);
}

static bool known_cap(const char *c)
{
	for (const char *const *k = all_capabilities; *k; k++)
		if (strcmp(*k, c) == 0)
			return true;
	return false;
}

/* Does this process's bounding set hold the capability? all_capabilities is in the kernel's order, so its
 * index is the capability's number. Root here may lack some (CAP_SYS_RESOURCE on these machines), and the
 * runtime cannot give a container what it does not have itself. */
static bool host_has_cap(const char *name)
{
	for (int i = 0; all_capabilities[i]; i++)
		if (strcmp(all_capabilities[i], name) == 0)
			return prctl(PR_CAPBSET_READ, (unsigned long)i, 0, 0, 0) == 1;
	return false;
}

/* privileged and cap_add: ALL mean every capability the engine itself has, as with docker's daemon. */
static void add_all_capabilities(json_t *set)
{
	for (const char *const *k = all_capabilities; *k; k++)
		if (host_has_cap(*k))
			json_object_set_new(set, *k, json_true());
}

static json_t *capability_sets(json_t *set);

/* Every name known, every added one held by the engine; *all says whether "ALL" is among them. */
static int check_caps(char *const *caps, const char *field, bool adding, bool *all, struct cc_error **err)
{
	*all = false;
	for (char *const *c = caps; c && *c; c++) {
		cleanup_free char *n = cap_name(*c);
		if (strcmp(n, "ALL") == 0)
			*all = true;
		else if (!known_cap(n))
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: unknown capability %s", field,
					    *c);
		else if (adding && !host_has_cap(n))
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "%s: %s: the engine itself does not have this capability", field,
					    *c);
	}
	return 0;
}

static void set_caps(json_t *set, char *const *caps, bool on)
{
	for (char *const *c = caps; c && *c; c++) {
		cleanup_free char *n = cap_name(*c);
		if (strcmp(n, "ALL") == 0)
			continue;
		if (on)
			json_object_set_new(set, n, json_true());
		else
			json_object_del(set, n);
	}
}

/* docker's rules (moby's TweakCapabilities): privileged gets everything whatever cap_drop says; cap_add ALL
 * is everything but cap_drop; cap_drop ALL keeps only cap_add; else the defaults less cap_drop plus cap_add
 * (an add wins over a drop of the same capability). */
static int capabilities(const struct cc_container_spec *spec, json_t **out, struct cc_error **err)
{
	bool add_all = false, drop_all = false;
	if (!spec->privileged && (check_caps(spec->cap_add, "cap_add", true, &add_all, err) < 0 ||
				  check_caps(spec->cap_drop, "cap_drop", false, &drop_all, err) < 0))
		return -1;
	json_t *set = json_object(); /* name -> true, in a stable order below */
	if (spec->privileged) {
		add_all_capabilities(set);
	} else if (add_all) {
		add_all_capabilities(set);
		set_caps(set, spec->cap_drop, false);
	} else {
		for (const char *const *c = cc_default_capabilities; !drop_all && *c; c++)
			json_object_set_new(set, *c, json_true());
		set_caps(set, spec->cap_drop, false);
		set_caps(set, spec->cap_add, true);
	}
	*out = capability_sets(set);
	json_decref(set);
	return 0;
}

/* A process's capabilities object from a set of names, in the kernel's order. */
static json_t *capability_sets(json_t *set)
{
	json_t *list = json_array();
	for (const char *const *k = all_capabilities; *k; k++)
		if (json_object_get(set, *k))
			json_array_append_new(list, json_string(*k));
	json_t *out = json_pack("{sO sO sO s[] s[]}", "bounding", list, "effective", list, "permitted", list,
				"inheritable", "ambient");
	json_decref(list);
	return out;
}

json_t *cc_bundle_all_capabilities(void)
{
	json_t *set = json_object();
	add_all_capabilities(set);
	json_t *out = capability_sets(set);
	json_decref(set);
	return out;
}

/* A line of /etc/passwd or /etc/group whose first field (name) or third (id) is `who`. */
static bool find_entry(const char *path, const char *who, char fields[7][256])
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[1024];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		int n = 0;
		char *p = line;
		for (; n < 7; n++) {
			char *colon = strchr(p, ':');
			snprintf(fields[n], 256, "%.*s", colon ? (int)(colon - p) : (int)strlen(p), p);
			if (!colon) {
				n++;
				break;
			}
			p = colon + 1;
		}
		for (int k = n; k < 7; k++)
			fields[k][0] = 0;
		found = strcmp(fields[0], who) == 0 || (fields[2][0] && strcmp(fields[2], who) == 0);
	}
	fclose(f);
	return found;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "user", "uid", "user:group", "uid:gid", with group_add; resolved against the rootfs like docker does. */
static int resolve_user(const struct cc_bundle_input *in, const char *user, json_t **out, char **home,
			struct cc_error **err)
{
	cleanup_free char *copy = cc_xstrdup(user && *user ? user : "0");
	char *group = strchr(copy, ':');
	if (group)
		*group++ = 0;
	cleanup_free char *passwd = cc_xasprintf("%s/etc/passwd", in->rootfs);
	cleanup_free char *groupf = cc_xasprintf("%s/etc/group", in->rootfs);
	char f[7][256];
	long uid, gid;
	if (find_entry(passwd, copy, f)) {
		uid = strtol(f[2], NULL, 10);
		gid = strtol(f[3], NULL, 10);
		*home = cc_xstrdup(f[5][0] ? f[5] : "/");
	} else if (all_digits(copy)) {
		uid = strtol(copy, NULL, 10);
		gid = uid == 0 ? 0 : uid;
		*home = cc_xstrdup("/");
	} else {
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "unable to find user %s: no matching entries in passwd "
				    "file",
				    copy);
	}
	if (group) {
		if (find_entry(groupf, group, f))
			gid = strtol(f[2], NULL, 10);
		else if (all_digits(group))
			gid = strtol(group, NULL, 10);
		else {
			free(*home);
			*home = NULL;
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "unable to find group %s: no matching entries in "
					    "group file",
					    group);
		}
	}
	json_t *extra = json_array();
	for (char *const *g = in->spec->group_add; g && *g; g++) {
		if (find_entry(groupf, *g, f))
			json_array_append_new(extra, json_integer(strtol(f[2], NULL, 10)));
		else if (all_digits(*g))
			json_array_append_new(extra, json_integer(strtol(*g, NULL, 10)));
		else {
			json_decref(extra);
			free(*home);
			*home = NULL;
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "group_add: unable to find group %s", *g);
		}
	}
	*out =
	    json_pack("{sI sI so}", "uid", (json_int_t)uid, "gid", (json_int_t)gid, "additionalGids", extra);
	return 0;
}

/* KEY=VALUE lists: the image's, then the spec's overriding by key; HOSTNAME and a default PATH. */
static json_t *environment(const struct cc_bundle_input *in, const char *hostname, const char *home)
{
	json_t *keys = json_object(); /* key -> index in out */
	json_t *out = json_array();
	char *const *lists[] = {in->image ? in->image->env : NULL, in->spec->env};
	cleanup_free char *h = cc_xasprintf("HOSTNAME=%s", hostname);
	json_array_append_new(out, json_string(h));
	json_object_set_new(keys, "HOSTNAME", json_integer(0));
	for (size_t l = 0; l < 2; l++) {
		for (char *const *e = lists[l]; e && *e; e++) {
			const char *eq = strchr(*e, '=');
			cleanup_free char *k = eq ? cc_xstrndup(*e, (size_t)(eq - *e)) : cc_xstrdup(*e);
			json_t *at = json_object_get(keys, k);
			if (at)
				json_array_set_new(out, (size_t)json_integer_value(at), json_string(*e));
			else {
				json_object_set_new(keys, k, json_integer((json_int_t)json_array_size(out)));
				json_array_append_new(out, json_string(*e));
			}
		}
	}
	if (!json_object_get(keys, "PATH"))
		json_array_append_new(
		    out, json_string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	if (!json_object_get(keys, "HOME")) {
		cleanup_free char *hm = cc_xasprintf("HOME=%s", home);
		json_array_append_new(out, json_string(hm));
	}
	json_decref(keys);
	return out;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},         {"fsize", RLIMIT_FSIZE},
    {"locks", RLIMIT_LOCKS},       {"memlock", RLIMIT_MEMLOCK},
    {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},     {"nproc", RLIMIT_NPROC},
    {"rss", RLIMIT_RSS},           {"rtprio", RLIMIT_RTPRIO},
    {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
};

/* One rlimit, clamped to what this process may grant (CAP_SYS_RESOURCE may be missing even for root). */
static json_t *rlimit(const char *name, int resource, int64_t soft, int64_t hard)
{
	struct rlimit host;
	getrlimit(resource, &host);
	uint64_t h = hard < 0 ? host.rlim_max : (uint64_t)hard;
	uint64_t s = soft < 0 ? h : (uint64_t)soft;
	if (host.rlim_max != RLIM_INFINITY && h > host.rlim_max)
		h = host.rlim_max;
	if (s > h)
		s = h;
	char type[32];
	snprintf(type, sizeof(type), "RLIMIT_");
	for (size_t i = 0; name[i] && i < 20; i++)
		type[7 + i] = (char)toupper((unsigned char)name[i]), type[8 + i] = 0;
	return json_pack("{ss sI sI}", "type", type, "hard", (json_int_t)h, "soft", (json_int_t)s);
}

static int rlimits(const struct cc_container_spec *spec, json_t **out, struct cc_error **err)
{
	json_t *a = json_array();
	bool nofile = false;
	for (size_t i = 0; i < spec->nulimits; i++) {
		const struct cc_ulimit *u = &spec->ulimits[i];
		int res = -1;
		for (size_t k = 0; k < sizeof(rlimit_names) / sizeof(rlimit_names[0]); k++)
			if (strcmp(rlimit_names[k].name, u->name) == 0)
				res = rlimit_names[k].resource;
		if (res < 0) {
			json_decref(a);
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "ulimits: unknown limit %s",
					    u->name);
		}
		nofile |= res == RLIMIT_NOFILE;
		json_array_append_new(a, rlimit(u->name, res, u->soft, u->hard));
	}
	/* docker's default open-files limit, within what the host allows */
	if (!nofile)
		json_array_append_new(a, rlimit("nofile", RLIMIT_NOFILE, 1048576, 1048576));
	*out = a;
	return 0;
}

static json_t *mount(const char *dest, const char *type, const char *source, const char *const *options)
{
	json_t *opts = json_array();
	for (const char *const *o = options; o && *o; o++)
		json_array_append_new(opts, json_string(*o));
	return json_pack("{ss ss ss so}", "destination", dest, "type", type, "source", source, "options",
			 opts);
}

/* A service's `tmpfs` entry, PATH or PATH:OPTIONS as docker's --tmpfs takes it (`/run:size=64k,mode=1777`):
 * the options follow nosuid and nodev, so one of them can undo those. */
static json_t *service_tmpfs(const char *entry)
{
	const char *colon = strchr(entry, ':');
	cleanup_free char *dest = colon ? cc_xstrndup(entry, (size_t)(colon - entry)) : cc_xstrdup(entry);
	json_t *opts = json_pack("[ss]", "nosuid", "nodev");
	if (colon) {
		cleanup_free char *list = cc_xstrdup(colon + 1);
		char *save = NULL;
		for (char *o = strtok_r(list, ",", &save); o; o = strtok_r(NULL, ",", &save))
			json_array_append_new(opts, json_string(o));
	}
	return json_pack("{ss ss ss so}", "destination", dest, "type", "tmpfs", "source", "tmpfs", "options",
			 opts);
}

static int mounts(const struct cc_bundle_input *in, json_t **out, struct cc_error **err)
{
	const struct cc_container_spec *spec = in->spec;
	json_t *m = json_array();
	char shm[64];
	snprintf(shm, sizeof(shm), "size=%lldk",
		 (long long)(spec->shm_size > 0 ? spec->shm_size / 1024 : 65536));
	json_array_append_new(
	    m, mount("/proc", "proc", "proc", (const char *[]){"nosuid", "noexec", "nodev", NULL}));
	json_array_append_new(
	    m, mount("/dev", "tmpfs", "tmpfs",
		     (const char *[]){"nosuid", "strictatime", "mode=755", "size=65536k", NULL}));
	json_array_append_new(m, mount("/dev/pts", "devpts", "devpts",
				       (const char *[]){"nosuid", "noexec", "newinstance", "ptmxmode=0666",
							"mode=0620", "gid=5", NULL}));
	json_array_append_new(
	    m, mount("/sys", "sysfs", "sysfs",
		     (const char *[]){"nosuid", "noexec", "nodev", spec->privileged ? "rw" : "ro", NULL}));
	json_array_append_new(m,
			      mount("/sys/fs/cgroup", "cgroup", "cgroup",
				    (const char *[]){"nosuid", "noexec", "nodev", "relatime", "ro", NULL}));
	json_array_append_new(
	    m, mount("/dev/mqueue", "mqueue", "mqueue", (const char *[]){"nosuid", "noexec", "nodev", NULL}));
	json_array_append_new(m,
			      mount("/dev/shm", "tmpfs", "shm",
				    (const char *[]){"nosuid", "noexec", "nodev", "mode=1777", shm, NULL}));
	const char *files[][2] = {{"/etc/hosts", in->hosts_file},
				  {"/etc/resolv.conf", in->resolv_file},
				  {"/etc/hostname", in->hostname_file}};
	for (size_t i = 0; i < 3; i++)
		if (files[i][1])
			json_array_append_new(
			    m, mount(files[i][0], "bind", files[i][1],
				     (const char *[]){"rbind", "ro", "nosuid", "nodev", NULL}));
	for (size_t i = 0; i < spec->nmounts; i++) {
		const struct cc_mount *mt = &spec->mounts[i];
		if (!mt->target || mt->target[0] != '/') {
			json_decref(m);
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "volumes[%zu]: the target must be an absolute path", i);
		}
		const char *ro = mt->read_only ? "ro" : "rw";
		if (mt->type == CC_MOUNT_TMPFS) {
			char size[64], mode[32];
			snprintf(size, sizeof(size), "size=%lld", (long long)mt->tmpfs_size);
			snprintf(mode, sizeof(mode), "mode=%llo", (unsigned long long)mt->tmpfs_mode);
			const char *opts[] = {"nosuid", "nodev", ro, NULL, NULL, NULL};
			size_t k = 3;
			if (mt->tmpfs_size > 0)
				opts[k++] = size;
			if (mt->tmpfs_mode > 0)
				opts[k++] = mode;
			json_array_append_new(m, mount(mt->target, "tmpfs", "tmpfs", opts));
			continue;
		}
		const char *source = mt->source;
		if (mt->type == CC_MOUNT_VOLUME) {
			source = mt->source && in->volume_path ? in->volume_path(in->volume_ctx, mt->source)
							       : NULL;
			if (!source) {
				json_decref(m);
				return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
						    "volumes[%zu]: volume %s has no directory", i,
						    mt->source ? mt->source : "(anonymous)");
			}
		}
		if (!source || source[0] != '/') {
			json_decref(m);
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "volumes[%zu]: the source must be an absolute path", i);
		}
		/* the engine checked that the subpath stays inside the volume (native_volume_subpath) */
		cleanup_free char *within = mt->type == CC_MOUNT_VOLUME && mt->subpath
						? cc_xasprintf("%s/%s", source, mt->subpath)
						: NULL;
		json_array_append_new(m, mount(mt->target, "bind", within ? within : source,
					       (const char *[]){"rbind", ro, NULL}));
	}
	for (char *const *t = spec->tmpfs; t && *t; t++)
		json_array_append_new(m, service_tmpfs(*t));
	*out = m;
	return 0;
}

static bool uts_host(const struct cc_container_spec *spec)
{
	return spec->uts_mode && strcmp(spec->uts_mode, "host") == 0;
}

const char *cc_bundle_hostname(const struct cc_container_spec *spec, const char *id, char *buf, size_t len)
{
	if (spec->hostname)
		return spec->hostname;
	if (uts_host(spec) && gethostname(buf, len) == 0) {
		buf[len - 1] = 0;
		return buf;
	}
	snprintf(buf, len, "%.12s", id ? id : "container");
	return buf;
}

static json_t *namespaces(const struct cc_bundle_input *in)
{
	json_t *ns = json_array();
	/* each: a new namespace (NULL), the host's (none in the list), or another's to join (its path) */
	const struct {
		const char *type, *path;
	} list[] = {
	    {"pid", in->pidns_path}, {"ipc", in->ipcns_path}, {"uts", uts_host(in->spec) ? "host" : NULL},
	    {"mount", NULL},         {"cgroup", NULL},        {"network", in->netns_path}};
	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		if (!list[i].path)
			json_array_append_new(ns, json_pack("{ss}", "type", list[i].type));
		else if (strcmp(list[i].path, "host") != 0)
			json_array_append_new(
			    ns, json_pack("{ss ss}", "type", list[i].type, "path", list[i].path));
	}
	return ns;
}

static json_t *resources(const struct cc_container_spec *spec)
{
	json_t *r = json_pack("{s[{sb ss}]}", "devices", "allow", false, "access", "rwm");
	if (spec->memory > 0 || spec->memory_reservation > 0) {
		json_t *mem = json_object();
		if (spec->memory > 0)
			json_object_set_new(mem, "limit", json_integer(spec->memory));
		if (spec->memory_reservation > 0)
			json_object_set_new(mem, "reservation", json_integer(spec->memory_reservation));
		if (spec->memswap > 0)
			json_object_set_new(mem, "swap", json_integer(spec->memswap));
		json_object_set_new(r, "memory", mem);
	}
	if (spec->nano_cpus > 0 || spec->cpu_shares > 0 || spec->cpu_period > 0 || spec->cpu_quota > 0 ||
	    (spec->cpuset && *spec->cpuset)) {
		json_t *cpu = json_object();
		if (spec->nano_cpus > 0) {
			/* cpus: 1.5 -> 150000us of each 100000us period */
			json_object_set_new(cpu, "period", json_integer(100000));
			json_object_set_new(cpu, "quota", json_integer(spec->nano_cpus / 10000));
		}
		/* cpu_period and cpu_quota, as docker takes them, say it directly */
		if (spec->cpu_period > 0)
			json_object_set_new(cpu, "period", json_integer(spec->cpu_period));
		if (spec->cpu_quota > 0)
			json_object_set_new(cpu, "quota", json_integer(spec->cpu_quota));
		if (spec->cpu_shares > 0)
			json_object_set_new(cpu, "shares", json_integer(spec->cpu_shares));
		if (spec->cpuset && *spec->cpuset)
			json_object_set_new(cpu, "cpus", json_string(spec->cpuset));
		json_object_set_new(r, "cpu", cpu);
	}
	if (spec->pids_limit > 0)
		json_object_set_new(r, "pids", json_pack("{sI}", "limit", (json_int_t)spec->pids_limit));
	return r;
}

int cc_bundle_config(const struct cc_bundle_input *in, json_t **out, struct cc_error **err)
{
	const struct cc_container_spec *spec = in->spec;
	const struct cc_image *img = in->image;
	/* docker's rules: an entrypoint given in the spec drops the image's command too */
	char *const *entry = spec->has_entrypoint ? spec->entrypoint : img ? img->entrypoint : NULL;
	char *const *cmd = spec->has_cmd ? spec->cmd : spec->has_entrypoint ? NULL : img ? img->cmd : NULL;
	if (spec->init && !in->init_path)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				    "init: true needs an init binary (catatonit or tini)");
	if (spec->uts_mode && !uts_host(spec))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "uts: unsupported mode \"%s\": use host",
				    spec->uts_mode);
	/* the host's UTS namespace has the host's names: a container cannot set its own there (docker:
	 * "conflicting options") */
	if (uts_host(spec) &&
	    ((spec->hostname && *spec->hostname) || (spec->domainname && *spec->domainname)))
		return cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT,
		    "uts: host shares the host's hostname: hostname and domainname cannot be set");
	json_t *args = json_array();
	if (spec->init) {
		json_array_append_new(args, json_string(in->init_path));
		json_array_append_new(args, json_string("--"));
	}
	size_t before = json_array_size(args);
	for (char *const *a = entry; a && *a; a++)
		json_array_append_new(args, json_string(*a));
	for (char *const *a = cmd; a && *a; a++)
		json_array_append_new(args, json_string(*a));
	if (json_array_size(args) == before) {
		json_decref(args);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "no command specified: the image has none and the "
				    "service sets neither command nor entrypoint");
	}
	char hostbuf[HOST_NAME_MAX + 1];
	const char *hostname =
	    in->hostname ? in->hostname : cc_bundle_hostname(spec, in->id, hostbuf, sizeof(hostbuf));
	json_t *user = NULL, *caps = NULL, *limits = NULL, *mnts = NULL;
	cleanup_free char *home = NULL;
	const char *who = spec->user ? spec->user : img ? img->user : NULL;
	int r = resolve_user(in, who, &user, &home, err);
	if (r == 0)
		r = capabilities(spec, &caps, err);
	if (r == 0)
		r = rlimits(spec, &limits, err);
	if (r == 0)
		r = mounts(in, &mnts, err);
	if (r < 0) {
		json_decref(args);
		json_decref(user);
		json_decref(caps);
		json_decref(limits);
		return -1;
	}
	const char *cwd = spec->working_dir                              ? spec->working_dir
			  : img && img->working_dir && *img->working_dir ? img->working_dir
									 : "/";
	json_t *process = json_pack("{sb so so so ss so so sb}", "terminal", spec->tty, "user", user, "args",
				    args, "env", environment(in, hostname, home), "cwd", cwd, "capabilities",
				    caps, "rlimits", limits, "noNewPrivileges", !spec->privileged);
	if (spec->oom_score_adj)
		json_object_set_new(process, "oomScoreAdj", json_integer(spec->oom_score_adj));
	json_t *linux_ = json_pack("{so so}", "namespaces", namespaces(in), "resources", resources(spec));
	if (!spec->privileged) {
		json_object_set_new(linux_, "maskedPaths", strings((char *const *)masked_paths));
		json_object_set_new(linux_, "readonlyPaths", strings((char *const *)readonly_paths));
	}
	bool domain = spec->domainname && *spec->domainname;
	if (spec->sysctls.n || domain) {
		json_t *sc = json_object();
		/* runc 1.1 ignores the spec's `domainname`; the UTS namespace's sysctl sets it in both
		 * runtimes (a service's own sysctl for it comes after, and wins) */
		if (domain)
			json_object_set_new(sc, "kernel.domainname", json_string(spec->domainname));
		for (size_t i = 0; i < spec->sysctls.n; i++)
			json_object_set_new(sc, spec->sysctls.items[i].key,
					    json_string(spec->sysctls.items[i].value));
		json_object_set_new(linux_, "sysctl", sc);
	}
	*out = json_pack("{ss so so so so}", "ociVersion", "1.0.2", "process", process, "root",
			 json_pack("{ss sb}", "path", in->rootfs, "readonly", spec->read_only), "mounts",
			 mnts, "linux", linux_);
	if (!uts_host(spec))
		json_object_set_new(*out, "hostname", json_string(hostname));
	if (domain)
		json_object_set_new(*out, "domainname", json_string(spec->domainname));
	return 0;
}
