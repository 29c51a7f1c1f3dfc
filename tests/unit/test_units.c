/* Unit tests for compose/units.c: bytes, durations, modes, short port and volume syntaxes.
 * Expected values follow compose-go, go-units, go-connections and Go's time package (edge cases §2 rows 17,
 * 45-47; checklist §7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "compose/units.h"

/* Assert that err holds an INVALID_ARGUMENT error whose message contains `needle`, then free it. */
static void check_error(int rc, struct cc_error **err, const char *needle)
{
	assert_true(rc < 0);
	assert_non_null(*err);
	assert_int_equal((*err)->kind, CC_ERR_INVALID_ARGUMENT);
	if (!strstr((*err)->msg, needle))
		fail_msg("error message \"%s\" does not contain \"%s\"", (*err)->msg, needle);
	cc_error_release(err);
}

/* ---- bytes ----------------------------------------------------------------------------------------------
 */

static void expect_bytes(const char *s, int64_t want)
{
	struct cc_error *err = NULL;
	int64_t got = 12345;
	int rc = cc_parse_bytes(s, &got, &err);
	if (rc != 0)
		fail_msg("cc_parse_bytes(\"%s\") failed: %s", s, err ? err->msg : "(no error)");
	assert_null(err);
	if (got != want)
		fail_msg("cc_parse_bytes(\"%s\") = %lld, want %lld", s, (long long)got, (long long)want);
}

static void expect_bytes_error(const char *s, const char *needle)
{
	struct cc_error *err = NULL;
	int64_t got = 12345;
	int rc = cc_parse_bytes(s, &got, &err);
	check_error(rc, &err, needle);
	assert_int_equal(got, 0);
}

static void test_bytes_valid(void **state)
{
	(void)state;
	expect_bytes("640kb", 655360);
	expect_bytes("640KB", 655360);
	expect_bytes("640k", 655360);
	expect_bytes("640KiB", 655360);
	expect_bytes("640ki", 655360);
	expect_bytes("1g", INT64_C(1073741824));
	expect_bytes("2gb", INT64_C(2147483648));
	expect_bytes("2GB", INT64_C(2147483648));
	expect_bytes("512", 512);
	expect_bytes("512b", 512);
	expect_bytes("512B", 512);
	expect_bytes("0", 0);
	expect_bytes("-1", -1);
	expect_bytes("1m", 1048576);
	expect_bytes("1mb", 1048576);
	expect_bytes("1 mb", 1048576);
	expect_bytes("1.5m", 1572864);
	expect_bytes("1.5", 1); /* go-units truncates toward zero */
	expect_bytes("0.5k", 512);
	expect_bytes("0.1k", 102); /* 102.4 truncated */
	expect_bytes("1t", INT64_C(1) << 40);
	expect_bytes("1tb", INT64_C(1) << 40);
	expect_bytes("1p", INT64_C(1) << 50);
	expect_bytes("1PB", INT64_C(1) << 50);
	expect_bytes("9223372036854775807", INT64_MAX);
	expect_bytes("8191p", INT64_C(8191) << 50);
	expect_bytes("0007k", 7168);
}

static void test_bytes_invalid(void **state)
{
	(void)state;
	expect_bytes_error("", "invalid size: ''");
	expect_bytes_error("abc", "invalid size: 'abc'");
	expect_bytes_error("-2", "invalid size: '-2'");
	expect_bytes_error("-1k", "invalid size: '-1k'");
	expect_bytes_error("1x", "invalid size: '1x'");
	expect_bytes_error("1kk", "invalid size: '1kk'");
	expect_bytes_error("1bb", "invalid size: '1bb'");
	expect_bytes_error("1.k", "invalid size: '1.k'");
	expect_bytes_error(".5k", "invalid size: '.5k'");
	expect_bytes_error("1.5.5", "invalid size: '1.5.5'");
	expect_bytes_error(" 1", "invalid size: ' 1'");
	expect_bytes_error("1  k", "invalid size: '1  k'");
	expect_bytes_error("1e3", "invalid size: '1e3'");
	expect_bytes_error("9223372036854775808", "out of range");
	expect_bytes_error("8192p", "invalid size: '8192p': value out of range");
	expect_bytes_error("99999999999999999999999", "out of range");
}

