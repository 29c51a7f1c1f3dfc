/* Go templates for --format: the parse and the evaluation of the subset template.h lists. */
#include "cli/gotemplate.h"
#include "base/cleanup.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "cli/format.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A word of an action: a field path (".", ".A.B"), a string or number literal, or a function name. */
enum word_kind { W_FIELD, W_STRING, W_NUMBER, W_FUNC };

struct word {
	enum word_kind kind;
	char *text; /* the path without its leading dot, the literal's value, or the function's name */
};

struct command {
	struct word *w;
	size_t n;
};

struct node {
	char *text;          /* a text node; NULL for an action */
	struct command *cmd; /* an action: commands joined by pipes, each the next one's last argument */
	size_t ncmd;
};

struct cli_template {
	struct node *v;
	size_t n;
};

struct func {
	const char *name;
	int min, max; /* arguments, the piped value included */
};

#define PAD_MAX 1024

static const struct func funcs[] = {
    {"json", 1, 1}, {"upper", 1, 1},    {"lower", 1, 1},    {"title", 1, 1}, {"join", 2, 2}, {"split", 2, 2},
    {"pad", 3, 3},  {"truncate", 2, 2}, {"println", 0, 16}, {"len", 1, 1},   {NULL, 0, 0},
};

static const struct func *find_func(const char *name)
{
	for (const struct func *f = funcs; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static void node_release(struct node *nd)
{
	free(nd->text);
	for (size_t c = 0; c < nd->ncmd; c++) {
		for (size_t i = 0; i < nd->cmd[c].n; i++)
			free(nd->cmd[c].w[i].text);
		free(nd->cmd[c].w);
	}
	free(nd->cmd);
}

void cli_template_free(struct cli_template *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		node_release(&t->v[i]);
	free(t->v);
	free(t);
}

static struct node *add_node(struct cli_template *t)
{
	t->v = cc_xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	memset(&t->v[t->n], 0, sizeof(*t->v));
	return &t->v[t->n++];
}

/* A quoted literal at *s ("..." with Go's common escapes, or `raw`); advances past it. */
static char *read_literal(const char **s, char **msg)
{
	char q = **s;
	cleanup_strbuf struct cc_strbuf b = CC_STRBUF_INIT;
	const char *p = *s + 1;
	for (; *p && *p != q; p++) {
		if (q == '"' && *p == '\\' && p[1]) {
			p++;
			cc_strbuf_addch(&b, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
		} else {
			cc_strbuf_addch(&b, *p);
		}
	}
	if (*p != q) {
		*msg = cc_xstrdup("template: unterminated quoted string");
		return NULL;
	}
	*s = p + 1;
	return cc_strbuf_detach(&b, NULL);
}

static int parse_action(const char *a, size_t len, struct node *nd, char **msg)
{
	cleanup_free char *src = cc_xstrndup(a, len);
	const char *s = src;
	struct command *cur = NULL;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		if (*s == '|') {
			if (!cur || !cur->n) {
				*msg = cc_xstrdup("template: missing command before |");
				return -1;
			}
			cur = NULL;
			s++;
			continue;
		}
		if (!cur) {
			nd->cmd = cc_xrealloc(nd->cmd, (nd->ncmd + 1) * sizeof(*nd->cmd));
			cur = &nd->cmd[nd->ncmd++];
			*cur = (struct command){NULL, 0};
		}
		struct word w;
		if (*s == '"' || *s == '`') {
			w.kind = W_STRING;
			if (!(w.text = read_literal(&s, msg)))
				return -1;
		} else {
			const char *start = s;
			while (*s && !isspace((unsigned char)*s) && *s != '|')
				s++;
			w.text = cc_xstrndup(start, (size_t)(s - start));
			if (w.text[0] == '.') {
				w.kind = W_FIELD;
				memmove(w.text, w.text + 1, strlen(w.text));
			} else if (isdigit((unsigned char)w.text[0]) || w.text[0] == '-') {
				char *end = NULL;
				strtoll(w.text, &end, 10);
				if (end == w.text || *end) {
					*msg = cc_xasprintf("template: bad number syntax: %s", w.text);
					free(w.text);
					return -1;
				}
				w.kind = W_NUMBER;
			} else if (find_func(w.text)) {
				w.kind = W_FUNC;
			} else {
				*msg =
				    w.text[0] == '$'
					? cc_xasprintf("template: variables (%s) are not supported", w.text)
				    : strcmp(w.text, "range") == 0 || strcmp(w.text, "if") == 0 ||
					    strcmp(w.text, "with") == 0 || strcmp(w.text, "end") == 0 ||
					    strcmp(w.text, "else") == 0 || strcmp(w.text, "define") == 0 ||
					    strcmp(w.text, "template") == 0 || strcmp(w.text, "block") == 0
					? cc_xasprintf(
					      "template: \"%s\" is not supported (fields, pipes and the "
					      "functions json, upper, lower, title, join, split, pad, "
					      "truncate, "
					      "println are)",
					      w.text)
					: cc_xasprintf("template: function \"%s\" not defined", w.text);
				free(w.text);
				return -1;
			}
		}
		cur->w = cc_xrealloc(cur->w, (cur->n + 1) * sizeof(*cur->w));
		cur->w[cur->n++] = w;
	}
	if (!nd->ncmd || (cur && !cur->n) || !cur) {
		*msg = cc_xstrdup(nd->ncmd ? "template: missing command after |"
					   : "template: empty action {{}}");
		return -1;
	}
	for (size_t c = 0; c < nd->ncmd; c++) {
		const struct command *cmd = &nd->cmd[c];
		if (cmd->w[0].kind != W_FUNC && (cmd->n > 1 || c > 0)) {
			*msg = cc_xasprintf("template: can't give arguments to a non-function (%s%s)",
					    cmd->w[0].kind == W_FIELD ? "." : "", cmd->w[0].text);
			return -1;
		}
		if (cmd->w[0].kind == W_FUNC) {
			const struct func *f = find_func(cmd->w[0].text);
			int given = (int)cmd->n - 1 + (c > 0);
			if (given < f->min || given > f->max) {
				*msg =
				    f->min == f->max
					? cc_xasprintf(
					      "template: wrong number of args for %s: want %d got %d",
					      f->name, f->min, given)
					: cc_xasprintf(
					      "template: wrong number of args for %s: want at most %d got %d",
					      f->name, f->max, given);
				return -1;
			}
			for (size_t w = 1; w < cmd->n; w++)
				if (cmd->w[w].kind == W_FUNC) {
					*msg = cc_xasprintf(
					    "template: function \"%s\" as an argument of %s: pipe "
					    "into it instead ({{.Name | upper}})",
					    cmd->w[w].text, f->name);
					return -1;
				}
		}
	}
	return 0;
}

static void trim_right(struct node *nd)
{
	if (!nd || !nd->text)
		return;
	size_t n = strlen(nd->text);
	while (n && isspace((unsigned char)nd->text[n - 1]))
		nd->text[--n] = 0;
}

struct cli_template *cli_template_parse(const char *text, char **msg)
{
	*msg = NULL;
	struct cli_template *t = cc_xcalloc(1, sizeof(*t));
	/* docker's CLI reads \t and \n in a --format as a tab and a newline */
	cleanup_strbuf struct cc_strbuf src = CC_STRBUF_INIT;
	for (const char *p = text; *p; p++) {
		if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
			cc_strbuf_addch(&src, p[1] == 't' ? '\t' : '\n');
			p++;
		} else {
			cc_strbuf_addch(&src, *p);
		}
	}
	const char *s = cc_strbuf_str(&src);
	bool trim_next = false;
	while (*s) {
		const char *open = strstr(s, "{{");
		size_t tlen = open ? (size_t)(open - s) : strlen(s);
		if (trim_next)
			while (tlen && isspace((unsigned char)*s))
				s++, tlen--;
		if (tlen)
			add_node(t)->text = cc_xstrndup(s, tlen);
		if (!open)
			break;
		const char *a = open + 2;
		if (a[0] == '-' && isspace((unsigned char)a[1])) {
			trim_right(t->n && t->v[t->n - 1].text ? &t->v[t->n - 1] : NULL);
			a += 2;
		}
		/* the action ends at the first }} outside a quoted literal */
		const char *e = a;
		char quote = 0;
		for (; *e && (quote || e[0] != '}' || e[1] != '}'); e++) {
			if (quote && *e == '\\' && quote == '"' && e[1])
				e++;
			else if (quote && *e == quote)
				quote = 0;
			else if (!quote && (*e == '"' || *e == '`'))
				quote = *e;
		}
		if (!*e) {
			*msg = cc_xstrdup("template: unclosed action (no }})");
			cli_template_free(t);
			return NULL;
		}
		size_t alen = (size_t)(e - a);
		trim_next = alen >= 2 && a[alen - 1] == '-' && isspace((unsigned char)a[alen - 2]);
		if (trim_next)
			alen -= 2;
		if (parse_action(a, alen, add_node(t), msg) < 0) {
			cli_template_free(t);
			return NULL;
		}
		s = e + 2;
	}
	return t;
}

/* The value of a field path in the row (a new reference), or NULL when a key is missing. */
static json_t *field(const json_t *row, const char *path)
{
	const json_t *v = row;
	cleanup_free char *copy = cc_xstrdup(path);
	char *save = NULL;
	for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_is_object(v) ? json_object_get(v, k) : NULL;
	return v ? json_incref((json_t *)v) : NULL;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* How Go's text/template prints a value. */
static void print_value(const json_t *v, struct cc_strbuf *out)
{
	if (!v) {
		cc_strbuf_adds(out, "<no value>");
	} else if (json_is_string(v)) {
		cc_strbuf_add(out, json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v)) {
		cc_strbuf_addf(out, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		cc_strbuf_addf(out, "%g", json_real_value(v));
	} else if (json_is_boolean(v)) {
		cc_strbuf_adds(out, json_is_true(v) ? "true" : "false");
	} else if (json_is_null(v)) {
		cc_strbuf_adds(out, "<nil>");
	} else if (json_is_array(v)) {
		cc_strbuf_addch(out, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				cc_strbuf_addch(out, ' ');
			print_value(json_array_get(v, i), out);
		}
		cc_strbuf_addch(out, ']');
	} else {
		/* a map prints its keys in order */
		size_t n = json_object_size(v), k = 0;
		const char **keys = cc_xcalloc(n + 1, sizeof(char *));
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)v, key, val) keys[k++] = key;
		qsort(keys, n, sizeof(char *), cmp_keys);
		cc_strbuf_adds(out, "map[");
		for (size_t i = 0; i < n; i++) {
			cc_strbuf_addf(out, "%s%s:", i ? " " : "", keys[i]);
			print_value(json_object_get(v, keys[i]), out);
		}
		cc_strbuf_addch(out, ']');
		free(keys);
	}
}

static char *text_of(const json_t *v)
{
	cleanup_strbuf struct cc_strbuf b = CC_STRBUF_INIT;
	print_value(v, &b);
	return cc_strbuf_detach(&b, NULL);
}

static json_t *take_string(char *s)
{
	json_t *v = json_string(s);
	if (!v) /* not UTF-8 after a truncation: the bytes as they are */
		v = json_stringn_nocheck(s, strlen(s));
	free(s);
	return v;
}

static json_t *call(const char *name, json_t **args, int n, char **msg)
{
	if (strcmp(name, "json") == 0) {
		char *s = args[0] ? json_dumps(args[0], JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER)
				  : cc_xstrdup("null");
		return take_string(s);
	}
	if (strcmp(name, "println") == 0) {
		cleanup_strbuf struct cc_strbuf b = CC_STRBUF_INIT;
		for (int i = 0; i < n; i++) {
			if (i)
				cc_strbuf_addch(&b, ' ');
			print_value(args[i], &b);
		}
		cc_strbuf_addch(&b, '\n');
		return take_string(cc_strbuf_detach(&b, NULL));
	}
	if (strcmp(name, "len") == 0) {
		size_t len = json_is_array(args[0])    ? json_array_size(args[0])
			     : json_is_object(args[0]) ? json_object_size(args[0])
			     : json_is_string(args[0]) ? json_string_length(args[0])
						       : (size_t)-1;
		if (len == (size_t)-1)
			*msg = cc_xstrdup("template: len of a value that has no length");
		return len == (size_t)-1 ? NULL : json_integer((json_int_t)len);
	}
	char *s = text_of(args[0]);
	if (strcmp(name, "upper") == 0 || strcmp(name, "lower") == 0 || strcmp(name, "title") == 0) {
		bool start = true;
		for (char *p = s; *p; p++) {
			if (strcmp(name, "upper") == 0 || (strcmp(name, "title") == 0 && start))
				*p = (char)toupper((unsigned char)*p);
			else if (strcmp(name, "lower") == 0)
				*p = (char)tolower((unsigned char)*p);
			start = isspace((unsigned char)*p) != 0;
		}
		return take_string(s);
	}
	if (strcmp(name, "join") == 0) {
		cleanup_free char *sep = text_of(args[1]);
		if (!json_is_array(args[0]))
			return take_string(s);
		cleanup_strbuf struct cc_strbuf b = CC_STRBUF_INIT;
		for (size_t i = 0; i < json_array_size(args[0]); i++) {
			if (i)
				cc_strbuf_adds(&b, sep);
			print_value(json_array_get(args[0], i), &b);
		}
		free(s);
		return take_string(cc_strbuf_detach(&b, NULL));
	}
	if (strcmp(name, "split") == 0) {
		cleanup_free char *sep = text_of(args[1]);
		json_t *arr = json_array();
		char *p = s;
		for (char *q; *sep && (q = strstr(p, sep)); p = q + strlen(sep))
			json_array_append_new(arr, json_stringn_nocheck(p, (size_t)(q - p)));
		json_array_append_new(arr, json_stringn_nocheck(p, strlen(p)));
		free(s);
		return arr;
	}
	if (strcmp(name, "truncate") == 0 || strcmp(name, "pad") == 0) {
		json_int_t a = json_is_integer(args[1]) ? json_integer_value(args[1]) : -1;
		json_int_t b = n > 2 && json_is_integer(args[2]) ? json_integer_value(args[2]) : 0;
		/* a width past any screen is a mistake, not a request for gigabytes of spaces */
		if (a < 0 || b < 0 || (strcmp(name, "pad") == 0 && (a > PAD_MAX || b > PAD_MAX))) {
			*msg = cc_xasprintf(
			    "template: %s takes a value, then %s (%s)", name,
			    strcmp(name, "pad") == 0 ? "two numbers from 0 to 1024" : "a non-negative number",
			    strcmp(name, "pad") == 0 ? "{{pad .Name 2 2}}" : "{{truncate .ID 12}}");
			free(s);
			return NULL;
		}
		if (strcmp(name, "truncate") == 0) {
			/* whole UTF-8 characters, as Go counts runes */
			size_t i = 0;
			for (long k = 0; s[i] && k < a; k++)
				for (i++; ((unsigned char)s[i] & 0xC0) == 0x80; i++)
					;
			s[i] = 0;
			return take_string(s);
		}
		char *padded = cc_xasprintf("%*s%s%*s", (int)a, "", s, (int)b, "");
		free(s);
		return take_string(padded);
	}
	free(s);
	*msg = cc_xasprintf("template: function \"%s\" not defined", name);
	return NULL;
}

static json_t *word_value(const struct word *w, const json_t *row)
{
	switch (w->kind) {
	case W_FIELD:
		return w->text[0] ? field(row, w->text) : json_incref((json_t *)row);
	case W_STRING: {
		json_t *v = json_string(w->text);
		return v ? v : json_stringn_nocheck(w->text, strlen(w->text));
	}
	case W_NUMBER:
		return json_integer(strtoll(w->text, NULL, 10));
	case W_FUNC:
		break;
	}
	return NULL;
}

static int eval(const struct node *nd, const json_t *row, struct cc_strbuf *out, char **msg)
{
	json_t *piped = NULL;
	bool have_piped = false;
	for (size_t c = 0; c < nd->ncmd; c++) {
		const struct command *cmd = &nd->cmd[c];
		if (cmd->w[0].kind != W_FUNC) {
			piped = word_value(&cmd->w[0], row);
			have_piped = true;
			continue;
		}
		json_t *args[17] = {NULL};
		int n = 0;
		for (size_t i = 1; i < cmd->n && n < 16; i++)
			args[n++] = word_value(&cmd->w[i], row);
		if (have_piped && n < 17)
			args[n++] = piped;
		piped = call(cmd->w[0].text, args, n, msg);
		have_piped = true;
		for (int i = 0; i < n; i++)
			json_decref(args[i]);
		if (*msg)
			return -1;
	}
	print_value(piped, out);
	json_decref(piped);
	return 0;
}

int cli_template_render(const struct cli_template *t, const json_t *row, struct cc_strbuf *out, char **msg)
{
	*msg = NULL;
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].text)
			cc_strbuf_adds(out, t->v[i].text);
		else if (eval(&t->v[i], row, out, msg) < 0)
			return -1;
	}
	return 0;
}

