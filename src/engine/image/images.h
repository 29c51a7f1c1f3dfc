/* The native image store: image records in the state store (backend "native"), blobs and unpacked layers on
 * disk (blobs.h), and the operations of the runtime's image surface on top of them: list, inspect, tag,
 * remove (with garbage collection of unshared blobs and layers), pull and push through the registry client,
 * load and save of OCI layout and docker-archive tarballs. */
#ifndef CC_ENGINE_IMAGE_IMAGES_H
#define CC_ENGINE_IMAGE_IMAGES_H

#include <pthread.h>

#include "engine/image/blobs.h"
#include "engine/image/oci.h"
#include "runtime/runtime.h"
#include "store/store.h"

#define CC_NATIVE_BACKEND "native"

struct cc_images {
	pthread_mutex_t lock; /* the store connection; recursive */
	struct cc_store *store;
	struct cc_blobs *blobs;
	cc_strv insecure; /* registries allowed over plain HTTP besides loopback */
	char *auth_file;  /* NULL: the default docker config */
};

/* What the store keeps about an image beyond struct cc_image. */
struct cc_image_record {
	struct cc_image img; /* id: the config digest */
	char *manifest_digest, *manifest_media_type;
	struct cc_oci_descriptor config;
	struct cc_oci_descriptor *layers;
	size_t nlayers;
	cc_strv diff_ids;
	char *source; /* "registry/repository" it came from, for cross-repository mounts */
};
void cc_image_record_release(struct cc_image_record *r);

int cc_images_open(const char *root, struct cc_store *store, struct cc_images **out, struct cc_error **err);
void cc_images_close(struct cc_images *s);

/* Resolve a reference (name[:tag], name@digest, an image id or an unambiguous id prefix) to a record. */
int cc_images_resolve(struct cc_images *s, const char *ref, struct cc_image_record *out,
		      struct cc_error **err);
/* Store a record (the image and its config/manifest/layers must be in the blob store) and point `ref` at it.
 */
int cc_images_commit(struct cc_images *s, const struct cc_image_record *rec, const char *ref,
		     struct cc_error **err);
int cc_images_event(struct cc_images *s, const char *action, const char *id, const char *name,
		    struct cc_error **err);

/* The configuration a manifest names, from the blob store into rec (image config fields, diff ids), checking
 * that it has as many layers as the manifest. */
int cc_images_read_config(struct cc_images *s, const struct cc_oci_manifest *man, struct cc_image_record *rec,
			  struct cc_error **err);
/* Move a manifest's config and layers into rec, with the id, size, layer list and manifest digest and type.
 */
void cc_images_fill_record(struct cc_image_record *rec, struct cc_oci_manifest *man,
			   const char *manifest_digest, const char *media_type);

int cc_images_list(struct cc_images *s, struct cc_image **out, size_t *n, struct cc_error **err);
int cc_images_inspect(struct cc_images *s, const char *ref, struct cc_image *out, struct cc_error **err);
int cc_images_tag(struct cc_images *s, const char *src, const char *dst, struct cc_error **err);
int cc_images_remove(struct cc_images *s, const char *ref, bool force, struct cc_error **err);
int cc_images_pull(struct cc_images *s, const char *ref, const char *platform,
		   const struct cc_progress_sink *sink, struct cc_error **err);
int cc_images_push(struct cc_images *s, const char *ref, const struct cc_progress_sink *sink,
		   struct cc_error **err);
int cc_images_load(struct cc_images *s, const char *tar_path, cc_strv *loaded, struct cc_error **err);
int cc_images_save(struct cc_images *s, char *const *refs, const char *format, const char *tar_path,
		   struct cc_error **err);

#endif
