/* Project routes (design/API.md "Projects"): they run the orchestrator, the same functions as the CLI's
 * up/down/restart/build/pull/logs, on the ingested model. */
#include "api/shapes.h"
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/random.h"
#include "base/sha256.h"
#include "base/xalloc.h"
#include "orchestrator/orchestrator.h"
#include "runtime/codec.h"
#include "server/projects.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- helpers ---- */

static json_t *service_names(const struct cc_project *p)
{
	json_t *a = json_array();
	const struct cc_val *svcs = cc_project_services(p);
	for (size_t i = 0; svcs && i < svcs->map.n; i++)
		json_array_append_new(a, json_string(svcs->map.e[i].key));
	return a;
}

/* Every container of the project (stopped ones too). */
static int project_containers(struct cc_runtime *rt, const char *name, struct cc_container **cs, size_t *n,
			      struct cc_error **err)
{
	return cc_orch_containers(rt, name, NULL, true, false, cs, n, err);
}

/* A project the CLI brought up: its model from the compose files its containers name (the labels docker
 * compose sets too), read from where the CLI read them. NOT_FOUND when no container names any; -2 when
 * the runtime could not be had (answered already). */
static int load_from_labels(struct srv_req *r, const char *name, struct cc_project **out,
			    struct cc_error **err)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_container *cs = NULL;
	size_t n = 0;
	if (!rt)
		return -2;
	if (project_containers(rt, name, &cs, &n, err) < 0)
		return -1;
	const char *wd = NULL, *files = NULL;
	for (size_t i = 0; i < n && !files; i++) {
		wd = cc_kvs_get(&cs[i].spec.labels, CC_LABEL_WORKING_DIR);
		files = cc_kvs_get(&cs[i].spec.labels, CC_LABEL_CONFIG_FILES);
	}
	int rc;
	if (!files || !*files) {
		rc = cc_error_set(err, CC_ERR_NOT_FOUND, "No such project: %s", name);
	} else {
		cc_strv list = NULL;
		char *copy = cc_xstrdup(files), *save = NULL;
		for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save))
			cc_strv_push(&list, f);
		free(copy);
		struct cc_project_opts o = {.files = (const char **)list,
					    .nfiles = cc_strv_len(list),
					    .project_name = name,
					    .project_dir = wd,
					    .cwd = wd,
					    .environ = (const char *const *)environ};
		rc = cc_project_load(&o, out, err);
		if (rc < 0)
			cc_error_wrap(err, "project %s (brought up from %s)", name, files);
		cc_strv_free(list);
	}
	cc_containers_free(cs, n);
	return rc;
}

/* The ingested model, or the one a CLI's up was made from, or a 404 (replied) that names the project. */
static struct cc_project *load_or_reply(struct srv_req *r)
{
	struct cc_project *p = NULL;
	struct cc_error *err = NULL;
	int rc = srv_project_load(srv_server(r), srv_param(r, 0), &p, &err);
	if (rc < 0 && err->kind == CC_ERR_NOT_FOUND) {
		cc_error_release(&err);
		rc = load_from_labels(r, srv_param(r, 0), &p, &err);
	}
	if (rc == -2)
		return NULL;
	if (rc < 0) {
		srv_reply_error(r, &err);
		return NULL;
	}
	return p;
}

static bool valid_project_name(const char *name)
{
	char *norm = cc_project_name_normalize(name);
	bool ok = norm && *norm && strcmp(norm, name) == 0;
	free(norm);
	return ok;
}

/* What the orchestrator reports, collected for the JSON answer: "<kind>\t<status>" -> names. */
struct collect {
	pthread_mutex_t lock;
	json_t *by; /* {"Container/Stopped": [...], ...} */
};

static void collect_status(void *ctx, const char *kind, const char *name, const char *status)
{
	struct collect *c = ctx;
	char key[64];
	snprintf(key, sizeof(key), "%s/%s", kind, status);
	pthread_mutex_lock(&c->lock);
	json_t *a = json_object_get(c->by, key);
	if (!a) {
		a = json_array();
		json_object_set_new(c->by, key, a);
	}
	json_array_append_new(a, json_string(name));
	pthread_mutex_unlock(&c->lock);
}

static void collect_warn(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "warning: %s\n", msg);
}

