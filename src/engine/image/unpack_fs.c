/* Writing layer entries beneath the layer root, so that nothing outside it is ever touched.
 *
 * Every entry path is cleaned lexically first (unpack_path_clean: leading '/', "." and empty components
 * dropped, ".." applied, and refused when it would climb above the root). Its parent directory is then opened
 * with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) relative to a directory fd of the root: symlinks that
 * stay inside the root are followed, one that leads out (absolute, or through "..") fails with EXDEV, which
 * we report as an escape. The entry itself is created relative to that parent fd with a single-component name
 * and the *at() calls that do not follow a final symlink (mkdirat, openat O_CREAT|O_EXCL|O_NOFOLLOW,
 * symlinkat, mknodat, linkat without AT_SYMLINK_FOLLOW), so a symlink planted by an earlier entry can never
 * redirect a write. Hard link targets are resolved the same way. Missing parents are created one component at
 * a time, each step resolved again with openat2.
 *
 * Without openat2 (ENOSYS on old kernels, EPERM under seccomp profiles that predate it) the parents are
 * walked one component at a time with O_NOFOLLOW, which refuses any symlink on the way: stricter, and still
 * safe. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/libarchive.h"
#include "base/xalloc.h"
#include "engine/image/unpack-internal.h"

#define OPENAT2_EAGAIN_TRIES 64 /* openat2 RESOLVE_BENEATH returns EAGAIN when a rename raced the lookup */
#define UNPACK_ID_MAX        UINT32_C(0xfffffffe) /* (uid_t)-1 means "unchanged" to chown */

/* One entry being written. */
struct entry_ctx {
	struct unpack_fs *fs;
	struct archive_entry *e;
	const char *name; /* as in the archive, for messages */
	const char *path; /* cleaned, relative to the root */
	const char *base; /* its last component */
	int pfd;          /* its parent directory */
};

