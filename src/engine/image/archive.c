/* image load and save: OCI layout tarballs (oci-layout, index.json, blobs/sha256/...) and docker-archive
 * tarballs (manifest.json, <config>.json, <layer>/layer.tar), which is what `docker save` and `podman save`
 * write. A tarball is unpacked into a private temporary directory first (regular files, directories and
 * symlinks that stay inside it; anything else is refused), because docker-archive puts manifest.json
 * anywhere in the stream. */
#include "engine/image/images.h"
#include "base/libarchive.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/random.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/image/reference.h"
#include "runtime/codec.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* A member path, made relative and free of "." and ".."; NULL when it would leave the archive. */
static char *clean_member(const char *name)
{
	cleanup_strbuf struct cc_strbuf out = CC_STRBUF_INIT;
	cleanup_free char *copy = cc_xstrdup(name);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0)
			return NULL;
		cc_strbuf_addf(&out, "%s%s", out.len ? "/" : "", c);
	}
	return out.len ? cc_strbuf_detach(&out, NULL) : NULL;
}

static int mkdirs_for(const char *dir, const char *rel, struct cc_error **err)
{
	cleanup_free char *path = cc_xasprintf("%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", path);
		*p = '/';
	}
	return 0;
}

static int extract(const char *tar_path, const char *dir, struct cc_error **err)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	int r = 0;
	if (archive_read_open_filename(a, tar_path, 1 << 16) != ARCHIVE_OK) {
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: %s", tar_path, archive_error_string(a));
		archive_read_free(a);
		return r;
	}
	struct archive_entry *e;
	while (r == 0) {
		int st = archive_read_next_header(a, &e);
		if (st == ARCHIVE_EOF)
			break;
		if (st < ARCHIVE_WARN) {
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: %s", tar_path,
					 archive_error_string(a));
			break;
		}
		cleanup_free char *rel = clean_member(archive_entry_pathname(e));
		mode_t type = archive_entry_filetype(e);
		if (!rel) {
			if (type == AE_IFDIR)
				continue; /* "./" */
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: member %s escapes the archive",
					 tar_path, archive_entry_pathname(e));
			break;
		}
		if ((r = mkdirs_for(dir, rel, err)) < 0)
			break;
		cleanup_free char *path = cc_xasprintf("%s/%s", dir, rel);
		if (type == AE_IFDIR) {
			if (mkdir(path, 0700) < 0 && errno != EEXIST)
				r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", path);
		} else if (type == AE_IFLNK) {
			/* older docker-archives link duplicate layers to each other: kept, and checked on use
			 */
			if (symlink(archive_entry_symlink(e), path) < 0)
				r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "symlink %s",
						       path);
		} else if (type == AE_IFREG) {
			int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (fd < 0) {
				r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "create %s", path);
				break;
			}
			if (archive_read_data_into_fd(a, fd) != ARCHIVE_OK)
				r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: %s", tar_path,
						 archive_error_string(a));
			close(fd);
		} else {
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					 "%s: member %s is not a file or directory", tar_path, rel);
		}
	}
	archive_read_free(a);
	return r;
}

/* Open a member of the extracted archive, following symlinks only while they stay inside it. */
static int open_member(const char *dir, const char *rel, struct cc_error **err)
{
	cleanup_free char *clean = clean_member(rel);
	cleanup_free char *path = clean ? cc_xasprintf("%s/%s", dir, clean) : NULL;
	char real[PATH_MAX];
	if (!path || !realpath(path, real))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "archive member %s is missing", rel);
	size_t dl = strlen(dir);
	if (strncmp(real, dir, dl) != 0 || real[dl] != '/')
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "archive member %s points outside the archive", rel);
	int fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", real);
	return fd;
}

