/* libmicrohttpd.so.12 through dlopen: see libmhd.h and dynlib.h. */
#define CC_LIBMHD_LOADER
#include "base/libmhd.h"

#define CC_DYN_TABLE struct cc_mhd_api
CC_DYNLIB_DEFINE(cc_mhd, CC_MHD_SYMBOLS, "libmicrohttpd.so.12", "libmicrohttpd12")
