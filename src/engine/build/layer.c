/* Committing a build step's upper directory: see layer.h. The walk is sorted, so the same changes give the
 * same tar; hard links inside the layer are kept as tar hard links. */
#include "engine/build/layer.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/libarchive.h"
#include "base/random.h"
#include "base/strmap.h"
#include "base/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define OVERLAY_XATTR "trusted.overlay."
#define OPAQUE_XATTR  "trusted.overlay.opaque"

struct writer {
	int fd;
	struct sha256_ctx sha;
	int64_t size;
	struct archive *a;
	struct archive_entry *e;
	struct cc_strmap links; /* "dev:ino" -> first path of a hard-linked file */
	const char *top;        /* the upper directory */
	int failed_errno;
	struct cc_error **err;
};

static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct writer *w = ctx;
	sha256_update(&w->sha, len, buf);
	for (size_t off = 0; off < len;) {
		ssize_t n = write(w->fd, (const char *)buf + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			w->failed_errno = errno;
			return -1;
		}
		off += (size_t)n;
	}
	w->size += (int64_t)len;
	return (la_ssize_t)len;
}

static int archive_fail(struct writer *w, const char *rel)
{
	if (w->failed_errno)
		return cc_error_set_errno(w->err, CC_ERR_BACKEND_FAILURE, w->failed_errno, "write layer");
	return cc_error_set(w->err, CC_ERR_BACKEND_FAILURE, "layer entry %s: %s", rel,
			    archive_error_string(w->a));
}

/* The xattrs of a path into the entry; overlay's own are not content (the opaque marker becomes a
 * ".wh..wh..opq" entry), and those other than the marker are dropped from the directory too. */
static bool add_xattrs(struct writer *w, const char *path)
{
	char names[4096];
	ssize_t n = llistxattr(path, names, sizeof(names));
	bool opaque = false;
	for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(names + off) + 1) {
		const char *name = names + off;
		if (strncmp(name, OVERLAY_XATTR, strlen(OVERLAY_XATTR)) == 0) {
			char v[4];
			if (strcmp(name, OPAQUE_XATTR) == 0)
				opaque = lgetxattr(path, name, v, sizeof(v)) == 1 && v[0] == 'y';
			else
				lremovexattr(path, name);
			continue;
		}
		char value[65536];
		ssize_t vl = lgetxattr(path, name, value, sizeof(value));
		if (vl >= 0)
			archive_entry_xattr_add_entry(w->e, name, value, (size_t)vl);
	}
	return opaque;
}

static int put_plain(struct writer *w, const char *rel, mode_t type)
{
	archive_entry_clear(w->e);
	archive_entry_set_pathname(w->e, rel);
	archive_entry_set_filetype(w->e, type);
	archive_entry_set_perm(w->e, 0644);
	archive_entry_set_size(w->e, 0);
	return archive_write_header(w->a, w->e) < ARCHIVE_WARN ? archive_fail(w, rel) : 0;
}

static int put_data(struct writer *w, const char *path, const char *rel)
{
	cleanup_close int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cc_error_set_errno(w->err, CC_ERR_BACKEND_FAILURE, errno, "open %s", path);
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cc_error_set_errno(w->err, CC_ERR_BACKEND_FAILURE, errno, "read %s", path);
		}
		if (archive_write_data(w->a, buf, (size_t)n) < 0)
			return archive_fail(w, rel);
	}
}

static int walk(struct writer *w, const char *rel);

