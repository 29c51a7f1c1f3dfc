/* /proc/<pid>/stat: see procstat.h. */
#include "engine/procstat.h"

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool native_proc_stat(pid_t pid, struct native_proc_stat *out)
{
	cleanup_free char *path = cc_xasprintf("/proc/%d/stat", (int)pid);
	cleanup_free char *line = cc_read_text(path);
	/* "pid (comm) state f4 ... f22 ...": the name may hold spaces and parentheses, so the fields after it
	 * follow the last ')' */
	const char *open = line ? strchr(line, '(') : NULL;
	const char *close = line ? strrchr(line, ')') : NULL;
	if (!open || !close || close < open || close[1] != ' ')
		return false;
	size_t n = (size_t)(close - open - 1);
	if (n >= sizeof(out->comm))
		n = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, n);
	out->comm[n] = '\0';
	const char *p = close + 1;
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return false;
		if (field == 3) {
			out->state = *p;
		} else if (field == 22) {
			char *end;
			errno = 0;
			out->start_time = strtoull(p, &end, 10);
			return errno == 0 && end != p;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}
