/* Image references: the grammar of distribution/reference (reference.go, regexp.go, normalize.go) written out
 * by hand, plus go-digest's rule that only sha256 and sha512 with lowercase hex are digests.
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component [ "/" path-component ]*
 *   domain    := host [ ":" port ]              host: hostname labels, or "[" IPv6 "]"
 *   component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag       := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *
 * Where we are stricter than docker we say so next to the code. The input is never copied before it is
 * valid: parsing works on (ptr,len) slices of it, and `out` is only filled once everything has passed. */
#include "engine/image/reference.h"

#include "base/strbuf.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_DOMAIN  "docker.io"
#define LEGACY_DOMAIN   "index.docker.io"
#define OFFICIAL_PREFIX "library/"
#define NAME_MAX_LEN    255 /* distribution's NameTotalLengthMax, on the normalized name */
#define TAG_MAX_LEN     128 /* the messages below repeat both limits */
#define LABEL_MAX_LEN   63  /* RFC 1123; docker does not check it, but no resolver accepts more */
#define QUOTE_MAX_LEN   256 /* how much of a bad reference an error message repeats */

struct slice {
	const char *p;
	size_t len;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c);
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_lower_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static bool slice_eq(struct slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && memcmp(s.p, lit, n) == 0;
}

static bool slice_has(struct slice s, char c)
{
	return s.len > 0 && memchr(s.p, c, s.len) != NULL;
}

/* `n` bytes of p in double quotes, escaped so that quotes, whitespace, control and non-ASCII bytes show. */
static void add_quoted(struct cc_strbuf *sb, const char *p, size_t n)
{
	cc_strbuf_addch(sb, '"');
	for (size_t i = 0; i < n && i < QUOTE_MAX_LEN; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '"' || c == '\\')
			cc_strbuf_addf(sb, "\\%c", c);
		else if (c == '\n')
			cc_strbuf_adds(sb, "\\n");
		else if (c == '\t')
			cc_strbuf_adds(sb, "\\t");
		else if (c == '\r')
			cc_strbuf_adds(sb, "\\r");
		else if (c < 0x20 || c >= 0x7f)
			cc_strbuf_addf(sb, "\\x%02x", c);
		else
			cc_strbuf_addch(sb, (char)c);
	}
	if (n > QUOTE_MAX_LEN)
		cc_strbuf_adds(sb, "...");
	cc_strbuf_addch(sb, '"');
}

/* Fail with "invalid reference format: "<input>": <what>[ "<part>"<after>]"; `part` is a piece of the input
 * named in the message (a host, a path component, a tag), quoted the same way. */
static int fail_part(struct cc_error **err, const char *input, const char *what, const char *part,
		     size_t part_len, const char *after)
{
	if (!err)
		return -1;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_strbuf_adds(&sb, "invalid reference format: ");
	add_quoted(&sb, input, strlen(input));
	cc_strbuf_addf(&sb, ": %s", what);
	if (part) {
		cc_strbuf_addch(&sb, ' ');
		add_quoted(&sb, part, part_len);
		cc_strbuf_adds(&sb, after);
	}
	cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s", cc_strbuf_str(&sb));
	cc_strbuf_release(&sb);
	return -1;
}

static int fail(struct cc_error **err, const char *input, const char *what)
{
	return fail_part(err, input, what, NULL, 0, NULL);
}

/* 1-65535 in decimal. Leading zeros are tolerated as long as there are at most five digits. */
static bool port_valid(struct slice p)
{
	if (p.len == 0 || p.len > 5)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < p.len; i++) {
		if (!is_digit(p.p[i]))
			return false;
		v = v * 10 + (unsigned)(p.p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* Labels separated by '.': alphanumerics, with '-' inside only. Uppercase is allowed: hostnames are not
 * case-sensitive, and docker keeps the domain as written. */
static bool hostname_valid(struct slice h)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (i < h.len && h.p[i] != '.') {
			if (!is_alnum(h.p[i]) && h.p[i] != '-')
				return false;
			i++;
		}
		size_t n = i - start;
		if (n == 0 || n > LABEL_MAX_LEN || h.p[start] == '-' || h.p[i - 1] == '-')
			return false;
		if (i == h.len)
			return true;
		i++; /* the '.' */
	}
}

