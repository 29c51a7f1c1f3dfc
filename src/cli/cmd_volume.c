/* `volume ls|inspect|create|rm|prune`: the engine's volumes, as docker's CLI shows them; `volumes`: a
 * project's, as docker compose's. */
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli/objects.h"
#include "runtime/codec.h"

#include <stdio.h>
#include <string.h>

/* A volume as docker's `volume ls` shows it: DRIVER, VOLUME NAME; in JSON its labels too, as docker's
 * "k=v,k2=v2" string. */
static void add_volume_row(struct cli_listing *l, const struct cc_volume *v)
{
	const char *driver = v->spec.driver ? v->spec.driver : "local";
	const char *cells[] = {driver, v->spec.name, NULL};
	cleanup_strbuf struct cc_strbuf labels = CC_STRBUF_INIT;
	for (size_t k = 0; k < v->spec.labels.n; k++)
		cc_strbuf_addf(&labels, "%s%s=%s", k ? "," : "", v->spec.labels.items[k].key,
			       v->spec.labels.items[k].value);
	json_t *o =
	    json_pack("{ss ss ss ss ss}", "Driver", driver, "Name", v->spec.name, "Mountpoint",
		      v->mountpoint ? v->mountpoint : "", "Scope", "local", "Labels", cc_strbuf_str(&labels));
	cli_listing_add(l, cells, o, v->spec.name);
}

