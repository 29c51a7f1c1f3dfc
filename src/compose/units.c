/* Value formats of the Compose specification: bytes, durations, octal modes, and the short syntaxes of ports
 * and volumes. The reference behaviour is compose-go (format/volume.go, types ParsePortConfig),
 * docker/go-units (RAMInBytes), docker/go-connections (nat.ParsePortSpec) and Go's time package
 * (ParseDuration, Duration.String with str2duration's extra "d" and "w"). Where they are loose we say so next
 * to the code.
 *
 * All parsing is byte-wise and locale-independent; fractions are computed exactly with integers. */
#include "compose/units.h"

#include "base/xalloc.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A (ptr,len) view into the input; none of the parsers below copies before it has validated. */
struct slice {
	const char *p;
	size_t len;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool slice_eq(struct slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && memcmp(s.p, lit, n) == 0;
}

/* floor(0.d1d2...dn * mul) for the decimal digits `digits`, exactly. Works from the last digit up, carrying
 * the integer part of each partial product; the carry stays below mul, so mul <= UINT64_MAX / 10 is enough.
 */
static uint64_t frac_times(const char *digits, size_t n, uint64_t mul)
{
	uint64_t carry = 0;
	while (n > 0) {
		n--;
		uint64_t t = (uint64_t)(digits[n] - '0') * mul + carry;
		carry = t / 10;
	}
	return carry;
}

/* ---- bytes ----------------------------------------------------------------------------------------------
 */

/* go-units RAMInBytes accepts (?i)^\d+(\.\d+)? ?[kmgtp]?i?b?$ with binary multiples. It rejects negative
 * values; compose-go gets its -1 from a YAML integer, and since we only ever see text, "-1" is accepted
 * literally. Values beyond int64 are an error (Go would silently wrap through a float conversion). */
int cc_parse_bytes(const char *s, int64_t *out, struct cc_error **err)
{
	*out = 0;
	if (strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}

	const char *p = s;
	uint64_t whole = 0;
	if (!is_digit(*p))
		goto invalid;
	for (; is_digit(*p); p++) {
		uint64_t digit = (uint64_t)(*p - '0');
		if (whole > ((uint64_t)INT64_MAX - digit) / 10)
			goto range;
		whole = whole * 10 + digit;
	}

	struct slice frac = {NULL, 0};
	if (*p == '.') {
		frac.p = ++p;
		while (is_digit(*p))
			p++;
		frac.len = (size_t)(p - frac.p);
		if (frac.len == 0)
			goto invalid;
	}

	if (*p == ' ')
		p++;
	unsigned shift = 0;
	switch (to_lower(*p)) {
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	case 't':
		shift = 40;
		break;
	case 'p':
		shift = 50;
		break;
	}
	if (shift)
		p++;
	if (to_lower(*p) == 'i')
		p++;
	if (to_lower(*p) == 'b')
		p++;
	if (*p != '\0')
		goto invalid;

	uint64_t mul = (uint64_t)1 << shift;
	if (whole > (uint64_t)INT64_MAX / mul)
		goto range;
	uint64_t total = whole * mul + frac_times(frac.p, frac.len, mul);
	if (total > (uint64_t)INT64_MAX)
		goto range;
	*out = (int64_t)total;
	return 0;

invalid:
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid size: '%s'", s);
range:
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid size: '%s': value out of range", s);
}

/* ---- durations ------------------------------------------------------------------------------------------
 */

#define NS_PER_US  UINT64_C(1000)
#define NS_PER_MS  UINT64_C(1000000)
#define NS_PER_SEC UINT64_C(1000000000)

static const struct duration_unit {
	const char *name;
	uint64_t ns;
} duration_units[] = {
    {"ns", 1},
    {"us", NS_PER_US},
    {"\xc2\xb5s", NS_PER_US}, /* U+00B5 MICRO SIGN */
    {"\xce\xbcs", NS_PER_US}, /* U+03BC GREEK SMALL LETTER MU */
    {"ms", NS_PER_MS},
    {"s", NS_PER_SEC},
    {"m", 60 * NS_PER_SEC},
    {"h", 3600 * NS_PER_SEC},
    {"d", 24 * 3600 * NS_PER_SEC},
    {"w", 7 * 24 * 3600 * NS_PER_SEC},
};

static const struct duration_unit *find_duration_unit(struct slice u)
{
	for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++)
		if (slice_eq(u, duration_units[i].name))
			return &duration_units[i];
	return NULL;
}

