/* Growable, always NUL-terminated byte buffer (git's strbuf). Used to build paths, messages and output. */
#ifndef CC_BASE_STRBUF_H
#define CC_BASE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct cc_strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

#define CC_STRBUF_INIT                                                                                       \
	{                                                                                                    \
		NULL, 0, 0                                                                                   \
	}

void cc_strbuf_init(struct cc_strbuf *sb);
void cc_strbuf_release(struct cc_strbuf *sb);
/* Hand the buffer to the caller (never NULL) and reset sb. */
char *cc_strbuf_detach(struct cc_strbuf *sb, size_t *len);
void cc_strbuf_reset(struct cc_strbuf *sb);
void cc_strbuf_truncate(struct cc_strbuf *sb, size_t len);
void cc_strbuf_grow(struct cc_strbuf *sb, size_t extra);
void cc_strbuf_add_slow(struct cc_strbuf *sb, const void *data, size_t len);

/* Appends are on every hot path that builds output; the common case (room left) stays inline. */
static inline void cc_strbuf_add(struct cc_strbuf *sb, const void *data, size_t len)
{
	if (sb->len + len < sb->alloc) {
		memcpy(sb->buf + sb->len, data, len);
		sb->len += len;
		sb->buf[sb->len] = '\0';
		return;
	}
	cc_strbuf_add_slow(sb, data, len);
}

static inline void cc_strbuf_adds(struct cc_strbuf *sb, const char *s)
{
	cc_strbuf_add(sb, s, strlen(s));
}

static inline void cc_strbuf_addch(struct cc_strbuf *sb, char c)
{
	cc_strbuf_add(sb, &c, 1);
}
void cc_strbuf_addf(struct cc_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cc_strbuf_vaddf(struct cc_strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Empty string view that is valid even before the first allocation. */
const char *cc_strbuf_str(const struct cc_strbuf *sb);

static inline void cc_strbuf_releasep(struct cc_strbuf *sb)
{
	cc_strbuf_release(sb);
}
#define cleanup_strbuf __attribute__((cleanup(cc_strbuf_releasep)))

#endif
