/* The native builder's driver: see build-internal.h. Reads the Dockerfile and .dockerignore, splits the
 * stages, builds the ones the target needs in order, applies the instructions that only change the image
 * configuration, and commits the target stage as an image with its tags. */
#include "engine/build/build-internal.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/random.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/units.h"
#include "engine/image/oci.h"
#include "engine/image/reference.h"
#include "engine/rootfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void build_say(struct build *b, const char *status, const char *fmt, ...)
{
	if (!b->sink || !b->sink->emit)
		return;
	va_list ap;
	va_start(ap, fmt);
	cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	struct cc_progress p = {.ref = b->ref, .status = status, .message = cc_strbuf_str(&sb)};
	b->sink->emit(b->sink->ctx, &p);
}

/* ---- stage state ------------------------------------------------------------------------------------- */

json_t *build_config(struct stage *st)
{
	json_t *c = json_object_get(st->doc, "config");
	if (!json_is_object(c)) {
		c = json_object();
		json_object_set_new(st->doc, "config", c);
	}
	return c;
}

static const char *env_get(const struct stage *st, const char *name)
{
	json_t *env = json_object_get(json_object_get(st->doc, "config"), "Env");
	size_t n = strlen(name), i;
	json_t *e;
	json_array_foreach(env, i, e)
	{
		const char *s = json_string_value(e);
		if (s && strncmp(s, name, n) == 0 && s[n] == '=')
			return s + n + 1;
	}
	return NULL;
}

const char *build_lookup(void *ctx, const char *name)
{
	const struct stage *st = ctx;
	const char *v = env_get(st, name);
	return v ? v : cc_kvs_get(&st->args, name);
}

static const char *global_lookup(void *ctx, const char *name)
{
	return cc_kvs_get(&((struct build *)ctx)->global_args, name);
}

cc_strv build_run_env(const struct stage *st)
{
	cc_strv env = cc_xcalloc(1, sizeof(char *));
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(json_object_get(st->doc, "config"), "Env"), i, e)
	    cc_strv_push(&env, json_string_value(e));
	for (size_t k = 0; k < st->args.n; k++)
		if (!env_get(st, st->args.items[k].key)) {
			char *kv = cc_xasprintf("%s=%s", st->args.items[k].key, st->args.items[k].value);
			cc_strv_push(&env, kv);
			free(kv);
		}
	return env;
}

static void env_set(struct stage *st, const char *key, const char *value)
{
	json_t *c = build_config(st);
	json_t *env = json_object_get(c, "Env");
	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(c, "Env", env);
	}
	char *kv = cc_xasprintf("%s=%s", key, value);
	size_t n = strlen(key), i;
	json_t *e;
	json_array_foreach(env, i, e)
	{
		const char *s = json_string_value(e);
		if (s && strncmp(s, key, n) == 0 && s[n] == '=') {
			json_array_set_new(env, i, json_string(kv));
			free(kv);
			return;
		}
	}
	json_array_append_new(env, json_string(kv));
	free(kv);
}

void build_history(struct stage *st, const char *created_by, bool empty_layer)
{
	json_t *h = json_object_get(st->doc, "history");
	if (!json_is_array(h)) {
		h = json_array();
		json_object_set_new(st->doc, "history", h);
	}
	cleanup_strbuf struct cc_strbuf t = CC_STRBUF_INIT;
	cc_format_iso8601(st->created_ns, 1, &t);
	json_t *e = json_pack("{ss ss}", "created", cc_strbuf_str(&t), "created_by", created_by);
	if (empty_layer)
		json_object_set_new(e, "empty_layer", json_true());
	json_array_append_new(h, e);
}

void build_advance(struct stage *st, const char *text, const char *inputs)
{
	cleanup_free char *all = cc_xasprintf("%s\n%s\n%s", st->key, text, inputs ? inputs : "");
	cc_sha256_hex(all, strlen(all), st->key);
}

cc_strv build_layer_dirs(struct build *b, const struct stage *st)
{
	cc_strv v = cc_xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < st->nlayers; i++) {
		char *p = cc_layer_path(b->n->images->blobs, st->layers[i].chain);
		cc_strv_push(&v, p);
		free(p);
	}
	return v;
}

static void stage_state_release(struct stage *st)
{
	json_decref(st->doc);
	st->doc = NULL;
	free(st->layers);
	st->layers = NULL;
	st->nlayers = 0;
}

