/* .dockerignore matching: see ignore.h. Patterns and paths are split into segments once; "**" is the only
 * pattern segment that can match more or fewer than one path segment. */
#include "base/ignore.h"
#include "base/fsutil.h"
#include "base/xalloc.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static char **split(const char *path)
{
	size_t n = 0, cap = 0;
	char **v = NULL;
	const char *p = path;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len && !(len == 1 && *p == '.')) {
			cc_grow((void **)&v, &cap, n + 2, sizeof(char *));
			v[n++] = cc_xstrndup(p, len);
		}
		p += len + (slash ? 1 : 0);
	}
	cc_grow((void **)&v, &cap, n + 1, sizeof(char *));
	v[n] = NULL;
	return v;
}

static void free_segments(char **v)
{
	for (char **s = v; s && *s; s++)
		free(*s);
	free(v);
}

void cc_ignore_parse(const char *text, size_t len, struct cc_ignore *out)
{
	*out = (struct cc_ignore){0};
	size_t cap = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		char *line = cc_xstrndup(p, (size_t)(stop - p));
		p = nl ? nl + 1 : end;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		size_t l = strlen(s);
		while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r'))
			s[--l] = '\0';
		bool exception = false;
		if (*s == '!') {
			exception = true;
			s++;
		}
		if (*s && line[0] != '#') {
			char *clean = cc_path_clean(s);
			const char *rel = clean;
			while (*rel == '/')
				rel++;
			if (*rel && strcmp(rel, ".") != 0) {
				cc_grow((void **)&out->v, &cap, out->n + 1, sizeof(*out->v));
				out->v[out->n++] = (struct cc_ignore_pattern){split(rel), exception};
				out->has_exceptions |= exception;
			}
			free(clean);
		}
		free(line);
	}
}

/* Whether the pattern's segments match a leading run of the path's that ends at a segment boundary: the path
 * itself or one of its parents (a matched directory covers what it holds). */
static bool match_prefix(char *const *pat, char *const *path)
{
	if (!*pat)
		return true;
	if (strcmp(*pat, "**") == 0) {
		for (char *const *p = path;; p++) {
			if (match_prefix(pat + 1, p))
				return true;
			if (!*p)
				return false;
		}
	}
	if (!*path)
		return false;
	return fnmatch(*pat, *path, 0) == 0 && match_prefix(pat + 1, path + 1);
}

bool cc_ignore_excluded(const struct cc_ignore *ig, const char *rel)
{
	if (!ig->n)
		return false;
	char **path = split(rel);
	bool excluded = false;
	for (size_t i = 0; i < ig->n; i++)
		if (match_prefix(ig->v[i].segments, path))
			excluded = !ig->v[i].exception;
	free_segments(path);
	return excluded;
}

void cc_ignore_release(struct cc_ignore *ig)
{
	for (size_t i = 0; i < ig->n; i++)
		free_segments(ig->v[i].segments);
	free(ig->v);
	*ig = (struct cc_ignore){0};
}
