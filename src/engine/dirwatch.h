/* Waiting on a container directory: its monitor writes the journal, the exit file and the log there, so a
 * change wakes a waiter at once instead of at its next poll. The caller still polls (inotify may be
 * unavailable), and must open the watch before the check that decides to wait, or a change landing between
 * the two is seen only at the poll's timeout.
 *
 * Closing an inotify instance that has had a watch waits out an SRCU grace period in the kernel (13-16 ms
 * measured here, per close), which a short command like `run --rm` paid twice. So a closed watch only
 * removes its mark and parks the instance in the pool, for the next wait to reuse; the pool closes what is
 * parked when the backend closes, by when the grace period has usually passed. */
#ifndef CC_ENGINE_DIRWATCH_H
#define CC_ENGINE_DIRWATCH_H

#include <pthread.h>
#include <stdint.h>

#define NATIVE_WATCH_SPARES 4

struct native_watch_pool {
	pthread_mutex_t lock;
	int spare[NATIVE_WATCH_SPARES]; /* parked instances without marks */
	int nspare;
};

struct dir_watch {
	struct native_watch_pool *pool;
	int fd; /* -1: no watch (poll only) */
	int wd;
};

void native_watch_pool_init(struct native_watch_pool *pool);
/* Close every parked instance. */
void native_watch_pool_release(struct native_watch_pool *pool);

/* Watch dir for writes, creations and renames; on failure w->fd is -1 and waits just sleep. */
void dir_watch_open(struct native_watch_pool *pool, const char *dir, struct dir_watch *w);
/* Until a change in the directory or max_ns. */
void dir_watch_wait(struct dir_watch *w, int64_t max_ns);
/* Remove the watch and park its instance (idempotent; a cleanup attribute may call it). */
void dir_watch_close(struct dir_watch *w);

#endif
