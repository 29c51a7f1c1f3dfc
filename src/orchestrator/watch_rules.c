/* develop.watch rules from the model, and which changed paths each one takes (see watch.h). */
#include "orchestrator/watch.h"

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/project.h"
#include "orchestrator/internal.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
	const char *name;
	enum cc_watch_action action;
} actions[] = {
    {"sync", CC_WATCH_SYNC},           {"rebuild", CC_WATCH_REBUILD},
    {"restart", CC_WATCH_RESTART},     {"sync+restart", CC_WATCH_SYNC_RESTART},
    {"sync+exec", CC_WATCH_SYNC_EXEC},
};

/* Patterns in a YAML list, one per line, for the .dockerignore parser. */
static void patterns(const struct cc_val *list, struct cc_ignore *out)
{
	struct cc_strbuf text;
	cc_strbuf_init(&text);
	for (size_t i = 0; list && list->kind == CC_V_SEQ && i < list->seq.n; i++)
		cc_strbuf_addf(&text, "%s\n", cc_val_text(list->seq.v[i]));
	cc_ignore_parse(cc_strbuf_str(&text), text.len, out);
	cc_strbuf_release(&text);
}

static void context_ignore(const char *context, struct cc_ignore *out)
{
	memset(out, 0, sizeof(*out));
	if (!context)
		return;
	char *file = cc_path_join(context, ".dockerignore");
	char *data = NULL;
	size_t len = 0;
	struct cc_error *e = NULL;
	if (cc_read_file(file, &data, &len, &e) == 0)
		cc_ignore_parse(data, len, out);
	cc_error_free(e);
	free(data);
	free(file);
}

static int add_rules(const struct cc_project *p, const char *service, struct cc_watch_rules *out,
		     struct cc_error **err)
{
	const struct cc_val *svc = cc_project_service(p, service);
	const struct cc_val *watch = cc_orch_get(cc_orch_get(svc, "develop"), "watch");
	const struct cc_val *build = cc_orch_get(svc, "build");
	const char *context = cc_orch_str(build, "context");
	if (context && context[0] != '/')
		context = NULL; /* a remote context has nothing here to watch or ignore */
	for (size_t i = 0; watch && watch->kind == CC_V_SEQ && i < watch->seq.n; i++) {
		const struct cc_val *w = watch->seq.v[i];
		const char *action = cc_orch_str(w, "action");
		const char *path = cc_orch_str(w, "path");
		size_t k = 0;
		while (k < sizeof(actions) / sizeof(actions[0]) &&
		       (!action || strcmp(actions[k].name, action)))
			k++;
		if (k == sizeof(actions) / sizeof(actions[0]))
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "service %s: develop.watch[%zu]: unknown action %s", service, i,
					    action ? action : "(none)");
		if (!path)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "service %s: develop.watch[%zu]: requires a path", service, i);
		if (actions[k].action == CC_WATCH_REBUILD && !build)
			return cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "service %s: develop.watch[%zu]: action rebuild needs a build section, "
			    "and the service has none",
			    service, i);
		struct stat st;
		if (stat(path, &st) < 0)
			return cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno,
						  "service %s: develop.watch[%zu]: path %s", service, i,
						  path);
		out->v = cc_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		struct cc_watch_rule *r = &out->v[out->n++];
		memset(r, 0, sizeof(*r));
		r->service = service;
		r->action = actions[k].action;
		r->path = path;
		r->is_dir = S_ISDIR(st.st_mode);
		r->target = actions[k].action == CC_WATCH_REBUILD || actions[k].action == CC_WATCH_RESTART
				? NULL
				: cc_orch_str(w, "target");
		r->initial_sync = cc_orch_flag(w, "initial_sync");
		r->exec = cc_orch_get(w, "exec");
		r->index = i;
		r->context = context;
		patterns(cc_orch_get(w, "ignore"), &r->ignore);
		patterns(cc_orch_get(w, "include"), &r->include);
		context_ignore(context, &r->context_ignore);
	}
	return 0;
}

int cc_watch_rules_load(const struct cc_project *p, char *const *services, struct cc_watch_rules *out,
			struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	const struct cc_val *all = cc_orch_get(p->model, "services");
	for (size_t i = 0; all && all->kind == CC_V_MAP && i < all->map.n; i++) {
		if (!cc_orch_selected(services, all->map.e[i].key))
			continue;
		if (add_rules(p, all->map.e[i].key, out, err) < 0) {
			cc_watch_rules_release(out);
			return -1;
		}
	}
	for (char *const *s = services; s && *s; s++)
		if (!cc_project_service(p, *s)) {
			cc_watch_rules_release(out);
			return cc_error_set(err, CC_ERR_NOT_FOUND, "no such service: %s", *s);
		}
	if (!out->n)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "none of the selected services is configured for watch: give one a "
				    "develop.watch section");
	return 0;
}

void cc_watch_rules_release(struct cc_watch_rules *r)
{
	for (size_t i = 0; i < r->n; i++) {
		cc_ignore_release(&r->v[i].ignore);
		cc_ignore_release(&r->v[i].include);
		cc_ignore_release(&r->v[i].context_ignore);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* What editors leave beside a file while saving it, and version control's own directory: never synced, as
 * docker compose skips them. */
static bool ephemeral(const char *rel)
{
	static const char *const names[] = {"*~", ".#*", "#*#", "*.swp", "*.swx", "*.swo", "4913", NULL};
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	for (const char *const *n = names; *n; n++)
		if (fnmatch(*n, base, 0) == 0)
			return true;
	for (const char *s = rel; (s = strstr(s, ".git")) != NULL; s += 4)
		if ((s == rel || s[-1] == '/') && (s[4] == '\0' || s[4] == '/'))
			return true;
	return false;
}

/* The part of path below dir: "" for dir itself, NULL when path is not inside. */
static const char *below(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(dir, path, n) != 0)
		return NULL;
	if (path[n] == '\0')
		return "";
	if (path[n] != '/')
		return n == 1 ? path + 1 : NULL; /* dir "/" */
	return path + n + 1;
}

char *cc_watch_rule_match(const struct cc_watch_rule *r, const char *path)
{
	const char *rel = below(r->path, path);
	if (!rel)
		return NULL;
	if (*rel) {
		if (ephemeral(rel) || cc_ignore_excluded(&r->ignore, rel))
			return NULL;
		if (r->include.n && !cc_ignore_excluded(&r->include, rel))
			return NULL;
	}
	const char *crel = r->context ? below(r->context, path) : NULL;
	if (crel && *crel && cc_ignore_excluded(&r->context_ignore, crel))
		return NULL;
	return cc_xstrdup(rel);
}

int cc_watch_rule_ignores(const struct cc_watch_rule *r, const char *path)
{
	const char *rel = below(r->path, path);
	if (!rel)
		return -1;
	if (*rel && (ephemeral(rel) || cc_ignore_excluded(&r->ignore, rel)))
		return 1;
	const char *crel = r->context ? below(r->context, path) : NULL;
	return crel && *crel && cc_ignore_excluded(&r->context_ignore, crel) ? 1 : 0;
}
