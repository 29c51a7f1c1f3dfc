/* The docker backend's reading of an engine's container JSON: dockerd's words and podman's own. */
#include "unit.h"

#include <jansson.h>

#include "docker/docker-internal.h"

static struct cc_container read_container(const char *state_json)
{
	char doc[1024];
	snprintf(doc, sizeof(doc), "{\"Id\":\"abc\",\"Name\":\"/proj-web-1\",\"State\":%s}", state_json);
	json_error_t jerr;
	json_t *j = json_loads(doc, 0, &jerr);
	assert_non_null(j);
	struct cc_container c;
	dk_container_from_json(j, &c);
	json_decref(j);
	return c;
}

static enum cc_container_state state_of(const char *status)
{
	char st[128];
	snprintf(st, sizeof(st), "{\"Status\":\"%s\",\"ExitCode\":0}", status);
	struct cc_container c = read_container(st);
	enum cc_container_state s = c.state;
	cc_container_release(&c);
	return s;
}

static void test_docker_states(void **state)
{
	assert_int_equal(state_of("created"), CC_STATE_CREATED);
	assert_int_equal(state_of("running"), CC_STATE_RUNNING);
	assert_int_equal(state_of("paused"), CC_STATE_PAUSED);
	assert_int_equal(state_of("restarting"), CC_STATE_RESTARTING);
	assert_int_equal(state_of("removing"), CC_STATE_REMOVING);
	assert_int_equal(state_of("exited"), CC_STATE_EXITED);
	assert_int_equal(state_of("dead"), CC_STATE_DEAD);
}

/* podman's service reports a process that has exited, before its clean-up, as "stopped" */
static void test_podman_states(void **state)
{
	assert_int_equal(state_of("stopped"), CC_STATE_EXITED);
	assert_int_equal(state_of("stopping"), CC_STATE_RUNNING);
	assert_int_equal(state_of("configured"), CC_STATE_CREATED);
	assert_int_equal(state_of("initialized"), CC_STATE_CREATED);
	assert_int_equal(state_of("something-new"), CC_STATE_CREATED);
}

static void test_exit_code_name_and_health(void **state)
{
	struct cc_container c = read_container("{\"Status\":\"stopped\",\"ExitCode\":3,\"OOMKilled\":true,"
					       "\"Health\":{\"Status\":\"unhealthy\",\"FailingStreak\":4}}");
	assert_string_equal(c.id, "abc");
	assert_string_equal(c.name, "proj-web-1");
	assert_int_equal(c.state, CC_STATE_EXITED);
	assert_int_equal(c.exit_code, 3);
	assert_true(c.oom_killed);
	assert_int_equal(c.nhealth_log, 0);
	assert_int_equal(c.health, CC_HEALTH_UNHEALTHY);
	assert_int_equal(c.failing_streak, 4);
	cc_container_release(&c);
}

/* 2026-12-06T02:40:18Z, in ns since the epoch */
#define SEC18 INT64_C(1796524818000000000)
#define MS    INT64_C(1000000)

/* A log stamp in whole seconds (podman's) covers that second: a `since` inside it keeps the line, as
 * attached `up` needs for a line printed within the second it began */
static void test_log_stamp_window(void **state)
{
	int64_t t;
	assert_true(dk_stamp_in_window("2026-12-06T02:40:18Z", SEC18 + 200 * MS, 0, &t));
	assert_int_equal(t, SEC18);
	assert_false(dk_stamp_in_window("2026-12-06T02:40:17Z", SEC18 + 200 * MS, 0, &t));
	/* with a fraction, the stamp is exact */
	assert_false(dk_stamp_in_window("2026-12-06T02:40:18.1Z", SEC18 + 200 * MS, 0, &t));
	assert_int_equal(t, SEC18 + 100 * MS);
	assert_true(dk_stamp_in_window("2026-12-06T02:40:18.300000000Z", SEC18 + 200 * MS, 0, &t));
	/* until: a line stamped after it is left out */
	assert_false(dk_stamp_in_window("2026-12-06T02:40:19Z", 0, SEC18 + 500 * MS, &t));
	assert_true(dk_stamp_in_window("2026-12-06T02:40:18.4Z", 0, SEC18 + 500 * MS, &t));
	/* no stamp: kept, time unknown */
	assert_true(dk_stamp_in_window("garbage", SEC18, SEC18, &t));
	assert_int_equal(t, 0);
}

