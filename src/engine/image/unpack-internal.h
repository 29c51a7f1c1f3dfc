/* What the layer unpacker's files share: unpack.c (the streams: decompression, hashing, tar parsing) and
 * unpack_fs.c (writing entries beneath the layer root). Not public API. */
#ifndef CC_ENGINE_IMAGE_UNPACK_INTERNAL_H
#define CC_ENGINE_IMAGE_UNPACK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/error.h"
#include "engine/image/unpack.h"

struct archive_entry;

/* Flags for cc_layer_unpack_flags(). */
#define CC_UNPACK_NO_OPENAT2 1u /* behave as if the kernel had no openat2 (tests the fallback) */
#define CC_UNPACK_PLAIN      2u /* a plain archive: ".wh." names are files like any other */

/* cc_layer_unpack() with flags; tests use it to exercise the fallback resolver. */
int cc_layer_unpack_flags(int fd, const char *dir, unsigned flags, struct cc_unpack_stats *out,
			  struct cc_error **err);

/* A directory whose times are set once every entry is written (creating children changes them). */
struct unpack_dir_time {
	char *path; /* cleaned, relative to the root; "" is the root */
	struct timespec ts[2];
};

struct unpack_fs {
	int root_fd;
	bool no_openat2; /* openat2 is missing (ENOSYS) or filtered (EPERM): walk with O_NOFOLLOW instead */
	bool plain;      /* CC_UNPACK_PLAIN */
	struct unpack_dir_time *dirs;
	size_t ndirs, dirs_alloc;
};

/* Where a regular file's content comes from: 1 with a block (buf, len at off), 0 at its end, -1 with *err. */
typedef int unpack_read_fn(void *ud, const void **buf, size_t *len, int64_t *off, struct cc_error **err);

int unpack_fs_open(struct unpack_fs *fs, const char *dir, unsigned flags, struct cc_error **err);
void unpack_fs_release(struct unpack_fs *fs);
/* Write one tar entry (its content, for a regular file, from read_fn). */
int unpack_fs_entry(struct unpack_fs *fs, struct archive_entry *e, unpack_read_fn *read_fn, void *read_ud,
		    struct cc_error **err);
/* Apply the directory times recorded while unpacking. */
int unpack_fs_finish(struct unpack_fs *fs, struct cc_error **err);

/* The path of an entry relative to the layer root: leading '/', empty and "." components dropped, ".."
 * applied lexically. Owned result, "" for the root itself; INVALID_ARGUMENT when ".." would leave the root.
 */
int unpack_path_clean(const char *path, char **out, struct cc_error **err);

#endif
