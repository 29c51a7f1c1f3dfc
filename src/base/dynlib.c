/* Opening a library when first needed: see dynlib.h. */
#include "base/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

void cc_dynlib_open(struct cc_dynlib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(lib->why, sizeof(lib->why), "cannot load %s (install %s): %s", lib->soname,
			 lib->package, dlerror());
		return;
	}
	for (size_t i = 0; i < lib->nsyms; i++) {
		void *p = dlsym(h, lib->syms[i].name);
		if (!p) {
			snprintf(lib->why, sizeof(lib->why), "%s: no symbol %s", lib->soname,
				 lib->syms[i].name);
			dlclose(h);
			return;
		}
		*(void **)((char *)lib->table + lib->syms[i].offset) = p;
	}
	lib->ok = true;
}

int cc_dynlib_ready(const struct cc_dynlib *lib, struct cc_error **err)
{
	return lib->ok ? 0 : cc_error_set(err, CC_ERR_BACKEND_FAILURE, "%s", lib->why);
}
