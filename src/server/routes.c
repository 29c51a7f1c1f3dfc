/* The route table: every path of the contract (design/API.md) and the few extensions the remote backend
 * needs, with the properties the central checks in http.c read (body limit, blocking). data/openapi.yaml
 * lists the same (method, path) pairs; a test keeps the two equal. */
#include "server/internal.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define R(m, p, h, f)                                                                                        \
	{                                                                                                    \
		.method = m, .path = p, .handler = h, .flags = f                                             \
	}

static struct srv_route table[] = {
    R("GET", "/_ping", h_ping, 0),
    R("GET", "/version", h_version, 0),
    R("GET", "/info", h_info, 0),
    R("GET", "/metrics", h_metrics, 0),
    R("GET", "/openapi.yaml", h_openapi, 0),

    R("GET", "/containers", h_container_list, 0),
    R("POST", "/containers/create", h_container_create, SRV_LARGE | SRV_BLOCKING),
    R("GET", "/containers/{id}", h_container_inspect, 0),
    R("DELETE", "/containers/{id}", h_container_remove, SRV_BLOCKING),
    R("POST", "/containers/{id}/start", h_container_start, SRV_BLOCKING),
    R("POST", "/containers/{id}/stop", h_container_stop, SRV_BLOCKING),
    R("POST", "/containers/{id}/restart", h_container_restart, SRV_BLOCKING),
    R("POST", "/containers/{id}/kill", h_container_kill, SRV_BLOCKING),
    R("POST", "/containers/{id}/pause", h_container_pause, SRV_BLOCKING),
    R("POST", "/containers/{id}/unpause", h_container_unpause, SRV_BLOCKING),
    R("POST", "/containers/{id}/wait", h_container_wait, SRV_BLOCKING),
    R("GET", "/containers/{id}/logs", h_container_logs, 0),
    R("GET", "/containers/{id}/stats", h_container_stats, 0),
    R("POST", "/containers/{id}/exec", h_container_exec, 0),
    R("POST", "/containers/{id}/attach", h_container_attach, 0),
    R("GET", "/containers/{id}/top", h_container_top, SRV_BLOCKING),
    R("GET", "/containers/{id}/archive", h_container_archive_get, SRV_BLOCKING),
    R("PUT", "/containers/{id}/archive", h_container_archive_put,
      SRV_RAW_BODY | SRV_UNLIMITED | SRV_BLOCKING),

    R("GET", "/events", h_events, 0),

    R("GET", "/images", h_image_list, 0),
    R("POST", "/images/pull", h_image_pull, 0),
    R("POST", "/images/push", h_image_push, 0),
    R("POST", "/images/load", h_image_load, SRV_RAW_BODY | SRV_UNLIMITED | SRV_BLOCKING),
    R("POST", "/images/build", h_image_build, SRV_RAW_BODY | SRV_UNLIMITED | SRV_BLOCKING),
    /* {ref} spans segments (a reference has slashes): the longer patterns go first, so a reference ending
     * in /save or /tag reads as those routes */
    R("GET", "/images/{ref}/save", h_image_save, SRV_BLOCKING),
    R("POST", "/images/{ref}/tag", h_image_tag, 0),
    R("GET", "/images/{ref}", h_image_inspect, 0),
    R("DELETE", "/images/{ref}", h_image_remove, SRV_BLOCKING),

    R("GET", "/networks", h_network_list, 0),
    R("POST", "/networks", h_network_create, SRV_BLOCKING),
    R("GET", "/networks/{id}", h_network_inspect, 0),
    R("DELETE", "/networks/{id}", h_network_remove, SRV_BLOCKING),
    R("POST", "/networks/{id}/connect", h_network_connect, SRV_BLOCKING),
    R("POST", "/networks/{id}/disconnect", h_network_disconnect, SRV_BLOCKING),

    R("GET", "/volumes", h_volume_list, 0),
    R("POST", "/volumes", h_volume_create, SRV_BLOCKING),
    R("POST", "/volumes/prune", h_volume_prune, SRV_BLOCKING),
    R("GET", "/volumes/{name}", h_volume_inspect, 0),
    R("DELETE", "/volumes/{name}", h_volume_remove, SRV_BLOCKING),

