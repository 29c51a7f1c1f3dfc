/* Compose interpolation of one string value: $V, ${V}, ${V:-d}, ${V-d}, ${V:?m}, ${V?m}, ${V:+a}, ${V+a},
 * nesting and $$. Branches are evaluated lazily: a default that is not taken is never looked up, so it
 * neither warns nor fails. See ../shared/reference/compose-go-edge-cases.md §2 rows 1-14. */
#ifndef CC_COMPOSE_TEMPLATE_H
#define CC_COMPOSE_TEMPLATE_H

#include <stdbool.h>

#include "base/error.h"
#include "compose/lookup.h"

struct cc_template_ctx {
	cc_lookup_fn lookup;
	void *lookup_ud;
	/* Called once per reference to an unset variable without a default (may be NULL). */
	void (*warn_unset)(void *ud, const char *name);
	void *warn_ud;
};

/* True when s contains a '$' at all (fast path: nothing to substitute). */
bool cc_template_has_vars(const char *s);

/* Substitute variables in `in`; on success *out is a new string.
 * Errors (kind INVALID_ARGUMENT), without location, which the caller prefixes with the YAML path:
 *   invalid interpolation format: "<in>"; you may need to escape any $ with another $
 *   required variable NAME is missing a value[: message]
 */
int cc_template_substitute(const char *in, const struct cc_template_ctx *ctx, char **out,
			   struct cc_error **err);

#endif
