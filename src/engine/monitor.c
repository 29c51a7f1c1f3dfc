/* The per-container monitor and the runc executor.
 *
 * The monitor is forked by the start call, detaches (setsid, a second fork, so the caller never has to reap
 * it) and becomes a child subreaper: the container's init, forked by `runc run --detach`, is re-parented to
 * it, so waitpid() gives the real exit status. It tells the caller over a pipe whether the container runs
 * ("ok <pid>") or why not ("error <runc's message>"), copies the container's output into <dir>/log as it
 * comes, and when the init has exited it deletes the runc container, unmounts the rootfs and writes
 * <dir>/exit. It holds none of the caller's descriptors and no store connection (native-internal.h). */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/attach.h"
#include "engine/cgroup.h"
#include "engine/health.h"
#include "engine/initproc.h"
#include "engine/journal.h"
#include "engine/native-internal.h"
#include "engine/portproxy.h"
#include "engine/rootfs.h"
#include "engine/seccomp_cache.h"
#include "runtime/codec.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define LINE_MAX_BYTES      16384 /* longer lines are split, as docker's json-file does */
#define RESTART_BACKOFF_NS  (100 * CC_NS_PER_MSEC)
#define RESTART_BACKOFF_MAX (60 * CC_NS_PER_SEC)

char *native_container_dir(const struct native *n, const char *id)
{
	return cc_xasprintf("%s/containers/%s", n->root, id);
}

/* fork + exec with the given stdio; every other descriptor is close-on-exec or closed here. */
pid_t native_spawn(char *const *argv, int in, int out, int errfd)
{
	return native_spawn_in(NULL, argv, in, out, errfd);
}

/* In a forked child whose stdio is set: argv with no other descriptor and no blocked signal. */
__attribute__((noreturn)) static void exec_clean(char *const *argv)
{
	close_range(3, ~0U, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], argv);
	_exit(127);
}

pid_t native_spawn_in(const char *cwd, char *const *argv, int in, int out, int errfd)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0 || (cwd && chdir(cwd) < 0))
		_exit(127);
	exec_clean(argv);
}

int native_wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

/* Everything readable from fd until EOF or `limit_ns` has passed. */
static void drain(int fd, struct cc_strbuf *sb, int64_t limit_ns)
{
	int64_t end = cc_monotonic_ns() + limit_ns;
	char buf[4096];
	for (;;) {
		int64_t left = end - cc_monotonic_ns();
		if (left <= 0)
			break;
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, (int)(left / 1000000) + 1) <= 0)
			break;
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		cc_strbuf_add(sb, buf, (size_t)r);
	}
}

/* runc's message from its stderr: the last non-empty line, its logfmt msg="..." when it has one. */
static char *runc_message(const char *text, const char *fallback)
{
	const char *last = NULL, *p = text;
	size_t last_len = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len)
			last = p, last_len = len;
		p += len + (nl ? 1 : 0);
	}
	if (!last)
		return cc_xstrdup(fallback);
	cleanup_free char *line = cc_xstrndup(last, last_len);
	char *msg = strstr(line, "msg=\"");
	if (!msg)
		return steal_pointer(&line);
	msg += 5;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	for (char *c = msg; *c && *c != '"'; c++) {
		if (*c == '\\' && c[1])
			c++;
		cc_strbuf_add(&sb, c, 1);
	}
	return cc_strbuf_detach(&sb, NULL);
}

int native_oci_call(const struct native *n, const struct native_oci *oci, char *const *args,
		    struct cc_error **err)
{
	cc_strv argv = NULL;
	native_oci_argv(n, oci, &argv);
	for (char *const *a = args; *a; a++)
		cc_strv_push(&argv, *a);
	int p[2];
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || pipe2(p, O_CLOEXEC) < 0) {
		int e = errno;
		if (null >= 0)
			close(null);
		cc_strv_free(argv);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "%s %s", oci->name, args[0]);
	}
	pid_t pid = native_spawn(argv, null, null, p[1]);
	close(p[1]);
	close(null);
	cleanup_strbuf struct cc_strbuf out = CC_STRBUF_INIT;
	if (pid > 0)
		drain(p[0], &out, 60 * CC_NS_PER_SEC);
	close(p[0]);
	int code = pid > 0 ? native_wait_status(pid) : -1;
	int r = 0;
	if (code != 0) {
		cleanup_free char *msg = runc_message(cc_strbuf_str(&out), "failed");
		r = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s %s: %s", oci->name, args[0], msg);
	}
	cc_strv_free(argv);
	return r;
}

