/* Unit tests for compose/template.c: edge cases §2 rows 1-14 of compose-go-edge-cases.md, plus the error
 * contract and the lazy-evaluation guarantees (no lookup, no warning, no error in a branch not taken). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "compose/template.h"

/* The mapping used by compose-go's tests: FOO=first, BAR="" (set but empty), anything else unset. */
struct env {
	const char *const *pairs; /* name, value, ..., NULL */
	int warns;
	struct cc_strbuf warned; /* "NAME," per warn_unset call */
	struct cc_strbuf looked; /* "NAME," per lookup call */
};

static const char *const default_pairs[] = {"FOO", "first", "BAR", "", NULL};

static const char *env_lookup(void *ud, const char *name)
{
	struct env *e = ud;
	cc_strbuf_addf(&e->looked, "%s,", name);
	for (size_t i = 0; e->pairs[i]; i += 2)
		if (strcmp(e->pairs[i], name) == 0)
			return e->pairs[i + 1];
	return NULL;
}

static void env_warn(void *ud, const char *name)
{
	struct env *e = ud;
	e->warns++;
	cc_strbuf_addf(&e->warned, "%s,", name);
}

static void env_init(struct env *e, const char *const *pairs)
{
	e->pairs = pairs;
	e->warns = 0;
	cc_strbuf_init(&e->warned);
	cc_strbuf_init(&e->looked);
}

static void env_release(struct env *e)
{
	cc_strbuf_release(&e->warned);
	cc_strbuf_release(&e->looked);
}

static struct cc_template_ctx ctx_for(struct env *e)
{
	struct cc_template_ctx ctx = {
	    .lookup = env_lookup, .lookup_ud = e, .warn_unset = env_warn, .warn_ud = e};
	return ctx;
}

/* Substitute `in` with the default mapping; expect success with `expected` and `warns` warnings. */
static void check_with(const char *const *pairs, const char *in, const char *expected, int warns)
{
	struct env e;
	env_init(&e, pairs);
	struct cc_template_ctx ctx = ctx_for(&e);
	struct cc_error *err = NULL;
	char *out = NULL;

	int r = cc_template_substitute(in, &ctx, &out, &err);
	if (r != 0 || !out || strcmp(out, expected) != 0 || e.warns != warns)
		print_error("template: [%s] -> [%s] (error: %s), warned [%s]\n", in, out ? out : "(null)",
			    err ? err->msg : "none", cc_strbuf_str(&e.warned));
	assert_int_equal(r, 0);
	assert_null(err); /* untouched on success */
	assert_non_null(out);
	assert_string_equal(out, expected);
	assert_int_equal(e.warns, warns);
	free(out);
	env_release(&e);
}

static void check(const char *in, const char *expected)
{
	check_with(default_pairs, in, expected, 0);
}

/* Expect failure with exactly `msg`; *out must be left alone. */
static void check_err(const char *in, const char *msg)
{
	struct env e;
	env_init(&e, default_pairs);
	struct cc_template_ctx ctx = ctx_for(&e);
	struct cc_error *err = NULL;
	char sentinel = 0;
	char *out = &sentinel;

	int r = cc_template_substitute(in, &ctx, &out, &err);
	if (r >= 0 || !err || strcmp(err->msg, msg) != 0)
		print_error("template: [%s] -> r=%d error [%s], expected [%s]\n", in, r,
			    err ? err->msg : "none", msg);
	assert_true(r < 0);
	assert_non_null(err);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	assert_string_equal(err->msg, msg);
	assert_ptr_equal(out, &sentinel);
	cc_error_free(err);
	env_release(&e);
}

static void check_invalid(const char *in)
{
	char msg[512];
	snprintf(msg, sizeof(msg),
		 "invalid interpolation format: \"%s\"; you may need to escape any $ with another $", in);
	check_err(in, msg);
}

/* Row 1 */
static void test_escape(void **state)
{
	(void)state;
	check("$${foo}", "${foo}");
	check("$$", "$");
	check("$$FOO", "$FOO");
	check("a$$$FOO", "a$first");
	check("$$$$", "$$");
	check("${UNSET:-$$x}", "$x");
}

