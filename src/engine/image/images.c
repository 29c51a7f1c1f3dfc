/* Image records: resolve, list, inspect, tag, remove. Records live in the state store under the "native"
 * backend: kind "image" (name: the image id, the config digest) and kind "image-tag" (name: the canonical
 * reference, payload: the id it points to). A tag is one row, so retagging is one write and never touches the
 * image. */
#include "engine/image/images.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/image/reference.h"
#include "runtime/codec.h"

#include <ftw.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void lock(struct cc_images *s)
{
	pthread_mutex_lock(&s->lock);
}

static void unlock(struct cc_images *s)
{
	pthread_mutex_unlock(&s->lock);
}

int cc_images_open(const char *root, struct cc_store *store, struct cc_images **out, struct cc_error **err)
{
	struct cc_blobs *blobs;
	if (cc_blobs_open(root, &blobs, err) < 0)
		return -1;
	struct cc_images *s = cc_xcalloc(1, sizeof(*s));
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&s->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	s->store = store;
	s->blobs = blobs;
	/* registries allowed over plain HTTP: CONTAINER_COMPOSE_INSECURE_REGISTRIES (comma-separated, set by
	 * --insecure-registry) and "insecure-registries" in <root>/daemon.json, as in docker's daemon.json */
	const char *insecure = getenv("CONTAINER_COMPOSE_INSECURE_REGISTRIES");
	s->insecure = cc_xcalloc(1, sizeof(char *));
	cleanup_free char *list = cc_xstrdup(insecure ? insecure : "");
	char *save = NULL;
	for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
		cc_strv_push(&s->insecure, t);
	cleanup_free char *daemon_json = cc_xasprintf("%s/daemon.json", root);
	json_error_t jerr;
	json_t *cfg = access(daemon_json, F_OK) == 0 ? json_load_file(daemon_json, 0, &jerr) : NULL;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(cfg, "insecure-registries"), i, v) if (json_is_string(v))
	    cc_strv_push(&s->insecure, json_string_value(v));
	json_decref(cfg);
	*out = s;
	return 0;
}

