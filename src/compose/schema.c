#include "compose/schema.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "base/xalloc.h"
#include "compose/ypath.h"

#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char cc_compose_schema_json[];
extern const size_t cc_compose_schema_json_len;

/* The schema is compiled once into these nodes: $ref resolved, types as a bit mask, properties in a hash map.
 * Validating then costs no JSON lookups, which matters with 1000-service files (bench/loader). */
enum {
	T_NULL = 1 << 0,
	T_BOOLEAN = 1 << 1,
	T_INTEGER = 1 << 2,
	T_NUMBER = 1 << 3,
	T_STRING = 1 << 4,
	T_ARRAY = 1 << 5,
	T_OBJECT = 1 << 6,
};

struct pattern_prop {
	const char *pattern;
	struct snode *schema;
};

struct snode {
	json_t *json;   /* the source, for messages */
	unsigned types; /* 0: any */
	json_t *type_json;
	struct snode **alts; /* oneOf / anyOf */
	size_t nalts;
	json_t *enumeration;
	const char *pattern;
	bool has_min, has_max, unique;
	double min, max;
	struct snode *items;
	struct cc_strmap props; /* key -> struct snode * */
	struct pattern_prop *pprops;
	size_t npprops;
	bool no_additional;
	struct snode *additional;
	json_t *required;
};

struct cc_schema {
	json_t *root;
	struct snode *top;
	struct cc_strmap compiled; /* "%p" of a json_t -> struct snode * (owns the nodes) */
	struct cc_strmap regexes;  /* pattern -> regex_t * */
};

static void regex_free(void *p)
{
	if (!p)
		return;
	regfree(p);
	free(p);
}

static void snode_free(void *p)
{
	struct snode *n = p;
	free(n->alts);
	cc_strmap_release(&n->props);
	free(n->pprops);
	free(n);
}

static json_t *resolve_ref(json_t *root, json_t *sch)
{
	for (int guard = 0; guard < 32; guard++) {
		json_t *ref = json_object_get(sch, "$ref");
		if (!json_is_string(ref))
			return sch;
		const char *r = json_string_value(ref);
		if (strncmp(r, "#/definitions/", 14) != 0)
			return sch;
		json_t *def = json_object_get(json_object_get(root, "definitions"), r + 14);
		if (!def)
			return sch;
		sch = def;
	}
	return sch;
}

static unsigned type_bit(const char *t)
{
	static const char *const names[] = {"null",   "boolean", "integer", "number",
					    "string", "array",   "object"};
	for (unsigned i = 0; i < 7; i++)
		if (!strcmp(t, names[i]))
			return 1u << i;
	return 0;
}

/* Patterns are compiled with the schema, so validating never changes it and loads may share one schema. */
static void compile_regex(struct cc_schema *s, const char *pattern)
{
	if (cc_strmap_has(&s->regexes, pattern))
		return;
	regex_t *re = cc_xcalloc(1, sizeof(*re));
	if (regcomp(re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
		free(re);
		re = NULL; /* an invalid pattern matches nothing */
	}
	cc_strmap_set(&s->regexes, pattern, re);
}

static struct snode *compile(struct cc_schema *s, json_t *sch)
{
	sch = resolve_ref(s->root, sch);
	char key[32];
	snprintf(key, sizeof(key), "%p", (void *)sch);
	struct snode *n = cc_strmap_get(&s->compiled, key);
	if (n)
		return n;
	n = cc_xcalloc(1, sizeof(*n));
	cc_strmap_init(&n->props, NULL);
	/* registered before its children, so recursive definitions terminate */
	cc_strmap_set(&s->compiled, key, n);
	n->json = sch;
	if (!json_is_object(sch))
		return n;
	json_t *type = json_object_get(sch, "type");
	n->type_json = type;
	if (json_is_string(type)) {
		n->types = type_bit(json_string_value(type));
	} else if (json_is_array(type)) {
		size_t i;
		json_t *t;
		json_array_foreach(type, i, t) n->types |= type_bit(json_string_value(t));
	}
	json_t *alts = json_object_get(sch, "oneOf");
	if (!alts)
		alts = json_object_get(sch, "anyOf");
	if (json_is_array(alts)) {
		n->nalts = json_array_size(alts);
		n->alts = cc_xcalloc(n->nalts, sizeof(*n->alts));
		for (size_t i = 0; i < n->nalts; i++)
			n->alts[i] = compile(s, json_array_get(alts, i));
	}
	n->enumeration = json_object_get(sch, "enum");
	json_t *pattern = json_object_get(sch, "pattern");
	n->pattern = json_is_string(pattern) ? json_string_value(pattern) : NULL;
	if (n->pattern)
		compile_regex(s, n->pattern);
	json_t *min = json_object_get(sch, "minimum"), *max = json_object_get(sch, "maximum");
	n->has_min = json_is_number(min);
	n->min = n->has_min ? json_number_value(min) : 0;
	n->has_max = json_is_number(max);
	n->max = n->has_max ? json_number_value(max) : 0;
	n->unique = json_is_true(json_object_get(sch, "uniqueItems"));
	json_t *items = json_object_get(sch, "items");
	if (json_is_object(items))
		n->items = compile(s, items);
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(sch, "properties"), k, v)
	    cc_strmap_set(&n->props, k, compile(s, v));
	json_t *pprops = json_object_get(sch, "patternProperties");
	n->pprops = cc_xcalloc(json_object_size(pprops) + 1, sizeof(*n->pprops));
	json_object_foreach(pprops, k, v)
	{
		compile_regex(s, k);
		n->pprops[n->npprops].pattern = k;
		n->pprops[n->npprops++].schema = compile(s, v);
	}
	json_t *additional = json_object_get(sch, "additionalProperties");
	n->no_additional = json_is_false(additional);
	if (json_is_object(additional))
		n->additional = compile(s, additional);
	n->required = json_object_get(sch, "required");
	return n;
}

