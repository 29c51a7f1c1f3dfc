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
	struct srv_sub node;
	struct cc_log_opts opts; /* the follower's: streams, until; tail and since for its history */
	bool timestamps;
	char *service; /* a group's member: its frames say their service (NULL: not in a group) */
	bool pending;  /* its history is being written: live lines wait in queue */
	json_t *queue;
	int64_t replayed_ns; /* the time of the history's last line */
};

struct topic {
	char *container;
	struct srv_sub *subs;
	bool running;      /* a thread follows the container */
	unsigned long gen; /* which of the topic's threads is the current one */
	int refs;          /* threads (following or writing a history) that point here */
	struct topic *next;
};

struct srv_loghub {
	struct srv_followers fw;
	struct topic *topics;
};

struct srv_loghub *srv_loghub_new(struct server *s)
{
	struct srv_loghub *h = cc_xcalloc(1, sizeof(*h));
	srv_followers_init(&h->fw, s);
	return h;
}

void srv_loghub_free(struct srv_loghub *h)
{
	if (h && srv_followers_release(&h->fw))
		free(h);
}

static void lsub_free(struct srv_sub *node)
{
	json_decref(((struct lsub *)node)->queue);
	free(((struct lsub *)node)->service);
	free(node);
}

static bool wants(const struct lsub *s, const struct cc_log_frame *f)
{
	if ((f->stream == CC_STREAM_STDOUT && s->opts.no_stdout) ||
	    (f->stream == CC_STREAM_STDERR && s->opts.no_stderr))
		return false;
	return !s->opts.until_ns || f->time_ns <= s->opts.until_ns;
}

/* Under the lock. */
static void topic_prune(struct topic *t, bool (*drop)(struct srv_sub *s, void *ctx), void *ctx)
{
	srv_subs_prune(&t->subs, drop, ctx, lsub_free);
}

struct line {
	const struct cc_log_frame *f;
};

static bool deliver(struct srv_sub *node, void *ctx)
{
	struct lsub *s = (struct lsub *)node;
	const struct cc_log_frame *f = ((struct line *)ctx)->f;
	if (!wants(s, f))
		return false;
	json_t *frame = api_log_frame(f, s->timestamps);
	if (s->service)
		json_object_set_new(frame, "service", json_string(s->service));
	if (s->pending) {
		json_object_set_new(frame, "timeNs", json_integer(f->time_ns));
		json_array_append_new(s->queue, frame);
		return false;
	}
	return srv_stream_try_write(node->st, frame) < 0;
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
	pthread_mutex_lock(&tc->h->fw.lock);
	topic_prune(tc->t, deliver, &l);
	pthread_mutex_unlock(&tc->h->fw.lock);
	return 0;
}

static bool over(struct srv_sub *node, void *ctx)
{
	struct lsub *s = (struct lsub *)node;
	int64_t now = *(int64_t *)ctx;
	return !s->pending &&
	       (srv_stream_alive(node->st) < 0 || (s->opts.until_ns && now > s->opts.until_ns));
}

static int topic_alive(void *ctx)
{
	struct topic_ctx *tc = ctx;
	int64_t now = cc_now_ns();
	pthread_mutex_lock(&tc->h->fw.lock);
	topic_prune(tc->t, over, &now);
	int r = !tc->t->subs || atomic_load(&tc->h->fw.srv->stopping) ? -1 : 0;
	if (r < 0 && tc->t->gen == tc->gen)
		tc->t->running = false;
	pthread_mutex_unlock(&tc->h->fw.lock);
	return r;
}

static bool settled(struct srv_sub *node, void *ctx)
{
	(void)ctx;
	return !((struct lsub *)node)->pending;
}

/* Under the lock: unlink and free t when nothing refers to it any more. */
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
	if (srv_pool_take(h->fw.srv, &rt, &err) == 0) {
		/* the live part only: each follower has its own history written */
		struct cc_log_opts o = {.follow = true, .tail = 0, .since_ns = cc_now_ns()};
		struct cc_log_sink sink = {topic_emit, &tc, topic_alive};
		if (cc_rt_container_logs(rt, tc.t->container, &o, &sink, &err) < 0)
			cc_error_release(&err);
		srv_pool_give(h->fw.srv, rt);
	}
	cc_error_free(err);
	pthread_mutex_lock(&h->fw.lock);
	tc.t->refs--;
	/* still the current thread: the container's output ended (it stopped or went away), and so do its
	 * followers' streams. A thread that ended for want of followers may have a successor by now. */
	if (tc.t->gen == tc.gen && tc.t->running) {
		topic_prune(tc.t, settled, NULL);
		tc.t->running = false;
	}
	topic_release(h, tc.t);
	pthread_mutex_unlock(&h->fw.lock);
	srv_followers_exit(&h->fw); /* the last touch of h */
	return NULL;
}

/* Under the lock. */
static void topic_ensure_running(struct srv_loghub *h, struct topic *t)
{
	if (t->running)
		return;
	struct topic_ctx *tc = cc_xcalloc(1, sizeof(*tc));
	*tc = (struct topic_ctx){h, t, ++t->gen};
	t->refs++;
	if (srv_followers_spawn(&h->fw, topic_main, tc) == 0) {
		t->running = true;
	} else {
		t->refs--;
		free(tc);
	}
}

static void settle(struct srv_loghub *h, struct topic *t, struct lsub *s);

struct history {
	struct srv_loghub *h;
	struct topic *t;
	struct lsub *s;
};

static int history_emit(void *ctx, const struct cc_log_frame *f)
{
	struct history *hs = ctx;
	hs->s->replayed_ns = f->time_ns;
	return srv_stream_write(hs->s->node.st, api_log_frame(f, hs->s->timestamps));
}

