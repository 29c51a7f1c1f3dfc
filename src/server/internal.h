/* The daemon's internals: the server instance, requests as handlers see them, the route table, replies and
 * NDJSON streams. Handlers never touch libmicrohttpd: they read a request through srv_* accessors and answer
 * with one srv_reply_* call (or start a stream), so the HTTP library stays behind http.c. */
#ifndef CC_SERVER_INTERNAL_H
#define CC_SERVER_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "runtime/runtime.h"
#include "server/server.h"

#define SRV_MAX_PARAMS 2
#define SRV_SMALL_BODY (64u * 1024)
#define SRV_LARGE_BODY (1024u * 1024)
/* An over-limit body up to this size is read and dropped before the 413 (http.c says why) */
#define SRV_DISCARD_MAX  (16ull * 1024 * 1024)
#define SRV_HIST_BUCKETS 12

struct srv_req;
struct server;
struct srv_session;

enum srv_route_flags {
	SRV_BLOCKING = 1 << 0,  /* may take long: runs on a thread of its own, the connection suspended */
	SRV_LARGE = 1 << 1,     /* the 1 MiB body limit (create, compose ingest) instead of 64 KiB */
	SRV_RAW_BODY = 1 << 2,  /* the body is not JSON (YAML, tar): no JSON content-type check */
	SRV_UNLIMITED = 1 << 3, /* the body streams to a file (image load): no size limit */
};

struct srv_route {
	const char *method;
	const char *path; /* "/containers/{id}/start": {x} matches one segment */
	void (*handler)(struct srv_req *r);
	unsigned flags;
	/* metrics, updated atomically */
	atomic_ulong count[6]; /* by status class: 1xx..5xx, index 0 unused */
	atomic_ulong hist[SRV_HIST_BUCKETS + 1];
	atomic_ullong sum_us;
};

/* The table (routes.c), in the order paths are matched. */
struct srv_route *srv_routes(size_t *n);
/* Find the route for method and path: *params get the {x} segments (owned). NULL with
 * *path_known true when the path exists under another method (405), false when it does not (404). */
struct srv_route *srv_route_match(struct srv_route *table, size_t n, const char *method, const char *path,
				  char **params, bool *path_known);

/* A pool of runtime instances: each request (and each stream) uses one of its own, so slow operations of
 * one request never hold another's store connection. */
struct srv_rtpool {
	pthread_mutex_t lock;
	struct cc_runtime *idle[32];
	size_t nidle;
};

struct server {
	const struct srv_config *cfg;
	char *root;
	char *backend;
	struct srv_rtpool pool;
	struct srv_route *routes;
	size_t nroutes;
	int64_t started_ns, started_mono_ns;
	atomic_ullong next_request;
	uint32_t request_prefix;
	bool auth_on; /* tokens required on this listener */
	struct srv_keys *keys;
	bool tls;
	atomic_int inflight; /* requests not yet completed */
	pthread_mutex_t streams_lock;
	struct srv_stream *streams;   /* open streams, ended at shutdown */
	struct srv_session *sessions; /* upgraded connections (under streams_lock), ended at shutdown */
	atomic_bool stopping;
	atomic_ulong unmatched[6];       /* 404/405 answers outside any route, by status class */
	struct srv_hub *hub;             /* event followers (hub.c) */
	struct srv_loghub *loghub;       /* log followers (loghub.c) */
	struct srv_statshub *statshub;   /* stats streams (statshub.c) */
	struct srv_summaries *summaries; /* container summaries' text between listings (summaries.c) */
};

/* ---- what the follower hubs share (follow.c) ---- */
struct srv_followers {
	pthread_mutex_t lock; /* the hub's subscribers and state */
	struct server *srv;
	atomic_int threads; /* the hub's threads not yet finished */
};
void srv_followers_init(struct srv_followers *f, struct server *s);
/* Wait (2 s at most) for the hub's threads to finish; true when they have, and the lock is gone. */
bool srv_followers_release(struct srv_followers *f);
/* srv_spawn, counted: the thread calls srv_followers_exit as its very last touch of the hub. */
int srv_followers_spawn(struct srv_followers *f, void *(*fn)(void *), void *arg);
void srv_followers_exit(struct srv_followers *f);

/* Subscribers that share one stream (a project's containers): the stream ends with the last of them. */
struct srv_subgroup {
	int left; /* subscribers not yet dropped, plus holders of the group */
};
/* Under the hub's lock: one holder fewer; the last one ends st and frees g. */
void srv_subgroup_leave(struct srv_subgroup *g, struct srv_stream *st);

