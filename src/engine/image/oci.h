/* OCI and Docker image documents: manifests, indexes (manifest lists) and image configurations, parsed into
 * what the image store needs, and built for images that arrive without a manifest (docker-archive). */
#ifndef CC_ENGINE_IMAGE_OCI_H
#define CC_ENGINE_IMAGE_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "runtime/types.h"

#define CC_MT_OCI_CONFIG     "application/vnd.oci.image.config.v1+json"
#define CC_MT_DOCKER_CONFIG  "application/vnd.docker.container.image.v1+json"
#define CC_MT_OCI_LAYER      "application/vnd.oci.image.layer.v1.tar"
#define CC_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define CC_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define CC_MT_DOCKER_LAYER   "application/vnd.docker.image.rootfs.diff.tar.gzip"

struct cc_oci_descriptor {
	char *media_type, *digest;
	int64_t size;
	char *os, *arch, *variant; /* platform, in index entries */
	char *ref_name;            /* org.opencontainers.image.ref.name, in OCI layout indexes */
};

struct cc_oci_manifest {
	char *media_type;
	struct cc_oci_descriptor config;
	struct cc_oci_descriptor *layers;
	size_t nlayers;
};

struct cc_oci_index {
	char *media_type;
	struct cc_oci_descriptor *manifests;
	size_t n;
};

/* Whether a manifest document is an index / manifest list (by media type, else by its body). */
bool cc_oci_is_index(const char *media_type, const char *body, size_t len);
int cc_oci_parse_manifest(const char *body, size_t len, struct cc_oci_manifest *out, struct cc_error **err);
int cc_oci_parse_index(const char *body, size_t len, struct cc_oci_index *out, struct cc_error **err);
void cc_oci_descriptor_release(struct cc_oci_descriptor *d);
void cc_oci_manifest_release(struct cc_oci_manifest *m);
void cc_oci_index_release(struct cc_oci_index *x);
/* The entry for a platform "os/arch[/variant]" (NULL: linux/amd64). NOT_FOUND names what the index offers. */
int cc_oci_select(const struct cc_oci_index *x, const char *platform, const struct cc_oci_descriptor **out,
		  struct cc_error **err);

/* An image configuration: fills img's config fields (env, cmd, entrypoint, working dir, user, exposed ports,
 * labels, created) and returns the layers' diff ids in order. */
int cc_oci_parse_config(const char *body, size_t len, struct cc_image *img, cc_strv *diff_ids,
			struct cc_error **err);

/* An OCI manifest for a config and layers (owned JSON text). */
char *cc_oci_build_manifest(const struct cc_oci_descriptor *config, const struct cc_oci_descriptor *layers,
			    size_t nlayers);

#endif
