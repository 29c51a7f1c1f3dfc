/* libarchive through dlopen: see libarchive.h. The table is written once, under pthread_once, and only read
 * after. */
#include "base/libarchive.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct cc_libarchive_api loaded;
static bool ok;
static char why[256];

#define SYM(field, name)                                                                                     \
	do {                                                                                                 \
		*(void **)&api.field = dlsym(h, name);                                                       \
		if (!api.field) {                                                                            \
			snprintf(why, sizeof(why), "libarchive.so.13: no symbol %s", name);                  \
			return false;                                                                        \
		}                                                                                            \
	} while (0)

static bool load_from(void *h)
{
	struct cc_libarchive_api api;
	SYM(entry_atime, "archive_entry_atime");
	SYM(entry_atime_is_set, "archive_entry_atime_is_set");
	SYM(entry_atime_nsec, "archive_entry_atime_nsec");
	SYM(entry_filetype, "archive_entry_filetype");
	SYM(entry_free, "archive_entry_free");
	SYM(entry_gid, "archive_entry_gid");
	SYM(entry_hardlink, "archive_entry_hardlink");
	SYM(entry_mtime, "archive_entry_mtime");
	SYM(entry_mtime_nsec, "archive_entry_mtime_nsec");
	SYM(entry_new, "archive_entry_new");
	SYM(entry_pathname, "archive_entry_pathname");
	SYM(entry_perm, "archive_entry_perm");
	SYM(entry_rdevmajor, "archive_entry_rdevmajor");
	SYM(entry_rdevminor, "archive_entry_rdevminor");
	SYM(entry_set_filetype, "archive_entry_set_filetype");
	SYM(entry_set_pathname, "archive_entry_set_pathname");
	SYM(entry_set_perm, "archive_entry_set_perm");
	SYM(entry_set_size, "archive_entry_set_size");
	SYM(entry_size, "archive_entry_size");
	SYM(entry_symlink, "archive_entry_symlink");
	SYM(entry_uid, "archive_entry_uid");
	SYM(entry_xattr_next, "archive_entry_xattr_next");
	SYM(entry_xattr_reset, "archive_entry_xattr_reset");
	SYM(error_string, "archive_error_string");
	SYM(read_data_block, "archive_read_data_block");
	SYM(read_data_into_fd, "archive_read_data_into_fd");
	SYM(read_free, "archive_read_free");
	SYM(read_new, "archive_read_new");
	SYM(read_next_header, "archive_read_next_header");
	SYM(read_open, "archive_read_open");
	SYM(read_open2, "archive_read_open2");
	SYM(read_open_filename, "archive_read_open_filename");
	SYM(read_support_filter_all, "archive_read_support_filter_all");
	SYM(read_support_filter_gzip, "archive_read_support_filter_gzip");
	SYM(read_support_filter_zstd, "archive_read_support_filter_zstd");
	SYM(read_support_format_raw, "archive_read_support_format_raw");
	SYM(read_support_format_tar, "archive_read_support_format_tar");
	SYM(set_error, "archive_set_error");
	SYM(write_close, "archive_write_close");
	SYM(write_data, "archive_write_data");
	SYM(write_free, "archive_write_free");
	SYM(write_header, "archive_write_header");
	SYM(write_new, "archive_write_new");
	SYM(write_open_filename, "archive_write_open_filename");
	SYM(write_set_format_pax_restricted, "archive_write_set_format_pax_restricted");
	SYM(entry_copy_stat, "archive_entry_copy_stat");
	SYM(entry_set_symlink, "archive_entry_set_symlink");
	SYM(entry_set_hardlink, "archive_entry_set_hardlink");
	SYM(entry_xattr_add_entry, "archive_entry_xattr_add_entry");
	SYM(entry_clear, "archive_entry_clear");
	SYM(write_open, "archive_write_open");
	SYM(write_set_bytes_in_last_block, "archive_write_set_bytes_in_last_block");
	loaded = api;
	return true;
}

static void load(void)
{
	void *h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, sizeof(why), "cannot load libarchive (install libarchive13): %s", dlerror());
		return;
	}
	ok = load_from(h);
	if (!ok)
		dlclose(h);
}

const struct cc_libarchive_api *cc_libarchive(void)
{
	pthread_once(&once, load);
	return &loaded;
}

int cc_libarchive_ready(struct cc_error **err)
{
	pthread_once(&once, load);
	if (!ok)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s", why);
	return 0;
}
