/* Unit tests for engine/image/unpack.c: layers built here with libarchive's writer (pax; gzip, zstd or none),
 * unpacked into fresh temporary directories. Runs as root (ownership, device nodes, trusted.* xattrs); the
 * tests skip otherwise. Each test gets <outer>/layer, so anything that escapes the layer lands in <outer>,
 * where the test looks for it. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <nettle/sha2.h>

#include "base/error.h"
#include "base/sha256.h"
#include "engine/image/unpack-internal.h"
#include "engine/image/unpack.h"

#define TAR_CAP    (8u << 20)
#define BIG_LEN    200000
#define SPARSE_LEN (1 << 20)
#define HOLE_AT    (512 * 1024)
#define UTF8_NAME  "caf\xc3\xa9"

enum comp { COMP_NONE, COMP_GZIP, COMP_ZSTD };

struct dirs {
	char outer[64];   /* /tmp/cc-unpack-XXXXXX */
	char layer[96];   /* <outer>/layer */
	char outside[64]; /* /tmp/cc-unpack-out-XXXXXX: a target for symlinks that try to leave */
};

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));
	strcpy(d->outer, "/tmp/cc-unpack-XXXXXX");
	strcpy(d->outside, "/tmp/cc-unpack-out-XXXXXX");
	if (!mkdtemp(d->outer) || !mkdtemp(d->outside))
		return -1;
	snprintf(d->layer, sizeof(d->layer), "%s/layer", d->outer);
	if (mkdir(d->layer, 0755) < 0)
		return -1;
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dirs *d = *state;
	rm_rf(d->outer);
	rm_rf(d->outside);
	free(d);
	return 0;
}

static void need_root(void)
{
	if (geteuid() != 0) {
		print_message("skipped: needs root\n");
		skip();
	}
}

static char *at(const struct dirs *d, const char *rel)
{
	static char buf[4][512]; /* test-only scratch: a few paths alive at a time */
	static int next;
	char *p = buf[next++ % 4];
	snprintf(p, sizeof(buf[0]), "%s/%s", d->layer, rel);
	return p;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Nothing but "layer" in <outer>, nothing in <outside>. */
static void assert_nothing_outside(const struct dirs *d)
{
	const char *dirs[] = {d->outer, d->outside};
	for (size_t i = 0; i < 2; i++) {
		int fd = open(dirs[i], O_DIRECTORY | O_RDONLY);
		assert_true(fd >= 0);
		int n = 0;
		struct stat st;
		n += fstatat(fd, "escape", &st, AT_SYMLINK_NOFOLLOW) == 0;
		n += fstatat(fd, "file", &st, AT_SYMLINK_NOFOLLOW) == 0;
		close(fd);
		assert_int_equal(n, 0);
	}
}

/* ---- building layers ---- */

static struct archive_entry *ent(const char *path, mode_t type, mode_t perm)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_mtime(e, 1600000000, 0);
	return e;
}

static void put(struct archive *a, struct archive_entry *e, const void *data, size_t len)
{
	if (archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) &&
	    !archive_entry_size_is_set(e))
		archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		fail_msg("archive_write_header %s: %s", archive_entry_pathname(e), archive_error_string(a));
	if (len)
		assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

static void put_file(struct archive *a, const char *path, const char *data)
{
	put(a, ent(path, AE_IFREG, 0644), data, strlen(data));
}

static void put_symlink(struct archive *a, const char *path, const char *target)
{
	struct archive_entry *e = ent(path, AE_IFLNK, 0777);
	archive_entry_set_symlink(e, target);
	put(a, e, NULL, 0);
}

static void put_hardlink(struct archive *a, const char *path, const char *target)
{
	struct archive_entry *e = ent(path, AE_IFREG, 0644);
	archive_entry_set_hardlink(e, target);
	archive_entry_set_size(e, 0);
	put(a, e, NULL, 0);
}

