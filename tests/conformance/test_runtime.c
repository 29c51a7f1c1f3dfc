/* The runtime conformance suite: black-box cases for the runtime boundary (runtime/runtime.h), run against
 * any backend by name (CC_CONFORMANCE_BACKEND, default "mock").
 *
 * Each test opens the backend on a fresh temporary state root and names everything it creates with a
 * per-test tag (engines with global namespaces then see no collisions); every container it creates carries
 * the label cc.conformance=<tag>, and the teardown removes what the test made. No test asserts how long
 * something took: the few sleeps only let (simulated or real) time pass, and polls have generous limits.
 *
 * Operations a backend may leave out (container copy, image push/build/load/save) must answer
 * CC_ERR_NOT_SUPPORTED naming the operation and the backend; the suite then prints "not supported: <op>".
 *
 * Each case runs in a process of its own (this program again, with CC_CONFORMANCE_ONLY=<case>), so that a
 * backend that crashes or hangs fails that case and not the suite; a passing case's output is dropped except
 * for its "not supported:"/"skipped:"/"teardown:" lines, a failing one's is shown in full.
 * CC_CONFORMANCE_ONLY=<case> runs one case in this process, CC_CONFORMANCE_INPROCESS=1 all of them (both for
 * debuggers). */
#include "../unit/unit.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/xalloc.h"
#include "runtime/runtime.h"
#include "runtime/types.h"

#define MS           INT64_C(1000000)
#define SEC          INT64_C(1000000000)
#define STOP_TIMEOUT (2 * SEC)  /* grace period for stops: enough for a real engine, nothing for the mock */
#define WAIT_TIMEOUT (15 * SEC) /* waits that should end: a safety net against hangs, not a threshold */
#define SCOPE_LABEL  "cc.conformance"
/* a case still running after this hangs: its process is killed. Generous: a real engine on a loaded
 * two-core machine takes a minute and more for the concurrency cases (80 containers) */
#define CASE_TIMEOUT_MS 300000

#define CMD(...) ((const char *const[]){__VA_ARGS__, NULL})

/* A long-running process that ends with exit code 0 on SIGTERM, once its handler is set: it prints "ready"
 * then (await_ready waits for that before a test signals it). On a real engine a PID 1 without a handler
 * ignores SIGTERM (`sleep 1000` is SIGKILLed after the grace period: 137); the mock runs a script it cannot
 * simulate (`trap`, `while`) until it is stopped, and a stop there gives 0 as well. Containers a test stops
 * run this. */
#define LONG_RUN CMD("sh", "-c", "trap 'exit 0' TERM; echo ready; while true; do sleep 1; done")
/* Long-running, exiting with 128+N on SIGTERM (143) and SIGINT (130), as the mock's kill gives for any
 * signal: what a test of kill's exit code with a catchable signal runs. */
#define TRAPS_RUN                                                                                            \
	CMD("sh", "-c", "trap 'exit 143' TERM; trap 'exit 130' INT; echo ready; while true; do sleep 1; done")

/* ---- fixtures ---- */

struct fx {
	char dir[64];  /* the state root (mkdtemp) */
	char tag[16];  /* lower-case random part of dir: names every object of the test */
	char *scope;   /* "cc.conformance=<tag>", the label filter that selects the test's containers */
	cc_strv names; /* every name handed out by nm(): what the teardown removes */
	struct cc_runtime *rt;
};

static const char *backend_name(void)
{
	const char *b = getenv("CC_CONFORMANCE_BACKEND");
	return b && *b ? b : "mock";
}

/* What the engine behind a backend cannot report, declared by the run (CC_CONFORMANCE_ENGINE=podman for the
 * docker backend over podman's service): the case then says "skipped: <why>" and checks the rest. Only
 * limits of the engine itself belong here, never of our backends. */
static bool engine_lacks(const char *what)
{
	static const struct {
		const char *engine, *what, *why;
	} limits[] = {
	    {"podman", "kill-stop-events", "podman's service reports no kill or stop events"},
	    {"dockerd", "ipv6-gateway", "dockerd reports an IPv6 pool's gateway only when one was given"},
	    {"podman", "network-events", "podman's service reports no network create or remove events"},
	    {"podman", "network-removal-with-stopped-members",
	     "podman refuses to remove a network a stopped container is still attached to (docker allows "
	     "it)"},
	    {"podman", "healthchecks",
	     "podman runs health checks from systemd timers, and this machine has no systemd"},
	};
	const char *e = getenv("CC_CONFORMANCE_ENGINE");
	for (size_t i = 0; e && i < sizeof(limits) / sizeof(limits[0]); i++)
		if (strcmp(limits[i].engine, e) == 0 && strcmp(limits[i].what, what) == 0) {
			print_message("skipped: %s\n", limits[i].why);
			return true;
		}
	return false;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* The remote backend is tested against a daemon (CC_BIN serve) over the backend CC_REMOTE_INNER (default
 * mock), started on the test's root the first time the test opens a runtime and stopped by its teardown. */
static pid_t daemon_pid;
static char daemon_url[128];

static bool start_daemon(const char *root)
{
	const char *bin = getenv("CC_BIN");
	const char *inner = getenv("CC_REMOTE_INNER");
	if (!bin || !*bin) {
		print_error(
		    "the remote backend needs CC_BIN (the container-compose binary) to start a daemon\n");
		return false;
	}
	snprintf(daemon_url, sizeof(daemon_url), "unix://%s/api.sock", root);
	/* for the cases that open the backend with a configuration of their own */
	setenv("CONTAINER_COMPOSE_HOST", daemon_url, 1);
	pid_t pid = fork();
	if (pid == 0) {
		execl(bin, bin, "--root", root, "--backend", inner && *inner ? inner : "mock", "serve",
		      "--listen", daemon_url, (char *)NULL);
		_exit(127);
	}
	daemon_pid = pid;
	/* ready when the socket answers a connection */
	for (int i = 0; i < 500; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/api.sock", root);
		int r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		close(fd);
		if (r == 0)
			return true;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			daemon_pid = 0;
			print_error("the daemon exited before it listened\n");
			return false;
		}
		usleep(10000);
	}
	print_error("the daemon did not listen within 5 s\n");
	return false;
}

static void stop_daemon(void)
{
	if (!daemon_pid)
		return;
	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, NULL, 0);
	daemon_pid = 0;
}

static struct cc_runtime *open_runtime(const char *root)
{
	bool remote = strcmp(backend_name(), "remote") == 0;
	if (remote && !daemon_pid && !start_daemon(root))
		return NULL;
	struct cc_remote_target target = {.url = daemon_url};
	/* CC_CONFORMANCE_OCI: the native backend's OCI runtime (make conformance-crun) */
	struct cc_runtime_config cfg = {
	    .root = root, .remote = remote ? &target : NULL, .oci_runtime = getenv("CC_CONFORMANCE_OCI")};
	struct cc_runtime *rt = NULL;
	struct cc_error *err = NULL;
	if (cc_runtime_open(backend_name(), &cfg, &rt, &err) < 0) {
		print_error("cannot open backend %s on %s: %s\n", backend_name(), root, err ? err->msg : "?");
		cc_error_free(err);
		return NULL;
	}
	return rt;
}

/* The cases use the image "busybox": the mock has every image; a backend with an image store gets it from
 * CC_CONFORMANCE_IMAGE_TAR (an OCI layout or docker-archive tarball), loaded into each fresh root. */
static bool seed_image(struct cc_runtime *rt)
{
	const char *tar = getenv("CC_CONFORMANCE_IMAGE_TAR");
	if (!tar || !*tar)
		return true;
	cc_strv loaded = NULL;
	struct cc_error *err = NULL;
	int r = cc_rt_image_load(rt, tar, &loaded, &err);
	if (r == 0 && (!loaded || !loaded[0]))
		r = cc_error_set(&err, CC_ERR_INVALID_ARGUMENT, "%s holds no image", tar);
	if (r == 0)
		r = cc_rt_image_tag(rt, loaded[0], "busybox:latest", &err);
	if (r < 0)
		print_error("cannot load %s as busybox: %s\n", tar, err ? err->msg : "?");
	cc_error_free(err);
	cc_strv_free(loaded);
	return r == 0;
}

