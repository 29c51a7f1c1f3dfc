/* Commands that look at a project's containers: top, port, images, events, wait, stats; and the ones that
 * move bytes: cp, pull, build. */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/flags.h"
#include "cli/format.h"
#include "cli/gotemplate.h"
#include "compose/units.h"
#include "runtime/codec.h"

#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Parse, load the project, list the named services' containers. */
struct listing {
	cc_strv args;
	struct cc_project *p;
	struct cc_runtime *rt;
	struct cc_container *cs;
	size_t n;
};

static int open_listing(struct cli_ctx *ctx, const struct cli_spec *spec, int argc, char **argv, bool all,
			struct listing *l)
{
	memset(l, 0, sizeof(*l));
	int pr = cli_parse(spec, argc, argv, &l->args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? -CLI_OK - 1 : CLI_USAGE;
	int rc = cli_open(ctx, l->args, &l->p, &l->rt);
	struct cc_error *err = NULL;
	if (rc == CLI_OK && cc_orch_containers(l->rt, l->p->name, l->args[0] ? l->args : NULL, all, false,
					       &l->cs, &l->n, &err) < 0)
		rc = cli_fail(&err);
	return rc;
}

static void close_listing(struct listing *l)
{
	cc_containers_free(l->cs, l->n);
	if (l->p)
		cli_release_project(l->p);
	cc_strv_free(l->args);
}

/* open_listing's "help was printed" code becomes success. */
static int listing_rc(int rc)
{
	return rc == -CLI_OK - 1 ? CLI_OK : rc;
}

int cli_top(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	const struct cli_spec spec = {"top", "[SERVICES...]", "Display the running processes", flags, false};
	struct listing l;
	int rc = open_listing(ctx, &spec, argc, argv, false, &l);
	for (size_t i = 0; rc == CLI_OK && i < l.n; i++) {
		struct cc_top top;
		struct cc_error *err = NULL;
		if (cc_rt_container_top(l.rt, l.cs[i].id, &top, &err) < 0) {
			rc = cli_fail(&err);
			break;
		}
		printf("%s%s\n", i ? "\n" : "", l.cs[i].name);
		cc_strv *rows = cc_xcalloc(top.nrows + 1, sizeof(cc_strv));
		rows[0] = top.titles;
		for (size_t r = 0; r < top.nrows; r++)
			rows[r + 1] = top.rows[r];
		cli_print_table(rows, top.nrows + 1);
		free(rows);
		cc_top_release(&top);
	}
	close_listing(&l);
	return listing_rc(rc);
}

int cli_port(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *protocol = "tcp";
	long index = 1;
	const struct cli_flag flags[] = {
	    {"protocol", 0, CLI_STR, &protocol, "PROTO", "tcp or udp (default tcp)"},
	    {"index", 0, CLI_INT, &index, "N", "Index of the container if the service has several replicas"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"port", "SERVICE PRIVATE_PORT",
				      "Print the public port for a port binding", flags, false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	int rc = CLI_OK;
	char *end = NULL;
	long port = cc_strv_len(args) == 2 ? strtol(args[1], &end, 10) : 0;
	if (cc_strv_len(args) != 2 || *end || port < 1 || port > 65535) {
		cli_usage_error("port", "expected SERVICE PRIVATE_PORT (a port number)");
		rc = CLI_USAGE;
	}
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	char *const svc[] = {rc == CLI_OK ? args[0] : NULL, NULL};
	if (rc == CLI_OK)
		rc = cli_open(ctx, svc, &p, &rt);
	struct cc_container c = {0};
	if (rc == CLI_OK)
		rc = cli_service_container(rt, p->name, args[0], index, true, false, &c);
	bool found = false;
	for (size_t k = 0; rc == CLI_OK && k < c.npublished && !found; k++) {
		const struct cc_port_binding *b = &c.published[k];
		if (b->container_port == port && strcmp(b->protocol, protocol) == 0 && b->host_port) {
			printf("%s:%u\n", b->host_ip ? b->host_ip : "0.0.0.0", b->host_port);
			found = true;
		}
	}
	if (rc == CLI_OK && !found) {
		fprintf(stderr, "error: no port %ld/%s published by %s\n", port, protocol, c.name);
		rc = CLI_FAIL;
	}
	cc_container_release(&c);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	return rc;
}

int cli_images(struct cli_ctx *ctx, int argc, char **argv)
{
	bool quiet = false;
	const char *format = "table";
	const struct cli_flag flags[] = {
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Only display IDs"},
	    {"format", 0, CLI_STR, &format, "FORMAT", "Format the output: table, json, or a Go template"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"images", "[SERVICE...]", "List images used by the created containers",
				      flags, false};
	struct listing l;
	int rc = open_listing(ctx, &spec, argc, argv, true, &l);
	struct cli_format fmt = {0};
	if (rc == CLI_OK && cli_format_parse("images", format, &fmt) < 0)
		rc = CLI_USAGE;
	cc_strv *rows = cc_xcalloc(l.n + 2, sizeof(cc_strv));
	size_t nrows = 0;
	const char *header[] = {"CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE", NULL};
	rows[nrows++] = cc_strv_copy((char *const *)header);
	json_t *arr = json_array();
	for (size_t i = 0; rc == CLI_OK && i < l.n; i++) {
		struct cc_image img;
		struct cc_error *err = NULL;
		if (cc_rt_image_inspect(l.rt, l.cs[i].spec.image, &img, &err) < 0) {
			rc = cli_fail(&err);
			break;
		}
		cleanup_free char *repo = cc_xstrdup(l.cs[i].spec.image);
		char *colon = strrchr(repo, ':');
		const char *tag = "latest";
		if (colon && !strchr(colon, '/')) {
			*colon = 0;
			tag = colon + 1;
		}
		const char *id = strncmp(img.id, "sha256:", 7) == 0 ? img.id + 7 : img.id;
		char short_id[13];
		snprintf(short_id, sizeof(short_id), "%s", id);
		char size[32];
		snprintf(size, sizeof(size), "%.1fMB", (double)img.size / 1e6);
		if (quiet)
			printf("%s\n", id);
		const char *row[] = {l.cs[i].name, repo, tag, short_id, size, NULL};
		rows[nrows++] = cc_strv_copy((char *const *)row);
		json_t *o = json_pack("{ss ss ss ss sI}", "ContainerName", l.cs[i].name, "Repository", repo,
				      "Tag", tag, "ID", img.id, "Size", (json_int_t)img.size);
		json_array_append(arr, o);
		if (fmt.kind == CLI_FORMAT_TEMPLATE && !quiet)
			cli_format_row(&fmt, o);
		else
			json_decref(o);
		cc_image_release(&img);
	}
	static const char *const headers[] = {"ID", "IMAGE ID", "ContainerName", "CONTAINER", NULL};
	if (rc != CLI_OK || quiet)
		cli_format_abandon(&fmt);
	else if (cli_format_finish(&fmt, headers) < 0)
		rc = CLI_FAIL;
	if (fmt.kind == CLI_FORMAT_TEMPLATE) {
		/* printed row by row */
	} else if (rc == CLI_OK && !quiet && fmt.kind == CLI_FORMAT_JSON) {
		char *text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
	} else if (rc == CLI_OK && !quiet) {
		cli_print_table(rows, nrows);
	}
	json_decref(arr);
	for (size_t i = 0; i < nrows; i++)
		cc_strv_free(rows[i]);
	free(rows);
	close_listing(&l);
	return listing_rc(rc);
}

struct events_ctx {
	bool json;
	const char *project;
	char *const *services;
};

static bool wanted_service(char *const *services, const char *svc)
{
	if (!services || !services[0])
		return true;
	for (char *const *s = services; *s; s++)
		if (svc && strcmp(*s, svc) == 0)
			return true;
	return false;
}

static int print_event(void *ctx, const struct cc_event *e)
{
	struct events_ctx *ec = ctx;
	const char *svc = cc_kvs_get(&e->attributes, CC_LABEL_SERVICE);
	if (!wanted_service(ec->services, svc))
		return 0;
	cleanup_strbuf struct cc_strbuf line = CC_STRBUF_INIT;
	if (ec->json) {
		cleanup_strbuf struct cc_strbuf t = CC_STRBUF_INIT;
		cc_format_iso8601(e->time_ns, 1, &t);
		json_t *attrs = cc_kvs_to_json(&e->attributes);
		json_t *j = json_pack("{ss ss ss ss ss so}", "time", cc_strbuf_str(&t), "type", e->type,
				      "action", e->action, "id", e->id ? e->id : "", "service",
				      svc ? svc : "", "attributes", attrs);
		char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		cc_strbuf_adds(&line, text);
		free(text);
		json_decref(j);
	} else {
		cc_format_iso8601(e->time_ns, 1, &line);
		cc_strbuf_addf(&line, " %s %s %s (", e->type, e->action, e->id ? e->id : "");
		for (size_t i = 0; i < e->attributes.n; i++)
			cc_strbuf_addf(&line, "%s%s=%s", i ? ", " : "", e->attributes.items[i].key,
				       e->attributes.items[i].value);
		cc_strbuf_addch(&line, ')');
	}
	printf("%s\n", cc_strbuf_str(&line));
	fflush(stdout);
	return 0;
}

int cli_events(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const char *since = NULL, *until = NULL;
	const struct cli_flag flags[] = {
	    {"json", 0, CLI_BOOL, &json, NULL, "Output events as a stream of json objects"},
	    {"since", 0, CLI_STR, &since, "TIME", "Show all events created since timestamp"},
	    {"until", 0, CLI_STR, &until, "TIME", "Stream events until this timestamp"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"events", "[SERVICE...]", "Receive real time events from containers",
				      flags, false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	struct cc_event_filter f = {.type = "container", .follow = true};
	int rc = CLI_OK;
	if ((since && cli_parse_when("events", since, &f.since_ns) < 0) ||
	    (until && cli_parse_when("events", until, &f.until_ns) < 0))
		rc = CLI_USAGE;
	/* without --since, a live stream starts now, as docker's does */
	if (!since)
		f.since_ns = cc_now_ns();
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	if (rc == CLI_OK)
		rc = cli_open(ctx, args, &p, &rt);
	if (rc == CLI_OK) {
		f.project = p->name;
		struct events_ctx ec = {json, p->name, args};
		struct cc_event_sink sink = {print_event, &ec, NULL};
		struct cc_error *err = NULL;
		if (cc_rt_events(rt, &f, &sink, &err) < 0)
			rc = cli_fail(&err);
	}
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	return rc;
}

int cli_wait(struct cli_ctx *ctx, int argc, char **argv)
{
	bool down_project = false;
	const struct cli_flag flags[] = {
	    {"down-project", 0, CLI_BOOL, &down_project, NULL,
	     "Drops project when the first container stops"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"wait", "SERVICE [SERVICE...]",
				      "Block until the first service container stops", flags, false};
	struct listing l;
	int rc = open_listing(ctx, &spec, argc, argv, true, &l);
	if (rc == CLI_OK && !l.args[0]) {
		cli_usage_error("wait", "requires at least 1 argument: SERVICE");
		rc = CLI_USAGE;
	}
	struct cc_error *err = NULL;
	int code = -1;
	while (rc == CLI_OK && code < 0) {
		size_t up = 0;
		for (size_t i = 0; i < l.n && code < 0; i++) {
			struct cc_container c;
			if (cc_rt_container_inspect(l.rt, l.cs[i].id, &c, &err) < 0) {
				rc = cli_fail(&err);
				break;
			}
			if (cc_orch_is_up(&c))
				up++;
			else if (c.state != CC_STATE_CREATED)
				code = c.exit_code;
			cc_container_release(&c);
		}
		if (rc == CLI_OK && code < 0 && up == 0) {
			fprintf(stderr, "error: no running container of %s to wait for\n", l.args[0]);
			rc = CLI_FAIL;
		}
		if (code < 0)
			cc_sleep_ns(100 * CC_NS_PER_MSEC);
	}
	if (rc == CLI_OK && down_project) {
		struct cli_ui ui;
		cli_ui_init(ctx, &ui);
		struct cc_down_opts o = {.timeout_ns = -1, .parallel = (int)ctx->parallel};
		if (cc_orch_down(l.rt, l.p->name, l.p, &o, &ui.ui, &err) < 0)
			rc = cli_fail(&err);
		cli_ui_release(&ui);
	}
	close_listing(&l);
	return rc == CLI_OK ? code : listing_rc(rc);
}

static void human_bytes(uint64_t b, struct cc_strbuf *out)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	size_t u = 0;
	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	cc_strbuf_addf(out, u ? "%.2f%s" : "%.0f%s", v, units[u]);
}

int cli_stats(struct cli_ctx *ctx, int argc, char **argv)
{
	bool all = false, no_stream = false, no_trunc = false;
	const char *format = "table";
	const struct cli_flag flags[] = {
	    {"all", 'a', CLI_BOOL, &all, NULL, "Show all containers (default shows just running)"},
	    {"no-stream", 0, CLI_BOOL, &no_stream, NULL,
	     "Disable streaming stats and only pull the first result"},
	    {"no-trunc", 0, CLI_BOOL, &no_trunc, NULL, "Do not truncate output"},
	    {"format", 0, CLI_STR, &format, "FORMAT", "Format the output: table, json, or a Go template"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"stats", "[SERVICE]",
				      "Display a live stream of container(s) resource usage", flags, false};
	struct listing l;
	int rc = open_listing(ctx, &spec, argc, argv, all, &l);
	struct cli_format fmt = {0};
	if (rc == CLI_OK && cli_format_parse("stats", format, &fmt) < 0)
		rc = CLI_USAGE;
	bool json = fmt.kind == CLI_FORMAT_JSON;
	/* CPU % is a rate: the change between two samples, as docker computes it from its precpu figures */
	uint64_t *prev_cpu = cc_xcalloc(l.n + 1, sizeof(*prev_cpu));
	uint64_t *prev_sys = cc_xcalloc(l.n + 1, sizeof(*prev_sys));
	if (rc == CLI_OK && !json && l.n) {
		for (size_t i = 0; i < l.n; i++) {
			struct cc_stats s;
			struct cc_error *err = NULL;
			if (cc_rt_container_stats(l.rt, l.cs[i].id, &s, &err) < 0) {
				cc_error_free(err); /* the sampling pass below reports it */
				continue;
			}
			prev_cpu[i] = s.cpu_usage_us;
			prev_sys[i] = s.system_cpu_us;
			cc_stats_release(&s);
		}
		cc_sleep_ns(250 * CC_NS_PER_MSEC);
	}
	for (;;) {
		cc_strv *rows = cc_xcalloc(l.n + 2, sizeof(cc_strv));
		size_t nrows = 0;
		const char *header[] = {"CONTAINER ID",      "NAME",  "CPU %",
					"MEM USAGE / LIMIT", "MEM %", "NET I/O",
					"BLOCK I/O",         "PIDS",  NULL};
		rows[nrows++] = cc_strv_copy((char *const *)header);
		for (size_t i = 0; rc == CLI_OK && i < l.n; i++) {
			struct cc_stats s;
			struct cc_error *err = NULL;
			if (cc_rt_container_stats(l.rt, l.cs[i].id, &s, &err) < 0) {
				rc = cli_fail(&err);
				break;
			}
			cleanup_strbuf struct cc_strbuf mem = CC_STRBUF_INIT, net = CC_STRBUF_INIT,
							blk = CC_STRBUF_INIT;
			uint64_t rx = 0, tx = 0;
			for (size_t k = 0; k < s.nnetifs; k++)
				rx += s.netifs[k].rx_bytes, tx += s.netifs[k].tx_bytes;
			human_bytes(s.memory_usage, &mem);
			cc_strbuf_adds(&mem, " / ");
			human_bytes(s.memory_limit, &mem);
			human_bytes(rx, &net);
			cc_strbuf_adds(&net, " / ");
			human_bytes(tx, &net);
			human_bytes(s.block_read, &blk);
			cc_strbuf_adds(&blk, " / ");
			human_bytes(s.block_write, &blk);
			char id[13], mempct[16], pids[24], cpupct[16];
			uint64_t dcpu = s.cpu_usage_us - prev_cpu[i], dsys = s.system_cpu_us - prev_sys[i];
			snprintf(cpupct, sizeof(cpupct), "%.2f%%",
				 s.cpu_usage_us >= prev_cpu[i] && s.system_cpu_us > prev_sys[i]
				     ? 100.0 * (double)dcpu / (double)dsys * s.online_cpus
				     : 0.0);
			prev_cpu[i] = s.cpu_usage_us;
			prev_sys[i] = s.system_cpu_us;
			snprintf(id, sizeof(id), "%s", s.id);
			snprintf(mempct, sizeof(mempct), "%.2f%%",
				 s.memory_limit ? 100.0 * (double)s.memory_usage / (double)s.memory_limit
						: 0.0);
			snprintf(pids, sizeof(pids), "%llu", (unsigned long long)s.pids);
			if (fmt.kind == CLI_FORMAT_TABLE) {
				const char *row[] = {no_trunc ? s.id : id, s.name, cpupct,
						     cc_strbuf_str(&mem),  mempct, cc_strbuf_str(&net),
						     cc_strbuf_str(&blk),  pids,   NULL};
				rows[nrows++] = cc_strv_copy((char *const *)row);
			} else {
				/* the API's frame with docker's own fields beside it, the ones docker's
				 * `stats --format` templates name */
				json_t *o = cc_stats_to_json(&s);
				json_t *docker = json_pack("{ss ss ss ss ss ss ss ss ss}", "Container",
							   s.name, "Name", s.name, "ID", s.id, "CPUPerc",
							   cpupct, "MemUsage", cc_strbuf_str(&mem), "MemPerc",
							   mempct, "NetIO", cc_strbuf_str(&net), "BlockIO",
							   cc_strbuf_str(&blk), "PIDs", pids);
				json_object_update_missing(o, docker);
				json_decref(docker);
				cli_format_row(&fmt, o);
			}
			cc_stats_release(&s);
		}
		if (rc == CLI_OK && fmt.kind == CLI_FORMAT_TABLE)
			cli_print_table(rows, nrows);
		static const char *const headers[] = {"ID",       "CONTAINER ID",      "CPUPerc", "CPU %",
						      "MemUsage", "MEM USAGE / LIMIT", "MemPerc", "MEM %",
						      "NetIO",    "NET I/O",           "BlockIO", "BLOCK I/O",
						      NULL};
		/* each sample is a table of its own */
		if (rc == CLI_OK && cli_format_flush(&fmt, headers) < 0)
			rc = CLI_FAIL;
		for (size_t i = 0; i < nrows; i++)
			cc_strv_free(rows[i]);
		free(rows);
		if (rc != CLI_OK || no_stream)
			break;
		fflush(stdout);
		cc_sleep_ns(CC_NS_PER_SEC);
	}
	cli_format_abandon(&fmt); /* every sample was printed */
	free(prev_cpu);
	free(prev_sys);
	close_listing(&l);
	return listing_rc(rc);
}

int cli_cp(struct cli_ctx *ctx, int argc, char **argv)
{
	long index = 1;
	bool all = false, archive = false, follow = false;
	const struct cli_flag flags[] = {
	    {"index", 0, CLI_INT, &index, "N", "Index of the container if the service has several replicas"},
	    {"all", 0, CLI_BOOL, &all, NULL, "Include containers created by the run command"},
	    {"archive", 'a', CLI_BOOL, &archive, NULL, "Archive mode (copy all uid/gid information)"},
	    {"follow-link", 'L', CLI_BOOL, &follow, NULL, "Always follow symbol link in SRC_PATH"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "cp", "SERVICE:SRC_PATH DEST_PATH | SRC_PATH SERVICE:DEST_PATH",
	    "Copy files/folders between a service container and the local filesystem", flags, false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	int rc = CLI_OK;
	const char *src = args[0], *dst = src ? args[1] : NULL;
	const char *scolon = src ? strchr(src, ':') : NULL, *dcolon = dst ? strchr(dst, ':') : NULL;
	if (!src || !dst || args[2] || (!scolon == !dcolon)) {
		cli_usage_error("cp", "expected SERVICE:SRC_PATH DEST_PATH or SRC_PATH SERVICE:DEST_PATH");
		rc = CLI_USAGE;
	}
	bool to_container = dcolon != NULL;
	const char *remote = to_container ? dst : src, *colon = to_container ? dcolon : scolon;
	cleanup_free char *service = rc == CLI_OK ? cc_xstrndup(remote, (size_t)(colon - remote)) : NULL;
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	char *const svc[] = {service, NULL};
	if (rc == CLI_OK)
		rc = cli_open(ctx, svc, &p, &rt);
	struct cc_container target = {0};
	struct cc_error *err = NULL;
	if (rc == CLI_OK)
		rc = cli_service_container(rt, p->name, service, index, false, all, &target);
	if (rc == CLI_OK &&
	    cc_rt_container_copy(rt, target.id, colon + 1, to_container ? src : dst, to_container, &err) < 0)
		rc = cli_fail(&err);
	cc_container_release(&target);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	return rc;
}

int cli_pull(struct cli_ctx *ctx, int argc, char **argv)
{
	bool ignore_failures = false, quiet = false, include_deps = false;
	const char *policy = "always";
	const struct cli_flag flags[] = {
	    {"ignore-pull-failures", 0, CLI_BOOL, &ignore_failures, NULL,
	     "Pull what it can and ignore the rest"},
	    {"policy", 0, CLI_STR, &policy, "POLICY", "Apply pull policy: missing or always (default)"},
	    {"include-deps", 0, CLI_BOOL, &include_deps, NULL, "Also pull services declared as dependencies"},
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Pull without printing progress information"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"pull", "[SERVICE...]", "Pull service images", flags, false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	int rc = CLI_OK;
	if (strcmp(policy, "missing") && strcmp(policy, "always")) {
		cli_usage_error("pull", "invalid --policy \"%s\": use missing or always", policy);
		rc = CLI_USAGE;
	}
	if (rc == CLI_OK)
		rc = cli_open(ctx, args, &p, &rt);
	cc_strv wanted = NULL;
	if (rc == CLI_OK)
		rc = cli_select_services(p, args, include_deps, &wanted);
	if (rc == CLI_OK) {
		struct cli_ui ui;
		cli_ui_init(ctx, &ui);
		ui.quiet |= quiet;
		const struct cc_val *svcs = cc_project_services(p);
		for (size_t i = 0; svcs && i < svcs->map.n && rc == CLI_OK; i++) {
			const char *name = svcs->map.e[i].key;
			bool named = cli_selected(wanted, name);
			const struct cc_val *img = cc_map_get(svcs->map.e[i].val, "image");
			if (!named || !img || img->kind == CC_V_NULL)
				continue; /* build-only services have nothing to pull */
			struct cc_error *err = NULL;
			struct cc_image present;
			if (strcmp(policy, "missing") == 0 &&
			    cc_rt_image_inspect(rt, cc_val_text(img), &present, &err) == 0) {
				cc_image_release(&present);
				continue;
			}
			cc_error_release(&err);
			if (cc_orch_pull_service(rt, p, name, &ui.ui, &err) < 0) {
				if (ignore_failures) {
					fprintf(stderr, "warning: %s\n", err->msg);
					cc_error_free(err);
				} else {
					rc = cli_fail(&err);
				}
			}
		}
		cli_ui_release(&ui);
	}
	cc_strv_free(wanted);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	return rc;
}

int cli_build(struct cli_ctx *ctx, int argc, char **argv)
{
	bool no_cache = false, pull = false, quiet = false, with_deps = false, push = false;
	cc_strv build_args = NULL;
	const struct cli_flag flags[] = {
	    {"no-cache", 0, CLI_BOOL, &no_cache, NULL, "Do not use cache when building the image"},
	    {"with-dependencies", 0, CLI_BOOL, &with_deps, NULL, "Also build dependencies (transitively)"},
	    {"push", 0, CLI_BOOL, &push, NULL, "Push service images"},
	    {"pull", 0, CLI_BOOL, &pull, NULL, "Always attempt to pull a newer version of the image"},
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Don't print anything to STDOUT"},
	    {"build-arg", 0, CLI_LIST, &build_args, "KEY=VAL", "Set build-time variables for services"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"build", "[SERVICE...]", "Build or rebuild services", flags, false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	int rc = CLI_OK;
	struct cc_kvs extra = {0};
	rc = cli_build_args(build_args, &extra);
	if (rc == CLI_OK)
		rc = cli_open(ctx, args, &p, &rt);
	cc_strv wanted = NULL;
	if (rc == CLI_OK)
		rc = cli_select_services(p, args, with_deps, &wanted);
	if (rc == CLI_OK) {
		struct cli_ui ui;
		cli_ui_init(ctx, &ui);
		ui.quiet |= quiet;
		const struct cc_val *svcs = cc_project_services(p);
		for (size_t i = 0; svcs && i < svcs->map.n && rc == CLI_OK; i++) {
			const char *name = svcs->map.e[i].key;
			bool named = cli_selected(wanted, name);
			struct cc_error *err = NULL;
			if (named &&
			    cc_orch_build_service(rt, p, name, no_cache, pull, &extra, &ui.ui, &err) < 0)
				rc = cli_fail(&err);
		}
		/* --push: what was built and names its image (a built image named after the project has no
		 * registry to go to), as docker compose's build --push */
		for (size_t i = 0; push && svcs && i < svcs->map.n && rc == CLI_OK; i++) {
			const char *name = svcs->map.e[i].key;
			const struct cc_val *img = cc_map_get(svcs->map.e[i].val, "image");
			if (!cli_selected(wanted, name) || !cc_map_get(svcs->map.e[i].val, "build") || !img ||
			    img->kind == CC_V_NULL)
				continue;
			struct cc_error *err = NULL;
			if (cli_push_image(ctx, rt, cc_val_text(img), ui.quiet, &err) < 0)
				rc = cli_fail(&err);
		}
		cli_ui_release(&ui);
	}
	cc_strv_free(wanted);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	cc_strv_free(build_args);
	cc_kvs_release(&extra);
	return rc;
}