/* "RunningFor" -> "RUNNING FOR", "ID" stays "ID" */
static void default_header(const char *field, struct cc_strbuf *out)
{
	for (const char *p = field; *p; p++) {
		if (p != field && isupper((unsigned char)*p) && islower((unsigned char)p[-1]))
			cc_strbuf_addch(out, ' ');
		cc_strbuf_addch(out, (char)toupper((unsigned char)*p));
	}
}

void cli_template_header(const struct cli_template *t, const char *const *headers, struct cc_strbuf *out)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct node *nd = &t->v[i];
		if (nd->text) {
			cc_strbuf_adds(out, nd->text);
			continue;
		}
		const char *first = NULL;
		for (size_t c = 0; c < nd->ncmd && !first; c++)
			for (size_t w = 0; w < nd->cmd[c].n && !first; w++)
				if (nd->cmd[c].w[w].kind == W_FIELD && nd->cmd[c].w[w].text[0])
					first = nd->cmd[c].w[w].text;
		if (!first)
			continue;
		const char *given = NULL;
		for (const char *const *h = headers; h && *h && !given; h += 2)
			if (strcmp(h[0], first) == 0)
				given = h[1];
		if (given)
			cc_strbuf_adds(out, given);
		else
			default_header(first, out);
	}
}

