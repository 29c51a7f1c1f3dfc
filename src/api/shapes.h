/* The REST API's JSON shapes (design/API.md), shared by the daemon, which writes them, and the remote
 * backend, which reads them back into runtime types.
 *
 * Each shape is the contract's fields plus the codec's (runtime/codec.h) under their codec names, so that a
 * round trip through the daemon loses nothing: nanosecond times next to the contract's ISO-8601 ones, the
 * engine's 64-hex id as `engineId` next to the contract's name-as-id, the full creation spec as `config`.
 * Clients of the contract ignore the extra fields. */
#ifndef CC_API_SHAPES_H
#define CC_API_SHAPES_H

#include <jansson.h>

#include "base/error.h"
#include "runtime/types.h"

/* "2026-05-01T12:34:56Z" under key, omitted when ns is 0. */
void api_set_time(json_t *obj, const char *key, int64_t ns);

/* full: with the codec's fields (the whole creation spec as `config`, ns times, endpoints): what the remote
 * backend asks for with ?full=true; without, the contract's summary and the engine id only, which is much
 * cheaper to build and send for a long list. */
json_t *api_container_summary(const struct cc_container *c, int64_t now, bool full);
/* img: the container's image, for the contract's merged `config` (NULL: the spec alone). */
json_t *api_container_inspect(const struct cc_container *c, const struct cc_image *img);
/* Either shape back into a container. */
int api_container_decode(const json_t *j, struct cc_container *out, struct cc_error **err);

/* Container events get the contract's past-tense type ("started"); others "<type>.<action>". */
json_t *api_event_frame(const struct cc_event *e);
int api_event_decode(const json_t *j, struct cc_event *out, struct cc_error **err);

/* One log line. `service` is added by project log streams. */
json_t *api_log_frame(const struct cc_log_frame *f, bool timestamps);
/* Decoded frames point into j (the caller keeps j alive while it uses *out). */
int api_log_decode(const json_t *j, struct cc_log_frame *out, struct cc_error **err);

json_t *api_stats_frame(const struct cc_stats *s);
int api_stats_decode(const json_t *j, struct cc_stats *out, struct cc_error **err);

json_t *api_image(const struct cc_image *img);
json_t *api_network(const struct cc_network *n);
int api_network_decode(const json_t *j, struct cc_network *out, struct cc_error **err);
json_t *api_volume(const struct cc_volume *v);
json_t *api_secret(const struct cc_secret *s);

json_t *api_progress_frame(const struct cc_progress *p);
/* The name a copied path travels under in a /containers/{id}/archive tar: its last component ("root" for
 * "/"); owned. */
char *api_copy_entry_name(const char *path);

/* The create body: the codec's container spec, plus the contract's `cpus` (a number of CPUs) and a
 * `restartPolicy` given as a plain string. */
int api_create_body_decode(const json_t *j, struct cc_container_spec *out, struct cc_error **err);

#endif
