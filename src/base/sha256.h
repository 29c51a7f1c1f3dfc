/* SHA-256 (nettle) as lowercase hex. */
#ifndef CC_BASE_SHA256_H
#define CC_BASE_SHA256_H

#include <stddef.h>

#define CC_SHA256_HEX_LEN 64

/* out must hold CC_SHA256_HEX_LEN + 1 bytes. */
void cc_sha256_hex(const void *data, size_t len, char *out);

#endif
