/* A build step's changes as an image layer. The step ran on an overlay mount, so its upper directory already
 * is the layer in the unpacked form the store keeps (whiteouts as 0:0 character devices, opaque directories
 * marked with trusted.overlay.opaque): it becomes the layer directory as it is (renamed, not copied), and the
 * layer blob is a tar of it in the OCI form (".wh." files), written once, uncompressed, hashed as it is
 * written (its digest is its diff id). */
#ifndef CC_ENGINE_BUILD_LAYER_H
#define CC_ENGINE_BUILD_LAYER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "engine/image/blobs.h"

struct cc_built_layer {
	bool empty;        /* the step changed nothing: no layer */
	char digest[72];   /* blob digest = diff id */
	int64_t size;      /* of the blob */
	char chain_id[72]; /* the layer's chain id on its parents */
};

/* Commit `upper` (consumed: moved into the store or removed) as the layer above `parent_chain` (NULL: the
 * first layer). */
int cc_layer_commit_upper(struct cc_blobs *b, const char *upper, const char *parent_chain,
			  struct cc_built_layer *out, struct cc_error **err);

#endif