/* A v2 security.capability: cap_net_bind_service=ep. */
static const unsigned char cap_blob[20] = {0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
					   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

static char *big_content(void)
{
	char *b = malloc(BIG_LEN);
	for (size_t i = 0; i < BIG_LEN; i++)
		b[i] = (char)(i * 7 % 251);
	return b;
}

static char *sparse_content(void)
{
	char *b = calloc(1, SPARSE_LEN);
	memset(b, 'A', 4096);
	memset(b + HOLE_AT, 'B', 4096);
	return b;
}

#define MAIN_ENTRIES 24
#define MAIN_SIZE    (6 + 3 + BIG_LEN + 2 * 4096 + 16 + 4 + 1 + 10 + 1)

/* Every kind of entry; check_main() knows what it must give. */
static void build_main(struct archive *a, const void *ud)
{
	struct archive_entry *e = ent("./", AE_IFDIR, 0755);
	put(a, e, NULL, 0);
	e = ent("dir/", AE_IFDIR, 0700);
	archive_entry_set_uid(e, 1000);
	archive_entry_set_gid(e, 1000);
	archive_entry_set_mtime(e, 1000000000, 5);
	put(a, e, NULL, 0);
	e = ent("dir/file", AE_IFREG, 04755);
	archive_entry_set_uid(e, 1000);
	archive_entry_set_gid(e, 1000);
	archive_entry_set_mtime(e, 1234567890, 0);
	archive_entry_xattr_add_entry(e, "user.foo", "bar", 3);
	put(a, e, "hello\n", 6);
	e = ent("dir/caps", AE_IFREG, 0755);
	archive_entry_xattr_add_entry(e, "security.capability", cap_blob, sizeof(cap_blob));
	archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/x", 2); /* dropped */
	put(a, e, "cap", 3);
	char *big = big_content();
	put(a, ent("big", AE_IFREG, 0644), big, BIG_LEN);
	free(big);
	e = ent("sparse", AE_IFREG, 0600);
	archive_entry_set_size(e, SPARSE_LEN);
	archive_entry_sparse_add_entry(e, 0, 4096);
	archive_entry_sparse_add_entry(e, HOLE_AT, 4096);
	char *sparse = sparse_content();
	put(a, e, sparse, SPARSE_LEN);
	free(sparse);
	e = ent("link", AE_IFLNK, 0777);
	archive_entry_set_symlink(e, "dir/file");
	archive_entry_xattr_add_entry(e, "trusted.cc", "on-link", 7); /* set through /proc/self/fd */
	archive_entry_xattr_add_entry(e, "user.cc", "no", 2);         /* EPERM on a symlink: skipped */
	put(a, e, NULL, 0);
	put_hardlink(a, "hard", "dir/file");
	e = ent("null", AE_IFCHR, 0666);
	archive_entry_set_rdevmajor(e, 1);
	archive_entry_set_rdevminor(e, 3);
	put(a, e, NULL, 0);
	e = ent("fifo", AE_IFIFO, 0644);
	archive_entry_xattr_add_entry(e, "trusted.cc", "on-fifo", 7);
	put(a, e, NULL, 0);
	put_file(a, "gone", "to be whited out");
	put_file(a, ".wh.gone", "");
	put_file(a, "dir/.wh.alsogone", "");
	put(a, ent("opq/", AE_IFDIR, 0755), NULL, 0);
	put_file(a, "opq/.wh..wh..opq", "");
	put_file(a, "opq/.wh..wh.plnk", ""); /* aufs metadata: ignored */
	put_file(a, "opq/keep", "keep");
	put_file(a, "dir/" UTF8_NAME, "x"); /* a pax "path" record, in UTF-8 */
	put(a, ent("repl/", AE_IFDIR, 0755), NULL, 0);
	put_file(a, "repl/child", "");
	put_file(a, "repl", "now a file");
	put_file(a, "f2", "x");
	put(a, ent("f2/", AE_IFDIR, 0750), NULL, 0);
	put_file(a, "deep/er/file", "");
}

static char *tar_bytes(void (*build)(struct archive *, const void *), const void *ud, size_t *len)
{
	char *buf = malloc(TAR_CAP);
	/* the writer converts names from the locale's charset to UTF-8: make that UTF-8 while it runs */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	assert_non_null(utf8);
	locale_t prev = uselocale(utf8);
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
	size_t used = 0;
	assert_int_equal(archive_write_open_memory(a, buf, TAR_CAP, &used), ARCHIVE_OK);
	build(a, ud);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	uselocale(prev);
	freelocale(utf8);
	*len = used;
	return buf;
}

/* data compressed as a whole: decompressing gives exactly these bytes back. */
static char *compress(const char *data, size_t len, enum comp c, size_t *out_len)
{
	char *buf = malloc(TAR_CAP);
	if (c == COMP_NONE) {
		memcpy(buf, data, len);
		*out_len = len;
		return buf;
	}
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(c == COMP_GZIP ? archive_write_add_filter_gzip(a) : archive_write_add_filter_zstd(a),
			 ARCHIVE_OK);
	archive_write_set_bytes_per_block(a, 0);
	size_t used = 0;
	assert_int_equal(archive_write_open_memory(a, buf, TAR_CAP, &used), ARCHIVE_OK);
	struct archive_entry *e = ent("layer.tar", AE_IFREG, 0644);
	put(a, e, data, len);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*out_len = used;
	return buf;
}

static int unpack_bytes(const char *data, size_t len, const char *dir, unsigned flags,
			struct cc_unpack_stats *st, struct cc_error **err)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	int r = cc_layer_unpack_flags(fd, dir, flags, st, err);
	close(fd);
	return r;
}