/* Go's grammar: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ or [-+]?0; a unit is any run of bytes that are neither digits
 * nor '.'. The magnitude may reach 2^63 only when negative. */
int cc_parse_duration(const char *s, int64_t *out_ns, struct cc_error **err)
{
	const uint64_t limit = UINT64_C(1) << 63;
	const char *p = s;
	bool neg = false;
	uint64_t total = 0;

	*out_ns = 0;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0)
		return 0;
	if (*p == '\0')
		goto invalid;

	while (*p) {
		if (!is_digit(*p) && *p != '.')
			goto invalid;

		const char *start = p;
		uint64_t v = 0;
		for (; is_digit(*p); p++) {
			if (v > limit / 10)
				goto invalid;
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > limit)
				goto invalid;
		}
		bool pre = p != start;

		struct slice frac = {NULL, 0};
		if (*p == '.') {
			frac.p = ++p;
			while (is_digit(*p))
				p++;
			frac.len = (size_t)(p - frac.p);
		}
		if (!pre && frac.len == 0)
			goto invalid;

		struct slice unit = {p, 0};
		while (*p && *p != '.' && !is_digit(*p))
			p++;
		unit.len = (size_t)(p - unit.p);
		if (unit.len == 0)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "missing unit in duration \"%s\"",
					    s);
		const struct duration_unit *u = find_duration_unit(unit);
		if (!u)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "unknown unit \"%.*s\" in duration \"%s\"", (int)unit.len, unit.p,
					    s);

		if (v > limit / u->ns)
			goto invalid;
		v = v * u->ns + frac_times(frac.p, frac.len, u->ns);
		if (v > limit - total)
			goto invalid;
		total += v;
	}

	if (neg) {
		*out_ns = total == limit ? INT64_MIN : -(int64_t)total;
	} else {
		if (total > (uint64_t)INT64_MAX)
			goto invalid;
		*out_ns = (int64_t)total;
	}
	return 0;

invalid:
	*out_ns = 0;
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid duration \"%s\"", s);
}

/* The formatters below write right to left into buf, ending at index *w. */
static void put_char(char *buf, size_t *w, char c)
{
	buf[--*w] = c;
}

static void put_str(char *buf, size_t *w, const char *s)
{
	size_t n = strlen(s);
	*w -= n;
	memcpy(buf + *w, s, n);
}

static void put_uint(char *buf, size_t *w, uint64_t v)
{
	do {
		put_char(buf, w, (char)('0' + v % 10));
		v /= 10;
	} while (v);
}

/* Write the prec lowest decimal digits of *v as a fraction ".123", without trailing zeros and without the
 * point when they are all zero; leave the remaining integer part in *v. */
static void put_frac(char *buf, size_t *w, uint64_t *v, int prec)
{
	bool any = false;
	for (int i = 0; i < prec; i++) {
		unsigned digit = (unsigned)(*v % 10);
		any = any || digit != 0;
		if (any)
			put_char(buf, w, (char)('0' + digit));
		*v /= 10;
	}
	if (any)
		put_char(buf, w, '.');
}

