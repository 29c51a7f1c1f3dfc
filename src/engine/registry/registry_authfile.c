/* Credentials in a docker config.json style auth file ({"auths": {"<registry>": {"auth":
 * base64(user:pass)}}}) and `login`, which checks them against the registry before storing them. Keys are
 * matched the way docker does: "https://" or "http://" and any path are ignored, and docker.io's aliases
 * (index.docker.io, registry-1.docker.io, "https://index.docker.io/v1/") are one registry. Credential helpers
 * (credsStore, credHelpers) are not consulted. */
#include "engine/registry/registry-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base64.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"

#define DOCKER_HUB_KEY "https://index.docker.io/v1/"

char *reg_auth_file_path(const struct cc_registry_opts *opts)
{
	if (opts && opts->auth_file && *opts->auth_file)
		return cc_xstrdup(opts->auth_file);
	const char *dir = getenv("DOCKER_CONFIG");
	if (dir && *dir)
		return cc_path_join(dir, "config.json");
	const char *home = getenv("HOME");
	if (home && *home)
		return cc_xasprintf("%s/.docker/config.json", home);
	return NULL;
}

/* "https://index.docker.io/v1/" -> "docker.io", "https://host:5000/x" -> "host:5000" (owned). */
static char *key_host(const char *key)
{
	if (strncasecmp(key, "https://", 8) == 0)
		key += 8;
	else if (strncasecmp(key, "http://", 7) == 0)
		key += 7;
	char *host = cc_xstrndup(key, strcspn(key, "/"));
	if (strcmp(host, "index.docker.io") == 0 || strcmp(host, "registry-1.docker.io") == 0) {
		free(host);
		host = cc_xstrdup("docker.io");
	}
	return host;
}

/* The key of `auths` that stands for the registry: an exact match first, else the first alias. */
static const char *find_key(json_t *auths, const char *registry)
{
	if (json_object_get(auths, registry))
		return registry;
	cleanup_free char *want = key_host(registry);
	const char *key;
	json_t *v;
	json_object_foreach(auths, key, v)
	{
		cleanup_free char *host = key_host(key);
		if (strcmp(host, want) == 0)
			return key;
	}
	return NULL;
}

static int load(const char *path, json_t **out, struct cc_error **err)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	struct cc_error *e = NULL;
	if (cc_read_file(path, &data, &len, &e) < 0) {
		if (e->kind == CC_ERR_NOT_FOUND) {
			cc_error_free(e);
			*out = NULL;
			return 0;
		}
		reg_take_error(&e, err);
		return -1;
	}
	json_error_t je;
	json_t *root = json_loadb(data, len, 0, &je);
	if (!root)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "auth file %s:%d: %s", path, je.line,
				    je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "auth file %s: not a JSON object", path);
	}
	*out = root;
	return 0;
}

int reg_auth_file_lookup(const char *path, const char *registry, char **out, struct cc_error **err)
{
	*out = NULL;
	json_t *root = NULL;
	if (!path || load(path, &root, err) < 0)
		return path ? -1 : 0;
	json_t *auths = json_object_get(root, "auths");
	const char *key = json_is_object(auths) ? find_key(auths, registry) : NULL;
	json_t *entry = key ? json_object_get(auths, key) : NULL;
	const char *auth = json_string_value(json_object_get(entry, "auth"));
	const char *user = json_string_value(json_object_get(entry, "username"));
	const char *pass = json_string_value(json_object_get(entry, "password"));
	int rc = 0;
	if (auth && *auth) {
		size_t n = 0;
		cleanup_free char *plain = cc_base64_decode(auth, &n);
		if (!plain || !memchr(plain, ':', n))
			rc = cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "auth file %s: the credentials for %s are not base64 of \"user:password\"", path,
			    key);
		else
			*out = cc_xstrdup(auth);
		if (plain)
			explicit_bzero(plain, n);
	} else if (user && pass) {
		cleanup_free char *plain = cc_xasprintf("%s:%s", user, pass);
		*out = cc_base64(plain, strlen(plain));
		explicit_bzero(plain, strlen(plain));
	}
	json_decref(root);
	return rc;
}

