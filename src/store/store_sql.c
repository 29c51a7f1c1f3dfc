/* The state store's SQL plumbing: the prepared-statement cache, binding, stepping with lock waits, and the
 * mapping of SQLite errors to the error contract.
 *
 * Waiting for the lock happens at two levels. SQLite calls store_busy_wait() while a lock it needs is held by
 * another connection (for up to BUSY_WAIT_NS per statement); store_step() retries a statement whose first
 * step still reports SQLITE_BUSY (the cases where SQLite does not call the handler, such as a deadlock
 * between two readers upgrading, or WAL recovery) until STORE_LOCK_WAIT_NS has passed, then reports
 * TIMEOUT. */
#include "store/store-internal.h"

#include <errno.h>
#include <stdbool.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

#define BUSY_WAIT_NS  (30 * STORE_NS_PER_S)  /* one wait inside SQLite's busy handler */
#define BUSY_SLEEP_NS (10 * STORE_NS_PER_MS) /* the longest single sleep */

int64_t store_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * STORE_NS_PER_S + ts.tv_nsec;
}

/* xorshift64*: jitter so that waiting processes do not retry in lock step. */
static uint64_t next_random(struct cc_store *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * UINT64_C(2685821657736338717);
}

void store_backoff(struct cc_store *s, int64_t base_ns, int attempt)
{
	int64_t ns = base_ns << (attempt < 10 ? attempt : 10);
	if (ns > BUSY_SLEEP_NS)
		ns = BUSY_SLEEP_NS;
	ns = ns / 2 + (int64_t)(next_random(s) % (uint64_t)(ns / 2 + 1));
	struct timespec ts = {.tv_sec = ns / STORE_NS_PER_S, .tv_nsec = ns % STORE_NS_PER_S};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int store_busy_wait(void *ud, int count)
{
	struct cc_store *s = ud;
	int64_t now = store_now_ns();
	if (count == 0)
		s->busy_since_ns = now;
	else if (now - s->busy_since_ns >= BUSY_WAIT_NS)
		return 0;
	store_backoff(s, 50000, count);
	return 1;
}

static bool is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

int store_fail(struct cc_store *s, int rc, struct cc_error **err)
{
	enum cc_err_kind kind = CC_ERR_INTERNAL;
	switch (rc & 0xff) {
	case SQLITE_PERM:
	case SQLITE_READONLY:
	case SQLITE_AUTH:
		kind = CC_ERR_PERMISSION;
		break;
	case SQLITE_CANTOPEN: {
		int e = s->db ? sqlite3_system_errno(s->db) : 0;
		if (e == EACCES || e == EPERM || e == EROFS)
			kind = CC_ERR_PERMISSION;
		break;
	}
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		kind = CC_ERR_TIMEOUT;
		break;
	case SQLITE_CONSTRAINT:
	case SQLITE_TOOBIG:
		kind = CC_ERR_INVALID_ARGUMENT;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		kind = CC_ERR_INVALID_STATE;
		break;
	}
	const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	return cc_error_set(err, kind, "state store %s: %s", s->path, msg);
}

/* ---- statements ---- */

int store_query_init(struct cc_store *s, const char *sql, struct store_query *q, struct cc_error **err)
{
	*q = (struct store_query){.s = s};
	struct store_stmt_slot *slot = NULL;
	for (size_t i = 0; i < s->nstmts; i++) {
		if (s->stmts[i].sql == sql) {
			slot = &s->stmts[i];
			break;
		}
	}
	if (slot && !sqlite3_stmt_busy(slot->st)) {
		q->st = slot->st;
		return 0;
	}
	/* Not cached yet, or the cached one is iterating further up the stack: a private copy. */
	int rc = sqlite3_prepare_v3(s->db, sql, -1, slot ? 0 : SQLITE_PREPARE_PERSISTENT, &q->st, NULL);
	if (rc != SQLITE_OK) {
		q->st = NULL;
		return store_fail(s, rc, err);
	}
	if (slot) {
		q->owned = true;
		return 0;
	}
	CC_GROW(s->stmts, s->stmts_alloc, s->nstmts + 1);
	s->stmts[s->nstmts++] = (struct store_stmt_slot){.sql = sql, .st = q->st};
	return 0;
}

void store_query_release(struct store_query *q)
{
	if (!q->st)
		return;
	if (q->owned) {
		sqlite3_finalize(q->st);
	} else {
		sqlite3_reset(q->st);
		sqlite3_clear_bindings(q->st);
	}
	q->st = NULL;
}

void store_bind_text(struct store_query *q, int idx, const char *text)
{
	/* SQLITE_STATIC: the caller's strings outlive the statement's use; release unbinds them. */
	sqlite3_bind_text(q->st, idx, text, -1, SQLITE_STATIC);
}

void store_bind_int64(struct store_query *q, int idx, int64_t v)
{
	sqlite3_bind_int64(q->st, idx, v);
}

void store_bind_blob(struct store_query *q, int idx, const void *data, size_t len)
{
	if (len == 0) /* a NULL pointer would bind SQL NULL: an empty line is an empty blob */
		sqlite3_bind_zeroblob(q->st, idx, 0);
	else
		sqlite3_bind_blob64(q->st, idx, data, len, SQLITE_STATIC);
}

const char *store_column_text(struct store_query *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q->st, col);
	return t ? (const char *)t : "";
}

int store_step(struct store_query *q, struct cc_error **err)
{
	struct cc_store *s = q->s;
	int64_t deadline = 0;
	for (int attempt = 0;; attempt++) {
		int rc = q->rc = sqlite3_step(q->st);
		if (rc == SQLITE_ROW) {
			q->stepped = true;
			return 1;
		}
		if (rc == SQLITE_DONE)
			return 0;
		/* A statement that has not produced anything yet can start over. */
		if (is_busy(rc) && !q->stepped) {
			int64_t now = store_now_ns();
			if (!deadline)
				deadline = now + STORE_LOCK_WAIT_NS;
			if (now < deadline) {
				sqlite3_reset(q->st);
				store_backoff(s, STORE_NS_PER_MS, attempt);
				continue;
			}
			return cc_error_set(err, CC_ERR_TIMEOUT, "state store %s: %s (gave up after %d s)",
					    s->path, sqlite3_errmsg(s->db),
					    (int)(STORE_LOCK_WAIT_NS / STORE_NS_PER_S));
		}
		return store_fail(s, rc, err);
	}
}

int store_exec_query(struct store_query *q, struct cc_error **err)
{
	int r;
	while ((r = store_step(q, err)) > 0)
		;
	return r;
}

int store_exec_sql(struct cc_store *s, const char *sql, struct cc_error **err)
{
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, sql, &q, err) < 0)
		return -1;
	return store_exec_query(&q, err);
}

int store_query_int64(struct cc_store *s, const char *sql, int64_t *out, struct cc_error **err)
{
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, sql, &q, err) < 0)
		return -1;
	int r = store_step(&q, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return cc_error_set(err, CC_ERR_INTERNAL, "state store %s: %s returned no row", s->path, sql);
	*out = sqlite3_column_int64(q.st, 0);
	return 0;
}