static int setup(void **state)
{
	struct fx *f = cc_xcalloc(1, sizeof(*f));
	/* an isolated case gets its root from the parent, which removes it even when the case crashes */
	const char *given = getenv("CC_CONFORMANCE_ROOT");
	if (given && strlen(given) < sizeof(f->dir) && strlen(given) >= 6) {
		strcpy(f->dir, given);
	} else {
		strcpy(f->dir, "/tmp/cc-conformance-XXXXXX");
		if (!mkdtemp(f->dir)) {
			free(f);
			return -1;
		}
	}
	const char *rnd = f->dir + strlen(f->dir) - 6;
	for (size_t i = 0; i < 6; i++)
		f->tag[i] = (char)tolower((unsigned char)rnd[i]);
	f->scope = cc_xasprintf("%s=%s", SCOPE_LABEL, f->tag);
	f->rt = open_runtime(f->dir);
	if (f->rt && !seed_image(f->rt)) {
		cc_runtime_close(f->rt);
		f->rt = NULL;
	}
	if (!f->rt) {
		nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(f->scope);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

/* Remove what the test created (errors ignored: much of it is gone already), then the state root. */
static int teardown(void **state)
{
	struct fx *f = *state;
	if (f->rt) {
		struct cc_error *err = NULL;
		struct cc_container *cs = NULL;
		size_t n = 0;
		char *labels[] = {f->scope, NULL};
		struct cc_container_filter all = {.labels = labels, .all = true};
		/* twice: a loaded engine (podman's service) may refuse a removal the first time; what is left
		 * after the second is said, so that a leak never goes unseen */
		for (int pass = 0; pass < 2; pass++) {
			if (cc_rt_container_list(f->rt, &all, &cs, &n, &err) < 0) {
				print_message("teardown: cannot list what is left: %s\n", err->msg);
			} else {
				for (size_t i = 0; i < n; i++) {
					if (cc_rt_container_remove(f->rt, cs[i].id, true, true, &err) < 0 &&
					    pass)
						print_message("teardown: %s is left: %s\n", cs[i].name,
							      err->msg);
					cc_error_release(&err);
				}
				cc_containers_free(cs, n);
				cs = NULL;
			}
			cc_error_release(&err);
			if (!n)
				break;
			n = 0;
		}
		for (char **name = f->names; name && *name; name++) {
			cc_rt_network_remove(f->rt, *name, &err);
			cc_error_release(&err);
			cc_rt_volume_remove(f->rt, *name, true, &err);
			cc_error_release(&err);
			cc_rt_secret_remove(f->rt, CC_SECRET, *name, &err);
			cc_error_release(&err);
			cc_rt_secret_remove(f->rt, CC_CONFIG, *name, &err);
			cc_error_release(&err);
		}
		cc_runtime_close(f->rt);
	}
	stop_daemon();
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	cc_strv_free(f->names);
	free(f->scope);
	free(f);
	return 0;
}

/* "<tag>-<base>": a name of this test, valid for containers, networks, volumes and secrets. */
static const char *nm(struct fx *f, const char *base)
{
	char *s = cc_xasprintf("%s-%s", f->tag, base);
	cc_strv_push(&f->names, s);
	free(s);
	return f->names[cc_strv_len(f->names) - 1];
}

/* ---- assertions on the error contract ---- */

static void ok_at(const char *file, int line, const char *expr, int r, struct cc_error **err)
{
	if (r >= 0 && !*err)
		return;
	if (r >= 0)
		print_error("%s:%d: %s succeeded but set an error: %s: %s\n", file, line, expr,
			    cc_err_kind_name((*err)->kind), (*err)->msg);
	else
		print_error("%s:%d: %s failed: %s: %s\n", file, line, expr,
			    *err ? cc_err_kind_name((*err)->kind) : "(no error set)",
			    *err ? (*err)->msg : "");
	cc_error_release(err);
	_fail(file, line);
}

/* The call failed with `kind` and a message containing `needle` (NULL: any message). */
static void err_at(const char *file, int line, const char *expr, int r, struct cc_error **err,
		   enum cc_err_kind kind, const char *needle)
{
	if (r >= 0) {
		print_error("%s:%d: %s succeeded, expected %s\n", file, line, expr, cc_err_kind_name(kind));
		cc_error_release(err);
		_fail(file, line);
	}
	if (!*err) {
		print_error("%s:%d: %s returned %d without setting an error\n", file, line, expr, r);
		_fail(file, line);
	}
	if ((*err)->kind != kind) {
		print_error("%s:%d: %s: expected %s, got %s: %s\n", file, line, expr, cc_err_kind_name(kind),
			    cc_err_kind_name((*err)->kind), (*err)->msg);
		cc_error_release(err);
		_fail(file, line);
	}
	if (needle && (!(*err)->msg || !strstr((*err)->msg, needle))) {
		print_error("%s:%d: %s: the %s message \"%s\" does not mention \"%s\"\n", file, line, expr,
			    cc_err_kind_name(kind), (*err)->msg ? (*err)->msg : "(null)", needle);
		cc_error_release(err);
		_fail(file, line);
	}
	cc_error_release(err);
}

#define OK(expr)                       ok_at(__FILE__, __LINE__, #expr, (expr), &err)
#define EXPECT_ERR(expr, kind, needle) err_at(__FILE__, __LINE__, #expr, (expr), &err, (kind), (needle))

/* The engine behind the backend simulates processes: the mock, or the remote backend over a daemon that
 * runs the mock. */
static bool is_mock(void)
{
	if (strcmp(backend_name(), "remote") == 0) {
		const char *inner = getenv("CC_REMOTE_INNER");
		return !inner || !*inner || strcmp(inner, "mock") == 0;
	}
	return strcmp(backend_name(), "mock") == 0;
}

/* A feature a backend may not have (yet): networks, volumes, secrets and configs, published ports, exec, top,
 * stats, pause, restart, restart policies, health checks. True, after printing "not supported: <op>", when
 * the call answered NOT_SUPPORTED; the caller then skips what depends on it. The mock has all of them: there
 * NOT_SUPPORTED is not a skip but the error it is (the caller's check fails on it), so that nothing is ever
 * skipped on the mock. */
static bool unsupported(const char *op, int r, struct cc_error **err)
{
	if (r >= 0 || !*err || (*err)->kind != CC_ERR_NOT_SUPPORTED || is_mock())
		return false;
	print_message("not supported: %s (%s)\n", op, (*err)->msg);
	cc_error_release(err);
	return true;
}

/* The call succeeded (true), or the backend does not support `op` (false, printed); anything else fails. */
static bool supported_at(const char *file, int line, const char *op, const char *expr, int r,
			 struct cc_error **err)
{
	if (unsupported(op, r, err))
		return false;
	ok_at(file, line, expr, r, err);
	return true;
}

/* The call failed as expected (true), or the backend does not support `op` (false, printed). */
static bool err_supported_at(const char *file, int line, const char *op, const char *expr, int r,
			     struct cc_error **err, enum cc_err_kind kind, const char *needle)
{
	if (unsupported(op, r, err))
		return false;
	err_at(file, line, expr, r, err, kind, needle);
	return true;
}

#define SUPPORTED(op, expr) supported_at(__FILE__, __LINE__, (op), #expr, (expr), &err)
#define EXPECT_ERR_IF_SUPPORTED(op, expr, kind, needle)                                                      \
	err_supported_at(__FILE__, __LINE__, (op), #expr, (expr), &err, (kind), (needle))

/* ---- helpers ---- */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0)
		;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static cc_strv strv_of(const char *const *a)
{
	cc_strv v = NULL;
	for (; a && *a; a++)
		cc_strv_push(&v, *a);
	return v;
}

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

static bool is_ipv4(const char *s)
{
	struct in_addr a;
	return s && inet_pton(AF_INET, s, &a) == 1;
}

/* A container spec of this test: image busybox, the given command, the scope label. */
static void spec_init(struct fx *f, struct cc_container_spec *s, const char *name, const char *const *cmd)
{
	memset(s, 0, sizeof(*s));
	s->name = name ? cc_xstrdup(name) : NULL;
	s->image = cc_xstrdup("busybox");
	s->cmd = strv_of(cmd);
	s->has_cmd = cmd != NULL;
	s->stop_grace_ns = -1;
	cc_kvs_set(&s->labels, SCOPE_LABEL, f->tag);
}

static void spec_add_network(struct cc_container_spec *s, const char *network)
{
	s->networks = cc_xrealloc(s->networks, (s->nnetworks + 1) * sizeof(*s->networks));
	memset(&s->networks[s->nnetworks], 0, sizeof(*s->networks));
	s->networks[s->nnetworks++].network = cc_xstrdup(network);
}

static void spec_add_volume(struct cc_container_spec *s, const char *source, const char *target)
{
	s->mounts = cc_xrealloc(s->mounts, (s->nmounts + 1) * sizeof(*s->mounts));
	struct cc_mount *m = &s->mounts[s->nmounts++];
	memset(m, 0, sizeof(*m));
	m->type = CC_MOUNT_VOLUME;
	m->source = source ? cc_xstrdup(source) : NULL;
	m->target = cc_xstrdup(target);
}

static struct cc_healthcheck *healthcheck(const char *const *test, int64_t interval_ns, int retries)
{
	struct cc_healthcheck *h = cc_xcalloc(1, sizeof(*h));
	h->test = strv_of(test);
	h->interval_ns = interval_ns;
	h->retries = retries;
	return h;
}

/* Create from a spec (which it releases); the new id, owned. */
static char *create_spec(struct fx *f, struct cc_container_spec *s)
{
	struct cc_error *err = NULL;
	char *id = NULL;
	OK(cc_rt_container_create(f->rt, s, &id, &err));
	assert_non_null(id);
	cc_container_spec_release(s);
	return id;
}

/* Create from a spec that asks for a feature the backend may not have (op names it); releases the spec. The
 * new id, owned, or NULL when the backend does not support it ("not supported: <op>" printed). */
static char *create_spec_if_supported(struct fx *f, struct cc_container_spec *s, const char *op)
{
	struct cc_error *err = NULL;
	char *id = NULL;
	bool ok = SUPPORTED(op, cc_rt_container_create(f->rt, s, &id, &err));
	cc_container_spec_release(s);
	if (ok)
		assert_non_null(id);
	return id;
}

static char *create_c(struct fx *f, const char *name, const char *const *cmd)
{
	struct cc_container_spec s;
	spec_init(f, &s, name, cmd);
	return create_spec(f, &s);
}

static void start_c(struct fx *f, const char *ref)
{
	struct cc_error *err = NULL;
	OK(cc_rt_container_start(f->rt, ref, &err));
}

static void run_c(struct fx *f, const char *name, const char *const *cmd)
{
	free(create_c(f, name, cmd));
	start_c(f, name);
}

static void inspect_ok(struct fx *f, const char *ref, struct cc_container *out)
{
	struct cc_error *err = NULL;
	memset(out, 0, sizeof(*out));
	OK(cc_rt_container_inspect(f->rt, ref, out, &err));
}

#define expect_state(f, ref, st) expect_state_at(__FILE__, __LINE__, (f), (ref), (st))
static void expect_state_at(const char *file, int line, struct fx *f, const char *ref,
			    enum cc_container_state st)
{
	struct cc_container c;
	inspect_ok(f, ref, &c);
	if (c.state != st) {
		print_error("%s:%d: container %s is %s, expected %s\n", file, line, ref,
			    cc_state_name(c.state), cc_state_name(st));
		cc_container_release(&c);
		_fail(file, line);
	}
	cc_container_release(&c);
}

/* Wait for the container to be not running; its exit code. */
static int wait_exit(struct fx *f, const char *ref)
{
	struct cc_error *err = NULL;
	int code = -1;
	OK(cc_rt_container_wait(f->rt, ref, CC_WAIT_NOT_RUNNING, WAIT_TIMEOUT, &code, &err));
	return code;
}

/* Inspect ref every 50 ms until pred holds or max_ms passed; *out is the last view (the caller releases). */
static bool poll_container(struct fx *f, const char *ref, bool (*pred)(const struct cc_container *),
			   long max_ms, struct cc_container *out)
{
	int64_t deadline = mono_ms() + max_ms;
	for (;;) {
		inspect_ok(f, ref, out);
		if (pred(out))
			return true;
		if (mono_ms() >= deadline)
			return false;
		cc_container_release(out);
		sleep_ms(50);
	}
}

static int count_ready(void *ctx, const struct cc_log_frame *fr)
{
	size_t *n = ctx;
	if (fr->len >= 5 && strncmp(fr->data, "ready", 5) == 0)
		(*n)++;
	return 0;
}

/* Wait until a LONG_RUN/TRAPS_RUN container's run number `runs` has set its signal handlers (its logs hold
 * `runs` "ready" lines): a signal sent before then finds a PID 1 that ignores it. The mock runs no script (it
 * cannot simulate `trap`: no output, and no race either), so there this returns at once. */
static void await_ready(struct fx *f, const char *ref, size_t runs)
{
	if (is_mock())
		return;
	int64_t deadline = mono_ms() + WAIT_TIMEOUT / MS;
	size_t n = 0;
	while (n < runs) {
		struct cc_error *err = NULL;
		struct cc_log_opts o = {.tail = -1};
		struct cc_log_sink sink = {count_ready, &n, NULL};
		n = 0;
		OK(cc_rt_container_logs(f->rt, ref, &o, &sink, &err));
		if (n >= runs)
			break;
		if (mono_ms() >= deadline)
			print_error("%s: %zu \"ready\" line(s) in its logs, expected %zu\n", ref, n, runs);
		assert_true(mono_ms() < deadline);
		sleep_ms(50);
	}
}

static size_t list_count(struct fx *f, const struct cc_container_filter *flt)
{
	struct cc_error *err = NULL;
	struct cc_container *cs = NULL;
	size_t n = 0;
	OK(cc_rt_container_list(f->rt, flt, &cs, &n, &err));
	cc_containers_free(cs, n);
	return n;
}

static bool list_has(struct fx *f, const struct cc_container_filter *flt, const char *name)
{
	struct cc_error *err = NULL;
	struct cc_container *cs = NULL;
	size_t n = 0;
	OK(cc_rt_container_list(f->rt, flt, &cs, &n, &err));
	bool found = false;
	for (size_t i = 0; i < n; i++)
		found = found || strcmp(cs[i].name, name) == 0;
	cc_containers_free(cs, n);
	return found;
}

/* ---- sinks ---- */

struct lines {
	cc_strv v;
	size_t n;
	long cancel_after; /* >0: return -1 from the n-th frame on */
	bool bad_name;     /* a frame without the container's name */
	const char *name;
};

static int collect_line(void *ctx, const struct cc_log_frame *fr)
{
	struct lines *l = ctx;
	char *s = cc_xstrndup(fr->data, fr->len);
	cc_strv_push(&l->v, s);
	free(s);
	l->n++;
	if (l->name && (!fr->container || strcmp(fr->container, l->name) != 0)) {
		if (!l->bad_name)
			print_error("log frame %zu names container \"%.64s\", expected \"%s\"\n", l->n - 1,
				    fr->container ? fr->container : "(null)", l->name);
		l->bad_name = true;
	}
	return l->cancel_after > 0 && (long)l->n >= l->cancel_after ? -1 : 0;
}

static void print_lines(const char *what, const struct lines *l)
{
	print_message("%s: %zu frame(s)\n", what, l->n);
	for (size_t i = 0; i < l->n; i++)
		print_message("  [%zu] \"%s\"\n", i, l->v[i]);
}

static struct lines logs_of(struct fx *f, const char *ref, const struct cc_log_opts *o)
{
	struct cc_error *err = NULL;
	struct lines l = {.name = ref};
	struct cc_log_sink sink = {collect_line, &l, NULL};
	OK(cc_rt_container_logs(f->rt, ref, o, &sink, &err));
	return l;
}

struct events {
	cc_strv lines;     /* "type action name" */
	cc_strv exitcodes; /* of die events ("(none)" when missing) */
	cc_strv health;    /* health_status attribute of health_status events */
	cc_strv signals;   /* signal attribute of kill events */
	int64_t max_time;
	size_t n;
};

static int collect_event(void *ctx, const struct cc_event *e)
{
	struct events *ev = ctx;
	char *s = cc_xasprintf("%s %s %s", e->type ? e->type : "?", e->action ? e->action : "?",
			       e->name ? e->name : "?");
	cc_strv_push(&ev->lines, s);
	free(s);
	if (e->action && strcmp(e->action, "die") == 0) {
		const char *code = cc_kvs_get(&e->attributes, "exitCode");
		cc_strv_push(&ev->exitcodes, code ? code : "(none)");
	}
	if (e->action && strcmp(e->action, "kill") == 0) {
		const char *sig = cc_kvs_get(&e->attributes, "signal");
		cc_strv_push(&ev->signals, sig ? sig : "(none)");
	}
	if (e->action && strcmp(e->action, "health_status") == 0) {
		const char *h = cc_kvs_get(&e->attributes, "health_status");
		cc_strv_push(&ev->health, h ? h : "(none)");
	}
	if (e->time_ns > ev->max_time)
		ev->max_time = e->time_ns;
	ev->n++;
	return 0;
}

static struct events events_of(struct fx *f, const struct cc_event_filter *flt)
{
	struct cc_error *err = NULL;
	struct events ev = {0};
	struct cc_event_sink sink = {collect_event, &ev, NULL};
	OK(cc_rt_events(f->rt, flt, &sink, &err));
	return ev;
}

static void events_release(struct events *ev)
{
	cc_strv_free(ev->lines);
	cc_strv_free(ev->exitcodes);
	cc_strv_free(ev->health);
	cc_strv_free(ev->signals);
	memset(ev, 0, sizeof(*ev));
}

static void print_events(const struct events *ev)
{
	print_message("%zu event(s):\n", ev->n);
	for (size_t i = 0; i < ev->n; i++)
		print_message("  %s\n", ev->lines[i]);
}

/* ==== 1. system ==== */

static void test_system_version(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	struct cc_version v = {0};
	OK(cc_rt_version(f->rt, &v, &err));
	assert_non_null(v.backend);
	assert_string_equal(v.backend, backend_name());
	assert_string_equal(cc_runtime_name(f->rt), backend_name());
	assert_non_null(v.version);
	cc_version_release(&v);
	/* the registry lists the backend, and the default one */
	const char *const *names = cc_runtime_backends();
	assert_non_null(names);
	assert_true(strv_has((char *const *)names, backend_name()));
	assert_non_null(cc_runtime_default_backend());
	assert_true(strv_has((char *const *)names, cc_runtime_default_backend()));
}

static void test_system_open_unknown_backend(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	struct cc_runtime *rt = NULL;
	struct cc_runtime_config cfg = {.root = f->dir};
	EXPECT_ERR(cc_runtime_open("no-such-backend", &cfg, &rt, &err), CC_ERR_INVALID_ARGUMENT,
		   "no-such-backend");
	assert_null(rt);
	struct cc_runtime_config noroot = {0};
	EXPECT_ERR(cc_runtime_open(backend_name(), &noroot, &rt, &err), CC_ERR_INVALID_ARGUMENT, NULL);
	assert_null(rt);
}

static void test_system_info_counts(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	struct cc_info before = {0}, after = {0};
	OK(cc_rt_info(f->rt, &before, &err));
	assert_string_equal(before.backend, backend_name());

	run_c(f, nm(f, "run1"), CMD("sleep", "1000"));
	run_c(f, nm(f, "run2"), CMD("sleep", "1000"));
	run_c(f, nm(f, "paused"), CMD("sleep", "1000"));
	bool paused = SUPPORTED("container.pause", cc_rt_container_pause(f->rt, nm(f, "paused"), &err));
	free(create_c(f, nm(f, "created"), CMD("sleep", "1000")));
	run_c(f, nm(f, "exited"), CMD("true"));
	assert_int_equal(wait_exit(f, nm(f, "exited")), 0);

	OK(cc_rt_info(f->rt, &after, &err));
	print_message("info: containers %ld->%ld running %ld->%ld paused %ld->%ld stopped %ld->%ld\n",
		      before.containers, after.containers, before.running, after.running, before.paused,
		      after.paused, before.stopped, after.stopped);
	assert_int_equal(after.containers - before.containers, 5);
	assert_int_equal(after.running - before.running, paused ? 2 : 3);
	assert_int_equal(after.paused - before.paused, paused ? 1 : 0);
	assert_int_equal(after.stopped - before.stopped, 2); /* created and exited */
	cc_info_release(&before);
	cc_info_release(&after);
}

/* ==== 2. the lifecycle state machine ==== */

static void test_lifecycle_start_stop(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "life");
	char *id = create_c(f, name, LONG_RUN);
	assert_int_equal(strlen(id), 64);
	struct cc_container c;
	inspect_ok(f, name, &c);
	assert_int_equal(c.state, CC_STATE_CREATED);
	assert_string_equal(c.id, id);
	assert_string_equal(c.name, name);
	assert_int_equal(c.pid, 0);
	assert_true(c.created_ns > 0);
	assert_int_equal(c.started_ns, 0);
	cc_container_release(&c);

	OK(cc_rt_container_start(f->rt, name, &err));
	inspect_ok(f, name, &c);
	assert_int_equal(c.state, CC_STATE_RUNNING);
	assert_true(c.pid > 0);
	assert_true(c.started_ns > 0);
	cc_container_release(&c);

	EXPECT_ERR(cc_rt_container_start(f->rt, name, &err), CC_ERR_INVALID_STATE, name);

	await_ready(f, name, 1);
	OK(cc_rt_container_stop(f->rt, name, NULL, STOP_TIMEOUT, &err));
	inspect_ok(f, name, &c);
	assert_int_equal(c.state, CC_STATE_EXITED);
	assert_int_equal(c.exit_code, 0);
	assert_true(c.finished_ns > 0);
	assert_true(c.finished_ns >= c.started_ns);
	assert_int_equal(c.pid, 0);
	cc_container_release(&c);

	EXPECT_ERR(cc_rt_container_stop(f->rt, name, NULL, STOP_TIMEOUT, &err), CC_ERR_INVALID_STATE, name);

	/* an exited container starts again */
	OK(cc_rt_container_start(f->rt, name, &err));
	expect_state(f, name, CC_STATE_RUNNING);
	await_ready(f, name, 2);
	/* by id as well as by name, and with the container's own grace period (<0): its handler runs before
	 * any SIGKILL, so 0, not 137 (podman's service once made that grace 0) */
	OK(cc_rt_container_stop(f->rt, id, NULL, -1, &err));
	inspect_ok(f, name, &c);
	assert_int_equal(c.state, CC_STATE_EXITED);
	assert_int_equal(c.exit_code, 0);
	cc_container_release(&c);
	free(id);
}

static void test_lifecycle_pause_unpause(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "pause");
	free(create_c(f, name, CMD("sleep", "1000")));
	if (!EXPECT_ERR_IF_SUPPORTED("container.pause", cc_rt_container_pause(f->rt, name, &err),
				     CC_ERR_INVALID_STATE, name)) /* created */
		return;
	start_c(f, name);
	OK(cc_rt_container_pause(f->rt, name, &err));
	expect_state(f, name, CC_STATE_PAUSED);
	EXPECT_ERR(cc_rt_container_pause(f->rt, name, &err), CC_ERR_INVALID_STATE, name);
	EXPECT_ERR(cc_rt_container_start(f->rt, name, &err), CC_ERR_INVALID_STATE, name);
	OK(cc_rt_container_unpause(f->rt, name, &err));
	expect_state(f, name, CC_STATE_RUNNING);
	EXPECT_ERR(cc_rt_container_unpause(f->rt, name, &err), CC_ERR_INVALID_STATE, name);
}

static void expect_exit(struct fx *f, const char *name, int code)
{
	struct cc_container c;
	inspect_ok(f, name, &c);
	if (c.state != CC_STATE_EXITED || c.exit_code != code)
		print_error("container %s: %s with exit code %d, expected exited with %d\n", name,
			    cc_state_name(c.state), c.exit_code, code);
	assert_int_equal(c.state, CC_STATE_EXITED);
	assert_int_equal(c.exit_code, code);
	cc_container_release(&c);
}

/* kill delivers the signal; the exit follows (at once for the mock, a moment later for a real engine). */
static void expect_killed(struct fx *f, const char *name, int code)
{
	wait_exit(f, name);
	expect_exit(f, name, code);
}

static void test_lifecycle_kill(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "kill");
	run_c(f, name, TRAPS_RUN); /* SIGKILL: 137; SIGTERM: its handler exits 143 */
	/* each run prints its "ready" before it is killed, so that their count says which run is up: a
	 * SIGKILL that comes first ends a run without one */
	await_ready(f, name, 1);
	OK(cc_rt_container_kill(f->rt, name, NULL, &err));
	expect_killed(f, name, 137);

	EXPECT_ERR(cc_rt_container_kill(f->rt, name, NULL, &err), CC_ERR_INVALID_STATE, name);

	start_c(f, name);
	await_ready(f, name, 2);
	OK(cc_rt_container_kill(f->rt, name, "SIGKILL", &err));
	expect_killed(f, name, 137);

	start_c(f, name);
	await_ready(f, name, 3);
	OK(cc_rt_container_kill(f->rt, name, "SIGTERM", &err));
	expect_killed(f, name, 143);

	EXPECT_ERR(cc_rt_container_kill(f->rt, name, "SIGTERM", &err), CC_ERR_INVALID_STATE, name);

	/* a created container is not running either */
	const char *created = nm(f, "kill-created");
	free(create_c(f, created, CMD("sleep", "1000")));
	EXPECT_ERR(cc_rt_container_kill(f->rt, created, NULL, &err), CC_ERR_INVALID_STATE, created);
}