static int clean_path(const char *path, const char *what, char **out, struct cc_error **err)
{
	size_t len = 0;
	char *buf = cc_xmalloc(strlen(path) + 1); /* the result is never longer than the input */
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (len == 0) {
				free(buf);
				return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
						    "layer entry escapes the layer root: %s", what);
			}
			while (len > 0 && buf[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the '/' before the dropped component */
			continue;
		}
		if (len > 0)
			buf[len++] = '/';
		memcpy(buf + len, s, n);
		len += n;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int unpack_path_clean(const char *path, char **out, struct cc_error **err)
{
	return clean_path(path, path, out, err);
}

/* The fallback resolver: one component at a time, never following a symlink. Returns an fd or -errno; -ELOOP
 * when a component is a symlink. */
static int walk_open_dir(int root_fd, const char *rel)
{
	cleanup_free char *copy = cc_xstrdup(rel);
	int cur = openat(root_fd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (cur < 0)
		return -errno;
	char *next = NULL;
	for (char *tok = copy; tok && *tok; tok = next) {
		next = strchr(tok, '/');
		if (next)
			*next++ = '\0';
		int fd = openat(cur, tok, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			struct stat st;
			if ((e == ENOTDIR || e == ELOOP) &&
			    fstatat(cur, tok, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				e = ELOOP;
			close(cur);
			return -e;
		}
		close(cur);
		cur = fd;
	}
	return cur;
}

/* Open the directory rel (cleaned; "" is the root) beneath the root. extra: O_NOFOLLOW or 0 for the last
 * component. Returns an fd or -errno; -EXDEV when the path leads out of the root. */
static int beneath_open_dir(struct unpack_fs *fs, const char *rel, int extra)
{
	if (!fs->no_openat2) {
		struct open_how how = {
		    .flags = (uint64_t)(O_DIRECTORY | O_RDONLY | O_CLOEXEC | extra),
		    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
		};
		for (int i = 0; i < OPENAT2_EAGAIN_TRIES; i++) {
			long fd = syscall(SYS_openat2, fs->root_fd, *rel ? rel : ".", &how, sizeof(how));
			if (fd >= 0)
				return (int)fd;
			if (errno != EAGAIN)
				break;
		}
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		fs->no_openat2 = true;
	}
	return walk_open_dir(fs->root_fd, rel);
}

/* mkdir -p rel, each missing component created in its (safely opened) parent. Returns an fd or -errno. */
static int create_dirs(struct unpack_fs *fs, const char *rel)
{
	cleanup_free char *prefix = cc_xstrdup(rel);
	int cur = beneath_open_dir(fs, "", 0);
	if (cur < 0)
		return cur;
	char *p = prefix;
	for (;;) {
		char *slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		int next = beneath_open_dir(fs, prefix, 0);
		if (next == -ENOENT) {
			/* p is one component and cur a directory beneath the root: mkdirat cannot be
			 * redirected */
			if (mkdirat(cur, p, 0755) < 0 && errno != EEXIST)
				next = -errno;
			else
				next = beneath_open_dir(fs, prefix, 0);
		}
		close(cur);
		if (next < 0 || !slash)
			return next;
		cur = next;
		*slash = '/';
		p = slash + 1;
	}
}

static int resolve_error(struct unpack_fs *fs, int errnum, const char *rel, const char *what,
			 struct cc_error **err)
{
	if (errnum == EXDEV)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "layer entry escapes the layer root: %s",
				    what);
	if (errnum == ELOOP && fs->no_openat2)
		return cc_error_set(
		    err, CC_ERR_NOT_SUPPORTED,
		    "layer entry %s: the path %s goes through a symlink, which cannot be followed "
		    "safely without openat2",
		    what, rel);
	return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errnum,
				  "layer entry %s: opening the directory %s", what, *rel ? rel : ".");
}

/* The directory rel beneath the root, created (with its parents, 0755) when create is set. */
static int open_dir(struct unpack_fs *fs, const char *rel, bool create, const char *what,
		    struct cc_error **err)
{
	int fd = beneath_open_dir(fs, rel, 0);
	if (fd == -ENOENT && create)
		fd = create_dirs(fs, rel);
	if (fd < 0)
		return resolve_error(fs, -fd, rel, what, err);
	return fd;
}

static int fail(const struct entry_ctx *c, int errnum, const char *what, struct cc_error **err)
{
	return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errnum, "layer entry %s: %s", c->name, what);
}

/* Remove name (a directory) and everything below it. Returns 0 or -errno. */
static int remove_tree(int pfd, const char *name)
{
	if (unlinkat(pfd, name, AT_REMOVEDIR) == 0)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return -errno;
	int fd = openat(pfd, name, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return -e;
	}
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		r = errno == EISDIR ? remove_tree(dirfd(d), de->d_name) : -errno;
	}
	closedir(d);
	if (r < 0)
		return r;
	return unlinkat(pfd, name, AT_REMOVEDIR) == 0 ? 0 : -errno;
}

/* Make room for base in the parent: 0 when nothing is there (any longer), 1 for an existing directory that a
 * directory entry keeps (it only updates its metadata). Anything else is replaced, as tar does: a directory
 * with its contents, a symlink itself (never what it points to). */
static int make_room(const struct entry_ctx *c, const char *base, bool keep_dir, struct cc_error **err)
{
	struct stat st;
	if (fstatat(c->pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail(c, errno, "checking what it replaces", err);
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir)
			return 1;
		int r = remove_tree(c->pfd, base);
		return r < 0 ? fail(c, -r, "removing the directory it replaces", err) : 0;
	}
	if (unlinkat(c->pfd, base, 0) < 0)
		return fail(c, errno, "removing the file it replaces", err);
	return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = (time_t)archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = (time_t)archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		ts[0] = ts[1];
	}
}

/* Whether a failed setxattr may be skipped, as containerd does: the filesystem lacks xattrs or that namespace
 * (EOPNOTSUPP, which is ENOTSUP on Linux), we lack the privilege for security.* or trusted.* (a user
 * namespace), or the kernel allows user.* only on regular files and directories. */
static bool xattr_skippable(int errnum, const char *name, bool file_or_dir)
{
	if (errnum == EOPNOTSUPP)
		return true;
	if (errnum == EPERM)
		return !file_or_dir || strncmp(name, "user.", 5) != 0;
	return false;
}

/* Set the entry's xattrs on fd, or (fd < 0: symlinks, devices, fifos, which cannot be opened for this) with
 * lsetxattr on /proc/self/fd/<parent>/<base>: the parent fd pins the directory, so the path cannot be
 * redirected. trusted.overlay.* from the archive is dropped: overlayfs metadata (redirects, opaque markers)
 * is ours to set from whiteouts, never the layer's. */
