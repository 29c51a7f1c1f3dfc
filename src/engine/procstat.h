/* The fields of /proc/<pid>/stat that the engine reads to know a process it recorded by pid: its name, its
 * state (a zombie has ended) and its start time (a recycled pid has another). */
#ifndef CC_ENGINE_PROCSTAT_H
#define CC_ENGINE_PROCSTAT_H

#include <stdbool.h>
#include <sys/types.h>

struct native_proc_stat {
	char comm[16];                 /* the command's name, cut to 15 characters by the kernel */
	char state;                    /* R, S, D, Z, ... */
	unsigned long long start_time; /* clock ticks after boot */
};

/* False when there is no such process (or its line cannot be read). */
bool native_proc_stat(pid_t pid, struct native_proc_stat *out);

#endif
