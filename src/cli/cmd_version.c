#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#ifndef CC_VERSION
#define CC_VERSION "0.1.0"
#endif

int cli_version(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"short", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *format = NULL;
	bool short_ = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:sh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 's':
			short_ = true;
			break;
		case 'h':
			printf("Usage: container-compose version [--format json] [--short]\n");
			return CLI_OK;
		default:
			cli_usage_error("version", "invalid option");
			return CLI_USAGE;
		}
	}
	if (format && !strcmp(format, "json"))
		printf("{\"version\":\"%s\"}\n", CC_VERSION);
	else if (short_)
		printf("%s\n", CC_VERSION);
	else
		printf("container-compose version %s\n", CC_VERSION);
	return CLI_OK;
}
