/* YAML -> tree: scalar resolution, anchors, merge keys, duplicates, tags, limits, positions. */
#include "unit.h"

#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/yaml_load.h"

static struct cc_val *load1(const char *text)
{
	struct cc_yaml_docs docs = {0};
	struct cc_error *err = NULL;
	int r = cc_yaml_load(text, strlen(text), "t.yaml", &docs, &err);
	if (r < 0)
		fail_msg("unexpected error: %s", err->msg);
	assert_int_equal(docs.n, 1);
	struct cc_val *v = docs.docs[0];
	docs.docs[0] = NULL;
	docs.n = 0;
	cc_yaml_docs_release(&docs);
	return v;
}

static char *load_err(const char *text)
{
	struct cc_yaml_docs docs = {0};
	struct cc_error *err = NULL;
	int r = cc_yaml_load(text, strlen(text), "t.yaml", &docs, &err);
	assert_int_equal(r, -1);
	assert_int_equal(docs.n, 0);
	assert_non_null(err);
	char *m = cc_xstrdup(err->msg);
	cc_error_free(err);
	return m;
}

static void test_scalar_resolution(void **state)
{
	(void)state;
	struct cc_val *v =
	    load1("a: 8080\nb: '8080'\nc: true\nd: yes\ne: ~\nf:\ng: 1.5\nh: 0o17\ni: 0440\nj: !!str 12\n");
	assert_int_equal(cc_map_get(v, "a")->kind, CC_V_INT);
	assert_int_equal(cc_map_get(v, "a")->num.i, 8080);
	assert_int_equal(cc_map_get(v, "b")->kind, CC_V_STR);
	assert_true(cc_map_get(v, "b")->flags & CC_VF_QUOTED);
	assert_int_equal(cc_map_get(v, "c")->kind, CC_V_BOOL);
	/* YAML 1.2: `yes` is a string; boolean fields accept it later when casting */
	assert_int_equal(cc_map_get(v, "d")->kind, CC_V_STR);
	assert_int_equal(cc_map_get(v, "e")->kind, CC_V_NULL);
	assert_int_equal(cc_map_get(v, "f")->kind, CC_V_NULL);
	assert_int_equal(cc_map_get(v, "g")->kind, CC_V_FLOAT);
	assert_int_equal(cc_map_get(v, "h")->num.i, 15);
	/* the source text is kept so modes can read 0440 as octal */
	assert_string_equal(cc_map_get(v, "i")->str, "0440");
	assert_int_equal(cc_map_get(v, "j")->kind, CC_V_STR);
	cc_val_free(v);
}

static void test_positions(void **state)
{
	(void)state;
	struct cc_val *v = load1("services:\n  web:\n    image: nginx\n");
	const struct cc_val *img = cc_map_get(cc_map_get(cc_map_get(v, "services"), "web"), "image");
	assert_int_equal(img->pos.line, 3);
	assert_int_equal(img->pos.col, 12);
	assert_string_equal(img->pos.file, "t.yaml");
	cc_val_free(v);
}

static void test_anchors_and_merge_keys(void **state)
{
	(void)state;
	struct cc_val *v = load1("x-a: &a {k1: a, k2: a}\n"
				 "x-b: &b {k2: b, k3: b}\n"
				 "one: {<<: *a, k1: local}\n"
				 "two: {<<: [*a, *b]}\n"
				 "three: {<<: [*b, {k4: inline}], k3: mine}\n"
				 "list: &l [1, 2]\n"
				 "copy: *l\n");
	const struct cc_val *one = cc_map_get(v, "one");
	assert_string_equal(cc_map_get(one, "k1")->str, "local"); /* explicit keys win */
	assert_string_equal(cc_map_get(one, "k2")->str, "a");
	const struct cc_val *two = cc_map_get(v, "two");
	assert_string_equal(cc_map_get(two, "k2")->str, "a"); /* earlier sources win */
	assert_string_equal(cc_map_get(two, "k3")->str, "b");
	const struct cc_val *three = cc_map_get(v, "three");
	assert_string_equal(cc_map_get(three, "k3")->str, "mine");
	assert_string_equal(cc_map_get(three, "k4")->str, "inline");
	assert_null(cc_map_get(three, "<<"));
	assert_int_equal(cc_map_get(v, "copy")->seq.n, 2);
	cc_val_free(v);
}

static void test_merge_key_requires_map(void **state)
{
	(void)state;
	char *m = load_err("x: &s scalar\ny:\n  <<: *s\n");
	assert_non_null(strstr(m, "map merge requires map"));
	assert_non_null(strstr(m, "t.yaml:3:"));
	free(m);
}

static void test_duplicate_key(void **state)
{
	(void)state;
	char *m = load_err("services:\n  web:\n    image: a\n    ports: []\n    image: b\n");
	assert_string_equal(m, "t.yaml:5:5: mapping key \"image\" already defined at line 3");
	free(m);
}

static void test_non_string_keys(void **state)
{
	(void)state;
	char *m = load_err("services:\n  123:\n    image: a\n");
	assert_string_equal(m, "t.yaml:2:3: non-string key in services: 123");
	free(m);
	m = load_err("123: x\n");
	assert_string_equal(m, "t.yaml:1:1: non-string key in the top level: 123");
	free(m);
	/* quoted numbers are strings */
	struct cc_val *v = load1("volumes: {'0': {}}\n");
	assert_non_null(cc_map_get(cc_map_get(v, "volumes"), "0"));
	cc_val_free(v);
}

