/* The steps that change files: RUN, COPY and ADD, each on an overlay mount of the stage's layers with a
 * fresh upper directory that becomes the step's layer (see build-internal.h for the cache around them). */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/build/build-internal.h"
#include "engine/build/copy.h"
#include "engine/image/unpack.h"
#include "engine/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

int build_mount(struct build *b, const struct stage *st, const char *dir, char **rootfs,
		struct cc_error **err)
{
	if (mkdir(dir, 0700) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", dir);
	cc_strv layers = build_layer_dirs(b, st);
	if (!layers[0]) {
		/* scratch: overlayfs needs a lower directory */
		cleanup_free char *empty = cc_xasprintf("%s/empty", b->tmp);
		mkdir(empty, 0755);
		cc_strv_push(&layers, empty);
	}
	int r = cc_rootfs_mount(layers, dir, rootfs, err);
	cc_strv_free(layers);
	return r;
}

static void step_dir_remove(const char *dir)
{
	struct cc_error *e = NULL;
	if (cc_rootfs_unmount(dir, &e) < 0)
		cc_error_free(e);
	cc_remove_tree(dir);
}

int build_commit_step(struct build *b, struct stage *st, const char *dir, const char *created_by,
		      struct cc_error **err)
{
	if (cc_rootfs_unmount(dir, err) < 0)
		return -1;
	cleanup_free char *upper = cc_xasprintf("%s/upper", dir);
	struct cc_built_layer out;
	const char *parent = st->nlayers ? st->layers[st->nlayers - 1].chain : NULL;
	int r = cc_layer_commit_upper(b->n->images->blobs, upper, parent, &out, err);
	cc_remove_tree(dir);
	if (r < 0)
		return -1;
	st->created_ns = cc_now_ns();
	struct build_layer l = {.size = out.size};
	if (!out.empty) {
		snprintf(l.digest, sizeof(l.digest), "%s", out.digest);
		snprintf(l.diff_id, sizeof(l.diff_id), "%s", out.digest);
		snprintf(l.chain, sizeof(l.chain), "%s", out.chain_id);
		st->layers = cc_xrealloc(st->layers, (st->nlayers + 2) * sizeof(*st->layers));
		st->layers[st->nlayers++] = l;
	}
	build_history(st, created_by, out.empty);
	build_cache_put(b, st->key, out.empty ? NULL : &l, st->created_ns);
	return 0;
}

static char *step_dir(struct build *b)
{
	return cc_xasprintf("%s/step-%d", b->tmp, b->step);
}

/* ---- RUN ----------------------------------------------------------------------------------------------- */

struct mount_opts {
	char *type, *target, *id, *source, *from, *mode, *uid, *gid, *size;
	bool required, writable; /* a bind mount is read-only unless rw (or readwrite) */
};

static void mount_opts_release(struct mount_opts *m)
{
	free(m->type), free(m->target), free(m->id), free(m->source), free(m->from);
	free(m->mode), free(m->uid), free(m->gid), free(m->size);
}

static int parse_mount(const char *spec, struct mount_opts *m, struct cc_error **err)
{
	*m = (struct mount_opts){0};
	cleanup_free char *copy = cc_xstrdup(spec);
	char *save = NULL;
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		const char *v = eq ? eq + 1 : "true";
		if (eq)
			*eq = '\0';
		char **slot =
		    strcmp(kv, "type") == 0 ? &m->type
		    : strcmp(kv, "target") == 0 || strcmp(kv, "dst") == 0 || strcmp(kv, "destination") == 0
			? &m->target
		    : strcmp(kv, "id") == 0                               ? &m->id
		    : strcmp(kv, "source") == 0 || strcmp(kv, "src") == 0 ? &m->source
		    : strcmp(kv, "from") == 0                             ? &m->from
		    : strcmp(kv, "mode") == 0                             ? &m->mode
		    : strcmp(kv, "uid") == 0                              ? &m->uid
		    : strcmp(kv, "gid") == 0                              ? &m->gid
		    : strcmp(kv, "size") == 0                             ? &m->size
									  : NULL;
		if (slot) {
			free(*slot);
			*slot = cc_xstrdup(v);
		} else if (strcmp(kv, "required") == 0) {
			m->required = strcmp(v, "true") == 0;
		} else if (strcmp(kv, "readonly") == 0 || strcmp(kv, "ro") == 0) {
			m->writable = strcmp(v, "false") == 0;
		} else if (strcmp(kv, "rw") == 0 || strcmp(kv, "readwrite") == 0) {
			m->writable = strcmp(v, "false") != 0;
		} else if (strcmp(kv, "sharing") != 0) {
			mount_opts_release(m);
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "--mount: unknown option %s", kv);
		}
	}
	if (!m->type)
		m->type = cc_xstrdup("bind");
	return 0;
}

