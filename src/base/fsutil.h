/* Small filesystem and path helpers. */
#ifndef CC_BASE_FSUTIL_H
#define CC_BASE_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/error.h"

/* Read a whole file (or stream) into a NUL-terminated buffer. NOT_FOUND when the file does not exist. */
int cc_read_file(const char *path, char **data, size_t *len, struct cc_error **err);
/* A small file's text (owned), or NULL when it cannot be read: for records whose absence the caller
 * handles the same way as any failure to read them. */
char *cc_read_text(const char *path);
int cc_read_stream(FILE *f, const char *name, char **data, size_t *len, struct cc_error **err);
bool cc_file_exists(const char *path);
bool cc_is_dir(const char *path);
/* Write data to `tmp` (created with `mode`), then rename it over `path`: readers see the old file or the
 * whole new one. With `durable`, the data is on disk before the rename. The caller picks `tmp` so that no
 * reader of the directory mistakes it for a real file. */
int cc_write_file_atomic(const char *path, const char *tmp, const void *data, size_t len, unsigned mode,
			 bool durable, struct cc_error **err);
/* Writes all of data to fd, going on after EINTR and short writes: 0, or -1 with errno set (a write of 0
 * bytes counts as EIO). */
int cc_write_all(int fd, const void *data, size_t len);
/* rm -rf path, staying on its filesystem; 0 when it is gone (or never was). */
int cc_remove_tree(const char *path);
/* mkdir -p: every missing directory of path, with mode (existing ones are left as they are). */
int cc_mkdir_p(const char *path, unsigned mode, struct cc_error **err);

/* Lexical path helpers: no symlink resolution, like Go's filepath.Clean/Join/Dir/Abs. */
char *cc_path_clean(const char *path);
char *cc_path_join(const char *dir, const char *rel); /* rel absolute -> clean(rel) */
char *cc_path_dir(const char *path);
const char *cc_path_base(const char *path); /* points into path */
/* Absolute, cleaned path of `path` relative to `base` (or the cwd when base is NULL). */
char *cc_path_abs(const char *base, const char *path, struct cc_error **err);

#endif
