/* overlayfs over layers in the unpacker's form: whiteouts hide, opaque directories hide everything below, the
 * upper directory keeps the container's changes across remounts. */
#include "unit.h"

#include <dirent.h>
#include <ftw.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "engine/rootfs.h"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void test_overlay_of_layers(void **state)
{
	if (geteuid() != 0) {
		skip();
		return;
	}
	char dir[] = "/tmp/cc-rootfs-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *l1 = cc_xasprintf("%s/l1", dir), *l2 = cc_xasprintf("%s/l2", dir),
	     *c = cc_xasprintf("%s/c", dir);
	mkdir(l1, 0755);
	mkdir(l2, 0755);
	char *l1opt = cc_xasprintf("%s/opt", l1), *l2opt = cc_xasprintf("%s/opt", l2);
	mkdir(l1opt, 0755);
	mkdir(l2opt, 0755);
	unit_put_file(l1, "keep", "keep\n");
	unit_put_file(l1, "gone", "gone\n");
	unit_put_file(l1, "opt/old", "old\n");
	unit_put_file(l2, "opt/new", "new\n");
	char *wh = cc_xasprintf("%s/gone", l2);
	assert_int_equal(mknod(wh, S_IFCHR | 0, makedev(0, 0)), 0);
	assert_int_equal(setxattr(l2opt, "trusted.overlay.opaque", "y", 1, 0), 0);
	char *layers[] = {l1, l2, NULL};
	char *merged = NULL;
	struct cc_error *err = NULL;
	if (cc_rootfs_mount(layers, c, &merged, &err) < 0) {
		/* overlay on this filesystem unavailable (a nested one): nothing to judge here */
		cc_error_free(err);
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		skip();
		return;
	}
	char *p = cc_xasprintf("%s/keep", merged);
	assert_int_equal(access(p, F_OK), 0);
	free(p);
	p = cc_xasprintf("%s/gone", merged);
	assert_int_equal(access(p, F_OK), -1); /* whited out */
	free(p);
	p = cc_xasprintf("%s/opt/old", merged);
	assert_int_equal(access(p, F_OK), -1); /* below an opaque directory */
	free(p);
	p = cc_xasprintf("%s/opt/new", merged);
	assert_int_equal(access(p, F_OK), 0);
	free(p);
	unit_put_file(merged, "written", "by the container\n");
	assert_int_equal(cc_rootfs_unmount(c, &err), 0);
	free(merged);
	/* the change lives in the container's upper directory, not in the shared layers, and comes back */
	p = cc_xasprintf("%s/written", l2);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	assert_int_equal(cc_rootfs_mount(layers, c, &merged, &err), 0);
	p = cc_xasprintf("%s/written", merged);
	assert_int_equal(access(p, F_OK), 0);
	free(p);
	assert_int_equal(cc_rootfs_unmount(c, &err), 0);
	assert_int_equal(cc_rootfs_unmount(c, &err), 0); /* not mounted: fine */
	free(merged);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(l1);
	free(l2);
	free(c);
	free(l1opt);
	free(l2opt);
	free(wh);
}

struct race {
	const char *path;
	int rc;
};

static void *make_init_layer(void *arg)
{
	struct race *r = arg;
	struct cc_error *err = NULL;
	r->rc = cc_rootfs_init_layer(r->path, &err);
	if (err)
		fprintf(stderr, "init layer: %s\n", err->msg);
	cc_error_free(err);
	return NULL;
}

/* The init layer holds the mount points, empty; threads that race to make it all succeed, and leave one
 * layer and none of their scratch directories. */
static void test_init_layer_made_once_by_racing_threads(void **state)
{
	(void)state;
	char dir[] = "/tmp/cc-initlayer-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = cc_xasprintf("%s/init", dir);
	enum { N = 8 };
	/* a restrictive umask must not make the merged /etc unreadable to the container's users */
	mode_t umask_was = umask(077);
	pthread_t t[N];
	struct race r[N];
	for (int i = 0; i < N; i++) {
		r[i] = (struct race){path, -2};
		assert_int_equal(pthread_create(&t[i], NULL, make_init_layer, &r[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].rc, 0);
	}
	umask(umask_was);
	static const char *const dirs[] = {"dev", "proc", "sys", "etc"};
	static const char *const files[] = {"etc/hosts", "etc/hostname", "etc/resolv.conf"};
	struct stat st;
	for (size_t i = 0; i < 4; i++) {
		char *p = cc_xasprintf("%s/%s", path, dirs[i]);
		assert_int_equal(stat(p, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0755);
		free(p);
	}
	for (size_t i = 0; i < 3; i++) {
		char *p = cc_xasprintf("%s/%s", path, files[i]);
		assert_int_equal(stat(p, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0644);
		assert_int_equal(st.st_size, 0);
		free(p);
	}
	/* only the layer is left beside it */
	DIR *d = opendir(dir);
	assert_non_null(d);
	int entries = 0;
	for (struct dirent *de; (de = readdir(d));)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			assert_string_equal(de->d_name, "init");
			entries++;
		}
	closedir(d);
	assert_int_equal(entries, 1);
	/* made: a second call finds it */
	struct cc_error *err = NULL;
	assert_int_equal(cc_rootfs_init_layer(path, &err), 0);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_overlay_of_layers),
					   cmocka_unit_test(test_init_layer_made_once_by_racing_threads)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
