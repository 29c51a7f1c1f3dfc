/* A client for the OCI distribution API (docker registry v2), over libcurl: manifests, blobs, uploads, and
 * the auth dance (anonymous, basic, bearer token from a WWW-Authenticate challenge). One struct cc_registry
 * talks to one registry host, and may be used by several threads at once (each call has its own easy
 * handle; tokens are shared under a lock).
 *
 * Transport: HTTPS with certificate verification; plain HTTP for loopback registries and hosts listed in
 * opts->insecure (like docker's insecure-registries). docker.io means registry-1.docker.io. */
#ifndef CC_ENGINE_REGISTRY_REGISTRY_H
#define CC_ENGINE_REGISTRY_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct cc_registry;

struct cc_registry_opts {
	const char *auth_file; /* docker config.json style; NULL: $DOCKER_CONFIG/config.json or
				  ~/.docker/config.json */
	char *const *insecure; /* registry hosts ("host:port") allowed over plain HTTP, NULL-terminated */
	int retries;           /* transient failures (connect, 5xx, 429) are retried with backoff; 0: 3 */
};

int cc_registry_open(const char *registry, const struct cc_registry_opts *opts, struct cc_registry **out,
		     struct cc_error **err);
void cc_registry_close(struct cc_registry *r);

/* Media types this client accepts for manifests, in preference order. */
#define CC_MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define CC_MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define CC_MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define CC_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

struct cc_registry_manifest {
	char *body;
	size_t len;
	char *media_type; /* from Content-Type (or the body's mediaType) */
	char *digest;     /* "sha256:..." of the body, checked against Docker-Content-Digest and a digest
			     reference */
};
void cc_registry_manifest_release(struct cc_registry_manifest *m);

/* GET a manifest by tag or digest. NOT_FOUND ("manifest unknown: <repo>:<ref>") when absent; PERMISSION on
 * 401/403 after auth; BACKEND_FAILURE for transport errors with the URL. */
int cc_registry_get_manifest(struct cc_registry *r, const char *repo, const char *reference,
			     struct cc_registry_manifest *out, struct cc_error **err);

/* Progress of a blob transfer: bytes so far and total (0 when unknown). Returning <0 cancels. */
typedef int (*cc_registry_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* GET a blob into fd (written from its current offset), verifying its digest as it streams; a mismatch is
 * INVALID_STATE "digest mismatch" and the caller discards what was written. `offset` > 0 resumes with a
 * Range request (the bytes already in fd count towards the digest: the caller passes them via fd, which must
 * then be readable too). */
int cc_registry_get_blob(struct cc_registry *r, const char *repo, const char *digest, int fd, uint64_t offset,
			 cc_registry_progress_fn progress, void *ctx, struct cc_error **err);

/* HEAD a blob: *exists, and its size when it does. */
int cc_registry_blob_exists(struct cc_registry *r, const char *repo, const char *digest, bool *exists,
			    uint64_t *size, struct cc_error **err);

/* Upload a blob of `size` bytes from fd (from offset 0). mount_from: a repository on the same registry that
 * has the blob (cross-repository mount is tried first; the upload falls back when the registry declines).
 * chunk_size 0: one monolithic PUT; else PATCH chunks of that size then PUT. */
int cc_registry_put_blob(struct cc_registry *r, const char *repo, const char *digest, int fd, uint64_t size,
			 const char *mount_from, size_t chunk_size, cc_registry_progress_fn progress,
			 void *ctx, struct cc_error **err);

/* PUT a manifest under a tag (or its digest). *digest_out (optional, owned): what the registry answered in
 * Docker-Content-Digest, checked against the body's own digest. */
int cc_registry_put_manifest(struct cc_registry *r, const char *repo, const char *reference,
			     const char *media_type, const char *body, size_t len, char **digest_out,
			     struct cc_error **err);

/* Check credentials against the registry (GET /v2/ with the auth flow) and store them in the auth file
 * (base64 "user:password" under "auths": {"<registry>": {"auth": ...}}), creating it 0600. */
int cc_registry_login(const char *registry, const char *user, const char *password,
		      const struct cc_registry_opts *opts, struct cc_error **err);

#endif