void cc_format_duration(int64_t ns, struct cc_strbuf *out)
{
	char buf[40];
	size_t w = sizeof(buf);
	/* Two's complement magnitude: also right for INT64_MIN. */
	uint64_t u = ns < 0 ? UINT64_C(0) - (uint64_t)ns : (uint64_t)ns;

	if (u == 0) {
		cc_strbuf_adds(out, "0s");
		return;
	}
	if (u < NS_PER_SEC) {
		/* Below a second Go switches to the largest unit that keeps an integer part: 1.2ms, 15µs,
		 * 7ns. */
		put_char(buf, &w, 's');
		if (u < NS_PER_US) {
			put_char(buf, &w, 'n');
		} else if (u < NS_PER_MS) {
			put_str(buf, &w, "\xc2\xb5");
			put_frac(buf, &w, &u, 3);
		} else {
			put_char(buf, &w, 'm');
			put_frac(buf, &w, &u, 6);
		}
		put_uint(buf, &w, u);
	} else {
		/* h, m and s with a fractional second; hours are the largest unit (days vary in length). */
		put_char(buf, &w, 's');
		put_frac(buf, &w, &u, 9);
		put_uint(buf, &w, u % 60);
		u /= 60;
		if (u > 0) {
			put_char(buf, &w, 'm');
			put_uint(buf, &w, u % 60);
			u /= 60;
			if (u > 0) {
				put_char(buf, &w, 'h');
				put_uint(buf, &w, u);
			}
		}
	}
	if (ns < 0)
		put_char(buf, &w, '-');
	cc_strbuf_add(out, buf + w, sizeof(buf) - w);
}

/* ---- modes ----------------------------------------------------------------------------------------------
 */

/* Octal digits with an optional "0o"/"0O" prefix (YAML 1.2 spelling); a leading 0 is just another digit.
 * compose-go uses strconv.ParseInt(s, 8, 64) and so has no upper bound; anything above 07777 is not a file
 * mode, so we reject it. */
int cc_parse_mode(const char *s, uint32_t *out, struct cc_error **err)
{
	const char *p = s;
	uint32_t v = 0;

	*out = 0;
	if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		p += 2;
	if (*p == '\0')
		goto invalid;
	for (; *p; p++) {
		if (*p < '0' || *p > '7')
			goto invalid;
		v = v * 8 + (uint32_t)(*p - '0');
		if (v > 07777)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid mode: '%s': above 07777",
					    s);
	}
	*out = v;
	return 0;

invalid:
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
			    "invalid mode: '%s': expected octal digits such as 0440", s);
}

/* ---- ports ----------------------------------------------------------------------------------------------
 */

static bool parse_port_number(struct slice s, uint32_t *out)
{
	uint32_t v = 0;
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		if (!is_digit(s.p[i]))
			return false;
		v = v * 10 + (uint32_t)(s.p[i] - '0');
		if (v > 65535)
			return false;
	}
	if (v == 0)
		return false;
	*out = v;
	return true;
}

/* "N" or "N-M" with 1 <= N <= M <= 65535. go-connections reads only the first two fields of "1-2-3" and
 * accepts port 0; we reject both. */
static bool parse_port_range(struct slice s, uint32_t *start, uint32_t *end)
{
	const char *dash = memchr(s.p, '-', s.len);
	if (!dash) {
		if (!parse_port_number(s, start))
			return false;
		*end = *start;
		return true;
	}
	struct slice a = {s.p, (size_t)(dash - s.p)};
	struct slice b = {dash + 1, s.len - a.len - 1};
	return parse_port_number(a, start) && parse_port_number(b, end) && *start <= *end;
}

/* Validate the host IP (IPv4, or IPv6 bare or in brackets) and return it without brackets in ip[]. */
static bool parse_host_ip(struct slice s, char *ip, size_t ip_size)
{
	if (s.len > 0 && s.p[0] == '[') {
		if (s.len < 3 || s.p[s.len - 1] != ']')
			return false;
		s.p++;
		s.len -= 2;
		if (memchr(s.p, '[', s.len) || memchr(s.p, ']', s.len))
			return false;
	}
	if (s.len == 0 || s.len >= ip_size)
		return false;
	memcpy(ip, s.p, s.len);
	ip[s.len] = '\0';

	unsigned char addr[16];
	return inet_pton(AF_INET, ip, addr) == 1 || inet_pton(AF_INET6, ip, addr) == 1;
}

/* The colon split follows go-connections: the last field is the container port[/proto], the one before it
 * the host port, and everything before that the IP, so an unbracketed IPv6 host such as "::1:8080:80"
 * works as well as "[::1]:8080:80". */
