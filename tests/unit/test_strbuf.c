#include "unit.h"

#include <string.h>

#include "base/frame.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "base/xalloc.h"

static void test_strbuf_grows_and_detaches(void **state)
{
	(void)state;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	assert_string_equal(cc_strbuf_str(&sb), "");
	for (int i = 0; i < 1000; i++)
		cc_strbuf_addf(&sb, "%d,", i % 10);
	assert_int_equal(sb.len, 2000);
	cc_strbuf_truncate(&sb, 4);
	assert_string_equal(sb.buf, "0,1,");
	cc_strbuf_addch(&sb, 'x');
	cc_strbuf_adds(&sb, "yz");
	size_t len = 0;
	char *s = cc_strbuf_detach(&sb, &len);
	assert_string_equal(s, "0,1,xyz");
	assert_int_equal(len, 7);
	assert_null(sb.buf);
	free(s);
}

static void test_strmap_set_get_remove_order(void **state)
{
	(void)state;
	struct cc_strmap m;
	cc_strmap_init(&m, free);
	char key[32];
	for (int i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		cc_strmap_set(&m, key, cc_xasprintf("v%d", i));
	}
	cc_strmap_set(&m, "k7", cc_xstrdup("seven"));
	assert_int_equal(cc_strmap_size(&m), 500);
	assert_string_equal(cc_strmap_get(&m, "k7"), "seven");
	assert_string_equal(cc_strmap_get(&m, "k499"), "v499");
	assert_null(cc_strmap_get(&m, "nope"));
	assert_true(cc_strmap_remove(&m, "k0"));
	assert_false(cc_strmap_remove(&m, "k0"));
	assert_false(cc_strmap_has(&m, "k0"));
	assert_int_equal(cc_strmap_size(&m), 499);
	/* insertion order is kept */
	int seen = 0;
	cc_strmap_foreach(&m, e)
	{
		if (seen == 0)
			assert_string_equal(e->key, "k1");
		seen++;
	}
	assert_int_equal(seen, 499);
	cc_strmap_release(&m);
}

static void test_path_helpers(void **state)
{
	(void)state;
	struct {
		const char *in, *out;
	} clean[] = {
	    {"", "."},
	    {"/", "/"},
	    {"a/b/../c", "a/c"},
	    {"/a/./b//c/", "/a/b/c"},
	    {"../../x", "../../x"},
	    {"/../x", "/x"},
	    {"a/..", "."},
	    {"./a", "a"},
	};
	for (size_t i = 0; i < sizeof(clean) / sizeof(clean[0]); i++) {
		char *c = cc_path_clean(clean[i].in);
		assert_string_equal(c, clean[i].out);
		free(c);
	}
	char *j = cc_path_join("/srv/app", "../data");
	assert_string_equal(j, "/srv/data");
	free(j);
	j = cc_path_join("/srv/app", "/abs");
	assert_string_equal(j, "/abs");
	free(j);
	char *d = cc_path_dir("/srv/app/compose.yaml");
	assert_string_equal(d, "/srv/app");
	free(d);
	assert_string_equal(cc_path_base("/srv/My App/"), "My App/");
}

/* frames come back whole, in order, across any cut of the byte stream; a length past the limit is refused */
static void test_frames_round_trip_and_cuts(void **state)
{
	(void)state;
	struct cc_strbuf wire = CC_STRBUF_INIT;
	cc_frame_put(&wire, 'd', "hello", 5);
	cc_frame_put(&wire, 'e', NULL, 0);
	cc_frame_size_put(&wire, 300, 77);
	for (size_t cut = 0; cut <= wire.len; cut++) {
		struct cc_strbuf in = CC_STRBUF_INIT;
		char types[4] = "";
		size_t ntypes = 0, off = 0;
		char type;
		const char *p;
		uint32_t len;
		cc_strbuf_add(&in, wire.buf, cut);
		while (cc_frame_next(&in, &off, &type, &p, &len) > 0)
			types[ntypes++] = type;
		cc_frame_consumed(&in, off);
		cc_strbuf_add(&in, wire.buf + cut, wire.len - cut);
		off = 0;
		while (cc_frame_next(&in, &off, &type, &p, &len) > 0) {
			types[ntypes++] = type;
			if (type == 'd')
				assert_memory_equal(p, "hello", len);
			if (type == 'w') {
				unsigned short rows, cols;
				assert_true(cc_frame_size_get(p, len, &rows, &cols));
				assert_int_equal(rows, 300);
				assert_int_equal(cols, 77);
			}
		}
		assert_int_equal(off, in.len);
		assert_string_equal(types, "dew");
		cc_strbuf_release(&in);
	}
	unsigned short r, c;
	assert_false(cc_frame_size_get("abc", 3, &r, &c));
	struct cc_strbuf bad = CC_STRBUF_INIT;
	cc_strbuf_add(&bad, "d\x7f\0\0\0", 5);
	size_t off = 0;
	char type;
	const char *p;
	uint32_t len;
	assert_int_equal(cc_frame_next(&bad, &off, &type, &p, &len), -1);
	assert_int_equal(off, 0);
	cc_strbuf_release(&bad);
	cc_strbuf_release(&wire);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strbuf_grows_and_detaches),
	    cmocka_unit_test(test_strmap_set_get_remove_order),
	    cmocka_unit_test(test_path_helpers),
	    cmocka_unit_test(test_frames_round_trip_and_cuts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
