/* What the state store's files share: store.c (connection, transactions, migrations), store_sql.c
 * (statements, lock waits, errors), store_records.c and store_streams.c (the tables). Not public API. */
#ifndef CC_STORE_STORE_INTERNAL_H
#define CC_STORE_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

#define STORE_NS_PER_MS    INT64_C(1000000)
#define STORE_NS_PER_S     INT64_C(1000000000)
#define STORE_LOCK_WAIT_NS (60 * STORE_NS_PER_S) /* all retries of one statement together */

/* One cached prepared statement, keyed by the address of its static SQL text. */
struct store_stmt_slot {
	const char *sql;
	sqlite3_stmt *st;
};

struct cc_store {
	sqlite3 *db;
	char *path;   /* <root>/state.db, for messages */
	int depth;    /* nesting of cc_store_begin; 0 outside a transaction */
	bool reading; /* the outermost transaction is cc_store_begin_read's */
	int64_t busy_since_ns;
	uint64_t rng; /* jitter for lock back-off: per connection, no global state */
	struct store_stmt_slot *stmts;
	size_t nstmts, stmts_alloc;
};

/* A statement in use: the cached one, or a private copy when the cached one is still stepping (a callback
 * of an each() that calls the same query again). */
struct store_query {
	struct cc_store *s;
	sqlite3_stmt *st;
	bool owned;
	bool stepped;
	int rc; /* the last sqlite3_step() result, to tell constraint failures apart */
};

/* Prepare (or reuse) the statement for `sql`, which must be a string with static storage. */
int store_query_init(struct cc_store *s, const char *sql, struct store_query *q, struct cc_error **err);
/* Reset and unbind a cached statement, finalize a private one. Safe on a zeroed query. */
void store_query_release(struct store_query *q);
#define cleanup_query __attribute__((cleanup(store_query_release)))

/* Bind helpers (1-based index). Text may be NULL (binds SQL NULL). */
void store_bind_text(struct store_query *q, int idx, const char *text);
void store_bind_int64(struct store_query *q, int idx, int64_t v);
void store_bind_blob(struct store_query *q, int idx, const void *data, size_t len);

/* One step: 1 for a row, 0 when done, <0 with *err set. A busy first step is retried with back-off. */
int store_step(struct store_query *q, struct cc_error **err);
/* Step a statement that returns no rows to completion. */
int store_exec_query(struct store_query *q, struct cc_error **err);

/* Column text that is never NULL. */
const char *store_column_text(struct store_query *q, int col);

/* Run a statement (no rows wanted) / read the single integer it returns. */
int store_exec_sql(struct cc_store *s, const char *sql, struct cc_error **err);
int store_query_int64(struct cc_store *s, const char *sql, int64_t *out, struct cc_error **err);

/* Monotonic clock; a sleep of between half and all of min(base << attempt, 10 ms), with per-connection
 * jitter; SQLite's busy handler (1 = try again, 0 = give up), its context being the struct cc_store. */
int64_t store_now_ns(void);
void store_backoff(struct cc_store *s, int64_t base_ns, int attempt);
int store_busy_wait(void *ud, int count);

/* Set *err from the connection's last error: "state store <path>: <sqlite errmsg>". */
int store_fail(struct cc_store *s, int rc, struct cc_error **err);

/* A single write: begin (nesting into the caller's transaction, if any), then end with r, the result of the
 * writes: commit when r >= 0, otherwise undo this level (the whole transaction when it is the outermost).
 * Returns r, or <0 when the commit fails. */
int store_write_begin(struct cc_store *s, struct cc_error **err);
int store_write_end(struct cc_store *s, int r, struct cc_error **err);
/* Step q (a write with its parameters bound) inside a transaction of its own or the caller's. */
int store_write1(struct store_query *q, struct cc_error **err);

/* INVALID_ARGUMENT "state store <path>: missing <what>". */
int store_missing_arg(struct cc_store *s, const char *what, struct cc_error **err);

#endif
