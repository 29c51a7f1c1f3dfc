/* Unit tests for compose/dotenv.c: edge cases §2 rows 20-26 of compose-go-edge-cases.md (the .env grammar),
 * the error messages with file and line, the expansion precedence, and the "nothing stored on failure" rule.
 */
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
#include "base/strmap.h"
#include "base/xalloc.h"
#include "compose/dotenv.h"

/* A fake OS environment: name, value, ..., NULL; records every lookup as "NAME,". */
struct osenv {
	const char *const *pairs;
	struct cc_strbuf looked;
};

static const char *os_lookup(void *ud, const char *name)
{
	struct osenv *e = ud;
	cc_strbuf_addf(&e->looked, "%s,", name);
	for (size_t i = 0; e->pairs && e->pairs[i]; i += 2)
		if (strcmp(e->pairs[i], name) == 0)
			return e->pairs[i + 1];
	return NULL;
}

static const char *const no_env[] = {NULL};

/* Parse `data` with the OS env `pairs` into `out` (initialised by the caller); expect success. */
static void parse_into(const char *data, const char *const *pairs, struct cc_strmap *out)
{
	struct osenv e = {.pairs = pairs, .looked = CC_STRBUF_INIT};
	struct cc_error *err = NULL;
	int r = cc_dotenv_parse(data, strlen(data), "test.env", os_lookup, &e, out, &err);
	if (r != 0)
		print_error("dotenv: [%s] failed: %s\n", data, err ? err->msg : "(no error set)");
	assert_int_equal(r, 0);
	assert_null(err); /* untouched on success */
	cc_strbuf_release(&e.looked);
}

static void assert_entry(const struct cc_strmap *m, const char *key, const char *value)
{
	const char *v = cc_strmap_get(m, key);
	if (!v || strcmp(v, value) != 0)
		print_error("key [%s]: got [%s], expected [%s]\n", key, v ? v : "(absent)", value);
	assert_non_null(v);
	assert_string_equal(v, value);
}

/* One-line helper: `data` must parse to exactly one entry key=value. */
static void check1(const char *data, const char *key, const char *value)
{
	struct cc_strmap m;
	cc_strmap_init(&m, free);
	parse_into(data, no_env, &m);
	if (cc_strmap_size(&m) != 1)
		print_error("dotenv: [%s] gave %zu entries\n", data, cc_strmap_size(&m));
	assert_int_equal(cc_strmap_size(&m), 1);
	assert_entry(&m, key, value);
	cc_strmap_release(&m);
}

/* `data` must fail with exactly `msg` and leave a pre-filled map untouched. */
static void check_fail(const char *data, size_t len, const char *msg)
{
	struct cc_strmap m;
	cc_strmap_init(&m, free);
	cc_strmap_set(&m, "PRE", cc_xstrdup("kept"));
	struct osenv e = {.pairs = no_env, .looked = CC_STRBUF_INIT};
	struct cc_error *err = NULL;

	int r = cc_dotenv_parse(data, len, "test.env", os_lookup, &e, &m, &err);
	if (r >= 0 || !err || strcmp(err->msg, msg) != 0)
		print_error("dotenv: [%s] r=%d error [%s], expected [%s]\n", data, r, err ? err->msg : "none",
			    msg);
	assert_true(r < 0);
	assert_non_null(err);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	assert_string_equal(err->msg, msg);
	assert_int_equal(cc_strmap_size(&m), 1);
	assert_entry(&m, "PRE", "kept");
	cc_error_free(err);
	cc_strbuf_release(&e.looked);
	cc_strmap_release(&m);
}

static void check_err(const char *data, const char *msg)
{
	check_fail(data, strlen(data), msg);
}

