/* Unit tests for the builder's pure parts: the Dockerfile parse (engine/build/dockerfile.c), word processing
 * (dfwords.c) and .dockerignore matching (ignore.c). Expected values follow BuildKit's dockerfile frontend
 * and moby's patternmatcher. */
#include "unit.h"

#include <string.h>

#include "base/error.h"
#include "engine/build/dockerfile.h"
#include "base/ignore.h"

static struct cc_dockerfile parse_ok(const char *text)
{
	struct cc_dockerfile df;
	struct cc_error *err = NULL;
	if (cc_dockerfile_parse(text, strlen(text), "Dockerfile", &df, &err) < 0)
		fail_msg("parse failed: %s", err->msg);
	return df;
}

static void parse_fails(const char *text, const char *needle)
{
	struct cc_dockerfile df;
	struct cc_error *err = NULL;
	assert_true(cc_dockerfile_parse(text, strlen(text), "Dockerfile", &df, &err) < 0);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	if (!strstr(err->msg, needle))
		fail_msg("error \"%s\" does not contain \"%s\"", err->msg, needle);
	cc_error_free(err);
}

static void test_instructions_and_continuations(void **state)
{
	struct cc_dockerfile df = parse_ok("# a comment\n"
					   "FROM busybox AS base\n"
					   "\n"
					   "RUN echo a \\\n"
					   "# a comment inside\n"
					   "  && echo b\n"
					   "copy --chown=1:2 --from=base /a /b\n"
					   "CMD [\"sh\", \"-c\", \"echo hi\"]\n"
					   "ENTRYPOINT echo not json [\n");
	assert_int_equal(df.n, 5);
	assert_string_equal(df.v[0].cmd, "from");
	assert_int_equal(df.v[0].line, 2);
	assert_string_equal(df.v[1].cmd, "run");
	assert_int_equal(df.v[1].line, 4);
	assert_string_equal(df.v[1].args, "echo a   && echo b");
	assert_string_equal(df.v[2].cmd, "copy");
	assert_string_equal(cc_df_flag(&df.v[2], "chown"), "1:2");
	assert_string_equal(cc_df_flag(&df.v[2], "from"), "base");
	assert_null(cc_df_flag(&df.v[2], "chmod"));
	assert_string_equal(df.v[2].args, "/a /b");
	assert_non_null(df.v[3].json);
	assert_string_equal(df.v[3].json[2], "echo hi");
	assert_null(df.v[4].json);
	assert_string_equal(df.v[4].original, "ENTRYPOINT echo not json [");
	cc_dockerfile_release(&df);
}

static void test_escape_directive(void **state)
{
	struct cc_dockerfile df = parse_ok("# escape=`\n"
					   "FROM busybox\n"
					   "RUN dir c:\\ `\n"
					   "  && echo done\n");
	assert_int_equal(df.escape, '`');
	assert_int_equal(df.n, 2);
	assert_string_equal(df.v[1].args, "dir c:\\   && echo done");
	cc_dockerfile_release(&df);
	/* a directive after anything else is a comment */
	df = parse_ok("FROM busybox\n# escape=`\nRUN a \\\n b\n");
	assert_int_equal(df.escape, '\\');
	assert_string_equal(df.v[1].args, "a  b");
	cc_dockerfile_release(&df);
}

static void test_heredocs(void **state)
{
	struct cc_dockerfile df = parse_ok("FROM busybox\n"
					   "RUN <<EOF\n"
					   "echo one\n"
					   "echo two\n"
					   "EOF\n"
					   "COPY <<-\"A\" <<B /dir/\n"
					   "\tindented $X\n"
					   "\tA\n"
					   "b $X\n"
					   "B\n"
					   "CMD x\n");
	assert_int_equal(df.n, 4);
	assert_int_equal(df.v[1].nheredocs, 1);
	assert_string_equal(df.v[1].heredocs[0].name, "EOF");
	assert_string_equal(df.v[1].heredocs[0].content, "echo one\necho two\n");
	assert_true(df.v[1].heredocs[0].expand);
	assert_int_equal(df.v[2].nheredocs, 2);
	assert_string_equal(df.v[2].heredocs[0].content, "indented $X\n");
	assert_false(df.v[2].heredocs[0].expand);
	assert_string_equal(df.v[2].heredocs[1].content, "b $X\n");
	assert_string_equal(df.v[3].cmd, "cmd");
	assert_int_equal(df.v[3].line, 11);
	cc_dockerfile_release(&df);
}

static void test_errors_name_the_line(void **state)
{
	parse_fails("FROM busybox\nRUN true\nFROOM x\n", "Dockerfile:3: unknown instruction: FROOM");
	parse_fails("FROM busybox\nCOPY --frm=x a b\n", "Dockerfile:2: unknown flag: --frm");
	parse_fails("FROM busybox\nRUN <<EOF\necho\n", "Dockerfile:2: unterminated heredoc EOF");
	parse_fails("FROM busybox\nWORKDIR\n", "Dockerfile:2: workdir requires at least one argument");
	parse_fails("# escape=x\nFROM busybox\n", "Dockerfile:1: invalid escape token");
	parse_fails("# only a comment\n\n", "no instructions");
}

static const char *lookup(void *ctx, const char *name)
{
	if (strcmp(name, "A") == 0)
		return "alpha";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	if (strcmp(name, "SP") == 0)
		return "a b";
	return NULL;
}