int native_exit_read(const char *dir, int *code, int64_t *finished_ns, struct cc_error **err)
{
	cleanup_free char *path = cc_xasprintf("%s/exit", dir);
	cleanup_free char *data = NULL;
	size_t len;
	struct cc_error *e = NULL;
	if (cc_read_file(path, &data, &len, &e) < 0) {
		if (e->kind == CC_ERR_NOT_FOUND) {
			cc_error_free(e);
			return 0;
		}
		*err = e;
		return -1;
	}
	long long t = 0;
	if (sscanf(data, "%d %lld", code, &t) != 2)
		return cc_error_set(err, CC_ERR_INTERNAL, "%s: malformed exit record", path);
	*finished_ns = t;
	return 1;
}

/* ---- the monitor process ---- */

struct outbuf {
	int fd;
	int stream;
	bool eof;
	size_t len;
	char buf[LINE_MAX_BYTES];
};

/* One record of the log file: "<stream> <time_ns> <len>\n<data>\n", written with one write(). */
/* The container's log: <dir>/log, rotated to log.1 when it would pass NATIVE_LOG_MAX_BYTES, so a chatty
 * container keeps at most two files' worth on disk. Records are whole in one file (one write each). */
struct logfile {
	int fd;
	off_t size;
	const char *dir;
};

static int log_open(struct logfile *lf, const char *dir)
{
	cleanup_free char *path = cc_xasprintf("%s/" NATIVE_LOG_FILE, dir);
	lf->dir = dir;
	lf->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	struct stat st;
	lf->size = lf->fd >= 0 && fstat(lf->fd, &st) == 0 ? st.st_size : 0;
	return lf->fd;
}

static void log_rotate(struct logfile *lf)
{
	cleanup_free char *path = cc_xasprintf("%s/" NATIVE_LOG_FILE, lf->dir);
	cleanup_free char *old = cc_xasprintf("%s/" NATIVE_LOG_FILE ".1", lf->dir);
	if (rename(path, old) < 0)
		return;
	close(lf->fd);
	if (log_open(lf, lf->dir) < 0)
		lf->size = 0;
}

static void log_record(struct logfile *lf, int stream, const char *data, size_t len)
{
	char head[64];
	int h = snprintf(head, sizeof(head), "%d %" PRId64 " %zu\n", stream, cc_now_ns(), len);
	size_t total = (size_t)h + len + 1;
	if (lf->size > 0 && lf->size + (off_t)total > NATIVE_LOG_MAX_BYTES)
		log_rotate(lf);
	if (lf->fd < 0)
		return;
	char *rec = cc_xmalloc(total);
	memcpy(rec, head, (size_t)h);
	memcpy(rec + h, data, len);
	rec[(size_t)h + len] = '\n';
	ssize_t w = write(lf->fd, rec, total);
	if (w > 0)
		lf->size += w;
	free(rec);
}

static void pump(struct outbuf *b, struct logfile *log, struct native_attach *at)
{
	ssize_t r = read(b->fd, b->buf + b->len, sizeof(b->buf) - b->len);
	if (r > 0)
		native_attach_output(at, b->buf + b->len, (size_t)r);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		b->eof = true;
		if (b->len)
			log_record(log, b->stream, b->buf, b->len);
		b->len = 0;
		return;
	}
	b->len += (size_t)r;
	size_t start = 0;
	for (size_t i = 0; i < b->len; i++)
		if (b->buf[i] == '\n') {
			log_record(log, b->stream, b->buf + start, i - start);
			start = i + 1;
		}
	if (start == 0 && b->len == sizeof(b->buf)) {
		log_record(log, b->stream, b->buf, b->len);
		start = b->len;
	}
	memmove(b->buf, b->buf + start, b->len - start);
	b->len -= start;
}