static int set_xattrs(const struct entry_ctx *c, int fd, struct cc_error **err)
{
	if (archive_entry_xattr_reset(c->e) == 0)
		return 0;
	cleanup_free char *proc = fd < 0 ? cc_xasprintf("/proc/self/fd/%d/%s", c->pfd, c->base) : NULL;
	const char *name;
	const void *value;
	size_t size;
	while (archive_entry_xattr_next(c->e, &name, &value, &size) == ARCHIVE_OK) {
		if (strncmp(name, "trusted.overlay.", 16) == 0)
			continue;
		int r = fd >= 0 ? fsetxattr(fd, name, value, size, 0) : lsetxattr(proc, name, value, size, 0);
		if (r == 0 || xattr_skippable(errno, name, fd >= 0))
			continue;
		if (fd < 0 && errno == ENOENT)
			continue; /* no /proc: xattrs on such entries are rare enough to go without */
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno,
					  "layer entry %s: setting the xattr %s", c->name, name);
	}
	return 0;
}

/* Owner, then mode (chown clears setuid/setgid), then xattrs (chown clears security.capability). */
static int set_meta_fd(const struct entry_ctx *c, int fd, struct cc_error **err)
{
	if (fchown(fd, (uid_t)archive_entry_uid(c->e), (gid_t)archive_entry_gid(c->e)) < 0)
		return fail(c, errno, "changing the owner", err);
	if (fchmod(fd, archive_entry_perm(c->e)) < 0)
		return fail(c, errno, "changing the mode", err);
	return set_xattrs(c, fd, err);
}

static void remember_dir(struct unpack_fs *fs, const char *path, struct archive_entry *e)
{
	CC_GROW(fs->dirs, fs->dirs_alloc, fs->ndirs + 1);
	struct unpack_dir_time *d = &fs->dirs[fs->ndirs++];
	d->path = cc_xstrdup(path);
	entry_times(e, d->ts);
}

/* A "./" entry: the root's own owner, mode and times. */
static int root_entry(struct entry_ctx *c, struct cc_error **err)
{
	if (archive_entry_filetype(c->e) != AE_IFDIR || archive_entry_hardlink(c->e))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "layer entry %s: names the layer root but is not a directory", c->name);
	cleanup_close int fd = openat(c->fs->root_fd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(c, errno, "opening the layer root", err);
	if (set_meta_fd(c, fd, err) < 0)
		return -1;
	remember_dir(c->fs, "", c->e);
	return 0;
}

