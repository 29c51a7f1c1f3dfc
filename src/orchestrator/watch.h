/* `watch`: the services' develop.watch rules applied as files change on the host (inotify). Rules and their
 * matching are pure (watch_rules.c); the loop and the actions run against a runtime (watch.c). */
#ifndef CC_ORCHESTRATOR_WATCH_H
#define CC_ORCHESTRATOR_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ignore.h"
#include "orchestrator/orchestrator.h"

enum cc_watch_action {
	CC_WATCH_SYNC,
	CC_WATCH_REBUILD,
	CC_WATCH_RESTART,
	CC_WATCH_SYNC_RESTART,
	CC_WATCH_SYNC_EXEC,
};

struct cc_watch_rule {
	const char *service; /* these point into the project's model */
	enum cc_watch_action action;
	const char *path;   /* absolute host path, a directory or a file */
	bool is_dir;        /* which of the two it was when the rules were loaded */
	const char *target; /* container path; NULL for rebuild and restart */
	bool initial_sync;
	const struct cc_val *exec; /* sync+exec: {command, user, privileged, working_dir, environment} */
	size_t index;              /* its place in develop.watch, for messages */
	const char *context;       /* the service's local build context, or NULL */
	struct cc_ignore ignore;   /* the rule's ignore, relative to path */
	struct cc_ignore include;  /* the rule's include (n == 0: everything) */
	struct cc_ignore context_ignore; /* the build context's .dockerignore, relative to context */
};

struct cc_watch_rules {
	struct cc_watch_rule *v;
	size_t n;
};

/* The develop.watch rules of `services` (NULL or empty: every enabled service). INVALID_ARGUMENT, naming the
 * service and rule, when none of them has a rule, when a rebuild rule's service has no build section, or a
 * rule's path does not exist. */
int cc_watch_rules_load(const struct cc_project *p, char *const *services, struct cc_watch_rules *out,
			struct cc_error **err);
void cc_watch_rules_release(struct cc_watch_rules *r);

/* Whether a rule takes a changed host path: NULL when the path is outside the rule's, ignored (the rule's
 * ignore, the context's .dockerignore, an editor's temporary file, .git) or not included; else the path
 * relative to the rule's ("" for the path itself), which the caller frees. */
char *cc_watch_rule_match(const struct cc_watch_rule *r, const char *path);

/* Whether a rule ignores a path whole (its ignore, the context's .dockerignore, .git, editors' files; not
 * include, which names files): 1 ignored, 0 not, -1 when the path is not the rule's. */
int cc_watch_rule_ignores(const struct cc_watch_rule *r, const char *path);

struct cc_watch_opts {
	int cancel_fd;    /* stop watching once this is readable */
	int64_t quiet_ns; /* apply a batch of changes after this long without a new one (<= 0: 200 ms) */
	int parallel;
	/* called on the watch's thread after a rebuild made the service's containers anew (NULL: nobody
	 * asks), so an attached `up --watch` follows the new ones */
	void (*recreated)(void *ctx, const char *service);
	void *recreated_ctx;
};
/* Apply initial_sync rules, then watch until cancelled: each batch of changes syncs files into (or deletes
 * them from) every container of the rule's service, restarts it, runs the exec command, or rebuilds its image
 * and recreates it. A failed action is reported through ui->warn and watching goes on; only a failure to
 * watch at all returns -1. */
int cc_orch_watch(struct cc_runtime *rt, const struct cc_project *p, const struct cc_watch_rules *rules,
		  const struct cc_watch_opts *o, const struct cc_orch_ui *ui, struct cc_error **err);

#endif
