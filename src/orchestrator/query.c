/* Finding a project's containers through the runtime, by label. */
#include "orchestrator/internal.h"
#include "base/cleanup.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int by_service_number(const void *a, const void *b)
{
	const struct cc_container *x = a, *y = b;
	int c = strcmp(cc_orch_container_service(x), cc_orch_container_service(y));
	if (c)
		return c;
	int nx = cc_orch_container_number(x), ny = cc_orch_container_number(y);
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(x->name, y->name);
}

int cc_orch_containers(struct cc_runtime *rt, const char *project, char *const *services, bool all,
		       bool oneoff, struct cc_container **out, size_t *n, struct cc_error **err)
{
	struct cc_container_filter f = {.project = project, .all = all};
	struct cc_container *cs;
	size_t count;
	if (cc_rt_container_list(rt, &f, &cs, &count, err) < 0)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < count; i++) {
		const char *off = cc_kvs_get(&cs[i].spec.labels, CC_LABEL_ONEOFF);
		bool is_oneoff = off && strcmp(off, "True") == 0;
		if ((is_oneoff && !oneoff) ||
		    !cc_orch_selected(services, cc_orch_container_service(&cs[i]))) {
			cc_container_release(&cs[i]);
			continue;
		}
		if (k != i)
			cs[k] = cs[i];
		k++;
	}
	qsort(cs, k, sizeof(*cs), by_service_number);
	*out = cs;
	*n = k;
	return 0;
}
