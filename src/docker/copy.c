/* `cp` for the docker backend, through the engine's archive endpoints: HEAD to stat a path in the
 * container, GET for a tar of one, PUT to unpack a tar into a directory. docker cp's path rules are applied
 * here, as docker's own CLI does: the engine only unpacks into a directory that exists, so where a file or a
 * directory lands (into an existing directory, or as a new name) is decided from the stat of the destination
 * and said by the name the tar gives its entries. The host's side reuses cc_cp, the native backend's rules.
 */
#include "docker/docker-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base64.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/tar.h"
#include "base/xalloc.h"
#include "engine/build/copy.h"

#define D(self) (((struct docker *)(self))->c)

/* Go's os.FileMode bits, as the engine's stat header carries them */
#define GO_MODE_DIR     (1u << 31)
#define GO_MODE_SYMLINK (1u << 27)

struct path_stat {
	bool exists, is_dir;
	char *link; /* a symbolic link's target, or NULL */
};

static char *archive_path(const char *cid, const char *path)
{
	cleanup_strbuf struct cc_strbuf q = CC_STRBUF_INIT;
	cleanup_free char *e = cc_http_escape(cid);
	cc_http_query_add(&q, "path", path);
	return cc_xasprintf("/containers/%s/archive%s", e, cc_strbuf_str(&q));
}

/* The engine's stat of `path` in the container (HEAD: a base64 JSON object in a header). */
static int archive_stat(struct dk_client *c, const char *cid, const char *name, const char *path,
			struct path_stat *out, struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_free char *p = archive_path(cid, path);
	struct cc_http_req r = {
	    .method = "HEAD", .path = p, .raw_fd = -1, .want_header = "X-Docker-Container-Path-Stat"};
	int rc = dk_do(c, &r, err);
	if (rc == 0 && r.status == 404) {
		cc_http_req_release(&r);
		return 0;
	}
	cleanup_free char *what = cc_xasprintf("container %s: %s", name, path);
	if (rc == 0)
		rc = dk_check(c, &r, what, NULL, err);
	cleanup_free char *raw = rc == 0 && r.header_value ? cc_base64_decode(r.header_value, NULL) : NULL;
	cc_http_req_release(&r);
	if (rc < 0)
		return -1;
	json_t *j = raw ? json_loads(raw, 0, NULL) : NULL;
	if (!j)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE,
				    "%s: the engine's answer has no readable path stat", what);
	uint32_t mode = (uint32_t)dk_int(j, "mode");
	out->exists = true;
	out->is_dir = mode & GO_MODE_DIR;
	if (mode & GO_MODE_SYMLINK)
		out->link = dk_strdup(j, "linkTarget");
	json_decref(j);
	return 0;
}

/* Stat a destination, following one symbolic link as docker's CLI does (a relative target from the
 * link's directory). */
static int dest_stat(struct dk_client *c, const char *cid, const char *name, const char *path,
		     struct path_stat *out, struct cc_error **err)
{
	if (archive_stat(c, cid, name, path, out, err) < 0)
		return -1;
	if (!out->link)
		return 0;
	cleanup_free char *dir = cc_path_dir(path);
	cleanup_free char *target = cc_path_join(dir, out->link);
	free(out->link);
	int rc = archive_stat(c, cid, name, target, out, err);
	/* a link to a link: its stat says what it is (not a directory), which is as far as docker looks */
	free(out->link);
	out->link = NULL;
	return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int put_tar(struct dk_client *c, const char *cid, const char *name, const char *dir, const char *tar,
		   struct cc_error **err)
{
	cleanup_close int fd = open(tar, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "open %s", tar);
	cleanup_free char *p = archive_path(cid, dir);
	cleanup_free char *q = cc_xasprintf("%s&noOverwriteDirNonDir=true", p);
	struct cc_http_req r = {.method = "PUT", .path = q, .raw_fd = fd};
	cleanup_free char *what = cc_xasprintf("container %s: copy into %s", name, dir);
	int rc = dk_do(c, &r, err);
	if (rc == 0)
		rc = dk_check(c, &r, what, NULL, err);
	cc_http_req_release(&r);
	return rc;
}

static int copy_in(struct dk_client *c, const char *cid, const char *name, const char *container_path,
		   const char *host, struct cc_error **err)
{
	bool contents = ends_with(host, "/.");
	cleanup_free char *src = cc_path_clean(host);
	struct stat st;
	if (stat(src, &st) < 0)
		return cc_error_set_errno(err, errno == ENOENT ? CC_ERR_NOT_FOUND : CC_ERR_INTERNAL, errno,
					  "could not find the file %s", src);
	bool src_dir = S_ISDIR(st.st_mode);
	if (ends_with(host, "/") && !src_dir)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s is not a directory", src);
	cleanup_free char *dst = cc_path_clean(container_path);
	struct path_stat ds;
	if (dest_stat(c, cid, name, dst, &ds, err) < 0)
		return -1;
	/* where the engine unpacks, and the name the tar gives the source there (NULL: its contents) */
	cleanup_free char *into = NULL;
	const char *entry;
	if (ds.exists && ds.is_dir) {
		into = cc_xstrdup(dst);
		entry = contents ? NULL : cc_path_base(src);
	} else if (ds.exists) {
		if (src_dir)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "cannot copy a directory to a file: %s is not a directory", dst);
		into = cc_path_dir(dst);
		entry = cc_path_base(dst);
	} else {
		if (ends_with(container_path, "/") && !src_dir)
			return cc_error_set(err, CC_ERR_NOT_FOUND, "destination directory %s does not exist",
					    container_path);
		into = cc_path_dir(dst);
		entry = cc_path_base(dst);
		struct path_stat ps;
		if (dest_stat(c, cid, name, into, &ps, err) < 0)
			return -1;
		if (!ps.exists || !ps.is_dir)
			return cc_error_set(err, CC_ERR_NOT_FOUND, "destination directory %s does not exist",
					    into);
	}
	char tmp[] = "/tmp/cc-cp-XXXXXX";
	if (!mkdtemp(tmp))
		return cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "cp: a temporary directory");
	cleanup_free char *tar = cc_xasprintf("%s/copy.tar", tmp);
	int rc = cc_tar_write(src, tar, &(struct cc_tar_opts){.prefix = entry}, err);
	if (rc == 0)
		rc = put_tar(c, cid, name, into, tar, err);
	cc_remove_tree(tmp);
	return rc;
}

