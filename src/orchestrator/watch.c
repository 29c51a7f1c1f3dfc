/* The watch loop: inotify over every rule's path (directories recursively), changes gathered until a quiet
 * period passes, then each service's rules applied once per batch.
 *
 * A sync stages each changed file (never through a link) and copies it to its own target, so missing parents
 * are made and existing ones keep their owner and mode, as docker compose's tar-based sync leaves them; a new
 * directory is made by copying an empty directory's contents; links go as links. A path gone from the host
 * is removed in the container with `rm -rf`. A directory that appears is walked at once: files written into
 * it before its own watch existed are part of the batch. */
#include "orchestrator/watch.h"

#include "base/cleanup.h"
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "base/xalloc.h"
#include "compose/project.h"
#include "orchestrator/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define WATCH_MASK                                                                                           \
	(IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |      \
	 IN_DELETE_SELF | IN_MOVE_SELF | IN_EXCL_UNLINK)

struct watched_dir {
	int wd;
	char *path;
};

struct watcher {
	int fd;
	struct watched_dir *dirs;
	size_t ndirs;
	const struct cc_watch_rules *rules;
	struct cc_strmap changed; /* absolute path -> unused */
};

static const char *dir_of(const struct watcher *w, int wd)
{
	for (size_t i = 0; i < w->ndirs; i++)
		if (w->dirs[i].wd == wd)
			return w->dirs[i].path;
	return NULL;
}

static void forget(struct watcher *w, int wd)
{
	for (size_t i = 0; i < w->ndirs; i++)
		if (w->dirs[i].wd == wd) {
			free(w->dirs[i].path);
			w->dirs[i] = w->dirs[--w->ndirs];
			return;
		}
}

/* A directory renamed within the watched tree keeps its watch descriptors: its recorded path, and those of
 * the directories below it, move with it. */
static void rename_dirs(struct watcher *w, const char *from, const char *to)
{
	cleanup_free char *old = cc_xstrdup(from);
	size_t n = strlen(old);
	for (size_t i = 0; i < w->ndirs; i++) {
		char *p = w->dirs[i].path;
		if (strncmp(p, old, n) != 0 || (p[n] != '\0' && p[n] != '/'))
			continue;
		w->dirs[i].path = cc_xasprintf("%s%s", to, p + n);
		free(p);
	}
}

static int add_dir(struct watcher *w, const char *path, struct cc_error **err)
{
	int wd = inotify_add_watch(w->fd, path, WATCH_MASK | IN_ONLYDIR);
	if (wd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0; /* gone again before we got to it */
		return cc_error_set_errno(err, errno == ENOSPC ? CC_ERR_BACKEND_FAILURE : CC_ERR_INTERNAL,
					  errno, "watch %s%s", path,
					  errno == ENOSPC ? " (raise fs.inotify.max_user_watches)" : "");
	}
	const char *known = dir_of(w, wd);
	if (known) {
		if (strcmp(known, path) != 0)
			rename_dirs(w, known, path);
		return 0;
	}
	w->dirs = cc_xrealloc(w->dirs, (w->ndirs + 1) * sizeof(*w->dirs));
	w->dirs[w->ndirs++] = (struct watched_dir){wd, cc_xstrdup(path)};
	return 0;
}

/* Whether some directory rule covers path (the rule's own path included), so that a new directory there is
 * watched in turn. */
static bool recursive_here(const struct watcher *w, const char *path)
{
	for (size_t i = 0; i < w->rules->n; i++)
		if (w->rules->v[i].is_dir && cc_watch_rule_ignores(&w->rules->v[i], path) >= 0)
			return true;
	return false;
}

/* A directory every rule that covers it ignores (node_modules/, .git) is not watched at all: nothing in
 * it would be synced, and a big one would use up the inotify watches. */
static bool ignored_dir(const struct watcher *w, const char *path)
{
	bool covered = false;
	for (size_t i = 0; i < w->rules->n; i++) {
		int v = cc_watch_rule_ignores(&w->rules->v[i], path);
		if (v == 0)
			return false;
		covered |= v > 0;
	}
	return covered;
}

/* Record a changed path if some rule takes it; returns whether it did. */
static bool record(struct watcher *w, const char *path)
{
	for (size_t i = 0; i < w->rules->n; i++) {
		cleanup_free char *rel = cc_watch_rule_match(&w->rules->v[i], path);
		if (rel) {
			cc_strmap_set(&w->changed, path, NULL);
			return true;
		}
	}
	return false;
}

