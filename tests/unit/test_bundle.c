/* config.json generation: docker's command and environment rules, users from the image's files, capabilities,
 * clamped rlimits, mounts; and one real run under runc, which is the judge of a bundle. */
#include "unit.h"

/* string literals fill the char * vectors and fields of the runtime types here */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wincompatible-pointer-types-discards-qualifiers"
#else
#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"
#endif

#include <ftw.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "engine/bundle.h"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

struct fx {
	char dir[64];
	char rootfs[96];
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	struct fx *fx = cc_xcalloc(1, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/cc-bundle-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->rootfs, sizeof(fx->rootfs), "%s/rootfs", fx->dir);
	char *etc = cc_xasprintf("%s/etc", fx->rootfs);
	mkdir(fx->rootfs, 0755);
	mkdir(etc, 0755);
	char *passwd = cc_xasprintf("%s/passwd", etc), *group = cc_xasprintf("%s/group", etc);
	write_file(passwd, "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n");
	write_file(group, "root:x:0:\nstaff:x:50:\napp:x:1001:\n");
	free(passwd);
	free(group);
	free(etc);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static json_t *config(struct fx *fx, struct cc_container_spec *spec, struct cc_image *img)
{
	struct cc_bundle_input in = {.spec = spec,
				     .image = img,
				     .rootfs = fx->rootfs,
				     .id =
					 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"};
	json_t *j = NULL;
	struct cc_error *err = NULL;
	if (cc_bundle_config(&in, &j, &err) < 0)
		fail_msg("bundle: %s", err->msg);
	return j;
}

static const char *arg(json_t *j, size_t i)
{
	return json_string_value(json_array_get(json_object_get(json_object_get(j, "process"), "args"), i));
}

static size_t nargs(json_t *j)
{
	return json_array_size(json_object_get(json_object_get(j, "process"), "args"));
}

static void test_command_rules(void **state)
{
	struct fx *fx = *state;
	char *ientry[] = {"/entry", NULL}, *icmd[] = {"default", NULL};
	struct cc_image img = {.entrypoint = ientry, .cmd = icmd};
	struct cc_container_spec spec = {.stop_grace_ns = -1};
	json_t *j = config(fx, &spec, &img);
	assert_int_equal(nargs(j), 2);
	assert_string_equal(arg(j, 0), "/entry");
	assert_string_equal(arg(j, 1), "default");
	json_decref(j);
	char *cmd[] = {"mine", NULL};
	spec.cmd = cmd;
	spec.has_cmd = true;
	j = config(fx, &spec, &img); /* a command replaces the image's command, keeps its entrypoint */
	assert_string_equal(arg(j, 1), "mine");
	json_decref(j);
	char *entry[] = {"/other", NULL};
	spec.entrypoint = entry;
	spec.has_entrypoint = true;
	spec.has_cmd = false;
	j = config(fx, &spec, &img); /* a new entrypoint drops the image's command */
	assert_int_equal(nargs(j), 1);
	assert_string_equal(arg(j, 0), "/other");
	json_decref(j);
	struct cc_container_spec none = {.stop_grace_ns = -1};
	struct cc_image empty = {0};
	struct cc_bundle_input in = {.spec = &none, .image = &empty, .rootfs = fx->rootfs};
	struct cc_error *err = NULL;
	assert_int_equal(cc_bundle_config(&in, &j, &err), -1);
	assert_non_null(strstr(err->msg, "no command"));
	cc_error_free(err);
}

static void test_env_and_user(void **state)
{
	struct fx *fx = *state;
	char *ienv[] = {"PATH=/img/bin", "A=image", NULL}, *cmd[] = {"x", NULL},
	     *env[] = {"A=spec", "B=2", NULL};
	char *groups[] = {"staff", "77", NULL};
	struct cc_image img = {.env = ienv, .cmd = cmd, .user = "app"};
	struct cc_container_spec spec = {.env = env, .group_add = groups, .hostname = "web"};
	json_t *j = config(fx, &spec, &img);
	json_t *p = json_object_get(j, "process");
	char *text = json_dumps(json_object_get(p, "env"), JSON_COMPACT);
	assert_string_equal(text,
			    "[\"HOSTNAME=web\",\"PATH=/img/bin\",\"A=spec\",\"B=2\",\"HOME=/home/app\"]");
	free(text);
	json_t *user = json_object_get(p, "user");
	assert_int_equal(json_integer_value(json_object_get(user, "uid")), 1000);
	assert_int_equal(json_integer_value(json_object_get(user, "gid")), 1001);
	text = json_dumps(json_object_get(user, "additionalGids"), JSON_COMPACT);
	assert_string_equal(text, "[50,77]");
	free(text);
	assert_string_equal(json_string_value(json_object_get(j, "hostname")), "web");
	json_decref(j);
	spec.user = "1234:staff";
	j = config(fx, &spec, &img);
	user = json_object_get(json_object_get(j, "process"), "user");
	assert_int_equal(json_integer_value(json_object_get(user, "uid")), 1234);
	assert_int_equal(json_integer_value(json_object_get(user, "gid")), 50);
	json_decref(j);
	spec.user = "nobody";
	struct cc_bundle_input in = {.spec = &spec, .image = &img, .rootfs = fx->rootfs};
	struct cc_error *err = NULL;
	assert_int_equal(cc_bundle_config(&in, &j, &err), -1);
	assert_string_equal(err->msg, "unable to find user nobody: no matching entries in passwd file");
	cc_error_free(err);
}

static bool has_cap(json_t *j, const char *cap)
{
	json_t *caps =
	    json_object_get(json_object_get(json_object_get(j, "process"), "capabilities"), "bounding");
	size_t i;
	json_t *c;
	json_array_foreach(caps, i, c) if (strcmp(json_string_value(c), cap) == 0) return true;
	return false;
}

static void test_capabilities_and_rlimits(void **state)
{
	struct fx *fx = *state;
	char *cmd[] = {"x", NULL}, *add[] = {"NET_ADMIN", "sys_time", NULL}, *drop[] = {"CAP_CHOWN", NULL};
	char nofile[] = "nofile";
	struct cc_ulimit ul[] = {{nofile, INT64_C(1) << 40, INT64_C(1) << 40}};
	struct cc_container_spec spec = {
	    .cmd = cmd, .has_cmd = true, .cap_add = add, .cap_drop = drop, .ulimits = ul, .nulimits = 1};
	json_t *j = config(fx, &spec, NULL);
	assert_true(has_cap(j, "CAP_NET_ADMIN"));
	assert_true(has_cap(j, "CAP_SYS_TIME"));
	assert_true(has_cap(j, "CAP_KILL"));
	assert_false(has_cap(j, "CAP_CHOWN"));
	assert_false(has_cap(j, "CAP_SYS_ADMIN"));
	/* asking for more open files than this process may grant is clamped, not failed */
	struct rlimit host;
	getrlimit(RLIMIT_NOFILE, &host);
	json_t *rl = json_array_get(json_object_get(json_object_get(j, "process"), "rlimits"), 0);
	assert_string_equal(json_string_value(json_object_get(rl, "type")), "RLIMIT_NOFILE");
	assert_true((uint64_t)json_integer_value(json_object_get(rl, "hard")) <= host.rlim_max);
	json_decref(j);
	/* docker's rules: drop ALL keeps only the adds, whatever the order they were written in */
	char *all[] = {"ALL", NULL}, *net_admin[] = {"NET_ADMIN", NULL}, *chown[] = {"CHOWN", NULL};
	spec.cap_add = net_admin;
	spec.cap_drop = all;
	j = config(fx, &spec, NULL);
	assert_true(has_cap(j, "CAP_NET_ADMIN"));
	assert_false(has_cap(j, "CAP_KILL"));
	json_decref(j);
	/* add ALL is everything but the drops */
	spec.cap_add = all;
	spec.cap_drop = chown;
	j = config(fx, &spec, NULL);
	assert_true(has_cap(j, "CAP_NET_ADMIN"));
	assert_false(has_cap(j, "CAP_CHOWN"));
	json_decref(j);
	/* an add wins over a drop of the same capability; privileged ignores the drops */
	spec.cap_add = chown;
	j = config(fx, &spec, NULL);
	assert_true(has_cap(j, "CAP_CHOWN"));
	json_decref(j);
	spec.cap_add = NULL;
	spec.privileged = true;
	j = config(fx, &spec, NULL);
	assert_true(has_cap(j, "CAP_CHOWN"));
	json_decref(j);
	spec.privileged = false;
	char *bad[] = {"NOT_A_CAP", NULL};
	spec.cap_add = bad;
	struct cc_bundle_input in = {.spec = &spec, .rootfs = fx->rootfs};
	struct cc_error *err = NULL;
	assert_int_equal(cc_bundle_config(&in, &j, &err), -1);
	assert_non_null(strstr(err->msg, "NOT_A_CAP"));
	cc_error_free(err);
}

static const char *volume_dir(void *ctx, const char *name)
{
	return strcmp(name, "data") == 0 ? "/var/lib/volumes/data" : NULL;
}

static void test_mounts_and_namespaces(void **state)
{
	struct fx *fx = *state;
	char *cmd[] = {"x", NULL};
	char data[] = "data", target[] = "/data", bind_src[] = "/srv", bind_dst[] = "/srv",
	     tmp_dst[] = "/tmp";
	struct cc_mount m[] = {
	    {.type = CC_MOUNT_VOLUME, .source = data, .target = target},
	    {.type = CC_MOUNT_BIND, .source = bind_src, .target = bind_dst, .read_only = true},
	    {.type = CC_MOUNT_TMPFS, .target = tmp_dst, .tmpfs_size = 1048576}};
	struct cc_container_spec spec = {.cmd = cmd,
					 .has_cmd = true,
					 .mounts = m,
					 .nmounts = 3,
					 .memory = 1 << 26,
					 .nano_cpus = 1500000000,
					 .pids_limit = 10};
	struct cc_bundle_input in = {.spec = &spec,
				     .rootfs = fx->rootfs,
				     .volume_path = volume_dir,
				     .netns_path = "/run/netns/x",
				     .hosts_file = "/tmp/hosts"};
	json_t *j;
	struct cc_error *err = NULL;
	assert_int_equal(cc_bundle_config(&in, &j, &err), 0);
	char *text = json_dumps(json_object_get(j, "mounts"), JSON_COMPACT);
	assert_non_null(
	    strstr(text, "\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/var/lib/volumes/data\""));
	assert_non_null(strstr(
	    text,
	    "\"destination\":\"/srv\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\",\"ro\"]"));
	assert_non_null(strstr(text, "size=1048576"));
	assert_non_null(strstr(text, "\"destination\":\"/etc/hosts\""));
	free(text);
	text = json_dumps(json_object_get(json_object_get(j, "linux"), "namespaces"), JSON_COMPACT);
	assert_non_null(strstr(text, "{\"type\":\"network\",\"path\":\"/run/netns/x\"}"));
	free(text);
	json_t *res = json_object_get(json_object_get(j, "linux"), "resources");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "cpu"), "quota")), 150000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")),
			 1 << 26);
	json_decref(j);
	char unknown[] = "other";
	m[0].source = unknown;
	assert_int_equal(cc_bundle_config(&in, &j, &err), -1);
	assert_non_null(strstr(err->msg, "other"));
	cc_error_free(err);
}

