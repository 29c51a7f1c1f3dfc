/* Stats followers: one thread per watched container samples it for every client streaming its stats, each
 * at its own interval: a tick samples the container when some client is due, and the frame goes to the
 * clients that are. The thread ends with its last client, or when the container stops or goes away (every
 * client's stream ends then, as a one-container `stats` does). */
#include "api/shapes.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "server/internal.h"

#include <stdlib.h>
#include <string.h>

#define TICK_NS (100 * CC_NS_PER_MSEC)

struct ssub {
	struct srv_sub node;
	int64_t interval_ns, due_ns;
};

struct watch {
	char *container;
	struct srv_sub *subs;
	struct watch *next;
};

struct srv_statshub {
	struct srv_followers fw;
	struct watch *watches;
};

struct srv_statshub *srv_statshub_new(struct server *s)
{
	struct srv_statshub *h = cc_xcalloc(1, sizeof(*h));
	srv_followers_init(&h->fw, s);
	return h;
}

void srv_statshub_free(struct srv_statshub *h)
{
	if (h && srv_followers_release(&h->fw))
		free(h);
}

static void ssub_free(struct srv_sub *s)
{
	free(s);
}

/* Under the lock: drop the clients for which drop() says so. */
static void prune(struct watch *w, bool (*drop)(struct srv_sub *s, void *ctx), void *ctx)
{
	srv_subs_prune(&w->subs, drop, ctx, ssub_free);
}

static bool gone(struct srv_sub *s, void *ctx)
{
	(void)ctx;
	return srv_stream_alive(s->st) < 0;
}

static bool all(struct srv_sub *s, void *ctx)
{
	(void)s, (void)ctx;
	return true;
}

struct due {
	int64_t now;
	const struct cc_stats *sample;
};

static bool send_due(struct srv_sub *node, void *ctx)
{
	struct ssub *s = (struct ssub *)node;
	struct due *d = ctx;
	if (d->now < s->due_ns)
		return false;
	s->due_ns = d->now + s->interval_ns;
	return srv_stream_try_write(node->st, api_stats_frame(d->sample)) < 0;
}

struct watch_ctx {
	struct srv_statshub *h;
	struct watch *w;
};

/* Under h->fw.lock: unlink and free w. */
static void unlink_watch(struct srv_statshub *h, struct watch *w)
{
	for (struct watch **pp = &h->watches; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	free(w->container);
	free(w);
}

static void *watch_main(void *arg)
{
	struct watch_ctx wc = *(struct watch_ctx *)arg;
	free(arg);
	struct srv_statshub *h = wc.h;
	struct cc_runtime *rt = NULL;
	struct cc_error *err = NULL;
	bool have_rt = srv_pool_take(h->fw.srv, &rt, &err) == 0;
	cc_error_release(&err);
	for (;;) {
		int64_t now = cc_monotonic_ns();
		pthread_mutex_lock(&h->fw.lock);
		prune(wc.w, gone, NULL);
		bool due = false;
		for (struct srv_sub *s = wc.w->subs; s; s = s->next)
			due |= now >= ((struct ssub *)s)->due_ns;
		bool over = !have_rt || !wc.w->subs || atomic_load(&h->fw.srv->stopping);
		if (over) {
			/* unlinked under the lock, so a new client starts a new watch */
			prune(wc.w, all, NULL);
			unlink_watch(h, wc.w);
			pthread_mutex_unlock(&h->fw.lock);
			break;
		}
		pthread_mutex_unlock(&h->fw.lock);
		if (due) {
			struct cc_stats sample;
			if (cc_rt_container_stats(rt, wc.w->container, &sample, &err) < 0) {
				/* stopped or gone: the streams end with it */
				cc_error_release(&err);
				pthread_mutex_lock(&h->fw.lock);
				prune(wc.w, all, NULL);
				unlink_watch(h, wc.w);
				pthread_mutex_unlock(&h->fw.lock);
				break;
			}
			struct due d = {now, &sample};
			pthread_mutex_lock(&h->fw.lock);
			prune(wc.w, send_due, &d);
			pthread_mutex_unlock(&h->fw.lock);
			cc_stats_release(&sample);
		}
		cc_sleep_ns(TICK_NS);
	}
	if (have_rt)
		srv_pool_give(h->fw.srv, rt);
	srv_followers_exit(&h->fw); /* the last touch of h */
	return NULL;
}

void srv_statshub_follow(struct srv_statshub *h, struct srv_stream *st, const char *container,
			 int64_t interval_ns)
{
	struct ssub *s = cc_xcalloc(1, sizeof(*s));
	s->node.st = st;
	s->interval_ns = interval_ns;
	s->due_ns = cc_monotonic_ns(); /* the first frame at once */
	pthread_mutex_lock(&h->fw.lock);
	struct watch *w = h->watches;
	while (w && strcmp(w->container, container) != 0)
		w = w->next;
	if (w) {
		s->node.next = w->subs;
		w->subs = &s->node;
		pthread_mutex_unlock(&h->fw.lock);
		return;
	}
	w = cc_xcalloc(1, sizeof(*w));
	w->container = cc_xstrdup(container);
	w->subs = &s->node;
	struct watch_ctx *wc = cc_xcalloc(1, sizeof(*wc));
	*wc = (struct watch_ctx){h, w};
	if (srv_followers_spawn(&h->fw, watch_main, wc) == 0) {
		w->next = h->watches;
		h->watches = w;
	} else {
		free(wc);
		srv_stream_finish(st);
		free(s);
		free(w->container);
		free(w);
	}
	pthread_mutex_unlock(&h->fw.lock);
}