static void collect_init(struct collect *c, struct cc_orch_ui *ui)
{
	pthread_mutex_init(&c->lock, NULL);
	c->by = json_object();
	*ui = (struct cc_orch_ui){collect_status, collect_warn, c};
}

static int cmp_json_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* The names reported with kind/status, sorted. */
static json_t *collected(struct collect *c, const char *kind, const char *status)
{
	char key[64];
	snprintf(key, sizeof(key), "%s/%s", kind, status);
	json_t *a = json_object_get(c->by, key);
	size_t n = a ? json_array_size(a) : 0;
	json_t **v = cc_xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(a, i);
	qsort(v, n, sizeof(*v), cmp_json_str);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

static void collect_release(struct collect *c)
{
	json_decref(c->by);
	pthread_mutex_destroy(&c->lock);
}

static bool opt_strv(struct srv_req *r, json_t *b, const char *key, cc_strv *out)
{
	*out = NULL;
	json_t *a = json_object_get(b, key);
	struct cc_error *err = NULL;
	if (a && !json_is_null(a) && cc_strv_from_json(a, key, out, &err) < 0) {
		srv_reply_error(r, &err);
		return false;
	}
	return true;
}

/* ---- list, get, ingest, delete ---- */

struct summary {
	const char *name;
	long services, running;
	int64_t created_ns;
	bool ingested;
};

static int cmp_summary(const void *a, const void *b)
{
	return strcmp(((const struct summary *)a)->name, ((const struct summary *)b)->name);
}

struct ingested_list {
	cc_strv names;
	long *services; /* each one's service count, from its record */
};

static int add_ingested(void *ctx, const char *name, const char *payload)
{
	struct ingested_list *l = ctx;
	size_t n = cc_strv_len(l->names);
	json_t *j = json_loads(payload, 0, NULL);
	l->services = cc_xrealloc(l->services, (n + 1) * sizeof(*l->services));
	l->services[n] = (long)json_integer_value(json_object_get(j, "serviceCount"));
	json_decref(j);
	cc_strv_push(&l->names, name);
	return 0;
}

void h_project_list(struct srv_req *r)
{
	struct server *s = srv_server(r);
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt)
		return;
	struct cc_error *err = NULL;
	struct ingested_list ing = {0};
	struct cc_store *st;
	if (cc_store_open(s->root, &st, &err) == 0) {
		if (cc_store_object_each(st, "daemon", "project", add_ingested, &ing, &err) < 0)
			cc_error_release(&err);
		cc_store_close(st);
	} else {
		cc_error_release(&err);
	}
	char *labels[] = {(char *)CC_LABEL_PROJECT, NULL};
	struct cc_container_filter f = {.labels = labels, .all = true};
	struct cc_container *cs = NULL;
	size_t n = 0;
	if (cc_rt_container_list(rt, &f, &cs, &n, &err) < 0) {
		cc_strv_free(ing.names);
		free(ing.services);
		srv_reply_error(r, &err);
		return;
	}
	size_t ni = cc_strv_len(ing.names);
	struct summary *sum = cc_xcalloc(n + ni + 1, sizeof(*sum));
	size_t ns = 0;
	for (size_t i = 0; i < ni; i++)
		sum[ns++] =
		    (struct summary){.name = ing.names[i], .services = ing.services[i], .ingested = true};
	cc_strv services = NULL; /* "project\tservice" seen */
	for (size_t i = 0; i < n; i++) {
		const char *pn = cc_kvs_get(&cs[i].spec.labels, CC_LABEL_PROJECT);
		struct summary *hit = NULL;
		for (size_t k = 0; k < ns && !hit; k++)
			if (strcmp(sum[k].name, pn) == 0)
				hit = &sum[k];
		if (!hit) {
			hit = &sum[ns++];
			*hit = (struct summary){.name = pn};
		}
		if (!hit->created_ns || (cs[i].created_ns && cs[i].created_ns < hit->created_ns))
			hit->created_ns = cs[i].created_ns;
		if (cs[i].state == CC_STATE_RUNNING)
			hit->running++;
		char *key = cc_xasprintf("%s\t%s", pn, cc_orch_container_service(&cs[i]));
		if (!hit->ingested && !cc_strv_contains(services, key)) {
			cc_strv_push(&services, key);
			hit->services++;
		}
		free(key);
	}
	cc_strv_free(services);
	qsort(sum, ns, sizeof(*sum), cmp_summary);
	json_t *a = json_array();
	for (size_t i = 0; i < ns; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(sum[i].name));
		json_object_set_new(o, "serviceCount", json_integer(sum[i].services));
		json_object_set_new(o, "runningCount", json_integer(sum[i].running));
		api_set_time(o, "createdAt", sum[i].created_ns);
		json_array_append_new(a, o);
	}
	free(sum);
	cc_containers_free(cs, n);
	cc_strv_free(ing.names);
	free(ing.services);
	srv_reply_json(r, 200, a);
}

