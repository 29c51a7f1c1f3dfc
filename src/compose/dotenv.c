/* The .env grammar, written from the behaviour pinned down by compose-go's dotenv tests (see
 * ../shared/reference/compose-go-edge-cases.md §2 rows 20-26); no code is taken from it.
 *
 *   file      := BOM? (blank | comment | statement)*
 *   statement := ["export" (" "|"\t")+] KEY [(= | :) value]     KEY alone on its line inherits from lookup
 *   value     := '…' (literal, \' allowed) | "…" (escapes, then ${} expansion) | unquoted (to " #" or EOL)
 *
 * Entries are collected in a map local to the call and only copied into `out` once the whole file parsed,
 * so a failure leaves `out` as it was. */
#include "compose/dotenv.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/template.h"

struct chained_lookup {
	cc_lookup_fn lookup;
	void *lookup_ud;
	const struct cc_strmap *local; /* earlier lines of this file */
	const struct cc_strmap *out;   /* earlier files */
};

struct parser {
	const char *data;
	size_t len;
	size_t pos;
	const char *filename;
	struct chained_lookup lk;
	struct cc_strmap *local;
	struct cc_error **err;
};

/* Expansion order (row 25): the caller's environment wins, then this file's earlier lines, then earlier
 * files. */
static const char *chained_get(void *ud, const char *name)
{
	const struct chained_lookup *lk = ud;
	const char *v = lk->lookup ? lk->lookup(lk->lookup_ud, name) : NULL;
	if (v)
		return v;
	v = cc_strmap_get(lk->local, name);
	if (v)
		return v;
	return cc_strmap_get(lk->out, name);
}

static const char *display_name(const char *filename)
{
	return filename ? filename : ".env";
}

