/* The two callbacks serve.c hands to libmicrohttpd (http.c). */
#ifndef CC_SERVER_HTTP_H
#define CC_SERVER_HTTP_H

#include "base/libmhd.h"

enum MHD_Result srv_http_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_size,
				 void **con_cls);
void srv_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			enum MHD_RequestTerminationCode toe);

#endif
