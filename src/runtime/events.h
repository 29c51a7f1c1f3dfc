/* Streaming a backend's persisted events from the state store to an event sink, with the runtime's filter
 * (type, container, project, labels, since/until) and, when following, polling for new ones. Shared by the
 * backends that keep their events in the store. */
#ifndef CC_RUNTIME_EVENTS_H
#define CC_RUNTIME_EVENTS_H

#include <pthread.h>

#include "runtime/runtime.h"
#include "store/store.h"

struct cc_store_events {
	struct cc_store *store;
	pthread_mutex_t *lock; /* held around store access; NULL: none */
	const char *backend;
	int (*before_poll)(void *ctx, struct cc_error **err); /* optional: bring state up to date first */
	void *ctx;
};

int cc_store_events_stream(const struct cc_store_events *src, const struct cc_event_filter *f,
			   const struct cc_event_sink *sink, struct cc_error **err);

#endif
