/* Loading a Compose project: the public entry point of src/compose.
 *
 * cc_project_load() runs the whole pipeline (see docs/design/loader.md): find the files, build the
 * environment
 * (.env / --env-file, OS env wins), decide the project name, then per file parse YAML, interpolate, validate
 * against the compose schema, normalize to the long syntax, apply include and extends, merge the files in
 * order, and finally resolve env_file, defaults, implicit dependencies, profiles, resource names and
 * cross-references. */
#ifndef CC_COMPOSE_PROJECT_H
#define CC_COMPOSE_PROJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/error.h"
#include "base/strmap.h"
#include "compose/schema.h"
#include "compose/value.h"

struct cc_project_opts {
	const char *const *files; /* -f, in order; "-" is standard input */
	size_t nfiles;
	const char *project_dir;      /* --project-directory */
	const char *project_name;     /* -p */
	const char *const *env_files; /* --env-file, in order */
	size_t nenv_files;
	const char *const *profiles; /* --profile */
	size_t nprofiles;
	const char *const *services; /* services named on the command line: they enable their own profiles */
	size_t nservices;
	const char *const *environ; /* the OS environment (NULL: empty) */
	const char *cwd;            /* NULL: the process's working directory */
	FILE *stdin_file;           /* source of "-f -" (NULL: stdin) */
	bool no_interpolate;
	/* services named here are enabled in addition to the profile-enabled ones instead of narrowing the
	 * project to them (up, run, logs: docker compose keeps the whole project and acts on the named
	 * services) */
	bool keep_enabled;
	bool all_profiles; /* ignore profiles (config --profiles lists them all) */
	/* A schema loaded once with cc_schema_load() and shared by many loads (a daemon, a fuzzer); NULL:
	 * load it for this call. It is not modified, so concurrent loads may share it. */
	const struct cc_schema *schema;
};

struct cc_project {
	char *name;
	char *working_dir;
	char **config_files;
	size_t nconfig_files;
	/* The canonical model: {name, services, networks, volumes, secrets, configs}, keys sorted. */
	struct cc_val *model;
	/* Interpolation environment (char * values). */
	struct cc_strmap env;
	/* Every profile named by any service, before filtering, sorted. */
	char **all_profiles;
	size_t nall_profiles;
	/* Every service the files define, whatever the profiles, sorted: what is not an orphan. */
	char **all_services;
	size_t nall_services;
	char **warnings;
	size_t nwarnings;
	/* Owned file names that positions in `model` point to. */
	char **interned;
	size_t ninterned;
};

int cc_project_load(const struct cc_project_opts *opts, struct cc_project **out, struct cc_error **err);
void cc_project_free(struct cc_project *p);

/* The service mapping named `name`, or NULL. */
const struct cc_val *cc_project_service(const struct cc_project *p, const char *name);
const struct cc_val *cc_project_services(const struct cc_project *p);
/* Whether the files define the service at all, enabled or not (a container of anything else is an orphan). */
bool cc_project_defines(const struct cc_project *p, const char *service);

/* Project names: explicit names must already be valid; names derived from a directory are normalized. */
bool cc_project_name_valid(const char *name);
char *cc_project_name_normalize(const char *name);

#endif
