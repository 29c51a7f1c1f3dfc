/* Keyed records of the state store: containers, objects (networks, volumes, ...), projects and counters.
 * Every write runs in a transaction (the caller's, or one of its own) so that it takes the write lock up
 * front; every read is one SELECT, hence one consistent snapshot. */
#include "store/store.h"
#include "store/store-internal.h"

#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"

static const char SQL_CONTAINER_PUT[] =
    "INSERT INTO containers (backend, id, name, project, service, state, payload)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    " ON CONFLICT (backend, id) DO UPDATE SET name = excluded.name, project = excluded.project,"
    " service = excluded.service, state = excluded.state, payload = excluded.payload";
static const char SQL_CONTAINER_BY_ID[] = "SELECT payload FROM containers WHERE backend = ?1 AND id = ?2";
static const char SQL_CONTAINER_BY_NAME[] = "SELECT payload FROM containers WHERE backend = ?1 AND name = ?2";
/* Ids in order from the prefix on: the ones that start with it come first, contiguously. */
static const char SQL_CONTAINER_FROM_ID[] =
    "SELECT id, payload FROM containers WHERE backend = ?1 AND id >= ?2 ORDER BY id";
static const char SQL_CONTAINER_ALL[] = "SELECT id, payload FROM containers WHERE backend = ?1 ORDER BY name";
static const char SQL_CONTAINER_PROJECT[] =
    "SELECT id, payload FROM containers WHERE backend = ?1 AND project = ?2 ORDER BY name";
static const char SQL_CONTAINER_DELETE[] = "DELETE FROM containers WHERE backend = ?1 AND id = ?2";

static const char SQL_OBJECT_PUT[] =
    "INSERT INTO objects (backend, kind, name, payload) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (backend, kind, name) DO UPDATE SET payload = excluded.payload";
static const char SQL_OBJECT_GET[] =
    "SELECT payload FROM objects WHERE backend = ?1 AND kind = ?2 AND name = ?3";
static const char SQL_OBJECT_EACH[] =
    "SELECT name, payload FROM objects WHERE backend = ?1 AND kind = ?2 ORDER BY name";
static const char SQL_OBJECT_DELETE[] = "DELETE FROM objects WHERE backend = ?1 AND kind = ?2 AND name = ?3";

static const char SQL_PROJECT_PUT[] = "INSERT INTO projects (name, payload) VALUES (?1, ?2)"
				      " ON CONFLICT (name) DO UPDATE SET payload = excluded.payload";
static const char SQL_PROJECT_GET[] = "SELECT payload FROM projects WHERE name = ?1";
static const char SQL_PROJECT_EACH[] = "SELECT name, payload FROM projects ORDER BY name";
static const char SQL_PROJECT_DELETE[] = "DELETE FROM projects WHERE name = ?1";

static const char SQL_COUNTER_NEXT[] = "INSERT INTO counters (backend, name, value) VALUES (?1, ?2, 1)"
				       " ON CONFLICT (backend, name) DO UPDATE SET value = value + 1"
				       " RETURNING value";

/* Write q; NOT_FOUND "No such <what>: <name>" when it changed no row (a delete of something absent). */
static int delete1(struct store_query *q, const char *what, const char *name, struct cc_error **err)
{
	struct cc_store *s = q->s;
	if (store_write_begin(s, err) < 0)
		return -1;
	int r = store_exec_query(q, err);
	if (r == 0 && sqlite3_changes(s->db) == 0)
		r = cc_error_set(err, CC_ERR_NOT_FOUND, "No such %s: %s", what, name);
	return store_write_end(s, r, err);
}

/* Step q once: 1 and *payload (owned copy of column col) for a row, 0 for none, <0 on error. */
static int fetch_text(struct store_query *q, int col, char **payload, struct cc_error **err)
{
	int r = store_step(q, err);
	if (r > 0)
		*payload = cc_xstrdup(store_column_text(q, col));
	return r;
}

/* ---- containers ---- */

