/* Push: every blob the registry lacks (a cross-repository mount first when the image came from another
 * repository of the same registry), then the manifest exactly as stored, so the digest the registry reports
 * is the local one. */
#include "engine/image/images.h"
#include "base/cleanup.h"
#include "base/xalloc.h"
#include "engine/image/reference.h"
#include "engine/registry/registry.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct push_ctx {
	const struct cc_progress_sink *sink;
	const char *ref;
	const char *digest;
	bool cancelled;
};

static int on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct push_ctx *pc = ctx;
	if (!pc->sink || !pc->sink->emit)
		return 0;
	struct cc_progress p = {pc->ref, "pushing", pc->digest, (int64_t)done, (int64_t)total, NULL};
	if (pc->sink->emit(pc->sink->ctx, &p) < 0) {
		pc->cancelled = true;
		return -1;
	}
	return 0;
}

static int push_blob(struct cc_images *s, struct cc_registry *reg, const char *repo, const char *mount_from,
		     const char *digest, struct push_ctx *pc, struct cc_error **err)
{
	bool exists = false;
	uint64_t size = 0;
	if (cc_registry_blob_exists(reg, repo, digest, &exists, &size, err) < 0)
		return -1;
	pc->digest = digest;
	if (exists) {
		if (pc->sink && pc->sink->emit)
			pc->sink->emit(pc->sink->ctx,
				       &(struct cc_progress){pc->ref, "exists", digest, 0, 0, NULL});
		return 0;
	}
	cleanup_free char *path = cc_blob_path(s->blobs, digest);
	cleanup_close int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return cc_error_set(err, CC_ERR_NOT_FOUND, "blob %s is missing from the image store", digest);
	struct stat st;
	fstat(fd, &st);
	/* layers above 64 MiB go up in 16 MiB chunks, so a registry with a request size limit still takes
	 * them */
	size_t chunk = st.st_size > (64 << 20) ? (16u << 20) : 0;
	return cc_registry_put_blob(reg, repo, digest, fd, (uint64_t)st.st_size, mount_from, chunk,
				    on_progress, pc, err);
}

int cc_images_push(struct cc_images *s, const char *ref, const struct cc_progress_sink *sink,
		   struct cc_error **err)
{
	struct cc_image_ref r;
	if (cc_image_ref_parse(ref, &r, err) < 0)
		return -1;
	struct cc_image_record rec;
	if (cc_images_resolve(s, ref, &rec, err) < 0) {
		cc_image_ref_release(&r);
		return -1;
	}
	cleanup_free char *canon = cc_image_ref_string(&r);
	struct cc_registry_opts ro = {.auth_file = s->auth_file, .insecure = s->insecure};
	struct cc_registry *reg = NULL;
	struct push_ctx pc = {sink, canon, NULL, false};
	cleanup_free char *manifest = NULL;
	size_t mlen = 0;
	cleanup_free char *pushed = NULL;
	/* mount from the repository the image came from, when it is on the same registry */
	const char *mount_from = NULL;
	size_t reglen = strlen(r.registry);
	if (rec.source && strncmp(rec.source, r.registry, reglen) == 0 && rec.source[reglen] == '/' &&
	    strcmp(rec.source + reglen + 1, r.repository) != 0)
		mount_from = rec.source + reglen + 1;
	int rc = cc_registry_open(r.registry, &ro, &reg, err);
	for (size_t i = 0; rc == 0 && i < rec.nlayers; i++)
		rc = push_blob(s, reg, r.repository, mount_from, rec.layers[i].digest, &pc, err);
	if (rc == 0)
		rc = push_blob(s, reg, r.repository, NULL, rec.config.digest, &pc, err);
	if (rc == 0)
		rc = cc_blob_read(s->blobs, rec.manifest_digest, &manifest, &mlen, err);
	if (rc == 0)
		rc = cc_registry_put_manifest(reg, r.repository, r.digest ? r.digest : r.tag,
					      rec.manifest_media_type, manifest, mlen, &pushed, err);
	if (rc == 0 && pushed && strcmp(pushed, rec.manifest_digest) != 0)
		rc = cc_error_set(err, CC_ERR_BACKEND_FAILURE,
				  "the registry stored the manifest as %s, not %s", pushed,
				  rec.manifest_digest);
	if (rc == 0) {
		cc_images_event(s, "push", rec.img.id, canon, NULL);
		if (sink && sink->emit)
			sink->emit(sink->ctx,
				   &(struct cc_progress){canon, "done", NULL, 0, 0, rec.manifest_digest});
	} else if (pc.cancelled) {
		if (err)
			cc_error_release(err);
		rc = 0;
	}
	cc_registry_close(reg);
	cc_image_record_release(&rec);
	cc_image_ref_release(&r);
	return rc;
}