static void test_bytes_error_kept_on_success(void **state)
{
	(void)state;
	/* A successful call leaves *err alone, even when it is already set (the contract in error.h). */
	struct cc_error *err = NULL;
	cc_error_set(&err, CC_ERR_INTERNAL, "earlier");
	struct cc_error *before = err;
	int64_t v;
	assert_int_equal(cc_parse_bytes("1k", &v, &err), 0);
	assert_ptr_equal(err, before);
	assert_string_equal(err->msg, "earlier");
	cc_error_release(&err);
}

/* ---- durations ------------------------------------------------------------------------------------------
 */

#define SEC INT64_C(1000000000)

static void expect_duration(const char *s, int64_t want)
{
	struct cc_error *err = NULL;
	int64_t got = 12345;
	int rc = cc_parse_duration(s, &got, &err);
	if (rc != 0)
		fail_msg("cc_parse_duration(\"%s\") failed: %s", s, err ? err->msg : "(no error)");
	assert_null(err);
	if (got != want)
		fail_msg("cc_parse_duration(\"%s\") = %lld, want %lld", s, (long long)got, (long long)want);
}

static void expect_duration_error(const char *s, const char *needle)
{
	struct cc_error *err = NULL;
	int64_t got = 12345;
	int rc = cc_parse_duration(s, &got, &err);
	check_error(rc, &err, needle);
	assert_int_equal(got, 0);
}

static void test_duration_valid(void **state)
{
	(void)state;
	expect_duration("0", 0);
	expect_duration("-0", 0);
	expect_duration("+0", 0);
	expect_duration("0s", 0);
	expect_duration("1m30s", 90 * SEC);
	expect_duration("1h5m30s20ms", 3930 * SEC + 20 * INT64_C(1000000));
	expect_duration("1.5s", 1500 * INT64_C(1000000));
	expect_duration(".5s", SEC / 2);
	expect_duration("1.s", SEC);
	expect_duration("+5s", 5 * SEC);
	expect_duration("-1.5h", -5400 * SEC);
	expect_duration("100ms", 100 * INT64_C(1000000));
	expect_duration("7ns", 7);
	expect_duration("1us", 1000);
	expect_duration("1\xc2\xb5s", 1000); /* µ U+00B5 */
	expect_duration("1\xce\xbcs", 1000); /* μ U+03BC */
	expect_duration("1.000000001s", SEC + 1);
	expect_duration("0.1ns", 0);
	expect_duration("1.9999ns", 1);
	expect_duration("1d", 86400 * SEC);
	expect_duration("1w", 7 * 86400 * SEC);
	expect_duration("1w2d3h", (9 * 86400 + 3 * 3600) * SEC);
	expect_duration("0.5d", 43200 * SEC);
	expect_duration("1h1h", 7200 * SEC);
	expect_duration("2562047h47m16.854775807s", INT64_MAX);
	expect_duration("-2562047h47m16.854775808s", INT64_MIN);
	expect_duration("9223372036854775807ns", INT64_MAX);
}

static void test_duration_invalid(void **state)
{
	(void)state;
	expect_duration_error("", "invalid duration \"\"");
	expect_duration_error("-", "invalid duration \"-\"");
	expect_duration_error(".", "invalid duration \".\"");
	expect_duration_error(".s", "invalid duration \".s\"");
	expect_duration_error("s", "invalid duration \"s\"");
	expect_duration_error("1s-2s", "unknown unit \"s-\" in duration \"1s-2s\"");
	expect_duration_error("10", "missing unit in duration \"10\"");
	expect_duration_error("00", "missing unit in duration \"00\"");
	expect_duration_error("1.5.5s", "missing unit in duration \"1.5.5s\"");
	expect_duration_error("1x", "unknown unit \"x\" in duration \"1x\"");
	expect_duration_error("1s ", "unknown unit \"s \" in duration \"1s \"");
	expect_duration_error("1S", "unknown unit \"S\" in duration \"1S\"");
	expect_duration_error("1y", "unknown unit \"y\"");
	expect_duration_error("2562047h47m16.854775808s", "invalid duration");
	expect_duration_error("9223372036854775808ns", "invalid duration");
	expect_duration_error("99999999999999999999h", "invalid duration");
	expect_duration_error("15251w", "invalid duration");
	expect_duration_error("9223372036854775807ns9223372036854775807ns", "invalid duration");
}

