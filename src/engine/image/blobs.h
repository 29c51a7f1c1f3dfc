/* The content-addressed blob store under <root>/images: blobs/sha256/<hex> hold layers (as pulled), configs
 * and manifests; layers/<chain id hex>/ hold unpacked layers, one directory per chain id, shared by every
 * image that has that layer on those parents; tmp/ holds transfers and unpacks in progress.
 *
 * A blob becomes visible only once its bytes matched its digest (written to tmp/, verified, renamed), so a
 * killed transfer or a corrupt download never leaves a wrong blob behind, and two concurrent writers of the
 * same blob both end with one good copy (rename is atomic; the loser's copy is equal). */
#ifndef CC_ENGINE_IMAGE_BLOBS_H
#define CC_ENGINE_IMAGE_BLOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct cc_blobs;

int cc_blobs_open(const char *root, struct cc_blobs **out, struct cc_error **err);
void cc_blobs_close(struct cc_blobs *b);
const char *cc_blobs_dir(const struct cc_blobs *b); /* <root>/images */

/* The path of a blob (owned); whether it exists. */
char *cc_blob_path(const struct cc_blobs *b, const char *digest);
bool cc_blob_exists(const struct cc_blobs *b, const char *digest);
/* Store bytes under their digest (computed and, when `digest` is non-NULL, checked against it). */
int cc_blob_put(struct cc_blobs *b, const void *data, size_t len, const char *digest, char *digest_out,
		struct cc_error **err);
/* Read a whole (small) blob: manifests and configs. */
int cc_blob_read(const struct cc_blobs *b, const char *digest, char **data, size_t *len,
		 struct cc_error **err);

/* A partial file for a transfer of `digest` in tmp/ (opened O_RDWR|O_CREAT, not truncated: a transfer killed
 * half way resumes from its size); commit renames it into place (after checking the whole file against the
 * digest, unless the caller hashed exactly these bytes as it wrote them: `verified`), abort removes it. */
int cc_blob_partial_open(struct cc_blobs *b, const char *digest, int *fd, uint64_t *have,
			 struct cc_error **err);
int cc_blob_partial_commit(struct cc_blobs *b, const char *digest, int fd, bool verified,
			   struct cc_error **err);
void cc_blob_partial_abort(struct cc_blobs *b, const char *digest, int fd);

/* Unpacked layers by chain id ("sha256:<hex>"). */
char *cc_layer_path(const struct cc_blobs *b, const char *chain_id); /* owned: <root>/images/layers/<hex> */
bool cc_layer_exists(const struct cc_blobs *b, const char *chain_id);
/* Unpack blob `digest` as layer `chain_id`, checking that its uncompressed stream is `diff_id`. Does nothing
 * when the layer is there; concurrent unpacks of one layer leave one good copy. */
int cc_layer_ensure(struct cc_blobs *b, const char *chain_id, const char *digest, const char *diff_id,
		    struct cc_error **err);

/* chain id of a layer: chain(0) = diff_id(0); chain(n) = sha256(chain(n-1) + " " + diff_id(n)). out holds
 * "sha256:" + 64 hex + NUL. */
void cc_chain_id(const char *parent_chain, const char *diff_id, char out[72]);
/* sha256 of a file's bytes as "sha256:<hex>". */
int cc_digest_file(int fd, char out[72], uint64_t *size, struct cc_error **err);

#endif
