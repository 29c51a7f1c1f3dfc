/* `cp` for native containers, with docker cp's path rules. A running container is reached through
 * /proc/<init>/root, so a copy sees (and writes into) its volumes and bind mounts as the container does; a
 * stopped one gets its root filesystem mounted for the copy (its own upper directory: what it changed is
 * there). Both sides resolve every path with openat2(RESOLVE_IN_ROOT) (engine/build/copy.c): a symbolic link
 * in the container can never make the copy read or write the host's files. */
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "engine/build/copy.h"
#include "engine/native-internal.h"
#include "engine/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The container's root as a directory fd, and whether a temporary mount was made for it. */
static int container_root(struct native *n, const struct cc_container *c, const char *dir, bool *mounted,
			  struct cc_error **err)
{
	*mounted = false;
	if (c->state == CC_STATE_RUNNING || c->state == CC_STATE_PAUSED) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/root", c->pid);
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "container %s: %s",
						  c->name, path);
		return fd;
	}
	struct cc_image_record rec;
	if (cc_images_resolve(n->images, c->image_id ? c->image_id : c->spec.image, &rec, err) < 0)
		return cc_error_wrap(err, "container %s", c->name);
	cleanup_free char *merged = NULL;
	/* a container never started has no directory yet */
	int r = cc_mkdir_p(dir, 0711, err);
	if (r == 0)
		r = native_mount_rootfs(n, &rec, dir, &merged, err);
	cc_image_record_release(&rec);
	if (r < 0)
		return -1;
	*mounted = true;
	int fd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", merged);
	return fd;
}

int native_container_copy(void *self, const char *ref, const char *container_path, const char *host_path,
			  bool to_container, struct cc_error **err)
{
	struct native *n = self;
	struct cc_container c;
	if (native_container_inspect(self, ref, &c, err) < 0)
		return -1;
	if (!*container_path || !*host_path) {
		cc_container_release(&c);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "cp: a path is empty");
	}
	cleanup_free char *dir = native_container_dir(n, c.id);
	bool mounted;
	int root = container_root(n, &c, dir, &mounted, err);
	cc_container_release(&c);
	if (root < 0)
		return -1;
	/* the host side: relative paths from the caller's working directory */
	cleanup_free char *host = cc_cp_host_path(host_path, err);
	int r = host ? 0 : -1;
	cleanup_free char *cpath =
	    container_path[0] == '/' ? cc_xstrdup(container_path) : cc_xasprintf("/%s", container_path);
	cleanup_close int host_root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* docker's ownership: into the container as root unless -a (not offered: root, like docker without
	 * it); out of it as the caller (root here) */
	struct cc_copy_opts o = {0};
	if (r == 0)
		r = to_container ? cc_cp(host_root, host, root, cpath, &o, err)
				 : cc_cp(root, cpath, host_root, host, &o, err);
	close(root);
	if (mounted) {
		struct cc_error *e = NULL;
		if (cc_rootfs_unmount(dir, &e) < 0)
			cc_error_free(e);
	}
	return r;
}
