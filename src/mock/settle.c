/* Loading, saving and settling mock containers: bringing a container's recorded state up to "now" from its
 * simulated timeline (exits, output, health checks, restarts), writing each transition as the event it is,
 * stamped with the time it happened. */
#include "mock/mock.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "runtime/codec.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_INTERVAL_NS (30 * CC_NS_PER_SEC)
#define DEFAULT_TIMEOUT_NS  (30 * CC_NS_PER_SEC)
#define DEFAULT_RETRIES     3
#define RESTART_BACKOFF_NS  (100 * CC_NS_PER_MSEC)
#define RESTART_BACKOFF_MAX (60 * CC_NS_PER_SEC)

void mock_container_release(struct mock_container *mc)
{
	cc_container_release(&mc->c);
	memset(&mc->sim, 0, sizeof(mc->sim));
}

static int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

int mock_decode(const char *payload, struct mock_container *out, struct cc_error **err)
{
	json_t *j;
	memset(out, 0, sizeof(*out));
	if (cc_json_parse(payload, &j, err) < 0)
		return -1;
	int r = cc_container_from_json(j, &out->c, err);
	json_t *sim = json_object_get(j, "sim");
	out->sim.t0_ns = jint(sim, "t0");
	out->sim.paused_ns = jint(sim, "paused");
	out->sim.next_start_ns = jint(sim, "nextStart");
	out->sim.lines_emitted = (size_t)jint(sim, "emitted");
	out->sim.manual_stop = json_is_true(json_object_get(sim, "manualStop"));
	out->sim.seq = jint(sim, "seq");
	json_decref(j);
	return r;
}

int mock_load(struct mock *m, const char *ref, struct mock_container *out, struct cc_error **err)
{
	cleanup_free char *payload = NULL;
	memset(out, 0, sizeof(*out));
	if (cc_store_container_get(m->store, MOCK_BACKEND, ref, &payload, err) < 0)
		return -1;
	if (mock_decode(payload, out, err) < 0)
		return cc_error_wrap(err, "container %s", ref);
	return 0;
}

int mock_save(struct mock *m, const struct mock_container *mc, struct cc_error **err)
{
	json_t *j = cc_container_to_json(&mc->c);
	json_object_set_new(j, "sim",
			    json_pack("{sI sI sI sI sb sI}", "t0", (json_int_t)mc->sim.t0_ns, "paused",
				      (json_int_t)mc->sim.paused_ns, "nextStart",
				      (json_int_t)mc->sim.next_start_ns, "emitted",
				      (json_int_t)mc->sim.lines_emitted, "manualStop", mc->sim.manual_stop,
				      "seq", (json_int_t)mc->sim.seq));
	cleanup_free char *payload = cc_json_dump_compact(j);
	const char *project = cc_kvs_get(&mc->c.spec.labels, "com.docker.compose.project");
	const char *service = cc_kvs_get(&mc->c.spec.labels, "com.docker.compose.service");
	struct cc_store_container_row row = {mc->c.id, mc->c.name,       project,
					     service,  (int)mc->c.state, payload};
	return cc_store_container_put(m->store, MOCK_BACKEND, &row, err);
}

static void program_of(const struct mock_container *mc, struct sim_program *p)
{
	cc_strv argv = sim_container_argv(&mc->c.spec);
	sim_evaluate(argv, p);
	cc_strv_free(argv);
}

/* The healthcheck's judgement as the model sees it: the test's simulated exit status within the timeout. */
static bool check_passes(const struct cc_healthcheck *hc)
{
	cc_strv argv = NULL;
	if (strcmp(hc->test[0], "CMD-SHELL") == 0) {
		cc_strv_push(&argv, "sh");
		cc_strv_push(&argv, "-c");
		cc_strv_push(&argv, hc->test[1] ? hc->test[1] : "");
	} else {
		for (char *const *a = hc->test + 1; *a; a++)
			cc_strv_push(&argv, *a);
	}
	bool ok = false;
	if (sim_known(argv)) {
		struct sim_program p;
		sim_evaluate(argv, &p);
		int64_t timeout = hc->timeout_ns > 0 ? hc->timeout_ns : DEFAULT_TIMEOUT_NS;
		ok = p.exits && p.exit_code == 0 && p.duration_ns <= timeout;
		sim_program_release(&p);
	}
	cc_strv_free(argv);
	return ok;
}

