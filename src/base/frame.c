/* Typed frames on a byte stream (frame.h). */
#include "base/frame.h"

#include <string.h>

void cc_frame_put(struct cc_strbuf *out, char type, const void *payload, uint32_t len)
{
	unsigned char h[CC_FRAME_HEAD] = {(unsigned char)type, (unsigned char)(len >> 24),
					  (unsigned char)(len >> 16), (unsigned char)(len >> 8),
					  (unsigned char)len};
	cc_strbuf_add(out, h, sizeof(h));
	if (len)
		cc_strbuf_add(out, payload, len);
}

int cc_frame_next(const struct cc_strbuf *in, size_t *off, char *type, const char **payload, uint32_t *len)
{
	if (in->len - *off < CC_FRAME_HEAD)
		return 0;
	const unsigned char *h = (const unsigned char *)in->buf + *off;
	uint32_t n = ((uint32_t)h[1] << 24) | ((uint32_t)h[2] << 16) | ((uint32_t)h[3] << 8) | h[4];
	if (n > CC_FRAME_MAX)
		return -1;
	if (in->len - *off - CC_FRAME_HEAD < n)
		return 0;
	*type = (char)h[0];
	*payload = in->buf + *off + CC_FRAME_HEAD;
	*len = n;
	*off += CC_FRAME_HEAD + n;
	return 1;
}

void cc_frame_consumed(struct cc_strbuf *in, size_t used)
{
	memmove(in->buf, in->buf + used, in->len - used);
	cc_strbuf_truncate(in, in->len - used);
}

void cc_frame_size_put(struct cc_strbuf *out, unsigned rows, unsigned cols)
{
	unsigned char s[4] = {(unsigned char)(rows >> 8), (unsigned char)rows, (unsigned char)(cols >> 8),
			      (unsigned char)cols};
	cc_frame_put(out, 'w', s, sizeof(s));
}

bool cc_frame_size_get(const char *payload, uint32_t len, unsigned short *rows, unsigned short *cols)
{
	if (len != 4)
		return false;
	const unsigned char *s = (const unsigned char *)payload;
	*rows = (unsigned short)((s[0] << 8) | s[1]);
	*cols = (unsigned short)((s[2] << 8) | s[3]);
	return true;
}
