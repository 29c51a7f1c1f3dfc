/* Renderings shared by ps, ls, top, images and friends. */
#include "cli/format.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "cli/cli.h"
#include "compose/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cli_format_ago(int64_t ns, int64_t now, struct cc_strbuf *out)
{
	cc_format_human_duration(now - ns, out);
	cc_strbuf_adds(out, " ago");
}

void cli_format_ports(const struct cc_container *c, struct cc_strbuf *out)
{
	const struct cc_port_binding *ports = c->npublished ? c->published : c->spec.ports;
	size_t n = c->npublished ? c->npublished : c->spec.nports;
	bool up = c->state == CC_STATE_RUNNING || c->state == CC_STATE_PAUSED;
	for (size_t i = 0; i < n; i++) {
		const struct cc_port_binding *p = &ports[i];
		if (i)
			cc_strbuf_adds(out, ", ");
		bool v6 = p->host_ip && strchr(p->host_ip, ':');
		if (up && p->host_port)
			cc_strbuf_addf(out, "%s%s%s:%u->%u/%s", v6 ? "[" : "",
				       p->host_ip ? p->host_ip : "0.0.0.0", v6 ? "]" : "", p->host_port,
				       p->container_port, p->protocol);
		else
			cc_strbuf_addf(out, "%u/%s", p->container_port, p->protocol);
	}
}

void cli_format_command(const struct cc_container *c, const struct cc_image *img, bool no_trunc,
			struct cc_strbuf *out)
{
	cleanup_strbuf struct cc_strbuf cmd = CC_STRBUF_INIT;
	/* what runs: the image's entrypoint and command under the service's, as docker resolves them (an
	 * entrypoint given clears the image's command) */
	char *const *entrypoint = c->spec.has_entrypoint ? c->spec.entrypoint : img ? img->entrypoint : NULL;
	char *const *args = c->spec.has_cmd || c->spec.cmd ? c->spec.cmd
			    : c->spec.has_entrypoint       ? NULL
			    : img                          ? img->cmd
							   : NULL;
	for (char *const *a = entrypoint; a && *a; a++)
		cc_strbuf_addf(&cmd, "%s%s", cmd.len ? " " : "", *a);
	for (char *const *a = args; a && *a; a++)
		cc_strbuf_addf(&cmd, "%s%s", cmd.len ? " " : "", *a);
	if (!no_trunc && cmd.len > 20) {
		cc_strbuf_truncate(&cmd, 19);
		cc_strbuf_adds(&cmd, "…");
	}
	cc_strbuf_addf(out, "\"%s\"", cc_strbuf_str(&cmd));
}

void cli_format_created_at(int64_t ns, struct cc_strbuf *out)
{
	time_t t = (time_t)(ns / CC_NS_PER_SEC);
	struct tm tm;
	gmtime_r(&t, &tm);
	char buf[64];
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
	cc_strbuf_adds(out, buf);
}

static size_t display_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

void cli_print_table(cc_strv *rows, size_t nrows)
{
	cleanup_strbuf struct cc_strbuf out = CC_STRBUF_INIT;
	cli_render_table(rows, nrows, &out);
	fwrite(out.buf ? out.buf : "", 1, out.len, stdout);
}

void cli_render_table(cc_strv *rows, size_t nrows, struct cc_strbuf *out)
{
	size_t ncols = nrows ? cc_strv_len(rows[0]) : 0;
	size_t *width = cc_xcalloc(ncols + 1, sizeof(size_t));
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols && rows[r][c]; c++)
			if (display_width(rows[r][c]) > width[c])
				width[c] = display_width(rows[r][c]);
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols && rows[r][c]; c++) {
			cc_strbuf_adds(out, rows[r][c]);
			if (c + 1 < ncols)
				for (size_t pad = display_width(rows[r][c]); pad < width[c] + 3; pad++)
					cc_strbuf_addch(out, ' ');
		}
		cc_strbuf_addch(out, '\n');
	}
	free(width);
}

int cli_parse_when(const char *cmd, const char *s, int64_t *out)
{
	struct cc_error *err = NULL;
	if (cc_parse_time(s, out, &err) == 0)
		return 0;
	cc_error_release(&err);
	int64_t ago;
	if (cc_parse_duration(s, &ago, &err) == 0) {
		*out = cc_now_ns() - ago;
		return 0;
	}
	cc_error_release(&err);
	cli_usage_error(cmd,
			"invalid time \"%s\": expected RFC 3339 (2006-01-02T15:04:05Z), a Unix timestamp or "
			"a duration such as 10m",
			s);
	return -1;
}
