/* API tokens: generation, listing, revocation and the check (tokens.h). */
#include "api/tokens.h"
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/random.h"
#include "base/sha256.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char *auth_path(const char *root)
{
	return cc_path_join(root, "auth.json");
}

void api_keys_free(struct api_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(keys[i].name);
		free(keys[i].hash);
	}
	free(keys);
}

int api_token_list(const char *root, struct api_key **keys, size_t *n, struct cc_error **err)
{
	*keys = NULL;
	*n = 0;
	char *path = auth_path(root);
	char *text = NULL;
	size_t len = 0;
	struct cc_error *e = NULL;
	if (cc_read_file(path, &text, &len, &e) < 0) {
		free(path);
		if (e->kind == CC_ERR_NOT_FOUND) {
			cc_error_free(e);
			return 0;
		}
		*err = e;
		return -1;
	}
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	free(text);
	json_t *a = json_object_get(j, "keys");
	if (!j || !json_is_array(a)) {
		json_decref(j);
		int r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: not a key file (line %d: %s)", path,
				     je.line, j ? "no \"keys\" array" : je.text);
		free(path);
		return r;
	}
	free(path);
	*keys = cc_xcalloc(json_array_size(a) + 1, sizeof(**keys));
	size_t i;
	json_t *k;
	json_array_foreach(a, i, k)
	{
		const char *name = json_string_value(json_object_get(k, "name"));
		const char *hash = json_string_value(json_object_get(k, "sha256"));
		if (!name || !hash)
			continue;
		struct api_key *key = &(*keys)[(*n)++];
		key->name = cc_xstrdup(name);
		key->hash = cc_xstrdup(hash);
		key->created_ns = json_integer_value(json_object_get(k, "createdNs"));
	}
	json_decref(j);
	return 0;
}

static int save(const char *root, const struct api_key *keys, size_t n, struct cc_error **err)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(keys[i].name));
		json_object_set_new(o, "sha256", json_string(keys[i].hash));
		json_object_set_new(o, "createdNs", json_integer(keys[i].created_ns));
		json_array_append_new(a, o);
	}
	json_t *j = json_object();
	json_object_set_new(j, "keys", a);
	char *text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	char *path = auth_path(root);
	char *tmp = cc_path_join(root, ".auth.json.tmp");
	int r = cc_mkdir_p(root, 0700, err);
	if (r == 0)
		r = cc_write_file_atomic(path, tmp, text, strlen(text), 0600, true, err);
	free(text);
	free(path);
	free(tmp);
	return r;
}

int api_token_generate(const char *root, const char *name, char **token, struct cc_error **err)
{
	if (!cc_valid_object_name(name, 64))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "invalid key name \"%s\": use letters, digits, '_', '.' and '-'", name);
	struct api_key *keys;
	size_t n;
	if (api_token_list(root, &keys, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(keys[i].name, name) == 0) {
			api_keys_free(keys, n);
			return cc_error_set(err, CC_ERR_ALREADY_EXISTS, "a key named \"%s\" already exists",
					    name);
		}
	}
	char secret[65];
	cc_random_hex(secret, 32);
	char *tok = cc_xasprintf("%s%s", API_TOKEN_PREFIX, secret);
	char hash[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(tok, strlen(tok), hash);
	keys = cc_xrealloc(keys, (n + 1) * sizeof(*keys));
	keys[n] = (struct api_key){cc_xstrdup(name), cc_xstrdup(hash), cc_now_ns()};
	int r = save(root, keys, n + 1, err);
	api_keys_free(keys, n + 1);
	if (r < 0) {
		free(tok);
		return -1;
	}
	*token = tok;
	return 0;
}

int api_token_revoke(const char *root, const char *name, struct cc_error **err)
{
	struct api_key *keys;
	size_t n;
	if (api_token_list(root, &keys, &n, err) < 0)
		return -1;
	size_t kept = 0;
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(keys[i].name, name) == 0) {
			found = true;
			free(keys[i].name);
			free(keys[i].hash);
			continue;
		}
		keys[kept++] = keys[i];
	}
	int r = found ? save(root, keys, kept, err)
		      : cc_error_set(err, CC_ERR_NOT_FOUND, "no key named \"%s\"", name);
	api_keys_free(keys, kept);
	return r;
}

bool api_token_valid(const struct api_key *keys, size_t n, const char *token)
{
	if (!token || strncmp(token, API_TOKEN_PREFIX, strlen(API_TOKEN_PREFIX)) != 0)
		return false;
	char hash[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(token, strlen(token), hash);
	bool ok = false;
	/* the hashes are compared whole, every one of them, so timing says nothing about the token */
	for (size_t i = 0; i < n; i++) {
		if (strlen(keys[i].hash) != CC_SHA256_HEX_LEN)
			continue;
		unsigned diff = 0;
		for (size_t k = 0; k < CC_SHA256_HEX_LEN; k++)
			diff |= (unsigned)(keys[i].hash[k] ^ hash[k]);
		ok |= diff == 0;
	}
	return ok;
}
