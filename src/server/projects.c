/* Ingested projects: storage, records and loading (projects.h). */
#include "server/projects.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define BACKEND "daemon"
#define KIND    "project"

void srv_project_record_release(struct srv_project_record *r)
{
	free(r->name);
	free(r->sha256);
	free(r->working_dir);
	memset(r, 0, sizeof(*r));
}

int srv_project_record_get(struct server *s, const char *name, struct srv_project_record *out,
			   struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	struct cc_store *st;
	if (cc_store_open(s->root, &st, err) < 0)
		return -1;
	char *payload = NULL;
	struct cc_error *e = NULL;
	int r = cc_store_object_get(st, BACKEND, KIND, name, &payload, &e);
	cc_store_close(st);
	if (r < 0) {
		if (e->kind == CC_ERR_NOT_FOUND) {
			cc_error_free(e);
			return cc_error_set(err, CC_ERR_NOT_FOUND, "No such project: %s", name);
		}
		*err = e;
		return -1;
	}
	json_t *j = json_loads(payload, 0, NULL);
	free(payload);
	out->name = cc_xstrdup(name);
	const char *sha = json_string_value(json_object_get(j, "sha256"));
	const char *wd = json_string_value(json_object_get(j, "workingDir"));
	out->sha256 = cc_xstrdup(sha ? sha : "");
	out->working_dir = cc_xstrdup(wd ? wd : "");
	out->ingested_ns = json_integer_value(json_object_get(j, "ingestedNs"));
	json_decref(j);
	return 0;
}

int srv_project_load(struct server *s, const char *name, struct cc_project **out, struct cc_error **err)
{
	struct srv_project_record rec;
	if (srv_project_record_get(s, name, &rec, err) < 0)
		return -1;
	char *file = cc_path_join(rec.working_dir, "compose.yaml");
	const char *files[] = {file};
	struct cc_project_opts o = {.files = files,
				    .nfiles = 1,
				    .project_name = name,
				    .project_dir = rec.working_dir,
				    .cwd = rec.working_dir};
	int r = cc_project_load(&o, out, err);
	free(file);
	srv_project_record_release(&rec);
	return r;
}
