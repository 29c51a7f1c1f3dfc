#include "compose/emit.h"
#include "base/cleanup.h"
#include "base/xalloc.h"

#include <libfyaml.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *cc_val_to_json(const struct cc_val *v)
{
	switch (v->kind) {
	case CC_V_NULL:
		return json_null();
	case CC_V_BOOL:
		return json_boolean(v->num.b);
	case CC_V_INT:
		return json_integer(v->num.i);
	case CC_V_FLOAT:
		return json_real(v->num.f);
	case CC_V_STR:
		return json_stringn(v->str, strlen(v->str));
	case CC_V_SEQ: {
		json_t *a = json_array();
		for (size_t i = 0; i < v->seq.n; i++)
			json_array_append_new(a, cc_val_to_json(v->seq.v[i]));
		return a;
	}
	case CC_V_MAP: {
		json_t *o = json_object();
		for (size_t i = 0; i < v->map.n; i++)
			json_object_set_new(o, v->map.e[i].key, cc_val_to_json(v->map.e[i].val));
		return o;
	}
	}
	return json_null();
}

/* JSON is written straight from the tree: the model is already in output order, and building jansson's hashed
 * objects only to walk them again cost a quarter of `config --format json` on large projects (bench/loader).
 */
/* s with every '$' doubled, or NULL when there is none (the common case costs one strchr) */
static char *escape_dollars(const char *s)
{
	if (!strchr(s, '$'))
		return NULL;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	for (; *s; s++) {
		if (*s == '$')
			cc_strbuf_addch(&sb, '$');
		cc_strbuf_addch(&sb, *s);
	}
	return cc_strbuf_detach(&sb, NULL);
}

/* Bytes that JSON strings must escape: the quote, the backslash and the control characters. */
static const char json_special[] =
    "\"\\\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12"
    "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f";

static void jstr(struct cc_strbuf *out, const char *s)
{
	cc_strbuf_addch(out, '"');
	for (;;) {
		/* copy the plain run in one piece (strcspn is vectorised), then escape one byte */
		size_t n = strcspn(s, json_special);
		cc_strbuf_add(out, s, n);
		s += n;
		if (!*s)
			break;
		unsigned char ch = (unsigned char)*s++;
		switch (ch) {
		case '"':
			cc_strbuf_add(out, "\\\"", 2);
			break;
		case '\\':
			cc_strbuf_add(out, "\\\\", 2);
			break;
		case '\n':
			cc_strbuf_add(out, "\\n", 2);
			break;
		case '\r':
			cc_strbuf_add(out, "\\r", 2);
			break;
		case '\t':
			cc_strbuf_add(out, "\\t", 2);
			break;
		case '\b':
			cc_strbuf_add(out, "\\b", 2);
			break;
		case '\f':
			cc_strbuf_add(out, "\\f", 2);
			break;
		default: {
			char buf[8];
			snprintf(buf, sizeof(buf), "\\u%04x", ch);
			cc_strbuf_adds(out, buf);
		}
		}
	}
	cc_strbuf_addch(out, '"');
}

static void indent(struct cc_strbuf *out, int depth)
{
	static const char spaces[] = "                                                                ";
	cc_strbuf_addch(out, '\n');
	for (size_t want = 2 * (size_t)depth; want > 0;) {
		size_t n = want < sizeof(spaces) - 1 ? want : sizeof(spaces) - 1;
		cc_strbuf_add(out, spaces, n);
		want -= n;
	}
}

static void json_int(struct cc_strbuf *out, int64_t i)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (i < 0)
		*--p = '-';
	cc_strbuf_add(out, p, (size_t)(buf + sizeof(buf) - p));
}

static void json_value(struct cc_strbuf *out, const struct cc_val *v, unsigned flags, int depth)
{
	switch (v->kind) {
	case CC_V_NULL:
		cc_strbuf_adds(out, "null");
		return;
	case CC_V_BOOL:
		cc_strbuf_adds(out, v->num.b ? "true" : "false");
		return;
	case CC_V_INT:
		json_int(out, v->num.i);
		return;
	case CC_V_FLOAT:
		if (!isfinite(v->num.f)) {
			cc_strbuf_adds(out, "null"); /* JSON has no infinities */
			return;
		}
		cc_strbuf_addf(out, "%.15g", v->num.f);
		if (v->num.f == floor(v->num.f) && fabs(v->num.f) < 1e15)
			cc_strbuf_adds(out, ".0");
		return;
	case CC_V_STR: {
		char *esc = (flags & CC_EMIT_ESCAPE_DOLLAR) ? escape_dollars(v->str) : NULL;
		jstr(out, esc ? esc : v->str);
		free(esc);
		return;
	}
	case CC_V_SEQ:
		if (v->seq.n == 0) {
			cc_strbuf_adds(out, "[]");
			return;
		}
		cc_strbuf_addch(out, '[');
		for (size_t i = 0; i < v->seq.n; i++) {
			if (i)
				cc_strbuf_addch(out, ',');
			indent(out, depth + 1);
			json_value(out, v->seq.v[i], flags, depth + 1);
		}
		indent(out, depth);
		cc_strbuf_addch(out, ']');
		return;
	case CC_V_MAP:
		if (v->map.n == 0) {
			cc_strbuf_adds(out, "{}");
			return;
		}
		cc_strbuf_addch(out, '{');
		for (size_t i = 0; i < v->map.n; i++) {
			if (i)
				cc_strbuf_addch(out, ',');
			indent(out, depth + 1);
			jstr(out, v->map.e[i].key);
			cc_strbuf_add(out, ": ", 2);
			json_value(out, v->map.e[i].val, flags, depth + 1);
		}
		indent(out, depth);
		cc_strbuf_addch(out, '}');
		return;
	}
}

