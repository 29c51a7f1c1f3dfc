/* libgnutls.so.30 through dlopen: see libgnutls.h and dynlib.h. */
#define CC_LIBGNUTLS_LOADER
#include "base/libgnutls.h"

#define CC_DYN_TABLE struct cc_gnutls_api
CC_DYNLIB_DEFINE(cc_gnutls, CC_GNUTLS_SYMBOLS, "libgnutls.so.30", "libgnutls30")