/* Row 2 */
static void test_lone_dollar(void **state)
{
	(void)state;
	check("a $ string", "a $ string");
	check("^REGEX$", "^REGEX$");
	check("$}", "$}");
	check("$", "$");
	check("$1", "$1");
	check("$-x", "$-x");
	check("price: 5$ ", "price: 5$ ");
	check("foo", "foo");
	check("", "");
	check("}{", "}{");
}

/* Row 3, plus bash extras and unterminated forms */
static void test_invalid(void **state)
{
	(void)state;
	check_invalid("${");
	check_invalid("${}");
	check_invalid("${ }");
	check_invalid("${ foo}");
	check_invalid("${foo }");
	check_invalid("${foo!}");
	check_invalid("${V/a/b}");
	check_invalid("${V#prefix}");
	check_invalid("${V:0:2}");
	check_invalid("${FOO:}");
	check_invalid("${FOO");
	check_invalid("x ${FOO:-a");
	check_invalid("${1abc}");
	check_invalid("ok $FOO then ${");
	/* an invalid form nested in a default that is taken */
	check_invalid("${UNSET:-${ bad}}");
}

/* Row 4 */
static void test_unbraced(void **state)
{
	(void)state;
	check("$FOO-bar", "first-bar");
	check("$FOO.x", "first.x");
	check("$FOO$FOO", "firstfirst");
	check("${FOO}${FOO}$FOO", "firstfirstfirst");
	check("This $FOO var", "This first var");
	check("This ${FOO} var", "This first var");
	check("é $FOO ü", "é first ü");
	/* a bare name is greedy over [_a-zA-Z0-9] */
	check_with(default_pairs, "$FOObar", "", 1);
	check_with(default_pairs, "$_x9", "", 1);
}

/* Row 5 */
static void test_missing(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, default_pairs);
	struct cc_template_ctx ctx = ctx_for(&e);
	struct cc_error *err = NULL;
	char *out = NULL;

	assert_int_equal(cc_template_substitute("x ${UNSET} y $UNSET2", &ctx, &out, &err), 0);
	assert_string_equal(out, "x  y ");
	assert_int_equal(e.warns, 2);
	assert_string_equal(cc_strbuf_str(&e.warned), "UNSET,UNSET2,");
	free(out);
	env_release(&e);

	/* set but empty: no warning */
	check("x ${BAR} y", "x  y");
	check("x $BAR y", "x  y");
	check_with(default_pairs, "x ${UNSET} y", "x  y", 1);
	/* names are case-sensitive */
	check_with(default_pairs, "${foo}", "", 1);
}

/* Row 6 */
static void test_default(void **state)
{
	(void)state;
	check("${BAR:-d}", "d");
	check("${BAR-d}", "");
	check("${UNSET:-d}", "d");
	check("${UNSET-d}", "d");
	check("${FOO:-d}", "first");
	check("${FOO-d}", "first");
	check("ok ${BAR:-/non:-alphanumeric}", "ok /non:-alphanumeric");
	check("${UNSET:-}", "");
	check("${UNSET-}", "");
	check("${UNSET:-a b  c}", "a b  c");
	check("${UNSET:-/usr/bin:/bin}", "/usr/bin:/bin");
}

/* Row 7 */
static void test_alternate(void **state)
{
	(void)state;
	check("${BAR:+p}", "");
	check("${BAR+p}", "p");
	check("${UNSET+p}", "");
	check("${UNSET:+p}", "");
	check("${FOO:+p}", "p");
	check("${FOO+p}", "p");
	check("ok ${UNSET_VAR:+presence_value}", "ok ");
}

/* Row 8 */
static void test_first_operator_wins(void **state)
{
	(void)state;
	check("${UNSET-a:-b:?c}", "a:-b:?c");
	check("${FOO:+x:?y:-z}", "x:?y:-z");
	check("${UNSET-myerror?msg}", "myerror?msg");
	check("${FOO?bar-baz}", "first");
	check("${UNSET:-a+b?c}", "a+b?c");
	check_err("${UNSET?bar-baz}", "required variable UNSET is missing a value: bar-baz");
	check_err("${UNSET:?a:-b}", "required variable UNSET is missing a value: a:-b");
}

