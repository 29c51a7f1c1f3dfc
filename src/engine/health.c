/* The health rules of health.h. */
#include "engine/health.h"

#include <string.h>

#define DEFAULT_INTERVAL_NS       (30LL * 1000000000LL)
#define DEFAULT_TIMEOUT_NS        (30LL * 1000000000LL)
#define DEFAULT_START_INTERVAL_NS (5LL * 1000000000LL)
#define DEFAULT_RETRIES           3

void cc_health_init(struct cc_health *h, const struct cc_healthcheck *hc, int64_t started_ns)
{
	memset(h, 0, sizeof(*h));
	h->interval_ns = hc->interval_ns > 0 ? hc->interval_ns : DEFAULT_INTERVAL_NS;
	h->timeout_ns = hc->timeout_ns > 0 ? hc->timeout_ns : DEFAULT_TIMEOUT_NS;
	h->start_period_ns = hc->start_period_ns > 0 ? hc->start_period_ns : 0;
	h->start_interval_ns = hc->start_interval_ns > 0 ? hc->start_interval_ns : DEFAULT_START_INTERVAL_NS;
	h->retries = hc->retries > 0 ? hc->retries : DEFAULT_RETRIES;
	h->started_ns = started_ns;
	h->status = CC_HEALTH_STARTING;
}

static bool in_start_period(const struct cc_health *h, int64_t t)
{
	return h->status == CC_HEALTH_STARTING && t - h->started_ns < h->start_period_ns;
}

int64_t cc_health_next(const struct cc_health *h, int64_t previous_end_ns)
{
	int64_t from = previous_end_ns ? previous_end_ns : h->started_ns;
	int64_t step = in_start_period(h, from) ? h->start_interval_ns : h->interval_ns;
	/* a start interval never carries a check past the end of the start period by much */
	return from + step;
}

bool cc_health_record(struct cc_health *h, bool passed, int64_t began_ns)
{
	enum cc_health_status status = h->status;
	int streak = h->streak;
	if (passed) {
		h->status = CC_HEALTH_HEALTHY;
		h->streak = 0;
	} else if (!in_start_period(h, began_ns)) {
		h->streak++;
		if (h->streak >= h->retries)
			h->status = CC_HEALTH_UNHEALTHY;
	}
	return status != h->status || streak != h->streak;
}
