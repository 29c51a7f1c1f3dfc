/* The state store: one SQLite database in WAL mode at <root>/state.db, shared by every CLI process, the
 * daemon and the container monitors. Records are JSON payloads (runtime/codec.h) with the columns that
 * queries filter on beside them; each record belongs to a backend ("mock", "native", ...), so backends that
 * share a root never see each other's objects.
 *
 * Concurrency: writers take the database lock up front (BEGIN IMMEDIATE) so a transaction never fails half
 * way with SQLITE_BUSY; a busy lock is waited for with a busy handler and retried, so concurrent processes
 * serialize instead of failing. A killed process loses at most its uncommitted transaction.
 *
 * One struct cc_store is one connection and is not shared between threads without the caller's lock. Nor
 * is it carried across fork(): a child that does not exec opens its own, and only while it has inherited no
 * open connection to the same store (SQLite's lock bookkeeping is per process). */
#ifndef CC_STORE_STORE_H
#define CC_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct cc_store;

/* Open (creating the root directory 0700 and the database as needed) and migrate to the current schema. */
int cc_store_open(const char *root, struct cc_store **out, struct cc_error **err);
void cc_store_close(struct cc_store *s);
/* The schema version after migrations (PRAGMA user_version). */
int cc_store_schema_version(struct cc_store *s);
/* "ok", or the first problem PRAGMA integrity_check reports (owned string). */
char *cc_store_integrity_check(struct cc_store *s, struct cc_error **err);

/* A write transaction: BEGIN IMMEDIATE, waiting (with retries) while another connection writes. Nested
 * begin calls are counted; only the outermost commit commits. rollback aborts the whole transaction. */
int cc_store_begin(struct cc_store *s, struct cc_error **err);
/* A read transaction: one snapshot for every read until commit, taking no lock that writers or other
 * readers wait for (WAL). Nests like cc_store_begin (inside a write transaction it is part of that one); a
 * cc_store_begin inside it is refused (INTERNAL): it could not upgrade to a write without a conflict. */
int cc_store_begin_read(struct cc_store *s, struct cc_error **err);
int cc_store_commit(struct cc_store *s, struct cc_error **err);
void cc_store_rollback(struct cc_store *s);
/* A number that changes whenever another connection commits (PRAGMA data_version): cheap polling. */
int64_t cc_store_data_version(struct cc_store *s);

/* Containers. `ref` in get is an id, a unique id prefix (>= 1 char) or a name. */
struct cc_store_container_row {
	const char *id, *name, *project, *service;
	int state;
	const char *payload; /* JSON */
};
int cc_store_container_put(struct cc_store *s, const char *backend, const struct cc_store_container_row *row,
			   struct cc_error **err);
/* NOT_FOUND "No such container: <ref>"; INVALID_ARGUMENT when a prefix is ambiguous. *payload is owned. */
int cc_store_container_get(struct cc_store *s, const char *backend, const char *ref, char **payload,
			   struct cc_error **err);
/* Calls fn with each row's id and payload (ordered by name); project NULL: all. fn returning <0 stops with
 * that value. */
int cc_store_container_each(struct cc_store *s, const char *backend, const char *project,
			    int (*fn)(void *ctx, const char *id, const char *payload), void *ctx,
			    struct cc_error **err);
/* NOT_FOUND when absent. */
int cc_store_container_delete(struct cc_store *s, const char *backend, const char *id, struct cc_error **err);

/* Networks, volumes, secrets, configs and images: (kind, name) -> payload. */
int cc_store_object_put(struct cc_store *s, const char *backend, const char *kind, const char *name,
			const char *payload, struct cc_error **err);
int cc_store_object_get(struct cc_store *s, const char *backend, const char *kind, const char *name,
			char **payload, struct cc_error **err); /* NOT_FOUND "No such <kind>: <name>" */
int cc_store_object_each(struct cc_store *s, const char *backend, const char *kind,
			 int (*fn)(void *ctx, const char *name, const char *payload), void *ctx,
			 struct cc_error **err); /* ordered by name */
int cc_store_object_delete(struct cc_store *s, const char *backend, const char *kind, const char *name,
			   struct cc_error **err); /* NOT_FOUND when absent */

/* Events: appended in order; seq is the insertion order (strictly increasing). */
int cc_store_event_append(struct cc_store *s, const char *backend, int64_t time_ns, const char *payload,
			  int64_t *seq_out, struct cc_error **err);
/* Events with seq > after_seq and since_ns <= time <= until_ns (0: unbounded), ordered by seq. */
int cc_store_event_each(struct cc_store *s, const char *backend, int64_t after_seq, int64_t since_ns,
			int64_t until_ns,
			int (*fn)(void *ctx, int64_t seq, int64_t time_ns, const char *payload), void *ctx,
			struct cc_error **err);

/* Log lines of a container (the mock's, and any backend that keeps logs in the store). */
int cc_store_log_append(struct cc_store *s, const char *backend, const char *container_id, int64_t time_ns,
			int stream, const char *data, size_t len, struct cc_error **err);
/* Lines with seq > after_seq, in order; tail >= 0 keeps only the last `tail` of them. */
int cc_store_log_each(struct cc_store *s, const char *backend, const char *container_id, int64_t after_seq,
		      long tail,
		      int (*fn)(void *ctx, int64_t seq, int64_t time_ns, int stream, const char *data,
				size_t len),
		      void *ctx, struct cc_error **err);
int cc_store_log_delete(struct cc_store *s, const char *backend, const char *container_id,
			struct cc_error **err);

/* Projects the orchestrator has brought up or the daemon ingested: name -> payload (working dir, files,
 * config hashes, ...). Not per backend: a project is the user's, whichever backend runs it. */
int cc_store_project_put(struct cc_store *s, const char *name, const char *payload, struct cc_error **err);
int cc_store_project_get(struct cc_store *s, const char *name, char **payload, struct cc_error **err);
int cc_store_project_each(struct cc_store *s, int (*fn)(void *ctx, const char *name, const char *payload),
			  void *ctx, struct cc_error **err);
int cc_store_project_delete(struct cc_store *s, const char *name, struct cc_error **err);

/* A counter per (backend, name), incremented atomically: pids, ids. Returns the new value. */
int64_t cc_store_next(struct cc_store *s, const char *backend, const char *name, struct cc_error **err);

#endif
