/* COPY and ADD: files from a build context or another stage's root filesystem into the root filesystem of
 * the step being built. Every path on either side is resolved with openat2(RESOLVE_IN_ROOT), so a symbolic
 * link in the context or in the image can never lead a copy outside its root (an absolute link resolves
 * against the root, as it would inside the container). */
#ifndef CC_ENGINE_BUILD_COPY_H
#define CC_ENGINE_BUILD_COPY_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/error.h"
#include "base/ignore.h"

struct cc_copy_opts {
	bool keep_owner; /* as in the source (COPY --from); else uid/gid below */
	uid_t uid;       /* 0 unless --chown */
	gid_t gid;
	bool set_mode; /* --chmod */
	mode_t mode;
	/* context sources: what .dockerignore excludes is skipped; `base` is the source's path relative to
	 * the context root, which the patterns see */
	const struct cc_ignore *ignore;
	/* the source is a running container's view: a directory on one of the kernel's filesystems (proc,
	 * sysfs, cgroup, devpts, mqueue, ...) is copied empty, as docker cp sees the container's root without
	 * them; walking /proc would copy the host's kernel state, or fail on it */
	bool skip_kernel_fs;
};

/* An fd for `path` resolved inside root_fd (symlinks followed within the root), or -errno. */
int cc_inroot_open(int root_fd, const char *path, int flags, mode_t mode);
/* Open directory `path` inside the root, creating what is missing (mode 0755, the owner of opts). */
int cc_inroot_mkdirs(int root_fd, const char *path, const struct cc_copy_opts *o, struct cc_error **err);

/* Copy `src` (relative to src_root; a symbolic link there is followed) into the root at `dest` (absolute in
 * the root): a directory's contents go into dest; a file goes to dest/<name> when dest_is_dir, else to dest.
 * NOT_FOUND names a missing source. */
int cc_copy_path(int src_root, const char *src, int dest_root, const char *dest, bool dest_is_dir,
		 const struct cc_copy_opts *o, struct cc_error **err);

/* Write `len` bytes as the file `dest` in the root (parents created): COPY <<EOF. */
int cc_copy_bytes(int dest_root, const char *dest, const char *data, size_t len, const struct cc_copy_opts *o,
		  struct cc_error **err);

/* docker cp's rules from (src_root, src) to (dst_root, dst): a directory is copied as dst when dst does not
 * exist, into dst/<its name> when it does, and only its contents with a trailing "/."; a file goes to dst,
 * or into it when dst is a directory (a dst ending in "/" must be one). NOT_FOUND names a missing source. */
int cc_cp(int src_root, const char *src, int dst_root, const char *dst, const struct cc_copy_opts *o,
	  struct cc_error **err);
/* A host path for cp: absolute (from the working directory), a trailing "/" or "/." kept (owned). */
char *cc_cp_host_path(const char *path, struct cc_error **err);
/* The host's side of a cp out of a container whose path arrives as a tar (an engine's or our daemon's
 * archive endpoint): entries under the path's own name, unpacked in a private temporary directory and copied
 * to `host` by the rules of cc_cp; `contents` (the source was named with "/.") copies what a directory
 * holds; `as` (NULL: keep it) renames the entry first, for a source that was a link followed to its target.
 * tar_fd is read from its current offset. */
int cc_cp_tar_to_host(int tar_fd, bool contents, const char *as, const char *host, struct cc_error **err);

#endif
