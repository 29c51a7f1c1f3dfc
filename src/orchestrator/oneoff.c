/* The container of `run`: the service's spec as a one-off (no ports, no network aliases, no restart policy),
 * then what run's flags add. -p and -v take the Compose file's short syntax and go through the loader's own
 * parsers, so `run -v ./data:/data` means what the same line in the file means. */
#include "orchestrator/orchestrator.h"

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "compose/project.h"
#include "compose/units.h"
#include "orchestrator/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int add_published(const char *text, struct cc_container_spec *spec, struct cc_error **err)
{
	struct cc_port_spec *ports = NULL;
	size_t n = 0;
	if (cc_parse_port_short(text, &ports, &n, err) < 0)
		return cc_error_wrap(err, "--publish %s", text);
	spec->ports = cc_xrealloc(spec->ports, (spec->nports + n) * sizeof(*spec->ports));
	for (size_t i = 0; i < n; i++) {
		struct cc_port_binding *b = &spec->ports[spec->nports++];
		memset(b, 0, sizeof(*b));
		b->host_ip = ports[i].host_ip ? cc_xstrdup(ports[i].host_ip) : NULL;
		b->container_port = (uint16_t)ports[i].target;
		cc_orch_published_range(ports[i].published, b);
		snprintf(b->protocol, sizeof(b->protocol), "%s", ports[i].protocol);
	}
	cc_port_specs_free(ports, n);
	return 0;
}

/* A bind source as the loader resolves one: "~" is the home directory, a relative path the project's. */
static char *bind_source(const struct cc_project *p, const char *src)
{
	const char *home = getenv("HOME");
	if (src[0] == '~' && (src[1] == '/' || src[1] == '\0') && home)
		return cc_path_join(home, src[1] ? src + 2 : ".");
	return cc_path_join(p->working_dir, src);
}

static int add_volume(const struct cc_project *p, const char *text, struct cc_container_spec *spec,
		      struct cc_error **err)
{
	struct cc_volume_spec v = {0};
	if (cc_parse_volume_short(text, &v, err) < 0)
		return cc_error_wrap(err, "--volume %s", text);
	struct cc_mount m = {.target = cc_xstrdup(v.target), .read_only = v.read_only};
	if (strcmp(v.type, "bind") == 0) {
		m.type = CC_MOUNT_BIND;
		m.source = bind_source(p, v.source);
		m.create_host_path = true; /* the short syntax's habit */
	} else {
		m.type = CC_MOUNT_VOLUME;
		/* a volume the project declares by its engine name; another name as it is, created on first
		 * use, as docker compose passes an undeclared `run -v NAME:...` to docker */
		m.source = v.source ? cc_xstrdup(cc_orch_resource_name(p, "volumes", v.source)) : NULL;
		m.nocopy = v.nocopy;
	}
	cc_volume_spec_release(&v);
	/* the flag's mount replaces the service's at the same place: what `run -v` is for */
	for (size_t i = 0; i < spec->nmounts; i++) {
		if (spec->mounts[i].target && strcmp(spec->mounts[i].target, m.target) == 0) {
			free(spec->mounts[i].source);
			free(spec->mounts[i].target);
			free(spec->mounts[i].subpath);
			spec->mounts[i] = m;
			return 0;
		}
	}
	spec->mounts = cc_xrealloc(spec->mounts, (spec->nmounts + 1) * sizeof(*spec->mounts));
	spec->mounts[spec->nmounts++] = m;
	return 0;
}

static void push_all(cc_strv *to, char *const *from)
{
	for (; from && *from; from++)
		cc_strv_push(to, *from);
}

/* A capability's name as the kernel's list has it, without "CAP_", in capitals: "net_admin" is NET_ADMIN. */
static bool same_cap(const char *a, const char *b)
{
	if (strncasecmp(a, "CAP_", 4) == 0)
		a += 4;
	if (strncasecmp(b, "CAP_", 4) == 0)
		b += 4;
	return strcasecmp(a, b) == 0;
}

/* run --cap-drop X takes X out of the service's cap_add, --cap-add out of its cap_drop, as docker compose's
 * run applies its flags: the flag wins over the file. */
static void remove_caps(cc_strv list, char *const *remove)
{
	size_t k = 0;
	for (size_t i = 0; list && list[i]; i++) {
		bool drop = false;
		for (char *const *r = remove; r && *r && !drop; r++)
			drop = same_cap(list[i], *r);
		if (drop)
			free(list[i]);
		else
			list[k++] = list[i];
	}
	if (list)
		list[k] = NULL;
}

int cc_orch_oneoff_spec(const struct cc_project *p, const char *service, const struct cc_oneoff_opts *o,
			struct cc_container_spec *out, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	memset(out, 0, sizeof(*out));
	if (cc_orch_service_spec(p, service, 1, true, out, err) < 0)
		return -1;
	if (o->service_ports)
		cc_orch_spec_service_ports(p, service, out);
	if (o->use_aliases)
		cc_orch_spec_service_aliases(p, service, out);
	for (char *const *s = o->publish; s && *s; s++)
		if (add_published(*s, out, err) < 0)
			goto fail;
	for (char *const *s = o->volumes; s && *s; s++)
		if (add_volume(p, *s, out, err) < 0)
			goto fail;
	remove_caps(out->cap_add, o->cap_drop);
	remove_caps(out->cap_drop, o->cap_add);
	push_all(&out->cap_add, o->cap_add);
	push_all(&out->cap_drop, o->cap_drop);
	return 0;
fail:
	cc_container_spec_release(out);
	memset(out, 0, sizeof(*out));
	return -1;
}
