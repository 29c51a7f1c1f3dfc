/* HTTP to the Docker Engine: see client.h. */
#include "docker/client.h"

#include "base/curl.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

/* docker's CLI convention: DOCKER_TLS_VERIFY (any non-empty value) means TLS to a tcp:// engine, verified
 * against <DOCKER_CERT_PATH>/ca.pem, with the client certificate cert.pem and key.pem from the same
 * directory (default ~/.docker). */
static int tls_files(const struct dk_tls *tls, struct dk_client *c, struct cc_error **err)
{
	const char *dir = tls->cert_path && *tls->cert_path ? tls->cert_path : NULL;
	cleanup_free char *home_dir = NULL;
	if (!dir) {
		const char *home = getenv("HOME");
		home_dir = cc_xasprintf("%s/.docker", home && *home ? home : "/root");
		dir = home_dir;
	}
	c->cacert = cc_xasprintf("%s/ca.pem", dir);
	c->cert = cc_xasprintf("%s/cert.pem", dir);
	c->key = cc_xasprintf("%s/key.pem", dir);
	if (access(c->cacert, R_OK) < 0)
		return cc_error_set_errno(
		    err, CC_ERR_INVALID_ARGUMENT, errno,
		    "DOCKER_TLS_VERIFY is set, but the engine's CA certificate %s cannot "
		    "be read (DOCKER_CERT_PATH)",
		    c->cacert);
	/* a client certificate is optional (an engine without --tlsverify asks for none) */
	if (access(c->cert, R_OK) < 0 || access(c->key, R_OK) < 0) {
		free(c->cert);
		free(c->key);
		c->cert = c->key = NULL;
	}
	return 0;
}

int dk_client_open(const char *host, const struct dk_tls *tls, struct dk_client **out, struct cc_error **err)
{
	if (cc_curl_ready(err) < 0)
		return -1;
	if (!host || !*host)
		host = DK_DEFAULT_HOST;
	struct dk_client *c = cc_xcalloc(1, sizeof(*c));
	c->host = cc_xstrdup(host);
	if (strncmp(host, "unix://", 7) == 0) {
		c->socket = cc_xstrdup(host + 7);
		c->base = cc_xstrdup("http://localhost");
	} else if (strncmp(host, "tcp://", 6) == 0) {
		bool secure = tls && tls->verify;
		if (secure && tls_files(tls, c, err) < 0) {
			dk_client_close(c);
			return -1;
		}
		c->base = cc_xasprintf("%s://%s", secure ? "https" : "http", host + 6);
		size_t l = strlen(c->base);
		if (l && c->base[l - 1] == '/')
			c->base[l - 1] = '\0';
	} else if (host[0] == '/') {
		c->socket = cc_xstrdup(host);
		c->base = cc_xstrdup("http://localhost");
	} else {
		dk_client_close(c);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "DOCKER_HOST %s: expected unix:///path or tcp://host:port", host);
	}
	c->name = cc_xasprintf("docker engine at %s", c->socket ? c->socket : c->host);
	c->conn = (struct cc_http_conn){
	    .name = c->name, .socket = c->socket, .cacert = c->cacert, .cert = c->cert, .key = c->key};
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return 0;
}

void dk_client_close(struct dk_client *c)
{
	if (!c)
		return;
	free(c->host);
	free(c->socket);
	free(c->base);
	free(c->name);
	free(c->cacert);
	free(c->cert);
	free(c->key);
	free(c);
}

