/* Unit tests for engine/image/reference.c: parsing and normalization as distribution/reference does it
 * (ParseNormalizedNamed, FamiliarString), the error messages, digests, and loopback registries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "engine/image/reference.h"

#define SHA256_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA512_HEX                                                                                           \
	"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63" \
	"b931bd"                                                                                             \
	"47417a81a538327af927da3e"
#define D256 "sha256:" SHA256_HEX
#define D512 "sha512:" SHA512_HEX

struct ok_case {
	const char *in;
	const char *registry;
	const char *repository;
	const char *tag;
	const char *digest;
	const char *string;   /* canonical */
	const char *familiar; /* what docker shows */
};

static const struct ok_case ok_cases[] = {
    /* docker.io and library/ are implied, and "latest" */
    {"busybox", "docker.io", "library/busybox", "latest", NULL, "docker.io/library/busybox:latest",
     "busybox:latest"},
    {"library/busybox", "docker.io", "library/busybox", "latest", NULL, "docker.io/library/busybox:latest",
     "busybox:latest"},
    {"docker.io/busybox", "docker.io", "library/busybox", "latest", NULL, "docker.io/library/busybox:latest",
     "busybox:latest"},
    {"docker.io/library/busybox:latest", "docker.io", "library/busybox", "latest", NULL,
     "docker.io/library/busybox:latest", "busybox:latest"},
    {"index.docker.io/busybox", "docker.io", "library/busybox", "latest", NULL,
     "docker.io/library/busybox:latest", "busybox:latest"},
    {"index.docker.io/library/busybox:1.36", "docker.io", "library/busybox", "1.36", NULL,
     "docker.io/library/busybox:1.36", "busybox:1.36"},
    {"busybox:1.36.1-musl", "docker.io", "library/busybox", "1.36.1-musl", NULL,
     "docker.io/library/busybox:1.36.1-musl", "busybox:1.36.1-musl"},
    {"user/app:1.0", "docker.io", "user/app", "1.0", NULL, "docker.io/user/app:1.0", "user/app:1.0"},
    {"docker.io/user/app", "docker.io", "user/app", "latest", NULL, "docker.io/user/app:latest",
     "user/app:latest"},
    /* library/ is implied only for a single component */
    {"library/a/b", "docker.io", "library/a/b", "latest", NULL, "docker.io/library/a/b:latest",
     "library/a/b:latest"},
    {"0/1", "docker.io", "0/1", "latest", NULL, "docker.io/0/1:latest", "0/1:latest"},
    /* registries */
    {"localhost/app", "localhost", "app", "latest", NULL, "localhost/app:latest", "localhost/app:latest"},
    {"localhost:5000/a/b:t", "localhost:5000", "a/b", "t", NULL, "localhost:5000/a/b:t",
     "localhost:5000/a/b:t"},
    {"localhost:65535/x", "localhost:65535", "x", "latest", NULL, "localhost:65535/x:latest",
     "localhost:65535/x:latest"},
    {"127.0.0.1:5000/x", "127.0.0.1:5000", "x", "latest", NULL, "127.0.0.1:5000/x:latest",
     "127.0.0.1:5000/x:latest"},
    {"[::1]:5000/x:y", "[::1]:5000", "x", "y", NULL, "[::1]:5000/x:y", "[::1]:5000/x:y"},
    {"[::1]/x", "[::1]", "x", "latest", NULL, "[::1]/x:latest", "[::1]/x:latest"},
    {"[2001:db8::1]:443/team/app", "[2001:db8::1]:443", "team/app", "latest", NULL,
     "[2001:db8::1]:443/team/app:latest", "[2001:db8::1]:443/team/app:latest"},
    {"my-registry:5000/app", "my-registry:5000", "app", "latest", NULL, "my-registry:5000/app:latest",
     "my-registry:5000/app:latest"},
    {"sub.domain-x.io:443/a/b/c", "sub.domain-x.io:443", "a/b/c", "latest", NULL,
     "sub.domain-x.io:443/a/b/c:latest", "sub.domain-x.io:443/a/b/c:latest"},
    {"Registry.Example.COM/app", "Registry.Example.COM", "app", "latest", NULL,
     "Registry.Example.COM/app:latest", "Registry.Example.COM/app:latest"},
    {"quay.io/prometheus/node-exporter:v1.7.0", "quay.io", "prometheus/node-exporter", "v1.7.0", NULL,
     "quay.io/prometheus/node-exporter:v1.7.0", "quay.io/prometheus/node-exporter:v1.7.0"},
    {"example.com/app", "example.com", "app", "latest", NULL, "example.com/app:latest",
     "example.com/app:latest"},
    /* separators and tags */
    {"x/a.b_c__d-e---f9", "docker.io", "x/a.b_c__d-e---f9", "latest", NULL,
     "docker.io/x/a.b_c__d-e---f9:latest", "x/a.b_c__d-e---f9:latest"},
    {"a_b.c", "docker.io", "library/a_b.c", "latest", NULL, "docker.io/library/a_b.c:latest", "a_b.c:latest"},
    {"app:_Under.Score-9", "docker.io", "library/app", "_Under.Score-9", NULL,
     "docker.io/library/app:_Under.Score-9", "app:_Under.Score-9"},
    /* "host:port" without a path is a name and a tag, as for docker */
    {"localhost:5000", "docker.io", "library/localhost", "5000", NULL, "docker.io/library/localhost:5000",
     "localhost:5000"},
    /* digests: no default tag; a tag and a digest are both kept */
    {"registry.example.com/team/app@" D256, "registry.example.com", "team/app", NULL, D256,
     "registry.example.com/team/app@" D256, "registry.example.com/team/app@" D256},
    {"busybox:1.36@" D256, "docker.io", "library/busybox", "1.36", D256,
     "docker.io/library/busybox:1.36@" D256, "busybox:1.36@" D256},
    {"busybox@" D512, "docker.io", "library/busybox", NULL, D512, "docker.io/library/busybox@" D512,
     "busybox@" D512},
    {"127.0.0.1:5000/x/y@" D256, "127.0.0.1:5000", "x/y", NULL, D256, "127.0.0.1:5000/x/y@" D256,
     "127.0.0.1:5000/x/y@" D256},
};

