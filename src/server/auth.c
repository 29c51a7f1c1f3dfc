/* Bearer tokens on every request of a listener that requires them (design/API.md "Auth"). The key file is
 * re-read when it changes, so `system generate-key` and `revoke-key` take effect without a restart, on the
 * next request after the command returns. */
#include "api/tokens.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "server/internal.h"

#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE "auth.json"

struct srv_keys {
	pthread_mutex_t lock;
	char *path, *root;
	/* Non-blocking inotify descriptor on the root: a change of the key file queues an event before the
	 * command that made it returns, so reading the queue on each request is as exact as a stat of the
	 * file and much cheaper (a stat resolves the path every time). watch_id < 0 (no root yet, no
	 * inotify): stat on each request instead. */
	int watch, watch_id;
	bool loaded;
	struct stat seen; /* of the file the keys were read from; st_ino 0: none yet */
	struct api_key *keys;
	size_t n;
};

struct srv_keys *srv_keys_new(const char *root)
{
	struct srv_keys *k = cc_xcalloc(1, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	k->root = cc_xstrdup(root);
	k->path = cc_path_join(root, KEY_FILE);
	k->watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	k->watch_id = -1;
	return k;
}

void srv_keys_free(struct srv_keys *k)
{
	if (!k)
		return;
	api_keys_free(k->keys, k->n);
	pthread_mutex_destroy(&k->lock);
	if (k->watch >= 0)
		close(k->watch);
	free(k->path);
	free(k->root);
	free(k);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Did the watch see the key file (or the root) change since the last call? Called with the lock held. */
static bool watch_saw_change(struct srv_keys *k)
{
	bool changed = false;
	alignas(struct inotify_event) char buf[4096];
	for (;;) {
		ssize_t len = read(k->watch, buf, sizeof(buf));
		if (len <= 0) {
			if (len < 0 && errno == EINTR)
				continue;
			/* EAGAIN: nothing queued. Anything else: stat until a reload sets a new watch */
			if (len == 0 || errno != EAGAIN) {
				inotify_rm_watch(k->watch, k->watch_id);
				k->watch_id = -1;
				changed = true;
			}
			return changed;
		}
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				changed = true;
				continue;
			}
			if (ev->wd != k->watch_id)
				continue; /* the end of an earlier watch */
			/* the root itself went away or moved: its path may now name another directory */
			if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
				inotify_rm_watch(k->watch, k->watch_id);
				k->watch_id = -1;
				return true;
			}
			if (ev->len && strcmp(ev->name, KEY_FILE) == 0)
				changed = true;
		}
	}
}

/* Watches the root, once it exists; called before the file is read, so no later change goes unseen. */
static void watch_start(struct srv_keys *k)
{
	if (k->watch < 0)
		return;
	/* the file is replaced by a rename, written in place (seen when closed), or deleted; not IN_MODIFY,
	 * which every write of the store would queue */
	k->watch_id = inotify_add_watch(k->watch, k->root,
					IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_DELETE |
					    IN_DELETE_SELF | IN_MOVE_SELF);
	/* what an earlier watch queued is no news now */
	char buf[4096];
	while (k->watch_id >= 0 && read(k->watch, buf, sizeof(buf)) > 0)
		;
}

static bool token_valid(struct srv_keys *k, const char *token)
{
	pthread_mutex_lock(&k->lock);
	bool check = !k->loaded || k->watch_id < 0 || watch_saw_change(k);
	if (check && k->watch_id < 0)
		watch_start(k);
	struct stat st;
	if (check && stat(k->path, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (check && (!k->loaded || !same_file(&st, &k->seen))) {
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
		k->loaded = true;
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
