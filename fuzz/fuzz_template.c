/* libFuzzer target: the interpolation engine on arbitrary strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "compose/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *lookup(void *ud, const char *name)
{
	(void)ud;
	if (!strcmp(name, "FOO"))
		return "first";
	if (!strcmp(name, "BAR"))
		return "";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = cc_xstrndup((const char *)data, size);
	struct cc_template_ctx ctx = {lookup, NULL, NULL, NULL};
	char *out = NULL;
	struct cc_error *err = NULL;
	if (cc_template_substitute(s, &ctx, &out, &err) == 0)
		free(out);
	cc_error_free(err);
	free(s);
	return 0;
}