void h_project_get(struct srv_req *r)
{
	struct server *s = srv_server(r);
	const char *name = srv_param(r, 0);
	struct srv_project_record rec;
	struct cc_error *err = NULL;
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(name));
	if (srv_project_record_get(s, name, &rec, &err) == 0) {
		struct cc_project *p = NULL;
		if (srv_project_load(s, name, &p, &err) < 0) {
			srv_project_record_release(&rec);
			json_decref(o);
			srv_reply_error(r, &err);
			return;
		}
		json_t *svcs = service_names(p);
		json_object_set_new(o, "source", json_string("ingested"));
		json_object_set_new(o, "serviceCount", json_integer((json_int_t)json_array_size(svcs)));
		json_object_set_new(o, "services", svcs);
		api_set_time(o, "ingestedAt", rec.ingested_ns);
		json_object_set_new(o, "workingDir", json_string(rec.working_dir));
		cc_project_free(p);
		srv_project_record_release(&rec);
		srv_reply_json(r, 200, o);
		return;
	}
	if (err->kind != CC_ERR_NOT_FOUND) {
		json_decref(o);
		srv_reply_error(r, &err);
		return;
	}
	cc_error_release(&err);
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_container *cs = NULL;
	size_t n = 0;
	if (!rt || project_containers(rt, name, &cs, &n, &err) < 0) {
		json_decref(o);
		if (rt)
			srv_reply_error(r, &err);
		return;
	}
	if (n == 0) {
		json_decref(o);
		srv_reply_status(r, 404, "No such project: %s", name);
		return;
	}
	/* containers come sorted by service: distinct neighbours are the services */
	json_t *svcs = json_array();
	const char *last = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *svc = cc_orch_container_service(&cs[i]);
		if (!last || strcmp(last, svc) != 0)
			json_array_append_new(svcs, json_string(svc));
		last = svc;
	}
	json_object_set_new(o, "source", json_string("synthesized"));
	json_object_set_new(o, "serviceCount", json_integer((json_int_t)json_array_size(svcs)));
	json_object_set_new(o, "services", svcs);
	const char *wd = cc_kvs_get(&cs[0].spec.labels, CC_LABEL_WORKING_DIR);
	if (wd)
		json_object_set_new(o, "workingDir", json_string(wd));
	cc_containers_free(cs, n);
	srv_reply_json(r, 200, o);
}

static bool yaml_content_type(const char *ct)
{
	if (!ct || !*ct)
		return true;
	/* curl -d and --data-binary send x-www-form-urlencoded unless told otherwise: no form is ever
	 * meant here, so it reads as "no type given" */
	static const char *const ok[] = {
	    "application/yaml", "application/x-yaml",           "text/yaml",
	    "text/x-yaml",      "application/vnd.compose+yaml", "application/x-www-form-urlencoded",
	    "text/plain"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strncasecmp(ct, ok[i], strlen(ok[i])) == 0 &&
		    (ct[strlen(ok[i])] == '\0' || ct[strlen(ok[i])] == ';'))
			return true;
	return false;
}

/* Replace every "<dir>/" in msg by "" so positions read "compose.yaml:3:5". */
static char *strip_dir(const char *msg, const char *dir)
{
	char *prefix = cc_xasprintf("%s/", dir);
	struct cc_strbuf sb = CC_STRBUF_INIT;
	const char *p = msg, *hit;
	while ((hit = strstr(p, prefix))) {
		cc_strbuf_add(&sb, p, (size_t)(hit - p));
		p = hit + strlen(prefix);
	}
	cc_strbuf_adds(&sb, p);
	free(prefix);
	return cc_strbuf_detach(&sb, NULL);
}