/* Row 20 */
static void test_spacing_and_comments(void **state)
{
	(void)state;
	check1("K = my string # c", "K", "my string");
	check1("K=123#x", "K", "123#x");
	check1("K=\"a#b\" # c", "K", "a#b");
	check1("K= ", "K", "");
	check1("K=", "K", "");
	check1("K= # only a comment", "K", "");
	check1("FOO=bar # this is foo", "FOO", "bar");
	check1("FOO=bar #this is foo", "FOO", "bar");
	check1("FOO=bar #", "FOO", "bar");
	check1("FOO=bar ", "FOO", "bar");
	check1("FOO =bar", "FOO", "bar");
	check1("FOO= bar", "FOO", "bar");
	check1("FOO=a b  c", "FOO", "a b  c");
	check1("FOO=\"bar#baz\"#", "FOO", "bar#baz");
	check1("FOO='bar#baz' # comment", "FOO", "bar#baz");
	check1("FOO=\"bar#baz#bang\" # comment", "FOO", "bar#baz#bang");
	check1("FOO=foobar=", "FOO", "foobar=");
	check1(" KEY =value", "KEY", "value");
	check1("\tKEY=value", "KEY", "value");

	struct cc_strmap m;
	cc_strmap_init(&m, free);
	parse_into("# comment\n\n\t # indented comment\n   \nA=1\n#B=2\n\n", no_env, &m);
	assert_int_equal(cc_strmap_size(&m), 1);
	assert_entry(&m, "A", "1");
	cc_strmap_release(&m);

	cc_strmap_init(&m, free);
	parse_into("", no_env, &m);
	assert_int_equal(cc_strmap_size(&m), 0);
	parse_into("\n\r\n\t\t ", no_env, &m);
	assert_int_equal(cc_strmap_size(&m), 0);
	cc_strmap_release(&m);
}

/* Row 21 */
static void test_quotes_and_escapes(void **state)
{
	(void)state;
	check1("K='\\n'", "K", "\\n");
	check1("K=\"\\n\"", "K", "\n");
	check1("K=\"\\0123\"", "K", "S");
	check1("K=\"\\x07\"", "K", "\\x07");
	check1("K=\"\\u12e4\"", "K", "\\u12e4");
	check1("K=\"\\U00101234\"", "K", "\\U00101234");
	check1("K='Let\\'s'", "K", "Let's");
	check1("K=\"a\\\"b\"", "K", "a\"b");
	check1("FOO=\"\\\"quoted\\\"\"", "FOO", "\"quoted\"");
	check1("FOO=\"'d'\"", "FOO", "'d'");
	check1("FOO='bar'", "FOO", "bar");
	check1("FOO=\"bar\"", "FOO", "bar");
	check1("THREE = \"3\"", "THREE", "3");
	check1("KEY=\"Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z\"", "KEY", "Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ");
	check1("FOO=\"bar\\n\\ b\\az\"", "FOO", "bar\n\\ b\az");
	check1("FOO=\"bar\\\\\\n\\ b\\az\"", "FOO", "bar\\\n\\ b\az");
	check1("FOO=\"bar\\\\r\\ b\\az\"", "FOO", "bar\\r\\ b\az");
	check1("FOO=\"bar\\nbaz\\\\\"", "FOO", "bar\nbaz\\");
	check1("FOO=a\\tb", "FOO", "a\\tb"); /* unquoted: no escapes */
	check1("FOO=\"a\\tb\"", "FOO", "a\tb");
	check1("FOO=\"\\c\"", "FOO", "\\c");
	check1("FOO=\"\\'\"", "FOO", "\\'");
	check1("FOO='a\\b'", "FOO", "a\\b");     /* single quotes: literal */
	check1("FOO=\"\\012\"", "FOO", "\\012"); /* octal needs three digits after \0 */
	check1("FOO=\"\\01234\"", "FOO", "S4");
	check1("FOO=\"\\0128\"", "FOO", "\\0128");
	check1("FOO=\"\"", "FOO", "");
	check1("FOO=''", "FOO", "");
	check1("FOO=\"  padded  \"", "FOO", "  padded  ");
	check1("FOO=a\"b'c", "FOO", "a\"b'c");
	check1("OPTION_I=\"echo 'asd'\"", "OPTION_I", "echo 'asd'");
}