static void test_lifecycle_restart(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "restart");
	run_c(f, name, LONG_RUN);
	await_ready(f, name, 1);
	struct cc_container before, after;
	inspect_ok(f, name, &before);
	if (!SUPPORTED("container.restart", cc_rt_container_restart(f->rt, name, STOP_TIMEOUT, &err))) {
		cc_container_release(&before);
		return;
	}
	inspect_ok(f, name, &after);
	assert_int_equal(after.state, CC_STATE_RUNNING);
	assert_true(after.started_ns >= before.started_ns);
	assert_true(after.pid > 0);
	cc_container_release(&before);
	cc_container_release(&after);

	/* and a stopped one comes back up */
	await_ready(f, name, 2);
	OK(cc_rt_container_stop(f->rt, name, NULL, STOP_TIMEOUT, &err));
	OK(cc_rt_container_restart(f->rt, name, STOP_TIMEOUT, &err));
	expect_state(f, name, CC_STATE_RUNNING);
}

static void test_lifecycle_remove(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "remove");
	run_c(f, name, CMD("sleep", "1000"));
	EXPECT_ERR(cc_rt_container_remove(f->rt, name, false, false, &err), CC_ERR_INVALID_STATE, name);
	expect_state(f, name, CC_STATE_RUNNING);
	OK(cc_rt_container_remove(f->rt, name, true, false, &err));
	struct cc_container c = {0};
	EXPECT_ERR(cc_rt_container_inspect(f->rt, name, &c, &err), CC_ERR_NOT_FOUND, name);
	EXPECT_ERR(cc_rt_container_remove(f->rt, name, false, false, &err), CC_ERR_NOT_FOUND, name);
	const char *missing = nm(f, "never-created");
	EXPECT_ERR(cc_rt_container_remove(f->rt, missing, true, false, &err), CC_ERR_NOT_FOUND, missing);

	/* a stopped container goes without force */
	const char *stopped = nm(f, "remove-stopped");
	run_c(f, stopped, LONG_RUN);
	await_ready(f, stopped, 1);
	OK(cc_rt_container_stop(f->rt, stopped, NULL, STOP_TIMEOUT, &err));
	OK(cc_rt_container_remove(f->rt, stopped, false, false, &err));
	EXPECT_ERR(cc_rt_container_inspect(f->rt, stopped, &c, &err), CC_ERR_NOT_FOUND, stopped);
}

/* A paused process does not advance: a `sleep 1` paused past its end is still there, and runs on after. That
 * is the mock's timeline; on a real engine the kernel's clock runs on while the cgroup is frozen (the sleep
 * ends right after the unpause, or before the state is read), so only the mock is held to it. */
static void test_lifecycle_pause_freezes(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	if (!is_mock()) {
		print_message(
		    "skipped: pause freezing the timeline is the mock's simulation, not the %s backend's\n",
		    backend_name());
		return;
	}
	const char *name = nm(f, "frozen");
	run_c(f, name, CMD("sleep", "1"));
	OK(cc_rt_container_pause(f->rt, name, &err));
	sleep_ms(1300);
	expect_state(f, name, CC_STATE_PAUSED);
	OK(cc_rt_container_unpause(f->rt, name, &err));
	expect_state(f, name, CC_STATE_RUNNING);
	assert_int_equal(wait_exit(f, name), 0);
}

static void test_signals(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "signals");
	struct cc_container_spec s;
	/* exits 131 on its stop signal SIGQUIT (a PID 1 without a handler ignores it), 130 on SIGINT */
	spec_init(f, &s, name,
		  CMD("sh", "-c",
		      "trap 'exit 131' QUIT; trap 'exit 130' INT; echo ready; while true; do sleep 1; done"));
	s.stop_signal = cc_xstrdup("SIGQUIT");
	free(create_spec(f, &s));
	start_c(f, name);
	await_ready(f, name, 1);
	EXPECT_ERR(cc_rt_container_kill(f->rt, name, "SIGNOPE", &err), CC_ERR_INVALID_ARGUMENT, "SIGNOPE");
	EXPECT_ERR(cc_rt_container_stop(f->rt, name, "SIGNOPE", STOP_TIMEOUT, &err), CC_ERR_INVALID_ARGUMENT,
		   "SIGNOPE");
	expect_state(f, name, CC_STATE_RUNNING);
	/* stop sends the container's stop signal */
	OK(cc_rt_container_stop(f->rt, name, NULL, STOP_TIMEOUT, &err));
	struct cc_event_filter flt = {.container = name};
	struct events ev = events_of(f, &flt);
	if (!engine_lacks("kill-stop-events")) {
		if (!strv_has(ev.signals, "3"))
			print_events(&ev);
		assert_true(strv_has(ev.signals, "3"));
	}
	events_release(&ev);
	/* numbers and bare names are signals too; each run is let print its "ready" first, so that the count
	 * of them says which run is up (a SIGKILL that comes first ends a run without one) */
	start_c(f, name);
	await_ready(f, name, 2);
	OK(cc_rt_container_kill(f->rt, name, "9", &err));
	expect_killed(f, name, 137);
	start_c(f, name);
	await_ready(f, name, 3);
	OK(cc_rt_container_kill(f->rt, name, "INT", &err));
	expect_killed(f, name, 130);
}

/* Docker's rule: a one-character id prefix shared by two containers is ambiguous. With 17 containers two
 * ids share their first hex digit. */
static void test_ambiguous_prefix(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	char *ids[17];
	char base[16];
	for (size_t i = 0; i < 17; i++) {
		snprintf(base, sizeof(base), "amb%zu", i);
		ids[i] = create_c(f, nm(f, base), CMD("sleep", "1000"));
	}
	char shared[2] = "";
	for (size_t i = 0; i < 17 && !shared[0]; i++)
		for (size_t k = 0; k < i && !shared[0]; k++)
			if (ids[i][0] == ids[k][0])
				shared[0] = ids[i][0];
	assert_true(shared[0] != 0);
	struct cc_container c = {0};
	EXPECT_ERR(cc_rt_container_inspect(f->rt, shared, &c, &err), CC_ERR_INVALID_ARGUMENT, shared);
	EXPECT_ERR(cc_rt_container_start(f->rt, shared, &err), CC_ERR_INVALID_ARGUMENT, shared);
	for (size_t i = 0; i < 17; i++)
		free(ids[i]);
}

/* ==== 3. processes ==== */

static void test_process_echo_logs(void **state)
{
	struct fx *f = *state;
	const char *name = nm(f, "echo");
	run_c(f, name, CMD("echo", "hello", "world"));
	assert_int_equal(wait_exit(f, name), 0);
	expect_exit(f, name, 0);
	struct cc_log_opts o = {.tail = -1};
	struct lines l = logs_of(f, name, &o);
	if (!strv_has(l.v, "hello world"))
		print_lines("logs", &l);
	assert_true(strv_has(l.v, "hello world"));
	assert_false(l.bad_name);
	cc_strv_free(l.v);
}

static void test_process_exit_codes(void **state)
{
	struct fx *f = *state;
	const struct {
		const char *base;
		const char *const *cmd;
		int code;
	} cases[] = {
	    {"exit3", CMD("sh", "-c", "exit 3"), 3},
	    {"false", CMD("false"), 1},
	    {"true", CMD("true"), 0},
	    {"echo", CMD("sh", "-c", "echo one; exit 42"), 42},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name = nm(f, cases[i].base);
		run_c(f, name, cases[i].cmd);
		int code = wait_exit(f, name);
		if (code != cases[i].code)
			print_error("%s: exit code %d, expected %d\n", name, code, cases[i].code);
		assert_int_equal(code, cases[i].code);
		expect_exit(f, name, cases[i].code);
	}
}

static void test_process_sleep_wait(void **state)
{
	struct fx *f = *state;
	const char *name = nm(f, "sleep1");
	run_c(f, name, CMD("sleep", "1"));
	expect_state(f, name, CC_STATE_RUNNING);
	assert_int_equal(wait_exit(f, name), 0);
	expect_exit(f, name, 0);
	/* NOT_RUNNING answers at once for a container that is not running */
	assert_int_equal(wait_exit(f, name), 0);
}

static void test_process_wait_timeout(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "waitto");
	run_c(f, name, CMD("sleep", "1000"));
	int code = -1;
	EXPECT_ERR(cc_rt_container_wait(f->rt, name, CC_WAIT_NOT_RUNNING, 200 * MS, &code, &err),
		   CC_ERR_TIMEOUT, name);
	expect_state(f, name, CC_STATE_RUNNING);
}

struct stopper {
	struct cc_runtime *rt;
	const char *ref;
	int rc;
	char *msg;
};

static void *stop_later(void *arg)
{
	struct stopper *s = arg;
	struct cc_error *err = NULL;
	sleep_ms(300);
	s->rc = cc_rt_container_stop(s->rt, s->ref, NULL, STOP_TIMEOUT, &err);
	if (err)
		s->msg = cc_xstrdup(err->msg);
	cc_error_release(&err);
	return NULL;
}

static void test_process_wait_next_exit(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "nextexit");
	run_c(f, name, LONG_RUN);
	await_ready(f, name, 1);
	struct stopper s = {f->rt, name, -1, NULL};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, stop_later, &s), 0);
	int code = -1;
	int r = cc_rt_container_wait(f->rt, name, CC_WAIT_NEXT_EXIT, WAIT_TIMEOUT, &code, &err);
	pthread_join(th, NULL);
	if (s.rc < 0)
		print_error("stop from the other thread failed: %s\n", s.msg ? s.msg : "?");
	free(s.msg);
	assert_int_equal(s.rc, 0);
	OK(r);
	assert_int_equal(code, 0);
	expect_exit(f, name, 0);
}

struct remover {
	struct cc_runtime *rt;
	const char *ref;
	int rc;
};

static void *remove_later(void *arg)
{
	struct remover *r = arg;
	struct cc_error *err = NULL;
	sleep_ms(300);
	r->rc = cc_rt_container_remove(r->rt, r->ref, true, false, &err);
	cc_error_release(&err);
	return NULL;
}

static void test_process_wait_removed(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "waitrm");
	run_c(f, name, CMD("sleep", "1000"));
	struct remover rm = {f->rt, name, -1};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, remove_later, &rm), 0);
	int code = -1;
	int r = cc_rt_container_wait(f->rt, name, CC_WAIT_REMOVED, WAIT_TIMEOUT, &code, &err);
	pthread_join(th, NULL);
	assert_int_equal(rm.rc, 0);
	OK(r);
	struct cc_container c = {0};
	EXPECT_ERR(cc_rt_container_inspect(f->rt, name, &c, &err), CC_ERR_NOT_FOUND, name);
}

/* ==== 4. create errors and references ==== */

static void test_create_errors(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	struct cc_container_spec s;
	char *id = NULL;
	struct cc_container c = {0};

	const char *dup = nm(f, "dup");
	char *first = create_c(f, dup, CMD("sleep", "1000"));
	spec_init(f, &s, dup, CMD("sleep", "1000"));
	EXPECT_ERR(cc_rt_container_create(f->rt, &s, &id, &err), CC_ERR_ALREADY_EXISTS, dup);
	assert_null(id);
	cc_container_spec_release(&s);
	/* the first one is untouched */
	inspect_ok(f, dup, &c);
	assert_string_equal(c.id, first);
	cc_container_release(&c);
	free(first);

	spec_init(f, &s, "bad name!", CMD("sleep", "1000"));
	EXPECT_ERR(cc_rt_container_create(f->rt, &s, &id, &err), CC_ERR_INVALID_ARGUMENT, "bad name!");
	cc_container_spec_release(&s);
	EXPECT_ERR(cc_rt_container_inspect(f->rt, "bad name!", &c, &err), CC_ERR_NOT_FOUND, NULL);

	const char *noimg = nm(f, "noimage");
	spec_init(f, &s, noimg, CMD("sleep", "1000"));
	free(s.image);
	s.image = NULL;
	EXPECT_ERR(cc_rt_container_create(f->rt, &s, &id, &err), CC_ERR_INVALID_ARGUMENT, NULL);
	cc_container_spec_release(&s);
	EXPECT_ERR(cc_rt_container_inspect(f->rt, noimg, &c, &err), CC_ERR_NOT_FOUND, noimg);

	const char *nonet = nm(f, "nonet");
	const char *net = nm(f, "missing-net");
	spec_init(f, &s, nonet, CMD("sleep", "1000"));
	spec_add_network(&s, net);
	EXPECT_ERR_IF_SUPPORTED("networks", cc_rt_container_create(f->rt, &s, &id, &err), CC_ERR_NOT_FOUND,
				net);
	cc_container_spec_release(&s);
	/* nothing is left behind by a failed create */
	EXPECT_ERR(cc_rt_container_inspect(f->rt, nonet, &c, &err), CC_ERR_NOT_FOUND, nonet);
	assert_null(id);
}

static void test_create_unnamed(void **state)
{
	struct fx *f = *state;
	struct cc_container_spec s;
	spec_init(f, &s, NULL, CMD("sleep", "1000"));
	char *id = create_spec(f, &s);
	struct cc_container c;
	inspect_ok(f, id, &c);
	assert_non_null(c.name);
	assert_true(strlen(c.name) > 0);
	assert_string_equal(c.id, id);
	cc_container_release(&c);
	free(id);
}

static void test_ref_by_id_prefix(void **state)
{
	struct fx *f = *state;
	const char *name = nm(f, "prefix");
	char *id = create_c(f, name, CMD("sleep", "1000"));
	char prefix[13];
	snprintf(prefix, sizeof(prefix), "%.12s", id);
	struct cc_container c;
	inspect_ok(f, prefix, &c);
	assert_string_equal(c.name, name);
	assert_string_equal(c.id, id);
	cc_container_release(&c);
	inspect_ok(f, id, &c);
	assert_string_equal(c.name, name);
	cc_container_release(&c);
	/* the prefix works for operations, too */
	start_c(f, prefix);
	expect_state(f, name, CC_STATE_RUNNING);
	free(id);
}

/* Every container operation on a name that does not exist: NOT_FOUND naming it. */
static void test_missing_container_refs(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	/* one container exists, so that a lookup has something to get wrong */
	run_c(f, nm(f, "present"), CMD("sleep", "1000"));
	const char *missing = nm(f, "absent");
	struct cc_container c = {0};
	int code = -1;
	struct lines l = {0};
	struct cc_log_sink sink = {collect_line, &l, NULL};
	struct cc_log_opts lo = {.tail = -1};
	cc_strv argv = strv_of(CMD("true"));
	struct cc_exec_opts eo = {.argv = argv};
	struct cc_top t = {0};
	struct cc_stats st = {0};

	EXPECT_ERR(cc_rt_container_inspect(f->rt, missing, &c, &err), CC_ERR_NOT_FOUND, missing);
	EXPECT_ERR(cc_rt_container_start(f->rt, missing, &err), CC_ERR_NOT_FOUND, missing);
	EXPECT_ERR(cc_rt_container_stop(f->rt, missing, NULL, STOP_TIMEOUT, &err), CC_ERR_NOT_FOUND, missing);
	EXPECT_ERR_IF_SUPPORTED("container.restart",
				cc_rt_container_restart(f->rt, missing, STOP_TIMEOUT, &err), CC_ERR_NOT_FOUND,
				missing);
	EXPECT_ERR(cc_rt_container_kill(f->rt, missing, NULL, &err), CC_ERR_NOT_FOUND, missing);
	EXPECT_ERR_IF_SUPPORTED("container.pause", cc_rt_container_pause(f->rt, missing, &err),
				CC_ERR_NOT_FOUND, missing);
	EXPECT_ERR_IF_SUPPORTED("container.unpause", cc_rt_container_unpause(f->rt, missing, &err),
				CC_ERR_NOT_FOUND, missing);
	EXPECT_ERR(cc_rt_container_remove(f->rt, missing, true, false, &err), CC_ERR_NOT_FOUND, missing);
	EXPECT_ERR(cc_rt_container_wait(f->rt, missing, CC_WAIT_NOT_RUNNING, 200 * MS, &code, &err),
		   CC_ERR_NOT_FOUND, missing);
	EXPECT_ERR(cc_rt_container_logs(f->rt, missing, &lo, &sink, &err), CC_ERR_NOT_FOUND, missing);
	EXPECT_ERR_IF_SUPPORTED("container.exec",
				cc_rt_container_exec(f->rt, missing, &eo, NULL, &code, &err),
				CC_ERR_NOT_FOUND, missing);
	EXPECT_ERR_IF_SUPPORTED("container.top", cc_rt_container_top(f->rt, missing, &t, &err),
				CC_ERR_NOT_FOUND, missing);
	EXPECT_ERR_IF_SUPPORTED("container.stats", cc_rt_container_stats(f->rt, missing, &st, &err),
				CC_ERR_NOT_FOUND, missing);
	assert_int_equal(l.n, 0);
	cc_strv_free(argv);
}

