/* Shared parts of the object commands: see objects.h. */
#include "cli/objects.h"
#include "cli/gotemplate.h"
#include "base/xalloc.h"
#include "cli/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_dispatch(struct cli_ctx *ctx, const char *group, const char *summary, const struct cli_sub *subs,
		 int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		printf("Usage: container-compose %s COMMAND\n\n%s\n\nCommands:\n", group, summary);
		for (const struct cli_sub *s = subs; s->name; s++)
			printf("  %-11s %s\n", s->name, s->summary);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	for (const struct cli_sub *s = subs; s->name; s++)
		if (strcmp(argv[1], s->name) == 0 || (s->alias && strcmp(argv[1], s->alias) == 0))
			return s->fn(ctx, argc - 1, argv + 1);
	cli_usage_error(group, "unknown command \"%s\"", argv[1]);
	return CLI_USAGE;
}

int cli_parse_or_exit(const struct cli_spec *spec, int argc, char **argv, cc_strv *args)
{
	int pr = cli_parse(spec, argc, argv, args);
	return pr == CLI_PARSED ? -1 : pr == CLI_PARSE_HELP ? CLI_OK : CLI_USAGE;
}

int cli_parse_no_args(const struct cli_spec *spec, int argc, char **argv)
{
	cc_strv args = NULL;
	int rc = cli_parse_or_exit(spec, argc, argv, &args);
	if (rc < 0 && args && args[0]) {
		cli_usage_error(spec->name, "unexpected argument \"%s\"", args[0]);
		rc = CLI_USAGE;
	}
	cc_strv_free(args);
	return rc;
}

void cli_listing_init(struct cli_listing *l, const char *const *header)
{
	memset(l, 0, sizeof(*l));
	l->rows = cc_xcalloc(1, sizeof(cc_strv));
	l->rows[l->nrows++] = cc_strv_copy((char *const *)header);
	l->lines = json_array();
}

void cli_listing_add(struct cli_listing *l, const char *const *cells, json_t *obj, const char *name)
{
	l->rows = cc_xrealloc(l->rows, (l->nrows + 1) * sizeof(cc_strv));
	l->rows[l->nrows++] = cc_strv_copy((char *const *)cells);
	json_array_append_new(l->lines, obj);
	cc_strv_push(&l->names, name);
}

int cli_listing_print(struct cli_listing *l, const char *cmd, const char *format, bool quiet)
{
	int rc = CLI_OK;
	struct cli_format f;
	if (cli_format_parse(cmd, format, &f) < 0) {
		rc = CLI_USAGE;
	} else if (quiet) {
		for (size_t i = 0; l->names && l->names[i]; i++)
			printf("%s\n", l->names[i]);
	} else if (f.kind != CLI_FORMAT_TABLE) {
		/* JSON: an object per line; a template: its rendering of each */
		size_t i;
		json_t *o;
		json_array_foreach(l->lines, i, o) cli_format_row(&f, json_incref(o));
	} else {
		cli_print_table(l->rows, l->nrows);
	}
	if (rc != CLI_OK || quiet)
		cli_format_abandon(&f);
	else if (cli_format_finish(&f, NULL) < 0)
		rc = CLI_FAIL;
	for (size_t i = 0; i < l->nrows; i++)
		cc_strv_free(l->rows[i]);
	free(l->rows);
	json_decref(l->lines);
	cc_strv_free(l->names);
	return rc;
}

void cli_kvs_from_list(char *const *items, struct cc_kvs *out)
{
	for (char *const *l = items; l && *l; l++) {
		const char *eq = strchr(*l, '=');
		char *k = eq ? cc_xstrndup(*l, (size_t)(eq - *l)) : cc_xstrdup(*l);
		cc_kvs_set(out, k, eq ? eq + 1 : "");
		free(k);
	}
}

/* The runtime of a command that needs at least one name: NULL with *rc set when there is none or no runtime.
 */
static struct cc_runtime *named_runtime(struct cli_ctx *ctx, const char *cmd, char *const *names,
					const char *what, int *rc)
{
	if (!names || !names[0]) {
		cli_usage_error(cmd, "requires at least 1 argument: %s", what);
		*rc = CLI_USAGE;
		return NULL;
	}
	struct cc_runtime *rt = cli_runtime(ctx);
	*rc = rt ? CLI_OK : CLI_FAIL;
	return rt;
}

int cli_inspect_each(struct cli_ctx *ctx, const char *cmd, char *const *names, const char *what,
		     json_t *(*get)(struct cc_runtime *rt, const char *name, struct cc_error **err))
{
	int rc;
	struct cc_runtime *rt = named_runtime(ctx, cmd, names, what, &rc);
	json_t *arr = json_array();
	for (char *const *a = names; rt && rc == CLI_OK && *a; a++) {
		struct cc_error *err = NULL;
		json_t *doc = get(rt, *a, &err);
		if (!doc)
			rc = cli_fail(&err);
		else
			json_array_append_new(arr, doc);
	}
	if (rc == CLI_OK) {
		char *text = json_dumps(arr, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
	}
	json_decref(arr);
	return rc;
}

int cli_remove_each(struct cli_ctx *ctx, const char *cmd, char *const *names, const char *what,
		    int (*rm)(struct cc_runtime *rt, const char *name, const void *arg,
			      struct cc_error **err),
		    const void *arg)
{
	int rc;
	struct cc_runtime *rt = named_runtime(ctx, cmd, names, what, &rc);
	/* like docker: every name is tried, and the command fails if one did */
	for (char *const *a = names; rt && *a; a++) {
		struct cc_error *err = NULL;
		if (rm(rt, *a, arg, &err) < 0)
			rc = cli_fail(&err);
		else
			printf("%s\n", *a);
	}
	return rc;
}