int cc_store_container_put(struct cc_store *s, const char *backend, const struct cc_store_container_row *row,
			   struct cc_error **err)
{
	if (!backend || !row || !row->id || !*row->id || !row->name || !*row->name || !row->payload)
		return store_missing_arg(s, "backend, container id, name or payload", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_CONTAINER_PUT, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_text(&q, 2, row->id);
	store_bind_text(&q, 3, row->name);
	store_bind_text(&q, 4, row->project);
	store_bind_text(&q, 5, row->service);
	store_bind_int64(&q, 6, row->state);
	store_bind_text(&q, 7, row->payload);

	if (store_write_begin(s, err) < 0)
		return -1;
	int r = store_exec_query(&q, NULL);
	if (r < 0 && q.rc == SQLITE_CONSTRAINT_UNIQUE) /* the id conflict is the upsert: this is the name */
		r = cc_error_set(err, CC_ERR_ALREADY_EXISTS, "container name \"%s\" is already in use",
				 row->name);
	else if (r < 0)
		r = store_fail(s, q.rc, err);
	return store_write_end(s, r, err);
}

/* The one container whose id starts with ref: 1 found, 0 none, <0 error (ambiguous included). */
static int container_by_prefix(struct cc_store *s, const char *backend, const char *ref, char **payload,
			       struct cc_error **err)
{
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_CONTAINER_FROM_ID, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_text(&q, 2, ref);
	size_t len = strlen(ref);
	cleanup_free char *found = NULL;
	int r;
	while ((r = store_step(&q, err)) > 0) {
		if (strncmp(store_column_text(&q, 0), ref, len) != 0)
			break;
		if (found)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "multiple containers match %s",
					    ref);
		found = cc_xstrdup(store_column_text(&q, 1));
	}
	if (r < 0)
		return -1;
	if (!found)
		return 0;
	*payload = steal_pointer(&found);
	return 1;
}

