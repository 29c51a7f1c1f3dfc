/* System routes: /_ping, /version, /info, /metrics, /openapi.yaml. */
#include "base/clock.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "server/internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

extern const unsigned char cc_openapi_yaml[];
extern const size_t cc_openapi_yaml_len;

void h_ping(struct srv_req *r)
{
	/* the reply every health probe asks for, built without JSON machinery */
	static const char body[] =
	    "{\"ok\":true,\"server\":\"container-compose\",\"version\":\"" CC_VERSION "\"}";
	srv_reply_data(r, 200, "application/json", body, sizeof(body) - 1, SRV_MEM_STATIC);
}

static const char *api_arch(void)
{
	struct utsname u;
	if (uname(&u) < 0)
		return "unknown";
	if (strcmp(u.machine, "aarch64") == 0)
		return "arm64";
	static __thread char m[sizeof(u.machine)];
	strcpy(m, u.machine);
	return m;
}

void h_version(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt)
		return;
	json_t *o = json_object();
	json_object_set_new(o, "apiVersion", json_string("v1"));
	json_object_set_new(o, "version", json_string(CC_VERSION));
	json_object_set_new(o, "serverName", json_string("container-compose"));
	json_object_set_new(o, "runtimeBackend", json_string(cc_runtime_name(rt)));
	json_object_set_new(o, "arch", json_string(api_arch()));
	struct cc_version v = {0};
	struct cc_error *err = NULL;
	if (cc_rt_version(rt, &v, &err) == 0 && v.engine)
		json_object_set_new(o, "engine", json_string(v.engine));
	cc_version_release(&v);
	cc_error_free(err);
	srv_reply_json(r, 200, o);
}

void h_info(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt)
		return;
	struct cc_info in = {0};
	struct cc_error *err = NULL;
	if (cc_rt_info(rt, &in, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	struct server *s = srv_server(r);
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	/* stable for one host and state root, and says nothing about either */
	char *seed = cc_xasprintf("%s\n%s", host, s->root);
	char id[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(seed, strlen(seed), id);
	free(seed);
	id[12] = '\0';
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "name", json_string(host));
	json_object_set_new(o, "containerCount", json_integer(in.containers));
	json_object_set_new(o, "containersRunning", json_integer(in.running));
	json_object_set_new(o, "containersPaused", json_integer(in.paused));
	json_object_set_new(o, "containersStopped", json_integer(in.stopped));
	json_object_set_new(o, "images", json_integer(in.images));
	json_object_set_new(o, "serverVersion", json_string(CC_VERSION));
	json_object_set_new(o, "runtimeBackend", json_string(cc_runtime_name(rt)));
	json_object_set_new(o, "uptimeNanoseconds", json_integer(cc_monotonic_ns() - s->started_mono_ns));
	cc_info_release(&in);
	srv_reply_json(r, 200, o);
}

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	long size = 0, rss = 0;
	if (f) {
		if (fscanf(f, "%ld %ld", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * sysconf(_SC_PAGESIZE);
}

void h_metrics(struct srv_req *r)
{
	struct server *s = srv_server(r);
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_strbuf_addf(&sb,
		       "# HELP container_compose_uptime_seconds Seconds since the daemon started.\n"
		       "# TYPE container_compose_uptime_seconds gauge\n"
		       "container_compose_uptime_seconds %.3f\n"
		       "# HELP container_compose_memory_rss_bytes Resident memory of the daemon.\n"
		       "# TYPE container_compose_memory_rss_bytes gauge\n"
		       "container_compose_memory_rss_bytes %ld\n",
		       (double)(cc_monotonic_ns() - s->started_mono_ns) / 1e9, rss_bytes());
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt) {
		cc_strbuf_release(&sb);
		return;
	}
	struct cc_info in = {0};
	struct cc_error *err = NULL;
	if (cc_rt_info(rt, &in, &err) < 0) {
		cc_strbuf_release(&sb);
		srv_reply_error(r, &err);
		return;
	}
	cc_strbuf_addf(&sb,
		       "# HELP container_compose_registry_containers Containers the backend knows.\n"
		       "# TYPE container_compose_registry_containers gauge\n"
		       "container_compose_registry_containers %ld\n",
		       in.containers);
	cc_info_release(&in);
	srv_metrics_render(s, &sb);
	size_t len;
	char *text = cc_strbuf_detach(&sb, &len);
	srv_reply_data(r, 200, "text/plain; version=0.0.4", text, len, SRV_MEM_FREE);
}

void h_openapi(struct srv_req *r)
{
	srv_reply_data(r, 200, "application/yaml", cc_openapi_yaml, cc_openapi_yaml_len, SRV_MEM_STATIC);
}