static bool has_healthcheck(const struct cc_container *c)
{
	return cc_healthcheck_enabled(c->spec.healthcheck);
}

/* Health up to time `upto` of the current run: checks at t0 + k * interval; failures during start_period
 * don't count; the first success is healthy, `retries` counted failures in a row unhealthy. */
static int settle_health(struct mock *m, struct mock_container *mc, int64_t upto, bool *changed,
			 struct cc_error **err)
{
	if (!has_healthcheck(&mc->c))
		return 0;
	const struct cc_healthcheck *hc = mc->c.spec.healthcheck;
	int64_t interval = hc->interval_ns > 0 ? hc->interval_ns : DEFAULT_INTERVAL_NS;
	int retries = hc->retries > 0 ? hc->retries : DEFAULT_RETRIES;
	int64_t elapsed = upto - mc->sim.t0_ns;
	int64_t checks = elapsed < 0 ? 0 : elapsed / interval;
	enum cc_health_status status = CC_HEALTH_STARTING;
	int streak = 0;
	int64_t at = 0;
	if (check_passes(hc)) {
		if (checks >= 1)
			status = CC_HEALTH_HEALTHY, at = mc->sim.t0_ns + interval;
	} else {
		int64_t first = hc->start_period_ns / interval + (hc->start_period_ns % interval ? 1 : 0);
		if (first < 1)
			first = 1;
		int64_t counted = checks - first + 1;
		streak = counted > 0 ? (int)counted : 0;
		if (streak >= retries)
			status = CC_HEALTH_UNHEALTHY, at = mc->sim.t0_ns + (first + retries - 1) * interval;
	}
	if (mc->c.failing_streak != streak)
		mc->c.failing_streak = streak, *changed = true;
	/* the simulated checks' results, the last CC_HEALTH_LOG_MAX of them: each passes or fails at once */
	int64_t first_shown = checks > CC_HEALTH_LOG_MAX ? checks - CC_HEALTH_LOG_MAX + 1 : 1;
	size_t shown = checks >= first_shown ? (size_t)(checks - first_shown + 1) : 0;
	int64_t last_start = mc->sim.t0_ns + checks * interval;
	if (shown != mc->c.nhealth_log || (shown && mc->c.health_log[shown - 1].start_ns != last_start)) {
		cc_health_results_free(mc->c.health_log, mc->c.nhealth_log);
		mc->c.health_log = shown ? cc_xcalloc(shown, sizeof(*mc->c.health_log)) : NULL;
		mc->c.nhealth_log = shown;
		for (size_t i = 0; i < shown; i++) {
			struct cc_health_result *r = &mc->c.health_log[i];
			r->start_ns = r->end_ns = mc->sim.t0_ns + (first_shown + (int64_t)i) * interval;
			r->exit_code = check_passes(hc) ? 0 : 1;
			r->output = cc_xstrdup("");
		}
		*changed = true;
	}
	if (mc->c.health == status)
		return 0;
	mc->c.health = status;
	*changed = true;
	if (status == CC_HEALTH_STARTING)
		return 0;
	return mock_container_event(m, mc, at, "health_status", "health_status", cc_health_name(status), err);
}

static int emit_lines(struct mock *m, struct mock_container *mc, const struct sim_program *p, int64_t upto,
		      bool *changed, struct cc_error **err)
{
	while (mc->sim.lines_emitted < p->nlines) {
		const struct sim_line *l = &p->lines[mc->sim.lines_emitted];
		int64_t at = mc->sim.t0_ns + l->offset_ns;
		if (at > upto)
			break;
		if (cc_store_log_append(m->store, MOCK_BACKEND, mc->c.id, at, CC_STREAM_STDOUT, l->text,
					strlen(l->text), err) < 0)
			return -1;
		mc->sim.lines_emitted++;
		*changed = true;
	}
	return 0;
}

