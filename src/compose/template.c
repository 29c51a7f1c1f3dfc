/* Compose interpolation, written from the behaviour pinned down by compose-go's template tests (see
 * ../shared/reference/compose-go-edge-cases.md §2 rows 1-14); no code is taken from it.
 *
 * The engine is a small recursive-descent walker over (pointer, length) spans of the input:
 *   text      := (literal | "$$" | "$" NAME | "${" braced "}" | "$" other)*
 *   braced    := NAME [ [":"] ("-" | "?" | "+") argument ]
 * The argument runs up to the "}" that balances the opening "${" (every "{" and "}" inside counts, so JSON
 * defaults work). It is itself a `text`, and is only expanded when its branch is taken: a default that is not
 * used is never looked up, so it neither warns nor fails. */
#include "compose/template.h"

#include <stddef.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

/* Deep enough for any real default chain, shallow enough that hostile input cannot exhaust the stack. */
#define TEMPLATE_MAX_DEPTH 64

struct tpl {
	const struct cc_template_ctx *ctx;
	const char *whole; /* the caller's input, quoted in "invalid format" messages */
	struct cc_error **err;
};

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Length of the variable name at the start of s[0..len), 0 when there is none. */
static size_t name_len(const char *s, size_t len)
{
	if (len == 0 || !is_name_start(s[0]))
		return 0;
	size_t i = 1;
	while (i < len && is_name_char(s[i]))
		i++;
	return i;
}

static int invalid_format(struct tpl *t)
{
	return cc_error_set(
	    t->err, CC_ERR_INVALID_ARGUMENT,
	    "invalid interpolation format: \"%s\"; you may need to escape any $ with another $", t->whole);
}

static const char *lookup(struct tpl *t, const char *name)
{
	if (!t->ctx || !t->ctx->lookup)
		return NULL;
	return t->ctx->lookup(t->ctx->lookup_ud, name);
}

static void warn_unset(struct tpl *t, const char *name)
{
	if (t->ctx && t->ctx->warn_unset)
		t->ctx->warn_unset(t->ctx->warn_ud, name);
}

/* s points just past "${". On success *close is the offset in s of the "}" that balances it. */
static bool find_closing_brace(const char *s, size_t len, size_t *close)
{
	size_t depth = 1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '{') {
			depth++;
		} else if (s[i] == '}') {
			if (--depth == 0) {
				*close = i;
				return true;
			}
		}
	}
	return false;
}

static int expand(struct tpl *t, const char *s, size_t len, unsigned depth, struct cc_strbuf *out);

/* A required variable is missing: interpolate the message (only now, lazily) and fail. */
static int missing_required(struct tpl *t, const char *name, const char *msg, size_t msg_len, unsigned depth)
{
	cleanup_strbuf struct cc_strbuf m = CC_STRBUF_INIT;
	if (expand(t, msg, msg_len, depth + 1, &m) < 0)
		return -1;
	if (m.len == 0)
		return cc_error_set(t->err, CC_ERR_INVALID_ARGUMENT,
				    "required variable %s is missing a value", name);
	return cc_error_set(t->err, CC_ERR_INVALID_ARGUMENT, "required variable %s is missing a value: %s",
			    name, cc_strbuf_str(&m));
}

/* body is the text between "${" and its closing "}". */
static int expand_braced(struct tpl *t, const char *body, size_t len, unsigned depth, struct cc_strbuf *out)
{
	size_t n = name_len(body, len);
	if (n == 0)
		return invalid_format(t); /* ${}, ${ }, ${ foo}, ${1x} */

	cleanup_free char *name = cc_xstrndup(body, n);
	if (n == len) {
		const char *v = lookup(t, name);
		if (!v) {
			warn_unset(t, name);
			return 0;
		}
		cc_strbuf_adds(out, v);
		return 0;
	}

	/* The operator must follow the name immediately; the first one wins and the rest is argument text. */
	bool colon = false;
	size_t i = n;
	if (body[i] == ':') {
		colon = true;
		i++;
	}
	if (i >= len || (body[i] != '-' && body[i] != '?' && body[i] != '+'))
		return invalid_format(t); /* ${foo }, ${foo!}, ${V/a/b}, ${V:1} */
	char op = body[i];
	const char *arg = body + i + 1;
	size_t arg_len = len - i - 1;

	const char *v = lookup(t, name);
	bool set = v != NULL;
	bool non_empty = set && v[0] != '\0';

	switch (op) {
	case '-':
		if (colon ? non_empty : set) {
			cc_strbuf_adds(out, v);
			return 0;
		}
		return expand(t, arg, arg_len, depth + 1, out);
	case '+':
		if (colon ? non_empty : set)
			return expand(t, arg, arg_len, depth + 1, out);
		return 0;
	default: /* '?' */
		if (colon ? non_empty : set) {
			cc_strbuf_adds(out, v);
			return 0;
		}
		return missing_required(t, name, arg, arg_len, depth);
	}
}