static void runc_quiet(const struct native_run *run, const char *verb, const char *arg)
{
	char *argv[] = {(char *)run->runc,
			(char *)"--root",
			(char *)run->state,
			(char *)verb,
			(char *)arg,
			(char *)run->id,
			NULL};
	if (!arg) {
		argv[4] = (char *)run->id;
		argv[5] = NULL;
	}
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid = native_spawn(argv, null, null, null);
	close(null);
	if (pid > 0)
		native_wait_status(pid);
}

/* What `<runtime> delete` does for a container whose init has been reaped: its cgroups and its state
 * directory (<state>/<id>, plain files for runc and crun) go. Done here, it saves a runtime process (6 ms
 * for crun, tens of milliseconds for runc) on every exit; a cgroup that cannot go (still busy, sub-groups)
 * falls back to the runtime itself. */
static void delete_stopped(const struct native_run *run)
{
	cleanup_free char *state = cc_xasprintf("%s/%s", run->state, run->id);
	if (!native_cgroup_remove(run->id) || cc_remove_tree(state) < 0)
		runc_quiet(run, "delete", "--force");
}

static void finish(const struct native_run *run, int code)
{
	native_init_forget(run->dir);
	delete_stopped(run);
	struct cc_error *e = NULL;
	if (cc_rootfs_unmount(run->dir, &e) < 0)
		cc_error_free(e);
	cleanup_free char *tmp = cc_xasprintf("%s/exit.tmp", run->dir);
	cleanup_free char *path = cc_xasprintf("%s/exit", run->dir);
	FILE *f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "%d %" PRId64 "\n", code, cc_now_ns());
		fclose(f);
		rename(tmp, path);
	}
}

/* The start call's answer: "ok <pid>" or "error <message>" (one line; the pipe's EOF ends it). */
static void report(int fd, const char *msg, int pid)
{
	if (msg)
		dprintf(fd, "error %s\n", msg);
	else
		dprintf(fd, "ok %d\n", pid);
	close(fd);
}

static bool marker(const struct native_run *run, const char *name)
{
	cleanup_free char *path = cc_xasprintf("%s/%s", run->dir, name);
	return access(path, F_OK) == 0;
}

/* One run of the container: its init and the pipes holding its output. */
struct run {
	pid_t init;
	struct outbuf bufs[2];
	bool exited;
	int code;
	int64_t started_at, exited_at; /* monotonic */
};

/* runc run --detach with fresh output pipes; 0, or -1 with runc's message in *msg (owned) and
 * nothing left running. With stdin_open the container's stdin is a pipe whose write end goes to the
 * attach state; with tty its stdio is a pty, whose master runc sends over a console socket. */
