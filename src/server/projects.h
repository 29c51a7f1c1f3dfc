/* Projects the daemon knows (design/API.md "Projects"): compose YAML ingested through the API, kept as
 * <root>/projects/<name>/compose.yaml with a record in the store (backend "daemon", kind "project"), and
 * projects synthesized from the labels of containers the CLI brought up. */
#ifndef CC_SERVER_PROJECTS_H
#define CC_SERVER_PROJECTS_H

#include "compose/project.h"
#include "server/internal.h"

struct srv_project_record {
	char *name, *sha256, *working_dir;
	int64_t ingested_ns;
};
void srv_project_record_release(struct srv_project_record *r);

/* The record of an ingested project; NOT_FOUND when there is none. */
int srv_project_record_get(struct server *s, const char *name, struct srv_project_record *out,
			   struct cc_error **err);
/* Load an ingested project's model. */
int srv_project_load(struct server *s, const char *name, struct cc_project **out, struct cc_error **err);

#endif