static void *history_main(void *arg)
{
	struct history *hs = arg;
	struct srv_loghub *h = hs->h;
	struct lsub *s = hs->s;
	struct cc_runtime *rt = NULL;
	struct cc_error *err = NULL;
	if (srv_pool_take(h->fw.srv, &rt, &err) == 0) {
		struct cc_log_opts past = s->opts;
		past.follow = false;
		struct cc_log_sink sink = {history_emit, hs, NULL};
		if (cc_rt_container_logs(rt, hs->t->container, &past, &sink, &err) < 0)
			cc_error_release(&err);
		srv_pool_give(h->fw.srv, rt);
	}
	cc_error_free(err);
	pthread_mutex_lock(&h->fw.lock);
	hs->t->refs--;
	settle(h, hs->t, s);
	pthread_mutex_unlock(&h->fw.lock);
	free(hs);
	srv_followers_exit(&h->fw);
	return NULL;
}

/* Under the lock: the topic of a container, made when new. */
static struct topic *topic_of(struct srv_loghub *h, const char *container)
{
	struct topic *t = h->topics;
	while (t && strcmp(t->container, container) != 0)
		t = t->next;
	if (!t) {
		t = cc_xcalloc(1, sizeof(*t));
		t->container = cc_xstrdup(container);
		t->next = h->topics;
		h->topics = t;
	}
	return t;
}

/* Under the lock: a pending subscriber of container's live lines, its thread running. */
static struct topic *subscribe(struct srv_loghub *h, struct lsub *s, const char *container)
{
	struct topic *t = topic_of(h, container);
	s->node.next = t->subs;
	t->subs = &s->node;
	topic_ensure_running(h, t);
	return t;
}

static struct lsub *lsub_new(struct srv_stream *st, const struct cc_log_opts *opts, bool timestamps)
{
	struct lsub *s = cc_xcalloc(1, sizeof(*s));
	s->node.st = st;
	s->opts = *opts;
	s->timestamps = timestamps;
	s->pending = true;
	s->queue = json_array();
	return s;
}

/* Under the lock: the history is out up to s->replayed_ns; the queue past it follows, then live lines. */
static void settle(struct srv_loghub *h, struct topic *t, struct lsub *s)
{
	size_t i;
	json_t *frame;
	json_array_foreach(s->queue, i, frame)
	{
		if (json_integer_value(json_object_get(frame, "timeNs")) > s->replayed_ns)
			srv_stream_try_write(s->node.st, json_incref(frame));
	}
	json_array_clear(s->queue);
	s->pending = false;
	/* the topic's thread may have ended meanwhile (the container stopped): this follower ends too */
	if (!t->running) {
		topic_prune(t, settled, NULL);
		topic_release(h, t);
	}
}

void srv_loghub_follow(struct srv_loghub *h, struct srv_stream *st, const char *container,
		       const struct cc_log_opts *opts, bool timestamps)
{
	struct lsub *s = lsub_new(st, opts, timestamps);
	pthread_mutex_lock(&h->fw.lock);
	struct topic *t = subscribe(h, s, container);
	struct history *hs = cc_xcalloc(1, sizeof(*hs));
	*hs = (struct history){h, t, s};
	t->refs++;
	if (srv_followers_spawn(&h->fw, history_main, hs) != 0) {
		t->refs--;
		free(hs);
		s->pending = false;
	}
	pthread_mutex_unlock(&h->fw.lock);
}

/* ---- groups: several containers, one stream ---- */

struct member {
	struct topic *t;
	struct lsub *s;
};

struct srv_loggroup {
	struct srv_loghub *h;
	struct srv_stream *st;
	struct cc_log_opts opts;
	bool timestamps;
	struct srv_subgroup *group;
	struct member *members;
	size_t n;
};

struct srv_loggroup *srv_loghub_group(struct srv_loghub *h, struct srv_stream *st,
				      const struct cc_log_opts *opts, bool timestamps)
{
	struct srv_loggroup *g = cc_xcalloc(1, sizeof(*g));
	*g = (struct srv_loggroup){.h = h, .st = st, .opts = *opts, .timestamps = timestamps};
	g->group = cc_xcalloc(1, sizeof(*g->group));
	g->group->left = 1; /* the group's own hold, until it settles */
	return g;
}

void srv_loggroup_add(struct srv_loggroup *g, const char *container, const char *service)
{
	struct lsub *s = lsub_new(g->st, &g->opts, g->timestamps);
	s->service = cc_xstrdup(service ? service : "");
	s->node.group = g->group;
	g->members = cc_xrealloc(g->members, (g->n + 1) * sizeof(*g->members));
	pthread_mutex_lock(&g->h->fw.lock);
	g->group->left++;
	struct topic *t = subscribe(g->h, s, container);
	/* the member's settle still has to come: the topic stays */
	t->refs++;
	g->members[g->n++] = (struct member){t, s};
	pthread_mutex_unlock(&g->h->fw.lock);
}

void srv_loggroup_settle(struct srv_loggroup *g, char *const *containers, const int64_t *last_ns, size_t n)
{
	struct srv_loghub *h = g->h;
	pthread_mutex_lock(&h->fw.lock);
	for (size_t i = 0; i < g->n; i++) {
		struct member *m = &g->members[i];
		for (size_t k = 0; k < n; k++)
			if (strcmp(containers[k], m->t->container) == 0)
				m->s->replayed_ns = last_ns[k];
		m->t->refs--;
		settle(h, m->t, m->s);
	}
	srv_subgroup_leave(g->group, g->st);
	pthread_mutex_unlock(&h->fw.lock);
	free(g->members);
	free(g);
}
