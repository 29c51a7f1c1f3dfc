/* Top-level networks, volumes, secrets and configs, and a whole file's top level. */
#include "base/cleanup.h"
#include "base/xalloc.h"
#include "compose/normalize.h"

#include <string.h>

/* Keys converted per resource section; others (strings, x-*) are copied. */
static struct cc_val *norm_resource_key(struct cc_norm_ctx *c, const char *key, const struct cc_val *v,
					void *ud)
{
	const char *section = ud;
	if (!strcmp(key, "labels"))
		return cc_norm_dict(c, v, '=', true);
	if (!strcmp(key, "driver_opts"))
		return cc_norm_dict(c, v, '=', false);
	if (!strcmp(key, "attachable") || !strcmp(key, "internal") || !strcmp(key, "enable_ipv6") ||
	    !strcmp(key, "enable_ipv4"))
		return cc_norm_bool(c, v);
	if (!strcmp(key, "file") && (!strcmp(section, "secrets") || !strcmp(section, "configs"))) {
		if (!cc_val_is_scalar(v) || v->kind == CC_V_NULL) {
			cc_norm_fail(c, v, "must be a path");
			return NULL;
		}
		return cc_val_new_str_take(cc_norm_abs_path(c, v->str), v->pos);
	}
	if (!strcmp(key, "external")) {
		if (v->kind == CC_V_MAP)
			return cc_val_copy(v); /* legacy {name: x}, rewritten by the caller */
		return cc_norm_bool(c, v);
	}
	if (!strcmp(key, "name") || !strcmp(key, "driver") || !strcmp(key, "environment") ||
	    !strcmp(key, "content") || !strcmp(key, "template_driver"))
		return cc_norm_string(c, v);
	return cc_val_copy(v);
}

struct cc_val *cc_norm_resource(struct cc_norm_ctx *c, const char *section, const struct cc_val *res)
{
	struct cc_val *out = cc_norm_map(c, res, norm_resource_key, (void *)section);
	if (!out)
		return NULL;
	struct cc_val *ext = cc_map_get(out, "external");
	if (ext && ext->kind == CC_V_MAP) {
		/* external: {name: x} is the legacy spelling of external: true + name: x */
		struct cc_val *n = cc_map_get(ext, "name");
		cc_norm_warn(c, ext, "external.name is deprecated: use `name:` with `external: true`");
		if (n && !cc_map_get(out, "name"))
			cc_map_set(out, "name", cc_val_new_str(n->str ? n->str : "", n->pos));
		cc_map_set(out, "external", cc_val_new_bool(true, ext->pos));
		ext = cc_map_get(out, "external");
	}
	if (ext && ext->kind == CC_V_BOOL && ext->num.b) {
		for (size_t i = 0; i < out->map.n; i++) {
			const char *k = out->map.e[i].key;
			if (strcmp(k, "external") && strcmp(k, "name") && strncmp(k, "x-", 2)) {
				cc_norm_fail(c, out->map.e[i].val,
					     "conflicting parameters \"external\" and \"%s\"", k);
				cc_val_free(out);
				return NULL;
			}
		}
	}
	return out;
}

static struct cc_val *section_entry(struct cc_norm_ctx *c, const char *key, const struct cc_val *v, void *ud)
{
	(void)key;
	const char *section = ud;
	return !strcmp(section, "services") ? cc_norm_service(c, v) : cc_norm_resource(c, section, v);
}

static struct cc_val *norm_section(struct cc_norm_ctx *c, const char *section, const struct cc_val *v)
{
	return cc_norm_map(c, v, section_entry, (void *)section);
}

struct cc_val *cc_norm_file(struct cc_norm_ctx *c, const struct cc_val *doc)
{
	struct cc_val *out = cc_val_new(CC_V_MAP, doc->pos);
	for (size_t i = 0; i < doc->map.n; i++) {
		const struct cc_mapent *e = &doc->map.e[i];
		struct cc_val *x;
		if (!strcmp(e->key, "services") || !strcmp(e->key, "networks") ||
		    !strcmp(e->key, "volumes") || !strcmp(e->key, "secrets") || !strcmp(e->key, "configs")) {
			size_t mark = cc_norm_push(c, e->key);
			x = norm_section(c, e->key, e->val);
			cc_norm_pop(c, mark);
		} else if (!strcmp(e->key, "name")) {
			x = cc_norm_string(c, e->val);
		} else {
			x = cc_val_copy(e->val); /* include (handled by the loader), x-* */
		}
		if (!x) {
			cc_val_free(out);
			return NULL;
		}
		cc_map_append(out, e->key, x, e->kpos);
	}
	return out;
}
