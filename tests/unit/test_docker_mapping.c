/* The docker backend's reading of an engine's container JSON: dockerd's words and podman's own. */
#include "unit.h"

#include <jansson.h>

#include "docker/docker-internal.h"

static struct cc_container read_container(const char *state_json)
{
	char doc[512];
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
	assert_int_equal(c.health, CC_HEALTH_UNHEALTHY);
	assert_int_equal(c.failing_streak, 4);
	cc_container_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_docker_states),
	    cmocka_unit_test(test_podman_states),
	    cmocka_unit_test(test_exit_code_name_and_health),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
