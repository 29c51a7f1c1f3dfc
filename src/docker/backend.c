/* The docker backend: the runtime vtable over a Docker Engine (API v1.41 or older): dockerd, or podman's
 * Docker-compatible service, whose differences (libpod's error words, its events, top and pull) are handled
 * where they show.
 *
 * The engine is the runtime config's docker_host (--docker-host), else DOCKER_HOST (unix:///path or
 * tcp://host:port; default unix:///var/run/docker.sock), with TLS when DOCKER_TLS_VERIFY is set, as docker's
 * CLI does. The engine keeps its own state; the state root holds only our secrets and configs (swarm's
 * do not exist outside swarm mode: secrets.c). Attach and exec with input or a terminal go over the
 * engine's hijacked connections (hijack.c). */
#include "docker/docker-internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "runtime/backends.h"

#define D(self) (((struct docker *)(self))->c)

static int dk_version(void *self, struct cc_version *out, struct cc_error **err)
{
	json_t *j;
	if (dk_call(D(self), "GET", "/version", NULL, &j, "version", err) < 0)
		return -1;
	out->backend = cc_xstrdup(CC_DOCKER_BACKEND);
	out->version = cc_xstrdup(dk_str(j, "Version") ? dk_str(j, "Version") : "");
	out->api_version = cc_xstrdup(D(self)->api);
	out->os = cc_xstrdup(dk_str(j, "Os") ? dk_str(j, "Os") : "linux");
	out->arch = cc_xstrdup(dk_str(j, "Arch") ? dk_str(j, "Arch") : "");
	const char *v = dk_str(j, "Version");
	out->engine = cc_xasprintf("docker %s", v ? v : "?");
	json_decref(j);
	return 0;
}

static int dk_info(void *self, struct cc_info *out, struct cc_error **err)
{
	json_t *j;
	if (dk_call(D(self), "GET", "/info", NULL, &j, "info", err) < 0)
		return -1;
	out->backend = cc_xstrdup(CC_DOCKER_BACKEND);
	out->name = cc_xstrdup(dk_str(j, "Name") ? dk_str(j, "Name") : "");
	out->root = cc_xstrdup(dk_str(j, "DockerRootDir") ? dk_str(j, "DockerRootDir") : "");
	out->containers = (long)dk_int(j, "Containers");
	out->running = (long)dk_int(j, "ContainersRunning");
	out->paused = (long)dk_int(j, "ContainersPaused");
	/* everything neither running nor paused, created ones included (podman leaves those out) */
	out->stopped = out->containers - out->running - out->paused;
	out->images = (long)dk_int(j, "Images");
	json_decref(j);
	return 0;
}

static void dk_close(void *self)
{
	struct docker *d = self;
	dk_client_close(d->c);
	if (d->store)
		cc_store_close(d->store);
	pthread_mutex_destroy(&d->lock);
	free(d->values);
	free(d->files);
	free(d->root);
	free(d);
}

static const struct cc_runtime_ops docker_ops = {
    .version = dk_version,
    .info = dk_info,
    .container_list = dk_container_list,
    .container_inspect = dk_container_inspect,
    .container_create = dk_container_create,
    .container_start = dk_container_start,
    .container_stop = dk_container_stop,
    .container_restart = dk_container_restart,
    .container_kill = dk_container_kill,
    .container_pause = dk_container_pause,
    .container_unpause = dk_container_unpause,
    .container_remove = dk_container_remove,
    .container_wait = dk_container_wait,
    .container_logs = dk_container_logs,
    .container_exec = dk_container_exec,
    .container_top = dk_container_top,
    .container_stats = dk_container_stats,
    .container_copy = dk_container_copy,
    .container_attach = dk_container_attach,
    .secret_list = dk_secret_list,
    .secret_create = dk_secret_create,
    .secret_update = dk_secret_update,
    .secret_remove = dk_secret_remove,
    .events = dk_events,
    .image_list = dk_image_list,
    .image_inspect = dk_image_inspect,
    .image_pull = dk_image_pull,
    .image_push = dk_image_push,
    .image_build = dk_image_build,
    .image_tag = dk_image_tag,
    .image_remove = dk_image_remove,
    .image_load = dk_image_load,
    .image_save = dk_image_save,
    .network_list = dk_network_list,
    .network_inspect = dk_network_inspect,
    .network_create = dk_network_create,
    .network_remove = dk_network_remove,
    .network_connect = dk_network_connect,
    .network_disconnect = dk_network_disconnect,
    .volume_list = dk_volume_list,
    .volume_inspect = dk_volume_inspect,
    .volume_create = dk_volume_create,
    .volume_remove = dk_volume_remove,
    .volume_prune = dk_volume_prune,
    .close = dk_close,
};

static int docker_open(const struct cc_runtime_config *cfg, struct cc_runtime **out, struct cc_error **err)
{
	struct docker *d = cc_xcalloc(1, sizeof(*d));
	const char *v = getenv("DOCKER_TLS_VERIFY");
	struct dk_tls tls = {.verify = v && *v, .cert_path = getenv("DOCKER_CERT_PATH")};
	const char *host = cfg->docker_host && *cfg->docker_host ? cfg->docker_host : getenv("DOCKER_HOST");
	if (dk_client_open(host, &tls, &d->c, err) < 0) {
		free(d);
		return -1;
	}
	d->root = cc_xstrdup(cfg->root);
	d->values = cc_xasprintf("%s/docker/secrets", cfg->root);
	d->files = cc_xasprintf("%s/docker/files", cfg->root);
	pthread_mutex_init(&d->lock, NULL);
	*out = cc_runtime_new(CC_DOCKER_BACKEND, &docker_ops, d);
	return 0;
}

const struct cc_backend cc_backend_docker = {CC_DOCKER_BACKEND, docker_open};