static int begin_run(const struct native_run *nr, int devnull, struct native_attach *at, struct run *rs,
		     char **msg)
{
	cleanup_free char *pidfile = cc_xasprintf("%s/pid", nr->dir);
	unlink(pidfile);
	/* the last run's record goes first: until the new one is written, a stop asks the runtime */
	native_init_forget(nr->dir);
	memset(rs, 0, sizeof(*rs));
	int out[2] = {-1, -1}, errp[2] = {-1, -1}, in[2] = {-1, -1};
	int console = nr->tty ? native_unix_listen(nr->dir, NATIVE_CONSOLE_SOCKET) : -1;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    (nr->stdin_open && !nr->tty && pipe2(in, O_CLOEXEC) < 0) || (nr->tty && console < 0)) {
		int fds[] = {out[0], out[1], errp[0], errp[1], in[0], in[1], console};
		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (fds[i] >= 0)
				close(fds[i]);
		*msg = cc_xstrdup("cannot set up the monitor's pipes");
		return -1;
	}
	/* One runc process creates and starts the container (`run --detach`), where create then start took
	 * two. Without a terminal runc passes its stdio to the container's process, so the pipes are the
	 * container's output, and runc's own message on failure arrives on the stderr pipe before anything
	 * of the container could. */
	cc_strv argv = NULL;
	const char *const args[] = {nr->runc,   "--root", nr->state,    "run",  "--detach",
				    "--bundle", nr->dir,  "--pid-file", pidfile};
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		cc_strv_push(&argv, args[i]);
	if (nr->tty) {
		/* relative to runc's working directory, the container's: the socket's absolute path could
		 * pass the 108 bytes a unix socket path may have */
		cc_strv_push(&argv, "--console-socket");
		cc_strv_push(&argv, NATIVE_CONSOLE_SOCKET);
	}
	cc_strv_push(&argv, nr->id);
	pid_t c = native_spawn_in(nr->dir, argv, in[0] >= 0 ? in[0] : devnull, out[1], errp[1]);
	cc_strv_free(argv);
	close(out[1]);
	close(errp[1]);
	if (in[0] >= 0)
		close(in[0]);
	int master = -1;
	if (console >= 0) {
		master = c > 0 ? native_console_receive(console, c, 10000) : -1;
		close(console);
		cleanup_free char *path = cc_xasprintf("%s/" NATIVE_CONSOLE_SOCKET, nr->dir);
		unlink(path);
	}
	int code = c > 0 ? native_wait_status(c) : -1;
	cleanup_free char *pidtext = code == 0 ? cc_read_text(pidfile) : NULL;
	int init = pidtext ? atoi(pidtext) : 0;
	if (code != 0 || init <= 0 || (nr->tty && master < 0)) {
		cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
		drain(errp[0], &sb, CC_NS_PER_SEC);
		*msg = runc_message(cc_strbuf_str(&sb), code != 0   ? "runc run failed"
							: init <= 0 ? "runc left no pid file"
								    : "runc sent no terminal");
		close(out[0]);
		close(errp[0]);
		if (in[1] >= 0)
			close(in[1]);
		if (master >= 0)
			close(master);
		runc_quiet(nr, "delete", "--force");
		return -1;
	}
	rs->init = init;
	rs->started_at = cc_monotonic_ns();
	native_init_record(nr->dir, init);
	if (nr->seccomp_store)
		native_seccomp_cache_store(nr->seccomp_store, nr->state, nr->id);
	if (master >= 0) {
		/* a terminal merges the streams: what the pty master reads is the container's output */
		close(out[0]);
		out[0] = master;
		native_attach_set_input(at, dup(master), true);
	} else if (in[1] >= 0) {
		native_attach_set_input(at, in[1], false);
	}
	rs->bufs[0] = (struct outbuf){.fd = out[0], .stream = 1};
	rs->bufs[1] = (struct outbuf){.fd = errp[0], .stream = 2};
	for (int i = 0; i < 2; i++)
		fcntl(rs->bufs[i].fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* The healthcheck of a run: the rules (health.h) and the check in flight, a `runc exec` of the test. */
struct probe {
	bool enabled;
	struct cc_health h;
	pid_t pid; /* the runc exec; 0: none in flight */
	int64_t began, due, last_end;
	int64_t began_wall;
	bool timed_out;
	/* what the check prints, through a pipe: the first CC_HEALTH_OUTPUT_MAX bytes are kept, the rest read
	 * and dropped, so a check that prints without end fills nothing */
	int out;
	char text[CC_HEALTH_OUTPUT_MAX];
	size_t len;
	/* the last results, oldest first, as inspect shows them (<dir>/health.json) */
	struct cc_health_result log[CC_HEALTH_LOG_MAX];
	size_t nlog;
};

static void probe_release(struct probe *p)
{
	for (size_t i = 0; i < p->nlog; i++)
		free(p->log[i].output);
	p->nlog = 0;
	if (p->out >= 0)
		close(p->out);
	p->out = -1;
}

static void probe_drain(struct probe *p)
{
	char sink[4096];
	for (ssize_t r = 1; p->out >= 0 && r > 0;) {
		bool room = p->len < sizeof(p->text);
		r = room ? read(p->out, p->text + p->len, sizeof(p->text) - p->len)
			 : read(p->out, sink, sizeof(sink));
		if (r > 0 && room)
			p->len += (size_t)r;
	}
}

static void probe_reset(struct probe *p, const struct native_run *nr, int64_t started)
{
	memset(p, 0, sizeof(*p));
	p->out = -1;
	p->enabled = cc_healthcheck_enabled(nr->health);
	if (!p->enabled)
		return;
	cc_health_init(&p->h, nr->health, started);
	p->due = cc_health_next(&p->h, 0);
}

static void probe_begin(struct probe *p, const struct native_run *nr, int devnull, int64_t now)
{
	cleanup_free char *pidfile = cc_xasprintf("%s/probe.pid", nr->dir);
	unlink(pidfile);
	cc_strv argv = NULL;
	cc_strv_push(&argv, nr->runc);
	cc_strv_push(&argv, "--root");
	cc_strv_push(&argv, nr->state);
	cc_strv_push(&argv, "exec");
	cc_strv_push(&argv, "--pid-file");
	cc_strv_push(&argv, pidfile);
	cc_strv_push(&argv, nr->id);
	char *const *test = nr->health->test;
	if (strcmp(test[0], "CMD-SHELL") == 0) {
		cc_strv_push(&argv, "/bin/sh");
		cc_strv_push(&argv, "-c");
		cc_strv_push(&argv, test[1] ? test[1] : "");
	} else {
		for (char *const *a = test + 1; *a; a++)
			cc_strv_push(&argv, *a);
	}
	/* what the test prints is kept for inspect, as docker keeps it */
	int pipefd[2] = {-1, -1};
	if (pipe2(pipefd, O_CLOEXEC) == 0)
		fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	int out = pipefd[1] >= 0 ? pipefd[1] : devnull;
	p->pid = native_spawn(argv, devnull, out, out);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (p->out >= 0)
		close(p->out);
	p->out = pipefd[0];
	p->len = 0;
	cc_strv_free(argv);
	p->began = now;
	p->began_wall = cc_now_ns();
	p->timed_out = false;
	if (p->pid < 0)
		p->pid = 0;
}

/* A check past its timeout: kill what runs in the container, so runc exec returns. */
static void probe_expire(struct probe *p, const struct native_run *nr, int64_t now)
{
	if (!p->pid || p->timed_out || now - p->began < p->h.timeout_ns)
		return;
	p->timed_out = true;
	cleanup_free char *pidfile = cc_xasprintf("%s/probe.pid", nr->dir);
	cleanup_free char *text = cc_read_text(pidfile);
	if (text && atoi(text) > 0)
		kill(atoi(text), SIGKILL);
	kill(p->pid, SIGKILL);
}

/* One result into the log (the oldest goes past CC_HEALTH_LOG_MAX), and the log into <dir>/health.json. */
static void probe_log(struct probe *p, const struct native_run *nr, int status)
{
	probe_drain(p);
	/* what still holds the pipe (a child the check left) writes into nothing from now on */
	if (p->out >= 0)
		close(p->out);
	p->out = -1;
	if (p->nlog == CC_HEALTH_LOG_MAX) {
		free(p->log[0].output);
		memmove(p->log, p->log + 1, (CC_HEALTH_LOG_MAX - 1) * sizeof(p->log[0]));
		p->nlog--;
	}
	struct cc_health_result *r = &p->log[p->nlog++];
	r->start_ns = p->began_wall;
	r->end_ns = cc_now_ns();
	r->exit_code = p->timed_out ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->output = p->timed_out ? cc_xasprintf("Health check exceeded timeout (%llds)",
						(long long)(p->h.timeout_ns / CC_NS_PER_SEC))
				 : cc_xstrndup(p->text, p->len);
	json_t *a = cc_health_results_to_json(p->log, p->nlog);
	char *doc = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	cleanup_free char *path = cc_xasprintf("%s/health.json", nr->dir);
	cleanup_free char *tmp = cc_xasprintf("%s/.health.json.tmp", nr->dir);
	struct cc_error *e = NULL;
	if (doc && cc_write_file_atomic(path, tmp, doc, strlen(doc), 0600, false, &e) < 0)
		cc_error_free(e);
	free(doc);
}

static void probe_end(struct probe *p, const struct native_run *nr, int status, int64_t now)
{
	bool passed = !p->timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	probe_log(p, nr, status);
	p->pid = 0;
	p->last_end = now;
	if (cc_health_record(&p->h, passed, p->began))
		native_journal_append(nr->dir, &(struct native_journal_entry){.kind = NATIVE_JOURNAL_HEALTH,
									      .time_ns = cc_now_ns(),
									      .health = p->h.status,
									      .value = p->h.streak});
	p->due = cc_health_next(&p->h, now);
}

/* Pump the run's output, run its healthchecks, and reap, until the init has exited and its output ended. */
static void watch_run(const struct native_run *nr, struct run *rs, struct logfile *log, int devnull,
		      struct native_attach *at)
{
	struct probe probe;
	probe_reset(&probe, nr, rs->started_at);
	/* readable when the init exits: its end wakes the loop at once, not at the next timeout (the pipes'
	 * end-of-file can come just before the exit is reapable) */
	int pidfd = rs->init > 0 ? (int)syscall(SYS_pidfd_open, rs->init, 0) : -1;
	for (;;) {
		if (rs->bufs[0].eof && rs->bufs[1].eof && rs->exited && !probe.pid)
			break;
		/* in its own pid namespace, the init's exit ends every process holding the pipes; a
		 * straggler (pid: host) gets two seconds */
		if (rs->exited && cc_monotonic_ns() - rs->exited_at > 2 * CC_NS_PER_SEC)
			break;
		int64_t now = cc_monotonic_ns();
		int wait_ms = 100;
		if (probe.enabled && !probe.pid && !rs->exited && probe.due - now < 100 * CC_NS_PER_MSEC)
			wait_ms = probe.due > now ? (int)((probe.due - now) / CC_NS_PER_MSEC) + 1 : 0;
		struct pollfd p[16];
		int k = 0;
		for (int i = 0; i < 2; i++)
			if (!rs->bufs[i].eof)
				p[k++] = (struct pollfd){rs->bufs[i].fd, POLLIN, 0};
		if (pidfd >= 0 && !rs->exited)
			p[k++] = (struct pollfd){pidfd, POLLIN, 0};
		if (probe.out >= 0)
			p[k++] = (struct pollfd){probe.out, POLLIN, 0};
		k += native_attach_pollfds(at, p + k, (int)(sizeof(p) / sizeof(p[0])) - k);
		poll(k ? p : NULL, (nfds_t)k, wait_ms);
		native_attach_service(at);
		probe_drain(&probe);
		for (int i = 0; i < 2; i++)
			if (!rs->bufs[i].eof)
				pump(&rs->bufs[i], log, at);
		now = cc_monotonic_ns();
		if (probe.enabled && !probe.pid && !rs->exited && now >= probe.due) {
			if (marker(
				nr,
				NATIVE_MARKER_PAUSED)) /* a frozen container can't answer: ask again later */
				probe.due = now + probe.h.interval_ns;
			else
				probe_begin(&probe, nr, devnull, now);
		}
		if (probe.pid)
			probe_expire(&probe, nr, now);
		int st;
		pid_t w;
		while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
			if (w == rs->init && !rs->exited) {
				rs->exited = true;
				rs->exited_at = cc_monotonic_ns();
				rs->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			} else if (w == probe.pid) {
				probe_end(&probe, nr, st, cc_monotonic_ns());
			}
		}
	}
	for (int i = 0; i < 2; i++) {
		if (rs->bufs[i].len)
			log_record(log, rs->bufs[i].stream, rs->bufs[i].buf, rs->bufs[i].len);
		if (rs->bufs[i].fd >= 0)
			close(rs->bufs[i].fd);
	}
	if (pidfd >= 0)
		close(pidfd);
	probe_release(&probe);
	native_attach_end_run(at);
}