void cc_images_close(struct cc_images *s)
{
	if (!s)
		return;
	cc_blobs_close(s->blobs);
	cc_strv_free(s->insecure);
	free(s->auth_file);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void cc_image_record_release(struct cc_image_record *r)
{
	cc_image_release(&r->img);
	free(r->manifest_digest);
	free(r->manifest_media_type);
	cc_oci_descriptor_release(&r->config);
	for (size_t i = 0; i < r->nlayers; i++)
		cc_oci_descriptor_release(&r->layers[i]);
	free(r->layers);
	cc_strv_free(r->diff_ids);
	free(r->source);
	memset(r, 0, sizeof(*r));
}

static json_t *descriptor_json(const struct cc_oci_descriptor *d)
{
	return json_pack("{ss ss sI}", "mediaType", d->media_type ? d->media_type : "", "digest", d->digest,
			 "size", (json_int_t)d->size);
}

static void descriptor_from(json_t *j, struct cc_oci_descriptor *d)
{
	const char *mt = json_string_value(json_object_get(j, "mediaType"));
	const char *dg = json_string_value(json_object_get(j, "digest"));
	d->media_type = cc_xstrdup(mt ? mt : "");
	d->digest = cc_xstrdup(dg ? dg : "");
	d->size = json_integer_value(json_object_get(j, "size"));
}

static char *record_payload(const struct cc_image_record *r)
{
	json_t *img = cc_image_to_json(&r->img);
	json_object_del(img, "repoTags"); /* derived from the tag rows when read */
	json_t *layers = json_array();
	for (size_t i = 0; i < r->nlayers; i++)
		json_array_append_new(layers, descriptor_json(&r->layers[i]));
	json_t *j =
	    json_pack("{so ss ss so so so}", "image", img, "manifest", r->manifest_digest,
		      "manifestMediaType", r->manifest_media_type ? r->manifest_media_type : "", "config",
		      descriptor_json(&r->config), "layers", layers, "diffIds", cc_strv_to_json(r->diff_ids));
	if (r->source)
		json_object_set_new(j, "source", json_string(r->source));
	return cc_json_dump_compact(j);
}

static int record_from(const char *payload, struct cc_image_record *out, struct cc_error **err)
{
	json_t *j;
	memset(out, 0, sizeof(*out));
	if (cc_json_parse(payload, &j, err) < 0)
		return -1;
	int r = cc_image_from_json(json_object_get(j, "image"), &out->img, err);
	if (r == 0) {
		const char *md = json_string_value(json_object_get(j, "manifest"));
		const char *mt = json_string_value(json_object_get(j, "manifestMediaType"));
		const char *src = json_string_value(json_object_get(j, "source"));
		out->manifest_digest = cc_xstrdup(md ? md : "");
		out->manifest_media_type = cc_xstrdup(mt ? mt : "");
		out->source = src ? cc_xstrdup(src) : NULL;
		descriptor_from(json_object_get(j, "config"), &out->config);
		json_t *layers = json_object_get(j, "layers");
		out->layers = cc_xcalloc(json_array_size(layers) + 1, sizeof(*out->layers));
		size_t i;
		json_t *l;
		json_array_foreach(layers, i, l) descriptor_from(l, &out->layers[out->nlayers++]);
		r = cc_strv_from_json(json_object_get(j, "diffIds"), "diffIds", &out->diff_ids, err);
	}
	json_decref(j);
	if (r < 0)
		cc_image_record_release(out);
	return r;
}

struct scan {
	json_t *tags;   /* canonical ref -> id */
	json_t *images; /* id -> payload text */
};

static int scan_tag(void *ctx, const char *name, const char *payload)
{
	struct scan *sc = ctx;
	json_t *j = json_loads(payload, 0, NULL);
	const char *id = json_string_value(json_object_get(j, "id"));
	if (id)
		json_object_set_new(sc->tags, name, json_string(id));
	json_decref(j);
	return 0;
}

static int scan_image(void *ctx, const char *name, const char *payload)
{
	struct scan *sc = ctx;
	json_object_set_new(sc->images, name, json_string(payload));
	return 0;
}

static int scan_all(struct cc_images *s, struct scan *sc, struct cc_error **err)
{
	sc->tags = json_object();
	sc->images = json_object();
	if (cc_store_object_each(s->store, CC_NATIVE_BACKEND, "image-tag", scan_tag, sc, err) < 0 ||
	    cc_store_object_each(s->store, CC_NATIVE_BACKEND, "image", scan_image, sc, err) < 0) {
		json_decref(sc->tags);
		json_decref(sc->images);
		return -1;
	}
	return 0;
}

/* The record of an id, with its tags (familiar forms) filled in from the scan. */
static int materialize(const struct scan *sc, const char *id, struct cc_image_record *out,
		       struct cc_error **err)
{
	const char *payload = json_string_value(json_object_get(sc->images, id));
	if (!payload)
		return cc_error_set(err, CC_ERR_NOT_FOUND, "No such image: %s", id);
	if (record_from(payload, out, err) < 0)
		return -1;
	cc_strv_free(out->img.repo_tags);
	out->img.repo_tags = cc_xcalloc(1, sizeof(char *));
	const char *ref;
	json_t *v;
	json_object_foreach(sc->tags, ref, v)
	{
		if (strcmp(json_string_value(v), id) != 0)
			continue;
		struct cc_image_ref r;
		if (cc_image_ref_parse(ref, &r, NULL) == 0) {
			cleanup_free char *fam = cc_image_ref_familiar(&r);
			cc_strv_push(&out->img.repo_tags, fam);
			cc_image_ref_release(&r);
		}
	}
	return 0;
}

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* The id a reference names, looked up in a scan: a tag, a repo digest, an id or an id prefix. */
static int resolve_in(const struct scan *sc, const char *ref, char **id, struct cc_error **err)
{
	const char *hex = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	size_t hl = strlen(hex);
	if (hl >= 4 && hl <= 64 && is_hex(hex)) {
		const char *found = NULL, *key;
		json_t *v;
		int matches = 0;
		json_object_foreach(sc->images, key, v) if (strncmp(key + 7, hex, hl) == 0) found = key,
											    matches++;
		if (matches == 1) {
			*id = cc_xstrdup(found);
			return 0;
		}
		if (matches > 1)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "image reference %s is ambiguous",
					    ref);
		if (strncmp(ref, "sha256:", 7) == 0)
			return cc_error_set(err, CC_ERR_NOT_FOUND, "No such image: %s", ref);
	}
	struct cc_image_ref r;
	if (cc_image_ref_parse(ref, &r, err) < 0)
		return -1;
	int rc = 0;
	if (r.digest) {
		/* name@digest: the image whose manifest is that digest, under that name */
		cleanup_free char *name = cc_image_ref_name(&r);
		cleanup_free char *want = cc_xasprintf("%s@%s", name, r.digest);
		const char *key;
		json_t *v;
		const char *found = NULL;
		json_object_foreach(sc->images, key, v)
		{
			json_t *j = json_loads(json_string_value(v), 0, NULL);
			json_t *digests = json_object_get(json_object_get(j, "image"), "repoDigests");
			size_t i;
			json_t *d;
			json_array_foreach(digests, i, d) if (strcmp(json_string_value(d), want) == 0) found =
			    key;
			const char *md = json_string_value(json_object_get(j, "manifest"));
			if (md && strcmp(md, r.digest) == 0 && !found)
				found = key;
			json_decref(j);
		}
		if (found)
			*id = cc_xstrdup(found);
		else
			rc = cc_error_set(err, CC_ERR_NOT_FOUND, "No such image: %s", ref);
	} else {
		cleanup_free char *canon = cc_image_ref_string(&r);
		const char *found = json_string_value(json_object_get(sc->tags, canon));
		if (found)
			*id = cc_xstrdup(found);
		else
			rc = cc_error_set(err, CC_ERR_NOT_FOUND, "No such image: %s", ref);
	}
	cc_image_ref_release(&r);
	return rc;
}