static void stage_copy_state(struct stage *dst, const struct stage *src)
{
	stage_state_release(dst);
	dst->doc = json_deep_copy(src->doc);
	dst->nlayers = src->nlayers;
	dst->layers = cc_xcalloc(src->nlayers + 1, sizeof(*dst->layers));
	memcpy(dst->layers, src->layers, src->nlayers * sizeof(*src->layers));
	memcpy(dst->key, src->key, sizeof(dst->key));
	dst->created_ns = src->created_ns;
}

struct stage *build_stage_ref(struct build *b, const char *ref, size_t before)
{
	for (size_t i = 0; i < before && i < b->nstages; i++)
		if (b->stages[i].name && strcasecmp(b->stages[i].name, ref) == 0)
			return &b->stages[i];
	char *end;
	long idx = strtol(ref, &end, 10);
	if (*ref && !*end && idx >= 0 && (size_t)idx < before && (size_t)idx < b->nstages)
		return &b->stages[idx];
	return NULL;
}

/* ---- FROM ---------------------------------------------------------------------------------------------- */

static int64_t parse_created(const char *s)
{
	int64_t ns = 0;
	struct cc_error *e = NULL;
	if (!s || cc_parse_time(s, &ns, &e) < 0)
		cc_error_free(e), ns = 0;
	return ns;
}

/* A base image whose history does not account for its layers (history is optional) gets entries for them,
 * so the built image's history matches its layers, as tools that read it (buildah, docker history) expect. */
static void pad_history(struct stage *st)
{
	json_t *h = json_object_get(st->doc, "history");
	size_t layered = 0, i;
	json_t *e;
	json_array_foreach(h, i, e) layered += !json_is_true(json_object_get(e, "empty_layer"));
	if (layered >= st->nlayers)
		return;
	if (!json_is_array(h))
		json_object_set_new(st->doc, "history", h = json_array());
	for (size_t k = layered; k < st->nlayers; k++)
		json_array_insert_new(h, k - layered,
				      json_pack("{ss}", "comment", "base layer without history"));
}

int build_from_image(struct build *b, const char *ref, struct stage *st, struct cc_error **err)
{
	stage_state_release(st);
	if (strcmp(ref, "scratch") == 0) {
		st->doc = json_pack("{ss ss s{} s{ss s[]}}", "architecture", "amd64", "os", "linux", "config",
				    "rootfs", "type", "layers", "diff_ids");
		st->layers = cc_xcalloc(1, sizeof(*st->layers));
		cc_sha256_hex("scratch", 7, st->key);
		st->created_ns = 0;
		return 0;
	}
	struct cc_images *s = b->n->images;
	struct cc_image_record rec;
	struct cc_error *e = NULL;
	bool have = cc_images_resolve(s, ref, &rec, &e) == 0;
	if (!have && e->kind != CC_ERR_NOT_FOUND) {
		*err = e;
		return -1;
	}
	cc_error_release(&e);
	if (!have || b->opts->pull) {
		if (have)
			cc_image_record_release(&rec);
		build_say(b, "pulling", "pulling %s", ref);
		if (cc_images_pull(s, ref, b->opts->platform, b->sink, err) < 0 ||
		    cc_images_resolve(s, ref, &rec, err) < 0)
			return cc_error_wrap(err, "pull %s", ref);
	}
	char *body = NULL;
	size_t len = 0;
	int r = cc_blob_read(s->blobs, rec.config.digest, &body, &len, err);
	if (r == 0) {
		json_error_t je;
		st->doc = json_loadb(body, len, 0, &je);
		if (!json_is_object(st->doc))
			r = cc_error_set(err, CC_ERR_INVALID_STATE, "image %s: invalid configuration: %s",
					 ref, je.text);
	}
	free(body);
	st->nlayers = rec.nlayers;
	st->layers = cc_xcalloc(rec.nlayers + 1, sizeof(*st->layers));
	for (size_t i = 0; r == 0 && i < rec.nlayers; i++) {
		struct build_layer *l = &st->layers[i];
		snprintf(l->digest, sizeof(l->digest), "%s", rec.layers[i].digest);
		snprintf(l->diff_id, sizeof(l->diff_id), "%s", rec.diff_ids[i]);
		l->size = rec.layers[i].size;
		cc_chain_id(i ? st->layers[i - 1].chain : NULL, l->diff_id, l->chain);
		r = cc_layer_ensure(s->blobs, l->chain, l->digest, l->diff_id, err);
	}
	if (r == 0)
		pad_history(st);
	if (r == 0) {
		cleanup_free char *k = cc_xasprintf("from %s", rec.img.id);
		cc_sha256_hex(k, strlen(k), st->key);
		st->created_ns = parse_created(json_string_value(json_object_get(st->doc, "created")));
	}
	cc_image_record_release(&rec);
	return r;
}

/* ---- instructions that change the configuration ------------------------------------------------------ */