/* A subscriber: the first member of each hub's subscriber type, so one list code serves them all. */
struct srv_sub {
	struct srv_sub *next;
	struct srv_stream *st;
	struct srv_subgroup *group; /* NULL: the stream is this subscriber's alone */
};
/* Under the hub's lock: unlink the subscribers for which drop() is true, end their streams (or leave their
 * group) and free them. */
void srv_subs_prune(struct srv_sub **head, bool (*drop)(struct srv_sub *s, void *ctx), void *ctx,
		    void (*free_sub)(struct srv_sub *s));

/* ---- log followers (loghub.c): one thread per followed container, whatever the number of followers ---- */
struct srv_loghub;
struct srv_loghub *srv_loghub_new(struct server *s);
void srv_loghub_free(struct srv_loghub *h);
/* Follow container's logs for st: its history as opts say (tail, since, streams), then live lines until
 * opts->until_ns, the client goes away or the container's output ends. The hub owns st's producer
 * reference from here on. */
void srv_loghub_follow(struct srv_loghub *h, struct srv_stream *st, const char *container,
		       const struct cc_log_opts *opts, bool timestamps);

/* Follow several containers' live lines for st as one stream (a project's logs, whose merged history the
 * caller writes): each frame gets its container's service. Lines queue until srv_loggroup_settle. */
struct srv_loggroup;
struct srv_loggroup *srv_loghub_group(struct srv_loghub *h, struct srv_stream *st,
				      const struct cc_log_opts *opts, bool timestamps);
void srv_loggroup_add(struct srv_loggroup *g, const char *container, const char *service);
/* The history is out, its last line of containers[i] at last_ns[i] (0: none): what queued after it follows,
 * then live lines. The group takes st's producer reference: the stream ends when every container's output
 * has, or the client goes away. g is gone after this. */
void srv_loggroup_settle(struct srv_loggroup *g, char *const *containers, const int64_t *last_ns, size_t n);

/* ---- container summaries (summaries.c): the JSON text of an unchanged container is built once ---- */
struct srv_summaries;
struct srv_summaries *srv_summaries_new(void);
void srv_summaries_free(struct srv_summaries *c);
/* Appends api_container_summary(k, now, full) as compact JSON. */
void srv_summaries_append(struct srv_summaries *c, const struct cc_container *k, int64_t now, bool full,
			  struct cc_strbuf *out);
/* After a listing of `listed` containers: forgets removed containers once they could be many. */
void srv_summaries_trim(struct srv_summaries *c, size_t listed);

/* ---- stats streams (statshub.c): one sampling thread per watched container ---- */
struct srv_statshub;
struct srv_statshub *srv_statshub_new(struct server *s);
void srv_statshub_free(struct srv_statshub *h);
/* Stream container's stats to st every interval_ns, the first frame at once, until the client goes away or
 * the container stops. The hub owns st's producer reference from here on. */
void srv_statshub_follow(struct srv_statshub *h, struct srv_stream *st, const char *container,
			 int64_t interval_ns);

/* ---- the event hub (hub.c): one follower of the backend's events, fanned out to every /events client ----
 */
struct srv_hub;
struct srv_hub *srv_hub_new(struct server *s);
void srv_hub_free(struct srv_hub *h);
/* Follow events for st with filter f (copied) and the contract's event type api_type (NULL: any). With
 * since_ns, the past is replayed first (on a short-lived thread), then live events follow without a gap or
 * a repeat. The hub owns st's producer reference from here on. */
void srv_hub_follow(struct srv_hub *h, struct srv_stream *st, const struct cc_event_filter *f,
		    const char *api_type);

/* ---- threads and scratch files (http.c) ---- */
/* Run fn(arg) on a detached thread with a small stack; 0, or the pthread_create error. */
int srv_spawn(void *(*fn)(void *), void *arg);
/* "<root>/tmp/<what>-<random>" (the directory is made 0700): where uploads and image tarballs go, next to
 * the images rather than in /tmp, since they can be as large. */
char *srv_scratch_path(struct server *s, const char *what);

/* ---- runtime pool (pool.c) ---- */
int srv_pool_take(struct server *s, struct cc_runtime **rt, struct cc_error **err);
void srv_pool_give(struct server *s, struct cc_runtime *rt);
void srv_pool_close(struct server *s);

