/* COPY and ADD into a root filesystem: see copy.h. Below the first resolution everything works on directory
 * fds and single names with O_NOFOLLOW, so a link met while walking is copied as a link, never followed. */
#include "engine/build/copy.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "engine/image/unpack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int cc_inroot_open(int root_fd, const char *path, int flags, mode_t mode)
{
	while (*path == '/')
		path++;
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .mode = (flags & O_CREAT) ? mode : 0,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	for (int i = 0; i < 64; i++) {
		long fd = syscall(SYS_openat2, root_fd, *path ? path : ".", &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN)
			break;
	}
	return -errno;
}

static uid_t owner_uid(const struct cc_copy_opts *o, const struct stat *st)
{
	return o->keep_owner && st ? st->st_uid : o->uid;
}

static gid_t owner_gid(const struct cc_copy_opts *o, const struct stat *st)
{
	return o->keep_owner && st ? st->st_gid : o->gid;
}

int cc_inroot_mkdirs(int root_fd, const char *path, const struct cc_copy_opts *o, struct cc_error **err)
{
	cleanup_free char *clean = cc_path_clean(path);
	int fd = cc_inroot_open(root_fd, clean, O_RDONLY | O_DIRECTORY, 0);
	if (fd >= 0 || fd != -ENOENT)
		return fd >= 0
			   ? fd
			   : cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, -fd, "destination %s", clean);
	cleanup_free char *parent = cc_path_dir(clean);
	int pfd = strcmp(parent, clean) == 0 ? -ENOENT : cc_inroot_mkdirs(root_fd, parent, o, err);
	if (pfd < 0)
		return -1;
	const char *base = cc_path_base(clean);
	if (mkdirat(pfd, base, 0755) < 0 && errno != EEXIST) {
		int e = errno;
		close(pfd);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "mkdir %s", clean);
	}
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int e = errno;
	close(pfd);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, e, "destination %s", clean);
	if (fchown(fd, o->uid, o->gid) < 0) {
		e = errno;
		close(fd);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "chown %s", clean);
	}
	return fd;
}

static int fail(struct cc_error **err, int e, const char *what, const char *name)
{
	return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "%s %s", what, name);
}

static int copy_bytes_fd(int in, int out)
{
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
			return -1;
		break;
	}
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			off += w;
		}
	}
}

/* A regular file or a directory that is in the way of something else of that name. */
static void clear_name(int dfd, const char *name, bool want_dir)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (want_dir && S_ISDIR(st.st_mode))
		return;
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			char real[PATH_MAX];
			ssize_t n = readlink(path, real, sizeof(real) - 1);
			close(fd);
			if (n > 0) {
				real[n] = '\0';
				cc_remove_tree(real);
			}
		}
		return;
	}
	unlinkat(dfd, name, 0);
}

static int set_meta(int fd, const struct stat *st, const struct cc_copy_opts *o, struct cc_error **err,
		    const char *name)
{
	if (fchown(fd, owner_uid(o, st), owner_gid(o, st)) < 0)
		return fail(err, errno, "chown", name);
	mode_t mode = o->set_mode ? o->mode : st->st_mode & 07777;
	if (fchmod(fd, mode) < 0)
		return fail(err, errno, "chmod", name);
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	futimens(fd, ts);
	return 0;
}

static int copy_file(int in, const struct stat *st, int dfd, const char *name, const struct cc_copy_opts *o,
		     struct cc_error **err)
{
	clear_name(dfd, name, false);
	cleanup_close int out =
	    openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return fail(err, errno, "create", name);
	if (copy_bytes_fd(in, out) < 0)
		return fail(err, errno, "copy", name);
	return set_meta(out, st, o, err, name);
}

static int copy_tree(int sfd, int dfd, const char *rel, const struct cc_copy_opts *o, struct cc_error **err);

static bool kernel_fs(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return false;
	switch ((unsigned long)sf.f_type) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case DEVPTS_SUPER_MAGIC:
	case 0x19800202UL: /* mqueue */
	case SECURITYFS_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case BPF_FS_MAGIC:
		return true;
	default:
		return false;
	}
}

