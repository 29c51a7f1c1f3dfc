/* libarchive, loaded when first needed, as libcurl is (curl.h): only image load, save and layer unpacking
 * use it, and linking it at start-up brings libxml2, ICU and libstdc++ into every process (2.2 MiB of a
 * daemon's resident memory, bench/RESULTS.md). Include this instead of <archive.h> and <archive_entry.h>, and
 * call cc_libarchive_ready() at every entry point before the first archive_* call. */
#ifndef CC_BASE_LIBARCHIVE_H
#define CC_BASE_LIBARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "base/error.h"

struct cc_libarchive_api {
	time_t (*entry_atime)(struct archive_entry *);
	int (*entry_atime_is_set)(struct archive_entry *);
	long (*entry_atime_nsec)(struct archive_entry *);
	__LA_MODE_T (*entry_filetype)(struct archive_entry *);
	void (*entry_free)(struct archive_entry *);
	la_int64_t (*entry_gid)(struct archive_entry *);
	const char *(*entry_hardlink)(struct archive_entry *);
	time_t (*entry_mtime)(struct archive_entry *);
	long (*entry_mtime_nsec)(struct archive_entry *);
	struct archive_entry *(*entry_new)(void);
	const char *(*entry_pathname)(struct archive_entry *);
	__LA_MODE_T (*entry_perm)(struct archive_entry *);
	dev_t (*entry_rdevmajor)(struct archive_entry *);
	dev_t (*entry_rdevminor)(struct archive_entry *);
	void (*entry_set_filetype)(struct archive_entry *, unsigned int);
	void (*entry_set_pathname)(struct archive_entry *, const char *);
	void (*entry_set_perm)(struct archive_entry *, __LA_MODE_T);
	void (*entry_set_size)(struct archive_entry *, la_int64_t);
	la_int64_t (*entry_size)(struct archive_entry *);
	const char *(*entry_symlink)(struct archive_entry *);
	la_int64_t (*entry_uid)(struct archive_entry *);
	int (*entry_xattr_next)(struct archive_entry *, const char **, const void **, size_t *);
	int (*entry_xattr_reset)(struct archive_entry *);
	const char *(*error_string)(struct archive *);
	int (*read_data_block)(struct archive *a, const void **buff, size_t *size, la_int64_t *offset);
	int (*read_data_into_fd)(struct archive *, int fd);
	int (*read_free)(struct archive *);
	struct archive *(*read_new)(void);
	int (*read_next_header)(struct archive *, struct archive_entry **);
	int (*read_open)(struct archive *, void *_client_data, archive_open_callback *,
			 archive_read_callback *, archive_close_callback *);
	int (*read_open2)(struct archive *, void *_client_data, archive_open_callback *,
			  archive_read_callback *, archive_skip_callback *, archive_close_callback *);
	int (*read_open_filename)(struct archive *, const char *_filename, size_t _block_size);
	int (*read_support_filter_all)(struct archive *);
	int (*read_support_filter_gzip)(struct archive *);
	int (*read_support_filter_zstd)(struct archive *);
	int (*read_support_format_raw)(struct archive *);
	int (*read_support_format_tar)(struct archive *);
	void (*set_error)(struct archive *, int _err, const char *fmt, ...);
	int (*write_close)(struct archive *);
	la_ssize_t (*write_data)(struct archive *, const void *, size_t);
	int (*write_free)(struct archive *);
	int (*write_header)(struct archive *, struct archive_entry *);
	struct archive *(*write_new)(void);
	int (*write_open_filename)(struct archive *, const char *_file);
	int (*write_set_format_pax_restricted)(struct archive *);
	void (*entry_copy_stat)(struct archive_entry *, const struct stat *);
	void (*entry_set_symlink)(struct archive_entry *, const char *);
	void (*entry_set_hardlink)(struct archive_entry *, const char *);
	void (*entry_xattr_add_entry)(struct archive_entry *, const char *, const void *, size_t);
	struct archive_entry *(*entry_clear)(struct archive_entry *);
	int (*write_open)(struct archive *, void *, archive_open_callback *, archive_write_callback *,
			  archive_close_callback *);
	int (*write_set_bytes_in_last_block)(struct archive *, int);
};

/* The table, filled once per process (pthread_once); its entries are NULL when libarchive could not be
 * loaded, which cc_libarchive_ready() reports. */
const struct cc_libarchive_api *cc_libarchive(void);
int cc_libarchive_ready(struct cc_error **err);

