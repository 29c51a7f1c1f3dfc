#include "base/fsutil.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cc_read_stream(FILE *f, const char *name, char **data, size_t *len, struct cc_error **err)
{
	struct cc_strbuf sb = CC_STRBUF_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		cc_strbuf_add(&sb, buf, n);
	if (ferror(f)) {
		cc_strbuf_release(&sb);
		return cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno, "cannot read %s", name);
	}
	*data = cc_strbuf_detach(&sb, len);
	return 0;
}

int cc_read_file(const char *path, char **data, size_t *len, struct cc_error **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cc_error_set_errno(err, errno == ENOENT ? CC_ERR_NOT_FOUND : CC_ERR_INVALID_ARGUMENT,
					  errno, "cannot open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno, "cannot stat %s", path);
	if (S_ISDIR(st.st_mode))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s is a directory, not a file", path);
	struct cc_strbuf sb = CC_STRBUF_INIT;
	if (st.st_size > 0)
		cc_strbuf_grow(&sb, (size_t)st.st_size);
	for (;;) {
		cc_strbuf_grow(&sb, 65536);
		ssize_t r = read(fd, sb.buf + sb.len, sb.alloc - sb.len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cc_strbuf_release(&sb);
			return cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno, "cannot read %s",
						  path);
		}
		if (r == 0)
			break;
		sb.len += (size_t)r;
		sb.buf[sb.len] = '\0';
	}
	*data = cc_strbuf_detach(&sb, len);
	return 0;
}

char *cc_read_text(const char *path)
{
	char *text = NULL;
	size_t len;
	struct cc_error *e = NULL;
	if (cc_read_file(path, &text, &len, &e) < 0) {
		cc_error_free(e);
		return NULL;
	}
	return text;
}

bool cc_file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

bool cc_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *cc_path_clean(const char *path)
{
	if (!*path)
		return cc_xstrdup(".");
	bool abs = path[0] == '/';
	/* Split into components, resolving "." and ".." lexically. */
	size_t n = strlen(path);
	char *out = cc_xmalloc(n + 2);
	size_t w = 0;
	if (abs)
		out[w++] = '/';
	size_t base = w; /* w never goes below this for ".." on absolute paths */
	size_t dotdot = w;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - s);
		if (len == 1 && s[0] == '.')
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			if (w > dotdot) {
				/* back up one component */
				while (w > dotdot && out[w - 1] != '/')
					w--;
				if (w > dotdot)
					w--;
				else if (w > base && out[w - 1] == '/')
					w--;
				continue;
			}
			if (abs)
				continue;
			if (w > base)
				out[w++] = '/';
			memcpy(out + w, "..", 2);
			w += 2;
			dotdot = w;
			continue;
		}
		if (w > base && out[w - 1] != '/')
			out[w++] = '/';
		memcpy(out + w, s, len);
		w += len;
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

char *cc_path_join(const char *dir, const char *rel)
{
	if (rel[0] == '/' || !*dir)
		return cc_path_clean(rel);
	cleanup_free char *joined = cc_xasprintf("%s/%s", dir, rel);
	return cc_path_clean(joined);
}

char *cc_path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return cc_xstrdup(".");
	if (slash == path)
		return cc_xstrdup("/");
	cleanup_free char *d = cc_xstrndup(path, (size_t)(slash - path));
	return cc_path_clean(d);
}

const char *cc_path_base(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	const char *s = path + n;
	while (s > path && s[-1] != '/')
		s--;
	return s;
}

char *cc_path_abs(const char *base, const char *path, struct cc_error **err)
{
	if (path[0] == '/')
		return cc_path_clean(path);
	if (base)
		return cc_path_join(base, path);
	cleanup_free char *cwd = getcwd(NULL, 0);
	if (!cwd) {
		cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "cannot get the current directory");
		return NULL;
	}
	return cc_path_join(cwd, path);
}

int cc_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int cc_write_file_atomic(const char *path, const char *tmp, const void *data, size_t len, unsigned mode,
			 bool durable, struct cc_error **err)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "create %s", tmp);
	int e = cc_write_all(fd, data, len) < 0 ? errno : 0;
	if (!e && durable && fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) < 0)
		e = errno;
	if (e) {
		unlink(tmp);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "write %s", path);
	}
	return 0;
}

int cc_mkdir_p(const char *path, unsigned mode, struct cc_error **err)
{
	char *copy = cc_xstrdup(path);
	int r = 0;
	for (char *p = copy + 1; *p && r == 0; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(copy, (mode_t)mode) < 0 && errno != EEXIST)
			r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", copy);
		*p = '/';
	}
	if (r == 0 && mkdir(copy, (mode_t)mode) < 0 && errno != EEXIST)
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", copy);
	free(copy);
	return r;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

int cc_remove_tree(const char *path)
{
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
		return -1;
	return 0;
}
