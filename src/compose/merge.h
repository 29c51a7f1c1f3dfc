/* Merging canonical trees: later -f files over earlier ones, a service over the one it extends, a file over
 * what it includes. Rules follow compose-go (checklist §5): mappings merge key by key, scalars and
 * command/entrypoint/ healthcheck.test are replaced, ports/volumes/secrets/configs/devices merge by their
 * unique key, other lists append (deduplicated where compose-go dedupes), logging with another driver
 * replaces. !reset removes what the base had, !override replaces without merging. */
#ifndef CC_COMPOSE_MERGE_H
#define CC_COMPOSE_MERGE_H

#include "compose/value.h"

/* Merge `over` into `base`; both are canonical top-level models. Consumes over. */
void cc_merge_model(struct cc_val *base, struct cc_val *over);
/* Merge one service definition over another. Consumes over. */
void cc_merge_service(struct cc_val *base, struct cc_val *over);
/* Drop every node marked !reset and clear !override marks, once nothing is left to merge. */
void cc_strip_merge_marks(struct cc_val *v);

#endif