/* Unpack build()'s layer (compressed as c) into d->layer; it must succeed. */
static void unpack_ok(const struct dirs *d, void (*build)(struct archive *, const void *), const void *ud,
		      enum comp c, unsigned flags, struct cc_unpack_stats *st)
{
	size_t tlen, clen;
	char *tar = tar_bytes(build, ud, &tlen);
	char *data = compress(tar, tlen, c, &clen);
	struct cc_error *err = NULL;
	int r = unpack_bytes(data, clen, d->layer, flags, st, &err);
	if (r != 0)
		fail_msg("unpack failed: %s", err ? err->msg : "(no error set)");
	assert_null(err);
	/* the diff_id, independently: sha256 of the uncompressed tar, all of it */
	char hex[CC_SHA256_HEX_LEN + 1], want[80];
	cc_sha256_hex(tar, tlen, hex);
	snprintf(want, sizeof(want), "sha256:%s", hex);
	assert_string_equal(st->diff_id, want);
	free(tar);
	free(data);
}

/* Unpack build()'s layer; it must fail with kind and a message containing msg. */
static void unpack_fails(const struct dirs *d, void (*build)(struct archive *, const void *), const void *ud,
			 unsigned flags, enum cc_err_kind kind, const char *msg)
{
	size_t tlen;
	char *tar = tar_bytes(build, ud, &tlen);
	struct cc_unpack_stats st = {.entries = 99};
	struct cc_error *err = NULL;
	int r = unpack_bytes(tar, tlen, d->layer, flags, &st, &err);
	assert_true(r < 0);
	assert_non_null(err);
	if (err->kind != kind || !strstr(err->msg, msg))
		fail_msg("got %s: %s; want %s with \"%s\"", cc_err_kind_name(err->kind), err->msg,
			 cc_err_kind_name(kind), msg);
	assert_int_equal(st.entries, 99); /* untouched */
	cc_error_free(err);
	free(tar);
}

/* ---- checks ---- */

static void assert_content(const char *path, const char *want, size_t len)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	char *got = malloc(len + 1);
	assert_int_equal(read(fd, got, len + 1), (ssize_t)len);
	close(fd);
	assert_memory_equal(got, want, len);
	free(got);
}