int cli_format_parse(const char *cmd, const char *format, struct cli_format *out)
{
	memset(out, 0, sizeof(*out));
	if (strcmp(format, "table") == 0 || !*format)
		return 0;
	if (strcmp(format, "json") == 0) {
		out->kind = CLI_FORMAT_JSON;
		return 0;
	}
	if (!strstr(format, "{{")) {
		/* a template without an action prints the same line for every row: a format's name
		 * misspelt, not a wish */
		cli_usage_error(
		    cmd, "unsupported format \"%s\": use table, json or a Go template ({{.Name}})", format);
		return -1;
	}
	out->kind = CLI_FORMAT_TEMPLATE;
	if (strncmp(format, "table", 5) == 0 && isspace((unsigned char)format[5])) {
		out->table = true;
		format += 6;
	}
	char *msg = NULL;
	out->tpl = cli_template_parse(format, &msg);
	if (!out->tpl) {
		cli_usage_error(cmd, "--format: %s", msg);
		free(msg);
		return -1;
	}
	return 0;
}

static void add_lines(struct cli_format *f, const char *text)
{
	cleanup_free char *copy = cc_xstrdup(text);
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cc_strv cells = NULL;
		char *p = line;
		/* empty cells count: split by hand rather than with strtok */
		for (char *tab; (tab = strchr(p, '\t')); p = tab + 1) {
			*tab = 0;
			cc_strv_push(&cells, p);
		}
		cc_strv_push(&cells, p);
		f->rows = cc_xrealloc(f->rows, (f->nrows + 1) * sizeof(*f->rows));
		f->rows[f->nrows++] = cells;
	}
}

