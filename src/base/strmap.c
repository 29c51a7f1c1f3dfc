#include "base/strmap.h"
#include "base/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Eight bytes a step, then murmur3's finalizer so that the low bits the index uses depend on every byte.
 * (FNV-1a, a byte a step, was a tenth of a 100-container listing: container ids are 64 characters.) */
static uint64_t hash_str(const char *s)
{
	size_t len = strlen(s);
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
	for (; len >= 8; len -= 8, s += 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	uint64_t tail = 0;
	memcpy(&tail, s, len);
	h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

void cc_strmap_init(struct cc_strmap *m, void (*free_value)(void *))
{
	memset(m, 0, sizeof(*m));
	m->free_value = free_value;
}

void cc_strmap_release(struct cc_strmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		if (!m->entries[i].deleted && m->free_value)
			m->free_value(m->entries[i].value);
		free(m->entries[i].key);
	}
	free(m->entries);
	free(m->index);
	cc_strmap_init(m, m->free_value);
}

/* Returns the slot holding key, or the empty slot where it would go. */
static size_t find_slot(const struct cc_strmap *m, const char *key, bool *found)
{
	size_t mask = m->index_cap - 1;
	size_t slot = (size_t)hash_str(key) & mask;
	for (;;) {
		size_t ix = m->index[slot];
		if (ix == 0) {
			*found = false;
			return slot;
		}
		if (strcmp(m->entries[ix - 1].key, key) == 0) {
			*found = true;
			return slot;
		}
		slot = (slot + 1) & mask;
	}
}

static void rehash(struct cc_strmap *m, size_t cap)
{
	/* Compact deleted entries so the index only ever points at live ones. */
	size_t w = 0;
	for (size_t r = 0; r < m->n; r++) {
		if (m->entries[r].deleted) {
			free(m->entries[r].key);
			continue;
		}
		m->entries[w++] = m->entries[r];
	}
	m->n = w;
	free(m->index);
	m->index_cap = cap;
	m->index = cc_xcalloc(cap, sizeof(*m->index));
	for (size_t i = 0; i < m->n; i++) {
		bool found;
		size_t slot = find_slot(m, m->entries[i].key, &found);
		m->index[slot] = i + 1;
	}
}

void *cc_strmap_get(const struct cc_strmap *m, const char *key)
{
	if (!m->index_cap)
		return NULL;
	bool found;
	size_t slot = find_slot(m, key, &found);
	return found ? m->entries[m->index[slot] - 1].value : NULL;
}

bool cc_strmap_has(const struct cc_strmap *m, const char *key)
{
	if (!m->index_cap)
		return false;
	bool found;
	find_slot(m, key, &found);
	return found;
}

void cc_strmap_set(struct cc_strmap *m, const char *key, void *value)
{
	if ((m->n + 1) * 2 > m->index_cap)
		rehash(m, m->index_cap ? m->index_cap * 2 : 16);
	bool found;
	size_t slot = find_slot(m, key, &found);
	if (found) {
		struct cc_strmap_entry *e = &m->entries[m->index[slot] - 1];
		if (m->free_value && e->value != value)
			m->free_value(e->value);
		e->value = value;
		return;
	}
	CC_GROW(m->entries, m->cap, m->n + 1);
	m->entries[m->n] = (struct cc_strmap_entry){cc_xstrdup(key), value, false};
	m->n++;
	m->live++;
	m->index[slot] = m->n;
}

bool cc_strmap_remove(struct cc_strmap *m, const char *key)
{
	if (!m->index_cap)
		return false;
	bool found;
	size_t slot = find_slot(m, key, &found);
	if (!found)
		return false;
	struct cc_strmap_entry *e = &m->entries[m->index[slot] - 1];
	if (m->free_value)
		m->free_value(e->value);
	e->value = NULL;
	e->deleted = true;
	m->live--;
	/* Rebuilding keeps linear probing correct without tombstones in the index. */
	rehash(m, m->index_cap);
	return true;
}

size_t cc_strmap_size(const struct cc_strmap *m)
{
	return m->live;
}
