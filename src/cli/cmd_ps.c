/* `ps` (a project's containers) and `ls` (the projects that have containers). */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/flags.h"
#include "cli/format.h"
#include "cli/gotemplate.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static bool state_wanted(const struct cc_container *c, char *const *statuses)
{
	if (!statuses || !statuses[0])
		return true;
	for (char *const *s = statuses; *s; s++)
		if (strcmp(*s, cc_state_name(c->state)) == 0)
			return true;
	return false;
}

static json_t *publishers(const struct cc_container *c)
{
	json_t *arr = json_array();
	const struct cc_port_binding *ports = c->npublished ? c->published : c->spec.ports;
	size_t n = c->npublished ? c->npublished : c->spec.nports;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{ss si si ss}", "URL",
						     ports[i].host_ip ? ports[i].host_ip : "0.0.0.0",
						     "TargetPort", ports[i].container_port, "PublishedPort",
						     ports[i].host_port, "Protocol", ports[i].protocol));
	return arr;
}

/* docker counts the volumes (not binds or tmpfs) a container mounts, as text. */
static const char *local_volumes(const struct cc_container *c)
{
	static const char *const digits[] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
	size_t n = 0;
	for (size_t i = 0; i < c->spec.nmounts; i++)
		n += c->spec.mounts[i].type == CC_MOUNT_VOLUME;
	return n < 10 ? digits[n] : "10+";
}

/* The images of a listing, each looked up once: most containers of a project share a few. */
struct image_cache {
	cc_strv refs;
	struct cc_image *images; /* refs[i]'s; a zeroed one when it could not be read */
	size_t n;
};

static const struct cc_image *cached_image(struct cc_runtime *rt, struct image_cache *ic,
					   const struct cc_container *c)
{
	const char *ref = c->image_id ? c->image_id : c->spec.image;
	if (!ref)
		return NULL;
	for (size_t i = 0; i < ic->n; i++)
		if (strcmp(ic->refs[i], ref) == 0)
			return &ic->images[i];
	ic->images = cc_xrealloc(ic->images, (ic->n + 1) * sizeof(*ic->images));
	struct cc_error *err = NULL;
	if (cc_rt_image_inspect(rt, ref, &ic->images[ic->n], &err) < 0) {
		cc_error_free(err);
		memset(&ic->images[ic->n], 0, sizeof(ic->images[ic->n]));
	}
	cc_strv_push(&ic->refs, ref);
	return &ic->images[ic->n++];
}

static void image_cache_release(struct image_cache *ic)
{
	for (size_t i = 0; i < ic->n; i++)
		cc_image_release(&ic->images[i]);
	free(ic->images);
	cc_strv_free(ic->refs);
}

/* One container as docker compose's `ps --format json` prints it. */
static json_t *ps_json(const struct cc_container *c, const struct cc_image *img, const char *project,
		       int64_t now)
{
	cleanup_strbuf struct cc_strbuf status = CC_STRBUF_INIT, cmd = CC_STRBUF_INIT,
					created = CC_STRBUF_INIT, ago = CC_STRBUF_INIT,
					ports = CC_STRBUF_INIT, labels = CC_STRBUF_INIT,
					nets = CC_STRBUF_INIT, mounts = CC_STRBUF_INIT;
	cc_container_status_text(c, now, &status);
	cli_format_command(c, img, true, &cmd);
	cli_format_created_at(c->created_ns, &created);
	cli_format_ago(c->created_ns, now, &ago);
	cli_format_ports(c, &ports);
	for (size_t i = 0; i < c->spec.nmounts; i++)
		cc_strbuf_addf(&mounts, "%s%s", mounts.len ? "," : "",
			       c->spec.mounts[i].source ? c->spec.mounts[i].source
							: c->spec.mounts[i].target);
	for (size_t i = 0; i < c->spec.labels.n; i++)
		cc_strbuf_addf(&labels, "%s%s=%s", i ? "," : "", c->spec.labels.items[i].key,
			       c->spec.labels.items[i].value);
	for (size_t i = 0; i < c->spec.nnetworks; i++)
		cc_strbuf_addf(&nets, "%s%s", i ? "," : "", c->spec.networks[i].network);
	/* Command without the quotes docker's table adds */
	cc_strbuf_truncate(&cmd, cmd.len - 1);
	const char *health = c->health == CC_HEALTH_NONE ? "" : cc_health_name(c->health);
	return json_pack(
	    "{ss ss ss ss ss ss sI ss ss ss si so ss ss ss ss ss ss ss ss ss}", "ID", c->id, "Name", c->name,
	    "Image", c->spec.image, "Command", cc_strbuf_str(&cmd) + 1, "Project", project, "Service",
	    cc_kvs_get(&c->spec.labels, CC_LABEL_SERVICE) ? cc_kvs_get(&c->spec.labels, CC_LABEL_SERVICE)
							  : "",
	    "Created", (json_int_t)(c->created_ns / CC_NS_PER_SEC), "State", cc_state_name(c->state),
	    "Status", cc_strbuf_str(&status), "Health", health, "ExitCode", c->exit_code, "Publishers",
	    publishers(c), "CreatedAt", cc_strbuf_str(&created), "RunningFor", cc_strbuf_str(&ago), "Labels",
	    cc_strbuf_str(&labels), "Names", c->name, "Networks", cc_strbuf_str(&nets), "Ports",
	    cc_strbuf_str(&ports), "Size", "0B", "LocalVolumes", local_volumes(c), "Mounts",
	    cc_strbuf_str(&mounts));
}

