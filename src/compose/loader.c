/* The loader pipeline: files -> environment -> project name -> per-file processing -> merge -> finalize. */
#include "compose/loader.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/dotenv.h"
#include "compose/interpolate.h"
#include "compose/merge.h"
#include "compose/normalize.h"
#include "compose/template.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cc_loader_intern(struct cc_loader *L, const char *name)
{
	for (size_t i = 0; i < L->ninterned; i++)
		if (!strcmp(L->interned[i], name))
			return L->interned[i];
	CC_GROW(L->interned, L->capinterned, L->ninterned + 1);
	L->interned[L->ninterned] = cc_xstrdup(name);
	return L->interned[L->ninterned++];
}

void cc_loader_warn(struct cc_loader *L, const char *fmt, ...)
{
	struct cc_strbuf sb = CC_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cc_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (cc_strmap_has(&L->warned, cc_strbuf_str(&sb))) {
		cc_strbuf_release(&sb);
		return;
	}
	cc_strmap_set(&L->warned, cc_strbuf_str(&sb), NULL);
	CC_GROW(L->warnings, L->capwarnings, L->nwarnings + 1);
	L->warnings[L->nwarnings++] = cc_strbuf_detach(&sb, NULL);
}

const char *cc_loader_lookup(void *ud, const char *name)
{
	return cc_strmap_get(ud, name);
}

static void warn_unset(void *ud, const char *name)
{
	cc_loader_warn(ud, "The \"%s\" variable is not set. Defaulting to a blank string.", name);
}

int cc_loader_parse(struct cc_loader *L, const char *path, struct cc_yaml_docs *docs, const char **file,
		    struct cc_error **err)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (!strcmp(path, "-")) {
		*file = cc_loader_intern(L, "(stdin)");
		if (cc_read_stream(L->opts->stdin_file ? L->opts->stdin_file : stdin, "standard input", &data,
				   &len, err) < 0)
			return -1;
	} else {
		*file = cc_loader_intern(L, path);
		if (cc_read_file(path, &data, &len, err) < 0)
			return -1;
	}
	if (cc_yaml_load(data, len, *file, docs, err) < 0)
		return -1;
	if (docs->n == 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: empty compose file", *file);
	for (size_t i = 0; i < docs->n; i++) {
		if (docs->docs[i]->kind != CC_V_MAP) {
			const struct cc_val *d = docs->docs[i];
			int r =
			    d->kind == CC_V_NULL
				? cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: empty compose file", *file)
				: cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					       "%s:%u:%u: top-level object must be a mapping, got %s", *file,
					       d->pos.line, d->pos.col, cc_vkind_name(d->kind));
			cc_yaml_docs_release(docs);
			return r;
		}
	}
	return 0;
}

/* Merge m over *model, or make it the model when there is none yet. */
static void accumulate(struct cc_val **model, struct cc_val *m)
{
	if (!*model)
		*model = m;
	else
		cc_merge_model(*model, m);
}

static void warn_cb(void *ud, const char *msg)
{
	cc_loader_warn(ud, "%s", msg);
}

static struct cc_val *process_doc(struct cc_loader *L, struct cc_val *doc, const char *file,
				  const char *base_dir, const struct cc_scope *scope, struct cc_error **err)
{
	if (!L->opts->no_interpolate) {
		struct cc_template_ctx tctx = {cc_loader_lookup, scope->env, warn_unset, L};
		if (cc_interpolate_tree(doc, &tctx, err) < 0)
			return NULL;
	}
	if (cc_map_find(doc, "version")) {
		cc_loader_warn(L, "%s: the attribute `version` is obsolete, it will be ignored", file);
		cc_map_del(doc, "version");
	}
	if (cc_schema_validate(L->schema, doc, err) < 0)
		return NULL;
	struct cc_norm_ctx nctx = {
	    .base_dir = base_dir,
	    .home = L->home,
	    .lenient = L->opts->no_interpolate,
	    .err = err,
	    .warn = warn_cb,
	    .warn_ud = L,
	};

	struct cc_val *model = cc_norm_file(&nctx, doc);
	cc_norm_ctx_release(&nctx);
	return model;
}

