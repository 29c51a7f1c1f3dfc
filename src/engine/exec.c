/* exec and top for native containers: the OCI runtime's exec runs a process in the container's namespaces
 * and cgroup and exits with its status; top lists the processes of the container's cgroup as `ps -f` sees
 * them (what `runc ps` does, which crun's ps does not). */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/cgroup.h"
#include "engine/bundle.h"
#include "engine/native-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Output of one stream, cut into lines as they complete. */
struct line_out {
	int fd;
	enum cc_stream stream;
	struct cc_strbuf pending;
};

static int emit_lines(struct line_out *o, const char *name, const struct cc_log_sink *sink, bool flush)
{
	for (;;) {
		char *nl = o->pending.len ? memchr(o->pending.buf, '\n', o->pending.len) : NULL;
		if (!nl && !(flush && o->pending.len))
			return 0;
		size_t len = nl ? (size_t)(nl - o->pending.buf) : o->pending.len;
		struct cc_log_frame f = {name, o->stream, cc_now_ns(), o->pending.buf, len};
		int r = sink && sink->emit ? sink->emit(sink->ctx, &f) : 0;
		size_t used = nl ? len + 1 : len;
		memmove(o->pending.buf, o->pending.buf + used, o->pending.len - used);
		cc_strbuf_truncate(&o->pending, o->pending.len - used);
		if (r < 0)
			return -1;
	}
}

/* Set NAME=VALUE in env, in place of an earlier NAME. */
static void env_set(cc_strv *env, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (char **e = *env; e && *e; e++)
		if (strncmp(*e, kv, klen) == 0 && ((*e)[klen] == '=' || (*e)[klen] == '\0')) {
			free(*e);
			*e = cc_xstrdup(kv);
			return;
		}
	cc_strv_push(env, kv);
}

static void unlink_free(char **path)
{
	if (*path)
		unlink(*path);
	free(*path);
}

/* "UID[:GID]" into the process's user (as runc's and crun's --user read it). */
static int set_user(json_t *proc, const char *spec, struct cc_error **err)
{
	char *end;
	errno = 0;
	unsigned long uid = strtoul(spec, &end, 10), gid = 0;
	bool ok = end != spec && errno == 0 && uid <= UINT32_MAX && (*end == '\0' || *end == ':');
	if (ok && *end == ':') {
		const char *g = end + 1;
		gid = strtoul(g, &end, 10);
		ok = end != g && *end == '\0' && errno == 0 && gid <= UINT32_MAX;
	}
	if (!ok)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "exec --user %s: UID[:GID] expected", spec);
	json_object_set_new(proc, "user",
			    json_pack("{s:I,s:I}", "uid", (json_int_t)uid, "gid", (json_int_t)gid));
	return 0;
}

/* The runtime's exec gets the process as a file: the container's own process (its bundle's: capabilities,
 * rlimits, user...) with the command, the environment (the container's, then TERM for a terminal, then -e, a
 * later value of a name replacing an earlier one), the terminal, -u and -w. Flags would not do: crun 1.8's
 * `exec --env` replaces the container's environment where runc's adds to it (without the container's PATH
 * crun finds no command), and the whole environment on the command line would show the container's secrets
 * to anyone on the host in /proc/<pid>/cmdline. The file is 0600, in the container's directory. */
static int write_process_file(const char *dir, const char *file, const struct cc_exec_opts *opts,
			      bool terminal, struct cc_error **err)
{
	cleanup_free char *cfg_path = cc_xasprintf("%s/config.json", dir);
	json_error_t je;
	json_t *cfg = json_load_file(cfg_path, 0, &je);
	if (!cfg)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "exec: cannot read %s: %s", cfg_path,
				    je.text);
	json_t *proc = json_deep_copy(json_object_get(cfg, "process"));
	json_decref(cfg);
	if (!json_is_object(proc)) {
		json_decref(proc);
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "exec: %s has no process", cfg_path);
	}
	cc_strv env = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(proc, "env"), i, v)
	{
		if (json_is_string(v))
			env_set(&env, json_string_value(v));
	}
	if (terminal)
		env_set(&env, "TERM=xterm");
	for (char *const *e = opts->env; e && *e; e++)
		env_set(&env, *e);
	json_t *env_json = json_array(), *args = json_array();
	for (char *const *e = env; e && *e; e++)
		json_array_append_new(env_json, json_string(*e));
	cc_strv_free(env);
	for (char *const *a = opts->argv; *a; a++)
		json_array_append_new(args, json_string(*a));
	json_object_set_new(proc, "env", env_json);
	json_object_set_new(proc, "args", args);
	json_object_set_new(proc, "terminal", json_boolean(terminal));
	json_object_del(proc, "consoleSize");
	if (opts->working_dir)
		json_object_set_new(proc, "cwd", json_string(opts->working_dir));
	/* exec --privileged: every capability, as docker gives it, whatever the container has */
	if (opts->privileged) {
		json_object_set_new(proc, "capabilities", cc_bundle_all_capabilities());
		json_object_set_new(proc, "noNewPrivileges", json_false());
	}
	int r = opts->user ? set_user(proc, opts->user, err) : 0;
	cleanup_free char *path = cc_xasprintf("%s/%s", dir, file);
	int fd = r == 0 ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : -1;
	if (r == 0 && (fd < 0 || json_dumpfd(proc, fd, JSON_COMPACT) < 0))
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "exec: write %s", path);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		unlink(path);
	json_decref(proc);
	return r;
}