struct err_case {
	const char *in;
	const char *needle; /* a substring of the message */
};

static const struct err_case err_cases[] = {
    {"", "empty reference"},
    {"Busybox", "repository name must be lowercase"},
    {"user/App", "repository name must be lowercase"},
    {"User/app", "repository name must be lowercase"}, /* no '.', ':' or localhost: not a host */
    {"localhost/App:tag", "repository name must be lowercase"},
    {"LOCALHOST/app", "repository name must be lowercase"},
    {"a:", "invalid tag: nothing after ':'"},
    {"a:-tag", "invalid tag \"-tag\""},
    {"a:t!g", "invalid tag \"t!g\""},
    {"a:.x", "invalid tag"},
    {":tag", "missing repository name"},
    {"@" D256, "missing repository name"},
    {"a@sha256:short", "invalid digest: sha256 takes 64 lowercase hexadecimal digits"},
    {"a@md5:d41d8cd98f00b204e9800998ecf8427e", "invalid digest: unsupported algorithm"},
    {"a@sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "invalid digest"},
    {"a@sha256:" SHA256_HEX "0", "invalid digest"},
    {"a@sha512:" SHA256_HEX, "invalid digest: sha512 takes 128"},
    {"a@sha256", "invalid digest: expected <algorithm>:<hex>"},
    {"a@", "invalid digest: nothing after '@'"},
    {"a@" D256 "@x", "invalid digest"},
    {"a//b", "invalid repository name: empty path component"},
    {"a/", "invalid repository name: empty path component"},
    {"localhost/", "invalid repository name: empty path component"},
    {"/a", "invalid repository name: empty path component"},
    {"-a", "invalid repository name: path component \"-a\""},
    {"a/-b", "path component \"-b\""},
    {"a-", "path component \"a-\""},
    {"a..b", "path component \"a..b\""},
    {"a___b", "path component \"a___b\""},
    {"a._b", "invalid repository name"},
    {"a:b:c", "path component \"a:b\""},
    {"localhost:0/a", "invalid registry host \"localhost:0\": the port must be from 1 to 65535"},
    {"localhost:70000/a", "the port must be from 1 to 65535"},
    {"localhost:/a", "the port must be from 1 to 65535"},
    {"localhost:50x/a", "the port must be from 1 to 65535"},
    {"[::1]:0/a", "the port must be from 1 to 65535"},
    {"-bad.io/a", "invalid registry host \"-bad.io\""},
    {"bad_host.io/a", "invalid registry host"},
    {"a..io/x", "invalid registry host"},
    {"example.com./x", "invalid registry host"},
    {"[::1/x", "invalid registry host"},
    {"[zz::1]:5000/x", "invalid registry host"},
    {"[::1]x/y", "invalid registry host"},
    {"[::ffff:1.2.3.4]/x", "invalid registry host"},
    {"busy box", "contains whitespace or a control character"},
    {" busybox", "contains whitespace"},
    {"busybox\t", "contains whitespace"},
    {"busybox:1\n", "contains whitespace"},
    {SHA256_HEX, "is an image ID, not a repository name"},
};

static void expect_str(const char *what, const char *in, const char *got, const char *want)
{
	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
		fail_msg("\"%s\": %s is [%s], want [%s]", in, what, got ? got : "(null)",
			 want ? want : "(null)");
}

static void check_ok(const struct ok_case *c)
{
	struct cc_image_ref ref;
	struct cc_error *err = NULL;
	if (cc_image_ref_parse(c->in, &ref, &err) != 0)
		fail_msg("\"%s\" failed: %s", c->in, err ? err->msg : "(no error set)");
	assert_null(err);
	expect_str("registry", c->in, ref.registry, c->registry);
	expect_str("repository", c->in, ref.repository, c->repository);
	expect_str("tag", c->in, ref.tag, c->tag);
	expect_str("digest", c->in, ref.digest, c->digest);

	char *s = cc_image_ref_string(&ref);
	expect_str("string", c->in, s, c->string);
	char *name = cc_image_ref_name(&ref);
	size_t rl = strlen(c->registry);
	assert_int_equal(strncmp(name, c->registry, rl), 0);
	assert_int_equal(name[rl], '/');
	expect_str("name", c->in, name + rl + 1, c->repository);
	char *fam = cc_image_ref_familiar(&ref);
	expect_str("familiar", c->in, fam, c->familiar);
	cc_image_ref_release(&ref);

	/* the canonical and the familiar forms both parse back to the same reference */
	const char *again[] = {s, fam};
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(cc_image_ref_parse(again[i], &ref, &err), 0);
		char *s2 = cc_image_ref_string(&ref);
		expect_str("string after a round trip", again[i], s2, c->string);
		free(s2);
		cc_image_ref_release(&ref);
	}
	free(s);
	free(name);
	free(fam);
}

