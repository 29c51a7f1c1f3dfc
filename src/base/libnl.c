/* libnl-route-3.so.200 through dlopen: see libnl.h and dynlib.h. Its libnl-3 symbols are found through the
 * same handle, which dlsym searches with the libraries it depends on. */
#define CC_LIBNL_LOADER
#include "base/libnl.h"

#define CC_DYN_TABLE struct cc_libnl_api
CC_DYNLIB_DEFINE(cc_libnl, CC_LIBNL_SYMBOLS, "libnl-route-3.so.200", "libnl-route-3-200")
