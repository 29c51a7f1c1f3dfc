/* Shared within the registry client: the handle, one HTTP exchange (struct reg_req) and the helpers the
 * pull (registry.c), push (registry_upload.c), auth (registry_auth.c) and auth-file (registry_authfile.c)
 * halves use. Transport and retries are in registry_http.c. */
#ifndef CC_ENGINE_REGISTRY_REGISTRY_INTERNAL_H
#define CC_ENGINE_REGISTRY_REGISTRY_INTERNAL_H

#include "base/curl.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "engine/registry/registry.h"

struct reg_token {
	char *scope; /* the scopes it was asked for, space separated ("" for none) */
	char *value; /* "Bearer <token>" */
	int64_t expires_ns;
};

struct cc_registry {
	char *name;  /* as opened: "docker.io", "127.0.0.1:5000" */
	char *base;  /* "https://registry-1.docker.io", "http://127.0.0.1:5000" */
	char *basic; /* base64("user:password") from the auth file or login, or NULL */
	int retries;
	pthread_mutex_t lock; /* guards what follows: shared by every thread using the handle */
	bool basic_scheme;    /* the registry challenged with Basic: send the credentials up front */
	struct reg_token *tokens;
	size_t ntokens, tokens_cap;
};

/* Release a CURL easy handle at scope exit. */
static inline void reg_curl_cleanupp(CURL **h)
{
	if (*h)
		curl_easy_cleanup(*h);
}
#define cleanup_curl __attribute__((cleanup(reg_curl_cleanupp)))

/* A streaming consumer of a 2xx response body (blob downloads); returns <0 with *err set to stop. */
typedef int (*reg_sink_fn)(void *ctx, CURL *h, const char *data, size_t len, struct cc_error **err);
/* Called before each attempt (retries included), to set per-attempt state such as a Range. */
typedef int (*reg_prepare_fn)(void *ctx, struct cc_error **err);

/* One HTTP exchange: what to send, and what came back from the last attempt. */
struct reg_req {
	const char *method; /* GET HEAD PUT POST PATCH */
	const char *url;    /* absolute */
	const char *scope;  /* token scopes for this request, space separated; NULL: none */
	const char *accept; /* Accept header value or NULL */
	const char *content_type;
	const char *content_range;
	bool follow; /* follow redirects (blob GET/HEAD) */
	/* request body: memory (body, body_len) or body_size bytes of body_fd from offset 0 */
	const char *body;
	size_t body_len;
	int body_fd; /* -1: no fd body */
	uint64_t body_off, body_size;
	cc_registry_progress_fn progress; /* upload progress, total = upload_total */
	void *progress_ctx;
	uint64_t upload_base, upload_total;
	/* response body: a sink for 2xx bodies, or collected in `resp` up to max_body bytes */
	reg_sink_fn sink;
	reg_prepare_fn prepare;
	void *sink_ctx;
	size_t max_body; /* 0: 1 MiB */
	char *range;     /* CURLOPT_RANGE for this attempt ("123-"), owned, set by prepare */

	/* results of the last attempt */
	CURLcode curl_rc;
	long status;
	struct cc_strbuf resp;
	bool too_large;
	char errbuf[CURL_ERROR_SIZE];
	char *h_content_type, *h_digest, *h_location, *h_www_auth, *h_content_range;
	struct cc_error *cb_err; /* set by a callback that stopped the transfer */
	uint64_t sent;           /* body bytes read by curl in the last attempt */
	bool transient;          /* reg_do: whether the last attempt's failure was worth a retry */
};

void reg_req_init(struct reg_req *rq, const char *method, const char *url);
void reg_req_release(struct reg_req *rq);

/* The process-wide libcurl initialisation (curl_global_init, once, under pthread_once) and a new easy
 * handle; BACKEND_FAILURE when curl cannot. */
int reg_curl_new(CURL **out, struct cc_error **err);

/* Perform rq with the auth flow and retries (connect errors, 5xx, 429; `retries` more attempts, backoff
 * 200ms*2^n plus jitter). Returns 0 when a response arrived (any status: callers judge it), <0 with *err for
 * transport failures (BACKEND_FAILURE "<method> <url>: <curl error>") and callback errors. */