static int make_dir(struct entry_ctx *c, struct cc_error **err)
{
	int r = make_room(c, c->base, true, err);
	if (r < 0)
		return -1;
	if (r == 0 && mkdirat(c->pfd, c->base, 0700) < 0)
		return fail(c, errno, "creating the directory", err);
	cleanup_close int fd = openat(c->pfd, c->base, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(c, errno, "opening the directory", err);
	if (set_meta_fd(c, fd, err) < 0)
		return -1;
	remember_dir(c->fs, c->path, c->e);
	return 0;
}

static int pwrite_all(int fd, const char *p, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Content comes in blocks at offsets; a sparse file's holes are the gaps between them (pwrite past them
 * leaves them unallocated), and a trailing hole is made by ftruncate to the entry's size. */
static int make_file(struct entry_ctx *c, unpack_read_fn *read_fn, void *read_ud, struct cc_error **err)
{
	if (make_room(c, c->base, false, err) < 0)
		return -1;
	cleanup_close int fd =
	    openat(c->pfd, c->base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(c, errno, "creating the file", err);
	int64_t end = 0;
	for (;;) {
		const void *buf;
		size_t len;
		int64_t off;
		int r = read_fn(read_ud, &buf, &len, &off, err);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		if (off < 0 || len > (uint64_t)(INT64_MAX - off))
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "corrupt layer: entry %s: bad data offset", c->name);
		if (pwrite_all(fd, buf, len, (off_t)off) < 0)
			return fail(c, errno, "writing the file", err);
		if (off + (int64_t)len > end)
			end = off + (int64_t)len;
	}
	int64_t size = archive_entry_size(c->e);
	if (size > end && ftruncate(fd, (off_t)size) < 0)
		return fail(c, errno, "setting the file size", err);
	if (set_meta_fd(c, fd, err) < 0)
		return -1;
	struct timespec ts[2];
	entry_times(c->e, ts);
	if (futimens(fd, ts) < 0)
		return fail(c, errno, "setting the times", err);
	if (close(steal_fd(&fd)) < 0)
		return fail(c, errno, "closing the file", err);
	return 0;
}

/* Owner, mode (unless a symlink: Linux has no lchmod), xattrs and times of something without an fd. */
static int set_meta_at(const struct entry_ctx *c, bool is_link, struct cc_error **err)
{
	if (fchownat(c->pfd, c->base, (uid_t)archive_entry_uid(c->e), (gid_t)archive_entry_gid(c->e),
		     AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, errno, "changing the owner", err);
	/* We created base a moment ago in a directory only we write to, so it is no symlink to follow. */
	if (!is_link && fchmodat(c->pfd, c->base, archive_entry_perm(c->e), 0) < 0)
		return fail(c, errno, "changing the mode", err);
	if (set_xattrs(c, -1, err) < 0)
		return -1;
	struct timespec ts[2];
	entry_times(c->e, ts);
	if (utimensat(c->pfd, c->base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, errno, "setting the times", err);
	return 0;
}

static int make_symlink(struct entry_ctx *c, struct cc_error **err)
{
	const char *target = archive_entry_symlink(c->e);
	if (!target || !*target)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "corrupt layer: symlink %s has no target",
				    c->name);
	if (make_room(c, c->base, false, err) < 0)
		return -1;
	/* The target is stored, never followed here: it only means something inside the container. */
	if (symlinkat(target, c->pfd, c->base) < 0)
		return fail(c, errno, "creating the symlink", err);
	return set_meta_at(c, true, err);
}

static int make_node(struct entry_ctx *c, mode_t type, struct cc_error **err)
{
	dev_t dev =
	    type == S_IFIFO ? 0 : makedev(archive_entry_rdevmajor(c->e), archive_entry_rdevminor(c->e));
	if (make_room(c, c->base, false, err) < 0)
		return -1;
	if (mknodat(c->pfd, c->base, type | 0600, dev) < 0)
		return fail(c, errno, type == S_IFIFO ? "creating the fifo" : "creating the device node",
			    err);
	return set_meta_at(c, false, err);
}

/* The target must be inside the layer: cleaned like any path, its parent opened beneath the root. linkat
 * without AT_SYMLINK_FOLLOW links a symlink itself, never what it points to. */
static int make_hardlink(struct entry_ctx *c, const char *target, struct cc_error **err)
{
	cleanup_free char *what = cc_xasprintf("%s (a hard link to %s)", c->name, target);
	cleanup_free char *tpath = NULL;
	if (clean_path(target, what, &tpath, err) < 0)
		return -1;
	if (strcmp(tpath, c->path) == 0)
		return 0; /* a link to itself: already there */
	if (!*tpath)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "layer entry %s: a hard link to the layer root", c->name);
	char *slash = strrchr(tpath, '/');
	const char *tbase = slash ? slash + 1 : tpath;
	cleanup_free char *tparent = cc_xstrndup(tpath, slash ? (size_t)(slash - tpath) : 0);
	cleanup_close int tpfd = open_dir(c->fs, tparent, false, what, err);
	if (tpfd < 0)
		return -1;
	if (make_room(c, c->base, false, err) < 0)
		return -1;
	if (linkat(tpfd, tbase, c->pfd, c->base, 0) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno,
					  "layer entry %s: creating the hard link to %s", c->name, target);
	return 0;
}

/* ".wh..wh..opq" marks its directory opaque; ".wh.<name>" becomes a 0:0 character device <name>, what
 * overlayfs reads as "deleted in this layer". Other ".wh..wh." names are aufs metadata, ignored. */
static int whiteout(struct entry_ctx *c, struct cc_error **err)
{
	if (strcmp(c->base, ".wh..wh..opq") == 0) {
		if (fsetxattr(c->pfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return fail(c, errno, "marking the directory opaque", err);
		return 0;
	}
	if (strncmp(c->base, ".wh..wh.", 8) == 0)
		return 0;
	const char *name = c->base + 4;
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "layer entry %s: an invalid whiteout",
				    c->name);
	if (make_room(c, name, false, err) < 0)
		return -1;
	if (mknodat(c->pfd, name, S_IFCHR, makedev(0, 0)) < 0)
		return fail(c, errno, "creating the whiteout", err);
	if (fchownat(c->pfd, name, (uid_t)archive_entry_uid(c->e), (gid_t)archive_entry_gid(c->e),
		     AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, errno, "changing the owner of the whiteout", err);
	return 0;
}

int unpack_fs_entry(struct unpack_fs *fs, struct archive_entry *e, unpack_read_fn *read_fn, void *read_ud,
		    struct cc_error **err)
{
	const char *name = archive_entry_pathname(e);
	if (!name || !*name)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "corrupt layer: an entry has no path");
	cleanup_free char *path = NULL;
	if (clean_path(name, name, &path, err) < 0)
		return -1;
	struct entry_ctx c = {.fs = fs, .e = e, .name = name, .path = path, .pfd = -1};
	if (archive_entry_uid(e) < 0 || archive_entry_uid(e) > UNPACK_ID_MAX || archive_entry_gid(e) < 0 ||
	    archive_entry_gid(e) > UNPACK_ID_MAX)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "layer entry %s: invalid owner %lld:%lld",
				    name, (long long)archive_entry_uid(e), (long long)archive_entry_gid(e));
	if (!*path)
		return root_entry(&c, err);

	char *slash = strrchr(path, '/');
	c.base = slash ? slash + 1 : path;
	cleanup_free char *parent = cc_xstrndup(path, slash ? (size_t)(slash - path) : 0);
	cleanup_close int pfd = open_dir(fs, parent, true, name, err);
	if (pfd < 0)
		return -1;
	c.pfd = pfd;

	if (!fs->plain && strncmp(c.base, ".wh.", 4) == 0)
		return whiteout(&c, err);
	const char *target = archive_entry_hardlink(e);
	if (target)
		return make_hardlink(&c, target, err);
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR:
		return make_dir(&c, err);
	case AE_IFREG:
		return make_file(&c, read_fn, read_ud, err);
	case AE_IFLNK:
		return make_symlink(&c, err);
	case AE_IFCHR:
		return make_node(&c, S_IFCHR, err);
	case AE_IFBLK:
		return make_node(&c, S_IFBLK, err);
	case AE_IFIFO:
		return make_node(&c, S_IFIFO, err);
	default:
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "layer entry %s: unsupported file type 0%o",
				    name, (unsigned)archive_entry_filetype(e));
	}
}