int dk_negotiate(struct dk_client *c, struct cc_error **err)
{
	pthread_mutex_lock(&c->lock);
	if (c->api[0]) {
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	pthread_mutex_unlock(&c->lock);
	struct cc_http_req r = {.method = "GET", .path = "/version", .raw_fd = -1, .timeout_ms = 30000};
	cleanup_free char *url = cc_xasprintf("%s/version", c->base);
	if (cc_http_perform(&c->conn, &r, url, err) < 0) {
		cc_http_req_release(&r);
		return -1;
	}
	if (r.status != 200) {
		/* the engine's words say what is wrong ("Client sent an HTTP request to an HTTPS server."
		 * when DOCKER_TLS_VERIFY is missing) */
		cleanup_free char *said =
		    cc_xstrndup(cc_strbuf_str(&r.body), r.body.len > 200 ? 200 : r.body.len);
		size_t l = strlen(said);
		while (l && (said[l - 1] == '\n' || said[l - 1] == '\r'))
			said[--l] = '\0';
		int rc = cc_error_set(
		    err, CC_ERR_BACKEND_FAILURE, "docker engine at %s: GET /version: HTTP %ld%s%s%s",
		    c->socket ? c->socket : c->host, r.status, l ? " (" : "", said, l ? ")" : "");
		cc_http_req_release(&r);
		return rc;
	}
	json_t *v = json_loads(cc_strbuf_str(&r.body), 0, NULL);
	cc_http_req_release(&r);
	const char *api = v ? dk_str(v, "ApiVersion") : NULL;
	int maj = 1, min = 41;
	if (api && sscanf(api, "%d.%d", &maj, &min) == 2 && (maj < 1 || (maj == 1 && min > 41)))
		maj = 1, min = 41;
	else if (!api)
		maj = 1, min = 41;
	if (maj > 1)
		maj = 1, min = 41;
	bool podman = false;
	size_t i;
	json_t *comp;
	json_array_foreach(v ? json_object_get(v, "Components") : NULL, i, comp)
	{
		const char *n = dk_str(comp, "Name");
		podman = podman || (n && strstr(n, "Podman"));
	}
	json_decref(v);
	pthread_mutex_lock(&c->lock);
	c->podman = podman;
	snprintf(c->api, sizeof(c->api), "%d.%d", maj, min);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int dk_do(struct dk_client *c, struct cc_http_req *req, struct cc_error **err)
{
	if (dk_negotiate(c, err) < 0)
		return -1;
	cleanup_free char *url = cc_xasprintf("%s/v%s%s", c->base, c->api, req->path);
	return cc_http_perform(&c->conn, req, url, err);
}

int dk_check(struct dk_client *c, const struct cc_http_req *req, const char *what, const char *notmod,
	     struct cc_error **err)
{
	long s = req->status;
	if (s >= 200 && s < 300)
		return 0;
	json_t *j = json_loads(cc_strbuf_str(&req->body), 0, NULL);
	const char *m = j ? dk_str(j, "message") : NULL;
	cleanup_free char *msg = cc_xstrdup(m ? m : req->body.len ? cc_strbuf_str(&req->body) : "");
	json_decref(j);
	size_t l = strlen(msg);
	while (l && (msg[l - 1] == '\n' || msg[l - 1] == '\r'))
		msg[--l] = '\0';
	int rc;
	/* podman's service says an ambiguous prefix with 404 or 500 */
	/* and a static address outside every subnet of the network with 500 */
	if (strstr(msg, "more than one result") || strstr(msg, "not in any subnet on network"))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: %s", what, msg);
	/* a static address another endpoint has: dockerd's IPAM (403 at start) and podman's (500) */
	if (strstr(msg, "Address already in use") || strstr(msg, "is already allocated to container"))
		return cc_error_set(err, CC_ERR_ALREADY_EXISTS, "%s: %s", what, msg);
	switch (s) {
	case 304:
		rc =
		    cc_error_set(err, CC_ERR_INVALID_STATE, "%s: %s", what, notmod ? notmod : "not modified");
		break;
	case 400:
		rc = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: %s", what, msg);
		break;
	case 403:
		if (strstr(msg, "already exists")) {
			rc = cc_error_set(err, CC_ERR_ALREADY_EXISTS, "%s: %s", what, msg);
			break;
		}
		if (strstr(msg, "active endpoints") || strstr(msg, "in use")) {
			rc = cc_error_set(err, CC_ERR_INVALID_STATE, "%s: %s", what, msg);
			break;
		}
		/* fall through */
	case 401:
		rc = cc_error_set(err, CC_ERR_PERMISSION, "%s: %s", what, msg);
		break;
	case 404:
		rc = cc_error_set(err, CC_ERR_NOT_FOUND, "%s: %s", what, msg);
		break;
	case 409:
		if (strstr(msg, "is already in use") || strstr(msg, "already exists") ||
		    strstr(msg, "Conflict. The container name"))
			rc = cc_error_set(err, CC_ERR_ALREADY_EXISTS, "%s: %s", what, msg);
		else
			rc = cc_error_set(err, CC_ERR_INVALID_STATE, "%s: %s", what, msg);
		break;
	default:
		/* dockerd 20.10 answers 500 for several conflicts: tell them by their words */
		/* and podman's compat API answers 500 for nearly everything, with libpod's error words */
		if (strcasestr(msg, "multiple IDs found") || strstr(msg, "ambiguous") ||
		    strstr(msg, "more than one result"))
			rc = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: %s", what, msg);
		else if (strstr(msg, "is not paused") || strstr(msg, "is not running") ||
			 strstr(msg, "is paused") || strstr(msg, "is already paused") ||
			 strstr(msg, "address already in use") || strstr(msg, "port is already allocated") ||
			 strstr(msg, "is restarting") || strstr(msg, "is not connected") ||
			 strstr(msg, "state improper") || strstr(msg, "has associated containers"))
			rc = cc_error_set(err, CC_ERR_INVALID_STATE, "%s: %s", what, msg);
		else if (strstr(msg, "names must match") || strstr(msg, "invalid reference format"))
			rc = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: %s", what, msg);
		else if (strstr(msg, "already in use") || strstr(msg, "already exists") ||
			 strstr(msg, "already connected") || strstr(msg, "already used"))
			rc = cc_error_set(err, CC_ERR_ALREADY_EXISTS, "%s: %s", what, msg);
		else if (strstr(msg, "No such") || strstr(msg, "not found"))
			rc = cc_error_set(err, CC_ERR_NOT_FOUND, "%s: %s", what, msg);
		else
			rc =
			    cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s: docker engine at %s: HTTP %ld: %s",
					 what, c->socket ? c->socket : c->host, s, msg);
	}
	return rc;
}

int dk_call(struct dk_client *c, const char *method, const char *path, json_t *body, json_t **out,
	    const char *what, struct cc_error **err)
{
	struct cc_http_req r = {.method = method, .path = path, .json = body, .raw_fd = -1};
	if (dk_do(c, &r, err) < 0 || dk_check(c, &r, what, NULL, err) < 0) {
		cc_http_req_release(&r);
		return -1;
	}
	if (out) {
		json_error_t je;
		*out = r.body.len ? json_loads(cc_strbuf_str(&r.body), 0, &je) : json_object();
		if (!*out) {
			cc_http_req_release(&r);
			return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s: bad JSON from the engine: %s",
					    what, je.text);
		}
	}
	cc_http_req_release(&r);
	return 0;
}

const char *dk_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? s : NULL;
}

char *dk_strdup(json_t *o, const char *key)
{
	const char *s = dk_str(o, key);
	return s ? cc_xstrdup(s) : NULL;
}

int64_t dk_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v))
		return (int64_t)json_real_value(v);
	return 0;
}

int64_t dk_parse_time(const char *s)
{
	if (!s || !*s)
		return 0;
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p || tm.tm_year < 71)
		return 0;
	int64_t ns = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (digits < 9) {
				ns = ns * 10 + (*p - '0');
				digits++;
			}
		for (; digits < 9; digits++)
			ns *= 10;
	}
	int64_t off = 0;
	if (*p == '+' || *p == '-') {
		int hh = 0, mm = 0;
		sscanf(p + 1, "%d:%d", &hh, &mm);
		off = (hh * 3600 + mm * 60) * (*p == '-' ? -1 : 1);
	}
	return ((int64_t)timegm(&tm) - off) * 1000000000LL + ns;
}
