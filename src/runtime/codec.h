/* One JSON shape per runtime type (types.h), used by the store's payloads, the daemon's responses and the
 * remote backend's requests. Field names are the REST API's camelCase (design/API.md). Optional fields with
 * no value are omitted, never null. Times are integers in nanoseconds since the epoch ("...Ns" fields) so
 * nothing is lost on a round trip; the daemon adds ISO-8601 renderings where the API asks for them.
 *
 * Decoders are strict about types (a string where a number belongs is INVALID_ARGUMENT naming the field) and
 * ignore unknown fields, so an older binary reads a newer store. */
#ifndef CC_RUNTIME_CODEC_H
#define CC_RUNTIME_CODEC_H

#include <jansson.h>

#include "base/error.h"
#include "runtime/types.h"

json_t *cc_container_spec_to_json(const struct cc_container_spec *spec);
int cc_container_spec_from_json(const json_t *j, struct cc_container_spec *out, struct cc_error **err);

json_t *cc_container_to_json(const struct cc_container *c);
int cc_container_from_json(const json_t *j, struct cc_container *out, struct cc_error **err);
/* A container's health log (healthLog), for a backend that keeps it apart from the record. */
json_t *cc_health_results_to_json(const struct cc_health_result *v, size_t n);
int cc_health_results_from_json(const json_t *a, struct cc_health_result **out, size_t *n,
				struct cc_error **err);

json_t *cc_event_to_json(const struct cc_event *e);
int cc_event_from_json(const json_t *j, struct cc_event *out, struct cc_error **err);

json_t *cc_image_to_json(const struct cc_image *img);
int cc_image_from_json(const json_t *j, struct cc_image *out, struct cc_error **err);

json_t *cc_network_to_json(const struct cc_network *n);
int cc_network_from_json(const json_t *j, struct cc_network *out, struct cc_error **err);

json_t *cc_volume_to_json(const struct cc_volume *v);
int cc_volume_from_json(const json_t *j, struct cc_volume *out, struct cc_error **err);

json_t *cc_secret_to_json(const struct cc_secret *s);
int cc_secret_from_json(const json_t *j, struct cc_secret *out, struct cc_error **err);

json_t *cc_stats_to_json(const struct cc_stats *s);

/* Helpers for the above and for callers with their own shapes. */
json_t *cc_strv_to_json(char *const *v);
int cc_strv_from_json(const json_t *j, const char *field, cc_strv *out, struct cc_error **err);
json_t *cc_kvs_to_json(const struct cc_kvs *kvs); /* an object, in the list's order */
int cc_kvs_from_json(const json_t *j, const char *field, struct cc_kvs *out, struct cc_error **err);

/* Serialize compactly (owned string) / parse a payload text and decode it with fn. */
char *cc_json_dump_compact(json_t *j); /* steals j */
int cc_json_parse(const char *text, json_t **out, struct cc_error **err);

#endif
