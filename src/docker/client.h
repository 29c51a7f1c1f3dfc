/* The Docker Engine API client under the docker backend: HTTP/1.1 over libcurl to DOCKER_HOST
 * (unix:///path or tcp://host:port, with TLS as docker's CLI sets it up: DOCKER_TLS_VERIFY,
 * DOCKER_CERT_PATH), JSON bodies with jansson, the API version negotiated once (min(server, 1.41)), and the
 * engine's statuses mapped to the error contract's kinds. One curl easy handle per request, so a client is
 * shared freely between threads. */
#ifndef CC_DOCKER_CLIENT_H
#define CC_DOCKER_CLIENT_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/http.h"
#include "base/strbuf.h"

#define DK_DEFAULT_HOST "unix:///var/run/docker.sock"
#define DK_MAX_API      "1.41"

struct dk_client {
	char *host;   /* DOCKER_HOST as given */
	char *socket; /* unix socket path, NULL for tcp */
	char *base;   /* "http://localhost" or "http://host:port" */
	pthread_mutex_t lock;
	char api[16];              /* "1.41"; empty until negotiated */
	bool podman;               /* podman's compat service: an events query with `until` answers nothing */
	char *name;                /* "docker engine at <socket or host>" */
	char *cacert, *cert, *key; /* TLS to a tcp:// engine: PEM files; NULL without TLS */
	struct cc_http_conn conn;
};

/* Negotiate the API version now (done before the first request anyway). */
int dk_negotiate(struct dk_client *c, struct cc_error **err);
/* TLS to a tcp:// engine, as docker's CLI reads it from its environment. */
struct dk_tls {
	bool verify;           /* DOCKER_TLS_VERIFY non-empty */
	const char *cert_path; /* DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem (NULL: ~/.docker) */
};
int dk_client_open(const char *host, const struct dk_tls *tls, struct dk_client **out, struct cc_error **err);
void dk_client_close(struct dk_client *c);

/* Run a request; path is relative to the version prefix ("/containers/json?all=1"). As cc_http_perform,
 * and dk_check maps the status. Release req->body (cc_http_req_release) afterwards. */
int dk_do(struct dk_client *c, struct cc_http_req *req, struct cc_error **err);

/* Map a non-2xx status to the error contract: 404 NOT_FOUND, 409 ALREADY_EXISTS (name conflicts) or
 * INVALID_STATE, 304 INVALID_STATE (`notmod` the message), 400 INVALID_ARGUMENT, else BACKEND_FAILURE.
 * `what` names the object ("container web-1"). Returns 0 for 2xx. */
int dk_check(struct dk_client *c, const struct cc_http_req *req, const char *what, const char *notmod,
	     struct cc_error **err);

/* The common case: a JSON request and response (out NULL: ignore the body). */
int dk_call(struct dk_client *c, const char *method, const char *path, json_t *body, json_t **out,
	    const char *what, struct cc_error **err);

/* JSON helpers */
const char *dk_str(json_t *o, const char *key); /* NULL unless a non-empty string */
char *dk_strdup(json_t *o, const char *key);    /* owned copy or NULL */
int64_t dk_int(json_t *o, const char *key);
int64_t dk_parse_time(const char *s); /* RFC 3339 with nanoseconds -> ns since the epoch; 0 for zero times */

#endif