int cc_store_container_get(struct cc_store *s, const char *backend, const char *ref, char **payload,
			   struct cc_error **err)
{
	if (!backend || !ref)
		return store_missing_arg(s, "backend or container reference", err);
	if (!*ref)
		return cc_error_set(err, CC_ERR_NOT_FOUND, "No such container: %s", ref);
	static const char *const exact[] = {SQL_CONTAINER_BY_ID, SQL_CONTAINER_BY_NAME};
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
		cleanup_query struct store_query q = {0};
		if (store_query_init(s, exact[i], &q, err) < 0)
			return -1;
		store_bind_text(&q, 1, backend);
		store_bind_text(&q, 2, ref);
		int r = fetch_text(&q, 0, payload, err);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	int r = container_by_prefix(s, backend, ref, payload, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return cc_error_set(err, CC_ERR_NOT_FOUND, "No such container: %s", ref);
	return 0;
}

int cc_store_container_each(struct cc_store *s, const char *backend, const char *project,
			    int (*fn)(void *ctx, const char *id, const char *payload), void *ctx,
			    struct cc_error **err)
{
	if (!backend)
		return store_missing_arg(s, "backend", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, project ? SQL_CONTAINER_PROJECT : SQL_CONTAINER_ALL, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	if (project)
		store_bind_text(&q, 2, project);
	int r;
	while ((r = store_step(&q, err)) > 0) {
		int cr = fn(ctx, store_column_text(&q, 0), store_column_text(&q, 1));
		if (cr < 0)
			return cr;
	}
	return r;
}

int cc_store_container_delete(struct cc_store *s, const char *backend, const char *id, struct cc_error **err)
{
	if (!backend || !id)
		return store_missing_arg(s, "backend or container id", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_CONTAINER_DELETE, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_text(&q, 2, id);
	return delete1(&q, "container", id, err);
}

/* ---- objects ---- */

int cc_store_object_put(struct cc_store *s, const char *backend, const char *kind, const char *name,
			const char *payload, struct cc_error **err)
{
	if (!backend || !kind || !name || !*name || !payload)
		return store_missing_arg(s, "backend, kind, name or payload", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_OBJECT_PUT, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_text(&q, 2, kind);
	store_bind_text(&q, 3, name);
	store_bind_text(&q, 4, payload);
	return store_write1(&q, err);
}

int cc_store_object_get(struct cc_store *s, const char *backend, const char *kind, const char *name,
			char **payload, struct cc_error **err)
{
	if (!backend || !kind || !name)
		return store_missing_arg(s, "backend, kind or name", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_OBJECT_GET, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_text(&q, 2, kind);
	store_bind_text(&q, 3, name);
	int r = fetch_text(&q, 0, payload, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return cc_error_set(err, CC_ERR_NOT_FOUND, "No such %s: %s", kind, name);
	return 0;
}

int cc_store_object_each(struct cc_store *s, const char *backend, const char *kind,
			 int (*fn)(void *ctx, const char *name, const char *payload), void *ctx,
			 struct cc_error **err)
{
	if (!backend || !kind)
		return store_missing_arg(s, "backend or kind", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_OBJECT_EACH, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_text(&q, 2, kind);
	int r;
	while ((r = store_step(&q, err)) > 0) {
		int cr = fn(ctx, store_column_text(&q, 0), store_column_text(&q, 1));
		if (cr < 0)
			return cr;
	}
	return r;
}

int cc_store_object_delete(struct cc_store *s, const char *backend, const char *kind, const char *name,
			   struct cc_error **err)
{
	if (!backend || !kind || !name)
		return store_missing_arg(s, "backend, kind or name", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_OBJECT_DELETE, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_text(&q, 2, kind);
	store_bind_text(&q, 3, name);
	return delete1(&q, kind, name, err);
}

/* ---- projects ---- */

int cc_store_project_put(struct cc_store *s, const char *name, const char *payload, struct cc_error **err)
{
	if (!name || !*name || !payload)
		return store_missing_arg(s, "project name or payload", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_PROJECT_PUT, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, name);
	store_bind_text(&q, 2, payload);
	return store_write1(&q, err);
}

int cc_store_project_get(struct cc_store *s, const char *name, char **payload, struct cc_error **err)
{
	if (!name)
		return store_missing_arg(s, "project name", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_PROJECT_GET, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, name);
	int r = fetch_text(&q, 0, payload, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return cc_error_set(err, CC_ERR_NOT_FOUND, "No such project: %s", name);
	return 0;
}

int cc_store_project_each(struct cc_store *s, int (*fn)(void *ctx, const char *name, const char *payload),
			  void *ctx, struct cc_error **err)
{
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_PROJECT_EACH, &q, err) < 0)
		return -1;
	int r;
	while ((r = store_step(&q, err)) > 0) {
		int cr = fn(ctx, store_column_text(&q, 0), store_column_text(&q, 1));
		if (cr < 0)
			return cr;
	}
	return r;
}

int cc_store_project_delete(struct cc_store *s, const char *name, struct cc_error **err)
{
	if (!name)
		return store_missing_arg(s, "project name", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_PROJECT_DELETE, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, name);
	return delete1(&q, "project", name, err);
}

/* ---- counters ---- */

int64_t cc_store_next(struct cc_store *s, const char *backend, const char *name, struct cc_error **err)
{
	if (!backend || !name)
		return store_missing_arg(s, "backend or counter name", err);
	cleanup_query struct store_query q = {0};
	if (store_query_init(s, SQL_COUNTER_NEXT, &q, err) < 0)
		return -1;
	store_bind_text(&q, 1, backend);
	store_bind_text(&q, 2, name);
	if (store_write_begin(s, err) < 0)
		return -1;
	int64_t value = -1;
	int r = store_step(&q, err);
	if (r > 0) {
		value = sqlite3_column_int64(q.st, 0);
		r = store_exec_query(&q, err); /* run the statement to its end */
	} else if (r == 0) {
		r = cc_error_set(err, CC_ERR_INTERNAL, "state store %s: counter %s returned no value",
				 s->path, name);
	}
	if (store_write_end(s, r, err) < 0)
		return -1;
	return value;
}
