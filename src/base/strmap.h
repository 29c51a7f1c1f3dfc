/* String-keyed hash map with insertion order (open addressing over an index, entries in a vector).
 * Keys are copied; values are owned by the caller unless a free function is given. */
#ifndef CC_BASE_STRMAP_H
#define CC_BASE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct cc_strmap_entry {
	char *key;
	void *value;
	bool deleted;
};

struct cc_strmap {
	struct cc_strmap_entry *entries; /* insertion order */
	size_t n, cap;
	size_t *index; /* slot -> entry index + 1, 0 = empty */
	size_t index_cap;
	size_t live;
	void (*free_value)(void *);
};

void cc_strmap_init(struct cc_strmap *m, void (*free_value)(void *));
void cc_strmap_release(struct cc_strmap *m);
void *cc_strmap_get(const struct cc_strmap *m, const char *key);
bool cc_strmap_has(const struct cc_strmap *m, const char *key);
/* Insert or replace (an old value is freed with free_value). */
void cc_strmap_set(struct cc_strmap *m, const char *key, void *value);
bool cc_strmap_remove(struct cc_strmap *m, const char *key);
size_t cc_strmap_size(const struct cc_strmap *m);

#define cc_strmap_foreach(m, ent)                                                                            \
	for (struct cc_strmap_entry *ent = (m)->entries; ent && ent < (m)->entries + (m)->n; ent++)          \
		if (!ent->deleted)

#endif
