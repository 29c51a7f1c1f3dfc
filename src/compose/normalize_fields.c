#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "compose/normalize.h"
#include "compose/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void cc_norm_ctx_release(struct cc_norm_ctx *c)
{
	cc_ypath_release(&c->path);
}

int cc_norm_fail(struct cc_norm_ctx *c, const struct cc_val *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = cc_ypath_verror(c->err, &c->path, at, fmt, ap);
	va_end(ap);
	return r;
}

void cc_norm_warn(struct cc_norm_ctx *c, const struct cc_val *at, const char *fmt, ...)
{
	if (!c->warn)
		return;
	cleanup_strbuf struct cc_strbuf msg = CC_STRBUF_INIT;
	if (at && at->pos.file && at->pos.line)
		cc_strbuf_addf(&msg, "%s:%u:%u: ", at->pos.file, at->pos.line, at->pos.col);
	if (c->path.depth) {
		cc_ypath_format(&c->path, &msg);
		cc_strbuf_addch(&msg, ' ');
	}
	va_list ap;
	va_start(ap, fmt);
	cc_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	c->warn(c->warn_ud, msg.buf);
}

size_t cc_norm_push(struct cc_norm_ctx *c, const char *key)
{
	return cc_ypath_push_key(&c->path, key);
}

size_t cc_norm_push_index(struct cc_norm_ctx *c, size_t i)
{
	return cc_ypath_push_index(&c->path, i);
}

void cc_norm_pop(struct cc_norm_ctx *c, size_t mark)
{
	cc_ypath_pop(&c->path, mark);
}

static bool keep_raw(struct cc_norm_ctx *c, const struct cc_val *v)
{
	return c->lenient && v->kind == CC_V_STR && strchr(v->str, '$');
}

static struct cc_val *raw_copy(const struct cc_val *v)
{
	struct cc_val *r = cc_val_new_str(v->str, v->pos);
	r->flags = v->flags;
	return r;
}

struct cc_val *cc_norm_bool(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_BOOL)
		return cc_val_new_bool(v->num.b, v->pos);
	if (v->kind == CC_V_STR) {
		/* YAML 1.1 spellings are accepted for booleans, as compose-go does when casting. */
		static const char *const yes[] = {"true", "yes", "y", "on", "1"};
		static const char *const no[] = {"false", "no", "n", "off", "0"};
		for (size_t i = 0; i < 5; i++) {
			if (!strcasecmp(v->str, yes[i]))
				return cc_val_new_bool(true, v->pos);
			if (!strcasecmp(v->str, no[i]))
				return cc_val_new_bool(false, v->pos);
		}
		if (keep_raw(c, v))
			return raw_copy(v);
	}
	cc_norm_fail(c, v, "must be a boolean, got \"%s\"", v->str ? v->str : cc_vkind_name(v->kind));
	return NULL;
}

struct cc_val *cc_norm_int(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_INT)
		return cc_val_new_int(v->num.i, v->pos);
	/* 2^63 is exactly representable; anything at or beyond it (or not finite) is no int64 */
	if (v->kind == CC_V_FLOAT && v->num.f == floor(v->num.f) && v->num.f >= -9223372036854775808.0 &&
	    v->num.f < 9223372036854775808.0)
		return cc_val_new_int((int64_t)v->num.f, v->pos);
	if (v->kind == CC_V_STR) {
		errno = 0;
		char *end = NULL;
		long long x = strtoll(v->str, &end, 10);
		if (!errno && end != v->str && *end == '\0')
			return cc_val_new_int(x, v->pos);
		if (keep_raw(c, v))
			return raw_copy(v);
	}
	cc_norm_fail(c, v, "must be an integer, got \"%s\"", v->str ? v->str : cc_vkind_name(v->kind));
	return NULL;
}

struct cc_val *cc_norm_float(struct cc_norm_ctx *c, const struct cc_val *v)
{
	double x;
	if (v->kind == CC_V_INT || v->kind == CC_V_FLOAT || v->kind == CC_V_STR) {
		errno = 0;
		char *end = NULL;
		x = strtod(v->str, &end);
		if (!errno && end != v->str && *end == '\0' && isfinite(x)) {
			struct cc_val *r = cc_val_new(CC_V_FLOAT, v->pos);
			r->num.f = x;
			r->str = cc_xasprintf("%.15g", x);
			return r;
		}
		if (keep_raw(c, v))
			return raw_copy(v);
	}
	cc_norm_fail(c, v, "must be a number, got \"%s\"", v->str ? v->str : cc_vkind_name(v->kind));
	return NULL;
}

