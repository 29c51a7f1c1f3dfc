/* Bounded parallelism for independent per-service and per-container work, and the small helpers every
 * orchestrator file uses. */
#include "orchestrator/internal.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/graph.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct pool {
	pthread_mutex_t lock;
	size_t next, n;
	bool failed;
	int (*fn)(void *ctx, size_t i, struct cc_error **err);
	void *ctx;
	struct cc_error **errs;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next++;
		bool stop = p->failed || i >= p->n;
		pthread_mutex_unlock(&p->lock);
		if (stop)
			return NULL;
		if (p->fn(p->ctx, i, &p->errs[i]) < 0) {
			pthread_mutex_lock(&p->lock);
			p->failed = true;
			pthread_mutex_unlock(&p->lock);
		}
	}
}

int cc_orch_parallel(size_t n, int limit, int (*fn)(void *ctx, size_t i, struct cc_error **err), void *ctx,
		     struct cc_error **err)
{
	if (n == 0)
		return 0;
	size_t nthreads = limit > 0 && (size_t)limit < n ? (size_t)limit : n;
	struct pool p = {.n = n, .fn = fn, .ctx = ctx, .errs = cc_xcalloc(n, sizeof(struct cc_error *))};
	pthread_mutex_init(&p.lock, NULL);
	if (nthreads == 1) {
		worker(&p);
	} else {
		pthread_t *t = cc_xcalloc(nthreads, sizeof(*t));
		size_t started = 0;
		for (; started < nthreads; started++)
			if (pthread_create(&t[started], NULL, worker, &p) != 0)
				break;
		if (started == 0)
			worker(&p); /* no threads to be had: do it here */
		for (size_t i = 0; i < started; i++)
			pthread_join(t[i], NULL);
		free(t);
	}
	pthread_mutex_destroy(&p.lock);
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		if (p.errs[i] && r == 0) {
			*err = p.errs[i];
			r = -1;
		} else if (p.errs[i]) {
			cc_error_free(p.errs[i]);
		}
	}
	free(p.errs);
	return r;
}

size_t cc_orch_levels(const struct cc_graph *g, const bool *sel, size_t *level)
{
	size_t *order = cc_graph_order(g, 0), nlevels = 0;
	for (size_t k = 0; k < g->n; k++) {
		size_t i = order[k];
		level[i] = 0;
		for (size_t d = 0; d < g->ndeps[i]; d++)
			if (sel[g->deps[i][d]] && level[g->deps[i][d]] + 1 > level[i])
				level[i] = level[g->deps[i][d]] + 1;
		if (sel[i] && level[i] + 1 > nlevels)
			nlevels = level[i] + 1;
	}
	free(order);
	return nlevels;
}

void cc_orch_status(const struct cc_orch_ui *ui, const char *kind, const char *name, const char *status)
{
	if (ui && ui->status)
		ui->status(ui->ctx, kind, name, status);
}

void cc_orch_warn(const struct cc_orch_ui *ui, const char *fmt, ...)
{
	if (!ui || !ui->warn)
		return;
	cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cc_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ui->warn(ui->ctx, cc_strbuf_str(&sb));
}

int cc_orch_container_number(const struct cc_container *c)
{
	const char *n = cc_kvs_get(&c->spec.labels, CC_LABEL_NUMBER);
	return n ? atoi(n) : 0;
}

const char *cc_orch_container_service(const struct cc_container *c)
{
	const char *s = cc_kvs_get(&c->spec.labels, CC_LABEL_SERVICE);
	return s ? s : "";
}

bool cc_orch_is_up(const struct cc_container *c)
{
	return cc_state_is_up(c->state);
}
