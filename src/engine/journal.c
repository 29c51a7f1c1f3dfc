/* The run journal of journal.h. */
#include "engine/journal.h"
#include "base/cleanup.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const kind_names[] = {"die", "start", "health", "oom"};

void native_journal_append(const char *dir, const struct native_journal_entry *e)
{
	cleanup_free char *path = cc_xasprintf("%s/journal", dir);
	char line[128];
	int len;
	if (e->kind == NATIVE_JOURNAL_HEALTH)
		len = snprintf(line, sizeof(line), "health %" PRId64 " %s %d\n", e->time_ns,
			       cc_health_name(e->health), e->value);
	else if (e->kind == NATIVE_JOURNAL_OOM)
		len = snprintf(line, sizeof(line), "oom %" PRId64 "\n", e->time_ns);
	else
		len = snprintf(line, sizeof(line), "%s %" PRId64 " %d\n", kind_names[e->kind], e->time_ns,
			       e->value);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return;
	ssize_t w = write(fd, line, (size_t)len);
	(void)w;
	close(fd);
}

static int parse_line(const char *line, struct native_journal_entry *e)
{
	char kind[16], word[16];
	long long t;
	int v;
	memset(e, 0, sizeof(*e));
	if (sscanf(line, "%15s %lld", kind, &t) != 2)
		return -1;
	e->time_ns = t;
	if (strcmp(kind, "oom") == 0) {
		e->kind = NATIVE_JOURNAL_OOM;
		return 0;
	}
	if (strcmp(kind, "health") == 0) {
		if (sscanf(line, "%*s %*d %15s %d", word, &v) != 2 || cc_health_parse(word) < 0)
			return -1;
		e->kind = NATIVE_JOURNAL_HEALTH;
		e->health = (enum cc_health_status)cc_health_parse(word);
		e->value = v;
		return 0;
	}
	if (sscanf(line, "%*s %*d %d", &v) != 1)
		return -1;
	e->value = v;
	if (strcmp(kind, "die") == 0)
		e->kind = NATIVE_JOURNAL_DIE;
	else if (strcmp(kind, "start") == 0)
		e->kind = NATIVE_JOURNAL_START;
	else
		return -1;
	return 0;
}

int native_journal_read(const char *dir, int64_t offset, struct native_journal_entry **out, size_t *n,
			int64_t *next, struct cc_error **err)
{
	*out = NULL;
	*n = 0;
	*next = offset;
	cleanup_free char *path = cc_xasprintf("%s/journal", dir);
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", path);
	}
	if (fseeko(f, (off_t)offset, SEEK_SET) < 0) {
		fclose(f);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "seek %s", path);
	}
	char *line = NULL;
	size_t cap = 0, have = 0;
	ssize_t len;
	int r = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] != '\n')
			break; /* being written: the next read takes it */
		struct native_journal_entry e;
		if (parse_line(line, &e) < 0) {
			r = cc_error_set(err, CC_ERR_INTERNAL, "%s: malformed line at byte %lld", path,
					 (long long)*next);
			break;
		}
		cc_grow((void **)out, &have, *n + 1, sizeof(**out));
		(*out)[(*n)++] = e;
		*next += len;
	}
	free(line);
	fclose(f);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}