struct cc_val *cc_loader_process(struct cc_loader *L, struct cc_yaml_docs *docs, const char *file,
				 const char *base_dir, const struct cc_scope *scope, bool resolve_extends,
				 struct cc_error **err)
{
	struct cc_val *model = NULL;
	for (size_t i = 0; i < docs->n; i++) {
		struct cc_val *m = process_doc(L, docs->docs[i], file, base_dir, scope, err);
		if (!m)
			goto fail;
		/* Later documents of one file merge like override files (compose-go). */
		accumulate(&model, m);
	}
	cc_yaml_docs_release(docs);
	struct cc_val *include = cc_map_take(model, "include");
	if (include) {
		int r = cc_include_apply(L, model, include, file, scope, err);
		cc_val_free(include);
		if (r < 0)
			goto fail_model;
	}
	if (resolve_extends && cc_extends_resolve(L, model, file, scope, err) < 0)
		goto fail_model;
	return model;
fail:
	cc_yaml_docs_release(docs);
fail_model:
	cc_val_free(model);
	return NULL;
}

struct cc_val *cc_loader_load_files(struct cc_loader *L, const char *const *paths, size_t n,
				    const struct cc_scope *scope, struct cc_error **err)
{
	struct cc_val *model = NULL;
	for (size_t i = 0; i < n; i++) {
		struct cc_yaml_docs docs = {0};
		const char *file = NULL;
		if (cc_loader_parse(L, paths[i], &docs, &file, err) < 0)
			goto fail;
		struct cc_val *m = cc_loader_process(L, &docs, file, scope->project_dir, scope, true, err);
		if (!m)
			goto fail;
		accumulate(&model, m);
	}
	return model;
fail:
	cc_val_free(model);
	return NULL;
}