static void assert_xattr(const char *path, const char *name, const char *want, size_t len)
{
	char got[64];
	ssize_t n = lgetxattr(path, name, got, sizeof(got));
	if (n < 0)
		fail_msg("getxattr %s %s: %s", path, name, strerror(errno));
	assert_int_equal(n, (ssize_t)len);
	assert_memory_equal(got, want, len);
}

static void check_main(const struct dirs *d, const struct cc_unpack_stats *st)
{
	struct stat s;
	assert_int_equal(st->entries, MAIN_ENTRIES);
	assert_int_equal(st->size, MAIN_SIZE);

	assert_int_equal(lstat(at(d, "dir/file"), &s), 0);
	assert_true(S_ISREG(s.st_mode));
	assert_int_equal(s.st_mode & 07777, 04755); /* setuid survives the chown */
	assert_int_equal(s.st_uid, 1000);
	assert_int_equal(s.st_gid, 1000);
	assert_int_equal(s.st_mtim.tv_sec, 1234567890);
	assert_int_equal(s.st_nlink, 2);
	ino_t ino = s.st_ino;
	assert_content(at(d, "dir/file"), "hello\n", 6);
	assert_xattr(at(d, "dir/file"), "user.foo", "bar", 3);

	assert_int_equal(lstat(at(d, "dir"), &s), 0);
	assert_true(S_ISDIR(s.st_mode));
	assert_int_equal(s.st_mode & 07777, 0700);
	assert_int_equal(s.st_uid, 1000);
	assert_int_equal(s.st_mtim.tv_sec, 1000000000); /* after its children were written */
	assert_int_equal(s.st_mtim.tv_nsec, 5);

	char cap[64];
	ssize_t n = lgetxattr(at(d, "dir/caps"), "security.capability", cap, sizeof(cap));
	if (n < 0 && (errno == ENODATA || errno == EOPNOTSUPP))
		print_message("security.capability not kept by this filesystem: not checked\n");
	else
		assert_xattr(at(d, "dir/caps"), "security.capability", (const char *)cap_blob,
			     sizeof(cap_blob));
	assert_true(lgetxattr(at(d, "dir/caps"), "trusted.overlay.redirect", cap, sizeof(cap)) < 0);

	char *big = big_content();
	assert_content(at(d, "big"), big, BIG_LEN);
	free(big);
	char *sparse = sparse_content();
	assert_int_equal(lstat(at(d, "sparse"), &s), 0);
	assert_int_equal(s.st_size, SPARSE_LEN);
	assert_content(at(d, "sparse"), sparse, SPARSE_LEN);
	free(sparse);

	char target[64] = {0};
	assert_int_equal(readlink(at(d, "link"), target, sizeof(target) - 1), 8);
	assert_string_equal(target, "dir/file");
	assert_xattr(at(d, "link"), "trusted.cc", "on-link", 7);
	assert_int_equal(lstat(at(d, "hard"), &s), 0);
	assert_int_equal(s.st_ino, ino);

	assert_int_equal(lstat(at(d, "null"), &s), 0);
	assert_true(S_ISCHR(s.st_mode));
	assert_int_equal(major(s.st_rdev), 1);
	assert_int_equal(minor(s.st_rdev), 3);
	assert_int_equal(s.st_mode & 07777, 0666);
	assert_int_equal(lstat(at(d, "fifo"), &s), 0);
	assert_true(S_ISFIFO(s.st_mode));
	assert_int_equal(s.st_mode & 07777, 0644);
	assert_xattr(at(d, "fifo"), "trusted.cc", "on-fifo", 7);

	const char *whiteouts[] = {"gone", "dir/alsogone"};
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(lstat(at(d, whiteouts[i]), &s), 0);
		assert_true(S_ISCHR(s.st_mode));
		assert_int_equal(s.st_rdev, makedev(0, 0));
	}
	assert_false(exists(at(d, ".wh.gone")));
	assert_false(exists(at(d, "dir/.wh.alsogone")));
	assert_xattr(at(d, "opq"), "trusted.overlay.opaque", "y", 1);
	assert_false(exists(at(d, "opq/.wh..wh..opq")));
	assert_false(exists(at(d, "opq/.wh..wh.plnk")));
	assert_content(at(d, "opq/keep"), "keep", 4);

	assert_content(at(d, "dir/" UTF8_NAME), "x", 1);
	assert_content(at(d, "repl"), "now a file", 10);
	assert_int_equal(lstat(at(d, "f2"), &s), 0);
	assert_true(S_ISDIR(s.st_mode));
	assert_int_equal(s.st_mode & 07777, 0750);
	assert_int_equal(lstat(at(d, "deep/er"), &s), 0);
	assert_true(S_ISDIR(s.st_mode));
	assert_int_equal(s.st_mode & 07777, 0755);
	assert_int_equal(lstat(d->layer, &s), 0);
	assert_int_equal(s.st_mtim.tv_sec, 1600000000); /* the "./" entry */
}

