/* Merged, prefixed, coloured container output. */
#include "cli/logprint.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct buffered_frame {
	char *container;
	int stream;
	int64_t time_ns;
	char *data;
	size_t len;
	size_t order;
};

static const char *short_name(const struct cli_log_printer *lp, const char *name)
{
	size_t n = lp->project ? strlen(lp->project) : 0;
	if (n && strncmp(name, lp->project, n) == 0 && name[n] == '-')
		return name + n + 1;
	return name;
}

static void add_container(struct cli_log_printer *lp, const struct cc_container *c)
{
	const char *svc = cc_kvs_get(&c->spec.labels, CC_LABEL_SERVICE);
	cc_kvs_set(&lp->services, c->name, svc ? svc : c->name);
	size_t w = strlen(short_name(lp, c->name));
	if (w > lp->width)
		lp->width = w;
}

void cli_log_printer_init(struct cli_log_printer *lp, struct cli_ctx *ctx, const char *project,
			  const struct cc_container *cs, size_t n, bool no_prefix, bool timestamps)
{
	memset(lp, 0, sizeof(*lp));
	pthread_mutex_init(&lp->lock, NULL);
	lp->color = cli_use_color(ctx, stdout);
	lp->no_prefix = no_prefix;
	lp->timestamps = timestamps;
	lp->project = project;
	for (size_t i = 0; i < n; i++)
		add_container(lp, &cs[i]);
}

void cli_log_printer_add(struct cli_log_printer *lp, const struct cc_container *c)
{
	pthread_mutex_lock(&lp->lock);
	add_container(lp, c);
	pthread_mutex_unlock(&lp->lock);
}

void cli_log_printer_release(struct cli_log_printer *lp)
{
	for (size_t i = 0; i < lp->nframes; i++) {
		free(lp->frames[i].container);
		free(lp->frames[i].data);
	}
	free(lp->frames);
	cc_kvs_release(&lp->services);
	pthread_mutex_destroy(&lp->lock);
}

static void prefix(struct cli_log_printer *lp, const char *container, struct cc_strbuf *out)
{
	if (lp->no_prefix)
		return;
	const char *svc = cc_kvs_get(&lp->services, container);
	const char *shown = short_name(lp, container);
	if (lp->color)
		cc_strbuf_addf(out, "\033[%dm", cli_service_color(svc ? svc : container));
	cc_strbuf_adds(out, shown);
	for (size_t pad = strlen(shown); pad < lp->width; pad++)
		cc_strbuf_addch(out, ' ');
	cc_strbuf_adds(out, "  | ");
	if (lp->color)
		cc_strbuf_adds(out, "\033[0m");
}

static void print_frame(struct cli_log_printer *lp, const char *container, int64_t time_ns, const char *data,
			size_t len)
{
	cleanup_strbuf struct cc_strbuf line = CC_STRBUF_INIT;
	prefix(lp, container, &line);
	if (lp->timestamps) {
		cc_format_iso8601(time_ns, 1, &line);
		cc_strbuf_addch(&line, ' ');
	}
	cc_strbuf_add(&line, data, len);
	cc_strbuf_addch(&line, '\n');
	fwrite(line.buf, 1, line.len, stdout);
	fflush(stdout);
}

int cli_log_printer_emit(void *printer, const struct cc_log_frame *f)
{
	struct cli_log_printer *lp = printer;
	pthread_mutex_lock(&lp->lock);
	if (lp->buffer) {
		cc_grow((void **)&lp->frames, &lp->cap, lp->nframes + 1, sizeof(*lp->frames));
		struct buffered_frame *b = &lp->frames[lp->nframes];
		b->container = cc_xstrdup(f->container);
		b->stream = f->stream;
		b->time_ns = f->time_ns;
		b->data = cc_xstrndup(f->data, f->len);
		b->len = f->len;
		b->order = lp->nframes++;
	} else {
		print_frame(lp, f->container, f->time_ns, f->data, f->len);
	}
	pthread_mutex_unlock(&lp->lock);
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct buffered_frame *x = a, *y = b;
	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void cli_log_printer_flush(struct cli_log_printer *lp)
{
	pthread_mutex_lock(&lp->lock);
	if (lp->nframes)
		qsort(lp->frames, lp->nframes, sizeof(*lp->frames), by_time);
	for (size_t i = 0; i < lp->nframes; i++)
		print_frame(lp, lp->frames[i].container, lp->frames[i].time_ns, lp->frames[i].data,
			    lp->frames[i].len);
	pthread_mutex_unlock(&lp->lock);
}

void cli_log_printer_note(struct cli_log_printer *lp, const char *container, const char *fmt, ...)
{
	cleanup_strbuf struct cc_strbuf msg = CC_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cc_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&lp->lock);
	cleanup_strbuf struct cc_strbuf line = CC_STRBUF_INIT;
	const char *svc = cc_kvs_get(&lp->services, container);
	if (lp->color)
		cc_strbuf_addf(&line, "\033[%dm", cli_service_color(svc ? svc : container));
	cc_strbuf_addf(&line, "%s %s", short_name(lp, container), cc_strbuf_str(&msg));
	if (lp->color)
		cc_strbuf_adds(&line, "\033[0m");
	cc_strbuf_addch(&line, '\n');
	fwrite(line.buf, 1, line.len, stdout);
	fflush(stdout);
	pthread_mutex_unlock(&lp->lock);
}

/* The printer's sink, remembering the time of the last frame shown: a follow taken up again after a
 * restart starts just past it. */
