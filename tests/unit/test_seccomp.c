/* moby-format seccomp profiles to OCI linux.seccomp (engine/seccomp.h): architectures and the rules whose
 * capability and architecture conditions hold for one container. */
#include "unit.h"

#include "engine/seccomp.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char profile[] =
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
    "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_"
    "X32\"]},"
    "{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]}],"
    "\"syscalls\":["
    "{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[],\"includes\":{},\"excludes\":{"
    "}},"
    "{\"names\":[\"arch_prctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"amd64\",\"x32\"]}}"
    ","
    "{\"names\":[\"cacheflush\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"arm64\"]}},"
    "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},"
    "{\"names\":[\"setns\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,\"excludes\":{\"caps\":[\"CAP_SYS_"
    "ADMIN\"]}},"
    "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
    "\"args\":[{\"index\":0,\"value\":0,\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}";

static bool has_rule(const json_t *out, const char *name)
{
	size_t i, k;
	json_t *r, *n;
	json_array_foreach(json_object_get(out, "syscalls"), i, r) json_array_foreach(
	    json_object_get(r, "names"), k, n) if (strcmp(json_string_value(n), name) == 0) return true;
	return false;
}

static json_t *convert_without(const char *caps_json, const char *machine, const char *const *dead)
{
	json_t *p = json_loads(profile, 0, NULL), *caps = json_loads(caps_json, 0, NULL), *out = NULL;
	struct cc_error *err = NULL;
	assert_int_equal(native_seccomp_convert(p, caps, machine, dead, &out, &err), 0);
	json_decref(p);
	json_decref(caps);
	return out;
}

static json_t *convert(const char *caps_json, const char *machine)
{
	return convert_without(caps_json, machine, NULL);
}

static void test_default_container(void **state)
{
	json_t *out = convert("[\"CAP_CHOWN\",\"CAP_KILL\"]", "x86_64");
	assert_string_equal(json_string_value(json_object_get(out, "defaultAction")), "SCMP_ACT_ERRNO");
	assert_int_equal(json_integer_value(json_object_get(out, "defaultErrnoRet")), 38);
	json_t *arches = json_object_get(out, "architectures");
	assert_int_equal(json_array_size(arches), 3);
	assert_string_equal(json_string_value(json_array_get(arches, 0)), "SCMP_ARCH_X86_64");
	assert_true(has_rule(out, "read"));
	assert_true(has_rule(out, "arch_prctl"));  /* amd64 only */
	assert_false(has_rule(out, "cacheflush")); /* arm64 only */
	assert_false(has_rule(out, "mount"));      /* needs CAP_SYS_ADMIN */
	assert_true(has_rule(out, "setns"));       /* refused unless CAP_SYS_ADMIN */
	assert_true(has_rule(out, "personality")); /* with its argument condition */
	json_decref(out);
}

static void test_capabilities_and_arch(void **state)
{
	json_t *out = convert("[\"CAP_SYS_ADMIN\"]", "aarch64");
	assert_string_equal(json_string_value(json_array_get(json_object_get(out, "architectures"), 0)),
			    "SCMP_ARCH_AARCH64");
	assert_true(has_rule(out, "mount"));
	assert_false(has_rule(out, "setns")); /* the refusal is lifted by the capability */
	assert_true(has_rule(out, "cacheflush"));
	assert_false(has_rule(out, "arch_prctl"));
	json_decref(out);
}

/* a sub-architecture the kernel cannot run gets no filter; the others keep theirs, in the profile's order */
static void test_dead_arches_left_out(void **state)
{
	static const char *const dead[] = {"SCMP_ARCH_X32", NULL};
	json_t *out = convert_without("[]", "x86_64", dead);
	json_t *arches = json_object_get(out, "architectures");
	assert_int_equal(json_array_size(arches), 2);
	assert_string_equal(json_string_value(json_array_get(arches, 0)), "SCMP_ARCH_X86_64");
	assert_string_equal(json_string_value(json_array_get(arches, 1)), "SCMP_ARCH_X86");
	assert_true(has_rule(out, "read"));
	json_decref(out);
}

/* the probe answers what the kernel does: x32 is listed dead exactly when its system calls are refused */
static void test_dead_arches_probe(void **state)
{
	const char *const *dead = native_seccomp_dead_arches();
#ifdef __x86_64__
	errno = 0;
	bool refused = syscall(0x40000000L | SYS_getpid) == -1 && errno == ENOSYS;
	assert_int_equal(dead != NULL, refused);
	if (dead)
		assert_string_equal(dead[0], "SCMP_ARCH_X32");
#else
	assert_null(dead);
#endif
}

static void test_bad_profile(void **state)
{
	json_t *p =
	    json_loads("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"action\":\"x\"}]}", 0, NULL);
	json_t *caps = json_array(), *out = NULL;
	struct cc_error *err = NULL;
	assert_int_equal(native_seccomp_convert(p, caps, "x86_64", NULL, &out, &err), -1);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	assert_non_null(strstr(err->msg, "syscalls[0]"));
	cc_error_free(err);
	json_decref(p);
	json_decref(caps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_container),    cmocka_unit_test(test_capabilities_and_arch),
	    cmocka_unit_test(test_dead_arches_left_out), cmocka_unit_test(test_dead_arches_probe),
	    cmocka_unit_test(test_bad_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
