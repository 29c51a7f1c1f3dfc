/* A build context sent to a builder elsewhere (our daemon, or a Docker Engine): the context directory as a
 * tar (what .dockerignore excludes left out, the Dockerfile and ignore files always in), with a Dockerfile
 * from outside the context or given inline added as ".container-compose.Dockerfile". */
#ifndef CC_ENGINE_BUILD_CONTEXT_H
#define CC_ENGINE_BUILD_CONTEXT_H

#include "base/error.h"
#include "base/strbuf.h"
#include "runtime/types.h"

/* Write the tar to tar_path; *dockerfile (owned) is the Dockerfile's path inside it. */
int cc_build_context_tar(const struct cc_build_opts *o, const char *tar_path, char **dockerfile,
			 struct cc_error **err);

/* The options as the Engine API's /build query ("?dockerfile=...&t=...&buildargs={...}"), which our daemon's
 * POST /images/build takes too; the RUN network goes under network_key ("networkmode" for docker's,
 * "network" for ours). Build secrets are not in it: neither API takes them. */
void cc_build_query(const struct cc_build_opts *o, const char *dockerfile, const char *network_key,
		    struct cc_strbuf *q);

#endif
