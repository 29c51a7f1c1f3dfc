/* Log followers: however many clients follow one container's logs, one thread follows them from the
 * backend and hands each line to every follower that wants its stream. A follower first gets its history
 * (tail, since) on a short-lived thread while live lines queue, then the queue past the history's last
 * line. The thread ends when the container's output does (it stopped: every follower's stream ends) or
 * with its last follower. Followers that hang up or fall 4 MiB behind are dropped. */
#include "api/shapes.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "server/internal.h"

#include <stdlib.h>
#include <string.h>

struct lsub {
	struct srv_stream *st;
	struct cc_log_opts opts; /* the follower's: streams, until; tail and since for its history */
	bool timestamps;
	bool pending; /* its history is being written: live lines wait in queue */
	json_t *queue;
	int64_t replayed_ns; /* the time of the history's last line */
	struct lsub *next;
};

struct topic {
	char *container;
	struct lsub *subs;
	bool running;      /* a thread follows the container */
	unsigned long gen; /* which of the topic's threads is the current one */
	int refs;          /* threads (following or writing a history) that point here */
	struct topic *next;
};

struct srv_loghub {
	pthread_mutex_t lock;
	struct server *srv;
	struct topic *topics;
	atomic_int threads;
};

struct srv_loghub *srv_loghub_new(struct server *s)
{
	struct srv_loghub *h = cc_xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	h->srv = s;
	return h;
}

