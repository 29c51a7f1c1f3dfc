/* `cp` for native containers, with docker cp's path rules. A running container is reached through
 * /proc/<init>/root, so a copy sees (and writes into) its volumes and bind mounts as the container does. A
 * stopped one is put together the same way in a child of our own with a mount namespace of its own: its root
 * filesystem (its upper directory: what it changed is there) with the bind mounts of its last run on top
 * (volumes, bind mounts, its hosts, hostname and resolv.conf), as docker cp mounts a stopped container's
 * volumes. Those mounts end with the child, also when it is killed. Both sides resolve every path with
 * openat2(RESOLVE_IN_ROOT) (engine/build/copy.c): a symbolic link in the container can never make the copy
 * read or write the host's files. */
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "engine/build/copy.h"
#include "engine/native-internal.h"
#include "engine/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct copy_request {
	const char *container_path; /* absolute in the container */
	const char *host;           /* absolute on the host */
	bool to_container;
};

static int copy_at(int root, const struct copy_request *q, struct cc_error **err)
{
	cleanup_close int host_root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* docker's ownership: into the container as root unless -a (not offered: root, like docker without
	 * it); out of it as the caller (root here) */
	struct cc_copy_opts o = {.skip_kernel_fs = !q->to_container};
	return q->to_container ? cc_cp(host_root, q->host, root, q->container_path, &o, err)
			       : cc_cp(root, q->container_path, host_root, q->host, &o, err);
}

static bool has_option(json_t *options, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(options, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return true;
	}
	return false;
}

/* The source tree of a bind mount. A volume's `subpath` is the container's own ground: since the start
 * that checked it, the container (or another on the volume) may have made it a link to the host's `/`, so
 * it is resolved below the volume's directory with no links at all. */
static int source_tree(const char *source, const char *subpath, struct cc_error **err)
{
	size_t sl = subpath ? strlen(subpath) : 0, l = strlen(source);
	if (!sl || l <= sl + 1 || source[l - sl - 1] != '/' || strcmp(source + l - sl, subpath) != 0)
		return open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	cleanup_free char *volume = cc_xstrndup(source, l - sl - 1);
	cleanup_close int vfd = open(volume, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
	cleanup_close int at = vfd < 0 ? -1 : (int)syscall(SYS_openat2, vfd, subpath, &how, sizeof(how));
	if (at < 0 && errno == ELOOP) {
		cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "volume subpath %s goes through a symbolic link",
			     subpath);
		errno = ELOOP;
		return -2;
	}
	return at < 0 ? -1
		      : open_tree(at, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
}

/* One bind mount of the bundle onto its target, resolved inside the root: a link in the container cannot
 * move it onto the host's files. A target missing from the root is left alone (the copy creates nothing for a
 * mount), as is a source that is gone. */
static int bind_into_root(int root, const char *source, const char *subpath, const char *target,
			  bool read_only, struct cc_error **err)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	cleanup_close int at = (int)syscall(SYS_openat2, root, target, &how, sizeof(how));
	if (at < 0)
		return errno == ENOENT ? 0
				       : cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno,
							    "mount %s: open the target", target);
	cleanup_close int tree = source_tree(source, subpath, err);
	if (tree == -2)
		return -1;
	if (tree < 0)
		return errno == ENOENT ? 0
				       : cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno,
							    "mount %s: %s", target, source);
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	if (read_only && mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mount %s read-only", target);
	if (move_mount(tree, "", at, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mount %s on %s", source,
					  target);
	return 0;
}

/* The subpath of the container's volume mount on `target`, if it has one. */
static const char *volume_subpath(const struct cc_container_spec *spec, const char *target)
{
	for (size_t i = 0; i < spec->nmounts; i++)
		if (spec->mounts[i].type == CC_MOUNT_VOLUME && spec->mounts[i].subpath &&
		    spec->mounts[i].target && strcmp(spec->mounts[i].target, target) == 0)
			return spec->mounts[i].subpath;
	return NULL;
}

/* The bind mounts of the container's last bundle (config.json), in its order: a later target may lie inside
 * an earlier mount. A container that never started has none. */
static int bind_bundle_mounts(int root, const char *dir, const struct cc_container_spec *spec,
			      struct cc_error **err)
{
	cleanup_free char *path = cc_xasprintf("%s/config.json", dir);
	if (access(path, F_OK) < 0)
		return 0;
	json_error_t jerr;
	json_t *cfg = json_load_file(path, 0, &jerr);
	if (!cfg)
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s:%d: %s", path, jerr.line, jerr.text);
	int r = 0;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(cfg, "mounts"), i, m)
	{
		const char *type = json_string_value(json_object_get(m, "type"));
		const char *source = json_string_value(json_object_get(m, "source"));
		const char *target = json_string_value(json_object_get(m, "destination"));
		if (!type || strcmp(type, "bind") != 0 || !source || source[0] != '/' || !target)
			continue;
		bool ro = has_option(json_object_get(m, "options"), "ro");
		if ((r = bind_into_root(root, source, volume_subpath(spec, target), target, ro, err)) < 0)
			break;
	}
	json_decref(cfg);
	return r;
}