/* Copy an archive member into the blob store, verifying `digest` when given; the digest is returned. */
static int import_blob(struct cc_images *s, const char *dir, const char *rel, const char *digest,
		       char out[72], int64_t *size, struct cc_error **err)
{
	cleanup_close int src = open_member(dir, rel, err);
	if (src < 0)
		return -1;
	char got[72];
	uint64_t n;
	if (cc_digest_file(src, got, &n, err) < 0)
		return -1;
	if (digest && strcmp(digest, got) != 0)
		return cc_error_set(err, CC_ERR_INVALID_STATE,
				    "archive blob %s does not match its digest %s (got %s)", rel, digest,
				    got);
	memcpy(out, got, sizeof(got));
	if (size)
		*size = (int64_t)n;
	if (cc_blob_exists(s->blobs, got))
		return 0;
	int fd;
	uint64_t have;
	if (cc_blob_partial_open(s->blobs, got, &fd, &have, err) < 0)
		return -1;
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		cc_blob_partial_abort(s->blobs, got, fd);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "blob %s", got);
	}
	char buf[1 << 16];
	off_t off = 0;
	for (;;) {
		ssize_t k = pread(src, buf, sizeof(buf), off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (write(fd, buf, (size_t)k) != k) {
			cc_blob_partial_abort(s->blobs, got, fd);
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "write blob %s", got);
		}
		off += k;
	}
	return cc_blob_partial_commit(s->blobs, got, fd, false, err);
}

static int read_member(const char *dir, const char *rel, char **data, size_t *len, struct cc_error **err)
{
	cleanup_close int fd = open_member(dir, rel, err);
	if (fd < 0)
		return -1;
	cleanup_fclose FILE *f = fdopen(steal_fd(&fd), "r");
	return cc_read_stream(f, rel, data, len, err);
}

/* With the manifest, config and layer blobs in the store: unpack the layers, record the image, tag it. */
static int finish_image(struct cc_images *s, const char *manifest_digest, const char *manifest_media_type,
			const char *ref, cc_strv *loaded, struct cc_error **err)
{
	cleanup_free char *mbody = NULL;
	size_t mlen = 0;
	struct cc_oci_manifest man = {0};
	struct cc_image_record rec = {0};
	int r = cc_blob_read(s->blobs, manifest_digest, &mbody, &mlen, err);
	if (r == 0)
		r = cc_oci_parse_manifest(mbody, mlen, &man, err);
	if (r == 0)
		r = cc_images_read_config(s, &man, &rec, err);
	char chain[72] = "";
	for (size_t i = 0; r == 0 && i < man.nlayers; i++) {
		cc_chain_id(i ? chain : NULL, rec.diff_ids[i], chain);
		r = cc_layer_ensure(s->blobs, chain, man.layers[i].digest, rec.diff_ids[i], err);
	}
	if (r == 0) {
		cc_images_fill_record(&rec, &man, manifest_digest, manifest_media_type);
		struct cc_image_record old;
		if (cc_images_resolve(s, rec.img.id, &old, NULL) == 0) {
			rec.img.repo_digests = cc_strv_copy(old.img.repo_digests);
			rec.source = old.source ? cc_xstrdup(old.source) : NULL;
			cc_image_record_release(&old);
		}
		r = cc_images_commit(s, &rec, ref, err);
	}
	if (r == 0) {
		/* reported the way docker load does: "busybox:latest", "127.0.0.1:5000/x:y" */
		struct cc_image_ref pr;
		char *shown = NULL;
		if (ref && cc_image_ref_parse(ref, &pr, NULL) == 0) {
			shown = cc_image_ref_familiar(&pr);
			cc_image_ref_release(&pr);
		}
		cc_strv_push(loaded, shown ? shown : rec.img.id);
		free(shown);
		cc_images_event(s, "load", rec.img.id, ref ? ref : rec.img.id, NULL);
	}
	cc_image_record_release(&rec);
	cc_oci_manifest_release(&man);
	return r;
}

