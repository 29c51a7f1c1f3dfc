/* Parsing and building image documents (OCI image-spec and Docker's v2 schema 2, which share their shape). */
#include "engine/image/oci.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "engine/image/reference.h"
#include "runtime/codec.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char *dup_str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? cc_xstrdup(s) : NULL;
}

void cc_oci_descriptor_release(struct cc_oci_descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	free(d->os);
	free(d->arch);
	free(d->variant);
	free(d->ref_name);
	memset(d, 0, sizeof(*d));
}

static int parse_descriptor(json_t *j, const char *what, struct cc_oci_descriptor *out, struct cc_error **err)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j))
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid %s: not an object", what);
	out->media_type = dup_str(j, "mediaType");
	out->digest = dup_str(j, "digest");
	out->size = json_integer_value(json_object_get(j, "size"));
	if (!out->digest || !cc_digest_valid(out->digest) || out->size < 0) {
		cc_oci_descriptor_release(out);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "invalid %s: missing or malformed digest or size", what);
	}
	json_t *plat = json_object_get(j, "platform");
	out->os = dup_str(plat, "os");
	out->arch = dup_str(plat, "architecture");
	out->variant = dup_str(plat, "variant");
	out->ref_name = dup_str(json_object_get(j, "annotations"), "org.opencontainers.image.ref.name");
	return 0;
}

static int load_json(const char *body, size_t len, const char *what, json_t **out, struct cc_error **err)
{
	json_error_t jerr;
	json_t *j = json_loadb(body, len, 0, &jerr);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid %s: %s", what,
				    j ? "not an object" : jerr.text);
	}
	*out = j;
	return 0;
}

bool cc_oci_is_index(const char *media_type, const char *body, size_t len)
{
	if (media_type &&
	    (strcmp(media_type, "application/vnd.oci.image.index.v1+json") == 0 ||
	     strcmp(media_type, "application/vnd.docker.distribution.manifest.list.v2+json") == 0))
		return true;
	if (media_type && *media_type && strstr(media_type, "manifest") && !strstr(media_type, "list"))
		return false;
	json_t *j = json_loadb(body, len, 0, NULL);
	bool idx = json_is_array(json_object_get(j, "manifests"));
	json_decref(j);
	return idx;
}

int cc_oci_parse_manifest(const char *body, size_t len, struct cc_oci_manifest *out, struct cc_error **err)
{
	json_t *j;
	memset(out, 0, sizeof(*out));
	if (load_json(body, len, "manifest", &j, err) < 0)
		return -1;
	int r = 0;
	json_t *layers = json_object_get(j, "layers");
	if (json_integer_value(json_object_get(j, "schemaVersion")) != 2)
		r = cc_error_set(err, CC_ERR_NOT_SUPPORTED, "unsupported manifest: schemaVersion must be 2");
	else if (!json_is_array(layers))
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid manifest: no layers");
	if (r == 0) {
		out->media_type = dup_str(j, "mediaType");
		r = parse_descriptor(json_object_get(j, "config"), "manifest config", &out->config, err);
	}
	if (r == 0) {
		out->layers = cc_xcalloc(json_array_size(layers) + 1, sizeof(*out->layers));
		size_t i;
		json_t *l;
		json_array_foreach(layers, i, l)
		{
			if ((r = parse_descriptor(l, "manifest layer", &out->layers[i], err)) < 0)
				break;
			out->nlayers++;
		}
	}
	json_decref(j);
	if (r < 0)
		cc_oci_manifest_release(out);
	return r;
}

int cc_oci_parse_index(const char *body, size_t len, struct cc_oci_index *out, struct cc_error **err)
{
	json_t *j;
	memset(out, 0, sizeof(*out));
	if (load_json(body, len, "index", &j, err) < 0)
		return -1;
	json_t *ms = json_object_get(j, "manifests");
	int r = 0;
	if (!json_is_array(ms))
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "invalid index: no manifests");
	if (r == 0) {
		out->media_type = dup_str(j, "mediaType");
		out->manifests = cc_xcalloc(json_array_size(ms) + 1, sizeof(*out->manifests));
		size_t i;
		json_t *m;
		json_array_foreach(ms, i, m)
		{
			if ((r = parse_descriptor(m, "index entry", &out->manifests[i], err)) < 0)
				break;
			out->n++;
		}
	}
	json_decref(j);
	if (r < 0)
		cc_oci_index_release(out);
	return r;
}

