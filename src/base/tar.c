/* Writing a tree as a tar: see tar.h. */
#include "base/tar.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/libarchive.h"
#include "base/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tar {
	struct archive *a;
	struct archive_entry *e;
	const struct cc_tar_opts *o;
	struct cc_error **err;
};

static int fail(struct tar *t, const char *what)
{
	return cc_error_set(t->err, CC_ERR_INTERNAL, "tar %s: %s", what, archive_error_string(t->a));
}

static int add_bytes(struct tar *t, const char *name, const char *data, size_t len)
{
	archive_entry_clear(t->e);
	archive_entry_set_pathname(t->e, name);
	archive_entry_set_filetype(t->e, AE_IFREG);
	archive_entry_set_perm(t->e, 0644);
	archive_entry_set_size(t->e, (la_int64_t)len);
	if (archive_write_header(t->a, t->e) < ARCHIVE_WARN ||
	    (len && archive_write_data(t->a, data, len) < 0))
		return fail(t, name);
	return 0;
}

static int add_path(struct tar *t, const char *path, const char *rel);

static int add_dir(struct tar *t, const char *path, const char *rel)
{
	DIR *d = opendir(path);
	if (!d)
		return cc_error_set_errno(t->err, CC_ERR_INVALID_ARGUMENT, errno, "read %s", path);
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *child =
		    *rel ? cc_xasprintf("%s/%s", rel, de->d_name) : cc_xstrdup(de->d_name);
		cleanup_free char *full = cc_xasprintf("%s/%s", path, de->d_name);
		if (t->o && t->o->skip && t->o->skip(t->o->ctx, child, de->d_type == DT_DIR))
			continue;
		r = add_path(t, full, child);
	}
	closedir(d);
	return r;
}

static int add_path(struct tar *t, const char *path, const char *rel)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return cc_error_set_errno(t->err, CC_ERR_NOT_FOUND, errno, "%s", path);
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return 0;
	if (*rel) {
		archive_entry_clear(t->e);
		archive_entry_copy_stat(t->e, &st);
		archive_entry_set_pathname(t->e, rel);
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(path, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = '\0';
			archive_entry_set_symlink(t->e, target);
		}
		if (!S_ISREG(st.st_mode))
			archive_entry_set_size(t->e, 0);
		if (archive_write_header(t->a, t->e) < ARCHIVE_WARN)
			return fail(t, rel);
	}
	if (S_ISDIR(st.st_mode))
		return add_dir(t, path, rel);
	if (!S_ISREG(st.st_mode))
		return 0;
	cleanup_close int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cc_error_set_errno(t->err, CC_ERR_INVALID_ARGUMENT, errno, "open %s", path);
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(t->a, buf, (size_t)n) < 0)
			return fail(t, rel);
	return n < 0 ? cc_error_set_errno(t->err, CC_ERR_INVALID_ARGUMENT, errno, "read %s", path) : 0;
}

int cc_tar_write(const char *path, const char *tar_path, const struct cc_tar_opts *o, struct cc_error **err)
{
	if (cc_libarchive_ready(err) < 0)
		return -1;
	struct tar t = {.o = o, .err = err};
	t.a = archive_write_new();
	t.e = archive_entry_new();
	archive_write_set_format_pax_restricted(t.a);
	int r = archive_write_open_filename(t.a, tar_path) != ARCHIVE_OK ? fail(&t, tar_path) : 0;
	struct stat st;
	if (r == 0 && stat(path, &st) < 0)
		r = cc_error_set_errno(err, CC_ERR_NOT_FOUND, errno, "%s", path);
	if (r == 0) {
		/* a single file is one entry; a directory's entries are its tree, under prefix/ when given */
		const char *prefix = o && o->prefix        ? o->prefix
				     : S_ISDIR(st.st_mode) ? ""
							   : cc_path_base(path);
		r = add_path(&t, path, prefix);
	}
	if (r == 0 && o && o->extra_name)
		r = add_bytes(&t, o->extra_name, o->extra_data, o->extra_len);
	if (archive_write_close(t.a) != ARCHIVE_OK && r == 0)
		r = fail(&t, "end");
	archive_entry_free(t.e);
	archive_write_free(t.a);
	return r;
}