/* The inside of "[...]": docker allows [0-9A-Fa-f:]+ only (so no embedded IPv4), and we also require that it
 * is an IPv6 address. */
static bool ipv6_valid(struct slice a)
{
	char buf[INET6_ADDRSTRLEN];
	if (a.len == 0 || a.len >= sizeof(buf))
		return false;
	for (size_t i = 0; i < a.len; i++)
		if (!is_digit(a.p[i]) && !strchr("abcdefABCDEF:", a.p[i]))
			return false;
	memcpy(buf, a.p, a.len);
	buf[a.len] = '\0';
	struct in6_addr addr;
	return inet_pton(AF_INET6, buf, &addr) == 1;
}

enum domain_check { DOMAIN_OK, DOMAIN_BAD_HOST, DOMAIN_BAD_PORT };

/* Stricter than docker, which takes any run of digits as a port. */
static enum domain_check check_domain(struct slice d)
{
	struct slice port = {NULL, 0};
	bool has_port = false;

	if (d.p[0] == '[') {
		const char *close = memchr(d.p, ']', d.len);
		if (!close || !ipv6_valid((struct slice){d.p + 1, (size_t)(close - d.p - 1)}))
			return DOMAIN_BAD_HOST;
		size_t rest = d.len - (size_t)(close + 1 - d.p);
		if (rest > 0) {
			if (close[1] != ':')
				return DOMAIN_BAD_HOST;
			has_port = true;
			port = (struct slice){close + 2, rest - 1};
		}
	} else {
		const char *colon = memchr(d.p, ':', d.len);
		struct slice host = d;
		if (colon) {
			host.len = (size_t)(colon - d.p);
			has_port = true;
			port = (struct slice){colon + 1, d.len - host.len - 1};
		}
		if (!hostname_valid(host))
			return DOMAIN_BAD_HOST;
	}
	if (has_port && !port_valid(port))
		return DOMAIN_BAD_PORT;
	return DOMAIN_OK;
}

/* [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool path_component_valid(struct slice c)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (i < c.len && is_lower_alnum(c.p[i]))
			i++;
		if (i == start)
			return false;
		if (i == c.len)
			return true;
		if (c.p[i] == '.') {
			i++;
		} else if (c.p[i] == '_') {
			i++;
			if (i < c.len && c.p[i] == '_')
				i++;
		} else if (c.p[i] == '-') {
			while (i < c.len && c.p[i] == '-')
				i++;
		} else {
			return false;
		}
	}
}

static bool tag_char(char c)
{
	return is_alnum(c) || c == '_';
}

/* NULL when d (NUL-terminated) is a digest we support, else what is wrong with it. */
static const char *digest_problem(const char *d)
{
	const char *colon = strchr(d, ':');
	if (!*d)
		return "invalid digest: nothing after '@'";
	if (!colon || colon == d)
		return "invalid digest: expected <algorithm>:<hex>";

	struct slice algo = {d, (size_t)(colon - d)};
	const char *hex = colon + 1;
	size_t want;
	const char *bad;
	if (slice_eq(algo, "sha256")) {
		want = 64;
		bad = "invalid digest: sha256 takes 64 lowercase hexadecimal digits";
	} else if (slice_eq(algo, "sha512")) {
		want = 128;
		bad = "invalid digest: sha512 takes 128 lowercase hexadecimal digits";
	} else {
		return "invalid digest: unsupported algorithm (sha256 or sha512)";
	}
	size_t n = 0;
	while (is_lower_hex(hex[n]))
		n++;
	return (n == want && hex[n] == '\0') ? NULL : bad;
}

bool cc_digest_valid(const char *d)
{
	return d && !digest_problem(d);
}

