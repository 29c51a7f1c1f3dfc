/* Internal to src/compose: turning one file's validated, interpolated tree into the canonical long form that
 * merge, extends and `config` work on. Every converter reports "file:line:col: <yaml.path> <what>". */
#ifndef CC_COMPOSE_NORMALIZE_H
#define CC_COMPOSE_NORMALIZE_H

#include <stdbool.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "compose/value.h"
#include "compose/ypath.h"

struct cc_norm_ctx {
	const char *base_dir; /* relative paths are resolved against this */
	const char *home;     /* for "~/" in bind sources, may be NULL */
	bool lenient;         /* --no-interpolate: keep "${...}" text where a typed value is expected */
	struct cc_ypath path; /* where the conversion is, for errors and warnings */
	struct cc_error **err;
	void (*warn)(void *ud, const char *msg); /* may be NULL */
	void *warn_ud;
};

void cc_norm_warn(struct cc_norm_ctx *c, const struct cc_val *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int cc_norm_fail(struct cc_norm_ctx *c, const struct cc_val *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Release what the context allocated (the path stack). */
void cc_norm_ctx_release(struct cc_norm_ctx *c);
size_t cc_norm_push(struct cc_norm_ctx *c, const char *key);
size_t cc_norm_push_index(struct cc_norm_ctx *c, size_t i);
void cc_norm_pop(struct cc_norm_ctx *c, size_t mark);

/* Scalar converters: each returns a new canonical node or NULL with the error set. */
struct cc_val *cc_norm_bool(struct cc_norm_ctx *c, const struct cc_val *v);
struct cc_val *cc_norm_int(struct cc_norm_ctx *c, const struct cc_val *v);
struct cc_val *cc_norm_float(struct cc_norm_ctx *c, const struct cc_val *v);
struct cc_val *cc_norm_bytes(struct cc_norm_ctx *c, const struct cc_val *v);
struct cc_val *cc_norm_duration(struct cc_norm_ctx *c, const struct cc_val *v);
struct cc_val *cc_norm_string(struct cc_norm_ctx *c, const struct cc_val *v);
/* Octal file mode (secrets/configs): "0440", 440 and "$N" with N=555 all mean 0o... */
struct cc_val *cc_norm_mode(struct cc_norm_ctx *c, const struct cc_val *v);
/* list_or_dict -> mapping of string (or null) values; list items are "K=V" or a bare "K" (null). */
struct cc_val *cc_norm_dict(struct cc_norm_ctx *c, const struct cc_val *v, char sep, bool null_is_empty);
/* string_or_list -> list of strings; `split` shell-splits a string (command, entrypoint). */
struct cc_val *cc_norm_list(struct cc_norm_ctx *c, const struct cc_val *v, bool split);
/* Convert each entry of mapping v with convert(c, key, value, ud) into a new mapping, keeping
 * !reset/!override marks (a !reset entry becomes a null marker whatever its shape) and the YAML path for
 * errors. */
typedef struct cc_val *(*cc_norm_entry_fn)(struct cc_norm_ctx *c, const char *key, const struct cc_val *v,
					   void *ud);
struct cc_val *cc_norm_map(struct cc_norm_ctx *c, const struct cc_val *v, cc_norm_entry_fn convert, void *ud);
/* Absolute path for a path-like value relative to base_dir ("~" expands to home). */
char *cc_norm_abs_path(struct cc_norm_ctx *c, const char *p);
/* Shell-like word splitting without a shell (quotes and backslashes), as compose-go's shellwords. */
int cc_shell_split(const char *s, struct cc_val *out_list, struct cc_pos pos, char **errmsg);

/* The service mapping, top-level resources and the whole file. */
struct cc_val *cc_norm_service(struct cc_norm_ctx *c, const struct cc_val *svc);
struct cc_val *cc_norm_resource(struct cc_norm_ctx *c, const char *section, const struct cc_val *res);
/* Normalize a whole file's top level in place of a copy: services and the four resource sections. */
struct cc_val *cc_norm_file(struct cc_norm_ctx *c, const struct cc_val *doc);

#endif
