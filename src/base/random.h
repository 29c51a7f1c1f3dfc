/* Random identifiers from the kernel's generator (getrandom), no state of our own. */
#ifndef CC_BASE_RANDOM_H
#define CC_BASE_RANDOM_H

#include <stddef.h>

/* Fill out with 2 * nbytes lowercase hex digits and a terminating NUL. */
void cc_random_hex(char *out, size_t nbytes);

#endif
