/* `config`: the project in canonical form, or one facet of it (--services, --volumes, --hash, ...). */
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "compose/emit.h"
#include "compose/hash.h"
#include "compose/template.h"
#include "cli/format.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_usage(FILE *out)
{
	fprintf(out, "Usage: container-compose config [OPTIONS] [SERVICE...]\n\n"
		     "Parse, resolve and render the Compose file in canonical form.\n\n"
		     "Options:\n"
		     "      --format yaml|json  Output format (default yaml)\n"
		     "  -o, --output FILE       Write to FILE instead of standard output\n"
		     "      --services          Print the service names, one per line\n"
		     "      --volumes           Print the volume names, one per line\n"
		     "      --networks          Print the network names, one per line\n"
		     "      --profiles          Print the profile names, one per line\n"
		     "      --images            Print the image of each service, one per line\n"
		     "      --hash SERVICE|'*'  Print the configuration hash of services\n"
		     "      --variables         Print the variables the files use, with their defaults\n"
		     "      --environment       Print the environment used for interpolation\n"
		     "      --no-interpolate    Don't interpolate environment variables\n"
		     "  -q, --quiet             Only validate, print nothing\n");
}

static void print_keys(const struct cc_val *map, struct cc_strbuf *out)
{
	for (size_t i = 0; map && i < map->map.n; i++)
		cc_strbuf_addf(out, "%s\n", map->map.e[i].key);
}

static int output(const char *path, const struct cc_strbuf *sb)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	if (!f) {
		fprintf(stderr, "error: cannot write %s: %s\n", path, strerror(errno));
		return CLI_FAIL;
	}
	fwrite(cc_strbuf_str(sb), 1, sb->len, f);
	if (path && fclose(f) != 0) {
		fprintf(stderr, "error: cannot write %s: %s\n", path, strerror(errno));
		return CLI_FAIL;
	}
	return CLI_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* --variables: each variable once, what its references say merged (any required; the first default and
 * alternate) */
static void note_variable(void *ud, const struct cc_template_var *v)
{
	struct cc_val *vars = ud;
	struct cc_val *e = cc_map_get(vars, v->name);
	if (!e) {
		e = cc_val_new(CC_V_MAP, (struct cc_pos){0});
		cc_map_set(e, "Name", cc_val_new_str(v->name, (struct cc_pos){0}));
		cc_map_set(e, "DefaultValue", cc_val_new_str("", (struct cc_pos){0}));
		cc_map_set(e, "PresenceValue", cc_val_new_str("", (struct cc_pos){0}));
		cc_map_set(e, "Required", cc_val_new_bool(false, (struct cc_pos){0}));
		cc_map_set(vars, v->name, e);
	}
	if (v->default_value && !*cc_map_get(e, "DefaultValue")->str)
		cc_map_set(e, "DefaultValue", cc_val_new_str(v->default_value, (struct cc_pos){0}));
	if (v->alternate && !*cc_map_get(e, "PresenceValue")->str)
		cc_map_set(e, "PresenceValue", cc_val_new_str(v->alternate, (struct cc_pos){0}));
	if (v->required)
		cc_map_get(e, "Required")->num.b = true;
}

static void collect_variables(const struct cc_val *v, struct cc_val *vars)
{
	if (!v)
		return;
	if (v->kind == CC_V_MAP)
		for (size_t i = 0; i < v->map.n; i++)
			collect_variables(v->map.e[i].val, vars);
	else if (v->kind == CC_V_SEQ)
		for (size_t i = 0; i < v->seq.n; i++)
			collect_variables(v->seq.v[i], vars);
	else if (v->str && cc_template_has_vars(v->str))
		cc_template_variables(v->str, note_variable, vars);
}

/* As docker compose prints them: a table by default, or a map of name to {Name, DefaultValue,
 * PresenceValue, Required} in JSON or YAML. */