static int words_of(struct build *b, struct stage *st, const struct cc_df_instr *in, cc_strv *out,
		    struct cc_error **err)
{
	if (in->json) {
		*out = cc_strv_copy(in->json);
		return 0;
	}
	return cc_df_words(in->args, b->df.escape, true, build_lookup, st, out, err);
}

/* The shell form's command with the stage's SHELL: ["/bin/sh", "-c", args]. */
cc_strv build_shell_form(struct stage *st, const char *args)
{
	cc_strv v = cc_xcalloc(1, sizeof(char *));
	json_t *shell = json_object_get(json_object_get(st->doc, "config"), "Shell");
	size_t i;
	json_t *e;
	if (json_array_size(shell))
		json_array_foreach(shell, i, e) cc_strv_push(&v, json_string_value(e));
	else
		cc_strv_push(&v, "/bin/sh"), cc_strv_push(&v, "-c");
	cc_strv_push(&v, args);
	return v;
}

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();
	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static int arg_instr(struct build *b, struct stage *st, const struct cc_df_instr *in, struct cc_error **err)
{
	cc_strv words;
	struct cc_kvs *scope = st ? &st->args : &b->global_args;
	cc_df_lookup_fn *lookup = st ? build_lookup : global_lookup;
	void *ctx = st ? (void *)st : (void *)b;
	if (cc_df_words(in->args, b->df.escape, true, lookup, ctx, &words, err) < 0)
		return -1;
	for (char **w = words; *w; w++) {
		char *eq = strchr(*w, '=');
		if (eq)
			*eq = '\0';
		const char *given = b->opts->args ? cc_kvs_get(b->opts->args, *w) : NULL;
		const char *global = st ? cc_kvs_get(&b->global_args, *w) : NULL;
		const char *v = given ? given : eq ? eq + 1 : global;
		if (given)
			cc_strv_push(&b->used_args, *w);
		if (v)
			cc_kvs_set(scope, *w, v);
		if (st)
			build_advance(st, "arg", *w), build_advance(st, "=", v ? v : "(unset)");
	}
	cc_strv_free(words);
	return 0;
}

static int kv_instr(struct build *b, struct stage *st, const struct cc_df_instr *in, const char *field,
		    struct cc_error **err)
{
	struct cc_kvs kvs = {0};
	if (cc_df_pairs(in->args, b->df.escape, build_lookup, st, &kvs, err) < 0)
		return -1;
	json_t *c = build_config(st);
	json_t *labels = json_object_get(c, "Labels");
	if (!field && !json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(c, "Labels", labels);
	}
	for (size_t i = 0; i < kvs.n; i++) {
		if (field)
			env_set(st, kvs.items[i].key, kvs.items[i].value);
		else
			json_object_set_new(labels, kvs.items[i].key, json_string(kvs.items[i].value));
	}
	cc_kvs_release(&kvs);
	return 0;
}

static int duration_flag(const struct cc_df_instr *in, const char *name, json_t *hc, const char *field,
			 struct cc_error **err)
{
	const char *v = cc_df_flag(in, name);
	if (!v)
		return 0;
	int64_t ns;
	if (cc_parse_duration(v, &ns, err) < 0)
		return cc_error_wrap(err, "--%s", name);
	json_object_set_new(hc, field, json_integer(ns));
	return 0;
}

static int healthcheck_instr(struct build *b, struct stage *st, const struct cc_df_instr *in,
			     struct cc_error **err)
{
	const char *a = in->args;
	json_t *c = build_config(st);
	if (strncasecmp(a, "NONE", 4) == 0 && !a[4 + strspn(a + 4, " \t")]) {
		json_object_set_new(c, "Healthcheck", json_pack("{s[s]}", "Test", "NONE"));
		return 0;
	}
	if (strncasecmp(a, "CMD", 3) != 0 || (a[3] != ' ' && a[3] != '\t' && a[3] != '['))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "HEALTHCHECK takes CMD or NONE");
	const char *cmd = a + 3 + strspn(a + 3, " \t");
	json_t *hc = json_object();
	cc_strv exec = NULL;
	if (*cmd == '[' && (exec = cc_xcalloc(1, sizeof(char *)))) {
		json_t *j = json_loads(cmd, 0, NULL);
		size_t i;
		json_t *e;
		json_array_foreach(j, i, e) if (json_is_string(e)) cc_strv_push(&exec, json_string_value(e));
		json_decref(j);
		json_t *test = strv_json(exec);
		json_array_insert_new(test, 0, json_string("CMD"));
		json_object_set_new(hc, "Test", test);
		cc_strv_free(exec);
	} else {
		json_object_set_new(hc, "Test", json_pack("[ss]", "CMD-SHELL", cmd));
	}
	int r = 0;
	if (duration_flag(in, "interval", hc, "Interval", err) < 0 ||
	    duration_flag(in, "timeout", hc, "Timeout", err) < 0 ||
	    duration_flag(in, "start-period", hc, "StartPeriod", err) < 0 ||
	    duration_flag(in, "start-interval", hc, "StartInterval", err) < 0)
		r = -1;
	const char *retries = cc_df_flag(in, "retries");
	if (r == 0 && retries) {
		char *end;
		long n = strtol(retries, &end, 10);
		if (!*retries || *end || n < 0)
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "--retries: invalid number \"%s\"",
					 retries);
		json_object_set_new(hc, "Retries", json_integer(n));
	}
	if (r < 0) {
		json_decref(hc);
		return -1;
	}
	json_object_set_new(c, "Healthcheck", hc);
	return 0;
}