int cc_parse_port_short(const char *s, struct cc_port_spec **out, size_t *n, struct cc_error **err)
{
	struct slice ip_text = {s, 0}, host = {s, 0}, container;
	bool has_host = false;

	*out = NULL;
	*n = 0;

	const char *last = strrchr(s, ':');
	if (!last) {
		container = (struct slice){s, strlen(s)};
	} else {
		const char *prev = last;
		while (prev > s && prev[-1] != ':')
			prev--;
		if (prev > s) {
			ip_text.len = (size_t)(prev - 1 - s);
			host = (struct slice){prev, (size_t)(last - prev)};
		} else {
			host.len = (size_t)(last - s);
		}
		has_host = host.len > 0;
		container = (struct slice){last + 1, strlen(last + 1)};
	}

	/* Split "port/proto" at the first '/'; an empty protocol means tcp. */
	struct slice proto = {"tcp", 3};
	const char *slash = memchr(container.p, '/', container.len);
	if (slash) {
		struct slice after = {slash + 1, container.len - (size_t)(slash + 1 - container.p)};
		container.len = (size_t)(slash - container.p);
		if (after.len > 0)
			proto = after;
	}
	if (container.len == 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "No port specified: %s<empty>", s);

	char protocol[sizeof((struct cc_port_spec *)NULL)->protocol] = "";
	if (proto.len < sizeof(protocol)) {
		for (size_t i = 0; i < proto.len; i++)
			protocol[i] = to_lower(proto.p[i]);
		protocol[proto.len] = '\0';
	}
	if (strcmp(protocol, "tcp") != 0 && strcmp(protocol, "udp") != 0 && strcmp(protocol, "sctp") != 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "Invalid proto: %.*s", (int)proto.len,
				    proto.p);

	char ip[64] = "";
	if (ip_text.len > 0 && !parse_host_ip(ip_text, ip, sizeof(ip)))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "Invalid ip address: %.*s",
				    (int)ip_text.len, ip_text.p);

	uint32_t start, end, host_start = 0, host_end = 0;
	if (!parse_port_range(container, &start, &end))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "Invalid containerPort: %.*s",
				    (int)container.len, container.p);
	if (has_host) {
		if (!parse_port_range(host, &host_start, &host_end))
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "Invalid hostPort: %.*s",
					    (int)host.len, host.p);
		/* Equal lengths map one to one; a host range for a single container port is kept whole
		 * (the engine picks a free port in it). */
		if (end - start != host_end - host_start && start != end)
			return cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "Invalid ranges specified for container and host Ports: %.*s and %.*s",
			    (int)container.len, container.p, (int)host.len, host.p);
	}

	size_t count = (size_t)(end - start) + 1;
	struct cc_port_spec *specs = cc_xcalloc(count, sizeof(*specs));
	for (size_t i = 0; i < count; i++) {
		struct cc_port_spec *sp = &specs[i];
		sp->host_ip = ip[0] ? cc_xstrdup(ip) : NULL;
		if (has_host && count == 1 && host_start != host_end)
			sp->published = cc_xasprintf("%" PRIu32 "-%" PRIu32, host_start, host_end);
		else if (has_host)
			sp->published = cc_xasprintf("%" PRIu32, host_start + (uint32_t)i);
		sp->target = start + (uint32_t)i;
		memcpy(sp->protocol, protocol, sizeof(sp->protocol));
	}
	*out = specs;
	*n = count;
	return 0;
}

void cc_port_specs_free(struct cc_port_spec *specs, size_t n)
{
	if (!specs)
		return;
	for (size_t i = 0; i < n; i++) {
		free(specs[i].host_ip);
		free(specs[i].published);
	}
	free(specs);
}

/* ---- volumes --------------------------------------------------------------------------------------------
 */

static const char *const propagations[] = {"rprivate", "private", "rshared", "shared", "rslave", "slave"};

/* The fields of a spec as views into the input, filled in field order; allocation happens only on success. */
struct volume_fields {
	struct slice source, target, propagation, selinux;
	bool read_only, nocopy;
};

/* compose-go's populateFieldFromBuffer: the first field is the source (or the target of an anonymous volume
 * when it is the only one), then the target, then a comma-separated option list in which unknown options are
 * ignored and later options win. Returns a static reason on error. */