/* An OCI layout: every manifest index.json names (nested indexes resolved for linux/amd64). */
static int load_oci(struct cc_images *s, const char *dir, cc_strv *loaded, struct cc_error **err)
{
	cleanup_free char *body = NULL;
	size_t len = 0;
	struct cc_oci_index idx = {0};
	int r = read_member(dir, "index.json", &body, &len, err);
	if (r == 0)
		r = cc_oci_parse_index(body, len, &idx, err);
	for (size_t i = 0; r == 0 && i < idx.n; i++) {
		struct cc_oci_descriptor *d = &idx.manifests[i];
		cleanup_free char *digest = cc_xstrdup(d->digest);
		cleanup_free char *mt = d->media_type ? cc_xstrdup(d->media_type) : NULL;
		char got[72];
		cleanup_free char *rel = cc_xasprintf("blobs/sha256/%s", digest + 7);
		if ((r = import_blob(s, dir, rel, digest, got, NULL, err)) < 0)
			break;
		cleanup_free char *mbody = NULL;
		size_t mlen = 0;
		if ((r = cc_blob_read(s->blobs, digest, &mbody, &mlen, err)) < 0)
			break;
		if (cc_oci_is_index(mt, mbody, mlen)) {
			struct cc_oci_index inner;
			const struct cc_oci_descriptor *pick;
			if ((r = cc_oci_parse_index(mbody, mlen, &inner, err)) < 0)
				break;
			if ((r = cc_oci_select(&inner, NULL, &pick, err)) == 0) {
				free(digest);
				free(mt);
				digest = cc_xstrdup(pick->digest);
				mt = pick->media_type ? cc_xstrdup(pick->media_type) : NULL;
			}
			cc_oci_index_release(&inner);
			if (r < 0)
				break;
			free(rel);
			rel = cc_xasprintf("blobs/sha256/%s", digest + 7);
			if ((r = import_blob(s, dir, rel, digest, got, NULL, err)) < 0)
				break;
			free(mbody);
			mbody = NULL;
			if ((r = cc_blob_read(s->blobs, digest, &mbody, &mlen, err)) < 0)
				break;
		}
		struct cc_oci_manifest man;
		if ((r = cc_oci_parse_manifest(mbody, mlen, &man, err)) < 0)
			break;
		cleanup_free char *crel = cc_xasprintf("blobs/sha256/%s", man.config.digest + 7);
		r = import_blob(s, dir, crel, man.config.digest, got, NULL, err);
		for (size_t k = 0; r == 0 && k < man.nlayers; k++) {
			cleanup_free char *lrel = cc_xasprintf("blobs/sha256/%s", man.layers[k].digest + 7);
			r = import_blob(s, dir, lrel, man.layers[k].digest, got, NULL, err);
		}
		cc_oci_manifest_release(&man);
		/* the ref name is a full reference (podman, skopeo with a name) or only a tag: then none */
		const char *name = d->ref_name;
		struct cc_image_ref pr;
		bool named = name && strchr(name, '/') && cc_image_ref_parse(name, &pr, NULL) == 0;
		if (named)
			cc_image_ref_release(&pr);
		if (r == 0)
			r = finish_image(s, digest, mt, named ? name : NULL, loaded, err);
	}
	cc_oci_index_release(&idx);
	return r;
}

static bool gzipped(const char *dir, const char *rel)
{
	int fd = open_member(dir, rel, NULL);
	unsigned char magic[2] = {0};
	if (fd >= 0) {
		if (read(fd, magic, 2) != 2)
			magic[0] = 0;
		close(fd);
	}
	return magic[0] == 0x1f && magic[1] == 0x8b;
}