static void print_variables(const struct cc_val *model, const char *format, struct cc_strbuf *out)
{
	struct cc_val *vars = cc_val_new(CC_V_MAP, (struct cc_pos){0});
	collect_variables(model, vars);
	cc_map_sort(vars);
	if (format && strcmp(format, "json") == 0) {
		cc_emit_json(vars, 0, out);
	} else if (format) {
		struct cc_error *err = NULL;
		if (cc_emit_yaml(vars, 0, out, &err) < 0)
			cc_error_free(err); /* plain strings and booleans: nothing to refuse */
	} else {
		cc_strv *rows = cc_xcalloc(vars->map.n + 2, sizeof(cc_strv));
		const char *header[] = {"NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE", NULL};
		rows[0] = cc_strv_copy((char *const *)header);
		for (size_t i = 0; i < vars->map.n; i++) {
			const struct cc_val *e = vars->map.e[i].val;
			const char *row[] = {
			    vars->map.e[i].key, cc_map_get(e, "Required")->num.b ? "true" : "false",
			    cc_map_get(e, "DefaultValue")->str, cc_map_get(e, "PresenceValue")->str, NULL};
			rows[i + 1] = cc_strv_copy((char *const *)row);
		}
		cli_render_table(rows, vars->map.n + 1, out);
		for (size_t i = 0; i <= vars->map.n; i++)
			cc_strv_free(rows[i]);
		free(rows);
	}
	cc_val_free(vars);
}

