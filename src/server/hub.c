/* The event hub: however many clients follow GET /events, one thread follows the backend's events and hands
 * each event to every subscriber whose filter it passes. A subscriber costs a filter and a queue, not a
 * thread; the hub's thread ends with its last subscriber. Clients that hang up, fall 4 MiB behind or reach
 * their `until` are dropped at the next event or idle poll (every 50 ms). */
#include "api/shapes.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "server/internal.h"

#include <stdlib.h>
#include <string.h>

struct sub {
	struct srv_sub node;
	struct cc_event_filter f;
	char *type, *container, *project, *api_type;
	cc_strv labels;
	/* while the past is replayed, live events wait here (json frames with their seq) */
	bool pending;
	json_t *queue;
	int64_t replayed_seq; /* the last seq the replay wrote */
};

struct srv_hub {
	struct srv_followers fw;
	struct srv_sub *subs;
	bool running;      /* a hub thread follows the backend */
	unsigned long gen; /* which hub thread is the current one */
};

struct hub_thread {
	struct srv_hub *h;
	unsigned long gen;
};

struct srv_hub *srv_hub_new(struct server *s)
{
	struct srv_hub *h = cc_xcalloc(1, sizeof(*h));
	srv_followers_init(&h->fw, s);
	return h;
}

static void sub_free(struct srv_sub *node)
{
	struct sub *s = (struct sub *)node;
	json_decref(s->queue);
	free(s->type);
	free(s->container);
	free(s->project);
	free(s->api_type);
	cc_strv_free(s->labels);
	free(s);
}

void srv_hub_free(struct srv_hub *h)
{
	if (h && srv_followers_release(&h->fw))
		free(h);
}

static bool type_matches(const struct sub *s, json_t *frame)
{
	return !s->api_type || strcmp(json_string_value(json_object_get(frame, "type")), s->api_type) == 0;
}

/* Under the lock: unlink and free the subscribers for which drop() is true. */
static void prune(struct srv_hub *h, bool (*drop)(struct srv_sub *s, void *ctx), void *ctx)
{
	srv_subs_prune(&h->subs, drop, ctx, sub_free);
}

struct deliver {
	const struct cc_event *e;
	json_t *frame;
};

static bool deliver_one(struct srv_sub *node, void *ctx)
{
	struct sub *s = (struct sub *)node;
	struct deliver *d = ctx;
	if (!cc_event_matches(d->e, &s->f) || !type_matches(s, d->frame))
		return false;
	if (s->pending) {
		json_array_append(s->queue, d->frame);
		return false;
	}
	return srv_stream_try_write(node->st, json_incref(d->frame)) < 0;
}

static int hub_emit(void *ctx, const struct cc_event *e)
{
	struct srv_hub *h = ctx;
	struct deliver d = {e, api_event_frame(e)};
	pthread_mutex_lock(&h->fw.lock);
	prune(h, deliver_one, &d);
	pthread_mutex_unlock(&h->fw.lock);
	json_decref(d.frame);
	return 0;
}

/* A subscriber still replaying belongs to its replay thread until that ends: never dropped here. */
static bool gone(struct srv_sub *node, void *ctx)
{
	struct sub *s = (struct sub *)node;
	int64_t now = *(int64_t *)ctx;
	return !s->pending && (srv_stream_alive(node->st) < 0 || (s->f.until_ns && now > s->f.until_ns));
}

/* Every idle poll: drop the subscribers that are over; end the hub with the last one. */
static int hub_alive(void *ctx)
{
	struct srv_hub *h = ctx;
	int64_t now = cc_now_ns();
	pthread_mutex_lock(&h->fw.lock);
	prune(h, gone, &now);
	int r = 0;
	if (!h->subs || atomic_load(&h->fw.srv->stopping)) {
		h->running = false;
		r = -1;
	}
	pthread_mutex_unlock(&h->fw.lock);
	return r;
}

static bool settled(struct srv_sub *node, void *ctx)
{
	(void)ctx;
	return !((struct sub *)node)->pending;
}

