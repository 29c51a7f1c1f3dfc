/* Output of the canonical model: JSON (jansson) and YAML (libfyaml's emitter). */
#ifndef CC_COMPOSE_EMIT_H
#define CC_COMPOSE_EMIT_H

#include <jansson.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "compose/value.h"

json_t *cc_val_to_json(const struct cc_val *v);
/* Pretty JSON (2-space indent, keys in model order), with a trailing newline. */
void cc_emit_json(const struct cc_val *v, struct cc_strbuf *out);
int cc_emit_yaml(const struct cc_val *v, struct cc_strbuf *out, struct cc_error **err);

#endif
