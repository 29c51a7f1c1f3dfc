/* The native backend's volumes: docker's local driver. A record per volume in the state store (kind
 * "volume"); its data in <root>/volumes/<name>/_data, or, with driver_opts o=bind and device=PATH, in that
 * host directory. A volume used by a container cannot be removed; an anonymous one (label
 * com.docker.volume.anonymous) goes with its container when the removal asks for volumes, and with prune.
 * On first use an empty volume is filled with what the image has at the mount target, as docker does. */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/random.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/native-internal.h"
#include "runtime/codec.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static char *volume_dir(const struct native *n, const char *name)
{
	return cc_xasprintf("%s/volumes/%s", n->root, name);
}

static int volume_event(struct native *n, const char *action, const char *name, const struct cc_kvs *labels,
			struct cc_error **err)
{
	int64_t now = cc_now_ns();
	struct cc_event e = {.time_ns = now,
			     .type = (char *)"volume",
			     .action = (char *)action,
			     .id = (char *)name,
			     .name = (char *)name};
	if (labels)
		cc_kvs_copy(&e.attributes, labels);
	cc_kvs_set(&e.attributes, "driver", "local");
	cleanup_free char *payload = cc_json_dump_compact(cc_event_to_json(&e));
	cc_kvs_release(&e.attributes);
	return cc_store_event_append(n->store, CC_NATIVE_BACKEND, now, payload, NULL, err);
}

static int load_volume(struct native *n, const char *name, struct cc_volume *out, struct cc_error **err)
{
	cleanup_free char *payload = NULL;
	json_t *j;
	memset(out, 0, sizeof(*out));
	if (cc_store_object_get(n->store, CC_NATIVE_BACKEND, "volume", name, &payload, err) < 0)
		return -1;
	if (cc_json_parse(payload, &j, err) < 0)
		return -1;
	int r = cc_volume_from_json(j, out, err);
	json_decref(j);
	return r;
}

/* A tmpfs volume's `o`, as mount(8) takes it: flags (ro, nosuid, nodev, noexec) and the filesystem's own
 * options (size=, mode=, uid=, gid=, nr_inodes=...), which the kernel checks when it mounts. */
static int tmpfs_options(const char *volume, const char *o, unsigned long *flags, char **data,
			 struct cc_error **err)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} known[] = {{"ro", MS_RDONLY}, {"nosuid", MS_NOSUID}, {"nodev", MS_NODEV}, {"noexec", MS_NOEXEC},
		     {"rw", 0},         {"suid", 0},           {"dev", 0},          {"exec", 0}};
	*flags = MS_NOSUID | MS_NODEV;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cleanup_free char *copy = cc_xstrdup(o ? o : "");
	char *save = NULL;
	for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		bool flag = false;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(opt, known[i].name) == 0) {
				*flags |= known[i].flag;
				flag = true;
			}
		if (flag)
			continue;
		if (!strchr(opt, '=')) {
			cc_strbuf_release(&sb);
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "volume %s: driver_opts.o: unknown tmpfs option %s", volume, opt);
		}
		cc_strbuf_addf(&sb, "%s%s", sb.len ? "," : "", opt);
	}
	*data = cc_strbuf_detach(&sb, NULL);
	return 0;
}

/* The options of the local driver this engine honours: a bind of an existing host directory, or a tmpfs. */
static int check_options(const struct cc_volume_config *cfg, struct cc_error **err)
{
	const char *type = cc_kvs_get(&cfg->options, "type");
	const char *o = cc_kvs_get(&cfg->options, "o");
	const char *device = cc_kvs_get(&cfg->options, "device");
	for (size_t i = 0; i < cfg->options.n; i++) {
		const char *k = cfg->options.items[i].key;
		if (strcmp(k, "type") != 0 && strcmp(k, "o") != 0 && strcmp(k, "device") != 0)
			return cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "volume %s: driver_opts.%s: the local driver knows type, o and device", cfg->name,
			    k);
	}
	if (!cfg->options.n)
		return 0;
	if (type && strcmp(type, "tmpfs") == 0) {
		/* validated now, applied when a container first uses the volume */
		unsigned long flags;
		cleanup_free char *data = NULL;
		return tmpfs_options(cfg->name, o, &flags, &data, err);
	}
	bool bind = o && (strcmp(o, "bind") == 0 || strncmp(o, "bind,", 5) == 0 || strstr(o, ",bind"));
	if (!bind || (type && strcmp(type, "none") != 0))
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				    "volume %s: driver_opts type=%s o=%s: the native engine's local driver "
				    "mounts binds (type: none, o: bind) and tmpfs (type: tmpfs), not other "
				    "filesystems",
				    cfg->name, type ? type : "(none)", o ? o : "(none)");
	if (!device || device[0] != '/')
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "volume %s: driver_opts.device must be an absolute host path", cfg->name);
	if (!cc_is_dir(device))
		return cc_error_set(err, CC_ERR_NOT_FOUND,
				    "volume %s: driver_opts.device %s: no such directory", cfg->name, device);
	return 0;
}