int cc_images_resolve(struct cc_images *s, const char *ref, struct cc_image_record *out,
		      struct cc_error **err)
{
	struct scan sc;
	lock(s);
	int r = scan_all(s, &sc, err);
	unlock(s);
	if (r < 0)
		return -1;
	cleanup_free char *id = NULL;
	r = resolve_in(&sc, ref, &id, err);
	if (r == 0)
		r = materialize(&sc, id, out, err);
	json_decref(sc.tags);
	json_decref(sc.images);
	return r;
}

int cc_images_event(struct cc_images *s, const char *action, const char *id, const char *name,
		    struct cc_error **err)
{
	struct cc_event e = {.time_ns = cc_now_ns(),
			     .type = (char *)"image",
			     .action = (char *)action,
			     .id = (char *)id,
			     .name = (char *)name};
	cleanup_free char *payload = cc_json_dump_compact(cc_event_to_json(&e));
	lock(s);
	int r = cc_store_event_append(s->store, CC_NATIVE_BACKEND, e.time_ns, payload, NULL, err);
	unlock(s);
	return r;
}

static int put_tag(struct cc_images *s, const char *ref, const char *id, struct cc_error **err)
{
	struct cc_image_ref r;
	if (cc_image_ref_parse(ref, &r, err) < 0)
		return -1;
	int rc = 0;
	if (r.tag) {
		/* a tag names the image; a digest reference is recorded as a repo digest on the image instead
		 */
		cleanup_free char *canon =
		    cc_image_ref_string(&(struct cc_image_ref){r.registry, r.repository, r.tag, NULL});
		json_t *j = json_pack("{ss}", "id", id);
		cleanup_free char *payload = cc_json_dump_compact(j);
		rc = cc_store_object_put(s->store, CC_NATIVE_BACKEND, "image-tag", canon, payload, err);
	}
	cc_image_ref_release(&r);
	return rc;
}

int cc_images_commit(struct cc_images *s, const struct cc_image_record *rec, const char *ref,
		     struct cc_error **err)
{
	cleanup_free char *payload = record_payload(rec);
	lock(s);
	int r = cc_store_begin(s->store, err);
	if (r == 0 &&
	    (cc_store_object_put(s->store, CC_NATIVE_BACKEND, "image", rec->img.id, payload, err) < 0 ||
	     (ref && put_tag(s, ref, rec->img.id, err) < 0))) {
		cc_store_rollback(s->store);
		r = -1;
	} else if (r == 0) {
		r = cc_store_commit(s->store, err);
	}
	unlock(s);
	return r;
}

