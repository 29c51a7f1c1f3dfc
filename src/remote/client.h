/* The client half of the REST API (design/API.md), used by the remote backend and `system status`: one
 * daemon address, its TLS material and token; JSON calls, NDJSON streams, and the daemon's error envelope
 * turned back into the error kind it came from. */
#ifndef CC_REMOTE_CLIENT_H
#define CC_REMOTE_CLIENT_H

#include <jansson.h>

#include "base/error.h"
#include "base/http.h"
#include "base/http_upgrade.h"
#include "runtime/runtime.h"

struct rc_client {
	char *base; /* "http://localhost", "https://host:port" */
	char *socket, *name, *auth;
	char *cacert, *cert, *key;
	struct cc_http_conn conn;
};

/* t: where the daemon is (also http:// and https:// URLs). */
int rc_client_new(const struct cc_remote_target *t, struct rc_client **out, struct cc_error **err);
void rc_client_free(struct rc_client *c);

/* A JSON call: body borrowed (NULL: none); *out the parsed 2xx body (NULL when the body is empty; out
 * NULL: ignored). A non-2xx answer becomes the daemon's error with its kind. */
int rc_call(struct rc_client *c, const char *method, const char *path, json_t *body, json_t **out,
	    struct cc_error **err);
int rc_get_json(struct rc_client *c, const char *path, json_t **out, struct cc_error **err);

/* An NDJSON stream: frame() gets each object (borrowed) as it arrives; returning <0 ends the stream (not an
 * error). A frame {"error": ..., "message": ...} ends it with that error. */
int rc_stream(struct rc_client *c, const char *method, const char *path, json_t *body,
	      int (*frame)(void *ctx, json_t *j), void *ctx, struct cc_error **err);

/* rc_stream with the file at in_fd as the body (a build context). */
int rc_stream_upload(struct rc_client *c, const char *method, const char *path, int in_fd, const char *ctype,
		     int (*frame)(void *ctx, json_t *j), void *ctx, struct cc_error **err);

/* A raw exchange: upload the file at in_fd (-1: none) as the body, and write a 2xx body to out_fd (-1:
 * parse it as JSON into *out). */
int rc_transfer(struct rc_client *c, const char *method, const char *path, int in_fd, const char *ctype,
		int out_fd, json_t **out, struct cc_error **err);

/* An upgraded connection for an interactive session (POST path with body, borrowed): 0 with *out open; an
 * answer other than 101 becomes the daemon's error. */
int rc_upgrade(struct rc_client *c, const char *path, json_t *body, struct cc_http_upgraded *out,
	       struct cc_error **err);
/* A session's closing error frame ({"error", "message", "kind"}) as the daemon's error. */
int rc_frame_error(json_t *j, struct cc_error **err);

/* session.c: an interactive session through the daemon (exec with input or a terminal, attach). Input from
 * in_fd (-1: none; its end is sent as the end of input), output to the terminal or out_fd as it comes, or
 * with a sink, cut into its lines; the terminal (-1: none) raw, and its size sent at the start and on each
 * change. cancel (-1: none) readable ends the session. */
struct rc_session_io {
	int in_fd, out_fd, terminal, cancel;
	const struct cc_log_sink *sink;
	const char *container; /* names the sink's frames */
};
/* *exit_code: the exec's (-1 for an attach). */
int rc_session_run(struct rc_client *c, const char *path, json_t *body, const struct rc_session_io *io,
		   int *exit_code, struct cc_error **err);

#endif
