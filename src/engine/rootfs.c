/* overlayfs mounts for container root filesystems. */
#include "engine/rootfs.h"
#include "base/cleanup.h"
#include "base/random.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int ensure_dir(const char *path, struct cc_error **err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", path);
	return 0;
}

int cc_rootfs_mount(char *const *layers, const char *container_dir, char **merged, struct cc_error **err)
{
	cleanup_free char *upper = cc_xasprintf("%s/upper", container_dir);
	cleanup_free char *work = cc_xasprintf("%s/work", container_dir);
	cleanup_free char *root = cc_xasprintf("%s/rootfs", container_dir);
	if (ensure_dir(container_dir, err) < 0 || ensure_dir(upper, err) < 0 || ensure_dir(work, err) < 0 ||
	    ensure_dir(root, err) < 0)
		return -1;
	size_t n = 0;
	while (layers && layers[n])
		n++;
	if (n == 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "an image without layers has no root filesystem");
	/* overlayfs lists lowers top first */
	cleanup_strbuf struct cc_strbuf opts = CC_STRBUF_INIT;
	cc_strbuf_adds(&opts, "lowerdir=");
	for (size_t i = n; i-- > 0;) {
		if (strchr(layers[i], ':') || strchr(layers[i], ','))
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "layer path %s cannot be an overlay lower", layers[i]);
		cc_strbuf_addf(&opts, "%s%s", i + 1 < n ? ":" : "", layers[i]);
	}
	cc_strbuf_addf(&opts, ",upperdir=%s,workdir=%s", upper, work);
	/* the mount data is one page */
	if (opts.len >= 4000)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				    "image has too many layers for one overlay mount (%zu)", n);
	if (mount("overlay", root, "overlay", 0, cc_strbuf_str(&opts)) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mount overlay at %s", root);
	*merged = steal_pointer(&root);
	return 0;
}

/* Without it the OCI runtime makes these mount points in each container's upper directory, seven new files
 * per start for a scratch image, paid again at removal. Docker's init layer holds the same; like it, the
 * files hide an image's own, which the bind mounts hide anyway. Built aside and renamed into place, so a
 * layer that exists is whole, and a racing builder's copy is thrown away. */
int cc_rootfs_init_layer(const char *path, struct cc_error **err)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return 0;
	/* a name of its own per builder: threads of one process race here too */
	char tag[17], tmp[4096];
	cc_random_hex(tag, 8);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%s", path, tag) >= (int)sizeof(tmp))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "path too long: %s", path);
	static const char *const dirs[] = {"", "/dev", "/proc", "/sys", "/etc"};
	static const char *const files[] = {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf"};
	int r = 0;
	/* modes set, not left to the umask: the merged /etc takes its mode from the topmost layer that has it
	 */
	for (size_t i = 0; r == 0 && i < sizeof(dirs) / sizeof(*dirs); i++) {
		cleanup_free char *d = cc_xasprintf("%s%s", tmp, dirs[i]);
		r = ensure_dir(d, err);
		if (r == 0 && chmod(d, 0755) < 0)
			r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "chmod %s", d);
	}
	for (size_t i = 0; r == 0 && i < sizeof(files) / sizeof(*files); i++) {
		cleanup_free char *f = cc_xasprintf("%s%s", tmp, files[i]);
		int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || fchmod(fd, 0644) < 0)
			r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "create %s", f);
		if (fd >= 0)
			close(fd);
	}
	if (r == 0 && rename(tmp, path) < 0 && errno != EEXIST && errno != ENOTEMPTY)
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "rename %s", tmp);
	/* what is left of ours: all of it after a lost race, a part after a failure */
	for (size_t i = sizeof(files) / sizeof(*files); i-- > 0;) {
		cleanup_free char *f = cc_xasprintf("%s%s", tmp, files[i]);
		unlink(f);
	}
	for (size_t i = sizeof(dirs) / sizeof(*dirs); i-- > 0;) {
		cleanup_free char *d = cc_xasprintf("%s%s", tmp, dirs[i]);
		rmdir(d);
	}
	return r;
}

int cc_rootfs_unmount(const char *container_dir, struct cc_error **err)
{
	cleanup_free char *root = cc_xasprintf("%s/rootfs", container_dir);
	if (umount2(root, 0) == 0 || errno == EINVAL || errno == ENOENT)
		return 0;
	if (errno == EBUSY && umount2(root, MNT_DETACH) == 0)
		return 0;
	return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "unmount %s", root);
}
