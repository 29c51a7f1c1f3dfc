/* Time readings and renderings. */
#include "base/clock.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * CC_NS_PER_SEC + ts.tv_nsec;
}

int64_t cc_now_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int64_t cc_monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

void cc_sleep_ns(int64_t ns)
{
	if (ns <= 0)
		return;
	struct timespec ts = {.tv_sec = ns / CC_NS_PER_SEC, .tv_nsec = ns % CC_NS_PER_SEC};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void cc_format_iso8601(int64_t ns, int with_nanos, struct cc_strbuf *out)
{
	time_t secs = (time_t)(ns / CC_NS_PER_SEC);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char buf[64];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	cc_strbuf_adds(out, buf);
	if (with_nanos)
		cc_strbuf_addf(out, ".%09lld", (long long)(ns % CC_NS_PER_SEC));
	cc_strbuf_addch(out, 'Z');
}

/* Digits at *p, exactly n of them. */
static int take_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return 0;
}

static int parse_rfc3339(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (take_digits(&p, 4, &y) || *p++ != '-' || take_digits(&p, 2, &mo) || *p++ != '-' ||
	    take_digits(&p, 2, &d))
		return -1;
	int64_t frac = 0;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (take_digits(&p, 2, &h) || *p++ != ':' || take_digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (take_digits(&p, 2, &sec))
				return -1;
		}
		if (*p == '.') {
			p++;
			int64_t scale = CC_NS_PER_SEC / 10;
			if (!isdigit((unsigned char)*p))
				return -1;
			for (; isdigit((unsigned char)*p); p++, scale /= 10)
				frac += (*p - '0') * scale;
		}
	}
	int64_t offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (take_digits(&p, 2, &oh) || *p++ != ':' || take_digits(&p, 2, &om))
			return -1;
		offset = sign * (oh * 3600 + om * 60);
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	struct tm tm = {
	    .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
	time_t t = timegm(&tm);
	*out = ((int64_t)t - offset) * CC_NS_PER_SEC + frac;
	return 0;
}

int cc_parse_time(const char *s, int64_t *out_ns, struct cc_error **err)
{
	if (parse_rfc3339(s, out_ns) == 0)
		return 0;
	char *end;
	errno = 0;
	double secs = strtod(s, &end);
	if (*s && isdigit((unsigned char)*s) && !*end && errno == 0) {
		*out_ns = (int64_t)(secs * 1e9);
		return 0;
	}
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
			    "invalid time %s: expected RFC 3339 (2006-01-02T15:04:05Z) or a Unix timestamp",
			    s);
}

void cc_format_human_duration(int64_t ns, struct cc_strbuf *out)
{
	int64_t seconds = ns / CC_NS_PER_SEC, minutes = seconds / 60;
	int64_t hours = (int64_t)((double)ns / 3.6e12 + 0.5);
	if (seconds < 1)
		cc_strbuf_adds(out, "Less than a second");
	else if (seconds == 1)
		cc_strbuf_adds(out, "1 second");
	else if (seconds < 60)
		cc_strbuf_addf(out, "%lld seconds", (long long)seconds);
	else if (minutes == 1)
		cc_strbuf_adds(out, "About a minute");
	else if (minutes < 60)
		cc_strbuf_addf(out, "%lld minutes", (long long)minutes);
	else if (hours == 1)
		cc_strbuf_adds(out, "About an hour");
	else if (hours < 48)
		cc_strbuf_addf(out, "%lld hours", (long long)hours);
	else if (hours < 24 * 7 * 2)
		cc_strbuf_addf(out, "%lld days", (long long)(hours / 24));
	else if (hours < 24 * 30 * 2)
		cc_strbuf_addf(out, "%lld weeks", (long long)(hours / 24 / 7));
	else if (hours < 24 * 365 * 2)
		cc_strbuf_addf(out, "%lld months", (long long)(hours / 24 / 30));
	else
		cc_strbuf_addf(out, "%lld years", (long long)(ns / 3600 / CC_NS_PER_SEC / 24 / 365));
}
