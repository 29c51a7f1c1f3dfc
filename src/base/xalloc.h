/* Allocation that aborts on out-of-memory: the only failure we do not propagate. */
#ifndef CC_BASE_XALLOC_H
#define CC_BASE_XALLOC_H

#include <stddef.h>

void *cc_xmalloc(size_t size);
void *cc_xcalloc(size_t n, size_t size);
void *cc_xrealloc(void *ptr, size_t size);
char *cc_xstrdup(const char *s);
char *cc_xstrndup(const char *s, size_t n);
char *cc_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *ptr (of *cap elements of elem_size) so it holds at least need elements. */
void cc_grow(void **ptr, size_t *cap, size_t need, size_t elem_size);
#define CC_GROW(arr, cap, need) cc_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

#endif