void h_project_ingest(struct srv_req *r)
{
	struct server *s = srv_server(r);
	const char *name = srv_param(r, 0);
	if (!valid_project_name(name)) {
		srv_reply_status(r, 400,
				 "invalid project name \"%s\": lowercase letters, digits, '-' and '_', "
				 "starting with a letter or digit",
				 name);
		return;
	}
	if (!yaml_content_type(srv_header(r, "Content-Type"))) {
		srv_reply_status(r, 415,
				 "compose files are YAML: send application/yaml (or no Content-Type), "
				 "not %s",
				 srv_header(r, "Content-Type"));
		return;
	}
	size_t len;
	const char *yaml = srv_body(r, &len);
	if (!len) {
		srv_reply_status(r, 400, "empty body: send the compose file's YAML");
		return;
	}
	char sha[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(yaml, len, sha);
	bool replace = srv_query_bool(r, "replace", false);
	struct srv_project_record old;
	struct cc_error *err = NULL;
	bool exists = srv_project_record_get(s, name, &old, &err) == 0;
	if (!exists) {
		if (err->kind != CC_ERR_NOT_FOUND) {
			srv_reply_error(r, &err);
			return;
		}
		cc_error_release(&err);
	}
	if (exists && strcmp(old.sha256, sha) == 0) {
		struct cc_project *p = NULL;
		json_t *o = json_object();
		if (srv_project_load(s, name, &p, &err) == 0) {
			json_t *svcs = service_names(p);
			json_object_set_new(o, "serviceCount",
					    json_integer((json_int_t)json_array_size(svcs)));
			json_object_set_new(o, "services", svcs);
			cc_project_free(p);
		} else {
			cc_error_release(&err);
		}
		json_object_set_new(o, "name", json_string(name));
		api_set_time(o, "ingestedAt", old.ingested_ns);
		json_object_set_new(o, "outcome", json_string("unchanged"));
		srv_project_record_release(&old);
		srv_reply_json(r, 200, o);
		return;
	}
	if (exists && !replace) {
		srv_project_record_release(&old);
		srv_reply_status(r, 409,
				 "project %s exists with a different compose file; send it with "
				 "replace=true to update it",
				 name);
		return;
	}
	if (exists)
		srv_project_record_release(&old);

	/* validate in a scratch directory, then swap it in whole */
	char rnd[9];
	cc_random_hex(rnd, 4);
	char *base = cc_path_join(s->root, "projects");
	char *tmpdir = cc_xasprintf("%s/.%s-%s", base, name, rnd);
	char *dir = cc_xasprintf("%s/%s", base, name);
	char *file = cc_path_join(tmpdir, "compose.yaml");
	char *partial = cc_path_join(tmpdir, ".compose.yaml.tmp");
	struct cc_project *p = NULL;
	int rc = cc_mkdir_p(tmpdir, 0700, &err);
	if (rc == 0)
		rc = cc_write_file_atomic(file, partial, yaml, len, 0600, true, &err);
	if (rc == 0) {
		const char *files[] = {file};
		struct cc_project_opts o = {
		    .files = files, .nfiles = 1, .project_name = name, .project_dir = tmpdir, .cwd = tmpdir};
		rc = cc_project_load(&o, &p, &err);
		if (rc < 0 && err->kind != CC_ERR_INTERNAL) {
			char *msg = strip_dir(err->msg, tmpdir);
			cc_error_free(err);
			err = NULL;
			cc_error_set(&err, CC_ERR_INVALID_ARGUMENT, "%s", msg);
			free(msg);
		}
	}
	json_t *svcs = p ? service_names(p) : NULL;
	cc_project_free(p);
	if (rc == 0) {
		char *trash = cc_xasprintf("%s/.%s-old-%s", base, name, rnd);
		if (rename(dir, trash) == 0)
			cc_remove_tree(trash);
		free(trash);
		if (rename(tmpdir, dir) < 0)
			rc = cc_error_set_errno(&err, CC_ERR_INTERNAL, errno, "install %s", dir);
	}
	int64_t now = cc_now_ns();
	if (rc == 0) {
		json_t *rec = json_object();
		json_object_set_new(rec, "sha256", json_string(sha));
		json_object_set_new(rec, "workingDir", json_string(dir));
		json_object_set_new(rec, "ingestedNs", json_integer(now));
		/* so that listing projects reads no compose file */
		json_object_set_new(rec, "serviceCount", json_integer((json_int_t)json_array_size(svcs)));
		char *payload = json_dumps(rec, JSON_COMPACT);
		json_decref(rec);
		struct cc_store *st;
		rc = cc_store_open(s->root, &st, &err);
		if (rc == 0) {
			rc = cc_store_object_put(st, "daemon", "project", name, payload, &err);
			cc_store_close(st);
		}
		free(payload);
	}
	cc_remove_tree(tmpdir);
	free(base);
	free(tmpdir);
	free(dir);
	free(file);
	free(partial);
	if (rc < 0) {
		json_decref(svcs);
		srv_reply_error(r, &err);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "serviceCount", json_integer((json_int_t)json_array_size(svcs)));
	json_object_set_new(o, "services", svcs);
	api_set_time(o, "ingestedAt", now);
	json_object_set_new(o, "outcome", json_string(exists ? "updated" : "created"));
	srv_reply_json(r, exists ? 200 : 201, o);
}

void h_project_delete(struct srv_req *r)
{
	struct server *s = srv_server(r);
	const char *name = srv_param(r, 0);
	struct srv_project_record rec;
	struct cc_error *err = NULL;
	if (srv_project_record_get(s, name, &rec, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	struct cc_store *st;
	int rc = cc_store_open(s->root, &st, &err);
	if (rc == 0) {
		rc = cc_store_object_delete(st, "daemon", "project", name, &err);
		cc_store_close(st);
	}
	if (rc == 0)
		cc_remove_tree(rec.working_dir);
	srv_project_record_release(&rec);
	if (rc < 0)
		srv_reply_error(r, &err);
	else
		srv_reply_empty(r, 204);
}

void h_project_services(struct srv_req *r)
{
	struct server *s = srv_server(r);
	const char *name = srv_param(r, 0);
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_container *cs = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	if (!rt)
		return;
	struct cc_project *p = NULL;
	if (srv_project_load(s, name, &p, &err) < 0) {
		if (err->kind != CC_ERR_NOT_FOUND) {
			srv_reply_error(r, &err);
			return;
		}
		cc_error_release(&err);
	}
	if (project_containers(rt, name, &cs, &n, &err) < 0) {
		cc_project_free(p);
		srv_reply_error(r, &err);
		return;
	}
	if (!p && n == 0) {
		srv_reply_status(r, 404, "No such project: %s", name);
		return;
	}
	json_t *a = json_array();
	int64_t now = cc_now_ns();
	cc_strv seen = NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *sum = api_container_summary(&cs[i], now, false);
		json_t *o = json_object();
		json_object_set_new(o, "project", json_string(name));
		json_object_set_new(o, "name", json_string(cc_orch_container_service(&cs[i])));
		json_object_set_new(o, "container", json_string(cs[i].name));
		json_object_set_new(o, "image", json_string(cs[i].spec.image ? cs[i].spec.image : ""));
		json_object_set(o, "state", json_object_get(sum, "state"));
		json_object_set(o, "ports", json_object_get(sum, "ports"));
		json_decref(sum);
		json_array_append_new(a, o);
		cc_strv_push(&seen, cc_orch_container_service(&cs[i]));
	}
	/* services of the model without a container yet */
	const struct cc_val *svcs = p ? cc_project_services(p) : NULL;
	for (size_t i = 0; svcs && i < svcs->map.n; i++) {
		if (cc_strv_contains(seen, svcs->map.e[i].key))
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "project", json_string(name));
		json_object_set_new(o, "name", json_string(svcs->map.e[i].key));
		const struct cc_val *img = cc_map_get(svcs->map.e[i].val, "image");
		if (img && img->str)
			json_object_set_new(o, "image", json_string(img->str));
		json_object_set_new(o, "state", json_string("missing"));
		json_object_set_new(o, "ports", json_array());
		json_array_append_new(a, o);
	}
	cc_strv_free(seen);
	cc_containers_free(cs, n);
	cc_project_free(p);
	srv_reply_json(r, 200, a);
}

/* ---- up, down, restart, scale ---- */

static json_t *services_state(struct cc_runtime *rt, const char *name, char *const *only)
{
	json_t *a = json_array();
	struct cc_container *cs = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	if (cc_orch_containers(rt, name, (char **)only, true, false, &cs, &n, &err) < 0) {
		cc_error_free(err);
		return a;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "service", json_string(cc_orch_container_service(&cs[i])));
		json_object_set_new(o, "containerId", json_string(cs[i].name));
		json_object_set_new(o, "status", json_string(cc_state_name(cs[i].state)));
		json_array_append_new(a, o);
	}
	cc_containers_free(cs, n);
	return a;
}