static void expect_format(int64_t ns, const char *want)
{
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_format_duration(ns, &sb);
	if (strcmp(cc_strbuf_str(&sb), want) != 0)
		fail_msg("cc_format_duration(%lld) = \"%s\", want \"%s\"", (long long)ns, cc_strbuf_str(&sb),
			 want);
	cc_strbuf_release(&sb);
}

static void test_duration_format(void **state)
{
	(void)state;
	expect_format(0, "0s");
	expect_format(1, "1ns");
	expect_format(999, "999ns");
	expect_format(1000, "1\xc2\xb5s");
	expect_format(1500, "1.5\xc2\xb5s");
	expect_format(1200000, "1.2ms");
	expect_format(100 * INT64_C(1000000), "100ms");
	expect_format(SEC, "1s");
	expect_format(1500 * INT64_C(1000000), "1.5s");
	expect_format(SEC + 1, "1.000000001s");
	expect_format(90 * SEC, "1m30s");
	expect_format(60 * SEC, "1m0s");
	expect_format(3600 * SEC, "1h0m0s");
	expect_format(86400 * SEC, "24h0m0s");
	expect_format(3930 * SEC + 20 * INT64_C(1000000), "1h5m30.02s");
	expect_format(-1500 * INT64_C(1000000), "-1.5s");
	expect_format(-7, "-7ns");
	expect_format(INT64_MAX, "2562047h47m16.854775807s");
	expect_format(INT64_MIN, "-2562047h47m16.854775808s");

	/* Appends, like every cc_strbuf writer. */
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_strbuf_adds(&sb, "t=");
	cc_format_duration(90 * SEC, &sb);
	assert_string_equal(cc_strbuf_str(&sb), "t=1m30s");
	cc_strbuf_release(&sb);
}

static void test_duration_round_trip(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"1m30s", "1m30s"}, {"90s", "1m30s"},     {"1h5m30s20ms", "1h5m30.02s"},
	    {"1.5s", "1.5s"},   {"0", "0s"},          {"1000ns", "1\xc2\xb5s"},
	    {"1d", "24h0m0s"},  {"-90m", "-1h30m0s"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cc_error *err = NULL;
		int64_t ns;
		assert_int_equal(cc_parse_duration(cases[i][0], &ns, &err), 0);
		struct cc_strbuf sb = CC_STRBUF_INIT;
		cc_format_duration(ns, &sb);
		assert_string_equal(cc_strbuf_str(&sb), cases[i][1]);
		cc_strbuf_release(&sb);
	}
}

/* ---- modes ----------------------------------------------------------------------------------------------
 */

static void expect_mode(const char *s, uint32_t want)
{
	struct cc_error *err = NULL;
	uint32_t got = 12345;
	int rc = cc_parse_mode(s, &got, &err);
	if (rc != 0)
		fail_msg("cc_parse_mode(\"%s\") failed: %s", s, err ? err->msg : "(no error)");
	assert_null(err);
	if (got != want)
		fail_msg("cc_parse_mode(\"%s\") = %o, want %o", s, (unsigned)got, (unsigned)want);
}

static void expect_mode_error(const char *s, const char *needle)
{
	struct cc_error *err = NULL;
	uint32_t got = 12345;
	int rc = cc_parse_mode(s, &got, &err);
	check_error(rc, &err, needle);
	assert_int_equal(got, 0);
}

static void test_mode(void **state)
{
	(void)state;
	expect_mode("0440", 0440);
	expect_mode("0o440", 0440);
	expect_mode("0O440", 0440);
	expect_mode("440", 0440);
	expect_mode("555", 365); /* row 17: 555 is octal, i.e. 365 decimal */
	expect_mode("0", 0);
	expect_mode("0o0", 0);
	expect_mode("0777", 0777);
	expect_mode("00644", 0644);
	expect_mode("7777", 07777);

	expect_mode_error("", "invalid mode: ''");
	expect_mode_error("0o", "invalid mode: '0o'");
	expect_mode_error("08", "invalid mode: '08'");
	expect_mode_error("0o8", "invalid mode: '0o8'");
	expect_mode_error("999", "invalid mode: '999'");
	expect_mode_error("0x1ff", "invalid mode: '0x1ff'");
	expect_mode_error("-1", "invalid mode: '-1'");
	expect_mode_error("rw", "invalid mode: 'rw'");
	expect_mode_error(" 644", "invalid mode: ' 644'");
	expect_mode_error("10000", "invalid mode: '10000'");
}