static int expose_instr(struct build *b, struct stage *st, const struct cc_df_instr *in,
			struct cc_error **err)
{
	cc_strv words;
	if (words_of(b, st, in, &words, err) < 0)
		return -1;
	json_t *c = build_config(st);
	json_t *ports = json_object_get(c, "ExposedPorts");
	if (!json_is_object(ports)) {
		ports = json_object();
		json_object_set_new(c, "ExposedPorts", ports);
	}
	int r = 0;
	for (char **w = words; *w && r == 0; w++) {
		char *slash = strchr(*w, '/');
		const char *proto = slash ? slash + 1 : "tcp";
		if (slash)
			*slash = '\0';
		char *end;
		long lo = strtol(*w, &end, 10), hi = lo;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (*end || lo < 1 || hi > 65535 || hi < lo ||
		    (strcasecmp(proto, "tcp") != 0 && strcasecmp(proto, "udp") != 0 &&
		     strcasecmp(proto, "sctp") != 0)) {
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid port \"%s%s%s\"", *w,
					 slash ? "/" : "", slash ? proto : "");
			break;
		}
		for (long p = lo; p <= hi; p++) {
			char key[32];
			snprintf(key, sizeof(key), "%ld/%s", p, proto);
			for (char *k = key; *k; k++)
				*k = (char)tolower((unsigned char)*k);
			json_object_set_new(ports, key, json_object());
		}
	}
	cc_strv_free(words);
	return r;
}

static int one_word(struct build *b, struct stage *st, const struct cc_df_instr *in, char **out,
		    struct cc_error **err)
{
	return cc_df_word(in->args, b->df.escape, build_lookup, st, out, err);
}

/* Instructions that change only the configuration (and the stage's key). 1 when `in` was one of them. */
static int config_instr(struct build *b, struct stage *st, const struct cc_df_instr *in,
			struct cc_error **err)
{
	const char *cmd = in->cmd;
	json_t *c = build_config(st);
	int r = 0;
	if (strcmp(cmd, "env") == 0) {
		r = kv_instr(b, st, in, "Env", err);
	} else if (strcmp(cmd, "label") == 0) {
		r = kv_instr(b, st, in, NULL, err);
	} else if (strcmp(cmd, "arg") == 0) {
		return arg_instr(b, st, in, err) < 0 ? -1 : 1;
	} else if (strcmp(cmd, "cmd") == 0 || strcmp(cmd, "entrypoint") == 0) {
		cc_strv v = in->json ? cc_strv_copy(in->json) : build_shell_form(st, in->args);
		json_object_set_new(c, cmd[0] == 'c' ? "Cmd" : "Entrypoint", strv_json(v));
		/* an ENTRYPOINT of the Dockerfile drops the base image's CMD */
		if (cmd[0] == 'e')
			json_object_del(c, "Cmd");
		cc_strv_free(v);
	} else if (strcmp(cmd, "shell") == 0) {
		if (!in->json || !in->json[0])
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "SHELL requires the JSON form");
		json_object_set_new(c, "Shell", strv_json(in->json));
	} else if (strcmp(cmd, "workdir") == 0) {
		char *w;
		if ((r = one_word(b, st, in, &w, err)) == 0) {
			const char *cur = json_string_value(json_object_get(c, "WorkingDir"));
			char *abs = cc_path_join(cur && *cur ? cur : "/", w);
			json_object_set_new(c, "WorkingDir", json_string(abs));
			free(abs);
			free(w);
		}
	} else if (strcmp(cmd, "user") == 0 || strcmp(cmd, "stopsignal") == 0) {
		char *w;
		if ((r = one_word(b, st, in, &w, err)) == 0)
			json_object_set_new(c, cmd[0] == 'u' ? "User" : "StopSignal", json_string(w)),
			    free(w);
	} else if (strcmp(cmd, "expose") == 0) {
		r = expose_instr(b, st, in, err);
	} else if (strcmp(cmd, "volume") == 0) {
		cc_strv v;
		if ((r = words_of(b, st, in, &v, err)) == 0) {
			json_t *vols = json_object_get(c, "Volumes");
			if (!json_is_object(vols))
				json_object_set_new(c, "Volumes", vols = json_object());
			for (char **p = v; *p; p++)
				json_object_set_new(vols, *p, json_object());
			cc_strv_free(v);
		}
	} else if (strcmp(cmd, "healthcheck") == 0) {
		r = healthcheck_instr(b, st, in, err);
	} else if (strcmp(cmd, "onbuild") == 0) {
		json_t *ob = json_object_get(c, "OnBuild");
		if (!json_is_array(ob))
			json_object_set_new(c, "OnBuild", ob = json_array());
		json_array_append_new(ob, json_string(in->args));
	} else if (strcmp(cmd, "maintainer") == 0) {
		json_object_set_new(st->doc, "author", json_string(in->args));
	} else {
		return 0;
	}
	if (r < 0)
		return -1;
	cleanup_free char *expanded = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	build_advance(st, in->original, expanded);
	build_history(st, in->original, true);
	return 1;
}

