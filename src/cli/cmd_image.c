/* Engine-level image commands (`image ls|inspect|pull|push|tag|rm|load|save|build`), `login`, and compose's
 * `push`.
 */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/flags.h"
#include "cli/gotemplate.h"
#include "cli/format.h"
#include "cli/progress.h"
#include "engine/registry/registry.h"
#include "runtime/codec.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_or_exit(const struct cli_spec *spec, int argc, char **argv, cc_strv *args)
{
	int pr = cli_parse(spec, argc, argv, args);
	return pr == CLI_PARSED ? -1 : pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
}

/* The arity check every image command makes once its flags are parsed, then the runtime it works on:
 * NULL with *rc set to CLI_USAGE or CLI_FAIL when the command cannot go on. */
static struct cc_runtime *usable_runtime(struct cli_ctx *ctx, const char *name, bool args_ok,
					 const char *requirement, int *rc)
{
	if (!args_ok) {
		cli_usage_error(name, "%s", requirement);
		*rc = CLI_USAGE;
		return NULL;
	}
	struct cc_runtime *rt = cli_runtime(ctx);
	*rc = rt ? CLI_OK : CLI_FAIL;
	return rt;
}

static struct cli_progress *progress_for(struct cli_ctx *ctx, bool quiet)
{
	const char *mode = ctx->progress ? ctx->progress : "auto";
	bool tty = strcmp(mode, "tty") == 0 || (strcmp(mode, "auto") == 0 && isatty(STDERR_FILENO));
	return cli_progress_new(tty, quiet || strcmp(mode, "quiet") == 0, strcmp(mode, "json") == 0);
}

int cli_push_image(struct cli_ctx *ctx, struct cc_runtime *rt, const char *image, bool quiet,
		   struct cc_error **err)
{
	struct cli_progress *pg = progress_for(ctx, quiet);
	struct cc_progress_sink sink = {cli_progress_emit, pg};
	int r = cc_rt_image_push(rt, image, &sink, err);
	cli_progress_free(pg);
	return r;
}

