#include "compose/schema.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char cc_compose_schema_json[];
extern const size_t cc_compose_schema_json_len;

struct cc_schema {
	json_t *root;
	struct cc_strmap regexes; /* pattern -> regex_t * */
};

static void regex_free(void *p)
{
	regfree(p);
	free(p);
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
	*out = s;
	return 0;
}

void cc_schema_free(struct cc_schema *schema)
{
	if (!schema)
		return;
	json_decref(schema->root);
	cc_strmap_release(&schema->regexes);
	free(schema);
}

struct vctx {
	const struct cc_schema *schema;
	struct cc_strbuf path;
	struct cc_error **err; /* NULL while probing alternatives of oneOf/anyOf */
};

static int fail(struct vctx *c, const struct cc_val *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct vctx *c, const struct cc_val *v, const char *fmt, ...)
{
	if (!c->err)
		return -1;
	cleanup_strbuf struct cc_strbuf msg = CC_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cc_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	const char *path = c->path.len ? c->path.buf : "top level";
	return cc_error_set(c->err, CC_ERR_INVALID_ARGUMENT, "%s:%u:%u: %s %s",
			    v->pos.file ? v->pos.file : "?", v->pos.line, v->pos.col, path, msg.buf);
}

static const regex_t *get_regex(const struct cc_schema *s, const char *pattern)
{
	/* The cache is filled lazily; it is an implementation detail of a logically const schema. */
	struct cc_strmap *cache = (struct cc_strmap *)&s->regexes;
	regex_t *re = cc_strmap_get(cache, pattern);
	if (re)
		return re;
	re = cc_xcalloc(1, sizeof(*re));
	if (regcomp(re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
		free(re);
		return NULL;
	}
	cc_strmap_set(cache, pattern, re);
	return re;
}

static bool regex_match(const struct cc_schema *s, const char *pattern, const char *text)
{
	/* The schema's patternProperties are mostly "^x-" and ".+": answer those without regexec, which is
	 * called for every key of every service otherwise. */
	if (!strcmp(pattern, ".+"))
		return text[0] != '\0';
	if (pattern[0] == '^' && !strpbrk(pattern + 1, ".[]()*+?{}|\\$^"))
		return !strncmp(text, pattern + 1, strlen(pattern + 1));
	const regex_t *re = get_regex(s, pattern);
	return re && regexec(re, text, 0, NULL, 0) == 0;
}

static json_t *resolve_ref(const struct cc_schema *s, json_t *sch)
{
	for (int guard = 0; guard < 32; guard++) {
		json_t *ref = json_object_get(sch, "$ref");
		if (!json_is_string(ref))
			return sch;
		const char *r = json_string_value(ref);
		if (strncmp(r, "#/definitions/", 14) != 0)
			return sch;
		json_t *def = json_object_get(json_object_get(s->root, "definitions"), r + 14);
		if (!def)
			return sch;
		sch = def;
	}
	return sch;
}

static bool kind_is(const struct cc_val *v, const char *type)
{
	switch (v->kind) {
	case CC_V_NULL:
		return !strcmp(type, "null");
	case CC_V_BOOL:
		return !strcmp(type, "boolean");
	case CC_V_INT:
		return !strcmp(type, "integer") || !strcmp(type, "number");
	case CC_V_FLOAT:
		return !strcmp(type, "number") || (!strcmp(type, "integer") && v->num.f == floor(v->num.f));
	case CC_V_STR:
		return !strcmp(type, "string");
	case CC_V_SEQ:
		return !strcmp(type, "array");
	case CC_V_MAP:
		return !strcmp(type, "object");
	}
	return false;
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

/* Returns true when the schema's "type" (if any) admits v. */
static bool type_ok(json_t *sch, const struct cc_val *v)
{
	json_t *type = json_object_get(sch, "type");
	if (!type)
		return true;
	if (json_is_string(type))
		return kind_is(v, json_string_value(type));
	size_t i;
	json_t *t;
	json_array_foreach(type, i, t)
	{
		if (json_is_string(t) && kind_is(v, json_string_value(t)))
			return true;
	}
	return false;
}

static int validate(struct vctx *c, const struct cc_val *v, json_t *sch);

static size_t push_key(struct vctx *c, const char *key)
{
	size_t mark = c->path.len;
	if (c->path.len)
		cc_strbuf_addch(&c->path, '.');
	cc_strbuf_adds(&c->path, key);
	return mark;
}

static size_t push_index(struct vctx *c, size_t i)
{
	size_t mark = c->path.len;
	cc_strbuf_addf(&c->path, "[%zu]", i);
	return mark;
}

static int validate_alternatives(struct vctx *c, const struct cc_val *v, json_t *alts)
{
	struct cc_error **saved = c->err;
	size_t i;
	json_t *alt;
	c->err = NULL;
	json_array_foreach(alts, i, alt)
	{
		if (validate(c, v, alt) == 0) {
			c->err = saved;
			return 0;
		}
	}
	c->err = saved;
	if (!c->err)
		return -1;
	/* Report through the alternative whose type fits, which gives the deepest useful message. */
	json_array_foreach(alts, i, alt)
	{
		json_t *r = resolve_ref(c->schema, alt);
		if (json_object_get(r, "type") && type_ok(r, v))
			return validate(c, v, alt);
	}
	cleanup_strbuf struct cc_strbuf want = CC_STRBUF_INIT;
	size_t n = json_array_size(alts);
	json_array_foreach(alts, i, alt)
	{
		json_t *r = resolve_ref(c->schema, alt);
		json_t *type = json_object_get(r, "type");
		if (!type)
			continue;
		if (want.len)
			cc_strbuf_adds(&want, i + 1 == n ? " or " : ", ");
		describe_types(type, &want);
	}
	if (want.len)
		return fail(c, v, "must be %s", want.buf);
	return fail(c, v, "does not match any allowed form");
}

static int validate_object(struct vctx *c, const struct cc_val *v, json_t *sch)
{
	json_t *props = json_object_get(sch, "properties");
	json_t *pprops = json_object_get(sch, "patternProperties");
	json_t *additional = json_object_get(sch, "additionalProperties");
	json_t *required = json_object_get(sch, "required");
	size_t i;
	json_t *req;
	json_array_foreach(required, i, req)
	{
		if (json_is_string(req) && !cc_map_find(v, json_string_value(req)))
			return fail(c, v, "requires property \"%s\"", json_string_value(req));
	}
	for (size_t k = 0; k < v->map.n; k++) {
		const struct cc_mapent *e = &v->map.e[k];
		bool matched = false;
		json_t *p = json_object_get(props, e->key);
		size_t mark = push_key(c, e->key);
		int r = 0;
		if (p) {
			matched = true;
			r = validate(c, e->val, p);
		}
		const char *pat;
		json_t *psch;
		json_object_foreach(pprops, pat, psch)
		{
			if (r == 0 && regex_match(c->schema, pat, e->key)) {
				matched = true;
				r = validate(c, e->val, psch);
			}
		}
		/* restore the path even on failure: a failed alternative of oneOf must not leave its keys
		 * behind */
		cc_strbuf_truncate(&c->path, mark);
		if (r < 0)
			return -1;
		if (matched)
			continue;
		if (json_is_false(additional)) {
			if (!c->err)
				return -1;
			struct cc_val at = *e->val;
			at.pos = e->kpos;
			return fail(c, &at, "additional property \"%s\" is not allowed", e->key);
		}
		if (json_is_object(additional)) {
			mark = push_key(c, e->key);
			int ra = validate(c, e->val, additional);
			cc_strbuf_truncate(&c->path, mark);
			if (ra < 0)
				return -1;
		}
	}
	return 0;
}

static bool scalar_equal(const struct cc_val *a, const struct cc_val *b)
{
	if (!cc_val_is_scalar(a) || !cc_val_is_scalar(b))
		return false;
	return a->kind == b->kind && !strcmp(a->str ? a->str : "", b->str ? b->str : "");
}

static int validate_array(struct vctx *c, const struct cc_val *v, json_t *sch)
{
	json_t *items = json_object_get(sch, "items");
	if (json_is_true(json_object_get(sch, "uniqueItems"))) {
		for (size_t i = 0; i < v->seq.n; i++)
			for (size_t j = 0; j < i; j++)
				if (scalar_equal(v->seq.v[i], v->seq.v[j]))
					return fail(c, v->seq.v[i], "contains duplicate item \"%s\"",
						    v->seq.v[i]->str);
	}
	if (!json_is_object(items))
		return 0;
	for (size_t i = 0; i < v->seq.n; i++) {
		size_t mark = push_index(c, i);
		int r = validate(c, v->seq.v[i], items);
		cc_strbuf_truncate(&c->path, mark);
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

static int validate(struct vctx *c, const struct cc_val *v, json_t *sch)
{
	/* a !reset value only says "remove this"; its shape is irrelevant */
	if (v->flags & CC_VF_RESET)
		return 0;
	sch = resolve_ref(c->schema, sch);
	if (!json_is_object(sch))
		return 0;
	if (!type_ok(sch, v)) {
		if (!c->err)
			return -1;
		cleanup_strbuf struct cc_strbuf want = CC_STRBUF_INIT;
		describe_types(json_object_get(sch, "type"), &want);
		return fail(c, v, "must be %s", want.buf);
	}
	json_t *alts = json_object_get(sch, "oneOf");
	if (!alts)
		alts = json_object_get(sch, "anyOf");
	if (alts && validate_alternatives(c, v, alts) < 0)
		return -1;
	json_t *en = json_object_get(sch, "enum");
	if (en && !enum_ok(en, v)) {
		if (!c->err)
			return -1;
		cleanup_strbuf struct cc_strbuf allowed = CC_STRBUF_INIT;
		size_t i;
		json_t *e;
		json_array_foreach(en, i, e)
		{
			cc_strbuf_addf(&allowed, "%s%s", i ? ", " : "",
				       json_is_string(e) ? json_string_value(e) : "?");
		}
		return fail(c, v, "must be one of: %s (got \"%s\")", allowed.buf, v->str ? v->str : "");
	}
	json_t *pattern = json_object_get(sch, "pattern");
	if (json_is_string(pattern) && v->kind == CC_V_STR &&
	    !regex_match(c->schema, json_string_value(pattern), v->str))
		return fail(c, v, "\"%s\" does not match the pattern %s", v->str, json_string_value(pattern));
	if (v->kind == CC_V_INT || v->kind == CC_V_FLOAT) {
		double x = v->kind == CC_V_INT ? (double)v->num.i : v->num.f;
		json_t *min = json_object_get(sch, "minimum"), *max = json_object_get(sch, "maximum");
		if (json_is_number(min) && x < json_number_value(min))
			return fail(c, v, "must be at least %g", json_number_value(min));
		if (json_is_number(max) && x > json_number_value(max))
			return fail(c, v, "must be at most %g", json_number_value(max));
	}
	if (v->kind == CC_V_MAP)
		return validate_object(c, v, sch);
	if (v->kind == CC_V_SEQ)
		return validate_array(c, v, sch);
	return 0;
}

int cc_schema_validate(const struct cc_schema *schema, const struct cc_val *doc, struct cc_error **err)
{
	struct vctx c = {.schema = schema, .err = err};
	cc_strbuf_init(&c.path);
	int r = validate(&c, doc, schema->root);
	cc_strbuf_release(&c.path);
	return r;
}