/* ---- the steps ----------------------------------------------------------------------------------------- */

static int exec_instrs(struct build *b, struct stage *st, size_t si, const struct cc_df_instr *v, size_t n,
		       bool counted, struct cc_error **err);

/* ONBUILD triggers of the base image run right after FROM, and are not inherited further. */
static int onbuild(struct build *b, struct stage *st, size_t si, struct cc_error **err)
{
	json_t *c = json_object_get(st->doc, "config");
	json_t *ob = json_object_get(c, "OnBuild");
	if (!json_array_size(ob))
		return 0;
	cleanup_strbuf struct cc_strbuf text = CC_STRBUF_INIT;
	size_t i;
	json_t *e;
	json_array_foreach(ob, i, e) cc_strbuf_addf(&text, "%s\n", json_string_value(e));
	json_object_del(c, "OnBuild");
	struct cc_dockerfile trig;
	if (cc_dockerfile_parse(text.buf, text.len, "ONBUILD", &trig, err) < 0)
		return -1;
	int r = exec_instrs(b, st, si, trig.v, trig.n, false, err);
	cc_dockerfile_release(&trig);
	return r;
}

static int from_instr(struct build *b, struct stage *st, size_t si, const struct cc_df_instr *in,
		      struct cc_error **err)
{
	cc_strv words;
	if (cc_df_words(in->args, b->df.escape, true, global_lookup, b, &words, err) < 0)
		return -1;
	size_t n = cc_strv_len(words);
	int r = 0;
	if (n != 1 && !(n == 3 && strcasecmp(words[1], "as") == 0))
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "FROM takes an image and an optional AS name");
	const char *platform = cc_df_flag(in, "platform");
	cleanup_free char *plat = NULL;
	if (r == 0 && platform && cc_df_word(platform, b->df.escape, global_lookup, b, &plat, err) < 0)
		r = -1;
	if (r == 0 && plat && *plat && strcmp(plat, "linux/amd64") != 0)
		r = cc_error_set(err, CC_ERR_NOT_SUPPORTED,
				 "--platform=%s: the native builder builds for linux/amd64 only", plat);
	struct stage *base = r == 0 ? build_stage_ref(b, words[0], si) : NULL;
	if (r == 0 && base && base->name) {
		stage_copy_state(st, base);
	} else if (r == 0) {
		r = build_from_image(b, words[0], st, err);
		if (r == 0)
			r = onbuild(b, st, si, err);
	}
	cc_strv_free(words);
	return r;
}

static int exec_instrs(struct build *b, struct stage *st, size_t si, const struct cc_df_instr *v, size_t n,
		       bool counted, struct cc_error **err)
{
	for (size_t i = 0; i < n; i++) {
		const struct cc_df_instr *in = &v[i];
		if (counted)
			b->step++;
		build_say(b, "step", "[%s %d/%d] %s", st->name ? st->name : "stage", b->step, b->nsteps,
			  in->original);
		int r;
		if (strcmp(in->cmd, "from") == 0)
			r = from_instr(b, st, si, in, err);
		else if (strcmp(in->cmd, "run") == 0)
			r = build_run(b, st, in, err);
		else if (strcmp(in->cmd, "copy") == 0 || strcmp(in->cmd, "add") == 0)
			r = build_copy(b, st, in, in->cmd[0] == 'a', err);
		else
			r = config_instr(b, st, in, err);
		if (r < 0)
			return cc_error_wrap(err, "%s:%d: %s", b->df.name, in->line, in->original);
	}
	return 0;
}