static void *hub_main(void *arg)
{
	struct hub_thread ht = *(struct hub_thread *)arg;
	free(arg);
	struct srv_hub *h = ht.h;
	struct cc_runtime *rt = NULL;
	struct cc_error *err = NULL;
	if (srv_pool_take(h->fw.srv, &rt, &err) == 0) {
		/* from now: subscribers replay anything older themselves */
		struct cc_event_filter all = {.since_ns = cc_now_ns(), .follow = true};
		struct cc_event_sink sink = {hub_emit, h, hub_alive};
		if (cc_rt_events(rt, &all, &sink, &err) < 0)
			fprintf(stderr, "event hub: %s\n", err->msg);
		srv_pool_give(h->fw.srv, rt);
	} else {
		fprintf(stderr, "event hub: %s\n", err->msg);
	}
	cc_error_free(err);
	pthread_mutex_lock(&h->fw.lock);
	/* still the current thread and still running: the backend's stream ended (or never began) rather than
	 * the hub running out of subscribers, so its followers end too */
	if (h->gen == ht.gen && h->running) {
		prune(h, settled, NULL);
		h->running = false;
	}
	pthread_mutex_unlock(&h->fw.lock);
	srv_followers_exit(&h->fw); /* the last touch of h */
	return NULL;
}

/* Under the lock: a hub thread follows the backend unless one already does. */
static void ensure_running(struct srv_hub *h)
{
	if (h->running)
		return;
	struct hub_thread *ht = cc_xcalloc(1, sizeof(*ht));
	*ht = (struct hub_thread){h, ++h->gen};
	if (srv_followers_spawn(&h->fw, hub_main, ht) == 0)
		h->running = true;
	else
		free(ht);
}

struct replay {
	struct srv_hub *h;
	struct sub *s;
};

static int replay_emit(void *ctx, const struct cc_event *e)
{
	struct replay *rp = ctx;
	json_t *frame = api_event_frame(e);
	if (!type_matches(rp->s, frame)) {
		json_decref(frame);
		return 0;
	}
	rp->s->replayed_seq = e->seq;
	return srv_stream_write(rp->s->node.st, frame);
}

static bool later(const struct sub *s, json_t *frame)
{
	return json_integer_value(json_object_get(frame, "seq")) > s->replayed_seq;
}

static void *replay_main(void *arg)
{
	struct replay *rp = arg;
	struct sub *s = rp->s;
	struct cc_runtime *rt = NULL;
	struct cc_error *err = NULL;
	if (srv_pool_take(rp->h->fw.srv, &rt, &err) == 0) {
		struct cc_event_filter past = s->f;
		past.follow = false;
		struct cc_event_sink sink = {replay_emit, rp, NULL};
		if (cc_rt_events(rt, &past, &sink, &err) < 0)
			cc_error_release(&err);
		srv_pool_give(rp->h->fw.srv, rt);
	}
	cc_error_free(err);
	pthread_mutex_lock(&rp->h->fw.lock);
	size_t i;
	json_t *frame;
	json_array_foreach(s->queue, i, frame)
	{
		if (later(s, frame))
			srv_stream_try_write(s->node.st, json_incref(frame));
	}
	json_array_clear(s->queue);
	s->pending = false;
	ensure_running(rp->h); /* it may have ended for want of settled subscribers meanwhile */
	pthread_mutex_unlock(&rp->h->fw.lock);
	struct srv_hub *h = rp->h;
	free(rp);
	srv_followers_exit(&h->fw);
	return NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? cc_xstrdup(s) : NULL;
}

void srv_hub_follow(struct srv_hub *h, struct srv_stream *st, const struct cc_event_filter *f,
		    const char *api_type)
{
	struct sub *s = cc_xcalloc(1, sizeof(*s));
	s->node.st = st;
	s->type = dup_or_null(f->type);
	s->container = dup_or_null(f->container);
	s->project = dup_or_null(f->project);
	s->api_type = dup_or_null(api_type);
	s->labels = cc_strv_copy(f->labels);
	s->f = (struct cc_event_filter){.since_ns = f->since_ns,
					.until_ns = f->until_ns,
					.type = s->type,
					.container = s->container,
					.project = s->project,
					.labels = s->labels};
	s->queue = json_array();
	s->pending = f->since_ns != 0;
	pthread_mutex_lock(&h->fw.lock);
	s->node.next = h->subs;
	h->subs = &s->node;
	ensure_running(h);
	pthread_mutex_unlock(&h->fw.lock);
	/* the past, on a thread that ends when it is written; the live events wait in the queue meanwhile */
	if (s->pending) {
		struct replay *rp = cc_xcalloc(1, sizeof(*rp));
		*rp = (struct replay){h, s};
		if (srv_followers_spawn(&h->fw, replay_main, rp) != 0) {
			free(rp);
			pthread_mutex_lock(&h->fw.lock);
			s->pending = false;
			pthread_mutex_unlock(&h->fw.lock);
		}
	}
}
