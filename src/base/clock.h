/* Time: wall clock and monotonic readings in nanoseconds, sleeping, and the renderings users see. */
#ifndef CC_BASE_CLOCK_H
#define CC_BASE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"

#define CC_NS_PER_SEC  INT64_C(1000000000)
#define CC_NS_PER_MSEC INT64_C(1000000)

int64_t cc_now_ns(void);       /* CLOCK_REALTIME */
int64_t cc_monotonic_ns(void); /* CLOCK_MONOTONIC */
void cc_sleep_ns(int64_t ns);  /* restarts after signals; <= 0 returns at once */

/* "2026-05-01T12:34:56Z" (UTC, no fraction); with nanos, "2026-05-01T12:34:56.123456789Z". */
void cc_format_iso8601(int64_t ns, int with_nanos, struct cc_strbuf *out);
/* RFC 3339 / ISO-8601 with optional fraction and offset, or a Unix timestamp ("1700000000", fractions too).
 * Relative forms ("10m" ago) are the front-ends' business: they know "now" and durations. */
int cc_parse_time(const char *s, int64_t *out_ns, struct cc_error **err);
/* docker's units.HumanDuration: "Less than a second", "About a minute", "3 hours", ... */
void cc_format_human_duration(int64_t ns, struct cc_strbuf *out);

#endif
