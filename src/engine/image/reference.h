/* Image references, parsed and normalized the way docker and podman do (distribution/reference):
 *   busybox                      -> docker.io/library/busybox:latest
 *   user/app:1.0                 -> docker.io/user/app:1.0
 *   127.0.0.1:5000/x/y@sha256:.. -> 127.0.0.1:5000/x/y@sha256:...
 *   localhost/app                -> localhost/app:latest
 * The first path component is a registry host when it contains '.' or ':' or is "localhost". */
#ifndef CC_ENGINE_IMAGE_REFERENCE_H
#define CC_ENGINE_IMAGE_REFERENCE_H

#include <stdbool.h>

#include "base/error.h"

struct cc_image_ref {
	char *registry;   /* "docker.io", "127.0.0.1:5000", "[::1]:5000", "localhost" */
	char *repository; /* "library/busybox" */
	char *tag;        /* "latest" by default; NULL when only a digest was given */
	char *digest;     /* "sha256:<64 hex>" or NULL */
};

/* INVALID_ARGUMENT with what is wrong: "invalid reference format: repository name must be lowercase",
 * "invalid tag", "invalid digest", "invalid registry host", "empty reference", length limits (255 for the
 * name, 128 for a tag). */
int cc_image_ref_parse(const char *s, struct cc_image_ref *out, struct cc_error **err);
void cc_image_ref_release(struct cc_image_ref *r);
/* "docker.io/library/busybox:latest", "<name>@sha256:..", or "<name>:tag@sha256:.." (owned). */
char *cc_image_ref_string(const struct cc_image_ref *r);
/* The repository with its registry, "docker.io/library/busybox" (owned). */
char *cc_image_ref_name(const struct cc_image_ref *r);
/* What docker shows: "busybox:latest", "user/app:1.0", "127.0.0.1:5000/x/y:t" (owned). */
char *cc_image_ref_familiar(const struct cc_image_ref *r);
/* "sha256:" followed by 64 lowercase hex digits (other algorithms: sha512 with 128). */
bool cc_digest_valid(const char *d);
/* A registry that speaks plain HTTP by default: loopback addresses and localhost (with any port). */
bool cc_registry_is_loopback(const char *registry);

#endif
