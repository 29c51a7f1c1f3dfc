#include "compose/graph.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "base/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_ent_key(const void *a, const void *b)
{
	return strcmp((*(const struct cc_mapent *const *)a)->key, (*(const struct cc_mapent *const *)b)->key);
}

void cc_graph_free(struct cc_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++) {
		free(g->deps[i]);
		free(g->dep_pos[i]);
	}
	free(g->deps);
	free(g->dep_pos);
	free(g->ndeps);
	free(g->names);
	free(g);
}

enum { WHITE, GREY, BLACK };

/* Depth-first search with an explicit stack (a recursive one overflows on long dependency chains). The stack
 * holds the current path, so a back edge names the cycle. */
static int find_cycle(const struct cc_graph *g, struct cc_error **err)
{
	unsigned char *color = cc_xcalloc(g->n + 1, 1);
	size_t *path = cc_xcalloc(g->n + 1, sizeof(size_t));
	size_t *next = cc_xcalloc(g->n + 1, sizeof(size_t)); /* per path entry: the next edge to follow */
	int r = 0;
	for (size_t root = 0; root < g->n && r == 0; root++) {
		if (color[root] != WHITE)
			continue;
		size_t depth = 0;
		path[0] = root;
		next[0] = 0;
		color[root] = GREY;
		while (r == 0) {
			size_t i = path[depth];
			if (next[depth] == g->ndeps[i]) {
				color[i] = BLACK;
				if (depth == 0)
					break;
				depth--;
				continue;
			}
			size_t d = g->deps[i][next[depth]++];
			if (color[d] == GREY) {
				cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
				size_t start = 0;
				while (path[start] != d)
					start++;
				for (size_t s2 = start; s2 <= depth; s2++)
					cc_strbuf_addf(&sb, "%s -> ", g->names[path[s2]]);
				cc_strbuf_adds(&sb, g->names[d]);
				struct cc_pos at = g->dep_pos[i][next[depth] - 1];
				if (at.file && at.line)
					r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
							 "%s:%u:%u: dependency cycle detected: %s", at.file,
							 at.line, at.col, sb.buf);
				else
					r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
							 "dependency cycle detected: %s", sb.buf);
			} else if (color[d] == WHITE) {
				color[d] = GREY;
				path[++depth] = d;
				next[depth] = 0;
			}
		}
	}
	free(color);
	free(path);
	free(next);
	return r;
}

int cc_graph_build(const struct cc_val *services, struct cc_graph **out, struct cc_error **err)
{
	struct cc_graph *g = cc_xcalloc(1, sizeof(*g));
	g->n = services ? services->map.n : 0;
	g->names = cc_xcalloc(g->n + 1, sizeof(char *));
	g->deps = cc_xcalloc(g->n + 1, sizeof(size_t *));
	g->dep_pos = cc_xcalloc(g->n + 1, sizeof(struct cc_pos *));
	g->ndeps = cc_xcalloc(g->n + 1, sizeof(size_t));
	for (size_t i = 0; i < g->n; i++)
		g->names[i] = services->map.e[i].key;
	qsort(g->names, g->n, sizeof(char *), cmp_str);
	struct cc_strmap index;
	cc_strmap_init(&index, NULL);
	for (size_t i = 0; i < g->n; i++)
		cc_strmap_set(&index, g->names[i], (void *)(uintptr_t)(i + 1));
	/* the service definitions in sorted order, without a linear lookup per name */
	const struct cc_val **defs = cc_xcalloc(g->n + 1, sizeof(*defs));
	for (size_t i = 0; i < g->n; i++)
		defs[(uintptr_t)cc_strmap_get(&index, services->map.e[i].key) - 1] = services->map.e[i].val;
	int r = 0;
	for (size_t i = 0; i < g->n && r == 0; i++) {
		const struct cc_val *deps = cc_map_get(defs[i], "depends_on");
		size_t nd = deps && deps->kind == CC_V_MAP ? deps->map.n : 0;
		g->deps[i] = cc_xcalloc(nd + 1, sizeof(size_t));
		g->dep_pos[i] = cc_xcalloc(nd + 1, sizeof(struct cc_pos));
		/* dependencies in name order, so the traversal and the cycle reported are deterministic */
		const struct cc_mapent **ents = cc_xcalloc(nd + 1, sizeof(*ents));
		for (size_t k = 0; k < nd; k++)
			ents[k] = &deps->map.e[k];
		qsort(ents, nd, sizeof(*ents), cmp_ent_key);
		for (size_t k = 0; k < nd; k++) {
			uintptr_t ix = (uintptr_t)cc_strmap_get(&index, ents[k]->key);
			if (!ix) {
				r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
						 "service \"%s\" depends on undefined service \"%s\"",
						 g->names[i], ents[k]->key);
				break;
			}
			g->dep_pos[i][g->ndeps[i]] = ents[k]->kpos;
			g->deps[i][g->ndeps[i]++] = ix - 1;
		}
		free(ents);
	}
	cc_strmap_release(&index);
	free(defs);
	if (r == 0)
		r = find_cycle(g, err);
	if (r < 0) {
		cc_graph_free(g);
		return -1;
	}
	*out = g;
	return 0;
}

size_t *cc_graph_order(const struct cc_graph *g, int reverse)
{
	/* Kahn's algorithm, always taking the smallest ready name, so the order is stable. */
	size_t *order = cc_xcalloc(g->n + 1, sizeof(size_t));
	size_t *pending = cc_xcalloc(g->n + 1, sizeof(size_t));
	unsigned char *done = cc_xcalloc(g->n + 1, 1);
	for (size_t i = 0; i < g->n; i++)
		pending[i] = g->ndeps[i];
	for (size_t out = 0; out < g->n; out++) {
		size_t pick = g->n;
		for (size_t i = 0; i < g->n; i++)
			if (!done[i] && pending[i] == 0) {
				pick = i;
				break;
			}
		if (pick == g->n)
			break; /* cannot happen: cycles are refused when the graph is built */
		done[pick] = 1;
		order[out] = pick;
		for (size_t i = 0; i < g->n; i++)
			for (size_t k = 0; k < g->ndeps[i]; k++)
				if (g->deps[i][k] == pick)
					pending[i]--;
	}
	if (reverse)
		for (size_t i = 0; i < g->n / 2; i++) {
			size_t t = order[i];
			order[i] = order[g->n - 1 - i];
			order[g->n - 1 - i] = t;
		}
	free(pending);
	free(done);
	return order;
}

void cc_graph_mark_dependencies(const struct cc_graph *g, bool *sel)
{
	size_t *order = cc_graph_order(g, 1); /* dependents before their dependencies */
	for (size_t k = 0; k < g->n; k++) {
		size_t i = order[k];
		for (size_t d = 0; sel[i] && d < g->ndeps[i]; d++)
			sel[g->deps[i][d]] = true;
	}
	free(order);
}
