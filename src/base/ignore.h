/* .dockerignore patterns, with the rules of docker's pattern matcher: one pattern per line, "#" comments,
 * "!" exceptions, paths cleaned and taken relative to the context root, "*", "?", "[...]" and "\" within a
 * path segment, "**" for any number of segments, a pattern that matches a directory matching everything
 * under it, and the last matching pattern deciding. Pure. */
#ifndef CC_BASE_IGNORE_H
#define CC_BASE_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

struct cc_ignore_pattern {
	char **segments; /* NULL-terminated */
	bool exception;
};

struct cc_ignore {
	struct cc_ignore_pattern *v;
	size_t n;
	bool has_exceptions;
};

void cc_ignore_parse(const char *text, size_t len, struct cc_ignore *out);
/* Whether `rel` (a clean path relative to the context root, "/"-separated) is excluded. */
bool cc_ignore_excluded(const struct cc_ignore *ig, const char *rel);
void cc_ignore_release(struct cc_ignore *ig);

#endif
