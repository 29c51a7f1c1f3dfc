/* Typed frames on a byte stream: a type byte, the payload's length (4 bytes, big-endian), the payload. The
 * native monitor's attach socket and the daemon's interactive sessions speak them.
 *
 * Towards the process: 'd' input bytes, 'e' the end of input, 'w' the terminal's size (rows and columns, 2
 * bytes each, big-endian). From a daemon's session: '1' standard output, '2' standard error, 'x' the end
 * with {"exitCode": N} for an exec ({} for an attach), '!' the end with an error {"error", "message",
 * "kind"} as the API's envelope says it. */
#ifndef CC_BASE_FRAME_H
#define CC_BASE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

#define CC_FRAME_HEAD 5
#define CC_FRAME_MAX  (1u << 20) /* a longer one is not one of ours */

/* Append a frame to out. */
void cc_frame_put(struct cc_strbuf *out, char type, const void *payload, uint32_t len);
/* The next whole frame of in from *off: 1 (with *off past it), 0 when in holds only a part of one, -1 when
 * what is there is not a frame. */
int cc_frame_next(const struct cc_strbuf *in, size_t *off, char *type, const char **payload, uint32_t *len);
/* Drop the first `used` bytes of in (the frames already taken). */
void cc_frame_consumed(struct cc_strbuf *in, size_t used);

/* A 'w' frame's payload. */
void cc_frame_size_put(struct cc_strbuf *out, unsigned rows, unsigned cols);
bool cc_frame_size_get(const char *payload, uint32_t len, unsigned short *rows, unsigned short *cols);

#endif