static int entry(struct writer *w, const char *rel)
{
	cleanup_free char *path = cc_xasprintf("%s/%s", w->top, rel);
	struct stat st;
	if (lstat(path, &st) < 0)
		return cc_error_set_errno(w->err, CC_ERR_BACKEND_FAILURE, errno, "stat %s", path);
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		/* an overlay whiteout: the OCI form is an empty ".wh.<name>" */
		cleanup_free char *dir = cc_path_dir(rel);
		cleanup_free char *wh = strcmp(dir, ".") == 0
					    ? cc_xasprintf(".wh.%s", rel)
					    : cc_xasprintf("%s/.wh.%s", dir, cc_path_base(rel));
		return put_plain(w, wh, AE_IFREG);
	}
	archive_entry_clear(w->e);
	archive_entry_copy_stat(w->e, &st);
	archive_entry_set_pathname(w->e, rel);
	bool opaque = add_xattrs(w, path);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			return cc_error_set_errno(w->err, CC_ERR_BACKEND_FAILURE, errno, "readlink %s", path);
		target[n] = '\0';
		archive_entry_set_symlink(w->e, target);
	}
	bool data = S_ISREG(st.st_mode);
	if (data && st.st_nlink > 1) {
		char key[64];
		snprintf(key, sizeof(key), "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
		const char *first = cc_strmap_get(&w->links, key);
		if (first) {
			archive_entry_set_hardlink(w->e, first);
			archive_entry_set_size(w->e, 0);
			data = false;
		} else {
			cc_strmap_set(&w->links, key, cc_xstrdup(rel));
		}
	}
	if (!S_ISREG(st.st_mode))
		archive_entry_set_size(w->e, 0);
	if (archive_write_header(w->a, w->e) < ARCHIVE_WARN)
		return archive_fail(w, rel);
	if (data && put_data(w, path, rel) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (opaque) {
		cleanup_free char *marker = cc_xasprintf("%s/.wh..wh..opq", rel);
		if (put_plain(w, marker, AE_IFREG) < 0)
			return -1;
	}
	return walk(w, rel);
}

static int walk(struct writer *w, const char *rel)
{
	cleanup_free char *dir = *rel ? cc_xasprintf("%s/%s", w->top, rel) : cc_xstrdup(w->top);
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return cc_error_set_errno(w->err, CC_ERR_BACKEND_FAILURE, errno, "read %s", dir);
	int r = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (r == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			cleanup_free char *child = *rel ? cc_xasprintf("%s/%s", rel, name) : cc_xstrdup(name);
			r = entry(w, child);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

static bool dir_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return true;
	struct dirent *de;
	bool empty = true;
	while (empty && (de = readdir(d)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

static void hex_digest(struct sha256_ctx *ctx, char out[72])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_digest(ctx, sizeof(d), d);
	strcpy(out, "sha256:");
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
}

static int write_tar(struct writer *w, struct cc_error **err)
{
	w->a = archive_write_new();
	w->e = archive_entry_new();
	archive_write_set_format_pax_restricted(w->a);
	archive_write_set_bytes_in_last_block(w->a, 1);
	int r = archive_write_open(w->a, w, NULL, write_cb, NULL) != ARCHIVE_OK
		    ? cc_error_set(err, CC_ERR_BACKEND_FAILURE, "start layer: %s", archive_error_string(w->a))
		    : walk(w, "");
	if (archive_write_close(w->a) != ARCHIVE_OK && r == 0)
		r = archive_fail(w, "(end)");
	archive_entry_free(w->e);
	archive_write_free(w->a);
	return r;
}

int cc_layer_commit_upper(struct cc_blobs *b, const char *upper, const char *parent_chain,
			  struct cc_built_layer *out, struct cc_error **err)
{
	*out = (struct cc_built_layer){0};
	if (dir_empty(upper)) {
		out->empty = true;
		cc_remove_tree(upper);
		return 0;
	}
	if (cc_libarchive_ready(err) < 0)
		return -1;
	char rnd[17];
	cc_random_hex(rnd, 8);
	cleanup_free char *tmp = cc_xasprintf("%s/tmp/build-layer-%s.tar", cc_blobs_dir(b), rnd);
	struct writer w = {.top = upper, .err = err};
	cc_strmap_init(&w.links, free);
	sha256_init(&w.sha);
	w.fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int r = w.fd < 0 ? cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "create %s", tmp) : 0;
	if (r == 0)
		r = write_tar(&w, err);
	if (w.fd >= 0)
		close(w.fd);
	cc_strmap_release(&w.links);
	if (r == 0) {
		hex_digest(&w.sha, out->digest);
		out->size = w.size;
		cleanup_free char *final = cc_blob_path(b, out->digest);
		if (rename(tmp, final) < 0)
			r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "store %s", final);
	}
	if (r < 0) {
		unlink(tmp);
		return -1;
	}
	cc_chain_id(parent_chain, out->digest, out->chain_id);
	cleanup_free char *layer = cc_layer_path(b, out->chain_id);
	if (rename(upper, layer) < 0) {
		int e = errno;
		cc_remove_tree(upper);
		/* the same changes on the same parents were committed before: that copy is as good */
		if (e != EEXIST && e != ENOTEMPTY)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "store layer %s", layer);
	}
	return 0;
}
