/* `include`: each entry is loaded as its own project (own directory, own env_file whose values the including
 * project's environment overrides) and its resources are merged under the including file, which wins. */
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/loader.h"
#include "compose/merge.h"

#include <stdlib.h>
#include <string.h>

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A string or list of strings, each made absolute against dir. */
static char **abs_list(const struct cc_val *v, const char *dir, size_t *n)
{
	*n = 0;
	if (!v || v->kind == CC_V_NULL)
		return NULL;
	size_t cnt = v->kind == CC_V_SEQ ? v->seq.n : 1;
	char **out = cc_xcalloc(cnt, sizeof(char *));
	for (size_t i = 0; i < cnt; i++) {
		const struct cc_val *it = v->kind == CC_V_SEQ ? v->seq.v[i] : v;
		out[(*n)++] = cc_path_join(dir, it->str ? it->str : "");
	}
	return out;
}

static int include_one(struct cc_loader *L, struct cc_val *model, const struct cc_val *entry, const char *dir,
		       const struct cc_scope *scope, struct cc_error **err)
{
	size_t npaths = 0, nenv = 0;
	char **paths = NULL, **envs = NULL;
	cleanup_free char *pdir = NULL;
	int r = -1;
	if (entry->kind == CC_V_STR) {
		paths = abs_list(entry, dir, &npaths);
	} else {
		paths = abs_list(cc_map_get(entry, "path"), dir, &npaths);
		const struct cc_val *pd = cc_map_get(entry, "project_directory");
		if (pd && pd->str)
			pdir = cc_path_join(dir, pd->str);
		envs = abs_list(cc_map_get(entry, "env_file"), dir, &nenv);
	}
	if (!npaths) {
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s:%u:%u: include entry has no path",
				 entry->pos.file, entry->pos.line, entry->pos.col);
		goto out;
	}
	if (!pdir)
		pdir = cc_path_dir(paths[0]);
	for (size_t i = 0; i < npaths; i++) {
		for (size_t k = 0; k < L->ninclude; k++) {
			if (strcmp(L->include_stack[k], paths[i]) != 0)
				continue;
			cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
			for (size_t j = k; j < L->ninclude; j++)
				cc_strbuf_addf(&sb, "%s -> ", L->include_stack[j]);
			cc_strbuf_adds(&sb, paths[i]);
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s:%u:%u: include cycle detected: %s",
					 entry->pos.file, entry->pos.line, entry->pos.col, sb.buf);
			goto out;
		}
	}

	/* the included project's environment: its env files, then the including environment on top */
	struct cc_strmap env;
	cc_strmap_init(&env, free);
	bool explicit_env = nenv > 0;
	if (!explicit_env) {
		envs = cc_xcalloc(1, sizeof(char *));
		envs[0] = cc_path_join(pdir, ".env");
		nenv = 1;
	}
	if (cc_loader_read_env_files(L, (const char *const *)envs, nenv, explicit_env, scope->env, &env,
				     err) < 0) {
		cc_strmap_release(&env);
		goto out;
	}
	cc_strmap_foreach(scope->env, e) cc_strmap_set(&env, e->key, cc_xstrdup(e->value));
	struct cc_scope sub = {&env, pdir};

	CC_GROW(L->include_stack, L->capinclude, L->ninclude + 1);
	L->include_stack[L->ninclude++] = cc_loader_intern(L, paths[0]);
	struct cc_val *included = cc_loader_load_files(L, (const char *const *)paths, npaths, &sub, err);
	L->ninclude--;
	cc_strmap_release(&env);
	if (!included) {
		if (*err && (*err)->kind == CC_ERR_NOT_FOUND)
			cc_error_wrap(err, "%s:%u:%u: include", entry->pos.file, entry->pos.line,
				      entry->pos.col);
		goto out;
	}

	/* local definitions win over included ones (compose-go), so `!override` works on them */
	struct cc_val tmp = *model;
	*model = *included;
	*included = tmp;
	cc_merge_model(model, included);
	r = 0;
out:
	free_strv(paths, npaths);
	free_strv(envs, nenv);
	return r;
}

int cc_include_apply(struct cc_loader *L, struct cc_val *model, const struct cc_val *include,
		     const char *file, const struct cc_scope *scope, struct cc_error **err)
{
	if (include->kind != CC_V_SEQ)
		return 0;
	/* relative to the including project's directory, like compose-go (and like the paths of -f files) */
	cleanup_free char *dir = cc_xstrdup(scope->project_dir);
	(void)file;
	for (size_t i = 0; i < include->seq.n; i++)
		if (include_one(L, model, include->seq.v[i], dir, scope, err) < 0)
			return -1;
	return 0;
}
