/* /containers/{id}/archive: `cp` through the daemon (an extension; the remote backend's container copy). The
 * path rules stay the backend's: GET copies the container's `path` to a scratch directory on the daemon's
 * side and answers it as a tar whose entries sit under the path's last name; PUT unpacks the tar (the store's
 * safe unpacker) into a scratch directory and copies the entry `name` (its contents with contents=true, the
 * "SRC/." form) to `path` in the container. */
#include "api/shapes.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/tar.h"
#include "base/xalloc.h"
#include "engine/image/unpack.h"
#include "server/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void h_container_archive_get(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	const char *path = srv_query(r, "path");
	if (!rt)
		return;
	if (!path || !*path) {
		srv_reply_status(r, 400, "path: required");
		return;
	}
	cleanup_free char *dir = srv_scratch_path(srv_server(r), "cp");
	cleanup_free char *name = api_copy_entry_name(path);
	cleanup_free char *dst = cc_xasprintf("%s/%s", dir, name);
	cleanup_free char *tar = cc_xasprintf("%s.tar", dir);
	struct cc_error *err = NULL;
	int rc = mkdir(dir, 0700) < 0 ? cc_error_set_errno(&err, CC_ERR_INTERNAL, errno, "mkdir %s", dir) : 0;
	if (rc == 0)
		rc = cc_rt_container_copy(rt, srv_param(r, 0), path, dst, false, &err);
	if (rc == 0)
		rc = cc_tar_write(dst, tar, &(struct cc_tar_opts){.prefix = name}, &err);
	cc_remove_tree(dir);
	if (rc < 0) {
		unlink(tar);
		srv_reply_error(r, &err);
		return;
	}
	srv_reply_file(r, "application/x-tar", tar);
}

void h_container_archive_put(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	const char *path = srv_query(r, "path"), *name = srv_query(r, "name");
	if (!rt)
		return;
	if (!path || !*path || !name || !*name || strchr(name, '/') || strcmp(name, "..") == 0 ||
	    strcmp(name, ".") == 0) {
		srv_reply_status(r, 400, "path and name (one path component) are required");
		return;
	}
	const char *body = srv_body_upload(r, "the body must be a tar of what to copy");
	if (!body)
		return;
	cleanup_free char *dir = srv_scratch_path(srv_server(r), "cp");
	struct cc_error *err = NULL;
	cleanup_close int fd = open(body, O_RDONLY | O_CLOEXEC);
	int rc = mkdir(dir, 0700) < 0 ? cc_error_set_errno(&err, CC_ERR_INTERNAL, errno, "mkdir %s", dir)
		 : fd < 0             ? cc_error_set_errno(&err, CC_ERR_INTERNAL, errno, "open %s", body)
				      : cc_tar_unpack(fd, dir, &err);
	if (rc < 0 && err->kind != CC_ERR_INTERNAL)
		err->kind = CC_ERR_INVALID_ARGUMENT;
	cleanup_free char *src =
	    cc_xasprintf("%s/%s%s", dir, name, srv_query_bool(r, "contents", false) ? "/." : "");
	if (rc == 0)
		rc = cc_rt_container_copy(rt, srv_param(r, 0), path, src, true, &err);
	cc_remove_tree(dir);
	if (rc < 0) {
		srv_reply_error(r, &err);
		return;
	}
	srv_reply_json(r, 200, json_pack("{ss}", "copied", path));
}