/* ==== 5. list filters ==== */

static void add_label(struct cc_container_spec *s, const char *k, const char *v)
{
	cc_kvs_set(&s->labels, k, v);
}

static void test_list_filters(void **state)
{
	struct fx *f = *state;
	struct cc_container_spec s;
	const char *a1 = nm(f, "a-1"), *a2 = nm(f, "a-2"), *b1 = nm(f, "b-1");
	char *p1 = cc_xasprintf("p1%s", f->tag), *p2 = cc_xasprintf("p2%s", f->tag);

	spec_init(f, &s, a1, CMD("sleep", "1000"));
	add_label(&s, "com.docker.compose.project", p1);
	add_label(&s, "k", "v");
	free(create_spec(f, &s));
	start_c(f, a1);

	spec_init(f, &s, a2, CMD("sleep", "1000"));
	add_label(&s, "com.docker.compose.project", p1);
	add_label(&s, "k", "w");
	free(create_spec(f, &s));

	spec_init(f, &s, b1, CMD("sleep", "1000"));
	add_label(&s, "com.docker.compose.project", p2);
	add_label(&s, "other", "x");
	free(create_spec(f, &s));
	start_c(f, b1);

	char *scope[] = {f->scope, NULL};
	struct cc_container_filter flt;

	flt = (struct cc_container_filter){.project = p1, .all = true};
	assert_int_equal(list_count(f, &flt), 2);
	assert_true(list_has(f, &flt, a1));
	assert_true(list_has(f, &flt, a2));

	flt = (struct cc_container_filter){.project = p1};
	assert_int_equal(list_count(f, &flt), 1);
	assert_true(list_has(f, &flt, a1));

	flt = (struct cc_container_filter){.project = p2, .all = true};
	assert_int_equal(list_count(f, &flt), 1);
	assert_true(list_has(f, &flt, b1));

	/* all = false: only running ones */
	flt = (struct cc_container_filter){.labels = scope};
	assert_int_equal(list_count(f, &flt), 2);
	assert_false(list_has(f, &flt, a2));
	flt.all = true;
	assert_int_equal(list_count(f, &flt), 3);

	flt = (struct cc_container_filter){.labels = scope, .state_mask = 1u << CC_STATE_CREATED};
	assert_int_equal(list_count(f, &flt), 1);
	assert_true(list_has(f, &flt, a2));
	flt.state_mask = 1u << CC_STATE_RUNNING;
	assert_int_equal(list_count(f, &flt), 2);
	flt.state_mask = (1u << CC_STATE_RUNNING) | (1u << CC_STATE_CREATED);
	assert_int_equal(list_count(f, &flt), 3);
	flt.state_mask = 1u << CC_STATE_EXITED;
	assert_int_equal(list_count(f, &flt), 0);

	char *prefix = cc_xasprintf("%s-a", f->tag);
	flt = (struct cc_container_filter){.name_prefix = prefix, .all = true};
	assert_int_equal(list_count(f, &flt), 2);
	assert_false(list_has(f, &flt, b1));
	free(prefix);

	char *kv[] = {f->scope, (char *)"k=v", NULL};
	flt = (struct cc_container_filter){.labels = kv, .all = true};
	assert_int_equal(list_count(f, &flt), 1);
	assert_true(list_has(f, &flt, a1));

	char *k[] = {f->scope, (char *)"k", NULL};
	flt = (struct cc_container_filter){.labels = k, .all = true};
	assert_int_equal(list_count(f, &flt), 2);
	assert_false(list_has(f, &flt, b1));

	char *kz[] = {f->scope, (char *)"k=zz", NULL};
	flt = (struct cc_container_filter){.labels = kz, .all = true};
	assert_int_equal(list_count(f, &flt), 0);

	/* the listed containers carry their labels */
	struct cc_error *err = NULL;
	struct cc_container *cs = NULL;
	size_t n = 0;
	flt = (struct cc_container_filter){.labels = kv, .all = true};
	OK(cc_rt_container_list(f->rt, &flt, &cs, &n, &err));
	assert_int_equal(n, 1);
	assert_string_equal(cc_kvs_get(&cs[0].spec.labels, "k"), "v");
	assert_string_equal(cc_kvs_get(&cs[0].spec.labels, "com.docker.compose.project"), p1);
	assert_int_equal(cs[0].state, CC_STATE_RUNNING);
	cc_containers_free(cs, n);
	free(p1);
	free(p2);
}

/* ==== 6. logs ==== */

static void test_logs_tail(void **state)
{
	struct fx *f = *state;
	const char *name = nm(f, "abc");
	run_c(f, name, CMD("sh", "-c", "echo a; echo b; echo c"));
	assert_int_equal(wait_exit(f, name), 0);

	struct cc_log_opts o = {.tail = -1};
	struct lines l = logs_of(f, name, &o);
	if (l.n != 3)
		print_lines("all logs", &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "a");
	assert_string_equal(l.v[1], "b");
	assert_string_equal(l.v[2], "c");
	cc_strv_free(l.v);

	o.tail = 1;
	l = logs_of(f, name, &o);
	if (l.n != 1)
		print_lines("tail=1", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "c");
	cc_strv_free(l.v);

	o.tail = 2;
	l = logs_of(f, name, &o);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "b");
	assert_string_equal(l.v[1], "c");
	cc_strv_free(l.v);
}

static void test_logs_follow(void **state)
{
	struct fx *f = *state;
	const char *name = nm(f, "follow");
	run_c(f, name, CMD("sh", "-c", "echo x; sleep 1; echo y"));
	struct cc_log_opts o = {.tail = -1, .follow = true};
	struct lines l = logs_of(f, name, &o);
	if (l.n != 2)
		print_lines("followed logs", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "x");
	assert_string_equal(l.v[1], "y");
	assert_false(l.bad_name); /* every frame names its container */
	cc_strv_free(l.v);
	/* the stream ended because the container exited */
	expect_exit(f, name, 0);
}

static void test_logs_follow_tail(void **state)
{
	struct fx *f = *state;
	const char *name = nm(f, "followtail");
	run_c(f, name, CMD("sh", "-c", "echo a; echo b; echo c"));
	assert_int_equal(wait_exit(f, name), 0);
	struct cc_log_opts o = {.tail = 1, .follow = true};
	struct lines l = logs_of(f, name, &o); /* returns: the container is not running */
	if (l.n != 1)
		print_lines("follow tail=1", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "c");
	cc_strv_free(l.v);
}

struct timed_lines {
	int64_t t[8];
	size_t n;
};

static int collect_times(void *ctx, const struct cc_log_frame *fr)
{
	struct timed_lines *tl = ctx;
	if (tl->n < 8)
		tl->t[tl->n] = fr->time_ns;
	tl->n++;
	return 0;
}

static void test_logs_since_until(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "sinceuntil");
	/* `since` is the second line's own stamp: it holds however late a loaded machine stamped the first,
	 * and on an engine that stamps whole seconds (podman's service), whose two stamps differ when the
	 * lines are two seconds apart */
	run_c(f, name, CMD("sh", "-c", "echo x; sleep 2; echo y"));
	assert_int_equal(wait_exit(f, name), 0);
	struct timed_lines tl = {0};
	struct cc_log_sink ts = {collect_times, &tl, NULL};
	struct cc_log_opts o = {.tail = -1};
	OK(cc_rt_container_logs(f->rt, name, &o, &ts, &err));
	assert_int_equal(tl.n, 2);
	assert_true(tl.t[0] > 0);
	assert_true(tl.t[1] > tl.t[0]);

	o = (struct cc_log_opts){.tail = -1, .since_ns = tl.t[1]};
	struct lines l = logs_of(f, name, &o);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "y");
	cc_strv_free(l.v);

	o = (struct cc_log_opts){.tail = -1, .until_ns = tl.t[1] - 1};
	l = logs_of(f, name, &o);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "x");
	cc_strv_free(l.v);
}

static void test_logs_cancel(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "cancel");
	run_c(f, name, CMD("sh", "-c", "echo a; echo b; echo c"));
	assert_int_equal(wait_exit(f, name), 0);
	struct lines l = {.cancel_after = 1};
	struct cc_log_sink sink = {collect_line, &l, NULL};
	struct cc_log_opts o = {.tail = -1};
	OK(cc_rt_container_logs(f->rt, name, &o, &sink, &err));
	assert_int_equal(l.n, 1);
	cc_strv_free(l.v);

	/* cancelling a followed stream of a running container ends it too */
	const char *running = nm(f, "cancel-follow");
	run_c(f, running, CMD("sh", "-c", "echo first; sleep 1000"));
	l = (struct lines){.cancel_after = 1};
	o.follow = true;
	OK(cc_rt_container_logs(f->rt, running, &o, &sink, &err));
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "first");
	cc_strv_free(l.v);
}

static void test_logs_no_stdout(void **state)
{
	struct fx *f = *state;
	const char *name = nm(f, "nostdout");
	run_c(f, name, CMD("sh", "-c", "echo a; echo b; echo c"));
	assert_int_equal(wait_exit(f, name), 0);
	struct cc_log_opts o = {.tail = -1, .no_stdout = true};
	struct lines l = logs_of(f, name, &o);
	if (l.n)
		print_lines("no_stdout", &l);
	assert_int_equal(l.n, 0);
	cc_strv_free(l.v);
	o = (struct cc_log_opts){.tail = -1, .no_stderr = true};
	l = logs_of(f, name, &o);
	assert_int_equal(l.n, 3);
	cc_strv_free(l.v);
}

/* ==== 7. events ==== */

/* The actions appear in this order (other events may come between them). */
static bool in_order(const struct events *ev, const char *type, const char *name, const char *const *actions)
{
	size_t k = 0;
	for (size_t i = 0; i < ev->n && actions[k]; i++) {
		char *want = cc_xasprintf("%s %s %s", type, actions[k], name);
		if (strcmp(ev->lines[i], want) == 0)
			k++;
		free(want);
	}
	return !actions[k];
}

static void test_events_container(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "events");
	run_c(f, name, LONG_RUN);
	await_ready(f, name, 1);
	OK(cc_rt_container_stop(f->rt, name, NULL, STOP_TIMEOUT, &err));
	OK(cc_rt_container_remove(f->rt, name, false, false, &err));
	/* another container's events stay out of the filtered stream */
	run_c(f, nm(f, "events-other"), CMD("true"));

	struct cc_event_filter flt = {.container = name};
	struct events ev = events_of(f, &flt);
	const char *const *order = engine_lacks("kill-stop-events")
				       ? CMD("create", "start", "die", "destroy")
				       : CMD("create", "start", "kill", "die", "stop", "destroy");
	if (!in_order(&ev, "container", name, order))
		print_events(&ev);
	assert_true(in_order(&ev, "container", name, order));
	for (size_t i = 0; i < ev.n; i++) {
		bool ours = strncmp(ev.lines[i], "container ", 10) == 0 && strstr(ev.lines[i], name);
		if (!ours)
			print_error("event outside the filter: %s\n", ev.lines[i]);
		assert_true(ours);
	}
	assert_int_equal(cc_strv_len(ev.exitcodes), 1);
	assert_string_equal(ev.exitcodes[0], "0");

	/* since after the last event: nothing */
	struct cc_event_filter later = {.container = name, .since_ns = ev.max_time + 1};
	struct events none = events_of(f, &later);
	if (none.n)
		print_events(&none);
	assert_int_equal(none.n, 0);
	events_release(&none);
	events_release(&ev);
}

static void test_events_type_filter(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *net = nm(f, "evnet");
	struct cc_network_config cfg = {.name = (char *)net};
	char *id = NULL;
	if (!SUPPORTED("network.create", cc_rt_network_create(f->rt, &cfg, &id, &err)))
		return;
	free(id);
	run_c(f, nm(f, "evnet-c"), CMD("true"));

	struct cc_event_filter flt = {.type = "network"};
	struct events ev = events_of(f, &flt);
	char *want = cc_xasprintf("network create %s", net);
	if (!engine_lacks("network-events")) {
		if (!strv_has(ev.lines, want))
			print_events(&ev);
		assert_true(strv_has(ev.lines, want));
	}
	for (size_t i = 0; i < ev.n; i++)
		assert_true(strncmp(ev.lines[i], "network ", 8) == 0);
	free(want);
	events_release(&ev);
}

struct starter {
	struct fx *f;
	const char *name;
};

static void *start_later(void *arg)
{
	struct starter *st = arg;
	struct cc_error *err = NULL;
	sleep_ms(200);
	struct cc_container_spec s;
	spec_init(st->f, &s, st->name, CMD("true"));
	char *id = NULL;
	if (cc_rt_container_create(st->f->rt, &s, &id, &err) == 0)
		cc_rt_container_start(st->f->rt, st->name, &err);
	cc_error_release(&err);
	cc_container_spec_release(&s);
	free(id);
	return NULL;
}

/* A followed stream delivers what happens while it is open, and ends at until_ns. */
static void test_events_follow(void **state)
{
	struct fx *f = *state;
	struct starter st = {f, nm(f, "followed")};
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t now_ns = (int64_t)now.tv_sec * SEC + now.tv_nsec;
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, start_later, &st), 0);
	/* from now on, so that what happened before the stream opened is there too */
	/* podman's service takes seconds to create and start a container here: give it the time */
	const char *engine = getenv("CC_CONFORMANCE_ENGINE");
	int64_t window = engine && strcmp(engine, "podman") == 0 ? 10000 * MS : 1500 * MS;
	struct cc_event_filter flt = {
	    .container = st.name, .follow = true, .since_ns = now_ns, .until_ns = now_ns + window};
	struct events ev = events_of(f, &flt);
	pthread_join(th, NULL);
	const char *const *order = CMD("create", "start", "die");
	if (!in_order(&ev, "container", st.name, order))
		print_events(&ev);
	assert_true(in_order(&ev, "container", st.name, order));
	events_release(&ev);
}

static void test_events_project_filter(void **state)
{
	struct fx *f = *state;
	char *project = cc_xasprintf("proj%s", f->tag);
	const char *in = nm(f, "inproject"), *out = nm(f, "outproject");
	struct cc_container_spec s;
	spec_init(f, &s, in, CMD("true"));
	add_label(&s, "com.docker.compose.project", project);
	free(create_spec(f, &s));
	free(create_c(f, out, CMD("true")));
	struct cc_event_filter flt = {.project = project};
	struct events ev = events_of(f, &flt);
	char *want = cc_xasprintf("container create %s", in);
	if (!strv_has(ev.lines, want))
		print_events(&ev);
	assert_true(strv_has(ev.lines, want));
	for (size_t i = 0; i < ev.n; i++)
		assert_null(strstr(ev.lines[i], out));
	free(want);
	events_release(&ev);
	free(project);
}

/* ==== 8. health ==== */

static bool pred_healthy(const struct cc_container *c)
{
	return c->health == CC_HEALTH_HEALTHY;
}

static bool pred_unhealthy(const struct cc_container *c)
{
	return c->health == CC_HEALTH_UNHEALTHY;
}

static void test_health_healthy(void **state)
{
	struct fx *f = *state;
	if (engine_lacks("healthchecks"))
		return;
	const char *name = nm(f, "healthy");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	s.healthcheck = healthcheck(CMD("CMD", "true"), 200 * MS, 0);
	char *id = create_spec_if_supported(f, &s, "healthcheck");
	if (!id)
		return;
	free(id);
	start_c(f, name);
	struct cc_container c;
	bool ok = poll_container(f, name, pred_healthy, 5000, &c);
	if (!ok)
		print_error("%s: health %s, expected healthy\n", name, cc_health_name(c.health));
	assert_true(ok);
	assert_int_equal(c.failing_streak, 0);
	assert_int_equal(c.state, CC_STATE_RUNNING);
	cc_container_release(&c);

	struct cc_event_filter flt = {.container = name};
	struct events ev = events_of(f, &flt);
	char *want = cc_xasprintf("container health_status %s", name);
	if (!strv_has(ev.lines, want))
		print_events(&ev);
	assert_true(strv_has(ev.lines, want));
	assert_true(strv_has(ev.health, "healthy"));
	free(want);
	events_release(&ev);
}

static void test_health_unhealthy(void **state)
{
	struct fx *f = *state;
	if (engine_lacks("healthchecks"))
		return;
	const char *name = nm(f, "unhealthy");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	s.healthcheck = healthcheck(CMD("CMD", "false"), 100 * MS, 2);
	char *id = create_spec_if_supported(f, &s, "healthcheck");
	if (!id)
		return;
	free(id);
	start_c(f, name);
	struct cc_container c;
	bool ok = poll_container(f, name, pred_unhealthy, 5000, &c);
	if (!ok)
		print_error("%s: health %s, expected unhealthy\n", name, cc_health_name(c.health));
	assert_true(ok);
	assert_true(c.failing_streak >= 2);
	assert_int_equal(c.state, CC_STATE_RUNNING); /* unhealthy is not stopped */
	cc_container_release(&c);

	struct cc_event_filter flt = {.container = name};
	struct events ev = events_of(f, &flt);
	if (!strv_has(ev.health, "unhealthy"))
		print_events(&ev);
	assert_true(strv_has(ev.health, "unhealthy"));
	events_release(&ev);
}

