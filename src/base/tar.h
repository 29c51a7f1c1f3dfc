/* A directory tree as a tar file (pax): regular files with their content, directories and symbolic links
 * (sockets, fifos and devices are left out), names relative to the directory, owners, modes and times kept.
 * What build contexts and `cp` through the daemon send. */
#ifndef CC_BASE_TAR_H
#define CC_BASE_TAR_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

struct cc_tar_opts {
	/* true to leave `rel` out (and, for a directory, what it holds); NULL: everything */
	bool (*skip)(void *ctx, const char *rel, bool is_dir);
	void *ctx;
	const char *prefix; /* names in the tar start with "<prefix>/" (NULL: none) */
	/* one more file at the end (NULL: none) */
	const char *extra_name;
	const char *extra_data;
	size_t extra_len;
};

/* `path` may be a directory (its tree) or a single file (one entry named prefix or its own name). */
int cc_tar_write(const char *path, const char *tar_path, const struct cc_tar_opts *o, struct cc_error **err);

#endif