int cc_schema_load(struct cc_schema **out, struct cc_error **err)
{
	json_error_t jerr;
	json_t *root = json_loadb((const char *)cc_compose_schema_json, cc_compose_schema_json_len, 0, &jerr);
	if (!root)
		return cc_error_set(err, CC_ERR_INTERNAL, "embedded compose schema is invalid: %s (line %d)",
				    jerr.text, jerr.line);
	struct cc_schema *s = cc_xcalloc(1, sizeof(*s));
	s->root = root;
	cc_strmap_init(&s->regexes, regex_free);
	cc_strmap_init(&s->compiled, snode_free);
	s->top = compile(s, root);
	*out = s;
	return 0;
}

void cc_schema_free(struct cc_schema *schema)
{
	if (!schema)
		return;
	cc_strmap_release(&schema->compiled);
	cc_strmap_release(&schema->regexes);
	json_decref(schema->root);
	free(schema);
}

struct vctx {
	const struct cc_schema *schema;
	struct cc_ypath path;
	struct cc_error **err; /* NULL while probing alternatives of oneOf/anyOf */
};

static int fail(struct vctx *c, const struct cc_val *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct vctx *c, const struct cc_val *v, const char *fmt, ...)
{
	if (!c->err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int r = cc_ypath_verror(c->err, &c->path, v, fmt, ap);
	va_end(ap);
	return r;
}

static bool regex_match(const struct cc_schema *s, const char *pattern, const char *text)
{
	/* The schema's patternProperties are mostly "^x-" and ".+": answer those without regexec, which is
	 * called for every key of every service otherwise. */
	if (!strcmp(pattern, ".+"))
		return text[0] != '\0';
	if (pattern[0] == '^' && !strpbrk(pattern + 1, ".[]()*+?{}|\\$^"))
		return !strncmp(text, pattern + 1, strlen(pattern + 1));
	const regex_t *re = cc_strmap_get(&s->regexes, pattern);
	return re && regexec(re, text, 0, NULL, 0) == 0;
}

static unsigned kind_bits(const struct cc_val *v)
{
	switch (v->kind) {
	case CC_V_NULL:
		return T_NULL;
	case CC_V_BOOL:
		return T_BOOLEAN;
	case CC_V_INT:
		return T_INTEGER | T_NUMBER;
	case CC_V_FLOAT:
		return T_NUMBER | (v->num.f == floor(v->num.f) ? T_INTEGER : 0);
	case CC_V_STR:
		return T_STRING;
	case CC_V_SEQ:
		return T_ARRAY;
	case CC_V_MAP:
		return T_OBJECT;
	}
	return 0;
}

static const char *type_word(const char *type)
{
	if (!strcmp(type, "object"))
		return "a mapping";
	if (!strcmp(type, "array"))
		return "a list";
	if (!strcmp(type, "string"))
		return "a string";
	if (!strcmp(type, "integer"))
		return "an integer";
	if (!strcmp(type, "number"))
		return "a number";
	if (!strcmp(type, "boolean"))
		return "a boolean";
	if (!strcmp(type, "null"))
		return "null";
	return type;
}

static void describe_types(json_t *type, struct cc_strbuf *sb)
{
	if (json_is_string(type)) {
		cc_strbuf_adds(sb, type_word(json_string_value(type)));
		return;
	}
	size_t i, n = json_array_size(type);
	json_t *t;
	json_array_foreach(type, i, t)
	{
		if (i > 0)
			cc_strbuf_adds(sb, i + 1 == n ? " or " : ", ");
		cc_strbuf_adds(sb, type_word(json_string_value(t)));
	}
}

static bool type_ok(const struct snode *n, const struct cc_val *v)
{
	return !n->types || (n->types & kind_bits(v));
}

static int validate(struct vctx *c, const struct cc_val *v, const struct snode *n);

static int validate_alternatives(struct vctx *c, const struct cc_val *v, const struct snode *n)
{
	struct cc_error **saved = c->err;
	c->err = NULL;
	for (size_t i = 0; i < n->nalts; i++) {
		if (validate(c, v, n->alts[i]) == 0) {
			c->err = saved;
			return 0;
		}
	}
	c->err = saved;
	if (!c->err)
		return -1;
	/* Report through the alternative whose type fits, which gives the deepest useful message. */
	for (size_t i = 0; i < n->nalts; i++)
		if (n->alts[i]->types && type_ok(n->alts[i], v))
			return validate(c, v, n->alts[i]);
	cleanup_strbuf struct cc_strbuf want = CC_STRBUF_INIT;
	for (size_t i = 0; i < n->nalts; i++) {
		if (!n->alts[i]->type_json)
			continue;
		if (want.len)
			cc_strbuf_adds(&want, i + 1 == n->nalts ? " or " : ", ");
		describe_types(n->alts[i]->type_json, &want);
	}
	if (want.len)
		return fail(c, v, "must be %s", want.buf);
	return fail(c, v, "does not match any allowed form");
}

static int validate_object(struct vctx *c, const struct cc_val *v, const struct snode *n)
{
	size_t i;
	json_t *req;
	json_array_foreach(n->required, i, req)
	{
		if (json_is_string(req) && !cc_map_find(v, json_string_value(req)))
			return fail(c, v, "requires property \"%s\"", json_string_value(req));
	}
	for (size_t k = 0; k < v->map.n; k++) {
		const struct cc_mapent *e = &v->map.e[k];
		bool matched = false;
		/* a !reset entry only says "remove this"; its shape is irrelevant (normalization makes it a
		 * marker) */
		if (e->val->flags & CC_VF_RESET)
			continue;
		const struct snode *p = cc_strmap_get(&n->props, e->key);
		size_t mark = cc_ypath_push_key(&c->path, e->key);
		int r = 0;
		if (p) {
			matched = true;
			r = validate(c, e->val, p);
		}
		for (size_t q = 0; r == 0 && q < n->npprops; q++) {
			if (regex_match(c->schema, n->pprops[q].pattern, e->key)) {
				matched = true;
				r = validate(c, e->val, n->pprops[q].schema);
			}
		}
		if (r == 0 && !matched && n->additional)
			r = validate(c, e->val, n->additional);
		/* restore the path even on failure: a failed alternative of oneOf must not leave its keys
		 * behind */
		cc_ypath_pop(&c->path, mark);
		if (r < 0)
			return -1;
		if (!matched && n->no_additional) {
			if (!c->err)
				return -1;
			struct cc_val at = *e->val;
			at.pos = e->kpos;
			return fail(c, &at, "additional property \"%s\" is not allowed", e->key);
		}
	}
	return 0;
}

static int validate_array(struct vctx *c, const struct cc_val *v, const struct snode *n)
{
	if (n->unique && v->seq.n <= 16) {
		/* short lists (nearly all of them) compare pairwise, without allocating */
		for (size_t i = 0; i < v->seq.n; i++)
			for (size_t j = 0; j < i; j++) {
				const struct cc_val *a = v->seq.v[i], *b = v->seq.v[j];
				if (cc_val_is_scalar(a) && cc_val_is_scalar(b) && a->kind == b->kind &&
				    !strcmp(a->str ? a->str : "", b->str ? b->str : ""))
					return fail(c, a, "contains duplicate item \"%s\"",
						    a->str ? a->str : "");
			}
	} else if (n->unique) {
		/* keyed by kind and text, so 80 and "80" stay distinct as in JSON Schema */
		struct cc_strmap seen;
		cc_strmap_init(&seen, NULL);
		for (size_t i = 0; i < v->seq.n; i++) {
			const struct cc_val *it = v->seq.v[i];
			if (!cc_val_is_scalar(it))
				continue;
			cleanup_free char *k = cc_xasprintf("%d:%s", (int)it->kind, it->str ? it->str : "");
			if (cc_strmap_has(&seen, k)) {
				cc_strmap_release(&seen);
				return fail(c, it, "contains duplicate item \"%s\"", it->str ? it->str : "");
			}
			cc_strmap_set(&seen, k, NULL);
		}
		cc_strmap_release(&seen);
	}
	if (!n->items)
		return 0;
	for (size_t i = 0; i < v->seq.n; i++) {
		size_t mark = cc_ypath_push_index(&c->path, i);
		int r = validate(c, v->seq.v[i], n->items);
		cc_ypath_pop(&c->path, mark);
		if (r < 0)
			return -1;
	}
	return 0;
}

static bool enum_ok(json_t *en, const struct cc_val *v)
{
	size_t i;
	json_t *e;
	json_array_foreach(en, i, e)
	{
		if (json_is_string(e) && v->kind == CC_V_STR && !strcmp(json_string_value(e), v->str))
			return true;
		if (json_is_integer(e) && v->kind == CC_V_INT && json_integer_value(e) == v->num.i)
			return true;
		if (json_is_boolean(e) && v->kind == CC_V_BOOL && json_is_true(e) == v->num.b)
			return true;
		if (json_is_null(e) && v->kind == CC_V_NULL)
			return true;
	}
	return false;
}

static int validate(struct vctx *c, const struct cc_val *v, const struct snode *n)
{
	if (!type_ok(n, v)) {
		if (!c->err)
			return -1;
		cleanup_strbuf struct cc_strbuf want = CC_STRBUF_INIT;
		describe_types(n->type_json, &want);
		return fail(c, v, "must be %s", want.buf);
	}
	if (n->nalts && validate_alternatives(c, v, n) < 0)
		return -1;
	if (n->enumeration && !enum_ok(n->enumeration, v)) {
		if (!c->err)
			return -1;
		cleanup_strbuf struct cc_strbuf allowed = CC_STRBUF_INIT;
		size_t i;
		json_t *e;
		json_array_foreach(n->enumeration, i, e)
		{
			cc_strbuf_addf(&allowed, "%s%s", i ? ", " : "",
				       json_is_string(e) ? json_string_value(e) : "?");
		}
		return fail(c, v, "must be one of: %s (got \"%s\")", allowed.buf, v->str ? v->str : "");
	}
	if (n->pattern && v->kind == CC_V_STR && !regex_match(c->schema, n->pattern, v->str))
		return fail(c, v, "\"%s\" does not match the pattern %s", v->str, n->pattern);
	if (v->kind == CC_V_INT || v->kind == CC_V_FLOAT) {
		double x = v->kind == CC_V_INT ? (double)v->num.i : v->num.f;
		if (n->has_min && x < n->min)
			return fail(c, v, "must be at least %g", n->min);
		if (n->has_max && x > n->max)
			return fail(c, v, "must be at most %g", n->max);
	}
	if (v->kind == CC_V_MAP)
		return validate_object(c, v, n);
	if (v->kind == CC_V_SEQ)
		return validate_array(c, v, n);
	return 0;
}

int cc_schema_validate(const struct cc_schema *schema, const struct cc_val *doc, struct cc_error **err)
{
	struct vctx c = {.schema = schema, .err = err};
	c.path = (struct cc_ypath)CC_YPATH_INIT;
	int r = validate(&c, doc, schema->top);
	cc_ypath_release(&c.path);
	return r;
}