/* ---- ports ----------------------------------------------------------------------------------------------
 */

struct port_want {
	const char *host_ip;
	const char *published;
	uint32_t target;
	const char *protocol;
};

static void assert_str_or_null(const char *got, const char *want, const char *what, const char *spec)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(want, got) != 0)
		fail_msg("%s of \"%s\": got %s%s%s, want %s%s%s", what, spec, got ? "\"" : "",
			 got ? got : "NULL", got ? "\"" : "", want ? "\"" : "", want ? want : "NULL",
			 want ? "\"" : "");
}

static void expect_ports(const char *s, const struct port_want *want, size_t want_n)
{
	struct cc_error *err = NULL;
	struct cc_port_spec *specs = NULL;
	size_t n = 99;
	int rc = cc_parse_port_short(s, &specs, &n, &err);
	if (rc != 0)
		fail_msg("cc_parse_port_short(\"%s\") failed: %s", s, err ? err->msg : "(no error)");
	assert_null(err);
	if (n != want_n)
		fail_msg("cc_parse_port_short(\"%s\"): %zu specs, want %zu", s, n, want_n);
	for (size_t i = 0; i < n; i++) {
		assert_str_or_null(specs[i].host_ip, want[i].host_ip, "host_ip", s);
		assert_str_or_null(specs[i].published, want[i].published, "published", s);
		if (specs[i].target != want[i].target)
			fail_msg("target of \"%s\"[%zu]: got %u, want %u", s, i, (unsigned)specs[i].target,
				 (unsigned)want[i].target);
		assert_string_equal(specs[i].protocol, want[i].protocol);
	}
	cc_port_specs_free(specs, n);
}

#define EXPECT_PORTS(s, ...)                                                                                 \
	do {                                                                                                 \
		const struct port_want w_[] = {__VA_ARGS__};                                                 \
		expect_ports((s), w_, sizeof(w_) / sizeof(w_[0]));                                           \
	} while (0)

static void expect_port_error(const char *s, const char *needle)
{
	struct cc_error *err = NULL;
	struct cc_port_spec *specs = (struct cc_port_spec *)&err; /* any non-NULL value */
	size_t n = 99;
	int rc = cc_parse_port_short(s, &specs, &n, &err);
	check_error(rc, &err, needle);
	assert_null(specs);
	assert_int_equal(n, 0);
}