/* ---- tests ---- */

static void unpack_main(void **state, enum comp c, unsigned flags)
{
	need_root();
	struct dirs *d = *state;
	struct cc_unpack_stats st;
	unpack_ok(d, build_main, NULL, c, flags, &st);
	check_main(d, &st);
	assert_nothing_outside(d);
}

static void test_plain(void **state)
{
	unpack_main(state, COMP_NONE, 0);
}

static void test_gzip(void **state)
{
	unpack_main(state, COMP_GZIP, 0);
}

static void test_zstd(void **state)
{
	unpack_main(state, COMP_ZSTD, 0);
}

/* The resolver used without openat2: the same result for a layer without symlinks in its paths. */
static void test_fallback_resolver(void **state)
{
	unpack_main(state, COMP_NONE, CC_UNPACK_NO_OPENAT2);
}

static void test_same_diff_id(void **state)
{
	need_root();
	struct dirs *d = *state;
	struct cc_unpack_stats st[3];
	for (int c = COMP_NONE; c <= COMP_ZSTD; c++) {
		unpack_ok(d, build_main, NULL, (enum comp)c, 0, &st[c]);
		rm_rf(d->layer);
		assert_int_equal(mkdir(d->layer, 0755), 0);
	}
	assert_string_equal(st[0].diff_id, st[1].diff_id);
	assert_string_equal(st[0].diff_id, st[2].diff_id);
	assert_int_equal(strlen(st[0].diff_id), 71);
}

static void build_dotdot(struct archive *a, const void *ud)
{
	put_file(a, "../escape", "x");
}

static void build_dotdot_nested(struct archive *a, const void *ud)
{
	put_file(a, "a/../../escape", "x");
}

static void test_dotdot_refused(void **state)
{
	need_root();
	struct dirs *d = *state;
	unpack_fails(d, build_dotdot, NULL, 0, CC_ERR_INVALID_ARGUMENT,
		     "layer entry escapes the layer root: ../escape");
	unpack_fails(d, build_dotdot_nested, NULL, 0, CC_ERR_INVALID_ARGUMENT,
		     "layer entry escapes the layer root: a/../../escape");
	assert_nothing_outside(d);
}

static void build_dotdot_inside(struct archive *a, const void *ud)
{
	put_file(a, "a/b/../../c/./d", "inside");
}

static void test_dotdot_inside(void **state)
{
	need_root();
	struct dirs *d = *state;
	struct cc_unpack_stats st;
	unpack_ok(d, build_dotdot_inside, NULL, COMP_NONE, 0, &st);
	assert_content(at(d, "c/d"), "inside", 6);
}

static void build_absolute(struct archive *a, const void *ud)
{
	put_file(a, ud, "abs");
}