/* Watch dir and everything below it; with mark, every path below it is a change too. */
static int add_tree(struct watcher *w, const char *dir, bool mark, struct cc_error **err)
{
	if (add_dir(w, dir, err) < 0)
		return -1;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *child = cc_path_join(dir, de->d_name);
		struct stat st;
		bool is_dir = lstat(child, &st) == 0 && S_ISDIR(st.st_mode);
		if (!(is_dir && ignored_dir(w, child))) {
			if (mark)
				record(w, child);
			if (is_dir)
				r = add_tree(w, child, mark, err);
		}
		free(child);
	}
	closedir(d);
	return r;
}

static int watch_rules(struct watcher *w, struct cc_error **err)
{
	for (size_t i = 0; i < w->rules->n; i++) {
		const char *path = w->rules->v[i].path;
		/* the parent too: a file is replaced by editors (written beside, renamed over), a directory
		 * removed and made again by a build, and either comes back there */
		cleanup_free char *parent = cc_path_dir(path);
		if (add_dir(w, parent, err) < 0 ||
		    (w->rules->v[i].is_dir && add_tree(w, path, false, err) < 0))
			return -1;
	}
	return 0;
}

/* A rule's whole path as changed: after a lost batch of events, and for initial_sync. */
static void mark_rule(struct watcher *w, const struct cc_watch_rule *r)
{
	record(w, r->path);
	if (r->is_dir) {
		struct cc_error *e = NULL;
		add_tree(w, r->path, true, &e);
		cc_error_free(e);
	}
}

static void mark_everything(struct watcher *w)
{
	for (size_t i = 0; i < w->rules->n; i++)
		mark_rule(w, &w->rules->v[i]);
}

/* Whether rule i is its service's first, so that a service is handled once. */
static bool first_of_service(const struct cc_watch_rules *rules, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(rules->v[k].service, rules->v[i].service) == 0)
			return false;
	return true;
}

/* Read what inotify has; returns how many changes some rule takes. A directory that cannot be watched
 * (inotify's limit) is a warning: the rest goes on being watched. */
static int read_events(struct watcher *w, const struct cc_orch_ui *ui, size_t *taken, struct cc_error **err)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(w->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "read inotify events");
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				cc_orch_warn(ui,
					     "watch: too many changes at once; syncing every watched path");
				mark_everything(w);
				(*taken)++;
				continue;
			}
			if (ev->mask & IN_IGNORED) {
				forget(w, ev->wd);
				continue;
			}
			const char *dir = dir_of(w, ev->wd);
			if (!dir)
				continue;
			cleanup_free char *path = ev->len ? cc_path_join(dir, ev->name) : cc_xstrdup(dir);
			*taken += record(w, path);
			if (ev->len && (ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
			    recursive_here(w, path) && !ignored_dir(w, path)) {
				size_t before = cc_strmap_size(&w->changed);
				struct cc_error *e = NULL;
				if (add_tree(w, path, true, &e) < 0) {
					cc_orch_warn(ui, "watch: %s", e->msg);
					cc_error_free(e);
				}
				*taken += cc_strmap_size(&w->changed) - before;
			}
		}
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- actions ---- */

struct batch {
	struct cc_runtime *rt;
	const struct cc_project *p;
	const struct cc_watch_opts *o;
	const struct cc_orch_ui *ui;
	char **paths; /* the changed paths, sorted: a parent before what is below it */
	size_t npaths;
};

static void note(const struct cc_orch_ui *ui, const char *service, const char *what)
{
	cc_orch_status(ui, "Watch", service, what);
}

/* A regular file's content into the staging directory, never through a link: the host path may have been
 * swapped for one since it was looked at (a container writing into a bind-mounted, watched directory). */
static int stage_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	struct stat st;
	int r = fstat(in, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
	int out = r == 0 ? open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777) : -1;
	r = out < 0 ? -1 : 0;
	char buf[65536];
	ssize_t n;
	while (r == 0 && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		r = n < 0 ? -1 : cc_write_all(out, buf, (size_t)n);
	}
	if (out >= 0 && close(out) < 0)
		r = -1;
	close(in);
	return r;
}

enum item_kind { ITEM_DIR, ITEM_FILE, ITEM_LINK };

/* One change to make in the containers: `from` (in the staging directory) to `target`. */
struct sync_item {
	enum item_kind kind;
	char *from, *target;
};

struct sync_plan {
	struct sync_item *v;
	size_t n;
	cc_strv gone; /* container paths to remove */
	size_t taken; /* changes the rule took */
};

