/* Pull: resolve the manifest (choosing the platform from an index), fetch the config and the layers (in
 * parallel, resuming partial downloads, each verified against its digest), unpack the layers by chain id in
 * order, then record the image. Nothing is recorded unless every blob and layer is in place. */
#include "engine/image/images.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/image/reference.h"
#include "engine/registry/registry.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PARALLEL_LAYERS 3

struct pull {
	struct cc_images *s;
	struct cc_registry *reg;
	const char *repo;
	const char *ref_text;
	const struct cc_progress_sink *sink;
	pthread_mutex_t sink_lock;
	bool cancelled;
};

static int emit(struct pull *p, const char *status, const char *layer, int64_t current, int64_t total,
		const char *message)
{
	if (!p->sink || !p->sink->emit)
		return 0;
	struct cc_progress pr = {p->ref_text, status, layer, current, total, message};
	pthread_mutex_lock(&p->sink_lock);
	int r = p->cancelled ? -1 : p->sink->emit(p->sink->ctx, &pr);
	if (r < 0)
		p->cancelled = true;
	pthread_mutex_unlock(&p->sink_lock);
	return r;
}

struct blob_job {
	struct pull *p;
	const struct cc_oci_descriptor *d;
	const char *chain_id, *diff_id; /* set for layers: unpacked as soon as downloaded */
	struct cc_error *err;
	pthread_t thread;
	bool started;
};

static int on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct blob_job *j = ctx;
	return emit(j->p, "downloading", j->d->digest, (int64_t)done,
		    (int64_t)(total ? total : (uint64_t)j->d->size), NULL);
}

/* One blob into the store (a no-op when it is there), resuming a partial download. */
static int fetch_blob(struct blob_job *j)
{
	struct pull *p = j->p;
	if (cc_blob_exists(p->s->blobs, j->d->digest)) {
		emit(p, "exists", j->d->digest, j->d->size, j->d->size, NULL);
		return 0;
	}
	int fd;
	uint64_t have;
	if (cc_blob_partial_open(p->s->blobs, j->d->digest, &fd, &have, &j->err) < 0)
		return -1;
	if (cc_blob_exists(p->s->blobs, j->d->digest)) { /* a concurrent pull finished it while we waited */
		close(fd);
		return 0;
	}
	int r = cc_registry_get_blob(p->reg, p->repo, j->d->digest, fd, have, on_progress, j, &j->err);
	if (r < 0 && have > 0 && j->err->kind == CC_ERR_INVALID_STATE && !p->cancelled) {
		/* the resumed bytes were not what the blob starts with: start over once, from nothing */
		cc_error_release(&j->err);
		cc_blob_partial_abort(p->s->blobs, j->d->digest, fd);
		if (cc_blob_partial_open(p->s->blobs, j->d->digest, &fd, &have, &j->err) < 0)
			return -1;
		r = cc_registry_get_blob(p->reg, p->repo, j->d->digest, fd, 0, on_progress, j, &j->err);
	}
	if (r < 0) {
		/* a transfer error keeps the partial file for the next attempt; a wrong digest doesn't */
		if (j->err->kind == CC_ERR_INVALID_STATE)
			cc_blob_partial_abort(p->s->blobs, j->d->digest, fd);
		else
			close(fd);
		return -1;
	}
	/* the registry client hashed these bytes as they arrived (and the resumed prefix before them) */
	if (cc_blob_partial_commit(p->s->blobs, j->d->digest, fd, true, &j->err) < 0)
		return -1;
	emit(p, "downloaded", j->d->digest, j->d->size, j->d->size, NULL);
	return 0;
}

/* A layer's worker downloads it and unpacks it at once: layers unpack independently (each into its own
 * directory), so unpacking overlaps the other layers' downloads. */
static void *fetch_thread(void *arg)
{
	struct blob_job *j = arg;
	if (fetch_blob(j) < 0 || !j->chain_id)
		return NULL;
	emit(j->p, "extracting", j->d->digest, 0, j->d->size, NULL);
	if (cc_layer_ensure(j->p->s->blobs, j->chain_id, j->d->digest, j->diff_id, &j->err) == 0)
		emit(j->p, "extracted", j->d->digest, j->d->size, j->d->size, NULL);
	return NULL;
}

/* Fetch blobs (and unpack layers: chain ids given), PARALLEL_LAYERS at a time; the first error wins. */
static int fetch_all(struct pull *p, const struct cc_oci_descriptor *ds, size_t n, char (*chains)[72],
		     char *const *diff_ids, struct cc_error **err)
{
	struct blob_job *jobs = cc_xcalloc(n + 1, sizeof(*jobs));
	int r = 0;
	for (size_t start = 0; start < n; start += PARALLEL_LAYERS) {
		size_t end = start + PARALLEL_LAYERS < n ? start + PARALLEL_LAYERS : n;
		for (size_t i = start; i < end; i++) {
			jobs[i] = (struct blob_job){
			    p, &ds[i], chains ? chains[i] : NULL, diff_ids ? diff_ids[i] : NULL, NULL,
			    0, false};
			jobs[i].started = pthread_create(&jobs[i].thread, NULL, fetch_thread, &jobs[i]) == 0;
			if (!jobs[i].started)
				fetch_thread(&jobs[i]);
		}
		for (size_t i = start; i < end; i++)
			if (jobs[i].started)
				pthread_join(jobs[i].thread, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].err && r == 0) {
			*err = jobs[i].err;
			r = -1;
		} else if (jobs[i].err) {
			cc_error_free(jobs[i].err);
		}
	}
	free(jobs);
	return r;
}

