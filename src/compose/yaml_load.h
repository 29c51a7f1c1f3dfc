/* YAML text -> cc_val documents (libfyaml event stream). Resolves anchors, aliases and `<<` merge keys itself
 * so it can bound alias expansion, report duplicate and non-string keys with positions, and keep
 * !reset/!override. */
#ifndef CC_COMPOSE_YAML_LOAD_H
#define CC_COMPOSE_YAML_LOAD_H

#include <stddef.h>

#include "base/error.h"
#include "compose/value.h"

struct cc_yaml_docs {
	struct cc_val **docs; /* root of each document; NULL entries never appear */
	size_t n, cap;
};

/* Nodes that alias expansion may create before the document is refused ("excessive aliasing"). */
#define CC_YAML_MAX_ALIAS_NODES 100000
/* Nesting of mappings and sequences. */
#define CC_YAML_MAX_DEPTH 1000
/* Nodes a document may hold in all. */
#define CC_YAML_MAX_NODES 5000000

/* `file` is used in positions and must outlive the result. */
int cc_yaml_load(const char *data, size_t len, const char *file, struct cc_yaml_docs *out,
		 struct cc_error **err);
void cc_yaml_docs_release(struct cc_yaml_docs *docs);

#endif