static void plan_release(struct sync_plan *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		free(pl->v[i].from);
		free(pl->v[i].target);
	}
	free(pl->v);
	cc_strv_free(pl->gone);
}

static void plan_add(struct sync_plan *pl, enum item_kind kind, char *from, char *target)
{
	pl->v = cc_xrealloc(pl->v, (pl->n + 1) * sizeof(*pl->v));
	pl->v[pl->n++] = (struct sync_item){kind, from, target};
}

/* What a rule's changes mean for the containers. Files and links are staged one by one, each copied to its
 * own target: missing parents are made on the way and existing ones left as they are (owner, mode), as
 * docker compose's sync leaves them. A new directory is made with an empty directory's contents, which
 * changes nothing where it exists. Links are copied as links. */
static void plan(const struct batch *b, const struct cc_watch_rule *r, const char *stage_dir,
		 struct sync_plan *pl)
{
	memset(pl, 0, sizeof(*pl));
	for (size_t i = 0; i < b->npaths; i++) {
		cleanup_free char *rel = cc_watch_rule_match(r, b->paths[i]);
		if (!rel)
			continue;
		struct stat st;
		bool exists = lstat(b->paths[i], &st) == 0;
		if (!*rel && (!exists || S_ISDIR(st.st_mode)))
			continue; /* the watched directory's own attributes; gone, what was in it is reported
				   * gone one by one, and the target itself stays */
		pl->taken++;
		char *target = *rel ? cc_path_join(r->target, rel) : cc_xstrdup(r->target);
		if (!exists) {
			cc_strv_push(&pl->gone, target);
			free(target);
		} else if (S_ISDIR(st.st_mode)) {
			plan_add(pl, ITEM_DIR, cc_xasprintf("%s/empty/.", stage_dir), target);
		} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
			/* a directory per item: the copy names the result after the target, not the source */
			char *slot = cc_xasprintf("%s/%zu", stage_dir, pl->n);
			char *staged = cc_path_join(slot, cc_path_base(target));
			int ok = mkdir(slot, 0700) == 0;
			if (ok && S_ISLNK(st.st_mode)) {
				char link[PATH_MAX];
				ssize_t k = readlink(b->paths[i], link, sizeof(link) - 1);
				ok = k >= 0 && (link[k] = 0, symlink(link, staged) == 0);
			} else if (ok) {
				ok = stage_file(b->paths[i], staged, st.st_mode) == 0;
			}
			if (ok) {
				plan_add(pl, S_ISLNK(st.st_mode) ? ITEM_LINK : ITEM_FILE,
					 S_ISLNK(st.st_mode) ? cc_xasprintf("%s/.", slot)
							     : cc_xstrdup(staged),
					 S_ISLNK(st.st_mode) ? cc_path_dir(target) : cc_xstrdup(target));
			} else {
				cc_orch_warn(b->ui, "watch: %s: %s", b->paths[i], strerror(errno));
			}
			free(target);
			free(staged);
			free(slot);
		} else {
			free(target); /* sockets, fifos and devices stay on the host */
		}
	}
}

static void sync_into(const struct batch *b, const struct sync_plan *pl, const struct cc_container *cs,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* removals first: a path gone and made again as something else is made anew */
		if (pl->gone && pl->gone[0]) {
			cc_strv argv = NULL;
			cc_strv_push(&argv, "rm");
			cc_strv_push(&argv, "-rf");
			cc_strv_push(&argv, "--");
			for (char *const *g = pl->gone; *g; g++)
				cc_strv_push(&argv, *g);
			struct cc_exec_opts eo = {.argv = argv};
			struct cc_error *e = NULL;
			if (cc_orch_exec_checked(b->rt, cs[i].id, cs[i].name, &eo, "watch: rm", &e) < 0) {
				cc_orch_warn(b->ui, "%s", e->msg);
				cc_error_free(e);
			}
			cc_strv_free(argv);
		}
		for (size_t k = 0; k < pl->n; k++) {
			struct cc_error *e = NULL;
			if (cc_rt_container_copy(b->rt, cs[i].id, pl->v[k].target, pl->v[k].from, true, &e) <
			    0) {
				cc_orch_warn(b->ui, "watch: copy to %s:%s: %s", cs[i].name, pl->v[k].target,
					     e->msg);
				cc_error_free(e);
			}
		}
	}
}

