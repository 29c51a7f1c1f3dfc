#include "compose/merge.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "base/xalloc.h"

#include <stdint.h>

#include <stdlib.h>
#include <string.h>

enum seq_rule {
	SEQ_APPEND,
	SEQ_APPEND_UNIQUE,
	SEQ_REPLACE,
	SEQ_BY_KEY,
};

static enum seq_rule seq_rule_for(const char *key)
{
	static const char *const replace[] = {"command", "entrypoint", "test", NULL};
	static const char *const by_key[] = {"ports", "volumes", "secrets", "configs", "devices", NULL};
	static const char *const unique[] = {
	    "cap_add",      "cap_drop",   "expose",
	    "security_opt", "links",      "external_links",
	    "volumes_from", "group_add",  "profiles",
	    "dns",          "dns_search", "dns_opt",
	    "extra_hosts",  "aliases",    "device_cgroup_rules",
	    "tags",         "cache_from", "cache_to",
	    "platforms",    "label_file", NULL,
	};
	for (const char *const *k = replace; *k; k++)
		if (!strcmp(*k, key))
			return SEQ_REPLACE;
	for (const char *const *k = by_key; *k; k++)
		if (!strcmp(*k, key))
			return SEQ_BY_KEY;
	for (const char *const *k = unique; *k; k++)
		if (!strcmp(*k, key))
			return SEQ_APPEND_UNIQUE;
	return SEQ_APPEND;
}

static void text_of(const struct cc_val *v, const char *k, struct cc_strbuf *sb)
{
	const struct cc_val *x = cc_map_get(v, k);
	cc_strbuf_adds(sb, x && x->str ? x->str : "");
	cc_strbuf_addch(sb, '\x1f');
}

/* The identity of a list entry for merging: ports by ip/target/published/protocol, mounts by target. */
static char *entry_key(const char *list, const struct cc_val *v)
{
	struct cc_strbuf sb = CC_STRBUF_INIT;
	if (v->kind != CC_V_MAP) {
		cc_strbuf_adds(&sb, v->str ? v->str : "");
		return cc_strbuf_detach(&sb, NULL);
	}
	if (!strcmp(list, "ports")) {
		text_of(v, "host_ip", &sb);
		text_of(v, "target", &sb);
		text_of(v, "published", &sb);
		text_of(v, "protocol", &sb);
	} else if (!strcmp(list, "secrets") || !strcmp(list, "configs")) {
		text_of(v, "target", &sb);
		if (!cc_map_get(v, "target"))
			text_of(v, "source", &sb);
	} else {
		text_of(v, "target", &sb);
	}
	return cc_strbuf_detach(&sb, NULL);
}

static bool scalar_same(const struct cc_val *a, const struct cc_val *b)
{
	return cc_val_is_scalar(a) && cc_val_is_scalar(b) && a->str && b->str && !strcmp(a->str, b->str);
}

static void merge_value(struct cc_val *base, struct cc_val *over, const char *key);

static void merge_seq(struct cc_val *base, struct cc_val *over, const char *key)
{
	enum seq_rule rule = seq_rule_for(key);
	if (rule == SEQ_BY_KEY) {
		/* an index of the base entries by key keeps large lists (port ranges) linear */
		struct cc_strmap index;
		cc_strmap_init(&index, NULL);
		for (size_t j = 0; j < base->seq.n; j++) {
			cleanup_free char *bk = entry_key(key, base->seq.v[j]);
			if (!cc_strmap_has(&index, bk))
				cc_strmap_set(&index, bk, (void *)(uintptr_t)(j + 1));
		}
		for (size_t i = 0; i < over->seq.n; i++) {
			struct cc_val *it = over->seq.v[i];
			over->seq.v[i] = NULL;
			cleanup_free char *k = entry_key(key, it);
			uintptr_t at = (uintptr_t)cc_strmap_get(&index, k);
			if (at) {
				cc_val_free(base->seq.v[at - 1]);
				base->seq.v[at - 1] = it;
			} else {
				cc_seq_push(base, it);
				cc_strmap_set(&index, k, (void *)(uintptr_t)base->seq.n);
			}
		}
		cc_strmap_release(&index);
		over->seq.n = 0;
		return;
	}
	struct cc_strmap seen;
	cc_strmap_init(&seen, NULL);
	if (rule == SEQ_APPEND_UNIQUE)
		for (size_t j = 0; j < base->seq.n; j++)
			if (cc_val_is_scalar(base->seq.v[j]) && base->seq.v[j]->str)
				cc_strmap_set(&seen, base->seq.v[j]->str, NULL);
	for (size_t i = 0; i < over->seq.n; i++) {
		struct cc_val *it = over->seq.v[i];
		over->seq.v[i] = NULL;
		bool scalar = cc_val_is_scalar(it) && it->str;
		if (rule == SEQ_APPEND_UNIQUE && scalar && cc_strmap_has(&seen, it->str)) {
			cc_val_free(it);
			continue;
		}
		if (rule == SEQ_APPEND_UNIQUE && scalar)
			cc_strmap_set(&seen, it->str, NULL);
		cc_seq_push(base, it);
	}
	cc_strmap_release(&seen);
	over->seq.n = 0;
}

