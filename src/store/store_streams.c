/* Append-only records of the state store: events and container log lines. seq is an AUTOINCREMENT key, so
 * it only grows, even across deletes, and readers resume with "seq > the last one I saw". */
#include "store/store.h"
#include "store/store-internal.h"

static const char SQL_EVENT_APPEND[] = "INSERT INTO events (backend, time_ns, payload) VALUES (?1, ?2, ?3)";
static const char SQL_EVENT_EACH[] = "SELECT seq, time_ns, payload FROM events"
				     " WHERE backend = ?1 AND seq > ?2"
				     " AND (?3 = 0 OR time_ns >= ?3) AND (?4 = 0 OR time_ns <= ?4)"
				     " ORDER BY seq";

static const char SQL_LOG_APPEND[] =
    "INSERT INTO logs (backend, container_id, time_ns, stream, data) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_LOG_EACH[] = "SELECT seq, time_ns, stream, data FROM logs"
				   " WHERE backend = ?1 AND container_id = ?2 AND seq > ?3 ORDER BY seq";
/* The last ?4 lines, newest first from the index, then put back in order. */
static const char SQL_LOG_TAIL[] = "SELECT seq, time_ns, stream, data FROM ("
				   " SELECT seq, time_ns, stream, data FROM logs"
				   " WHERE backend = ?1 AND container_id = ?2 AND seq > ?3"
				   " ORDER BY seq DESC LIMIT ?4)"
				   " ORDER BY seq";
static const char SQL_LOG_DELETE[] = "DELETE FROM logs WHERE backend = ?1 AND container_id = ?2";

/* ---- events ---- */

int cc_store_event_append(struct cc_store *s, const char *backend, int64_t time_ns, const char *payload,
			  int64_t *seq_out, struct cc_error **err)
{
	if (!backend || !payload)
		return store_missing_arg(s, "backend or event payload", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_EVENT_APPEND, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_int64(&q, 2, time_ns);
	store_bind_text(&q, 3, payload);
	if (store_write_begin(s, err) < 0)
		return -1;
	int r = store_exec_query(&q, err);
	/* Read inside the transaction: the rowid of this connection's last insert. */
	int64_t seq = sqlite3_last_insert_rowid(s->db);
	if (store_write_end(s, r, err) < 0)
		return -1;
	if (seq_out)
		*seq_out = seq;
	return 0;
}

int cc_store_event_each(struct cc_store *s, const char *backend, int64_t after_seq, int64_t since_ns,
			int64_t until_ns,
			int (*fn)(void *ctx, int64_t seq, int64_t time_ns, const char *payload), void *ctx,
			struct cc_error **err)
{
	if (!backend)
		return store_missing_arg(s, "backend", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_EVENT_EACH, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_int64(&q, 2, after_seq);
	store_bind_int64(&q, 3, since_ns);
	store_bind_int64(&q, 4, until_ns);
	int r;
	while ((r = store_step(&q, err)) > 0) {
		int cr = fn(ctx, sqlite3_column_int64(q.st, 0), sqlite3_column_int64(q.st, 1),
			    store_column_text(&q, 2));
		if (cr < 0)
			return cr;
	}
	return r;
}

/* ---- logs ---- */

int cc_store_log_append(struct cc_store *s, const char *backend, const char *container_id, int64_t time_ns,
			int stream, const char *data, size_t len, struct cc_error **err)
{
	if (!backend || !container_id || (!data && len))
		return store_missing_arg(s, "backend, container id or log data", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_LOG_APPEND, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_text(&q, 2, container_id);
	store_bind_int64(&q, 3, time_ns);
	store_bind_int64(&q, 4, stream);
	store_bind_blob(&q, 5, data, len);
	return store_write1(&q, err);
}

int cc_store_log_each(struct cc_store *s, const char *backend, const char *container_id, int64_t after_seq,
		      long tail,
		      int (*fn)(void *ctx, int64_t seq, int64_t time_ns, int stream, const char *data,
				size_t len),
		      void *ctx, struct cc_error **err)
{
	if (!backend || !container_id)
		return store_missing_arg(s, "backend or container id", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, tail >= 0 ? SQL_LOG_TAIL : SQL_LOG_EACH, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_text(&q, 2, container_id);
	store_bind_int64(&q, 3, after_seq);
	if (tail >= 0)
		store_bind_int64(&q, 4, tail);
	int r;
	while ((r = store_step(&q, err)) > 0) {
		const char *data = sqlite3_column_blob(q.st, 3);
		size_t len = (size_t)sqlite3_column_bytes(q.st, 3);
		int cr = fn(ctx, sqlite3_column_int64(q.st, 0), sqlite3_column_int64(q.st, 1),
			    sqlite3_column_int(q.st, 2), data ? data : "", len);
		if (cr < 0)
			return cr;
	}
	return r;
}

int cc_store_log_delete(struct cc_store *s, const char *backend, const char *container_id,
			struct cc_error **err)
{
	if (!backend || !container_id)
		return store_missing_arg(s, "backend or container id", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_LOG_DELETE, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_text(&q, 2, container_id);
	return store_write1(&q, err);
}