static void test_health_none(void **state)
{
	struct fx *f = *state;
	const char *name = nm(f, "nohealth");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	s.healthcheck = healthcheck(CMD("NONE"), 100 * MS, 0);
	char *id = create_spec_if_supported(f, &s, "healthcheck");
	if (!id)
		return;
	free(id);
	start_c(f, name);
	sleep_ms(300);
	struct cc_container c;
	inspect_ok(f, name, &c);
	assert_int_equal(c.health, CC_HEALTH_NONE);
	assert_int_equal(c.state, CC_STATE_RUNNING);
	cc_container_release(&c);
}

/* ==== 9. restart policies ==== */

static bool pred_restarted(const struct cc_container *c)
{
	return c->restart_count >= 1;
}

/* always: it comes back after failures, but a stop is final */
static void test_restart_always_then_stop(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "always");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sh", "-c", "sleep 0.2; exit 1"));
	s.restart = CC_RESTART_ALWAYS;
	char *id = create_spec_if_supported(f, &s, "restart policy always");
	if (!id)
		return;
	free(id);
	start_c(f, name);
	struct cc_container c;
	bool ok = poll_container(f, name, pred_restarted, 3000, &c);
	cc_container_release(&c);
	assert_true(ok);
	OK(cc_rt_container_stop(f->rt, name, NULL, STOP_TIMEOUT, &err));
	inspect_ok(f, name, &c);
	int count = c.restart_count;
	assert_int_equal(c.state, CC_STATE_EXITED);
	cc_container_release(&c);
	sleep_ms(700);
	inspect_ok(f, name, &c);
	assert_int_equal(c.state, CC_STATE_EXITED);
	assert_int_equal(c.restart_count, count);
	cc_container_release(&c);
}

static bool pred_restarted_out(const struct cc_container *c)
{
	return c->state == CC_STATE_EXITED && c->restart_count >= 2;
}

static void test_restart_on_failure(void **state)
{
	struct fx *f = *state;
	const char *name = nm(f, "onfailure");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("false"));
	s.restart = CC_RESTART_ON_FAILURE;
	s.restart_max_retries = 2;
	char *id = create_spec_if_supported(f, &s, "restart policy on-failure");
	if (!id)
		return;
	free(id);
	start_c(f, name);
	struct cc_container c;
	bool ok = poll_container(f, name, pred_restarted_out, 3000, &c);
	if (!ok)
		print_error("%s: %s, restart count %d, expected exited after 2 restarts\n", name,
			    cc_state_name(c.state), c.restart_count);
	assert_true(ok);
	cc_container_release(&c);
	/* and it stays down: no third restart */
	sleep_ms(800);
	inspect_ok(f, name, &c);
	assert_int_equal(c.state, CC_STATE_EXITED);
	assert_int_equal(c.restart_count, 2);
	assert_int_equal(c.exit_code, 1);
	cc_container_release(&c);
}

static void test_restart_no(void **state)
{
	struct fx *f = *state;
	const char *name = nm(f, "norestart");
	run_c(f, name, CMD("false"));
	assert_int_equal(wait_exit(f, name), 1);
	sleep_ms(300);
	struct cc_container c;
	inspect_ok(f, name, &c);
	assert_int_equal(c.state, CC_STATE_EXITED);
	assert_int_equal(c.restart_count, 0);
	assert_int_equal(c.exit_code, 1);
	cc_container_release(&c);
}

/* ==== 10. exec ==== */

static void test_exec(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "exec");
	run_c(f, name, LONG_RUN);

	cc_strv argv = strv_of(CMD("echo", "hi"));
	struct cc_exec_opts o = {.argv = argv};
	struct lines l = {0};
	struct cc_log_sink sink = {collect_line, &l, NULL};
	int code = -1;
	if (!SUPPORTED("container.exec", cc_rt_container_exec(f->rt, name, &o, &sink, &code, &err))) {
		cc_strv_free(argv);
		return;
	}
	assert_int_equal(code, 0);
	if (!strv_has(l.v, "hi"))
		print_lines("exec output", &l);
	assert_true(strv_has(l.v, "hi"));
	cc_strv_free(l.v);
	cc_strv_free(argv);

	argv = strv_of(CMD("sh", "-c", "exit 7"));
	o.argv = argv;
	code = -1;
	OK(cc_rt_container_exec(f->rt, name, &o, NULL, &code, &err));
	assert_int_equal(code, 7);

	/* exec leaves the container running */
	expect_state(f, name, CC_STATE_RUNNING);

	char *empty[] = {NULL};
	o.argv = empty;
	EXPECT_ERR(cc_rt_container_exec(f->rt, name, &o, NULL, &code, &err), CC_ERR_INVALID_ARGUMENT, NULL);
	o.argv = NULL;
	EXPECT_ERR(cc_rt_container_exec(f->rt, name, &o, NULL, &code, &err), CC_ERR_INVALID_ARGUMENT, NULL);

	OK(cc_rt_container_stop(f->rt, name, NULL, STOP_TIMEOUT, &err));
	o.argv = argv;
	EXPECT_ERR(cc_rt_container_exec(f->rt, name, &o, NULL, &code, &err), CC_ERR_INVALID_STATE, name);
	cc_strv_free(argv);
}

/* ==== 11. top and stats ==== */

static void test_exec_paused(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "execpaused");
	run_c(f, name, CMD("sleep", "1000"));
	if (!SUPPORTED("container.pause", cc_rt_container_pause(f->rt, name, &err)))
		return;
	cc_strv argv = strv_of(CMD("true"));
	struct cc_exec_opts o = {.argv = argv};
	int code = -1;
	EXPECT_ERR(cc_rt_container_exec(f->rt, name, &o, NULL, &code, &err), CC_ERR_INVALID_STATE, name);
	cc_strv_free(argv);
}

static void test_top(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "top");
	run_c(f, name, LONG_RUN);
	struct cc_top t = {0};
	if (!SUPPORTED("container.top", cc_rt_container_top(f->rt, name, &t, &err)))
		return;
	assert_true(strv_has(t.titles, "PID"));
	assert_true(t.nrows >= 1);
	for (size_t i = 0; i < t.nrows; i++)
		assert_int_equal(cc_strv_len(t.rows[i]), cc_strv_len(t.titles));
	cc_top_release(&t);

	OK(cc_rt_container_stop(f->rt, name, NULL, STOP_TIMEOUT, &err));
	EXPECT_ERR(cc_rt_container_top(f->rt, name, &t, &err), CC_ERR_INVALID_STATE, name);
	const char *created = nm(f, "top-created");
	free(create_c(f, created, CMD("sleep", "1000")));
	EXPECT_ERR(cc_rt_container_top(f->rt, created, &t, &err), CC_ERR_INVALID_STATE, created);
}

static void test_stats(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *net = nm(f, "statsnet");
	struct cc_network_config cfg = {.name = (char *)net};
	if (!SUPPORTED("network.create", cc_rt_network_create(f->rt, &cfg, NULL, &err)))
		return;
	const char *name = nm(f, "stats");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	spec_add_network(&s, net);
	char *id = create_spec_if_supported(f, &s, "networks");
	if (!id)
		return;
	start_c(f, name);
	struct cc_stats st = {0};
	if (!SUPPORTED("container.stats", cc_rt_container_stats(f->rt, name, &st, &err))) {
		free(id);
		return;
	}
	assert_non_null(st.id);
	assert_string_equal(st.id, id);
	assert_int_equal(st.nnetifs, 1);
	assert_non_null(st.netifs[0].name);
	assert_true(st.sampled_ns > 0);
	cc_stats_release(&st);
	free(id);
}

/* ==== 12. networks ==== */

/* Create a network: false when the backend has no networks ("not supported: network.create" printed). */
static bool create_network(struct fx *f, const char *name)
{
	struct cc_error *err = NULL;
	struct cc_network_config cfg = {.name = (char *)name};
	char *id = NULL;
	if (!SUPPORTED("network.create", cc_rt_network_create(f->rt, &cfg, &id, &err)))
		return false;
	assert_non_null(id);
	free(id);
	return true;
}

static void test_network_lifecycle(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *net = nm(f, "net");
	if (!create_network(f, net))
		return;

	struct cc_network n = {0};
	OK(cc_rt_network_inspect(f->rt, net, &n, &err));
	assert_string_equal(n.spec.name, net);
	assert_non_null(n.spec.driver);
	assert_string_equal(n.spec.driver, "bridge");
	assert_non_null(n.spec.subnet);
	assert_non_null(strchr(n.spec.subnet, '/'));
	assert_non_null(n.id);
	assert_int_equal(n.containers.n, 0);
	cc_network_release(&n);

	struct cc_network_config dup = {.name = (char *)net};
	EXPECT_ERR(cc_rt_network_create(f->rt, &dup, NULL, &err), CC_ERR_ALREADY_EXISTS, net);

	/* the list has it */
	struct cc_network *ns = NULL;
	size_t count = 0;
	OK(cc_rt_network_list(f->rt, &ns, &count, &err));
	bool listed = false;
	for (size_t i = 0; i < count; i++)
		listed = listed || strcmp(ns[i].spec.name, net) == 0;
	cc_networks_free(ns, count);
	assert_true(listed);

	const char *name = nm(f, "netc");
	struct cc_container_spec s;
	spec_init(f, &s, name, LONG_RUN);
	spec_add_network(&s, net);
	free(create_spec(f, &s));
	start_c(f, name);

	OK(cc_rt_network_inspect(f->rt, net, &n, &err));
	const char *ip = cc_kvs_get(&n.containers, name);
	if (!is_ipv4(ip))
		print_error("network %s: container %s has address \"%s\"\n", net, name,
			    ip ? ip : "(not listed)");
	assert_true(is_ipv4(ip));
	cc_network_release(&n);

	/* the container's view agrees */
	struct cc_container c;
	inspect_ok(f, name, &c);
	assert_int_equal(c.nendpoints, 1);
	assert_string_equal(c.endpoints[0].network, net);
	assert_true(is_ipv4(c.endpoints[0].ipv4_address));
	cc_container_release(&c);

	EXPECT_ERR(cc_rt_network_remove(f->rt, net, &err), CC_ERR_INVALID_STATE, net);
	OK(cc_rt_network_inspect(f->rt, net, &n, &err));
	cc_network_release(&n);

	OK(cc_rt_container_stop(f->rt, name, NULL, STOP_TIMEOUT, &err));
	if (engine_lacks("network-removal-with-stopped-members")) {
		/* the engine's stricter rule: a stopped member still blocks the removal */
		EXPECT_ERR(cc_rt_network_remove(f->rt, net, &err), CC_ERR_INVALID_STATE, net);
		OK(cc_rt_container_remove(f->rt, name, false, false, &err));
		OK(cc_rt_network_remove(f->rt, net, &err));
		EXPECT_ERR(cc_rt_network_inspect(f->rt, net, &n, &err), CC_ERR_NOT_FOUND, net);
		return;
	}
	OK(cc_rt_network_remove(f->rt, net, &err));
	EXPECT_ERR(cc_rt_network_inspect(f->rt, net, &n, &err), CC_ERR_NOT_FOUND, net);
	EXPECT_ERR(cc_rt_network_remove(f->rt, net, &err), CC_ERR_NOT_FOUND, net);
	/* the container still refers to it: it cannot start without it */
	EXPECT_ERR(cc_rt_container_start(f->rt, name, &err), CC_ERR_NOT_FOUND, net);
	expect_state(f, name, CC_STATE_EXITED);
}

/* A dual-stack network: its IPv6 subnet and gateway, a requested address and an allocated one, the
 * network's view of both, and the refusals (an address taken, an address on an IPv4-only network, an IPv6
 * subnet without enable_ipv6). */
static void test_network_ipv6(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *net = nm(f, "net6");
	struct cc_network_config cfg = {.name = (char *)net,
					.enable_ipv6 = true,
					.subnet = (char *)"10.231.7.0/24",
					.subnet6 = (char *)"fd0c:cf:1::/64"};
	if (!SUPPORTED("network.create", cc_rt_network_create(f->rt, &cfg, NULL, &err)))
		return;
	struct cc_network n = {0};
	OK(cc_rt_network_inspect(f->rt, net, &n, &err));
	assert_true(n.spec.enable_ipv6);
	assert_string_equal(n.spec.subnet6, "fd0c:cf:1::/64");
	bool gateway_known = !engine_lacks("ipv6-gateway");
	if (gateway_known) {
		assert_non_null(n.spec.gateway6);
		assert_true(strncmp(n.spec.gateway6, "fd0c:cf:1::", 11) == 0);
	}
	cc_network_release(&n);

	const char *fixed = nm(f, "v6fixed"), *dynamic = nm(f, "v6dyn"), *clash = nm(f, "v6clash");
	struct cc_container_spec s;
	spec_init(f, &s, fixed, LONG_RUN);
	spec_add_network(&s, net);
	s.networks[0].ipv6_address = cc_xstrdup("fd0c:cf:1::42");
	free(create_spec(f, &s));
	start_c(f, fixed);
	spec_init(f, &s, dynamic, LONG_RUN);
	spec_add_network(&s, net);
	free(create_spec(f, &s));
	start_c(f, dynamic); /* an engine may assign addresses at start */

	struct cc_container c;
	inspect_ok(f, fixed, &c);
	assert_int_equal(c.nendpoints, 1);
	assert_non_null(c.endpoints[0].ipv6_address);
	assert_string_equal(c.endpoints[0].ipv6_address, "fd0c:cf:1::42");
	assert_true(is_ipv4(c.endpoints[0].ipv4_address));
	cc_container_release(&c);
	inspect_ok(f, dynamic, &c);
	assert_non_null(c.endpoints[0].ipv6_address);
	char *dynamic6 = cc_xstrdup(c.endpoints[0].ipv6_address);
	cc_container_release(&c);
	assert_true(strncmp(dynamic6, "fd0c:cf:1::", 11) == 0);
	assert_string_not_equal(dynamic6, "fd0c:cf:1::42");

	OK(cc_rt_network_inspect(f->rt, net, &n, &err));
	assert_non_null(cc_kvs_get(&n.containers6, fixed));
	assert_string_equal(cc_kvs_get(&n.containers6, fixed), "fd0c:cf:1::42");
	assert_non_null(cc_kvs_get(&n.containers6, dynamic));
	assert_string_equal(cc_kvs_get(&n.containers6, dynamic), dynamic6);
	if (gateway_known)
		assert_string_not_equal(n.spec.gateway6, dynamic6);
	cc_network_release(&n);
	free(dynamic6);

	/* a taken address */
	spec_init(f, &s, clash, LONG_RUN);
	spec_add_network(&s, net);
	s.networks[0].ipv6_address = cc_xstrdup("fd0c:cf:1::42");
	char *id = NULL;
	int r = cc_rt_container_create(f->rt, &s, &id, &err);
	if (r == 0) /* an engine that checks at start */
		r = cc_rt_container_start(f->rt, clash, &err);
	EXPECT_ERR(r, CC_ERR_ALREADY_EXISTS, "already");
	free(id);
	cc_container_spec_release(&s);

	/* an IPv6 address on an IPv4-only network, and an IPv6 subnet without IPv6 */
	const char *net4 = nm(f, "net4");
	struct cc_network_config cfg4 = {.name = (char *)net4};
	OK(cc_rt_network_create(f->rt, &cfg4, NULL, &err));
	const char *stray = nm(f, "v6stray");
	spec_init(f, &s, stray, LONG_RUN);
	spec_add_network(&s, net4);
	s.networks[0].ipv6_address = cc_xstrdup("fd0c:cf:1::43");
	id = NULL;
	r = cc_rt_container_create(f->rt, &s, &id, &err);
	if (r == 0)
		r = cc_rt_container_start(f->rt, stray, &err);
	EXPECT_ERR(r, CC_ERR_INVALID_ARGUMENT, NULL); /* the words differ: docker does not name the address */
	free(id);
	cc_container_spec_release(&s);
	const char *odd = nm(f, "net6odd");
	struct cc_network_config bad = {.name = (char *)odd, .subnet6 = (char *)"fd0c:cf:2::/64"};
	EXPECT_ERR(cc_rt_network_create(f->rt, &bad, NULL, &err), CC_ERR_INVALID_ARGUMENT, "enable_ipv6");
	EXPECT_ERR(cc_rt_network_inspect(f->rt, odd, &n, &err), CC_ERR_NOT_FOUND, odd);
}