/* Headers of a `table` template's columns where docker's differ from the field's name in capitals. */
static const char *const ps_headers[] = {"ID", "CONTAINER ID", "RunningFor", "CREATED", NULL};

int cli_ps(struct cli_ctx *ctx, int argc, char **argv)
{
	bool all = false, quiet = false, services = false, no_trunc = false, orphans = true;
	const char *format = "table";
	cc_strv statuses = NULL, filters = NULL;
	const struct cli_flag flags[] = {
	    {"all", 'a', CLI_BOOL, &all, NULL,
	     "Show all stopped containers (including those created by run)"},
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Only display IDs"},
	    {"services", 0, CLI_BOOL, &services, NULL, "Display services"},
	    {"status", 0, CLI_LIST, &statuses, "STATUS",
	     "Filter services by status: created, restarting, running, removing, paused, exited, dead"},
	    {"filter", 0, CLI_LIST, &filters, "KEY=VALUE", "Filter services by a property (status=...)"},
	    {"format", 0, CLI_STR, &format, "FORMAT", "Format the output: table, json, or a Go template"},
	    {"no-trunc", 0, CLI_BOOL, &no_trunc, NULL, "Don't truncate output"},
	    {"orphans", 0, CLI_BOOL, &orphans, NULL, "Include orphaned services (default true)"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"ps", "[SERVICE...]", "List containers", flags, false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	int rc = CLI_OK;
	for (char **f = filters; f && *f; f++) {
		if (strncmp(*f, "status=", 7) != 0) {
			cli_usage_error("ps", "invalid filter \"%s\": only status=STATUS is supported", *f);
			rc = CLI_USAGE;
		} else {
			cc_strv_push(&statuses, *f + 7);
		}
	}
	for (char **s = statuses; rc == CLI_OK && s && *s; s++) {
		if (cc_state_parse(*s) < 0) {
			cli_usage_error("ps", "invalid status \"%s\"", *s);
			rc = CLI_USAGE;
		}
	}
	struct cli_format fmt = {0};
	if (rc == CLI_OK && cli_format_parse("ps", format, &fmt) < 0)
		rc = CLI_USAGE;
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	cleanup_free char *project = NULL;
	if (rc == CLI_OK)
		rc = cli_open_by_name(ctx, args, &p, &rt, &project);
	struct cc_container *cs = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	if (rc == CLI_OK && cc_orch_containers(rt, project, args[0] ? args : NULL,
					       all || (statuses && statuses[0]), all, &cs, &n, &err) < 0)
		rc = cli_fail(&err);
	if (rc != CLI_OK)
		goto out;
	int64_t now = cc_now_ns();
	cc_strv *rows = cc_xcalloc(n + 1, sizeof(cc_strv));
	size_t nrows = 0;
	const char *header[] = {"NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS", NULL};
	rows[nrows++] = cc_strv_copy((char *const *)header);
	cc_strv seen = cc_xcalloc(1, sizeof(char *));
	struct image_cache images = {0};
	for (size_t i = 0; i < n; i++) {
		const struct cc_container *c = &cs[i];
		const char *service = cc_kvs_get(&c->spec.labels, CC_LABEL_SERVICE);
		if (!state_wanted(c, statuses) ||
		    (!orphans && p && !cc_project_defines(p, service ? service : "")))
			continue;
		if (quiet) {
			printf("%s\n", c->id);
		} else if (services) {
			bool dup = false;
			for (char **s = seen; *s; s++)
				dup |= strcmp(*s, service) == 0;
			if (!dup) {
				printf("%s\n", service);
				cc_strv_push(&seen, service);
			}
		} else if (fmt.kind != CLI_FORMAT_TABLE) {
			cli_format_row(&fmt, ps_json(c, cached_image(rt, &images, c), project, now));
		} else {
			cleanup_strbuf struct cc_strbuf status = CC_STRBUF_INIT, cmd = CC_STRBUF_INIT,
							ago = CC_STRBUF_INIT, ports = CC_STRBUF_INIT;
			cc_container_status_text(c, now, &status);
			cli_format_command(c, cached_image(rt, &images, c), no_trunc, &cmd);
			cli_format_ago(c->created_ns, now, &ago);
			cli_format_ports(c, &ports);
			const char *row[] = {c->name,
					     c->spec.image,
					     cc_strbuf_str(&cmd),
					     service ? service : "",
					     cc_strbuf_str(&ago),
					     cc_strbuf_str(&status),
					     cc_strbuf_str(&ports),
					     NULL};
			rows[nrows++] = cc_strv_copy((char *const *)row);
		}
	}
	if (!quiet && !services && fmt.kind == CLI_FORMAT_TABLE)
		cli_print_table(rows, nrows);
	for (size_t i = 0; i < nrows; i++)
		cc_strv_free(rows[i]);
	free(rows);
	cc_strv_free(seen);
	image_cache_release(&images);
out:
	if (rc != CLI_OK || quiet || services) /* -q and --services print their own lines only */
		cli_format_abandon(&fmt);
	else if (cli_format_finish(&fmt, ps_headers) < 0)
		rc = CLI_FAIL;
	cc_containers_free(cs, n);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	cc_strv_free(statuses);
	cc_strv_free(filters);
	return rc;
}

struct project_row {
	char *name, *files;
	long counts[CC_STATE_COUNT_];
};

int cli_ls(struct cli_ctx *ctx, int argc, char **argv)
{
	bool all = false, quiet = false;
	const char *format = "table";
	cc_strv filters = NULL;
	const struct cli_flag flags[] = {
	    {"all", 'a', CLI_BOOL, &all, NULL, "Show all stopped Compose projects"},
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Only display project names"},
	    {"format", 0, CLI_STR, &format, "FORMAT", "Format the output: table, json, or a Go template"},
	    {"filter", 0, CLI_LIST, &filters, "name=NAME", "Filter output based on conditions provided"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"ls", NULL, "List running compose projects", flags, false};
	cc_strv args;
	int pr = cli_parse(&spec, argc, argv, &args);
	if (pr != CLI_PARSED)
		return pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
	const char *name_filter = NULL;
	int rc = CLI_OK;
	for (char **f = filters; f && *f; f++) {
		if (strncmp(*f, "name=", 5) == 0) {
			name_filter = *f + 5;
		} else {
			cli_usage_error("ls", "invalid filter \"%s\": only name=NAME is supported", *f);
			rc = CLI_USAGE;
		}
	}
	struct cli_format fmt = {0};
	if (rc == CLI_OK && cli_format_parse("ls", format, &fmt) < 0)
		rc = CLI_USAGE;
	struct cc_runtime *rt = rc == CLI_OK ? cli_runtime(ctx) : NULL;
	struct cc_container *cs = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	char *const has_project[] = {(char *)CC_LABEL_PROJECT, NULL};
	struct cc_container_filter f = {.labels = has_project, .all = true};
	if (rc == CLI_OK && !rt)
		rc = CLI_FAIL;
	if (rc == CLI_OK && cc_rt_container_list(rt, &f, &cs, &n, &err) < 0)
		rc = cli_fail(&err);
	struct project_row *projects = cc_xcalloc(n + 1, sizeof(*projects));
	size_t np = 0;
	for (size_t i = 0; rc == CLI_OK && i < n; i++) {
		const char *name = cc_kvs_get(&cs[i].spec.labels, CC_LABEL_PROJECT);
		if (name_filter && !strstr(name, name_filter))
			continue;
		size_t k = 0;
		while (k < np && strcmp(projects[k].name, name) != 0)
			k++;
		if (k == np) {
			projects[np].name = cc_xstrdup(name);
			const char *files = cc_kvs_get(&cs[i].spec.labels, CC_LABEL_CONFIG_FILES);
			projects[np].files = cc_xstrdup(files ? files : "");
			np++;
		}
		projects[k].counts[cs[i].state]++;
	}
	cc_strv *rows = cc_xcalloc(np + 2, sizeof(cc_strv));
	size_t nrows = 0;
	const char *header[] = {"NAME", "STATUS", "CONFIG FILES", NULL};
	rows[nrows++] = cc_strv_copy((char *const *)header);
	json_t *arr = json_array();
	for (size_t k = 0; k < np; k++) {
		bool running = projects[k].counts[CC_STATE_RUNNING] > 0;
		cleanup_strbuf struct cc_strbuf status = CC_STRBUF_INIT;
		for (int s = 0; s < CC_STATE_COUNT_; s++)
			if (projects[k].counts[s])
				cc_strbuf_addf(&status, "%s%s(%ld)", status.len ? ", " : "", cc_state_name(s),
					       projects[k].counts[s]);
		if (!all && !running)
			continue;
		if (quiet) {
			printf("%s\n", projects[k].name);
			continue;
		}
		const char *row[] = {projects[k].name, cc_strbuf_str(&status), projects[k].files, NULL};
		rows[nrows++] = cc_strv_copy((char *const *)row);
		json_t *o = json_pack("{ss ss ss}", "Name", projects[k].name, "Status",
				      cc_strbuf_str(&status), "ConfigFiles", projects[k].files);
		json_array_append(arr, o);
		if (fmt.kind == CLI_FORMAT_TEMPLATE)
			cli_format_row(&fmt, o);
		else
			json_decref(o);
	}
	if (rc != CLI_OK || quiet)
		cli_format_abandon(&fmt);
	else if (cli_format_finish(&fmt, NULL) < 0)
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
	for (size_t k = 0; k < np; k++) {
		free(projects[k].name);
		free(projects[k].files);
	}
	free(projects);
	cc_containers_free(cs, n);
	cc_strv_free(args);
	cc_strv_free(filters);
	return rc;
}
