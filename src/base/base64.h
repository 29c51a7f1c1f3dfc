/* Standard base64 (RFC 4648 section 4): registry credentials, and the path stat a Docker Engine sends in a
 * header. */
#ifndef CC_BASE_BASE64_H
#define CC_BASE_BASE64_H

#include <stddef.h>

/* Encode len bytes (owned, NUL-terminated). */
char *cc_base64(const void *data, size_t len);
/* Decode standard base64 (padding optional); NULL when invalid. The result is NUL-terminated, *len (when
 * not NULL) its length. */
char *cc_base64_decode(const char *s, size_t *len);

#endif
