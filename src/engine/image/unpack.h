/* Unpacking an image layer (a tar stream, gzip- or zstd-compressed or not) into a directory in the form
 * overlayfs expects as a lower layer:
 *   - a whiteout ".wh.<name>" becomes a character device 0:0 named <name>;
 *   - an opaque marker ".wh..wh..opq" sets the xattr trusted.overlay.opaque="y" on its directory;
 *   - ownership, modes, mtimes, xattrs (incl. security.capability), hard links, symlinks, device nodes and
 *     fifos are kept.
 * Nothing outside `dir` is ever written: absolute paths and ".." are resolved against the layer root, and no
 * path component may be a symlink that leads out (all file creation goes through openat2 RESOLVE_BENEATH or
 * an equivalent check); an entry that tries is refused and the unpack fails. */
#ifndef CC_ENGINE_IMAGE_UNPACK_H
#define CC_ENGINE_IMAGE_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct cc_unpack_stats {
	char diff_id[72]; /* "sha256:<hex>" of the uncompressed tar stream */
	uint64_t size;    /* bytes of file content written */
	uint64_t entries;
};

/* Read the layer from fd (to its end) into dir, which must exist and be empty. On failure the directory is
 * left for the caller to remove (it is a temporary one, renamed into place only on success). */
int cc_layer_unpack(int fd, const char *dir, struct cc_unpack_stats *out, struct cc_error **err);
/* A plain archive (a build context, an ADD source) with the same safety: ".wh." names are ordinary files. */
int cc_tar_unpack(int fd, const char *dir, struct cc_error **err);

#endif