/* ---- stages and the commit ----------------------------------------------------------------------------- */

static int split_stages(struct build *b, struct cc_error **err)
{
	size_t i = 0;
	for (; i < b->df.n && strcmp(b->df.v[i].cmd, "from") != 0; i++) {
		if (strcmp(b->df.v[i].cmd, "arg") != 0)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s:%d: %s before the first FROM",
					    b->df.name, b->df.v[i].line, b->df.v[i].original);
		if (arg_instr(b, NULL, &b->df.v[i], err) < 0)
			return cc_error_wrap(err, "%s:%d", b->df.name, b->df.v[i].line);
	}
	if (i == b->df.n)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: no FROM instruction", b->df.name);
	for (; i < b->df.n; i++) {
		if (strcmp(b->df.v[i].cmd, "from") != 0)
			continue;
		b->stages = cc_xrealloc(b->stages, (b->nstages + 1) * sizeof(*b->stages));
		struct stage *st = &b->stages[b->nstages++];
		*st = (struct stage){.first = i};
		if (b->nstages > 1)
			b->stages[b->nstages - 2].end = i;
		cc_strv w = NULL;
		if (cc_df_words(b->df.v[i].args, b->df.escape, true, NULL, NULL, &w, NULL) == 0 &&
		    cc_strv_len(w) == 3 && strcasecmp(w[1], "as") == 0) {
			st->name = cc_xstrdup(w[2]);
			for (char *c = st->name; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		}
		cc_strv_free(w);
	}
	b->stages[b->nstages - 1].end = b->df.n;
	return 0;
}

/* Mark the target and every stage it uses (FROM <stage>, COPY --from=<stage>, RUN --mount=from=<stage>). */
static void mark_needed(struct build *b, size_t si)
{
	struct stage *st = &b->stages[si];
	if (st->needed)
		return;
	st->needed = true;
	for (size_t i = st->first; i < st->end; i++) {
		const struct cc_df_instr *in = &b->df.v[i];
		char *ref = NULL;
		if (i == st->first) {
			cc_strv w = NULL;
			if (cc_df_words(in->args, b->df.escape, true, global_lookup, b, &w, NULL) == 0 &&
			    w[0])
				ref = cc_xstrdup(w[0]);
			cc_strv_free(w);
		} else if (cc_df_flag(in, "from")) {
			ref = cc_xstrdup(cc_df_flag(in, "from"));
		}
		for (char *const *f = in->flags; f && *f; f++) {
			const char *p = strstr(*f, "from=");
			if (strncmp(*f, "--mount=", 8) == 0 && p && (p == *f + 8 || p[-1] == ',')) {
				cleanup_free char *name = cc_xstrndup(p + 5, strcspn(p + 5, ","));
				struct stage *dep = build_stage_ref(b, name, si);
				if (dep)
					mark_needed(b, (size_t)(dep - b->stages));
			}
		}
		struct stage *dep = ref ? build_stage_ref(b, ref, si) : NULL;
		if (dep)
			mark_needed(b, (size_t)(dep - b->stages));
		free(ref);
	}
}

