/* The Dockerfile parse: see dockerfile.h. Lines are processed in three passes over one buffer: parser
 * directives at the top, then instructions (continuations joined, comment lines inside them dropped as
 * BuildKit does), each followed by the bodies of its heredocs. */
#include "engine/build/dockerfile.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct lines {
	char **v;
	size_t n, i;
};

static void split_lines(const char *text, size_t len, struct lines *out)
{
	size_t cap = 0;
	*out = (struct lines){0};
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		size_t l = (size_t)(stop - p);
		if (l && p[l - 1] == '\r')
			l--;
		cc_grow((void **)&out->v, &cap, out->n + 1, sizeof(char *));
		out->v[out->n++] = cc_xstrndup(p, l);
		p = nl ? nl + 1 : end;
	}
}

static void lines_release(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static bool blank_or_comment(const char *line)
{
	const char *s = skip_ws(line);
	return *s == '\0' || *s == '#';
}

/* "# key=value" at the top of the file; 1 when the line is a directive (stored), 0 when not. */
static int directive(const char *line, struct cc_dockerfile *df, bool *seen_escape, int lineno,
		     struct cc_error **err)
{
	const char *s = skip_ws(line);
	if (*s != '#')
		return 0;
	s = skip_ws(s + 1);
	const char *k = s;
	while (isalnum((unsigned char)*s))
		s++;
	size_t klen = (size_t)(s - k);
	s = skip_ws(s);
	if (!klen || *s != '=')
		return 0;
	s = skip_ws(s + 1);
	char *val = cc_xstrdup(s);
	for (size_t l = strlen(val); l && (val[l - 1] == ' ' || val[l - 1] == '\t'); l--)
		val[l - 1] = '\0';
	int r = 1;
	if (klen == 6 && strncasecmp(k, "escape", 6) == 0) {
		if (*seen_escape)
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					 "%s:%d: only one escape parser directive "
					 "can be used",
					 df->name, lineno);
		else if (strcmp(val, "\\") != 0 && strcmp(val, "`") != 0)
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					 "%s:%d: invalid escape token '%s' does not match ` or \\", df->name,
					 lineno, val);
		else
			df->escape = val[0];
		*seen_escape = true;
	}
	/* syntax, check and unknown directives do not change how this parser reads the file */
	free(val);
	return r;
}

/* Instructions and the flags each one takes. */
static const struct {
	const char *cmd;
	const char *flags; /* space-separated, with spaces at both ends */
} known[] = {
    {"from", " platform "},
    {"run", " mount network security "},
    {"cmd", ""},
    {"label", ""},
    {"maintainer", ""},
    {"expose", ""},
    {"env", ""},
    {"add", " chown chmod link checksum keep-git-dir exclude "},
    {"copy", " from chown chmod link parents exclude "},
    {"entrypoint", ""},
    {"volume", ""},
    {"user", ""},
    {"workdir", ""},
    {"arg", ""},
    {"onbuild", ""},
    {"stopsignal", ""},
    {"healthcheck", " interval timeout start-period start-interval retries "},
    {"shell", ""},
};

static int known_index(const char *cmd)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].cmd, cmd) == 0)
			return (int)i;
	return -1;
}

static bool takes_json(const char *cmd)
{
	static const char *const forms[] = {"run",  "cmd", "entrypoint", "shell",
					    "copy", "add", "volume",     NULL};
	for (const char *const *f = forms; *f; f++)
		if (strcmp(*f, cmd) == 0)
			return true;
	return false;
}

/* A JSON array of strings, else NULL (the shell form). */
static cc_strv parse_json_form(const char *args)
{
	if (*skip_ws(args) != '[')
		return NULL;
	json_t *j = json_loads(args, JSON_DECODE_ANY, NULL);
	if (!json_is_array(j)) {
		json_decref(j);
		return NULL;
	}
	cc_strv v = cc_xcalloc(1, sizeof(char *));
	size_t i;
	json_t *e;
	json_array_foreach(j, i, e)
	{
		if (!json_is_string(e)) {
			cc_strv_free(v);
			json_decref(j);
			return NULL;
		}
		cc_strv_push(&v, json_string_value(e));
	}
	json_decref(j);
	return v;
}

static int take_flags(struct cc_df_instr *in, int k, char **rest, const char *name, struct cc_error **err)
{
	char *s = *rest;
	while (s[0] == '-' && s[1] == '-') {
		char *end = s;
		while (*end && *end != ' ' && *end != '\t')
			end++;
		cleanup_free char *flag = cc_xstrndup(s, (size_t)(end - s));
		char *eq = strchr(flag, '=');
		cleanup_free char *fname =
		    cc_xstrndup(flag + 2, eq ? (size_t)(eq - flag - 2) : strlen(flag + 2));
		cleanup_free char *needle = cc_xasprintf(" %s ", fname);
		if (!strstr(known[k].flags, needle))
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s:%d: unknown flag: --%s for %s",
					    name, in->line, fname, in->cmd);
		cc_strv_push(&in->flags, flag);
		s = (char *)skip_ws(end);
	}
	*rest = s;
	return 0;
}

/* The heredoc markers of RUN, COPY and ADD arguments, in order: "<<EOF", "<<-EOF", "<<'EOF'", "<<\"EOF\"". */
static void heredoc_markers(const char *args, struct cc_df_instr *in, cc_strv *strip)
{
	const char *p = args;
	while ((p = strstr(p, "<<"))) {
		const char *q = p + 2;
		bool dash = *q == '-';
		if (dash)
			q++;
		char quote = (*q == '"' || *q == '\'') ? *q : 0;
		if (quote)
			q++;
		const char *w = q;
		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		if (q == w || (quote && *q != quote)) {
			p += 2;
			continue;
		}
		in->heredocs = cc_xrealloc(in->heredocs, (in->nheredocs + 1) * sizeof(*in->heredocs));
		in->heredocs[in->nheredocs++] =
		    (struct cc_df_heredoc){.name = cc_xstrndup(w, (size_t)(q - w)), .expand = !quote};
		cc_strv_push(strip, dash ? "-" : "");
		p = q + (quote ? 1 : 0);
	}
}

