/* Dockerfiles: the parse into instructions (parser directives, comments, line continuations with the escape
 * character, heredocs, flags, JSON exec forms), and the word processing the instructions apply to their
 * arguments (variable expansion with ${VAR:-default}-style modifiers, quotes and escapes), the way BuildKit's
 * dockerfile frontend does. Pure: no file system, no environment. Errors carry "<name>:<line>". */
#ifndef CC_ENGINE_BUILD_DOCKERFILE_H
#define CC_ENGINE_BUILD_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "runtime/types.h"

struct cc_df_heredoc {
	char *name;    /* the word after << */
	char *content; /* the lines up to the terminator, each ending in "\n" */
	bool expand;   /* an unquoted word: variables in the content are expanded */
};

struct cc_df_instr {
	char *cmd;     /* lower case: "from", "run", "copy", ... */
	cc_strv flags; /* "--name=value" or "--name", as written, before the arguments */
	char *args;    /* the rest of the instruction, continuations joined */
	cc_strv json;  /* the exec (JSON array) form of args, or NULL */
	struct cc_df_heredoc *heredocs;
	size_t nheredocs;
	int line;       /* where the instruction starts */
	char *original; /* "RUN ..." as written (continuations joined): history and cache keys */
};

struct cc_dockerfile {
	struct cc_df_instr *v;
	size_t n;
	char escape; /* '\\' or '`' (the escape directive) */
	char *name;  /* for messages: "Dockerfile" */
};

/* Parse; INVALID_ARGUMENT "<name>:<line>: ..." for an unknown instruction, a flag the instruction does not
 * take, an unterminated heredoc, an instruction without arguments, an invalid directive. */
int cc_dockerfile_parse(const char *text, size_t len, const char *name, struct cc_dockerfile *out,
			struct cc_error **err);
void cc_dockerfile_release(struct cc_dockerfile *df);

/* The value of flag `name` ("from" for --from=x): NULL when absent, "" for a bare --name. */
const char *cc_df_flag(const struct cc_df_instr *in, const char *name);

/* Variable lookup for word processing: the value, or NULL when unset. */
typedef const char *cc_df_lookup_fn(void *ctx, const char *name);

/* Process a string into words the way the instruction's shell-like lexer does: split at unquoted
 * whitespace (unless `split` is false: one word), remove quotes, apply the escape character, and expand
 * $VAR, ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word}, ${VAR:?msg}, ${VAR?msg} (not inside
 * single quotes). INVALID_ARGUMENT for an unterminated quote or ${, or a ${VAR:?msg} of an unset VAR. */
int cc_df_words(const char *s, char escape, bool split, cc_df_lookup_fn *lookup, void *ctx, cc_strv *out,
		struct cc_error **err);
/* One word (split false), owned. */
int cc_df_word(const char *s, char escape, cc_df_lookup_fn *lookup, void *ctx, char **out,
	       struct cc_error **err);
/* Expand variables only, keeping quotes and everything else as written: heredoc contents. */
char *cc_df_expand_only(const char *s, char escape, cc_df_lookup_fn *lookup, void *ctx);

/* "KEY=VALUE KEY2=VALUE2" or the legacy "KEY VALUE" (ENV, LABEL): pairs in order into kvs (later keys win).
 * INVALID_ARGUMENT names a pair without "=" in the first form. */
int cc_df_pairs(const char *args, char escape, cc_df_lookup_fn *lookup, void *ctx, struct cc_kvs *out,
		struct cc_error **err);

#endif