/* A docker-archive: manifest.json lists each image's config, tags and layer tarballs; a manifest is built. */
static int load_docker(struct cc_images *s, const char *dir, cc_strv *loaded, struct cc_error **err)
{
	cleanup_free char *body = NULL;
	size_t len = 0;
	if (read_member(dir, "manifest.json", &body, &len, err) < 0)
		return -1;
	json_t *list = json_loadb(body, len, 0, NULL);
	if (!json_is_array(list)) {
		json_decref(list);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "invalid docker-archive: manifest.json is not a list");
	}
	int r = 0;
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
	{
		const char *cfg = json_string_value(json_object_get(item, "Config"));
		json_t *layers = json_object_get(item, "Layers");
		if (!cfg || !json_is_array(layers)) {
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					 "invalid docker-archive: entry %zu lacks Config or "
					 "Layers",
					 i);
			break;
		}
		struct cc_oci_descriptor config = {.media_type = (char *)CC_MT_OCI_CONFIG};
		char cdigest[72];
		if ((r = import_blob(s, dir, cfg, NULL, cdigest, &config.size, err)) < 0)
			break;
		config.digest = cdigest;
		size_t nl = json_array_size(layers);
		struct cc_oci_descriptor *ls = cc_xcalloc(nl + 1, sizeof(*ls));
		char(*digests)[72] = cc_xcalloc(nl + 1, sizeof(*digests));
		size_t k;
		json_t *l;
		json_array_foreach(layers, k, l)
		{
			const char *rel = json_string_value(l);
			if (!rel) {
				r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
						 "invalid docker-archive: a layer is not a path");
				break;
			}
			if ((r = import_blob(s, dir, rel, NULL, digests[k], &ls[k].size, err)) < 0)
				break;
			ls[k].digest = digests[k];
			ls[k].media_type =
			    (char *)(gzipped(dir, rel) ? CC_MT_OCI_LAYER_GZIP : CC_MT_OCI_LAYER);
		}
		char mdigest[72];
		if (r == 0) {
			cleanup_free char *manifest = cc_oci_build_manifest(&config, ls, nl);
			r = cc_blob_put(s->blobs, manifest, strlen(manifest), NULL, mdigest, err);
		}
		free(ls);
		free(digests);
		json_t *tags = json_object_get(item, "RepoTags");
		if (r == 0 && json_array_size(tags) == 0)
			r = finish_image(s, mdigest, NULL, NULL, loaded, err);
		size_t t;
		json_t *tag;
		json_array_foreach(tags, t, tag)
		{
			if (r == 0)
				r = finish_image(s, mdigest, NULL, json_string_value(tag), loaded, err);
		}
		if (r < 0)
			break;
	}
	json_decref(list);
	return r;
}

int cc_images_load(struct cc_images *s, const char *tar_path, cc_strv *loaded, struct cc_error **err)
{
	if (cc_libarchive_ready(err) < 0)
		return -1;
	char rnd[17];
	cc_random_hex(rnd, 8);
	cleanup_free char *dir = cc_xasprintf("%s/tmp/load-%s", cc_blobs_dir(s->blobs), rnd);
	if (mkdir(dir, 0700) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", dir);
	*loaded = cc_xcalloc(1, sizeof(char *));
	cleanup_free char *oci = cc_xasprintf("%s/oci-layout", dir),
			  *docker = cc_xasprintf("%s/manifest.json", dir);
	int r = extract(tar_path, dir, err);
	if (r == 0 && access(oci, F_OK) == 0)
		r = load_oci(s, dir, loaded, err);
	else if (r == 0 && access(docker, F_OK) == 0)
		r = load_docker(s, dir, loaded, err);
	else if (r == 0)
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				 "%s is neither an OCI layout (oci-layout, index.json) nor a docker-archive "
				 "(manifest.json)",
				 tar_path);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (r < 0)
		return cc_error_wrap(err, "loading %s", tar_path);
	return 0;
}

static int add_entry_fd(struct archive *a, const char *name, int fd, int64_t size, struct cc_error **err)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, size);
	int r = 0;
	if (archive_write_header(a, e) != ARCHIVE_OK)
		r = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "writing %s: %s", name,
				 archive_error_string(a));
	char buf[1 << 16];
	off_t off = 0;
	while (r == 0 && off < size) {
		ssize_t k = pread(fd, buf, sizeof(buf), off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, k < 0 ? errno : EIO, "reading %s",
					       name);
			break;
		}
		if (archive_write_data(a, buf, (size_t)k) < 0)
			r = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "writing %s: %s", name,
					 archive_error_string(a));
		off += k;
	}
	archive_entry_free(e);
	return r;
}

