/* `system status|generate-key|list-keys|revoke-key|generate-cert`: the daemon's credentials and a probe. */
#include "api/cert.h"
#include "api/tokens.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "cli/format.h"
#include "cli/objects.h"
#include "remote/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse a command that takes exactly one NAME: -1 when it goes on (*args owned by the caller, *name in it),
 * else the exit code. */
static int parse_one_name(const struct cli_spec *spec, int argc, char **argv, cc_strv *args,
			  const char **name)
{
	int rc = cli_parse_or_exit(spec, argc, argv, args);
	if (rc >= 0)
		return rc;
	if (!*args || !(*args)[0] || (*args)[1]) {
		cli_usage_error(spec->name, "expected exactly one NAME");
		cc_strv_free(*args);
		*args = NULL;
		return CLI_USAGE;
	}
	*name = (*args)[0];
	return -1;
}

static int generate_key(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	const struct cli_spec spec = {"system generate-key", "NAME", "Create an API token", flags, false};
	cc_strv args = NULL;
	const char *name;
	int rc = parse_one_name(&spec, argc, argv, &args, &name);
	if (rc >= 0)
		return rc;
	char *root = cli_state_root(ctx), *token = NULL;
	struct cc_error *err = NULL;
	rc = api_token_generate(root, name, &token, &err) < 0 ? cli_fail(&err) : CLI_OK;
	if (rc == CLI_OK) {
		fprintf(stderr, "Key \"%s\" created. This is the only time the token is shown:\n", name);
		printf("%s\n", token);
	}
	free(token);
	free(root);
	cc_strv_free(args);
	return rc;
}