int unpack_fs_finish(struct unpack_fs *fs, struct cc_error **err)
{
	for (size_t i = 0; i < fs->ndirs; i++) {
		const struct unpack_dir_time *d = &fs->dirs[i];
		int fd = beneath_open_dir(fs, d->path, O_NOFOLLOW);
		/* Replaced by a later entry (a file, a symlink, a path through a symlink): nothing left to
		 * time. */
		if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP || fd == -EXDEV)
			continue;
		if (fd < 0)
			return resolve_error(fs, -fd, d->path, *d->path ? d->path : ".", err);
		int r = futimens(fd, d->ts);
		int e = errno;
		close(fd);
		if (r < 0)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e,
						  "layer entry %s: setting the directory times",
						  *d->path ? d->path : ".");
	}
	return 0;
}

int unpack_fs_open(struct unpack_fs *fs, const char *dir, unsigned flags, struct cc_error **err)
{
	*fs = (struct unpack_fs){.root_fd = -1,
				 .no_openat2 = (flags & CC_UNPACK_NO_OPENAT2) != 0,
				 .plain = (flags & CC_UNPACK_PLAIN) != 0};
	fs->root_fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (fs->root_fd < 0)
		return cc_error_set_errno(err, errno == ENOENT ? CC_ERR_NOT_FOUND : CC_ERR_BACKEND_FAILURE,
					  errno, "opening the layer directory %s", dir);
	return 0;
}

void unpack_fs_release(struct unpack_fs *fs)
{
	if (fs->root_fd >= 0)
		close(fs->root_fd);
	for (size_t i = 0; i < fs->ndirs; i++)
		free(fs->dirs[i].path);
	free(fs->dirs);
	*fs = (struct unpack_fs){.root_fd = -1};
}
