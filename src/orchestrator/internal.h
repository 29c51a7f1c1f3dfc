/* Shared pieces of the orchestrator's files. */
#ifndef CC_ORCHESTRATOR_INTERNAL_H
#define CC_ORCHESTRATOR_INTERNAL_H

#include "compose/graph.h"
#include "orchestrator/orchestrator.h"

/* Public entry points accept err NULL (docs/errors.md); inside, an error always has somewhere to go. */
#define CC_ORCH_ERR_SINK(err)                                                                                \
	struct cc_error *local_err_ __attribute__((cleanup(cc_error_releasep))) = NULL;                      \
	if (!(err))                                                                                          \
	(err) = &local_err_

/* Model accessors (model.c): a key holding null is absent; str gives a scalar's text; flag a true boolean;
 * selected: services NULL or empty selects every name. */
const struct cc_val *cc_orch_get(const struct cc_val *m, const char *k);
const char *cc_orch_str(const struct cc_val *m, const char *k);
bool cc_orch_flag(const struct cc_val *m, const char *k);
bool cc_orch_selected(char *const *services, const char *name);

/* The image a service runs: its `image`, or <project>-<service> for a build-only service. */
char *cc_orch_image_of(const struct cc_project *p, const char *service);

/* A one-off's spec leaves out the service's ports and network aliases (spec.c); these add them, for run -P
 * and run --use-aliases. */
void cc_orch_spec_service_ports(const struct cc_project *p, const char *service,
				struct cc_container_spec *spec);
void cc_orch_spec_service_aliases(const struct cc_project *p, const char *service,
				  struct cc_container_spec *spec);

/* Warn about each key of the service that no engine applies (spec.c). */
void cc_orch_warn_unapplied(const struct cc_project *p, const char *service, const struct cc_orch_ui *ui);

/* The engine-level name of a top-level resource (its `name`, set by the loader), or the key itself; and a
 * port's `published` text ("8080", "80-90") into a binding (spec.c). */
const char *cc_orch_resource_name(const struct cc_project *p, const char *section, const char *key);
void cc_orch_published_range(const char *published, struct cc_port_binding *b);

/* Run a command in a container (hooks.c); a non-zero exit is an error carrying the command's output. */
int cc_orch_exec_checked(struct cc_runtime *rt, const char *id, const char *name,
			 const struct cc_exec_opts *eo, const char *what, struct cc_error **err);
/* Run a hook mapping {command, user, privileged, working_dir, environment} in a container (hooks.c); a
 * non-zero exit is an error with the command's output; `what` names it in messages. */
int cc_orch_exec_hook(struct cc_runtime *rt, const char *id, const char *name, const struct cc_val *hook,
		      const char *what, struct cc_error **err);
/* The service's post_start or pre_stop hooks (`which`) in one of its containers: a failed post_start is an
 * error, a failed pre_stop a warning. Nothing without a project (p NULL). */
int cc_orch_lifecycle_hooks(struct cc_runtime *rt, const struct cc_project *p, const char *service,
			    const char *id, const char *name, const char *which, const struct cc_orch_ui *ui,
			    struct cc_error **err);

/* Run fn(i) for i in [0, n) on up to `limit` threads (<= 0: n). The first failure (by index) is returned;
 * jobs not yet begun when a job fails are skipped. */
int cc_orch_parallel(size_t n, int limit, int (*fn)(void *ctx, size_t i, struct cc_error **err), void *ctx,
		     struct cc_error **err);

/* Dependency levels: level[i] = 0 for services without dependencies, else 1 + the deepest dependency. Only
 * services with sel[i] count. Returns the number of levels. */
size_t cc_orch_levels(const struct cc_graph *g, const bool *sel, size_t *level);

/* ui helpers that tolerate a NULL ui */
void cc_orch_status(const struct cc_orch_ui *ui, const char *kind, const char *name, const char *status);
void cc_orch_warn(const struct cc_orch_ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* docker compose's warning naming orphan containers (names: space-separated). */
void cc_orch_warn_orphans(const struct cc_orch_ui *ui, const char *names);
/* cc_orch_orphans over containers already listed (up's). */
int cc_orch_orphans_among(struct cc_runtime *rt, const struct cc_project *p, const struct cc_container *cs,
			  size_t n, const struct cc_orphan_opts *o, const struct cc_orch_ui *ui,
			  struct cc_error **err);

#endif
