#include "compose/yaml_load.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "base/xalloc.h"

#include <libfyaml.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

struct frame {
	struct cc_val *node;
	/* mapping state */
	char *key; /* pending key, NULL when the next scalar is a key */
	struct cc_pos kpos;
	bool key_is_merge;
	struct cc_val **merges; /* values of `<<` keys, applied at mapping end */
	size_t nmerges, capmerges;
	struct cc_pos merge_pos;
	char *anchor; /* anchor to register when the node completes */
};

struct builder {
	const char *file;
	struct frame *stack;
	size_t depth, cap;
	struct cc_strmap anchors; /* name -> struct cc_val * (owned copies) */
	struct cc_val *root;
	size_t nodes;
	size_t alias_nodes;
	struct cc_strbuf diag; /* first libfyaml diagnostic */
};

static struct cc_pos pos_of(struct builder *b, const struct fy_mark *m)
{
	struct cc_pos p = {b->file, 0, 0};
	if (m) {
		p.line = (uint32_t)m->line + 1;
		p.col = (uint32_t)m->column + 1;
	}
	return p;
}

static void path_of(struct builder *b, struct cc_strbuf *sb)
{
	/* each open frame but the innermost says where its child sits: a pending key or the next index */
	for (size_t i = 1; i < b->depth; i++) {
		const struct frame *parent = &b->stack[i - 1];
		if (parent->node->kind == CC_V_MAP) {
			if (sb->len)
				cc_strbuf_addch(sb, '.');
			cc_strbuf_adds(sb, parent->key ? parent->key : "?");
		} else {
			cc_strbuf_addf(sb, "[%zu]", parent->node->seq.n);
		}
	}
}

