/* The codec's shared helpers (codec-internal.h), the vector and key/value codecs, and the text layer. */
#include "runtime/codec.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "runtime/codec-internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- UTF-8 --- */

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF), or 0 when the bytes there are not one. */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

/* NULL when s is valid UTF-8 (the common case allocates nothing), else a copy with U+FFFD for each bad byte.
 */
static char *utf8_sanitize(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	while (*p && (n = utf8_seq_len(p)) != 0)
		p += n;
	if (!*p)
		return NULL;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_strbuf_add(&sb, s, (size_t)(p - (const unsigned char *)s));
	while (*p) {
		n = utf8_seq_len(p);
		if (n) {
			cc_strbuf_add(&sb, p, n);
			p += n;
		} else {
			cc_strbuf_adds(&sb, "\xEF\xBF\xBD");
			p++;
		}
	}
	return cc_strbuf_detach(&sb, NULL);
}

/* --- encoding --- */

static json_t *need(json_t *v)
{
	if (!v) {
		fputs("container-compose: out of memory\n", stderr);
		abort();
	}
	return v;
}

json_t *cc_jobject(void)
{
	return need(json_object());
}

json_t *cc_jarray(void)
{
	return need(json_array());
}

void cc_jappend(json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, v) < 0)
		need(NULL);
}

json_t *cc_jstring(const char *s)
{
	cleanup_free char *fixed = utf8_sanitize(s);
	return need(json_string_nocheck(fixed ? fixed : s));
}

json_t *cc_jint(int64_t v)
{
	return need(json_integer((json_int_t)v));
}

void cc_jset(json_t *obj, const char *key, json_t *v)
{
	cleanup_free char *fixed = utf8_sanitize(key);
	if (json_object_set_new_nocheck(obj, fixed ? fixed : key, v) < 0)
		need(NULL);
}

void cc_jset_str(json_t *obj, const char *key, const char *s)
{
	if (s)
		cc_jset(obj, key, cc_jstring(s));
}

void cc_jset_int(json_t *obj, const char *key, int64_t v)
{
	cc_jset(obj, key, cc_jint(v));
}

void cc_jset_int_nz(json_t *obj, const char *key, int64_t v)
{
	if (v)
		cc_jset_int(obj, key, v);
}

void cc_jset_u64(json_t *obj, const char *key, uint64_t v)
{
	cc_jset_int(obj, key, v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v);
}

void cc_jset_true(json_t *obj, const char *key, bool b)
{
	if (b)
		cc_jset(obj, key, need(json_true()));
}

void cc_jset_strv(json_t *obj, const char *key, char *const *v)
{
	if (v)
		cc_jset(obj, key, cc_strv_to_json(v));
}

json_t *cc_strv_to_json(char *const *v)
{
	json_t *a = cc_jarray();
	for (size_t i = 0; v && v[i]; i++)
		cc_jappend(a, cc_jstring(v[i]));
	return a;
}

json_t *cc_kvs_to_json(const struct cc_kvs *kvs)
{
	json_t *o = cc_jobject();
	for (size_t i = 0; i < kvs->n; i++)
		cc_jset(o, kvs->items[i].key, cc_jstring(kvs->items[i].value));
	return o;
}

/* --- decoding --- */

char *cc_jpath(const char *path, const char *key)
{
	return cc_xasprintf("%s%s%s", path, *path ? "." : "", key);
}

char *cc_jpath_index(const char *path, size_t i)
{
	return cc_xasprintf("%s[%zu]", path, i);
}

