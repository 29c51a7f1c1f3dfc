/* `system generate-cert`: a self-signed P-256 certificate for the daemon's tls:// listener. */
#ifndef CC_API_CERT_H
#define CC_API_CERT_H

#include <stdbool.h>

#include "base/error.h"

struct api_cert_opts {
	const char *out_dir;           /* cert.pem (0644) and key.pem (0600) go here */
	const char *cn;                /* NULL: "localhost" */
	int days;                      /* <= 0: 365 */
	char *const *dns, *const *ips; /* SANs; both NULL: localhost, 127.0.0.1, ::1 */
	bool force;                    /* overwrite existing files */
};

int api_generate_cert(const struct api_cert_opts *o, struct cc_error **err);

#endif