int cc_loader_read_env_files(struct cc_loader *L, const char *const *paths, size_t n, bool required,
			     struct cc_strmap *parent, struct cc_strmap *out, struct cc_error **err)
{
	(void)L;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *data = NULL;
		size_t len = 0;
		cleanup_error struct cc_error *e = NULL;
		if (cc_read_file(paths[i], &data, &len, &e) < 0) {
			if (!required && e->kind == CC_ERR_NOT_FOUND)
				continue;
			return cc_error_set(err, e->kind, "%s", e->msg);
		}
		if (cc_dotenv_parse(data, len, paths[i], cc_loader_lookup, parent, out, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- top level ---- */

static const char *const default_files[] = {"compose.yaml", "compose.yml", "docker-compose.yml",
					    "docker-compose.yaml", NULL};
static const char *const override_files[] = {"compose.override.yml", "compose.override.yaml",
					     "docker-compose.override.yml", "docker-compose.override.yaml",
					     NULL};

/* Look for a compose file in dir and its parents, like docker compose. */
static int discover(const char *cwd, char ***files, size_t *nfiles, struct cc_error **err)
{
	cleanup_free char *dir = cc_xstrdup(cwd);
	for (;;) {
		for (size_t i = 0; default_files[i]; i++) {
			cleanup_free char *p = cc_path_join(dir, default_files[i]);
			if (!cc_file_exists(p))
				continue;
			*files = cc_xcalloc(2, sizeof(char *));
			(*files)[0] = steal_pointer(&p);
			*nfiles = 1;
			/* the first override that exists, whatever the main file is called (compose-go) */
			for (size_t k = 0; override_files[k]; k++) {
				cleanup_free char *o = cc_path_join(dir, override_files[k]);
				if (cc_file_exists(o)) {
					(*files)[(*nfiles)++] = steal_pointer(&o);
					break;
				}
			}
			return 0;
		}
		if (!strcmp(dir, "/"))
			break;
		char *parent = cc_path_dir(dir);
		free(dir);
		dir = parent;
	}
	return cc_error_set(
	    err, CC_ERR_NOT_FOUND,
	    "no configuration file provided: not found (looked for compose.yaml, compose.yml, "
	    "docker-compose.yml, docker-compose.yaml in %s and its parents)",
	    cwd);
}

bool cc_project_name_valid(const char *name)
{
	if (!*name || !(islower((unsigned char)name[0]) || isdigit((unsigned char)name[0])))
		return false;
	for (const char *p = name; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '-'))
			return false;
	return true;
}

char *cc_project_name_normalize(const char *name)
{
	struct cc_strbuf sb = CC_STRBUF_INIT;
	for (const char *p = name; *p; p++) {
		char ch = (char)tolower((unsigned char)*p);
		if (islower((unsigned char)ch) || isdigit((unsigned char)ch) || ch == '_' || ch == '-')
			cc_strbuf_addch(&sb, ch);
	}
	/* must start with a letter or digit */
	size_t skip = 0;
	while (skip < sb.len && (sb.buf[skip] == '_' || sb.buf[skip] == '-'))
		skip++;
	char *out = cc_xstrdup(cc_strbuf_str(&sb) + skip);
	cc_strbuf_release(&sb);
	return out;
}

static void env_from_environ(struct cc_strmap *m, const char *const *envp)
{
	for (const char *const *e = envp; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		cleanup_free char *k = cc_xstrndup(*e, (size_t)(eq - *e));
		cc_strmap_set(m, k, cc_xstrdup(eq + 1));
	}
}

static void overlay(struct cc_strmap *dst, const struct cc_strmap *src)
{
	cc_strmap_foreach(src, e) cc_strmap_set(dst, e->key, cc_xstrdup(e->value));
}

/* The `name:` a file declares, interpolated with what is known before the project name is. */
static char *declared_name(struct cc_loader *L, const struct cc_yaml_docs *docs, struct cc_strmap *env)
{
	char *name = NULL;
	for (size_t i = 0; i < docs->n; i++) {
		const struct cc_val *n = cc_map_get(docs->docs[i], "name");
		if (!n || n->kind != CC_V_STR)
			continue;
		char *v = NULL;
		cleanup_error struct cc_error *e = NULL;
		struct cc_template_ctx t = {cc_loader_lookup, env, NULL, NULL};
		if (L->opts->no_interpolate)
			v = cc_xstrdup(n->str);
		else if (cc_template_substitute(n->str, &t, &v, &e) < 0)
			continue; /* reported with its position when the file is interpolated */
		free(name);
		name = v;
	}
	return name;
}

/* The environment files of a working directory: every --env-file (required), else its .env (optional, and
 * skipped when COMPOSE_DISABLE_ENV_FILE is set). */
struct env_files {
	char **paths;
	size_t n;
	bool required;
};

static void env_files_for(const struct cc_project_opts *o, const struct cc_strmap *osenv, const char *cwd,
			  const char *dir, struct env_files *out)
{
	out->paths = cc_xcalloc(o->nenv_files + 1, sizeof(char *));
	out->n = 0;
	out->required = o->nenv_files > 0;
	for (size_t i = 0; i < o->nenv_files; i++)
		out->paths[out->n++] = cc_path_abs(cwd, o->env_files[i], NULL);
	const char *disable = cc_strmap_get(osenv, "COMPOSE_DISABLE_ENV_FILE");
	bool disabled = disable && *disable && strcmp(disable, "0") && strcmp(disable, "false");
	if (!o->nenv_files && !disabled)
		out->paths[out->n++] = cc_path_join(dir, ".env");
}

static bool env_files_same(const struct env_files *a, const struct env_files *b)
{
	if (a->n != b->n || a->required != b->required)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!a->paths[i] || !b->paths[i] || strcmp(a->paths[i], b->paths[i]))
			return false;
	return true;
}

static void env_files_release(struct env_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->paths[i]);
	free(f->paths);
	*f = (struct env_files){0};
}

static void loader_release(struct cc_loader *L)
{
	cc_schema_free(L->own_schema);
	cc_strmap_release(&L->osenv);
	cc_strmap_release(&L->warned);
	cc_strmap_release(&L->extended);
	for (size_t i = 0; i < L->ninterned; i++)
		free(L->interned[i]);
	free(L->interned);
	for (size_t i = 0; i < L->nwarnings; i++)
		free(L->warnings[i]);
	free(L->warnings);
	free(L->include_stack);
}

static void free_val(void *v)
{
	cc_val_free(v);
}

static int check_name_type(const struct cc_yaml_docs *docs, struct cc_error **err)
{
	for (size_t i = 0; i < docs->n; i++) {
		const struct cc_val *n = cc_map_get(docs->docs[i], "name");
		if (n && n->kind != CC_V_STR)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s:%u:%u: name must be a string",
					    n->pos.file, n->pos.line, n->pos.col);
	}
	return 0;
}

