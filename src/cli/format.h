/* How containers read in tables and JSON: docker's status texts, port lists and commands. */
#ifndef CC_CLI_FORMAT_H
#define CC_CLI_FORMAT_H

#include "base/strbuf.h"
#include "runtime/types.h"

/* "0.0.0.0:8080->80/tcp, 127.0.0.1:9000->9000/udp" */
void cli_format_ports(const struct cc_container *c, struct cc_strbuf *out);
/* The command as docker shows it: "\"echo hi\"" (quoted, truncated unless no_trunc). */
/* img: the container's image, for a command the service left to it (NULL: the spec's alone). */
void cli_format_command(const struct cc_container *c, const struct cc_image *img, bool no_trunc,
			struct cc_strbuf *out);
/* "2024-05-01 12:34:56 +0000 UTC" */
void cli_format_created_at(int64_t ns, struct cc_strbuf *out);
/* "3 minutes ago" */
void cli_format_ago(int64_t ns, int64_t now, struct cc_strbuf *out);
/* --since/--until: RFC 3339, a Unix timestamp ("0" is the epoch, as in docker), or a duration ago ("10m").
 * Prints the usage error itself. */
int cli_parse_when(const char *cmd, const char *s, int64_t *out);
/* Print rows of cells as columns separated by three spaces (docker's tabwriter look). rows[0] is the
 * header. */
void cli_print_table(cc_strv *rows, size_t nrows);
/* The same into out. */
void cli_render_table(cc_strv *rows, size_t nrows, struct cc_strbuf *out);

#endif
