/* Word processing of Dockerfile arguments: see dockerfile.h. A small recursive lexer over one string: quotes,
 * the escape character and ${...} expansions, whose default words are lexed again (they can hold quotes and
 * further expansions). */
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/build/dockerfile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct lex {
	const char *s;
	size_t i;
	char esc;
	cc_df_lookup_fn *lookup;
	void *ctx;
	struct cc_error **err;
};

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int expand(struct lex *lx, struct cc_strbuf *out);

/* The word of a ${VAR:-word} up to the matching "}" (not consumed), processed like a double-quoted string
 * but with quotes removed. */
static int modifier_word(struct lex *lx, struct cc_strbuf *out)
{
	char quote = 0;
	while (lx->s[lx->i]) {
		char c = lx->s[lx->i];
		if (!quote && c == '}')
			return 0;
		if (quote == '\'' && c != '\'') {
			cc_strbuf_addch(out, c);
			lx->i++;
		} else if (c == '\'' || c == '"') {
			quote = quote == c ? 0 : quote ? quote : c;
			if (quote != c && quote != 0) /* the other quote inside a quoted run */
				cc_strbuf_addch(out, c);
			lx->i++;
		} else if (c == lx->esc && lx->s[lx->i + 1]) {
			cc_strbuf_addch(out, lx->s[lx->i + 1]);
			lx->i += 2;
		} else if (c == '$') {
			if (expand(lx, out) < 0)
				return -1;
		} else {
			cc_strbuf_addch(out, c);
			lx->i++;
		}
	}
	return cc_error_set(lx->err, CC_ERR_INVALID_ARGUMENT, "missing '}' in \"%s\"", lx->s);
}

/* At a '$': append its expansion. */
static int expand(struct lex *lx, struct cc_strbuf *out)
{
	const char *s = lx->s;
	size_t i = lx->i + 1;
	if (name_char(s[i])) {
		size_t j = i;
		while (name_char(s[j]))
			j++;
		cleanup_free char *name = cc_xstrndup(s + i, j - i);
		const char *v = lx->lookup ? lx->lookup(lx->ctx, name) : NULL;
		if (v)
			cc_strbuf_adds(out, v);
		lx->i = j;
		return 0;
	}
	if (s[i] != '{') {
		cc_strbuf_addch(out, '$');
		lx->i = i;
		return 0;
	}
	size_t j = ++i;
	while (name_char(s[j]))
		j++;
	if (j == i)
		return cc_error_set(lx->err, CC_ERR_INVALID_ARGUMENT, "invalid variable reference in \"%s\"",
				    s);
	cleanup_free char *name = cc_xstrndup(s + i, j - i);
	const char *v = lx->lookup ? lx->lookup(lx->ctx, name) : NULL;
	if (s[j] == '}') {
		if (v)
			cc_strbuf_adds(out, v);
		lx->i = j + 1;
		return 0;
	}
	bool colon = s[j] == ':';
	char op = s[j + colon];
	if (op != '-' && op != '+' && op != '?')
		return cc_error_set(lx->err, CC_ERR_INVALID_ARGUMENT, "unsupported modifier (%c) in \"%s\"",
				    op ? op : ' ', s);
	lx->i = j + colon + 1;
	cleanup_strbuf struct cc_strbuf word = CC_STRBUF_INIT;
	if (modifier_word(lx, &word) < 0)
		return -1;
	lx->i++; /* the '}' */
	bool set = v && (!colon || *v);
	if (op == '-')
		cc_strbuf_adds(out, set ? v : cc_strbuf_str(&word));
	else if (op == '+')
		cc_strbuf_adds(out, set ? cc_strbuf_str(&word) : "");
	else if (!set)
		return cc_error_set(lx->err, CC_ERR_INVALID_ARGUMENT, "%s: %s", name,
				    word.len ? cc_strbuf_str(&word) : "is not allowed to be unset");
	else
		cc_strbuf_adds(out, v);
	return 0;
}

/* At a '$': its expansion; any other character stands for itself. */
static int literal_or_expand(struct lex *lx, struct cc_strbuf *w)
{
	if (lx->s[lx->i] == '$')
		return expand(lx, w);
	cc_strbuf_addch(w, lx->s[lx->i++]);
	return 0;
}

