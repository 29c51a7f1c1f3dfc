/* The content-addressed blob and layer store. */
#include "engine/image/blobs.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/random.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/image/reference.h"
#include "engine/image/unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct cc_blobs {
	char *dir;
};

int cc_blobs_open(const char *root, struct cc_blobs **out, struct cc_error **err)
{
	cleanup_free char *dir = cc_xasprintf("%s/images", root);
	static const char *const subdirs[] = {"blobs/sha256", "layers", "tmp"};
	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *p = cc_xasprintf("%s/%s", dir, subdirs[i]);
		if (cc_mkdir_p(p, 0700, err) < 0)
			return cc_error_wrap(err, "image store");
	}
	struct cc_blobs *b = cc_xcalloc(1, sizeof(*b));
	b->dir = steal_pointer(&dir);
	*out = b;
	return 0;
}

void cc_blobs_close(struct cc_blobs *b)
{
	if (!b)
		return;
	free(b->dir);
	free(b);
}

const char *cc_blobs_dir(const struct cc_blobs *b)
{
	return b->dir;
}

/* The hex part of a sha256 digest, or NULL for anything else (no path is ever built from an unchecked name).
 */
static const char *hex_of(const char *digest)
{
	if (!digest || strncmp(digest, "sha256:", 7) != 0 || !cc_digest_valid(digest))
		return NULL;
	return digest + 7;
}

char *cc_blob_path(const struct cc_blobs *b, const char *digest)
{
	const char *hex = hex_of(digest);
	return hex ? cc_xasprintf("%s/blobs/sha256/%s", b->dir, hex) : NULL;
}

bool cc_blob_exists(const struct cc_blobs *b, const char *digest)
{
	cleanup_free char *p = cc_blob_path(b, digest);
	return p && access(p, F_OK) == 0;
}

static void hex_digest(struct sha256_ctx *ctx, char out[72])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_digest(ctx, sizeof(d), d);
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

int cc_digest_file(int fd, char out[72], uint64_t *size, struct cc_error **err)
{
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	uint8_t buf[1 << 16];
	uint64_t total = 0;
	off_t off = 0;
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "reading a blob");
		if (n == 0)
			break;
		sha256_update(&ctx, (size_t)n, buf);
		off += n;
		total += (uint64_t)n;
	}
	hex_digest(&ctx, out);
	if (size)
		*size = total;
	return 0;
}

void cc_chain_id(const char *parent_chain, const char *diff_id, char out[72])
{
	if (!parent_chain) {
		snprintf(out, 72, "%s", diff_id);
		return;
	}
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(parent_chain), (const uint8_t *)parent_chain);
	sha256_update(&ctx, 1, (const uint8_t *)" ");
	sha256_update(&ctx, strlen(diff_id), (const uint8_t *)diff_id);
	hex_digest(&ctx, out);
}

/* Write data to a temp file in tmp/ and rename it to `final`. */
static int write_atomic(struct cc_blobs *b, const char *final, const void *data, size_t len,
			struct cc_error **err)
{
	char rnd[17];
	cc_random_hex(rnd, 8);
	cleanup_free char *tmp = cc_xasprintf("%s/tmp/put-%s", b->dir, rnd);
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "create %s", tmp);
	const char *p = data;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			unlink(tmp);
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "write %s", tmp);
		}
		done += (size_t)n;
	}
	if (rename(tmp, final) < 0) {
		int e = errno;
		unlink(tmp);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "store %s", final);
	}
	return 0;
}

int cc_blob_put(struct cc_blobs *b, const void *data, size_t len, const char *digest, char *digest_out,
		struct cc_error **err)
{
	struct sha256_ctx ctx;
	char got[72];
	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	hex_digest(&ctx, got);
	if (digest && strcmp(digest, got) != 0)
		return cc_error_set(err, CC_ERR_INVALID_STATE, "digest mismatch for %s: got %s", digest, got);
	if (digest_out)
		memcpy(digest_out, got, sizeof(got));
	cleanup_free char *path = cc_blob_path(b, got);
	if (access(path, F_OK) == 0)
		return 0;
	return write_atomic(b, path, data, len, err);
}

int cc_blob_read(const struct cc_blobs *b, const char *digest, char **data, size_t *len,
		 struct cc_error **err)
{
	cleanup_free char *path = cc_blob_path(b, digest);
	if (!path)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid digest %s", digest ? digest : "");
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT
			   ? cc_error_set(err, CC_ERR_NOT_FOUND, "blob %s not found", digest)
			   : cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "stat %s", path);
	char *buf = cc_xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, n < 0 ? errno : EIO, "read %s",
						  path);
		}
		got += (size_t)n;
	}
	buf[got] = 0;
	*data = buf;
	*len = got;
	return 0;
}

