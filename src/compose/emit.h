/* Output of the canonical model: JSON (jansson) and YAML (libfyaml's emitter). */
#ifndef CC_COMPOSE_EMIT_H
#define CC_COMPOSE_EMIT_H

#include <jansson.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "compose/value.h"

json_t *cc_val_to_json(const struct cc_val *v);

enum {
	/* Write a literal '$' in string values as '$$', so the output loads back to the same model (the model
	 * holds interpolated text; docker compose config does the same). */
	CC_EMIT_ESCAPE_DOLLAR = 1u << 0,
};

/* Pretty JSON (2-space indent, keys in model order), with a trailing newline. */
void cc_emit_json(const struct cc_val *v, unsigned flags, struct cc_strbuf *out);
int cc_emit_yaml(const struct cc_val *v, unsigned flags, struct cc_strbuf *out, struct cc_error **err);

#endif