/* Row 9 */
static void test_braces_in_default(void **state)
{
	(void)state;
	check("${UNSET:-{\"json\":1}}", "{\"json\":1}");
	check("${UNSET:-{\"a\":{\"b\":1}}}x", "{\"a\":{\"b\":1}}x");
	check("${FOO:-{\"a\":{\"b\":1}}}x", "firstx");
	check("${UNSET:-{}}", "{}");
	/* an unbalanced closing brace after the expression is plain text */
	check("${UNSET:-a}b}", "ab}");
}

/* Row 10 */
static void test_nesting(void **state)
{
	(void)state;
	check("${A:-${B:-${C:-qix}}}", "qix");
	check("${A:-${B:-x}_t_${B:-y}}", "x_t_y");
	check("ok ${UNSET_VAR-$FOO}", "ok first");
	check("ok ${UNSET_VAR-${FOO}}", "ok first");
	check("ok ${UNSET_VAR-${FOO} ${FOO}}", "ok first first");
	check("ok ${BAR:-${FOO} ${FOO}}", "ok first first");
	check("ok ${BAR+$FOO}", "ok first");
	check("ok ${BAR+$FOO ${FOO:+second}}", "ok first second");
	check("+ok ${UNSET:-${BAR-defaultValue}}", "+ok ");
	/* an unset variable used inside a default that is taken still warns */
	check_with(default_pairs, "${UNSET:-${ALSO}x}", "x", 1);
}

/* Row 11 */
static void test_required(void **state)
{
	(void)state;
	check_err("${UNSET:?boom}", "required variable UNSET is missing a value: boom");
	check_err("not ok ${UNSET:?Mandatory Variable Unset}",
		  "required variable UNSET is missing a value: Mandatory Variable Unset");
	check_err("${UNSET?}", "required variable UNSET is missing a value");
	check_err("${UNSET:?}", "required variable UNSET is missing a value");
	check_err("${UNSET?msg}", "required variable UNSET is missing a value: msg");
	check("${BAR?e}", "");
	check_err("${BAR:?e}", "required variable BAR is missing a value: e");
	check("ok ${FOO:?err}", "ok first");
	check("ok ${FOO?err}", "ok first");
	check("ok ${BAR?err}", "ok ");
}

/* Row 12 */
static void test_required_message_nesting(void **state)
{
	(void)state;
	check_err("${UNSET:?need ${FOO}}", "required variable UNSET is missing a value: need first");
	check_err("${UNSET?need $FOO}", "required variable UNSET is missing a value: need first");
	check_err("${UNSET:?${BAR}}", "required variable UNSET is missing a value");
	/* an error while interpolating the message is the one reported */
	check_err("${UNSET:?${ALSO:?inner}}", "required variable ALSO is missing a value: inner");
}

/* Row 13: a branch not taken is never looked up, never warns, never fails. */
static void test_lazy(void **state)
{
	(void)state;
	struct env e;
	env_init(&e, default_pairs);
	struct cc_template_ctx ctx = ctx_for(&e);
	struct cc_error *err = NULL;
	char *out = NULL;

	assert_int_equal(cc_template_substitute("${UNSET:+${UNSET},}B", &ctx, &out, &err), 0);
	assert_null(err);
	assert_string_equal(out, "B");
	assert_int_equal(e.warns, 0);
	assert_string_equal(cc_strbuf_str(&e.looked), "UNSET,");
	free(out);
	env_release(&e);

	env_init(&e, default_pairs);
	ctx = ctx_for(&e);
	assert_int_equal(cc_template_substitute("${FOO?${UNSET}}", &ctx, &out, &err), 0);
	assert_null(err);
	assert_string_equal(out, "first");
	assert_int_equal(e.warns, 0);
	assert_string_equal(cc_strbuf_str(&e.looked), "FOO,");
	free(out);
	env_release(&e);

	check("${FOO:-${UNSET}}", "first");
	check("${FOO-$UNSET}", "first");
	check("${FOO:-${UNSET:?boom}}", "first");
	check("${FOO:?${UNSET:?boom}}", "first");
	check("${UNSET+${NOPE:?boom}}", "");
	check("${BAR:+${NOPE}}", "");
	check("${UNSET:-$FOO}", "first");
}