static void run_exec_hook(const struct batch *b, const struct cc_watch_rule *r, const struct cc_container *cs,
			  size_t n)
{
	cleanup_free char *what = cc_xasprintf("service %s: develop.watch[%zu] exec", r->service, r->index);
	for (size_t i = 0; i < n; i++) {
		struct cc_error *e = NULL;
		if (cc_orch_exec_hook(b->rt, cs[i].id, cs[i].name, r->exec, what, &e) < 0) {
			cc_orch_warn(b->ui, "watch: %s", e->msg);
			cc_error_free(e);
		}
	}
}

static void rebuild(const struct batch *b, const char *service)
{
	char *const services[] = {(char *)service, NULL};
	note(b->ui, service, "Rebuilding after changes");
	struct cc_up_opts up = {
	    .services = services, .no_deps = true, .parallel = b->o->parallel, .stop_timeout_ns = -1};
	struct cc_error *e = NULL;
	if (cc_orch_prepare_images(b->rt, b->p, services, "always", NULL, b->ui, &e) < 0 ||
	    cc_orch_up(b->rt, b->p, &up, b->ui, &e) < 0) {
		cc_orch_warn(b->ui, "watch: rebuild of service %s: %s", service, e->msg);
		cc_error_free(e);
		return;
	}
	note(b->ui, service, "Rebuilt");
	if (b->o->recreated)
		b->o->recreated(b->o->recreated_ctx, service);
}

/* Whether any rule of the service takes any path of the batch: most batches of a busy directory (a log
 * written beside the sources) concern nobody, and cost nothing then. */
static bool concerned(const struct batch *b, const struct cc_watch_rules *rules, const char *service)
{
	for (size_t i = 0; i < rules->n; i++) {
		if (strcmp(rules->v[i].service, service) != 0)
			continue;
		for (size_t k = 0; k < b->npaths; k++) {
			cleanup_free char *rel = cc_watch_rule_match(&rules->v[i], b->paths[k]);
			if (rel)
				return true;
		}
	}
	return false;
}

