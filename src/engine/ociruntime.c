/* Choosing the OCI runtime: see ociruntime.h. */
#include "engine/ociruntime.h"

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "engine/cgroup.h"
#include "engine/native-internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const bin_dirs[] = {"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin",
				       "/bin",      NULL};

/* The first executable NAME in the binary directories (owned), or NULL. */
static char *find_binary(const char *name)
{
	for (const char *const *d = bin_dirs; *d; d++) {
		char *path = cc_xasprintf("%s/%s", *d, name);
		if (access(path, X_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

bool native_crun_usable(const char *cgroup_root, char **why)
{
	*why = NULL;
	cleanup_free char *v2 = cc_xasprintf("%s/cgroup.controllers", cgroup_root);
	if (access(v2, F_OK) == 0)
		return true; /* the unified layout */
	cleanup_free char *hybrid = cc_xasprintf("%s/unified/cgroup.controllers", cgroup_root);
	cleanup_free char *text = cc_read_text(hybrid);
	if (!text)
		return true; /* v1 only */
	size_t len = strlen(text);
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = 0;
	if (!len)
		return true;
	*why =
	    cc_xasprintf("crun 1.8 refuses this host's hybrid cgroup layout: its v2 hierarchy (%s/unified) "
			 "holds controllers (%s)",
			 cgroup_root, text);
	return false;
}

static void set(struct native_oci *out, char *path)
{
	out->path = path;
	const char *slash = strrchr(path, '/');
	out->name = cc_xstrdup(slash ? slash + 1 : path);
}

int native_oci_pick(const char *requested, const char *cgroup_root, struct native_oci *out,
		    struct cc_error **err)
{
	out->path = out->name = NULL;
	if (!requested || !*requested) {
		char *why = NULL;
		char *crun = find_binary("crun");
		if (crun && native_crun_usable(cgroup_root, &why)) {
			set(out, crun);
			return 0;
		}
		free(crun);
		free(why);
		char *runc = find_binary("runc");
		if (!runc)
			return cc_error_set(err, CC_ERR_NOT_FOUND,
					    "no OCI runtime found: install runc (or crun) to run containers");
		set(out, runc);
		return 0;
	}
	char *path = strchr(requested, '/') ? cc_xstrdup(requested) : find_binary(requested);
	if (!path || access(path, X_OK) < 0) {
		free(path);
		return cc_error_set(err, CC_ERR_NOT_FOUND, "OCI runtime %s: not found or not executable",
				    requested);
	}
	set(out, path);
	char *why = NULL;
	if (strcmp(out->name, "crun") == 0 && !native_crun_usable(cgroup_root, &why)) {
		cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "OCI runtime %s: %s; use runc", requested, why);
		free(why);
		native_oci_release(out);
		return -1;
	}
	return 0;
}

bool native_oci_says_gone(const char *msg)
{
	static const char *const words[] = {"not running", "does not exist", "No such process",
					    "No such file or directory"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(msg, words[i]))
			return true;
	return false;
}

void native_oci_release(struct native_oci *oci)
{
	free(oci->path);
	free(oci->name);
	oci->path = oci->name = NULL;
}

/* ---- the native backend's side ---- */

static void copy_oci(struct native_oci *out, const struct native_oci *in)
{
	out->path = cc_xstrdup(in->path);
	out->name = cc_xstrdup(in->name);
}

int native_oci_default(struct native *n, struct native_oci *out, struct cc_error **err)
{
	pthread_mutex_lock(&n->oci_lock);
	int r = n->oci.path ? 0 : native_oci_pick(n->oci_requested, NATIVE_CGROUP_ROOT, &n->oci, err);
	if (r == 0)
		copy_oci(out, &n->oci);
	pthread_mutex_unlock(&n->oci_lock);
	return r;
}

int native_oci_of(struct native *n, const char *id, struct native_oci *out, struct cc_error **err)
{
	cleanup_free char *dir = native_container_dir(n, id);
	cleanup_free char *file = cc_xasprintf("%s/" NATIVE_RUNTIME_FILE, dir);
	char *path = cc_read_text(file);
	if (!path) {
		struct cc_error *e = NULL;
		/* started before runtimes were recorded, when runc ran everything; or never started, when no
		 * runtime holds state of it and any will do */
		if (native_oci_pick("runc", NATIVE_CGROUP_ROOT, out, &e) == 0)
			return 0;
		cc_error_free(e);
		return native_oci_default(n, out, err);
	}
	set(out, path);
	return 0;
}

int native_oci_record(struct native *n, const char *id, const struct native_oci *oci, struct cc_error **err)
{
	cleanup_free char *dir = native_container_dir(n, id);
	cleanup_free char *file = cc_xasprintf("%s/" NATIVE_RUNTIME_FILE, dir);
	cleanup_free char *tmp = cc_xasprintf("%s.tmp", file);
	return cc_write_file_atomic(file, tmp, oci->path, strlen(oci->path), 0644, false, err);
}

char *native_oci_state(const struct native *n, const struct native_oci *oci)
{
	return cc_xasprintf("%s/%s", n->root, oci->name);
}

void native_oci_argv(const struct native *n, const struct native_oci *oci, cc_strv *argv)
{
	cleanup_free char *state = native_oci_state(n, oci);
	cc_strv_push(argv, oci->path);
	cc_strv_push(argv, "--root");
	cc_strv_push(argv, state);
}