/* Row 14 */
static void test_outer_text(void **state)
{
	(void)state;
	check(":-ok ${UNSET-v}", ":-ok v");
	check("?ok ${BAR:-v}", "?ok v");
	check("-ok ${BAR:-defaultValue}", "-ok defaultValue");
	check("-ok ${FOO:-defaultValue}", "-ok first");
	check(":-ok ${BAR-defaultValue}", ":-ok ");
	check(":?ok ${BAR-defaultValue}", ":?ok ");
	check(":?ok ${BAR:-defaultValue}", ":?ok defaultValue");
	check(":+ok ${BAR:-defaultValue}", ":+ok defaultValue");
	check("+ok ${BAR-defaultValue}", "+ok ");
}

static void test_null_ctx_and_lookup(void **state)
{
	(void)state;
	struct cc_error *err = NULL;
	char *out = NULL;

	assert_int_equal(cc_template_substitute("a${X:-b}$Y", NULL, &out, &err), 0);
	assert_string_equal(out, "ab");
	free(out);

	struct cc_template_ctx ctx = {0};
	assert_int_equal(cc_template_substitute("${X-c}", &ctx, &out, &err), 0);
	assert_string_equal(out, "c");
	free(out);
	assert_null(err);
}

static void test_has_vars(void **state)
{
	(void)state;
	assert_true(cc_template_has_vars("a$b"));
	assert_true(cc_template_has_vars("$"));
	assert_false(cc_template_has_vars("plain"));
	assert_false(cc_template_has_vars(""));
}

/* Deeply nested defaults are refused instead of exhausting the stack; a reasonable depth works. */
static void test_depth_limit(void **state)
{
	(void)state;
	struct cc_strbuf in = CC_STRBUF_INIT;
	for (int i = 0; i < 60; i++)
		cc_strbuf_adds(&in, "${U:-");
	cc_strbuf_adds(&in, "deep");
	for (int i = 0; i < 60; i++)
		cc_strbuf_addch(&in, '}');
	check(cc_strbuf_str(&in), "deep");
	cc_strbuf_release(&in);

	for (int i = 0; i < 5000; i++)
		cc_strbuf_adds(&in, "${U:-");
	for (int i = 0; i < 5000; i++)
		cc_strbuf_addch(&in, '}');
	struct cc_error *err = NULL;
	char *out = NULL;
	assert_true(cc_template_substitute(cc_strbuf_str(&in), NULL, &out, &err) < 0);
	assert_non_null(err);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	assert_non_null(strstr(err->msg, "nested deeper than"));
	assert_null(out);
	cc_error_free(err);
	cc_strbuf_release(&in);
}

/* cc_template_variables: every reference, each branch's too, with what it says about the variable. */
static void record_var(void *ud, const struct cc_template_var *v)
{
	cc_strbuf_addf(ud, "%s%s%s%s%s%s;", v->name, v->required ? " required" : "",
		       v->default_value ? " default=" : "", v->default_value ? v->default_value : "",
		       v->alternate ? " alt=" : "", v->alternate ? v->alternate : "");
}

static void test_variables(void **state)
{
	(void)state;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_template_variables("a $A ${B} $$C ${D:-x${E}} ${F?no} ${G:+on} ${} ${H!} $ ${I:-{\"j\":1}}",
			      record_var, &sb);
	assert_string_equal(cc_strbuf_str(&sb),
			    "A;B;D default=x${E};E;F required;G alt=on;I default={\"j\":1};");
	cc_strbuf_reset(&sb);
	cc_template_variables("${UNCLOSED", record_var, &sb);
	cc_template_variables(NULL, record_var, &sb);
	assert_string_equal(cc_strbuf_str(&sb), "");
	cc_strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_lone_dollar),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_unbraced),
	    cmocka_unit_test(test_missing),
	    cmocka_unit_test(test_default),
	    cmocka_unit_test(test_alternate),
	    cmocka_unit_test(test_first_operator_wins),
	    cmocka_unit_test(test_braces_in_default),
	    cmocka_unit_test(test_nesting),
	    cmocka_unit_test(test_required),
	    cmocka_unit_test(test_required_message_nesting),
	    cmocka_unit_test(test_lazy),
	    cmocka_unit_test(test_outer_text),
	    cmocka_unit_test(test_null_ctx_and_lookup),
	    cmocka_unit_test(test_has_vars),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_variables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
