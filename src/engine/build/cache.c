/* The build cache (see build-internal.h) and the digests of what COPY copies from the context.
 *
 * A cache entry is a store object (kind "buildcache", named by the step's key): the layer the step produced
 * (or none) and when. Its blob may have been removed since (image removal collects unreferenced blobs): the
 * entry is then a miss, and the step runs again. Content digests of context files are remembered per file
 * identity (device, inode, size, mtime, ctime) in <root>/build/hashes.json, so an unchanged context is not
 * read again: any write to a file moves its ctime, which no tool can set back. */
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/build/build-internal.h"
#include "engine/build/copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HASHES_MAX 200000 /* remembered files; past this the memory starts over */

int build_cache_get(struct build *b, struct stage *st, const char *created_by, struct cc_error **err)
{
	struct cc_images *s = b->n->images;
	char *payload = NULL;
	struct cc_error *e = NULL;
	pthread_mutex_lock(&s->lock);
	int r = cc_store_object_get(s->store, CC_NATIVE_BACKEND, BUILD_CACHE_KIND, st->key, &payload, &e);
	pthread_mutex_unlock(&s->lock);
	if (r < 0) {
		if (e->kind == CC_ERR_NOT_FOUND) {
			cc_error_free(e);
			return 0;
		}
		*err = e;
		return -1;
	}
	json_t *j = json_loads(payload, 0, NULL);
	free(payload);
	json_t *layer = json_object_get(j, "layer");
	struct build_layer l = {0};
	if (json_is_object(layer)) {
		snprintf(l.digest, sizeof(l.digest), "%s",
			 json_string_value(json_object_get(layer, "digest")));
		snprintf(l.diff_id, sizeof(l.diff_id), "%s", l.digest);
		l.size = json_integer_value(json_object_get(layer, "size"));
		cc_chain_id(st->nlayers ? st->layers[st->nlayers - 1].chain : NULL, l.diff_id, l.chain);
		if (!cc_blob_exists(s->blobs, l.digest) ||
		    cc_layer_ensure(s->blobs, l.chain, l.digest, l.diff_id, &e) < 0) {
			cc_error_release(&e);
			json_decref(j);
			return 0;
		}
		st->layers = cc_xrealloc(st->layers, (st->nlayers + 2) * sizeof(*st->layers));
		st->layers[st->nlayers++] = l;
	} else if (!json_is_null(layer)) {
		json_decref(j);
		return 0;
	}
	st->created_ns = json_integer_value(json_object_get(j, "created"));
	bool empty = !json_is_object(layer);
	json_decref(j);
	build_history(st, created_by, empty);
	build_say(b, "cached", "CACHED");
	return 1;
}

void build_cache_put(struct build *b, const char *key, const struct build_layer *layer, int64_t created_ns)
{
	json_t *j =
	    json_pack("{so sI}", "layer",
		      layer ? json_pack("{ss sI}", "digest", layer->digest, "size", (json_int_t)layer->size)
			    : json_null(),
		      "created", (json_int_t)created_ns);
	cleanup_free char *payload = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	struct cc_images *s = b->n->images;
	struct cc_error *e = NULL;
	pthread_mutex_lock(&s->lock);
	if (cc_store_object_put(s->store, CC_NATIVE_BACKEND, BUILD_CACHE_KIND, key, payload, &e) < 0) {
		/* a cache that could not be written costs the next build time, not this one its result */
		build_say(b, "warning", "build cache: %s", e->msg);
		cc_error_free(e);
	}
	pthread_mutex_unlock(&s->lock);
}

/* ---- context digests ----------------------------------------------------------------------------------- */

static char *hashes_path(const struct build *b)
{
	return cc_xasprintf("%s/build/hashes.json", b->n->root);
}

static json_t *hashes(struct build *b)
{
	if (!b->hashes) {
		cleanup_free char *path = hashes_path(b);
		b->hashes = json_load_file(path, 0, NULL);
		if (!json_is_object(b->hashes) || json_object_size(b->hashes) > HASHES_MAX) {
			json_decref(b->hashes);
			b->hashes = json_object();
		}
	}
	return b->hashes;
}