/* Row 22 */
static void test_multiline(void **state)
{
	(void)state;
	struct cc_strmap m;
	cc_strmap_init(&m, free);
	parse_into("A='line1\nline2\nline3'\nB=\"first line\nsecond $X line\"\nC=last value\n", no_env, &m);
	assert_int_equal(cc_strmap_size(&m), 3);
	assert_entry(&m, "A", "line1\nline2\nline3");
	assert_entry(&m, "B", "first line\nsecond  line");
	assert_entry(&m, "C", "last value");
	cc_strmap_release(&m);

	check1("TEST_URLS=\"stratum+tcp://a.com:3333\nstratum+tcp://a.com:443\"", "TEST_URLS",
	       "stratum+tcp://a.com:3333\nstratum+tcp://a.com:443");

	check_err("K=\"", "test.env:1: unterminated quoted value");
	check_err("K=\"value", "test.env:1: unterminated quoted value");
	check_err("K=\"value\\\"", "test.env:1: unterminated quoted value");
	check_err("K=\"value'", "test.env:1: unterminated quoted value");
	check_err("K='", "test.env:1: unterminated quoted value");
	check_err("K='value", "test.env:1: unterminated quoted value");
	check_err("K='value\\'", "test.env:1: unterminated quoted value");
	check_err("K='value\"", "test.env:1: unterminated quoted value");
	/* the line is where the quote opened */
	check_err("A=1\n# c\nB='x\ny\nz", "test.env:3: unterminated quoted value");
	/* and line counting continues correctly after a multi-line value */
	check_err("A='x\ny\nz'\nbad key=1", "test.env:4: key cannot contain a space");
	check_err("A=\"x\ny\"\nB=2\n%x=1", "test.env:4: unexpected character \"%\" in variable name");
}

/* Row 23 */
static void test_keys_and_export(void **state)
{
	(void)state;
	check1("export A=2", "A", "2");
	check1("export\tA=2", "A", "2");
	check1("export \t A=2", "A", "2");
	check1("  export OPTION_A=2", "OPTION_A", "2");
	check1("\texport OPTION_A=2", "OPTION_A", "2");
	check1("export OPTION_B='\\n'", "OPTION_B", "\\n");
	check1("exportFOO=2", "exportFOO", "2");
	check1("export exportFoo=2", "exportFoo", "2");
	check1("export_FOO =2", "export_FOO", "2");
	check1("export.FOO= 2", "export.FOO", "2");
	check1("export=1", "export", "1");
	check1("export OPTION_A=\"export A\"", "OPTION_A", "export A");
	check1("VAR.WITH.DOTS=dots", "VAR.WITH.DOTS", "dots");
	check1("VAR-WITH-DASHES=dashes", "VAR-WITH-DASHES", "dashes");
	check1("VAR_WITH_UNDERSCORES=underscores", "VAR_WITH_UNDERSCORES", "underscores");
	check1("a[1]=c", "a[1]", "c");
	check1("a.propertyKey=d", "a.propertyKey", "d");
	check1("árvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép", "árvíztűrő-TÜKÖRFÚRÓGÉP",
	       "ÁRVÍZTŰRŐ-tükörfúrógép");
	check1("K: v", "K", "v");
	check1("OPTION_A: 1", "OPTION_A", "1");
	check1("OPTION_A: Foo=bar", "OPTION_A", "Foo=bar");
	check1("OPTION_A=1:B", "OPTION_A", "1:B");
	check1("OPTION_A=postgres://localhost:5432/database?sslmode=disable", "OPTION_A",
	       "postgres://localhost:5432/database?sslmode=disable");

	check_err("bad key=1", "test.env:1: key cannot contain a space");
	check_err("A=1\n\n# c\nbad key=1", "test.env:4: key cannot contain a space");
	check_err("export bad key=1", "test.env:1: key cannot contain a space");
	check_err("%x=1", "test.env:1: unexpected character \"%\" in variable name");
	check_err("A=1\n%x=1", "test.env:2: unexpected character \"%\" in variable name");
	check_err("lol$wut", "test.env:1: unexpected character \"$\" in variable name");
	check_err("%!(EXTRA string)=foo", "test.env:1: unexpected character \"%\" in variable name");
	check_err("A\"B=1", "test.env:1: unexpected character \"\\\"\" in variable name");
	check_err("A\x01=1", "test.env:1: unexpected character \"\\x01\" in variable name");
	check_err("=value", "test.env:1: empty variable name");
	check_err("K=\"a\" junk", "test.env:1: unexpected character after the closing quote");
	check_fail("A=1\nB=x\0y", 9, "test.env:2: unexpected NUL byte");
}

