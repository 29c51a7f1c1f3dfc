/* Upgraded HTTP connections, for the sessions that carry a process's input and output both ways (attach,
 * interactive exec) with docker's engine and with our own daemon: the request asks to upgrade the connection
 * ("Connection: Upgrade", "Upgrade: tcp"), the server answers 101 and the same connection then carries the
 * session's bytes.
 *
 * libcurl connects (unix socket, TCP or TLS, as for every other request) with CONNECT_ONLY, and the request
 * is written by hand with curl_easy_send: libcurl has no way to hand over a connection after an upgrade
 * other than to a websocket, which neither server speaks. Reads and writes go through libcurl too (TLS is
 * its), polling the socket for readiness. */
#ifndef CC_BASE_HTTP_UPGRADE_H
#define CC_BASE_HTTP_UPGRADE_H

#include <jansson.h>
#include <sys/types.h>

#include "base/http.h"

struct cc_http_upgraded {
	void *h;                  /* the libcurl handle that owns the connection */
	int sock;                 /* the connection, for poll */
	struct cc_strbuf pending; /* session bytes that came with the answer's head */
};

/* Connect to url (its scheme and authority; the request line says `method request_target`) as c says,
 * send the request with body (NULL: none) and c's auth header, and read the answer's head. 0 when the
 * server upgraded (101, or 200 from an older docker engine): *out is open. Else *answer holds the status
 * and the error body, and the result is 1; <0 (BACKEND_FAILURE naming c->name and `what`) when no answer
 * came. */
int cc_http_upgrade(const struct cc_http_conn *c, const char *url, const char *method,
		    const char *request_target, json_t *body, const char *what, struct cc_http_req *answer,
		    struct cc_http_upgraded *out, struct cc_error **err);
/* All of p, waiting while the connection is full; -1 when it failed. */
int cc_http_upgraded_send(struct cc_http_upgraded *u, const void *p, size_t n);
/* What can be read now: a count >0, 0 at the end of the stream, -1 on an error, -2 when nothing is there
 * yet (TLS may hold a part of a record: the socket's readiness alone does not say). */
ssize_t cc_http_upgraded_recv(struct cc_http_upgraded *u, void *buf, size_t len);
void cc_http_upgraded_close(struct cc_http_upgraded *u);

#endif
