/* volumes_from: a service takes the mounts of another service's first container, or of a named container,
 * as docker compose passes VolumesFrom to the engine. Resolved here, from the source container's record, so
 * every backend gets them and anonymous volumes are shared too (their generated names are in the record). */
#include "orchestrator/orchestrator.h"

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "compose/project.h"
#include "orchestrator/internal.h"

#include <stdbool.h>
#include <string.h>

/* The container an entry names: `container:NAME[:MODE]` or `SERVICE[:MODE]`. */
static int source_container(struct cc_runtime *rt, const struct cc_project *p, const char *name, bool by_name,
			    struct cc_container *out, struct cc_error **err)
{
	if (by_name)
		return cc_rt_container_inspect(rt, name, out, err) < 0
			   ? cc_error_wrap(err, "volumes_from: container %s", name)
			   : 0;
	char *services[] = {(char *)name, NULL};
	struct cc_container *cs = NULL;
	size_t n = 0;
	if (cc_orch_containers(rt, p->name, services, true, false, &cs, &n, err) < 0)
		return -1;
	int r = n ? cc_rt_container_inspect(rt, cs[0].id, out, err)
		  : cc_error_set(err, CC_ERR_NOT_FOUND, "volumes_from: service %s has no container", name);
	cc_containers_free(cs, n);
	return r;
}

static bool has_target(const struct cc_container_spec *spec, const char *target)
{
	for (size_t i = 0; i < spec->nmounts; i++)
		if (spec->mounts[i].target && strcmp(spec->mounts[i].target, target) == 0)
			return true;
	return false;
}

static void take_mounts(struct cc_container_spec *spec, const struct cc_container *from, const char *mode)
{
	for (size_t i = 0; i < from->spec.nmounts; i++) {
		const struct cc_mount *m = &from->spec.mounts[i];
		/* a tmpfs is the source container's own memory, not something to share */
		if (m->type == CC_MOUNT_TMPFS || !m->target || has_target(spec, m->target))
			continue;
		spec->mounts = cc_xrealloc(spec->mounts, (spec->nmounts + 1) * sizeof(*spec->mounts));
		struct cc_mount *c = &spec->mounts[spec->nmounts++];
		*c = *m;
		c->source = m->source ? cc_xstrdup(m->source) : NULL;
		c->target = cc_xstrdup(m->target);
		c->subpath = m->subpath ? cc_xstrdup(m->subpath) : NULL;
		/* already there: what the source had in it is its own business */
		c->nocopy = true;
		c->create_host_path = false;
		if (*mode)
			c->read_only = strcmp(mode, "ro") == 0;
	}
}

int cc_orch_volumes_from(struct cc_runtime *rt, const struct cc_project *p, const char *service,
			 struct cc_container_spec *spec, struct cc_error **err)
{
	const struct cc_val *svc = cc_project_service(p, service);
	const struct cc_val *vf = svc ? cc_map_get(svc, "volumes_from") : NULL;
	for (size_t i = 0; vf && vf->kind == CC_V_SEQ && i < vf->seq.n; i++) {
		const char *entry = vf->seq.v[i]->str;
		if (!entry)
			continue;
		bool by_name = strncmp(entry, "container:", 10) == 0;
		const char *rest = by_name ? entry + 10 : entry;
		const char *colon = strchr(rest, ':');
		cleanup_free char *name = cc_xstrndup(rest, colon ? (size_t)(colon - rest) : strlen(rest));
		const char *mode = colon ? colon + 1 : "";
		if (*mode && strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "services.%s.volumes_from: \"%s\": the mode must be ro or rw",
					    service, entry);
		struct cc_container from;
		if (source_container(rt, p, name, by_name, &from, err) < 0)
			return cc_error_wrap(err, "service %s", service);
		take_mounts(spec, &from, mode);
		cc_container_release(&from);
	}
	return 0;
}
