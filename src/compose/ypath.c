#include "compose/ypath.h"
#include "base/cleanup.h"
#include "base/xalloc.h"

#include <stdlib.h>

static size_t push(struct cc_ypath *p, const char *key, size_t index)
{
	CC_GROW(p->steps, p->cap, p->depth + 1);
	p->steps[p->depth] = (struct cc_ypath_step){key, index};
	return p->depth++;
}

size_t cc_ypath_push_key(struct cc_ypath *p, const char *key)
{
	return push(p, key, 0);
}

size_t cc_ypath_push_index(struct cc_ypath *p, size_t index)
{
	return push(p, NULL, index);
}

void cc_ypath_pop(struct cc_ypath *p, size_t mark)
{
	p->depth = mark;
}

void cc_ypath_format(const struct cc_ypath *p, struct cc_strbuf *out)
{
	if (p->depth == 0) {
		cc_strbuf_adds(out, "top level");
		return;
	}
	for (size_t i = 0; i < p->depth; i++) {
		if (p->steps[i].key)
			cc_strbuf_addf(out, "%s%s", i ? "." : "", p->steps[i].key);
		else
			cc_strbuf_addf(out, "[%zu]", p->steps[i].index);
	}
}

void cc_ypath_release(struct cc_ypath *p)
{
	free(p->steps);
	*p = (struct cc_ypath)CC_YPATH_INIT;
}

int cc_ypath_verror(struct cc_error **err, const struct cc_ypath *p, const struct cc_val *at, const char *fmt,
		    va_list ap)
{
	cleanup_strbuf struct cc_strbuf msg = CC_STRBUF_INIT;
	cc_strbuf_vaddf(&msg, fmt, ap);
	cleanup_strbuf struct cc_strbuf path = CC_STRBUF_INIT;
	cc_ypath_format(p, &path);
	if (at && at->pos.file && at->pos.line)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s:%u:%u: %s %s", at->pos.file,
				    at->pos.line, at->pos.col, path.buf, msg.buf);
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s %s", path.buf, msg.buf);
}
