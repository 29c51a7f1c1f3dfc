/* Internal to src/compose: the state shared by the loader stages (loader.c, extends.c, include.c, project.c).
 */
#ifndef CC_COMPOSE_LOADER_H
#define CC_COMPOSE_LOADER_H

#include "base/error.h"
#include "base/strmap.h"
#include "compose/project.h"
#include "compose/schema.h"
#include "compose/value.h"
#include "compose/yaml_load.h"

struct cc_loader {
	const struct cc_project_opts *opts;
	const struct cc_schema *schema;
	struct cc_schema *own_schema; /* loaded for this call when the caller gave none */
	struct cc_strmap osenv;       /* char * */
	struct cc_strmap warned;      /* dedupe of warnings */
	struct cc_strmap
	    extended; /* abs path -> struct cc_val * (normalized model of a file used by extends) */
	char **interned;
	size_t ninterned, capinterned;
	char **warnings;
	size_t nwarnings, capwarnings;
	const char **include_stack;
	size_t ninclude, capinclude;
	const char *home;
};

/* An environment and directory a set of files is loaded in: the top-level project or an include. */
struct cc_scope {
	struct cc_strmap *env; /* char *, already resolved (OS env wins over .env) */
	const char *project_dir;
};

const char *cc_loader_intern(struct cc_loader *L, const char *name);
/* cc_lookup_fn over a struct cc_strmap of char * values (ud is the map). */
const char *cc_loader_lookup(void *ud, const char *name);
void cc_loader_warn(struct cc_loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read and parse a file ("-" = stdin) into YAML documents; the name used in positions is interned. */
int cc_loader_parse(struct cc_loader *L, const char *path, struct cc_yaml_docs *docs, const char **file,
		    struct cc_error **err);
/* Turn the documents of one file into its canonical model (interpolate, validate, normalize against base_dir,
 * include, and extends unless the file is only loaded as the target of another file's extends, whose chain
 * then resolves it service by service). Consumes docs. */
struct cc_val *cc_loader_process(struct cc_loader *L, struct cc_yaml_docs *docs, const char *file,
				 const char *base_dir, const struct cc_scope *scope, bool resolve_extends,
				 struct cc_error **err);
/* Load and merge several files in order. */
struct cc_val *cc_loader_load_files(struct cc_loader *L, const char *const *paths, size_t n,
				    const struct cc_scope *scope, struct cc_error **err);

int cc_extends_resolve(struct cc_loader *L, struct cc_val *model, const char *file,
		       const struct cc_scope *scope, struct cc_error **err);
int cc_include_apply(struct cc_loader *L, struct cc_val *model, const struct cc_val *include,
		     const char *file, const struct cc_scope *scope, struct cc_error **err);
/* Read env files (dotenv) into env, resolving references with lookup in `parent` first. */
int cc_loader_read_env_files(struct cc_loader *L, const char *const *paths, size_t n, bool required,
			     struct cc_strmap *parent, struct cc_strmap *out, struct cc_error **err);

/* Final stage on the merged model. */
int cc_project_finalize(struct cc_loader *L, struct cc_project *p, struct cc_error **err);

#endif
