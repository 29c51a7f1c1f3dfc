/* The mock backend: registration, system calls, transactions and events. */
#include "mock/mock.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/random.h"
#include "base/xalloc.h"
#include "runtime/backends.h"
#include "runtime/codec.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

void mock_new_id(char out[65])
{
	cc_random_hex(out, 32);
}

int mock_begin(struct mock *m, struct cc_error **err)
{
	pthread_mutex_lock(&m->lock);
	if (cc_store_begin(m->store, err) < 0) {
		pthread_mutex_unlock(&m->lock);
		return -1;
	}
	return 0;
}

int mock_commit(struct mock *m, struct cc_error **err)
{
	int r = cc_store_commit(m->store, err);
	if (r < 0)
		cc_store_rollback(m->store);
	pthread_mutex_unlock(&m->lock);
	return r;
}

void mock_abort(struct mock *m)
{
	cc_store_rollback(m->store);
	pthread_mutex_unlock(&m->lock);
}

int mock_event(struct mock *m, int64_t time_ns, const char *type, const char *action, const char *id,
	       const char *name, const struct cc_kvs *attrs, struct cc_error **err)
{
	struct cc_event e = {.time_ns = time_ns,
			     .type = (char *)type,
			     .action = (char *)action,
			     .id = (char *)id,
			     .name = (char *)name};
	if (attrs)
		e.attributes = *attrs;
	cleanup_free char *payload = cc_json_dump_compact(cc_event_to_json(&e));
	return cc_store_event_append(m->store, MOCK_BACKEND, time_ns, payload, NULL, err);
}

int mock_container_event(struct mock *m, const struct mock_container *mc, int64_t time_ns, const char *action,
			 const char *extra_key, const char *extra_value, struct cc_error **err)
{
	struct cc_kvs attrs = {0};
	cc_kvs_copy(&attrs, &mc->c.spec.labels);
	cc_kvs_set(&attrs, "image", mc->c.spec.image);
	cc_kvs_set(&attrs, "name", mc->c.name);
	if (extra_key)
		cc_kvs_set(&attrs, extra_key, extra_value);
	int r = mock_event(m, time_ns, "container", action, mc->c.id, mc->c.name, &attrs, err);
	cc_kvs_release(&attrs);
	return r;
}

static int mock_version(void *self, struct cc_version *out, struct cc_error **err)
{
	struct utsname u;
	uname(&u);
	out->backend = cc_xstrdup(MOCK_BACKEND);
	out->version = cc_xstrdup(CC_VERSION);
	out->api_version = cc_xstrdup("v1");
	out->os = cc_xstrdup("linux");
	out->arch = cc_xstrdup(u.machine);
	out->engine = cc_xstrdup("simulated processes (no engine)");
	return 0;
}

static int mock_info(void *self, struct cc_info *out, struct cc_error **err)
{
	struct mock *m = self;
	struct cc_container *cs = NULL;
	size_t n = 0;
	struct cc_container_filter all = {.all = true};
	if (mock_container_list(self, &all, &cs, &n, err) < 0)
		return -1;
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	out->backend = cc_xstrdup(MOCK_BACKEND);
	out->name = cc_xstrdup(host);
	out->root = cc_xstrdup(m->root);
	cc_info_count(out, cs, n);
	cc_containers_free(cs, n);
	struct cc_image *imgs = NULL;
	if (mock_image_list(self, &imgs, &n, err) < 0)
		return -1;
	out->images = (long)n;
	cc_images_free(imgs, n);
	return 0;
}

static void mock_close(void *self)
{
	struct mock *m = self;
	cc_store_close(m->store);
	pthread_mutex_destroy(&m->lock);
	free(m->root);
	free(m);
}

static const struct cc_runtime_ops mock_ops = {
    .version = mock_version,
    .info = mock_info,
    .container_list = mock_container_list,
    .container_inspect = mock_container_inspect,
    .container_create = mock_container_create,
    .container_start = mock_container_start,
    .container_stop = mock_container_stop,
    .container_restart = mock_container_restart,
    .container_kill = mock_container_kill,
    .container_pause = mock_container_pause,
    .container_unpause = mock_container_unpause,
    .container_remove = mock_container_remove,
    .container_wait = mock_container_wait,
    .container_logs = mock_container_logs,
    .container_exec = mock_container_exec,
    .container_top = mock_container_top,
    .container_stats = mock_container_stats,
    /* no filesystem in the model: copy, push, build, load and save answer NOT_SUPPORTED */
    .events = mock_events,
    .image_list = mock_image_list,
    .image_inspect = mock_image_inspect,
    .image_pull = mock_image_pull,
    .image_tag = mock_image_tag,
    .image_remove = mock_image_remove,
    .network_list = mock_network_list,
    .network_inspect = mock_network_inspect,
    .network_create = mock_network_create,
    .network_remove = mock_network_remove,
    .network_connect = mock_network_connect,
    .network_disconnect = mock_network_disconnect,
    .volume_list = mock_volume_list,
    .volume_inspect = mock_volume_inspect,
    .volume_create = mock_volume_create,
    .volume_remove = mock_volume_remove,
    .volume_prune = mock_volume_prune,
    .secret_list = mock_secret_list,
    .secret_create = mock_secret_create,
    .secret_update = mock_secret_update,
    .secret_remove = mock_secret_remove,
    .close = mock_close,
};

static int mock_open(const struct cc_runtime_config *cfg, struct cc_runtime **out, struct cc_error **err)
{
	struct cc_store *store;
	if (cc_store_open(cfg->root, &store, err) < 0)
		return -1;
	struct mock *m = cc_xcalloc(1, sizeof(*m));
	/* recursive: an operation may list containers inside its own transaction */
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&m->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	m->store = store;
	m->root = cc_xstrdup(cfg->root);
	*out = cc_runtime_new(MOCK_BACKEND, &mock_ops, m);
	return 0;
}

const struct cc_backend cc_backend_mock = {MOCK_BACKEND, mock_open};
