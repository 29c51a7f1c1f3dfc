/* `config`: the project in canonical form, or one facet of it (--services, --volumes, --hash, ...). */
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "compose/emit.h"
#include "compose/hash.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
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
		OPT_NO_INTERP
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
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *format = "yaml", *out_path = NULL, *hash = NULL;
	int facet = 0;
	bool quiet = false, no_interp = false;
	int c;
	optind = 0; /* 0 re-initialises GNU getopt, which then accepts options after service names */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			format = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case OPT_SERVICES:
		case OPT_VOLUMES:
		case OPT_NETWORKS:
		case OPT_PROFILES:
		case OPT_IMAGES:
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
	if (cli_load_project(ctx, (const char *const *)argv + optind, (size_t)(argc - optind), no_interp,
			     facet == OPT_PROFILES, &p) < 0)
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