static bool scale_map(struct srv_req *r, json_t *b, struct cc_kvs *scale)
{
	json_t *m = json_object_get(b, "scale");
	if (!m || json_is_null(m))
		return true;
	if (!json_is_object(m)) {
		srv_reply_status(r, 400, "scale: expected an object of service -> replicas");
		return false;
	}
	const char *k;
	json_t *v;
	json_object_foreach(m, k, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			srv_reply_status(r, 400, "scale.%s: expected a number of replicas >= 0", k);
			return false;
		}
		char num[24];
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		cc_kvs_set(scale, k, num);
	}
	return true;
}

void h_project_up(struct srv_req *r)
{
	json_t *b = srv_body_json(r, true);
	if (!b)
		return;
	cc_strv services = NULL;
	struct cc_kvs scale = {0};
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	if (!opt_strv(r, b, "services", &services) || !scale_map(r, b, &scale) || !(p = load_or_reply(r)) ||
	    !(rt = srv_runtime(r)))
		goto out;
	struct collect col;
	struct cc_orch_ui ui;
	collect_init(&col, &ui);
	struct cc_up_opts o = {.services = services,
			       .force_recreate = json_is_true(json_object_get(b, "forceRecreate")),
			       .remove_orphans = json_is_true(json_object_get(b, "removeOrphans")),
			       .wait = json_is_true(json_object_get(b, "wait")),
			       .stop_timeout_ns = -1,
			       .scale = &scale};
	struct cc_error *err = NULL;
	const char *build = json_is_true(json_object_get(b, "build")) ? "always" : NULL;
	const char *pull = json_is_true(json_object_get(b, "pull")) ? "always" : NULL;
	int rc = cc_orch_prepare_images(rt, p, services, build, pull, &ui, &err);
	if (rc == 0)
		rc = cc_orch_up(rt, p, &o, &ui, &err);
	collect_release(&col);
	if (rc < 0) {
		srv_reply_error(r, &err);
		goto out;
	}
	json_t *res = json_object();
	json_object_set_new(res, "project", json_string(p->name));
	json_object_set_new(res, "services", services_state(rt, p->name, services));
	srv_reply_json(r, 200, res);
out:
	cc_project_free(p);
	cc_strv_free(services);
	cc_kvs_release(&scale);
	json_decref(b);
}