static char *partial_path(const struct cc_blobs *b, const char *digest)
{
	const char *hex = hex_of(digest);
	return hex ? cc_xasprintf("%s/tmp/%s.partial", b->dir, hex) : NULL;
}

int cc_blob_partial_open(struct cc_blobs *b, const char *digest, int *fd, uint64_t *have,
			 struct cc_error **err)
{
	cleanup_free char *path = partial_path(b, digest);
	if (!path)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid digest %s", digest ? digest : "");
	int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (f < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", path);
	/* one transfer per partial file at a time: a concurrent pull of the same blob waits here, then finds
	 * the blob in place. flock, not POSIX record locks: those belong to the process, so two pulls each
	 * holding one layer while their other threads wait for the other's get a false EDEADLK */
	if (flock(f, LOCK_EX) < 0) {
		int e = errno;
		close(f);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "lock %s", path);
	}
	struct stat st;
	fstat(f, &st);
	*have = (uint64_t)st.st_size;
	if (lseek(f, 0, SEEK_END) < 0) {
		int e = errno;
		close(f);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "seek %s", path);
	}
	*fd = f;
	return 0;
}

int cc_blob_partial_commit(struct cc_blobs *b, const char *digest, int fd, bool verified,
			   struct cc_error **err)
{
	cleanup_free char *path = partial_path(b, digest);
	cleanup_free char *final = cc_blob_path(b, digest);
	char got[72];
	int r = verified ? 0 : cc_digest_file(fd, got, NULL, err);
	if (r == 0 && !verified && strcmp(got, digest) != 0)
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "digest mismatch for %s: got %s", digest, got);
	/* no fsync: the rename makes the blob appear whole or not at all to every process, whichever was
	 * killed; power loss is the trade-off documented in docs/design/images.md */
	if (r == 0 && rename(path, final) < 0)
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "store %s", final);
	if (r < 0)
		unlink(path);
	close(fd);
	return r;
}

void cc_blob_partial_abort(struct cc_blobs *b, const char *digest, int fd)
{
	cleanup_free char *path = partial_path(b, digest);
	if (path)
		unlink(path);
	if (fd >= 0)
		close(fd);
}

char *cc_layer_path(const struct cc_blobs *b, const char *chain_id)
{
	const char *hex = hex_of(chain_id);
	return hex ? cc_xasprintf("%s/layers/%s", b->dir, hex) : NULL;
}

bool cc_layer_exists(const struct cc_blobs *b, const char *chain_id)
{
	cleanup_free char *p = cc_layer_path(b, chain_id);
	return p && access(p, F_OK) == 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

int cc_layer_ensure(struct cc_blobs *b, const char *chain_id, const char *digest, const char *diff_id,
		    struct cc_error **err)
{
	cleanup_free char *final = cc_layer_path(b, chain_id);
	cleanup_free char *blob = cc_blob_path(b, digest);
	if (!final || !blob)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid layer digest %s",
				    digest ? digest : "");
	if (access(final, F_OK) == 0)
		return 0;
	char rnd[17];
	cc_random_hex(rnd, 8);
	cleanup_free char *tmp = cc_xasprintf("%s/tmp/layer-%s", b->dir, rnd);
	if (mkdir(tmp, 0755) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", tmp);
	cleanup_close int fd = open(blob, O_RDONLY | O_CLOEXEC);
	struct cc_unpack_stats st;
	int r = 0;
	if (fd < 0)
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", blob);
	if (r == 0)
		r = cc_layer_unpack(fd, tmp, &st, err);
	if (r == 0 && diff_id && strcmp(st.diff_id, diff_id) != 0)
		r = cc_error_set(err, CC_ERR_INVALID_STATE,
				 "layer %s does not match the image configuration: its content is %s, the "
				 "configuration says %s",
				 digest, st.diff_id, diff_id);
	if (r < 0) {
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		return cc_error_wrap(err, "unpacking layer %s", digest);
	}
	if (rename(tmp, final) < 0) {
		int e = errno;
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		/* another pull unpacked it meanwhile: theirs is as good as ours */
		if (e == EEXIST || e == ENOTEMPTY)
			return 0;
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "store layer %s", final);
	}
	return 0;
}
