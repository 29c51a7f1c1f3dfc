/* Reading the canonical model: the few accessors every orchestrator file needs. A key holding YAML null
 * counts as absent, as it does in the Compose specification. */
#include "orchestrator/internal.h"
#include "base/xalloc.h"
#include "compose/graph.h"

#include <stdlib.h>
#include <string.h>

const struct cc_val *cc_orch_get(const struct cc_val *m, const char *k)
{
	if (!m || m->kind != CC_V_MAP)
		return NULL;
	const struct cc_val *v = cc_map_get(m, k);
	return v && v->kind != CC_V_NULL ? v : NULL;
}

const char *cc_orch_str(const struct cc_val *m, const char *k)
{
	const struct cc_val *v = cc_orch_get(m, k);
	return v && cc_val_is_scalar(v) ? cc_val_text(v) : NULL;
}

bool cc_orch_flag(const struct cc_val *m, const char *k)
{
	const struct cc_val *v = cc_orch_get(m, k);
	return v && v->kind == CC_V_BOOL && v->num.b;
}

bool cc_orch_selected(char *const *services, const char *name)
{
	if (!services || !services[0])
		return true;
	for (char *const *s = services; *s; s++)
		if (strcmp(*s, name) == 0)
			return true;
	return false;
}

int cc_orch_with_dependencies(const struct cc_project *p, char *const *services, cc_strv *out,
			      struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	*out = NULL;
	if (!services || !services[0])
		return 0;
	for (char *const *s = services; *s; s++)
		if (!cc_project_service(p, *s))
			return cc_error_set(err, CC_ERR_NOT_FOUND, "no such service: %s", *s);
	struct cc_graph *g;
	if (cc_graph_build(cc_project_services(p), &g, err) < 0)
		return -1;
	bool *sel = cc_xcalloc(g->n + 1, sizeof(bool));
	for (size_t i = 0; i < g->n; i++)
		sel[i] = cc_strv_contains(services, g->names[i]);
	cc_graph_mark_dependencies(g, sel);
	const struct cc_val *svcs = cc_project_services(p);
	for (size_t i = 0; i < svcs->map.n; i++)
		for (size_t k = 0; k < g->n; k++)
			if (sel[k] && strcmp(g->names[k], svcs->map.e[i].key) == 0)
				cc_strv_push(out, g->names[k]);
	free(sel);
	cc_graph_free(g);
	return 0;
}