static void test_ports_valid(void **state)
{
	(void)state;
	EXPECT_PORTS("80", {NULL, NULL, 80, "tcp"});
	EXPECT_PORTS("8080:80", {NULL, "8080", 80, "tcp"});
	EXPECT_PORTS("127.0.0.1:8080:80", {"127.0.0.1", "8080", 80, "tcp"});
	EXPECT_PORTS("127.0.0.1::80", {"127.0.0.1", NULL, 80, "tcp"});
	EXPECT_PORTS("[::1]:8080:80", {"::1", "8080", 80, "tcp"});
	EXPECT_PORTS("[::1]::80/udp", {"::1", NULL, 80, "udp"});
	EXPECT_PORTS("::1:8080:80", {"::1", "8080", 80, "tcp"});
	EXPECT_PORTS("[2001:db8::1]:443:443", {"2001:db8::1", "443", 443, "tcp"});
	EXPECT_PORTS("::ffff:10.0.0.1:53:53/udp", {"::ffff:10.0.0.1", "53", 53, "udp"});
	EXPECT_PORTS("[1.2.3.4]:80:80", {"1.2.3.4", "80", 80, "tcp"});
	EXPECT_PORTS(":80", {NULL, NULL, 80, "tcp"});
	EXPECT_PORTS("80-82:8080-8082/udp", {NULL, "80", 8080, "udp"}, {NULL, "81", 8081, "udp"},
		     {NULL, "82", 8082, "udp"});
	EXPECT_PORTS("80-90:8080", {NULL, "80-90", 8080, "tcp"});
	EXPECT_PORTS("127.0.0.1:80-90:8080/udp", {"127.0.0.1", "80-90", 8080, "udp"});
	EXPECT_PORTS("8080-8082", {NULL, NULL, 8080, "tcp"}, {NULL, NULL, 8081, "tcp"},
		     {NULL, NULL, 8082, "tcp"});
	EXPECT_PORTS("0.0.0.0:9000-9001:80-81", {"0.0.0.0", "9000", 80, "tcp"},
		     {"0.0.0.0", "9001", 81, "tcp"});
	EXPECT_PORTS("8080-8080:80-80", {NULL, "8080", 80, "tcp"});
	EXPECT_PORTS("80/udp", {NULL, NULL, 80, "udp"});
	EXPECT_PORTS("80/UDP", {NULL, NULL, 80, "udp"});
	EXPECT_PORTS("5000:5000/sctp", {NULL, "5000", 5000, "sctp"});
	EXPECT_PORTS("80/", {NULL, NULL, 80, "tcp"});
	EXPECT_PORTS("65535:1", {NULL, "65535", 1, "tcp"});
	EXPECT_PORTS("08080:080", {NULL, "8080", 80, "tcp"});
}

static void test_ports_invalid(void **state)
{
	(void)state;
	expect_port_error("9999999", "Invalid containerPort: 9999999");
	expect_port_error("80/xyz", "Invalid proto: xyz");
	expect_port_error("80/udp/x", "Invalid proto: udp/x");
	expect_port_error("80/tcpudp", "Invalid proto: tcpudp");
	expect_port_error("127.0.1:8080:80", "Invalid ip address: 127.0.1");
	expect_port_error("localhost:8080:80", "Invalid ip address: localhost");
	expect_port_error("[::1:8080:80", "Invalid ip address");
	expect_port_error("[]:8080:80", "Invalid ip address");
	expect_port_error("[[::1]]:8080:80", "Invalid ip address");
	expect_port_error("fe80::1%eth0:8080:80", "Invalid ip address: fe80::1%eth0");
	expect_port_error("1.2.3.4:1:2:80", "Invalid ip address: 1.2.3.4:1");
	expect_port_error("80-82:8080-8081",
			  "Invalid ranges specified for container and host Ports: 8080-8081 and 80-82");
	expect_port_error("80:8080-8082", "Invalid ranges specified for container and host Ports");
	expect_port_error("0", "Invalid containerPort: 0");
	expect_port_error("65536", "Invalid containerPort: 65536");
	expect_port_error("8080:0", "Invalid containerPort: 0");
	expect_port_error("0:80", "Invalid hostPort: 0");
	expect_port_error("70000:80", "Invalid hostPort: 70000");
	expect_port_error("a:80", "Invalid hostPort: a");
	expect_port_error("82-80", "Invalid containerPort: 82-80");
	expect_port_error("80-", "Invalid containerPort: 80-");
	expect_port_error("-80", "Invalid containerPort: -80");
	expect_port_error("80-90-100", "Invalid containerPort: 80-90-100");
	expect_port_error("+80", "Invalid containerPort: +80");
	expect_port_error("http", "Invalid containerPort: http");
	expect_port_error("", "No port specified: <empty>");
	expect_port_error("/udp", "No port specified");
	expect_port_error("8080:", "No port specified: 8080:<empty>");
}

/* ---- volumes --------------------------------------------------------------------------------------------
 */

struct volume_want {
	const char *type, *source, *target;
	bool read_only, nocopy;
	const char *propagation, *selinux;
};

