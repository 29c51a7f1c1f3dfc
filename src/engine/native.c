/* The native backend: its image store (pulls, pushes, load/save against real registries and tarballs),
 * containers run under runc (containers.c, monitor.c, exec.c, stats.c), bridge networks with DNS and
 * published ports (networks.c), volumes (volumes.c), secrets and configs (secrets.c), and Dockerfile builds
 * (build/). */
#include "base/cleanup.h"
#include "base/xalloc.h"
#include "engine/image/images.h"
#include "engine/native-internal.h"
#include "runtime/backends.h"
#include "runtime/events.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static int native_version(void *self, struct cc_version *out, struct cc_error **err)
{
	struct utsname u;
	uname(&u);
	out->backend = cc_xstrdup(CC_NATIVE_BACKEND);
	out->version = cc_xstrdup(CC_VERSION);
	out->api_version = cc_xstrdup("v1");
	out->os = cc_xstrdup("linux");
	out->arch = cc_xstrdup(u.machine);
	out->engine = cc_xstrdup("container-compose image store");
	return 0;
}

static int native_info(void *self, struct cc_info *out, struct cc_error **err)
{
	struct native *n = self;
	struct cc_image *imgs;
	size_t count;
	if (cc_images_list(n->images, &imgs, &count, err) < 0)
		return -1;
	cc_images_free(imgs, count);
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	out->backend = cc_xstrdup(CC_NATIVE_BACKEND);
	out->name = cc_xstrdup(host);
	out->root = cc_xstrdup(n->root);
	out->images = (long)count;
	struct cc_container *cs;
	size_t ncs;
	if (native_all_containers(n, &cs, &ncs, err) < 0)
		return -1;
	cc_info_count(out, cs, ncs);
	cc_containers_free(cs, ncs);
	return 0;
}

static int native_events(void *self, const struct cc_event_filter *f, const struct cc_event_sink *sink,
			 struct cc_error **err)
{
	struct native *n = self;
	/* exits are recorded by whoever reads a container next: every poll settles first */
	struct cc_store_events src = {n->store, &n->images->lock, CC_NATIVE_BACKEND, native_settle_all, n};
	return cc_store_events_stream(&src, f, sink, err);
}

static int image_list(void *self, struct cc_image **out, size_t *count, struct cc_error **err)
{
	return cc_images_list(((struct native *)self)->images, out, count, err);
}

static int image_inspect(void *self, const char *ref, struct cc_image *out, struct cc_error **err)
{
	return cc_images_inspect(((struct native *)self)->images, ref, out, err);
}

static int image_pull(void *self, const char *ref, const char *platform, const struct cc_progress_sink *sink,
		      struct cc_error **err)
{
	return cc_images_pull(((struct native *)self)->images, ref, platform, sink, err);
}

static int image_push(void *self, const char *ref, const struct cc_progress_sink *sink, struct cc_error **err)
{
	return cc_images_push(((struct native *)self)->images, ref, sink, err);
}

static int image_tag(void *self, const char *src, const char *dst, struct cc_error **err)
{
	return cc_images_tag(((struct native *)self)->images, src, dst, err);
}

static int image_remove(void *self, const char *ref, bool force, struct cc_error **err)
{
	struct native *n = self;
	/* like docker: an image a container was created from stays while the container exists, unless forced
	 * or only one of its several tags is removed */
	struct cc_image img;
	if (!force && cc_images_inspect(n->images, ref, &img, NULL) == 0) {
		int r = 0;
		if (!cc_image_ref_only_untags(&img, ref, cc_strv_len(img.repo_tags))) {
			struct cc_container *cs = NULL;
			size_t ncs = 0;
			r = native_all_containers(n, &cs, &ncs, err);
			for (size_t i = 0; r == 0 && i < ncs; i++)
				if (cs[i].image_id && strcmp(cs[i].image_id, img.id) == 0)
					r = cc_error_set(
					    err, CC_ERR_INVALID_STATE,
					    "conflict: unable to remove repository reference \"%s\" "
					    "(must force) - container %s is using its referenced image",
					    ref, cs[i].name);
			if (ncs || r == 0)
				cc_containers_free(cs, ncs);
		}
		cc_image_release(&img);
		if (r < 0)
			return -1;
	}
	return cc_images_remove(n->images, ref, force, err);
}