void srv_loghub_free(struct srv_loghub *h)
{
	if (!h)
		return;
	for (int i = 0; i < 200 && atomic_load(&h->threads) > 0; i++)
		cc_sleep_ns(10 * CC_NS_PER_MSEC);
	if (atomic_load(&h->threads) > 0)
		return; /* still inside the backend: left to the process's exit */
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static void lsub_free(struct lsub *s)
{
	srv_stream_finish(s->st);
	json_decref(s->queue);
	free(s);
}

static bool wants(const struct lsub *s, const struct cc_log_frame *f)
{
	if ((f->stream == CC_STREAM_STDOUT && s->opts.no_stdout) ||
	    (f->stream == CC_STREAM_STDERR && s->opts.no_stderr))
		return false;
	return !s->opts.until_ns || f->time_ns <= s->opts.until_ns;
}

/* Under h->lock. */
static void topic_prune(struct topic *t, bool (*drop)(struct lsub *s, void *ctx), void *ctx)
{
	struct lsub **pp = &t->subs;
	while (*pp) {
		struct lsub *s = *pp;
		if (drop(s, ctx)) {
			*pp = s->next;
			lsub_free(s);
		} else {
			pp = &s->next;
		}
	}
}

struct line {
	const struct cc_log_frame *f;
};

static bool deliver(struct lsub *s, void *ctx)
{
	const struct cc_log_frame *f = ((struct line *)ctx)->f;
	if (!wants(s, f))
		return false;
	json_t *frame = api_log_frame(f, s->timestamps);
	if (s->pending) {
		json_object_set_new(frame, "timeNs", json_integer(f->time_ns));
		json_array_append_new(s->queue, frame);
		return false;
	}
	return srv_stream_try_write(s->st, frame) < 0;
}

struct topic_ctx {
	struct srv_loghub *h;
	struct topic *t;
	unsigned long gen;
};

static int topic_emit(void *ctx, const struct cc_log_frame *f)
{
	struct topic_ctx *tc = ctx;
	struct line l = {f};
	pthread_mutex_lock(&tc->h->lock);
	topic_prune(tc->t, deliver, &l);
	pthread_mutex_unlock(&tc->h->lock);
	return 0;
}

static bool over(struct lsub *s, void *ctx)
{
	int64_t now = *(int64_t *)ctx;
	return !s->pending && (srv_stream_alive(s->st) < 0 || (s->opts.until_ns && now > s->opts.until_ns));
}

static int topic_alive(void *ctx)
{
	struct topic_ctx *tc = ctx;
	int64_t now = cc_now_ns();
	pthread_mutex_lock(&tc->h->lock);
	topic_prune(tc->t, over, &now);
	int r = !tc->t->subs || atomic_load(&tc->h->srv->stopping) ? -1 : 0;
	if (r < 0 && tc->t->gen == tc->gen)
		tc->t->running = false;
	pthread_mutex_unlock(&tc->h->lock);
	return r;
}

static bool settled(struct lsub *s, void *ctx)
{
	(void)ctx;
	return !s->pending;
}

/* Under h->lock: unlink and free t when nothing refers to it any more. */
static void topic_release(struct srv_loghub *h, struct topic *t)
{
	if (t->running || t->subs || t->refs)
		return;
	for (struct topic **pp = &h->topics; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	free(t->container);
	free(t);
}

static void *topic_main(void *arg)
{
	struct topic_ctx tc = *(struct topic_ctx *)arg;
	free(arg);
	struct srv_loghub *h = tc.h;
	struct cc_runtime *rt = NULL;
	struct cc_error *err = NULL;
	if (srv_pool_take(h->srv, &rt, &err) == 0) {
		/* the live part only: each follower has its own history written */
		struct cc_log_opts o = {.follow = true, .tail = 0, .since_ns = cc_now_ns()};
		struct cc_log_sink sink = {topic_emit, &tc, topic_alive};
		if (cc_rt_container_logs(rt, tc.t->container, &o, &sink, &err) < 0)
			cc_error_release(&err);
		srv_pool_give(h->srv, rt);
	}
	cc_error_free(err);
	pthread_mutex_lock(&h->lock);
	tc.t->refs--;
	/* still the current thread: the container's output ended (it stopped or went away), and so do its
	 * followers' streams. A thread that ended for want of followers may have a successor by now. */
	if (tc.t->gen == tc.gen && tc.t->running) {
		topic_prune(tc.t, settled, NULL);
		tc.t->running = false;
	}
	topic_release(h, tc.t);
	pthread_mutex_unlock(&h->lock);
	atomic_fetch_sub(&h->threads, 1); /* the last touch of h */
	return NULL;
}

static pthread_attr_t *detached(pthread_attr_t *a)
{
	pthread_attr_init(a);
	pthread_attr_setdetachstate(a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(a, 512 * 1024);
	return a;
}

/* Under h->lock. */
static void topic_ensure_running(struct srv_loghub *h, struct topic *t)
{
	if (t->running)
		return;
	struct topic_ctx *tc = cc_xcalloc(1, sizeof(*tc));
	*tc = (struct topic_ctx){h, t, ++t->gen};
	pthread_attr_t a;
	pthread_t th;
	atomic_fetch_add(&h->threads, 1);
	t->refs++;
	if (pthread_create(&th, detached(&a), topic_main, tc) == 0) {
		t->running = true;
	} else {
		t->refs--;
		atomic_fetch_sub(&h->threads, 1);
		free(tc);
	}
	pthread_attr_destroy(&a);
}

struct history {
	struct srv_loghub *h;
	struct topic *t;
	struct lsub *s;
};

static int history_emit(void *ctx, const struct cc_log_frame *f)
{
	struct history *hs = ctx;
	hs->s->replayed_ns = f->time_ns;
	return srv_stream_write(hs->s->st, api_log_frame(f, hs->s->timestamps));
}

static void *history_main(void *arg)
{
	struct history *hs = arg;
	struct srv_loghub *h = hs->h;
	struct lsub *s = hs->s;
	struct cc_runtime *rt = NULL;
	struct cc_error *err = NULL;
	if (srv_pool_take(h->srv, &rt, &err) == 0) {
		struct cc_log_opts past = s->opts;
		past.follow = false;
		struct cc_log_sink sink = {history_emit, hs, NULL};
		if (cc_rt_container_logs(rt, hs->t->container, &past, &sink, &err) < 0)
			cc_error_release(&err);
		srv_pool_give(h->srv, rt);
	}
	cc_error_free(err);
	pthread_mutex_lock(&h->lock);
	size_t i;
	json_t *frame;
	json_array_foreach(s->queue, i, frame)
	{
		if (json_integer_value(json_object_get(frame, "timeNs")) > s->replayed_ns)
			srv_stream_try_write(s->st, json_incref(frame));
	}
	json_array_clear(s->queue);
	s->pending = false;
	hs->t->refs--;
	/* the topic's thread may have ended meanwhile (the container stopped): this follower ends too */
	if (!hs->t->running) {
		topic_prune(hs->t, settled, NULL);
		topic_release(h, hs->t);
	}
	pthread_mutex_unlock(&h->lock);
	free(hs);
	atomic_fetch_sub(&h->threads, 1);
	return NULL;
}

void srv_loghub_follow(struct srv_loghub *h, struct srv_stream *st, const char *container,
		       const struct cc_log_opts *opts, bool timestamps)
{
	struct lsub *s = cc_xcalloc(1, sizeof(*s));
	s->st = st;
	s->opts = *opts;
	s->timestamps = timestamps;
	s->pending = true;
	s->queue = json_array();
	pthread_mutex_lock(&h->lock);
	struct topic *t = h->topics;
	while (t && strcmp(t->container, container) != 0)
		t = t->next;
	if (!t) {
		t = cc_xcalloc(1, sizeof(*t));
		t->container = cc_xstrdup(container);
		t->next = h->topics;
		h->topics = t;
	}
	s->next = t->subs;
	t->subs = s;
	topic_ensure_running(h, t);
	struct history *hs = cc_xcalloc(1, sizeof(*hs));
	*hs = (struct history){h, t, s};
	pthread_attr_t a;
	pthread_t th;
	atomic_fetch_add(&h->threads, 1);
	t->refs++;
	if (pthread_create(&th, detached(&a), history_main, hs) != 0) {
		t->refs--;
		atomic_fetch_sub(&h->threads, 1);
		free(hs);
		s->pending = false;
	}
	pthread_attr_destroy(&a);
	pthread_mutex_unlock(&h->lock);
}
