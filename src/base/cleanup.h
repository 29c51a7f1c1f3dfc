/* Scope-bound cleanup (GCC/Clang cleanup attribute), crun style.
 * Cleaned locals start as NULL / -1; ownership leaves a scope through steal_pointer()/steal_fd(). */
#ifndef CC_BASE_CLEANUP_H
#define CC_BASE_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cc_freep(void *p)
{
	free(*(void **)p);
}

static inline void cc_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void cc_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define cleanup_free   __attribute__((cleanup(cc_freep)))
#define cleanup_close  __attribute__((cleanup(cc_closep)))
#define cleanup_fclose __attribute__((cleanup(cc_fclosep)))

static inline void *cc_steal_pointer(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) cc_steal_pointer(pp)

static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#endif
