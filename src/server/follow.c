/* What the follower hubs (hub.c, loghub.c, statshub.c) share: their lock and thread count, and the list of
 * their subscribers. */
#include "base/clock.h"
#include "server/internal.h"

#include <stdlib.h>

void srv_followers_init(struct srv_followers *f, struct server *s)
{
	pthread_mutex_init(&f->lock, NULL);
	f->srv = s;
	atomic_init(&f->threads, 0);
}

bool srv_followers_release(struct srv_followers *f)
{
	/* the server is stopping: the threads see that at their next poll (50 ms) */
	for (int i = 0; i < 200 && atomic_load(&f->threads) > 0; i++)
		cc_sleep_ns(10 * CC_NS_PER_MSEC);
	if (atomic_load(&f->threads) > 0)
		return false; /* still inside the backend: left to the process's exit */
	pthread_mutex_destroy(&f->lock);
	return true;
}

int srv_followers_spawn(struct srv_followers *f, void *(*fn)(void *), void *arg)
{
	atomic_fetch_add(&f->threads, 1);
	int e = srv_spawn(fn, arg);
	if (e != 0)
		atomic_fetch_sub(&f->threads, 1);
	return e;
}

void srv_followers_exit(struct srv_followers *f)
{
	atomic_fetch_sub(&f->threads, 1);
}

void srv_subs_prune(struct srv_sub **head, bool (*drop)(struct srv_sub *s, void *ctx), void *ctx,
		    void (*free_sub)(struct srv_sub *s))
{
	while (*head) {
		struct srv_sub *s = *head;
		if (drop(s, ctx)) {
			*head = s->next;
			if (s->group)
				srv_subgroup_leave(s->group, s->st);
			else
				srv_stream_finish(s->st);
			free_sub(s);
		} else {
			head = &s->next;
		}
	}
}

void srv_subgroup_leave(struct srv_subgroup *g, struct srv_stream *st)
{
	if (--g->left > 0)
		return;
	srv_stream_finish(st);
	free(g);
}