int cc_image_ref_parse(const char *s, struct cc_image_ref *out, struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return fail(err, "", "empty reference");

	size_t len = strlen(s);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f)
			return fail(err, s, "contains whitespace or a control character");
	}

	/* distribution's anchoredIdentifierRegexp: a bare image ID is not a repository name */
	if (len == 64) {
		size_t n = 0;
		while (n < len && is_lower_hex(s[n]))
			n++;
		if (n == len)
			return fail(
			    err, s,
			    "a 64-character hexadecimal string is an image ID, not a repository name");
	}

	/* Neither the name nor the tag holds '@', so the first one starts the digest. */
	const char *at = strchr(s, '@');
	struct slice name = {s, at ? (size_t)(at - s) : len};
	const char *digest = at ? at + 1 : NULL;

	/* The tag follows the last ':' that comes after the last '/' ("host:5000/a" has none). */
	struct slice tag = {NULL, 0};
	bool has_tag = false;
	for (size_t i = name.len; i > 0; i--) {
		char c = name.p[i - 1];
		if (c == '/')
			break;
		if (c == ':') {
			has_tag = true;
			tag = (struct slice){name.p + i, name.len - i};
			name.len = i - 1;
			break;
		}
	}
	if (name.len == 0)
		return fail(err, s, "missing repository name");

	/* The first component is a registry host when it looks like one (splitDockerDomain). Unlike docker,
	 * an uppercase first component is not taken for a host: "User/app" is a repository that must be
	 * lowercase. */
	struct slice domain = {NULL, 0};
	struct slice path = name;
	const char *slash = memchr(name.p, '/', name.len);
	if (slash) {
		struct slice first = {name.p, (size_t)(slash - name.p)};
		if (slice_has(first, '.') || slice_has(first, ':') || slice_eq(first, "localhost")) {
			domain = first;
			path = (struct slice){slash + 1, name.len - first.len - 1};
		}
	}
	if (domain.p) {
		switch (check_domain(domain)) {
		case DOMAIN_OK:
			break;
		case DOMAIN_BAD_HOST:
			return fail_part(err, s, "invalid registry host", domain.p, domain.len, "");
		case DOMAIN_BAD_PORT:
			return fail_part(err, s, "invalid registry host", domain.p, domain.len,
					 ": the port must be from 1 to 65535");
		}
	}

	for (size_t i = 0; i < path.len; i++)
		if (path.p[i] >= 'A' && path.p[i] <= 'Z')
			return fail(err, s, "repository name must be lowercase");
	for (size_t i = 0; i <= path.len;) {
		const char *end = memchr(path.p + i, '/', path.len - i);
		struct slice c = {path.p + i, end ? (size_t)(end - path.p) - i : path.len - i};
		if (c.len == 0)
			return fail(err, s, "invalid repository name: empty path component");
		if (!path_component_valid(c))
			return fail_part(
			    err, s, "invalid repository name: path component", c.p, c.len,
			    " must be lowercase letters and digits, separated by '.', '_', '__' or dashes");
		i += c.len + 1;
	}

	if (has_tag) {
		if (tag.len == 0)
			return fail(err, s, "invalid tag: nothing after ':'");
		if (tag.len > TAG_MAX_LEN)
			return fail(err, s, "invalid tag: more than 128 characters");
		bool ok = tag_char(tag.p[0]);
		for (size_t i = 1; ok && i < tag.len; i++)
			ok = tag_char(tag.p[i]) || tag.p[i] == '.' || tag.p[i] == '-';
		if (!ok)
			return fail_part(err, s, "invalid tag", tag.p, tag.len,
					 ": must match [A-Za-z0-9_][A-Za-z0-9_.-]*");
	}

	if (digest) {
		const char *problem = digest_problem(digest);
		if (problem)
			return fail(err, s, problem);
	}

	/* Normalize: docker.io for no registry or the legacy index name, library/ for its official images. */
	const char *registry = DEFAULT_DOMAIN;
	size_t registry_len = strlen(DEFAULT_DOMAIN);
	if (domain.p && !slice_eq(domain, LEGACY_DOMAIN)) {
		registry = domain.p;
		registry_len = domain.len;
	}
	bool official = registry_len == strlen(DEFAULT_DOMAIN) &&
			memcmp(registry, DEFAULT_DOMAIN, registry_len) == 0 && !slice_has(path, '/');
	size_t name_len = registry_len + 1 + (official ? strlen(OFFICIAL_PREFIX) : 0) + path.len;
	if (name_len > NAME_MAX_LEN)
		return fail(err, s, "repository name must not be more than 255 characters");

	out->registry = cc_xstrndup(registry, registry_len);
	out->repository = cc_xasprintf("%s%.*s", official ? OFFICIAL_PREFIX : "", (int)path.len, path.p);
	if (has_tag)
		out->tag = cc_xstrndup(tag.p, tag.len);
	else if (!digest)
		out->tag = cc_xstrdup("latest");
	if (digest)
		out->digest = cc_xstrdup(digest);
	return 0;
}