/* The bundle runs: busybox-static as the rootfs, runc as the judge. */
static void test_runs_under_runc(void **state)
{
	struct fx *fx = *state;
	if (access("/usr/sbin/runc", X_OK) != 0 || access("/bin/busybox", X_OK) != 0 || geteuid() != 0) {
		skip();
		return;
	}
	char *cmd = cc_xasprintf("mkdir -p %s/bin && cp /bin/busybox %s/bin/ && ln -sf busybox %s/bin/sh",
				 fx->rootfs, fx->rootfs, fx->rootfs);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	char *args[] = {"/bin/sh", "-c", "echo hello from $(id -u) in $(hostname); exit 3", NULL};
	char *env[] = {"PATH=/bin", NULL};
	struct cc_container_spec spec = {
	    .cmd = args, .has_cmd = true, .env = env, .user = "app", .hostname = "box"};
	json_t *j = config(fx, &spec, NULL);
	char *path = cc_xasprintf("%s/config.json", fx->dir);
	assert_int_equal(json_dump_file(j, path, JSON_INDENT(1)), 0);
	json_decref(j);
	free(path);
	char *run =
	    cc_xasprintf("cd %s && runc --root %s/state run cc-bundle-test-%d > %s/out 2>&1; echo $? > %s/rc",
			 fx->dir, fx->dir, (int)getpid(), fx->dir, fx->dir);
	assert_int_equal(system(run), 0);
	free(run);
	char *out = cc_xasprintf("%s/out", fx->dir), *rc = cc_xasprintf("%s/rc", fx->dir);
	char buf[256] = "", code[16] = "";
	FILE *f = fopen(out, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	f = fopen(rc, "r");
	assert_non_null(fgets(code, sizeof(code), f));
	fclose(f);
	free(out);
	free(rc);
	if (!strstr(buf, "hello"))
		fail_msg("runc output: %s", buf);
	assert_string_equal(buf, "hello from 1000 in box\n");
	assert_int_equal(atoi(code), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_command_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_env_and_user, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_capabilities_and_rlimits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mounts_and_namespaces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_runs_under_runc, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