int reg_do(struct cc_registry *r, CURL *h, struct reg_req *rq, int retries, struct cc_error **err);
/* One exchange with the given Authorization value and no auth flow (token requests); outcome in rq. */
void reg_perform(CURL *h, struct reg_req *rq, const char *authorization);
/* Sleep before retry number attempt + 1: 200ms * 2^attempt plus up to 100ms of jitter. */
void reg_backoff(int attempt);
/* One attempt with the auth flow and no retry; *transient tells whether retrying might help. */
int reg_send(struct cc_registry *r, CURL *h, struct reg_req *rq, bool *transient, struct cc_error **err);
/* Map a non-success response to an error: "<what>: HTTP <status>[: <CODE>: <message>]" with a kind from the
 * status (401/403 PERMISSION with the login hint, 404 NOT_FOUND, 400 INVALID_ARGUMENT, ...). */
int reg_http_error(struct cc_registry *r, const struct reg_req *rq, const char *what, struct cc_error **err);
/* The registry's {"errors":[{"code","message"}]} as "CODE: message" (owned), or NULL. */
char *reg_error_detail(const struct reg_req *rq);
/* Resolve a Location header against the registry's base URL (owned). */
int reg_resolve(struct cc_registry *r, const char *location, char **out, struct cc_error **err);
/* Move a callback's stored error into err. */
void reg_take_error(struct cc_error **from, struct cc_error **err);

/* ---- auth (registry_auth.c) ---- */

enum reg_scheme {
	REG_AUTH_NONE = 0,
	REG_AUTH_BASIC,
	REG_AUTH_BEARER,
};

struct reg_challenge {
	enum reg_scheme scheme;
	char *realm, *service, *scope, *error;
};

/* Parse a WWW-Authenticate value (one or several challenges, auth-params with quoted strings and escapes,
 * schemes case-insensitive). Picks Bearer over Basic. Returns -1 when there is no usable challenge. */
int reg_challenge_parse(const char *value, struct reg_challenge *out);
void reg_challenge_release(struct reg_challenge *c);

/* The Authorization header value to send up front for `scope`: a cached unexpired token, or Basic when the
 * registry asked for it (owned, or NULL). */
char *reg_auth_cached(struct cc_registry *r, const char *scope);
/* Answer the challenge of a 401 response in rq: *out is the Authorization value to retry with, or NULL when
 * there is nothing to retry with (no credentials for Basic, no challenge). <0: the token request failed. */
int reg_auth_answer(struct cc_registry *r, CURL *h, const struct reg_req *rq, char **out,
		    struct cc_error **err);

/* ---- the auth file (registry_authfile.c) ---- */

/* The auth file path: opts->auth_file, $DOCKER_CONFIG/config.json, ~/.docker/config.json (owned). */
char *reg_auth_file_path(const struct cc_registry_opts *opts);
/* base64("user:password") stored for the registry, or NULL (*out); errors for an unreadable file. */
int reg_auth_file_lookup(const char *path, const char *registry, char **out, struct cc_error **err);

/* ---- helpers (registry.c) ---- */

/* The base URL for a registry name (owned): https unless loopback or listed in insecure; docker.io and
 * index.docker.io mean registry-1.docker.io. */
char *reg_base_url(const char *registry, char *const *insecure);
bool reg_host_is_loopback(const char *registry);
/* A repository name (lowercase components of [a-z0-9._-] separated by '/'). */
int reg_check_repo(const char *repo, struct cc_error **err);
/* "sha256:<64 hex>"; other algorithms are NOT_SUPPORTED, malformed ones INVALID_ARGUMENT. */
int reg_check_digest(const char *digest, struct cc_error **err);
void reg_hex(const unsigned char *bin, size_t len, char *out);
int reg_open_internal(const char *registry, const struct cc_registry_opts *opts, const char *basic,
		      struct cc_registry **out, struct cc_error **err);

#endif
