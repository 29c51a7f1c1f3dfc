/* Helpers shared by the codec's files (codec.c, codec_container.c, codec_objects.c); not part of the API.
 *
 * Encoding: the cc_jset_* helpers own the omission rules (NULL strings, false booleans, zero numbers) so
 * every type writes "no value" the same way, and never write null. Strings with invalid UTF-8 are written
 * with U+FFFD in place of the bad bytes instead of being dropped.
 *
 * Decoding: `path` is the enclosing object's field path ("" at the top, "config.healthcheck" when nested,
 * "config.mounts[2]" for an array element) and `key` the member; errors name "path.key". An absent member
 * and a null one both mean "no value". Scalar outputs are written only on success; arrays of structs are
 * handed over zeroed and filled in place, so the caller's *_release cleans up after a failure part way. */
#ifndef CC_RUNTIME_CODEC_INTERNAL_H
#define CC_RUNTIME_CODEC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/codec.h"

#define CC_TRY(x)                                                                                            \
	do {                                                                                                 \
		if ((x) < 0)                                                                                 \
			goto fail;                                                                           \
	} while (0)

/* --- encoding; every function aborts on out-of-memory like cc_xmalloc --- */
json_t *cc_jobject(void);
json_t *cc_jarray(void);
void cc_jappend(json_t *arr, json_t *v); /* steals v */
json_t *cc_jstring(const char *s);
json_t *cc_jint(int64_t v);
void cc_jset(json_t *obj, const char *key, json_t *v);         /* steals v */
void cc_jset_str(json_t *obj, const char *key, const char *s); /* omitted when NULL */
void cc_jset_int(json_t *obj, const char *key, int64_t v);
void cc_jset_int_nz(json_t *obj, const char *key, int64_t v);    /* omitted when 0 */
void cc_jset_u64(json_t *obj, const char *key, uint64_t v);      /* clamped to INT64_MAX */
void cc_jset_true(json_t *obj, const char *key, bool b);         /* omitted when false */
void cc_jset_strv(json_t *obj, const char *key, char *const *v); /* omitted when NULL */

/* --- decoding --- */
/* "path.key" (or "key" at the top), owned. */
char *cc_jpath(const char *path, const char *key);
/* "path[i]", owned. */
char *cc_jpath_index(const char *path, size_t i);
/* The member, or NULL when it is absent or null. */
const json_t *cc_jfield(const json_t *obj, const char *key);
int cc_jerr_type(struct cc_error **err, const char *path, const char *key, const char *expected);
int cc_jerr_missing(struct cc_error **err, const char *path, const char *key);
/* j must be an object; `what` names it in the message (a field path, or a noun at the top). */
int cc_jcheck_object(const json_t *j, const char *what, struct cc_error **err);

int cc_jget_str(const json_t *obj, const char *path, const char *key, bool required, char **out,
		struct cc_error **err);
int cc_jget_bool(const json_t *obj, const char *path, const char *key, bool *out, struct cc_error **err);
int cc_jget_range(const json_t *obj, const char *path, const char *key, int64_t min, int64_t max,
		  bool required, int64_t *out, struct cc_error **err);
int cc_jget_i64(const json_t *obj, const char *path, const char *key, int64_t *out, struct cc_error **err);
int cc_jget_int(const json_t *obj, const char *path, const char *key, int *out, struct cc_error **err);
/* *present (may be NULL) tells whether the member was there, so [] and "absent" stay distinct. */
int cc_jget_strv(const json_t *obj, const char *path, const char *key, cc_strv *out, bool *present,
		 struct cc_error **err);
int cc_jget_kvs(const json_t *obj, const char *path, const char *key, struct cc_kvs *out,
		struct cc_error **err);

/* Decode one array element at `path` into `out` (an element of a zeroed array). */
typedef int (*cc_jelem_fn)(const json_t *j, const char *path, void *out, struct cc_error **err);
/* An array of objects: *out gets a zeroed array of *n elements of elem_size (NULL and 0 when absent or
 * empty), then each element is decoded in place by fn. *out and *n are set even on failure, so the owner
 * can free the part decoded. */
int cc_jget_objects(const json_t *obj, const char *path, const char *key, size_t elem_size, cc_jelem_fn fn,
		    void **out, size_t *n, struct cc_error **err);

/* A healthcheck as the codec writes it, and the "healthcheck" field of obj read into *out (left NULL when
 * absent; *out is set before the fields are read, so its owner's release cleans up a failure). */
json_t *cc_healthcheck_to_json(const struct cc_healthcheck *h);
int cc_healthcheck_from_json(const json_t *obj, const char *path, struct cc_healthcheck **out,
			     struct cc_error **err);

#endif