static int image_ls(struct cli_ctx *ctx, int argc, char **argv)
{
	bool quiet = false, all = false, no_trunc = false;
	const char *format = "table";
	const struct cli_flag flags[] = {
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Only show image IDs"},
	    {"all", 'a', CLI_BOOL, &all, NULL, "Show all images"},
	    {"no-trunc", 0, CLI_BOOL, &no_trunc, NULL, "Don't truncate output"},
	    {"format", 0, CLI_STR, &format, "FORMAT", "Format the output: table, json, or a Go template"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"image ls", NULL, "List images", flags, false};
	cc_strv args;
	int rc = parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	rc = CLI_OK;
	struct cli_format fmt;
	if (cli_format_parse(spec.name, format, &fmt) < 0) {
		cc_strv_free(args);
		return CLI_USAGE;
	}
	struct cc_runtime *rt = cli_runtime(ctx);
	struct cc_image *imgs = NULL;
	size_t n = 0;
	struct cc_error *err = NULL;
	if (!rt)
		rc = CLI_FAIL;
	else if (cc_rt_image_list(rt, &imgs, &n, &err) < 0)
		rc = cli_fail(&err);
	cc_strv *rows = cc_xcalloc(2 * n + 2, sizeof(cc_strv));
	size_t nrows = 0;
	const char *header[] = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", NULL};
	rows[nrows++] = cc_strv_copy((char *const *)header);
	json_t *arr = json_array();
	int64_t now = cc_now_ns();
	for (size_t i = 0; rc == CLI_OK && i < n; i++) {
		const char *id = strncmp(imgs[i].id, "sha256:", 7) == 0 ? imgs[i].id + 7 : imgs[i].id;
		char short_id[13], size[32];
		snprintf(short_id, sizeof(short_id), "%s", id);
		snprintf(size, sizeof(size), "%.1fMB", (double)imgs[i].size / 1e6);
		cleanup_strbuf struct cc_strbuf created = CC_STRBUF_INIT;
		if (imgs[i].created_ns)
			cli_format_ago(imgs[i].created_ns, now, &created);
		else
			cc_strbuf_adds(&created, "N/A");
		if (quiet) {
			printf("%s\n", no_trunc ? imgs[i].id : short_id);
			continue;
		}
		json_array_append_new(arr, cc_image_to_json(&imgs[i]));
		size_t ntags = cc_strv_len(imgs[i].repo_tags);
		for (size_t t = 0; t < (ntags ? ntags : 1); t++) {
			cleanup_free char *repo = cc_xstrdup(ntags ? imgs[i].repo_tags[t] : "<none>");
			const char *tag = "<none>";
			char *colon = strrchr(repo, ':');
			if (ntags && colon && !strchr(colon, '/')) {
				*colon = 0;
				tag = colon + 1;
			}
			cc_grow((void **)&rows, &(size_t){2 * n + 2}, nrows + 1, sizeof(cc_strv));
			const char *row[] = {
			    repo, tag, no_trunc ? imgs[i].id : short_id, cc_strbuf_str(&created), size, NULL};
			rows[nrows++] = cc_strv_copy((char *const *)row);
			if (fmt.kind == CLI_FORMAT_TEMPLATE) {
				/* a row per tag, as docker's: its fields beside the API's */
				json_t *o = cc_image_to_json(&imgs[i]);
				json_t *docker =
				    json_pack("{ss ss ss ss ss}", "Repository", repo, "Tag", tag, "ID",
					      row[2], "CreatedSince", row[3], "Size", size);
				json_object_update(o, docker);
				json_decref(docker);
				cli_format_row(&fmt, o);
			}
		}
	}
	if (rc != CLI_OK || quiet)
		cli_format_abandon(&fmt);
	else if (cli_format_finish(
		     &fmt, (const char *const[]){"ID", "IMAGE ID", "CreatedSince", "CREATED", NULL}) < 0)
		rc = CLI_FAIL;
	if (fmt.kind == CLI_FORMAT_TEMPLATE) {
		/* printed tag by tag */
	} else if (rc == CLI_OK && !quiet && fmt.kind == CLI_FORMAT_JSON) {
		char *text = json_dumps(arr, JSON_COMPACT);
		printf("%s\n", text);
		free(text);
	} else if (rc == CLI_OK && !quiet) {
		cli_print_table(rows, nrows);
	}
	json_decref(arr);
	for (size_t i = 0; i < nrows; i++)
		cc_strv_free(rows[i]);
	free(rows);
	cc_images_free(imgs, n);
	cc_strv_free(args);
	return rc;
}

static int image_inspect(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	const struct cli_spec spec = {"image inspect", "IMAGE...", "Display detailed information on images",
				      flags, false};
	cc_strv args;
	int rc = parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	struct cc_runtime *rt =
	    usable_runtime(ctx, spec.name, args[0] != NULL, "requires at least 1 argument: IMAGE", &rc);
	json_t *arr = json_array();
	for (char **a = args; rc == CLI_OK && *a; a++) {
		struct cc_image img;
		struct cc_error *err = NULL;
		if (cc_rt_image_inspect(rt, *a, &img, &err) < 0) {
			rc = cli_fail(&err);
			break;
		}
		json_array_append_new(arr, cc_image_to_json(&img));
		cc_image_release(&img);
	}
	if (rc == CLI_OK) {
		char *text = json_dumps(arr, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
	}
	json_decref(arr);
	cc_strv_free(args);
	return rc;
}

static int image_pull_push(struct cli_ctx *ctx, int argc, char **argv, bool push)
{
	bool quiet = false;
	const char *platform = NULL;
	const struct cli_flag pull_flags[] = {
	    {"platform", 0, CLI_STR, &platform, "OS/ARCH", "Set the platform (default linux/amd64)"},
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Suppress verbose output"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {push ? "image push" : "image pull", "NAME[:TAG|@DIGEST]",
				      push ? "Upload an image to a registry"
					   : "Download an image from a registry",
				      push ? pull_flags + 1 : pull_flags, false};
	cc_strv args;
	int rc = parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	struct cc_runtime *rt =
	    usable_runtime(ctx, spec.name, cc_strv_len(args) == 1, "requires exactly 1 argument: NAME", &rc);
	if (rc == CLI_OK) {
		struct cli_progress *pg = progress_for(ctx, quiet);
		struct cc_progress_sink sink = {cli_progress_emit, pg};
		struct cc_error *err = NULL;
		int r = push ? cc_rt_image_push(rt, args[0], &sink, &err)
			     : cc_rt_image_pull(rt, args[0], platform, &sink, &err);
		if (r < 0)
			rc = cli_fail(&err);
		cli_progress_free(pg);
	}
	cc_strv_free(args);
	return rc;
}

static int image_tag(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
	const struct cli_spec spec = {"image tag", "SOURCE TARGET",
				      "Create a tag TARGET that refers to SOURCE", flags, false};
	cc_strv args;
	int rc = parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	struct cc_runtime *rt = usable_runtime(ctx, spec.name, cc_strv_len(args) == 2,
					       "requires exactly 2 arguments: SOURCE TARGET", &rc);
	struct cc_error *err = NULL;
	if (rc == CLI_OK && cc_rt_image_tag(rt, args[0], args[1], &err) < 0)
		rc = cli_fail(&err);
	cc_strv_free(args);
	return rc;
}

static int image_rm(struct cli_ctx *ctx, int argc, char **argv)
{
	bool force = false;
	const struct cli_flag flags[] = {
	    {"force", 'f', CLI_BOOL, &force, NULL, "Force removal of the image"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"image rm", "IMAGE...", "Remove one or more images", flags, false};
	cc_strv args;
	int rc = parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	struct cc_runtime *rt =
	    usable_runtime(ctx, spec.name, args[0] != NULL, "requires at least 1 argument: IMAGE", &rc);
	for (char **a = args; rc != CLI_USAGE && rt && *a; a++) {
		struct cc_error *err = NULL;
		if (cc_rt_image_remove(rt, *a, force, &err) < 0)
			rc = cli_fail(&err); /* like docker rmi: go on with the others, fail at the end */
		else
			printf("Deleted: %s\n", *a);
	}
	cc_strv_free(args);
	return rc;
}

static int image_load(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *input = NULL;
	bool quiet = false;
	const struct cli_flag flags[] = {
	    {"input", 'i', CLI_STR, &input, "FILE", "Read from tar archive file"},
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Suppress the load output"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "image load", NULL, "Load an image from a tar archive (OCI or docker-archive)", flags, false};
	cc_strv args;
	int rc = parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	struct cc_runtime *rt = usable_runtime(ctx, spec.name, input != NULL, "requires -i FILE", &rc);
	cc_strv loaded = NULL;
	struct cc_error *err = NULL;
	if (rc == CLI_OK && cc_rt_image_load(rt, input, &loaded, &err) < 0)
		rc = cli_fail(&err);
	for (char **l = loaded; !quiet && l && *l; l++)
		printf("Loaded image%s: %s\n", strncmp(*l, "sha256:", 7) == 0 ? " ID" : "", *l);
	cc_strv_free(loaded);
	cc_strv_free(args);
	return rc;
}

static int image_save(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *output = NULL, *format = "docker-archive";
	const struct cli_flag flags[] = {
	    {"output", 'o', CLI_STR, &output, "FILE", "Write to a file"},
	    {"format", 0, CLI_STR, &format, "FORMAT", "docker-archive (default, like docker save) or oci"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"image save", "IMAGE...", "Save one or more images to a tar archive",
				      flags, false};
	cc_strv args;
	int rc = parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	struct cc_runtime *rt =
	    usable_runtime(ctx, spec.name, output && args[0], "requires -o FILE and at least 1 IMAGE", &rc);
	struct cc_error *err = NULL;
	if (rc == CLI_OK && cc_rt_image_save(rt, args, format, output, &err) < 0)
		rc = cli_fail(&err);
	cc_strv_free(args);
	return rc;
}

int cli_build_args(char *const *list, struct cc_kvs *out)
{
	for (char *const *a = list; a && *a; a++) {
		const char *eq = strchr(*a, '=');
		if (eq == *a) {
			cli_usage_error("build", "--build-arg %s: the name is missing", *a);
			return CLI_USAGE;
		}
		if (eq) {
			cleanup_free char *k = cc_xstrndup(*a, (size_t)(eq - *a));
			cc_kvs_set(out, k, eq + 1);
		} else if (getenv(*a)) {
			/* --build-arg NAME takes the value from the environment, and is left out when unset
			 */
			cc_kvs_set(out, *a, getenv(*a));
		}
	}
	return CLI_OK;
}

struct build_output {
	bool quiet;
	char *id;
};

/* Plain progress on stderr, as `docker build --progress=plain` shows it. */
static int build_emit(void *ctx, const struct cc_progress *p)
{
	struct build_output *o = ctx;
	if (strcmp(p->status, "done") == 0) {
		free(o->id);
		o->id = cc_xstrdup(p->message);
		return 0;
	}
	if (o->quiet || !p->message)
		return 0;
	if (strcmp(p->status, "log") == 0)
		fprintf(stderr, "  %s\n", p->message);
	else if (strcmp(p->status, "cached") == 0)
		fprintf(stderr, "  CACHED\n");
	else
		fprintf(stderr, "%s\n", p->message);
	return 0;
}

static int image_build(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *file = NULL, *target = NULL, *iidfile = NULL, *network = NULL;
	bool no_cache = false, pull = false, quiet = false;
	cc_strv tags = NULL, build_args = NULL, labels = NULL;
	const struct cli_flag flags[] = {
	    {"file", 'f', CLI_STR, &file, "FILE", "Name of the Dockerfile (default: CONTEXT/Dockerfile)"},
	    {"tag", 't', CLI_LIST, &tags, "NAME", "Name and optionally a tag (name:tag)"},
	    {"build-arg", 0, CLI_LIST, &build_args, "KEY=VAL", "Set build-time variables"},
	    {"label", 0, CLI_LIST, &labels, "KEY=VAL", "Set metadata for an image"},
	    {"target", 0, CLI_STR, &target, "STAGE", "Set the target build stage to build"},
	    {"network", 0, CLI_STR, &network, "MODE",
	     "Networking mode for RUN: default (the host's), host, none"},
	    {"no-cache", 0, CLI_BOOL, &no_cache, NULL, "Do not use cache when building the image"},
	    {"pull", 0, CLI_BOOL, &pull, NULL, "Always attempt to pull a newer version of the base images"},
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Print only the image ID"},
	    {"iidfile", 0, CLI_STR, &iidfile, "FILE", "Write the image ID to the file"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"image build", "CONTEXT", "Build an image from a Dockerfile", flags,
				      false};
	cc_strv args;
	int rc = parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	struct cc_kvs kv_args = {0}, kv_labels = {0};
	rc = cli_build_args(build_args, &kv_args);
	for (char **l = labels; rc == CLI_OK && l && *l; l++) {
		char *eq = strchr(*l, '=');
		cleanup_free char *k = eq ? cc_xstrndup(*l, (size_t)(eq - *l)) : cc_xstrdup(*l);
		cc_kvs_set(&kv_labels, k, eq ? eq + 1 : "");
	}
	struct cc_runtime *rt = rc == CLI_OK ? usable_runtime(ctx, spec.name, cc_strv_len(args) == 1,
							      "requires exactly 1 argument: CONTEXT", &rc)
					     : NULL;
	struct build_output out = {.quiet = quiet};
	if (rc == CLI_OK) {
		struct cc_build_opts o = {.context_dir = args[0],
					  .dockerfile = file,
					  .target = target,
					  .tags = tags,
					  .args = &kv_args,
					  .labels = &kv_labels,
					  .network = network,
					  .no_cache = no_cache,
					  .pull = pull};
		struct cc_progress_sink sink = {build_emit, &out};
		struct cc_error *err = NULL;
		if (cc_rt_image_build(rt, &o, &sink, &err) < 0) {
			rc = cli_fail(&err);
		} else if (quiet) {
			printf("%s\n", out.id ? out.id : "");
		} else {
			fprintf(stderr, "Successfully built %s\n", out.id ? out.id : "");
			for (char **t = tags; t && *t; t++)
				fprintf(stderr, "Successfully tagged %s\n", *t);
		}
		if (rc == CLI_OK && iidfile) {
			FILE *f = fopen(iidfile, "w");
			if (!f || fprintf(f, "%s", out.id ? out.id : "") < 0 || fclose(f) != 0) {
				fprintf(stderr, "error: cannot write %s\n", iidfile);
				rc = CLI_FAIL;
			}
		}
	}
	free(out.id);
	cc_kvs_release(&kv_args);
	cc_kvs_release(&kv_labels);
	cc_strv_free(tags);
	cc_strv_free(build_args);
	cc_strv_free(labels);
	cc_strv_free(args);
	return rc;
}

int cli_image(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *name, *alias;
		int (*fn)(struct cli_ctx *, int, char **);
	} subs[] = {
	    {"ls", "list", image_ls},   {"inspect", NULL, image_inspect}, {"pull", NULL, NULL},
	    {"push", NULL, NULL},       {"tag", NULL, image_tag},         {"rm", "remove", image_rm},
	    {"load", NULL, image_load}, {"save", NULL, image_save},       {"build", NULL, image_build},
	};
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		printf("Usage: container-compose image COMMAND\n\nManage images\n\nCommands:\n"
		       "  ls        List images\n  inspect   Display detailed information on images\n"
		       "  pull      Download an image from a registry\n  push      Upload an image to a "
		       "registry\n"
		       "  tag       Create a tag that refers to an image\n  rm        Remove images\n"
		       "  load      Load images from a tar archive (OCI layout or docker-archive)\n"
		       "  save      Save images to a tar archive\n"
		       "  build     Build an image from a Dockerfile\n");
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name) != 0 &&
		    !(subs[i].alias && strcmp(argv[1], subs[i].alias) == 0))
			continue;
		if (strcmp(subs[i].name, "pull") == 0 || strcmp(subs[i].name, "push") == 0)
			return image_pull_push(ctx, argc - 1, argv + 1, strcmp(subs[i].name, "push") == 0);
		return subs[i].fn(ctx, argc - 1, argv + 1);
	}
	cli_usage_error("image", "unknown command \"%s\"", argv[1]);
	return CLI_USAGE;
}

int cli_login(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *user = NULL, *password = NULL;
	bool from_stdin = false;
	const struct cli_flag flags[] = {
	    {"username", 'u', CLI_STR, &user, "USER", "Username"},
	    {"password", 'p', CLI_STR, &password, "PASSWORD", "Password"},
	    {"password-stdin", 0, CLI_BOOL, &from_stdin, NULL, "Take the password from stdin"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"login", "[SERVER]", "Log in to a registry", flags, false};
	cc_strv args;
	int rc = parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	rc = CLI_OK;
	char line[4096];
	if (from_stdin) {
		if (!fgets(line, sizeof(line), stdin))
			line[0] = 0;
		line[strcspn(line, "\r\n")] = 0;
		password = line;
	}
	if (!user || !password) {
		cli_usage_error("login", "requires --username and --password or --password-stdin");
		rc = CLI_USAGE;
	}
	const char *server = args[0] ? args[0] : "docker.io";
	struct cc_registry_opts ro = {0};
	struct cc_error *err = NULL;
	if (rc == CLI_OK && cc_registry_login(server, user, password, &ro, &err) < 0)
		rc = cli_fail(&err);
	else if (rc == CLI_OK)
		printf("Login Succeeded\n");
	cc_strv_free(args);
	return rc;
}

int cli_push(struct cli_ctx *ctx, int argc, char **argv)
{
	bool ignore_failures = false, quiet = false, include_deps = false;
	const struct cli_flag flags[] = {
	    {"ignore-push-failures", 0, CLI_BOOL, &ignore_failures, NULL,
	     "Push what it can and ignore the rest"},
	    {"include-deps", 0, CLI_BOOL, &include_deps, NULL,
	     "Also push images of services declared as dependencies"},
	    {"quiet", 'q', CLI_BOOL, &quiet, NULL, "Push without printing progress information"},
	    {NULL, 0, 0, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"push", "[SERVICE...]", "Push service images", flags, false};
	cc_strv args;
	int rc = parse_or_exit(&spec, argc, argv, &args);
	if (rc >= 0)
		return rc;
	struct cc_project *p = NULL;
	struct cc_runtime *rt = NULL;
	rc = cli_open(ctx, args, &p, &rt);
	cc_strv wanted = NULL;
	if (rc == CLI_OK)
		rc = cli_select_services(p, args, include_deps, &wanted);
	const struct cc_val *svcs = rc == CLI_OK ? cc_project_services(p) : NULL;
	for (size_t i = 0; svcs && i < svcs->map.n && rc == CLI_OK; i++) {
		const char *name = svcs->map.e[i].key;
		bool named = cli_selected(wanted, name);
		const struct cc_val *img = cc_map_get(svcs->map.e[i].val, "image");
		if (!named)
			continue;
		/* docker compose pushes what it builds, to the image the service names; the rest is someone
		 * else's image */
		if (!img || img->kind == CC_V_NULL || !cc_map_get(svcs->map.e[i].val, "build")) {
			if (!quiet && strcmp(ctx->progress ? ctx->progress : "", "quiet") != 0)
				fprintf(stderr, "Service %s  Skipped (%s)\n", name,
					img && img->kind != CC_V_NULL ? "no build section"
								      : "no image to push to");
			continue;
		}
		struct cc_error *err = NULL;
		if (cli_push_image(ctx, rt, cc_val_text(img), quiet, &err) < 0) {
			if (ignore_failures) {
				fprintf(stderr, "warning: %s\n", err->msg);
				cc_error_free(err);
			} else {
				rc = cli_fail(&err);
			}
		}
	}
	cc_strv_free(wanted);
	if (p)
		cli_release_project(p);
	cc_strv_free(args);
	return rc;
}
