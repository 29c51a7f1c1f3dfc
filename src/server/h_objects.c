/* Image, network, volume, secret and config routes (design/API.md "Images", "Networks, volumes, secrets,
 * configs"). */
#include "api/shapes.h"
#include "base/xalloc.h"
#include "runtime/codec.h"
#include "server/internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A required string member of the body; false with a 400 replied. */
static bool body_string(struct srv_req *r, json_t *b, const char *key, const char **out)
{
	json_t *v = json_object_get(b, key);
	if (!json_is_string(v) || !*json_string_value(v)) {
		srv_reply_status(r, 400, "%s: required, a non-empty string", key);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

/* ---- images ---- */

void h_image_list(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_image *imgs;
	size_t n;
	struct cc_error *err = NULL;
	if (!rt)
		return;
	if (cc_rt_image_list(rt, &imgs, &n, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, api_image(&imgs[i]));
	cc_images_free(imgs, n);
	srv_reply_json(r, 200, a);
}

void h_image_inspect(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_image img;
	struct cc_error *err = NULL;
	if (!rt)
		return;
	if (cc_rt_image_inspect(rt, srv_param(r, 0), &img, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	srv_reply_json(r, 200, api_image(&img));
	cc_image_release(&img);
}

struct transfer_ctx {
	char *image, *platform;
	bool push;
	struct srv_stream *st;
};

static void transfer_free(void *p)
{
	struct transfer_ctx *c = p;
	free(c->image);
	free(c->platform);
	free(c);
}

static int progress_emit(void *ctx, const struct cc_progress *p)
{
	struct transfer_ctx *c = ctx;
	return srv_stream_write(c->st, api_progress_frame(p));
}

static int transfer_produce(struct srv_stream *st, struct cc_runtime *rt, void *ctx, struct cc_error **err)
{
	struct transfer_ctx *c = ctx;
	c->st = st;
	struct cc_progress_sink sink = {progress_emit, c};
	int r = c->push ? cc_rt_image_push(rt, c->image, &sink, err)
			: cc_rt_image_pull(rt, c->image, c->platform, &sink, err);
	if (r < 0)
		return -1;
	json_t *fin = json_object();
	json_object_set_new(fin, "image", json_string(c->image));
	json_object_set_new(fin, "status", json_string("done"));
	struct cc_image img;
	struct cc_error *e = NULL;
	if (cc_rt_image_inspect(rt, c->image, &img, &e) == 0) {
		const char *digest =
		    img.repo_digests && img.repo_digests[0] ? strchr(img.repo_digests[0], '@') : NULL;
		json_object_set_new(fin, "digest", json_string(digest ? digest + 1 : img.id));
		cc_image_release(&img);
	}
	cc_error_free(e);
	srv_stream_write(st, fin);
	return 0;
}

static void transfer(struct srv_req *r, bool push)
{
	json_t *b = srv_body_json(r, false);
	const char *image;
	if (!b)
		return;
	if (!body_string(r, b, "image", &image)) {
		json_decref(b);
		return;
	}
	struct transfer_ctx *c = cc_xcalloc(1, sizeof(*c));
	c->image = cc_xstrdup(image);
	const char *platform = json_string_value(json_object_get(b, "platform"));
	c->platform = platform ? cc_xstrdup(platform) : NULL;
	c->push = push;
	json_decref(b);
	srv_reply_stream(r, "application/x-ndjson", transfer_produce, c, transfer_free);
}

void h_image_pull(struct srv_req *r)
{
	transfer(r, false);
}

void h_image_push(struct srv_req *r)
{
	transfer(r, true);
}

void h_image_load(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt)
		return;
	const char *path =
	    srv_body_upload(r, "the body must be an image tarball (OCI layout or docker-archive)");
	if (!path)
		return;
	struct cc_error *err = NULL;
	cc_strv loaded = NULL;
	if (cc_rt_image_load(rt, path, &loaded, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "loaded", cc_strv_to_json(loaded));
	cc_strv_free(loaded);
	srv_reply_json(r, 200, o);
}

void h_image_save(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	if (!rt)
		return;
	const char *format = srv_query(r, "format");
	if (!format)
		format = "oci";
	if (strcmp(format, "oci") != 0 && strcmp(format, "docker-archive") != 0) {
		srv_reply_status(r, 400, "format: expected oci or docker-archive");
		return;
	}
	char *path = srv_scratch_path(srv_server(r), "save");
	char *refs[] = {(char *)srv_param(r, 0), NULL};
	struct cc_error *err = NULL;
	if (cc_rt_image_save(rt, refs, format, path, &err) < 0) {
		unlink(path);
		free(path);
		srv_reply_error(r, &err);
		return;
	}
	srv_reply_file(r, "application/x-tar", path);
	free(path);
}

void h_image_remove(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_error *err = NULL;
	if (rt)
		srv_reply_done(
		    r, cc_rt_image_remove(rt, srv_param(r, 0), srv_query_bool(r, "force", false), &err), &err,
		    204);
}

void h_image_tag(struct srv_req *r)
{
	json_t *b = srv_body_json(r, false);
	const char *target;
	struct cc_runtime *rt = b ? srv_runtime(r) : NULL;
	if (rt && body_string(r, b, "target", &target)) {
		struct cc_error *err = NULL;
		srv_reply_done(r, cc_rt_image_tag(rt, srv_param(r, 0), target, &err), &err, 204);
	}
	json_decref(b);
}

/* ---- networks ---- */

void h_network_list(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_network *v;
	size_t n;
	struct cc_error *err = NULL;
	if (!rt)
		return;
	if (cc_rt_network_list(rt, &v, &n, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, api_network(&v[i]));
	cc_networks_free(v, n);
	srv_reply_json(r, 200, a);
}

void h_network_inspect(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_network net;
	struct cc_error *err = NULL;
	if (!rt)
		return;
	if (cc_rt_network_inspect(rt, srv_param(r, 0), &net, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	srv_reply_json(r, 200, api_network(&net));
	cc_network_release(&net);
}

void h_network_create(struct srv_req *r)
{
	json_t *b = srv_body_json(r, false);
	struct cc_runtime *rt = b ? srv_runtime(r) : NULL;
	if (!rt) {
		json_decref(b);
		return;
	}
	json_object_del(b, "id");
	json_object_del(b, "containers");
	json_object_del(b, "containers6");
	json_object_del(b, "macs");
	struct cc_network net;
	struct cc_error *err = NULL;
	int rc = cc_network_from_json(b, &net, &err);
	json_decref(b);
	if (rc < 0) {
		srv_reply_error(r, &err);
		return;
	}
	char *id = NULL;
	if (cc_rt_network_create(rt, &net.spec, &id, &err) < 0) {
		cc_network_release(&net);
		srv_reply_error(r, &err);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "name", json_string(net.spec.name));
	free(id);
	cc_network_release(&net);
	srv_reply_json(r, 201, o);
}

void h_network_remove(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_error *err = NULL;
	if (rt)
		srv_reply_done(r, cc_rt_network_remove(rt, srv_param(r, 0), &err), &err, 204);
}

static void connect_or_disconnect(struct srv_req *r, bool connect)
{
	json_t *b = srv_body_json(r, false);
	struct cc_runtime *rt = b ? srv_runtime(r) : NULL;
	const char *container;
	if (!rt || !body_string(r, b, "container", &container)) {
		json_decref(b);
		return;
	}
	struct cc_error *err = NULL;
	int rc;
	if (connect) {
		cc_strv aliases = NULL;
		json_t *a = json_object_get(b, "aliases");
		if (a && cc_strv_from_json(a, "aliases", &aliases, &err) < 0) {
			json_decref(b);
			srv_reply_error(r, &err);
			return;
		}
		rc = cc_rt_network_connect(rt, srv_param(r, 0), container, aliases, &err);
		cc_strv_free(aliases);
	} else {
		rc = cc_rt_network_disconnect(rt, srv_param(r, 0), container,
					      json_is_true(json_object_get(b, "force")), &err);
	}
	json_decref(b);
	srv_reply_done(r, rc, &err, 204);
}

void h_network_connect(struct srv_req *r)
{
	connect_or_disconnect(r, true);
}

void h_network_disconnect(struct srv_req *r)
{
	connect_or_disconnect(r, false);
}

/* ---- volumes ---- */

void h_volume_list(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_volume *v;
	size_t n;
	struct cc_error *err = NULL;
	if (!rt)
		return;
	if (cc_rt_volume_list(rt, &v, &n, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, api_volume(&v[i]));
	cc_volumes_free(v, n);
	json_t *o = json_object();
	json_object_set_new(o, "volumes", a);
	srv_reply_json(r, 200, o);
}

void h_volume_inspect(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_volume v;
	struct cc_error *err = NULL;
	if (!rt)
		return;
	if (cc_rt_volume_inspect(rt, srv_param(r, 0), &v, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	srv_reply_json(r, 200, api_volume(&v));
	cc_volume_release(&v);
}

void h_volume_create(struct srv_req *r)
{
	json_t *b = srv_body_json(r, false);
	struct cc_runtime *rt = b ? srv_runtime(r) : NULL;
	if (!rt) {
		json_decref(b);
		return;
	}
	/* the contract's driverOpts are the codec's options */
	json_t *opts = json_object_get(b, "driverOpts");
	if (opts)
		json_object_set(b, "options", opts);
	/* extension: without a name the backend makes an anonymous volume and names it */
	if (!json_is_string(json_object_get(b, "name")))
		json_object_set_new(b, "name", json_string(""));
	struct cc_volume in, out;
	struct cc_error *err = NULL;
	int rc = cc_volume_from_json(b, &in, &err);
	json_decref(b);
	if (rc < 0) {
		srv_reply_error(r, &err);
		return;
	}
	if (in.spec.name && !*in.spec.name) {
		free(in.spec.name);
		in.spec.name = NULL;
	}
	rc = cc_rt_volume_create(rt, &in.spec, &out, &err);
	cc_volume_release(&in);
	if (rc < 0) {
		srv_reply_error(r, &err);
		return;
	}
	srv_reply_json(r, 201, api_volume(&out));
	cc_volume_release(&out);
}

void h_volume_remove(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_error *err = NULL;
	if (rt)
		srv_reply_done(
		    r, cc_rt_volume_remove(rt, srv_param(r, 0), srv_query_bool(r, "force", false), &err),
		    &err, 204);
}

void h_volume_prune(struct srv_req *r)
{
	struct cc_runtime *rt = srv_runtime(r);
	cc_strv removed = NULL;
	struct cc_error *err = NULL;
	if (!rt)
		return;
	if (cc_rt_volume_prune(rt, &removed, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "removed", cc_strv_to_json(removed));
	cc_strv_free(removed);
	srv_reply_json(r, 200, o);
}

/* ---- secrets and configs ---- */

static void secret_list(struct srv_req *r, enum cc_secret_kind kind)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_secret *v;
	size_t n;
	struct cc_error *err = NULL;
	if (!rt)
		return;
	if (cc_rt_secret_list(rt, kind, &v, &n, &err) < 0) {
		srv_reply_error(r, &err);
		return;
	}
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, api_secret(&v[i]));
	cc_secrets_free(v, n);
	srv_reply_json(r, 200, a);
}

static void secret_create(struct srv_req *r, enum cc_secret_kind kind)
{
	json_t *b = srv_body_json(r, false);
	struct cc_runtime *rt = b ? srv_runtime(r) : NULL;
	const char *name;
	if (!rt || !body_string(r, b, "name", &name)) {
		json_decref(b);
		return;
	}
	json_t *value = json_object_get(b, "value");
	if (!json_is_string(value)) {
		json_decref(b);
		srv_reply_status(r, 400, "value: required, a string");
		return;
	}
	struct cc_kvs labels = {0};
	struct cc_error *err = NULL;
	json_t *l = json_object_get(b, "labels");
	int rc = l ? cc_kvs_from_json(l, "labels", &labels, &err) : 0;
	if (rc == 0)
		rc = cc_rt_secret_create(rt, kind, name, json_string_value(value), json_string_length(value),
					 &labels, &err);
	cc_kvs_release(&labels);
	if (rc < 0) {
		json_decref(b);
		srv_reply_error(r, &err);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(name));
	json_decref(b);
	srv_reply_json(r, 201, o);
}

/* PUT /secrets/{name} {value}: a new value for an existing one (extension: what up does when a project's
 * secret file changed) */
static void secret_update(struct srv_req *r, enum cc_secret_kind kind)
{
	json_t *b = srv_body_json(r, false);
	struct cc_runtime *rt = b ? srv_runtime(r) : NULL;
	if (!rt) {
		json_decref(b);
		return;
	}
	json_t *value = json_object_get(b, "value");
	struct cc_error *err = NULL;
	if (!json_is_string(value))
		srv_reply_status(r, 400, "value: required, a string");
	else
		srv_reply_done(r,
			       cc_rt_secret_update(rt, kind, srv_param(r, 0), json_string_value(value),
						   json_string_length(value), &err),
			       &err, 204);
	json_decref(b);
}

static void secret_remove(struct srv_req *r, enum cc_secret_kind kind)
{
	struct cc_runtime *rt = srv_runtime(r);
	struct cc_error *err = NULL;
	if (rt)
		srv_reply_done(r, cc_rt_secret_remove(rt, kind, srv_param(r, 0), &err), &err, 204);
}

void h_secret_list(struct srv_req *r)
{
	secret_list(r, CC_SECRET);
}
void h_secret_create(struct srv_req *r)
{
	secret_create(r, CC_SECRET);
}
void h_secret_remove(struct srv_req *r)
{
	secret_remove(r, CC_SECRET);
}
void h_secret_update(struct srv_req *r)
{
	secret_update(r, CC_SECRET);
}
void h_config_update(struct srv_req *r)
{
	secret_update(r, CC_CONFIG);
}
void h_config_list(struct srv_req *r)
{
	secret_list(r, CC_CONFIG);
}
void h_config_create(struct srv_req *r)
{
	secret_create(r, CC_CONFIG);
}
void h_config_remove(struct srv_req *r)
{
	secret_remove(r, CC_CONFIG);
}
