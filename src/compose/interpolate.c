#include "compose/interpolate.h"
#include "base/cleanup.h"
#include "base/strbuf.h"

#include <string.h>

/* The YAML path of the node being visited, as a linked list on the stack: it is only turned into text when
 * there is an error to report, which keeps the walk cheap on large files. */
struct step {
	const char *key; /* NULL: a sequence index */
	size_t index;
	const struct step *up;
};

static void format_path(const struct step *s, struct cc_strbuf *out)
{
	if (!s)
		return;
	format_path(s->up, out);
	if (s->key)
		cc_strbuf_addf(out, "%s%s", out->len ? "." : "", s->key);
	else
		cc_strbuf_addf(out, "[%zu]", s->index);
}

static int walk(struct cc_val *v, const struct cc_template_ctx *ctx, const struct step *at,
		struct cc_error **err)
{
	if (v->kind == CC_V_MAP) {
		for (size_t i = 0; i < v->map.n; i++) {
			struct step s = {v->map.e[i].key, 0, at};
			if (walk(v->map.e[i].val, ctx, &s, err) < 0)
				return -1;
		}
		return 0;
	}
	if (v->kind == CC_V_SEQ) {
		for (size_t i = 0; i < v->seq.n; i++) {
			struct step s = {NULL, i, at};
			if (walk(v->seq.v[i], ctx, &s, err) < 0)
				return -1;
		}
		return 0;
	}
	if (v->kind != CC_V_STR || !cc_template_has_vars(v->str))
		return 0;
	char *out = NULL;
	cleanup_error struct cc_error *e = NULL;
	if (cc_template_substitute(v->str, ctx, &out, &e) < 0) {
		cleanup_strbuf struct cc_strbuf path = CC_STRBUF_INIT;
		format_path(at, &path);
		const char *p = path.len ? path.buf : "top level";
		if (!strncmp(e->msg, "invalid interpolation format", 28))
			return cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "%s:%u:%u: invalid interpolation format for %s: \"%s\"; you may need to "
			    "escape any $ with another $",
			    v->pos.file, v->pos.line, v->pos.col, p, v->str);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "%s:%u:%u: error while interpolating %s: %s", v->pos.file, v->pos.line,
				    v->pos.col, p, e->msg);
	}
	cc_val_set_str_take(v, out);
	return 0;
}

int cc_interpolate_tree(struct cc_val *root, const struct cc_template_ctx *ctx, struct cc_error **err)
{
	return walk(root, ctx, NULL, err);
}