/* Create the record and the directory, in the caller's transaction. */
static int create_locked(struct native *n, const struct cc_volume_config *cfg, const char *name,
			 struct cc_volume *out, struct cc_error **err)
{
	if (cfg->driver && strcmp(cfg->driver, "local") != 0)
		return cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				    "volume driver %s is not supported by the native backend (local only)",
				    cfg->driver);
	if (!cc_valid_object_name(name, 255))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "invalid volume name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				    name);
	struct cc_volume_config named = *cfg;
	named.name = (char *)name;
	if (check_options(&named, err) < 0)
		return -1;
	cleanup_free char *volumes = cc_xasprintf("%s/volumes", n->root);
	cleanup_free char *dir = volume_dir(n, name);
	cleanup_free char *data = cc_xasprintf("%s/_data", dir);
	if ((mkdir(volumes, 0700) < 0 && errno != EEXIST) || (mkdir(dir, 0700) < 0 && errno != EEXIST) ||
	    (mkdir(data, 0755) < 0 && errno != EEXIST))
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "create volume %s", name);
	/* a bind's data is its device; a tmpfs's device is only the source name mount(8) shows */
	const char *type = cc_kvs_get(&cfg->options, "type");
	const char *device = type && strcmp(type, "tmpfs") == 0 ? NULL : cc_kvs_get(&cfg->options, "device");
	struct cc_volume v = {0};
	v.spec.name = cc_xstrdup(name);
	v.spec.driver = cc_xstrdup("local");
	cc_kvs_copy(&v.spec.labels, &cfg->labels);
	cc_kvs_copy(&v.spec.options, &cfg->options);
	v.mountpoint = cc_xstrdup(device ? device : data);
	v.created_ns = cc_now_ns();
	cleanup_free char *payload = cc_json_dump_compact(cc_volume_to_json(&v));
	int r = cc_store_object_put(n->store, CC_NATIVE_BACKEND, "volume", name, payload, err);
	if (r == 0)
		r = volume_event(n, "create", name, &cfg->labels, err);
	if (r == 0 && out)
		*out = v;
	else
		cc_volume_release(&v);
	return r;
}

int native_volume_create(void *self, const struct cc_volume_config *cfg, struct cc_volume *out,
			 struct cc_error **err)
{
	struct native *n = self;
	char id[65];
	const char *name = cfg->name;
	if (!name || !*name) {
		cc_random_hex(id, 32);
		name = id;
	}
	if (native_begin(n, err) < 0)
		return -1;
	struct cc_volume existing;
	struct cc_error *e = NULL;
	if (load_volume(n, name, &existing, &e) == 0) {
		cc_volume_release(&existing);
		native_abort(n);
		return cc_error_set(err, CC_ERR_ALREADY_EXISTS, "volume %s already exists", name);
	}
	cc_error_free(e);
	if (create_locked(n, cfg, name, out, err) < 0) {
		native_abort(n);
		return -1;
	}
	return native_commit(n, err);
}

int native_volume_ensure(struct native *n, struct cc_mount *mt, struct cc_error **err)
{
	struct cc_volume_config cfg = {0};
	char id[65];
	if (!mt->source) {
		cc_random_hex(id, 32);
		mt->source = cc_xstrdup(id);
		cc_kvs_set(&cfg.labels, CC_VOLUME_ANONYMOUS_LABEL, "");
	}
	struct cc_volume v;
	struct cc_error *e = NULL;
	int r = 0;
	if (load_volume(n, mt->source, &v, &e) == 0) {
		cc_volume_release(&v);
	} else if (e->kind == CC_ERR_NOT_FOUND) {
		cc_error_free(e);
		r = create_locked(n, &cfg, mt->source, NULL, err);
	} else {
		*err = e;
		r = -1;
	}
	cc_kvs_release(&cfg.labels);
	return r;
}