static int copy_out(struct dk_client *c, const char *cid, const char *name, const char *container_path,
		    const char *host, struct cc_error **err)
{
	bool contents = ends_with(container_path, "/.");
	/* a directory's contents are its tar, copied from inside its one entry */
	cleanup_free char *src = cc_path_clean(container_path);
	/* a link is followed, as the native backend's cp does (docker cp -L): its target's tar, under the
	 * link's name */
	struct path_stat st;
	if (archive_stat(c, cid, name, src, &st, err) < 0)
		return -1;
	if (!st.exists)
		return cc_error_set(err, CC_ERR_NOT_FOUND, "container %s: could not find the file %s", name,
				    src);
	cleanup_free char *target = NULL;
	if (st.link) {
		cleanup_free char *dir = cc_path_dir(src);
		target = cc_path_join(dir, st.link);
		free(st.link);
	}
	cleanup_free char *p = archive_path(cid, target ? target : src);
	char tmp[] = "/tmp/cc-cp-XXXXXX";
	int fd = mkstemp(tmp);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "cp: a temporary file");
	unlink(tmp);
	struct cc_http_req r = {
	    .method = "GET", .path = p, .raw_fd = -1, .chunk = cc_http_chunk_to_fd, .ctx = &fd};
	int rc = dk_do(c, &r, err);
	if (rc == 0 && r.status == 404)
		rc = cc_error_set(err, CC_ERR_NOT_FOUND, "container %s: could not find the file %s", name,
				  target ? target : src);
	cleanup_free char *what = cc_xasprintf("container %s: copy of %s", name, src);
	if (rc == 0)
		rc = dk_check(c, &r, what, NULL, err);
	cc_http_req_release(&r);
	if (rc == 0 && lseek(fd, 0, SEEK_SET) < 0)
		rc = cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "cp");
	if (rc == 0)
		rc = cc_cp_tar_to_host(fd, contents, target ? cc_path_base(src) : NULL, host, err);
	close(fd);
	return rc;
}

int dk_container_copy(void *self, const char *ref, const char *container_path, const char *host_path,
		      bool to_container, struct cc_error **err)
{
	if (!*container_path || !*host_path)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "cp: a path is empty");
	struct cc_container ct;
	if (dk_container_inspect(self, ref, &ct, err) < 0)
		return -1;
	cleanup_free char *cid = cc_xstrdup(ct.id);
	cleanup_free char *name = cc_xstrdup(ct.name);
	cc_container_release(&ct);
	cleanup_free char *host = cc_cp_host_path(host_path, err);
	if (!host)
		return -1;
	/* a relative container path is from the root, as the native backend reads it */
	cleanup_free char *cpath =
	    container_path[0] == '/' ? cc_xstrdup(container_path) : cc_xasprintf("/%s", container_path);
	return to_container ? copy_in(D(self), cid, name, cpath, host, err)
			    : copy_out(D(self), cid, name, cpath, host, err);
}
