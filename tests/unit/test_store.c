/* Unit tests for store/: opening (WAL, schema version, refusal of a newer schema, permissions), every record
 * table, transactions, and 50 processes writing one store at once without losing a write. Each test works in
 * a fresh temporary root that it removes. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "store/store.h"

/* ---- fixtures ---- */

struct fixture {
	char dir[64];       /* the mkdtemp directory */
	char *root;         /* <dir>/root: does not exist before the first open */
	struct cc_store *s; /* opened by setup */
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = cc_xcalloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/cc-test-store-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->root = cc_xasprintf("%s/root", f->dir);
	struct cc_error *err = NULL;
	if (cc_store_open(f->root, &f->s, &err) < 0) {
		print_error("open %s: %s\n", f->root, err->msg);
		cc_error_free(err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	cc_store_close(f->s);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->root);
	free(f);
	return 0;
}

static struct cc_store *open_ok(const char *root)
{
	struct cc_store *s = NULL;
	struct cc_error *err = NULL;
	int r = cc_store_open(root, &s, &err);
	if (r < 0)
		print_error("open %s: %s\n", root, err->msg);
	assert_int_equal(r, 0);
	assert_null(err);
	return s;
}

/* Assert that a call failed with `kind` and exactly `msg` (NULL: any message), then free the error. */
static void expect_err(int r, struct cc_error **err, enum cc_err_kind kind, const char *msg)
{
	assert_true(r < 0);
	assert_non_null(*err);
	if ((*err)->kind != kind || (msg && strcmp((*err)->msg, msg) != 0))
		print_error("got %s [%s], expected %s [%s]\n", cc_err_kind_name((*err)->kind), (*err)->msg,
			    cc_err_kind_name(kind), msg ? msg : "*");
	assert_int_equal((*err)->kind, kind);
	if (msg)
		assert_string_equal((*err)->msg, msg);
	cc_error_release(err);
}

/* One text value of a query on a separate raw SQLite connection. */
static char *raw_query(const char *root, const char *sql)
{
	char *path = cc_xasprintf("%s/state.db", root);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	int rc = sqlite3_step(st);
	char *out = cc_xstrdup(
	    rc == SQLITE_ROW && sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	return out;
}

static void put_container(struct cc_store *s, const char *backend, const char *id, const char *name,
			  const char *project)
{
	struct cc_error *err = NULL;
	char *payload = cc_xasprintf("{\"id\":\"%s\",\"name\":\"%s\"}", id, name);
	struct cc_store_container_row row = {
	    .id = id, .name = name, .project = project, .service = "svc", .state = 1, .payload = payload};
	int r = cc_store_container_put(s, backend, &row, &err);
	if (r < 0)
		print_error("put %s: %s\n", id, err->msg);
	assert_int_equal(r, 0);
	free(payload);
}

/* The payload that container ref resolves to must be the one of container `id`. */
static void expect_container(struct cc_store *s, const char *backend, const char *ref, const char *id)
{
	struct cc_error *err = NULL;
	char *payload = NULL;
	int r = cc_store_container_get(s, backend, ref, &payload, &err);
	if (r < 0)
		print_error("get %s: %s\n", ref, err->msg);
	assert_int_equal(r, 0);
	char *want = cc_xasprintf("\"id\":\"%s\"", id);
	if (!strstr(payload, want))
		print_error("get %s: %s, expected id %s\n", ref, payload, id);
	assert_non_null(strstr(payload, want));
	free(want);
	free(payload);
}

/* Collects payloads or names, comma separated; stops (returning -42) after `stop_after` rows if > 0. */
struct collect {
	struct cc_strbuf sb;
	int n;
	int stop_after;
};

/* Collects the payloads; each row's id must be the one its payload names. */
static int collect_payload(void *ctx, const char *id, const char *payload)
{
	struct collect *c = ctx;
	char named[80];
	if (sscanf(payload, "{\"id\":\"%79[^\"]", named) != 1 || strcmp(named, id) != 0)
		return -99;
	cc_strbuf_addf(&c->sb, "%s%s", c->n++ ? "," : "", payload);
	return c->stop_after > 0 && c->n >= c->stop_after ? -42 : 0;
}

static int collect_named(void *ctx, const char *name, const char *payload)
{
	struct collect *c = ctx;
	cc_strbuf_addf(&c->sb, "%s%s=%s", c->n++ ? "," : "", name, payload);
	return 0;
}

/* ---- open ---- */

static void test_open_creates_wal_db(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	assert_int_equal(stat(f->root, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	char *mode = raw_query(f->root, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(cc_store_schema_version(f->s), 1);
	char *v = raw_query(f->root, "PRAGMA user_version");
	assert_string_equal(v, "1");
	free(v);

	struct cc_error *err = NULL;
	char *ok = cc_store_integrity_check(f->s, &err);
	assert_non_null(ok);
	assert_string_equal(ok, "ok");
	free(ok);

	/* Nested missing parents are created too. */
	char *deep = cc_xasprintf("%s/a/b/c/", f->dir);
	struct cc_store *s2 = open_ok(deep);
	cc_store_close(s2);
	free(deep);
	expect_err(cc_store_open("", &s2, &err), &err, CC_ERR_INVALID_ARGUMENT, NULL);
}

static void test_reopen_keeps_data(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	put_container(f->s, "mock", "abc", "web", "p");
	assert_int_equal(cc_store_project_put(f->s, "p", "{}", &err), 0);
	cc_store_close(f->s);
	f->s = open_ok(f->root);
	assert_int_equal(cc_store_schema_version(f->s), 1);
	expect_container(f->s, "mock", "web", "abc");
	char *payload = NULL;
	assert_int_equal(cc_store_project_get(f->s, "p", &payload, &err), 0);
	assert_string_equal(payload, "{}");
	free(payload);
}

static void test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	free(raw_query(f->root, "PRAGMA user_version = 99"));
	struct cc_store *s2 = NULL;
	struct cc_error *err = NULL;
	char *msg =
	    cc_xasprintf("state store %s/state.db: schema version 99 is newer than this binary supports "
			 "(1); upgrade container-compose",
			 f->root);
	expect_err(cc_store_open(f->root, &s2, &err), &err, CC_ERR_INVALID_STATE, msg);
	assert_null(s2);
	free(msg);
}

/* Open as a user who is not allowed in (nobody, when run as root), in a child; expect PERMISSION with a
 * message starting with `prefix`. Returns the child's exit status: 0 when it got exactly that. */
static int open_as_other(const char *root, const char *prefix)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(10);
		struct cc_store *s = NULL;
		struct cc_error *err = NULL;
		if (cc_store_open(root, &s, &err) == 0)
			_exit(11);
		if (err->kind != CC_ERR_PERMISSION || strncmp(err->msg, prefix, strlen(prefix)) != 0) {
			fprintf(stderr, "%s: %s\n", cc_err_kind_name(err->kind), err->msg);
			_exit(12);
		}
		cc_error_free(err);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static void test_permission_denied(void **state)
{
	struct fixture *f = *state;
	cc_store_close(f->s); /* no connection open across fork */
	f->s = NULL;
	assert_int_equal(chmod(f->dir, 0755), 0);
	char *msg = NULL;
	if (geteuid() == 0) {
		/* The root exists but is private to its owner: SQLite cannot open the database (EACCES). */
		msg = cc_xasprintf("state store %s/state.db: unable to open database file", f->root);
		assert_int_equal(open_as_other(f->root, msg), 0);
		free(msg);
	}
	/* The root cannot be created under a read-only directory. */
	char *locked = cc_xasprintf("%s/locked", f->dir);
	assert_int_equal(mkdir(locked, 0555), 0);
	char *root = cc_xasprintf("%s/root", locked);
	msg = cc_xasprintf("cannot create state store root %s: Permission denied", root);
	assert_int_equal(open_as_other(root, msg), 0);
	free(msg);
	free(root);
	free(locked);
}

static void test_not_a_database(void **state)
{
	struct fixture *f = *state;
	cc_store_close(f->s);
	f->s = NULL;
	char *path = cc_xasprintf("%s/state.db", f->root);
	char *wal = cc_xasprintf("%s-wal", path);
	unlink(wal);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 64; i++)
		fputs("this is not an SQLite database\n", fp);
	fclose(fp);
	struct cc_error *err = NULL;
	char *msg = cc_xasprintf("state store %s: file is not a database", path);
	expect_err(cc_store_open(f->root, &f->s, &err), &err, CC_ERR_INVALID_STATE, msg);
	assert_null(f->s);
	free(msg);
	free(wal);
	free(path);
}

/* ---- containers ---- */

static void test_container_get(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	char *payload = NULL;
	put_container(f->s, "mock", "abc123", "web-1", "p");
	put_container(f->s, "mock", "abd456", "db-1", "p");
	put_container(f->s, "mock", "9999", "abd", "q"); /* a name that is also a prefix of an id */
	put_container(f->s, "native", "abc999", "web-1", "p");

	expect_container(f->s, "mock", "abc123", "abc123"); /* id */
	expect_container(f->s, "mock", "db-1", "abd456");   /* name */
	expect_container(f->s, "mock", "abc", "abc123");    /* unique prefix */
	expect_container(f->s, "mock", "9", "9999");
	expect_container(f->s, "mock", "abd", "9999");     /* the exact name beats the prefix */
	expect_container(f->s, "native", "abc", "abc999"); /* backends do not see each other */
	expect_container(f->s, "native", "web-1", "abc999");

	expect_err(cc_store_container_get(f->s, "mock", "ab", &payload, &err), &err, CC_ERR_INVALID_ARGUMENT,
		   "multiple containers match ab");
	expect_err(cc_store_container_get(f->s, "mock", "zz", &payload, &err), &err, CC_ERR_NOT_FOUND,
		   "No such container: zz");
	expect_err(cc_store_container_get(f->s, "mock", "abc1234", &payload, &err), &err, CC_ERR_NOT_FOUND,
		   "No such container: abc1234");
	expect_err(cc_store_container_get(f->s, "other", "abc123", &payload, &err), &err, CC_ERR_NOT_FOUND,
		   "No such container: abc123");
	expect_err(cc_store_container_get(f->s, "mock", "", &payload, &err), &err, CC_ERR_NOT_FOUND,
		   "No such container: ");
	assert_null(payload);

	/* Put again with the same id: an update, renames included. */
	put_container(f->s, "mock", "abc123", "web-renamed", "p");
	expect_container(f->s, "mock", "web-renamed", "abc123");
	expect_err(cc_store_container_get(f->s, "mock", "web-1", &payload, &err), &err, CC_ERR_NOT_FOUND,
		   NULL);

	/* Another id with a name in use. */
	struct cc_store_container_row row = {.id = "fff", .name = "db-1", .payload = "{}"};
	expect_err(cc_store_container_put(f->s, "mock", &row, &err), &err, CC_ERR_ALREADY_EXISTS,
		   "container name \"db-1\" is already in use");
	row.name = NULL;
	expect_err(cc_store_container_put(f->s, "mock", &row, &err), &err, CC_ERR_INVALID_ARGUMENT, NULL);
	expect_err(cc_store_container_get(f->s, "mock", "fff", &payload, &err), &err, CC_ERR_NOT_FOUND, NULL);
}

/* Looks up every container it is given, with the same query as the iteration around it uses a different
 * one: the statement cache must not reset the outer statement. */
static int nested_get(void *ctx, const char *id, const char *payload)
{
	(void)id;
	struct cc_store *s = ctx;
	struct cc_error *err = NULL;
	struct collect inner = {.sb = CC_STRBUF_INIT};
	int r = cc_store_container_each(s, "mock", NULL, collect_payload, &inner, &err);
	cc_strbuf_release(&inner.sb);
	if (r < 0 || inner.n != 3)
		return -7;
	(void)payload;
	return 0;
}

static int delete_each(void *ctx, const char *id, const char *payload)
{
	struct cc_store *s = ctx;
	struct cc_error *err = NULL;
	(void)payload;
	if (cc_store_container_delete(s, "mock", id, &err) < 0) {
		cc_error_free(err);
		return -9;
	}
	return 0;
}

static void test_container_each(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	put_container(f->s, "mock", "c3", "zeta", "p1");
	put_container(f->s, "mock", "c1", "alpha", "p2");
	put_container(f->s, "mock", "c2", "mid", "p1");
	put_container(f->s, "native", "n1", "beta", "p1");

	struct collect c = {.sb = CC_STRBUF_INIT};
	assert_int_equal(cc_store_container_each(f->s, "mock", NULL, collect_payload, &c, &err), 0);
	assert_string_equal(c.sb.buf, "{\"id\":\"c1\",\"name\":\"alpha\"},{\"id\":\"c2\",\"name\":\"mid\"},"
				      "{\"id\":\"c3\",\"name\":\"zeta\"}");
	cc_strbuf_reset(&c.sb);
	c.n = 0;
	assert_int_equal(cc_store_container_each(f->s, "mock", "p1", collect_payload, &c, &err), 0);
	assert_string_equal(c.sb.buf, "{\"id\":\"c2\",\"name\":\"mid\"},{\"id\":\"c3\",\"name\":\"zeta\"}");
	cc_strbuf_reset(&c.sb);
	c.n = 0;
	assert_int_equal(cc_store_container_each(f->s, "mock", "none", collect_payload, &c, &err), 0);
	assert_int_equal(c.n, 0);

	/* Early stop returns the callback's value and sets no error. */
	c.stop_after = 2;
	assert_int_equal(cc_store_container_each(f->s, "mock", NULL, collect_payload, &c, &err), -42);
	assert_null(err);
	assert_int_equal(c.n, 2);
	cc_strbuf_release(&c.sb);

	/* Re-entrant: the same query inside its own callback, and deletes while iterating. */
	assert_int_equal(cc_store_container_each(f->s, "mock", NULL, nested_get, f->s, &err), 0);
	assert_int_equal(cc_store_container_each(f->s, "mock", NULL, delete_each, f->s, &err), 0);
	struct collect left = {.sb = CC_STRBUF_INIT};
	assert_int_equal(cc_store_container_each(f->s, "mock", NULL, collect_payload, &left, &err), 0);
	assert_int_equal(left.n, 0);
	assert_int_equal(cc_store_container_each(f->s, "native", NULL, collect_payload, &left, &err), 0);
	assert_int_equal(left.n, 1);
	cc_strbuf_release(&left.sb);
}

static void test_container_delete(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	char *payload = NULL;
	put_container(f->s, "mock", "abc", "web", NULL);
	expect_err(cc_store_container_delete(f->s, "native", "abc", &err), &err, CC_ERR_NOT_FOUND,
		   "No such container: abc");
	assert_int_equal(cc_store_container_delete(f->s, "mock", "abc", &err), 0);
	expect_err(cc_store_container_get(f->s, "mock", "abc", &payload, &err), &err, CC_ERR_NOT_FOUND, NULL);
	expect_err(cc_store_container_delete(f->s, "mock", "abc", &err), &err, CC_ERR_NOT_FOUND,
		   "No such container: abc");
	/* The name is free again. */
	put_container(f->s, "mock", "def", "web", NULL);
}

static void test_container_list_500(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	assert_int_equal(cc_store_begin(f->s, &err), 0);
	for (int i = 0; i < 500; i++) {
		char id[80], name[32];
		snprintf(id, sizeof(id), "%064d", i);
		snprintf(name, sizeof(name), "proj-svc-%d", i);
		put_container(f->s, "mock", id, name, i % 2 ? "odd" : "even");
	}
	assert_int_equal(cc_store_commit(f->s, &err), 0);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct collect c = {.sb = CC_STRBUF_INIT};
	assert_int_equal(cc_store_container_each(f->s, "mock", NULL, collect_payload, &c, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(c.n, 500);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_message("listing 500 containers: %.2f ms\n", ms); /* a figure to look at, not a threshold */
	cc_strbuf_release(&c.sb);
}

/* ---- objects, projects, counters ---- */

static void test_objects(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	char *payload = NULL;
	assert_int_equal(cc_store_object_put(f->s, "mock", "network", "front", "{\"n\":1}", &err), 0);
	assert_int_equal(cc_store_object_put(f->s, "mock", "network", "back", "{\"n\":2}", &err), 0);
	assert_int_equal(cc_store_object_put(f->s, "mock", "volume", "front", "{\"v\":1}", &err), 0);
	assert_int_equal(cc_store_object_put(f->s, "native", "network", "front", "{\"native\":1}", &err), 0);

	assert_int_equal(cc_store_object_get(f->s, "mock", "network", "front", &payload, &err), 0);
	assert_string_equal(payload, "{\"n\":1}");
	free(payload);
	assert_int_equal(cc_store_object_get(f->s, "mock", "volume", "front", &payload, &err), 0);
	assert_string_equal(payload, "{\"v\":1}");
	free(payload);
	assert_int_equal(cc_store_object_get(f->s, "native", "network", "front", &payload, &err), 0);
	assert_string_equal(payload, "{\"native\":1}");
	free(payload);
	payload = NULL;
	expect_err(cc_store_object_get(f->s, "native", "network", "back", &payload, &err), &err,
		   CC_ERR_NOT_FOUND, "No such network: back");
	expect_err(cc_store_object_get(f->s, "mock", "secret", "front", &payload, &err), &err,
		   CC_ERR_NOT_FOUND, "No such secret: front");
	assert_null(payload);

	/* Update in place. */
	assert_int_equal(cc_store_object_put(f->s, "mock", "network", "front", "{\"n\":3}", &err), 0);
	struct collect c = {.sb = CC_STRBUF_INIT};
	assert_int_equal(cc_store_object_each(f->s, "mock", "network", collect_named, &c, &err), 0);
	assert_string_equal(c.sb.buf, "back={\"n\":2},front={\"n\":3}");
	cc_strbuf_reset(&c.sb);
	c.n = 0;
	assert_int_equal(cc_store_object_each(f->s, "mock", "image", collect_named, &c, &err), 0);
	assert_int_equal(c.n, 0);

	assert_int_equal(cc_store_object_delete(f->s, "mock", "network", "front", &err), 0);
	expect_err(cc_store_object_delete(f->s, "mock", "network", "front", &err), &err, CC_ERR_NOT_FOUND,
		   "No such network: front");
	assert_int_equal(cc_store_object_get(f->s, "mock", "volume", "front", &payload, &err), 0);
	free(payload);
	assert_int_equal(cc_store_object_get(f->s, "native", "network", "front", &payload, &err), 0);
	free(payload);
	assert_int_equal(cc_store_object_each(f->s, "mock", "network", collect_named, &c, &err), 0);
	assert_string_equal(c.sb.buf, "back={\"n\":2}");
	cc_strbuf_release(&c.sb);
}

static void test_projects(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	char *payload = NULL;
	assert_int_equal(cc_store_project_put(f->s, "web", "{\"dir\":\"/a\"}", &err), 0);
	assert_int_equal(cc_store_project_put(f->s, "api", "{\"dir\":\"/b\"}", &err), 0);
	assert_int_equal(cc_store_project_put(f->s, "web", "{\"dir\":\"/c\"}", &err), 0);
	assert_int_equal(cc_store_project_get(f->s, "web", &payload, &err), 0);
	assert_string_equal(payload, "{\"dir\":\"/c\"}");
	free(payload);
	struct collect c = {.sb = CC_STRBUF_INIT};
	assert_int_equal(cc_store_project_each(f->s, collect_named, &c, &err), 0);
	assert_string_equal(c.sb.buf, "api={\"dir\":\"/b\"},web={\"dir\":\"/c\"}");
	cc_strbuf_release(&c.sb);
	assert_int_equal(cc_store_project_delete(f->s, "api", &err), 0);
	payload = NULL;
	expect_err(cc_store_project_get(f->s, "api", &payload, &err), &err, CC_ERR_NOT_FOUND,
		   "No such project: api");
	expect_err(cc_store_project_delete(f->s, "api", &err), &err, CC_ERR_NOT_FOUND,
		   "No such project: api");
	assert_null(payload);
}

static void test_counters(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	assert_int_equal(cc_store_next(f->s, "mock", "pid", &err), 1);
	assert_int_equal(cc_store_next(f->s, "mock", "pid", &err), 2);
	assert_int_equal(cc_store_next(f->s, "mock", "ip", &err), 1);
	assert_int_equal(cc_store_next(f->s, "native", "pid", &err), 1);
	assert_int_equal(cc_store_next(f->s, "mock", "pid", &err), 3);
	expect_err((int)cc_store_next(f->s, NULL, "pid", &err), &err, CC_ERR_INVALID_ARGUMENT, NULL);
	/* Inside a transaction that is rolled back, increments are undone. */
	assert_int_equal(cc_store_begin(f->s, &err), 0);
	assert_int_equal(cc_store_next(f->s, "mock", "pid", &err), 4);
	cc_store_rollback(f->s);
	assert_int_equal(cc_store_next(f->s, "mock", "pid", &err), 4);
	assert_null(err);
}

/* ---- events and logs ---- */

static int collect_event(void *ctx, int64_t seq, int64_t time_ns, const char *payload)
{
	struct collect *c = ctx;
	cc_strbuf_addf(&c->sb, "%s%lld@%lld:%s", c->n++ ? "," : "", (long long)seq, (long long)time_ns,
		       payload);
	return 0;
}

static char *events(struct cc_store *s, const char *backend, int64_t after, int64_t since, int64_t until)
{
	struct cc_error *err = NULL;
	struct collect c = {.sb = CC_STRBUF_INIT};
	assert_int_equal(cc_store_event_each(s, backend, after, since, until, collect_event, &c, &err), 0);
	return cc_strbuf_detach(&c.sb, NULL);
}

static void expect_events(struct cc_store *s, const char *backend, int64_t after, int64_t since,
			  int64_t until, const char *want)
{
	char *got = events(s, backend, after, since, until);
	if (strcmp(got, want) != 0)
		print_error("events after %lld [%lld, %lld]: got [%s], expected [%s]\n", (long long)after,
			    (long long)since, (long long)until, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_events(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	int64_t seq[5], last = 0;
	/* Times deliberately not in seq order: seq is the order. */
	const int64_t times[] = {100, 300, 200, 400, 500};
	for (int i = 0; i < 5; i++) {
		char payload[16];
		snprintf(payload, sizeof(payload), "e%d", i);
		assert_int_equal(
		    cc_store_event_append(f->s, i == 2 ? "native" : "mock", times[i], payload, &seq[i], &err),
		    0);
		assert_true(seq[i] > last);
		last = seq[i];
	}
	assert_int_equal(cc_store_event_append(f->s, "mock", 600, "e5", NULL, &err), 0);
	char *want =
	    cc_xasprintf("%lld@100:e0,%lld@300:e1,%lld@400:e3,%lld@500:e4,%lld@600:e5", (long long)seq[0],
			 (long long)seq[1], (long long)seq[3], (long long)seq[4], (long long)seq[4] + 1);
	expect_events(f->s, "mock", 0, 0, 0, want);
	free(want);

	want = cc_xasprintf("%lld@400:e3,%lld@500:e4", (long long)seq[3], (long long)seq[4]);
	expect_events(f->s, "mock", seq[1], 0, 500, want);
	free(want);
	want = cc_xasprintf("%lld@300:e1,%lld@400:e3", (long long)seq[1], (long long)seq[3]);
	expect_events(f->s, "mock", 0, 300, 400, want);
	free(want);
	want = cc_xasprintf("%lld@200:e2", (long long)seq[2]);
	expect_events(f->s, "native", 0, 0, 0, want);
	free(want);
	expect_events(f->s, "native", seq[2], 0, 0, "");
	expect_events(f->s, "mock", 0, 700, 0, "");
}

static int collect_log(void *ctx, int64_t seq, int64_t time_ns, int stream, const char *data, size_t len)
{
	struct collect *c = ctx;
	(void)seq;
	if (c->n++)
		cc_strbuf_addch(&c->sb, ',');
	cc_strbuf_addf(&c->sb, "%d:%lld:", stream, (long long)time_ns);
	for (size_t i = 0; i < len; i++) /* NUL bytes show as '0' */
		cc_strbuf_addch(&c->sb, data[i] ? data[i] : '0');
	return 0;
}

static void expect_logs(struct cc_store *s, const char *id, int64_t after, long tail, const char *want)
{
	struct cc_error *err = NULL;
	struct collect c = {.sb = CC_STRBUF_INIT};
	assert_int_equal(cc_store_log_each(s, "mock", id, after, tail, collect_log, &c, &err), 0);
	if (strcmp(cc_strbuf_str(&c.sb), want) != 0)
		print_error("logs after %lld tail %ld: got [%s], expected [%s]\n", (long long)after, tail,
			    cc_strbuf_str(&c.sb), want);
	assert_string_equal(cc_strbuf_str(&c.sb), want);
	cc_strbuf_release(&c.sb);
}

static int first_seq(void *ctx, int64_t seq, int64_t time_ns, int stream, const char *data, size_t len)
{
	(void)time_ns, (void)stream, (void)data, (void)len;
	*(int64_t *)ctx = seq;
	return -1;
}

static void test_logs(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	for (int i = 1; i <= 6; i++) {
		char line[16];
		int n = snprintf(line, sizeof(line), "l%d", i);
		assert_int_equal(cc_store_log_append(f->s, "mock", "c1", i, i % 2 + 1, line, (size_t)n, &err),
				 0);
		assert_int_equal(cc_store_log_append(f->s, "mock", "c2", i, 1, "x", 1, &err), 0);
	}
	assert_int_equal(cc_store_log_append(f->s, "mock", "c1", 7, 1, "", 0, &err), 0);
	assert_int_equal(cc_store_log_append(f->s, "mock", "c1", 8, 1, "a\0b", 3, &err), 0);
	assert_int_equal(cc_store_log_append(f->s, "native", "c1", 9, 1, "n", 1, &err), 0);

	const char *all = "2:1:l1,1:2:l2,2:3:l3,1:4:l4,2:5:l5,1:6:l6,1:7:,1:8:a0b";
	expect_logs(f->s, "c1", 0, -1, all);
	expect_logs(f->s, "c1", 0, 100, all);
	expect_logs(f->s, "c1", 0, 3, "1:6:l6,1:7:,1:8:a0b"); /* the last 3, in order */
	expect_logs(f->s, "c1", 0, 1, "1:8:a0b");
	expect_logs(f->s, "c1", 0, 0, "");
	expect_logs(f->s, "none", 0, 5, "");

	/* after_seq first, then tail among what is left. */
	int64_t seq = 0;
	assert_int_equal(cc_store_log_each(f->s, "mock", "c1", 0, 3, first_seq, &seq, &err), -1);
	assert_null(err);
	expect_logs(f->s, "c1", seq, -1, "1:7:,1:8:a0b");
	expect_logs(f->s, "c1", seq, 1, "1:8:a0b");
	assert_int_equal(cc_store_log_each(f->s, "mock", "c1", 0, 1, first_seq, &seq, &err), -1);
	expect_logs(f->s, "c1", seq, 5, "");
	expect_logs(f->s, "c1", seq - 1, 5, "1:8:a0b");

	assert_int_equal(cc_store_log_delete(f->s, "mock", "c1", &err), 0);
	expect_logs(f->s, "c1", 0, -1, "");
	expect_logs(f->s, "c2", 0, 2, "1:5:x,1:6:x");
	struct collect c = {.sb = CC_STRBUF_INIT};
	assert_int_equal(cc_store_log_each(f->s, "native", "c1", 0, -1, collect_log, &c, &err), 0);
	assert_string_equal(c.sb.buf, "1:9:n");
	cc_strbuf_release(&c.sb);
}

/* ---- transactions ---- */

/* A read transaction: one snapshot, no wait for a writer, no write inside it; inside a write transaction
 * it is part of that one. */
static void test_read_transactions(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	struct cc_store *other = open_ok(f->root);
	put_container(f->s, "mock", "r1", "one", NULL);

	assert_int_equal(cc_store_begin_read(f->s, &err), 0);
	expect_container(f->s, "mock", "one", "r1");
	/* another connection writes while the read is open: it does not wait, and the reader's snapshot
	 * does not change until the read ends */
	assert_int_equal(cc_store_begin(other, &err), 0);
	put_container(other, "mock", "r2", "two", NULL);
	assert_int_equal(cc_store_commit(other, &err), 0);
	char *payload = NULL;
	expect_err(cc_store_container_get(f->s, "mock", "two", &payload, &err), &err, CC_ERR_NOT_FOUND, NULL);
	expect_err(cc_store_begin(f->s, &err), &err, CC_ERR_INTERNAL, NULL);
	expect_err(cc_store_container_delete(f->s, "mock", "r1", &err), &err, CC_ERR_INTERNAL, NULL);
	assert_int_equal(cc_store_commit(f->s, &err), 0);
	expect_container(f->s, "mock", "two", "r2");
	expect_container(f->s, "mock", "one", "r1");

	/* nested in a write transaction, it reads that transaction's writes and ends with it */
	assert_int_equal(cc_store_begin(f->s, &err), 0);
	put_container(f->s, "mock", "r3", "three", NULL);
	assert_int_equal(cc_store_begin_read(f->s, &err), 0);
	expect_container(f->s, "mock", "three", "r3");
	assert_int_equal(cc_store_commit(f->s, &err), 0);
	put_container(f->s, "mock", "r4", "four", NULL);
	assert_int_equal(cc_store_commit(f->s, &err), 0);
	expect_container(other, "mock", "four", "r4");
	cc_store_close(other);
}

static void test_transactions(void **state)
{
	struct fixture *f = *state;
	struct cc_error *err = NULL;
	char *payload = NULL;
	struct cc_store *other = open_ok(f->root);
	int64_t dv = cc_store_data_version(other);
	assert_true(dv >= 0);

	/* Nested: only the outermost commit makes the writes visible. */
	assert_int_equal(cc_store_begin(f->s, &err), 0);
	put_container(f->s, "mock", "a1", "one", NULL);
	assert_int_equal(cc_store_begin(f->s, &err), 0);
	put_container(f->s, "mock", "a2", "two", NULL);
	assert_int_equal(cc_store_commit(f->s, &err), 0);
	expect_container(f->s, "mock", "two", "a2"); /* the writer sees its own writes */
	expect_err(cc_store_container_get(other, "mock", "two", &payload, &err), &err, CC_ERR_NOT_FOUND,
		   NULL);
	assert_int_equal(cc_store_data_version(other), dv);
	assert_int_equal(cc_store_commit(f->s, &err), 0);
	expect_container(other, "mock", "one", "a1");
	expect_container(other, "mock", "two", "a2");
	assert_true(cc_store_data_version(other) != dv);

	/* Rollback, even from an inner level, discards the whole transaction. */
	assert_int_equal(cc_store_begin(f->s, &err), 0);
	put_container(f->s, "mock", "b1", "three", NULL);
	assert_int_equal(cc_store_begin(f->s, &err), 0);
	assert_int_equal(cc_store_event_append(f->s, "mock", 1, "{}", NULL, &err), 0);
	assert_int_equal(cc_store_container_delete(f->s, "mock", "a1", &err), 0);
	cc_store_rollback(f->s);
	expect_err(cc_store_commit(f->s, &err), &err, CC_ERR_INVALID_STATE, NULL);
	cc_store_rollback(f->s); /* nothing left to roll back: harmless */
	expect_err(cc_store_container_get(f->s, "mock", "three", &payload, &err), &err, CC_ERR_NOT_FOUND,
		   NULL);
	expect_container(f->s, "mock", "one", "a1");
	expect_events(f->s, "mock", 0, 0, 0, "");

	/* A failed write inside a transaction leaves the rest of it alone. */
	assert_int_equal(cc_store_begin(f->s, &err), 0);
	put_container(f->s, "mock", "c1", "four", NULL);
	expect_err(cc_store_container_delete(f->s, "mock", "nope", &err), &err, CC_ERR_NOT_FOUND, NULL);
	assert_int_equal(cc_store_commit(f->s, &err), 0);
	expect_container(other, "mock", "four", "c1");

	/* A second writer waits for the first instead of failing. The child is forked with no connection
	 * open: SQLite's in-process lock bookkeeping must not be inherited across fork. */
	cc_store_close(other);
	cc_store_close(f->s);
	f->s = NULL;
	int gate[2];
	assert_int_equal(pipe(gate), 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct cc_store *s = NULL;
		struct cc_error *e = NULL;
		char c;
		close(gate[1]);
		if (read(gate[0], &c, 1) != 1 || cc_store_open(f->root, &s, &e) < 0)
			_exit(1);
		int r = cc_store_next(s, "mock", "waited", &e) == 1 ? 0 : 2;
		cc_store_close(s);
		_exit(r);
	}
	close(gate[0]);
	f->s = open_ok(f->root);
	assert_int_equal(cc_store_begin(f->s, &err), 0);
	assert_int_equal(write(gate[1], "x", 1), 1);
	close(gate[1]);
	usleep(200000);
	assert_int_equal(cc_store_next(f->s, "mock", "other", &err), 1);
	assert_int_equal(cc_store_commit(f->s, &err), 0);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(cc_store_next(f->s, "mock", "waited", &err), 2);
}

/* ---- many processes ---- */

#define WRITERS     50
#define WRITER_OPS  40
#define DISCARD_MOD 8 /* every 8th op also runs a transaction that is rolled back */

static int writer_fail(const char *what, int i, int j, struct cc_error *err)
{
	fprintf(stderr, "writer %d op %d: %s: %s\n", i, j, what, err ? err->msg : "(no error)");
	cc_error_free(err);
	return 1;
}

static int writer(const char *root, int i)
{
	struct cc_store *s = NULL;
	struct cc_error *err = NULL;
	if (cc_store_open(root, &s, &err) < 0)
		return writer_fail("open", i, -1, err);
	int rc = 0;
	for (int j = 0; j < WRITER_OPS && rc == 0; j++) {
		char id[32], name[32], project[16], payload[64];
		snprintf(id, sizeof(id), "%02d%02d-id", i, j);
		snprintf(name, sizeof(name), "c-%02d-%02d", i, j);
		snprintf(project, sizeof(project), "p%d", i % 5);
		snprintf(payload, sizeof(payload), "{\"id\":\"%s\",\"w\":%d,\"j\":%d}", id, i, j);
		struct cc_store_container_row row = {.id = id,
						     .name = name,
						     .project = project,
						     .service = "s",
						     .state = j,
						     .payload = payload};
		bool txn = j % 2 == 0, nested = j % 4 == 0;
		if (txn && cc_store_begin(s, &err) < 0)
			rc = writer_fail("begin", i, j, err);
		if (rc == 0 && nested && cc_store_begin(s, &err) < 0)
			rc = writer_fail("begin nested", i, j, err);
		if (rc == 0 && cc_store_container_put(s, "mock", &row, &err) < 0)
			rc = writer_fail("put", i, j, err);
		if (rc == 0 && cc_store_event_append(s, "mock", j, payload, NULL, &err) < 0)
			rc = writer_fail("event", i, j, err);
		if (rc == 0 && cc_store_next(s, "mock", "ops", &err) < 1)
			rc = writer_fail("next", i, j, err);
		if (rc == 0 && nested && cc_store_commit(s, &err) < 0)
			rc = writer_fail("commit nested", i, j, err);
		if (rc == 0 && txn && cc_store_commit(s, &err) < 0)
			rc = writer_fail("commit", i, j, err);
		if (rc == 0 && j % 5 == 4) { /* readers among the writers */
			char *got = NULL;
			struct collect c = {.sb = CC_STRBUF_INIT};
			if (cc_store_container_get(s, "mock", id, &got, &err) < 0 ||
			    strcmp(got, payload) != 0)
				rc = writer_fail("get", i, j, err);
			else if (cc_store_container_each(s, "mock", project, collect_payload, &c, &err) < 0)
				rc = writer_fail("each", i, j, err);
			free(got);
			cc_strbuf_release(&c.sb);
		}
		if (rc == 0 && j % DISCARD_MOD == 3) {
			char tmp[32];
			snprintf(tmp, sizeof(tmp), "tmp-%02d-%02d", i, j);
			struct cc_store_container_row t = {.id = tmp, .name = tmp, .payload = "{}"};
			if (cc_store_begin(s, &err) < 0 || cc_store_container_put(s, "mock", &t, &err) < 0 ||
			    cc_store_next(s, "mock", "discarded", &err) < 0)
				rc = writer_fail("discarded writes", i, j, err);
			cc_store_rollback(s);
		}
	}
	cc_store_close(s);
	return rc;
}

/* Checks that each writer's events come in the order it appended them. */
struct event_check {
	int count;
	int last_j[WRITERS];
	bool ordered;
};

static int check_event(void *ctx, int64_t seq, int64_t time_ns, const char *payload)
{
	struct event_check *c = ctx;
	int w, j;
	(void)seq;
	if (sscanf(strstr(payload, "\"w\":"), "\"w\":%d,\"j\":%d", &w, &j) != 2 || w < 0 || w >= WRITERS ||
	    j != time_ns)
		return -5;
	if (j <= c->last_j[w])
		c->ordered = false;
	c->last_j[w] = j;
	c->count++;
	return 0;
}

static void test_concurrent_writers(void **state)
{
	struct fixture *f = *state;
	/* The children create the store themselves: open, WAL switch and migration race too. */
	cc_store_close(f->s);
	f->s = NULL;
	char *root = cc_xasprintf("%s/shared", f->dir);
	int gate[2];
	assert_int_equal(pipe(gate), 0);

	struct timespec t0, t1;
	pid_t pids[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char c;
			close(gate[1]);
			/* wait until every writer exists, so that they really start together */
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(writer(root, i));
		}
	}
	close(gate[0]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	close(gate[1]);
	int ok = 0;
	for (int i = 0; i < WRITERS; i++) {
		int status = 0;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok++;
		else
			print_error("writer %d: status %#x\n", i, status);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("%d writers x %d ops: %.2f s\n", WRITERS, WRITER_OPS, secs);
	assert_int_equal(ok, WRITERS);

	f->s = open_ok(root);
	struct cc_error *err = NULL;
	const int total = WRITERS * WRITER_OPS;
	/* The next value tells how many increments came before: none was lost. */
	assert_int_equal(cc_store_next(f->s, "mock", "ops", &err), total + 1);
	assert_int_equal(cc_store_next(f->s, "mock", "discarded", &err), 1);

	struct event_check ec = {.ordered = true};
	for (int i = 0; i < WRITERS; i++)
		ec.last_j[i] = -1;
	assert_int_equal(cc_store_event_each(f->s, "mock", 0, 0, 0, check_event, &ec, &err), 0);
	assert_int_equal(ec.count, total);
	assert_true(ec.ordered);

	struct collect c = {.sb = CC_STRBUF_INIT};
	assert_int_equal(cc_store_container_each(f->s, "mock", NULL, collect_payload, &c, &err), 0);
	assert_int_equal(c.n, total);
	cc_strbuf_release(&c.sb);
	for (int i = 0; i < WRITERS; i++) {
		for (int j = 0; j < WRITER_OPS; j++) {
			char id[32];
			snprintf(id, sizeof(id), "%02d%02d-id", i, j);
			expect_container(f->s, "mock", id, id);
		}
	}
	char *payload = NULL;
	expect_err(cc_store_container_get(f->s, "mock", "tmp-", &payload, &err), &err, CC_ERR_NOT_FOUND,
		   NULL);

	char *check = cc_store_integrity_check(f->s, &err);
	assert_non_null(check);
	assert_string_equal(check, "ok");
	free(check);
	assert_int_equal(cc_store_schema_version(f->s), 1);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_creates_wal_db, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_permission_denied, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_container_get, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_container_each, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_container_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_container_list_500, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_objects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_projects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_logs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_transactions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
