/* Mock calls that observe a container over time: wait, logs, events, and exec/top/stats of the simulated
 * process. Waiting and following poll the store, settling as they go, so they see transitions made by other
 * processes as well as the timeline's own. */
#include "mock/mock.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "runtime/codec.h"
#include "runtime/events.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_NS (50 * CC_NS_PER_MSEC)

/* Wait a poll interval and read the container again; *gone when it was removed meanwhile. */
static int poll_again(struct mock *m, const char *id, struct mock_container *mc, bool *gone,
		      struct cc_error **err)
{
	cc_sleep_ns(POLL_NS);
	struct cc_error *e = NULL;
	if (mock_settled(m, id, mc, &e) == 0)
		return 0;
	if (e->kind == CC_ERR_NOT_FOUND) {
		cc_error_free(e);
		*gone = true;
		return 0;
	}
	*err = e;
	return -1;
}

int mock_container_wait(void *self, const char *ref, enum cc_wait_condition cond, int64_t timeout_ns,
			int *exit_code, struct cc_error **err)
{
	struct mock *m = self;
	struct mock_container mc;
	if (mock_settled(m, ref, &mc, err) < 0)
		return -1;
	char *id = cc_xstrdup(mc.c.id);
	int64_t first_finish = mc.c.finished_ns;
	int64_t deadline = timeout_ns >= 0 ? cc_monotonic_ns() + timeout_ns : INT64_MAX;
	int r;
	for (;;) {
		bool done = false;
		if (cond == CC_WAIT_NOT_RUNNING)
			done = !cc_state_is_up(mc.c.state);
		else if (cond == CC_WAIT_NEXT_EXIT)
			done = mc.c.finished_ns != first_finish;
		if (done) {
			*exit_code = mc.c.exit_code;
			r = 0;
			break;
		}
		int last_code = mc.c.exit_code;
		mock_container_release(&mc);
		if (cc_monotonic_ns() >= deadline) {
			r = cc_error_set(err, CC_ERR_TIMEOUT, "container %s did not exit within %.0fs", ref,
					 (double)timeout_ns / 1e9);
			break;
		}
		bool gone = false;
		if (poll_again(m, id, &mc, &gone, err) < 0) {
			free(id);
			return -1;
		}
		if (gone) {
			free(id);
			if (cond != CC_WAIT_REMOVED)
				return cc_error_set(err, CC_ERR_NOT_FOUND, "No such container: %s", ref);
			*exit_code = last_code;
			return 0;
		}
	}
	mock_container_release(&mc);
	free(id);
	return r;
}

struct log_ctx {
	const struct cc_log_opts *opts;
	const struct cc_log_sink *sink;
	const char *name;
	int64_t last_seq;
	bool cancelled;
};

static int log_line(void *ctx, int64_t seq, int64_t time_ns, int stream, const char *data, size_t len)
{
	struct log_ctx *lc = ctx;
	lc->last_seq = seq;
	const struct cc_log_opts *o = lc->opts;
	if ((stream == CC_STREAM_STDOUT && o->no_stdout) || (stream == CC_STREAM_STDERR && o->no_stderr) ||
	    (o->since_ns && time_ns < o->since_ns) || (o->until_ns && time_ns > o->until_ns))
		return 0;
	struct cc_log_frame f = {lc->name, (enum cc_stream)stream, time_ns, data, len};
	if (lc->sink->emit(lc->sink->ctx, &f) < 0) {
		lc->cancelled = true;
		return -1;
	}
	return 0;
}

int mock_container_logs(void *self, const char *ref, const struct cc_log_opts *opts,
			const struct cc_log_sink *sink, struct cc_error **err)
{
	struct mock *m = self;
	struct mock_container mc;
	if (mock_settled(m, ref, &mc, err) < 0)
		return -1;
	/* the name outlives every reload of the container below */
	cleanup_free char *name = cc_xstrdup(mc.c.name);
	struct log_ctx lc = {opts, sink, name, 0, false};
	char *id = cc_xstrdup(mc.c.id);
	int r = 0;
	long tail = opts->tail;
	for (;;) {
		bool up = cc_state_is_up(mc.c.state);
		pthread_mutex_lock(&m->lock);
		r = cc_store_log_each(m->store, MOCK_BACKEND, id, lc.last_seq, tail, log_line, &lc, err);
		pthread_mutex_unlock(&m->lock);
		tail = -1;
		if (lc.cancelled) {
			r = 0;
			break;
		}
		if (r < 0 || !opts->follow || !up || (opts->until_ns && cc_now_ns() > opts->until_ns))
			break;
		if (sink->alive && sink->alive(sink->ctx) < 0)
			break;
		mock_container_release(&mc);
		bool gone = false;
		if (poll_again(m, id, &mc, &gone, err) < 0 || gone) {
			/* removed while followed: the stream ends like the container's output did */
			free(id);
			return gone ? 0 : -1;
		}
	}
	mock_container_release(&mc);
	free(id);
	return r;
}