static int collect_payload(void *ctx, const char *name, const char *payload)
{
	(void)name;
	cc_strv_push(ctx, payload);
	return 0;
}

int native_volume_list(void *self, struct cc_volume **out, size_t *count, struct cc_error **err)
{
	struct native *n = self;
	cc_strv payloads = NULL;
	*out = NULL;
	*count = 0;
	if (native_begin(n, err) < 0)
		return -1;
	int r = cc_store_object_each(n->store, CC_NATIVE_BACKEND, "volume", collect_payload, &payloads, err);
	if (r < 0)
		native_abort(n);
	else
		r = native_commit(n, err);
	size_t k = cc_strv_len(payloads);
	struct cc_volume *v = cc_xcalloc(k ? k : 1, sizeof(*v));
	for (size_t i = 0; r == 0 && i < k; i++) {
		json_t *j;
		r = cc_json_parse(payloads[i], &j, err);
		if (r == 0) {
			r = cc_volume_from_json(j, &v[i], err);
			json_decref(j);
		}
	}
	cc_strv_free(payloads);
	if (r < 0) {
		cc_volumes_free(v, k);
		return -1;
	}
	*out = v;
	*count = k;
	return 0;
}

int native_volume_inspect(void *self, const char *name, struct cc_volume *out, struct cc_error **err)
{
	struct native *n = self;
	if (native_begin(n, err) < 0)
		return -1;
	if (load_volume(n, name, out, err) < 0) {
		native_abort(n);
		return -1;
	}
	if (native_commit(n, err) < 0) {
		cc_volume_release(out);
		return -1;
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

/* Remove a volume nothing uses, in the caller's transaction; its data goes too (a bind's device stays). */
static int remove_locked(struct native *n, const char *name, const struct cc_container *cs, size_t ncs,
			 struct cc_error **err)
{
	cleanup_strbuf struct cc_strbuf users = CC_STRBUF_INIT;
	for (size_t i = 0; i < ncs; i++)
		if (cc_container_uses_volume(&cs[i], name))
			cc_strbuf_addf(&users, "%s%s", users.len ? ", " : "", cs[i].name);
	if (users.len)
		return cc_error_set(err, CC_ERR_INVALID_STATE, "remove %s: volume is in use - [%s]", name,
				    cc_strbuf_str(&users));
	if (cc_store_object_delete(n->store, CC_NATIVE_BACKEND, "volume", name, err) < 0 ||
	    volume_event(n, "destroy", name, NULL, err) < 0)
		return -1;
	cleanup_free char *dir = volume_dir(n, name);
	cleanup_free char *data = cc_xasprintf("%s/_data", dir);
	umount2(data, MNT_DETACH); /* a tmpfs volume's, when mounted */
	/* FTW_MOUNT: never walk into something mounted below the volume */
	if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && errno != ENOENT)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "remove volume %s", dir);
	return 0;
}

int native_volume_remove(void *self, const char *name, bool force, struct cc_error **err)
{
	struct native *n = self;
	struct cc_container *cs;
	size_t ncs;
	if (native_begin(n, err) < 0)
		return -1;
	struct cc_volume v;
	int r = load_volume(n, name, &v, err);
	if (r == 0) {
		cc_volume_release(&v);
		r = native_all_containers(n, &cs, &ncs, err);
		if (r == 0) {
			r = remove_locked(n, name, cs, ncs, err);
			cc_containers_free(cs, ncs);
		}
	}
	if (r < 0 && force && (*err)->kind == CC_ERR_NOT_FOUND) {
		cc_error_release(err);
		native_abort(n);
		return 0;
	}
	if (r < 0) {
		native_abort(n);
		return -1;
	}
	return native_commit(n, err);
}

int native_volume_prune(void *self, cc_strv *removed, struct cc_error **err)
{
	struct native *n = self;
	struct cc_volume *vs;
	struct cc_container *cs;
	size_t nv, ncs;
	*removed = cc_xcalloc(1, sizeof(char *));
	if (native_begin(n, err) < 0)
		return -1;
	if (native_volume_list(n, &vs, &nv, err) < 0) {
		native_abort(n);
		return -1;
	}
	int r = native_all_containers(n, &cs, &ncs, err);
	for (size_t i = 0; r == 0 && i < nv; i++) {
		const char *name = vs[i].spec.name;
		/* like docker 23+: prune takes the anonymous volumes nothing uses */
		bool used = false;
		for (size_t k = 0; k < ncs && !used; k++)
			used = cc_container_uses_volume(&cs[k], name);
		if (!cc_kvs_get(&vs[i].spec.labels, CC_VOLUME_ANONYMOUS_LABEL) || used)
			continue;
		r = remove_locked(n, name, cs, ncs, err);
		if (r == 0)
			cc_strv_push(removed, name);
	}
	if (r == 0 || ncs)
		cc_containers_free(cs, ncs);
	cc_volumes_free(vs, nv);
	if (r < 0) {
		native_abort(n);
		return -1;
	}
	return native_commit(n, err);
}

