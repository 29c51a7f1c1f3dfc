/* A container's root filesystem: overlayfs over its image's unpacked layers (read-only lowers, shared by
 * every container of the image), with the container's own upper and work directories under its directory. */
#ifndef CC_ENGINE_ROOTFS_H
#define CC_ENGINE_ROOTFS_H

#include "base/error.h"

/* Mount at <container_dir>/rootfs; layers are given lowest first (the image's order). Creates upper/ and
 * work/ on first use, so a restarted container keeps its changes. *merged (owned) is the mount point. */
int cc_rootfs_mount(char *const *layers, const char *container_dir, char **merged, struct cc_error **err);
/* Make the init layer at `path` unless it is there: the empty mount points every bundle mounts over (/dev,
 * /proc, /sys, /etc/hosts, /etc/hostname, /etc/resolv.conf), for the top of each container's lowers. */
int cc_rootfs_init_layer(const char *path, struct cc_error **err);
/* Unmount (lazily if busy); a rootfs that is not mounted is fine. */
int cc_rootfs_unmount(const char *container_dir, struct cc_error **err);

#endif
