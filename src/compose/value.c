#include "compose/value.h"
#include "base/strmap.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cc_val *cc_val_new(enum cc_vkind kind, struct cc_pos pos)
{
	struct cc_val *v = cc_xcalloc(1, sizeof(*v));
	v->kind = kind;
	v->pos = pos;
	return v;
}

struct cc_val *cc_val_new_str_take(char *s, struct cc_pos pos)
{
	struct cc_val *v = cc_val_new(CC_V_STR, pos);
	v->str = s;
	return v;
}

struct cc_val *cc_val_new_strn(const char *s, size_t n, struct cc_pos pos)
{
	return cc_val_new_str_take(cc_xstrndup(s, n), pos);
}

struct cc_val *cc_val_new_str(const char *s, struct cc_pos pos)
{
	return cc_val_new_str_take(cc_xstrdup(s), pos);
}

struct cc_val *cc_val_new_int(int64_t i, struct cc_pos pos)
{
	struct cc_val *v = cc_val_new(CC_V_INT, pos);
	v->num.i = i;
	v->str = cc_xasprintf("%lld", (long long)i);
	return v;
}

struct cc_val *cc_val_new_bool(bool b, struct cc_pos pos)
{
	struct cc_val *v = cc_val_new(CC_V_BOOL, pos);
	v->num.b = b;
	v->str = cc_xstrdup(b ? "true" : "false");
	return v;
}

struct cc_val *cc_val_new_null(struct cc_pos pos)
{
	struct cc_val *v = cc_val_new(CC_V_NULL, pos);
	v->str = cc_xstrdup("");
	return v;
}

void cc_val_set_str_take(struct cc_val *v, char *s)
{
	free(v->str);
	v->str = s;
	v->kind = CC_V_STR;
}

static bool is_null_text(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '~') ||
	       (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static int bool_text(const char *s, size_t n)
{
	if (n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4)))
		return 1;
	if (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5)))
		return 0;
	return -1;
}

/* YAML 1.2 core int: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ */
static bool parse_int_text(const char *s, int64_t *out)
{
	const char *p = s;
	int base = 10;
	if (p[0] == '0' && (p[1] == 'o' || p[1] == 'x')) {
		base = p[1] == 'o' ? 8 : 16;
		p += 2;
		if (!*p)
			return false;
		for (const char *q = p; *q; q++)
			if (base == 8 ? (*q < '0' || *q > '7') : !isxdigit((unsigned char)*q))
				return false;
	} else {
		const char *q = p;
		if (*q == '-' || *q == '+')
			q++;
		if (!*q)
			return false;
		for (; *q; q++)
			if (!isdigit((unsigned char)*q))
				return false;
	}
	errno = 0;
	char *end = NULL;
	long long v = strtoll(p, &end, base);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* YAML 1.2 core float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.inf | \.nan */
static bool parse_float_text(const char *s, double *out)
{
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF") || !strcmp(s, ".nan") ||
	    !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
		*out = strtod(s[0] == '-' ? "-inf" : (p[1] == 'n' || p[1] == 'N') ? "nan" : "inf", NULL);
		return true;
	}
	bool digits = false;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p)
		return false;
	*out = strtod(s, NULL);
	return true;
}

struct cc_val *cc_val_new_plain_scalar(const char *s, size_t n, struct cc_pos pos)
{
	struct cc_val *v = cc_val_new(CC_V_STR, pos);
	v->str = cc_xstrndup(s, n);
	if (is_null_text(s, n)) {
		v->kind = CC_V_NULL;
		return v;
	}
	int b = bool_text(s, n);
	if (b >= 0) {
		v->kind = CC_V_BOOL;
		v->num.b = b;
		return v;
	}
	char c = s[0];
	if (!(isdigit((unsigned char)c) || c == '-' || c == '+' || c == '.'))
		return v;
	if (parse_int_text(v->str, &v->num.i))
		v->kind = CC_V_INT;
	else if (parse_float_text(v->str, &v->num.f))
		v->kind = CC_V_FLOAT;
	return v;
}

bool cc_val_is_scalar(const struct cc_val *v)
{
	return v->kind != CC_V_SEQ && v->kind != CC_V_MAP;
}

const char *cc_vkind_name(enum cc_vkind kind)
{
	switch (kind) {
	case CC_V_NULL:
		return "null";
	case CC_V_BOOL:
		return "boolean";
	case CC_V_INT:
		return "integer";
	case CC_V_FLOAT:
		return "number";
	case CC_V_STR:
		return "string";
	case CC_V_SEQ:
		return "array";
	case CC_V_MAP:
		return "mapping";
	}
	return "?";
}

