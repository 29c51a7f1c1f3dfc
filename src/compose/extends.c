/* `extends`: a service starts from another one (same file or another file) and merges its own definition over
 * it. The other file is loaded with its own directory as the base of relative paths, so its build contexts
 * and bind sources stay right. Dependencies of the base are kept as written, but their services are not
 * imported. */
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/loader.h"
#include "compose/merge.h"

#include <string.h>

/* Real projects extend a handful of levels; a bound keeps a hostile chain from exhausting the stack. */
#define MAX_EXTENDS_DEPTH 256

struct chain {
	const char *file;
	const char *service;
	const struct chain *next;
};

static int cycle_error(const struct chain *ch, const char *file, const char *service, struct cc_error **err)
{
	cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
	/* the chain is innermost-first; print it outermost-first */
	const struct chain *items[64];
	size_t n = 0;
	for (const struct chain *c = ch; c && n < 64; c = c->next)
		items[n++] = c;
	while (n-- > 0)
		cc_strbuf_addf(&sb, "%s -> ", items[n]->service);
	cc_strbuf_adds(&sb, service);
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: extends cycle detected: %s", file, sb.buf);
}

static struct cc_val *extended_model(struct cc_loader *L, const char *path, const struct cc_scope *scope,
				     struct cc_error **err)
{
	struct cc_val *m = cc_strmap_get(&L->extended, path);
	if (m)
		return m;
	struct cc_yaml_docs docs = {0};
	const char *file = NULL;
	if (cc_loader_parse(L, path, &docs, &file, err) < 0)
		return NULL;
	cleanup_free char *dir = cc_path_dir(path);
	/* Its own extends are resolved on demand by resolve(), along the same chain, so references that go
	 * back and forth between files work and true cycles are reported instead of recursing forever. */
	m = cc_loader_process(L, &docs, file, dir, scope, false, err);
	if (!m)
		return NULL;
	cc_strmap_set(&L->extended, path, m);
	return m;
}

static int resolve(struct cc_loader *L, struct cc_val *services, const char *name, const char *file,
		   const struct cc_scope *scope, const struct chain *ch, struct cc_error **err)
{
	/* before the early return: a service on the chain has already had its `extends` taken out */
	for (const struct chain *c = ch; c; c = c->next)
		if (!strcmp(c->service, name) && !strcmp(c->file, file))
			return cycle_error(ch, file, name, err);
	struct cc_mapent *ent = cc_map_find(services, name);
	if (!ent || ent->val->kind != CC_V_MAP)
		return 0;
	struct cc_val *ext = cc_map_get(ent->val, "extends");
	if (!ext)
		return 0;
	if (ext->kind != CC_V_MAP) {
		/* `extends: !reset`: nothing to extend */
		cc_map_del(ent->val, "extends");
		return 0;
	}
	const struct cc_val *sv = cc_map_get(ext, "service");
	if (!sv || sv->kind != CC_V_STR)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "%s:%u:%u: services.%s.extends.service must be a string", ext->pos.file,
				    ext->pos.line, ext->pos.col, name);
	size_t depth = 0;
	for (const struct chain *c = ch; c; c = c->next)
		depth++;
	if (depth >= MAX_EXTENDS_DEPTH)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "%s:%u:%u: services.%s.extends: chain of more than %d services",
				    ext->pos.file, ext->pos.line, ext->pos.col, name, MAX_EXTENDS_DEPTH);
	struct chain here = {file, name, ch};
	ext = cc_map_take(ent->val, "extends");
	const struct cc_val *svc_name = cc_map_get(ext, "service");
	const struct cc_val *other_file = cc_map_get(ext, "file");
	struct cc_val *base = NULL;
	int r = -1;

	if (other_file && other_file->kind == CC_V_STR) {
		/* relative to the file that declares it; a file read from stdin has no directory of its own
		 */
		const char *decl = ext->pos.file ? ext->pos.file : file;
		cleanup_free char *decl_dir =
		    decl[0] == '/' ? cc_path_dir(decl) : cc_xstrdup(scope->project_dir);
		cleanup_free char *path = cc_path_join(decl_dir, other_file->str);
		struct cc_val *other = extended_model(L, path, scope, err);
		if (!other) {
			cc_error_wrap(err, "%s:%u:%u: services.%s.extends", other_file->pos.file,
				      other_file->pos.line, other_file->pos.col, name);
			goto out;
		}
		struct cc_val *osvcs = cc_map_get(other, "services");
		if (!cc_map_get(osvcs, svc_name->str)) {
			cc_error_set(
			    err, CC_ERR_NOT_FOUND,
			    "%s:%u:%u: services.%s.extends: cannot extend service \"%s\": not found in %s",
			    ext->pos.file, ext->pos.line, ext->pos.col, name, svc_name->str, path);
			goto out;
		}
		if (resolve(L, osvcs, svc_name->str, cc_loader_intern(L, path), scope, &here, err) < 0)
			goto out;
		base = cc_val_copy(cc_map_get(osvcs, svc_name->str));
	} else {
		if (!cc_map_get(services, svc_name->str)) {
			cc_error_set(
			    err, CC_ERR_NOT_FOUND,
			    "%s:%u:%u: services.%s.extends: cannot extend service \"%s\": no such service",
			    ext->pos.file, ext->pos.line, ext->pos.col, name, svc_name->str);
			goto out;
		}
		if (resolve(L, services, svc_name->str, file, scope, &here, err) < 0)
			goto out;
		base = cc_val_copy(cc_map_get(services, svc_name->str));
	}
	/* the map may have been reallocated by nothing (no inserts), but re-find to be safe */
	ent = cc_map_find(services, name);
	struct cc_val *local = ent->val;
	ent->val = base;
	struct cc_pos local_pos = local->pos;
	cc_merge_service(base, local);
	base->pos = local_pos;
	r = 0;
out:
	cc_val_free(ext);
	return r;
}

int cc_extends_resolve(struct cc_loader *L, struct cc_val *model, const char *file,
		       const struct cc_scope *scope, struct cc_error **err)
{
	struct cc_val *services = cc_map_get(model, "services");
	if (!services || services->kind != CC_V_MAP)
		return 0;
	for (size_t i = 0; i < services->map.n; i++) {
		/* most services extend nothing: skip them without a lookup by name */
		if (!cc_map_find(services->map.e[i].val, "extends"))
			continue;
		cleanup_free char *name = cc_xstrdup(services->map.e[i].key);
		if (resolve(L, services, name, file, scope, NULL, err) < 0)
			return -1;
	}
	return 0;
}
