/* A container's init process, named so that a signal never reaches another process.
 *
 * Stopping or killing a container sent the signal through `<runtime> kill`: a Go process of 10 to 20 ms
 * for runc, on every stop of every container, only to look up the init's pid and call kill(2). The monitor
 * knows the pid (it is the init's parent) and writes it down with the process's start time; a signal goes
 * through a pidfd opened on that pid and checked against the start time, so a pid recycled after the init
 * was reaped gets nothing. */
#ifndef CC_ENGINE_INITPROC_H
#define CC_ENGINE_INITPROC_H

#include <stdbool.h>
#include <sys/types.h>

/* Write the record of a run's init in the container's directory (the monitor, after the runtime started
 * it, while the init cannot have been reaped). False when its start time cannot be read. */
bool native_init_record(const char *dir, pid_t init);

/* Forget the record (the run has ended). */
void native_init_forget(const char *dir);

enum native_init_signal_result {
	NATIVE_INIT_SIGNALLED,
	NATIVE_INIT_GONE,    /* the recorded process has ended, or its pid names another now */
	NATIVE_INIT_UNKNOWN, /* no record, or it cannot be read: ask the runtime */
};

/* Send sig to the recorded init of the container whose directory is dir. */
enum native_init_signal_result native_init_signal(const char *dir, int sig);

#endif
