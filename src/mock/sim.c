/* The mock's process model: a handful of commands it can represent exactly, everything else runs until it is
 * stopped. Shell scripts are split on ';', '&&' and newlines, and each part must be one of the known
 * commands; a script with anything else in it is treated as a long-running program. */
#include "mock/mock.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool is_shell(const char *p)
{
	const char *b = base_name(p);
	return strcmp(b, "sh") == 0 || strcmp(b, "bash") == 0 || strcmp(b, "ash") == 0 ||
	       strcmp(b, "dash") == 0;
}

static void add_line(struct sim_program *p, int64_t offset, const char *text, size_t len)
{
	p->lines = cc_xrealloc(p->lines, (p->nlines + 1) * sizeof(*p->lines));
	p->lines[p->nlines].offset_ns = offset;
	p->lines[p->nlines].text = cc_xstrndup(text, len);
	p->nlines++;
}

static int parse_seconds(const char *s, int64_t *out)
{
	if (strcmp(s, "infinity") == 0)
		return 1;
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0 || !isfinite(v))
		return -1;
	double mult = 1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mult = 60, end++;
	else if (*end == 'h')
		mult = 3600, end++;
	if (*end)
		return -1;
	/* beyond what int64 nanoseconds hold (292 years) is forever, as far as anyone will wait */
	if (v * mult >= (double)(INT64_MAX / CC_NS_PER_SEC))
		return 1;
	*out = (int64_t)(v * mult * 1e9);
	return 0;
}

/* Evaluate one simple command at time *t; returns 1 when the program ended (exited or runs forever), 0 to go
 * on, -1 when the command is unknown. */
static int eval_command(char *const *argv, int64_t *t, struct sim_program *p)
{
	if (!argv[0])
		return 0;
	const char *cmd = base_name(argv[0]);
	if (strcmp(cmd, "echo") == 0) {
		cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
		size_t i = 1;
		bool newline = true;
		if (argv[1] && strcmp(argv[1], "-n") == 0)
			newline = false, i++;
		for (; argv[i]; i++)
			cc_strbuf_addf(&sb, "%s%s", sb.len ? " " : "", argv[i]);
		(void)newline; /* a log line is a line either way */
		add_line(p, *t, sb.buf ? sb.buf : "", sb.len);
		p->exit_code = 0;
		return 0;
	}
	if (strcmp(cmd, "true") == 0 || strcmp(cmd, ":") == 0) {
		p->exit_code = 0;
		return 0;
	}
	if (strcmp(cmd, "false") == 0) {
		p->exit_code = 1;
		return 0;
	}
	if (strcmp(cmd, "exit") == 0) {
		int code = p->exit_code;
		if (argv[1]) {
			char *end;
			long v = strtol(argv[1], &end, 10);
			if (*end || end == argv[1])
				return -1;
			code = (int)(v & 0xff);
		}
		p->exits = true;
		p->exit_code = code;
		p->duration_ns = *t;
		return 1;
	}
	if (strcmp(cmd, "sleep") == 0) {
		if (!argv[1])
			return -1;
		int64_t d;
		int r = parse_seconds(argv[1], &d);
		if (r < 0)
			return -1;
		if (r == 1) {
			p->exits = false;
			return 1;
		}
		if (d > INT64_MAX / 2 - *t) { /* a sum of sleeps past forever */
			p->exits = false;
			return 1;
		}
		*t += d;
		p->exit_code = 0;
		return 0;
	}
	return -1;
}

/* Split a shell word list; quotes group words, nothing else is interpreted. */
static cc_strv split_words(const char *s, size_t len)
{
	cc_strv v = NULL;
	cleanup_strbuf struct cc_strbuf w = CC_STRBUF_INIT;
	bool in_word = false;
	char quote = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (quote) {
			if (c == quote)
				quote = 0;
			else
				cc_strbuf_addch(&w, c);
		} else if (c == '\'' || c == '"') {
			quote = c;
			in_word = true;
		} else if (isspace((unsigned char)c)) {
			if (in_word) {
				cc_strv_push(&v, cc_strbuf_str(&w));
				cc_strbuf_reset(&w);
				in_word = false;
			}
		} else {
			cc_strbuf_addch(&w, c);
			in_word = true;
		}
	}
	if (in_word)
		cc_strv_push(&v, cc_strbuf_str(&w));
	if (!v)
		v = cc_xcalloc(1, sizeof(char *));
	return v;
}

/* A script: parts separated by ';', '&&' or newlines (outside quotes). */
static int eval_script(const char *script, int64_t *t, struct sim_program *p)
{
	const char *start = script;
	char quote = 0;
	for (const char *c = script;; c++) {
		bool end = !*c;
		size_t seplen = 0;
		if (!end && quote) {
			if (*c == quote)
				quote = 0;
			continue;
		}
		if (!end && (*c == '\'' || *c == '"')) {
			quote = *c;
			continue;
		}
		if (!end && (*c == ';' || *c == '\n'))
			seplen = 1;
		else if (!end && c[0] == '&' && c[1] == '&')
			seplen = 2;
		else if (!end && (*c == '|' || *c == '&' || *c == '>' || *c == '<' || *c == '$' ||
				  *c == '`' || *c == '(' || *c == ')'))
			return -1; /* pipes, redirections, expansions: not representable */
		if (!end && !seplen)
			continue;
		cc_strv words = split_words(start, (size_t)(c - start));
		int r = eval_command(words, t, p);
		cc_strv_free(words);
		if (r != 0)
			return r;
		if (end)
			return 0;
		c += seplen - 1;
		start = c + 1;
	}
}

static int eval_argv(char *const *argv, int64_t *t, struct sim_program *p)
{
	if (argv[0] && is_shell(argv[0]) && argv[1] && strcmp(argv[1], "-c") == 0 && argv[2])
		return eval_script(argv[2], t, p);
	return eval_command(argv, t, p);
}

void sim_evaluate(char *const *argv, struct sim_program *out)
{
	memset(out, 0, sizeof(*out));
	if (!argv || !argv[0])
		return; /* the image's default command: a service, as far as the mock can tell */
	int64_t t = 0;
	int r = eval_argv(argv, &t, out);
	if (r < 0) {
		/* unknown: whatever was simulated before it stays (its output happened), then it runs */
		out->exits = false;
		return;
	}
	if (r == 0) {
		out->exits = true;
		out->duration_ns = t;
	}
}

bool sim_known(char *const *argv)
{
	if (!argv || !argv[0])
		return false;
	struct sim_program p = {0};
	int64_t t = 0;
	int r = eval_argv(argv, &t, &p);
	sim_program_release(&p);
	return r >= 0;
}

void sim_program_release(struct sim_program *p)
{
	for (size_t i = 0; i < p->nlines; i++)
		free(p->lines[i].text);
	free(p->lines);
	memset(p, 0, sizeof(*p));
}

cc_strv sim_container_argv(const struct cc_container_spec *spec)
{
	cc_strv argv = NULL;
	if (spec->has_entrypoint)
		for (char *const *a = spec->entrypoint; a && *a; a++)
			cc_strv_push(&argv, *a);
	for (char *const *a = spec->cmd; a && *a; a++)
		cc_strv_push(&argv, *a);
	if (!argv)
		argv = cc_xcalloc(1, sizeof(char *));
	return argv;
}
