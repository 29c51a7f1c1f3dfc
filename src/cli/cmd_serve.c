/* `serve`: the REST daemon in the foreground (design/API.md "Daemon lifecycle and transports"). */
#include "base/xalloc.h"
#include "cli/objects.h"
#include "server/server.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_serve(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *listen = NULL, *socket = NULL, *cert = NULL, *key = NULL, *client_ca = NULL;
	bool insecure = false, auth_required = false, routes = false;
	long threads = 0;
	const struct cli_flag flags[] = {
	    {"listen", 0, CLI_STR, &listen, "URL",
	     "unix:///path, unix://~/path, tcp://host:port or tls://host:port (default "
	     "unix://<root>/api.sock)"},
	    {"socket", 0, CLI_STR, &socket, "PATH", "Deprecated: same as --listen unix://PATH"},
	    {"cert", 0, CLI_STR, &cert, "FILE", "TLS certificate (PEM; default <root>/cert.pem)"},
	    {"key", 0, CLI_STR, &key, "FILE", "TLS private key (PEM; default <root>/key.pem)"},
	    {"client-ca", 0, CLI_STR, &client_ca, "FILE", "Require client certificates signed by this CA"},
	    {"insecure", 0, CLI_BOOL, &insecure, NULL, "Allow plain TCP on a non-loopback address"},
	    {"auth-required", 0, CLI_BOOL, &auth_required, NULL, "Require API tokens on a unix socket too"},
	    {"threads", 0, CLI_INT, &threads, "N",
	     "HTTP worker threads (default: one fewer than the CPUs, at least 1)"},
	    {"routes", 0, CLI_BOOL, &routes, NULL, "Print the route table (METHOD PATH) and exit"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"serve", NULL, "Run the REST API daemon in the foreground", flags,
				      false};
	int rc = cli_parse_no_args(&spec, argc, argv);
	if (rc >= 0)
		return rc;
	if (routes) {
		srv_print_routes(stdout);
		return CLI_OK;
	}
	if (listen && socket) {
		cli_usage_error("serve", "give --listen or --socket, not both");
		return CLI_USAGE;
	}
	/* Every request allocates and frees its answer (a 100-container list is ~70 KB) on its worker
	 * thread's arena. With glibc's defaults that arena's top is given back to the kernel after each one
	 * and faulted in again by the next (a fifth of the daemon's CPU in bench/api): keep up to 4 MB of it,
	 * and keep answers under 1 MB off mmap(). This process only ever runs the daemon. */
	mallopt(M_TRIM_THRESHOLD, 4 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	char *root = cli_state_root(ctx);
	char *url = NULL;
	if (socket) {
		fprintf(stderr, "warning: --socket is deprecated; use --listen unix://%s\n", socket);
		url = cc_xasprintf("unix://%s", socket);
	} else if (listen) {
		url = cc_xstrdup(listen);
	} else {
		url = cc_xasprintf("unix://%s/api.sock", root);
	}
	struct srv_config cfg = {.root = root,
				 .backend = ctx->backend,
				 .docker_host = ctx->docker_host,
				 .oci_runtime = ctx->oci_runtime,
				 .cleanup_exe = ctx->self_exe,
				 .listen = url,
				 .cert = cert,
				 .key = key,
				 .client_ca = client_ca,
				 .insecure = insecure,
				 .auth_required = auth_required,
				 .threads = (int)threads,
				 .out = stdout};
	enum srv_outcome outcome;
	struct cc_error *err = NULL;
	rc = srv_run(&cfg, &outcome, &err) < 0 ? cli_fail(&err) : CLI_OK;
	free(url);
	free(root);
	return rc;
}