static void test_network_connect_disconnect(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *net = nm(f, "cnet");
	if (!create_network(f, net))
		return;
	const char *name = nm(f, "cnetc");
	run_c(f, name, CMD("sleep", "1000"));

	OK(cc_rt_network_connect(f->rt, net, name, NULL, &err));
	struct cc_container c;
	inspect_ok(f, name, &c);
	bool attached = false;
	for (size_t i = 0; i < c.nendpoints; i++)
		if (strcmp(c.endpoints[i].network, net) == 0)
			attached = is_ipv4(c.endpoints[i].ipv4_address);
	cc_container_release(&c);
	assert_true(attached);
	struct cc_network n = {0};
	OK(cc_rt_network_inspect(f->rt, net, &n, &err));
	assert_true(is_ipv4(cc_kvs_get(&n.containers, name)));
	cc_network_release(&n);

	EXPECT_ERR(cc_rt_network_connect(f->rt, net, name, NULL, &err), CC_ERR_ALREADY_EXISTS, name);

	OK(cc_rt_network_disconnect(f->rt, net, name, false, &err));
	OK(cc_rt_network_inspect(f->rt, net, &n, &err));
	assert_null(cc_kvs_get(&n.containers, name));
	cc_network_release(&n);
	EXPECT_ERR(cc_rt_network_disconnect(f->rt, net, name, false, &err), CC_ERR_INVALID_STATE, name);

	const char *missing_net = nm(f, "cnet-missing");
	EXPECT_ERR(cc_rt_network_connect(f->rt, missing_net, name, NULL, &err), CC_ERR_NOT_FOUND,
		   missing_net);
	const char *missing_c = nm(f, "cnetc-missing");
	EXPECT_ERR(cc_rt_network_connect(f->rt, net, missing_c, NULL, &err), CC_ERR_NOT_FOUND, missing_c);

	/* with nothing attached any more, the network goes */
	OK(cc_rt_network_remove(f->rt, net, &err));
}

static void test_network_distinct_addresses(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *net = nm(f, "dnet");
	if (!create_network(f, net))
		return;
	const char *names[3] = {nm(f, "d1"), nm(f, "d2"), nm(f, "d3")};
	for (size_t i = 0; i < 3; i++) {
		struct cc_container_spec s;
		spec_init(f, &s, names[i], CMD("sleep", "1000"));
		spec_add_network(&s, net);
		free(create_spec(f, &s));
		start_c(f, names[i]);
	}
	struct cc_network n = {0};
	OK(cc_rt_network_inspect(f->rt, net, &n, &err));
	assert_int_equal(n.containers.n, 3);
	for (size_t i = 0; i < 3; i++) {
		const char *a = cc_kvs_get(&n.containers, names[i]);
		assert_true(is_ipv4(a));
		for (size_t k = 0; k < i; k++) {
			const char *b = cc_kvs_get(&n.containers, names[k]);
			if (strcmp(a, b) == 0)
				print_error("%s and %s share the address %s\n", names[i], names[k], a);
			assert_string_not_equal(a, b);
		}
	}
	cc_network_release(&n);
}

static struct in_addr parse_ip(const char *s)
{
	struct in_addr a = {0};
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* Addresses are allocated, not derived: on a small subnet, containers created around others still get
 * distinct addresses inside the subnet, none of them the gateway. */
static void test_network_addresses_small_subnet(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *net = nm(f, "smallnet");
	unsigned octet = 0;
	for (const char *t = f->tag; *t; t++)
		octet = octet * 31 + (unsigned char)*t;
	char *subnet = cc_xasprintf("10.213.%u.0/29", octet % 256); /* 5 usable addresses */
	struct cc_network_config cfg = {.name = (char *)net, .subnet = subnet};
	if (!SUPPORTED("network.create", cc_rt_network_create(f->rt, &cfg, NULL, &err))) {
		free(subnet);
		return;
	}
	struct cc_network n = {0};
	OK(cc_rt_network_inspect(f->rt, net, &n, &err));
	assert_string_equal(n.spec.subnet, subnet);
	char *gateway = n.spec.gateway ? cc_xstrdup(n.spec.gateway) : NULL;
	cc_network_release(&n);

	const char *first = nm(f, "small-first"), *second = nm(f, "small-second");
	struct cc_container_spec s;
	spec_init(f, &s, first, CMD("sleep", "1000"));
	spec_add_network(&s, net);
	free(create_spec(f, &s));
	start_c(f, first);
	/* other containers come and go elsewhere meanwhile */
	char base[16];
	for (int i = 0; i < 4; i++) {
		snprintf(base, sizeof(base), "filler%d", i);
		free(create_c(f, nm(f, base), CMD("sleep", "1000")));
	}
	spec_init(f, &s, second, CMD("sleep", "1000"));
	spec_add_network(&s, net);
	free(create_spec(f, &s));
	start_c(f, second);

	OK(cc_rt_network_inspect(f->rt, net, &n, &err));
	char a[INET_ADDRSTRLEN] = "", b[INET_ADDRSTRLEN] = "", gw[INET_ADDRSTRLEN] = "";
	snprintf(a, sizeof(a), "%s",
		 cc_kvs_get(&n.containers, first) ? cc_kvs_get(&n.containers, first) : "");
	snprintf(b, sizeof(b), "%s",
		 cc_kvs_get(&n.containers, second) ? cc_kvs_get(&n.containers, second) : "");
	snprintf(gw, sizeof(gw), "%s", gateway ? gateway : "");
	cc_network_release(&n);
	free(gateway);
	*strchr(subnet, '/') = 0;
	uint32_t base_ip = ntohl(parse_ip(subnet).s_addr) & ~7u;
	free(subnet);
	print_message("/29 subnet: %s and %s (gateway %s)\n", a, b, gw);
	assert_true(is_ipv4(a));
	assert_true(is_ipv4(b));
	if (strcmp(a, b) == 0)
		print_error("%s and %s were both given %s\n", first, second, a);
	assert_string_not_equal(a, b);
	for (size_t i = 0; i < 2; i++) {
		uint32_t ip = ntohl(parse_ip(i ? b : a).s_addr);
		assert_true(ip > base_ip && ip < base_ip + 7);
		assert_string_not_equal(i ? b : a, gw);
	}
}

/* The host port a container's one published port got. An engine that listens on both address families may
 * list the mapping once per family (docker: 0.0.0.0 and ::); every entry must then agree. */
static uint16_t published_port(const struct cc_container *c, uint16_t container_port)
{
	assert_true(c->npublished >= 1);
	assert_true(c->npublished <= 2);
	uint16_t port = c->published[0].host_port;
	for (size_t i = 0; i < c->npublished; i++) {
		assert_int_equal(c->published[i].container_port, container_port);
		assert_int_equal(c->published[i].host_port, port);
	}
	if (c->npublished == 2)
		assert_string_not_equal(c->published[0].host_ip ? c->published[0].host_ip : "",
					c->published[1].host_ip ? c->published[1].host_ip : "");
	return port;
}

/* Ephemeral host ports are assigned, and distinct between containers. */
static void test_published_ports(void **state)
{
	struct fx *f = *state;
	const char *names[2] = {nm(f, "ports1"), nm(f, "ports2")};
	uint16_t got[2] = {0, 0};
	for (size_t i = 0; i < 2; i++) {
		struct cc_container_spec s;
		spec_init(f, &s, names[i], CMD("sleep", "1000"));
		s.ports = cc_xcalloc(1, sizeof(*s.ports));
		s.nports = 1;
		s.ports[0].container_port = 80;
		strcpy(s.ports[0].protocol, "tcp");
		char *id = create_spec_if_supported(f, &s, "published ports");
		if (!id)
			return;
		free(id);
		start_c(f, names[i]);
		struct cc_container c;
		inspect_ok(f, names[i], &c);
		got[i] = published_port(&c, 80);
		assert_true(got[i] != 0);
		cc_container_release(&c);
	}
	assert_int_not_equal(got[0], got[1]);
}

/* A host port is one running container's at a time. */
static void test_port_conflict(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	unsigned h = 0;
	for (const char *t = f->tag; *t; t++)
		h = h * 31 + (unsigned char)*t;
	uint16_t port = (uint16_t)(20000 + h % 10000);
	const char *names[2] = {nm(f, "bind1"), nm(f, "bind2")};
	for (size_t i = 0; i < 2; i++) {
		struct cc_container_spec s;
		spec_init(f, &s, names[i], LONG_RUN);
		s.ports = cc_xcalloc(1, sizeof(*s.ports));
		s.nports = 1;
		s.ports[0].container_port = 80;
		s.ports[0].host_port = port;
		strcpy(s.ports[0].protocol, "tcp");
		char *id = create_spec_if_supported(f, &s, "published ports");
		if (!id)
			return;
		free(id);
	}
	start_c(f, names[0]);
	EXPECT_ERR(cc_rt_container_start(f->rt, names[1], &err), CC_ERR_INVALID_STATE, names[1]);
	expect_state(f, names[1], CC_STATE_CREATED);
	OK(cc_rt_container_stop(f->rt, names[0], NULL, STOP_TIMEOUT, &err));
	start_c(f, names[1]);
	struct cc_container c;
	inspect_ok(f, names[1], &c);
	assert_int_equal(c.state, CC_STATE_RUNNING);
	assert_int_equal(published_port(&c, 80), port);
	cc_container_release(&c);
	EXPECT_ERR(cc_rt_container_start(f->rt, names[0], &err), CC_ERR_INVALID_STATE, names[0]);
}

/* ==== 13. volumes ==== */

static bool volume_exists(struct fx *f, const char *name)
{
	struct cc_error *err = NULL;
	struct cc_volume v = {0};
	int r = cc_rt_volume_inspect(f->rt, name, &v, &err);
	if (r == 0) {
		cc_volume_release(&v);
		return true;
	}
	assert_non_null(err);
	if (err->kind != CC_ERR_NOT_FOUND)
		print_error("volume inspect %s: %s: %s\n", name, cc_err_kind_name(err->kind), err->msg);
	assert_int_equal(err->kind, CC_ERR_NOT_FOUND);
	cc_error_release(&err);
	return false;
}

static cc_strv volume_names(struct fx *f)
{
	struct cc_error *err = NULL;
	struct cc_volume *vs = NULL;
	size_t n = 0;
	OK(cc_rt_volume_list(f->rt, &vs, &n, &err));
	cc_strv names = cc_xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		cc_strv_push(&names, vs[i].spec.name);
	cc_volumes_free(vs, n);
	return names;
}

/* The one name in after that is not in before (fails unless there is exactly one). */
static char *new_name(char *const *before, char *const *after)
{
	char *found = NULL;
	size_t count = 0;
	for (char *const *a = after; a && *a; a++)
		if (!strv_has(before, *a)) {
			count++;
			free(found);
			found = cc_xstrdup(*a);
		}
	if (count != 1)
		print_error("%zu new volumes, expected 1\n", count);
	assert_int_equal(count, 1);
	return found;
}

static void test_volume_named(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *vol = nm(f, "vol");
	struct cc_volume_config cfg = {.name = (char *)vol};
	struct cc_volume v = {0};
	if (!SUPPORTED("volume.create", cc_rt_volume_create(f->rt, &cfg, &v, &err)))
		return;
	assert_string_equal(v.spec.name, vol);
	cc_volume_release(&v);
	assert_true(volume_exists(f, vol));
	cc_strv names = volume_names(f);
	assert_true(strv_has(names, vol));
	cc_strv_free(names);

	EXPECT_ERR(cc_rt_volume_create(f->rt, &cfg, &v, &err), CC_ERR_ALREADY_EXISTS, vol);

	const char *name = nm(f, "volc");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	spec_add_volume(&s, vol, "/data");
	free(create_spec(f, &s));
	EXPECT_ERR(cc_rt_volume_remove(f->rt, vol, false, &err), CC_ERR_INVALID_STATE, vol);
	assert_true(volume_exists(f, vol));

	/* removing the container (even with volumes=true) keeps a named volume */
	OK(cc_rt_container_remove(f->rt, name, true, true, &err));
	assert_true(volume_exists(f, vol));
	OK(cc_rt_volume_remove(f->rt, vol, false, &err));
	assert_false(volume_exists(f, vol));
	EXPECT_ERR(cc_rt_volume_remove(f->rt, vol, false, &err), CC_ERR_NOT_FOUND, vol);
}

static void test_volume_unnamed_create(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	struct cc_volume_config cfg = {0};
	struct cc_volume v = {0};
	if (!SUPPORTED("volume.create", cc_rt_volume_create(f->rt, &cfg, &v, &err)))
		return;
	assert_non_null(v.spec.name);
	assert_true(strlen(v.spec.name) > 0);
	char *name = cc_xstrdup(v.spec.name);
	cc_volume_release(&v);
	assert_true(volume_exists(f, name));
	OK(cc_rt_volume_remove(f->rt, name, false, &err));
	assert_false(volume_exists(f, name));
	free(name);
}

static void test_volume_anonymous(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	cc_strv before = volume_names(f);
	const char *name = nm(f, "anon");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	spec_add_volume(&s, NULL, "/data");
	char *id = create_spec_if_supported(f, &s, "volumes");
	if (!id) {
		cc_strv_free(before);
		return;
	}
	free(id);
	cc_strv after = volume_names(f);
	char *anon = new_name(before, after);
	cc_strv_free(before);
	cc_strv_free(after);

	/* the container's view names the volume it got */
	struct cc_container c;
	inspect_ok(f, name, &c);
	assert_int_equal(c.spec.nmounts, 1);
	assert_non_null(c.spec.mounts[0].source);
	assert_string_equal(c.spec.mounts[0].source, anon);
	cc_container_release(&c);

	OK(cc_rt_container_remove(f->rt, name, false, true, &err));
	assert_false(volume_exists(f, anon));
	free(anon);
}

static void test_volume_prune(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *vol = nm(f, "keep");
	struct cc_volume_config cfg = {.name = (char *)vol};
	if (!SUPPORTED("volume.create", cc_rt_volume_create(f->rt, &cfg, NULL, &err)))
		return;

	cc_strv before = volume_names(f);
	const char *name = nm(f, "prunec");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	spec_add_volume(&s, NULL, "/data");
	free(create_spec(f, &s));
	cc_strv after = volume_names(f);
	char *anon = new_name(before, after);
	cc_strv_free(before);
	cc_strv_free(after);

	/* in use: prune keeps it */
	cc_strv removed = NULL;
	OK(cc_rt_volume_prune(f->rt, &removed, &err));
	assert_false(strv_has(removed, anon));
	assert_false(strv_has(removed, vol));
	cc_strv_free(removed);
	assert_true(volume_exists(f, anon));

	/* removed without its volumes: the anonymous one is left for prune */
	OK(cc_rt_container_remove(f->rt, name, false, false, &err));
	assert_true(volume_exists(f, anon));
	removed = NULL;
	OK(cc_rt_volume_prune(f->rt, &removed, &err));
	if (!strv_has(removed, anon))
		print_error("prune did not report %s\n", anon);
	assert_true(strv_has(removed, anon));
	assert_false(strv_has(removed, vol));
	cc_strv_free(removed);
	assert_false(volume_exists(f, anon));
	assert_true(volume_exists(f, vol));
	free(anon);
}

/* ==== 14. secrets and configs ==== */

#define SECRET_VALUE "Sup3r-S3cret-Value-do-not-leak"

static bool leaks(const char *s)
{
	return s && strstr(s, SECRET_VALUE);
}

/* The entry of `name` in the list of `kind` (NULL when absent); checks that no field carries the value. */
static bool secret_listed(struct fx *f, enum cc_secret_kind kind, const char *name, size_t len)
{
	struct cc_error *err = NULL;
	struct cc_secret *v = NULL;
	size_t n = 0;
	OK(cc_rt_secret_list(f->rt, kind, &v, &n, &err));
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		assert_false(leaks(v[i].name));
		assert_false(leaks(v[i].digest));
		for (size_t k = 0; k < v[i].labels.n; k++) {
			assert_false(leaks(v[i].labels.items[k].key));
			assert_false(leaks(v[i].labels.items[k].value));
		}
		if (strcmp(v[i].name, name) != 0)
			continue;
		found++;
		assert_int_equal(v[i].kind, kind);
		/* a config's digest is shown; a secret's need not be (the daemon's API withholds it) */
		if (kind == CC_CONFIG)
			assert_non_null(v[i].digest);
		if (v[i].digest)
			assert_true(strlen(v[i].digest) > 0);
		assert_int_equal(v[i].size, (int64_t)len);
		assert_true(v[i].created_ns > 0);
		assert_string_equal(cc_kvs_get(&v[i].labels, "purpose"), "conformance");
	}
	cc_secrets_free(v, n);
	assert_true(found <= 1);
	return found == 1;
}

