/* HTTP requests over libcurl for the backends that are clients of an engine's API (docker, remote): one
 * easy handle per request, so a connection description is shared freely between threads; unix sockets,
 * TLS with a private CA and client certificates, bearer tokens; bodies as JSON, raw bytes or a file;
 * streamed responses chunk by chunk; HEAD requests, and one response header kept on request. */
#ifndef CC_BASE_HTTP_H
#define CC_BASE_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/strbuf.h"

/* Where requests go and how they authenticate. */
struct cc_http_conn {
	const char *name;   /* names the peer in errors: "docker engine at /var/run/docker.sock" */
	const char *socket; /* unix socket path, or NULL */
	const char *cacert, *cert, *key; /* TLS: trust anchors, client certificate and key (PEM files) */
	const char *auth;                /* a whole header ("Authorization: Bearer ..."), or NULL */
};

struct cc_http_req {
	const char *method;
	const char *path;
	json_t *json;    /* borrowed request body, or NULL */
	const void *raw; /* or a raw body (raw_fd: a file streamed as the body) */
	size_t raw_len;
	int raw_fd;               /* -1 unless streaming a file */
	const char *content_type; /* for raw bodies: a whole "Content-Type: ..." header */
	const char *header;       /* one extra "Name: value" header, or NULL */
	long timeout_ms;          /* 0: none */
	/* streaming: called with each chunk of a 2xx body; returning <0 cancels the transfer */
	int (*chunk)(void *ctx, const char *data, size_t len);
	void *ctx;
	/* a response header to keep ("X-Docker-Container-Path-Stat"), or NULL; its value lands in
	 * header_value */
	const char *want_header;
	/* out */
	long status;
	char *header_value;    /* owned; NULL when the response had no such header */
	struct cc_strbuf body; /* the whole body when not streaming, the error body always */
	bool cancelled, timed_out;
};

/* Run a request to url. <0 only for transport failures (BACKEND_FAILURE naming the peer, or TIMEOUT); the
 * HTTP status is left in req->status for the caller. Release req->body afterwards. */
int cc_http_perform(const struct cc_http_conn *c, struct cc_http_req *req, const char *url,
		    struct cc_error **err);
void cc_http_req_release(struct cc_http_req *req);
/* Percent-encode everything but RFC 3986's unreserved characters (owned). */
char *cc_http_escape(const char *s);
/* Append "?key=value" or "&key=value" to a query, the value escaped; nothing for a NULL value. */
void cc_http_query_add(struct cc_strbuf *q, const char *key, const char *value);
/* A chunk callback that writes the body to the descriptor ctx points to (an int *). */
int cc_http_chunk_to_fd(void *ctx, const char *data, size_t len);

#endif
