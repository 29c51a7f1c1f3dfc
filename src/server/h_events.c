/* GET /events: the backend's persisted events, replayed from `since`, followed until `until` or until the
 * client goes away. */
#include "api/shapes.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "server/internal.h"

#include <stdlib.h>
#include <string.h>

struct events_ctx {
	struct cc_event_filter f;
	char *type, *container, *project, *api_type;
	cc_strv labels;
	struct srv_stream *st;
};

static void events_free(void *p)
{
	struct events_ctx *c = p;
	free(c->type);
	free(c->container);
	free(c->project);
	free(c->api_type);
	cc_strv_free(c->labels);
	free(c);
}

static int event_emit(void *ctx, const struct cc_event *e)
{
	struct events_ctx *c = ctx;
	json_t *frame = api_event_frame(e);
	if (c->api_type && strcmp(json_string_value(json_object_get(frame, "type")), c->api_type) != 0) {
		json_decref(frame);
		return 0;
	}
	return srv_stream_write(c->st, frame);
}

static int events_alive(void *ctx)
{
	struct events_ctx *c = ctx;
	return srv_stream_alive(c->st);
}

static int events_produce(struct srv_stream *st, struct cc_runtime *rt, void *ctx, struct cc_error **err)
{
	struct events_ctx *c = ctx;
	c->st = st;
	struct cc_event_sink sink = {event_emit, c, events_alive};
	return cc_rt_events(rt, &c->f, &sink, err);
}

static const char *const object_types[] = {"container", "network", "volume", "image", "secret", "config"};

void h_events(struct srv_req *r)
{
	struct events_ctx *c = cc_xcalloc(1, sizeof(*c));
	if (!srv_query_time(r, "since", &c->f.since_ns) || !srv_query_time(r, "until", &c->f.until_ns)) {
		events_free(c);
		return;
	}
	/* `type` is an object type (container, network, ...) or one of the contract's event types */
	const char *type = srv_query(r, "type");
	if (type && *type) {
		bool object = false;
		for (size_t i = 0; i < sizeof(object_types) / sizeof(object_types[0]); i++)
			object |= strcmp(type, object_types[i]) == 0;
		if (object) {
			c->type = cc_xstrdup(type);
		} else {
			c->api_type = cc_xstrdup(type);
			if (!strchr(type, '.'))
				c->type = cc_xstrdup("container");
		}
	}
	const char *container = srv_query(r, "container"), *project = srv_query(r, "project");
	c->container = container && *container ? cc_xstrdup(container) : NULL;
	c->project = project && *project ? cc_xstrdup(project) : NULL;
	c->labels = srv_query_all(r, "label");
	c->f.type = c->type;
	c->f.container = c->container;
	c->f.project = c->project;
	c->f.labels = c->labels;
	/* with `until` the stream ends there; without, it follows (the `follow` extension can say no) */
	c->f.follow = srv_query_bool(r, "follow", true);
	if (c->f.follow && (!c->f.until_ns || c->f.until_ns > cc_now_ns())) {
		/* followers share the hub's one thread */
		struct srv_stream *st = srv_stream_open(r, "application/x-ndjson");
		srv_hub_follow(srv_server(r)->hub, st, &c->f, c->api_type);
		events_free(c);
		return;
	}
	srv_reply_stream(r, "application/x-ndjson", events_produce, c, events_free);
}