static void test_secrets_configs(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "secret");
	const char *value = SECRET_VALUE;
	size_t len = strlen(value);
	struct cc_kvs labels = {0};
	cc_kvs_set(&labels, "purpose", "conformance");

	if (!SUPPORTED("secret.create",
		       cc_rt_secret_create(f->rt, CC_SECRET, name, value, len, &labels, &err))) {
		cc_kvs_release(&labels);
		return;
	}
	assert_true(secret_listed(f, CC_SECRET, name, len));
	assert_false(secret_listed(f, CC_CONFIG, name, len));

	EXPECT_ERR(cc_rt_secret_create(f->rt, CC_SECRET, name, value, len, &labels, &err),
		   CC_ERR_ALREADY_EXISTS, name);

	/* a config of the same name is another object */
	OK(cc_rt_secret_create(f->rt, CC_CONFIG, name, value, len, &labels, &err));
	assert_true(secret_listed(f, CC_SECRET, name, len));
	assert_true(secret_listed(f, CC_CONFIG, name, len));
	EXPECT_ERR(cc_rt_secret_create(f->rt, CC_CONFIG, name, value, len, &labels, &err),
		   CC_ERR_ALREADY_EXISTS, name);

	OK(cc_rt_secret_remove(f->rt, CC_SECRET, name, &err));
	assert_false(secret_listed(f, CC_SECRET, name, len));
	assert_true(secret_listed(f, CC_CONFIG, name, len));
	EXPECT_ERR(cc_rt_secret_remove(f->rt, CC_SECRET, name, &err), CC_ERR_NOT_FOUND, name);
	/* a new value: the size follows it, the labels stay; a name that is not there is NOT_FOUND */
	if (SUPPORTED("config.update", cc_rt_secret_update(f->rt, CC_CONFIG, name, "v2", 2, &err))) {
		assert_true(secret_listed(f, CC_CONFIG, name, 2));
		const char *none = nm(f, "no-such-config");
		EXPECT_ERR(cc_rt_secret_update(f->rt, CC_CONFIG, none, "x", 1, &err), CC_ERR_NOT_FOUND, none);
	}
	OK(cc_rt_secret_remove(f->rt, CC_CONFIG, name, &err));
	assert_false(secret_listed(f, CC_CONFIG, name, len));
	EXPECT_ERR(cc_rt_secret_remove(f->rt, CC_CONFIG, name, &err), CC_ERR_NOT_FOUND, name);
	cc_kvs_release(&labels);
}

static void test_secret_missing_reference(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *secret = nm(f, "missing-secret");
	const char *name = nm(f, "needs-secret");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	s.secrets = cc_xcalloc(1, sizeof(*s.secrets));
	s.nsecrets = 1;
	s.secrets[0].source = cc_xstrdup(secret);
	s.secrets[0].target = cc_xstrdup("/run/secrets/x");
	char *id = NULL;
	bool secrets = EXPECT_ERR_IF_SUPPORTED("secrets", cc_rt_container_create(f->rt, &s, &id, &err),
					       CC_ERR_NOT_FOUND, secret);
	cc_container_spec_release(&s);
	if (!secrets)
		return;
	struct cc_container c = {0};
	EXPECT_ERR(cc_rt_container_inspect(f->rt, name, &c, &err), CC_ERR_NOT_FOUND, name);

	const char *config = nm(f, "missing-config");
	spec_init(f, &s, name, CMD("sleep", "1000"));
	s.configs = cc_xcalloc(1, sizeof(*s.configs));
	s.nconfigs = 1;
	s.configs[0].source = cc_xstrdup(config);
	s.configs[0].target = cc_xstrdup("/etc/x.conf");
	EXPECT_ERR(cc_rt_container_create(f->rt, &s, &id, &err), CC_ERR_NOT_FOUND, config);
	cc_container_spec_release(&s);
	assert_null(id);
}

static void test_secret_in_use(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *secret = nm(f, "used-secret");
	if (!SUPPORTED("secret.create", cc_rt_secret_create(f->rt, CC_SECRET, secret, "v", 1, NULL, &err)))
		return;
	const char *name = nm(f, "uses-secret");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	s.secrets = cc_xcalloc(1, sizeof(*s.secrets));
	s.nsecrets = 1;
	s.secrets[0].source = cc_xstrdup(secret);
	s.secrets[0].target = cc_xstrdup("/run/secrets/x");
	free(create_spec(f, &s));
	start_c(f, name);
	EXPECT_ERR(cc_rt_secret_remove(f->rt, CC_SECRET, secret, &err), CC_ERR_INVALID_STATE, secret);
	OK(cc_rt_container_remove(f->rt, name, true, false, &err));
	OK(cc_rt_secret_remove(f->rt, CC_SECRET, secret, &err));
}

/* ==== 15. images ==== */

struct progress {
	size_t frames, done;
};

static int count_progress(void *ctx, const struct cc_progress *p)
{
	struct progress *pr = ctx;
	pr->frames++;
	if (p->status && strcmp(p->status, "done") == 0)
		pr->done++;
	return 0;
}

/* Whether a tag names ref: "busybox", "busybox:latest", "docker.io/library/busybox:latest". */
static bool tag_matches(const char *tag, const char *ref)
{
	if (strcmp(tag, ref) == 0)
		return true;
	char *latest = strchr(ref, ':') ? cc_xstrdup(ref) : cc_xasprintf("%s:latest", ref);
	size_t tl = strlen(tag), ll = strlen(latest);
	bool m = strcmp(tag, latest) == 0 ||
		 (tl > ll && tag[tl - ll - 1] == '/' && strcmp(tag + tl - ll, latest) == 0);
	free(latest);
	return m;
}

static bool image_listed(struct fx *f, const char *ref)
{
	struct cc_error *err = NULL;
	struct cc_image *imgs = NULL;
	size_t n = 0;
	OK(cc_rt_image_list(f->rt, &imgs, &n, &err));
	bool found = false;
	for (size_t i = 0; i < n; i++)
		for (char **t = imgs[i].repo_tags; t && *t; t++)
			found = found || tag_matches(*t, ref);
	cc_images_free(imgs, n);
	return found;
}

/* A registry a real engine cannot reach (an offline machine): the call's BACKEND_FAILURE is a skip there,
 * printed; the mock has no registry to miss, so there it fails like any other error. */
static bool offline(const char *op, int r, struct cc_error **err)
{
	if (r >= 0 || !*err || (*err)->kind != CC_ERR_BACKEND_FAILURE || is_mock())
		return false;
	print_message("skipped: %s (no registry reachable: %s)\n", op, (*err)->msg);
	cc_error_release(err);
	return true;
}

/* Pull busybox: true when pulled; false when no registry was reachable, and then busybox must be there
 * already (seeded from CC_CONFORMANCE_IMAGE_TAR, or in the engine's store) for the rest of the test to go on:
 * *present tells. */
static bool pull_busybox(struct fx *f, struct cc_progress_sink *sink, bool *present)
{
	struct cc_error *err = NULL;
	int r = cc_rt_image_pull(f->rt, "busybox", NULL, sink, &err);
	if (offline("image.pull busybox", r, &err)) {
		*present = image_listed(f, "busybox");
		if (!*present)
			print_message("skipped: busybox is not there either\n");
		return false;
	}
	OK(r);
	*present = true;
	return true;
}

static void test_images(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	struct progress pr = {0};
	struct cc_progress_sink sink = {count_progress, &pr};
	bool present = false;
	if (pull_busybox(f, &sink, &present)) {
		assert_true(pr.frames >= 1);
		assert_true(pr.done >= 1);
	} else if (!present) {
		return;
	}
	assert_true(image_listed(f, "busybox"));

	struct cc_image img = {0};
	OK(cc_rt_image_inspect(f->rt, "busybox", &img, &err));
	assert_non_null(img.id);
	char *busybox_id = cc_xstrdup(img.id);
	cc_image_release(&img);

	char *tagged = cc_xasprintf("cc-conformance-%s/tagged:v1", f->tag);
	OK(cc_rt_image_tag(f->rt, "busybox", tagged, &err));
	assert_true(image_listed(f, tagged));
	assert_true(image_listed(f, "busybox"));
	OK(cc_rt_image_inspect(f->rt, tagged, &img, &err));
	assert_string_equal(img.id, busybox_id); /* a second reference to the same image */
	cc_image_release(&img);

	/* as in docker: removing one of an image's several tags only untags it, even while a container uses
	 * the image; its last tag then stays unless forced */
	const char *name = nm(f, "imgc");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	free(s.image);
	s.image = cc_xstrdup(tagged);
	free(create_spec(f, &s));
	OK(cc_rt_image_remove(f->rt, tagged, false, &err));
	assert_false(image_listed(f, tagged));
	assert_true(image_listed(f, "busybox"));
	EXPECT_ERR(cc_rt_image_remove(f->rt, "busybox", false, &err), CC_ERR_INVALID_STATE, "busybox");
	assert_true(image_listed(f, "busybox"));
	OK(cc_rt_image_tag(f->rt, "busybox", tagged, &err));

	OK(cc_rt_container_remove(f->rt, name, true, true, &err));
	OK(cc_rt_image_remove(f->rt, tagged, false, &err));
	assert_false(image_listed(f, tagged));
	assert_true(image_listed(f, "busybox"));
	free(tagged);
	free(busybox_id);
}

static void test_image_remove_in_use_busybox(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	bool present = false;
	pull_busybox(f, NULL, &present);
	if (!present)
		return;
	const char *name = nm(f, "usesbusybox");
	run_c(f, name, CMD("sleep", "1000"));
	EXPECT_ERR(cc_rt_image_remove(f->rt, "busybox", false, &err), CC_ERR_INVALID_STATE, "busybox");
	assert_true(image_listed(f, "busybox"));
}

static void test_image_remove_missing(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	char *ref = cc_xasprintf("cc-conformance-%s/never:v1", f->tag);
	EXPECT_ERR(cc_rt_image_remove(f->rt, ref, false, &err), CC_ERR_NOT_FOUND, ref);
	free(ref);
}

/* An optional operation: 1 when it worked, 0 when the backend does not support it (it said so properly). */
static int optional_at(const char *file, int line, const char *op, const char *word, int r,
		       struct cc_error **err)
{
	if (r >= 0 && !*err)
		return 1;
	if (r < 0 && *err && (*err)->kind == CC_ERR_NOT_SUPPORTED) {
		if (!strstr((*err)->msg, backend_name()) || !strstr((*err)->msg, word)) {
			print_error("%s:%d: %s: the NOT_SUPPORTED message \"%s\" must name the operation "
				    "(%s) and the "
				    "backend (%s)\n",
				    file, line, op, (*err)->msg, word, backend_name());
			cc_error_release(err);
			_fail(file, line);
		}
		print_message("not supported: %s\n", op);
		cc_error_release(err);
		return 0;
	}
	ok_at(file, line, op, r, err); /* fails, with the error */
	return 1;
}

#define OPTIONAL(op, word, expr) optional_at(__FILE__, __LINE__, (op), (word), (expr), &err)

static char *write_file(struct fx *f, const char *base, const char *content)
{
	char *path = cc_xasprintf("%s/%s", f->dir, base);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	fclose(fp);
	return path;
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	char buf[256];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	return cc_xstrndup(buf, n);
}

static void test_optional_operations(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;

	/* push (to Docker Hub: a real engine offline, or without its credentials, fails to reach it) */
	int pushed = cc_rt_image_push(f->rt, "busybox", NULL, &err);
	if (!offline("image.push busybox", pushed, &err))
		OPTIONAL("image.push", "push", pushed);

	/* build: FROM busybox */
	char *ctx = cc_xasprintf("%s/build", f->dir);
	assert_int_equal(mkdir(ctx, 0755), 0);
	char *dockerfile = write_file(f, "build/Dockerfile", "FROM busybox\nLABEL cc.conformance=yes\n");
	char *built = cc_xasprintf("cc-conformance-%s/built:v1", f->tag);
	char *tags[] = {built, NULL};
	struct cc_build_opts bo = {.context_dir = ctx, .tags = tags};
	if (OPTIONAL("image.build", "build", cc_rt_image_build(f->rt, &bo, NULL, &err))) {
		assert_true(image_listed(f, built));
		OK(cc_rt_image_remove(f->rt, built, true, &err));
	}
	free(built);
	free(dockerfile);
	free(ctx);

	/* save, then load what was saved */
	char *tar = cc_xasprintf("%s/images.tar", f->dir);
	char *refs[] = {(char *)"busybox", NULL};
	bool saved =
	    OPTIONAL("image.save", "save", cc_rt_image_save(f->rt, refs, "docker-archive", tar, &err));
	cc_strv loaded = NULL;
	if (saved) {
		struct stat st;
		assert_int_equal(stat(tar, &st), 0);
		assert_true(st.st_size > 0);
		if (OPTIONAL("image.load", "load", cc_rt_image_load(f->rt, tar, &loaded, &err)))
			assert_true(cc_strv_len(loaded) >= 1);
	} else {
		/* nothing to load: a backend that can load must at least say the archive is missing */
		int r = cc_rt_image_load(f->rt, tar, &loaded, &err);
		assert_true(r < 0);
		assert_non_null(err);
		if (err->kind == CC_ERR_NOT_SUPPORTED) {
			OPTIONAL("image.load", "load", r);
		} else {
			print_message("skipped: image.load (no archive to load: %s)\n", err->msg);
			cc_error_release(&err);
		}
	}
	cc_strv_free(loaded);
	free(tar);

	/* copy into a container and back */
	const char *name = nm(f, "copy");
	free(create_c(f, name, CMD("sleep", "1000")));
	char *src = write_file(f, "copy-in.txt", "copied\n");
	if (OPTIONAL("container.copy", "copy",
		     cc_rt_container_copy(f->rt, name, "/tmp/copy.txt", src, true, &err))) {
		char *back = cc_xasprintf("%s/copy-out.txt", f->dir);
		OK(cc_rt_container_copy(f->rt, name, "/tmp/copy.txt", back, false, &err));
		char *content = read_file(back);
		assert_non_null(content);
		assert_string_equal(content, "copied\n");
		free(content);
		free(back);
	}
	free(src);
}

/* ==== 16. persistence across instances ==== */

static void test_persistence(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "persist");
	char *id = create_c(f, name, LONG_RUN);
	start_c(f, name);
	await_ready(f, name, 1);
	const char *net = nm(f, "persist-net");
	bool networks = create_network(f, net);
	cc_runtime_close(f->rt);
	f->rt = open_runtime(f->dir);
	assert_non_null(f->rt);

	struct cc_container c;
	inspect_ok(f, name, &c);
	assert_string_equal(c.id, id);
	assert_int_equal(c.state, CC_STATE_RUNNING);
	cc_container_release(&c);
	if (networks) {
		struct cc_network n = {0};
		OK(cc_rt_network_inspect(f->rt, net, &n, &err));
		cc_network_release(&n);
	}

	OK(cc_rt_container_stop(f->rt, name, NULL, STOP_TIMEOUT, &err));
	expect_exit(f, name, 0);

	/* and a third instance sees the stop */
	cc_runtime_close(f->rt);
	f->rt = open_runtime(f->dir);
	assert_non_null(f->rt);
	expect_exit(f, name, 0);
	free(id);
}

/* Two instances open on one root at the same time see each other's changes. */
static void test_persistence_concurrent_instances(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	struct cc_runtime *other = open_runtime(f->dir);
	assert_non_null(other);
	const char *name = nm(f, "shared");
	run_c(f, name, LONG_RUN);
	await_ready(f, name, 1);
	struct cc_container c = {0};
	int r = cc_rt_container_inspect(other, name, &c, &err);
	if (r == 0) {
		assert_int_equal(c.state, CC_STATE_RUNNING);
		cc_container_release(&c);
		r = cc_rt_container_stop(other, name, NULL, STOP_TIMEOUT, &err);
	}
	cc_runtime_close(other);
	OK(r);
	expect_exit(f, name, 0);
}

/* ==== 17. decorators ==== */

/* The call log has the entry `want` (which this frees). */
static void expect_entry(const struct cc_call_log *log, char *want)
{
	for (size_t i = 0; i < cc_call_log_count(log); i++)
		if (strcmp(cc_call_log_entry(log, i), want) == 0) {
			free(want);
			return;
		}
	print_error("no call log entry \"%s\" among:\n", want);
	for (size_t i = 0; i < cc_call_log_count(log); i++)
		print_error("  %s\n", cc_call_log_entry(log, i));
	free(want);
	fail();
}