/* The child's side: a private mount namespace, the container's root and mounts, the copy. */
static int copy_stopped_in_child(struct native *n, const struct cc_image_record *rec, const char *dir,
				 const struct cc_container_spec *spec, const struct copy_request *q,
				 struct cc_error **err)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno,
					  "a mount namespace for the copy");
	cleanup_free char *merged = NULL;
	if (native_mount_rootfs(n, rec, dir, &merged, err) < 0)
		return -1;
	cleanup_close int root = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", merged);
	if (bind_bundle_mounts(root, dir, spec, err) < 0)
		return -1;
	return copy_at(root, q, err);
}

/* An error crosses from the child as its kind, errno and message. */
struct error_head {
	int kind;
	int errnum;
};

static void send_error(int fd, const struct cc_error *e)
{
	struct error_head h = {(int)e->kind, e->errnum};
	if (cc_write_all(fd, &h, sizeof(h)) == 0 && e->msg)
		(void)cc_write_all(fd, e->msg, strlen(e->msg));
}

/* The child's result: its error if it sent one, else its exit status. The message is read before the wait,
 * so a long one cannot hold the child in write(). */
static int child_result(int fd, pid_t pid, const char *name, struct cc_error **err)
{
	char buf[4096];
	size_t len = 0;
	for (ssize_t r; len < sizeof(buf) - 1 && (r = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0;) {
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			len += (size_t)r;
	}
	buf[len] = '\0';
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (len > sizeof(struct error_head)) {
		struct error_head h;
		memcpy(&h, buf, sizeof(h));
		cc_error_set(err, (enum cc_err_kind)h.kind, "%s", buf + sizeof(h));
		(*err)->errnum = h.errnum;
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "cp %s: the copy was killed by signal %d",
				    name, WTERMSIG(status));
	return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "cp %s: the copy failed without a message", name);
}

static int copy_stopped(struct native *n, const struct cc_container *c, const char *dir,
			const struct copy_request *q, struct cc_error **err)
{
	struct cc_image_record rec;
	if (cc_images_resolve(n->images, c->image_id ? c->image_id : c->spec.image, &rec, err) < 0)
		return cc_error_wrap(err, "container %s", c->name);
	/* a container never started has no directory yet */
	int p[2] = {-1, -1};
	int r = cc_mkdir_p(dir, 0711, err);
	if (r == 0 && pipe2(p, O_CLOEXEC) < 0)
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "pipe");
	pid_t pid = r == 0 ? fork() : -1;
	if (r == 0 && pid < 0)
		r = cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "fork");
	if (pid == 0) {
		/* nothing of the caller's but its stdio and the answer's pipe: a daemon's other requests'
		 * pipes and sockets must not stay open for as long as this copy runs; and the copy ends with
		 * its caller */
		if (dup2(p[1], 3) < 0)
			_exit(1);
		close_range(4, ~0U, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		struct cc_error *e = NULL;
		int rc = copy_stopped_in_child(n, &rec, dir, &c->spec, q, &e);
		if (rc < 0)
			send_error(3, e);
		_exit(rc < 0 ? 1 : 0);
	}
	cc_image_record_release(&rec);
	if (p[1] >= 0)
		close(p[1]);
	if (pid > 0)
		r = child_result(p[0], pid, c->name, err);
	if (p[0] >= 0)
		close(p[0]);
	return r;
}

int native_container_copy(void *self, const char *ref, const char *container_path, const char *host_path,
			  bool to_container, struct cc_error **err)
{
	struct native *n = self;
	struct cc_container c;
	if (native_container_inspect(self, ref, &c, err) < 0)
		return -1;
	int r = 0;
	if (!*container_path || !*host_path)
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "cp: a path is empty");
	/* the host side: relative paths from the caller's working directory */
	cleanup_free char *host = r == 0 ? cc_cp_host_path(host_path, err) : NULL;
	if (r == 0 && !host)
		r = -1;
	cleanup_free char *cpath =
	    container_path[0] == '/' ? cc_xstrdup(container_path) : cc_xasprintf("/%s", container_path);
	struct copy_request q = {cpath, host, to_container};
	if (r == 0 && (c.state == CC_STATE_RUNNING || c.state == CC_STATE_PAUSED)) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/root", c.pid);
		int root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		r = root < 0 ? cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "container %s: %s",
						  c.name, path)
			     : copy_at(root, &q, err);
		if (root >= 0)
			close(root);
	} else if (r == 0) {
		cleanup_free char *dir = native_container_dir(n, c.id);
		r = copy_stopped(n, &c, dir, &q, err);
	}
	cc_container_release(&c);
	return r;
}