static void expect_words(const char *in, const char *const *want)
{
	cc_strv got;
	struct cc_error *err = NULL;
	if (cc_df_words(in, '\\', true, lookup, NULL, &got, &err) < 0)
		fail_msg("words(%s): %s", in, err->msg);
	size_t i = 0;
	for (; want[i]; i++) {
		if (!got[i])
			fail_msg("words(%s): %zu words, want more", in, i);
		if (strcmp(got[i], want[i]) != 0)
			fail_msg("words(%s)[%zu] = \"%s\", want \"%s\"", in, i, got[i], want[i]);
	}
	if (got[i])
		fail_msg("words(%s): extra word \"%s\"", in, got[i]);
	cc_strv_free(got);
}

static void test_words_and_expansion(void **state)
{
	expect_words("$A ${A}x", (const char *[]){"alpha", "alphax", NULL});
	expect_words("'$A' \"$A b\"", (const char *[]){"$A", "alpha b", NULL});
	expect_words("\\$A a\\ b", (const char *[]){"$A", "a b", NULL});
	expect_words("${UNSET:-def} ${EMPTY:-d2} ${EMPTY-d3}x", (const char *[]){"def", "d2", "x", NULL});
	expect_words("${A:+set} ${UNSET:+set}z", (const char *[]){"set", "z", NULL});
	expect_words("${UNSET:-\"a b\"}", (const char *[]){"a b", NULL});
	expect_words("$SP", (const char *[]){"a b", NULL}); /* no field splitting of values */
	expect_words("cost $5", (const char *[]){"cost", "", NULL});
	expect_words("a$", (const char *[]){"a$", NULL});
	struct cc_error *err = NULL;
	cc_strv v;
	assert_true(cc_df_words("${UNSET:?must be set}", '\\', true, lookup, NULL, &v, &err) < 0);
	assert_non_null(strstr(err->msg, "UNSET: must be set"));
	cc_error_release(&err);
	assert_true(cc_df_words("\"open", '\\', true, lookup, NULL, &v, &err) < 0);
	cc_error_release(&err);
	assert_true(cc_df_words("${A", '\\', true, lookup, NULL, &v, &err) < 0);
	cc_error_release(&err);
}

static void test_pairs(void **state)
{
	struct cc_kvs kv = {0};
	struct cc_error *err = NULL;
	assert_int_equal(cc_df_pairs("K=v \"Q=a b\" E= X=${A}", '\\', lookup, NULL, &kv, &err), 0);
	assert_string_equal(cc_kvs_get(&kv, "K"), "v");
	assert_string_equal(cc_kvs_get(&kv, "Q"), "a b");
	assert_string_equal(cc_kvs_get(&kv, "E"), "");
	assert_string_equal(cc_kvs_get(&kv, "X"), "alpha");
	cc_kvs_release(&kv);
	assert_int_equal(cc_df_pairs("LEGACY the rest  of $A", '\\', lookup, NULL, &kv, &err), 0);
	assert_string_equal(cc_kvs_get(&kv, "LEGACY"), "the rest  of alpha");
	cc_kvs_release(&kv);
	assert_true(cc_df_pairs("K=v novalue", '\\', lookup, NULL, &kv, &err) < 0);
	assert_non_null(strstr(err->msg, "novalue"));
	cc_error_release(&err);
	cc_kvs_release(&kv);
	assert_true(cc_df_pairs("ALONE", '\\', lookup, NULL, &kv, &err) < 0);
	cc_error_release(&err);
	cc_kvs_release(&kv);
}

static bool excluded(const char *patterns, const char *path)
{
	struct cc_ignore ig;
	cc_ignore_parse(patterns, strlen(patterns), &ig);
	bool r = cc_ignore_excluded(&ig, path);
	cc_ignore_release(&ig);
	return r;
}

static void test_dockerignore(void **state)
{
	assert_true(excluded("node_modules\n", "node_modules"));
	assert_true(excluded("node_modules\n", "node_modules/x/y.js"));
	assert_false(excluded("node_modules\n", "src/node_modules"));
	assert_true(excluded("**/node_modules\n", "src/node_modules/a"));
	assert_true(excluded("*.md\n", "README.md"));
	assert_false(excluded("*.md\n", "docs/a.md"));
	assert_true(excluded("**/*.md\n", "docs/a.md"));
	assert_true(excluded("docs/**\n", "docs/a/b"));
	assert_true(excluded("/abs/./x/../y\n", "abs/y"));
	assert_true(excluded("a?c\n", "abc"));
	assert_false(excluded("a?c\n", "a/c"));
	assert_true(excluded("[a-c]x\n", "bx"));
	/* the last match decides: exceptions bring files back, later patterns exclude them again */
	assert_false(excluded("*.md\n!README.md\n", "README.md"));
	assert_true(excluded("*.md\n!README.md\n", "OTHER.md"));
	assert_true(excluded("*.md\n!README.md\nREADME*\n", "README.md"));
	assert_false(excluded("dir\n!dir/keep\n", "dir/keep"));
	assert_true(excluded("dir\n!dir/keep\n", "dir/other"));
	/* comments and blank lines are not patterns */
	assert_false(excluded("# README.md\n\n   \n", "README.md"));
	assert_false(excluded("", "anything"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_instructions_and_continuations),
	    cmocka_unit_test(test_escape_directive),
	    cmocka_unit_test(test_heredocs),
	    cmocka_unit_test(test_errors_name_the_line),
	    cmocka_unit_test(test_words_and_expansion),
	    cmocka_unit_test(test_pairs),
	    cmocka_unit_test(test_dockerignore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