int cc_images_read_config(struct cc_images *s, const struct cc_oci_manifest *man, struct cc_image_record *rec,
			  struct cc_error **err)
{
	cleanup_free char *config = NULL;
	size_t len = 0;
	if (cc_blob_read(s->blobs, man->config.digest, &config, &len, err) < 0 ||
	    cc_oci_parse_config(config, len, &rec->img, &rec->diff_ids, err) < 0)
		return -1;
	if (cc_strv_len(rec->diff_ids) != man->nlayers)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "the manifest has %zu layers, the configuration %zu", man->nlayers,
				    cc_strv_len(rec->diff_ids));
	return 0;
}

void cc_images_fill_record(struct cc_image_record *rec, struct cc_oci_manifest *man,
			   const char *manifest_digest, const char *media_type)
{
	rec->img.id = cc_xstrdup(man->config.digest);
	rec->img.layers = cc_xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < man->nlayers; i++) {
		rec->img.size += man->layers[i].size;
		cc_strv_push(&rec->img.layers, man->layers[i].digest);
	}
	rec->manifest_digest = cc_xstrdup(manifest_digest);
	rec->manifest_media_type = cc_xstrdup(man->media_type ? man->media_type
					      : media_type    ? media_type
							      : "application/vnd.oci.image.manifest.v1+json");
	rec->config = man->config;
	memset(&man->config, 0, sizeof(man->config));
	rec->layers = man->layers;
	rec->nlayers = man->nlayers;
	man->layers = NULL;
	man->nlayers = 0;
}

int cc_images_list(struct cc_images *s, struct cc_image **out, size_t *n, struct cc_error **err)
{
	struct scan sc;
	lock(s);
	int r = scan_all(s, &sc, err);
	unlock(s);
	if (r < 0)
		return -1;
	size_t count = json_object_size(sc.images), k = 0;
	struct cc_image *v = cc_xcalloc(count + 1, sizeof(*v));
	const char *id;
	json_t *p;
	json_object_foreach(sc.images, id, p)
	{
		struct cc_image_record rec;
		if ((r = materialize(&sc, id, &rec, err)) < 0)
			break;
		v[k++] = rec.img;
		memset(&rec.img, 0, sizeof(rec.img));
		cc_image_record_release(&rec);
	}
	json_decref(sc.tags);
	json_decref(sc.images);
	if (r < 0) {
		cc_images_free(v, k);
		return -1;
	}
	*out = v;
	*n = k;
	return 0;
}

int cc_images_inspect(struct cc_images *s, const char *ref, struct cc_image *out, struct cc_error **err)
{
	struct cc_image_record rec;
	if (cc_images_resolve(s, ref, &rec, err) < 0)
		return -1;
	*out = rec.img;
	memset(&rec.img, 0, sizeof(rec.img));
	cc_image_record_release(&rec);
	return 0;
}

int cc_images_tag(struct cc_images *s, const char *src, const char *dst, struct cc_error **err)
{
	struct cc_image_record rec;
	if (cc_images_resolve(s, src, &rec, err) < 0)
		return -1;
	struct cc_image_ref r;
	int rc = cc_image_ref_parse(dst, &r, err);
	if (rc == 0 && !r.tag)
		rc =
		    cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "cannot tag with a digest reference: %s", dst);
	if (rc == 0) {
		lock(s);
		rc = put_tag(s, dst, rec.img.id, err);
		unlock(s);
	}
	if (rc == 0)
		rc = cc_images_event(s, "tag", rec.img.id, dst, err);
	if (r.repository)
		cc_image_ref_release(&r);
	cc_image_record_release(&rec);
	return rc;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Blobs and layers of a removed image that no remaining image uses. */
