/* docker's health rules: schedule, start period, retries, recovery. */
#include "unit.h"

#include "engine/health.h"

#define S 1000000000LL

static struct cc_health make(int64_t interval, int64_t start_period, int64_t start_interval, int retries)
{
	char cmd[] = "CMD", t[] = "true";
	char *test[] = {cmd, t, NULL};
	struct cc_healthcheck hc = {.test = test,
				    .interval_ns = interval,
				    .start_period_ns = start_period,
				    .start_interval_ns = start_interval,
				    .retries = retries};
	struct cc_health h;
	cc_health_init(&h, &hc, 100 * S);
	return h;
}

static void test_enabled(void **state)
{
	char n0[] = "NONE", c0[] = "CMD-SHELL", c1[] = "true";
	char *none[] = {n0, NULL}, *cmd[] = {c0, c1, NULL};
	struct cc_healthcheck off = {.test = none}, on = {.test = cmd}, empty = {0};
	assert_false(cc_healthcheck_enabled(NULL));
	assert_false(cc_healthcheck_enabled(&empty));
	assert_false(cc_healthcheck_enabled(&off));
	assert_true(cc_healthcheck_enabled(&on));
}

static void test_defaults(void **state)
{
	struct cc_health h = make(0, 0, 0, 0);
	assert_int_equal(h.interval_ns, 30 * S);
	assert_int_equal(h.timeout_ns, 30 * S);
	assert_int_equal(h.retries, 3);
	assert_int_equal(h.status, CC_HEALTH_STARTING);
	assert_int_equal(cc_health_next(&h, 0), 130 * S); /* one interval after the start */
}

static void test_retries_make_unhealthy(void **state)
{
	struct cc_health h = make(1 * S, 0, 0, 2);
	assert_true(cc_health_record(&h, false, 101 * S));
	assert_int_equal(h.status, CC_HEALTH_STARTING);
	assert_int_equal(h.streak, 1);
	assert_true(cc_health_record(&h, false, 102 * S));
	assert_int_equal(h.status, CC_HEALTH_UNHEALTHY);
	assert_int_equal(h.streak, 2);
	/* recovery: one pass is healthy again, streak reset */
	assert_true(cc_health_record(&h, true, 103 * S));
	assert_int_equal(h.status, CC_HEALTH_HEALTHY);
	assert_int_equal(h.streak, 0);
	assert_false(cc_health_record(&h, true, 104 * S)); /* nothing changed */
}

static void test_start_period(void **state)
{
	struct cc_health h = make(10 * S, 5 * S, 1 * S, 1);
	/* in the start period: checks every start_interval, failures not counted */
	assert_int_equal(cc_health_next(&h, 0), 101 * S);
	assert_false(cc_health_record(&h, false, 101 * S));
	assert_int_equal(h.streak, 0);
	assert_int_equal(h.status, CC_HEALTH_STARTING);
	/* after it: the interval, and a failure counts */
	assert_int_equal(cc_health_next(&h, 106 * S), 116 * S);
	assert_true(cc_health_record(&h, false, 106 * S));
	assert_int_equal(h.status, CC_HEALTH_UNHEALTHY);
}

static void test_healthy_ends_start_period(void **state)
{
	struct cc_health h = make(10 * S, 60 * S, 1 * S, 1);
	assert_true(cc_health_record(&h, true, 101 * S));
	/* once healthy, a failure counts even inside the start period */
	assert_true(cc_health_record(&h, false, 102 * S));
	assert_int_equal(h.status, CC_HEALTH_UNHEALTHY);
	assert_int_equal(cc_health_next(&h, 102 * S), 112 * S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_enabled),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_retries_make_unhealthy),
	    cmocka_unit_test(test_start_period),
	    cmocka_unit_test(test_healthy_ends_start_period),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
