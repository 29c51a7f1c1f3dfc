/* docker's status texts for containers, shared by `ps` and the daemon's container summaries. */
#include "base/clock.h"
#include "base/strbuf.h"
#include "runtime/types.h"

static void ago(int64_t ns, int64_t now, struct cc_strbuf *out)
{
	cc_format_human_duration(now - ns, out);
	cc_strbuf_adds(out, " ago");
}

void cc_container_status_text(const struct cc_container *c, int64_t now, struct cc_strbuf *out)
{
	switch (c->state) {
	case CC_STATE_CREATED:
		cc_strbuf_adds(out, "Created");
		return;
	case CC_STATE_RUNNING:
	case CC_STATE_PAUSED:
		cc_strbuf_adds(out, "Up ");
		cc_format_human_duration(now - c->started_ns, out);
		if (c->state == CC_STATE_PAUSED)
			cc_strbuf_adds(out, " (Paused)");
		else if (c->health == CC_HEALTH_STARTING)
			cc_strbuf_adds(out, " (health: starting)");
		else if (c->health != CC_HEALTH_NONE)
			cc_strbuf_addf(out, " (%s)", cc_health_name(c->health));
		return;
	case CC_STATE_RESTARTING:
		cc_strbuf_addf(out, "Restarting (%d) ", c->exit_code);
		ago(c->finished_ns, now, out);
		return;
	case CC_STATE_REMOVING:
		cc_strbuf_adds(out, "Removal In Progress");
		return;
	case CC_STATE_DEAD:
		cc_strbuf_adds(out, "Dead");
		return;
	default:
		cc_strbuf_addf(out, "Exited (%d) ", c->exit_code);
		ago(c->finished_ns, now, out);
		return;
	}
}
