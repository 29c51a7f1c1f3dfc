#include "compose/interpolate.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "compose/ypath.h"

#include <string.h>

static int walk(struct cc_val *v, const struct cc_template_ctx *ctx, struct cc_ypath *at,
		struct cc_error **err)
{
	if (v->kind == CC_V_MAP) {
		for (size_t i = 0; i < v->map.n; i++) {
			size_t mark = cc_ypath_push_key(at, v->map.e[i].key);
			int r = walk(v->map.e[i].val, ctx, at, err);
			cc_ypath_pop(at, mark);
			if (r < 0)
				return -1;
		}
		return 0;
	}
	if (v->kind == CC_V_SEQ) {
		for (size_t i = 0; i < v->seq.n; i++) {
			size_t mark = cc_ypath_push_index(at, i);
			int r = walk(v->seq.v[i], ctx, at, err);
			cc_ypath_pop(at, mark);
			if (r < 0)
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
		cc_ypath_format(at, &path);
		const char *p = path.buf;
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
	struct cc_ypath path = CC_YPATH_INIT;
	int r = walk(root, ctx, &path, err);
	cc_ypath_release(&path);
	return r;
}