void cc_image_ref_release(struct cc_image_ref *r)
{
	if (!r)
		return;
	free(r->registry);
	free(r->repository);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}

static char *format_ref(const char *registry, const char *repository, const char *tag, const char *digest)
{
	struct cc_strbuf sb = CC_STRBUF_INIT;
	if (registry)
		cc_strbuf_addf(&sb, "%s/", registry);
	cc_strbuf_adds(&sb, repository);
	if (tag)
		cc_strbuf_addf(&sb, ":%s", tag);
	if (digest)
		cc_strbuf_addf(&sb, "@%s", digest);
	return cc_strbuf_detach(&sb, NULL);
}

char *cc_image_ref_string(const struct cc_image_ref *r)
{
	return format_ref(r->registry, r->repository, r->tag, r->digest);
}

char *cc_image_ref_name(const struct cc_image_ref *r)
{
	return format_ref(r->registry, r->repository, NULL, NULL);
}

/* distribution's FamiliarString: docker.io and, for a single component under it, library/ are implied. */
char *cc_image_ref_familiar(const struct cc_image_ref *r)
{
	if (strcmp(r->registry, DEFAULT_DOMAIN) != 0)
		return cc_image_ref_string(r);
	const char *repository = r->repository;
	size_t n = strlen(OFFICIAL_PREFIX);
	if (strncmp(repository, OFFICIAL_PREFIX, n) == 0 && !strchr(repository + n, '/'))
		repository += n;
	return format_ref(NULL, repository, r->tag, r->digest);
}

bool cc_registry_is_loopback(const char *registry)
{
	char buf[INET6_ADDRSTRLEN];
	struct slice host;
	struct slice port = {NULL, 0};
	bool has_port = false;
	bool bracketed = registry && registry[0] == '[';

	if (!registry || !*registry)
		return false;
	size_t len = strlen(registry);

	if (bracketed) {
		const char *close = strchr(registry, ']');
		if (!close)
			return false;
		host = (struct slice){registry + 1, (size_t)(close - registry - 1)};
		if (close[1] == ':') {
			has_port = true;
			port = (struct slice){close + 2, strlen(close + 2)};
		} else if (close[1] != '\0') {
			return false;
		}
	} else if (strchr(registry, ':') != strrchr(registry, ':')) {
		host = (struct slice){registry, len}; /* a bare IPv6 address such as "::1" has no port */
	} else {
		const char *colon = strchr(registry, ':');
		host = (struct slice){registry, colon ? (size_t)(colon - registry) : len};
		if (colon) {
			has_port = true;
			port = (struct slice){colon + 1, len - host.len - 1};
		}
	}
	if (has_port && !port_valid(port))
		return false;
	if (!bracketed && host.len == strlen("localhost") && strncasecmp(host.p, "localhost", host.len) == 0)
		return true;
	if (host.len == 0 || host.len >= sizeof(buf))
		return false;
	memcpy(buf, host.p, host.len);
	buf[host.len] = '\0';

	struct in_addr a4;
	struct in6_addr a6;
	if (!bracketed && inet_pton(AF_INET, buf, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, buf, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}
