/* RUN's process: an OCI bundle from the same generator containers use (namespaces, capabilities, rlimits,
 * the default seccomp profile), run in the foreground with `runc run`, its output read line by line into
 * "log" frames as it comes. The step's network is the host's (docker build's default bridge would need a
 * network per build; see docs/design/builder.md) or none. */
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/random.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/build/build-internal.h"
#include "engine/bundle.h"
#include "engine/cgroup.h"
#include "engine/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define BUILD_HOSTNAME "buildkitsandbox"

/* hosts, resolv.conf and hostname for the steps, written once per build. */
static int step_files(struct build *b, struct cc_error **err)
{
	cleanup_free char *hosts = cc_xasprintf("%s/hosts", b->tmp);
	if (cc_file_exists(hosts))
		return 0;
	cleanup_strbuf struct cc_strbuf h = CC_STRBUF_INIT;
	cc_strbuf_addf(&h, "127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost ip6-loopback\n",
		       BUILD_HOSTNAME);
	for (char *const *x = b->opts->extra_hosts; x && *x; x++) {
		const char *sep = strpbrk(*x, "=:");
		if (!sep)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "extra_hosts: \"%s\" is not HOST:IP", *x);
		cc_strbuf_addf(&h, "%s\t%.*s\n", sep + 1, (int)(sep - *x), *x);
	}
	char *resolv = NULL;
	size_t rlen = 0;
	struct cc_error *e = NULL;
	if (cc_read_file("/etc/resolv.conf", &resolv, &rlen, &e) < 0)
		cc_error_free(e), resolv = cc_xstrdup(""), rlen = 0;
	const char *files[][2] = {
	    {"hosts", cc_strbuf_str(&h)}, {"resolv.conf", resolv}, {"hostname", BUILD_HOSTNAME "\n"}};
	int r = 0;
	for (size_t i = 0; i < 3 && r == 0; i++) {
		cleanup_free char *path = cc_xasprintf("%s/%s", b->tmp, files[i][0]);
		cleanup_free char *tmp = cc_xasprintf("%s.tmp", path);
		r = cc_write_file_atomic(path, tmp, files[i][1], strlen(files[i][1]), 0644, false, err);
	}
	free(resolv);
	return r;
}

static int write_config(struct build *b, const char *dir, const char *rootfs, const char *id,
			const struct build_process *p, struct cc_error **err)
{
	struct cc_container_spec spec = {
	    .has_entrypoint = true,
	    .has_cmd = true,
	    .cmd = p->argv,
	    .env = p->env,
	    .working_dir = (char *)(p->cwd && *p->cwd ? p->cwd : "/"),
	    .user = (char *)(p->user && *p->user ? p->user : NULL),
	    .shm_size = b->opts->shm_size,
	};
	char *no_entrypoint[] = {NULL};
	spec.entrypoint = no_entrypoint;
	cleanup_free char *hosts = cc_xasprintf("%s/hosts", b->tmp);
	cleanup_free char *resolv = cc_xasprintf("%s/resolv.conf", b->tmp);
	cleanup_free char *hostname = cc_xasprintf("%s/hostname", b->tmp);
	struct cc_bundle_input in = {
	    .spec = &spec,
	    .rootfs = rootfs,
	    .hostname = BUILD_HOSTNAME,
	    .id = id,
	    .netns_path = p->network_none ? NULL : "host",
	    .hosts_file = hosts,
	    .resolv_file = resolv,
	    .hostname_file = hostname,
	};
	json_t *cfg;
	if (cc_bundle_config(&in, &cfg, err) < 0)
		return -1;
	json_t *linux_ = json_object_get(cfg, "linux");
	cleanup_free char *cgroup = native_cgroup_path(id);
	json_object_set_new(linux_, "cgroupsPath", json_string(cgroup));
	json_object_set_new(json_object_get(cfg, "process"), "terminal", json_false());
	json_array_extend(json_object_get(cfg, "mounts"), p->mounts);
	json_t *filter;
	struct cc_error *e = NULL;
	json_t *caps =
	    json_object_get(json_object_get(json_object_get(cfg, "process"), "capabilities"), "bounding");
	if (native_seccomp_load(native_seccomp_default_path(), caps, &filter, &e) == 0)
		json_object_set_new(linux_, "seccomp", filter);
	else if (e->kind == CC_ERR_NOT_FOUND)
		cc_error_free(e);
	else {
		json_decref(cfg);
		*err = e;
		return -1;
	}
	cleanup_free char *path = cc_xasprintf("%s/config.json", dir);
	int r = json_dump_file(cfg, path, JSON_COMPACT);
	json_decref(cfg);
	if (r < 0)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "write %s", path);
	return 0;
}

/* Each complete line read as a "log" frame; a partial line waits for the rest (or the end). */
static void relay(struct build *b, int fd)
{
	cleanup_strbuf struct cc_strbuf pending = CC_STRBUF_INIT;
	char buf[8192];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		cc_strbuf_add(&pending, buf, (size_t)n);
		char *start = pending.buf, *nl;
		while ((nl = memchr(start, '\n', pending.len - (size_t)(start - pending.buf)))) {
			*nl = '\0';
			build_say(b, "log", "%s", start);
			start = nl + 1;
		}
		size_t rest = pending.len - (size_t)(start - pending.buf);
		memmove(pending.buf, start, rest);
		cc_strbuf_truncate(&pending, rest);
	}
	if (pending.len)
		build_say(b, "log", "%s", cc_strbuf_str(&pending));
}

int build_process_run(struct build *b, const char *dir, const char *rootfs, const struct build_process *p,
		      int *code, struct cc_error **err)
{
	char id[65];
	cc_random_hex(id, 32);
	struct native_oci oci;
	if (step_files(b, err) < 0 || write_config(b, dir, rootfs, id, p, err) < 0 ||
	    native_oci_default(b->n, &oci, err) < 0)
		return -1;
	cc_strv argv = NULL;
	native_oci_argv(b->n, &oci, &argv);
	const char *const args[] = {"run", "--bundle", dir, id};
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		cc_strv_push(&argv, args[i]);
	int pipefd[2];
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		int e = errno;
		if (null >= 0)
			close(null);
		cc_strv_free(argv);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "run step");
	}
	pid_t pid = native_spawn(argv, null, pipefd[1], pipefd[1]);
	close(pipefd[1]);
	close(null);
	if (pid > 0)
		relay(b, pipefd[0]);
	close(pipefd[0]);
	*code = pid > 0 ? native_wait_status(pid) : -1;
	/* runc run removes what it made when the process ends; a failure half way may leave its state */
	cc_strv del = NULL;
	cc_strv_push(&del, "delete");
	cc_strv_push(&del, "--force");
	cc_strv_push(&del, id);
	struct cc_error *e = NULL;
	if (*code != 0 && native_oci_call(b->n, &oci, del, &e) < 0)
		cc_error_free(e);
	native_oci_release(&oci);
	cc_strv_free(del);
	native_cgroup_remove(id);
	int r = *code < 0 ? cc_error_set(err, CC_ERR_BACKEND_FAILURE, "could not run %s", argv[0]) : 0;
	cc_strv_free(argv);
	return r;
}