/* Row 24 */
static void test_inherit(void **state)
{
	(void)state;
	static const char *const env[] = {"VAR", "from-os", "EMPTY", "", NULL};
	struct cc_strmap m;
	struct osenv e = {.pairs = env, .looked = CC_STRBUF_INIT};
	struct cc_error *err = NULL;

	cc_strmap_init(&m, free);
	const char *data = "VAR\nMISSING\n  EMPTY  \r\nexport NOPE\nfoo=bar\nLAST";
	assert_int_equal(cc_dotenv_parse(data, strlen(data), "test.env", os_lookup, &e, &m, &err), 0);
	assert_null(err);
	assert_int_equal(cc_strmap_size(&m), 3);
	assert_entry(&m, "VAR", "from-os");
	assert_entry(&m, "EMPTY", "");
	assert_entry(&m, "foo", "bar");
	assert_false(cc_strmap_has(&m, "MISSING"));
	assert_false(cc_strmap_has(&m, "NOPE"));
	assert_false(cc_strmap_has(&m, "LAST"));
	/* every bare key was asked for */
	assert_string_equal(cc_strbuf_str(&e.looked), "VAR,MISSING,EMPTY,NOPE,LAST,");
	cc_strbuf_release(&e.looked);
	cc_strmap_release(&m);

	/* a bare key at the end of the data, without a newline, inherits too */
	cc_strmap_init(&m, free);
	parse_into("A=1\nVAR", env, &m);
	assert_int_equal(cc_strmap_size(&m), 2);
	assert_entry(&m, "VAR", "from-os");
	cc_strmap_release(&m);

	/* without a lookup function a bare key is simply absent */
	cc_strmap_init(&m, free);
	assert_int_equal(cc_dotenv_parse("VAR\nA=$VAR", 10, "x.env", NULL, NULL, &m, &err), 0);
	assert_null(err);
	assert_int_equal(cc_strmap_size(&m), 1);
	assert_entry(&m, "A", "");
	cc_strmap_release(&m);
}

/* Row 25 */
static void test_expansion_precedence(void **state)
{
	(void)state;
	static const char *const os_a5[] = {"A", "5", NULL};
	static const char *const os_opt_a5[] = {"OPTION_A", "5", NULL};
	struct cc_strmap m;

	cc_strmap_init(&m, free);
	parse_into("A=1\nB=${A}", os_a5, &m);
	assert_entry(&m, "A", "1");
	assert_entry(&m, "B", "5");
	cc_strmap_release(&m);

	cc_strmap_init(&m, free);
	parse_into("A=${A:-1}", os_a5, &m);
	assert_entry(&m, "A", "5");
	cc_strmap_release(&m);

	cc_strmap_init(&m, free);
	parse_into("A=${A:-1}\nB=$A", no_env, &m);
	assert_entry(&m, "A", "1");
	assert_entry(&m, "B", "1");
	cc_strmap_release(&m);

	/* compose-go's substitutions fixture, with and without OPTION_A=5 in the environment */
	const char *subst =
	    "OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_$OPTION_B\n"
	    "OPTION_E=${OPTION_NOT_DEFINED}\n";
	cc_strmap_init(&m, free);
	parse_into(subst, os_opt_a5, &m);
	assert_int_equal(cc_strmap_size(&m), 5);
	assert_entry(&m, "OPTION_A", "1");
	assert_entry(&m, "OPTION_B", "5");
	assert_entry(&m, "OPTION_C", "5");
	assert_entry(&m, "OPTION_D", "5_5");
	assert_entry(&m, "OPTION_E", "");
	cc_strmap_release(&m);

	cc_strmap_init(&m, free);
	parse_into(subst, no_env, &m);
	assert_entry(&m, "OPTION_A", "1");
	assert_entry(&m, "OPTION_B", "1");
	assert_entry(&m, "OPTION_C", "1");
	assert_entry(&m, "OPTION_D", "1_1");
	assert_entry(&m, "OPTION_E", "");
	cc_strmap_release(&m);

	const char *subst_default = "OPTION_A=${OPTION_A:-1}\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\n"
				    "OPTION_D=${OPTION_A}_$OPTION_B\nOPTION_E=${OPTION_NOT_DEFINED}\n";
	cc_strmap_init(&m, free);
	parse_into(subst_default, os_opt_a5, &m);
	assert_entry(&m, "OPTION_A", "5");
	assert_entry(&m, "OPTION_B", "5");
	assert_entry(&m, "OPTION_C", "5");
	assert_entry(&m, "OPTION_D", "5_5");
	assert_entry(&m, "OPTION_E", "");
	cc_strmap_release(&m);

	/* --env-file base override: the later file sees the earlier one, the OS env beats both, later wins */
	cc_strmap_init(&m, free);
	parse_into("A=1\nX=base", os_a5, &m);
	parse_into("B=${A}\nX=override\nY=$X", os_a5, &m);
	assert_int_equal(cc_strmap_size(&m), 4);
	assert_entry(&m, "A", "1");
	assert_entry(&m, "B", "5");
	assert_entry(&m, "X", "override");
	assert_entry(&m, "Y", "override");
	cc_strmap_release(&m);

	cc_strmap_init(&m, free);
	parse_into("A=1", no_env, &m);
	parse_into("B=${A}", no_env, &m);
	assert_entry(&m, "B", "1");
	cc_strmap_release(&m);

	/* expansion also goes through the caller's lookup for names no file defines */
	static const char *const os_me[] = {"ME", "YES", NULL};
	cc_strmap_init(&m, free);
	parse_into("TEST=$ME", os_me, &m);
	assert_entry(&m, "TEST", "YES");
	cc_strmap_release(&m);
}

