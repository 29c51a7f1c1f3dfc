/* The last loader stage, on the merged model: what needs every file to be known. */
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/dotenv.h"
#include "compose/graph.h"
#include "compose/loader.h"
#include "compose/merge.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int fail_at(struct cc_error **err, const struct cc_val *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(struct cc_error **err, const struct cc_val *at, const char *fmt, ...)
{
	cleanup_strbuf struct cc_strbuf msg = CC_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cc_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (at && at->pos.file && at->pos.line)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s:%u:%u: %s", at->pos.file, at->pos.line,
				    at->pos.col, msg.buf);
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s", msg.buf);
}

/* Attributes that may say `service:NAME`, which makes NAME a dependency. */
static const char *const service_modes[] = {"network_mode", "ipc", "pid", "uts", "cgroup", NULL};

static struct cc_val *ensure_map(struct cc_val *parent, const char *key)
{
	struct cc_val *m = cc_map_get(parent, key);
	if (m && m->kind == CC_V_MAP)
		return m;
	m = cc_val_new(CC_V_MAP, parent->pos);
	cc_map_set(parent, key, m);
	return m;
}

/* Read env_file / label_file entries into a map (later files win). */
static int read_kv_files(struct cc_project *p, const struct cc_val *list, bool label, struct cc_strmap *out,
			 struct cc_error **err)
{
	for (size_t i = 0; i < list->seq.n; i++) {
		const struct cc_val *it = list->seq.v[i];
		const struct cc_val *pathv = label ? it : cc_map_get(it, "path");
		const struct cc_val *req = label ? NULL : cc_map_get(it, "required");
		const struct cc_val *fmt = label ? NULL : cc_map_get(it, "format");
		if (!pathv || !pathv->str)
			continue;
		cleanup_free char *data = NULL;
		size_t len = 0;
		cleanup_error struct cc_error *e = NULL;
		if (cc_read_file(pathv->str, &data, &len, &e) < 0) {
			if (e->kind == CC_ERR_NOT_FOUND && req && req->kind == CC_V_BOOL && !req->num.b)
				continue;
			return fail_at(err, pathv, "%s file %s not found: %s", label ? "label" : "env",
				       pathv->str, e->msg);
		}
		int r;
		if (fmt && fmt->str && !strcmp(fmt->str, "raw"))
			r = cc_dotenv_parse_raw(data, len, pathv->str, out, err);
		else
			r = cc_dotenv_parse(data, len, pathv->str, cc_loader_lookup, &p->env, out, err);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* env_file (then environment on top) -> environment; bare names take the project environment's value. */
static int resolve_environment(struct cc_project *p, struct cc_val *svc, struct cc_error **err)
{
	struct cc_val *files = cc_map_take(svc, "env_file");
	struct cc_val *env = cc_map_take(svc, "environment");
	struct cc_val *out = cc_val_new(CC_V_MAP, svc->pos);
	int r = 0;
	if (files) {
		struct cc_strmap kv;
		cc_strmap_init(&kv, free);
		r = read_kv_files(p, files, false, &kv, err);
		cc_strmap_foreach(&kv, e) cc_map_set(out, e->key, cc_val_new_str(e->value, files->pos));
		cc_strmap_release(&kv);
	}
	for (size_t i = 0; r == 0 && env && i < env->map.n; i++) {
		struct cc_mapent *e = &env->map.e[i];
		struct cc_val *v = e->val;
		e->val = NULL;
		if (v->kind == CC_V_NULL) {
			const char *x = cc_strmap_get(&p->env, e->key);
			if (x)
				cc_val_set_str_take(v, cc_xstrdup(x));
		}
		cc_map_set_pos(out, e->key, v, e->kpos);
	}
	cc_val_free(files);
	cc_val_free(env);
	if (out->map.n)
		cc_map_set(svc, "environment", out);
	else
		cc_val_free(out);
	return r;
}

static int resolve_labels(struct cc_project *p, struct cc_val *svc, struct cc_error **err)
{
	struct cc_val *files = cc_map_take(svc, "label_file");
	if (!files)
		return 0;
	struct cc_strmap kv;
	cc_strmap_init(&kv, free);
	int r = read_kv_files(p, files, true, &kv, err);
	if (r == 0) {
		struct cc_val *labels = ensure_map(svc, "labels");
		cc_strmap_foreach(&kv, e) if (!cc_map_get(labels, e->key))
		    cc_map_set(labels, e->key, cc_val_new_str(e->value, files->pos));
	}
	cc_strmap_release(&kv);
	cc_val_free(files);
	return r;
}

static void add_implicit_dep(struct cc_val *svc, const char *target, bool restart, struct cc_pos pos)
{
	struct cc_val *deps = ensure_map(svc, "depends_on");
	if (cc_map_get(deps, target))
		return; /* an explicit entry is never overwritten */
	struct cc_val *d = cc_val_new(CC_V_MAP, pos);
	cc_map_set(d, "condition", cc_val_new_str("service_started", pos));
	cc_map_set(d, "required", cc_val_new_bool(true, pos));
	cc_map_set(d, "restart", cc_val_new_bool(restart, pos));
	cc_map_set(deps, target, d);
}

static void implicit_deps(struct cc_val *svc)
{
	for (const char *const *m = service_modes; *m; m++) {
		const struct cc_val *v = cc_map_get(svc, *m);
		if (v && v->str && !strncmp(v->str, "service:", 8))
			add_implicit_dep(svc, v->str + 8, true, v->pos);
	}
	const struct cc_val *links = cc_map_get(svc, "links");
	for (size_t i = 0; links && i < links->seq.n; i++) {
		const char *l = links->seq.v[i]->str;
		const char *colon = strchr(l, ':');
		cleanup_free char *t = cc_xstrndup(l, colon ? (size_t)(colon - l) : strlen(l));
		add_implicit_dep(svc, t, true, links->seq.v[i]->pos);
	}
	const struct cc_val *vf = cc_map_get(svc, "volumes_from");
	for (size_t i = 0; vf && i < vf->seq.n; i++) {
		const char *s = vf->seq.v[i]->str;
		if (!strncmp(s, "container:", 10))
			continue;
		const char *colon = strchr(s, ':');
		cleanup_free char *t = cc_xstrndup(s, colon ? (size_t)(colon - s) : strlen(s));
		add_implicit_dep(svc, t, false, vf->seq.v[i]->pos);
	}
}

static int check_service(const char *name, struct cc_val *svc, struct cc_error **err)
{
	if (!cc_map_get(svc, "image") && !cc_map_get(svc, "build"))
		return fail_at(err, svc, "service \"%s\" has neither an image nor a build context specified",
			       name);
	const struct cc_val *nm = cc_map_get(svc, "network_mode");
	const struct cc_val *nets = cc_map_get(svc, "networks");
	if (nm && nets && nets->map.n)
		return fail_at(err, nm,
			       "service \"%s\" declares mutually exclusive `network_mode` and `networks`",
			       name);
	const struct cc_val *labels = cc_map_get(svc, "labels");
	for (size_t i = 0; labels && i < labels->map.n; i++)
		if (!strncmp(labels->map.e[i].key, "com.docker.compose.", 19))
			return fail_at(
			    err, labels->map.e[i].val,
			    "service \"%s\": label \"%s\" uses the reserved prefix com.docker.compose.", name,
			    labels->map.e[i].key);
	const struct cc_val *scale = cc_map_get(svc, "scale");
	if (scale && scale->kind == CC_V_INT && scale->num.i < 0)
		return fail_at(err, scale, "services.%s.scale must be greater than or equal to 0", name);
	const struct cc_val *replicas = cc_map_get(cc_map_get(svc, "deploy"), "replicas");
	if (replicas && replicas->kind == CC_V_INT && replicas->num.i < 0)
		return fail_at(err, replicas,
			       "services.%s.deploy.replicas must be greater than or equal to 0", name);
	if (scale && replicas && scale->kind == CC_V_INT && replicas->kind == CC_V_INT &&
	    scale->num.i != replicas->num.i)
		return fail_at(err, scale,
			       "services.%s: scale (%lld) and deploy.replicas (%lld) are inconsistent", name,
			       (long long)scale->num.i, (long long)replicas->num.i);
	const struct cc_val *cname = cc_map_get(svc, "container_name");
	if (cname && ((scale && scale->kind == CC_V_INT && scale->num.i > 1) ||
		      (replicas && replicas->kind == CC_V_INT && replicas->num.i > 1)))
		return fail_at(
		    err, cname,
		    "services.%s: container_name \"%s\" is unique and cannot be used with more than one "
		    "replica",
		    name, cname->str);
	const struct cc_val *tmpfs = cc_map_get(svc, "tmpfs");
	const struct cc_val *vols = cc_map_get(svc, "volumes");
	for (size_t i = 0; tmpfs && vols && i < tmpfs->seq.n; i++) {
		const char *t = tmpfs->seq.v[i]->str;
		const char *colon = strchr(t, ':');
		size_t tl = colon ? (size_t)(colon - t) : strlen(t);
		for (size_t k = 0; k < vols->seq.n; k++) {
			const struct cc_val *tg = cc_map_get(vols->seq.v[k], "target");
			if (tg && tg->str && strlen(tg->str) == tl && !strncmp(tg->str, t, tl))
				return fail_at(err, tmpfs->seq.v[i],
					       "services.%s: tmpfs and volume both mount on \"%s\"", name,
					       tg->str);
		}
	}
	return 0;
}

static bool has_profile(const struct cc_val *svc, const char *const *active, size_t nactive, bool all)
{
	const struct cc_val *prof = cc_map_get(svc, "profiles");
	if (!prof || prof->seq.n == 0)
		return true;
	if (all)
		return true;
	for (size_t i = 0; i < prof->seq.n; i++)
		for (size_t k = 0; k < nactive; k++)
			if (!strcmp(active[k], "*") || !strcmp(active[k], prof->seq.v[i]->str))
				return true;
	return false;
}

static void enable_closure(struct cc_val *services, const char *name, struct cc_strmap *enabled)
{
	if (cc_strmap_has(enabled, name))
		return;
	const struct cc_val *svc = cc_map_get(services, name);
	if (!svc)
		return;
	cc_strmap_set(enabled, name, NULL);
	const struct cc_val *deps = cc_map_get(svc, "depends_on");
	for (size_t i = 0; deps && i < deps->map.n; i++)
		enable_closure(services, deps->map.e[i].key, enabled);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int collect_profiles(struct cc_project *p, const struct cc_val *services)
{
	struct cc_strmap seen;
	cc_strmap_init(&seen, NULL);
	for (size_t i = 0; i < services->map.n; i++) {
		const struct cc_val *prof = cc_map_get(services->map.e[i].val, "profiles");
		for (size_t k = 0; prof && k < prof->seq.n; k++)
			cc_strmap_set(&seen, prof->seq.v[k]->str, NULL);
	}
	p->all_services = cc_xcalloc(services->map.n + 1, sizeof(char *));
	for (size_t i = 0; i < services->map.n; i++)
		p->all_services[p->nall_services++] = cc_xstrdup(services->map.e[i].key);
	qsort(p->all_services, p->nall_services, sizeof(char *), cmp_strp);
	p->all_profiles = cc_xcalloc(cc_strmap_size(&seen) + 1, sizeof(char *));
	cc_strmap_foreach(&seen, e) p->all_profiles[p->nall_profiles++] = cc_xstrdup(e->key);
	qsort(p->all_profiles, p->nall_profiles, sizeof(char *), cmp_strp);
	cc_strmap_release(&seen);
	return 0;
}

static int apply_profiles(struct cc_loader *L, struct cc_project *p, struct cc_val *services,
			  struct cc_error **err)
{
	const struct cc_project_opts *o = L->opts;
	size_t nactive = 0;
	/* COMPOSE_PROFILES counts only when no --profile is given (compose-go); items are trimmed */
	const char *envprof = o->nprofiles ? NULL : cc_strmap_get(&p->env, "COMPOSE_PROFILES");
	cleanup_free char *envp = cc_xstrdup(envprof ? envprof : "");
	const char **active = cc_xcalloc(o->nprofiles + strlen(envp) + 1, sizeof(char *));
	for (size_t i = 0; i < o->nprofiles; i++)
		active[nactive++] = o->profiles[i];
	char *save = NULL;
	for (char *t = strtok_r(envp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ' || *t == '\t')
			t++;
		size_t n = strlen(t);
		while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			t[--n] = '\0';
		if (*t)
			active[nactive++] = t;
	}

	struct cc_strmap enabled, defs;
	cc_strmap_init(&enabled, NULL);
	cc_strmap_init(&defs, NULL);
	for (size_t i = 0; i < services->map.n; i++)
		cc_strmap_set(&defs, services->map.e[i].key, services->map.e[i].val);
	for (size_t i = 0; i < services->map.n; i++)
		if (has_profile(services->map.e[i].val, active, nactive, o->all_profiles))
			cc_strmap_set(&enabled, services->map.e[i].key, NULL);
	/* services named on the command line: enabled whatever their profiles, with their dependencies, and
	 * the project narrows to them */
	struct cc_strmap selected;
	cc_strmap_init(&selected, NULL);
	for (size_t i = 0; i < o->nservices; i++) {
		if (!cc_map_get(services, o->services[i])) {
			cc_error_set(err, CC_ERR_NOT_FOUND, "no such service: %s", o->services[i]);
			cc_strmap_release(&selected);
			goto fail;
		}
		enable_closure(services, o->services[i], &selected);
	}
	if (o->nservices && o->keep_enabled) {
		cc_strmap_foreach(&selected, e) cc_strmap_set(&enabled, e->key, NULL);
	} else if (o->nservices) {
		/* exactly the selection and its dependencies, whatever their profiles */
		cc_strmap_release(&enabled);
		cc_strmap_init(&enabled, NULL);
		cc_strmap_foreach(&selected, e) cc_strmap_set(&enabled, e->key, NULL);
	}
	cc_strmap_release(&selected);
	/* dependencies of enabled services must exist and be enabled */
	for (size_t i = 0; i < services->map.n; i++) {
		const char *name = services->map.e[i].key;
		if (!cc_strmap_has(&enabled, name))
			continue;
		struct cc_val *deps = cc_map_get(services->map.e[i].val, "depends_on");
		for (size_t k = 0; deps && k < deps->map.n; k++) {
			const char *dep = deps->map.e[k].key;
			const struct cc_val *target = cc_strmap_get(&defs, dep);
			const struct cc_val *req = cc_map_get(deps->map.e[k].val, "required");
			bool required = !req || req->kind != CC_V_BOOL || req->num.b;
			if (!target) {
				if (!required)
					continue;
				fail_at(err, deps->map.e[k].val,
					"service \"%s\" depends on undefined service \"%s\"", name, dep);
				goto fail;
			}
			if (!cc_strmap_has(&enabled, dep) && required) {
				const struct cc_val *prof = cc_map_get(target, "profiles");
				fail_at(err, deps->map.e[k].val,
					"service \"%s\" depends on service \"%s\", which is disabled: enable "
					"it with "
					"--profile %s",
					name, dep, prof && prof->seq.n ? prof->seq.v[0]->str : "?");
				goto fail;
			}
		}
	}
	/* drop what is disabled, and optional dependencies on it */
	for (size_t i = services->map.n; i-- > 0;) {
		if (!cc_strmap_has(&enabled, services->map.e[i].key)) {
			cleanup_free char *n = cc_xstrdup(services->map.e[i].key);
			cc_map_del(services, n);
		}
	}
	for (size_t i = 0; i < services->map.n; i++) {
		struct cc_val *deps = cc_map_get(services->map.e[i].val, "depends_on");
		for (size_t k = deps ? deps->map.n : 0; k-- > 0;)
			if (!cc_strmap_has(&enabled, deps->map.e[k].key)) {
				cleanup_free char *n = cc_xstrdup(deps->map.e[k].key);
				cc_map_del(deps, n);
			}
		if (deps && deps->map.n == 0)
			cc_map_del(services->map.e[i].val, "depends_on");
	}
	cc_strmap_release(&enabled);
	cc_strmap_release(&defs);
	free(active);
	return 0;
fail:
	cc_strmap_release(&enabled);
	cc_strmap_release(&defs);
	free(active);
	return -1;
}

static int check_refs(const char *name, const struct cc_val *svc, const struct cc_val *model,
		      const struct cc_val *services, struct cc_error **err)
{
	const struct cc_val *nets = cc_map_get(svc, "networks");
	const struct cc_val *topnets = cc_map_get(model, "networks");
	for (size_t i = 0; nets && i < nets->map.n; i++) {
		const char *n = nets->map.e[i].key;
		if (strcmp(n, "default") && !cc_map_get(topnets, n))
			return fail_at(err, nets->map.e[i].val ? nets->map.e[i].val : svc,
				       "service \"%s\" refers to undefined network %s", name, n);
	}
	const struct cc_val *vols = cc_map_get(svc, "volumes");
	const struct cc_val *topvols = cc_map_get(model, "volumes");
	for (size_t i = 0; vols && i < vols->seq.n; i++) {
		const struct cc_val *type = cc_map_get(vols->seq.v[i], "type");
		const struct cc_val *src = cc_map_get(vols->seq.v[i], "source");
		if (type && src && type->str && src->str && !strcmp(type->str, "volume") &&
		    !cc_map_get(topvols, src->str))
			return fail_at(err, vols->seq.v[i], "service \"%s\" refers to undefined volume %s",
				       name, src->str);
	}
	static const char *const refs[] = {"secrets", "configs"};
	for (size_t r = 0; r < 2; r++) {
		const struct cc_val *list = cc_map_get(svc, refs[r]);
		const struct cc_val *top = cc_map_get(model, refs[r]);
		for (size_t i = 0; list && i < list->seq.n; i++) {
			const struct cc_val *src = cc_map_get(list->seq.v[i], "source");
			if (src && src->str && !cc_map_get(top, src->str))
				return fail_at(err, list->seq.v[i],
					       "service \"%s\" refers to undefined %.*s %s", name,
					       (int)strlen(refs[r]) - 1, refs[r], src->str);
		}
	}
	for (const char *const *m = service_modes; *m; m++) {
		const struct cc_val *v = cc_map_get(svc, *m);
		if (v && v->str && !strncmp(v->str, "service:", 8) && !cc_map_get(services, v->str + 8))
			return fail_at(err, v, "service \"%s\": %s refers to undefined service \"%s\"", name,
				       *m, v->str + 8);
	}
	return 0;
}

static int check_resources(const struct cc_val *model, struct cc_error **err)
{
	const struct cc_val *secrets = cc_map_get(model, "secrets");
	for (size_t i = 0; secrets && i < secrets->map.n; i++) {
		const struct cc_val *s = secrets->map.e[i].val;
		const struct cc_val *ext = cc_map_get(s, "external");
		if (ext && ext->kind == CC_V_BOOL && ext->num.b)
			continue;
		bool file = cc_map_get(s, "file"), env = cc_map_get(s, "environment");
		if (!file && !env)
			return fail_at(err, s, "secret \"%s\" must declare either `file` or `environment`",
				       secrets->map.e[i].key);
		if (file && env)
			return fail_at(err, s, "secret \"%s\" declares both `file` and `environment`",
				       secrets->map.e[i].key);
	}
	const struct cc_val *configs = cc_map_get(model, "configs");
	for (size_t i = 0; configs && i < configs->map.n; i++) {
		const struct cc_val *s = configs->map.e[i].val;
		const struct cc_val *ext = cc_map_get(s, "external");
		if (ext && ext->kind == CC_V_BOOL && ext->num.b)
			continue;
		int n = !!cc_map_get(s, "file") + !!cc_map_get(s, "environment") + !!cc_map_get(s, "content");
		if (n == 0)
			return fail_at(err, s,
				       "config \"%s\" must declare `file`, `environment` or `content`",
				       configs->map.e[i].key);
		if (n > 1)
			return fail_at(err, s,
				       "config \"%s\" declares more than one of `file`, `environment` and "
				       "`content`",
				       configs->map.e[i].key);
	}
	return 0;
}

static int check_container_names(const struct cc_val *services, struct cc_error **err)
{
	struct cc_strmap seen;
	cc_strmap_init(&seen, NULL);
	int r = 0;
	for (size_t i = 0; i < services->map.n && r == 0; i++) {
		const struct cc_val *cn = cc_map_get(services->map.e[i].val, "container_name");
		if (!cn || !cn->str)
			continue;
		const char *other = cc_strmap_get(&seen, cn->str);
		if (other)
			r = fail_at(err, cn, "services \"%s\" and \"%s\" have the same container_name \"%s\"",
				    other, services->map.e[i].key, cn->str);
		cc_strmap_set(&seen, cn->str, services->map.e[i].key);
	}
	cc_strmap_release(&seen);
	return r;
}

static void name_resources(struct cc_project *p, struct cc_val *model)
{
	static const char *const sections[] = {"networks", "volumes", "secrets", "configs", NULL};
	for (const char *const *s = sections; *s; s++) {
		struct cc_val *sec = cc_map_get(model, *s);
		for (size_t i = 0; sec && i < sec->map.n; i++) {
			struct cc_val *r = sec->map.e[i].val;
			if (r->kind != CC_V_MAP || cc_map_get(r, "name"))
				continue;
			const struct cc_val *ext = cc_map_get(r, "external");
			bool external = ext && ext->kind == CC_V_BOOL && ext->num.b;
			char *n = external ? cc_xstrdup(sec->map.e[i].key)
					   : cc_xasprintf("%s_%s", p->name, sec->map.e[i].key);
			cc_map_set(r, "name", cc_val_new_str_take(n, r->pos));
		}
	}
}

static void sort_tree(struct cc_val *v)
{
	if (v->kind == CC_V_MAP) {
		cc_map_sort(v);
		for (size_t i = 0; i < v->map.n; i++)
			sort_tree(v->map.e[i].val);
	} else if (v->kind == CC_V_SEQ) {
		for (size_t i = 0; i < v->seq.n; i++)
			sort_tree(v->seq.v[i]);
	}
}

static void resolve_build_args(struct cc_project *p, struct cc_val *svc)
{
	struct cc_val *args = cc_map_get(cc_map_get(svc, "build"), "args");
	for (size_t i = args ? args->map.n : 0; i-- > 0;) {
		struct cc_val *v = args->map.e[i].val;
		if (v->kind != CC_V_NULL)
			continue;
		const char *x = cc_strmap_get(&p->env, args->map.e[i].key);
		if (x) {
			cc_val_set_str_take(v, cc_xstrdup(x));
		} else {
			cleanup_free char *k = cc_xstrdup(args->map.e[i].key);
			cc_map_del(args, k);
		}
	}
}

int cc_project_finalize(struct cc_loader *L, struct cc_project *p, struct cc_error **err)
{
	struct cc_val *model = p->model;
	if (!model)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "no compose file to load");
	cc_strip_merge_marks(model);
	struct cc_val *services = ensure_map(model, "services");
	collect_profiles(p, services);
	/* dependencies first (profiles follow them), then profiles, and only then the work and checks that
	 * concern enabled services: a disabled service's missing env_file must not fail the project */
	for (size_t i = 0; i < services->map.n; i++)
		if (services->map.e[i].val->kind == CC_V_MAP)
			implicit_deps(services->map.e[i].val);
	if (apply_profiles(L, p, services, err) < 0)
		return -1;
	bool resolve_env = !L->opts->no_interpolate;
	for (size_t i = 0; i < services->map.n; i++) {
		const char *name = services->map.e[i].key;
		struct cc_val *svc = services->map.e[i].val;
		if (resolve_env && (resolve_environment(p, svc, err) < 0 || resolve_labels(p, svc, err) < 0))
			return -1;
		if (resolve_env)
			resolve_build_args(p, svc);
		if (check_service(name, svc, err) < 0)
			return -1;
		const struct cc_val *nets = cc_map_get(svc, "networks");
		if (!cc_map_get(svc, "network_mode") &&
		    (!nets || nets->kind != CC_V_MAP || nets->map.n == 0)) {
			struct cc_val *def = cc_val_new(CC_V_MAP, svc->pos);
			cc_map_set(def, "default", cc_val_new_null(svc->pos));
			cc_map_set(svc, "networks", def);
		}
		struct cc_val *deps = cc_map_get(svc, "depends_on");
		if (deps && deps->map.n == 0)
			cc_map_del(svc, "depends_on");
	}
	if (check_container_names(services, err) < 0 || check_resources(model, err) < 0)
		return -1;
	bool uses_default = false;
	for (size_t i = 0; i < services->map.n; i++) {
		const struct cc_val *svc = services->map.e[i].val;
		if (check_refs(services->map.e[i].key, svc, model, services, err) < 0)
			return -1;
		if (cc_map_find(cc_map_get(svc, "networks"), "default"))
			uses_default = true;
	}
	struct cc_graph *g = NULL;
	if (cc_graph_build(services, &g, err) < 0)
		return -1;
	cc_graph_free(g);
	if (uses_default) {
		struct cc_val *nets = ensure_map(model, "networks");
		struct cc_val *def = cc_map_get(nets, "default");
		if (!def || def->kind != CC_V_MAP)
			cc_map_set(nets, "default", cc_val_new(CC_V_MAP, model->pos));
	}
	name_resources(p, model);
	cc_map_set(model, "name", cc_val_new_str(p->name, model->pos));
	static const char *const sections[] = {"networks", "volumes", "secrets", "configs", NULL};
	for (const char *const *s = sections; *s; s++) {
		const struct cc_val *sec = cc_map_get(model, *s);
		if (sec && (sec->kind != CC_V_MAP || sec->map.n == 0))
			cc_map_del(model, *s);
	}
	sort_tree(model);
	return 0;
}

bool cc_project_defines(const struct cc_project *p, const char *service)
{
	return bsearch(&service, p->all_services, p->nall_services, sizeof(char *), cmp_strp) != NULL;
}