int native_volume_remove_anonymous(struct native *n, const struct cc_container *c, struct cc_error **err)
{
	for (size_t i = 0; i < c->spec.nmounts; i++) {
		const struct cc_mount *mt = &c->spec.mounts[i];
		if (mt->type != CC_MOUNT_VOLUME || !mt->source)
			continue;
		struct cc_volume v;
		struct cc_error *e = NULL;
		if (load_volume(n, mt->source, &v, &e) < 0) {
			cc_error_free(e); /* removed meanwhile */
			continue;
		}
		bool anon = cc_kvs_get(&v.spec.labels, CC_VOLUME_ANONYMOUS_LABEL) != NULL;
		cc_volume_release(&v);
		if (anon && remove_locked(n, mt->source, NULL, 0, err) < 0)
			return -1;
	}
	return 0;
}

static bool is_tmpfs_volume(const struct cc_volume *v)
{
	const char *type = cc_kvs_get(&v->spec.options, "type");
	return type && strcmp(type, "tmpfs") == 0;
}

int native_volume_activate(struct native *n, const char *name, struct cc_error **err)
{
	struct cc_volume v;
	if (native_begin(n, err) < 0)
		return -1;
	int r = load_volume(n, name, &v, err);
	native_abort(n); /* read only */
	if (r < 0)
		return -1;
	struct statfs st;
	if (is_tmpfs_volume(&v) && !(statfs(v.mountpoint, &st) == 0 && st.f_type == TMPFS_MAGIC)) {
		unsigned long flags;
		cleanup_free char *data = NULL;
		r = tmpfs_options(name, cc_kvs_get(&v.spec.options, "o"), &flags, &data, err);
		if (r == 0)
			r = cc_mkdir_p(v.mountpoint, 0755, err);
		if (r == 0 && mount("tmpfs", v.mountpoint, "tmpfs", flags, data) < 0)
			r = cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno,
					       "volume %s: mount tmpfs (o=%s)", name, data);
	}
	cc_volume_release(&v);
	return r;
}

void native_volume_release_unused(struct native *n, const struct cc_container *removed,
				  const struct cc_container *cs, size_t ncs)
{
	for (size_t i = 0; i < removed->spec.nmounts; i++) {
		const struct cc_mount *mt = &removed->spec.mounts[i];
		struct cc_volume v;
		struct cc_error *e = NULL;
		if (mt->type != CC_MOUNT_VOLUME || !mt->source || load_volume(n, mt->source, &v, &e) < 0) {
			cc_error_free(e);
			continue;
		}
		bool used = false;
		for (size_t k = 0; k < ncs && !used; k++)
			used = strcmp(cs[k].id, removed->id) != 0 &&
			       cc_container_uses_volume(&cs[k], mt->source);
		if (is_tmpfs_volume(&v) && !used)
			umount2(v.mountpoint, MNT_DETACH);
		cc_volume_release(&v);
	}
}

char *native_volume_mountpoint(struct native *n, const char *name)
{
	struct cc_volume v;
	struct cc_error *e = NULL;
	if (load_volume(n, name, &v, &e) < 0) {
		cc_error_free(e);
		return NULL;
	}
	char *mp = steal_pointer(&v.mountpoint);
	cc_volume_release(&v);
	return mp;
}

/* ---- pre-population ---- */

static int copy_tree(int src, int dst, struct cc_error **err);

/* The file's bytes: copy_file_range where the kernel can (same filesystem type), read/write otherwise. */
static int copy_data(int s, int d, const char *name, struct cc_error **err)
{
	bool ranged = true;
	for (;;) {
		ssize_t w;
		if (ranged) {
			w = copy_file_range(s, NULL, d, NULL, 1 << 20, 0);
			if (w < 0 &&
			    (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
				ranged = false;
				continue;
			}
		} else {
			char buf[65536];
			w = read(s, buf, sizeof(buf));
			for (ssize_t off = 0; w > 0 && off < w;) {
				ssize_t k = write(d, buf + off, (size_t)(w - off));
				if (k < 0) {
					w = -1;
					break;
				}
				off += k;
			}
		}
		if (w == 0)
			return 0;
		if (w < 0 && errno != EINTR)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "copy %s", name);
	}
}

