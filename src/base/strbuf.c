#include "base/strbuf.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cc_strbuf_init(struct cc_strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
}

void cc_strbuf_release(struct cc_strbuf *sb)
{
	free(sb->buf);
	cc_strbuf_init(sb);
}

char *cc_strbuf_detach(struct cc_strbuf *sb, size_t *len)
{
	cc_strbuf_grow(sb, 0);
	char *out = sb->buf;
	if (len)
		*len = sb->len;
	cc_strbuf_init(sb);
	return out;
}

void cc_strbuf_reset(struct cc_strbuf *sb)
{
	cc_strbuf_truncate(sb, 0);
}

void cc_strbuf_truncate(struct cc_strbuf *sb, size_t len)
{
	if (len < sb->len) {
		sb->len = len;
		sb->buf[len] = '\0';
	}
}

void cc_strbuf_grow(struct cc_strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return;
	size_t n = sb->alloc ? sb->alloc : 64;
	while (n < need)
		n *= 2;
	sb->buf = cc_xrealloc(sb->buf, n);
	sb->alloc = n;
	sb->buf[sb->len] = '\0';
}

void cc_strbuf_add_slow(struct cc_strbuf *sb, const void *data, size_t len)
{
	cc_strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void cc_strbuf_vaddf(struct cc_strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	cc_strbuf_grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void cc_strbuf_addf(struct cc_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cc_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

const char *cc_strbuf_str(const struct cc_strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}