static void collect_garbage(struct cc_images *s, const struct cc_image_record *gone, const struct scan *sc)
{
	json_t *used = json_object();
	const char *id;
	json_t *p;
	json_object_foreach(sc->images, id, p)
	{
		if (strcmp(id, gone->img.id) == 0)
			continue;
		struct cc_image_record rec;
		if (record_from(json_string_value(p), &rec, NULL) < 0)
			continue;
		json_object_set_new(used, rec.manifest_digest, json_true());
		json_object_set_new(used, rec.config.digest, json_true());
		char chain[72] = "";
		for (size_t i = 0; i < rec.nlayers; i++) {
			json_object_set_new(used, rec.layers[i].digest, json_true());
			if (rec.diff_ids && rec.diff_ids[i]) {
				cc_chain_id(i ? chain : NULL, rec.diff_ids[i], chain);
				json_object_set_new(used, chain, json_true());
			}
		}
		cc_image_record_release(&rec);
	}
	const char *digests[] = {gone->manifest_digest, gone->config.digest};
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *path = cc_blob_path(s->blobs, digests[i]);
		if (path && !json_object_get(used, digests[i]))
			unlink(path);
	}
	char chain[72] = "";
	for (size_t i = 0; i < gone->nlayers; i++) {
		cleanup_free char *blob = cc_blob_path(s->blobs, gone->layers[i].digest);
		if (blob && !json_object_get(used, gone->layers[i].digest))
			unlink(blob);
		if (!gone->diff_ids || !gone->diff_ids[i])
			continue;
		cc_chain_id(i ? chain : NULL, gone->diff_ids[i], chain);
		cleanup_free char *layer = cc_layer_path(s->blobs, chain);
		if (layer && !json_object_get(used, chain))
			nftw(layer, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	json_decref(used);
}

int cc_images_remove(struct cc_images *s, const char *ref, bool force, struct cc_error **err)
{
	struct scan sc = {0};
	bool begun = false;
	lock(s);
	int r = scan_all(s, &sc, err);
	cleanup_free char *id = NULL;
	if (r == 0)
		r = resolve_in(&sc, ref, &id, err);
	/* a tag with other tags beside it is only untagged, as docker rmi does */
	size_t ntags = 0;
	cleanup_free char *canon = NULL;
	struct cc_image_ref pr = {0};
	if (r == 0 && cc_image_ref_parse(ref, &pr, NULL) == 0 && pr.tag && strncmp(ref, "sha256:", 7) != 0) {
		canon = cc_image_ref_string(&(struct cc_image_ref){pr.registry, pr.repository, pr.tag, NULL});
		if (!json_object_get(sc.tags, canon))
			free(steal_pointer(&canon)); /* it resolved as an id prefix, not as this tag */
	}
	cc_image_ref_release(&pr);
	const char *key;
	json_t *v;
	if (r == 0)
		json_object_foreach(sc.tags, key, v) ntags += strcmp(json_string_value(v), id) == 0;
	struct cc_image_record rec = {0};
	bool untag_only = r == 0 && canon && ntags > 1;
	bool delete_image = r == 0 && !untag_only;
	if (r == 0 && !canon && ntags > 1 && !force)
		r = cc_error_set(
		    err, CC_ERR_INVALID_STATE,
		    "conflict: unable to delete %s (must be forced) - image is referenced in multiple "
		    "repositories",
		    ref);
	if (r == 0)
		begun = (r = cc_store_begin(s->store, err)) == 0;
	if (r == 0 && canon)
		r = cc_store_object_delete(s->store, CC_NATIVE_BACKEND, "image-tag", canon, err);
	if (r == 0 && delete_image) {
		json_object_foreach(sc.tags, key, v)
		{
			if (r == 0 && strcmp(json_string_value(v), id) == 0 &&
			    (!canon || strcmp(key, canon) != 0))
				r = cc_store_object_delete(s->store, CC_NATIVE_BACKEND, "image-tag", key,
							   err);
		}
		if (r == 0)
			r = materialize(&sc, id, &rec, err);
		if (r == 0)
			r = cc_store_object_delete(s->store, CC_NATIVE_BACKEND, "image", id, err);
	}
	if (r == 0)
		r = cc_store_commit(s->store, err);
	else if (begun)
		cc_store_rollback(s->store);
	if (r == 0 && delete_image)
		collect_garbage(s, &rec, &sc);
	unlock(s);
	if (r == 0)
		cc_images_event(s, untag_only ? "untag" : "delete", id, ref, NULL);
	cc_image_record_release(&rec);
	json_decref(sc.tags);
	json_decref(sc.images);
	return r;
}