/* mkdir -p for the auth file's directory, private like docker's ~/.docker. */
static int make_parent(const char *path, struct cc_error **err)
{
	cleanup_free char *dir = cc_path_dir(path);
	if (cc_is_dir(dir))
		return 0;
	if (make_parent(dir, err) < 0)
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno, "cannot create %s", dir);
	return 0;
}

/* Set auths[<registry>].auth, keeping every other entry and key; tmp file + rename, mode 0600. */
static int store(const char *path, const char *registry, const char *basic, struct cc_error **err)
{
	json_t *root = NULL;
	if (load(path, &root, err) < 0)
		return -1;
	if (!root)
		root = json_object();
	json_t *auths = json_object_get(root, "auths");
	if (!json_is_object(auths)) {
		auths = json_object();
		json_object_set_new(root, "auths", auths);
	}
	const char *existing = find_key(auths, registry);
	cleanup_free char *key = cc_xstrdup(existing                             ? existing
					    : strcmp(registry, "docker.io") == 0 ? DOCKER_HUB_KEY
										 : registry);
	json_t *entry = json_object_get(auths, key);
	if (!json_is_object(entry)) {
		entry = json_object();
		json_object_set_new(auths, key, entry);
	}
	json_object_set_new(entry, "auth", json_string(basic));
	json_object_del(entry, "username");
	json_object_del(entry, "password");
	char *text = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (!text)
		abort();

	int rc = make_parent(path, err);
	cleanup_free char *tmp = cc_xasprintf("%s.tmp-XXXXXX", path);
	int fd = rc < 0 ? -1 : mkostemp(tmp, O_CLOEXEC);
	if (rc == 0 && fd < 0)
		rc = cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno, "cannot create %s", tmp);
	if (fd >= 0) {
		if (fchmod(fd, 0600) < 0 || cc_write_all(fd, text, strlen(text)) < 0 ||
		    cc_write_all(fd, "\n", 1) < 0 || fsync(fd) < 0)
			rc = cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno, "cannot write %s", tmp);
		if (close(fd) < 0 && rc == 0)
			rc = cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno, "cannot write %s", tmp);
		if (rc == 0 && rename(tmp, path) < 0)
			rc = cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno, "cannot replace %s",
						path);
		if (rc < 0)
			unlink(tmp);
	}
	explicit_bzero(text, strlen(text));
	free(text);
	return rc;
}

int cc_registry_login(const char *registry, const char *user, const char *password,
		      const struct cc_registry_opts *opts, struct cc_error **err)
{
	if (!user || !*user || strchr(user, ':') || !password)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "login: a user name (without ':') and a password "
				    "are required");
	cleanup_free char *path = reg_auth_file_path(opts);
	if (!path)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "login: no auth file: set HOME or DOCKER_CONFIG");
	cleanup_free char *plain = cc_xasprintf("%s:%s", user, password);
	cleanup_free char *basic = cc_base64(plain, strlen(plain));
	explicit_bzero(plain, strlen(plain));

	struct cc_registry *r = NULL;
	if (reg_open_internal(registry, opts, basic, &r, err) < 0)
		return -1;
	cleanup_curl CURL *h = NULL;
	cleanup_free char *url = cc_xasprintf("%s/v2/", r->base);
	struct reg_req rq;
	reg_req_init(&rq, "GET", url);
	struct cc_error *e = NULL;
	int rc = reg_curl_new(&h, err);
	if (rc == 0 && reg_do(r, h, &rq, r->retries, &e) < 0) {
		/* a token service that refuses the credentials says so with 401 */
		if (e->kind == CC_ERR_PERMISSION) {
			cc_error_free(e);
			rc = cc_error_set(err, CC_ERR_PERMISSION,
					  "login %s: unauthorized: incorrect username or password", registry);
		} else {
			reg_take_error(&e, err);
			rc = -1;
		}
	} else if (rc == 0 && (rq.status == 401 || rq.status == 403)) {
		rc = cc_error_set(err, CC_ERR_PERMISSION,
				  "login %s: unauthorized: incorrect username or password", registry);
	} else if (rc == 0 && (rq.status < 200 || rq.status >= 300)) {
		cleanup_free char *what = cc_xasprintf("login %s: GET %s", registry, url);
		rc = reg_http_error(r, &rq, what, err);
	}
	reg_req_release(&rq);
	cc_registry_close(r);
	if (rc < 0)
		return -1;
	return store(path, registry, basic, err);
}