#define archive_entry_atime(...)              (cc_libarchive()->entry_atime(__VA_ARGS__))
#define archive_entry_atime_is_set(...)       (cc_libarchive()->entry_atime_is_set(__VA_ARGS__))
#define archive_entry_atime_nsec(...)         (cc_libarchive()->entry_atime_nsec(__VA_ARGS__))
#define archive_entry_filetype(...)           (cc_libarchive()->entry_filetype(__VA_ARGS__))
#define archive_entry_free(...)               (cc_libarchive()->entry_free(__VA_ARGS__))
#define archive_entry_gid(...)                (cc_libarchive()->entry_gid(__VA_ARGS__))
#define archive_entry_hardlink(...)           (cc_libarchive()->entry_hardlink(__VA_ARGS__))
#define archive_entry_mtime(...)              (cc_libarchive()->entry_mtime(__VA_ARGS__))
#define archive_entry_mtime_nsec(...)         (cc_libarchive()->entry_mtime_nsec(__VA_ARGS__))
#define archive_entry_new(...)                (cc_libarchive()->entry_new(__VA_ARGS__))
#define archive_entry_pathname(...)           (cc_libarchive()->entry_pathname(__VA_ARGS__))
#define archive_entry_perm(...)               (cc_libarchive()->entry_perm(__VA_ARGS__))
#define archive_entry_rdevmajor(...)          (cc_libarchive()->entry_rdevmajor(__VA_ARGS__))
#define archive_entry_rdevminor(...)          (cc_libarchive()->entry_rdevminor(__VA_ARGS__))
#define archive_entry_set_filetype(...)       (cc_libarchive()->entry_set_filetype(__VA_ARGS__))
#define archive_entry_set_pathname(...)       (cc_libarchive()->entry_set_pathname(__VA_ARGS__))
#define archive_entry_set_perm(...)           (cc_libarchive()->entry_set_perm(__VA_ARGS__))
#define archive_entry_set_size(...)           (cc_libarchive()->entry_set_size(__VA_ARGS__))
#define archive_entry_size(...)               (cc_libarchive()->entry_size(__VA_ARGS__))
#define archive_entry_symlink(...)            (cc_libarchive()->entry_symlink(__VA_ARGS__))
#define archive_entry_uid(...)                (cc_libarchive()->entry_uid(__VA_ARGS__))
#define archive_entry_xattr_next(...)         (cc_libarchive()->entry_xattr_next(__VA_ARGS__))
#define archive_entry_xattr_reset(...)        (cc_libarchive()->entry_xattr_reset(__VA_ARGS__))
#define archive_error_string(...)             (cc_libarchive()->error_string(__VA_ARGS__))
#define archive_read_data_block(...)          (cc_libarchive()->read_data_block(__VA_ARGS__))
#define archive_read_data_into_fd(...)        (cc_libarchive()->read_data_into_fd(__VA_ARGS__))
#define archive_read_free(...)                (cc_libarchive()->read_free(__VA_ARGS__))
#define archive_read_new(...)                 (cc_libarchive()->read_new(__VA_ARGS__))
#define archive_read_next_header(...)         (cc_libarchive()->read_next_header(__VA_ARGS__))
#define archive_read_open(...)                (cc_libarchive()->read_open(__VA_ARGS__))
#define archive_read_open2(...)               (cc_libarchive()->read_open2(__VA_ARGS__))
#define archive_read_open_filename(...)       (cc_libarchive()->read_open_filename(__VA_ARGS__))
#define archive_read_support_filter_all(...)  (cc_libarchive()->read_support_filter_all(__VA_ARGS__))
#define archive_read_support_filter_gzip(...) (cc_libarchive()->read_support_filter_gzip(__VA_ARGS__))
#define archive_read_support_filter_zstd(...) (cc_libarchive()->read_support_filter_zstd(__VA_ARGS__))
#define archive_read_support_format_raw(...)  (cc_libarchive()->read_support_format_raw(__VA_ARGS__))
#define archive_read_support_format_tar(...)  (cc_libarchive()->read_support_format_tar(__VA_ARGS__))
#define archive_set_error(...)                (cc_libarchive()->set_error(__VA_ARGS__))
#define archive_write_close(...)              (cc_libarchive()->write_close(__VA_ARGS__))
#define archive_write_data(...)               (cc_libarchive()->write_data(__VA_ARGS__))
#define archive_write_free(...)               (cc_libarchive()->write_free(__VA_ARGS__))
#define archive_write_header(...)             (cc_libarchive()->write_header(__VA_ARGS__))
#define archive_write_new(...)                (cc_libarchive()->write_new(__VA_ARGS__))
#define archive_write_open_filename(...)      (cc_libarchive()->write_open_filename(__VA_ARGS__))
#define archive_entry_copy_stat(...)          (cc_libarchive()->entry_copy_stat(__VA_ARGS__))
#define archive_entry_set_symlink(...)        (cc_libarchive()->entry_set_symlink(__VA_ARGS__))
#define archive_entry_set_hardlink(...)       (cc_libarchive()->entry_set_hardlink(__VA_ARGS__))
#define archive_entry_xattr_add_entry(...)    (cc_libarchive()->entry_xattr_add_entry(__VA_ARGS__))
#define archive_entry_clear(...)              (cc_libarchive()->entry_clear(__VA_ARGS__))
#define archive_write_open(...)               (cc_libarchive()->write_open(__VA_ARGS__))
#define archive_write_set_bytes_in_last_block(...)                                                           \
	(cc_libarchive()->write_set_bytes_in_last_block(__VA_ARGS__))
#define archive_write_set_format_pax_restricted(...)                                                         \
	(cc_libarchive()->write_set_format_pax_restricted(__VA_ARGS__))

#endif
