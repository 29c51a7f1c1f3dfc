/* A container's health as docker judges it, kept by its monitor: the checks' schedule and what each result
 * does to the status. Pure logic over monotonic times, so the rules are unit-tested without containers.
 *
 * Rules (docker's): the first check runs one interval after the start (start_interval while in the start
 * period); a pass makes the container healthy and resets the failing streak; a failure counts toward
 * `retries` unless it happens in the start period while the container is still starting; `retries`
 * counted failures in a row make it unhealthy. A check that outlives its timeout is a failure. */
#ifndef CC_ENGINE_HEALTH_H
#define CC_ENGINE_HEALTH_H

#include "runtime/types.h"

#include <stdbool.h>
#include <stdint.h>

struct cc_health {
	int64_t interval_ns, timeout_ns, start_period_ns, start_interval_ns;
	int retries;
	int64_t started_ns; /* monotonic: when the run started */
	enum cc_health_status status;
	int streak;
};

/* Defaults filled in (interval 30s, timeout 30s, start_interval 5s, retries 3); status "starting". */
void cc_health_init(struct cc_health *h, const struct cc_healthcheck *hc, int64_t started_ns);
/* When the next check is due, given when the previous one ended (0: none yet). */
int64_t cc_health_next(const struct cc_health *h, int64_t previous_end_ns);
/* Record one check that began at `began_ns`; true when the status or the streak changed. */
bool cc_health_record(struct cc_health *h, bool passed, int64_t began_ns);

#endif
