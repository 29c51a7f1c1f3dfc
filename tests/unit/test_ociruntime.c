/* Choosing the OCI runtime (engine/ociruntime.h): crun's view of a cgroup layout, read from a made-up
 * /sys/fs/cgroup, and what a requested runtime resolves to. */
#include "unit.h"

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "engine/ociruntime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *layout(void)
{
	char *dir = cc_xstrdup("/tmp/cc-ocirt-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void test_layouts(void **state)
{
	char *why = NULL;
	/* unified: cgroup.controllers at the top */
	char *v2 = layout();
	unit_put_file(v2, "cgroup.controllers", "cpu memory pids\n");
	assert_true(native_crun_usable(v2, &why));
	assert_null(why);
	/* v1 only: no unified hierarchy */
	char *v1 = layout();
	assert_true(native_crun_usable(v1, &why));
	/* hybrid with an empty v2: crun runs */
	char *empty = layout();
	char *u = cc_xasprintf("%s/unified", empty);
	mkdir(u, 0755);
	unit_put_file(u, "cgroup.controllers", "\n");
	assert_true(native_crun_usable(empty, &why));
	/* hybrid with a controller on v2 (these machines): refused, and the reason names it */
	char *hybrid = layout();
	char *h = cc_xasprintf("%s/unified", hybrid);
	mkdir(h, 0755);
	unit_put_file(h, "cgroup.controllers", "hugetlb\n");
	assert_false(native_crun_usable(hybrid, &why));
	assert_non_null(why);
	assert_non_null(strstr(why, "hybrid"));
	assert_non_null(strstr(why, "(hugetlb)"));
	free(why);
	char *dirs[] = {v2, v1, empty, hybrid};
	for (size_t i = 0; i < 4; i++) {
		cc_remove_tree(dirs[i]);
		free(dirs[i]);
	}
	free(u);
	free(h);
}

static void test_requested(void **state)
{
	char *dir = layout();
	struct native_oci oci;
	struct cc_error *err = NULL;
	/* a path is taken as it is, named by its base name */
	char *fake = cc_xasprintf("%s/youki", dir);
	unit_put_file(dir, "youki", "#!/bin/sh\n");
	chmod(fake, 0755);
	assert_int_equal(native_oci_pick(fake, dir, &oci, &err), 0);
	assert_string_equal(oci.path, fake);
	assert_string_equal(oci.name, "youki");
	native_oci_release(&oci);
	/* not executable, or missing: NOT_FOUND naming it */
	chmod(fake, 0644);
	assert_int_equal(native_oci_pick(fake, dir, &oci, &err), -1);
	assert_int_equal(err->kind, CC_ERR_NOT_FOUND);
	assert_non_null(strstr(err->msg, fake));
	cc_error_release(&err);
	assert_int_equal(native_oci_pick("no-such-runtime", dir, &oci, &err), -1);
	assert_int_equal(err->kind, CC_ERR_NOT_FOUND);
	assert_non_null(strstr(err->msg, "no-such-runtime"));
	cc_error_release(&err);
	/* crun asked for where it cannot run: INVALID_ARGUMENT with the reason */
	char *crun = cc_xasprintf("%s/crun", dir);
	unit_put_file(dir, "crun", "#!/bin/sh\n");
	chmod(crun, 0755);
	char *u = cc_xasprintf("%s/unified", dir);
	mkdir(u, 0755);
	unit_put_file(u, "cgroup.controllers", "hugetlb\n");
	assert_int_equal(native_oci_pick(crun, dir, &oci, &err), -1);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	assert_non_null(strstr(err->msg, "hybrid"));
	cc_error_release(&err);
	unit_put_file(u, "cgroup.controllers", "");
	assert_int_equal(native_oci_pick(crun, dir, &oci, &err), 0);
	assert_string_equal(oci.name, "crun");
	native_oci_release(&oci);
	cc_remove_tree(dir);
	free(dir);
	free(fake);
	free(crun);
	free(u);
}

/* a kill racing the container's exit: both runtimes' words for "gone" are known; other failures are not */
static void test_gone_messages(void **state)
{
	assert_true(native_oci_says_gone("runc kill: container not running"));
	assert_true(native_oci_says_gone("runc kill: container does not exist"));
	assert_true(native_oci_says_gone("crun kill: kill container: No such process"));
	assert_true(native_oci_says_gone(
	    "crun kill: error opening file `/r/crun/abc/status`: No such file or directory"));
	assert_false(native_oci_says_gone("crun kill: permission denied"));
	assert_false(native_oci_says_gone("runc kill: invalid signal"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layouts),
	    cmocka_unit_test(test_requested),
	    cmocka_unit_test(test_gone_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