static const char *take_volume_field(struct volume_fields *f, struct slice field, bool at_end)
{
	if (field.len == 0)
		return "empty section between colons";
	if (!f->source.p && at_end) {
		f->target = field;
		return NULL;
	}
	if (!f->source.p) {
		f->source = field;
		return NULL;
	}
	if (!f->target.p) {
		f->target = field;
		return NULL;
	}
	if (!at_end)
		return "too many colons";

	const char *p = field.p, *stop = field.p + field.len;
	while (p <= stop) {
		const char *comma = memchr(p, ',', (size_t)(stop - p));
		struct slice opt = {p, (size_t)((comma ? comma : stop) - p)};
		if (slice_eq(opt, "ro")) {
			f->read_only = true;
		} else if (slice_eq(opt, "rw")) {
			f->read_only = false;
		} else if (slice_eq(opt, "nocopy")) {
			f->nocopy = true;
		} else if (slice_eq(opt, "z") || slice_eq(opt, "Z")) {
			f->selinux = opt;
		} else {
			for (size_t i = 0; i < sizeof(propagations) / sizeof(propagations[0]); i++)
				if (slice_eq(opt, propagations[i]))
					f->propagation = opt;
		}
		p = opt.p + opt.len + 1;
	}
	return NULL;
}

/* "C:" at the start of a field is a Windows drive, not a separator (ASCII letters only; compose-go also
 * takes any single Unicode letter). */
static bool is_windows_drive(const char *field, size_t len, char c)
{
	return c == ':' && len == 1 && is_alpha(field[0]);
}

static bool is_file_path(struct slice src)
{
	if (!src.p)
		return false;
	if (src.p[0] == '.' || src.p[0] == '/' || src.p[0] == '~')
		return true;
	if (src.len >= 2 && src.p[0] == '\\' && src.p[1] == '\\')
		return true; /* Windows named pipe */
	return src.len >= 2 && is_windows_drive(src.p, 1, src.p[1]);
}

static char *slice_dup(struct slice s)
{
	return s.p ? cc_xstrndup(s.p, s.len) : NULL;
}

int cc_parse_volume_short(const char *s, struct cc_volume_spec *out, struct cc_error **err)
{
	size_t len = strlen(s);
	struct volume_fields f = {{NULL, 0}, {NULL, 0}, {NULL, 0}, {NULL, 0}, false, false};

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid empty volume spec");
	if (len <= 2) {
		/* compose-go: one or two characters are always the target of an anonymous volume. */
		out->type = cc_xstrdup("volume");
		out->target = cc_xstrdup(s);
		return 0;
	}

	/* Split at ':' outside ${...} (nesting counted). An unclosed "${" runs to the end of the spec;
	 * compose-go would silently drop that last field, we keep it. */
	size_t field_start = 0;
	unsigned depth = 0;
	for (size_t i = 0; i <= len; i++) {
		char c = s[i];
		if (c == '$' && s[i + 1] == '{') {
			depth++;
			continue;
		}
		if (c == '}' && depth > 0) {
			depth--;
			continue;
		}
		if (is_windows_drive(s + field_start, i - field_start, c))
			continue;
		if ((c == ':' && depth == 0) || c == '\0') {
			struct slice field = {s + field_start, i - field_start};
			const char *why = take_volume_field(&f, field, c == '\0');
			if (why)
				return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid spec: %s: %s", s,
						    why);
			field_start = i + 1;
		}
	}

	out->type = cc_xstrdup(is_file_path(f.source) ? "bind" : "volume");
	out->source = slice_dup(f.source);
	out->target = slice_dup(f.target);
	out->read_only = f.read_only;
	out->nocopy = f.nocopy;
	out->propagation = slice_dup(f.propagation);
	out->selinux = slice_dup(f.selinux);
	return 0;
}

void cc_volume_spec_release(struct cc_volume_spec *spec)
{
	if (!spec)
		return;
	free(spec->type);
	free(spec->source);
	free(spec->target);
	free(spec->propagation);
	free(spec->selinux);
	memset(spec, 0, sizeof(*spec));
}