static int commit_image(struct build *b, struct stage *st, char **id_out, struct cc_error **err)
{
	struct cc_images *s = b->n->images;
	json_t *c = build_config(st);
	if (b->opts->labels && b->opts->labels->n) {
		json_t *labels = json_object_get(c, "Labels");
		if (!json_is_object(labels))
			json_object_set_new(c, "Labels", labels = json_object());
		for (size_t i = 0; i < b->opts->labels->n; i++)
			json_object_set_new(labels, b->opts->labels->items[i].key,
					    json_string(b->opts->labels->items[i].value));
	}
	json_t *diff_ids = json_array();
	for (size_t i = 0; i < st->nlayers; i++)
		json_array_append_new(diff_ids, json_string(st->layers[i].diff_id));
	json_object_set_new(st->doc, "rootfs", json_pack("{ss so}", "type", "layers", "diff_ids", diff_ids));
	cleanup_strbuf struct cc_strbuf created = CC_STRBUF_INIT;
	cc_format_iso8601(st->created_ns, 1, &created);
	json_object_set_new(st->doc, "created", json_string(cc_strbuf_str(&created)));
	json_object_set_new(st->doc, "architecture", json_string("amd64"));
	json_object_set_new(st->doc, "os", json_string("linux"));
	cleanup_free char *config = json_dumps(st->doc, JSON_COMPACT | JSON_SORT_KEYS);
	char config_mt[] = CC_MT_OCI_CONFIG, layer_mt[] = CC_MT_OCI_LAYER;
	struct cc_oci_descriptor cd = {.media_type = config_mt, .size = (int64_t)strlen(config)};
	char cdigest[72], mdigest[72];
	if (cc_blob_put(s->blobs, config, strlen(config), NULL, cdigest, err) < 0)
		return -1;
	cd.digest = cdigest;
	struct cc_oci_descriptor *ld = cc_xcalloc(st->nlayers + 1, sizeof(*ld));
	for (size_t i = 0; i < st->nlayers; i++)
		ld[i] = (struct cc_oci_descriptor){
		    .media_type = layer_mt, .digest = st->layers[i].digest, .size = st->layers[i].size};
	cleanup_free char *manifest = cc_oci_build_manifest(&cd, ld, st->nlayers);
	free(ld);
	struct cc_oci_manifest man = {0};
	struct cc_image_record rec = {0};
	int r = cc_blob_put(s->blobs, manifest, strlen(manifest), NULL, mdigest, err);
	if (r == 0)
		r = cc_oci_parse_manifest(manifest, strlen(manifest), &man, err);
	if (r == 0)
		r = cc_images_read_config(s, &man, &rec, err);
	if (r == 0) {
		cc_images_fill_record(&rec, &man, mdigest, NULL);
		char *const *tags = b->opts->tags;
		r = cc_images_commit(s, &rec, tags && tags[0] ? tags[0] : NULL, err);
		for (size_t i = 1; r == 0 && tags && tags[i]; i++)
			r = cc_images_tag(s, rec.img.id, tags[i], err);
		if (r == 0)
			cc_images_event(s, "build", rec.img.id, tags && tags[0] ? tags[0] : rec.img.id, NULL);
		if (r == 0)
			*id_out = cc_xstrdup(rec.img.id);
	}
	cc_image_record_release(&rec);
	cc_oci_manifest_release(&man);
	return r;
}

