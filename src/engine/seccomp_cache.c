/* Compiled seccomp filters for crun: see seccomp_cache.h. */
#include "engine/seccomp_cache.h"

#include "base/base64.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define BPF_INSN_SIZE 8    /* struct sock_filter */
#define BPF_MAX_INSNS 4096 /* BPF_MAXINSNS: the kernel refuses longer filters */
#define ANNOTATION    "run.oci.seccomp_bpf_data"

char *native_seccomp_cache_file(const char *root, const json_t *cfg, const char *runtime_path)
{
	const json_t *filter = json_object_get(json_object_get(cfg, "linux"), "seccomp");
	struct stat st;
	if (!filter || stat(runtime_path, &st) < 0)
		return NULL;
	cleanup_free char *text = json_dumps(filter, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return NULL;
	cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_strbuf_addf(&sb, "%s\n%s %lld %lld.%09ld", text, runtime_path, (long long)st.st_size,
		       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	char key[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(sb.buf, sb.len, key);
	return cc_xasprintf("%s/seccomp/%s.bpf", root, key);
}

static bool filter_size(size_t len)
{
	return len > 0 && len % BPF_INSN_SIZE == 0 && len <= BPF_MAX_INSNS * BPF_INSN_SIZE;
}

bool native_seccomp_cache_apply(const char *file, json_t *cfg)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	struct cc_error *e = NULL;
	if (cc_read_file(file, &data, &len, &e) < 0) {
		cc_error_free(e);
		return false;
	}
	if (!filter_size(len))
		return false;
	json_t *notes = json_object_get(cfg, "annotations");
	if (!json_is_object(notes)) {
		notes = json_object();
		json_object_set_new(cfg, "annotations", notes);
	}
	cleanup_free char *encoded = cc_base64(data, len);
	json_object_set_new(notes, ANNOTATION, json_string(encoded));
	return true;
}

void native_seccomp_cache_store(const char *file, const char *state, const char *id)
{
	cleanup_free char *loaded = cc_xasprintf("%s/%s/seccomp.bpf", state, id);
	cleanup_free char *data = NULL;
	size_t len = 0;
	struct cc_error *e = NULL;
	if (cc_read_file(loaded, &data, &len, &e) < 0 || !filter_size(len)) {
		cc_error_free(e);
		return;
	}
	cleanup_free char *dir = cc_path_dir(file);
	cleanup_free char *tmp = cc_xasprintf("%s.%d.tmp", file, (int)getpid());
	if (cc_mkdir_p(dir, 0700, &e) < 0 || cc_write_file_atomic(file, tmp, data, len, 0600, false, &e) < 0)
		cc_error_free(e);
}