static void test_alias_bomb_is_refused(void **state)
{
	(void)state;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_strbuf_adds(&sb, "a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 9; i++) {
		cc_strbuf_addf(&sb, "a%d: &a%d [", i, i);
		for (int k = 0; k < 9; k++)
			cc_strbuf_addf(&sb, "%s*a%d", k ? ", " : "", i - 1);
		cc_strbuf_adds(&sb, "]\n");
	}
	char *m = load_err(sb.buf);
	assert_non_null(strstr(m, "excessive aliasing"));
	free(m);
	cc_strbuf_release(&sb);
}

static void test_many_plain_keys_are_fine(void **state)
{
	(void)state;
	/* 2 x 50 001 keys without aliases: large but legitimate (compose-go refuses it; see
	 * docs/deviations.md) */
	struct cc_strbuf sb = CC_STRBUF_INIT;
	for (int d = 0; d < 2; d++) {
		cc_strbuf_addf(&sb, "x-%d:\n", d);
		for (int i = 0; i < 50001; i++)
			cc_strbuf_addf(&sb, "  k%d: v\n", i);
	}
	struct cc_val *v = load1(sb.buf);
	assert_int_equal(cc_map_get(v, "x-1")->map.n, 50001);
	cc_val_free(v);
	cc_strbuf_release(&sb);
}

static void test_reset_and_override_tags(void **state)
{
	(void)state;
	struct cc_val *v = load1("a: !reset []\nb: !override {x: 1}\nc: !reset\n");
	assert_true(cc_map_get(v, "a")->flags & CC_VF_RESET);
	assert_true(cc_map_get(v, "b")->flags & CC_VF_OVERRIDE);
	assert_true(cc_map_get(v, "c")->flags & CC_VF_RESET);
	assert_int_equal(cc_map_get(v, "c")->kind, CC_V_NULL);
	cc_val_free(v);
}

static void test_reset_inside_anchor_applies_everywhere(void **state)
{
	(void)state;
	struct cc_val *v = load1("x: &r {cmd: !reset null}\na: *r\nb: *r\n");
	assert_true(cc_map_get(cc_map_get(v, "a"), "cmd")->flags & CC_VF_RESET);
	assert_true(cc_map_get(cc_map_get(v, "b"), "cmd")->flags & CC_VF_RESET);
	cc_val_free(v);
}

static void test_multi_document(void **state)
{
	(void)state;
	const char *t = "a: 1\n---\nb: 2\n";
	struct cc_yaml_docs docs = {0};
	struct cc_error *err = NULL;
	assert_int_equal(cc_yaml_load(t, strlen(t), "t.yaml", &docs, &err), 0);
	assert_int_equal(docs.n, 2);
	cc_yaml_docs_release(&docs);
}

static void test_syntax_error_has_position(void **state)
{
	(void)state;
	char *m = load_err("services:\n  web:\n    image: [a\n");
	assert_non_null(strstr(m, "t.yaml:"));
	free(m);
	m = load_err("a: *nope\n");
	assert_non_null(strstr(m, "nope"));
	free(m);
}

static void test_nesting_depth_is_bounded(void **state)
{
	(void)state;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_strbuf_adds(&sb, "x: ");
	for (int i = 0; i < 70000; i++)
		cc_strbuf_addch(&sb, '[');
	for (int i = 0; i < 70000; i++)
		cc_strbuf_addch(&sb, ']');
	cc_strbuf_addch(&sb, '\n');
	char *m = load_err(sb.buf);
	assert_non_null(strstr(m, "nesting deeper than 1000 levels"));
	assert_non_null(strstr(m, "t.yaml:1:"));
	free(m);
	cc_strbuf_release(&sb);
	/* 900 levels are fine */
	cc_strbuf_adds(&sb, "x: ");
	for (int i = 0; i < 900; i++)
		cc_strbuf_addch(&sb, '[');
	for (int i = 0; i < 900; i++)
		cc_strbuf_addch(&sb, ']');
	cc_strbuf_addch(&sb, '\n');
	struct cc_val *v = load1(sb.buf);
	cc_val_free(v);
	cc_strbuf_release(&sb);
}

static void test_nested_anchors_are_bounded(void **state)
{
	(void)state;
	/* each anchor copies everything inside it: 900 nested anchors (within the depth limit) would need
	 * about 405 000 node copies */
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_strbuf_adds(&sb, "x-a: ");
	for (int i = 0; i < 900; i++)
		cc_strbuf_addf(&sb, "&a%d [", i);
	for (int i = 0; i < 900; i++)
		cc_strbuf_addch(&sb, ']');
	cc_strbuf_addch(&sb, '\n');
	char *m = load_err(sb.buf);
	assert_non_null(strstr(m, "excessive aliasing"));
	free(m);
	cc_strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scalar_resolution),
	    cmocka_unit_test(test_positions),
	    cmocka_unit_test(test_anchors_and_merge_keys),
	    cmocka_unit_test(test_merge_key_requires_map),
	    cmocka_unit_test(test_duplicate_key),
	    cmocka_unit_test(test_non_string_keys),
	    cmocka_unit_test(test_alias_bomb_is_refused),
	    cmocka_unit_test(test_many_plain_keys_are_fine),
	    cmocka_unit_test(test_reset_and_override_tags),
	    cmocka_unit_test(test_reset_inside_anchor_applies_everywhere),
	    cmocka_unit_test(test_multi_document),
	    cmocka_unit_test(test_syntax_error_has_position),
	    cmocka_unit_test(test_nesting_depth_is_bounded),
	    cmocka_unit_test(test_nested_anchors_are_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