static int expand(struct tpl *t, const char *s, size_t len, unsigned depth, struct cc_strbuf *out)
{
	if (depth > TEMPLATE_MAX_DEPTH)
		return cc_error_set(
		    t->err, CC_ERR_INVALID_ARGUMENT,
		    "invalid interpolation format: \"%s\"; defaults nested deeper than %d levels", t->whole,
		    TEMPLATE_MAX_DEPTH);

	size_t i = 0;
	while (i < len) {
		const char *dollar = memchr(s + i, '$', len - i);
		if (!dollar) {
			cc_strbuf_add(out, s + i, len - i);
			break;
		}
		size_t d = (size_t)(dollar - s);
		cc_strbuf_add(out, s + i, d - i);
		i = d + 1; /* past the '$' */

		if (i >= len) { /* a trailing '$' is literal */
			cc_strbuf_addch(out, '$');
			break;
		}
		if (s[i] == '$') { /* "$$" escapes a dollar */
			cc_strbuf_addch(out, '$');
			i++;
			continue;
		}
		if (s[i] == '{') {
			size_t close;
			if (!find_closing_brace(s + i + 1, len - i - 1, &close))
				return invalid_format(t); /* "${" without its "}" */
			if (expand_braced(t, s + i + 1, close, depth, out) < 0)
				return -1;
			i += 1 + close + 1;
			continue;
		}
		size_t n = name_len(s + i, len - i);
		if (n == 0) { /* "a $ b", "^REGEX$", "$}": the dollar is plain text */
			cc_strbuf_addch(out, '$');
			continue;
		}
		cleanup_free char *name = cc_xstrndup(s + i, n);
		const char *v = lookup(t, name);
		if (v)
			cc_strbuf_adds(out, v);
		else
			warn_unset(t, name);
		i += n;
	}
	return 0;
}

bool cc_template_has_vars(const char *s)
{
	return s && strchr(s, '$') != NULL;
}

int cc_template_substitute(const char *in, const struct cc_template_ctx *ctx, char **out,
			   struct cc_error **err)
{
	cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
	struct tpl t = {.ctx = ctx, .whole = in ? in : "", .err = err};

	if (!in)
		in = "";
	if (expand(&t, in, strlen(in), 0, &sb) < 0)
		return -1;
	*out = cc_strbuf_detach(&sb, NULL);
	return 0;
}

static void walk_vars(const char *s, size_t len, unsigned depth,
		      void (*fn)(void *ud, const struct cc_template_var *v), void *ud)
{
	if (depth > TEMPLATE_MAX_DEPTH)
		return;
	for (size_t i = 0; i < len;) {
		const char *dollar = memchr(s + i, '$', len - i);
		if (!dollar)
			return;
		i = (size_t)(dollar - s) + 1;
		if (i >= len)
			return;
		if (s[i] == '$') {
			i++;
			continue;
		}
		if (s[i] != '{') {
			size_t n = name_len(s + i, len - i);
			if (n) {
				cleanup_free char *name = cc_xstrndup(s + i, n);
				fn(ud, &(struct cc_template_var){.name = name});
			}
			i += n;
			continue;
		}
		size_t close;
		if (!find_closing_brace(s + i + 1, len - i - 1, &close))
			return;
		const char *body = s + i + 1;
		i += 1 + close + 1;
		size_t n = name_len(body, close);
		if (n == 0)
			continue;
		cleanup_free char *name = cc_xstrndup(body, n);
		size_t k = n + (n < close && body[n] == ':');
		if (n == close) {
			fn(ud, &(struct cc_template_var){.name = name});
			continue;
		}
		if (k >= close || (body[k] != '-' && body[k] != '?' && body[k] != '+'))
			continue;
		cleanup_free char *arg = cc_xstrndup(body + k + 1, close - k - 1);
		struct cc_template_var v = {.name = name,
					    .required = body[k] == '?',
					    .default_value = body[k] == '-' ? arg : NULL,
					    .alternate = body[k] == '+' ? arg : NULL};
		fn(ud, &v);
		walk_vars(body + k + 1, close - k - 1, depth + 1, fn, ud);
	}
}

void cc_template_variables(const char *in, void (*fn)(void *ud, const struct cc_template_var *v), void *ud)
{
	if (in)
		walk_vars(in, strlen(in), 0, fn, ud);
}