static void expect_volume(const char *s, struct volume_want w)
{
	struct cc_error *err = NULL;
	struct cc_volume_spec v;
	int rc = cc_parse_volume_short(s, &v, &err);
	if (rc != 0)
		fail_msg("cc_parse_volume_short(\"%s\") failed: %s", s, err ? err->msg : "(no error)");
	assert_null(err);
	assert_str_or_null(v.type, w.type, "type", s);
	assert_str_or_null(v.source, w.source, "source", s);
	assert_str_or_null(v.target, w.target, "target", s);
	if (v.read_only != w.read_only)
		fail_msg("read_only of \"%s\": got %d", s, v.read_only);
	if (v.nocopy != w.nocopy)
		fail_msg("nocopy of \"%s\": got %d", s, v.nocopy);
	assert_str_or_null(v.propagation, w.propagation, "propagation", s);
	assert_str_or_null(v.selinux, w.selinux, "selinux", s);
	cc_volume_spec_release(&v);
	assert_null(v.target);
}

static void expect_volume_error(const char *s, const char *needle)
{
	struct cc_error *err = NULL;
	struct cc_volume_spec v;
	memset(&v, 0xa5, sizeof(v));
	int rc = cc_parse_volume_short(s, &v, &err);
	check_error(rc, &err, needle);
	assert_null(v.type);
	assert_null(v.source);
	assert_null(v.target);
	assert_null(v.propagation);
	assert_null(v.selinux);
	assert_false(v.read_only);
	assert_false(v.nocopy);
}

static void test_volumes_row45(void **state)
{
	(void)state;
	expect_volume_error("/f:/f:ro:x", "invalid spec: /f:/f:ro:x: too many colons");
	expect_volume_error("/foo:/foo:ro:foo", "too many colons");
	expect_volume_error("/foo::rw", "invalid spec: /foo::rw: empty section between colons");
	expect_volume_error("", "invalid empty volume spec");
	expect_volume("name:/t:bogus",
		      (struct volume_want){"volume", "name", "/t", false, false, NULL, NULL});
	expect_volume("name:/t:nocopy",
		      (struct volume_want){"volume", "name", "/t", false, true, NULL, NULL});
	expect_volume("/s:/t:ro,z", (struct volume_want){"bind", "/s", "/t", true, false, NULL, "z"});
	expect_volume("/s:/t:ro,Z", (struct volume_want){"bind", "/s", "/t", true, false, NULL, "Z"});
	expect_volume("/s:/t:slave", (struct volume_want){"bind", "/s", "/t", false, false, "slave", NULL});
	expect_volume("/path", (struct volume_want){"volume", NULL, "/path", false, false, NULL, NULL});
	expect_volume(
	    "/tmp:/tmp/${T:-12:30:45}/p",
	    (struct volume_want){"bind", "/tmp", "/tmp/${T:-12:30:45}/p", false, false, NULL, NULL});
}

