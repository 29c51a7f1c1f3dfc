/* The native Dockerfile builder's internals, shared by builder.c (stages, the instructions that only change
 * the image configuration, the commit), steps.c (RUN, COPY and ADD on an overlay mount of the stage), run.c
 * (RUN's process under runc) and cache.c (the layer cache and the digests of copied files).
 *
 * A stage's state is an image configuration document (JSON, as it will be stored) and its layers. Each
 * instruction moves the stage's cache key on: key = sha256(previous key, the instruction as expanded, the
 * digests of its inputs). RUN, COPY and ADD look their key up in the cache (store objects of kind
 * "buildcache": the layer they produced and when) before doing any work; an unchanged rebuild is therefore a
 * chain of lookups, and a change rebuilds from the first step whose key moved. The image's creation time is
 * that of its newest layer, so a rebuild that changed nothing yields the same image id. */
#ifndef CC_ENGINE_BUILD_INTERNAL_H
#define CC_ENGINE_BUILD_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "engine/build/dockerfile.h"
#include "base/ignore.h"
#include "engine/build/layer.h"
#include "engine/native-internal.h"

#define BUILD_CACHE_KIND "buildcache"

struct build_layer {
	char digest[72], diff_id[72], chain[72];
	int64_t size;
};

struct stage {
	char *name;  /* AS name, lower case; NULL when unnamed */
	json_t *doc; /* the image configuration document */
	struct build_layer *layers;
	size_t nlayers;
	char key[65];
	int64_t created_ns;
	struct cc_kvs args; /* ARGs declared in this stage, with their values */
	cc_strv unset_args; /* declared without a value */
	size_t first, end;  /* its instructions: [first, end) of the Dockerfile */
	bool needed, built;
};

struct build {
	struct native *n;
	const struct cc_build_opts *opts;
	const struct cc_progress_sink *sink;
	struct cc_dockerfile df;
	struct stage *stages;
	size_t nstages;
	struct cc_kvs global_args; /* declared before the first FROM, and the predefined ones */
	cc_strv used_args;         /* build args some ARG consumed */
	struct cc_ignore ignore;
	int context_fd;
	char *context_dir;
	char *tmp;       /* this build's scratch directory under <root>/images/tmp */
	const char *ref; /* what progress frames name: the first tag, else "build" */
	int step, nsteps;
	json_t *hashes; /* cache.c: copied files' content digests by identity */
	bool hashes_dirty;
};

/* A progress line ("log" frames carry a step's output). */
void build_say(struct build *b, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Variables for word processing in a stage: its ENV first, then its ARGs. */
const char *build_lookup(void *stage, const char *name);
/* The stage's environment as "KEY=VALUE" for RUN: ENV, then ARGs that ENV does not set. */
cc_strv build_run_env(const struct stage *st);
/* config.<key> of the stage's document, created as an object/array when missing. */
json_t *build_config(struct stage *st);
/* A shell-form command with the stage's SHELL (default /bin/sh -c). */
cc_strv build_shell_form(struct stage *st, const char *args);
/* A history entry for the step. */
void build_history(struct stage *st, const char *created_by, bool empty_layer);
/* Advance the stage's key over `text` (and inputs when non-NULL). */
void build_advance(struct stage *st, const char *text, const char *inputs);
/* The directory of each of the stage's layers, lowest first (owned). */
cc_strv build_layer_dirs(struct build *b, const struct stage *st);
/* The stage named or numbered `ref`, or NULL. Only earlier stages than `before` count. */
struct stage *build_stage_ref(struct build *b, const char *ref, size_t before);
/* Resolve (pulling when missing, or always with --pull) an image into a fresh stage state. */
int build_from_image(struct build *b, const char *ref, struct stage *st, struct cc_error **err);

/* steps.c */
int build_run(struct build *b, struct stage *st, const struct cc_df_instr *in, struct cc_error **err);
int build_copy(struct build *b, struct stage *st, const struct cc_df_instr *in, bool add,
	       struct cc_error **err);
/* Mount the stage's layers with a fresh upper directory at <dir>/rootfs; *rootfs (owned) is the mount. */
int build_mount(struct build *b, const struct stage *st, const char *dir, char **rootfs,
		struct cc_error **err);
/* Unmount, and add what changed in <dir>/upper to the stage as a layer (none when nothing changed). */
int build_commit_step(struct build *b, struct stage *st, const char *dir, const char *created_by,
		      struct cc_error **err);

/* run.c: the process of a RUN step in the mounted rootfs of `dir`: exit code into *code, output as
 * "log" frames. */
struct build_process {
	cc_strv argv, env;
	const char *cwd, *user;
	bool network_none;
	json_t *mounts; /* extra OCI mounts (cache, secret, bind, tmpfs) */
};
int build_process_run(struct build *b, const char *dir, const char *rootfs, const struct build_process *p,
		      int *code, struct cc_error **err);

/* cache.c */
/* Look the stage's (advanced) key up: 1 with the cached layer added to the stage, 0 on a miss. */
int build_cache_get(struct build *b, struct stage *st, const char *created_by, struct cc_error **err);
void build_cache_put(struct build *b, const char *key, const struct build_layer *layer, int64_t created_ns);
/* A digest of what COPY would copy from the context at `rel` (ignored files excluded): names, modes and
 * contents; contents hashed once per file identity and remembered under the root. */
int build_context_digest(struct build *b, const char *rel, struct cc_strbuf *out, struct cc_error **err);
void build_hashes_save(struct build *b);

#endif