/* A scratch copy of context path `rel` for a writable bind mount; *src (replaced) is the copy. */
static int writable_copy(struct build *b, const char *rel, size_t index, char **src, struct cc_error **err)
{
	static const struct cc_copy_opts keep = {.keep_owner = true};
	cleanup_free char *dir = cc_xasprintf("%s/bind-%d-%zu", b->tmp, b->step, index);
	cc_remove_tree(dir);
	if (mkdir(dir, 0700) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", dir);
	cleanup_close int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool is_dir = cc_is_dir(*src);
	const char *name = *rel ? cc_path_base(rel) : "context";
	cleanup_free char *dest = is_dir ? cc_xstrdup("/") : cc_xasprintf("/%s", name);
	if (cc_copy_path(b->context_fd, rel, root, dest, false, &keep, err) < 0)
		return -1;
	free(*src);
	*src = is_dir ? cc_xstrdup(dir) : cc_xasprintf("%s/%s", dir, name);
	return 0;
}

/* An OCI mount for one --mount flag (NULL with no error: an optional secret that was not given). */
static int run_mount(struct build *b, const char *spec, json_t *mounts, struct cc_strbuf *key,
		     struct cc_error **err)
{
	struct mount_opts m;
	if (parse_mount(spec, &m, err) < 0)
		return -1;
	int r = 0;
	if (strcmp(m.type, "secret") == 0) {
		const char *id = m.id ? m.id : m.target ? cc_path_base(m.target) : NULL;
		const char *src = id && b->opts->secrets ? cc_kvs_get(b->opts->secrets, id) : NULL;
		cleanup_free char *target = m.target ? cc_xstrdup(m.target)
					    : id     ? cc_xasprintf("/run/secrets/%s", id)
						     : NULL;
		if (!id || !target)
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					 "--mount=type=secret needs an id or a target");
		else if (!src && m.required)
			r = cc_error_set(err, CC_ERR_NOT_FOUND, "secret %s: not given to the build", id);
		else if (src)
			json_array_append_new(mounts, json_pack("{ss ss ss s[sss]}", "destination", target,
								"type", "bind", "source", src, "options",
								"rbind", "ro", "nosuid"));
	} else if (strcmp(m.type, "cache") == 0) {
		if (!m.target) {
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "--mount=type=cache needs a target");
		} else {
			const char *id = m.id ? m.id : m.target;
			char hex[65];
			cc_sha256_hex(id, strlen(id), hex);
			cleanup_free char *dir = cc_xasprintf("%s/build-cache/%s", b->n->root, hex);
			if ((r = cc_mkdir_p(dir, 0755, err)) == 0)
				json_array_append_new(mounts, json_pack("{ss ss ss s[ss]}", "destination",
									m.target, "type", "bind", "source",
									dir, "options", "rbind", "rw"));
		}
	} else if (strcmp(m.type, "tmpfs") == 0) {
		json_array_append_new(mounts, json_pack("{ss ss ss s[ss]}", "destination",
							m.target ? m.target : "/tmp", "type", "tmpfs",
							"source", "tmpfs", "options", "nosuid", "nodev"));
	} else if (strcmp(m.type, "bind") == 0 && !m.from) {
		/* a directory or file of the context, read-only unless rw: then a scratch copy, so the step's
		 * writes reach neither the context nor the image */
		cleanup_free char *clean = cc_path_clean(m.source ? m.source : "/");
		const char *rel = clean;
		while (*rel == '/')
			rel++;
		cleanup_free char *joined = cc_xasprintf("%s/%s", b->context_dir, rel);
		/* the runtime follows links in the source: it must still be inside the context after that */
		cleanup_free char *src = realpath(joined, NULL);
		size_t cl = strlen(b->context_dir);
		if (!m.target)
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "--mount=type=bind needs a target");
		else if (!src || strncmp(src, b->context_dir, cl) != 0 || (src[cl] != '/' && src[cl] != '\0'))
			r = cc_error_set(err, CC_ERR_NOT_FOUND, "--mount source %s: not in the build context",
					 rel);
		else if (m.writable && writable_copy(b, rel, json_array_size(mounts), &src, err) < 0)
			r = -1;
		else {
			json_array_append_new(mounts, json_pack("{ss ss ss s[sss]}", "destination", m.target,
								"type", "bind", "source", src, "options",
								"rbind", m.writable ? "rw" : "ro", "nosuid"));
			/* what the step reads through the mount is an input of the step */
			r = build_context_digest(b, rel, key, err);
		}
	} else {
		r = cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				 "--mount=%s is not supported by the native builder", spec);
	}
	cc_strbuf_addf(key, "mount %s\n", spec);
	mount_opts_release(&m);
	return r;
}

