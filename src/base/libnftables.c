/* libnftables.so.1 through dlopen: see libnftables.h and dynlib.h. */
#define CC_LIBNFTABLES_LOADER
#include "base/libnftables.h"

#define CC_DYN_TABLE struct cc_nftables_api
CC_DYNLIB_DEFINE(cc_nftables, CC_NFTABLES_SYMBOLS, "libnftables.so.1", "libnftables1")
