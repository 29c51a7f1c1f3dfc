/* A container's init process, named by pid and start time: see initproc.h. */
#include "engine/initproc.h"
#include "engine/procstat.h"

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

bool native_init_record(const char *dir, pid_t init)
{
	struct native_proc_stat st;
	if (init <= 0 || !native_proc_stat(init, &st))
		return false;
	cleanup_free char *tmp = cc_xasprintf("%s/" RECORD ".tmp", dir);
	cleanup_free char *path = cc_xasprintf("%s/" RECORD, dir);
	cleanup_free char *text = cc_xasprintf("%d %llu\n", (int)init, st.start_time);
	struct cc_error *e = NULL;
	if (cc_write_file_atomic(path, tmp, text, strlen(text), 0600, false, &e) < 0) {
		cc_error_free(e);
		unlink(tmp);
		unlink(path);
		return false;
	}
	return true;
}

void native_init_forget(const char *dir)
{
	cleanup_free char *path = cc_xasprintf("%s/" RECORD, dir);
	unlink(path);
}

enum native_init_signal_result native_init_signal(const char *dir, int sig)
{
	cleanup_free char *path = cc_xasprintf("%s/" RECORD, dir);
	cleanup_free char *text = cc_read_text(path);
	int pid;
	unsigned long long recorded;
	if (!text || sscanf(text, "%d %llu", &pid, &recorded) != 2 || pid <= 0)
		return NATIVE_INIT_UNKNOWN;
	/* the pidfd holds on to whichever process has the pid now: once its start time is the recorded one,
	 * it is the init, and stays so even if the init exits before the signal */
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return errno == ESRCH ? NATIVE_INIT_GONE : NATIVE_INIT_UNKNOWN;
	enum native_init_signal_result r = NATIVE_INIT_GONE;
	struct native_proc_stat now;
	if (!native_proc_stat(pid, &now)) {
		/* alive, but its line could not be read: no way to tell who it is */
		if (syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0)
			r = NATIVE_INIT_UNKNOWN;
	} else if (now.start_time == recorded) {
		if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0)
			r = NATIVE_INIT_SIGNALLED;
		else if (errno != ESRCH)
			r = NATIVE_INIT_UNKNOWN;
	}
	close(fd);
	return r;
}
