/* Bearer tokens on every request of a listener that requires them (design/API.md "Auth"). The key file is
 * re-read when it changes, so `system generate-key` and `revoke-key` take effect without a restart. */
#include "api/tokens.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "server/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct srv_keys {
	pthread_mutex_t lock;
	char *path, *root;
	struct stat seen; /* of the file the keys were read from; st_ino 0: none yet */
	struct api_key *keys;
	size_t n;
};

struct srv_keys *srv_keys_new(const char *root)
{
	struct srv_keys *k = cc_xcalloc(1, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	k->root = cc_xstrdup(root);
	k->path = cc_path_join(root, "auth.json");
	return k;
}

void srv_keys_free(struct srv_keys *k)
{
	if (!k)
		return;
	api_keys_free(k->keys, k->n);
	pthread_mutex_destroy(&k->lock);
	free(k->path);
	free(k->root);
	free(k);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool token_valid(struct srv_keys *k, const char *token)
{
	pthread_mutex_lock(&k->lock);
	struct stat st;
	if (stat(k->path, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (!same_file(&st, &k->seen)) {
		struct api_key *keys = NULL;
		size_t n = 0;
		struct cc_error *err = NULL;
		if (api_token_list(k->root, &keys, &n, &err) < 0) {
			/* a broken key file authenticates nobody */
			fprintf(stderr, "auth: %s\n", err->msg);
			cc_error_free(err);
		}
		api_keys_free(k->keys, k->n);
		k->keys = keys;
		k->n = n;
		k->seen = st;
	}
	bool ok = api_token_valid(k->keys, k->n, token);
	pthread_mutex_unlock(&k->lock);
	return ok;
}

int srv_auth_check(struct srv_req *r)
{
	struct server *s = srv_server(r);
	if (!s->auth_on)
		return 0;
	if (s->tls && srv_client_cert_verified(r))
		return 0;
	const char *h = srv_header(r, "Authorization");
	if (!h || !*h) {
		srv_reply_status(r, 401, "missing credentials");
		return 401;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		srv_reply_status(r, 401, "malformed authorization header");
		return 401;
	}
	const char *token = h + 7;
	while (*token == ' ')
		token++;
	if (!token_valid(s->keys, token)) {
		srv_reply_status(r, 403, "invalid credentials");
		return 403;
	}
	return 0;
}
