/* The loader's document tree: YAML scalars, sequences and ordered mappings, each node carrying the position
 * it came from so every later stage (interpolation, schema, normalization, merge) can say file:line:column.
 *
 * Scalars keep their source text (str) whatever their resolved kind: "0440" is an int 440 in YAML 1.2 but a
 * mode reads it as octal, and "2.50" must print as written in an environment value. */
#ifndef CC_COMPOSE_VALUE_H
#define CC_COMPOSE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cc_vkind {
	CC_V_NULL,
	CC_V_BOOL,
	CC_V_INT,
	CC_V_FLOAT,
	CC_V_STR,
	CC_V_SEQ,
	CC_V_MAP,
};

enum {
	CC_VF_RESET = 1u << 0,    /* !reset: remove what an earlier file or extends base had */
	CC_VF_OVERRIDE = 1u << 1, /* !override: replace instead of merging */
	CC_VF_QUOTED = 1u << 2,   /* scalar was quoted in YAML: always a string */
};

struct cc_pos {
	const char *file; /* interned by the loader, lives as long as the project */
	uint32_t line;    /* 1-based; 0 = unknown (synthesized node) */
	uint32_t col;
};

struct cc_val;
struct cc_strmap;

struct cc_mapent {
	char *key;
	struct cc_val *val;
	struct cc_pos kpos;
};

struct cc_val {
	enum cc_vkind kind;
	unsigned flags;
	struct cc_pos pos;
	union {
		bool b;
		int64_t i;
		double f;
	} num;
	char *str; /* scalar text (NULL for SEQ/MAP; "" for an empty null) */
	struct {
		struct cc_val **v;
		size_t n, cap;
	} seq;
	struct {
		struct cc_mapent *e;
		size_t n, cap;
		/* key -> entry index + 1, built on the first lookup once a mapping is large (a project's
		 * services); kept by set/append, dropped by anything that moves entries (take, sort,
		 * cc_map_invalidate). */
		struct cc_strmap *index;
	} map;
};

struct cc_val *cc_val_new(enum cc_vkind kind, struct cc_pos pos);
struct cc_val *cc_val_new_str(const char *s, struct cc_pos pos);
struct cc_val *cc_val_new_strn(const char *s, size_t n, struct cc_pos pos);
/* Takes ownership of s. */
struct cc_val *cc_val_new_str_take(char *s, struct cc_pos pos);
struct cc_val *cc_val_new_int(int64_t i, struct cc_pos pos);
struct cc_val *cc_val_new_bool(bool b, struct cc_pos pos);
struct cc_val *cc_val_new_null(struct cc_pos pos);
struct cc_val *cc_val_copy(const struct cc_val *v);
void cc_val_free(struct cc_val *v);

/* Resolve a plain (unquoted) YAML scalar with the YAML 1.2 core schema: null, bool, int, float, else string.
 */
struct cc_val *cc_val_new_plain_scalar(const char *s, size_t n, struct cc_pos pos);
/* Turn v into a string scalar holding s (taking ownership), keeping position and flags. */
void cc_val_set_str_take(struct cc_val *v, char *s);

bool cc_val_is_scalar(const struct cc_val *v);
const char *cc_vkind_name(enum cc_vkind kind);

void cc_seq_push(struct cc_val *seq, struct cc_val *item);
struct cc_val *cc_map_get(const struct cc_val *map, const char *key);
struct cc_mapent *cc_map_find(const struct cc_val *map, const char *key);
/* Insert or replace (the old value is freed); takes ownership of val. */
void cc_map_set(struct cc_val *map, const char *key, struct cc_val *val);
void cc_map_set_pos(struct cc_val *map, const char *key, struct cc_val *val, struct cc_pos kpos);
/* Append without looking for an existing key: for copying from a mapping whose keys are already unique. */
void cc_map_append(struct cc_val *map, const char *key, struct cc_val *val, struct cc_pos kpos);
/* Remove and free; returns whether the key was there. */
bool cc_map_del(struct cc_val *map, const char *key);
/* Remove and return the value (caller owns it), NULL when absent. */
struct cc_val *cc_map_take(struct cc_val *map, const char *key);
void cc_map_sort(struct cc_val *map);
/* For code that edits map.e directly: forget the lookup index. */
void cc_map_invalidate(struct cc_val *map);

/* Scalar text of a string/number/bool value, NULL for null/seq/map. */
const char *cc_val_text(const struct cc_val *v);

#endif