/* RUN's command: the exec form as written, else the shell form (a heredoc on its own is the script; else
 * the heredocs follow the command line as the shell expects them). */
static cc_strv run_argv(struct stage *st, const struct cc_df_instr *in)
{
	if (in->json)
		return cc_strv_copy(in->json);
	if (!in->nheredocs)
		return build_shell_form(st, in->args);
	const char *a = in->args;
	while (*a == ' ' || *a == '\t')
		a++;
	if (strncmp(a, "<<", 2) == 0 && !strpbrk(a, " \t") && in->nheredocs == 1)
		return build_shell_form(st, in->heredocs[0].content);
	cleanup_strbuf struct cc_strbuf script = CC_STRBUF_INIT;
	cc_strbuf_addf(&script, "%s\n", in->args);
	for (size_t h = 0; h < in->nheredocs; h++)
		cc_strbuf_addf(&script, "%s%s\n", in->heredocs[h].content, in->heredocs[h].name);
	return build_shell_form(st, cc_strbuf_str(&script));
}

/* Mount points the runtime creates when the image lacks them (runc makes /proc, /sys, /dev, the files
 * bind-mounted over /etc and the targets of --mount) are not content of the step's layer: those missing
 * before the step are removed from its upper directory after it when they are still empty stubs. */
static cc_strv missing_mount_points(const char *rootfs, json_t *mounts)
{
	cc_strv all = NULL, missing = NULL;
	static const char *const fixed[] = {
	    "/proc", "/sys", "/dev", "/etc", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname", "/run"};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		cc_strv_push(&all, fixed[i]);
	size_t i;
	json_t *m;
	json_array_foreach(mounts, i, m)
	{
		/* each parent of the target may be a stub as well */
		cleanup_free char *p = cc_path_clean(json_string_value(json_object_get(m, "destination")));
		while (strcmp(p, "/") != 0 && *p) {
			cc_strv_push(&all, p);
			char *slash = strrchr(p, '/');
			slash == p ? (void)(p[1] = '\0') : (void)(*slash = '\0');
		}
	}
	int root = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (char **a = all; a && *a; a++) {
		int fd = cc_inroot_open(root, *a, O_PATH | O_NOFOLLOW, 0);
		if (fd == -ENOENT)
			cc_strv_push(&missing, *a);
		if (fd >= 0)
			close(fd);
	}
	if (root >= 0)
		close(root);
	cc_strv_free(all);
	return missing;
}

static int longest_first(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

static void drop_stubs(const char *upper, cc_strv missing)
{
	size_t n = cc_strv_len(missing);
	qsort(missing, n, sizeof(char *), longest_first);
	for (size_t i = 0; i < n; i++) {
		/* missing[i] is absolute: a path under upper, never the host's own */
		cleanup_free char *p = cc_xasprintf("%s%s", upper, missing[i]);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) ? rmdir(p) < 0 : !S_ISREG(st.st_mode) || st.st_size || unlink(p) < 0)
			continue;
		/* a parent copied up only to hold the stub: the lower one shows through again (an opaque one
		 * hides the lower's content and stays) */
		char *slash;
		while ((slash = strrchr(p, '/')) && (size_t)(slash - p) > strlen(upper)) {
			*slash = '\0';
			char v;
			if (lgetxattr(p, "trusted.overlay.opaque", &v, 1) == 1 || rmdir(p) < 0)
				break;
		}
	}
}