struct cc_val *cc_norm_bytes(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_INT)
		return cc_val_new_int(v->num.i, v->pos);
	if (v->kind == CC_V_STR || v->kind == CC_V_FLOAT) {
		cleanup_error struct cc_error *e = NULL;
		int64_t n;
		if (cc_parse_bytes(v->str, &n, &e) == 0)
			return cc_val_new_int(n, v->pos);
		if (keep_raw(c, v))
			return raw_copy(v);
		cc_norm_fail(c, v, "%s", e->msg);
		return NULL;
	}
	cc_norm_fail(c, v, "must be a byte size, got %s", cc_vkind_name(v->kind));
	return NULL;
}

struct cc_val *cc_norm_duration(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (cc_val_is_scalar(v) && v->kind != CC_V_NULL) {
		cleanup_error struct cc_error *e = NULL;
		int64_t ns;
		if (cc_parse_duration(v->str, &ns, &e) == 0) {
			struct cc_strbuf sb = CC_STRBUF_INIT;
			cc_format_duration(ns, &sb);
			return cc_val_new_str_take(cc_strbuf_detach(&sb, NULL), v->pos);
		}
		if (keep_raw(c, v))
			return raw_copy(v);
		cc_norm_fail(c, v, "%s", e->msg);
		return NULL;
	}
	cc_norm_fail(c, v, "must be a duration, got %s", cc_vkind_name(v->kind));
	return NULL;
}

struct cc_val *cc_norm_string(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_SEQ || v->kind == CC_V_MAP) {
		cc_norm_fail(c, v, "must be a string");
		return NULL;
	}
	struct cc_val *r = cc_val_new_str(v->str ? v->str : "", v->pos);
	return r;
}

struct cc_val *cc_norm_mode(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (cc_val_is_scalar(v) && v->kind != CC_V_NULL) {
		cleanup_error struct cc_error *e = NULL;
		uint32_t mode;
		/* printed as an octal string: a number would read back as octal digits (row 17) */
		if (cc_parse_mode(v->str, &mode, &e) == 0)
			return cc_val_new_str_take(cc_xasprintf("0%o", mode), v->pos);
		if (keep_raw(c, v))
			return raw_copy(v);
		cc_norm_fail(c, v, "%s", e->msg);
		return NULL;
	}
	cc_norm_fail(c, v, "must be a file mode");
	return NULL;
}

static struct cc_val *dict_value(struct cc_norm_ctx *c, const struct cc_val *v)
{
	if (v->kind == CC_V_NULL) {
		struct cc_val *n = cc_val_new_null(v->pos);
		n->flags = v->flags;
		return n;
	}
	if (!cc_val_is_scalar(v)) {
		cc_norm_fail(c, v, "must be a boolean, null, number or string");
		return NULL;
	}
	struct cc_val *s = cc_val_new_str(v->str, v->pos);
	s->flags = v->flags;
	return s;
}

struct cc_val *cc_norm_dict(struct cc_norm_ctx *c, const struct cc_val *v, char sep, bool null_is_empty)
{
	struct cc_val *out = cc_val_new(CC_V_MAP, v->pos);
	out->flags = v->flags;
	if (v->kind == CC_V_MAP) {
		for (size_t i = 0; i < v->map.n; i++) {
			size_t mark = cc_norm_push(c, v->map.e[i].key);
			struct cc_val *x = dict_value(c, v->map.e[i].val);
			cc_norm_pop(c, mark);
			if (!x) {
				cc_val_free(out);
				return NULL;
			}
			if (null_is_empty && x->kind == CC_V_NULL && !(x->flags & CC_VF_RESET))
				cc_val_set_str_take(x, cc_xstrdup(""));
			cc_map_append(out, v->map.e[i].key, x, v->map.e[i].kpos);
		}
		return out;
	}
	if (v->kind == CC_V_SEQ) {
		for (size_t i = 0; i < v->seq.n; i++) {
			const struct cc_val *it = v->seq.v[i];
			if (!cc_val_is_scalar(it) || it->kind == CC_V_NULL) {
				size_t mark = cc_norm_push_index(c, i);
				cc_norm_fail(c, it, "must be a string");
				cc_norm_pop(c, mark);
				cc_val_free(out);
				return NULL;
			}
			const char *eq = strchr(it->str, sep);
			/* Later entries win, the first position is kept (compose-go's env list semantics). */
			if (eq) {
				cleanup_free char *k = cc_xstrndup(it->str, (size_t)(eq - it->str));
				struct cc_val *x = cc_val_new_str(eq + 1, it->pos);
				cc_map_set_pos(out, k, x, it->pos);
			} else {
				cc_map_set_pos(out, it->str,
					       null_is_empty ? cc_val_new_str("", it->pos)
							     : cc_val_new_null(it->pos),
					       it->pos);
			}
		}
		return out;
	}
	cc_val_free(out);
	cc_norm_fail(c, v, "must be a mapping or a list");
	return NULL;
}

