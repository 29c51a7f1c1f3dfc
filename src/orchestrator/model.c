/* Reading the canonical model: the few accessors every orchestrator file needs. A key holding YAML null
 * counts as absent, as it does in the Compose specification. */
#include "orchestrator/internal.h"

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