static int add_entry_bytes(struct archive *a, const char *name, const char *data, size_t len,
			   struct cc_error **err)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	int r = 0;
	if (archive_write_header(a, e) != ARCHIVE_OK || archive_write_data(a, data, len) < 0)
		r = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "writing %s: %s", name,
				 archive_error_string(a));
	archive_entry_free(e);
	return r;
}

static int add_blob(struct cc_images *s, struct archive *a, const char *name, const char *digest,
		    struct cc_error **err)
{
	cleanup_free char *path = cc_blob_path(s->blobs, digest);
	cleanup_close int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return cc_error_set(err, CC_ERR_NOT_FOUND, "blob %s is missing from the image store", digest);
	struct stat st;
	fstat(fd, &st);
	return add_entry_fd(a, name, fd, st.st_size, err);
}

/* A layer blob as the uncompressed tar docker-archive wants, in an unlinked temporary file. */
static int decompressed(struct cc_images *s, const char *digest, int *out, int64_t *size,
			struct cc_error **err)
{
	cleanup_free char *path = cc_blob_path(s->blobs, digest);
	cleanup_free char *tmpdir = cc_xasprintf("%s/tmp", cc_blobs_dir(s->blobs));
	int fd = open(tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "temporary file in %s", tmpdir);
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	struct archive_entry *e;
	int r = 0;
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK || archive_read_data_into_fd(a, fd) != ARCHIVE_OK)
		r = cc_error_set(err, CC_ERR_INVALID_STATE, "layer %s: %s", digest, archive_error_string(a));
	archive_read_free(a);
	struct stat st;
	if (r == 0 && fstat(fd, &st) < 0)
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "layer %s", digest);
	if (r < 0) {
		close(fd);
		return -1;
	}
	*out = fd;
	*size = st.st_size;
	return 0;
}

/* blobs/sha256/<hex>, once however many saved images share it */
static int add_blob_once(struct cc_images *s, struct archive *a, json_t *seen, const char *digest,
			 struct cc_error **err)
{
	if (json_object_get(seen, digest))
		return 0;
	json_object_set_new(seen, digest, json_true());
	cleanup_free char *name = cc_xasprintf("blobs/sha256/%s", digest + 7);
	return add_blob(s, a, name, digest, err);
}

