/* Persisted events to a sink. */
#include "runtime/events.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "runtime/codec.h"

#include <string.h>

#define POLL_NS (50 * CC_NS_PER_MSEC)

struct event_ctx {
	const struct cc_event_filter *f;
	const struct cc_event_sink *sink;
	int64_t last_seq;
	bool cancelled;
	struct cc_error **err;
};

static bool labels_match(const struct cc_kvs *attrs, char *const *labels)
{
	for (char *const *l = labels; l && *l; l++) {
		const char *eq = strchr(*l, '=');
		cleanup_free char *key = eq ? cc_xstrndup(*l, (size_t)(eq - *l)) : cc_xstrdup(*l);
		const char *v = cc_kvs_get(attrs, key);
		if (!v || (eq && strcmp(v, eq + 1) != 0))
			return false;
	}
	return true;
}

bool cc_event_matches(const struct cc_event *e, const struct cc_event_filter *f)
{
	return (!f->type || (e->type && strcmp(f->type, e->type) == 0)) &&
	       (!f->container || (e->type && strcmp(e->type, "container") == 0 &&
				  ((e->name && strcmp(f->container, e->name) == 0) ||
				   (e->id && strncmp(e->id, f->container, strlen(f->container)) == 0)))) &&
	       (!f->project ||
		(cc_kvs_get(&e->attributes, "com.docker.compose.project") &&
		 strcmp(cc_kvs_get(&e->attributes, "com.docker.compose.project"), f->project) == 0)) &&
	       (!f->since_ns || e->time_ns >= f->since_ns) && (!f->until_ns || e->time_ns <= f->until_ns) &&
	       labels_match(&e->attributes, f->labels);
}

static int event_row(void *ctx, int64_t seq, int64_t time_ns, const char *payload)
{
	struct event_ctx *ec = ctx;
	ec->last_seq = seq;
	json_t *j;
	struct cc_event e = {0};
	if (cc_json_parse(payload, &j, ec->err) < 0)
		return -1;
	int r = cc_event_from_json(j, &e, ec->err);
	json_decref(j);
	if (r < 0)
		return -1;
	e.seq = seq;
	if (cc_event_matches(&e, ec->f) && ec->sink->emit(ec->sink->ctx, &e) < 0)
		ec->cancelled = true;
	cc_event_release(&e);
	return ec->cancelled ? -1 : 0;
}

int cc_store_events_stream(const struct cc_store_events *src, const struct cc_event_filter *f,
			   const struct cc_event_sink *sink, struct cc_error **err)
{
	struct event_ctx ec = {f, sink, 0, false, err};
	for (;;) {
		if (src->before_poll && src->before_poll(src->ctx, err) < 0)
			return -1;
		if (src->lock)
			pthread_mutex_lock(src->lock);
		int r = cc_store_event_each(src->store, src->backend, ec.last_seq, f->since_ns, f->until_ns,
					    event_row, &ec, err);
		if (src->lock)
			pthread_mutex_unlock(src->lock);
		if (ec.cancelled)
			return 0;
		if (r < 0)
			return -1;
		if (!f->follow || (f->until_ns && cc_now_ns() > f->until_ns))
			return 0;
		if (sink->alive && sink->alive(sink->ctx) < 0)
			return 0;
		cc_sleep_ns(POLL_NS);
	}
}