static void replace_into(struct cc_val *base, struct cc_val *over)
{
	/* Swap contents so callers keep their pointer to base. */
	struct cc_val tmp = *base;
	*base = *over;
	*over = tmp;
}

static void merge_map(struct cc_val *base, struct cc_val *over, const char *key)
{
	if (!strcmp(key, "logging")) {
		struct cc_val *bd = cc_map_get(base, "driver"), *od = cc_map_get(over, "driver");
		if (bd && od && !scalar_same(bd, od)) {
			replace_into(base, over);
			return;
		}
	}
	for (size_t i = 0; i < over->map.n; i++) {
		struct cc_mapent *e = &over->map.e[i];
		struct cc_val *ov = e->val;
		if (ov->flags & CC_VF_RESET) {
			cc_map_del(base, e->key);
			continue;
		}
		struct cc_mapent *be = cc_map_find(base, e->key);
		e->val = NULL;
		if (!be || (ov->flags & CC_VF_OVERRIDE)) {
			ov->flags &= ~(unsigned)CC_VF_OVERRIDE;
			if (be) {
				cc_val_free(be->val);
				be->val = ov;
			} else {
				cc_map_set_pos(base, e->key, ov, e->kpos);
			}
			continue;
		}
		merge_value(be->val, ov, e->key);
		cc_val_free(ov);
	}
}

static void merge_value(struct cc_val *base, struct cc_val *over, const char *key)
{
	if (base->kind == CC_V_MAP && over->kind == CC_V_MAP) {
		merge_map(base, over, key);
		return;
	}
	if (base->kind == CC_V_SEQ && over->kind == CC_V_SEQ && seq_rule_for(key) != SEQ_REPLACE) {
		merge_seq(base, over, key);
		return;
	}
	/* A null over a mapping (e.g. `networks: {front: }` over aliases) keeps what the base says. */
	if (over->kind == CC_V_NULL && base->kind == CC_V_MAP && !(over->flags & CC_VF_RESET))
		return;
	replace_into(base, over);
}

void cc_merge_service(struct cc_val *base, struct cc_val *over)
{
	if (over->flags & CC_VF_OVERRIDE) {
		over->flags &= ~(unsigned)CC_VF_OVERRIDE;
		replace_into(base, over);
		cc_val_free(over);
		return;
	}
	merge_map(base, over, "service");
	cc_val_free(over);
}

void cc_merge_model(struct cc_val *base, struct cc_val *over)
{
	merge_map(base, over, "");
	cc_val_free(over);
}

void cc_strip_merge_marks(struct cc_val *v)
{
	v->flags &= ~(unsigned)CC_VF_OVERRIDE;
	if (v->kind == CC_V_MAP) {
		size_t w = 0;
		for (size_t r = 0; r < v->map.n; r++) {
			struct cc_mapent e = v->map.e[r];
			if (e.val->flags & CC_VF_RESET) {
				free(e.key);
				cc_val_free(e.val);
				continue;
			}
			cc_strip_merge_marks(e.val);
			v->map.e[w++] = e;
		}
		v->map.n = w;
		cc_map_invalidate(v);
	} else if (v->kind == CC_V_SEQ) {
		size_t w = 0;
		for (size_t r = 0; r < v->seq.n; r++) {
			if (v->seq.v[r]->flags & CC_VF_RESET) {
				cc_val_free(v->seq.v[r]);
				continue;
			}
			cc_strip_merge_marks(v->seq.v[r]);
			v->seq.v[w++] = v->seq.v[r];
		}
		v->seq.n = w;
	}
}