void cc_oci_manifest_release(struct cc_oci_manifest *m)
{
	free(m->media_type);
	cc_oci_descriptor_release(&m->config);
	for (size_t i = 0; i < m->nlayers; i++)
		cc_oci_descriptor_release(&m->layers[i]);
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

void cc_oci_index_release(struct cc_oci_index *x)
{
	free(x->media_type);
	for (size_t i = 0; i < x->n; i++)
		cc_oci_descriptor_release(&x->manifests[i]);
	free(x->manifests);
	memset(x, 0, sizeof(*x));
}

int cc_oci_select(const struct cc_oci_index *x, const char *platform, const struct cc_oci_descriptor **out,
		  struct cc_error **err)
{
	cleanup_free char *want = cc_xstrdup(platform && *platform ? platform : "linux/amd64");
	char *os = want, *arch = strchr(want, '/'), *variant = NULL;
	if (!arch)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "invalid platform %s: expected os/arch[/variant]", want);
	*arch++ = 0;
	variant = strchr(arch, '/');
	if (variant)
		*variant++ = 0;
	for (size_t i = 0; i < x->n; i++) {
		const struct cc_oci_descriptor *d = &x->manifests[i];
		if (d->os && d->arch && strcmp(d->os, os) == 0 && strcmp(d->arch, arch) == 0 &&
		    (!variant || (d->variant && strcmp(d->variant, variant) == 0))) {
			*out = d;
			return 0;
		}
	}
	cleanup_strbuf struct cc_strbuf offered = CC_STRBUF_INIT;
	for (size_t i = 0; i < x->n; i++)
		cc_strbuf_addf(
		    &offered, "%s%s/%s%s%s", i ? ", " : "", x->manifests[i].os ? x->manifests[i].os : "?",
		    x->manifests[i].arch ? x->manifests[i].arch : "?", x->manifests[i].variant ? "/" : "",
		    x->manifests[i].variant ? x->manifests[i].variant : "");
	return cc_error_set(err, CC_ERR_NOT_FOUND, "no image for platform %s%s%s%s%s (the index offers: %s)",
			    os, "/", arch, variant ? "/" : "", variant ? variant : "",
			    cc_strbuf_str(&offered));
}

static cc_strv strings(json_t *arr)
{
	cc_strv v = cc_xcalloc(1, sizeof(char *));
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s) if (json_is_string(s)) cc_strv_push(&v, json_string_value(s));
	return v;
}

/* The image's HEALTHCHECK as docker writes it: Test and durations in nanoseconds. */
static struct cc_healthcheck *image_healthcheck(json_t *hc)
{
	json_t *test = json_object_get(hc, "Test");
	if (!json_is_array(test) || !json_array_size(test))
		return NULL;
	struct cc_healthcheck *h = cc_xcalloc(1, sizeof(*h));
	h->test = strings(test);
	h->interval_ns = json_integer_value(json_object_get(hc, "Interval"));
	h->timeout_ns = json_integer_value(json_object_get(hc, "Timeout"));
	h->start_period_ns = json_integer_value(json_object_get(hc, "StartPeriod"));
	h->start_interval_ns = json_integer_value(json_object_get(hc, "StartInterval"));
	h->retries = (int)json_integer_value(json_object_get(hc, "Retries"));
	return h;
}

int cc_oci_parse_config(const char *body, size_t len, struct cc_image *img, cc_strv *diff_ids,
			struct cc_error **err)
{
	json_t *j;
	if (load_json(body, len, "image configuration", &j, err) < 0)
		return -1;
	json_t *rootfs = json_object_get(j, "rootfs");
	json_t *ids = json_object_get(rootfs, "diff_ids");
	if (!json_is_array(ids)) {
		json_decref(j);
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "invalid image configuration: no rootfs.diff_ids");
	}
	*diff_ids = strings(ids);
	for (char **d = *diff_ids; *d; d++) {
		if (!cc_digest_valid(*d)) {
			cc_strv_free(*diff_ids);
			*diff_ids = NULL;
			json_decref(j);
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "invalid image configuration: diff id %s", *d);
		}
	}
	json_t *cfg = json_object_get(j, "config");
	img->env = strings(json_object_get(cfg, "Env"));
	img->cmd = strings(json_object_get(cfg, "Cmd"));
	img->entrypoint = strings(json_object_get(cfg, "Entrypoint"));
	img->working_dir = dup_str(cfg, "WorkingDir");
	img->user = dup_str(cfg, "User");
	img->exposed_ports = cc_xcalloc(1, sizeof(char *));
	const char *port;
	json_t *v;
	json_object_foreach(json_object_get(cfg, "ExposedPorts"), port, v)
	    cc_strv_push(&img->exposed_ports, port);
	json_object_foreach(json_object_get(cfg, "Labels"), port, v) if (json_is_string(v))
	    cc_kvs_set(&img->labels, port, json_string_value(v));
	img->healthcheck = image_healthcheck(json_object_get(cfg, "Healthcheck"));
	img->stop_signal = dup_str(cfg, "StopSignal");
	const char *created = json_string_value(json_object_get(j, "created"));
	struct cc_error *terr = NULL;
	if (created && cc_parse_time(created, &img->created_ns, &terr) < 0)
		cc_error_free(terr);
	json_decref(j);
	return 0;
}

static json_t *descriptor_json(const struct cc_oci_descriptor *d)
{
	return json_pack("{ss ss sI}", "mediaType", d->media_type, "digest", d->digest, "size",
			 (json_int_t)d->size);
}

char *cc_oci_build_manifest(const struct cc_oci_descriptor *config, const struct cc_oci_descriptor *layers,
			    size_t nlayers)
{
	json_t *ls = json_array();
	for (size_t i = 0; i < nlayers; i++)
		json_array_append_new(ls, descriptor_json(&layers[i]));
	json_t *m = json_pack("{si ss so so}", "schemaVersion", 2, "mediaType",
			      "application/vnd.oci.image.manifest.v1+json", "config", descriptor_json(config),
			      "layers", ls);
	char *s = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(m);
	return s;
}