int mock_container_exec(void *self, const char *ref, const struct cc_exec_opts *opts,
			const struct cc_log_sink *sink, int *exit_code, struct cc_error **err)
{
	struct mock_container mc;
	if (mock_settled(self, ref, &mc, err) < 0)
		return -1;
	enum cc_container_state st = mc.c.state;
	char *name = cc_xstrdup(mc.c.name);
	mock_container_release(&mc);
	int r = 0;
	struct sim_program p = {0};
	if (st == CC_STATE_PAUSED)
		r = cc_error_set(err, CC_ERR_INVALID_STATE,
				 "container %s is paused, unpause the container before exec", name);
	else if (st != CC_STATE_RUNNING)
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is not running", name);
	else if (!sim_known(opts->argv))
		r = cc_error_set(
		    err, CC_ERR_NOT_SUPPORTED,
		    "the mock backend cannot run %s: it simulates echo, true, false, exit, sleep and sh "
		    "-c scripts of those",
		    opts->argv[0]);
	if (r == 0) {
		sim_evaluate(opts->argv, &p);
		if (!p.exits)
			r = cc_error_set(err, CC_ERR_NOT_SUPPORTED,
					 "the mock backend cannot run a command that never exits in exec");
	}
	if (r == 0 && opts->detach) {
		*exit_code = 0;
	} else if (r == 0) {
		int64_t start = cc_monotonic_ns(), wall = cc_now_ns();
		bool cancelled = false;
		for (size_t i = 0; i < p.nlines; i++) {
			cc_sleep_ns(start + p.lines[i].offset_ns - cc_monotonic_ns());
			struct cc_log_frame f = {name, CC_STREAM_STDOUT, wall + p.lines[i].offset_ns,
						 p.lines[i].text, strlen(p.lines[i].text)};
			if (sink && sink->emit(sink->ctx, &f) < 0) {
				cancelled =
				    true; /* the caller stopped listening: no need to wait the command out */
				break;
			}
		}
		if (!cancelled)
			cc_sleep_ns(start + p.duration_ns - cc_monotonic_ns());
		*exit_code = p.exit_code;
	}
	sim_program_release(&p);
	free(name);
	return r;
}

int mock_container_top(void *self, const char *ref, struct cc_top *out, struct cc_error **err)
{
	struct mock_container mc;
	if (mock_settled(self, ref, &mc, err) < 0)
		return -1;
	if (mc.c.state != CC_STATE_RUNNING && mc.c.state != CC_STATE_PAUSED) {
		cc_error_set(err, CC_ERR_INVALID_STATE, "container %s is not running", mc.c.name);
		mock_container_release(&mc);
		return -1;
	}
	static const char *const titles[] = {"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD", NULL};
	memset(out, 0, sizeof(*out));
	out->titles = cc_strv_copy((char *const *)titles);
	out->rows = cc_xcalloc(1, sizeof(cc_strv));
	out->nrows = 1;
	cc_strv argv = sim_container_argv(&mc.c.spec);
	cleanup_strbuf struct cc_strbuf cmd = CC_STRBUF_INIT;
	for (char **a = argv; *a; a++)
		cc_strbuf_addf(&cmd, "%s%s", cmd.len ? " " : "", *a);
	if (!cmd.len)
		cc_strbuf_addf(&cmd, "(default command of %s)", mc.c.spec.image);
	cc_strv_free(argv);
	char pid[16], stime[16];
	snprintf(pid, sizeof(pid), "%d", mc.c.pid);
	time_t t = (time_t)(mc.c.started_ns / CC_NS_PER_SEC);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(stime, sizeof(stime), "%H:%M", &tm);
	const char *user = mc.c.spec.user ? mc.c.spec.user : "root";
	const char *row[] = {user, pid, "0", "0", stime, "?", "00:00:00", cc_strbuf_str(&cmd), NULL};
	out->rows[0] = cc_strv_copy((char *const *)row);
	mock_container_release(&mc);
	return 0;
}

int mock_container_stats(void *self, const char *ref, struct cc_stats *out, struct cc_error **err)
{
	struct mock_container mc;
	if (mock_settled(self, ref, &mc, err) < 0)
		return -1;
	/* a simulated process uses no CPU and no memory; the model has one process and one interface per
	 * attached network, and no traffic */
	memset(out, 0, sizeof(*out));
	out->id = cc_xstrdup(mc.c.id);
	out->name = cc_xstrdup(mc.c.name);
	out->sampled_ns = cc_now_ns();
	out->online_cpus = 1;
	out->memory_limit = mc.c.spec.memory > 0 ? (uint64_t)mc.c.spec.memory : 0;
	bool up = mc.c.state == CC_STATE_RUNNING || mc.c.state == CC_STATE_PAUSED;
	out->pids = up ? 1 : 0;
	if (up && mc.c.nendpoints) {
		out->netifs = cc_xcalloc(mc.c.nendpoints, sizeof(*out->netifs));
		for (size_t i = 0; i < mc.c.nendpoints; i++)
			out->netifs[out->nnetifs++].name = cc_xasprintf("eth%zu", i);
	}
	mock_container_release(&mc);
	return 0;
}

static int settle_before_poll(void *ctx, struct cc_error **err)
{
	return mock_settle_all(ctx, err);
}

int mock_events(void *self, const struct cc_event_filter *f, const struct cc_event_sink *sink,
		struct cc_error **err)
{
	struct mock *m = self;
	/* lazy transitions are recorded by settling, so every poll settles first */
	struct cc_store_events src = {m->store, &m->lock, MOCK_BACKEND, settle_before_poll, m};
	return cc_store_events_stream(&src, f, sink, err);
}