static void test_absolute_lands_inside(void **state)
{
	need_root();
	struct dirs *d = *state;
	char abs_name[128];
	snprintf(abs_name, sizeof(abs_name), "/etc/cc-unpack-test-%d", (int)getpid());
	struct cc_unpack_stats st;
	unpack_ok(d, build_absolute, abs_name, COMP_NONE, 0, &st);
	assert_content(at(d, abs_name + 1), "abs", 3);
	assert_false(exists(abs_name));
}

static void build_symlink_escape(struct archive *a, const void *ud)
{
	put_symlink(a, "evil", ud);
	put_file(a, "evil/file", "pwned");
}

static void build_relative_symlink_escape(struct archive *a, const void *ud)
{
	put_symlink(a, "up", "..");
	put_file(a, "up/file", "pwned");
}

static void build_symlink_then_dir(struct archive *a, const void *ud)
{
	put_symlink(a, "evil", ud);
	put(a, ent("evil/", AE_IFDIR, 0755), NULL, 0);
	put_file(a, "evil/file", "inside");
}

static void symlink_escapes(void **state, unsigned flags, enum cc_err_kind kind, const char *msg_evil,
			    const char *msg_up)
{
	need_root();
	struct dirs *d = *state;
	unpack_fails(d, build_symlink_escape, d->outside, flags, kind, msg_evil);
	assert_nothing_outside(d);
	unpack_fails(d, build_relative_symlink_escape, NULL, flags, kind, msg_up);
	assert_nothing_outside(d);

	/* a directory entry replaces the symlink; it is not followed */
	rm_rf(d->layer);
	assert_int_equal(mkdir(d->layer, 0755), 0);
	struct cc_unpack_stats st;
	unpack_ok(d, build_symlink_then_dir, d->outside, COMP_NONE, flags, &st);
	struct stat s;
	assert_int_equal(lstat(at(d, "evil"), &s), 0);
	assert_true(S_ISDIR(s.st_mode));
	assert_content(at(d, "evil/file"), "inside", 6);
	assert_nothing_outside(d);
}

static void test_symlink_escape_refused(void **state)
{
	symlink_escapes(state, 0, CC_ERR_INVALID_ARGUMENT, "layer entry escapes the layer root: evil/file",
			"layer entry escapes the layer root: up/file");
}

static void test_symlink_escape_refused_fallback(void **state)
{
	symlink_escapes(state, CC_UNPACK_NO_OPENAT2, CC_ERR_NOT_SUPPORTED,
			"evil/file: the path evil goes through", "up/file: the path up goes through");
}

static void build_hardlink_escape(struct archive *a, const void *ud)
{
	put_hardlink(a, "h", "../../etc/passwd");
}

static void build_hardlink_via_symlink(struct archive *a, const void *ud)
{
	put_symlink(a, "evil", "/etc");
	put_hardlink(a, "h", "evil/passwd");
}

static void build_hardlink_to_symlink(struct archive *a, const void *ud)
{
	put_symlink(a, "evil", "/etc/passwd");
	put_hardlink(a, "h", "evil");
}

static void test_hardlink_escape_refused(void **state)
{
	need_root();
	struct dirs *d = *state;
	unpack_fails(d, build_hardlink_escape, NULL, 0, CC_ERR_INVALID_ARGUMENT,
		     "layer entry escapes the layer root: h (a hard link to ../../etc/passwd)");
	unpack_fails(d, build_hardlink_via_symlink, NULL, 0, CC_ERR_INVALID_ARGUMENT,
		     "layer entry escapes the layer root: h (a hard link to evil/passwd)");
	assert_false(exists(at(d, "h")));

	/* a link to a symlink links the symlink itself */
	rm_rf(d->layer);
	assert_int_equal(mkdir(d->layer, 0755), 0);
	struct cc_unpack_stats st;
	unpack_ok(d, build_hardlink_to_symlink, NULL, COMP_NONE, 0, &st);
	struct stat s, p;
	assert_int_equal(lstat(at(d, "h"), &s), 0);
	assert_true(S_ISLNK(s.st_mode));
	assert_int_equal(stat("/etc/passwd", &p), 0);
	assert_true(p.st_ino != s.st_ino);
}

