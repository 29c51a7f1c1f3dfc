/* `secret ls|create|rm` and `config ls|create|rm`: the engine's secrets and configs. Values go in from a file
 * or standard input and never come out: listings show names, sizes and, for configs only, digests (a
 * secret's would let anyone who lists confirm a guessed value). */
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli/format.h"
#include "cli/objects.h"
#include "runtime/codec.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *kind_name(enum cc_secret_kind kind)
{
	return kind == CC_CONFIG ? "config" : "secret";
}

static int secret_ls(struct cli_ctx *ctx, int argc, char **argv, enum cc_secret_kind kind)
{
	bool quiet = false;
	const char *format = "table";
	const struct cli_flag flags[] = {
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Only display names"},
	    {"format", 0, CLI_STR, &format, "FORMAT", "Format the output: table, json, or a Go template"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {kind == CC_CONFIG ? "config ls" : "secret ls", NULL,
				      kind == CC_CONFIG ? "List configs" : "List secrets", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	cc_strv_free(args);
	struct cc_runtime *rt = cli_runtime(ctx);
	struct cc_secret *v = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	if (!rt)
		return CLI_FAIL;
	if (cc_rt_secret_list(rt, kind, &v, &n, &err) < 0)
		return cli_fail(&err);
	struct cli_listing l;
	bool digests = kind == CC_CONFIG;
	const char *header[] = {"NAME", "SIZE", digests ? "DIGEST" : "CREATED", digests ? "CREATED" : NULL,
				NULL};
	cli_listing_init(&l, header);
	for (size_t i = 0; i < n; i++) {
		char size[32];
		snprintf(size, sizeof(size), "%lld", (long long)v[i].size);
		cleanup_strbuf struct cc_strbuf created = CC_STRBUF_INIT;
		cli_format_created_at(v[i].created_ns, &created);
		const char *digest = v[i].digest ? v[i].digest : "";
		const char *cells[] = {v[i].name, size, digests ? digest : cc_strbuf_str(&created),
				       digests ? cc_strbuf_str(&created) : NULL, NULL};
		json_t *o = json_pack("{ss sI ss}", "Name", v[i].name, "Size", (json_int_t)v[i].size,
				      "CreatedAt", cc_strbuf_str(&created));
		if (digests)
			json_object_set_new(o, "Digest", json_string(digest));
		cli_listing_add(&l, cells, o, v[i].name);
	}
	cc_secrets_free(v, n);
	return cli_listing_print(&l, spec.name, format, quiet);
}

static int read_stdin(char **data, size_t *len)
{
	struct cc_strbuf sb = CC_STRBUF_INIT;
	char buf[4096];
	ssize_t r;
	while ((r = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		cc_strbuf_add(&sb, buf, (size_t)r);
	*data = cc_strbuf_detach(&sb, len);
	return r < 0 ? -1 : 0;
}

static int secret_create(struct cli_ctx *ctx, int argc, char **argv, enum cc_secret_kind kind)
{
	cc_strv labels = NULL;
	const struct cli_flag flags[] = {
	    {"label", 'l', CLI_LIST, &labels, "KEY=VALUE", "Labels"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {kind == CC_CONFIG ? "config create" : "secret create", "NAME FILE|-",
				      kind == CC_CONFIG ? "Create a config from a file or standard input"
							: "Create a secret from a file or standard input",
				      flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0) {
		cc_strv_free(labels);
		return rc;
	}
	rc = CLI_OK;
	struct cc_runtime *rt = NULL;
	cleanup_free char *data = NULL;
	size_t len = 0;
	struct cc_error *err = NULL;
	if (cc_strv_len(args) != 2) {
		cli_usage_error(spec.name, "requires exactly 2 arguments: NAME FILE (- for standard input)");
		rc = CLI_USAGE;
	} else if (strcmp(args[1], "-") == 0 ? read_stdin(&data, &len) < 0
					     : cc_read_file(args[1], &data, &len, &err) < 0) {
		rc = err ? cli_fail(&err)
			 : (fprintf(stderr, "error: reading standard input failed\n"), CLI_FAIL);
	} else if (!(rt = cli_runtime(ctx))) {
		rc = CLI_FAIL;
	}
	struct cc_kvs kv = {0};
	cli_kvs_from_list(labels, &kv);
	if (rc == CLI_OK && cc_rt_secret_create(rt, kind, args[0], data, len, &kv, &err) < 0)
		rc = cli_fail(&err);
	else if (rc == CLI_OK)
		printf("%s\n", args[0]);
	cc_kvs_release(&kv);
	cc_strv_free(labels);
	cc_strv_free(args);
	return rc;
}

static int remove_secret(struct cc_runtime *rt, const char *name, const void *kind, struct cc_error **err)
{
	return cc_rt_secret_remove(rt, *(const enum cc_secret_kind *)kind, name, err);
}

static int secret_rm(struct cli_ctx *ctx, int argc, char **argv, enum cc_secret_kind kind)
{
	const struct cli_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	const struct cli_spec spec = {kind == CC_CONFIG ? "config rm" : "secret rm", "NAME...",
				      kind == CC_CONFIG ? "Remove configs" : "Remove secrets", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	rc = cli_remove_each(ctx, spec.name, args, "NAME", remove_secret, &kind);
	cc_strv_free(args);
	return rc;
}

static int s_ls(struct cli_ctx *c, int n, char **v)
{
	return secret_ls(c, n, v, CC_SECRET);
}
static int s_create(struct cli_ctx *c, int n, char **v)
{
	return secret_create(c, n, v, CC_SECRET);
}
static int s_rm(struct cli_ctx *c, int n, char **v)
{
	return secret_rm(c, n, v, CC_SECRET);
}
static int c_ls(struct cli_ctx *c, int n, char **v)
{
	return secret_ls(c, n, v, CC_CONFIG);
}
static int c_create(struct cli_ctx *c, int n, char **v)
{
	return secret_create(c, n, v, CC_CONFIG);
}
static int c_rm(struct cli_ctx *c, int n, char **v)
{
	return secret_rm(c, n, v, CC_CONFIG);
}

int cli_secret(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
	    {"ls", "list", s_ls, "List secrets"},
	    {"create", NULL, s_create, "Create a secret from a file or standard input"},
	    {"rm", "remove", s_rm, "Remove one or more secrets"},
	    {NULL, NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, kind_name(CC_SECRET), "Manage secrets", subs, argc, argv);
}

int cli_config_object(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
	    {"ls", "list", c_ls, "List configs"},
	    {"create", NULL, c_create, "Create a config from a file or standard input"},
	    {"rm", "remove", c_rm, "Remove one or more configs"},
	    {NULL, NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, kind_name(CC_CONFIG), "Manage configs", subs, argc, argv);
}