static bool policy_restarts(const struct mock_container *mc)
{
	if (mc->sim.manual_stop)
		return false;
	switch (mc->c.spec.restart) {
	case CC_RESTART_ALWAYS:
	case CC_RESTART_UNLESS_STOPPED:
		return true;
	case CC_RESTART_ON_FAILURE:
		return mc->c.exit_code != 0 && (mc->c.spec.restart_max_retries <= 0 ||
						mc->c.restart_count < mc->c.spec.restart_max_retries);
	default:
		return false;
	}
}

int mock_begin_run(struct mock *m, struct mock_container *mc, int64_t t, struct cc_error **err)
{
	int64_t pid = cc_store_next(m->store, MOCK_BACKEND, "pid", err);
	if (pid < 0)
		return -1;
	mc->c.state = CC_STATE_RUNNING;
	mc->c.pid = (int)(1000 + pid % 4000000);
	mc->c.started_ns = t;
	mc->c.exit_code = 0;
	mc->c.health = has_healthcheck(&mc->c) ? CC_HEALTH_STARTING : CC_HEALTH_NONE;
	mc->c.failing_streak = 0;
	cc_health_results_free(mc->c.health_log, mc->c.nhealth_log);
	mc->c.health_log = NULL;
	mc->c.nhealth_log = 0;
	mc->sim.t0_ns = t;
	mc->sim.lines_emitted = 0;
	mc->sim.manual_stop = false;
	return mock_container_event(m, mc, t, "start", NULL, NULL, err);
}

int mock_end_run(struct mock *m, struct mock_container *mc, int64_t t, int code, struct cc_error **err)
{
	mc->c.state = CC_STATE_EXITED;
	mc->c.exit_code = code;
	mc->c.finished_ns = t;
	mc->c.pid = 0;
	char buf[16];
	snprintf(buf, sizeof(buf), "%d", code);
	if (mock_container_event(m, mc, t, "die", "exitCode", buf, err) < 0)
		return -1;
	if (policy_restarts(mc)) {
		int shift = mc->c.restart_count < 20 ? mc->c.restart_count : 20;
		int64_t delay = RESTART_BACKOFF_NS << shift;
		if (delay > RESTART_BACKOFF_MAX)
			delay = RESTART_BACKOFF_MAX;
		mc->c.state = CC_STATE_RESTARTING;
		mc->sim.next_start_ns = t + delay;
	}
	return 0;
}

int mock_settle(struct mock *m, struct mock_container *mc, int64_t now, bool *changed, struct cc_error **err)
{
	for (;;) {
		if (mc->c.state == CC_STATE_RESTARTING) {
			if (mc->sim.next_start_ns > now)
				return 0;
			mc->c.restart_count++;
			if (mock_begin_run(m, mc, mc->sim.next_start_ns, err) < 0)
				return -1;
			*changed = true;
			continue;
		}
		if (mc->c.state != CC_STATE_RUNNING)
			return 0;
		struct sim_program p;
		program_of(mc, &p);
		int64_t end = p.exits ? mc->sim.t0_ns + p.duration_ns : INT64_MAX;
		int64_t upto = end < now ? end : now;
		int r = emit_lines(m, mc, &p, upto, changed, err);
		if (r == 0)
			r = settle_health(m, mc, upto, changed, err);
		int code = p.exit_code;
		sim_program_release(&p);
		if (r < 0)
			return -1;
		if (end > now)
			return 0;
		if (mock_end_run(m, mc, end, code, err) < 0)
			return -1;
		*changed = true;
	}
}

int mock_settled(struct mock *m, const char *ref, struct mock_container *out, struct cc_error **err)
{
	if (mock_begin(m, err) < 0)
		return -1;
	bool changed = false;
	int reaped = 0;
	int64_t now = cc_now_ns();
	if (mock_load(m, ref, out, err) < 0 || mock_settle(m, out, now, &changed, err) < 0 ||
	    (changed && mock_save(m, out, err) < 0) || (reaped = mock_reap(m, out, now, err)) < 0) {
		mock_abort(m);
		mock_container_release(out);
		return -1;
	}
	if (mock_commit(m, err) < 0) {
		mock_container_release(out);
		return -1;
	}
	if (reaped) {
		mock_container_release(out);
		return cc_error_set(err, CC_ERR_NOT_FOUND, "No such container: %s", ref);
	}
	return 0;
}
