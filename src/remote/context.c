/* A build context as a tar for the daemon (see context.h). */
#include "remote/context.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/libarchive.h"
#include "base/xalloc.h"
#include "engine/build/ignore.h"

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
	const struct cc_ignore *ig;
	const char *dockerfile; /* relative to the context: always sent */
	struct cc_error **err;
};

static int fail(struct tar *t, const char *what)
{
	return cc_error_set(t->err, CC_ERR_INTERNAL, "build context: %s: %s", what,
			    archive_error_string(t->a));
}

static bool always_sent(const struct tar *t, const char *rel)
{
	return strcmp(rel, ".dockerignore") == 0 || (t->dockerfile && strcmp(rel, t->dockerfile) == 0) ||
	       (t->dockerfile && strncmp(rel, t->dockerfile, strlen(t->dockerfile)) == 0 &&
		strcmp(rel + strlen(t->dockerfile), ".dockerignore") == 0);
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
		return cc_error_set_errno(t->err, CC_ERR_INVALID_ARGUMENT, errno, "build context %s", path);
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *child =
		    *rel ? cc_xasprintf("%s/%s", rel, de->d_name) : cc_xstrdup(de->d_name);
		cleanup_free char *full = cc_xasprintf("%s/%s", path, de->d_name);
		if (cc_ignore_excluded(t->ig, child) && !always_sent(t, child) &&
		    !(de->d_type == DT_DIR && t->ig->has_exceptions))
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
		return cc_error_set_errno(t->err, CC_ERR_INVALID_ARGUMENT, errno, "build context %s", path);
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return 0; /* sockets, fifos, devices: nothing a build copies */
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
		return cc_error_set_errno(t->err, CC_ERR_INVALID_ARGUMENT, errno, "build context %s", path);
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(t->a, buf, (size_t)n) < 0)
			return fail(t, rel);
	return n < 0 ? cc_error_set_errno(t->err, CC_ERR_INVALID_ARGUMENT, errno, "read %s", path) : 0;
}

/* The Dockerfile's path relative to the context, or NULL when it lies outside it. */
static char *inside(const char *ctx, const char *dockerfile)
{
	cleanup_free char *abs =
	    dockerfile[0] == '/' ? cc_path_clean(dockerfile) : cc_path_join(ctx, dockerfile);
	size_t n = strlen(ctx);
	if (strncmp(abs, ctx, n) != 0 || abs[n] != '/')
		return NULL;
	return cc_xstrdup(abs + n + 1);
}

int rc_context_tar(const struct cc_build_opts *o, const char *tar_path, char **dockerfile,
		   struct cc_error **err)
{
	*dockerfile = NULL;
	if (cc_libarchive_ready(err) < 0)
		return -1;
	cleanup_free char *ctx = cc_path_abs(NULL, o->context_dir ? o->context_dir : ".", err);
	if (!ctx)
		return -1;
	if (!cc_is_dir(ctx))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "build context %s is not a directory", ctx);
	const char *df = o->dockerfile ? o->dockerfile : "Dockerfile";
	cleanup_free char *rel = o->dockerfile_inline ? NULL : inside(ctx, df);
	cleanup_free char *outside = NULL; /* a Dockerfile from outside the context travels as text */
	size_t outside_len = 0;
	if (o->dockerfile_inline) {
		outside = cc_xstrdup(o->dockerfile_inline);
		outside_len = strlen(outside);
	} else if (!rel) {
		cleanup_free char *abs = df[0] == '/' ? cc_xstrdup(df) : cc_path_join(ctx, df);
		if (cc_read_file(abs, &outside, &outside_len, err) < 0)
			return cc_error_wrap(err, "cannot read the Dockerfile");
	}
	/* the patterns that apply: the Dockerfile's own ignore file, else the context's */
	struct cc_ignore ig = {0};
	cleanup_free char *own = rel ? cc_xasprintf("%s/%s.dockerignore", ctx, rel) : NULL;
	cleanup_free char *common = cc_xasprintf("%s/.dockerignore", ctx);
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct cc_error *e = NULL;
	if ((own && cc_read_file(own, &text, &len, &e) == 0) ||
	    (cc_error_release(&e), cc_read_file(common, &text, &len, &e) == 0))
		cc_ignore_parse(text, len, &ig);
	cc_error_release(&e);
	struct tar t = {.ig = &ig, .dockerfile = rel, .err = err};
	t.a = archive_write_new();
	t.e = archive_entry_new();
	archive_write_set_format_pax_restricted(t.a);
	int r = archive_write_open_filename(t.a, tar_path) != ARCHIVE_OK ? fail(&t, tar_path) : 0;
	if (r == 0)
		r = add_path(&t, ctx, "");
	if (r == 0 && outside) {
		*dockerfile = cc_xstrdup(".container-compose.Dockerfile");
		r = add_bytes(&t, *dockerfile, outside, outside_len);
	} else if (r == 0) {
		*dockerfile = cc_xstrdup(rel);
	}
	if (archive_write_close(t.a) != ARCHIVE_OK && r == 0)
		r = fail(&t, "end");
	archive_entry_free(t.e);
	archive_write_free(t.a);
	cc_ignore_release(&ig);
	if (r < 0) {
		free(*dockerfile);
		*dockerfile = NULL;
	}
	return r;
}