/* ---- what handlers read ---- */
struct server *srv_server(struct srv_req *r);
const char *srv_param(struct srv_req *r, int i);
/* A query argument (the first one with that key), or NULL. */
const char *srv_query(struct srv_req *r, const char *key);
/* Every value of a repeatable query argument (owned vector, NULL when none). */
char **srv_query_all(struct srv_req *r, const char *key);
/* true|1|yes, false|0|no, anything else (or absent): def. */
bool srv_query_bool(struct srv_req *r, const char *key, bool def);
const char *srv_header(struct srv_req *r, const char *key);
/* A time query argument (ISO-8601 or a Unix timestamp) into *out, 0 when absent; false with a 400 replied. */
bool srv_query_time(struct srv_req *r, const char *key, int64_t *out);
const char *srv_body(struct srv_req *r, size_t *len);
/* The body of a SRV_UNLIMITED route: the file it was written to as it arrived (NULL when writing it
 * failed). */
const char *srv_body_file(struct srv_req *r, size_t *len);
/* The file of a SRV_UNLIMITED route's non-empty body, or NULL after replying (500 when it could not be kept,
 * 400 with `empty` when there is none). */
const char *srv_body_upload(struct srv_req *r, const char *empty);
/* The body as a JSON object; an empty body gives an empty object when optional, 400 otherwise. Replies 400
 * itself and returns NULL on malformed JSON or a non-object. */
json_t *srv_body_json(struct srv_req *r, bool optional);
/* The request's runtime (from the pool; returned when the request completes). Replies 500 and returns
 * NULL when none can be opened. */
struct cc_runtime *srv_runtime(struct srv_req *r);

/* ---- replies: exactly one per request ---- */
void srv_reply_json(struct srv_req *r, unsigned status, json_t *body); /* steals body */
void srv_reply_empty(struct srv_req *r, unsigned status);
/* rc <0: the error (*err freed); else an empty answer with status. */
void srv_reply_done(struct srv_req *r, int rc, struct cc_error **err, unsigned status);
/* Who owns data: copied now, freed (malloc'ed, handed over), or static for the process's lifetime. */
enum srv_mem { SRV_MEM_COPY, SRV_MEM_FREE, SRV_MEM_STATIC };
void srv_reply_data(struct srv_req *r, unsigned status, const char *content_type, const void *data,
		    size_t len, enum srv_mem mem);