static int image_load(void *self, const char *tar_path, cc_strv *loaded, struct cc_error **err)
{
	return cc_images_load(((struct native *)self)->images, tar_path, loaded, err);
}

static int image_save(void *self, char *const *refs, const char *format, const char *tar_path,
		      struct cc_error **err)
{
	return cc_images_save(((struct native *)self)->images, refs, format, tar_path, err);
}

static void native_close(void *self)
{
	struct native *n = self;
	cc_images_close(n->images);
	cc_store_close(n->store);
	cc_strmap_release(&n->decoded);
	free(n->root);
	native_oci_release(&n->oci);
	free(n->oci_requested);
	free(n->cleanup_exe);
	pthread_mutex_destroy(&n->oci_lock);
	native_fw_release(&n->fw);
	native_watch_pool_release(&n->watches); /* last: see dirwatch.h */
	free(n);
}

static const struct cc_runtime_ops native_ops = {
    .version = native_version,
    .info = native_info,
    .container_list = native_container_list,
    .container_inspect = native_container_inspect,
    .container_create = native_container_create,
    .container_start = native_container_start,
    .container_stop = native_container_stop,
    .container_kill = native_container_kill,
    .container_remove = native_container_remove,
    .container_wait = native_container_wait,
    .container_logs = native_container_logs,
    .events = native_events,
    .container_restart = native_container_restart,
    .container_pause = native_container_pause,
    .container_unpause = native_container_unpause,
    .container_exec = native_container_exec,
    .container_top = native_container_top,
    .container_attach = native_container_attach,
    .container_copy = native_container_copy,
    .container_stats = native_container_stats,
    .image_list = image_list,
    .image_inspect = image_inspect,
    .image_pull = image_pull,
    .image_push = image_push,
    .image_build = native_image_build,
    .image_tag = image_tag,
    .image_remove = image_remove,
    .image_load = image_load,
    .image_save = image_save,
    .network_list = native_network_list,
    .network_inspect = native_network_inspect,
    .network_create = native_network_create,
    .network_remove = native_network_remove,
    .network_connect = native_network_connect,
    .network_disconnect = native_network_disconnect,
    .volume_list = native_volume_list,
    .volume_inspect = native_volume_inspect,
    .volume_create = native_volume_create,
    .volume_remove = native_volume_remove,
    .volume_prune = native_volume_prune,
    .secret_list = native_secret_list,
    .secret_create = native_secret_create,
    .secret_update = native_secret_update,
    .secret_remove = native_secret_remove,
    .close = native_close,
};

static int native_open(const struct cc_runtime_config *cfg, struct cc_runtime **out, struct cc_error **err)
{
	struct cc_store *store;
	if (cc_store_open(cfg->root, &store, err) < 0)
		return -1;
	struct native *n = cc_xcalloc(1, sizeof(*n));
	cc_strmap_init(&n->decoded, NULL);
	native_watch_pool_init(&n->watches);
	pthread_mutex_init(&n->oci_lock, NULL);
	native_fw_init(&n->fw);
	n->oci_requested = cfg->oci_runtime && *cfg->oci_runtime ? cc_xstrdup(cfg->oci_runtime) : NULL;
	n->cleanup_exe = cfg->cleanup_exe && *cfg->cleanup_exe ? cc_xstrdup(cfg->cleanup_exe) : NULL;
	n->store = store;
	n->root = cc_xstrdup(cfg->root);
	if (cc_images_open(cfg->root, store, &n->images, err) < 0) {
		cc_store_close(store);
		free(n->root);
		free(n->oci_requested);
		free(n->cleanup_exe);
		pthread_mutex_destroy(&n->oci_lock);
		native_fw_release(&n->fw);
		native_watch_pool_release(&n->watches);
		free(n);
		return -1;
	}
	*out = cc_runtime_new(CC_NATIVE_BACKEND, &native_ops, n);
	return 0;
}

const struct cc_backend cc_backend_native = {CC_NATIVE_BACKEND, native_open};