int cc_project_load(const struct cc_project_opts *opts, struct cc_project **out, struct cc_error **err)
{
	struct cc_loader L = {.opts = opts};
	cc_strmap_init(&L.osenv, free);
	cc_strmap_init(&L.warned, NULL);
	cc_strmap_init(&L.extended, free_val);
	struct cc_project *p = cc_xcalloc(1, sizeof(*p));
	cc_strmap_init(&p->env, free);
	char **files = NULL;
	size_t nfiles = 0;
	struct cc_yaml_docs *docs = NULL;
	const char **names = NULL;
	char *cwd = NULL;
	int r = -1;

	env_from_environ(&L.osenv, opts->environ);
	L.home = cc_strmap_get(&L.osenv, "HOME");
	if (opts->schema) {
		L.schema = opts->schema;
	} else {
		if (cc_schema_load(&L.own_schema, err) < 0)
			goto out;
		L.schema = L.own_schema;
	}

	cwd = opts->cwd ? cc_xstrdup(opts->cwd) : getcwd(NULL, 0);
	if (!cwd) {
		cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "cannot get the current directory");
		goto out;
	}

	/* 1. files: -f, else COMPOSE_FILE (from the shell, or from the env files of the working directory, as
	 * docker compose reads it), else discovery */
	struct env_files early_files = {0};
	struct cc_strmap early;
	cc_strmap_init(&early, free);
	bool early_ok = false;
	const char *compose_file = cc_strmap_get(&L.osenv, "COMPOSE_FILE");
	const char *path_sep = cc_strmap_get(&L.osenv, "COMPOSE_PATH_SEPARATOR");
	if (!opts->nfiles && !compose_file) {
		cleanup_free char *wd =
		    opts->project_dir ? cc_path_abs(cwd, opts->project_dir, err) : cc_xstrdup(cwd);
		env_files_for(opts, &L.osenv, cwd, wd, &early_files);
		cleanup_error struct cc_error *e = NULL;
		/* an error here is reported when the environment is built below */
		early_ok = cc_loader_read_env_files(&L, (const char *const *)early_files.paths, early_files.n,
						    early_files.required, &L.osenv, &early, &e) == 0;
		compose_file = cc_strmap_get(&early, "COMPOSE_FILE");
		if (!path_sep)
			path_sep = cc_strmap_get(&early, "COMPOSE_PATH_SEPARATOR");
	}
	if (opts->nfiles) {
		files = cc_xcalloc(opts->nfiles, sizeof(char *));
		for (size_t i = 0; i < opts->nfiles; i++)
			files[nfiles++] = !strcmp(opts->files[i], "-")
					      ? cc_xstrdup("-")
					      : cc_path_abs(cwd, opts->files[i], err);
	} else if (compose_file && *compose_file) {
		const char *sep = path_sep && *path_sep ? path_sep : ":";
		cleanup_free char *list = cc_xstrdup(compose_file);
		char *save = NULL;
		for (char *tok = strtok_r(list, sep, &save); tok; tok = strtok_r(NULL, sep, &save)) {
			files = cc_xrealloc(files, (nfiles + 1) * sizeof(char *));
			files[nfiles++] = cc_path_abs(cwd, tok, err);
		}
	}
	if (!nfiles && discover(cwd, &files, &nfiles, err) < 0) {
		cc_strmap_release(&early);
		env_files_release(&early_files);
		goto out;
	}

	/* 2. project directory */
	if (opts->project_dir)
		p->working_dir = cc_path_abs(cwd, opts->project_dir, err);
	else if (nfiles && strcmp(files[0], "-"))
		p->working_dir = cc_path_dir(files[0]);
	else
		p->working_dir = cc_xstrdup(cwd);

	/* 3. environment: .env or --env-file, then the OS environment on top. The files read in step 1
	 * are not read twice when they are the same. */
	struct env_files env_files = {0};
	env_files_for(opts, &L.osenv, cwd, p->working_dir, &env_files);
	struct cc_strmap dotenv;
	cc_strmap_init(&dotenv, free);
	if (early_ok && env_files_same(&early_files, &env_files)) {
		overlay(&dotenv, &early);
		r = 0;
	} else {
		r = cc_loader_read_env_files(&L, (const char *const *)env_files.paths, env_files.n,
					     env_files.required, &L.osenv, &dotenv, err);
	}
	env_files_release(&env_files);
	env_files_release(&early_files);
	cc_strmap_release(&early);
	if (r == 0) {
		overlay(&p->env, &dotenv);
		overlay(&p->env, &L.osenv);
	}
	cc_strmap_release(&dotenv);
	if (r < 0)
		goto out;
	r = -1;

	/* 4. parse every file, then decide the project name: -p > COMPOSE_PROJECT_NAME > last name: > dir */
	docs = cc_xcalloc(nfiles ? nfiles : 1, sizeof(*docs));
	names = cc_xcalloc(nfiles ? nfiles : 1, sizeof(*names));
	for (size_t i = 0; i < nfiles; i++) {
		if (cc_loader_parse(&L, files[i], &docs[i], &names[i], err) < 0)
			goto out;
		if (check_name_type(&docs[i], err) < 0)
			goto out;
	}
	const char *env_name = cc_strmap_get(&p->env, "COMPOSE_PROJECT_NAME");
	if (opts->project_name || (env_name && *env_name)) {
		const char *n = opts->project_name ? opts->project_name : env_name;
		if (!cc_project_name_valid(n)) {
			cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "invalid project name \"%s\": must consist only of lowercase alphanumeric "
			    "characters, hyphens and underscores as well as start with a letter or number",
			    n);
			goto out;
		}
		p->name = cc_xstrdup(n);
	} else {
		for (size_t i = 0; i < nfiles; i++) {
			char *n = declared_name(&L, &docs[i], &p->env);
			if (n) {
				free(p->name);
				p->name = n;
			}
		}
		if (p->name && !cc_project_name_valid(p->name)) {
			cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "invalid project name \"%s\" (from `name:`): must consist only of lowercase "
			    "alphanumeric characters, hyphens and underscores as well as start with a letter "
			    "or number",
			    p->name);
			goto out;
		}
		if (!p->name || !*p->name) {
			free(p->name);
			p->name = cc_project_name_normalize(cc_path_base(p->working_dir));
		}
		if (!*p->name) {
			cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "project name must not be empty: use -p NAME, COMPOSE_PROJECT_NAME or `name:`");
			goto out;
		}
	}
	cc_strmap_set(&p->env, "COMPOSE_PROJECT_NAME", cc_xstrdup(p->name));

	/* 5. each file in order, merged */
	struct cc_scope scope = {&p->env, p->working_dir};
	struct cc_val *model = NULL;
	for (size_t i = 0; i < nfiles; i++) {
		CC_GROW(L.include_stack, L.capinclude, L.ninclude + 1);
		L.include_stack[L.ninclude++] = names[i];
		struct cc_val *m =
		    cc_loader_process(&L, &docs[i], names[i], p->working_dir, &scope, true, err);
		L.ninclude--;
		if (!m) {
			cc_val_free(model);
			goto out;
		}
		accumulate(&model, m);
	}
	p->model = model;
	p->config_files = files;
	p->nconfig_files = nfiles;
	files = NULL;

	/* 6. finalize */
	r = cc_project_finalize(&L, p, err);