static int fail_at(struct builder *b, struct cc_pos p, struct cc_error **err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(struct builder *b, struct cc_pos p, struct cc_error **err, const char *fmt, ...)
{
	cleanup_strbuf struct cc_strbuf msg = CC_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cc_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s:%u:%u: %s", b->file, p.line, p.col, msg.buf);
}

static int count_nodes(struct builder *b, size_t n, bool alias, struct cc_pos p, struct cc_error **err)
{
	b->nodes += n;
	if (alias)
		b->alias_nodes += n;
	if (b->alias_nodes > CC_YAML_MAX_ALIAS_NODES)
		return fail_at(b, p, err, "excessive aliasing: aliases expand to more than %d nodes",
			       CC_YAML_MAX_ALIAS_NODES);
	if (b->nodes > CC_YAML_MAX_NODES)
		return fail_at(b, p, err, "document too large: more than %d nodes", CC_YAML_MAX_NODES);
	return 0;
}

static size_t tree_size(const struct cc_val *v)
{
	size_t n = 1;
	for (size_t i = 0; i < v->seq.n; i++)
		n += tree_size(v->seq.v[i]);
	for (size_t i = 0; i < v->map.n; i++)
		n += tree_size(v->map.e[i].val);
	return n;
}

static void apply_tag(struct fy_token *tag, struct cc_val *v)
{
	if (!tag)
		return;
	size_t hl = 0, sl = 0;
	const char *handle = fy_tag_token_handle(tag, &hl);
	const char *suffix = fy_tag_token_suffix(tag, &sl);
	if (!suffix)
		return;
	bool primary = handle && hl == 1 && handle[0] == '!';
	bool secondary = handle && hl == 2 && !memcmp(handle, "!!", 2);
	if (primary && sl == 5 && !memcmp(suffix, "reset", 5))
		v->flags |= CC_VF_RESET;
	else if (primary && sl == 8 && !memcmp(suffix, "override", 8))
		v->flags |= CC_VF_OVERRIDE;
	else if (secondary && sl == 3 && !memcmp(suffix, "str", 3) && cc_val_is_scalar(v)) {
		v->kind = CC_V_STR;
		v->flags |= CC_VF_QUOTED;
	}
}

static int push_frame(struct builder *b, struct cc_val *node, struct fy_token *anchor, struct cc_error **err)
{
	/* every later stage walks the tree recursively: bound the depth here, with a position */
	if (b->depth >= CC_YAML_MAX_DEPTH) {
		fail_at(b, node->pos, err, "nesting deeper than %d levels", CC_YAML_MAX_DEPTH);
		cc_val_free(node);
		return -1;
	}
	CC_GROW(b->stack, b->cap, b->depth + 1);
	struct frame *f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->node = node;
	if (anchor) {
		size_t al = 0;
		const char *a = fy_token_get_text(anchor, &al);
		f->anchor = cc_xstrndup(a, al);
	}
	return 0;
}

/* The anchored node is copied (the tree may free or change the original before an alias refers to it); the
 * copy counts like an alias expansion, so nested anchors cannot grow memory without bound. */
static int register_anchor(struct builder *b, const char *name, const struct cc_val *v, struct cc_error **err)
{
	if (count_nodes(b, tree_size(v), true, v->pos, err) < 0)
		return -1;
	cc_strmap_set(&b->anchors, name, cc_val_copy(v));
	return 0;
}

static struct cc_mapent *frame_find(struct frame *f, const char *key);
static void frame_add(struct frame *f, char *key, struct cc_val *v, struct cc_pos kpos);

static int merge_into(struct builder *b, struct frame *f, struct cc_val *src, struct cc_pos at,
		      struct cc_error **err)
{
	if (src->kind == CC_V_SEQ) {
		/* In `<<: [*a, *b]` earlier sources win, and explicit keys win over all of them. */
		for (size_t i = 0; i < src->seq.n; i++)
			if (merge_into(b, f, src->seq.v[i], at, err) < 0)
				return -1;
		return 0;
	}
	if (src->kind != CC_V_MAP)
		return fail_at(b, at, err, "map merge requires map or sequence of maps as the value, got %s",
			       cc_vkind_name(src->kind));
	for (size_t i = 0; i < src->map.n; i++) {
		struct cc_mapent *e = &src->map.e[i];
		if (frame_find(f, e->key))
			continue;
		frame_add(f, cc_xstrdup(e->key), cc_val_copy(e->val), e->kpos);
	}
	return 0;
}

static void frame_release(struct frame *f)
{
	free(f->key);
	for (size_t i = 0; i < f->nmerges; i++)
		cc_val_free(f->merges[i]);
	free(f->merges);
	free(f->anchor);
}

/* Mappings index themselves once large (value.c), so duplicate detection stays linear on huge ones. */
static struct cc_mapent *frame_find(struct frame *f, const char *key)
{
	return cc_map_find(f->node, key);
}

static void frame_add(struct frame *f, char *key, struct cc_val *v, struct cc_pos kpos)
{
	cc_map_append(f->node, key, v, kpos);
	free(key);
}

/* Place a completed node into the parent frame (or make it the root). Takes ownership of v. */
static int attach(struct builder *b, struct cc_val *v, struct cc_error **err)
{
	if (b->depth == 0) {
		b->root = v;
		return 0;
	}
	struct frame *f = &b->stack[b->depth - 1];
	if (f->node->kind == CC_V_SEQ) {
		cc_seq_push(f->node, v);
		return 0;
	}
	if (!f->key) {
		/* v is a key */
		cleanup_strbuf struct cc_strbuf path = CC_STRBUF_INIT;
		if (v->kind == CC_V_SEQ || v->kind == CC_V_MAP) {
			path_of(b, &path);
			fail_at(b, v->pos, err, "non-string key in %s: complex keys are not supported",
				path.len ? path.buf : "the top level");
			cc_val_free(v);
			return -1;
		}
		if (v->kind != CC_V_STR) {
			path_of(b, &path);
			fail_at(b, v->pos, err, "non-string key in %s: %s",
				path.len ? path.buf : "the top level", v->str);
			cc_val_free(v);
			return -1;
		}
		f->key_is_merge = !(v->flags & CC_VF_QUOTED) && !strcmp(v->str, "<<");
		if (f->key_is_merge)
			f->merge_pos = v->pos;
		if (!f->key_is_merge) {
			struct cc_mapent *dup = frame_find(f, v->str);
			if (dup) {
				fail_at(b, v->pos, err, "mapping key \"%s\" already defined at line %u",
					v->str, dup->kpos.line);
				cc_val_free(v);
				return -1;
			}
		}
		f->key = steal_pointer(&v->str);
		f->kpos = v->pos;
		cc_val_free(v);
		return 0;
	}
	if (f->key_is_merge) {
		CC_GROW(f->merges, f->capmerges, f->nmerges + 1);
		f->merges[f->nmerges++] = v;
	} else {
		/* an empty value (`build: !reset`) has no mark of its own: point at its key */
		if (v->pos.line == 0)
			v->pos = f->kpos;
		frame_add(f, f->key, v, f->kpos);
		f->key = NULL;
	}
	free(f->key);
	f->key = NULL;
	f->key_is_merge = false;
	return 0;
}

static int complete_frame(struct builder *b, struct cc_error **err)
{
	struct frame f = b->stack[--b->depth];
	int r = 0;
	for (size_t i = 0; i < f.nmerges && r == 0; i++)
		r = merge_into(b, &f, f.merges[i], f.merge_pos, err);
	if (r == 0 && f.anchor)
		r = register_anchor(b, f.anchor, f.node, err);
	frame_release(&f);
	if (r < 0) {
		cc_val_free(f.node);
		return -1;
	}
	return attach(b, f.node, err);
}

static int on_event(struct builder *b, struct fy_event *ev, struct cc_error **err)
{
	struct cc_pos p = pos_of(b, fy_event_start_mark(ev));
	switch (ev->type) {
	case FYET_SCALAR: {
		size_t len = 0;
		const char *text = fy_token_get_text(ev->scalar.value, &len);
		if (!text)
			text = "";
		struct cc_val *v;
		if (fy_token_scalar_style(ev->scalar.value) == FYSS_PLAIN) {
			v = cc_val_new_plain_scalar(text, len, p);
		} else {
			/* libfyaml marks a quoted scalar after its opening quote; point at the quote */
			if (p.col > 1 && (fy_token_scalar_style(ev->scalar.value) == FYSS_SINGLE_QUOTED ||
					  fy_token_scalar_style(ev->scalar.value) == FYSS_DOUBLE_QUOTED))
				p.col--;
			v = cc_val_new_strn(text, len, p);
			v->flags |= CC_VF_QUOTED;
		}
		apply_tag(ev->scalar.tag, v);
		if (count_nodes(b, 1, false, p, err) < 0) {
			cc_val_free(v);
			return -1;
		}
		if (ev->scalar.anchor) {
			size_t al = 0;
			const char *a = fy_token_get_text(ev->scalar.anchor, &al);
			cleanup_free char *name = cc_xstrndup(a, al);
			if (register_anchor(b, name, v, err) < 0) {
				cc_val_free(v);
				return -1;
			}
		}
		return attach(b, v, err);
	}
	case FYET_ALIAS: {
		size_t al = 0;
		const char *a = fy_token_get_text(ev->alias.anchor, &al);
		cleanup_free char *name = cc_xstrndup(a, al);
		struct cc_val *target = cc_strmap_get(&b->anchors, name);
		if (!target)
			return fail_at(b, p, err, "unknown anchor \"%s\" referenced", name);
		if (count_nodes(b, tree_size(target), true, p, err) < 0)
			return -1;
		struct cc_val *v = cc_val_copy(target);
		return attach(b, v, err);
	}
	case FYET_MAPPING_START:
	case FYET_SEQUENCE_START: {
		bool map = ev->type == FYET_MAPPING_START;
		struct cc_val *v = cc_val_new(map ? CC_V_MAP : CC_V_SEQ, p);
		apply_tag(map ? ev->mapping_start.tag : ev->sequence_start.tag, v);
		if (count_nodes(b, 1, false, p, err) < 0) {
			cc_val_free(v);
			return -1;
		}
		return push_frame(b, v, map ? ev->mapping_start.anchor : ev->sequence_start.anchor, err);
	}
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		return complete_frame(b, err);
	default:
		return 0;
	}
}

static void diag_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	struct builder *b = user;
	if (b->diag.len == 0)
		cc_strbuf_add(&b->diag, buf, len);
}

