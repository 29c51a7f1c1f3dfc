/* `network ls|inspect|create|rm|connect|disconnect|prune`: the engine's networks, as docker's CLI shows them.
 */
#include "base/cleanup.h"
#include "base/xalloc.h"
#include "cli/objects.h"
#include "runtime/codec.h"

#include <stdio.h>
#include <string.h>

static int network_ls(struct cli_ctx *ctx, int argc, char **argv)
{
	bool quiet = false, no_trunc = false;
	const char *format = "table";
	const struct cli_flag flags[] = {
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Only display network names"},
	    {"no-trunc", 0, CLI_BOOL, &no_trunc, NULL, "Do not truncate the output"},
	    {"format", 0, CLI_STR, &format, "FORMAT", "Format the output: table, json, or a Go template"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"network ls", NULL, "List networks", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	cc_strv_free(args);
	struct cc_runtime *rt = cli_runtime(ctx);
	struct cc_network *nets = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	if (!rt)
		return CLI_FAIL;
	if (cc_rt_network_list(rt, &nets, &n, &err) < 0)
		return cli_fail(&err);
	struct cli_listing l;
	const char *header[] = {"NETWORK ID", "NAME", "DRIVER", "SCOPE", NULL};
	cli_listing_init(&l, header);
	for (size_t i = 0; i < n; i++) {
		const struct cc_network *net = &nets[i];
		char short_id[13];
		snprintf(short_id, sizeof(short_id), "%s", net->id ? net->id : "");
		const char *driver = net->spec.driver ? net->spec.driver : "bridge";
		const char *cells[] = {no_trunc ? net->id : short_id, net->spec.name, driver, "local", NULL};
		json_t *o = json_pack("{ss ss ss ss ss ss ss ss}", "ID", net->id ? net->id : "", "Name",
				      net->spec.name, "Driver", driver, "Scope", "local", "Internal",
				      net->spec.internal ? "true" : "false", "IPv6",
				      net->spec.enable_ipv6 ? "true" : "false", "Subnet",
				      net->spec.subnet ? net->spec.subnet : "", "Gateway",
				      net->spec.gateway ? net->spec.gateway : "");
		cli_listing_add(&l, cells, o, net->spec.name);
	}
	cc_networks_free(nets, n);
	return cli_listing_print(&l, spec.name, format, quiet);
}

static json_t *network_doc(struct cc_runtime *rt, const char *name, struct cc_error **err)
{
	struct cc_network net;
	if (cc_rt_network_inspect(rt, name, &net, err) < 0)
		return NULL;
	json_t *doc = cc_network_to_json(&net);
	cc_network_release(&net);
	return doc;
}

static int network_inspect(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	const struct cli_spec spec = {"network inspect", "NETWORK...",
				      "Display detailed information on networks", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	rc = cli_inspect_each(ctx, spec.name, args, "NETWORK", network_doc);
	cc_strv_free(args);
	return rc;
}

/* docker's repeatable --subnet, --gateway and --ip-range: at most one of each address family, IPv6 ones
 * told by their colons. NULL when a family is given twice. */
static const char *family_pick(char *const *values, bool v6, const char *flag, bool *twice)
{
	const char *found = NULL;
	for (char *const *v = values; v && *v; v++) {
		if ((strchr(*v, ':') != NULL) != v6)
			continue;
		if (found) {
			cli_usage_error("network create", "--%s: one IPv%d value at most", flag, v6 ? 6 : 4);
			*twice = true;
		}
		found = *v;
	}
	return found;
}

static int network_create(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *driver = NULL;
	bool internal = false, attachable = false, ipv6 = false;
	cc_strv labels = NULL, opts = NULL, subnets = NULL, gateways = NULL, ranges = NULL;
	const struct cli_flag flags[] = {
	    {"driver", 'd', CLI_STR, &driver, "DRIVER", "Driver to manage the network (bridge)"},
	    {"subnet", 0, CLI_LIST, &subnets, "CIDR", "Subnet in CIDR format (one IPv4, one IPv6)"},
	    {"gateway", 0, CLI_LIST, &gateways, "IP", "Gateway for the subnet of its address family"},
	    {"ip-range", 0, CLI_LIST, &ranges, "CIDR", "Allocate container addresses from a sub-range"},
	    {"internal", 0, CLI_BOOL, &internal, NULL, "Restrict external access to the network"},
	    {"attachable", 0, CLI_BOOL, &attachable, NULL, "Enable manual container attachment"},
	    {"ipv6", 0, CLI_BOOL, &ipv6, NULL, "Enable IPv6 networking"},
	    {"label", 0, CLI_LIST, &labels, "KEY=VALUE", "Set metadata on a network"},
	    {"opt", 'o', CLI_LIST, &opts, "KEY=VALUE", "Set driver specific options"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"network create", "NETWORK", "Create a network", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	rc = CLI_OK;
	struct cc_runtime *rt = NULL;
	if (!args[0] || args[1]) {
		cli_usage_error(spec.name, "requires exactly 1 argument: NETWORK");
		rc = CLI_USAGE;
	} else if (!(rt = cli_runtime(ctx))) {
		rc = CLI_FAIL;
	}
	bool twice = false;
	struct cc_network_config cfg = {.name = args[0],
					.driver = (char *)driver,
					.subnet = (char *)family_pick(subnets, false, "subnet", &twice),
					.gateway = (char *)family_pick(gateways, false, "gateway", &twice),
					.ip_range = (char *)family_pick(ranges, false, "ip-range", &twice),
					.subnet6 = (char *)family_pick(subnets, true, "subnet", &twice),
					.gateway6 = (char *)family_pick(gateways, true, "gateway", &twice),
					.ip_range6 = (char *)family_pick(ranges, true, "ip-range", &twice),
					.internal = internal,
					.attachable = attachable,
					.enable_ipv6 = ipv6};
	if (rc == CLI_OK && twice)
		rc = CLI_USAGE;
	cli_kvs_from_list(labels, &cfg.labels);
	cli_kvs_from_list(opts, &cfg.options);
	char *id = NULL;
	struct cc_error *err = NULL;
	if (rc == CLI_OK && cc_rt_network_create(rt, &cfg, &id, &err) < 0)
		rc = cli_fail(&err);
	else if (rc == CLI_OK)
		printf("%s\n", id);
	free(id);
	cc_kvs_release(&cfg.labels);
	cc_kvs_release(&cfg.options);
	cc_strv_free(labels);
	cc_strv_free(opts);
	cc_strv_free(subnets);
	cc_strv_free(gateways);
	cc_strv_free(ranges);
	cc_strv_free(args);
	return rc;
}

static int remove_network(struct cc_runtime *rt, const char *name, const void *arg, struct cc_error **err)
{
	(void)arg;
	return cc_rt_network_remove(rt, name, err);
}

static int network_rm(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	const struct cli_spec spec = {"network rm", "NETWORK...", "Remove one or more networks", flags,
				      false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	rc = cli_remove_each(ctx, spec.name, args, "NETWORK", remove_network, NULL);
	cc_strv_free(args);
	return rc;
}

static int network_membership(struct cli_ctx *ctx, int argc, char **argv, bool connect)
{
	cc_strv aliases = NULL;
	bool force = false;
	const struct cli_flag connect_flags[] = {
	    {"alias", 0, CLI_LIST, &aliases, "ALIAS", "Add a network-scoped alias for the container"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_flag disconnect_flags[] = {
	    {"force", 'f', CLI_BOOL, &force, NULL, "Force the container to disconnect from the network"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {connect ? "network connect" : "network disconnect", "NETWORK CONTAINER",
				      connect ? "Connect a container to a network"
					      : "Disconnect a container from a network",
				      connect ? connect_flags : disconnect_flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0) {
		cc_strv_free(aliases);
		return rc;
	}
	rc = CLI_OK;
	struct cc_runtime *rt = NULL;
	if (cc_strv_len(args) != 2) {
		cli_usage_error(spec.name, "requires exactly 2 arguments: NETWORK CONTAINER");
		rc = CLI_USAGE;
	} else if (!(rt = cli_runtime(ctx))) {
		rc = CLI_FAIL;
	}
	struct cc_error *err = NULL;
	if (rc == CLI_OK && (connect ? cc_rt_network_connect(rt, args[0], args[1], aliases, &err)
				     : cc_rt_network_disconnect(rt, args[0], args[1], force, &err)) < 0)
		rc = cli_fail(&err);
	cc_strv_free(aliases);
	cc_strv_free(args);
	return rc;
}

static int network_connect(struct cli_ctx *ctx, int argc, char **argv)
{
	return network_membership(ctx, argc, argv, true);
}

static int network_disconnect(struct cli_ctx *ctx, int argc, char **argv)
{
	return network_membership(ctx, argc, argv, false);
}

static int network_prune(struct cli_ctx *ctx, int argc, char **argv)
{
	bool force = false;
	const struct cli_flag flags[] = {
	    {"force", 'f', CLI_BOOL, &force, NULL, "Do not prompt for confirmation (there is no prompt)"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"network prune", NULL, "Remove all unused networks", flags, false};
	cc_strv args;
	int rc = cli_parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	cc_strv_free(args);
	struct cc_runtime *rt = cli_runtime(ctx);
	if (!rt)
		return CLI_FAIL;
	struct cc_network *nets = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	if (cc_rt_network_list(rt, &nets, &n, &err) < 0)
		return cli_fail(&err);
	rc = CLI_OK;
	bool header = false;
	for (size_t i = 0; i < n; i++) {
		if (nets[i].containers.n)
			continue;
		if (cc_rt_network_remove(rt, nets[i].spec.name, &err) < 0) {
			rc = cli_fail(&err);
			continue;
		}
		if (!header)
			printf("Deleted Networks:\n");
		header = true;
		printf("%s\n", nets[i].spec.name);
	}
	cc_networks_free(nets, n);
	return rc;
}

int cli_network(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
	    {"ls", "list", network_ls, "List networks"},
	    {"inspect", NULL, network_inspect, "Display detailed information on one or more networks"},
	    {"create", NULL, network_create, "Create a network"},
	    {"rm", "remove", network_rm, "Remove one or more networks"},
	    {"connect", NULL, network_connect, "Connect a container to a network"},
	    {"disconnect", NULL, network_disconnect, "Disconnect a container from a network"},
	    {"prune", NULL, network_prune, "Remove all unused networks"},
	    {NULL, NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "network", "Manage networks", subs, argc, argv);
}
