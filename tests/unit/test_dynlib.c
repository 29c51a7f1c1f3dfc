/* Libraries opened when first needed (base/dynlib.h): a table filled from a real library, and the errors
 * for a missing library or symbol, which name what to install. */
#include "unit.h"

#include "base/dynlib.h"
#include "base/libnl.h"

#include <math.h>
#include <string.h>

struct libm_api {
	double (*p_cos)(double);
	double (*p_sqrt)(double);
};

static const struct cc_dynsym libm_syms[] = {{"cos", offsetof(struct libm_api, p_cos)},
					     {"sqrt", offsetof(struct libm_api, p_sqrt)}};

static void test_table_filled(void **state)
{
	struct libm_api api = {0};
	struct cc_dynlib lib = {"libm.so.6", "libc6", libm_syms, 2, &api, false, ""};
	cc_dynlib_open(&lib);
	struct cc_error *err = NULL;
	assert_int_equal(cc_dynlib_ready(&lib, &err), 0);
	assert_true(api.p_sqrt(16.0) == 4.0);
	assert_true(api.p_cos(0.0) == 1.0);
}

/* libnl-3's symbols come through libnl-route-3's handle: every one the engine calls is found. */
static void test_libnl_symbols_found(void **state)
{
	struct cc_error *err = NULL;
	if (cc_libnl_ready(&err) < 0)
		fail_msg("%s", err->msg);
	assert_non_null(cc_libnl()->p_nl_socket_alloc);
	assert_non_null(cc_libnl()->p_rtnl_link_veth_alloc);
	struct nl_sock *sk = nl_socket_alloc();
	assert_non_null(sk);
	nl_socket_free(sk);
	assert_string_equal(nl_geterror(NLE_NOMEM), "Out of memory");
}

static void test_missing_library(void **state)
{
	struct libm_api api = {0};
	struct cc_dynlib lib = {
	    "libcc-no-such-library.so.0", "libcc-nothing1", libm_syms, 2, &api, false, ""};
	cc_dynlib_open(&lib);
	struct cc_error *err = NULL;
	assert_int_equal(cc_dynlib_ready(&lib, &err), -1);
	assert_int_equal(err->kind, CC_ERR_BACKEND_FAILURE);
	assert_non_null(strstr(err->msg, "cannot load libcc-no-such-library.so.0 (install libcc-nothing1)"));
	cc_error_release(&err);
}

static void test_missing_symbol(void **state)
{
	struct libm_api api = {0};
	static const struct cc_dynsym syms[] = {{"cos", offsetof(struct libm_api, p_cos)},
						{"cc_no_such_symbol", offsetof(struct libm_api, p_sqrt)}};
	struct cc_dynlib lib = {"libm.so.6", "libc6", syms, 2, &api, false, ""};
	cc_dynlib_open(&lib);
	struct cc_error *err = NULL;
	assert_int_equal(cc_dynlib_ready(&lib, &err), -1);
	assert_non_null(strstr(err->msg, "libm.so.6: no symbol cc_no_such_symbol"));
	cc_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_filled),
	    cmocka_unit_test(test_libnl_symbols_found),
	    cmocka_unit_test(test_missing_library),
	    cmocka_unit_test(test_missing_symbol),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
