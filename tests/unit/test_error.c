/* The error contract: <0 + *err on failure, *err untouched on success, wrap adds context, first error wins.
 */
#include "unit.h"

#include <errno.h>
#include <string.h>

#include "base/error.h"

static int succeed(struct cc_error **err)
{
	(void)err;
	return 0;
}

static int fail_inner(struct cc_error **err)
{
	return cc_error_set(err, CC_ERR_NOT_FOUND, "service \"%s\" not found", "web");
}

static int fail_outer(struct cc_error **err)
{
	if (fail_inner(err) < 0)
		return cc_error_wrap(err, "loading %s", "compose.yaml");
	return 0;
}

static void test_success_leaves_err_untouched(void **state)
{
	(void)state;
	struct cc_error *err = NULL;
	assert_int_equal(succeed(&err), 0);
	assert_null(err);
}

static void test_wrap_adds_context_and_keeps_kind(void **state)
{
	(void)state;
	struct cc_error *err = NULL;
	assert_true(fail_outer(&err) < 0);
	assert_non_null(err);
	assert_int_equal(err->kind, CC_ERR_NOT_FOUND);
	assert_string_equal(err->msg, "loading compose.yaml: service \"web\" not found");
	assert_string_equal(cc_err_kind_name(err->kind), "NOT_FOUND");
	cc_error_release(&err);
	assert_null(err);
}

static void test_first_error_wins(void **state)
{
	(void)state;
	struct cc_error *err = NULL;
	cc_error_set(&err, CC_ERR_INVALID_ARGUMENT, "root cause");
	cc_error_set(&err, CC_ERR_INTERNAL, "consequence");
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	assert_string_equal(err->msg, "root cause");
	cc_error_free(err);
}

static void test_errno_is_appended(void **state)
{
	(void)state;
	struct cc_error *err = NULL;
	cc_error_set_errno(&err, CC_ERR_NOT_FOUND, ENOENT, "cannot open %s", "x.yaml");
	assert_string_equal(err->msg, "cannot open x.yaml: No such file or directory");
	assert_int_equal(err->errnum, ENOENT);
	cc_error_free(err);
	/* a NULL err pointer is allowed: the caller does not want details */
	assert_int_equal(cc_error_set(NULL, CC_ERR_INTERNAL, "ignored"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_success_leaves_err_untouched),
	    cmocka_unit_test(test_wrap_adds_context_and_keeps_kind),
	    cmocka_unit_test(test_first_error_wins),
	    cmocka_unit_test(test_errno_is_appended),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