/* The input fails with INVALID_ARGUMENT, a message "invalid reference format: \"<in>\": ...needle...", and
 * out zeroed even though it held something before. */
static void check_err(const char *in, const char *needle)
{
	char junk[] = "junk";
	struct cc_image_ref ref = {junk, junk, junk, junk};
	struct cc_error *err = NULL;

	int rc = cc_image_ref_parse(in, &ref, &err);
	if (rc >= 0)
		fail_msg("\"%s\" parsed, want an error with \"%s\"", in, needle);
	assert_non_null(err);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	if (strncmp(err->msg, "invalid reference format: \"", 27) != 0 || !strstr(err->msg, needle))
		fail_msg("\"%s\": message [%s] lacks the prefix or \"%s\"", in, err->msg, needle);
	assert_null(ref.registry);
	assert_null(ref.repository);
	assert_null(ref.tag);
	assert_null(ref.digest);
	cc_error_release(&err);

	/* without an error to fill in, it fails the same way */
	struct cc_image_ref ref2 = {junk, junk, junk, junk};
	assert_true(cc_image_ref_parse(in, &ref2, NULL) < 0);
	assert_null(ref2.registry);
	assert_null(ref2.repository);
	cc_image_ref_release(&ref2);
}

static void test_normalize(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++)
		check_ok(&ok_cases[i]);
}

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++)
		check_err(err_cases[i].in, err_cases[i].needle);
}