struct tracking_sink {
	struct cli_log_printer *lp;
	int64_t last_ns;
};

static int emit_tracking(void *ctx, const struct cc_log_frame *f)
{
	struct tracking_sink *t = ctx;
	if (f->time_ns > t->last_ns)
		t->last_ns = f->time_ns;
	return cli_log_printer_emit(t->lp, f);
}

/* After a run's log ended: the container as it is once its record says so. The stream can end a moment
 * before the engine records the exit, so a container still "running" the same run is read again. */
static int still_there(struct cc_runtime *rt, const char *id, struct cc_container *now,
		       struct cc_error **err);

static int settled(struct cc_runtime *rt, const char *id, int64_t started_ns, struct cc_container *now,
		   struct cc_error **err)
{
	for (int i = 0;; i++) {
		int there = still_there(rt, id, now, err);
		if (there <= 0)
			return there;
		if (now->state != CC_STATE_RUNNING || now->started_ns != started_ns || i == 50)
			return 1;
		cc_container_release(now);
		cc_sleep_ns(20 * 1000000LL);
	}
}

/* Inspect, with a container removed meanwhile as the end of its log rather than an error. */
static int still_there(struct cc_runtime *rt, const char *id, struct cc_container *now, struct cc_error **err)
{
	if (cc_rt_container_inspect(rt, id, now, err) == 0)
		return 1;
	if ((*err)->kind != CC_ERR_NOT_FOUND)
		return -1;
	cc_error_release(err);
	return 0;
}

int cli_follow_logs(struct cc_runtime *rt, const struct cc_container *c, const struct cc_log_opts *opts,
		    struct cli_log_printer *lp, bool notes, int *exit_code, struct cc_error **err)
{
	/* what came before now was shown or left out on purpose (--tail, --since): a follow taken up again
	 * starts past it */
	int64_t now_ns = cc_now_ns();
	struct tracking_sink t = {lp, opts->since_ns - 1 > now_ns ? opts->since_ns - 1 : now_ns};
	struct cc_log_sink sink = {emit_tracking, &t, NULL};
	struct cc_log_opts o = *opts;
	int64_t started_ns = c->started_ns;
	*exit_code = -1;
	for (;;) {
		if (cc_rt_container_logs(rt, c->id, &o, &sink, err) < 0) {
			if ((*err)->kind != CC_ERR_NOT_FOUND)
				return -1;
			cc_error_release(err);
			return 0;
		}
		if (!o.follow)
			return 0;
		struct cc_container now;
		int there = settled(rt, c->id, started_ns, &now, err);
		if (there <= 0)
			return there;
		bool restarted = now.state == CC_STATE_RESTARTING ||
				 (now.state == CC_STATE_RUNNING && now.started_ns != started_ns);
		bool paused = now.state == CC_STATE_PAUSED;
		if (!paused) {
			*exit_code = now.exit_code;
			if (notes)
				cli_log_printer_note(lp, c->name, "exited with code %d%s", now.exit_code,
						     restarted ? " (restarting)" : "");
		}
		if (!restarted && !paused) {
			cc_container_release(&now);
			return 0; /* stopped for good */
		}
		/* the restart policy's backoff, or a pause: wait for the next run, or for a stop that ends it
		 */
		while (now.state == CC_STATE_RESTARTING || now.state == CC_STATE_PAUSED) {
			cc_container_release(&now);
			cc_sleep_ns(100 * 1000000LL);
			there = still_there(rt, c->id, &now, err);
			if (there <= 0)
				return there;
		}
		bool running = now.state == CC_STATE_RUNNING;
		if (!running && paused) {
			/* stopped while paused: that is its end */
			*exit_code = now.exit_code;
			if (notes)
				cli_log_printer_note(lp, c->name, "exited with code %d", now.exit_code);
		}
		started_ns = now.started_ns;
		cc_container_release(&now);
		if (!running)
			return 0; /* stopped during the backoff: its end is what was printed */
		/* docker compose follows a restarted container on: from just past the last line shown */
		o.since_ns = t.last_ns + 1;
		o.tail = -1;
	}
}

struct stream_job {
	struct cc_runtime *rt;
	const struct cc_container *c;
	const struct cc_log_opts *opts;
	struct cli_log_printer *lp;
	struct cc_error *err;
	pthread_t thread;
	bool started;
};

static void *stream_one(void *arg)
{
	struct stream_job *j = arg;
	int code;
	cli_follow_logs(j->rt, j->c, j->opts, j->lp, false, &code, &j->err);
	return NULL;
}

int cli_stream_logs(struct cc_runtime *rt, const struct cc_container *cs, size_t n,
		    const struct cc_log_opts *opts, struct cli_log_printer *lp)
{
	struct stream_job *jobs = cc_xcalloc(n + 1, sizeof(*jobs));
	for (size_t i = 0; i < n; i++) {
		jobs[i] = (struct stream_job){rt, &cs[i], opts, lp, NULL, 0, false};
		jobs[i].started = pthread_create(&jobs[i].thread, NULL, stream_one, &jobs[i]) == 0;
		if (!jobs[i].started)
			stream_one(&jobs[i]);
	}
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].started)
			pthread_join(jobs[i].thread, NULL);
		if (jobs[i].err) {
			if (r == 0)
				cli_print_error(jobs[i].err);
			cc_error_free(jobs[i].err);
			r = -1;
		}
	}
	free(jobs);
	return r;
}