/* 1-based line number of byte offset pos. Only computed on the error path. */
static unsigned line_at(const char *data, size_t pos)
{
	unsigned line = 1;
	for (size_t i = 0; i < pos; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

__attribute__((format(printf, 5, 6))) static int fail_at(const char *data, size_t pos, const char *filename,
							 struct cc_error **err, const char *fmt, ...)
{
	cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
	va_list ap;

	cc_strbuf_addf(&sb, "%s:%u: ", display_name(filename), line_at(data, pos));
	va_start(ap, fmt);
	cc_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s", cc_strbuf_str(&sb));
}

/* Blank that may sit inside a line (not a line break). */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_key_char(unsigned char c)
{
	/* Bytes >= 0x80 belong to UTF-8 sequences: keys may hold unicode letters. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '-' || c == '[' || c == ']' || c >= 0x80;
}

static void describe_char(unsigned char c, char buf[8])
{
	if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
		buf[0] = (char)c;
		buf[1] = '\0';
	} else if (c == '"' || c == '\\') {
		buf[0] = '\\';
		buf[1] = (char)c;
		buf[2] = '\0';
	} else {
		static const char hex[] = "0123456789abcdef";
		buf[0] = '\\';
		buf[1] = 'x';
		buf[2] = hex[c >> 4];
		buf[3] = hex[c & 0xf];
		buf[4] = '\0';
	}
}

/* Refuse NUL bytes up front: values are C strings. */
static int check_no_nul(const char *data, size_t len, const char *filename, struct cc_error **err)
{
	const char *nul = memchr(data, '\0', len);
	if (nul)
		return fail_at(data, (size_t)(nul - data), filename, err, "unexpected NUL byte");
	return 0;
}

static size_t skip_bom(const char *data, size_t len)
{
	if (len >= 3 && (unsigned char)data[0] == 0xef && (unsigned char)data[1] == 0xbb &&
	    (unsigned char)data[2] == 0xbf)
		return 3;
	return 0;
}

static int p_fail(struct parser *p, size_t pos, const char *what)
{
	return fail_at(p->data, pos, p->filename, p->err, "%s", what);
}

/* Expand ${X} / $X in raw with the chained lookup; errors get the file and line of the value. */
static int expand_value(struct parser *p, const char *raw, size_t value_pos, char **out)
{
	struct cc_template_ctx ctx = {.lookup = chained_get, .lookup_ud = &p->lk};
	if (cc_template_substitute(raw, &ctx, out, p->err) < 0)
		return cc_error_wrap(p->err, "%s:%u", display_name(p->filename), line_at(p->data, value_pos));
	return 0;
}

/* Double-quoted escapes: \a \b \f \n \r \t \v \\ \" and \0NNN (octal) are decoded; \$ becomes "$$" so that
 * the expansion that follows yields a literal '$'. Anything else (\x07, \u12e4, \') stays as written.
 * Returns the number of input bytes consumed, starting at the backslash. */
static size_t decode_escape(const char *s, size_t avail, struct cc_strbuf *sb)
{
	if (avail < 2) {
		cc_strbuf_addch(sb, '\\');
		return 1;
	}
	char c = s[1];
	switch (c) {
	case 'a':
		cc_strbuf_addch(sb, '\a');
		return 2;
	case 'b':
		cc_strbuf_addch(sb, '\b');
		return 2;
	case 'f':
		cc_strbuf_addch(sb, '\f');
		return 2;
	case 'n':
		cc_strbuf_addch(sb, '\n');
		return 2;
	case 'r':
		cc_strbuf_addch(sb, '\r');
		return 2;
	case 't':
		cc_strbuf_addch(sb, '\t');
		return 2;
	case 'v':
		cc_strbuf_addch(sb, '\v');
		return 2;
	case '\\':
		cc_strbuf_addch(sb, '\\');
		return 2;
	case '"':
		cc_strbuf_addch(sb, '"');
		return 2;
	case '$':
		cc_strbuf_adds(sb, "$$");
		return 2;
	case '0': {
		/* XSI echo style: "\0" then up to three digits; exactly three octal digits make one byte. */
		size_t k = 0;
		while (k < 3 && 2 + k < avail && s[2 + k] >= '0' && s[2 + k] <= '9')
			k++;
		unsigned v = 0;
		bool ok = k == 3;
		for (size_t j = 0; ok && j < k; j++) {
			if (s[2 + j] > '7')
				ok = false;
			v = v * 8 + (unsigned)(s[2 + j] - '0');
		}
		if (ok && v > 0 && v <= 0xff) /* \0000 would be a NUL: keep it as text */
			cc_strbuf_addch(sb, (char)v);
		else
			cc_strbuf_add(sb, s, 2 + k);
		return 2 + k;
	}
	default:
		/* Keep the backslash; the next byte is read normally (it may be a line break). */
		cc_strbuf_addch(sb, '\\');
		return 1;
	}
}

/* A quoted value opening at p->pos. On success *value is the final value and p->pos is past the line. */
static int parse_quoted(struct parser *p, char **value)
{
	const char *d = p->data;
	size_t open = p->pos;
	char quote = d[open];
	cleanup_strbuf struct cc_strbuf sb = CC_STRBUF_INIT;
	size_t i = open + 1;

	for (;;) {
		if (i >= p->len)
			return p_fail(p, open, "unterminated quoted value");
		char c = d[i];
		if (c == quote)
			break;
		if (c == '\\') {
			if (quote == '"') {
				i += decode_escape(d + i, p->len - i, &sb);
			} else if (i + 1 < p->len && d[i + 1] == '\'') {
				cc_strbuf_addch(&sb, '\'');
				i += 2;
			} else {
				cc_strbuf_addch(&sb, '\\');
				i++;
			}
			continue;
		}
		if (c == '\r' && i + 1 < p->len && d[i + 1] == '\n') {
			i++; /* CRLF inside a multi-line value reads as LF */
			continue;
		}
		cc_strbuf_addch(&sb, c);
		i++;
	}
	i++; /* the closing quote */

	/* Only blanks and a comment may follow the closing quote. */
	while (i < p->len && is_blank(d[i]))
		i++;
	if (i < p->len && d[i] == '#') {
		const char *nl = memchr(d + i, '\n', p->len - i);
		i = nl ? (size_t)(nl - d) : p->len;
	}
	if (i < p->len && d[i] != '\n')
		return p_fail(p, i, "unexpected character after the closing quote");
	p->pos = i < p->len ? i + 1 : i;

	if (quote == '\'') {
		*value = cc_strbuf_detach(&sb, NULL);
		return 0;
	}
	return expand_value(p, cc_strbuf_str(&sb), open, value);
}

/* An unquoted value: the rest of the line, cut at " #", with trailing blanks removed, then expanded.
 * sep is the offset of the '=' or ':' so that "K= # c" is a comment too (the '#' has a space before it). */
static int parse_unquoted(struct parser *p, size_t sep, char **value)
{
	const char *d = p->data;
	size_t start = p->pos;
	const char *nl = memchr(d + start, '\n', p->len - start);
	size_t eol = nl ? (size_t)(nl - d) : p->len;
	size_t end = eol;

	for (size_t i = sep + 1; i + 1 < eol; i++) {
		if (d[i] == ' ' && d[i + 1] == '#') {
			end = i;
			break;
		}
	}
	if (end < start)
		end = start;
	while (end > start && is_blank(d[end - 1]))
		end--;

	cleanup_free char *raw = cc_xstrndup(d + start, end - start);
	p->pos = nl ? eol + 1 : eol;
	return expand_value(p, raw, start, value);
}

/* Strip a leading "export" when it is a separate word followed by something that can start a key. */
static void skip_export(struct parser *p)
{
	const char *d = p->data;
	size_t i = p->pos;
	if (p->len - i < 7 || memcmp(d + i, "export", 6) != 0 || (d[i + 6] != ' ' && d[i + 6] != '\t'))
		return;
	i += 6;
	while (i < p->len && (d[i] == ' ' || d[i] == '\t'))
		i++;
	if (i < p->len && is_key_char((unsigned char)d[i]))
		p->pos = i;
}

static int parse_statement(struct parser *p)
{
	const char *d = p->data;
	char desc[8];

	skip_export(p);
	size_t key_start = p->pos;
	size_t i = key_start;
	while (i < p->len && d[i] != '=' && d[i] != ':' && d[i] != '\n') {
		unsigned char c = (unsigned char)d[i];
		if (!is_blank((char)c) && !is_key_char(c)) {
			describe_char(c, desc);
			return fail_at(d, i, p->filename, p->err,
				       "unexpected character \"%s\" in variable name", desc);
		}
		i++;
	}
	size_t key_end = i;
	while (key_end > key_start && is_blank(d[key_end - 1]))
		key_end--;
	for (size_t j = key_start; j < key_end; j++)
		if (is_blank(d[j]))
			return p_fail(p, key_start, "key cannot contain a space");
	if (key_end == key_start)
		return p_fail(p, key_start, "empty variable name");

	cleanup_free char *key = cc_xstrndup(d + key_start, key_end - key_start);

	if (i >= p->len || d[i] == '\n') {
		/* A bare KEY takes its value from the environment, or is left out. */
		const char *v = p->lk.lookup ? p->lk.lookup(p->lk.lookup_ud, key) : NULL;
		if (v)
			cc_strmap_set(p->local, key, cc_xstrdup(v));
		p->pos = i < p->len ? i + 1 : i;
		return 0;
	}

	size_t sep = i;
	i++;
	while (i < p->len && is_blank(d[i]))
		i++;
	p->pos = i;

	char *value = NULL;
	int r;
	if (i < p->len && (d[i] == '"' || d[i] == '\''))
		r = parse_quoted(p, &value);
	else
		r = parse_unquoted(p, sep, &value);
	if (r < 0)
		return -1;
	cc_strmap_set(p->local, key, value);
	return 0;
}

static int parse_all(struct parser *p)
{
	const char *d = p->data;
	for (;;) {
		while (p->pos < p->len && (is_blank(d[p->pos]) || d[p->pos] == '\n'))
			p->pos++;
		if (p->pos >= p->len)
			return 0;
		if (d[p->pos] == '#') {
			const char *nl = memchr(d + p->pos, '\n', p->len - p->pos);
			p->pos = nl ? (size_t)(nl - d) + 1 : p->len;
			continue;
		}
		if (parse_statement(p) < 0)
			return -1;
	}
}

/* Move every entry of local into out (later wins), leaving local with no values. */
static void commit(struct cc_strmap *local, struct cc_strmap *out)
{
	cc_strmap_foreach(local, ent)
	{
		cc_strmap_set(out, ent->key, ent->value);
		ent->value = NULL;
	}
}

int cc_dotenv_parse(const char *data, size_t len, const char *filename, cc_lookup_fn lookup, void *lookup_ud,
		    struct cc_strmap *out, struct cc_error **err)
{
	struct cc_strmap local;
	int r;

	if (!data)
		len = 0;
	if (len && check_no_nul(data, len, filename, err) < 0)
		return -1;
	size_t bom = len ? skip_bom(data, len) : 0;

	cc_strmap_init(&local, free);
	struct parser p = {
	    .data = len ? data + bom : "",
	    .len = len - bom,
	    .pos = 0,
	    .filename = filename,
	    .lk = {.lookup = lookup, .lookup_ud = lookup_ud, .local = &local, .out = out},
	    .local = &local,
	    .err = err,
	};
	r = parse_all(&p);
	if (r == 0)
		commit(&local, out);
	cc_strmap_release(&local);
	return r < 0 ? -1 : 0;
}

int cc_dotenv_parse_raw(const char *data, size_t len, const char *filename, struct cc_strmap *out,
			struct cc_error **err)
{
	struct cc_strmap local;
	int r = 0;

	if (!data)
		len = 0;
	if (len && check_no_nul(data, len, filename, err) < 0)
		return -1;
	size_t bom = len ? skip_bom(data, len) : 0;
	const char *d = len ? data + bom : "";
	len -= bom;

	cc_strmap_init(&local, free);
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(d + pos, '\n', len - pos);
		size_t eol = nl ? (size_t)(nl - d) : len;
		size_t end = eol;
		if (end > pos && d[end - 1] == '\r')
			end--;

		bool blank = true;
		for (size_t i = pos; i < end && blank; i++)
			blank = is_blank(d[i]);
		if (!blank) {
			const char *eq = memchr(d + pos, '=', end - pos);
			if (!eq) {
				r = fail_at(d, pos, filename, err, "missing '=' in raw line");
				break;
			}
			size_t key_end = (size_t)(eq - d);
			bool spaced = false;
			for (size_t i = pos; i < key_end; i++)
				spaced = spaced || is_blank(d[i]);
			if (spaced) {
				r = fail_at(d, pos, filename, err, "key cannot contain a space");
				break;
			}
			if (key_end == pos) {
				r = fail_at(d, pos, filename, err, "empty variable name");
				break;
			}
			cleanup_free char *key = cc_xstrndup(d + pos, key_end - pos);
			cc_strmap_set(&local, key, cc_xstrndup(eq + 1, end - key_end - 1));
		}
		pos = nl ? eol + 1 : eol;
	}
	if (r == 0)
		commit(&local, out);
	cc_strmap_release(&local);
	return r < 0 ? -1 : 0;
}