void h_project_down(struct srv_req *r)
{
	json_t *b = srv_body_json(r, true);
	struct cc_runtime *rt = b ? srv_runtime(r) : NULL;
	if (!rt) {
		json_decref(b);
		return;
	}
	const char *name = srv_param(r, 0);
	struct cc_project *p = NULL;
	struct cc_error *err = NULL;
	if (srv_project_load(srv_server(r), name, &p, &err) < 0) {
		if (err->kind != CC_ERR_NOT_FOUND) {
			json_decref(b);
			srv_reply_error(r, &err);
			return;
		}
		cc_error_release(&err);
		struct cc_container *cs = NULL;
		size_t n = 0;
		if (project_containers(rt, name, &cs, &n, &err) < 0 || n == 0) {
			json_decref(b);
			if (err)
				srv_reply_error(r, &err);
			else
				srv_reply_status(r, 404, "No such project: %s", name);
			return;
		}
		cc_containers_free(cs, n);
	}
	json_t *t = json_object_get(b, "timeout");
	const char *rmi = json_string_value(json_object_get(b, "rmi"));
	if (rmi && strcmp(rmi, "local") != 0 && strcmp(rmi, "all") != 0) {
		json_decref(b);
		cc_project_free(p);
		srv_reply_status(r, 400, "rmi: expected \"local\" or \"all\"");
		return;
	}
	struct cc_down_opts o = {.volumes = json_is_true(json_object_get(b, "removeVolumes")),
				 .remove_orphans = json_is_true(json_object_get(b, "removeOrphans")),
				 .rmi = rmi,
				 .timeout_ns = json_is_number(t) ? (int64_t)(json_number_value(t) * 1e9)
								 : 10 * CC_NS_PER_SEC};
	struct collect col;
	struct cc_orch_ui ui;
	collect_init(&col, &ui);
	int rc = cc_orch_down(rt, name, p, &o, &ui, &err);
	if (rc < 0) {
		collect_release(&col);
		json_decref(b);
		cc_project_free(p);
		srv_reply_error(r, &err);
		return;
	}
	json_t *res = json_object();
	json_object_set_new(res, "project", json_string(name));
	json_object_set_new(res, "stopped", collected(&col, "Container", "Stopped"));
	json_object_set_new(res, "removed", collected(&col, "Container", "Removed"));
	json_object_set_new(res, "networksRemoved", collected(&col, "Network", "Removed"));
	json_object_set_new(res, "volumesRemoved", collected(&col, "Volume", "Removed"));
	collect_release(&col);
	json_decref(b);
	cc_project_free(p);
	srv_reply_json(r, 200, res);
}