static int copy_entry(int src, int dst, const char *name, struct cc_error **err)
{
	struct stat st;
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "stat %s", name);
	int r = 0;
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(dst, name, st.st_mode & 07777) < 0 && errno != EEXIST)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", name);
		int s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = s < 0 || d < 0 ? cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", name)
				   : copy_tree(s, d, err);
		if (s >= 0)
			close(s);
		if (d >= 0)
			close(d);
	} else if (S_ISREG(st.st_mode)) {
		int s = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		int d = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       st.st_mode & 07777);
		if (s < 0 || d < 0)
			r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "copy %s", name);
		if (r == 0)
			r = copy_data(s, d, name, err);
		if (s >= 0)
			close(s);
		if (d >= 0)
			close(d);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t len = readlinkat(src, name, target, sizeof(target) - 1);
		if (len < 0)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "readlink %s", name);
		target[len] = '\0';
		if (symlinkat(target, dst, name) < 0 && errno != EEXIST)
			return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "symlink %s", name);
	} else if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0 && errno != EEXIST) {
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mknod %s", name);
	}
	if (r == 0 && fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "chown %s", name);
	if (r == 0 && !S_ISLNK(st.st_mode) && fchmodat(dst, name, st.st_mode & 07777, 0) < 0)
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "chmod %s", name);
	return r;
}

static int copy_tree(int src, int dst, struct cc_error **err)
{
	int fd = dup(src);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "read a directory");
	}
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			r = copy_entry(src, dst, de->d_name, err);
	closedir(d);
	return r;
}

int native_volume_subpath(const char *mountpoint, const char *volume, const char *subpath,
			  struct cc_error **err)
{
	bool parent = false;
	for (const char *p = subpath; *p;) {
		size_t len = strcspn(p, "/");
		parent |= len == 2 && p[0] == '.' && p[1] == '.';
		p += len + (p[len] == '/');
	}
	if (!*subpath || subpath[0] == '/' || parent)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "volume %s: subpath \"%s\" must be a relative path inside the volume",
				    volume, subpath);
	int root = open(mountpoint, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", mountpoint);
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	int fd = (int)syscall(SYS_openat2, root, subpath, &how, sizeof(how));
	int e = errno;
	close(root);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (e == ELOOP)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "volume %s: subpath %s goes through a symbolic link", volume, subpath);
	if (e == ENOENT || e == ENOTDIR)
		return cc_error_set(err, CC_ERR_NOT_FOUND,
				    "volume %s: subpath %s is not a directory of the volume", volume,
				    subpath);
	return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, e, "volume %s: open subpath %s", volume,
				  subpath);
}

int native_volume_populate(const char *rootfs, const char *target, const char *mountpoint,
			   struct cc_error **err)
{
	int dst = open(mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dst < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open volume %s", mountpoint);
	/* only an empty volume is filled */
	int probe = dup(dst);
	DIR *d = probe >= 0 ? fdopendir(probe) : NULL;
	bool empty = d != NULL;
	struct dirent *de;
	while (d && empty && (de = readdir(d)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	if (d)
		closedir(d);
	else if (probe >= 0)
		close(probe);
	int root = empty ? open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	int r = 0;
	if (root >= 0) {
		/* the image's path, resolved inside the rootfs: a symlink in it cannot lead out */
		struct open_how how = {.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
				       .resolve = RESOLVE_IN_ROOT};
		int src = (int)syscall(SYS_openat2, root, target, &how, sizeof(how));
		if (src >= 0) {
			r = copy_tree(src, dst, err);
			struct stat st;
			/* the volume's root takes the image directory's owner and mode, as docker's copy */
			if (r == 0 && fstat(src, &st) == 0 &&
			    (fchown(dst, st.st_uid, st.st_gid) < 0 || fchmod(dst, st.st_mode & 07777) < 0))
				r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "chown %s",
						       mountpoint);
			close(src);
		}
		close(root);
	}
	close(dst);
	if (r < 0)
		return cc_error_wrap(err, "fill volume at %s from the image", target);
	return 0;
}
