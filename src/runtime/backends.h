/* The backend registry's entries (runtime.c lists them). Each backend lives in its own directory and exposes
 * only this descriptor. */
#ifndef CC_RUNTIME_BACKENDS_H
#define CC_RUNTIME_BACKENDS_H

#include "runtime/runtime.h"

struct cc_backend {
	const char *name;
	int (*open)(const struct cc_runtime_config *cfg, struct cc_runtime **out, struct cc_error **err);
};

extern const struct cc_backend cc_backend_mock;
extern const struct cc_backend cc_backend_native;
extern const struct cc_backend cc_backend_docker;
extern const struct cc_backend cc_backend_remote;

#endif