static int read_heredocs(struct cc_df_instr *in, cc_strv strip, struct lines *ls, const char *name,
			 struct cc_error **err)
{
	for (size_t h = 0; h < in->nheredocs; h++) {
		cleanup_strbuf struct cc_strbuf body = CC_STRBUF_INIT;
		bool done = false;
		while (ls->i < ls->n && !done) {
			const char *l = ls->v[ls->i++];
			if (strip[h][0] == '-')
				while (*l == '\t')
					l++;
			if (strcmp(l, in->heredocs[h].name) == 0)
				done = true;
			else
				cc_strbuf_addf(&body, "%s\n", l);
		}
		if (!done)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "%s:%d: unterminated heredoc %s (no line \"%s\" before the end)",
					    name, in->line, in->heredocs[h].name, in->heredocs[h].name);
		in->heredocs[h].content = cc_xstrdup(cc_strbuf_str(&body));
	}
	return 0;
}

/* One instruction starting at ls->i (a line that is neither blank nor a comment). */
static int instruction(struct lines *ls, struct cc_dockerfile *df, struct cc_df_instr *in,
		       struct cc_error **err)
{
	in->line = (int)ls->i + 1;
	cleanup_strbuf struct cc_strbuf buf = CC_STRBUF_INIT;
	bool first = true;
	while (ls->i < ls->n) {
		const char *l = ls->v[ls->i++];
		if (!first && blank_or_comment(l))
			continue;
		first = false;
		size_t len = strlen(l);
		while (len && (l[len - 1] == ' ' || l[len - 1] == '\t'))
			len--;
		if (len && l[len - 1] == df->escape) {
			cc_strbuf_add(&buf, l, len - 1);
			continue;
		}
		cc_strbuf_add(&buf, l, len);
		break;
	}
	const char *s = skip_ws(cc_strbuf_str(&buf));
	const char *kw = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	in->cmd = cc_xstrndup(kw, (size_t)(s - kw));
	for (char *c = in->cmd; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	in->original = cc_xstrdup(kw);
	int k = known_index(in->cmd);
	if (k < 0)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s:%d: unknown instruction: %.*s",
				    df->name, in->line, (int)(s - kw), kw);
	char *rest = (char *)skip_ws(s);
	if (take_flags(in, k, &rest, df->name, err) < 0)
		return -1;
	in->args = cc_xstrdup(rest);
	if (!*in->args)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s:%d: %s requires at least one argument",
				    df->name, in->line, in->cmd);
	if (takes_json(in->cmd))
		in->json = parse_json_form(in->args);
	if (!in->json &&
	    (strcmp(in->cmd, "run") == 0 || strcmp(in->cmd, "copy") == 0 || strcmp(in->cmd, "add") == 0)) {
		cc_strv strip = NULL;
		heredoc_markers(in->args, in, &strip);
		int r = read_heredocs(in, strip, ls, df->name, err);
		cc_strv_free(strip);
		if (r < 0)
			return -1;
	}
	return 0;
}

int cc_dockerfile_parse(const char *text, size_t len, const char *name, struct cc_dockerfile *out,
			struct cc_error **err)
{
	*out = (struct cc_dockerfile){.escape = '\\', .name = cc_xstrdup(name ? name : "Dockerfile")};
	struct lines ls;
	split_lines(text, len, &ls);
	bool seen_escape = false;
	int r = 0;
	while (ls.i < ls.n && (r = directive(ls.v[ls.i], out, &seen_escape, (int)ls.i + 1, err)) > 0)
		ls.i++;
	size_t cap = 0;
	while (r >= 0 && ls.i < ls.n) {
		if (blank_or_comment(ls.v[ls.i])) {
			ls.i++;
			continue;
		}
		cc_grow((void **)&out->v, &cap, out->n + 1, sizeof(*out->v));
		out->v[out->n] = (struct cc_df_instr){0};
		r = instruction(&ls, out, &out->v[out->n++], err);
	}
	lines_release(&ls);
	if (r >= 0 && out->n == 0)
		r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: the file has no instructions", out->name);
	if (r < 0) {
		cc_dockerfile_release(out);
		return -1;
	}
	return 0;
}

void cc_dockerfile_release(struct cc_dockerfile *df)
{
	for (size_t i = 0; i < df->n; i++) {
		struct cc_df_instr *in = &df->v[i];
		free(in->cmd);
		free(in->args);
		free(in->original);
		cc_strv_free(in->flags);
		cc_strv_free(in->json);
		for (size_t h = 0; h < in->nheredocs; h++) {
			free(in->heredocs[h].name);
			free(in->heredocs[h].content);
		}
		free(in->heredocs);
	}
	free(df->v);
	free(df->name);
	*df = (struct cc_dockerfile){0};
}

const char *cc_df_flag(const struct cc_df_instr *in, const char *name)
{
	size_t n = strlen(name);
	for (char *const *f = in->flags; f && *f; f++)
		if (strncmp(*f + 2, name, n) == 0 && ((*f)[2 + n] == '=' || (*f)[2 + n] == '\0'))
			return (*f)[2 + n] == '=' ? *f + 3 + n : "";
	return NULL;
}
