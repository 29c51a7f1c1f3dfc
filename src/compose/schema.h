/* Validation of a Compose document against the embedded compose-spec.json (JSON Schema draft-07, the subset
 * of keywords that file uses: type, properties, patternProperties, additionalProperties, required, items,
 * oneOf, anyOf, enum, pattern, minimum, maximum, uniqueItems, $ref). Messages name the position and YAML
 * path: compose.yaml:4:12: services.web.image must be a string */
#ifndef CC_COMPOSE_SCHEMA_H
#define CC_COMPOSE_SCHEMA_H

#include "base/error.h"
#include "compose/value.h"

struct cc_schema;

int cc_schema_load(struct cc_schema **out, struct cc_error **err);
void cc_schema_free(struct cc_schema *schema);
/* Validate a whole document (the top-level mapping of one compose file). */
int cc_schema_validate(const struct cc_schema *schema, const struct cc_val *doc, struct cc_error **err);

#endif