/* The step itself, on a cache miss. */
static int run_step(struct build *b, struct stage *st, const struct cc_df_instr *in,
		    const struct build_process *p, struct cc_error **err)
{
	cleanup_free char *dir = step_dir(b);
	cleanup_free char *rootfs = NULL;
	int r = 0;
	if (build_mount(b, st, dir, &rootfs, err) < 0)
		return -1;
	cc_strv stubs = missing_mount_points(rootfs, p->mounts);
	int code = 0;
	if (p->cwd && *p->cwd) {
		/* WORKDIR's directory exists from the first step that runs in it, as with docker */
		cleanup_close int root = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int wd = cc_inroot_mkdirs(root, p->cwd, &(struct cc_copy_opts){0}, err);
		r = wd < 0 ? -1 : 0;
		if (wd >= 0)
			close(wd);
	}
	if (r == 0)
		r = build_process_run(b, dir, rootfs, p, &code, err);
	if (r == 0 && code != 0) {
		cleanup_strbuf struct cc_strbuf shown = CC_STRBUF_INIT;
		for (char **a = p->argv; *a; a++)
			cc_strbuf_addf(&shown, "%s%s", a == p->argv ? "" : " ", *a);
		r = cc_error_set(err, CC_ERR_INVALID_STATE,
				 "process \"%s\" did not complete successfully: exit code: %d",
				 cc_strbuf_str(&shown), code);
	}
	if (r < 0) {
		cc_strv_free(stubs);
		step_dir_remove(dir);
		return -1;
	}
	/* the stubs go once the overlay is gone: build_commit_step unmounts first */
	if (cc_rootfs_unmount(dir, err) < 0) {
		cc_strv_free(stubs);
		step_dir_remove(dir);
		return -1;
	}
	cleanup_free char *upper = cc_xasprintf("%s/upper", dir);
	drop_stubs(upper, stubs);
	cc_strv_free(stubs);
	return build_commit_step(b, st, dir, in->original, err);
}

int build_run(struct build *b, struct stage *st, const struct cc_df_instr *in, struct cc_error **err)
{
	json_t *mounts = json_array();
	cleanup_strbuf struct cc_strbuf key = CC_STRBUF_INIT;
	const char *network = cc_df_flag(in, "network");
	if (!network)
		network = b->opts->network;
	if (network && strcmp(network, "none") != 0 && strcmp(network, "host") != 0 &&
	    strcmp(network, "default") != 0) {
		json_decref(mounts);
		return cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT,
		    "--network=%s: the native builder runs steps on the host's network or none", network);
	}
	for (char *const *f = in->flags; f && *f; f++)
		if (strncmp(*f, "--mount=", 8) == 0 && run_mount(b, *f + 8, mounts, &key, err) < 0) {
			json_decref(mounts);
			return -1;
		}
	struct build_process p = {
	    .argv = run_argv(st, in),
	    .env = build_run_env(st),
	    .cwd = json_string_value(json_object_get(build_config(st), "WorkingDir")),
	    .user = json_string_value(json_object_get(build_config(st), "User")),
	    .network_none = network && strcmp(network, "none") == 0,
	    .mounts = mounts,
	};
	for (char **a = p.argv; *a; a++)
		cc_strbuf_addf(&key, "argv %s\n", *a);
	for (char **e = p.env; *e; e++)
		cc_strbuf_addf(&key, "env %s\n", *e);
	cc_strbuf_addf(&key, "network %s\n", network ? network : "default");
	build_advance(st, in->original, cc_strbuf_str(&key));
	int r = b->opts->no_cache ? 0 : build_cache_get(b, st, in->original, err);
	if (r == 0)
		r = run_step(b, st, in, &p, err);
	cc_strv_free(p.argv);
	cc_strv_free(p.env);
	json_decref(mounts);
	return r < 0 ? -1 : 0;
}

