#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

void cli_release_project(struct cc_project *p)
{
#if defined(__SANITIZE_ADDRESS__)
	cc_project_free(p);
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	cc_project_free(p);
#else
	(void)p;
#endif
#else
	(void)p;
#endif
}

void cli_print_error(const struct cc_error *err)
{
	fprintf(stderr, "error: %s\n", err ? err->msg : "unknown error");
}

void cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("error: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nRun 'container-compose %s --help' for usage.\n", cmd);
	else
		fprintf(stderr, "\nRun 'container-compose --help' for usage.\n");
}

int cli_load_project(struct cli_ctx *ctx, const char *const *services, size_t nservices, bool no_interpolate,
		     bool all_profiles, struct cc_project **out)
{
	return cli_load_project_ex(ctx, services, nservices, no_interpolate, all_profiles, false, out, NULL);
}

int cli_load_project_ex(struct cli_ctx *ctx, const char *const *services, size_t nservices,
			bool no_interpolate, bool all_profiles, bool keep_enabled, struct cc_project **out,
			struct cc_error **err_out)
{
	struct cc_project_opts o = {
	    .files = ctx->files,
	    .nfiles = ctx->nfiles,
	    .project_dir = ctx->project_dir,
	    .project_name = ctx->project_name,
	    .env_files = ctx->env_files,
	    .nenv_files = ctx->nenv_files,
	    .profiles = ctx->profiles,
	    .nprofiles = ctx->nprofiles,
	    .services = services,
	    .nservices = nservices,
	    .environ = (const char *const *)ctx->environ,
	    .no_interpolate = no_interpolate,
	    .all_profiles = all_profiles,
	    .keep_enabled = keep_enabled,
	};
	struct cc_error *err = NULL;
	if (cc_project_load(&o, out, &err) < 0) {
		if (err_out) {
			*err_out = err;
			return -1;
		}
		cli_print_error(err);
		cc_error_free(err);
		return -1;
	}
	for (size_t i = 0; i < (*out)->nwarnings; i++)
		fprintf(stderr, "warning: %s\n", (*out)->warnings[i]);
	return 0;
}
