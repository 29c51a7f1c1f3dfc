/* Directory watches with parked inotify instances (dirwatch.h says why). */
#include "engine/dirwatch.h"

#include "base/clock.h"

#include <poll.h>
#include <stdbool.h>
#include <sys/inotify.h>
#include <unistd.h>

#define WATCH_MASK (IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)

void native_watch_pool_init(struct native_watch_pool *pool)
{
	pthread_mutex_init(&pool->lock, NULL);
	pool->nspare = 0;
}

void native_watch_pool_release(struct native_watch_pool *pool)
{
	for (int i = 0; i < pool->nspare; i++)
		close(pool->spare[i]);
	pool->nspare = 0;
	pthread_mutex_destroy(&pool->lock);
}

static void drain(int fd)
{
	char buf[4096];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

void dir_watch_open(struct native_watch_pool *pool, const char *dir, struct dir_watch *w)
{
	w->pool = pool;
	w->fd = -1;
	pthread_mutex_lock(&pool->lock);
	if (pool->nspare > 0)
		w->fd = pool->spare[--pool->nspare];
	pthread_mutex_unlock(&pool->lock);
	if (w->fd >= 0)
		drain(w->fd); /* the IN_IGNORED of its last watch, and anything queued before it */
	else
		w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->fd >= 0 && (w->wd = inotify_add_watch(w->fd, dir, WATCH_MASK)) < 0) {
		close(w->fd);
		w->fd = -1;
	}
}

void dir_watch_wait(struct dir_watch *w, int64_t max_ns)
{
	if (w->fd < 0) {
		cc_sleep_ns(max_ns);
		return;
	}
	struct pollfd p = {w->fd, POLLIN, 0};
	if (poll(&p, 1, (int)(max_ns / CC_NS_PER_MSEC)) > 0)
		drain(w->fd);
}

void dir_watch_close(struct dir_watch *w)
{
	if (w->fd < 0)
		return;
	int fd = w->fd;
	w->fd = -1;
	/* a directory already removed took its watch with it: the call fails, and the instance is clean */
	inotify_rm_watch(fd, w->wd);
	pthread_mutex_lock(&w->pool->lock);
	bool parked = w->pool->nspare < NATIVE_WATCH_SPARES;
	if (parked)
		w->pool->spare[w->pool->nspare++] = fd;
	pthread_mutex_unlock(&w->pool->lock);
	if (!parked)
		close(fd);
}