/* ---- COPY and ADD -------------------------------------------------------------------------------------- */

/* A name or number of the rootfs's /etc/passwd or /etc/group: its id. */
static int lookup_id(int root, const char *file, const char *name, unsigned *out, struct cc_error **err)
{
	char *end;
	unsigned long n = strtoul(name, &end, 10);
	if (*name && !*end) {
		*out = (unsigned)n;
		return 0;
	}
	int fd = cc_inroot_open(root, file, O_RDONLY, 0);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	char line[1024];
	size_t nl = strlen(name);
	while (f && fgets(line, sizeof(line), f)) {
		char *id = strchr(line, ':');
		if (!id || (size_t)(id - line) != nl || strncmp(line, name, nl) != 0)
			continue;
		id = strchr(id + 1, ':');
		if (id) {
			*out = (unsigned)strtoul(id + 1, NULL, 10);
			fclose(f);
			return 0;
		}
	}
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "unable to find %s %s: no matching entries in %s",
			    strcmp(file, "/etc/passwd") == 0 ? "user" : "group", name, file);
}

static int chown_flag(int root, const char *v, struct cc_copy_opts *o, struct cc_error **err)
{
	cleanup_free char *user = cc_xstrdup(v);
	char *colon = strchr(user, ':');
	if (colon)
		*colon++ = '\0';
	unsigned uid, gid;
	if (lookup_id(root, "/etc/passwd", user, &uid, err) < 0)
		return -1;
	gid = uid;
	if (colon && lookup_id(root, "/etc/group", colon, &gid, err) < 0)
		return -1;
	o->uid = uid;
	o->gid = gid;
	return 0;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* The context paths a source names (its glob expanded, ignored ones left out), relative to the context. */
static int context_sources(struct build *b, const char *src, cc_strv *out, struct cc_error **err)
{
	cleanup_free char *rel = cc_path_clean(src);
	const char *r = rel;
	while (*r == '/')
		r++;
	if (strncmp(r, "../", 3) == 0 || strcmp(r, "..") == 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s is outside the build context", src);
	if (!has_glob(r)) {
		if (*r && strcmp(r, ".") != 0 && cc_ignore_excluded(&b->ignore, r))
			return cc_error_set(err, CC_ERR_NOT_FOUND, "%s: excluded by .dockerignore", src);
		cc_strv_push(out, r);
		return 0;
	}
	cleanup_free char *pattern = cc_xasprintf("%s/%s", b->context_dir, r);
	glob_t g;
	size_t before = cc_strv_len(*out), skip = strlen(b->context_dir) + 1;
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			if (!cc_ignore_excluded(&b->ignore, g.gl_pathv[i] + skip))
				cc_strv_push(out, g.gl_pathv[i] + skip);
		globfree(&g);
	}
	if (cc_strv_len(*out) == before)
		return cc_error_set(err, CC_ERR_NOT_FOUND,
				    "no source files were specified: %s matches nothing", src);
	return 0;
}

static bool is_archive(const char *path)
{
	static const char *const ext[] = {".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.xz", ".tar.bz2", NULL};
	size_t n = strlen(path);
	for (const char *const *e = ext; *e; e++)
		if (n > strlen(*e) && strcmp(path + n - strlen(*e), *e) == 0)
			return true;
	return false;
}

/* ADD of a local archive: unpacked (in a scratch directory, with the image store's safe unpacker) and its
 * tree copied into dest. */
static int add_archive(struct build *b, const char *rel, int root, const char *dest,
		       const struct cc_copy_opts *o, bool chowned, struct cc_error **err)
{
	cleanup_free char *tmp = cc_xasprintf("%s/add-%d", b->tmp, b->step);
	cc_remove_tree(tmp);
	if (mkdir(tmp, 0700) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", tmp);
	cleanup_close int fd = cc_inroot_open(b->context_fd, rel, O_RDONLY, 0);
	int r = fd < 0 ? cc_error_set_errno(err, CC_ERR_NOT_FOUND, -fd, "source %s", rel)
		       : cc_tar_unpack(fd, tmp, err);
	cleanup_close int tfd = r == 0 ? open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	struct cc_copy_opts keep = *o;
	keep.keep_owner = !chowned; /* the archive's owners, unless --chown */
	keep.ignore = NULL;
	if (r == 0)
		r = cc_copy_path(tfd, "/", root, dest, true, &keep, err);
	cc_remove_tree(tmp);
	return r;
}

struct copy_plan {
	cc_strv sources; /* relative to the context or the --from root */
	char *dest;      /* absolute in the image */
	bool dest_dir;
	struct stage *from_stage;
	char *from_dir; /* a step directory with the --from stage or image mounted */
	char *from_rootfs;
	struct stage from_image;
};

static void plan_release(struct copy_plan *p)
{
	cc_strv_free(p->sources);
	free(p->dest);
	if (p->from_dir)
		step_dir_remove(p->from_dir);
	free(p->from_dir);
	free(p->from_rootfs);
	json_decref(p->from_image.doc);
	free(p->from_image.layers);
}

/* The sources of --from=<stage or image> come from its root filesystem, mounted read-only (a throwaway
 * upper directory). */
static int mount_from(struct build *b, struct stage *st, const char *from, struct copy_plan *p,
		      struct cc_strbuf *key, struct cc_error **err)
{
	size_t si = (size_t)(st - b->stages);
	p->from_stage = build_stage_ref(b, from, si);
	const struct stage *src = p->from_stage;
	if (!src) {
		if (build_from_image(b, from, &p->from_image, err) < 0)
			return -1;
		src = &p->from_image;
	}
	cc_strbuf_addf(key, "from %s\n", src->key);
	p->from_dir = cc_xasprintf("%s/from-%d", b->tmp, b->step);
	return build_mount(b, src, p->from_dir, &p->from_rootfs, err);
}

/* COPY or ADD itself, on a cache miss. */
static int copy_step(struct build *b, struct stage *st, const struct cc_df_instr *in, struct copy_plan *p,
		     bool add, struct cc_error **err)
{
	const char *from = cc_df_flag(in, "from");
	int r = 0;
	cleanup_free char *dir = step_dir(b);
	cleanup_free char *rootfs = NULL;
	if (build_mount(b, st, dir, &rootfs, err) < 0)
		return -1;
	/* closed before the commit: an open directory would keep the overlay busy */
	int root = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int from_root = p->from_rootfs ? open(p->from_rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	struct cc_copy_opts o = {.keep_owner = from != NULL, .ignore = from ? NULL : &b->ignore};
	const char *chown = cc_df_flag(in, "chown"), *chmod = cc_df_flag(in, "chmod");
	if (chown && (r = chown_flag(root, chown, &o, err)) == 0)
		o.keep_owner = false;
	if (r == 0 && chmod) {
		char *end;
		o.mode = (mode_t)strtoul(chmod, &end, 8);
		o.set_mode = true;
		if (!*chmod || *end || o.mode > 07777)
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "--chmod=%s: not an octal mode",
					 chmod);
	}
	if (r == 0 && !p->dest_dir) {
		int fd = cc_inroot_open(root, p->dest, O_RDONLY | O_DIRECTORY, 0);
		if (fd >= 0)
			p->dest_dir = true, close(fd);
	}
	/* heredocs: each is a file, named by dest, or by its word inside a destination directory */
	for (size_t h = 0; r == 0 && h < in->nheredocs; h++) {
		cleanup_free char *target = p->dest_dir || in->nheredocs > 1
						? cc_path_join(p->dest, in->heredocs[h].name)
						: cc_xstrdup(p->dest);
		cleanup_free char *content =
		    in->heredocs[h].expand
			? cc_df_expand_only(in->heredocs[h].content, b->df.escape, build_lookup, st)
			: cc_xstrdup(in->heredocs[h].content);
		r = cc_copy_bytes(root, target, content, strlen(content), &o, err);
	}
	for (char **s = p->sources; r == 0 && s && *s; s++) {
		if (add && !from && is_archive(*s))
			r = add_archive(b, *s, root, p->dest, &o, chown != NULL, err);
		else
			r = cc_copy_path(from ? from_root : b->context_fd, *s, root, p->dest, p->dest_dir, &o,
					 err);
	}
	close(root);
	if (from_root >= 0)
		close(from_root);
	if (r < 0) {
		step_dir_remove(dir);
		return -1;
	}
	return build_commit_step(b, st, dir, in->original, err);
}

int build_copy(struct build *b, struct stage *st, const struct cc_df_instr *in, bool add,
	       struct cc_error **err)
{
	static const char *const unsupported[] = {"parents", "exclude", "checksum", "keep-git-dir"};
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (cc_df_flag(in, unsupported[i]))
			return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
					    "--%s is not supported by the native builder", unsupported[i]);
	struct copy_plan p = {0};
	cleanup_strbuf struct cc_strbuf key = CC_STRBUF_INIT;
	cc_strv words = NULL;
	int r = in->json ? 0 : cc_df_words(in->args, b->df.escape, true, build_lookup, st, &words, err);
	if (in->json)
		words = cc_strv_copy(in->json);
	size_t n = r == 0 ? cc_strv_len(words) : 0;
	if (r == 0 && n < 2)
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s requires at least two arguments",
				 add ? "ADD" : "COPY");
	if (r < 0)
		goto out;
	const char *wd = json_string_value(json_object_get(build_config(st), "WorkingDir"));
	p.dest = cc_path_join(wd && *wd ? wd : "/", words[n - 1]);
	p.dest_dir = n > 2 || words[n - 1][strlen(words[n - 1]) - 1] == '/';
	const char *from = cc_df_flag(in, "from");
	for (size_t i = 0; i < n - 1 && r == 0; i++) {
		if (strncmp(words[i], "<<", 2) == 0) {
			cc_strbuf_addf(&key, "heredoc %s\n", words[i]);
			continue;
		}
		if (add && (strncmp(words[i], "http://", 7) == 0 || strncmp(words[i], "https://", 8) == 0))
			r = cc_error_set(err, CC_ERR_NOT_SUPPORTED,
					 "ADD %s: sources from URLs are not supported by the native builder",
					 words[i]);
		else if (from)
			cc_strv_push(&p.sources, words[i]);
		else
			r = context_sources(b, words[i], &p.sources, err);
	}
	if (r < 0)
		goto out;
	p.dest_dir |= cc_strv_len(p.sources) > 1;
	if (from && (r = mount_from(b, st, from, &p, &key, err)) < 0)
		goto out;
	for (char **s = p.sources; s && *s && !from; s++)
		if ((r = build_context_digest(b, *s, &key, err)) < 0)
			goto out;
	for (size_t h = 0; h < in->nheredocs; h++)
		cc_strbuf_addf(&key, "%s\n%s\n", in->heredocs[h].name, in->heredocs[h].content);
	for (char *const *f = in->flags; f && *f; f++)
		cc_strbuf_addf(&key, "flag %s\n", *f);
	cc_strbuf_addf(&key, "dest %s%s\n", p.dest, p.dest_dir ? "/" : "");
	build_advance(st, in->original, cc_strbuf_str(&key));
	if (!b->opts->no_cache && (r = build_cache_get(b, st, in->original, err)) != 0)
		goto out;
	r = copy_step(b, st, in, &p, add, err);
out:
	cc_strv_free(words);
	plan_release(&p);
	return r < 0 ? -1 : 0;
}