static void apply_service(const struct batch *b, const struct cc_watch_rules *rules, const char *service)
{
	char *const services[] = {(char *)service, NULL};
	/* a rebuild makes the service's containers anew from its image: nothing else to do for them */
	for (size_t i = 0; i < rules->n; i++) {
		const struct cc_watch_rule *r = &rules->v[i];
		if (strcmp(r->service, service) || r->action != CC_WATCH_REBUILD)
			continue;
		for (size_t k = 0; k < b->npaths; k++) {
			cleanup_free char *rel = cc_watch_rule_match(r, b->paths[k]);
			if (rel) {
				rebuild(b, service);
				return;
			}
		}
	}
	struct cc_container *cs = NULL;
	size_t n = 0;
	struct cc_error *e = NULL;
	if (cc_orch_containers(b->rt, b->p->name, services, false, false, &cs, &n, &e) < 0) {
		cc_orch_warn(b->ui, "watch: service %s: %s", service, e->msg);
		cc_error_free(e);
		return;
	}
	bool restart = false;
	for (size_t i = 0; i < rules->n; i++) {
		const struct cc_watch_rule *r = &rules->v[i];
		if (strcmp(r->service, service) != 0 || r->action == CC_WATCH_REBUILD)
			continue;
		if (r->action == CC_WATCH_RESTART) {
			for (size_t k = 0; k < b->npaths && !restart; k++) {
				cleanup_free char *rel = cc_watch_rule_match(r, b->paths[k]);
				restart = rel != NULL;
			}
			continue;
		}
		const char *tmpdir = getenv("TMPDIR");
		cleanup_free char *dir =
		    cc_xasprintf("%s/cc-watch-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
		if (!mkdtemp(dir)) {
			cc_orch_warn(b->ui, "watch: staging directory %s: %s", dir, strerror(errno));
			continue;
		}
		cleanup_free char *empty = cc_path_join(dir, "empty");
		mkdir(empty, 0755);
		struct sync_plan pl;
		plan(b, r, dir, &pl);
		if (pl.taken) {
			cleanup_free char *what = cc_xasprintf("Syncing %zu change%s to %s", pl.taken,
							       pl.taken == 1 ? "" : "s", r->target);
			note(b->ui, service, what);
			sync_into(b, &pl, cs, n);
			if (r->action == CC_WATCH_SYNC_RESTART)
				restart = true;
			else if (r->action == CC_WATCH_SYNC_EXEC)
				run_exec_hook(b, r, cs, n);
		}
		plan_release(&pl);
		cc_remove_tree(dir);
	}
	cc_containers_free(cs, n);
	if (restart) {
		note(b->ui, service, "Restarting after changes");
		struct cc_orch_action_opts ao = {
		    .services = services, .timeout_ns = -1, .parallel = b->o->parallel};
		if (cc_orch_act(b->rt, b->p, CC_ORCH_RESTART, &ao, b->ui, &e) < 0) {
			cc_orch_warn(b->ui, "watch: restart of service %s: %s", service, e->msg);
			cc_error_free(e);
		}
	}
}

static void apply(struct cc_runtime *rt, const struct cc_project *p, const struct cc_watch_rules *rules,
		  const struct cc_watch_opts *o, const struct cc_orch_ui *ui, struct cc_strmap *changed)
{
	struct batch b = {rt, p, o, ui, NULL, 0};
	b.paths = cc_xcalloc(cc_strmap_size(changed) + 1, sizeof(char *));
	cc_strmap_foreach(changed, e) b.paths[b.npaths++] = cc_xstrdup(e->key);
	qsort(b.paths, b.npaths, sizeof(char *), cmp_str);
	for (size_t i = 0; i < rules->n; i++)
		if (first_of_service(rules, i) && concerned(&b, rules, rules->v[i].service))
			apply_service(&b, rules, rules->v[i].service);
	cc_strv_free(b.paths);
	cc_strmap_release(changed);
	cc_strmap_init(changed, NULL);
}

/* initial_sync: every file of the rule's path, as if each had just changed. */
static void initial_sync(struct cc_runtime *rt, const struct cc_project *p,
			 const struct cc_watch_rules *rules, const struct cc_watch_opts *o,
			 const struct cc_orch_ui *ui, struct watcher *w)
{
	struct cc_watch_rules only = {NULL, 0};
	for (size_t i = 0; i < rules->n; i++) {
		if (!rules->v[i].initial_sync || rules->v[i].action == CC_WATCH_REBUILD ||
		    rules->v[i].action == CC_WATCH_RESTART)
			continue;
		only.v = cc_xrealloc(only.v, (only.n + 1) * sizeof(*only.v));
		only.v[only.n] = rules->v[i];
		only.v[only.n].action = CC_WATCH_SYNC; /* no restart or exec for what is already there */
		only.n++;
		mark_rule(w, &rules->v[i]);
	}
	if (only.n)
		apply(rt, p, &only, o, ui, &w->changed);
	free(only.v);
	cc_strmap_release(&w->changed);
	cc_strmap_init(&w->changed, NULL);
}

int cc_orch_watch(struct cc_runtime *rt, const struct cc_project *p, const struct cc_watch_rules *rules,
		  const struct cc_watch_opts *o, const struct cc_orch_ui *ui, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	struct watcher w = {.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), .rules = rules};
	if (w.fd < 0)
		return cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "inotify");
	cc_strmap_init(&w.changed, NULL);
	int r = watch_rules(&w, err);
	if (r == 0) {
		initial_sync(rt, p, rules, o, ui, &w);
		for (size_t i = 0; i < rules->n; i++)
			if (first_of_service(rules, i))
				note(ui, rules->v[i].service, "Watching");
	}
	int64_t quiet = o->quiet_ns > 0 ? o->quiet_ns : 200 * 1000000LL;
	/* a batch waits for a quiet moment, but never more than a second: a file written without pause
	 * would otherwise hold back every other change */
	const int64_t hold = 1000 * 1000000LL;
	int64_t last = 0, first = 0;
	while (r == 0) {
		struct pollfd fds[2] = {{w.fd, POLLIN, 0}, {o->cancel_fd, POLLIN, 0}};
		int timeout = -1;
		if (cc_strmap_size(&w.changed)) {
			int64_t due = last + quiet < first + hold ? last + quiet : first + hold;
			int64_t left = due - cc_monotonic_ns();
			timeout = left > 0 ? (int)((left + 999999) / 1000000) : 0;
		}
		int n = poll(fds, o->cancel_fd >= 0 ? 2 : 1, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "poll");
			break;
		}
		if (o->cancel_fd >= 0 && fds[1].revents)
			break;
		if (fds[0].revents) {
			size_t taken = 0;
			r = read_events(&w, ui, &taken, err);
			if (taken) {
				last = cc_monotonic_ns();
				if (!first)
					first = last;
			}
			if (!cc_strmap_size(&w.changed) || cc_monotonic_ns() < first + hold)
				continue;
		}
		if (cc_strmap_size(&w.changed)) {
			apply(rt, p, rules, o, ui, &w.changed);
			first = 0;
		}
	}
	for (size_t i = 0; i < w.ndirs; i++)
		free(w.dirs[i].path);
	free(w.dirs);
	cc_strmap_release(&w.changed);
	close(w.fd);
	return r;
}
