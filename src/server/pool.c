/* The runtime pool (internal.h): instances are opened on demand and kept for the next request. */
#include "server/internal.h"

int srv_pool_take(struct server *s, struct cc_runtime **rt, struct cc_error **err)
{
	pthread_mutex_lock(&s->pool.lock);
	if (s->pool.nidle) {
		*rt = s->pool.idle[--s->pool.nidle];
		pthread_mutex_unlock(&s->pool.lock);
		return 0;
	}
	pthread_mutex_unlock(&s->pool.lock);
	struct cc_runtime_config cfg = {.root = s->root,
					.docker_host = s->cfg->docker_host,
					.oci_runtime = s->cfg->oci_runtime,
					.cleanup_exe = s->cfg->cleanup_exe};
	return cc_runtime_open(s->backend, &cfg, rt, err);
}

void srv_pool_give(struct server *s, struct cc_runtime *rt)
{
	pthread_mutex_lock(&s->pool.lock);
	if (s->pool.nidle < sizeof(s->pool.idle) / sizeof(s->pool.idle[0])) {
		s->pool.idle[s->pool.nidle++] = rt;
		rt = NULL;
	}
	pthread_mutex_unlock(&s->pool.lock);
	if (rt) /* more were busy at once than the pool keeps: this one goes */
		cc_runtime_close(rt);
}

void srv_pool_close(struct server *s)
{
	pthread_mutex_lock(&s->pool.lock);
	for (size_t i = 0; i < s->pool.nidle; i++)
		cc_runtime_close(s->pool.idle[i]);
	s->pool.nidle = 0;
	pthread_mutex_unlock(&s->pool.lock);
}