/* Row 26 */
static void test_bom_crlf_and_dollar(void **state)
{
	(void)state;
	static const char *const os_foo[] = {"FOO", "test", NULL};
	struct cc_strmap m;

	cc_strmap_init(&m, free);
	parse_into("\xEF\xBB\xBFOPTION_A=1\nOPTION_B=2\n", no_env, &m);
	assert_int_equal(cc_strmap_size(&m), 2);
	assert_entry(&m, "OPTION_A", "1");
	assert_entry(&m, "OPTION_B", "2");
	cc_strmap_release(&m);

	cc_strmap_init(&m, free);
	parse_into("A=1\r\nB='x'\r\nC=\"y\" \r\n# c\r\n\r\nD=two words # c\r\nE=\"l1\r\nl2\"\r\nF: v\r\n",
		   no_env, &m);
	assert_int_equal(cc_strmap_size(&m), 6);
	assert_entry(&m, "A", "1");
	assert_entry(&m, "B", "x");
	assert_entry(&m, "C", "y");
	assert_entry(&m, "D", "two words");
	assert_entry(&m, "E", "l1\nl2");
	assert_entry(&m, "F", "v");
	cc_strmap_release(&m);

	check1("BAR='quote $FOO'", "BAR", "quote $FOO");
	check1("FOO=\"foo\\$BAR\"", "FOO", "foo$BAR");
	check1("FOO=\"foo\\${BAR}\"", "FOO", "foo${BAR}");
	check1("FOO=$$literal", "FOO", "$literal");
	check1("BAR=$FOO", "BAR", "");

	cc_strmap_init(&m, free);
	parse_into("FOO=test\nBAR=\"foo\\${FOO} ${FOO}\"\nQ=\"quote $FOO\"\nU=${FOO}bar", no_env, &m);
	assert_entry(&m, "BAR", "foo${FOO} test");
	assert_entry(&m, "Q", "quote test");
	assert_entry(&m, "U", "testbar");
	cc_strmap_release(&m);

	/* unquoted values expand too, with the full template syntax */
	cc_strmap_init(&m, free);
	parse_into("A=${FOO:-x}-${NOPE:-y}\nB=\"${NOPE:-{\\\"j\\\":1}}\"", os_foo, &m);
	assert_entry(&m, "A", "test-y");
	assert_entry(&m, "B", "{\"j\":1}");
	cc_strmap_release(&m);
}

/* Expansion errors carry the file and the line of the value. */
static void test_expansion_errors(void **state)
{
	(void)state;
	check_err("A=${X:?need X}", "test.env:1: required variable X is missing a value: need X");
	check_err("A=1\nB=\"${X?}\"", "test.env:2: required variable X is missing a value");
	check_err("A=1\n\nB=${ x}", "test.env:3: invalid interpolation format: \"${ x}\"; you may need to "
				    "escape any $ with another $");
	check_err("A='\n'\nB=${V/a/b}",
		  "test.env:3: invalid interpolation format: \"${V/a/b}\"; you may need to "
		  "escape any $ with another $");
}

