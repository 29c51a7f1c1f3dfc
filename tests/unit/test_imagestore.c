/* The blob store and the image documents: digests, chain ids, verification on the way in, platform selection
 * and the errors of malformed documents. */
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/xalloc.h"
#include "engine/image/blobs.h"
#include "engine/image/oci.h"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

struct fx {
	char dir[64];
	struct cc_blobs *b;
};

static int setup(void **state)
{
	struct fx *fx = cc_xcalloc(1, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/cc-blobs-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	struct cc_error *err = NULL;
	assert_int_equal(cc_blobs_open(fx->dir, &fx->b, &err), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	cc_blobs_close(fx->b);
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static void digest_of(const char *s, char out[72])
{
	char hex[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(s, strlen(s), hex);
	snprintf(out, 72, "sha256:%s", hex);
}

static void test_chain_id(void **state)
{
	char a[72], b[72], chain[72], want[72];
	digest_of("a", a);
	digest_of("b", b);
	cc_chain_id(NULL, a, chain);
	assert_string_equal(chain, a); /* the first layer's chain id is its diff id */
	cc_chain_id(a, b, chain);
	char joined[160];
	snprintf(joined, sizeof(joined), "%s %s", a, b);
	digest_of(joined, want);
	assert_string_equal(chain, want);
}

static void test_blob_put_verifies(void **state)
{
	struct fx *fx = *state;
	char d[72], out[72];
	digest_of("hello", d);
	struct cc_error *err = NULL;
	assert_int_equal(cc_blob_put(fx->b, "hello", 5, d, out, &err), 0);
	assert_string_equal(out, d);
	assert_true(cc_blob_exists(fx->b, d));
	char *data;
	size_t len;
	assert_int_equal(cc_blob_read(fx->b, d, &data, &len, &err), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 5);
	free(data);
	/* bytes that are not what the digest says are refused and leave nothing */
	char other[72];
	digest_of("other", other);
	assert_int_equal(cc_blob_put(fx->b, "tampered", 8, other, NULL, &err), -1);
	assert_int_equal(err->kind, CC_ERR_INVALID_STATE);
	assert_non_null(strstr(err->msg, "digest mismatch"));
	cc_error_release(&err);
	assert_false(cc_blob_exists(fx->b, other));
	/* a digest that isn't one never becomes a path */
	assert_null(cc_blob_path(fx->b, "sha256:../../etc/passwd"));
	assert_int_equal(cc_blob_read(fx->b, "sha256:xyz", &data, &len, &err), -1);
	cc_error_release(&err);
}

static void test_partial_resume_and_abort(void **state)
{
	struct fx *fx = *state;
	char d[72];
	digest_of("resumable content", d);
	int fd;
	uint64_t have;
	struct cc_error *err = NULL;
	assert_int_equal(cc_blob_partial_open(fx->b, d, &fd, &have, &err), 0);
	assert_int_equal(have, 0);
	assert_int_equal(write(fd, "resumable ", 10), 10);
	close(fd); /* a transfer killed here */
	assert_int_equal(cc_blob_partial_open(fx->b, d, &fd, &have, &err), 0);
	assert_int_equal(have, 10);
	assert_int_equal(write(fd, "content", 7), 7);
	assert_int_equal(cc_blob_partial_commit(fx->b, d, fd, false, &err), 0);
	assert_true(cc_blob_exists(fx->b, d));
	/* a wrong partial fails its commit, and is gone */
	char e[72];
	digest_of("expected", e);
	assert_int_equal(cc_blob_partial_open(fx->b, e, &fd, &have, &err), 0);
	assert_int_equal(write(fd, "unexpected", 10), 10);
	assert_int_equal(cc_blob_partial_commit(fx->b, e, fd, false, &err), -1);
	assert_int_equal(err->kind, CC_ERR_INVALID_STATE);
	cc_error_release(&err);
	assert_false(cc_blob_exists(fx->b, e));
	assert_int_equal(cc_blob_partial_open(fx->b, e, &fd, &have, &err), 0);
	assert_int_equal(have, 0);
	cc_blob_partial_abort(fx->b, e, fd);
}

static void test_layer_diff_id_checked(void **state)
{
	struct fx *fx = *state;
	/* an empty tar (two zero blocks) as a layer: its diff id is the sha256 of those bytes */
	char tar[1024] = {0};
	char d[72], hex[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(tar, sizeof(tar), hex);
	snprintf(d, sizeof(d), "sha256:%s", hex);
	struct cc_error *err = NULL;
	assert_int_equal(cc_blob_put(fx->b, tar, sizeof(tar), d, NULL, &err), 0);
	char wrong[72];
	digest_of("not this layer", wrong);
	assert_int_equal(cc_layer_ensure(fx->b, wrong, d, wrong, &err), -1);
	assert_int_equal(err->kind, CC_ERR_INVALID_STATE);
	assert_non_null(strstr(err->msg, "does not match the image configuration"));
	cc_error_release(&err);
	assert_false(cc_layer_exists(fx->b, wrong));
	assert_int_equal(cc_layer_ensure(fx->b, d, d, d, &err), 0);
	assert_true(cc_layer_exists(fx->b, d));
	/* nothing left in tmp/ either way */
	char *tmp = cc_xasprintf("%s/tmp", cc_blobs_dir(fx->b));
	int n = 0;
	DIR *dir = opendir(tmp);
	for (struct dirent *e; dir && (e = readdir(dir));)
		n += e->d_name[0] != '.';
	closedir(dir);
	free(tmp);
	assert_int_equal(n, 0);
}

static void test_manifest_and_index(void **state)
{
	static const char manifest[] =
	    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"size\":10},\"layers\":["
	    "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"size\":20}]}";
	struct cc_oci_manifest m;
	struct cc_error *err = NULL;
	assert_false(cc_oci_is_index(NULL, manifest, strlen(manifest)));
	assert_int_equal(cc_oci_parse_manifest(manifest, strlen(manifest), &m, &err), 0);
	assert_int_equal(m.nlayers, 1);
	assert_int_equal(m.layers[0].size, 20);
	cc_oci_manifest_release(&m);
	static const char bad[] =
	    "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:short\",\"size\":1},\"layers\":[]}";
	assert_int_equal(cc_oci_parse_manifest(bad, strlen(bad), &m, &err), -1);
	assert_non_null(strstr(err->msg, "digest"));
	cc_error_release(&err);
	static const char v1[] = "{\"schemaVersion\":1,\"layers\":[]}";
	assert_int_equal(cc_oci_parse_manifest(v1, strlen(v1), &m, &err), -1);
	assert_int_equal(err->kind, CC_ERR_NOT_SUPPORTED);
	cc_error_release(&err);

	static const char index[] =
	    "{\"schemaVersion\":2,\"manifests\":["
	    "{\"digest\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\","
	    "\"size\":1,"
	    "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
	    "{\"digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\","
	    "\"size\":1,"
	    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";
	assert_true(cc_oci_is_index(NULL, index, strlen(index)));
	struct cc_oci_index x;
	assert_int_equal(cc_oci_parse_index(index, strlen(index), &x, &err), 0);
	const struct cc_oci_descriptor *d;
	assert_int_equal(cc_oci_select(&x, NULL, &d, &err), 0);
	assert_non_null(strstr(d->digest, "1111"));
	assert_int_equal(cc_oci_select(&x, "linux/arm64/v8", &d, &err), 0);
	assert_non_null(strstr(d->digest, "2222"));
	assert_int_equal(cc_oci_select(&x, "linux/arm64", &d, &err), 0);
	assert_int_equal(cc_oci_select(&x, "windows/amd64", &d, &err), -1);
	assert_int_equal(err->kind, CC_ERR_NOT_FOUND);
	assert_non_null(strstr(err->msg, "linux/arm64/v8"));
	cc_error_release(&err);
	assert_int_equal(cc_oci_select(&x, "amd64", &d, &err), -1);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	cc_error_release(&err);
	cc_oci_index_release(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain_id),
	    cmocka_unit_test_setup_teardown(test_blob_put_verifies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_partial_resume_and_abort, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_layer_diff_id_checked, setup, teardown),
	    cmocka_unit_test(test_manifest_and_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
