/* libFuzzer target: arbitrary bytes as a compose file through the whole loader (YAML, interpolation, schema,
 * normalization, merge, finalize) and both emitters. Any crash, leak or sanitizer report is a bug. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/strbuf.h"
#include "compose/emit.h"
#include "compose/project.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	static const char *const files[] = {"-"};
	static const char *const env[] = {"FOO=first", "BAR=", "N=3", NULL};
	/* loaded once per fuzzing process: the harness may keep state, the library does not */
	static struct cc_schema *schema;
	if (!schema && cc_schema_load(&schema, NULL) < 0)
		return 0;
	struct cc_project_opts o = {
	    .schema = schema,
	    .files = files,
	    .nfiles = 1,
	    .project_name = "fuzz",
	    .environ = env,
	    .cwd = "/nonexistent-fuzz-dir",
	    .stdin_file = in,
	};
	struct cc_project *p = NULL;
	struct cc_error *err = NULL;
	if (cc_project_load(&o, &p, &err) == 0) {
		struct cc_strbuf sb = CC_STRBUF_INIT;
		cc_emit_json(p->model, CC_EMIT_ESCAPE_DOLLAR, &sb);
		cc_emit_yaml(p->model, 0, &sb, &err);
		cc_strbuf_release(&sb);
		cc_project_free(p);
	}
	cc_error_free(err);
	fclose(in);
	return 0;
}