/* The whole message, with the input quoted and escaped. */
static void test_error_messages(void **state)
{
	(void)state;
	struct {
		const char *in;
		const char *msg;
	} cases[] = {
	    {"Busybox", "invalid reference format: \"Busybox\": repository name must be lowercase"},
	    {"", "invalid reference format: \"\": empty reference"},
	    {"a:b\n", "invalid reference format: \"a:b\\n\": contains whitespace or a control character"},
	    {"a\"\\\x01",
	     "invalid reference format: \"a\\\"\\\\\\x01\": contains whitespace or a control character"},
	    {"a/\xc3\xa9",
	     "invalid reference format: \"a/\\xc3\\xa9\": invalid repository name: path component "
	     "\"\\xc3\\xa9\" must be lowercase letters and digits, separated by '.', '_', '__' or dashes"},
	    {"a:b\"c", "invalid reference format: \"a:b\\\"c\": invalid tag \"b\\\"c\": must match "
		       "[A-Za-z0-9_][A-Za-z0-9_.-]*"},
	    {"h_x.io/a", "invalid reference format: \"h_x.io/a\": invalid registry host \"h_x.io\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cc_image_ref ref;
		struct cc_error *err = NULL;
		assert_true(cc_image_ref_parse(cases[i].in, &ref, &err) < 0);
		assert_non_null(err);
		assert_string_equal(err->msg, cases[i].msg);
		cc_error_release(&err);
	}
}

/* Tags of 128 characters and names of 255 are the limits. */
static void test_lengths(void **state)
{
	(void)state;
	char buf[600];
	struct cc_image_ref ref;

	/* tag: 128 is fine, 129 is not */
	memcpy(buf, "a:", 2);
	memset(buf + 2, 't', 129);
	buf[2 + 128] = '\0';
	assert_int_equal(cc_image_ref_parse(buf, &ref, NULL), 0);
	assert_int_equal(strlen(ref.tag), 128);
	cc_image_ref_release(&ref);
	buf[2 + 128] = 't';
	buf[2 + 129] = '\0';
	check_err(buf, "invalid tag: more than 128 characters");

	/* name: "example.com/" (12) + 243 = 255 is fine, one more is not */
	memcpy(buf, "example.com/", 12);
	memset(buf + 12, 'a', 244);
	buf[12 + 243] = '\0';
	assert_int_equal(cc_image_ref_parse(buf, &ref, NULL), 0);
	char *name = cc_image_ref_name(&ref);
	assert_int_equal(strlen(name), 255);
	free(name);
	cc_image_ref_release(&ref);
	buf[12 + 243] = 'a';
	buf[12 + 244] = '\0';
	check_err(buf, "repository name must not be more than 255 characters");

	/* the limit applies to the normalized name: "docker.io/library/" (18) + 237 = 255 */
	memset(buf, 'b', 238);
	buf[237] = '\0';
	assert_int_equal(cc_image_ref_parse(buf, &ref, NULL), 0);
	cc_image_ref_release(&ref);
	buf[237] = 'b';
	buf[238] = '\0';
	check_err(buf, "more than 255 characters");

	/* a tag does not count toward the name */
	memcpy(buf + 237, ":tag", 5);
	assert_int_equal(cc_image_ref_parse(buf, &ref, NULL), 0);
	cc_image_ref_release(&ref);

	/* a hostname label of 63 characters is fine, 64 is not */
	memset(buf, 'h', 64);
	memcpy(buf + 63, ".io/x", 6);
	assert_int_equal(cc_image_ref_parse(buf, &ref, NULL), 0);
	cc_image_ref_release(&ref);
	memset(buf, 'h', 64);
	memcpy(buf + 64, ".io/x", 6);
	check_err(buf, "invalid registry host");

	/* a very long input is cut short in the message */
	memset(buf, 'A', 500);
	buf[500] = '\0';
	struct cc_error *err = NULL;
	assert_true(cc_image_ref_parse(buf, &ref, &err) < 0);
	assert_non_null(strstr(err->msg, "AAA...\": repository name must be lowercase"));
	assert_true(strlen(err->msg) < 350);
	cc_error_release(&err);
}

static void test_digest_valid(void **state)
{
	(void)state;
	assert_true(cc_digest_valid(D256));
	assert_true(cc_digest_valid(D512));
	assert_false(cc_digest_valid(NULL));
	assert_false(cc_digest_valid(""));
	assert_false(cc_digest_valid("sha256:"));
	assert_false(cc_digest_valid("sha256"));
	assert_false(cc_digest_valid(SHA256_HEX));
	assert_false(cc_digest_valid(":" SHA256_HEX));
	assert_false(cc_digest_valid("SHA256:" SHA256_HEX));
	assert_false(
	    cc_digest_valid("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
	assert_false(
	    cc_digest_valid("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"));
	assert_false(cc_digest_valid(D256 "5"));
	assert_false(cc_digest_valid(D256 " "));
	assert_false(
	    cc_digest_valid("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	assert_false(cc_digest_valid("sha512:" SHA256_HEX));
	assert_false(cc_digest_valid("sha384:" SHA256_HEX));
	assert_false(cc_digest_valid("md5:d41d8cd98f00b204e9800998ecf8427e"));
}

static void test_loopback(void **state)
{
	(void)state;
	static const char *const yes[] = {
	    "localhost",
	    "localhost:5000",
	    "LocalHost:80",
	    "127.0.0.1",
	    "127.0.0.1:5000",
	    "127.1.2.3:1",
	    "127.255.255.255:65535",
	    "[::1]",
	    "[::1]:5000",
	    "::1",
	    "[0:0:0:0:0:0:0:1]:5000",
	};
	static const char *const no[] = {
	    "",
	    "docker.io",
	    "registry-1.docker.io:443",
	    "128.0.0.1",
	    "10.0.0.1:5000",
	    "126.255.255.255",
	    "127.0.0.256",
	    "127.0.0",
	    "127.0.0.1.nip.io",
	    "localhost.example.com",
	    "localhostx",
	    "localhost:0",
	    "localhost:70000",
	    "localhost:",
	    "127.0.0.1:abc",
	    "[::2]",
	    "::2",
	    "[::1]x",
	    "[::1]:",
	    "[::1",
	    "[127.0.0.1]",
	    "[localhost]",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!cc_registry_is_loopback(yes[i]))
			fail_msg("\"%s\" should be loopback", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (cc_registry_is_loopback(no[i]))
			fail_msg("\"%s\" should not be loopback", no[i]);
	assert_false(cc_registry_is_loopback(NULL));

	/* what the parser calls the registry feeds straight in */
	struct cc_image_ref ref;
	assert_int_equal(cc_image_ref_parse("[::1]:5000/x", &ref, NULL), 0);
	assert_true(cc_registry_is_loopback(ref.registry));
	cc_image_ref_release(&ref);
	assert_int_equal(cc_image_ref_parse("busybox", &ref, NULL), 0);
	assert_false(cc_registry_is_loopback(ref.registry));
	cc_image_ref_release(&ref);
}

static void test_release(void **state)
{
	(void)state;
	struct cc_image_ref ref = {0};
	cc_image_ref_release(&ref);
	cc_image_ref_release(&ref);
	cc_image_ref_release(NULL);

	assert_int_equal(cc_image_ref_parse("a:1@" D256, &ref, NULL), 0);
	cc_image_ref_release(&ref);
	assert_null(ref.registry);
	assert_null(ref.repository);
	assert_null(ref.tag);
	assert_null(ref.digest);
	cc_image_ref_release(&ref); /* twice is harmless */

	/* an error already set is kept: the first cause wins */
	struct cc_error *err = NULL;
	assert_true(cc_image_ref_parse("A", &ref, &err) < 0);
	assert_true(cc_image_ref_parse("a:", &ref, &err) < 0);
	assert_non_null(strstr(err->msg, "must be lowercase"));
	cc_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalize),      cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_error_messages), cmocka_unit_test(test_lengths),
	    cmocka_unit_test(test_digest_valid),   cmocka_unit_test(test_loopback),
	    cmocka_unit_test(test_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