struct cc_val *cc_val_copy(const struct cc_val *v)
{
	if (!v)
		return NULL;
	struct cc_val *c = cc_val_new(v->kind, v->pos);
	c->flags = v->flags;
	c->num = v->num;
	c->str = v->str ? cc_xstrdup(v->str) : NULL;
	if (v->kind == CC_V_SEQ) {
		CC_GROW(c->seq.v, c->seq.cap, v->seq.n);
		for (size_t i = 0; i < v->seq.n; i++)
			c->seq.v[i] = cc_val_copy(v->seq.v[i]);
		c->seq.n = v->seq.n;
	} else if (v->kind == CC_V_MAP) {
		CC_GROW(c->map.e, c->map.cap, v->map.n);
		for (size_t i = 0; i < v->map.n; i++) {
			c->map.e[i].key = cc_xstrdup(v->map.e[i].key);
			c->map.e[i].kpos = v->map.e[i].kpos;
			c->map.e[i].val = cc_val_copy(v->map.e[i].val);
		}
		c->map.n = v->map.n;
	}
	return c;
}

void cc_val_free(struct cc_val *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->seq.n; i++)
		cc_val_free(v->seq.v[i]);
	free(v->seq.v);
	for (size_t i = 0; i < v->map.n; i++) {
		free(v->map.e[i].key);
		cc_val_free(v->map.e[i].val);
	}
	free(v->map.e);
	cc_map_invalidate(v);
	free(v->str);
	free(v);
}

void cc_seq_push(struct cc_val *seq, struct cc_val *item)
{
	CC_GROW(seq->seq.v, seq->seq.cap, seq->seq.n + 1);
	seq->seq.v[seq->seq.n++] = item;
}

/* Below this many entries a scan is as fast as hashing. */
#define INDEX_MIN 32

void cc_map_invalidate(struct cc_val *map)
{
	if (map->map.index) {
		cc_strmap_release(map->map.index);
		free(map->map.index);
		map->map.index = NULL;
	}
}

static void index_build(struct cc_val *map)
{
	map->map.index = cc_xcalloc(1, sizeof(*map->map.index));
	cc_strmap_init(map->map.index, NULL);
	for (size_t i = 0; i < map->map.n; i++)
		if (!cc_strmap_has(map->map.index, map->map.e[i].key))
			cc_strmap_set(map->map.index, map->map.e[i].key, (void *)(uintptr_t)(i + 1));
}

struct cc_mapent *cc_map_find(const struct cc_val *map, const char *key)
{
	if (!map || map->kind != CC_V_MAP)
		return NULL;
	if (map->map.n >= INDEX_MIN) {
		/* the index is a cache: building it does not change what the mapping holds */
		struct cc_val *m = (struct cc_val *)map;
		if (!m->map.index)
			index_build(m);
		uintptr_t ix = (uintptr_t)cc_strmap_get(m->map.index, key);
		return ix ? &m->map.e[ix - 1] : NULL;
	}
	for (size_t i = 0; i < map->map.n; i++)
		if (!strcmp(map->map.e[i].key, key))
			return &map->map.e[i];
	return NULL;
}

struct cc_val *cc_map_get(const struct cc_val *map, const char *key)
{
	struct cc_mapent *e = cc_map_find(map, key);
	return e ? e->val : NULL;
}

void cc_map_set_pos(struct cc_val *map, const char *key, struct cc_val *val, struct cc_pos kpos)
{
	struct cc_mapent *e = cc_map_find(map, key);
	if (e) {
		if (e->val != val)
			cc_val_free(e->val);
		e->val = val;
		return;
	}
	cc_map_append(map, key, val, kpos);
}

void cc_map_append(struct cc_val *map, const char *key, struct cc_val *val, struct cc_pos kpos)
{
	CC_GROW(map->map.e, map->map.cap, map->map.n + 1);
	map->map.e[map->map.n++] = (struct cc_mapent){cc_xstrdup(key), val, kpos};
	if (map->map.index && !cc_strmap_has(map->map.index, key))
		cc_strmap_set(map->map.index, key, (void *)(uintptr_t)map->map.n);
}

void cc_map_set(struct cc_val *map, const char *key, struct cc_val *val)
{
	cc_map_set_pos(map, key, val, val ? val->pos : map->pos);
}

struct cc_val *cc_map_take(struct cc_val *map, const char *key)
{
	struct cc_mapent *e = cc_map_find(map, key);
	if (!e)
		return NULL;
	struct cc_val *v = e->val;
	free(e->key);
	cc_map_invalidate(map);
	size_t ix = (size_t)(e - map->map.e);
	memmove(&map->map.e[ix], &map->map.e[ix + 1], (map->map.n - ix - 1) * sizeof(*e));
	map->map.n--;
	return v;
}

bool cc_map_del(struct cc_val *map, const char *key)
{
	if (!cc_map_find(map, key))
		return false;
	cc_val_free(cc_map_take(map, key));
	return true;
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct cc_mapent *)a)->key, ((const struct cc_mapent *)b)->key);
}

void cc_map_sort(struct cc_val *map)
{
	if (map->kind == CC_V_MAP && map->map.n > 1) {
		cc_map_invalidate(map);
		qsort(map->map.e, map->map.n, sizeof(*map->map.e), cmp_ent);
	}
}

const char *cc_val_text(const struct cc_val *v)
{
	if (!v || v->kind == CC_V_NULL || v->kind == CC_V_SEQ || v->kind == CC_V_MAP)
		return NULL;
	return v->str;
}