/* A failure anywhere in a file stores nothing, even the lines before it. */
static void test_nothing_stored_on_failure(void **state)
{
	(void)state;
	check_err("PRE=new\nOTHER=1\nbad key=2", "test.env:3: key cannot contain a space");

	/* and the filename appears as given */
	struct cc_strmap m;
	struct cc_error *err = NULL;
	cc_strmap_init(&m, free);
	assert_true(cc_dotenv_parse("x y=1", 5, "/proj/.env", NULL, NULL, &m, &err) < 0);
	assert_string_equal(err->msg, "/proj/.env:1: key cannot contain a space");
	assert_int_equal(cc_strmap_size(&m), 0);
	cc_error_free(err);
	cc_strmap_release(&m);
}

/* Only the first `len` bytes are read. */
static void test_length_bounded(void **state)
{
	(void)state;
	struct cc_strmap m;
	struct cc_error *err = NULL;
	cc_strmap_init(&m, free);
	assert_int_equal(cc_dotenv_parse("A=12345", 4, "x.env", NULL, NULL, &m, &err), 0);
	assert_entry(&m, "A", "12");
	assert_int_equal(cc_dotenv_parse("B='ab'XYZ", 6, "x.env", NULL, NULL, &m, &err), 0);
	assert_entry(&m, "B", "ab");
	assert_null(err);
	cc_strmap_release(&m);
}

static void test_raw(void **state)
{
	(void)state;
	struct cc_strmap m;
	struct cc_error *err = NULL;
	const char *data = "\xEF\xBB\xBF"
			   "A=1 # not a comment\nB=\"q\"\n\n   \nC=${X}\r\nD==x\n#E=1\nF=\nG=  sp  ";
	cc_strmap_init(&m, free);
	assert_int_equal(cc_dotenv_parse_raw(data, strlen(data), "raw.env", &m, &err), 0);
	assert_null(err);
	assert_int_equal(cc_strmap_size(&m), 7);
	assert_entry(&m, "A", "1 # not a comment");
	assert_entry(&m, "B", "\"q\"");
	assert_entry(&m, "C", "${X}");
	assert_entry(&m, "D", "=x");
	assert_entry(&m, "#E", "1");
	assert_entry(&m, "F", "");
	assert_entry(&m, "G", "  sp  ");
	cc_strmap_release(&m);

	cc_strmap_init(&m, free);
	cc_strmap_set(&m, "PRE", cc_xstrdup("kept"));
	assert_true(cc_dotenv_parse_raw("A=1\n\nNOEQUALS\n", 14, "raw.env", &m, &err) < 0);
	assert_non_null(err);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	assert_string_equal(err->msg, "raw.env:3: missing '=' in raw line");
	assert_int_equal(cc_strmap_size(&m), 1);
	cc_error_release(&err);

	assert_true(cc_dotenv_parse_raw("A B=1", 5, "raw.env", &m, &err) < 0);
	assert_string_equal(err->msg, "raw.env:1: key cannot contain a space");
	cc_error_release(&err);
	assert_true(cc_dotenv_parse_raw("=1", 2, "raw.env", &m, &err) < 0);
	assert_string_equal(err->msg, "raw.env:1: empty variable name");
	cc_error_release(&err);
	assert_entry(&m, "PRE", "kept");
	assert_int_equal(cc_strmap_size(&m), 1);
	cc_strmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spacing_and_comments),
	    cmocka_unit_test(test_quotes_and_escapes),
	    cmocka_unit_test(test_multiline),
	    cmocka_unit_test(test_keys_and_export),
	    cmocka_unit_test(test_inherit),
	    cmocka_unit_test(test_expansion_precedence),
	    cmocka_unit_test(test_bom_crlf_and_dollar),
	    cmocka_unit_test(test_expansion_errors),
	    cmocka_unit_test(test_nothing_stored_on_failure),
	    cmocka_unit_test(test_length_bounded),
	    cmocka_unit_test(test_raw),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
