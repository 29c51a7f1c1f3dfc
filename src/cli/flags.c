/* Flag tables: parsing and help. */
#include "cli/flags.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_print_help(const struct cli_spec *spec)
{
	printf("Usage: container-compose %s [OPTIONS]%s%s\n\n%s\n", spec->name, spec->args ? " " : "",
	       spec->args ? spec->args : "", spec->summary);
	if (!spec->flags || !spec->flags[0].name)
		return;
	printf("\nOptions:\n");
	for (const struct cli_flag *f = spec->flags; f->name; f++) {
		char left[64];
		if (f->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", f->short_name, f->name,
				 f->arg ? " " : "", f->arg ? f->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", f->name, f->arg ? " " : "",
				 f->arg ? f->arg : "");
		printf("  %-30s %s\n", left, f->help);
	}
}

static int set_value(const struct cli_spec *spec, const struct cli_flag *f, const char *v)
{
	char *end;
	switch (f->kind) {
	case CLI_BOOL:
		if (!v || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			*(bool *)f->dest = true;
		else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			*(bool *)f->dest = false;
		else
			goto bad;
		return 0;
	case CLI_STR:
		*(const char **)f->dest = v;
		return 0;
	case CLI_INT:
		errno = 0;
		*(long *)f->dest = strtol(v, &end, 10);
		if (errno || end == v || *end)
			goto bad;
		return 0;
	case CLI_LIST:
		cc_strv_push((cc_strv *)f->dest, v);
		return 0;
	case CLI_SECS: {
		errno = 0;
		double s = strtod(v, &end);
		if (errno || end == v || *end || !isfinite(s) || s < -1 || s > 1e9)
			goto bad;
		*(int64_t *)f->dest = (int64_t)(s * 1e9);
		return 0;
	}
	}
bad:
	cli_usage_error(spec->name, "invalid value \"%s\" for --%s", v ? v : "", f->name);
	return -1;
}

static const struct cli_flag *find_long(const struct cli_spec *spec, const char *name, size_t len)
{
	for (const struct cli_flag *f = spec->flags; f && f->name; f++)
		if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
			return f;
	return NULL;
}

static const struct cli_flag *find_short(const struct cli_spec *spec, char c)
{
	for (const struct cli_flag *f = spec->flags; f && f->name; f++)
		if (f->short_name == c)
			return f;
	return NULL;
}

static int parse_into(const struct cli_spec *spec, int argc, char **argv, cc_strv *args)
{
	bool positional_only = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (positional_only || a[0] != '-' || a[1] == 0) {
			cc_strv_push(args, a);
			if (spec->stop_at_positional)
				positional_only = true;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			positional_only = true;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cli_print_help(spec);
			return CLI_PARSE_HELP;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			const struct cli_flag *f =
			    find_long(spec, name, eq ? (size_t)(eq - name) : strlen(name));
			if (!f) {
				cli_usage_error(spec->name, "unknown flag: --%.*s",
						(int)(eq ? eq - name : (long)strlen(name)), name);
				return CLI_PARSE_ERROR;
			}
			const char *v = eq ? eq + 1 : NULL;
			if (!v && f->kind != CLI_BOOL) {
				if (i + 1 >= argc) {
					cli_usage_error(spec->name, "flag needs an argument: --%s", f->name);
					return CLI_PARSE_ERROR;
				}
				v = argv[++i];
			}
			if (set_value(spec, f, v) < 0)
				return CLI_PARSE_ERROR;
			continue;
		}
		for (const char *p = a + 1; *p; p++) {
			const struct cli_flag *f = find_short(spec, *p);
			if (!f) {
				cli_usage_error(spec->name, "unknown shorthand flag: '%c' in %s", *p, a);
				return CLI_PARSE_ERROR;
			}
			if (f->kind == CLI_BOOL) {
				if (set_value(spec, f, NULL) < 0)
					return CLI_PARSE_ERROR;
				continue;
			}
			const char *v = p[1] ? p + 1 : NULL;
			if (!v) {
				if (i + 1 >= argc) {
					cli_usage_error(spec->name, "flag needs an argument: '%c' in %s", *p,
							a);
					return CLI_PARSE_ERROR;
				}
				v = argv[++i];
			}
			if (set_value(spec, f, v) < 0)
				return CLI_PARSE_ERROR;
			break;
		}
	}
	return CLI_PARSED;
}

int cli_parse(const struct cli_spec *spec, int argc, char **argv, cc_strv *args)
{
	*args = cc_xcalloc(1, sizeof(char *));
	int r = parse_into(spec, argc, argv, args);
	if (r != CLI_PARSED) {
		cc_strv_free(*args);
		*args = NULL;
	}
	return r;
}
