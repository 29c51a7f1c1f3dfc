/* The auth dance: parsing WWW-Authenticate challenges (RFC 7235 auth-params), Basic credentials, and bearer
 * tokens fetched from the challenge's realm (the distribution token protocol), cached per scope under the
 * handle's lock so that threads pulling layers of one image share one token. */
#include "engine/registry/registry-internal.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/cleanup.h"
#include "base/clock.h"
#include "base/xalloc.h"

/* ---- WWW-Authenticate ---- */

static bool is_tchar(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static size_t token_len(const char *p)
{
	size_t n = 0;
	while (is_tchar(p[n]))
		n++;
	return n;
}

/* A token or a quoted-string (backslash escapes any character); NULL when neither is there. */
static char *parse_value(const char **p)
{
	if (**p != '"') {
		size_t n = token_len(*p);
		if (!n)
			return NULL;
		char *v = cc_xstrndup(*p, n);
		*p += n;
		return v;
	}
	struct cc_strbuf sb = CC_STRBUF_INIT;
	const char *s = *p + 1;
	while (*s && *s != '"') {
		if (*s == '\\' && s[1])
			s++;
		cc_strbuf_addch(&sb, *s++);
	}
	if (*s == '"')
		s++;
	*p = s; /* an unterminated string runs to the end */
	return cc_strbuf_detach(&sb, NULL);
}

/* Skip to just after the next top-level comma (or the end), stepping over quoted strings. */
static void skip_element(const char **p)
{
	const char *s = *p;
	while (*s && *s != ',') {
		if (*s == '"') {
			free(parse_value(&s));
			continue;
		}
		s++;
	}
	if (*s == ',')
		s++;
	*p = s;
}

static void set_param(struct reg_challenge *c, const char *name, size_t n, char *value)
{
	char **slot = NULL;
	if (n == 5 && strncasecmp(name, "realm", 5) == 0)
		slot = &c->realm;
	else if (n == 7 && strncasecmp(name, "service", 7) == 0)
		slot = &c->service;
	else if (n == 5 && strncasecmp(name, "scope", 5) == 0)
		slot = &c->scope;
	else if (n == 5 && strncasecmp(name, "error", 5) == 0)
		slot = &c->error;
	if (slot && !*slot)
		*slot = value;
	else
		free(value);
}

int reg_challenge_parse(const char *value, struct reg_challenge *out)
{
	struct reg_challenge best = {0};
	const char *p = value ? value : "";
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		size_t n = token_len(p);
		if (!n) {
			skip_element(&p); /* junk where a scheme should be */
			continue;
		}
		/* a challenge: its scheme, then a token68 or auth-params until the next scheme */
		enum reg_scheme scheme = REG_AUTH_NONE;
		if (n == 5 && strncasecmp(p, "basic", 5) == 0)
			scheme = REG_AUTH_BASIC;
		else if (n == 6 && strncasecmp(p, "bearer", 6) == 0)
			scheme = REG_AUTH_BEARER;
		p += n;
		struct reg_challenge cur = {.scheme = scheme};
		for (bool first = true;; first = false) {
			if (first) {
				skip_ws(&p);
				if (*p == ',')
					break; /* a scheme without parameters */
			} else {
				while (*p == ' ' || *p == '\t' || *p == ',')
					p++;
			}
			if (!*p)
				break;
			size_t nl = token_len(p);
			const char *q = p + nl;
			skip_ws(&q);
			if (nl && *q == '=' && q[1] != '=') {
				const char *name = p;
				q++;
				skip_ws(&q);
				char *v = parse_value(&q);
				set_param(&cur, name, nl, v ? v : cc_xstrdup(""));
				p = q;
				skip_ws(&p);
				if (*p && *p != ',')
					skip_element(&p); /* junk after a value */
			} else if (first) {
				skip_element(&p); /* a token68 ("Negotiate abc/+==") */
			} else {
				break; /* the next challenge's scheme */
			}
		}
		bool better = cur.scheme == REG_AUTH_BEARER
				  ? best.scheme != REG_AUTH_BEARER
				  : cur.scheme == REG_AUTH_BASIC && best.scheme == REG_AUTH_NONE;
		if (better) {
			reg_challenge_release(&best);
			best = cur;
		} else {
			reg_challenge_release(&cur);
		}
	}
	if (best.scheme == REG_AUTH_NONE)
		return -1;
	*out = best;
	return 0;
}

void reg_challenge_release(struct reg_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	free(c->error);
	memset(c, 0, sizeof(*c));
}

/* ---- the token cache ---- */

char *reg_auth_cached(struct cc_registry *r, const char *scope)
{
	const char *key = scope ? scope : "";
	char *out = NULL;
	int64_t now = cc_monotonic_ns();
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->ntokens; i++) {
		if (strcmp(r->tokens[i].scope, key) == 0 && r->tokens[i].expires_ns > now) {
			out = cc_xstrdup(r->tokens[i].value);
			break;
		}
	}
	if (!out && r->basic_scheme && r->basic)
		out = cc_xasprintf("Basic %s", r->basic);
	pthread_mutex_unlock(&r->lock);
	return out;
}