static void test_call_log(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	struct cc_call_log *log = cc_runtime_record(f->rt);
	assert_non_null(log);
	assert_ptr_equal(cc_runtime_record(f->rt), log); /* one log per runtime */
	assert_int_equal(cc_call_log_count(log), 0);

	const char *name = nm(f, "rec");
	free(create_c(f, name, CMD("sleep", "1000")));
	start_c(f, name);
	const char *missing = nm(f, "rec-missing");
	struct cc_container c = {0};
	EXPECT_ERR(cc_rt_container_inspect(f->rt, missing, &c, &err), CC_ERR_NOT_FOUND, missing);

	expect_entry(log, cc_xasprintf("container.create %s ok", name));
	expect_entry(log, cc_xasprintf("container.start %s ok", name));
	expect_entry(log,
		     cc_xasprintf("container.inspect %s %s", missing, cc_err_kind_name(CC_ERR_NOT_FOUND)));

	/* in call order */
	char *p = cc_xasprintf("container.create %s", name);
	long at = cc_call_log_find(log, 0, p);
	free(p);
	assert_true(at >= 0);
	p = cc_xasprintf("container.start %s", name);
	long at2 = cc_call_log_find(log, (size_t)at, p);
	free(p);
	assert_true(at2 > at);
	assert_int_equal(cc_call_log_find(log, 0, "no.such.op"), -1);
	assert_null(cc_call_log_entry(log, cc_call_log_count(log)));
}

/* The tracing decorator (cfg.trace) writes one line per call, with the error kind and message of a failure.
 */
static void test_trace_decorator(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *trace = open_memstream(&buf, &len);
	assert_non_null(trace);
	struct cc_runtime_config cfg = {.root = f->dir, .trace = trace};
	struct cc_runtime *rt = NULL;
	OK(cc_runtime_open(backend_name(), &cfg, &rt, &err));
	const char *name = nm(f, "traced");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	char *id = NULL;
	int r1 = cc_rt_container_create(rt, &s, &id, &err);
	cc_error_release(&err);
	struct cc_container c = {0};
	const char *missing = nm(f, "traced-missing");
	int r2 = cc_rt_container_inspect(rt, missing, &c, &err);
	cc_error_release(&err);
	cc_runtime_close(rt);
	fclose(trace);
	cc_container_spec_release(&s);
	free(id);
	assert_int_equal(r1, 0);
	assert_true(r2 < 0);
	char *want1 = cc_xasprintf("container.create %s -> ok", name);
	char *want2 =
	    cc_xasprintf("container.inspect %s -> %s: ", missing, cc_err_kind_name(CC_ERR_NOT_FOUND));
	if (!strstr(buf, want1) || !strstr(buf, want2))
		print_error("trace:\n%s", buf);
	assert_non_null(strstr(buf, want1));
	assert_non_null(strstr(buf, want2));
	free(want1);
	free(want2);
	free(buf);
}

/* The observers see every call: also one that the boundary rejects for its arguments before the backend. */
static void test_call_log_argument_errors(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	struct cc_call_log *log = cc_runtime_record(f->rt);
	const char *name = nm(f, "rec-noimage");
	struct cc_container_spec s;
	spec_init(f, &s, name, CMD("sleep", "1000"));
	free(s.image);
	s.image = NULL;
	char *id = NULL;
	EXPECT_ERR(cc_rt_container_create(f->rt, &s, &id, &err), CC_ERR_INVALID_ARGUMENT, NULL);
	cc_container_spec_release(&s);
	expect_entry(log,
		     cc_xasprintf("container.create %s %s", name, cc_err_kind_name(CC_ERR_INVALID_ARGUMENT)));
}

/* The error contract: err may be NULL when the caller does not want the details (docs/errors.md). A failing
 * call then still fails, and nothing crashes. */
static void test_errors_without_details(void **state)
{
	struct fx *f = *state;
	struct cc_error *err = NULL;
	const char *name = nm(f, "noerr");
	run_c(f, name, CMD("sleep", "1000"));
	const char *vol = nm(f, "noerr-vol");
	struct cc_volume_config vc = {.name = (char *)vol};
	bool volumes = SUPPORTED("volume.create", cc_rt_volume_create(f->rt, &vc, NULL, &err));
	if (volumes) {
		const char *user = nm(f, "noerr-user");
		struct cc_container_spec s;
		spec_init(f, &s, user, CMD("sleep", "1000"));
		spec_add_volume(&s, vol, "/data");
		free(create_spec(f, &s));
	}
	const char *missing = nm(f, "noerr-missing");
	char *image = cc_xasprintf("cc-conformance-%s/never:v1", f->tag);
	struct cc_container c = {0};

	assert_true(cc_rt_container_start(f->rt, name, NULL) < 0);   /* already running */
	assert_true(cc_rt_network_remove(f->rt, missing, NULL) < 0); /* no such network */
	if (volumes) {
		assert_true(cc_rt_volume_remove(f->rt, vol, false, NULL) < 0); /* in use */
		assert_true(cc_rt_volume_remove(f->rt, vol, true, NULL) < 0);  /* in use, force */
	}
	assert_true(cc_rt_image_remove(f->rt, image, false, NULL) < 0);     /* no such image */
	assert_true(cc_rt_container_inspect(f->rt, missing, &c, NULL) < 0); /* no such container */
	free(image);
}

/* The same with an observer: the recording decorator sees the failure and its kind. */
static void test_errors_without_details_observed(void **state)
{
	struct fx *f = *state;
	struct cc_call_log *log = cc_runtime_record(f->rt);
	const char *name = nm(f, "noerr-obs");
	run_c(f, name, CMD("sleep", "1000"));
	assert_true(cc_rt_container_start(f->rt, name, NULL) < 0);
	expect_entry(log,
		     cc_xasprintf("container.start %s %s", name, cc_err_kind_name(CC_ERR_INVALID_STATE)));
}

/* ==== 18. concurrency ==== */

#define THREADS    8
#define PER_THREAD 10
struct worker {
	struct fx *f;
	int index;
	int failures;
	char *first_error;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		struct cc_error *err = NULL;
		char base[32];
		snprintf(base, sizeof(base), "w%d-%d", w->index, i);
		char *name = cc_xasprintf("%s-%s", w->f->tag, base);
		struct cc_container_spec s;
		spec_init(w->f, &s, name, CMD("sleep", "1000"));
		char *id = NULL;
		int r = cc_rt_container_create(w->f->rt, &s, &id, &err);
		if (r == 0)
			r = cc_rt_container_start(w->f->rt, name, &err);
		if (r < 0) {
			w->failures++;
			if (!w->first_error)
				w->first_error = cc_xasprintf("%s: %s", name, err ? err->msg : "(no error)");
		}
		cc_error_release(&err);
		cc_container_spec_release(&s);
		free(id);
		free(name);
	}
	return NULL;
}

static void test_concurrency(void **state)
{
	struct fx *f = *state;
	pthread_t th[THREADS];
	struct worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){f, i, 0, NULL};
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	int failures = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		failures += w[i].failures;
		if (w[i].first_error)
			print_error("thread %d: %d failure(s), first: %s\n", i, w[i].failures,
				    w[i].first_error);
		free(w[i].first_error);
	}
	assert_int_equal(failures, 0);
	char *scope[] = {f->scope, NULL};
	struct cc_container_filter running = {.labels = scope, .state_mask = 1u << CC_STATE_RUNNING};
	assert_int_equal(list_count(f, &running), THREADS * PER_THREAD);
	struct cc_container_filter up = {.labels = scope};
	assert_int_equal(list_count(f, &up), THREADS * PER_THREAD);
}

struct same_name {
	struct fx *f;
	const char *name;
	int ok, exists, other;
};

static pthread_mutex_t same_lock = PTHREAD_MUTEX_INITIALIZER;

static void *create_same(void *arg)
{
	struct same_name *sn = arg;
	struct cc_error *err = NULL;
	struct cc_container_spec s;
	spec_init(sn->f, &s, sn->name, CMD("sleep", "1000"));
	char *id = NULL;
	int r = cc_rt_container_create(sn->f->rt, &s, &id, &err);
	pthread_mutex_lock(&same_lock);
	if (r == 0)
		sn->ok++;
	else if (err && err->kind == CC_ERR_ALREADY_EXISTS)
		sn->exists++;
	else
		sn->other++;
	pthread_mutex_unlock(&same_lock);
	cc_error_release(&err);
	cc_container_spec_release(&s);
	free(id);
	return NULL;
}

/* 8 threads create one name at once: one wins, the others are told it exists. */
static void test_concurrency_same_name(void **state)
{
	struct fx *f = *state;
	struct same_name sn = {f, nm(f, "contested"), 0, 0, 0};
	pthread_t th[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, create_same, &sn), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(sn.ok, 1);
	assert_int_equal(sn.exists, THREADS - 1);
	assert_int_equal(sn.other, 0);
	char *scope[] = {f->scope, NULL};
	struct cc_container_filter all = {.labels = scope, .all = true};
	assert_int_equal(list_count(f, &all), 1);
}

struct instance_worker {
	struct fx *f;
	struct cc_runtime *rt;
	int index;
	int failures;
	char *first_error;
};

static void *instance_work(void *arg)
{
	struct instance_worker *w = arg;
	for (int i = 0; i < PER_THREAD; i++) {
		struct cc_error *err = NULL;
		char *name = cc_xasprintf("%s-i%d-%d", w->f->tag, w->index, i);
		struct cc_container_spec s;
		spec_init(w->f, &s, name, CMD("sleep", "1000"));
		int r = cc_rt_container_create(w->rt, &s, NULL, &err);
		if (r == 0)
			r = cc_rt_container_start(w->rt, name, &err);
		if (r < 0) {
			w->failures++;
			if (!w->first_error)
				w->first_error = cc_xasprintf("%s: %s", name, err ? err->msg : "(no error)");
		}
		cc_error_release(&err);
		cc_container_spec_release(&s);
		free(name);
	}
	return NULL;
}

/* Two instances on one root (two connections to one store), four threads each. */
static void test_concurrency_two_instances(void **state)
{
	struct fx *f = *state;
	struct cc_runtime *second = open_runtime(f->dir);
	assert_non_null(second);
	pthread_t th[THREADS];
	struct instance_worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct instance_worker){f, i % 2 ? second : f->rt, i, 0, NULL};
		assert_int_equal(pthread_create(&th[i], NULL, instance_work, &w[i]), 0);
	}
	int failures = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		failures += w[i].failures;
		if (w[i].first_error)
			print_error("thread %d: %d failure(s), first: %s\n", i, w[i].failures,
				    w[i].first_error);
		free(w[i].first_error);
	}
	char *scope[] = {f->scope, NULL};
	struct cc_container_filter running = {.labels = scope, .state_mask = 1u << CC_STATE_RUNNING};
	struct cc_error *err = NULL;
	struct cc_container *cs = NULL;
	size_t n = 0;
	int r = cc_rt_container_list(second, &running, &cs, &n, &err);
	cc_containers_free(cs, n);
	cc_runtime_close(second);
	OK(r);
	assert_int_equal(failures, 0);
	assert_int_equal(n, THREADS * PER_THREAD);
	assert_int_equal(list_count(f, &running), THREADS * PER_THREAD);
}

/* ==== the runner ==== */

struct test_case {
	const char *name;
	CMUnitTestFunction fn;
};

/* clang-format off */
#define CASE(fn) {#fn, fn}
/* clang-format on */
static const struct test_case cases[] = {
    CASE(test_system_version),
    CASE(test_system_open_unknown_backend),
    CASE(test_system_info_counts),
    CASE(test_lifecycle_start_stop),
    CASE(test_lifecycle_pause_unpause),
    CASE(test_lifecycle_kill),
    CASE(test_lifecycle_restart),
    CASE(test_lifecycle_remove),
    CASE(test_lifecycle_pause_freezes),
    CASE(test_signals),
    CASE(test_ambiguous_prefix),
    CASE(test_process_echo_logs),
    CASE(test_process_exit_codes),
    CASE(test_process_sleep_wait),
    CASE(test_process_wait_timeout),
    CASE(test_process_wait_next_exit),
    CASE(test_process_wait_removed),
    CASE(test_create_errors),
    CASE(test_create_unnamed),
    CASE(test_ref_by_id_prefix),
    CASE(test_missing_container_refs),
    CASE(test_list_filters),
    CASE(test_logs_tail),
    CASE(test_logs_follow),
    CASE(test_logs_follow_tail),
    CASE(test_logs_since_until),
    CASE(test_logs_cancel),
    CASE(test_logs_no_stdout),
    CASE(test_events_container),
    CASE(test_events_type_filter),
    CASE(test_events_follow),
    CASE(test_events_project_filter),
    CASE(test_health_healthy),
    CASE(test_health_unhealthy),
    CASE(test_health_none),
    CASE(test_restart_on_failure),
    CASE(test_restart_no),
    CASE(test_restart_always_then_stop),
    CASE(test_exec),
    CASE(test_exec_paused),
    CASE(test_top),
    CASE(test_stats),
    CASE(test_network_lifecycle),
    CASE(test_network_ipv6),
    CASE(test_network_connect_disconnect),
    CASE(test_network_distinct_addresses),
    CASE(test_network_addresses_small_subnet),
    CASE(test_published_ports),
    CASE(test_port_conflict),
    CASE(test_volume_named),
    CASE(test_volume_unnamed_create),
    CASE(test_volume_anonymous),
    CASE(test_volume_prune),
    CASE(test_secrets_configs),
    CASE(test_secret_missing_reference),
    CASE(test_secret_in_use),
    CASE(test_images),
    CASE(test_image_remove_in_use_busybox),
    CASE(test_image_remove_missing),
    CASE(test_optional_operations),
    CASE(test_persistence),
    CASE(test_persistence_concurrent_instances),
    CASE(test_call_log),
    CASE(test_call_log_argument_errors),
    CASE(test_trace_decorator),
    CASE(test_errors_without_details),
    CASE(test_errors_without_details_observed),
    CASE(test_concurrency),
    CASE(test_concurrency_same_name),
    CASE(test_concurrency_two_instances),
};
#undef CASE
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Lines of a passing test's output worth keeping in the suite's log. */
static bool notable(const char *line)
{
	return strncmp(line, "not supported:", 14) == 0 || strncmp(line, "skipped:", 8) == 0 ||
	       strncmp(line, "teardown:", 9) == 0;
}

/* Run one case in a fresh process (this program again, CC_CONFORMANCE_ONLY=<name>): a crash or a hang in a
 * backend fails that case instead of the whole suite. */
static void run_isolated(void **state)
{
	const struct test_case *tc = *state;
	char root[] = "/tmp/cc-conformance-XXXXXX";
	assert_non_null(mkdtemp(root));
	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		setenv("CC_CONFORMANCE_ONLY", tc->name, 1);
		setenv("CC_CONFORMANCE_ROOT", root, 1);
		/* plain text to this process: only the parent writes cmocka's reports */
		unsetenv("CMOCKA_MESSAGE_OUTPUT");
		unsetenv("CMOCKA_XML_FILE");
		execl("/proc/self/exe", "test_runtime_conformance", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char *out = NULL;
	size_t len = 0;
	int64_t deadline = mono_ms() + CASE_TIMEOUT_MS;
	bool hung = false;
	for (;;) {
		struct pollfd pfd = {fds[0], POLLIN, 0};
		int left = (int)(deadline - mono_ms());
		if (left <= 0) {
			hung = true;
			kill(pid, SIGKILL);
			break;
		}
		int pr = poll(&pfd, 1, left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		char buf[4096];
		ssize_t n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out = cc_xrealloc(out, len + (size_t)n + 1);
		memcpy(out + len, buf, (size_t)n);
		len += (size_t)n;
		out[len] = 0;
	}
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	bool passed = !hung && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	for (char *line = out, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (!passed || notable(line))
			print_message("%s%s\n", passed ? "" : "    | ", line);
		if (!next)
			break;
	}
	free(out);
	if (hung)
		fail_msg("%s did not finish within %d s: killed", tc->name, CASE_TIMEOUT_MS / 1000);
	else if (WIFSIGNALED(status))
		fail_msg("%s crashed: %s", tc->name, strsignal(WTERMSIG(status)));
	else if (!passed)
		fail_msg("%s failed (exit status %d)", tc->name, WEXITSTATUS(status));
}

/* CC_CONFORMANCE_ONLY=<name>: run that case here (the isolated child does); CC_CONFORMANCE_INPROCESS=1: run
 * every case in this process (for debuggers); otherwise each case in a process of its own. */
int main(void)
{
	struct CMUnitTest tests[NCASES];
	const char *only = getenv("CC_CONFORMANCE_ONLY");
	bool inprocess =
	    getenv("CC_CONFORMANCE_INPROCESS") && strcmp(getenv("CC_CONFORMANCE_INPROCESS"), "0") != 0;
	size_t n = 0;
	for (size_t i = 0; i < NCASES; i++) {
		if (only && strcmp(only, cases[i].name) != 0)
			continue;
		if (only || inprocess)
			tests[n++] = (struct CMUnitTest){cases[i].name, cases[i].fn, setup, teardown, NULL};
		else
			tests[n++] =
			    (struct CMUnitTest){cases[i].name, run_isolated, NULL, NULL, (void *)&cases[i]};
	}
	if (only && n == 0) {
		fprintf(stderr, "no test named %s\n", only);
		return 2;
	}
	if (!only)
		print_message("runtime conformance: backend %s\n", backend_name());
	return _cmocka_run_group_tests("runtime conformance", tests, n, NULL, NULL);
}
