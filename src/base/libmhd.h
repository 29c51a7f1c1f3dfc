/* libmicrohttpd: the daemon's HTTP server (`serve`), opened when first needed (base/dynlib.h says why and
 * how). Include this instead of the library's own header; call cc_mhd_ready() at every entry point before the
 * first call. */
#ifndef CC_BASE_LIBMHD_H
#define CC_BASE_LIBMHD_H

#include "base/dynlib.h"

#include <microhttpd.h>

#define CC_MHD_SYMBOLS(X)                                                                                    \
	X(MHD_start_daemon)                                                                                  \
	X(MHD_stop_daemon)                                                                                   \
	X(MHD_quiesce_daemon)                                                                                \
	X(MHD_get_connection_info)                                                                           \
	X(MHD_get_connection_values)                                                                         \
	X(MHD_lookup_connection_value)                                                                       \
	X(MHD_suspend_connection)                                                                            \
	X(MHD_resume_connection)                                                                             \
	X(MHD_create_response_from_buffer)                                                                   \
	X(MHD_create_response_from_fd)                                                                       \
	X(MHD_create_response_from_callback)                                                                 \
	X(MHD_add_response_header)                                                                           \
	X(MHD_queue_response)                                                                                \
	X(MHD_destroy_response)                                                                              \
	X(MHD_create_response_for_upgrade)                                                                   \
	X(MHD_upgrade_action)

struct cc_mhd_api {
	CC_MHD_SYMBOLS(CC_DYN_FIELD)
};

const struct cc_mhd_api *cc_mhd(void);
int cc_mhd_ready(struct cc_error **err);

#ifndef CC_LIBMHD_LOADER
#define MHD_start_daemon                  (cc_mhd()->p_MHD_start_daemon)
#define MHD_stop_daemon                   (cc_mhd()->p_MHD_stop_daemon)
#define MHD_quiesce_daemon                (cc_mhd()->p_MHD_quiesce_daemon)
#define MHD_get_connection_info           (cc_mhd()->p_MHD_get_connection_info)
#define MHD_get_connection_values         (cc_mhd()->p_MHD_get_connection_values)
#define MHD_lookup_connection_value       (cc_mhd()->p_MHD_lookup_connection_value)
#define MHD_suspend_connection            (cc_mhd()->p_MHD_suspend_connection)
#define MHD_resume_connection             (cc_mhd()->p_MHD_resume_connection)
#define MHD_create_response_from_buffer   (cc_mhd()->p_MHD_create_response_from_buffer)
#define MHD_create_response_from_fd       (cc_mhd()->p_MHD_create_response_from_fd)
#define MHD_create_response_from_callback (cc_mhd()->p_MHD_create_response_from_callback)
#define MHD_add_response_header           (cc_mhd()->p_MHD_add_response_header)
#define MHD_queue_response                (cc_mhd()->p_MHD_queue_response)
#define MHD_destroy_response              (cc_mhd()->p_MHD_destroy_response)
#define MHD_create_response_for_upgrade   (cc_mhd()->p_MHD_create_response_for_upgrade)
#define MHD_upgrade_action                (cc_mhd()->p_MHD_upgrade_action)
#endif

#endif
