/* The service dependency graph (depends_on, including implicit dependencies): start order, stop order,
 * cycles. */
#ifndef CC_COMPOSE_GRAPH_H
#define CC_COMPOSE_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "compose/value.h"

struct cc_graph {
	size_t n;
	const char **names;      /* borrowed from the services mapping, sorted by name */
	size_t **deps;           /* deps[i]: indices of the services i depends on */
	struct cc_pos **dep_pos; /* dep_pos[i][k]: where the k-th dependency of i is declared */
	size_t *ndeps;
};

/* Build the graph of a canonical services mapping. Fails on an undefined dependency or a cycle:
 *   dependency cycle detected: a -> b -> c -> a */
int cc_graph_build(const struct cc_val *services, struct cc_graph **out, struct cc_error **err);
void cc_graph_free(struct cc_graph *g);
/* Indices in start order (every service after its dependencies; ties by name), or in stop order (reverse).
 * Returns a new array of g->n indices. */
size_t *cc_graph_order(const struct cc_graph *g, int reverse);
/* Mark in sel (g->n flags) what the marked services depend on, and so on. */
void cc_graph_mark_dependencies(const struct cc_graph *g, bool *sel);

#endif
