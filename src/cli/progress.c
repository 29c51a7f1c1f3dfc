/* Progress bars for pulls and pushes. */
#include "cli/progress.h"
#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct layer_line {
	char id[13];
	char status[24];
	int64_t current, total;
};

struct cli_progress {
	pthread_mutex_t lock;
	bool tty, quiet, json;
	struct layer_line *lines;
	size_t n, cap, drawn;
	int64_t last_draw;
};

struct cli_progress *cli_progress_new(bool tty, bool quiet, bool json)
{
	struct cli_progress *p = cc_xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->tty = tty && !json;
	p->quiet = quiet;
	p->json = json;
	return p;
}

void cli_progress_free(struct cli_progress *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p->lines);
	free(p);
}

static void human(int64_t b, struct cc_strbuf *out)
{
	if (b >= 1000 * 1000)
		cc_strbuf_addf(out, "%.1fMB", (double)b / 1e6);
	else if (b >= 1000)
		cc_strbuf_addf(out, "%.1fkB", (double)b / 1e3);
	else
		cc_strbuf_addf(out, "%lldB", (long long)b);
}

static struct layer_line *line_for(struct cli_progress *p, const char *digest)
{
	const char *hex = strncmp(digest, "sha256:", 7) == 0 ? digest + 7 : digest;
	for (size_t i = 0; i < p->n; i++)
		if (strncmp(p->lines[i].id, hex, 12) == 0)
			return &p->lines[i];
	cc_grow((void **)&p->lines, &p->cap, p->n + 1, sizeof(*p->lines));
	struct layer_line *l = &p->lines[p->n++];
	memset(l, 0, sizeof(*l));
	snprintf(l->id, sizeof(l->id), "%.12s", hex);
	return l;
}

static void draw(struct cli_progress *p)
{
	cleanup_strbuf struct cc_strbuf out = CC_STRBUF_INIT;
	if (p->drawn)
		cc_strbuf_addf(&out, "\033[%zuA", p->drawn);
	for (size_t i = 0; i < p->n; i++) {
		const struct layer_line *l = &p->lines[i];
		cc_strbuf_addf(&out, "\033[2K%s: %-12s", l->id, l->status);
		if (l->total > 0 && strcmp(l->status, "Downloading") == 0) {
			int width = 30, fill = (int)(l->current * width / l->total);
			cc_strbuf_addch(&out, '[');
			for (int k = 0; k < width; k++)
				cc_strbuf_addch(&out, k < fill ? '=' : k == fill ? '>' : ' ');
			cc_strbuf_adds(&out, "] ");
			human(l->current, &out);
			cc_strbuf_addch(&out, '/');
			human(l->total, &out);
		}
		cc_strbuf_addch(&out, '\n');
	}
	fputs(cc_strbuf_str(&out), stderr);
	p->drawn = p->n;
}

static const char *word(const char *status)
{
	static const struct {
		const char *from, *to;
	} words[] = {{"downloading", "Downloading"}, {"downloaded", "Download complete"},
		     {"exists", "Already exists"},   {"extracting", "Extracting"},
		     {"extracted", "Pull complete"}, {"pushing", "Pushing"}};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i].from, status) == 0)
			return words[i].to;
	return status;
}

int cli_progress_emit(void *ctx, const struct cc_progress *pr)
{
	struct cli_progress *p = ctx;
	if (p->quiet)
		return 0;
	pthread_mutex_lock(&p->lock);
	if (p->json) {
		json_t *o = json_pack("{s:s}", "id", pr->layer ? pr->layer : pr->ref ? pr->ref : "");
		if (pr->layer && pr->ref)
			json_object_set_new(o, "parent_id", json_string(pr->ref));
		json_object_set_new(o, "status", json_string(pr->layer ? word(pr->status) : pr->status));
		if (pr->message)
			json_object_set_new(o, "text", json_string(pr->message));
		if (pr->total > 0) {
			json_object_set_new(o, "current", json_integer(pr->current));
			json_object_set_new(o, "total", json_integer(pr->total));
		}
		char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			fprintf(stderr, "%s\n", text);
		free(text);
		json_decref(o);
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	if (!pr->layer) {
		if (strcmp(pr->status, "pulling") == 0)
			fprintf(stderr, "Pulling %s\n", pr->ref);
		else if (strcmp(pr->status, "done") == 0) {
			if (p->tty)
				draw(p);
			fprintf(stderr, "Digest: %s\nStatus: %s\n", pr->message ? pr->message : "", pr->ref);
		} else if (pr->message)
			fprintf(stderr, "%s\n", pr->message);
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	struct layer_line *l = line_for(p, pr->layer);
	const char *w = word(pr->status);
	bool changed = strcmp(l->status, w) != 0;
	snprintf(l->status, sizeof(l->status), "%s", w);
	l->current = pr->current;
	l->total = pr->total;
	if (p->tty) {
		int64_t now = cc_monotonic_ns();
		if (changed || now - p->last_draw > 100 * CC_NS_PER_MSEC) {
			draw(p);
			p->last_draw = now;
		}
	} else if (changed && strcmp(w, "Pushing") != 0 && strcmp(w, "Downloading") != 0) {
		fprintf(stderr, "%s: %s\n", l->id, w);
	} else if (changed) {
		cleanup_strbuf struct cc_strbuf size = CC_STRBUF_INIT;
		human(pr->total, &size);
		fprintf(stderr, "%s: %s %s\n", l->id, w, cc_strbuf_str(&size));
	}
	pthread_mutex_unlock(&p->lock);
	return 0;
}