static int list_keys(struct cli_ctx *ctx, int argc, char **argv)
{
	bool quiet = false;
	const char *format = "table";
	const struct cli_flag flags[] = {
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Only display key names"},
	    {"format", 0, CLI_STR, &format, "FORMAT", "Format the output: table, json, or a Go template"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"system list-keys", NULL, "List API tokens (names only)", flags, false};
	int rc = cli_parse_no_args(&spec, argc, argv);
	if (rc >= 0)
		return rc;
	char *root = cli_state_root(ctx);
	struct api_key *keys;
	size_t n;
	struct cc_error *err = NULL;
	rc = api_token_list(root, &keys, &n, &err);
	free(root);
	if (rc < 0)
		return cli_fail(&err);
	struct cli_listing l;
	const char *header[] = {"NAME", "CREATED", NULL};
	cli_listing_init(&l, header);
	for (size_t i = 0; i < n; i++) {
		struct cc_strbuf created = CC_STRBUF_INIT;
		cli_format_created_at(keys[i].created_ns, &created);
		const char *row[] = {keys[i].name, created.buf ? created.buf : "", NULL};
		json_t *o = json_object();
		json_object_set_new(o, "Name", json_string(keys[i].name));
		json_object_set_new(o, "CreatedAt", json_string(created.buf ? created.buf : ""));
		cli_listing_add(&l, row, o, keys[i].name);
		cc_strbuf_release(&created);
	}
	api_keys_free(keys, n);
	return cli_listing_print(&l, "system list-keys", format, quiet);
}

static int revoke_key(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	const struct cli_spec spec = {"system revoke-key", "NAME", "Revoke an API token", flags, false};
	cc_strv args = NULL;
	const char *name;
	int rc = parse_one_name(&spec, argc, argv, &args, &name);
	if (rc >= 0)
		return rc;
	char *root = cli_state_root(ctx);
	struct cc_error *err = NULL;
	rc = api_token_revoke(root, name, &err) < 0 ? cli_fail(&err) : CLI_OK;
	if (rc == CLI_OK)
		printf("%s\n", name);
	free(root);
	cc_strv_free(args);
	return rc;
}

static int generate_cert(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *out_dir = NULL, *cn = NULL;
	long days = 365;
	cc_strv dns = NULL, ips = NULL;
	bool force = false;
	const struct cli_flag flags[] = {
	    {"out-dir", 0, CLI_STR, &out_dir, "DIR",
	     "Where cert.pem and key.pem go (default: the state root)"},
	    {"cn", 0, CLI_STR, &cn, "NAME", "Common name (default localhost)"},
	    {"days", 0, CLI_INT, &days, "N", "Validity in days (default 365)"},
	    {"san-dns", 0, CLI_LIST, &dns, "HOST", "DNS subject alternative name (repeatable)"},
	    {"san-ip", 0, CLI_LIST, &ips, "ADDR", "IP subject alternative name (repeatable)"},
	    {"force", 0, CLI_BOOL, &force, NULL, "Replace existing files"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"system generate-cert", NULL,
				      "Create a self-signed P-256 certificate for serve --listen tls://",
				      flags, false};
	int rc = cli_parse_no_args(&spec, argc, argv);
	if (rc >= 0)
		return rc;
	char *root = cli_state_root(ctx);
	struct api_cert_opts o = {.out_dir = out_dir ? out_dir : root,
				  .cn = cn,
				  .days = (int)days,
				  .dns = dns,
				  .ips = ips,
				  .force = force};
	struct cc_error *err = NULL;
	rc = api_generate_cert(&o, &err) < 0 ? cli_fail(&err) : CLI_OK;
	if (rc == CLI_OK)
		printf("%s/cert.pem\n%s/key.pem\n", o.out_dir, o.out_dir);
	free(root);
	cc_strv_free(dns);
	cc_strv_free(ips);
	return rc;
}

static int status(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *listen = NULL, *cacert = NULL, *token = NULL;
	const struct cli_flag flags[] = {
	    {"listen", 0, CLI_STR, &listen, "URL", "The daemon's address (default unix://<root>/api.sock)"},
	    {"cacert", 0, CLI_STR, &cacert, "FILE", "CA certificate for tls://"},
	    {"token", 0, CLI_STR, &token, "TOKEN", "API token"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"system status", NULL, "Say whether the daemon answers", flags, false};
	int rc = cli_parse_no_args(&spec, argc, argv);
	if (rc >= 0)
		return rc;
	char *root = cli_state_root(ctx);
	char *url = listen            ? cc_xstrdup(listen)
		    : ctx->remote.url ? cc_xstrdup(ctx->remote.url)
				      : cc_xasprintf("unix://%s/api.sock", root);
	struct cc_remote_target t = ctx->remote;
	t.url = url;
	if (cacert)
		t.cacert = cacert;
	if (token)
		t.token = token;
	struct rc_client *c = NULL;
	struct cc_error *err = NULL;
	json_t *ping = NULL, *info = NULL;
	bool up = rc_client_new(&t, &c, &err) == 0 && rc_get_json(c, "/_ping", &ping, &err) == 0;
	if (up && rc_get_json(c, "/info", &info, &err) < 0)
		cc_error_release(&err);
	/* a 401 or 403 is a daemon answering too: it wants credentials this call did not bring */
	bool locked = !up && err && err->kind == CC_ERR_PERMISSION;
	bool is_unix = strncmp(url, "unix://", 7) == 0;
	printf("Daemon:   %s\n", up || locked ? "running" : "not running");
	printf("%s %s\n", is_unix ? "Socket:  " : "Address: ", url);
	if (info)
		printf("Registry: %s (%lld containers)\n", root,
		       (long long)json_integer_value(json_object_get(info, "containerCount")));
	else
		printf("Registry: %s\n", root);
	if (up)
		printf("Server:   %s %s (backend %s)\n",
		       json_string_value(json_object_get(ping, "server"))
			   ? json_string_value(json_object_get(ping, "server"))
			   : "?",
		       json_string_value(json_object_get(ping, "version"))
			   ? json_string_value(json_object_get(ping, "version"))
			   : "?",
		       info && json_string_value(json_object_get(info, "runtimeBackend"))
			   ? json_string_value(json_object_get(info, "runtimeBackend"))
			   : "?");
	else if (locked)
		printf("Server:   refuses without credentials (%s): pass --token or set "
		       "CONTAINER_COMPOSE_TOKEN\n",
		       err->msg);
	else
		printf("Server:   %s\nTo start the daemon: container-compose serve\n",
		       err ? err->msg : "no answer");
	cc_error_release(&err);
	json_decref(ping);
	json_decref(info);
	rc_client_free(c);
	free(url);
	free(root);
	return up || locked ? CLI_OK : CLI_FAIL;
}

int cli_system(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
	    {"status", NULL, status, "Say whether the daemon answers"},
	    {"generate-key", NULL, generate_key, "Create an API token"},
	    {"list-keys", NULL, list_keys, "List API tokens"},
	    {"revoke-key", NULL, revoke_key, "Revoke an API token"},
	    {"generate-cert", NULL, generate_cert, "Create a self-signed TLS certificate"},
	    {NULL, NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "system", "Manage the daemon's credentials and check on it", subs, argc,
			    argv);
}
