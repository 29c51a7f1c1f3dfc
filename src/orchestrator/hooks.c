/* Lifecycle hooks (post_start, pre_stop) and watch's sync+exec: a command run in a container with exec, from
 * a mapping {command, user, privileged, working_dir, environment}. */
#include "orchestrator/orchestrator.h"

#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose/project.h"
#include "orchestrator/internal.h"

#include <string.h>

static int emit_to_buf(void *ctx, const struct cc_log_frame *f)
{
	cc_strbuf_add(ctx, f->data, f->len);
	return 0;
}

int cc_orch_exec_checked(struct cc_runtime *rt, const char *id, const char *name,
			 const struct cc_exec_opts *eo, const char *what, struct cc_error **err)
{
	struct cc_strbuf out;
	cc_strbuf_init(&out);
	struct cc_log_sink sink = {emit_to_buf, &out, NULL};
	int code = 0;
	int r = cc_rt_container_exec(rt, id, eo, &sink, &code, err);
	if (r < 0)
		cc_error_wrap(err, "%s in %s", what, name);
	else if (code != 0) {
		/* the output says why; its last line break is the message's end */
		while (out.len && out.buf[out.len - 1] == '\n')
			cc_strbuf_truncate(&out, out.len - 1);
		r = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s in %s exited with %d%s%s", what, name, code,
				 out.len ? ": " : "", cc_strbuf_str(&out));
	}
	cc_strbuf_release(&out);
	return r;
}

int cc_orch_exec_hook(struct cc_runtime *rt, const char *id, const char *name, const struct cc_val *hook,
		      const char *what, struct cc_error **err)
{
	const struct cc_val *cmd = cc_orch_get(hook, "command");
	if (!cmd || cmd->kind != CC_V_SEQ || !cmd->seq.n)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: no command", what);
	cc_strv argv = NULL, env = NULL;
	for (size_t i = 0; i < cmd->seq.n; i++)
		cc_strv_push(&argv, cc_val_text(cmd->seq.v[i]));
	const struct cc_val *vars = cc_orch_get(hook, "environment");
	for (size_t i = 0; vars && vars->kind == CC_V_MAP && i < vars->map.n; i++) {
		const struct cc_val *v = vars->map.e[i].val;
		if (!v || v->kind == CC_V_NULL)
			continue; /* unset: not passed, as in a service's environment */
		cleanup_free char *kv = cc_xasprintf("%s=%s", vars->map.e[i].key, cc_val_text(v));
		cc_strv_push(&env, kv);
	}
	struct cc_exec_opts eo = {.argv = argv,
				  .env = env,
				  .user = cc_orch_str(hook, "user"),
				  .working_dir = cc_orch_str(hook, "working_dir"),
				  .privileged = cc_orch_flag(hook, "privileged")};
	int r = cc_orch_exec_checked(rt, id, name, &eo, what, err);
	cc_strv_free(argv);
	cc_strv_free(env);
	return r;
}

int cc_orch_lifecycle_hooks(struct cc_runtime *rt, const struct cc_project *p, const char *service,
			    const char *id, const char *name, const char *which, const struct cc_orch_ui *ui,
			    struct cc_error **err)
{
	if (!p)
		return 0; /* a project known by its labels only: its hooks are in a file nobody gave */
	const struct cc_val *hooks = cc_orch_get(cc_project_service(p, service), which);
	for (size_t i = 0; hooks && hooks->kind == CC_V_SEQ && i < hooks->seq.n; i++) {
		cleanup_free char *what = cc_xasprintf("%s hook", which);
		struct cc_error *e = NULL;
		if (cc_orch_exec_hook(rt, id, name, hooks->seq.v[i], what, &e) == 0)
			continue;
		/* a failed post_start fails the start, as in docker compose; a failed pre_stop is reported
		 * and the stop goes on, so that down always brings the project down */
		if (strcmp(which, "post_start") == 0) {
			*err = e;
			return -1;
		}
		cc_orch_warn(ui, "%s", e->msg);
		cc_error_free(e);
	}
	return 0;
}
