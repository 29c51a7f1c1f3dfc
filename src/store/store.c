/* The state store's connection: opening (directory, WAL, pragmas), migrations and transactions. The SQL
 * plumbing (statement cache, lock waits, error mapping) is in store_sql.c, the tables in store_records.c
 * and store_streams.c.
 *
 * Every write goes through BEGIN IMMEDIATE, so a transaction takes the write lock up front and never fails
 * half way because another process wrote in between. */
#include "store/store.h"
#include "store/store-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"

/* Migration i takes the schema from user_version i to i + 1. Append only: never edit a released entry. */
static const char *const migrations[] = {
    /* 1: the initial schema. */
    "CREATE TABLE containers ("
    " backend TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, project TEXT, service TEXT,"
    " state INTEGER NOT NULL DEFAULT 0, payload TEXT NOT NULL,"
    " PRIMARY KEY (backend, id), UNIQUE (backend, name));"
    /* name last so that a project's containers come out of the index already ordered by name */
    "CREATE INDEX containers_by_project ON containers (backend, project, name);"
    "CREATE TABLE objects ("
    " backend TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, payload TEXT NOT NULL,"
    " PRIMARY KEY (backend, kind, name)) WITHOUT ROWID;"
    "CREATE TABLE events ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, backend TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " payload TEXT NOT NULL);"
    "CREATE INDEX events_by_backend ON events (backend, seq);"
    "CREATE TABLE logs ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, backend TEXT NOT NULL, container_id TEXT NOT NULL,"
    " time_ns INTEGER NOT NULL, stream INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE INDEX logs_by_container ON logs (backend, container_id, seq);"
    "CREATE TABLE projects (name TEXT NOT NULL PRIMARY KEY, payload TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE counters ("
    " backend TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,"
    " PRIMARY KEY (backend, name)) WITHOUT ROWID;",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_BEGIN_READ[] = "BEGIN DEFERRED";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_USER_VERSION[] = "PRAGMA user_version";
static const char SQL_DATA_VERSION[] = "PRAGMA data_version";
static const char SQL_INTEGRITY[] = "PRAGMA integrity_check";
static const char SQL_WAL[] = "PRAGMA journal_mode=WAL";
static const char SQL_PRAGMAS[] = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON";

/* ---- transactions ---- */

/* The outermost begin runs sql; an inner one counts. */
static int begin(struct cc_store *s, const char *sql, bool reading, struct cc_error **err)
{
	if (s->depth > 0) {
		s->depth++;
		return 0;
	}
	if (store_exec_sql(s, sql, err) < 0)
		return -1;
	s->depth = 1;
	s->reading = reading;
	return 0;
}

int cc_store_begin(struct cc_store *s, struct cc_error **err)
{
	if (s->depth > 0 && s->reading)
		return cc_error_set(err, CC_ERR_INTERNAL, "state store %s: a write inside a read transaction",
				    s->path);
	return begin(s, SQL_BEGIN, false, err);
}

int cc_store_begin_read(struct cc_store *s, struct cc_error **err)
{
	return begin(s, SQL_BEGIN_READ, true, err);
}

int cc_store_commit(struct cc_store *s, struct cc_error **err)
{
	if (s->depth == 0)
		return cc_error_set(err, CC_ERR_INVALID_STATE,
				    "state store %s: commit without a transaction (was it rolled back?)",
				    s->path);
	if (s->depth > 1) {
		s->depth--;
		return 0;
	}
	s->reading = false;
	if (sqlite3_get_autocommit(s->db)) {
		/* SQLite rolled the transaction back itself (after an I/O error, a full disk, ...). */
		s->depth = 0;
		return cc_error_set(err, CC_ERR_INTERNAL, "state store %s: the transaction was rolled back",
				    s->path);
	}
	if (store_exec_sql(s, SQL_COMMIT, err) < 0) {
		cc_store_rollback(s);
		return -1;
	}
	s->depth = 0;
	return 0;
}

void cc_store_rollback(struct cc_store *s)
{
	if (s->depth == 0)
		return;
	s->depth = 0;
	s->reading = false;
	if (!sqlite3_get_autocommit(s->db)) {
		cleanup_error struct cc_error *ignored = NULL;
		store_exec_sql(s, SQL_ROLLBACK, &ignored);
	}
}

int store_write_begin(struct cc_store *s, struct cc_error **err)
{
	return cc_store_begin(s, err);
}

int store_write_end(struct cc_store *s, int r, struct cc_error **err)
{
	if (r < 0) {
		if (s->depth > 1)
			s->depth--; /* the caller's transaction goes on; SQLite undid the failed statement */
		else
			cc_store_rollback(s);
		return r;
	}
	if (cc_store_commit(s, err) < 0)
		return -1;
	return r;
}

int store_write1(struct store_query *q, struct cc_error **err)
{
	if (store_write_begin(q->s, err) < 0)
		return -1;
	return store_write_end(q->s, store_exec_query(q, err), err);
}

int store_missing_arg(struct cc_store *s, const char *what, struct cc_error **err)
{
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "state store %s: missing %s", s->path, what);
}

/* ---- open, migrate, close ---- */

static enum cc_err_kind errno_kind(int e)
{
	return (e == EACCES || e == EPERM || e == EROFS) ? CC_ERR_PERMISSION : CC_ERR_INTERNAL;
}

static int make_dir(const char *path, mode_t mode, struct cc_error **err)
{
	if (mkdir(path, mode) == 0)
		return 0;
	int e = errno;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0; /* already there, or created by a concurrent process */
	if (e == EEXIST)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "state store root %s: not a directory",
				    path);
	return cc_error_set_errno(err, errno_kind(e), e, "cannot create state store root %s", path);
}

