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

/* A variable a value refers to, as `config --variables` lists them: ${V:-d} and ${V-d} give a default,
 * ${V:?m} and ${V?m} make it required, ${V:+a} and ${V+a} give an alternate (its "presence value"). The
 * texts are as written (not expanded); NULL when absent. */
struct cc_template_var {
	const char *name;
	bool required;
	const char *default_value, *alternate;
};
/* Every variable `in` refers to, in every branch (the defaults' own variables too), in order. A malformed
 * reference is skipped: substitution reports it. */
void cc_template_variables(const char *in, void (*fn)(void *ud, const struct cc_template_var *v), void *ud);

#endif