/* Does the restart policy start another run after an exit with `code`, `restarts` runs in? */
static bool policy_restarts(const struct native_run *nr, int code, int restarts)
{
	if (marker(nr, NATIVE_MARKER_STOPPING))
		return false; /* a stop or kill ends the container whatever its policy, as in docker */
	switch (nr->restart) {
	case CC_RESTART_ALWAYS:
	case CC_RESTART_UNLESS_STOPPED:
		return true;
	case CC_RESTART_ON_FAILURE:
		return code != 0 && (nr->max_retries <= 0 || nr->restart_count + restarts < nr->max_retries);
	default:
		return false;
	}
}

/* Sleep out the restart backoff; false when a stop came meanwhile. */
static bool backoff(const struct native_run *nr, int64_t delay)
{
	int64_t end = cc_monotonic_ns() + delay;
	while (cc_monotonic_ns() < end) {
		if (marker(nr, NATIVE_MARKER_STOPPING))
			return false;
		cc_sleep_ns(20 * CC_NS_PER_MSEC);
	}
	return !marker(nr, NATIVE_MARKER_STOPPING);
}

#define MONITOR_LOCK "monitor.lock"

int native_monitor_lock(const char *dir)
{
	cleanup_free char *path = cc_xasprintf("%s/" MONITOR_LOCK, dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	/* a reader's look (a shared lock for an instant) may be in the way: a second of tries */
	for (int i = 0; i < 100; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		usleep(10000);
	}
	close(fd);
	return -1;
}

bool native_monitor_gone(const char *dir)
{
	cleanup_free char *path = cc_xasprintf("%s/" MONITOR_LOCK, dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool gone = flock(fd, LOCK_SH | LOCK_NB) == 0;
	close(fd);
	return gone;
}

__attribute__((noreturn)) static void monitor_main(const struct native_run *nr, int status)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	int null = open("/dev/null", O_RDWR);
	if (null < 0)
		_exit(1);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (status != 3) {
		dup2(status, 3);
		status = 3;
	}
	fcntl(status, F_SETFD, FD_CLOEXEC);
	close_range(4, ~0U, 0);
	/* held until this process ends: readers learn from it whether the container still has its monitor */
	int lock = native_monitor_lock(nr->dir);
	if (lock < 0) {
		report(status, "another monitor holds this container", 0);
		_exit(1);
	}
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* the IPv6 side of its published ports is bound before the container starts, so that a port taken
	 * on the host fails the start as the IPv4 side would */
	int *proxy_fds = cc_xcalloc(nr->nproxies + 1, sizeof(*proxy_fds));
	cleanup_free char *proxy_msg = NULL;
	if (native_proxy_listen(nr->proxies, nr->nproxies, proxy_fds, &proxy_msg) < 0) {
		finish(nr, 128);
		report(status, proxy_msg, 0);
		_exit(1);
	}

	struct logfile logf;
	struct logfile *log = &logf;
	if (log_open(log, nr->dir) < 0) {
		finish(nr, 128);
		report(status, "cannot open the container's log", 0);
		_exit(1);
	}
	struct native_attach *at = nr->stdin_open || nr->tty ? native_attach_open(nr->dir) : NULL;
	struct run rs;
	cleanup_free char *msg = NULL;
	if (begin_run(nr, devnull, at, &rs, &msg) < 0) {
		/* cleaned up before the answer: the caller removes the container next (run --rm), and must
		 * not race this process writing into its directory */
		native_attach_close(at);
		cleanup_free char *sock = cc_xasprintf("%s/" NATIVE_ATTACH_SOCKET, nr->dir);
		unlink(sock);
		finish(nr, 128);
		report(status, msg, 0);
		_exit(1);
	}
	report(status, NULL, rs.init);
	pid_t proxy = nr->nproxies ? native_proxy_start(nr->proxies, nr->nproxies, proxy_fds) : -1;
	int restarts = 0, shift = 0;
	for (;;) {
		watch_run(nr, &rs, log, devnull, at);
		if (native_cgroup_oom_kills(nr->id) > 0)
			native_journal_append(nr->dir,
					      &(struct native_journal_entry){.kind = NATIVE_JOURNAL_OOM,
									     .time_ns = cc_now_ns()});
		if (!policy_restarts(nr, rs.code, restarts))
			break;
		runc_quiet(nr, "delete", "--force");
		native_journal_append(nr->dir, &(struct native_journal_entry){.kind = NATIVE_JOURNAL_DIE,
									      .time_ns = cc_now_ns(),
									      .value = rs.code});
		/* docker's backoff: 100 ms doubling up to a minute, back to the start after a run of 10 s */
		if (rs.exited_at - rs.started_at >= 10 * CC_NS_PER_SEC)
			shift = 0;
		int64_t delay = RESTART_BACKOFF_NS << (shift < 10 ? shift : 10);
		shift++;
		if (!backoff(nr, delay < RESTART_BACKOFF_MAX ? delay : RESTART_BACKOFF_MAX))
			break;
		free(msg);
		msg = NULL;
		restarts++;
		if (begin_run(nr, devnull, at, &rs, &msg) < 0) {
			/* the cause goes where a user looks; the policy carries on as after an exit, and the
			 * journal's start without a pid counts the attempt */
			log_record(log, 2, msg, strlen(msg));
			memset(&rs, 0, sizeof(rs));
			rs.code = 128;
			rs.exited = true;
			for (int i = 0; i < 2; i++)
				rs.bufs[i] = (struct outbuf){.fd = -1, .eof = true};
		}
		native_journal_append(nr->dir, &(struct native_journal_entry){.kind = NATIVE_JOURNAL_START,
									      .time_ns = cc_now_ns(),
									      .value = rs.init});
	}
	/* its ports close before the exit is recorded: whoever sees the container stopped finds them free */
	if (proxy > 0) {
		kill(proxy, SIGKILL);
		waitpid(proxy, NULL, 0);
	}
	close(log->fd);
	native_attach_close(at);
	cleanup_free char *sock = cc_xasprintf("%s/" NATIVE_ATTACH_SOCKET, nr->dir);
	unlink(sock);
	finish(nr, rs.code);
	if (nr->exit_command) {
		/* the removal sees an exited container without a monitor: the lock goes first (the exec would
		 * close it too, but a failed exec must not leave it held) */
		close(lock);
		execv("/proc/self/exe", nr->exit_command);
	}
	_exit(0);
}

int native_monitor_spawn(const struct native_run *run, int *pid, struct cc_error **err)
{
	int sp[2];
	if (pipe2(sp, O_CLOEXEC) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "monitor pipe");
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(sp[0]);
		close(sp[1]);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "fork the monitor");
	}
	if (child == 0) {
		close(sp[0]);
		setsid();
		pid_t g = fork();
		if (g != 0)
			_exit(g < 0 ? 1 : 0);
		monitor_main(run, sp[1]);
	}
	close(sp[1]);
	cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
	char buf[1024];
	ssize_t r;
	while ((r = read(sp[0], buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		cc_strbuf_add(&sb, buf, (size_t)r);
	}
	close(sp[0]);
	native_wait_status(child);
	const char *s = cc_strbuf_str(&sb);
	if (strncmp(s, "ok ", 3) == 0) {
		*pid = atoi(s + 3);
		return 0;
	}
	if (strncmp(s, "error ", 6) == 0) {
		size_t len = strlen(s + 6);
		while (len && s[6 + len - 1] == '\n')
			len--;
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%.*s", (int)len, s + 6);
	}
	return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "the monitor of container %s exited without a word",
			    run->id);
}