/* One entry `name` of source directory sfd into dfd. */
static int copy_entry(int sfd, const char *name, int dfd, const char *rel, const struct cc_copy_opts *o,
		      struct cc_error **err)
{
	struct stat st;
	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(err, errno, "stat", rel);
	if (S_ISDIR(st.st_mode)) {
		clear_name(dfd, name, true);
		if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
			return fail(err, errno, "mkdir", rel);
		cleanup_close int in = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int out = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0 || out < 0)
			return fail(err, errno, "open", rel);
		if (!(o->skip_kernel_fs && kernel_fs(in)) && copy_tree(in, out, rel, o, err) < 0)
			return -1;
		return set_meta(out, &st, o, err, rel);
	}
	if (S_ISREG(st.st_mode)) {
		cleanup_close int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0)
			return fail(err, errno, "open", rel);
		return copy_file(in, &st, dfd, name, o, err);
	}
	clear_name(dfd, name, false);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return fail(err, errno, "readlink", rel);
		target[n] = '\0';
		if (symlinkat(target, dfd, name) < 0)
			return fail(err, errno, "symlink", rel);
	} else if (mknodat(dfd, name, st.st_mode, st.st_rdev) < 0) {
		return fail(err, errno, "mknod", rel);
	}
	if (fchownat(dfd, name, owner_uid(o, &st), owner_gid(o, &st), AT_SYMLINK_NOFOLLOW) < 0)
		return fail(err, errno, "chown", rel);
	struct timespec ts[2] = {st.st_atim, st.st_mtim};
	utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int copy_tree(int sfd, int dfd, const char *rel, const struct cc_copy_opts *o, struct cc_error **err)
{
	int dup_fd = dup(sfd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return fail(err, errno, "read directory", rel);
	}
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *child =
		    *rel ? cc_xasprintf("%s/%s", rel, de->d_name) : cc_xstrdup(de->d_name);
		/* an excluded directory is still walked when an exception could bring back something in it */
		if (o->ignore && cc_ignore_excluded(o->ignore, child) &&
		    !(de->d_type == DT_DIR && o->ignore->has_exceptions))
			continue;
		r = copy_entry(sfd, de->d_name, dfd, child, o, err);
	}
	closedir(d);
	return r;
}

int cc_copy_path(int src_root, const char *src, int dest_root, const char *dest, bool dest_is_dir,
		 const struct cc_copy_opts *o, struct cc_error **err)
{
	cleanup_free char *rel = cc_path_clean(src);
	const char *r = rel;
	while (*r == '/')
		r++;
	if (strcmp(r, ".") == 0)
		r = "";
	cleanup_close int in = cc_inroot_open(src_root, r, O_RDONLY | O_NONBLOCK, 0);
	if (in < 0)
		return cc_error_set_errno(err, in == -ENOENT ? CC_ERR_NOT_FOUND : CC_ERR_BACKEND_FAILURE, -in,
					  "source %s", *r ? r : ".");
	struct stat st;
	if (fstat(in, &st) < 0)
		return fail(err, errno, "stat", r);
	if (S_ISDIR(st.st_mode)) {
		cleanup_close int out = cc_inroot_mkdirs(dest_root, dest, o, err);
		if (out < 0)
			return -1;
		return o->skip_kernel_fs && kernel_fs(in) ? 0 : copy_tree(in, out, r, o, err);
	}
	cleanup_free char *parent = dest_is_dir ? cc_path_clean(dest) : cc_path_dir(dest);
	const char *name = dest_is_dir ? cc_path_base(r) : cc_path_base(dest);
	cleanup_close int out = cc_inroot_mkdirs(dest_root, parent, o, err);
	if (out < 0)
		return -1;
	if (!S_ISREG(st.st_mode))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "source %s is not a file or directory", r);
	return copy_file(in, &st, out, name, o, err);
}

int cc_copy_bytes(int dest_root, const char *dest, const char *data, size_t len, const struct cc_copy_opts *o,
		  struct cc_error **err)
{
	cleanup_free char *parent = cc_path_dir(dest);
	cleanup_close int dfd = cc_inroot_mkdirs(dest_root, parent, o, err);
	if (dfd < 0)
		return -1;
	const char *name = cc_path_base(dest);
	clear_name(dfd, name, false);
	cleanup_close int out =
	    openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0)
		return fail(err, errno, "create", dest);
	for (size_t off = 0; off < len;) {
		ssize_t w = write(out, data + off, len - off);
		if (w < 0 && errno != EINTR)
			return fail(err, errno, "write", dest);
		off += w > 0 ? (size_t)w : 0;
	}
	if (fchown(out, o->uid, o->gid) < 0)
		return fail(err, errno, "chown", dest);
	if (fchmod(out, o->set_mode ? o->mode : 0644) < 0)
		return fail(err, errno, "chmod", dest);
	return 0;
}