    R("GET", "/secrets", h_secret_list, 0),
    R("POST", "/secrets", h_secret_create, 0),
    R("DELETE", "/secrets/{name}", h_secret_remove, 0),
    R("PUT", "/secrets/{name}", h_secret_update, 0),
    R("GET", "/configs", h_config_list, 0),
    R("POST", "/configs", h_config_create, 0),
    R("DELETE", "/configs/{name}", h_config_remove, 0),
    R("PUT", "/configs/{name}", h_config_update, 0),

    R("GET", "/projects", h_project_list, 0),
    R("GET", "/projects/{name}", h_project_get, 0),
    R("POST", "/projects/{name}", h_project_ingest, SRV_LARGE | SRV_RAW_BODY),
    R("DELETE", "/projects/{name}", h_project_delete, 0),
    R("GET", "/projects/{name}/services", h_project_services, 0),
    R("POST", "/projects/{name}/up", h_project_up, SRV_BLOCKING),
    R("POST", "/projects/{name}/down", h_project_down, SRV_BLOCKING),
    R("POST", "/projects/{name}/restart", h_project_restart, SRV_BLOCKING),
    R("POST", "/projects/{name}/build", h_project_build, 0),
    R("POST", "/projects/{name}/pull", h_project_pull, 0),
    R("POST", "/projects/{name}/services/{service}/scale", h_project_scale, SRV_BLOCKING),
    R("GET", "/projects/{name}/logs", h_project_logs, 0),
};

void srv_print_routes(FILE *out)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		fprintf(out, "%s %s\n", table[i].method, table[i].path);
}

struct srv_route *srv_routes(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

/* libmicrohttpd hands over the path percent-decoded, so an encoded slash has already split a segment (and
 * no route matches); a NUL cannot reach here. Names are the handlers' to validate. */
static char *segment_copy(const char *s, size_t len)
{
	return cc_xstrndup(s, len);
}

/* Does path match the pattern? Fills params (owned) from index np on a match. A {ref} parameter (an image
 * reference) may span several segments, "localhost:5000/team/app:1", and takes as many as leave the rest
 * of the pattern matching. */
static bool match_from(const char *p, const char *s, char **params, int np)
{
	if (*p == '\0' || *s == '\0')
		return *p == '\0' && *s == '\0';
	if (*p != '/' || *s != '/')
		return false;
	p++, s++;
	const char *pe = strchrnul(p, '/'), *se = strchrnul(s, '/');
	if (*p != '{')
		return (size_t)(pe - p) == (size_t)(se - s) && memcmp(p, s, (size_t)(pe - p)) == 0 &&
		       match_from(pe, se, params, np);
	if (se == s || np >= SRV_MAX_PARAMS)
		return false;
	bool greedy = (size_t)(pe - p) == 5 && memcmp(p, "{ref}", 5) == 0;
	for (;;) {
		if (match_from(pe, se, params, np + 1)) {
			params[np] = segment_copy(s, (size_t)(se - s));
			return true;
		}
		if (!greedy || *se == '\0')
			return false;
		se = strchrnul(se + 1, '/');
	}
}

static bool path_matches(const char *pattern, const char *path, char **params)
{
	return match_from(pattern, path, params, 0);
}

struct srv_route *srv_route_match(struct srv_route *routes, size_t n, const char *method, const char *path,
				  char **params, bool *path_known)
{
	*path_known = false;
	for (size_t i = 0; i < n; i++) {
		char *tmp[SRV_MAX_PARAMS] = {0};
		if (!path_matches(routes[i].path, path, tmp))
			continue;
		if (strcmp(routes[i].method, method) == 0) {
			memcpy(params, tmp, sizeof(tmp));
			return &routes[i];
		}
		*path_known = true;
		for (int k = 0; k < SRV_MAX_PARAMS; k++)
			free(tmp[k]);
	}
	return NULL;
}
