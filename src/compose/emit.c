#include "compose/emit.h"
#include "base/cleanup.h"
#include "base/xalloc.h"

#include <libfyaml.h>
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

static int dump_cb(const char *buffer, size_t size, void *data)
{
	cc_strbuf_add(data, buffer, size);
	return 0;
}

void cc_emit_json(const struct cc_val *v, struct cc_strbuf *out)
{
	json_t *j = cc_val_to_json(v);
	json_dump_callback(j, dump_cb, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	cc_strbuf_addch(out, '\n');
	json_decref(j);
}

/* A string that a YAML reader would take for another type, or that is empty, must be quoted. */
static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	struct cc_val *probe = cc_val_new_plain_scalar(s, strlen(s), (struct cc_pos){0});
	bool other = probe->kind != CC_V_STR;
	cc_val_free(probe);
	if (other)
		return true;
	/* YAML 1.1 readers (docker-compose 1.x, PyYAML) also read these as booleans */
	static const char *const y11[] = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
					  "on", "On", "ON", "off", "Off", "OFF", NULL};
	for (const char *const *w = y11; *w; w++)
		if (!strcmp(*w, s))
			return true;
	/* leading zeros read as octal by YAML 1.1 */
	return s[0] == '0' && strspn(s, "0123456789_") == strlen(s);
}

/* libfyaml 0.7 cannot set a node's style, and its event emitter mangles block sequences of mappings; so a quoted
 * scalar is made by parsing a double-quoted YAML literal, which keeps its style. */
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
	/* the node keeps pointing into buf, which the document frees */
	struct fy_node *n = fy_node_build_from_malloc_string(doc, buf, len);
	if (!n)
		free(buf);
	return n;
}

static struct fy_node *scalar(struct fy_document *doc, const char *text, bool quote)
{
	if (quote || strchr(text, '\n'))
		return quoted_scalar(doc, text);
	return fy_node_create_scalar_copy(doc, text, strlen(text));
}

static struct fy_node *to_node(struct fy_document *doc, const struct cc_val *v)
{
	switch (v->kind) {
	case CC_V_NULL:
		return fy_node_create_scalar(doc, "null", 4);
	case CC_V_BOOL:
	case CC_V_INT:
	case CC_V_FLOAT:
		return scalar(doc, v->str, false);
	case CC_V_STR:
		return scalar(doc, v->str, needs_quotes(v->str));
	case CC_V_SEQ: {
		struct fy_node *s = fy_node_create_sequence(doc);
		for (size_t i = 0; s && i < v->seq.n; i++)
			fy_node_sequence_append(s, to_node(doc, v->seq.v[i]));
		return s;
	}
	case CC_V_MAP: {
		struct fy_node *m = fy_node_create_mapping(doc);
		for (size_t i = 0; m && i < v->map.n; i++)
			fy_node_mapping_append(m, scalar(doc, v->map.e[i].key, needs_quotes(v->map.e[i].key)),
					       to_node(doc, v->map.e[i].val));
		return m;
	}
	}
	return NULL;
}

int cc_emit_yaml(const struct cc_val *v, struct cc_strbuf *out, struct cc_error **err)
{
	struct fy_document *doc = fy_document_create(NULL);
	if (!doc)
		return cc_error_set(err, CC_ERR_INTERNAL, "cannot create a YAML document");
	fy_document_set_root(doc, to_node(doc, v));
	char *text = fy_emit_document_to_string(doc, FYECF_MODE_BLOCK | FYECF_INDENT_2 | FYECF_WIDTH_INF);
	fy_document_destroy(doc);
	if (!text)
		return cc_error_set(err, CC_ERR_INTERNAL, "cannot emit YAML");
	cc_strbuf_adds(out, text);
	free(text);
	return 0;
}
