/* Orphans: a project's containers whose service the model no longer defines (renamed or removed from the
 * Compose file). docker compose names them in a warning, and removes them with --remove-orphans. */
#include "orchestrator/internal.h"
#include "base/cleanup.h"
#include "base/strbuf.h"

void cc_orch_warn_orphans(const struct cc_orch_ui *ui, const char *names)
{
	cc_orch_warn(
	    ui,
	    "Found orphan containers ([%s]) for this project. If you removed or renamed this service in "
	    "your compose file, you can run this command with the --remove-orphans flag to clean it up.",
	    names);
}

int cc_orch_orphans(struct cc_runtime *rt, const struct cc_project *p, const struct cc_orphan_opts *o,
		    const struct cc_orch_ui *ui, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	struct cc_container *cs;
	size_t n;
	if (cc_orch_containers(rt, p->name, NULL, true, true, &cs, &n, err) < 0)
		return -1;
	int r = cc_orch_orphans_among(rt, p, cs, n, o, ui, err);
	cc_containers_free(cs, n);
	return r;
}

int cc_orch_orphans_among(struct cc_runtime *rt, const struct cc_project *p, const struct cc_container *cs,
			  size_t n, const struct cc_orphan_opts *o, const struct cc_orch_ui *ui,
			  struct cc_error **err)
{
	cleanup_strbuf struct cc_strbuf names = CC_STRBUF_INIT;
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		const struct cc_container *c = &cs[i];
		if (cc_project_defines(p, cc_orch_container_service(c)))
			continue;
		if (!o->remove) {
			cc_strbuf_addf(&names, "%s%s", names.len ? " " : "", c->name);
			continue;
		}
		cc_orch_status(ui, "Container", c->name, "Removing");
		struct cc_error *e = NULL;
		if (cc_orch_is_up(c) && cc_rt_container_stop(rt, c->id, NULL, o->timeout_ns, &e) < 0) {
			if (e->kind != CC_ERR_INVALID_STATE) { /* else it stopped on its own meanwhile */
				*err = e;
				r = -1;
				break;
			}
			cc_error_free(e);
		}
		r = cc_rt_container_remove(rt, c->id, true, false, err);
		if (r == 0)
			cc_orch_status(ui, "Container", c->name, "Removed");
	}
	if (r == 0 && names.len && !o->ignore)
		cc_orch_warn_orphans(ui, cc_strbuf_str(&names));
	return r;
}
