/* libcurl through dlopen: see curl.h. The table is written once, under pthread_once, and only read after:
 * the process-wide state libcurl itself requires (curl_global_init), nothing of ours that changes. */
#include "base/curl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* the soname Debian's libcurl4-gnutls-dev links against; the OpenSSL build as a fallback */
static const char *const libraries[] = {"libcurl-gnutls.so.4", "libcurl.so.4", NULL};

static CURLcode fail_init(long flags)
{
	(void)flags;
	return CURLE_FAILED_INIT;
}
static CURL *fail_easy_init(void)
{
	return NULL;
}
static void fail_handle(CURL *h)
{
	(void)h;
}
static CURLcode fail_setopt(CURL *h, CURLoption opt, ...)
{
	(void)h;
	(void)opt;
	return CURLE_FAILED_INIT;
}
static CURLcode fail_getinfo(CURL *h, CURLINFO info, ...)
{
	(void)h;
	(void)info;
	return CURLE_FAILED_INIT;
}
static CURLcode fail_perform(CURL *h)
{
	(void)h;
	return CURLE_FAILED_INIT;
}
static const char *fail_strerror(CURLcode code)
{
	(void)code;
	return "libcurl is not available";
}
static char *fail_escape(CURL *h, const char *s, int len)
{
	(void)h;
	(void)s;
	(void)len;
	return NULL;
}
static void fail_free(void *p)
{
	(void)p;
}
static struct curl_slist *fail_slist_append(struct curl_slist *l, const char *s)
{
	(void)l;
	(void)s;
	return NULL;
}
static void fail_slist_free(struct curl_slist *l)
{
	(void)l;
}
static CURLU *fail_url(void)
{
	return NULL;
}
static void fail_url_cleanup(CURLU *u)
{
	(void)u;
}
static CURLUcode fail_url_get(CURLU *u, CURLUPart part, char **out, unsigned int flags)
{
	(void)u;
	(void)part;
	(void)out;
	(void)flags;
	return CURLUE_OUT_OF_MEMORY;
}
static CURLUcode fail_url_set(CURLU *u, CURLUPart part, const char *content, unsigned int flags)
{
	(void)u;
	(void)part;
	(void)content;
	(void)flags;
	return CURLUE_OUT_OF_MEMORY;
}

static CURLHcode fail_header(CURL *h, const char *name, size_t index, unsigned int origin, int request,
			     struct curl_header **hout)
{
	(void)h;
	(void)name;
	(void)index;
	(void)origin;
	(void)request;
	(void)hout;
	return CURLHE_NOHEADERS;
}
static CURLcode fail_send(CURL *h, const void *buf, size_t len, size_t *n)
{
	(void)h;
	(void)buf;
	(void)len;
	*n = 0;
	return CURLE_FAILED_INIT;
}
static CURLcode fail_recv(CURL *h, void *buf, size_t len, size_t *n)
{
	(void)h;
	(void)buf;
	(void)len;
	*n = 0;
	return CURLE_FAILED_INIT;
}

static const struct cc_curl_api failing = {
    fail_init,         fail_easy_init,  fail_handle,   fail_handle,      fail_setopt,
    fail_getinfo,      fail_perform,    fail_strerror, fail_escape,      fail_free,
    fail_slist_append, fail_slist_free, fail_url,      fail_url_cleanup, fail_url_get,
    fail_url_set,      fail_header,     fail_send,     fail_recv,
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct cc_curl_api loaded;
static const struct cc_curl_api *table = &failing;
static char why[256];

#define SYM(field, name)                                                                                     \
	do {                                                                                                 \
		*(void **)&api.field = dlsym(h, name);                                                       \
		if (!api.field) {                                                                            \
			snprintf(why, sizeof(why), "%s: no symbol %s", lib, name);                           \
			return false;                                                                        \
		}                                                                                            \
	} while (0)

/* One library: its functions, and curl_global_init. false (with `why` said) when either is missing. */
static bool load_from(void *h, const char *lib, struct cc_curl_api *out)
{
	struct cc_curl_api api;
	SYM(global_init, "curl_global_init");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(easy_reset, "curl_easy_reset");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_perform, "curl_easy_perform");
	SYM(easy_strerror, "curl_easy_strerror");
	SYM(easy_escape, "curl_easy_escape");
	SYM(free, "curl_free");
	SYM(slist_append, "curl_slist_append");
	SYM(slist_free_all, "curl_slist_free_all");
	SYM(url, "curl_url");
	SYM(url_cleanup, "curl_url_cleanup");
	SYM(url_get, "curl_url_get");
	SYM(url_set, "curl_url_set");
	SYM(easy_header, "curl_easy_header");
	SYM(easy_send, "curl_easy_send");
	SYM(easy_recv, "curl_easy_recv");
	CURLcode rc = api.global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf(why, sizeof(why), "%s: cannot initialise libcurl: %s", lib, api.easy_strerror(rc));
		return false;
	}
	*out = api;
	return true;
}

static void load(void)
{
	snprintf(why, sizeof(why), "cannot load libcurl (install libcurl3-gnutls)");
	for (const char *const *l = libraries; *l; l++) {
		void *h = dlopen(*l, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			snprintf(why, sizeof(why), "cannot load libcurl (install libcurl3-gnutls): %s",
				 dlerror());
			continue;
		}
		if (load_from(h, *l, &loaded)) {
			table = &loaded;
			return;
		}
		dlclose(h);
	}
}

const struct cc_curl_api *cc_curl(void)
{
	pthread_once(&once, load);
	return table;
}

int cc_curl_ready(struct cc_error **err)
{
	if (cc_curl() == &failing)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s", why);
	return 0;
}