int cc_shell_split(const char *s, struct cc_val *out_list, struct cc_pos pos, char **errmsg)
{
	struct cc_strbuf w = CC_STRBUF_INIT;
	bool in_word = false;
	const char *p = s;
	while (*p) {
		char ch = *p;
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			if (in_word) {
				cc_seq_push(out_list, cc_val_new_str_take(cc_strbuf_detach(&w, NULL), pos));
				in_word = false;
			}
			p++;
			continue;
		}
		in_word = true;
		if (ch == '\\') {
			if (p[1]) {
				cc_strbuf_addch(&w, p[1]);
				p += 2;
			} else {
				p++;
			}
			continue;
		}
		if (ch == '\'' || ch == '"') {
			char q = ch;
			p++;
			while (*p && *p != q) {
				if (q == '"' && *p == '\\' &&
				    (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`')) {
					cc_strbuf_addch(&w, p[1]);
					p += 2;
					continue;
				}
				cc_strbuf_addch(&w, *p++);
			}
			if (!*p) {
				cc_strbuf_release(&w);
				*errmsg = cc_xasprintf("has an unterminated %s quote: %s",
						       q == '"' ? "double" : "single", s);
				return -1;
			}
			p++;
			continue;
		}
		cc_strbuf_addch(&w, ch);
		p++;
	}
	if (in_word)
		cc_seq_push(out_list, cc_val_new_str_take(cc_strbuf_detach(&w, NULL), pos));
	cc_strbuf_release(&w);
	return 0;
}

struct cc_val *cc_norm_list(struct cc_norm_ctx *c, const struct cc_val *v, bool split)
{
	struct cc_val *out = cc_val_new(CC_V_SEQ, v->pos);
	out->flags = v->flags;
	if (v->kind == CC_V_SEQ) {
		for (size_t i = 0; i < v->seq.n; i++) {
			const struct cc_val *it = v->seq.v[i];
			if (!cc_val_is_scalar(it)) {
				size_t mark = cc_norm_push_index(c, i);
				cc_norm_fail(c, it, "must be a string");
				cc_norm_pop(c, mark);
				cc_val_free(out);
				return NULL;
			}
			cc_seq_push(out, cc_val_new_str(it->str, it->pos));
		}
		return out;
	}
	if (v->kind == CC_V_NULL)
		return out;
	if (!cc_val_is_scalar(v)) {
		cc_val_free(out);
		cc_norm_fail(c, v, "must be a string or a list of strings");
		return NULL;
	}
	if (!split) {
		cc_seq_push(out, cc_val_new_str(v->str, v->pos));
		return out;
	}
	char *msg = NULL;
	if (cc_shell_split(v->str, out, v->pos, &msg) < 0) {
		cc_norm_fail(c, v, "%s", msg);
		free(msg);
		cc_val_free(out);
		return NULL;
	}
	return out;
}

struct cc_val *cc_norm_map(struct cc_norm_ctx *c, const struct cc_val *v, cc_norm_entry_fn convert, void *ud)
{
	struct cc_val *out = cc_val_new(CC_V_MAP, v->pos);
	out->flags = v->flags;
	for (size_t i = 0; v->kind == CC_V_MAP && i < v->map.n; i++) {
		const struct cc_mapent *e = &v->map.e[i];
		size_t mark = cc_norm_push(c, e->key);
		struct cc_val *x = (e->val->flags & CC_VF_RESET) ? cc_val_new_null(e->val->pos)
								 : convert(c, e->key, e->val, ud);
		cc_norm_pop(c, mark);
		if (!x) {
			cc_val_free(out);
			return NULL;
		}
		x->flags |= e->val->flags & (CC_VF_RESET | CC_VF_OVERRIDE);
		cc_map_append(out, e->key, x, e->kpos);
	}
	return out;
}

char *cc_norm_abs_path(struct cc_norm_ctx *c, const char *p)
{
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0') && c->home)
		return cc_path_join(c->home, p[1] ? p + 2 : ".");
	if (c->lenient && p[0] == '$')
		return cc_xstrdup(p);
	return cc_path_join(c->base_dir, p);
}
