/* The text of container summaries, kept between listings. Building a summary and dumping it as JSON was
 * most of GET /containers' cost; a backend that can tell an unchanged record (cc_container.revision) gets
 * the text of the last listing back instead, as long as its time-dependent status reads the same. */
#include "api/shapes.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "base/xalloc.h"
#include "server/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct summary {
	uint64_t revision;
	bool full;
	char *status; /* "Up 5 minutes": the one part that changes with time */
	char *text;
};

struct srv_summaries {
	pthread_mutex_t lock;
	struct cc_strmap by_id; /* engine id -> struct summary */
};

static void summary_free(void *p)
{
	struct summary *s = p;
	if (!s)
		return;
	free(s->status);
	free(s->text);
	free(s);
}

struct srv_summaries *srv_summaries_new(void)
{
	struct srv_summaries *c = cc_xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	cc_strmap_init(&c->by_id, summary_free);
	return c;
}

void srv_summaries_free(struct srv_summaries *c)
{
	if (!c)
		return;
	cc_strmap_release(&c->by_id);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static bool append_kept(struct srv_summaries *c, const struct cc_container *k, bool full, const char *status,
			struct cc_strbuf *out)
{
	bool hit = false;
	pthread_mutex_lock(&c->lock);
	const struct summary *s = cc_strmap_get(&c->by_id, k->id);
	if (s && s->revision == k->revision && s->full == full && strcmp(s->status, status) == 0) {
		cc_strbuf_adds(out, s->text);
		hit = true;
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

void srv_summaries_append(struct srv_summaries *c, const struct cc_container *k, int64_t now, bool full,
			  struct cc_strbuf *out)
{
	if (!k->revision || !k->id) {
		char *text = json_dumps(api_container_summary(k, now, full), JSON_COMPACT);
		cc_strbuf_adds(out, text);
		free(text);
		return;
	}
	struct cc_strbuf status = CC_STRBUF_INIT;
	cc_container_status_text(k, now, &status);
	if (append_kept(c, k, full, status.buf ? status.buf : "", out)) {
		cc_strbuf_release(&status);
		return;
	}
	json_t *o = api_container_summary(k, now, full);
	struct summary *s = cc_xcalloc(1, sizeof(*s));
	s->revision = k->revision;
	s->full = full;
	s->status = cc_strbuf_detach(&status, NULL);
	s->text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	cc_strbuf_adds(out, s->text);
	pthread_mutex_lock(&c->lock);
	cc_strmap_set(&c->by_id, k->id, s);
	pthread_mutex_unlock(&c->lock);
}

void srv_summaries_trim(struct srv_summaries *c, size_t listed)
{
	pthread_mutex_lock(&c->lock);
	/* removed containers leave their entries behind: start over once they could outnumber the live ones
	 */
	if (c->by_id.live > 2 * listed + 256)
		cc_strmap_release(&c->by_id);
	pthread_mutex_unlock(&c->lock);
}