/* Corrupt and truncated streams: INVALID_ARGUMENT "corrupt layer: ...". */
static void expect_corrupt(const struct dirs *d, const char *data, size_t len)
{
	struct cc_unpack_stats st;
	struct cc_error *err = NULL;
	assert_true(unpack_bytes(data, len, d->layer, 0, &st, &err) < 0);
	assert_non_null(err);
	if (err->kind != CC_ERR_INVALID_ARGUMENT || strncmp(err->msg, "corrupt layer: ", 15) != 0)
		fail_msg("got %s: %s", cc_err_kind_name(err->kind), err->msg);
	cc_error_free(err);
}

static void test_corrupt_streams(void **state)
{
	need_root();
	struct dirs *d = *state;
	size_t tlen, glen, zlen;
	char *tar = tar_bytes(build_main, NULL, &tlen);
	char *gz = compress(tar, tlen, COMP_GZIP, &glen);
	char *zs = compress(tar, tlen, COMP_ZSTD, &zlen);
	expect_corrupt(d, gz, glen / 2);
	expect_corrupt(d, gz, glen - 4); /* the trailer cut short */
	expect_corrupt(d, gz, 30);
	expect_corrupt(d, zs, zlen / 2);
	expect_corrupt(d, tar, 50000); /* inside big's content */
	expect_corrupt(d, tar, 700);   /* inside a header */
	expect_corrupt(d, "", 0);
	char junk[2048];
	memset(junk, 'j', sizeof(junk));
	expect_corrupt(d, junk, sizeof(junk));
	memcpy(gz + glen / 2, junk, 64); /* damaged deflate data */
	expect_corrupt(d, gz, glen);
	free(tar);
	free(gz);
	free(zs);
}

static void test_errors_without_err(void **state)
{
	need_root();
	struct dirs *d = *state;
	size_t tlen;
	char *tar = tar_bytes(build_dotdot, NULL, &tlen);
	struct cc_unpack_stats st;
	assert_true(unpack_bytes(tar, tlen, d->layer, 0, &st, NULL) < 0);
	free(tar);
	struct cc_error *err = NULL;
	assert_true(cc_layer_unpack(0, "/nonexistent/cc-unpack", &st, &err) < 0);
	assert_int_equal(err->kind, CC_ERR_NOT_FOUND);
	cc_error_free(err);
}

static void test_path_clean(void **state)
{
	const char *cases[][2] = {
	    {"a/b", "a/b"}, {"/a//b/", "a/b"}, {"./a/./b", "a/b"},   {"a/../b", "b"},    {"./", ""},
	    {"/", ""},      {"a/..", ""},      {"a/b/../../c", "c"}, {"..a/b", "..a/b"}, {"a/.b", "a/.b"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL;
		assert_int_equal(unpack_path_clean(cases[i][0], &out, NULL), 0);
		assert_string_equal(out, cases[i][1]);
		free(out);
	}
	const char *bad[] = {"..", "../a", "/../a", "a/../..", "./../a", "a/b/../../../c"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out = NULL;
		struct cc_error *err = NULL;
		assert_true(unpack_path_clean(bad[i], &out, &err) < 0);
		assert_null(out);
		assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
		cc_error_free(err);
	}
}

int main(void)
{
	umask(022);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_path_clean),
	    cmocka_unit_test_setup_teardown(test_plain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gzip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_zstd, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fallback_resolver, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_same_diff_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dotdot_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dotdot_inside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_absolute_lands_inside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink_escape_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink_escape_refused_fallback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hardlink_escape_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_streams, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors_without_err, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