int cli_config(struct cli_ctx *ctx, int argc, char **argv)
{
	/* the engine's configs share the word: `config ls|create|rm` */
	static const char *const object_commands[] = {"ls", "list", "create", "rm", "remove", NULL};
	for (const char *const *c = object_commands; argc > 1 && *c; c++)
		if (strcmp(argv[1], *c) == 0)
			return cli_config_object(ctx, argc, argv);
	enum {
		OPT_FORMAT = 256,
		OPT_SERVICES,
		OPT_VOLUMES,
		OPT_NETWORKS,
		OPT_PROFILES,
		OPT_IMAGES,
		OPT_HASH,
		OPT_NO_INTERP,
		OPT_VARIABLES,
		OPT_ENVIRONMENT
	};
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"output", required_argument, NULL, 'o'},
	    {"services", no_argument, NULL, OPT_SERVICES},
	    {"volumes", no_argument, NULL, OPT_VOLUMES},
	    {"networks", no_argument, NULL, OPT_NETWORKS},
	    {"profiles", no_argument, NULL, OPT_PROFILES},
	    {"images", no_argument, NULL, OPT_IMAGES},
	    {"hash", required_argument, NULL, OPT_HASH},
	    {"no-interpolate", no_argument, NULL, OPT_NO_INTERP},
	    {"variables", no_argument, NULL, OPT_VARIABLES},
	    {"environment", no_argument, NULL, OPT_ENVIRONMENT},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *format = "yaml", *out_path = NULL, *hash = NULL;
	int facet = 0;
	bool quiet = false, no_interp = false, format_given = false;
	int c;
	optind = 0; /* 0 re-initialises GNU getopt, which then accepts options after service names */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			format = optarg;
			format_given = true;
			break;
		case 'o':
			out_path = optarg;
			break;
		case OPT_SERVICES:
		case OPT_VOLUMES:
		case OPT_NETWORKS:
		case OPT_PROFILES:
		case OPT_IMAGES:
		case OPT_VARIABLES:
		case OPT_ENVIRONMENT:
			facet = c;
			break;
		case OPT_HASH:
			facet = c;
			hash = optarg;
			break;
		case OPT_NO_INTERP:
			no_interp = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			print_usage(stdout);
			return CLI_OK;
		case ':':
			cli_usage_error("config", "option %s needs a value", argv[optind - 1]);
			return CLI_USAGE;
		default:
			cli_usage_error("config", "unknown option %s", argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (strcmp(format, "yaml") && strcmp(format, "json")) {
		cli_usage_error("config", "unsupported format \"%s\": use yaml or json", format);
		return CLI_USAGE;
	}
	struct cc_project *p = NULL;
	/* the variables are read from the files as written */
	if (cli_load_project(ctx, (const char *const *)argv + optind, (size_t)(argc - optind),
			     no_interp || facet == OPT_VARIABLES,
			     facet == OPT_PROFILES || facet == OPT_VARIABLES, &p) < 0)
		return CLI_FAIL;
	if (quiet) {
		cc_project_free(p);
		return CLI_OK;
	}
	struct cc_strbuf sb = CC_STRBUF_INIT;
	const struct cc_val *services = cc_project_services(p);
	int rc = CLI_OK;
	switch (facet) {
	case OPT_SERVICES:
		print_keys(services, &sb);
		break;
	case OPT_VOLUMES:
		print_keys(cc_map_get(p->model, "volumes"), &sb);
		break;
	case OPT_NETWORKS:
		print_keys(cc_map_get(p->model, "networks"), &sb);
		break;
	case OPT_PROFILES:
		for (size_t i = 0; i < p->nall_profiles; i++)
			cc_strbuf_addf(&sb, "%s\n", p->all_profiles[i]);
		break;
	case OPT_IMAGES:
		for (size_t i = 0; i < services->map.n; i++) {
			const struct cc_val *img = cc_map_get(services->map.e[i].val, "image");
			if (img)
				cc_strbuf_addf(&sb, "%s\n", img->str);
			else /* what `build` will tag, like docker compose */
				cc_strbuf_addf(&sb, "%s-%s\n", p->name, services->map.e[i].key);
		}
		break;
	case OPT_VARIABLES:
		print_variables(p->model, format_given ? format : NULL, &sb);
		break;
	case OPT_ENVIRONMENT: {
		size_t n = cc_strmap_size(&p->env), k = 0;
		const char **keys = cc_xcalloc(n + 1, sizeof(char *));
		cc_strmap_foreach(&p->env, e) keys[k++] = e->key;
		qsort(keys, k, sizeof(char *), cmp_str);
		for (size_t i = 0; i < k; i++)
			cc_strbuf_addf(&sb, "%s=%s\n", keys[i],
				       (const char *)cc_strmap_get(&p->env, keys[i]));
		free(keys);
		break;
	}
	case OPT_HASH: {
		bool all = !strcmp(hash, "*");
		cleanup_free char *list = cc_xstrdup(hash);
		for (size_t i = 0; i < services->map.n; i++) {
			const char *name = services->map.e[i].key;
			bool want = all;
			cleanup_free char *copy = cc_xstrdup(list);
			char *save = NULL;
			for (char *t = strtok_r(copy, ",", &save); t && !want; t = strtok_r(NULL, ",", &save))
				want = !strcmp(t, name);
			if (!want)
				continue;
			char h[CC_SHA256_HEX_LEN + 1];
			cc_service_config_hash(services->map.e[i].val, h);
			cc_strbuf_addf(&sb, "%s %s\n", name, h);
		}
		if (!all) {
			char *save = NULL;
			for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
				if (!cc_map_get(services, t)) {
					fprintf(stderr, "error: no such service: %s\n", t);
					rc = CLI_FAIL;
				}
		}
		break;
	}
	default: {
		unsigned eflags = no_interp ? 0 : CC_EMIT_ESCAPE_DOLLAR;
		if (!strcmp(format, "json")) {
			cc_emit_json(p->model, eflags, &sb);
		} else {
			struct cc_error *err = NULL;
			if (cc_emit_yaml(p->model, eflags, &sb, &err) < 0) {
				cli_print_error(err);
				cc_error_free(err);
				rc = CLI_FAIL;
			}
		}
	}
	}
	if (rc == CLI_OK)
		rc = output(out_path, &sb);
	cc_strbuf_release(&sb);
	cli_release_project(p);
	return rc;
}
