/* How the loader asks for a variable: NULL means "not set" (distinct from set-but-empty). */
#ifndef CC_COMPOSE_LOOKUP_H
#define CC_COMPOSE_LOOKUP_H

typedef const char *(*cc_lookup_fn)(void *ud, const char *name);

#endif