void h_project_restart(struct srv_req *r)
{
	json_t *b = srv_body_json(r, true);
	cc_strv services = NULL;
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	if (!b || !opt_strv(r, b, "services", &services) || !(p = load_or_reply(r)) || !(rt = srv_runtime(r)))
		goto out;
	json_t *t = json_object_get(b, "timeout");
	struct cc_orch_action_opts o = {.services = services,
					.timeout_ns =
					    json_is_number(t) ? (int64_t)(json_number_value(t) * 1e9) : -1};
	struct collect col;
	struct cc_orch_ui ui;
	collect_init(&col, &ui);
	struct cc_error *err = NULL;
	if (cc_orch_act(rt, p, CC_ORCH_RESTART, &o, &ui, &err) < 0) {
		collect_release(&col);
		srv_reply_error(r, &err);
		goto out;
	}
	json_t *res = json_object();
	json_object_set_new(res, "project", json_string(p->name));
	json_object_set_new(res, "restarted", collected(&col, "Container", "Started"));
	collect_release(&col);
	srv_reply_json(r, 200, res);
out:
	cc_project_free(p);
	cc_strv_free(services);
	json_decref(b);
}

void h_project_scale(struct srv_req *r)
{
	json_t *b = srv_body_json(r, false);
	if (!b)
		return;
	json_t *n = json_object_get(b, "replicas");
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	const char *service = srv_param(r, 1);
	if (!json_is_integer(n) || json_integer_value(n) < 0) {
		srv_reply_status(r, 400, "replicas: required, a number >= 0");
		goto out;
	}
	if (!(p = load_or_reply(r)) || !(rt = srv_runtime(r)))
		goto out;
	if (!cc_project_service(p, service)) {
		srv_reply_status(r, 404, "No such service: %s", service);
		goto out;
	}
	struct cc_kvs scale = {0};
	char num[24];
	snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(n));
	cc_kvs_set(&scale, service, num);
	char *only[] = {(char *)service, NULL};
	struct cc_up_opts o = {.services = only, .no_deps = true, .stop_timeout_ns = -1, .scale = &scale};
	struct collect col;
	struct cc_orch_ui ui;
	collect_init(&col, &ui);
	struct cc_error *err = NULL;
	int rc = cc_orch_up(rt, p, &o, &ui, &err);
	collect_release(&col);
	cc_kvs_release(&scale);
	if (rc < 0) {
		srv_reply_error(r, &err);
		goto out;
	}
	struct cc_container *cs = NULL;
	size_t nc = 0;
	json_t *names = json_array();
	if (cc_orch_containers(rt, p->name, only, true, false, &cs, &nc, &err) == 0) {
		for (size_t i = 0; i < nc; i++)
			json_array_append_new(names, json_string(cs[i].name));
		cc_containers_free(cs, nc);
	}
	cc_error_free(err);
	json_t *res = json_object();
	json_object_set_new(res, "project", json_string(p->name));
	json_object_set_new(res, "service", json_string(service));
	json_object_set_new(res, "replicas", json_integer(json_integer_value(n)));
	json_object_set_new(res, "containers", names);
	srv_reply_json(r, 200, res);
out:
	cc_project_free(p);
	json_decref(b);
}
