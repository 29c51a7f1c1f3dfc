/* A container's init process, named by pid and start time: see initproc.h. */
#include "engine/initproc.h"

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RECORD "init"

/* The start time of pid (field 22 of /proc/<pid>/stat, clock ticks after boot); false when it is gone. The
 * command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'. */
static bool start_time(pid_t pid, unsigned long long *out)
{
	cleanup_free char *path = cc_xasprintf("/proc/%d/stat", (int)pid);
	cleanup_free char *stat = NULL;
	size_t len;
	struct cc_error *e = NULL;
	if (cc_read_file(path, &stat, &len, &e) < 0) {
		cc_error_free(e);
		return false;
	}
	const char *p = strrchr(stat, ')');
	if (!p)
		return false;
	p++;
	/* fields 3 to 21 come before it */
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return false;
		if (field == 22) {
			char *end;
			errno = 0;
			*out = strtoull(p, &end, 10);
			return errno == 0 && end != p;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

bool native_init_record(const char *dir, pid_t init)
{
	unsigned long long start;
	if (init <= 0 || !start_time(init, &start))
		return false;
	cleanup_free char *tmp = cc_xasprintf("%s/" RECORD ".tmp", dir);
	cleanup_free char *path = cc_xasprintf("%s/" RECORD, dir);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return false;
	bool ok = fprintf(f, "%d %llu\n", (int)init, start) > 0;
	ok = fclose(f) == 0 && ok;
	return ok && rename(tmp, path) == 0;
}

void native_init_forget(const char *dir)
{
	cleanup_free char *path = cc_xasprintf("%s/" RECORD, dir);
	unlink(path);
}

enum native_init_signal_result native_init_signal(const char *dir, int sig)
{
	cleanup_free char *path = cc_xasprintf("%s/" RECORD, dir);
	cleanup_free char *text = NULL;
	size_t len;
	struct cc_error *e = NULL;
	if (cc_read_file(path, &text, &len, &e) < 0) {
		cc_error_free(e);
		return NATIVE_INIT_UNKNOWN;
	}
	int pid;
	unsigned long long recorded, now;
	if (sscanf(text, "%d %llu", &pid, &recorded) != 2 || pid <= 0)
		return NATIVE_INIT_UNKNOWN;
	/* the pidfd holds on to whichever process has the pid now: once its start time is the recorded one,
	 * it is the init, and stays so even if the init exits before the signal */
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return errno == ESRCH ? NATIVE_INIT_GONE : NATIVE_INIT_UNKNOWN;
	enum native_init_signal_result r = NATIVE_INIT_GONE;
	if (start_time(pid, &now) && now == recorded) {
		if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0)
			r = NATIVE_INIT_SIGNALLED;
		else if (errno != ESRCH)
			r = NATIVE_INIT_UNKNOWN;
	}
	close(fd);
	return r;
}
