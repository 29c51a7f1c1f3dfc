/* `logs`: the output of a project's containers, merged in time order, or followed live. */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/flags.h"
#include "cli/format.h"
#include "cli/logprint.h"
#include "compose/units.h"

#include <stdlib.h>
#include <string.h>

int cli_logs(struct cli_ctx *ctx, int argc, char **argv)
{
	bool follow = false, timestamps = false, no_prefix = false, no_color = false;
	const char *tail = "all", *since = NULL, *until = NULL;
	long index = 0;
	const struct cli_flag flags[] = {
	    {"follow", 'f', CLI_BOOL, &follow, NULL, "Follow log output"},
	    {"timestamps", 't', CLI_BOOL, &timestamps, NULL, "Show timestamps"},
	    {"tail", 'n', CLI_STR, &tail, "N",
	     "Number of lines to show from the end of the logs (default all)"},
	    {"since", 0, CLI_STR, &since, "TIME", "Show logs since a timestamp or a relative time (42m)"},
	    {"until", 0, CLI_STR, &until, "TIME", "Show logs before a timestamp or a relative time"},
	    {"no-log-prefix", 0, CLI_BOOL, &no_prefix, NULL, "Don't print a prefix in logs"},
	    {"no-color", 0, CLI_BOOL, &no_color, NULL, "Produce monochrome output"},
	    {"index", 0, CLI_INT, &index, "N",
	     "The index of the container if the service has several replicas"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"logs", "[SERVICE...]", "View output from containers", flags, false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	struct cc_log_opts opts = {.follow = follow, .tail = -1};
	int rc = CLI_OK;
	if (strcmp(tail, "all") != 0) {
		char *end;
		opts.tail = strtol(tail, &end, 10);
		if (*end || end == tail || opts.tail < 0) {
			cli_usage_error("logs", "invalid value \"%s\" for --tail", tail);
			rc = CLI_USAGE;
		}
	}
	if (rc == CLI_OK && ((since && cli_parse_when("logs", since, &opts.since_ns) < 0) ||
			     (until && cli_parse_when("logs", until, &opts.until_ns) < 0)))
		rc = CLI_USAGE;
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	if (rc == CLI_OK)
		rc = cli_open(ctx, args, &p, &rt);
	struct cc_container *cs = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	if (rc == CLI_OK &&
	    cc_orch_containers(rt, p->name, args[0] ? args : NULL, true, false, &cs, &n, &err) < 0)
		rc = cli_fail(&err);
	if (rc == CLI_OK && index > 0) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (cc_orch_container_number(&cs[i]) == index)
				cs[k++] = cs[i];
			else
				cc_container_release(&cs[i]);
		}
		n = k;
	}
	if (rc == CLI_OK) {
		if (no_color)
			ctx->ansi = "never";
		struct cli_log_printer lp;
		cli_log_printer_init(&lp, ctx, p->name, cs, n, no_prefix, timestamps);
		lp.buffer = !follow;
		if (cli_stream_logs(rt, cs, n, &opts, &lp) < 0)
			rc = CLI_FAIL;
		if (!follow)
			cli_log_printer_flush(&lp);
		cli_log_printer_release(&lp);
	}
	cc_containers_free(cs, n);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	return rc;
}