void build_hashes_save(struct build *b)
{
	if (!b->hashes || !b->hashes_dirty)
		return;
	cleanup_free char *path = hashes_path(b);
	cleanup_free char *dir = cc_path_dir(path);
	cleanup_free char *tmp = cc_xasprintf("%s.tmp", path);
	cleanup_free char *text = json_dumps(b->hashes, JSON_COMPACT);
	struct cc_error *e = NULL;
	if (cc_mkdir_p(dir, 0700, &e) < 0 ||
	    cc_write_file_atomic(path, tmp, text, strlen(text), 0600, false, &e) < 0)
		cc_error_free(e);
	b->hashes_dirty = false;
}

static int file_digest(struct build *b, int fd, const struct stat *st, char out[72], struct cc_error **err)
{
	char id[64];
	snprintf(id, sizeof(id), "%ju:%ju", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
	json_t *m = json_object_get(hashes(b), id);
	json_int_t mt = (json_int_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	json_int_t ct = (json_int_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
	if (json_array_size(m) == 4 && json_integer_value(json_array_get(m, 0)) == (json_int_t)st->st_size &&
	    json_integer_value(json_array_get(m, 1)) == mt &&
	    json_integer_value(json_array_get(m, 2)) == ct) {
		snprintf(out, 72, "%s", json_string_value(json_array_get(m, 3)));
		return 0;
	}
	if (cc_digest_file(fd, out, NULL, err) < 0)
		return -1;
	json_object_set_new(hashes(b), id, json_pack("[IIIs]", (json_int_t)st->st_size, mt, ct, out));
	b->hashes_dirty = true;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int digest_entry(struct build *b, int dfd, const char *name, const char *rel, struct cc_strbuf *out,
			struct cc_error **err);

static int digest_dir(struct build *b, int fd, const char *rel, struct cc_strbuf *out, struct cc_error **err)
{
	int dup_fd = dup(fd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "read %s", rel);
	}
	cc_strv names = cc_xcalloc(1, sizeof(char *));
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			cc_strv_push(&names, de->d_name);
	closedir(d);
	size_t n = cc_strv_len(names);
	qsort(names, n, sizeof(char *), cmp_names);
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		cleanup_free char *child = *rel ? cc_xasprintf("%s/%s", rel, names[i]) : cc_xstrdup(names[i]);
		struct stat st;
		bool dir = fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
		if (cc_ignore_excluded(&b->ignore, child) && !(dir && b->ignore.has_exceptions))
			continue;
		r = digest_entry(b, fd, names[i], child, out, err);
	}
	cc_strv_free(names);
	return r;
}

static int digest_entry(struct build *b, int dfd, const char *name, const char *rel, struct cc_strbuf *out,
			struct cc_error **err)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "stat %s", rel);
	cc_strbuf_addf(out, "%s %o", rel, (unsigned)st.st_mode);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
		cc_strbuf_addf(out, " -> %.*s\n", (int)(n > 0 ? n : 0), target);
		return 0;
	}
	int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0);
	cleanup_close int fd = (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) ? openat(dfd, name, flags) : -1;
	if ((S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) && fd < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", rel);
	if (S_ISREG(st.st_mode)) {
		char d[72];
		if (file_digest(b, fd, &st, d, err) < 0)
			return -1;
		cc_strbuf_addf(out, " %s\n", d);
		return 0;
	}
	cc_strbuf_addch(out, '\n');
	return S_ISDIR(st.st_mode) ? digest_dir(b, fd, rel, out, err) : 0;
}

int build_context_digest(struct build *b, const char *rel, struct cc_strbuf *out, struct cc_error **err)
{
	cleanup_free char *clean = cc_path_clean(*rel ? rel : ".");
	const char *r = clean;
	while (*r == '/')
		r++;
	if (strcmp(r, ".") == 0)
		r = "";
	/* the source itself is followed when it is a link, as the copy does */
	cleanup_close int fd = cc_inroot_open(b->context_fd, r, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0)
		return cc_error_set_errno(err, fd == -ENOENT ? CC_ERR_NOT_FOUND : CC_ERR_BACKEND_FAILURE, -fd,
					  "source %s", *r ? r : ".");
	struct stat st;
	if (fstat(fd, &st) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "stat %s", r);
	cc_strbuf_addf(out, "source %s %o\n", r, (unsigned)st.st_mode);
	if (S_ISDIR(st.st_mode))
		return digest_dir(b, fd, r, out, err);
	char d[72];
	if (file_digest(b, fd, &st, d, err) < 0)
		return -1;
	cc_strbuf_addf(out, "%s\n", d);
	return 0;
}
