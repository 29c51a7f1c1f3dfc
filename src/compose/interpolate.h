/* Interpolate every scalar value of a tree (never keys), with errors that carry file:line:col and the YAML
 * path. */
#ifndef CC_COMPOSE_INTERPOLATE_H
#define CC_COMPOSE_INTERPOLATE_H

#include "base/error.h"
#include "compose/template.h"
#include "compose/value.h"

int cc_interpolate_tree(struct cc_val *root, const struct cc_template_ctx *ctx, struct cc_error **err);

#endif
