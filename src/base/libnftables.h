/* libnftables: the native backend's firewall, opened when first needed (base/dynlib.h says why and how).
 * Include this instead of the library's own header; call cc_nftables_ready() at every entry point before the
 * first call. */
#ifndef CC_BASE_LIBNFTABLES_H
#define CC_BASE_LIBNFTABLES_H

#include "base/dynlib.h"

#include <nftables/libnftables.h>

#define CC_NFTABLES_SYMBOLS(X)                                                                               \
	X(nft_ctx_new)                                                                                       \
	X(nft_ctx_free)                                                                                      \
	X(nft_ctx_buffer_output)                                                                             \
	X(nft_ctx_buffer_error)                                                                              \
	X(nft_run_cmd_from_buffer)                                                                           \
	X(nft_ctx_get_error_buffer)                                                                          \
	X(nft_ctx_get_output_buffer)

struct cc_nftables_api {
	CC_NFTABLES_SYMBOLS(CC_DYN_FIELD)
};

const struct cc_nftables_api *cc_nftables(void);
int cc_nftables_ready(struct cc_error **err);

#ifndef CC_LIBNFTABLES_LOADER
#define nft_ctx_new               (cc_nftables()->p_nft_ctx_new)
#define nft_ctx_free              (cc_nftables()->p_nft_ctx_free)
#define nft_ctx_buffer_output     (cc_nftables()->p_nft_ctx_buffer_output)
#define nft_ctx_buffer_error      (cc_nftables()->p_nft_ctx_buffer_error)
#define nft_run_cmd_from_buffer   (cc_nftables()->p_nft_run_cmd_from_buffer)
#define nft_ctx_get_error_buffer  (cc_nftables()->p_nft_ctx_get_error_buffer)
#define nft_ctx_get_output_buffer (cc_nftables()->p_nft_ctx_get_output_buffer)
#endif

#endif
