/* `--format` with a Go template, as docker's CLI takes it (`ps --format 'table {{.Name}}\t{{.Status}}'`):
 * the subset scripts use. Actions print a field of the row (`{{.Name}}`, `{{.A.B}}`, `{{.}}`), or a
 * function of fields (`json`, `upper`, `lower`, `title`, `join`, `split`, `truncate`, `pad`, `println`,
 * `len`), with pipes (`{{.Name | upper}}`) and `{{-`/`-}}` trimming. Anything else (range, if, variables) is
 * refused with the reason when the template is parsed. A row is the JSON object `--format json` prints. */
#ifndef CC_CLI_GOTEMPLATE_H
#define CC_CLI_GOTEMPLATE_H

#include <jansson.h>
#include <stdbool.h>

#include "base/strbuf.h"
#include "runtime/types.h"

struct cli_template;

/* Parse a template (without its `table` prefix; `\t` and `\n` stand for a tab and a newline, as docker's CLI
 * reads them). NULL with *msg set (the caller frees it) on an error. */
struct cli_template *cli_template_parse(const char *text, char **msg);
void cli_template_free(struct cli_template *t);
/* Render one row; -1 with *msg set on an error (a function given the wrong arguments). */
int cli_template_render(const struct cli_template *t, const json_t *row, struct cc_strbuf *out, char **msg);
/* The header line of a table template: each action shows its first field's header (headers: pairs of field
 * name and header, NULL-terminated, for the fields whose header is not the name in capitals with its words
 * split, e.g. RunningFor: CREATED). */
void cli_template_header(const struct cli_template *t, const char *const *headers, struct cc_strbuf *out);

/* A list command's --format: "table" (the command's own table), "json" (an object per line), "table
 * TEMPLATE" (the template's columns aligned under their headers) or a TEMPLATE (a line per row). */
struct cli_format {
	enum { CLI_FORMAT_TABLE, CLI_FORMAT_JSON, CLI_FORMAT_TEMPLATE } kind;
	bool table; /* TEMPLATE under its headers */
	struct cli_template *tpl;
	cc_strv *rows; /* a table template's rendered cells, header first */
	size_t nrows;
	bool failed; /* a row could not be rendered: the error was printed */
};
/* Parse --format for cmd; prints the usage error and returns -1 on a bad one. */
int cli_format_parse(const char *cmd, const char *format, struct cli_format *out);
/* JSON: prints the row; TEMPLATE: renders it (printed now, or kept for the table). Takes row. */
void cli_format_row(struct cli_format *f, json_t *row);
/* A table template: prints its header and the rows so far, aligned (a stream of tables: stats). -1 when a
 * row could not be rendered (the error was printed). */
int cli_format_flush(struct cli_format *f, const char *const *headers);
/* cli_format_flush, then releases f. */
int cli_format_finish(struct cli_format *f, const char *const *headers);
/* Release f without printing (the command failed). */
void cli_format_abandon(struct cli_format *f);

#endif