/* The model's HOST=IP is the Engine API's HOST:IP both ways; an IPv6 address passes whole. */
static void test_extra_hosts_both_ways(void **state)
{
	(void)state;
	struct cc_container_spec spec = {0};
	char h1[] = "db=10.0.0.5", h2[] = "gw=host-gateway", h3[] = "six=::1", image[] = "busybox";
	char *hosts[] = {h1, h2, h3, NULL};
	spec.image = image;
	spec.extra_hosts = hosts;
	json_t *body = dk_spec_to_json(&spec);
	json_t *eh = json_object_get(json_object_get(body, "HostConfig"), "ExtraHosts");
	assert_int_equal(json_array_size(eh), 3);
	assert_string_equal(json_string_value(json_array_get(eh, 0)), "db:10.0.0.5");
	assert_string_equal(json_string_value(json_array_get(eh, 1)), "gw:host-gateway");
	assert_string_equal(json_string_value(json_array_get(eh, 2)), "six:::1");
	json_t *j =
	    json_pack("{ss ss s{ss si} s{sO} s{ss}}", "Id", "abc", "Name", "/p-s-1", "State", "Status",
		      "running", "ExitCode", 0, "HostConfig", "ExtraHosts", eh, "Config", "Image", "busybox");
	struct cc_container c;
	dk_container_from_json(j, &c);
	assert_non_null(c.spec.extra_hosts);
	assert_string_equal(c.spec.extra_hosts[0], "db=10.0.0.5");
	assert_string_equal(c.spec.extra_hosts[2], "six=::1");
	cc_container_release(&c);
	json_decref(j);
	json_decref(body);
}

/* a bind that may create its source goes as a legacy bind (every engine makes its source), others as
 * mounts */
static void test_binds_and_mounts(void **state)
{
	(void)state;
	char image[] = "busybox", src[] = "/srv/made", dst[] = "/in", src2[] = "/srv/there", dst2[] = "/ro";
	struct cc_mount m[] = {{.type = CC_MOUNT_BIND,
				.source = src,
				.target = dst,
				.read_only = true,
				.create_host_path = true},
			       {.type = CC_MOUNT_BIND, .source = src2, .target = dst2}};
	struct cc_container_spec spec = {.image = image, .mounts = m, .nmounts = 2};
	json_t *body = dk_spec_to_json(&spec);
	json_t *host = json_object_get(body, "HostConfig");
	json_t *binds = json_object_get(host, "Binds");
	assert_int_equal(json_array_size(binds), 1);
	assert_string_equal(json_string_value(json_array_get(binds, 0)), "/srv/made:/in:ro");
	json_t *mounts = json_object_get(host, "Mounts");
	assert_int_equal(json_array_size(mounts), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(mounts, 0), "Source")),
			    "/srv/there");
	json_decref(body);
}

/* the engine's health log: its probes' times, exit codes and output */
static void test_health_log(void **state)
{
	(void)state;
	struct cc_container c = read_container(
	    "{\"Status\":\"running\",\"ExitCode\":0,\"Health\":{\"Status\":\"healthy\",\"FailingStreak\":0,"
	    "\"Log\":[{\"Start\":\"2026-12-07T10:00:00.5Z\",\"End\":\"2026-12-07T10:00:01Z\",\"ExitCode\":0,"
	    "\"Output\":\"ok\\n\"}]}}");
	assert_int_equal(c.nhealth_log, 1);
	assert_int_equal(c.health_log[0].exit_code, 0);
	assert_string_equal(c.health_log[0].output, "ok\n");
	assert_true(c.health_log[0].end_ns - c.health_log[0].start_ns == 500000000);
	cc_container_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_docker_states),
	    cmocka_unit_test(test_podman_states),
	    cmocka_unit_test(test_exit_code_name_and_health),
	    cmocka_unit_test(test_log_stamp_window),
	    cmocka_unit_test(test_extra_hosts_both_ways),
	    cmocka_unit_test(test_binds_and_mounts),
	    cmocka_unit_test(test_health_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