const json_t *cc_jfield(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

int cc_jerr_type(struct cc_error **err, const char *path, const char *key, const char *expected)
{
	cleanup_free char *p = cc_jpath(path, key);
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: expected %s", p, expected);
}

int cc_jerr_missing(struct cc_error **err, const char *path, const char *key)
{
	cleanup_free char *p = cc_jpath(path, key);
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: missing required field", p);
}

int cc_jcheck_object(const json_t *j, const char *what, struct cc_error **err)
{
	if (json_is_object(j))
		return 0;
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: expected an object", what);
}

int cc_jget_str(const json_t *obj, const char *path, const char *key, bool required, char **out,
		struct cc_error **err)
{
	const json_t *v = cc_jfield(obj, key);
	if (!v)
		return required ? cc_jerr_missing(err, path, key) : 0;
	if (!json_is_string(v))
		return cc_jerr_type(err, path, key, "a string");
	char *s = cc_xstrdup(json_string_value(v));
	free(*out);
	*out = s;
	return 0;
}

int cc_jget_bool(const json_t *obj, const char *path, const char *key, bool *out, struct cc_error **err)
{
	const json_t *v = cc_jfield(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return cc_jerr_type(err, path, key, "a boolean");
	*out = json_is_true(v);
	return 0;
}

int cc_jget_range(const json_t *obj, const char *path, const char *key, int64_t min, int64_t max,
		  bool required, int64_t *out, struct cc_error **err)
{
	const json_t *v = cc_jfield(obj, key);
	if (!v)
		return required ? cc_jerr_missing(err, path, key) : 0;
	if (!json_is_integer(v))
		return cc_jerr_type(err, path, key, "an integer");
	int64_t i = (int64_t)json_integer_value(v);
	if (i < min || i > max) {
		cleanup_free char *p = cc_jpath(path, key);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "%s: expected an integer between %lld and %lld, got %lld", p,
				    (long long)min, (long long)max, (long long)i);
	}
	*out = i;
	return 0;
}

int cc_jget_i64(const json_t *obj, const char *path, const char *key, int64_t *out, struct cc_error **err)
{
	return cc_jget_range(obj, path, key, INT64_MIN, INT64_MAX, false, out, err);
}

int cc_jget_int(const json_t *obj, const char *path, const char *key, int *out, struct cc_error **err)
{
	int64_t v = *out;
	if (cc_jget_range(obj, path, key, INT_MIN, INT_MAX, false, &v, err) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

int cc_jget_strv(const json_t *obj, const char *path, const char *key, cc_strv *out, bool *present,
		 struct cc_error **err)
{
	const json_t *v = cc_jfield(obj, key);
	if (present)
		*present = v != NULL;
	if (!v)
		return 0;
	cleanup_free char *p = cc_jpath(path, key);
	cc_strv sv = NULL;
	if (cc_strv_from_json(v, p, &sv, err) < 0)
		return -1;
	cc_strv_free(*out);
	*out = sv;
	return 0;
}

int cc_jget_kvs(const json_t *obj, const char *path, const char *key, struct cc_kvs *out,
		struct cc_error **err)
{
	const json_t *v = cc_jfield(obj, key);
	if (!v)
		return 0;
	cleanup_free char *p = cc_jpath(path, key);
	struct cc_kvs kvs = {0};
	if (cc_kvs_from_json(v, p, &kvs, err) < 0)
		return -1;
	cc_kvs_release(out);
	*out = kvs;
	return 0;
}

int cc_jget_objects(const json_t *obj, const char *path, const char *key, size_t elem_size, cc_jelem_fn fn,
		    void **out, size_t *n, struct cc_error **err)
{
	*out = NULL;
	*n = 0;
	const json_t *v = cc_jfield(obj, key);
	if (!v)
		return 0;
	if (!json_is_array(v))
		return cc_jerr_type(err, path, key, "an array");
	size_t len = json_array_size(v);
	if (!len)
		return 0;
	/* handed over before the elements are decoded, so the owner's release frees a partial array */
	char *items = cc_xcalloc(len, elem_size);
	*out = items;
	*n = len;
	cleanup_free char *p = cc_jpath(path, key);
	for (size_t i = 0; i < len; i++) {
		const json_t *e = json_array_get(v, i);
		cleanup_free char *ep = cc_jpath_index(p, i);
		if (cc_jcheck_object(e, ep, err) < 0 || fn(e, ep, items + i * elem_size, err) < 0)
			return -1;
	}
	return 0;
}

/* --- the public vector and key/value decoders --- */

int cc_strv_from_json(const json_t *j, const char *field, cc_strv *out, struct cc_error **err)
{
	const char *name = field && *field ? field : "value";
	*out = NULL;
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_array(j))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: expected an array of strings", name);
	size_t len = json_array_size(j);
	cc_strv v = cc_xcalloc(len + 1, sizeof(*v));
	for (size_t i = 0; i < len; i++) {
		const json_t *e = json_array_get(j, i);
		if (!json_is_string(e)) {
			cc_strv_free(v);
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s[%zu]: expected a string", name,
					    i);
		}
		v[i] = cc_xstrdup(json_string_value(e));
	}
	*out = v;
	return 0;
}

int cc_kvs_from_json(const json_t *j, const char *field, struct cc_kvs *out, struct cc_error **err)
{
	const char *name = field && *field ? field : "value";
	memset(out, 0, sizeof(*out));
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_object(j))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: expected an object of strings", name);
	struct cc_kvs kvs = {0};
	const char *key;
	json_t *v;
	/* jansson keeps an object's insertion order, which is the text's order */
	json_object_foreach((json_t *)j, key, v)
	{
		if (!json_is_string(v)) {
			cc_kvs_release(&kvs);
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s.%s: expected a string", name,
					    key);
		}
		cc_kvs_set(&kvs, key, json_string_value(v));
	}
	*out = kvs;
	return 0;
}

/* --- text --- */

char *cc_json_dump_compact(json_t *j)
{
	if (!j)
		return NULL;
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	if (!s)
		need(NULL);
	return s;
}

int cc_json_parse(const char *text, json_t **out, struct cc_error **err)
{
	json_error_t jerr;
	json_t *j = json_loads(text ? text : "", JSON_DECODE_ANY, &jerr);
	if (!j)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid JSON at line %d column %d: %s",
				    jerr.line, jerr.column, jerr.text);
	*out = j;
	return 0;
}