static void predefined_args(struct build *b)
{
	static const char *const v[][2] = {
	    {"TARGETPLATFORM", "linux/amd64"},
	    {"TARGETOS", "linux"},
	    {"TARGETARCH", "amd64"},
	    {"TARGETVARIANT", ""},
	    {"BUILDPLATFORM", "linux/amd64"},
	    {"BUILDOS", "linux"},
	    {"BUILDARCH", "amd64"},
	    {"BUILDVARIANT", ""},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		cc_kvs_set(&b->global_args, v[i][0], v[i][1]);
}

static int read_inputs(struct build *b, struct cc_error **err)
{
	const struct cc_build_opts *o = b->opts;
	b->context_dir = cc_path_abs(NULL, o->context_dir ? o->context_dir : ".", err);
	if (!b->context_dir)
		return -1;
	b->context_fd = open(b->context_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->context_fd < 0)
		return cc_error_set_errno(err, CC_ERR_INVALID_ARGUMENT, errno, "build context %s",
					  b->context_dir);
	cleanup_free char *dfpath = NULL;
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (o->dockerfile_inline) {
		text = cc_xstrdup(o->dockerfile_inline);
		len = strlen(text);
	} else {
		dfpath = cc_path_join(b->context_dir, o->dockerfile ? o->dockerfile : "Dockerfile");
		if (o->dockerfile && o->dockerfile[0] == '/') {
			free(dfpath);
			dfpath = cc_xstrdup(o->dockerfile);
		}
		if (cc_read_file(dfpath, &text, &len, err) < 0)
			return cc_error_wrap(err, "cannot read the Dockerfile");
	}
	if (cc_dockerfile_parse(text, len, dfpath ? cc_path_base(dfpath) : "Dockerfile", &b->df, err) < 0)
		return -1;
	/* Dockerfile.dockerignore next to the Dockerfile wins over the context's .dockerignore */
	cleanup_free char *own = dfpath ? cc_xasprintf("%s.dockerignore", dfpath) : NULL;
	cleanup_free char *ctx = cc_path_join(b->context_dir, ".dockerignore");
	cleanup_free char *ig = NULL;
	size_t iglen = 0;
	struct cc_error *e = NULL;
	if ((own && cc_read_file(own, &ig, &iglen, &e) == 0) ||
	    (cc_error_release(&e), cc_read_file(ctx, &ig, &iglen, &e) == 0))
		cc_ignore_parse(ig, iglen, &b->ignore);
	cc_error_release(&e);
	return 0;
}

static void build_release(struct build *b)
{
	for (size_t i = 0; i < b->nstages; i++) {
		stage_state_release(&b->stages[i]);
		free(b->stages[i].name);
		cc_kvs_release(&b->stages[i].args);
	}
	free(b->stages);
	cc_dockerfile_release(&b->df);
	cc_kvs_release(&b->global_args);
	cc_strv_free(b->used_args);
	cc_ignore_release(&b->ignore);
	if (b->context_fd >= 0)
		close(b->context_fd);
	free(b->context_dir);
	if (b->tmp)
		cc_remove_tree(b->tmp);
	free(b->tmp);
	json_decref(b->hashes);
}

static void warn_unused_args(struct build *b)
{
	for (size_t i = 0; b->opts->args && i < b->opts->args->n; i++) {
		const char *k = b->opts->args->items[i].key;
		bool used = false;
		for (char **u = b->used_args; u && *u && !used; u++)
			used = strcmp(*u, k) == 0;
		if (!used && !cc_kvs_get(&b->global_args, k))
			build_say(b, "warning", "[Warning] One or more build-args [%s] were not consumed", k);
	}
}

/* Scratch directories of builds whose process is gone (killed half way): their step mounts are undone and
 * the directories removed, so a killed build leaves nothing behind for long. */
static void remove_stale_builds(struct build *b)
{
	cleanup_free char *tmp = cc_xasprintf("%s/tmp", cc_blobs_dir(b->n->images->blobs));
	DIR *d = opendir(tmp);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		int pid = 0;
		if (sscanf(de->d_name, "build-%d-", &pid) != 1 || pid <= 0 || kill(pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		cleanup_free char *dir = cc_xasprintf("%s/%s", tmp, de->d_name);
		DIR *steps = opendir(dir);
		struct dirent *se;
		while (steps && (se = readdir(steps))) {
			cleanup_free char *step = cc_xasprintf("%s/%s", dir, se->d_name);
			struct cc_error *e = NULL;
			if (se->d_name[0] != '.' && cc_rootfs_unmount(step, &e) < 0)
				cc_error_free(e);
		}
		if (steps)
			closedir(steps);
		cc_remove_tree(dir);
	}
	if (d)
		closedir(d);
}

static int build_all(struct build *b, char **id, struct cc_error **err)
{
	predefined_args(b);
	if (read_inputs(b, err) < 0 || split_stages(b, err) < 0)
		return -1;
	size_t target = b->nstages - 1;
	if (b->opts->target && *b->opts->target) {
		struct stage *t = build_stage_ref(b, b->opts->target, b->nstages);
		if (!t || !t->name)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "target stage \"%s\" could not be found", b->opts->target);
		target = (size_t)(t - b->stages);
	}
	mark_needed(b, target);
	for (size_t i = 0; i <= target; i++)
		if (b->stages[i].needed)
			b->nsteps += (int)(b->stages[i].end - b->stages[i].first);
	char rnd[17];
	cc_random_hex(rnd, 8);
	remove_stale_builds(b);
	b->tmp = cc_xasprintf("%s/tmp/build-%d-%s", cc_blobs_dir(b->n->images->blobs), (int)getpid(), rnd);
	if (mkdir(b->tmp, 0700) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "mkdir %s", b->tmp);
	for (size_t i = 0; i <= target; i++) {
		struct stage *st = &b->stages[i];
		if (!st->needed)
			continue;
		if (exec_instrs(b, st, i, &b->df.v[st->first], st->end - st->first, true, err) < 0)
			return -1;
		st->built = true;
	}
	warn_unused_args(b);
	return commit_image(b, &b->stages[target], id, err);
}

int native_image_build(void *self, const struct cc_build_opts *opts, const struct cc_progress_sink *sink,
		       struct cc_error **err)
{
	struct build b = {.n = self, .opts = opts, .sink = sink, .context_fd = -1};
	b.ref = opts->tags && opts->tags[0] ? opts->tags[0] : "build";
	if (getuid() != 0) {
		return cc_error_set(err, CC_ERR_PERMISSION,
				    "building images needs root (overlay mounts and an OCI runtime)");
	}
	/* a bad tag is refused before any work, not after it */
	for (char *const *t = opts->tags; t && *t; t++) {
		struct cc_image_ref ref;
		if (cc_image_ref_parse(*t, &ref, err) < 0)
			return cc_error_wrap(err, "invalid tag %s", *t);
		cc_image_ref_release(&ref);
	}
	char *id = NULL;
	int r = build_all(&b, &id, err);
	build_hashes_save(&b);
	if (r == 0)
		build_say(&b, "done", "%s", id); /* the last frame names the image */
	free(id);
	build_release(&b);
	return r;
}