void cli_format_row(struct cli_format *f, json_t *row)
{
	if (f->kind == CLI_FORMAT_JSON) {
		char *line = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);
		printf("%s\n", line ? line : "{}");
		free(line);
	} else if (f->kind == CLI_FORMAT_TEMPLATE && !f->failed) {
		cleanup_strbuf struct cc_strbuf b = CC_STRBUF_INIT;
		char *msg = NULL;
		if (cli_template_render(f->tpl, row, &b, &msg) < 0) {
			fprintf(stderr, "error: --format: %s\n", msg);
			free(msg);
			f->failed = true;
		} else if (f->table) {
			add_lines(f, cc_strbuf_str(&b));
		} else {
			printf("%s\n", cc_strbuf_str(&b));
		}
	}
	json_decref(row);
}

int cli_format_flush(struct cli_format *f, const char *const *headers)
{
	if (f->kind == CLI_FORMAT_TEMPLATE && f->table && !f->failed) {
		cleanup_strbuf struct cc_strbuf h = CC_STRBUF_INIT;
		cli_template_header(f->tpl, headers, &h);
		struct cli_format head = {.kind = CLI_FORMAT_TEMPLATE};
		add_lines(&head, cc_strbuf_str(&h));
		/* the header first, then the rows */
		head.rows = cc_xrealloc(head.rows, (head.nrows + f->nrows + 1) * sizeof(*head.rows));
		memcpy(head.rows + head.nrows, f->rows, f->nrows * sizeof(*f->rows));
		cli_print_table(head.rows, head.nrows + f->nrows);
		for (size_t i = 0; i < head.nrows + f->nrows; i++)
			cc_strv_free(head.rows[i]);
		free(head.rows);
	} else {
		for (size_t i = 0; i < f->nrows; i++)
			cc_strv_free(f->rows[i]);
	}
	free(f->rows);
	f->rows = NULL;
	f->nrows = 0;
	return f->failed ? -1 : 0;
}

int cli_format_finish(struct cli_format *f, const char *const *headers)
{
	int r = cli_format_flush(f, headers);
	cli_template_free(f->tpl);
	f->tpl = NULL;
	return r;
}

void cli_format_abandon(struct cli_format *f)
{
	f->failed = true;
	cli_format_finish(f, NULL);
}