static void test_volumes_valid(void **state)
{
	(void)state;
	expect_volume("./rel:/t", (struct volume_want){"bind", "./rel", "/t", false, false, NULL, NULL});
	expect_volume("../up:/t", (struct volume_want){"bind", "../up", "/t", false, false, NULL, NULL});
	expect_volume("~/x:/t", (struct volume_want){"bind", "~/x", "/t", false, false, NULL, NULL});
	expect_volume("/home/user:/target:ro",
		      (struct volume_want){"bind", "/home/user", "/target", true, false, NULL, NULL});
	expect_volume("data:/t:ro", (struct volume_want){"volume", "data", "/t", true, false, NULL, NULL});
	expect_volume("data:/t:rw", (struct volume_want){"volume", "data", "/t", false, false, NULL, NULL});
	expect_volume("/s:/t:ro,rw", (struct volume_want){"bind", "/s", "/t", false, false, NULL, NULL});
	expect_volume("/s:/t:rw,ro", (struct volume_want){"bind", "/s", "/t", true, false, NULL, NULL});
	expect_volume("/s:/t:rprivate,z,rshared,Z",
		      (struct volume_want){"bind", "/s", "/t", false, false, "rshared", "Z"});
	expect_volume("/s:/t:private",
		      (struct volume_want){"bind", "/s", "/t", false, false, "private", NULL});
	expect_volume("/s:/t:shared", (struct volume_want){"bind", "/s", "/t", false, false, "shared", NULL});
	expect_volume("/s:/t:rslave", (struct volume_want){"bind", "/s", "/t", false, false, "rslave", NULL});
	/* Options are case-sensitive and unknown ones (including empty ones) are ignored, as in compose-go.
	 */
	expect_volume("/s:/t:RO,,slave,",
		      (struct volume_want){"bind", "/s", "/t", false, false, "slave", NULL});
	expect_volume("name:/t:nocopy,subpath=etc",
		      (struct volume_want){"volume", "name", "/t", false, true, NULL, NULL});
	expect_volume("/path/foo",
		      (struct volume_want){"volume", NULL, "/path/foo", false, false, NULL, NULL});
	expect_volume(".", (struct volume_want){"volume", NULL, ".", false, false, NULL, NULL});
	expect_volume("ab", (struct volume_want){"volume", NULL, "ab", false, false, NULL, NULL});
	expect_volume("/a", (struct volume_want){"volume", NULL, "/a", false, false, NULL, NULL});
	/* ${...} nests; colons inside never split, a bare '{' or '$' does not open a group. */
	expect_volume("/tmp:/x/${A:-${B:-1:2}}:ro",
		      (struct volume_want){"bind", "/tmp", "/x/${A:-${B:-1:2}}", true, false, NULL, NULL});
	expect_volume("${SRC:-./a}:/t:ro",
		      (struct volume_want){"volume", "${SRC:-./a}", "/t", true, false, NULL, NULL});
	expect_volume("$HOME:/t", (struct volume_want){"volume", "$HOME", "/t", false, false, NULL, NULL});
	expect_volume("/a{b:/t", (struct volume_want){"bind", "/a{b", "/t", false, false, NULL, NULL});
	/* An unclosed "${" swallows the rest of the spec (compose-go drops it; we keep it as text). */
	expect_volume("/s:/t${X:ro",
		      (struct volume_want){"bind", "/s", "/t${X:ro", false, false, NULL, NULL});
}

static void test_volumes_windows(void **state)
{
	(void)state;
	expect_volume("C:\\x:/t", (struct volume_want){"bind", "C:\\x", "/t", false, false, NULL, NULL});
	expect_volume(
	    "C:\\source\\foo:D:\\target:ro,rprivate",
	    (struct volume_want){"bind", "C:\\source\\foo", "D:\\target", true, false, "rprivate", NULL});
	expect_volume("C:\\path", (struct volume_want){"volume", NULL, "C:\\path", false, false, NULL, NULL});
	expect_volume("name:D::rW", (struct volume_want){"volume", "name", "D:", false, false, NULL, NULL});
	expect_volume("\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\inside",
		      (struct volume_want){"bind", "\\\\.\\pipe\\docker_engine", "\\\\.\\pipe\\inside", false,
					   false, NULL, NULL});
	expect_volume("a:/t", (struct volume_want){"volume", NULL, "a:/t", false, false, NULL, NULL});
}

static void test_volumes_invalid(void **state)
{
	(void)state;
	expect_volume_error(":foo", "invalid spec: :foo: empty section between colons");
	expect_volume_error("/s:/t:", "empty section between colons");
	expect_volume_error("/s:", "empty section between colons");
	expect_volume_error("name::", "empty section between colons");
	expect_volume_error("ab:/cd:ef:gh", "invalid spec: ab:/cd:ef:gh: too many colons");
	/* A one-letter field followed by a colon is a Windows drive, so this one parses (as in compose-go).
	 */
	expect_volume("ab:c:d:e", (struct volume_want){"volume", "ab", "c:d", false, false, NULL, NULL});
	expect_volume_error("/s:/t:ro:", "too many colons");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bytes_valid),
	    cmocka_unit_test(test_bytes_invalid),
	    cmocka_unit_test(test_bytes_error_kept_on_success),
	    cmocka_unit_test(test_duration_valid),
	    cmocka_unit_test(test_duration_invalid),
	    cmocka_unit_test(test_duration_format),
	    cmocka_unit_test(test_duration_round_trip),
	    cmocka_unit_test(test_mode),
	    cmocka_unit_test(test_ports_valid),
	    cmocka_unit_test(test_ports_invalid),
	    cmocka_unit_test(test_volumes_row45),
	    cmocka_unit_test(test_volumes_valid),
	    cmocka_unit_test(test_volumes_windows),
	    cmocka_unit_test(test_volumes_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