static int volume_ls(struct cli_ctx *ctx, int argc, char **argv)
{
	bool quiet = false;
	const char *format = "table";
	const struct cli_flag flags[] = {
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Only display volume names"},
	    {"format", 0, CLI_STR, &format, "FORMAT", "Format the output: table, json, or a Go template"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"volume ls", NULL, "List volumes", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	cc_strv_free(args);
	struct cc_runtime *rt = cli_runtime(ctx);
	struct cc_volume *vols = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	if (!rt)
		return CLI_FAIL;
	if (cc_rt_volume_list(rt, &vols, &n, &err) < 0)
		return cli_fail(&err);
	struct cli_listing l;
	const char *header[] = {"DRIVER", "VOLUME NAME", NULL};
	cli_listing_init(&l, header);
	for (size_t i = 0; i < n; i++)
		add_volume_row(&l, &vols[i]);
	cc_volumes_free(vols, n);
	return cli_listing_print(&l, spec.name, format, quiet);
}

static json_t *volume_doc(struct cc_runtime *rt, const char *name, struct cc_error **err)
{
	struct cc_volume v;
	if (cc_rt_volume_inspect(rt, name, &v, err) < 0)
		return NULL;
	json_t *doc = cc_volume_to_json(&v);
	cc_volume_release(&v);
	return doc;
}

static int volume_inspect(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	const struct cli_spec spec = {"volume inspect", "VOLUME...",
				      "Display detailed information on volumes", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	rc = cli_inspect_each(ctx, spec.name, args, "VOLUME", volume_doc);
	cc_strv_free(args);
	return rc;
}

static int volume_create(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *driver = NULL;
	cc_strv labels = NULL, opts = NULL;
	const struct cli_flag flags[] = {
	    {"driver", 'd', CLI_STR, &driver, "DRIVER", "Volume driver name (local)"},
	    {"label", 0, CLI_LIST, &labels, "KEY=VALUE", "Set metadata for a volume"},
	    {"opt", 'o', CLI_LIST, &opts, "KEY=VALUE", "Set driver specific options"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"volume create", "[VOLUME]", "Create a volume", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	rc = CLI_OK;
	struct cc_runtime *rt = NULL;
	if (cc_strv_len(args) > 1) {
		cli_usage_error(spec.name, "requires at most 1 argument: VOLUME");
		rc = CLI_USAGE;
	} else if (!(rt = cli_runtime(ctx))) {
		rc = CLI_FAIL;
	}
	struct cc_volume_config cfg = {.name = args[0], .driver = (char *)driver};
	cli_kvs_from_list(labels, &cfg.labels);
	cli_kvs_from_list(opts, &cfg.options);
	struct cc_volume v = {0};
	struct cc_error *err = NULL;
	if (rc == CLI_OK && cc_rt_volume_create(rt, &cfg, &v, &err) < 0)
		rc = cli_fail(&err);
	else if (rc == CLI_OK)
		printf("%s\n", v.spec.name ? v.spec.name : "");
	if (v.spec.name)
		cc_volume_release(&v);
	cc_kvs_release(&cfg.labels);
	cc_kvs_release(&cfg.options);
	cc_strv_free(labels);
	cc_strv_free(opts);
	cc_strv_free(args);
	return rc;
}

static int remove_volume(struct cc_runtime *rt, const char *name, const void *force, struct cc_error **err)
{
	return cc_rt_volume_remove(rt, name, *(const bool *)force, err);
}

static int volume_rm(struct cli_ctx *ctx, int argc, char **argv)
{
	bool force = false;
	const struct cli_flag flags[] = {
	    {"force", 'f', CLI_BOOL, &force, NULL, "Force the removal of one or more volumes"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"volume rm", "VOLUME...", "Remove one or more volumes", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	rc = cli_remove_each(ctx, spec.name, args, "VOLUME", remove_volume, &force);
	cc_strv_free(args);
	return rc;
}

static int volume_prune(struct cli_ctx *ctx, int argc, char **argv)
{
	bool force = false, all = false;
	const struct cli_flag flags[] = {
	    {"force", 'f', CLI_BOOL, &force, NULL, "Do not prompt for confirmation (there is no prompt)"},
	    {"all", 'a', CLI_BOOL, &all, NULL, "Accepted for docker's CLI; anonymous volumes are pruned"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"volume prune", NULL, "Remove unused anonymous volumes", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	cc_strv_free(args);
	struct cc_runtime *rt = cli_runtime(ctx);
	if (!rt)
		return CLI_FAIL;
	cc_strv removed = NULL;
	struct cc_error *err = NULL;
	if (cc_rt_volume_prune(rt, &removed, &err) < 0)
		return cli_fail(&err);
	if (removed && removed[0])
		printf("Deleted Volumes:\n");
	for (size_t i = 0; removed && removed[i]; i++)
		printf("%s\n", removed[i]);
	cc_strv_free(removed);
	return CLI_OK;
}

int cli_volume(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
	    {"ls", "list", volume_ls, "List volumes"},
	    {"inspect", NULL, volume_inspect, "Display detailed information on one or more volumes"},
	    {"create", NULL, volume_create, "Create a volume"},
	    {"rm", "remove", volume_rm, "Remove one or more volumes"},
	    {"prune", NULL, volume_prune, "Remove unused anonymous volumes"},
	    {NULL, NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "volume", "Manage volumes", subs, argc, argv);
}

/* `volumes [SERVICE...]`: the project's volumes (those labelled with it), or those the named services'
 * containers mount, as docker compose's volumes command lists them. */
int cli_volumes(struct cli_ctx *ctx, int argc, char **argv)
{
	bool quiet = false;
	const char *format = "table";
	const struct cli_flag flags[] = {
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Only display volume names"},
	    {"format", 0, CLI_STR, &format, "FORMAT", "Format the output: table, json, or a Go template"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"volumes", "[SERVICE...]", "List volumes", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	cleanup_free char *project = NULL;
	rc = cli_open_by_name(ctx, args, &p, &rt, &project);
	struct cc_volume *vols = NULL;
	struct cc_container *cs = NULL;
	size_t n = 0, ncs = 0;
	struct cc_error *err = NULL;
	if (rc == CLI_OK &&
	    (cc_rt_volume_list(rt, &vols, &n, &err) < 0 ||
	     (args[0] && cc_orch_containers(rt, project, args, true, false, &cs, &ncs, &err) < 0)))
		rc = cli_fail(&err);
	struct cli_listing l;
	const char *header[] = {"DRIVER", "VOLUME NAME", NULL};
	cli_listing_init(&l, header);
	for (size_t i = 0; rc == CLI_OK && i < n; i++) {
		const struct cc_volume *v = &vols[i];
		const char *owner = cc_kvs_get(&v->spec.labels, CC_LABEL_PROJECT);
		if (!owner || strcmp(owner, project) != 0)
			continue;
		bool mounted = !args[0];
		for (size_t c = 0; c < ncs && !mounted; c++)
			for (size_t m = 0; m < cs[c].spec.nmounts && !mounted; m++)
				mounted = cs[c].spec.mounts[m].type == CC_MOUNT_VOLUME &&
					  cs[c].spec.mounts[m].source &&
					  strcmp(cs[c].spec.mounts[m].source, v->spec.name) == 0;
		if (mounted)
			add_volume_row(&l, v);
	}
	cc_volumes_free(vols, n);
	cc_containers_free(cs, ncs);
	if (rc == CLI_OK)
		rc = cli_listing_print(&l, spec.name, format, quiet);
	else
		cli_listing_print(&l, spec.name, "table", true); /* only releases it: no names were added */
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	return rc;
}