static void builder_release(struct builder *b)
{
	while (b->depth > 0) {
		struct frame *f = &b->stack[--b->depth];
		cc_val_free(f->node);
		frame_release(f);
	}
	free(b->stack);
	cc_strmap_release(&b->anchors);
	cc_val_free(b->root);
	cc_strbuf_release(&b->diag);
}

static void anchor_free(void *v)
{
	cc_val_free(v);
}

/* libfyaml's messages look like "file:L:C: error: text"; keep "file:L:C: text" on one line. */
static int parse_error(struct builder *b, struct cc_error **err)
{
	cleanup_strbuf struct cc_strbuf msg = CC_STRBUF_INIT;
	const char *d = cc_strbuf_str(&b->diag);
	const char *nl = strchr(d, '\n');
	cc_strbuf_add(&msg, d, nl ? (size_t)(nl - d) : strlen(d));
	char *e = strstr(msg.buf ? msg.buf : "", ": error: ");
	if (e)
		memmove(e + 2, e + 9, strlen(e + 9) + 1);
	if (!msg.len)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: invalid YAML", b->file);
	if (strncmp(msg.buf, b->file, strlen(b->file)) != 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: invalid YAML: %s", b->file, msg.buf);
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s", msg.buf);
}

/* YAML streams are UTF-8 here; rejecting anything else up front also keeps malformed bytes away from libfyaml
 * 0.7, whose directive scanner loops forever on them (found by fuzz/fuzz_loader). */
static int check_utf8(const char *data, size_t len, const char *file, struct cc_error **err)
{
	const unsigned char *p = (const unsigned char *)data, *end = p + len;
	unsigned line = 1, col = 1;
	while (p < end) {
		unsigned char c = *p;
		size_t n = c < 0x80             ? 1
			   : (c & 0xe0) == 0xc0 ? 2
			   : (c & 0xf0) == 0xe0 ? 3
			   : (c & 0xf8) == 0xf0 ? 4
						: 0;
		bool ok = n > 0 && (size_t)(end - p) >= n && !(n == 2 && c < 0xc2) &&
			  !(c == 0xf4 && n == 4 && p[1] > 0x8f) && c <= 0xf4 &&
			  !(n == 3 && c == 0xe0 && p[1] < 0xa0) && !(n == 4 && c == 0xf0 && p[1] < 0x90) &&
			  !(n == 3 && c == 0xed && p[1] > 0x9f);
		for (size_t i = 1; ok && i < n; i++)
			ok = (p[i] & 0xc0) == 0x80;
		if (!ok || c == 0)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "%s:%u:%u: invalid %s (YAML must be UTF-8 text)", file, line, col,
					    c == 0 ? "NUL byte" : "UTF-8 byte sequence");
		if (c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		p += n;
	}
	return 0;
}

int cc_yaml_load(const char *data, size_t len, const char *file, struct cc_yaml_docs *out,
		 struct cc_error **err)
{
	if (check_utf8(data, len, file, err) < 0)
		return -1;
	if (len == 0)
		return 0; /* no documents */
	struct builder b = {.file = file};
	cc_strmap_init(&b.anchors, anchor_free);
	cc_strbuf_init(&b.diag);

	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = diag_output;
	dcfg.user = &b;
	dcfg.colorize = false;
	dcfg.show_source = false;
	dcfg.show_position = true;
	dcfg.show_type = false;
	dcfg.show_module = false;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	struct fy_parse_cfg cfg = {
	    .flags = FYPCF_QUIET | FYPCF_ALLOW_DUPLICATE_KEYS,
	    .diag = diag,
	};
	FILE *in = NULL;
	struct fy_parser *fyp = fy_parser_create(&cfg);
	if (!fyp) {
		fy_diag_unref(diag);
		builder_release(&b);
		return cc_error_set(err, CC_ERR_INTERNAL, "%s: cannot create YAML parser", file);
	}
	int r = 0;
	/* an input stream with the file's name, so libfyaml's diagnostics say file:line:col */
	in = fmemopen((void *)data, len, "r");
	if (!in || fy_parser_set_input_fp(fyp, file, in) != 0) {
		if (in)
			fclose(in);
		in = NULL;
		r = cc_error_set(err, CC_ERR_INTERNAL, "%s: cannot read YAML input", file);
		goto out;
	}
	struct fy_event *ev;
	while ((ev = fy_parser_parse(fyp)) != NULL) {
		if (ev->type == FYET_DOCUMENT_START) {
			cc_strmap_release(&b.anchors);
			cc_strmap_init(&b.anchors, anchor_free);
		}
		if (ev->type == FYET_DOCUMENT_END && b.root) {
			CC_GROW(out->docs, out->cap, out->n + 1);
			out->docs[out->n++] = steal_pointer(&b.root);
		}
		r = on_event(&b, ev, err);
		fy_parser_event_free(fyp, ev);
		if (r < 0)
			goto out;
	}
	if (fy_parser_get_stream_error(fyp))
		r = parse_error(&b, err);
out:
	fy_parser_destroy(fyp);
	if (in)
		fclose(in);
	fy_diag_unref(diag);
	builder_release(&b);
	if (r < 0)
		cc_yaml_docs_release(out);
	return r;
}

void cc_yaml_docs_release(struct cc_yaml_docs *docs)
{
	for (size_t i = 0; i < docs->n; i++)
		cc_val_free(docs->docs[i]);
	free(docs->docs);
	memset(docs, 0, sizeof(*docs));
}