/* A file's content (image save); the file is unlinked after it is opened. */
void srv_reply_file(struct srv_req *r, const char *content_type, const char *path);
/* The error envelope; the status from the error's kind (one mapping, errors.c). Frees *err. */
void srv_reply_error(struct srv_req *r, struct cc_error **err);
/* The envelope with an explicit status (validation, auth, routing). */
void srv_reply_status(struct srv_req *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
unsigned srv_status_for_kind(enum cc_err_kind kind);
const char *srv_status_key(unsigned status);

/* ---- NDJSON streams ---- */
struct srv_stream;
/* The producer runs on a thread of its own with a runtime of its own; it writes frames with
 * srv_stream_write and returns when done or when a write fails (the client went away, the daemon stops).
 * Errors it returns after frames went out become a final {"error": ...} frame. It returns
 * SRV_STREAM_HANDED_OVER when a hub has taken its reference to the stream (and ends it). */
#define SRV_STREAM_HANDED_OVER 1
typedef int (*srv_producer)(struct srv_stream *st, struct cc_runtime *rt, void *ctx, struct cc_error **err);
void srv_reply_stream(struct srv_req *r, const char *content_type, srv_producer fn, void *ctx,
		      void (*ctx_free)(void *));
/* A stream with no producer thread of its own (the event hub feeds it): the caller holds the producer's
 * reference until srv_stream_finish, which ends the stream for the client once its frames are out. */
struct srv_stream *srv_stream_open(struct srv_req *r, const char *content_type);
void srv_stream_finish(struct srv_stream *st);
/* Like srv_stream_write, but never waits: -1 also when the client is too far behind. */
int srv_stream_try_write(struct srv_stream *st, json_t *j);
/* Writes one frame (steals j, adds the newline): 0, or -1 when the stream is over for the producer. */
int srv_stream_write(struct srv_stream *st, json_t *j);
int srv_stream_write_raw(struct srv_stream *st, const void *data, size_t len);
/* Is the client still there? -1 once the stream is over for the producer (the sinks' alive callback). */
int srv_stream_alive(struct srv_stream *st);
struct server *srv_stream_server(struct srv_stream *st);
/* Shutdown: end every open stream for its client. */
void srv_streams_end_all(struct server *s);

/* ---- upgraded connections (http.c) ---- */
/* Did the request ask for its connection to be upgraded ("Connection: Upgrade" and an Upgrade header)? */
bool srv_wants_upgrade(struct srv_req *r);
/* After "101 Switching Protocols" the connection is the session's: fn runs on a thread of its own with the
 * connection's socket (blocking; shut down by the daemon when it stops) and the bytes that came after the
 * request's head, and the connection closes when it returns; then ctx_free(ctx). */
typedef void (*srv_session_fn)(struct server *s, int sock, const char *early, size_t early_len, void *ctx);
void srv_reply_upgrade(struct srv_req *r, srv_session_fn fn, void *ctx, void (*ctx_free)(void *));
/* Shutdown: end every session's connection (its thread then winds up). */
void srv_sessions_end_all(struct server *s);

/* ---- metrics (metrics.c) ---- */
void srv_metrics_record(struct server *s, struct srv_route *route, unsigned status, int64_t duration_ns);
void srv_metrics_render(struct server *s, struct cc_strbuf *out);

/* ---- auth (auth.c): 0 authenticated, else the status already replied ---- */
int srv_auth_check(struct srv_req *r);
/* A client certificate that verified against --client-ca (http.c). */
bool srv_client_cert_verified(struct srv_req *r);
/* The tokens, re-read when auth.json changes (auth.c). */
struct srv_keys;
struct srv_keys *srv_keys_new(const char *root);
void srv_keys_free(struct srv_keys *k);

/* The query of container and project logs (follow, tail, since, until, timestamps, stdout, stderr);
 * false with a 400 replied (h_containers.c). */
bool srv_log_options(struct srv_req *r, struct cc_log_opts *o, bool *timestamps);

/* The container behind {id}, or its error replied (404) and false (h_containers.c). */
bool srv_container_load(struct srv_req *r, struct cc_runtime *rt, struct cc_container *c);

/* ---- handlers ---- */
void h_ping(struct srv_req *r);
void h_version(struct srv_req *r);
void h_info(struct srv_req *r);
void h_metrics(struct srv_req *r);
void h_openapi(struct srv_req *r);
void h_container_list(struct srv_req *r);
void h_container_inspect(struct srv_req *r);
void h_container_create(struct srv_req *r);
void h_container_start(struct srv_req *r);
void h_container_stop(struct srv_req *r);
void h_container_restart(struct srv_req *r);
void h_container_kill(struct srv_req *r);
void h_container_pause(struct srv_req *r);
void h_container_unpause(struct srv_req *r);
void h_container_remove(struct srv_req *r);
void h_container_wait(struct srv_req *r);
void h_container_logs(struct srv_req *r);
void h_container_stats(struct srv_req *r);
void h_container_exec(struct srv_req *r);
void h_container_attach(struct srv_req *r);
void h_container_top(struct srv_req *r);
void h_events(struct srv_req *r);
void h_image_list(struct srv_req *r);
void h_image_inspect(struct srv_req *r);
void h_image_pull(struct srv_req *r);
void h_image_push(struct srv_req *r);
void h_image_load(struct srv_req *r);
void h_image_build(struct srv_req *r);
void h_container_archive_get(struct srv_req *r);
void h_container_archive_put(struct srv_req *r);
void h_image_save(struct srv_req *r);
void h_image_remove(struct srv_req *r);
void h_image_tag(struct srv_req *r);
void h_network_list(struct srv_req *r);
void h_network_inspect(struct srv_req *r);
void h_network_create(struct srv_req *r);
void h_network_remove(struct srv_req *r);
void h_network_connect(struct srv_req *r);
void h_network_disconnect(struct srv_req *r);
void h_volume_list(struct srv_req *r);
void h_volume_inspect(struct srv_req *r);
void h_volume_create(struct srv_req *r);
void h_volume_remove(struct srv_req *r);
void h_volume_prune(struct srv_req *r);
void h_secret_list(struct srv_req *r);
void h_secret_create(struct srv_req *r);
void h_secret_remove(struct srv_req *r);
void h_secret_update(struct srv_req *r);
void h_config_update(struct srv_req *r);
void h_config_list(struct srv_req *r);
void h_config_create(struct srv_req *r);
void h_config_remove(struct srv_req *r);
void h_project_list(struct srv_req *r);
void h_project_get(struct srv_req *r);
void h_project_ingest(struct srv_req *r);
void h_project_delete(struct srv_req *r);
void h_project_services(struct srv_req *r);
void h_project_up(struct srv_req *r);
void h_project_down(struct srv_req *r);
void h_project_restart(struct srv_req *r);
void h_project_build(struct srv_req *r);
void h_project_pull(struct srv_req *r);
void h_project_scale(struct srv_req *r);
void h_project_logs(struct srv_req *r);

#endif