int cc_df_words(const char *s, char escape, bool split, cc_df_lookup_fn *lookup, void *ctx, cc_strv *out,
		struct cc_error **err)
{
	struct lex lx = {.s = s, .esc = escape, .lookup = lookup, .ctx = ctx, .err = err};
	cleanup_strbuf struct cc_strbuf w = CC_STRBUF_INIT;
	bool in_word = false;
	char quote = 0;
	*out = cc_xcalloc(1, sizeof(char *));
	while (s[lx.i]) {
		char c = s[lx.i];
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				cc_strbuf_addch(&w, c);
			lx.i++;
			continue;
		}
		if (quote == '"') {
			if (c == '"') {
				quote = 0;
				lx.i++;
			} else if (c == escape &&
				   (s[lx.i + 1] == '"' || s[lx.i + 1] == '$' || s[lx.i + 1] == escape)) {
				cc_strbuf_addch(&w, s[lx.i + 1]);
				lx.i += 2;
			} else if (literal_or_expand(&lx, &w) < 0) {
				goto fail;
			}
			continue;
		}
		if (split && (c == ' ' || c == '\t' || c == '\n')) {
			if (in_word)
				cc_strv_push(out, cc_strbuf_str(&w));
			cc_strbuf_reset(&w);
			in_word = false;
			lx.i++;
			continue;
		}
		in_word = true;
		if (c == '\'' || c == '"') {
			quote = c;
			lx.i++;
		} else if (c == escape) {
			if (s[lx.i + 1])
				cc_strbuf_addch(&w, s[lx.i + 1]);
			lx.i += s[lx.i + 1] ? 2 : 1;
		} else if (literal_or_expand(&lx, &w) < 0) {
			goto fail;
		}
	}
	if (quote) {
		cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
			     "unexpected end of statement while looking for "
			     "matching %c in \"%s\"",
			     quote, s);
		goto fail;
	}
	if (in_word || !split)
		cc_strv_push(out, cc_strbuf_str(&w));
	return 0;
fail:
	cc_strv_free(*out);
	*out = NULL;
	return -1;
}

int cc_df_word(const char *s, char escape, cc_df_lookup_fn *lookup, void *ctx, char **out,
	       struct cc_error **err)
{
	cc_strv v;
	if (cc_df_words(s, escape, false, lookup, ctx, &v, err) < 0)
		return -1;
	*out = v[0];
	v[0] = NULL;
	cc_strv_free(v);
	return 0;
}

char *cc_df_expand_only(const char *s, char escape, cc_df_lookup_fn *lookup, void *ctx)
{
	struct cc_error *e = NULL;
	struct lex lx = {.s = s, .esc = escape, .lookup = lookup, .ctx = ctx, .err = &e};
	cleanup_strbuf struct cc_strbuf out = CC_STRBUF_INIT;
	while (s[lx.i]) {
		if (s[lx.i] == escape && s[lx.i + 1] == '$') {
			cc_strbuf_addch(&out, '$');
			lx.i += 2;
		} else if (s[lx.i] == '$') {
			size_t at = lx.i;
			if (expand(&lx, &out) < 0) {
				/* kept as written: a heredoc is data, not a place for errors */
				cc_error_release(&e);
				cc_strbuf_adds(&out, s + at);
				break;
			}
		} else {
			cc_strbuf_addch(&out, s[lx.i++]);
		}
	}
	return cc_xstrdup(cc_strbuf_str(&out));
}

int cc_df_pairs(const char *args, char escape, cc_df_lookup_fn *lookup, void *ctx, struct cc_kvs *out,
		struct cc_error **err)
{
	cc_strv words;
	if (cc_df_words(args, escape, true, lookup, ctx, &words, err) < 0)
		return -1;
	int r = 0;
	if (words[0] && !strchr(words[0], '=')) {
		/* the legacy form: "KEY the rest of the line" */
		const char *p = args;
		while (*p == ' ' || *p == '\t')
			p++;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		char *value = NULL;
		while (*p == ' ' || *p == '\t')
			p++;
		if (cc_df_word(p, escape, lookup, ctx, &value, err) < 0) {
			cc_strv_free(words);
			return -1;
		}
		if (!words[1])
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s has no value", words[0]);
		else
			cc_kvs_set(out, words[0], value);
		free(value);
		cc_strv_free(words);
		return r;
	}
	for (char **w = words; *w && r == 0; w++) {
		char *eq = strchr(*w, '=');
		if (!eq) {
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "\"%s\" is not of the form KEY=VALUE",
					 *w);
			break;
		}
		*eq = '\0';
		if (!**w)
			r = cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "\"=%s\": a key cannot be empty",
					 eq + 1);
		else
			cc_kvs_set(out, *w, eq + 1);
	}
	cc_strv_free(words);
	return r;
}