out:
	free(cwd);
	for (size_t i = 0; docs && i < nfiles; i++)
		cc_yaml_docs_release(&docs[i]);
	free(docs);
	free(names);
	if (files) {
		for (size_t i = 0; i < nfiles; i++)
			free(files[i]);
		free(files);
	}
	p->warnings = steal_pointer(&L.warnings);
	p->nwarnings = L.nwarnings;
	L.nwarnings = 0;
	p->interned = steal_pointer(&L.interned);
	p->ninterned = L.ninterned;
	L.ninterned = 0;
	loader_release(&L);
	if (r < 0) {
		cc_project_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void cc_project_free(struct cc_project *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->working_dir);
	for (size_t i = 0; i < p->nconfig_files; i++)
		free(p->config_files[i]);
	free(p->config_files);
	cc_val_free(p->model);
	cc_strmap_release(&p->env);
	for (size_t i = 0; i < p->nall_profiles; i++)
		free(p->all_profiles[i]);
	free(p->all_profiles);
	for (size_t i = 0; i < p->nall_services; i++)
		free(p->all_services[i]);
	free(p->all_services);
	for (size_t i = 0; i < p->nwarnings; i++)
		free(p->warnings[i]);
	free(p->warnings);
	for (size_t i = 0; i < p->ninterned; i++)
		free(p->interned[i]);
	free(p->interned);
	free(p);
}

const struct cc_val *cc_project_services(const struct cc_project *p)
{
	return cc_map_get(p->model, "services");
}

const struct cc_val *cc_project_service(const struct cc_project *p, const char *name)
{
	return cc_map_get(cc_project_services(p), name);
}