/* ---- docker cp's rules ---- */

static bool ends_with_dot(const char *p)
{
	size_t n = strlen(p);
	return n >= 2 && p[n - 1] == '.' && p[n - 2] == '/';
}

int cc_cp(int src_root, const char *src, int dst_root, const char *dst, const struct cc_copy_opts *o,
	  struct cc_error **err)
{
	cleanup_close int s = cc_inroot_open(src_root, src, O_PATH, 0);
	if (s < 0)
		return cc_error_set_errno(err, s == -ENOENT ? CC_ERR_NOT_FOUND : CC_ERR_BACKEND_FAILURE, -s,
					  "could not find the file %s", src);
	struct stat st;
	fstat(s, &st);
	cleanup_close int d = cc_inroot_open(dst_root, dst, O_PATH, 0);
	struct stat dt;
	bool dst_dir = d >= 0 && fstat(d, &dt) == 0 && S_ISDIR(dt.st_mode);
	size_t dl = strlen(dst);
	if (d < 0 && dl && dst[dl - 1] == '/' && !S_ISDIR(st.st_mode))
		return cc_error_set(err, CC_ERR_NOT_FOUND, "destination directory %s does not exist", dst);
	if (S_ISDIR(st.st_mode)) {
		if (d >= 0 && !dst_dir)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "cannot copy a directory to a file: %s is not a directory", dst);
		cleanup_free char *clean = cc_path_clean(src);
		cleanup_free char *target =
		    dst_dir && !ends_with_dot(src) ? cc_path_join(dst, cc_path_base(clean)) : cc_xstrdup(dst);
		return cc_copy_path(src_root, src, dst_root, target, true, o, err);
	}
	return cc_copy_path(src_root, src, dst_root, dst, dst_dir, o, err);
}

char *cc_cp_host_path(const char *path, struct cc_error **err)
{
	char *host = cc_path_abs(NULL, path, err);
	size_t n = strlen(path);
	/* cleaning drops what the rules read: a trailing "/" (must be a directory) and "/." (the contents) */
	const char *keep = n >= 2 && strcmp(path + n - 2, "/.") == 0 ? "/."
			   : n && path[n - 1] == '/'                 ? "/"
								     : NULL;
	if (host && keep && strcmp(host, "/") != 0) {
		char *kept = cc_xasprintf("%s%s", host, keep);
		free(host);
		host = kept;
	}
	return host;
}

/* The one name at the top of an unpacked archive (owned), or NULL when there is not exactly one. */
static char *single_entry(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char *name = NULL;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n++ == 0)
			name = cc_xstrdup(e->d_name);
	}
	closedir(d);
	if (n != 1) {
		free(name);
		return NULL;
	}
	return name;
}

int cc_cp_tar_to_host(int tar_fd, bool contents, const char *as, const char *host, struct cc_error **err)
{
	char tmp[] = "/tmp/cc-cp-XXXXXX";
	if (!mkdtemp(tmp))
		return cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "cp: a temporary directory");
	int rc = cc_tar_unpack(tar_fd, tmp, err);
	cleanup_free char *name = rc == 0 ? single_entry(tmp) : NULL;
	if (rc == 0 && !name)
		rc = cc_error_set(err, CC_ERR_BACKEND_FAILURE,
				  "cp: the archive of the copied path does not hold exactly one entry");
	if (rc == 0 && as && strcmp(as, name) != 0) {
		cleanup_free char *from = cc_xasprintf("%s/%s", tmp, name);
		cleanup_free char *to = cc_xasprintf("%s/%s", tmp, as);
		if (rename(from, to) < 0)
			rc = cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "cp: rename %s", from);
		free(name);
		name = cc_xstrdup(as);
	}
	if (rc == 0) {
		/* the copy's source is the one entry, read from inside the temporary directory */
		cleanup_free char *src = cc_xasprintf("/%s%s", name, contents ? "/." : "");
		cleanup_close int src_root = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		cleanup_close int host_root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rc = src_root < 0 || host_root < 0
			 ? cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "cp: open %s", tmp)
			 : cc_cp(src_root, src, host_root, host, &(struct cc_copy_opts){0}, err);
	}
	cc_remove_tree(tmp);
	return rc;
}