/* mkdir -p: missing parents as mkdir -p makes them, the root itself private (0700). */
static int make_root(const char *root, struct cc_error **err)
{
	if (cc_is_dir(root))
		return 0;
	cleanup_free char *buf = cc_xstrdup(root);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/' || p[1] == '\0' || p[1] == '/')
			continue;
		*p = '\0';
		int r = make_dir(buf, 0777, err);
		*p = '/';
		if (r < 0)
			return -1;
	}
	return make_dir(root, 0700, err);
}

/* Switch to WAL. The first switch needs an exclusive lock; while processes open a new database together
 * the pragma can fail busy or answer with the old mode, so it is repeated until it says "wal". */
static int enable_wal(struct cc_store *s, struct cc_error **err)
{
	int64_t deadline = store_now_ns() + STORE_LOCK_WAIT_NS;
	for (int attempt = 0;; attempt++) {
		cleanup_query struct store_query q = {0};
		if (store_query_init(s, SQL_WAL, &q, err) < 0)
			return -1;
		int r = store_step(&q, err);
		if (r < 0)
			return -1;
		if (r > 0 && strcmp(store_column_text(&q, 0), "wal") == 0)
			return 0;
		if (store_now_ns() >= deadline)
			return cc_error_set(err, CC_ERR_TIMEOUT,
					    "state store %s: cannot switch to WAL mode (mode %s)", s->path,
					    r > 0 ? store_column_text(&q, 0) : "unknown");
		store_query_release(&q);
		store_backoff(s, STORE_NS_PER_MS, attempt);
	}
}

static int refuse_newer(struct cc_store *s, int64_t version, struct cc_error **err)
{
	return cc_error_set(err, CC_ERR_INVALID_STATE,
			    "state store %s: schema version %lld is newer than this binary supports (%d); "
			    "upgrade container-compose",
			    s->path, (long long)version, SCHEMA_VERSION);
}

static int apply_migration(struct cc_store *s, int64_t from, struct cc_error **err)
{
	if (from < 0)
		return cc_error_set(err, CC_ERR_INVALID_STATE, "state store %s: bad schema version %lld",
				    s->path, (long long)from);
	int rc = sqlite3_exec(s->db, migrations[from], NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		char sql[64]; /* an integer of ours, not a value from outside */
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", (int)from + 1);
		rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		store_fail(s, rc, err);
		return cc_error_wrap(err, "migrating to schema version %d", (int)from + 1);
	}
	return 0;
}

/* One migration per transaction; after taking the lock the version is read again, because another process
 * may have migrated while this one waited. */
static int migrate(struct cc_store *s, struct cc_error **err)
{
	for (;;) {
		int64_t v;
		if (store_query_int64(s, SQL_USER_VERSION, &v, err) < 0)
			return -1;
		if (v > SCHEMA_VERSION)
			return refuse_newer(s, v, err);
		if (v == SCHEMA_VERSION)
			return 0;
		if (cc_store_begin(s, err) < 0)
			return -1;
		int r = store_query_int64(s, SQL_USER_VERSION, &v, err);
		if (r == 0 && v > SCHEMA_VERSION)
			r = refuse_newer(s, v, err);
		else if (r == 0 && v < SCHEMA_VERSION)
			r = apply_migration(s, v, err);
		if (r < 0) {
			cc_store_rollback(s);
			return -1;
		}
		if (cc_store_commit(s, err) < 0)
			return -1;
	}
}

int cc_store_open(const char *root, struct cc_store **out, struct cc_error **err)
{
	if (!root || !*root)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "state store: empty root directory");
	if (make_root(root, err) < 0)
		return -1;

	struct cc_store *s = cc_xcalloc(1, sizeof(*s));
	s->path = cc_path_join(root, "state.db");
	s->rng = (uint64_t)store_now_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)s;
	if (!s->rng)
		s->rng = 1;

	int rc = sqlite3_open_v2(s->path, &s->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_fail(s, rc, err);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_handler(s->db, store_busy_wait, s);
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		cc_error_set(err, CC_ERR_PERMISSION, "state store %s: the database is read-only", s->path);
		goto fail;
	}
	if (enable_wal(s, err) < 0)
		goto fail;
	rc = sqlite3_exec(s->db, SQL_PRAGMAS, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_fail(s, rc, err);
		goto fail;
	}
	if (migrate(s, err) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	cc_store_close(s);
	return -1;
}

void cc_store_close(struct cc_store *s)
{
	if (!s)
		return;
	if (s->db) {
		cc_store_rollback(s);
		for (size_t i = 0; i < s->nstmts; i++)
			sqlite3_finalize(s->stmts[i].st);
		sqlite3_close_v2(s->db);
	}
	free(s->stmts);
	free(s->path);
	free(s);
}

/* ---- inspection ---- */

int cc_store_schema_version(struct cc_store *s)
{
	int64_t v;
	cleanup_error struct cc_error *err = NULL;
	if (store_query_int64(s, SQL_USER_VERSION, &v, &err) < 0 || v < 0 || v > INT_MAX)
		return -1;
	return (int)v;
}

int64_t cc_store_data_version(struct cc_store *s)
{
	int64_t v;
	cleanup_error struct cc_error *err = NULL;
	if (store_query_int64(s, SQL_DATA_VERSION, &v, &err) < 0)
		return -1;
	return v;
}

char *cc_store_integrity_check(struct cc_store *s, struct cc_error **err)
{
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_INTEGRITY, &q, err) < 0)
		return NULL;
	int r = store_step(&q, err);
	if (r < 0)
		return NULL;
	if (r == 0) {
		cc_error_set(err, CC_ERR_INTERNAL, "state store %s: integrity_check returned no row",
			     s->path);
		return NULL;
	}
	return cc_xstrdup(store_column_text(&q, 0));
}