static void cache_token(struct cc_registry *r, const char *scope, const char *value, int64_t expires_ns)
{
	const char *key = scope ? scope : "";
	pthread_mutex_lock(&r->lock);
	size_t i;
	for (i = 0; i < r->ntokens; i++)
		if (strcmp(r->tokens[i].scope, key) == 0)
			break;
	if (i == r->ntokens) {
		CC_GROW(r->tokens, r->tokens_cap, r->ntokens + 1);
		r->tokens[r->ntokens++] = (struct reg_token){.scope = cc_xstrdup(key)};
	}
	free(r->tokens[i].value);
	r->tokens[i].value = cc_xstrdup(value);
	r->tokens[i].expires_ns = expires_ns;
	pthread_mutex_unlock(&r->lock);
}

/* Add each space-separated scope of `scopes` not yet in the query. */
static void add_scopes(CURL *h, struct cc_strbuf *url, struct cc_strbuf *seen, const char *scopes)
{
	const char *p = scopes;
	while (p && *p) {
		size_t n = strcspn(p, " ");
		if (n) {
			cleanup_free char *one = cc_xstrndup(p, n);
			cleanup_free char *mark = cc_xasprintf(" %s ", one);
			if (!strstr(cc_strbuf_str(seen), mark)) {
				char *esc = curl_easy_escape(h, one, 0);
				cc_strbuf_addf(url, "&scope=%s", esc ? esc : "");
				curl_free(esc);
				cc_strbuf_addf(seen, "%s ", one);
			}
		}
		p += n;
		while (*p == ' ')
			p++;
	}
}

/* GET realm?service=..&scope=.. (with the Basic credentials when there are some) for a bearer token. */
static int fetch_token(struct cc_registry *r, CURL *h, const struct reg_challenge *c, const char *scope,
		       char **out, struct cc_error **err)
{
	if (strncasecmp(c->realm, "https://", 8) != 0 && strncasecmp(c->realm, "http://", 7) != 0)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s: unsupported token realm \"%s\"",
				    r->name, c->realm);
	struct cc_strbuf url = CC_STRBUF_INIT, seen = CC_STRBUF_INIT;
	cc_strbuf_adds(&url, c->realm);
	cc_strbuf_addch(&url, strchr(c->realm, '?') ? '&' : '?');
	char *esc = curl_easy_escape(h, c->service ? c->service : "", 0);
	cc_strbuf_addf(&url, "service=%s", esc ? esc : "");
	curl_free(esc);
	cc_strbuf_addch(&seen, ' ');
	add_scopes(h, &url, &seen, scope);
	add_scopes(h, &url, &seen, c->scope);
	cc_strbuf_release(&seen);

	struct reg_req rq;
	reg_req_init(&rq, "GET", url.buf);
	cleanup_free char *basic = r->basic ? cc_xasprintf("Basic %s", r->basic) : NULL;
	reg_perform(h, &rq, basic);
	int rc = 0;
	json_t *root = NULL;
	if (rq.curl_rc != CURLE_OK) {
		rc = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "GET %s: %s", c->realm,
				  rq.errbuf[0] ? rq.errbuf : curl_easy_strerror(rq.curl_rc));
		goto out;
	}
	if (rq.status != 200) {
		cleanup_free char *what = cc_xasprintf("token request to %s", c->realm);
		rc = reg_http_error(r, &rq, what, err);
		goto out;
	}
	root = json_loadb(rq.resp.buf, rq.resp.len, 0, NULL);
	const char *tok = json_string_value(json_object_get(root, "token"));
	if (!tok || !*tok)
		tok = json_string_value(json_object_get(root, "access_token"));
	if (!tok || !*tok) {
		rc = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "token request to %s: no token in the answer",
				  c->realm);
		goto out;
	}
	/* the spec's default lifetime is 60 s; renew a little early */
	json_int_t life = json_integer_value(json_object_get(root, "expires_in"));
	if (life < 60)
		life = 60;
	*out = cc_xasprintf("Bearer %s", tok);
	cache_token(r, scope, *out, cc_monotonic_ns() + (int64_t)(life - 5) * CC_NS_PER_SEC);
out:
	json_decref(root);
	reg_req_release(&rq);
	cc_strbuf_release(&url);
	return rc;
}

int reg_auth_answer(struct cc_registry *r, CURL *h, const struct reg_req *rq, char **out,
		    struct cc_error **err)
{
	*out = NULL;
	struct reg_challenge c;
	if (!rq->h_www_auth || reg_challenge_parse(rq->h_www_auth, &c) < 0)
		return 0;
	int rc = 0;
	if (c.scheme == REG_AUTH_BASIC) {
		if (r->basic) {
			pthread_mutex_lock(&r->lock);
			r->basic_scheme = true;
			pthread_mutex_unlock(&r->lock);
			*out = cc_xasprintf("Basic %s", r->basic);
		}
	} else if (c.realm) {
		rc = fetch_token(r, h, &c, rq->scope, out, err);
	}
	reg_challenge_release(&c);
	return rc;
}
