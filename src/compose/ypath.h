/* The YAML path of the node a stage is working on ("services.web.ports[0]"), kept as a stack of steps and
 * turned into text only when an error or warning is reported: interpolation, schema validation and
 * normalization visit every node, and most never report anything. Keys point into the tree being visited. */
#ifndef CC_COMPOSE_YPATH_H
#define CC_COMPOSE_YPATH_H

#include <stdarg.h>
#include <stddef.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "compose/value.h"

struct cc_ypath_step {
	const char *key; /* NULL: a sequence index */
	size_t index;
};

struct cc_ypath {
	struct cc_ypath_step *steps;
	size_t depth, cap;
};

#define CC_YPATH_INIT                                                                                        \
	{                                                                                                    \
		NULL, 0, 0                                                                                   \
	}

/* Each push returns a mark; cc_ypath_pop(p, mark) returns to the depth before the push. */
size_t cc_ypath_push_key(struct cc_ypath *p, const char *key);
size_t cc_ypath_push_index(struct cc_ypath *p, size_t index);
void cc_ypath_pop(struct cc_ypath *p, size_t mark);
/* Append the path ("services.web.ports[0]", or "top level" when empty) to out. */
void cc_ypath_format(const struct cc_ypath *p, struct cc_strbuf *out);
void cc_ypath_release(struct cc_ypath *p);
/* The located compose-file error, in one format for every stage: "file:line:col: <path> <what>" (without the
 * position when the node has none). Sets *err (INVALID_ARGUMENT) and returns -1. */
int cc_ypath_verror(struct cc_error **err, const struct cc_ypath *p, const struct cc_val *at, const char *fmt,
		    va_list ap) __attribute__((format(printf, 4, 0)));

#endif