static bool layer_type_ok(const char *mt)
{
	return !mt || !*mt || strcmp(mt, CC_MT_OCI_LAYER) == 0 || strcmp(mt, CC_MT_OCI_LAYER_GZIP) == 0 ||
	       strcmp(mt, CC_MT_OCI_LAYER_ZSTD) == 0 || strcmp(mt, CC_MT_DOCKER_LAYER) == 0 ||
	       strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar") == 0;
}

static int pull_manifest(struct pull *p, const struct cc_image_ref *r, const char *platform,
			 struct cc_registry_manifest *m, struct cc_error **err)
{
	const char *reference = r->digest ? r->digest : r->tag;
	if (cc_registry_get_manifest(p->reg, r->repository, reference, m, err) < 0)
		return -1;
	if (!cc_oci_is_index(m->media_type, m->body, m->len))
		return 0;
	struct cc_oci_index idx;
	const struct cc_oci_descriptor *d;
	if (cc_oci_parse_index(m->body, m->len, &idx, err) < 0)
		return -1;
	int rc = cc_oci_select(&idx, platform, &d, err);
	cleanup_free char *digest = rc == 0 ? cc_xstrdup(d->digest) : NULL;
	cc_oci_index_release(&idx);
	if (rc < 0)
		return cc_error_wrap(err, "%s", p->ref_text);
	cc_registry_manifest_release(m);
	return cc_registry_get_manifest(p->reg, r->repository, digest, m, err);
}

int cc_images_pull(struct cc_images *s, const char *ref, const char *platform,
		   const struct cc_progress_sink *sink, struct cc_error **err)
{
	struct cc_image_ref r;
	if (cc_image_ref_parse(ref, &r, err) < 0)
		return -1;
	cleanup_free char *canon = cc_image_ref_string(&r);
	struct pull p = {.s = s, .repo = r.repository, .ref_text = canon, .sink = sink};
	pthread_mutex_init(&p.sink_lock, NULL);
	struct cc_registry_opts ro = {.auth_file = s->auth_file, .insecure = s->insecure};
	struct cc_registry_manifest m = {0};
	struct cc_oci_manifest man = {0};
	struct cc_image_record rec = {0};
	int rc = cc_registry_open(r.registry, &ro, &p.reg, err);
	if (rc == 0) {
		emit(&p, "pulling", NULL, 0, 0, NULL);
		rc = pull_manifest(&p, &r, platform, &m, err);
	}
	if (rc == 0)
		rc = cc_oci_parse_manifest(m.body, m.len, &man, err);
	for (size_t i = 0; rc == 0 && i < man.nlayers; i++)
		if (!layer_type_ok(man.layers[i].media_type))
			rc = cc_error_set(err, CC_ERR_NOT_SUPPORTED, "layer %s has unsupported media type %s",
					  man.layers[i].digest, man.layers[i].media_type);
	if (rc == 0)
		rc = cc_blob_put(s->blobs, m.body, m.len, m.digest, NULL, err);
	if (rc == 0)
		rc = fetch_all(&p, &man.config, 1, NULL, NULL, err);
	if (rc == 0 && cc_images_read_config(s, &man, &rec, err) < 0)
		rc = cc_error_wrap(err, "image %s", canon);
	char(*chains)[72] = cc_xcalloc(man.nlayers + 1, sizeof(*chains));
	for (size_t i = 0; rc == 0 && i < man.nlayers; i++)
		cc_chain_id(i ? chains[i - 1] : NULL, rec.diff_ids[i], chains[i]);
	if (rc == 0)
		rc = fetch_all(&p, man.layers, man.nlayers, chains, rec.diff_ids, err);
	free(chains);
	if (rc == 0) {
		cleanup_free char *name = cc_image_ref_name(&r);
		cc_images_fill_record(&rec, &man, m.digest, m.media_type);
		rec.img.repo_digests = cc_xcalloc(1, sizeof(char *));
		char *rd = cc_xasprintf("%s@%s", name, m.digest);
		cc_strv_push(&rec.img.repo_digests, rd);
		free(rd);
		rec.source = cc_xasprintf("%s/%s", r.registry, r.repository);
		/* keep the repo digests the image already had from other names */
		struct cc_image_record old;
		if (cc_images_resolve(s, rec.img.id, &old, NULL) == 0) {
			for (char **d = old.img.repo_digests; d && *d; d++)
				if (strcmp(*d, rec.img.repo_digests[0]) != 0)
					cc_strv_push(&rec.img.repo_digests, *d);
			cc_image_record_release(&old);
		}
		rc = cc_images_commit(s, &rec, r.tag ? canon : NULL, err);
	}
	if (rc == 0) {
		cc_images_event(s, "pull", rec.img.id, canon, NULL);
		emit(&p, "done", NULL, 0, 0, m.digest);
	} else if (p.cancelled) {
		if (err)
			cc_error_release(err);
		rc = 0; /* a cancelled stream is not an error (runtime.h) */
	}
	cc_image_record_release(&rec);
	cc_oci_manifest_release(&man);
	cc_registry_manifest_release(&m);
	cc_registry_close(p.reg);
	pthread_mutex_destroy(&p.sink_lock);
	cc_image_ref_release(&r);
	return rc;
}
