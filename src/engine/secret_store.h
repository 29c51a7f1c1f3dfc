/* Secrets and configs kept by container-compose itself, for the backends whose engine has none of its own
 * (native; docker outside swarm mode). Metadata in the state store under the backend's name (kind "secret"
 * or "config"); the value in <dir>/<kind>/<name>, mode 0600 in a 0700 directory, and nowhere else: no API
 * returns it and no log shows it. A container gets its own copy of each file it references, with the owner
 * and mode the reference asks for, which the backend bind-mounts read-only at the target, so a change of
 * mode for one container never shows in another. */
#ifndef CC_ENGINE_SECRET_STORE_H
#define CC_ENGINE_SECRET_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "runtime/types.h"
#include "store/store.h"

struct cc_secret_store {
	struct cc_store *store;
	pthread_mutex_t
	    *lock;           /* held around the store's transactions: the backend's lock of the connection */
	const char *backend; /* the records' (and events') backend name */
	const char *dir;     /* where the values are */
	bool events;         /* append create and remove events to the store (a backend reading its own) */
	/* INVALID_STATE naming a container that mounts (kind, name), else 0. Called in the store's
	 * transaction, with the lock held. */
	int (*in_use)(void *ctx, enum cc_secret_kind kind, const char *name, struct cc_error **err);
	void *ctx;
};

int cc_secret_store_list(const struct cc_secret_store *ss, enum cc_secret_kind kind, struct cc_secret **out,
			 size_t *n, struct cc_error **err);
int cc_secret_store_create(const struct cc_secret_store *ss, enum cc_secret_kind kind, const char *name,
			   const void *value, size_t len, const struct cc_kvs *labels, struct cc_error **err);
/* A new value for an existing entry (NOT_FOUND otherwise), written whole before the record changes. */
int cc_secret_store_update(const struct cc_secret_store *ss, enum cc_secret_kind kind, const char *name,
			   const void *value, size_t len, struct cc_error **err);
int cc_secret_store_remove(const struct cc_secret_store *ss, enum cc_secret_kind kind, const char *name,
			   struct cc_error **err);
/* Every secret and config the spec names exists (NOT_FOUND naming the first that does not). */
int cc_secret_store_check(const struct cc_secret_store *ss, const struct cc_container_spec *spec,
			  struct cc_error **err);
/* Copy each secret and config the spec names into files_dir (created 0700) with its owner and mode, and
 * call mount(ctx, target in the container, the copy) for each. */
int cc_secret_store_materialize(const struct cc_secret_store *ss, const struct cc_container_spec *spec,
				const char *files_dir,
				int (*mount)(void *ctx, const char *target, const char *source,
					     struct cc_error **err),
				void *ctx, struct cc_error **err);

#endif