int native_container_exec(void *self, const char *ref, const struct cc_exec_opts *opts,
			  const struct cc_log_sink *sink, int *exit_code, struct cc_error **err)
{
	struct native *n = self;
	struct cc_container c;
	if (native_running(self, ref, &c, err) < 0)
		return -1;
	struct native_oci oci;
	if (native_oci_of(n, c.id, &oci, err) < 0) {
		cc_container_release(&c);
		return -1;
	}
	const struct cc_exec_stdio *io = opts->stdio;
	bool terminal = opts->tty && !opts->detach && io && io->terminal >= 0;
	cleanup_free char *dir = native_container_dir(n, c.id);
	char tag[17], socket_name[32], pid_file[32], process_file[32];
	cc_random_hex(tag, 8);
	snprintf(socket_name, sizeof(socket_name), "exec-%s.sock", tag);
	snprintf(pid_file, sizeof(pid_file), "exec-%s.pid", tag);
	snprintf(process_file, sizeof(process_file), "exec-%s.json", tag);
	if (write_process_file(dir, process_file, opts, terminal, err) < 0) {
		native_oci_release(&oci);
		cc_container_release(&c);
		return -1;
	}
	/* removed when this call returns: the runtime has read it by then */
	char *process_path __attribute__((cleanup(unlink_free))) = cc_xasprintf("%s/%s", dir, process_file);
	cc_strv argv = NULL;
	native_oci_argv(n, &oci, &argv);
	native_oci_release(&oci);
	cc_strv_push(&argv, "exec");
	/* the runtime allocates the pty and hands it over; termrelay.c copies both ways */
	if (terminal) {
		const char *const args[] = {"--detach",  "--tty",      "--console-socket",
					    socket_name, "--pid-file", pid_file};
		for (size_t i = 0; i < sizeof(args) / sizeof(*args); i++)
			cc_strv_push(&argv, args[i]);
	}
	if (opts->detach)
		cc_strv_push(&argv, "--detach");
	cc_strv_push(&argv, "--process");
	cc_strv_push(&argv, process_path);
	cc_strv_push(&argv, c.id);
	cleanup_free char *name = cc_xstrdup(c.name);
	cc_container_release(&c);
	if (terminal) {
		pid_t pid = native_exec_terminal(dir, socket_name, pid_file, argv, io->terminal);
		cc_strv_free(argv);
		int code = pid > 0 ? native_wait_status(pid) : -1;
		if (code < 0)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "exec in %s", name);
		*exit_code = code;
		return 0;
	}

	if (opts->detach) {
		/* the process keeps whatever it is given: pipes would hold this call until it ends */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		pid_t pid = null < 0 ? -1 : native_spawn(argv, null, null, null);
		if (null >= 0)
			close(null);
		cc_strv_free(argv);
		int code = pid > 0 ? native_wait_status(pid) : -1;
		if (code < 0)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "exec in %s", name);
		if (code != 0)
			return cc_error_set(
			    err, CC_ERR_BACKEND_FAILURE,
			    "exec in %s: the runtime could not start %s (exit status %d; a detached "
			    "command's errors are not kept)",
			    name, opts->argv[0], code);
		*exit_code = 0;
		return 0;
	}
	int outp[2], errp[2];
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(outp, O_CLOEXEC) < 0) {
		cc_strv_free(argv);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "exec in %s", name);
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(outp[0]);
		close(outp[1]);
		close(devnull);
		cc_strv_free(argv);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "exec in %s", name);
	}
	pid_t pid = native_spawn(argv, io && io->in >= 0 ? io->in : devnull, outp[1], errp[1]);
	close(outp[1]);
	close(errp[1]);
	close(devnull);
	cc_strv_free(argv);
	struct line_out outs[2] = {{outp[0], CC_STREAM_STDOUT, CC_STRBUF_INIT},
				   {errp[0], CC_STREAM_STDERR, CC_STRBUF_INIT}};
	bool cancelled = false;
	int open_fds = 2;
	while (pid > 0 && open_fds > 0 && !cancelled) {
		struct pollfd p[2] = {{outs[0].fd, POLLIN, 0}, {outs[1].fd, POLLIN, 0}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (outs[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[4096];
			ssize_t r = read(outs[i].fd, buf, sizeof(buf));
			if (r <= 0) {
				close(outs[i].fd);
				outs[i].fd = -1;
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			cc_strbuf_add(&outs[i].pending, buf, (size_t)r);
			if (emit_lines(&outs[i], name, sink, false) < 0)
				cancelled = true;
		}
	}
	for (int i = 0; i < 2; i++) {
		if (!cancelled && emit_lines(&outs[i], name, sink, true) < 0)
			cancelled = true;
		if (outs[i].fd >= 0)
			close(outs[i].fd);
		cc_strbuf_release(&outs[i].pending);
	}
	if (pid < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "exec in %s", name);
	int code = native_wait_status(pid);
	if (code < 0)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "exec in %s: lost the runc process", name);
	*exit_code = code;
	return 0;
}

/* The pids of the container's cgroup, comma-separated for ps -p (owned; NULL when none can be read). */
static char *cgroup_pids(const char *id)
{
	cleanup_free char *path = native_cgroup_file(id, "pids", "cgroup.procs", "cgroup.procs");
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	long pid;
	while (fscanf(f, "%ld", &pid) == 1)
		cc_strbuf_addf(&sb, "%s%ld", sb.len ? "," : "", pid);
	fclose(f);
	return cc_strbuf_detach(&sb, NULL);
}

int native_container_top(void *self, const char *ref, struct cc_top *out, struct cc_error **err)
{
	struct cc_container c;
	if (native_running(self, ref, &c, err) < 0)
		return -1;
	cleanup_free char *pids = cgroup_pids(c.id);
	if (!pids || !*pids) {
		cc_error_set(err, CC_ERR_BACKEND_FAILURE, "top %s: no processes in its cgroup", c.name);
		cc_container_release(&c);
		return -1;
	}
	char *const argv[] = {(char *)"/bin/ps", (char *)"-f", (char *)"-p", pids, NULL};
	int p[2];
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || pipe2(p, O_CLOEXEC) < 0) {
		cc_container_release(&c);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "top %s", ref);
	}
	pid_t pid = native_spawn(argv, devnull, p[1], devnull);
	close(p[1]);
	close(devnull);
	cleanup_strbuf struct cc_strbuf text = CC_STRBUF_INIT;
	char buf[4096];
	ssize_t r;
	while (pid > 0 && (r = read(p[0], buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		cc_strbuf_add(&text, buf, (size_t)r);
	}
	close(p[0]);
	int code = pid > 0 ? native_wait_status(pid) : -1;
	if (code != 0 || !text.len) {
		cc_error_set(err, CC_ERR_BACKEND_FAILURE, "top %s: ps failed", c.name);
		cc_container_release(&c);
		return -1;
	}
	cc_container_release(&c);
	/* ps -ef: the titles, then rows whose last column (CMD) keeps its spaces */
	memset(out, 0, sizeof(*out));
	char *save = NULL;
	size_t ncols = 0;
	for (char *line = strtok_r(text.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cc_strv row = cc_xcalloc(1, sizeof(char *));
		char *p2 = line;
		for (size_t col = 0; *p2; col++) {
			while (*p2 == ' ')
				p2++;
			if (!*p2)
				break;
			if (ncols && col == ncols - 1) {
				cc_strv_push(&row, p2);
				break;
			}
			char *end = p2 + strcspn(p2, " ");
			char saved = *end;
			*end = 0;
			cc_strv_push(&row, p2);
			*end = saved;
			p2 = end;
		}
		if (!out->titles) {
			out->titles = row;
			ncols = cc_strv_len(row);
			continue;
		}
		out->rows = cc_xrealloc(out->rows, (out->nrows + 1) * sizeof(*out->rows));
		out->rows[out->nrows++] = row;
	}
	return 0;
}