void cc_emit_json(const struct cc_val *v, unsigned flags, struct cc_strbuf *out)
{
	json_value(out, v, flags, 0);
	cc_strbuf_addch(out, '\n');
}

/* Whether a string must be quoted to read back as the same string. libfyaml 0.7 leaves that to the caller, so
 * be conservative: quote anything a YAML reader could take for another type or structure, or trim. */
static bool needs_quotes(const char *s)
{
	size_t n = strlen(s);
	if (n == 0)
		return true;
	/* leading or trailing blanks, and characters that start YAML syntax */
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    strchr("-?:,[]{}#&*!|>'\"%@`", s[0]))
		return true;
	if (strstr(s, ": ") || strstr(s, " #") || s[n - 1] == ':')
		return true;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	struct cc_val *probe = cc_val_new_plain_scalar(s, n, (struct cc_pos){0});
	bool other = probe->kind != CC_V_STR;
	cc_val_free(probe);
	if (other)
		return true;
	/* YAML 1.1 readers (docker-compose 1.x, PyYAML) also read these as booleans */
	static const char *const y11[] = {"y",  "Y",  "yes", "Yes", "YES", "n",   "N",   "no", "No",
					  "NO", "on", "On",  "ON",  "off", "Off", "OFF", NULL};
	for (const char *const *w = y11; *w; w++)
		if (!strcmp(*w, s))
			return true;
	/* leading zeros read as octal by YAML 1.1 */
	return s[0] == '0' && strspn(s, "0123456789_") == n;
}

/* libfyaml 0.7 cannot set a node's style, and its event emitter mangles block sequences of mappings; so a
 * quoted scalar is made by parsing a double-quoted YAML literal, which keeps its style. */
static struct fy_node *quoted_scalar(struct fy_document *doc, const char *text)
{
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_strbuf_addch(&sb, '"');
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\') {
			cc_strbuf_addch(&sb, '\\');
			cc_strbuf_addch(&sb, (char)*p);
		} else if (*p == '\n') {
			cc_strbuf_adds(&sb, "\\n");
		} else if (*p == '\t') {
			cc_strbuf_adds(&sb, "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			cc_strbuf_addf(&sb, "\\x%02x", *p);
		} else {
			cc_strbuf_addch(&sb, (char)*p);
		}
	}
	cc_strbuf_addch(&sb, '"');
	size_t len = 0;
	char *buf = cc_strbuf_detach(&sb, &len);
	/* the node keeps pointing into buf, which the document frees; libfyaml owns buf from this call on,
	 * also when the build fails (it frees it then: freeing it here too was a double free the fuzzer
	 * found), and a plain scalar, which the emitter quotes as it must, stands in */
	struct fy_node *n = fy_node_build_from_malloc_string(doc, buf, len);
	return n ? n : fy_node_create_scalar_copy(doc, text, strlen(text));
}

static struct fy_node *scalar(struct fy_document *doc, const char *text, bool quote)
{
	if (quote || strchr(text, '\n'))
		return quoted_scalar(doc, text);
	return fy_node_create_scalar_copy(doc, text, strlen(text));
}

static struct fy_node *to_node(struct fy_document *doc, const struct cc_val *v, unsigned flags)
{
	switch (v->kind) {
	case CC_V_NULL:
		return fy_node_create_scalar(doc, "null", 4);
	case CC_V_BOOL:
	case CC_V_INT:
	case CC_V_FLOAT:
		return scalar(doc, v->str, false);
	case CC_V_STR: {
		char *esc = (flags & CC_EMIT_ESCAPE_DOLLAR) ? escape_dollars(v->str) : NULL;
		struct fy_node *n = scalar(doc, esc ? esc : v->str, needs_quotes(esc ? esc : v->str));
		free(esc);
		return n;
	}
	case CC_V_SEQ: {
		struct fy_node *s = fy_node_create_sequence(doc);
		for (size_t i = 0; s && i < v->seq.n; i++)
			fy_node_sequence_append(s, to_node(doc, v->seq.v[i], flags));
		return s;
	}
	case CC_V_MAP: {
		struct fy_node *m = fy_node_create_mapping(doc);
		for (size_t i = 0; m && i < v->map.n; i++)
			fy_node_mapping_append(m, scalar(doc, v->map.e[i].key, needs_quotes(v->map.e[i].key)),
					       to_node(doc, v->map.e[i].val, flags));
		return m;
	}
	}
	return NULL;
}

int cc_emit_yaml(const struct cc_val *v, unsigned flags, struct cc_strbuf *out, struct cc_error **err)
{
	struct fy_document *doc = fy_document_create(NULL);
	if (!doc)
		return cc_error_set(err, CC_ERR_INTERNAL, "cannot create a YAML document");
	fy_document_set_root(doc, to_node(doc, v, flags));
	char *text = fy_emit_document_to_string(doc, FYECF_MODE_BLOCK | FYECF_INDENT_2 | FYECF_WIDTH_INF);
	fy_document_destroy(doc);
	if (!text)
		return cc_error_set(err, CC_ERR_INTERNAL, "cannot emit YAML");
	cc_strbuf_adds(out, text);
	free(text);
	return 0;
}
