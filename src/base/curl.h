/* libcurl, loaded when first needed. Only the commands that talk HTTP (pulls, pushes, logins, the docker
 * backend) need libcurl, and loading it with its TLS stack costs every process about 6 ms at start-up
 * (bench/RESULTS.md): so the library is opened with dlopen on first use, and the curl_* calls of this
 * project go through a table of its functions. Include this instead of <curl/curl.h>. */
#ifndef CC_BASE_CURL_H
#define CC_BASE_CURL_H

/* the type-checking macros of curl.h would shadow the ones below */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "base/error.h"

struct cc_curl_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *h);
	void (*easy_reset)(CURL *h);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	CURLcode (*easy_perform)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	char *(*easy_escape)(CURL *h, const char *s, int len);
	void (*free)(void *p);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *u);
	CURLUcode (*url_get)(CURLU *u, CURLUPart part, char **out, unsigned int flags);
	CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *content, unsigned int flags);
	CURLHcode (*easy_header)(CURL *h, const char *name, size_t index, unsigned int origin, int request,
				 struct curl_header **hout);
	CURLcode (*easy_send)(CURL *h, const void *buf, size_t len, size_t *n);
	CURLcode (*easy_recv)(CURL *h, void *buf, size_t len, size_t *n);
};

/* The table: libcurl opened and curl_global_init run, once per process (pthread_once). When either failed,
 * every entry is a stub that fails (NULL handles, CURLE_FAILED_INIT), and cc_curl_ready says why. */
const struct cc_curl_api *cc_curl(void);
int cc_curl_ready(struct cc_error **err);

/* curl.h's own three-argument checks for these two, replaced by the table's */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init(f)                  (cc_curl()->global_init(f))
#define curl_easy_init()                     (cc_curl()->easy_init())
#define curl_easy_cleanup(h)                 (cc_curl()->easy_cleanup(h))
#define curl_easy_reset(h)                   (cc_curl()->easy_reset(h))
#define curl_easy_setopt(h, o, ...)          (cc_curl()->easy_setopt((h), (o), __VA_ARGS__))
#define curl_easy_getinfo(h, i, ...)         (cc_curl()->easy_getinfo((h), (i), __VA_ARGS__))
#define curl_easy_perform(h)                 (cc_curl()->easy_perform(h))
#define curl_easy_strerror(c)                (cc_curl()->easy_strerror(c))
#define curl_easy_escape(h, s, n)            (cc_curl()->easy_escape((h), (s), (n)))
#define curl_free(p)                         (cc_curl()->free(p))
#define curl_slist_append(l, s)              (cc_curl()->slist_append((l), (s)))
#define curl_slist_free_all(l)               (cc_curl()->slist_free_all(l))
#define curl_url()                           (cc_curl()->url())
#define curl_url_cleanup(u)                  (cc_curl()->url_cleanup(u))
#define curl_url_get(u, p, o, f)             (cc_curl()->url_get((u), (p), (o), (f)))
#define curl_url_set(u, p, c, f)             (cc_curl()->url_set((u), (p), (c), (f)))
#define curl_easy_header(h, n, i, o, r, out) (cc_curl()->easy_header((h), (n), (i), (o), (r), (out)))
#define curl_easy_send(h, b, l, n)           (cc_curl()->easy_send((h), (b), (l), (n)))
#define curl_easy_recv(h, b, l, n)           (cc_curl()->easy_recv((h), (b), (l), (n)))

#endif