static int save_oci(struct cc_images *s, struct archive *a, struct cc_image_record *recs, char *const *refs,
		    size_t n, struct cc_error **err)
{
	json_t *manifests = json_array(), *seen = json_object();
	int r = add_entry_bytes(a, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct cc_image_record *rec = &recs[i];
		cleanup_free char *mbody = NULL;
		size_t mlen = 0;
		if ((r = cc_blob_read(s->blobs, rec->manifest_digest, &mbody, &mlen, err)) < 0)
			break;
		json_t *d = json_pack("{ss ss sI}", "mediaType", rec->manifest_media_type, "digest",
				      rec->manifest_digest, "size", (json_int_t)mlen);
		struct cc_image_ref pr;
		if (cc_image_ref_parse(refs[i], &pr, NULL) == 0) {
			if (pr.tag) {
				cleanup_free char *canon = cc_image_ref_string(&pr);
				json_object_set_new(d, "annotations",
						    json_pack("{ss ss}", "org.opencontainers.image.ref.name",
							      canon, "io.containerd.image.name", canon));
			}
			cc_image_ref_release(&pr);
		}
		json_array_append_new(manifests, d);
		r = add_blob_once(s, a, seen, rec->manifest_digest, err);
		if (r == 0)
			r = add_blob_once(s, a, seen, rec->config.digest, err);
		for (size_t k = 0; r == 0 && k < rec->nlayers; k++)
			r = add_blob_once(s, a, seen, rec->layers[k].digest, err);
	}
	if (r == 0) {
		json_t *index =
		    json_pack("{si ss so}", "schemaVersion", 2, "mediaType",
			      "application/vnd.oci.image.index.v1+json", "manifests", json_incref(manifests));
		cleanup_free char *text = json_dumps(index, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(index);
		r = add_entry_bytes(a, "index.json", text, strlen(text), err);
	}
	json_decref(manifests);
	json_decref(seen);
	return r;
}

static int save_docker(struct cc_images *s, struct archive *a, struct cc_image_record *recs,
		       char *const *refs, size_t n, struct cc_error **err)
{
	json_t *list = json_array(), *seen = json_object();
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct cc_image_record *rec = &recs[i];
		cleanup_free char *cfg = cc_xasprintf("%s.json", rec->config.digest + 7);
		if (!json_object_get(seen, cfg)) {
			json_object_set_new(seen, cfg, json_true());
			r = add_blob(s, a, cfg, rec->config.digest, err);
		}
		json_t *layers = json_array();
		for (size_t k = 0; r == 0 && k < rec->nlayers; k++) {
			cleanup_free char *name = cc_xasprintf("%s/layer.tar", rec->diff_ids[k] + 7);
			json_array_append_new(layers, json_string(name));
			if (json_object_get(seen, name))
				continue;
			json_object_set_new(seen, name, json_true());
			int fd = -1;
			int64_t size = 0;
			if ((r = decompressed(s, rec->layers[k].digest, &fd, &size, err)) < 0)
				break;
			r = add_entry_fd(a, name, fd, size, err);
			close(fd);
		}
		json_t *tags = json_array();
		struct cc_image_ref pr;
		if (cc_image_ref_parse(refs[i], &pr, NULL) == 0) {
			if (pr.tag) {
				cleanup_free char *fam = cc_image_ref_familiar(&pr);
				json_array_append_new(tags, json_string(fam));
			}
			cc_image_ref_release(&pr);
		}
		json_array_append_new(
		    list, json_pack("{ss so so}", "Config", cfg, "RepoTags", tags, "Layers", layers));
	}
	if (r == 0) {
		cleanup_free char *text = json_dumps(list, JSON_COMPACT | JSON_PRESERVE_ORDER);
		r = add_entry_bytes(a, "manifest.json", text, strlen(text), err);
	}
	json_decref(list);
	json_decref(seen);
	return r;
}

int cc_images_save(struct cc_images *s, char *const *refs, const char *format, const char *tar_path,
		   struct cc_error **err)
{
	if (cc_libarchive_ready(err) < 0)
		return -1;
	bool oci = !format || strcmp(format, "oci") == 0 || strcmp(format, "oci-archive") == 0;
	if (!oci && strcmp(format, "docker-archive") != 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "unknown archive format %s: use oci or docker-archive", format);
	size_t n = cc_strv_len(refs);
	struct cc_image_record *recs = cc_xcalloc(n + 1, sizeof(*recs));
	int r = 0;
	size_t got = 0;
	for (; r == 0 && got < n; got++)
		if ((r = cc_images_resolve(s, refs[got], &recs[got], err)) < 0)
			break;
	cleanup_free char *tmp = cc_xasprintf("%s.partial", tar_path);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (r == 0 && archive_write_open_filename(a, tmp) != ARCHIVE_OK)
		r = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s: %s", tar_path, archive_error_string(a));
	if (r == 0)
		r = oci ? save_oci(s, a, recs, refs, n, err) : save_docker(s, a, recs, refs, n, err);
	if (archive_write_close(a) != ARCHIVE_OK && r == 0)
		r = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s: %s", tar_path, archive_error_string(a));
	archive_write_free(a);
	if (r == 0 && rename(tmp, tar_path) < 0)
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "rename %s", tar_path);
	if (r < 0)
		unlink(tmp);
	for (size_t i = 0; i < got; i++)
		cc_image_record_release(&recs[i]);
	free(recs);
	return r;
}
