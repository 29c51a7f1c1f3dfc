/* Unit tests for engine/registry: the WWW-Authenticate parser, base64 and URL rules without a network; then a
 * real docker-registry (CNCF distribution) on a free loopback port, holding a tiny busybox image built here
 * as an OCI layout and pushed with skopeo: manifests (OCI, Docker v2, an OCI index and a Docker list built by
 * hand), blobs (verified, resumed, cancelled, corrupted in the registry's storage), pushes (monolithic,
 * chunked, cross-repository mount) checked with skopeo; a second registry behind htpasswd for Basic auth and
 * login; and an in-process HTTP server for what distribution does not do on demand (bearer tokens, 5xx/429
 * retries, ignored Range, relative Locations, a lying Docker-Content-Digest).
 *
 * The registries are started by the group setup and killed by PID in the group teardown; everything lives in
 * one mkdtemp directory that the teardown removes. Without docker-registry or skopeo the file is skipped. */
#include "unit.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fsutil.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "base/base64.h"
#include "engine/registry/registry-internal.h"
#include "engine/registry/registry.h"
#include "registry_fake.h"

#define REGISTRY_BIN "/usr/bin/docker-registry"
#define SKOPEO_BIN   "/usr/bin/skopeo"
#define USER         "tester"
#define PASSWORD     "s3cret pass"

/* ---- small helpers ---- */

static char work[64]; /* the mkdtemp directory holding everything */
/* skopeo as root keeps a blob-info cache in /var/lib/containers/cache; as a "rootless" user (containers/image
 * honours _CONTAINERS_ROOTLESS_UID) it keeps it under XDG_DATA_HOME, which we point into the work directory
 */
static char *skopeo;

static void expect_err(int r, struct cc_error **err, enum cc_err_kind kind, const char *substr)
{
	assert_true(r < 0);
	assert_non_null(*err);
	if ((*err)->kind != kind || (substr && !strstr((*err)->msg, substr)))
		print_error("got %s [%s], expected %s [*%s*]\n", cc_err_kind_name((*err)->kind), (*err)->msg,
			    cc_err_kind_name(kind), substr ? substr : "");
	assert_int_equal((*err)->kind, kind);
	if (substr)
		assert_non_null(strstr((*err)->msg, substr));
	cc_error_release(err);
}

static void check_ok(int r, struct cc_error **err, const char *what)
{
	if (r < 0)
		print_error("%s: %s\n", what, *err ? (*err)->msg : "?");
	assert_int_equal(r, 0);
	assert_null(*err);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static char *read_all(const char *path, size_t *len)
{
	char *data = NULL;
	struct cc_error *err = NULL;
	check_ok(cc_read_file(path, &data, len, &err), &err, path);
	return data;
}

static char *digest_of(const void *data, size_t len)
{
	char hex[CC_SHA256_HEX_LEN + 1];
	cc_sha256_hex(data, len, hex);
	return cc_xasprintf("sha256:%s", hex);
}

/* Run a shell command; its exit status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct cc_strbuf cmd = CC_STRBUF_INIT;
	cc_strbuf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd.buf);
	if (st != 0)
		print_error("command failed (%d): %s\n", st, cmd.buf);
	cc_strbuf_release(&cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The stdout of a shell command. */
static char *capture(size_t *len, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *capture(size_t *len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct cc_strbuf cmd = CC_STRBUF_INIT, out = CC_STRBUF_INIT;
	cc_strbuf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	FILE *f = popen(cmd.buf, "r");
	assert_non_null(f);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		cc_strbuf_add(&out, buf, n);
	int st = pclose(f);
	if (st != 0)
		print_error("command failed (%d): %s\n", st, cmd.buf);
	assert_int_equal(st, 0);
	cc_strbuf_release(&cmd);
	return cc_strbuf_detach(&out, len);
}

static void random_bytes(void *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = getrandom((char *)buf + off, len - off, 0);
		assert_true(n > 0);
		off += (size_t)n;
	}
}

/* A temporary file of the work directory, opened read-write (and empty). */
static int temp_file(char **path)
{
	*path = cc_xasprintf("%s/tmp-XXXXXX", work);
	int fd = mkostemp(*path, O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
	close(s);
	return ntohs(a.sin_port);
}

/* Whether something answers HTTP on the port (any status: the auth registry says 401). */
static bool http_answers(int port)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bool ok = false;
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0) {
		const char req[] = "GET /v2/ HTTP/1.0\r\n\r\n";
		char buf[16] = {0};
		if (write(s, req, sizeof(req) - 1) == (ssize_t)(sizeof(req) - 1) && read(s, buf, 12) >= 12)
			ok = strncmp(buf, "HTTP/1.", 7) == 0;
	}
	close(s);
	return ok;
}

/* ---- docker-registry processes ---- */

struct registry_proc {
	pid_t pid;
	int port;
	char host[32]; /* "127.0.0.1:<port>" */
	char *dir;     /* <work>/<name> */
	char *root;    /* the storage rootdirectory */
};

static struct registry_proc open_reg, auth_reg;

static int start_registry(struct registry_proc *p, const char *name, const char *extra)
{
	p->port = free_port();
	snprintf(p->host, sizeof(p->host), "127.0.0.1:%d", p->port);
	p->dir = cc_xasprintf("%s/%s", work, name);
	p->root = cc_xasprintf("%s/data", p->dir);
	if (mkdir(p->dir, 0700) < 0)
		return -1;
	char *cfg = cc_xasprintf("%s/config.yml", p->dir);
	char *text =
	    cc_xasprintf("version: 0.1\n"
			 "log: { level: error, accesslog: { disabled: true } }\n"
			 "storage: { filesystem: { rootdirectory: %s }, delete: { enabled: true } }\n"
			 "http: { addr: \"%s\" }\n%s",
			 p->root, p->host, extra ? extra : "");
	write_file(cfg, text, strlen(text));
	free(text);
	char *log = cc_xasprintf("%s/registry.log", p->dir);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(REGISTRY_BIN, "docker-registry", "serve", cfg, (char *)NULL);
		_exit(127);
	}
	free(cfg);
	free(log);
	if (pid < 0)
		return -1;
	p->pid = pid;
	/* wait until it answers, or it died: bounded by 60 s, not a threshold the test asserts on */
	for (int i = 0; i < 1200; i++) {
		if (http_answers(p->port))
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			p->pid = 0;
			print_error("docker-registry exited; see %s/registry.log\n", p->dir);
			return -1;
		}
		usleep(50000);
	}
	return -1;
}

static void stop_registry(struct registry_proc *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
	free(p->dir);
	free(p->root);
	p->dir = p->root = NULL;
}

/* ---- the test image ---- */

struct blob {
	char *path;
	char *digest;
	size_t size;
};

static struct blob layer, config, config_arm; /* the gzipped layer, the amd64 and arm64 configs */
static char *manifest, *manifest_arm;         /* OCI manifests */
static char *manifest_digest, *manifest_arm_digest;

static void blob_from(struct blob *b, const char *path)
{
	size_t len = 0;
	char *data = read_all(path, &len);
	b->path = cc_xstrdup(path);
	b->digest = digest_of(data, len);
	b->size = len;
	free(data);
}

static void blob_write(struct blob *b, const char *name, const char *text)
{
	char *path = cc_xasprintf("%s/%s", work, name);
	write_file(path, text, strlen(text));
	blob_from(b, path);
	free(path);
}

static void blob_release(struct blob *b)
{
	free(b->path);
	free(b->digest);
}

static char *make_manifest(const struct blob *cfg)
{
	return cc_xasprintf("{\"schemaVersion\":2,\"mediaType\":\"" CC_MT_OCI_MANIFEST "\","
			    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
			    "\"digest\":\"%s\",\"size\":%zu},"
			    "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
			    "\"digest\":\"%s\",\"size\":%zu}]}",
			    cfg->digest, cfg->size, layer.digest, layer.size);
}

/* Put a file into the OCI layout's blobs/sha256. */
static int layout_add(const char *layout, const char *digest, const char *data, size_t len)
{
	char *path = cc_xasprintf("%s/blobs/sha256/%s", layout, digest + 7);
	write_file(path, data, len);
	free(path);
	return 0;
}

/* busybox + a few links -> layer.tar.gz; the configs and manifests; an OCI layout with tag v1. */
static int build_image(void)
{
	if (run("set -e; cd %s; mkdir -p rootfs/bin; cp /bin/busybox rootfs/bin/busybox; "
		"for l in sh ls cat echo; do ln -s busybox rootfs/bin/$l; done; "
		"tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C rootfs -cf layer.tar .; "
		"gzip -n -c layer.tar > layer.tar.gz",
		work) != 0)
		return -1;
	char *tar = cc_xasprintf("%s/layer.tar", work), *gz = cc_xasprintf("%s/layer.tar.gz", work);
	struct blob plain;
	blob_from(&plain, tar);
	blob_from(&layer, gz);
	free(tar);
	free(gz);
	char *cfg =
	    cc_xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},"
			 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
			 plain.digest);
	blob_write(&config, "config.json", cfg);
	free(cfg);
	cfg = cc_xasprintf(
	    "{\"architecture\":\"arm64\",\"variant\":\"v8\",\"os\":\"linux\","
	    "\"config\":{\"Cmd\":[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
	    plain.digest);
	blob_write(&config_arm, "config-arm.json", cfg);
	free(cfg);
	blob_release(&plain);
	manifest = make_manifest(&config);
	manifest_digest = digest_of(manifest, strlen(manifest));
	manifest_arm = make_manifest(&config_arm);
	manifest_arm_digest = digest_of(manifest_arm, strlen(manifest_arm));

	char *layout = cc_xasprintf("%s/oci", work);
	if (run("mkdir -p %s/blobs/sha256 && cp %s %s/blobs/sha256/%s && cp %s %s/blobs/sha256/%s", layout,
		layer.path, layout, layer.digest + 7, config.path, layout, config.digest + 7) != 0)
		return -1;
	layout_add(layout, manifest_digest, manifest, strlen(manifest));
	char *path = cc_xasprintf("%s/oci-layout", layout);
	write_file(path, "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	free(path);
	char *index =
	    cc_xasprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" CC_MT_OCI_MANIFEST "\","
			 "\"digest\":\"%s\",\"size\":%zu,"
			 "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}",
			 manifest_digest, strlen(manifest));
	path = cc_xasprintf("%s/index.json", layout);
	write_file(path, index, strlen(index));
	free(path);
	free(index);
	free(layout);
	return 0;
}

/* A bcrypt htpasswd line for USER/PASSWORD, from libcrypt. */
static char *htpasswd_line(void)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	if (!crypt_gensalt_rn("$2b$", 5, NULL, 0, salt, sizeof(salt)))
		return NULL;
	struct crypt_data *cd = cc_xcalloc(1, sizeof(*cd));
	char *hash = crypt_r(PASSWORD, salt, cd);
	char *line = hash && hash[0] == '$' ? cc_xasprintf("%s:%s\n", USER, hash) : NULL;
	free(cd);
	return line;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	strcpy(work, "/tmp/cc-test-registry-XXXXXX");
	if (!mkdtemp(work))
		return -1;
	skopeo = cc_xasprintf("env _CONTAINERS_ROOTLESS_UID=%d XDG_DATA_HOME=%s/xdg HOME=%s " SKOPEO_BIN,
			      (int)getuid() ? (int)getuid() : 1, work, work);
	if (build_image() < 0 || start_registry(&open_reg, "open", NULL) < 0)
		return -1;
	if (run("%s copy -q --dest-tls-verify=false oci:%s/oci:v1 docker://%s/test/img:oci", skopeo, work,
		open_reg.host) != 0 ||
	    run("%s copy -q --dest-tls-verify=false --format v2s2 oci:%s/oci:v1 docker://%s/test/img:v2",
		skopeo, work, open_reg.host) != 0)
		return -1;
	char *line = htpasswd_line();
	if (!line)
		return -1;
	char *extra = cc_xasprintf("auth: { htpasswd: { realm: test-realm, path: %s/htpasswd } }\n", work);
	char *path = cc_xasprintf("%s/htpasswd", work);
	write_file(path, line, strlen(line));
	free(path);
	free(line);
	int rc = start_registry(&auth_reg, "auth", extra);
	free(extra);
	return rc;
}

static int group_teardown(void **state)
{
	stop_registry(&open_reg);
	stop_registry(&auth_reg);
	free(skopeo);
	blob_release(&layer);
	blob_release(&config);
	blob_release(&config_arm);
	free(manifest);
	free(manifest_arm);
	free(manifest_digest);
	free(manifest_arm_digest);
	if (work[0])
		nftw(work, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static struct cc_registry *open_ok(const char *host, const char *auth_file)
{
	struct cc_registry_opts opts = {.auth_file = auth_file};
	char *none = NULL;
	if (!auth_file)
		opts.auth_file = none = cc_xasprintf("%s/no-such-auth.json", work);
	struct cc_registry *r = NULL;
	struct cc_error *err = NULL;
	check_ok(cc_registry_open(host, &opts, &r, &err), &err, host);
	free(none);
	return r;
}

/* ---- progress ---- */

struct progress {
	uint64_t calls, done, total;
	uint64_t cancel_at; /* cancel once done reaches this (0: never) */
};

static int on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	p->calls++;
	p->done = done;
	p->total = total;
	return p->cancel_at && done >= p->cancel_at ? -1 : 0;
}

/* ---- without a network ---- */

static void expect_challenge(const char *hdr, enum reg_scheme scheme, const char *realm, const char *service,
			     const char *scope, const char *error)
{
	struct reg_challenge c;
	int r = reg_challenge_parse(hdr, &c);
	if (scheme == REG_AUTH_NONE) {
		assert_int_equal(r, -1);
		return;
	}
	if (r < 0)
		print_error("cannot parse [%s]\n", hdr);
	assert_int_equal(r, 0);
	assert_int_equal(c.scheme, scheme);
#define EQ(field, want)                                                                                      \
	do {                                                                                                 \
		if (want)                                                                                    \
			assert_string_equal(c.field, want);                                                  \
		else                                                                                         \
			assert_null(c.field);                                                                \
	} while (0)
	EQ(realm, realm);
	EQ(service, service);
	EQ(scope, scope);
	EQ(error, error);
#undef EQ
	reg_challenge_release(&c);
}

static void test_challenge_parse(void **state)
{
	expect_challenge("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
			 "scope=\"repository:library/busybox:pull\"",
			 REG_AUTH_BEARER, "https://auth.docker.io/token", "registry.docker.io",
			 "repository:library/busybox:pull", NULL);
	/* case-insensitive scheme and names, token values, commas inside quotes, spaces around '=' */
	expect_challenge(
	    "bEARER Realm=\"http://x/t?a=1,b=2\", SERVICE = svc ,scope=\"repository:a/b:pull,push\"",
	    REG_AUTH_BEARER, "http://x/t?a=1,b=2", "svc", "repository:a/b:pull,push", NULL);
	/* escapes in a quoted string */
	expect_challenge("Basic realm=\"Registry \\\"Realm\\\" \\\\ x\"", REG_AUTH_BASIC,
			 "Registry \"Realm\" \\ x", NULL, NULL, NULL);
	/* several challenges: Bearer wins over Basic, whichever comes first */
	expect_challenge("Basic realm=\"basic\", Bearer realm=\"https://t/token\",service=\"s\","
			 "error=\"insufficient_scope\"",
			 REG_AUTH_BEARER, "https://t/token", "s", NULL, "insufficient_scope");
	expect_challenge("Bearer realm=\"r1\", Basic realm=\"b\"", REG_AUTH_BEARER, "r1", NULL, NULL, NULL);
	/* an unknown scheme with a token68 before the one we know */
	expect_challenge("Negotiate abc/+==, Basic realm=x", REG_AUTH_BASIC, "x", NULL, NULL, NULL);
	expect_challenge("Digest realm=\"d\", qop=\"auth,auth-int\", nonce=\"n\", Basic realm=\"b\"",
			 REG_AUTH_BASIC, "b", NULL, NULL, NULL);
	/* a scheme alone, empty and unterminated values, unknown parameters */
	expect_challenge("Bearer", REG_AUTH_BEARER, NULL, NULL, NULL, NULL);
	expect_challenge("Basic, Bearer realm=\"z\"", REG_AUTH_BEARER, "z", NULL, NULL, NULL);
	expect_challenge("Basic realm=\"unterminated", REG_AUTH_BASIC, "unterminated", NULL, NULL, NULL);
	expect_challenge("Bearer realm=,service=\"s\",foo=bar,charset=\"UTF-8\"", REG_AUTH_BEARER, "", "s",
			 NULL, NULL);
	/* nothing usable */
	expect_challenge("Digest realm=\"a\"", REG_AUTH_NONE, NULL, NULL, NULL, NULL);
	expect_challenge("", REG_AUTH_NONE, NULL, NULL, NULL, NULL);
	expect_challenge(" , ,", REG_AUTH_NONE, NULL, NULL, NULL, NULL);
	expect_challenge(NULL, REG_AUTH_NONE, NULL, NULL, NULL, NULL);
	expect_challenge("\"junk\" =, /x", REG_AUTH_NONE, NULL, NULL, NULL, NULL);
}

static void test_base64(void **state)
{
	char *e = cc_base64("user:pass", 9);
	assert_string_equal(e, "dXNlcjpwYXNz");
	free(e);
	const char *cases[][2] = {
	    {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = cc_base64(cases[i][0], strlen(cases[i][0]));
		assert_string_equal(e, cases[i][1]);
		size_t n = 0;
		char *d = cc_base64_decode(e, &n);
		assert_non_null(d);
		assert_int_equal(n, strlen(cases[i][0]));
		assert_string_equal(d, cases[i][0]);
		free(d);
		free(e);
	}
	char *d = cc_base64_decode("Zm8", NULL); /* padding is optional */
	assert_string_equal(d, "fo");
	free(d);
	assert_null(cc_base64_decode("Zm9v!A==", NULL));
	assert_null(cc_base64_decode("Z", NULL));
}

static void test_base_url(void **state)
{
	char h1[] = "myreg:5000", h2[] = "plain.example";
	char *const insecure[] = {h1, h2, NULL};
	const char *cases[][2] = {
	    {"docker.io", "https://registry-1.docker.io"},
	    {"index.docker.io", "https://registry-1.docker.io"},
	    {"quay.io", "https://quay.io"},
	    {"localhost", "http://localhost"},
	    {"localhost:5000", "http://localhost:5000"},
	    {"127.0.0.1", "http://127.0.0.1"},
	    {"127.1.2.3:5000", "http://127.1.2.3:5000"},
	    {"[::1]:5000", "http://[::1]:5000"},
	    {"127.example.com", "https://127.example.com"},
	    {"10.0.0.1:5000", "https://10.0.0.1:5000"},
	    {"myreg:5000", "http://myreg:5000"},
	    {"myreg:5001", "https://myreg:5001"},
	    {"plain.example:8443", "http://plain.example:8443"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *u = reg_base_url(cases[i][0], insecure);
		if (strcmp(u, cases[i][1]) != 0)
			print_error("%s -> %s, expected %s\n", cases[i][0], u, cases[i][1]);
		assert_string_equal(u, cases[i][1]);
		free(u);
	}
	assert_true(reg_host_is_loopback("::1"));
	assert_false(reg_host_is_loopback("::2"));
}

static void test_invalid_arguments(void **state)
{
	struct cc_error *err = NULL;
	struct cc_registry *r = NULL;
	expect_err(cc_registry_open("a/b", NULL, &r, &err), &err, CC_ERR_INVALID_ARGUMENT,
		   "invalid registry host");
	expect_err(cc_registry_open("", NULL, &r, &err), &err, CC_ERR_INVALID_ARGUMENT, NULL);
	/* a malformed auth file is an error, a missing one is not */
	char *bad = cc_xasprintf("%s/bad-auth.json", work);
	write_file(bad, "{\"auths\": ", 10);
	struct cc_registry_opts opts = {.auth_file = bad};
	expect_err(cc_registry_open("127.0.0.1:1", &opts, &r, &err), &err, CC_ERR_INVALID_ARGUMENT, bad);
	free(bad);

	r = open_ok("127.0.0.1:1", NULL);
	struct cc_registry_manifest m = {0};
	expect_err(cc_registry_get_manifest(r, "Bad/Repo", "v1", &m, &err), &err, CC_ERR_INVALID_ARGUMENT,
		   "invalid repository name");
	expect_err(cc_registry_get_manifest(r, "a//b", "v1", &m, &err), &err, CC_ERR_INVALID_ARGUMENT, NULL);
	expect_err(cc_registry_get_manifest(r, "a/../b", "v1", &m, &err), &err, CC_ERR_INVALID_ARGUMENT,
		   NULL);
	expect_err(cc_registry_get_manifest(r, "a/b", "v1?x=1", &m, &err), &err, CC_ERR_INVALID_ARGUMENT,
		   "invalid tag");
	expect_err(cc_registry_get_manifest(r, "a/b", "sha256:abc", &m, &err), &err, CC_ERR_INVALID_ARGUMENT,
		   "invalid digest");
	expect_err(cc_registry_get_manifest(r, "a/b", "sha512:abc", &m, &err), &err, CC_ERR_NOT_SUPPORTED,
		   NULL);
	bool exists;
	expect_err(cc_registry_blob_exists(r, "a/b", "latest", &exists, NULL, &err), &err,
		   CC_ERR_INVALID_ARGUMENT, NULL);
	cc_registry_close(r);
}

/* Nothing listens: a transport failure, with the method and URL, after the retries. */
static void test_connect_failure(void **state)
{
	int port = free_port();
	char host[32];
	snprintf(host, sizeof(host), "127.0.0.1:%d", port);
	struct cc_registry_opts opts = {.auth_file = "/nonexistent/auth.json", .retries = 1};
	struct cc_registry *r = NULL;
	struct cc_error *err = NULL;
	check_ok(cc_registry_open(host, &opts, &r, &err), &err, "open");
	struct cc_registry_manifest m = {0};
	char *want = cc_xasprintf("GET http://%s/v2/a/b/manifests/v1: ", host);
	expect_err(cc_registry_get_manifest(r, "a/b", "v1", &m, &err), &err, CC_ERR_BACKEND_FAILURE, want);
	free(want);
	cc_registry_close(r);
}

/* ---- against docker-registry: pulls ---- */

static void get_manifest_ok(struct cc_registry *r, const char *repo, const char *ref,
			    struct cc_registry_manifest *m)
{
	struct cc_error *err = NULL;
	check_ok(cc_registry_get_manifest(r, repo, ref, m, &err), &err, ref);
	assert_non_null(m->body);
	assert_int_equal(strlen(m->body), m->len);
	char *d = digest_of(m->body, m->len);
	assert_string_equal(m->digest, d);
	free(d);
}

/* sha256 of `skopeo inspect --raw`: the digest the registry's own bytes have. */
static char *skopeo_raw_digest(const char *host, const char *repo, const char *ref)
{
	size_t len = 0;
	char *raw = capture(&len, "%s inspect --raw --tls-verify=false docker://%s/%s%s%s", skopeo, host,
			    repo, strchr(ref, ':') ? "@" : ":", ref);
	char *d = digest_of(raw, len);
	free(raw);
	return d;
}

static void test_manifest_oci(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_registry_manifest m = {0}, byd = {0};
	get_manifest_ok(r, "test/img", "oci", &m);
	assert_string_equal(m.media_type, CC_MT_OCI_MANIFEST);
	char *want = skopeo_raw_digest(open_reg.host, "test/img", "oci");
	assert_string_equal(m.digest, want);
	free(want);
	assert_non_null(strstr(m.body, layer.digest));

	get_manifest_ok(r, "test/img", m.digest, &byd);
	assert_string_equal(byd.digest, m.digest);
	assert_string_equal(byd.media_type, CC_MT_OCI_MANIFEST);
	assert_memory_equal(byd.body, m.body, m.len);
	cc_registry_manifest_release(&m);
	cc_registry_manifest_release(&byd);
	assert_null(m.body);
	cc_registry_close(r);
}

static void test_manifest_docker_v2(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_registry_manifest m = {0}, byd = {0};
	get_manifest_ok(r, "test/img", "v2", &m);
	assert_string_equal(m.media_type, CC_MT_DOCKER_MANIFEST);
	char *want = skopeo_raw_digest(open_reg.host, "test/img", "v2");
	assert_string_equal(m.digest, want);
	free(want);
	get_manifest_ok(r, "test/img", m.digest, &byd);
	assert_string_equal(byd.media_type, CC_MT_DOCKER_MANIFEST);

	/* a Docker manifest list over it, pushed by us and read back */
	struct cc_error *err = NULL;
	char *list =
	    cc_xasprintf("{\"schemaVersion\":2,\"mediaType\":\"" CC_MT_DOCKER_LIST "\",\"manifests\":["
			 "{\"mediaType\":\"" CC_MT_DOCKER_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
			 "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}",
			 m.digest, m.len);
	char *got = NULL;
	check_ok(cc_registry_put_manifest(r, "test/img", "list", CC_MT_DOCKER_LIST, list, strlen(list), &got,
					  &err),
		 &err, "put list");
	char *d = digest_of(list, strlen(list));
	assert_string_equal(got, d);
	struct cc_registry_manifest lm = {0};
	get_manifest_ok(r, "test/img", "list", &lm);
	assert_string_equal(lm.media_type, CC_MT_DOCKER_LIST);
	assert_string_equal(lm.digest, d);
	assert_string_equal(lm.body, list);
	free(d);
	free(got);
	free(list);
	cc_registry_manifest_release(&lm);
	cc_registry_manifest_release(&m);
	cc_registry_manifest_release(&byd);
	cc_registry_close(r);
}

static void put_blob_file(struct cc_registry *r, const char *repo, const struct blob *b,
			  const char *mount_from)
{
	struct cc_error *err = NULL;
	int fd = open(b->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	check_ok(cc_registry_put_blob(r, repo, b->digest, fd, b->size, mount_from, 0, NULL, NULL, &err), &err,
		 b->path);
	close(fd);
}

/* An OCI index over two platforms, built from its parts with our client (mounts, blob and manifest PUTs),
 * then read back by us and by skopeo. */
static void test_index_two_platforms(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_error *err = NULL;
	/* the layer and the amd64 config are in test/img: mount them (fd -1 proves nothing is uploaded) */
	check_ok(cc_registry_put_blob(r, "test/multi", layer.digest, -1, layer.size, "test/img", 0, NULL,
				      NULL, &err),
		 &err, "mount layer");
	check_ok(cc_registry_put_blob(r, "test/multi", config.digest, -1, config.size, "test/img", 0, NULL,
				      NULL, &err),
		 &err, "mount config");
	put_blob_file(r, "test/multi", &config_arm, NULL);
	char *got = NULL;
	check_ok(cc_registry_put_manifest(r, "test/multi", manifest_digest, CC_MT_OCI_MANIFEST, manifest,
					  strlen(manifest), &got, &err),
		 &err, "put amd64");
	assert_string_equal(got, manifest_digest);
	free(got);
	check_ok(cc_registry_put_manifest(r, "test/multi", manifest_arm_digest, CC_MT_OCI_MANIFEST,
					  manifest_arm, strlen(manifest_arm), NULL, &err),
		 &err, "put arm64");
	char *index =
	    cc_xasprintf("{\"schemaVersion\":2,\"mediaType\":\"" CC_MT_OCI_INDEX "\",\"manifests\":["
			 "{\"mediaType\":\"" CC_MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
			 "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
			 "{\"mediaType\":\"" CC_MT_OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
			 "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}]}",
			 manifest_digest, strlen(manifest), manifest_arm_digest, strlen(manifest_arm));
	char *index_digest = digest_of(index, strlen(index));
	check_ok(cc_registry_put_manifest(r, "test/multi", "multi", CC_MT_OCI_INDEX, index, strlen(index),
					  &got, &err),
		 &err, "put index");
	assert_string_equal(got, index_digest);
	free(got);

	struct cc_registry_manifest m = {0};
	get_manifest_ok(r, "test/multi", "multi", &m);
	assert_string_equal(m.media_type, CC_MT_OCI_INDEX);
	assert_string_equal(m.digest, index_digest);
	assert_string_equal(m.body, index);
	cc_registry_manifest_release(&m);
	get_manifest_ok(r, "test/multi", manifest_arm_digest, &m);
	assert_string_equal(m.body, manifest_arm);
	cc_registry_manifest_release(&m);

	char *raw = skopeo_raw_digest(open_reg.host, "test/multi", "multi");
	assert_string_equal(raw, index_digest);
	free(raw);
	size_t len = 0;
	char *out = capture(&len,
			    "%s inspect --tls-verify=false --override-arch arm64 --override-variant v8 "
			    "docker://%s/test/multi:multi",
			    skopeo, open_reg.host);
	assert_non_null(strstr(out, "\"Architecture\": \"arm64\""));
	free(out);
	out =
	    capture(&len, "%s inspect --tls-verify=false --override-arch amd64 docker://%s/test/multi:multi",
		    skopeo, open_reg.host);
	assert_non_null(strstr(out, "\"Architecture\": \"amd64\""));
	free(out);
	free(index);
	free(index_digest);
	cc_registry_close(r);
}

static void test_manifest_missing(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_registry_manifest m = {0};
	struct cc_error *err = NULL;
	expect_err(cc_registry_get_manifest(r, "test/img", "nope", &m, &err), &err, CC_ERR_NOT_FOUND,
		   "manifest unknown: test/img:nope");
	expect_err(cc_registry_get_manifest(r, "test/none", "v1", &m, &err), &err, CC_ERR_NOT_FOUND,
		   "manifest unknown: test/none:v1");
	char *missing = digest_of("missing", 7);
	char *msg = cc_xasprintf("manifest unknown: test/img:%s", missing);
	expect_err(cc_registry_get_manifest(r, "test/img", missing, &m, &err), &err, CC_ERR_NOT_FOUND, msg);
	free(msg);
	assert_null(m.body);
	/* a missing blob */
	char *path = NULL;
	int fd = temp_file(&path);
	expect_err(cc_registry_get_blob(r, "test/img", missing, fd, 0, NULL, NULL, &err), &err,
		   CC_ERR_NOT_FOUND, "blob unknown");
	close(fd);
	unlink(path);
	free(path);
	free(missing);
	cc_registry_close(r);
}

/* GET the layer into a temporary file; returns the path. */
static void expect_file(const char *path, const struct blob *b)
{
	size_t len = 0, want_len = 0;
	char *got = read_all(path, &len), *want = read_all(b->path, &want_len);
	assert_int_equal(len, want_len);
	assert_memory_equal(got, want, len);
	free(got);
	free(want);
}

static void test_blob_get(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_error *err = NULL;
	char *path = NULL;
	int fd = temp_file(&path);
	struct progress p = {0};
	check_ok(cc_registry_get_blob(r, "test/img", layer.digest, fd, 0, on_progress, &p, &err), &err,
		 "get");
	close(fd);
	expect_file(path, &layer);
	assert_true(p.calls > 0);
	assert_int_equal(p.done, layer.size);
	assert_int_equal(p.total, layer.size);
	unlink(path);
	free(path);

	/* written from the fd's current offset */
	fd = temp_file(&path);
	assert_int_equal(write(fd, "head", 4), 4);
	check_ok(cc_registry_get_blob(r, "test/img", config.digest, fd, 0, NULL, NULL, &err), &err,
		 "get config");
	close(fd);
	size_t len = 0;
	char *got = read_all(path, &len), *want = read_all(config.path, NULL);
	assert_int_equal(len, 4 + config.size);
	assert_memory_equal(got, "head", 4);
	assert_memory_equal(got + 4, want, config.size);
	free(got);
	free(want);
	unlink(path);
	free(path);
	cc_registry_close(r);
}

static void test_blob_resume(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_error *err = NULL;
	size_t len = 0;
	char *data = read_all(layer.path, &len);
	const size_t offset = 1000;
	char *path = NULL;
	int fd = temp_file(&path);
	/* the first bytes, then junk from an interrupted attempt that must not survive */
	assert_int_equal(write(fd, data, offset), (ssize_t)offset);
	assert_int_equal(write(fd, "junkjunk", 8), 8);
	struct progress p = {0};
	check_ok(cc_registry_get_blob(r, "test/img", layer.digest, fd, offset, on_progress, &p, &err), &err,
		 "resume");
	close(fd);
	expect_file(path, &layer);
	assert_int_equal(p.done, layer.size);
	assert_int_equal(p.total, layer.size);
	unlink(path);
	free(path);

	/* resuming at the very end: nothing left to fetch */
	fd = temp_file(&path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	check_ok(cc_registry_get_blob(r, "test/img", layer.digest, fd, len, NULL, NULL, &err), &err,
		 "at end");
	close(fd);
	expect_file(path, &layer);
	unlink(path);
	free(path);

	/* resuming at the end of a file that holds something else: the download starts over */
	fd = temp_file(&path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(pwrite(fd, "X", 1, 10), 1);
	check_ok(cc_registry_get_blob(r, "test/img", layer.digest, fd, len, NULL, NULL, &err), &err,
		 "at end, bad");
	close(fd);
	expect_file(path, &layer);
	unlink(path);
	free(path);

	/* a wrong prefix is caught by the digest */
	fd = temp_file(&path);
	assert_int_equal(write(fd, data, offset), (ssize_t)offset);
	assert_int_equal(pwrite(fd, "X", 1, 10), 1);
	char *msg = cc_xasprintf("digest mismatch for %s: got sha256:", layer.digest);
	expect_err(cc_registry_get_blob(r, "test/img", layer.digest, fd, offset, NULL, NULL, &err), &err,
		   CC_ERR_INVALID_STATE, msg);
	free(msg);
	close(fd);
	unlink(path);
	free(path);
	/* an offset past what the file holds */
	fd = temp_file(&path);
	expect_err(cc_registry_get_blob(r, "test/img", layer.digest, fd, 10, NULL, NULL, &err), &err,
		   CC_ERR_INVALID_ARGUMENT, "fewer than the offset");
	close(fd);
	unlink(path);
	free(path);
	free(data);
	cc_registry_close(r);
}

static void test_blob_cancel(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_error *err = NULL;
	char *path = NULL;
	int fd = temp_file(&path);
	struct progress p = {.cancel_at = 1};
	expect_err(cc_registry_get_blob(r, "test/img", layer.digest, fd, 0, on_progress, &p, &err), &err,
		   CC_ERR_INVALID_STATE, "cancelled");
	assert_int_equal(p.calls, 1);
	close(fd);
	unlink(path);
	free(path);
	cc_registry_close(r);
}

static void test_blob_exists(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_error *err = NULL;
	bool exists = false;
	uint64_t size = 0;
	check_ok(cc_registry_blob_exists(r, "test/img", layer.digest, &exists, &size, &err), &err, "head");
	assert_true(exists);
	assert_int_equal(size, layer.size);
	char *missing = digest_of("nothing here", 12);
	check_ok(cc_registry_blob_exists(r, "test/img", missing, &exists, &size, &err), &err, "head missing");
	assert_false(exists);
	/* a blob is only visible in the repositories that link it */
	check_ok(cc_registry_blob_exists(r, "test/other", layer.digest, &exists, NULL, &err), &err,
		 "head other");
	assert_false(exists);
	free(missing);
	cc_registry_close(r);
}

/* ---- against docker-registry: pushes ---- */

/* A blob file of n random bytes in the work directory. */
static void random_blob(struct blob *b, size_t n)
{
	char *data = cc_xmalloc(n + 1);
	random_bytes(data, n);
	char *path = NULL;
	int fd = temp_file(&path);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	b->path = path;
	b->digest = digest_of(data, n);
	b->size = n;
	free(data);
}

static void push_and_check(const char *repo, size_t size, size_t chunk)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_error *err = NULL;
	struct blob b;
	random_blob(&b, size);
	int fd = open(b.path, O_RDONLY | O_CLOEXEC);
	struct progress p = {0};
	check_ok(cc_registry_put_blob(r, repo, b.digest, fd, b.size, NULL, chunk, on_progress, &p, &err),
		 &err, "push");
	close(fd);
	if (size) {
		assert_int_equal(p.done, size);
		assert_int_equal(p.total, size);
	}
	bool exists = false;
	uint64_t got_size = 1;
	check_ok(cc_registry_blob_exists(r, repo, b.digest, &exists, &got_size, &err), &err, "head");
	assert_true(exists);
	assert_int_equal(got_size, size);
	char *path = NULL;
	fd = temp_file(&path);
	check_ok(cc_registry_get_blob(r, repo, b.digest, fd, 0, NULL, NULL, &err), &err, "get back");
	close(fd);
	expect_file(path, &b);
	unlink(path);
	free(path);
	unlink(b.path);
	blob_release(&b);
	cc_registry_close(r);
}

static void test_push_monolithic(void **state)
{
	push_and_check("test/push", 100000, 0);
	push_and_check("test/push", 0, 0);
}

static void test_push_chunked(void **state)
{
	push_and_check("test/chunked", 70000, 16384); /* 4 full chunks and a short one */
	push_and_check("test/chunked", 32768, 16384); /* exact chunks */
	push_and_check("test/chunked", 10, 1 << 20);  /* one chunk */
	push_and_check("test/chunked", 0, 4096);      /* nothing to PATCH */
}

static void test_push_wrong_digest(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_error *err = NULL;
	struct blob b;
	random_blob(&b, 5000);
	char *wrong = digest_of("other", 5);
	int fd = open(b.path, O_RDONLY | O_CLOEXEC);
	expect_err(cc_registry_put_blob(r, "test/push", wrong, fd, b.size, NULL, 0, NULL, NULL, &err), &err,
		   CC_ERR_INVALID_ARGUMENT, "DIGEST_INVALID");
	expect_err(cc_registry_put_blob(r, "test/push", wrong, fd, b.size, NULL, 2048, NULL, NULL, &err),
		   &err, CC_ERR_INVALID_ARGUMENT, "DIGEST_INVALID");
	/* a size larger than the file: the upload stops at its end */
	expect_err(cc_registry_put_blob(r, "test/push", b.digest, fd, b.size + 10, NULL, 0, NULL, NULL, &err),
		   &err, CC_ERR_INVALID_ARGUMENT, "ends at 5000 of 5010 bytes");
	/* cancelled from the progress callback */
	struct progress p = {.cancel_at = 1};
	expect_err(cc_registry_put_blob(r, "test/push", b.digest, fd, b.size, NULL, 0, on_progress, &p, &err),
		   &err, CC_ERR_INVALID_STATE, "cancelled");
	close(fd);
	bool exists = true;
	check_ok(cc_registry_blob_exists(r, "test/push", wrong, &exists, NULL, &err), &err, "head");
	assert_false(exists);
	free(wrong);
	unlink(b.path);
	blob_release(&b);
	cc_registry_close(r);
}

static void test_mount(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_error *err = NULL;
	/* 201: mounted, the data (fd -1) is never read */
	check_ok(cc_registry_put_blob(r, "test/mounted", layer.digest, -1, layer.size, "test/img", 0, NULL,
				      NULL, &err),
		 &err, "mount");
	bool exists = false;
	uint64_t size = 0;
	check_ok(cc_registry_blob_exists(r, "test/mounted", layer.digest, &exists, &size, &err), &err,
		 "head");
	assert_true(exists);
	assert_int_equal(size, layer.size);
	/* the source does not have it: 202, and the upload goes on from the fd */
	struct blob b;
	random_blob(&b, 3000);
	int fd = open(b.path, O_RDONLY | O_CLOEXEC);
	check_ok(
	    cc_registry_put_blob(r, "test/mounted", b.digest, fd, b.size, "test/img", 1024, NULL, NULL, &err),
	    &err, "mount fallback");
	close(fd);
	check_ok(cc_registry_blob_exists(r, "test/mounted", b.digest, &exists, NULL, &err), &err, "head");
	assert_true(exists);
	unlink(b.path);
	blob_release(&b);
	cc_registry_close(r);
}

static void test_put_manifest_checks(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_error *err = NULL;
	char *other = digest_of("x", 1);
	expect_err(cc_registry_put_manifest(r, "test/img", other, CC_MT_OCI_MANIFEST, manifest,
					    strlen(manifest), NULL, &err),
		   &err, CC_ERR_INVALID_ARGUMENT, "the body's digest is");
	free(other);
	expect_err(cc_registry_put_manifest(r, "test/img", "t", "", manifest, strlen(manifest), NULL, &err),
		   &err, CC_ERR_INVALID_ARGUMENT, "media type");
	/* a manifest whose blobs the repository does not have: the registry's own error code */
	expect_err(cc_registry_put_manifest(r, "test/empty", "t", CC_MT_OCI_MANIFEST, manifest_arm,
					    strlen(manifest_arm), NULL, &err),
		   &err, CC_ERR_INVALID_ARGUMENT, "MANIFEST_BLOB_UNKNOWN");
	/* a tag: then skopeo reads the image we put */
	char *got = NULL;
	put_blob_file(r, "test/tagged", &layer, "test/img");
	put_blob_file(r, "test/tagged", &config, "test/img");
	check_ok(cc_registry_put_manifest(r, "test/tagged", "t1", CC_MT_OCI_MANIFEST, manifest,
					  strlen(manifest), &got, &err),
		 &err, "put tag");
	assert_string_equal(got, manifest_digest);
	free(got);
	size_t len = 0;
	char *out =
	    capture(&len, "%s inspect --tls-verify=false docker://%s/test/tagged:t1", skopeo, open_reg.host);
	assert_non_null(strstr(out, manifest_digest));
	free(out);
	cc_registry_close(r);
}

/* Overwrite a blob's data in the registry's storage: the download fails its digest check. */
static void test_blob_corrupt(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	struct cc_error *err = NULL;
	struct blob b;
	random_blob(&b, 3000);
	put_blob_file(r, "test/corrupt", &b, NULL);
	char *data_path = cc_xasprintf("%s/docker/registry/v2/blobs/sha256/%.2s/%s/data", open_reg.root,
				       b.digest + 7, b.digest + 7);
	size_t len = 0;
	char *data = read_all(data_path, &len);
	assert_int_equal(len, b.size);
	data[100] ^= 0x55;
	write_file(data_path, data, len);
	free(data);
	free(data_path);

	char *path = NULL;
	int fd = temp_file(&path);
	char *msg = cc_xasprintf("digest mismatch for %s: got sha256:", b.digest);
	expect_err(cc_registry_get_blob(r, "test/corrupt", b.digest, fd, 0, NULL, NULL, &err), &err,
		   CC_ERR_INVALID_STATE, msg);
	free(msg);
	close(fd);
	unlink(path);
	free(path);
	unlink(b.path);
	blob_release(&b);
	cc_registry_close(r);
}

/* One handle, several threads: each call has its own curl handle. */
struct puller {
	struct cc_registry *r;
	int fails;
};

static void *pull_thread(void *arg)
{
	struct puller *p = arg;
	for (int i = 0; i < 3; i++) {
		struct cc_error *err = NULL;
		struct cc_registry_manifest m = {0};
		char *path = cc_xasprintf("%s/thread-XXXXXX", work);
		int fd = mkostemp(path, O_CLOEXEC);
		if (cc_registry_get_manifest(p->r, "test/img", "oci", &m, &err) < 0 ||
		    cc_registry_get_blob(p->r, "test/img", layer.digest, fd, 0, NULL, NULL, &err) < 0) {
			p->fails++;
			cc_error_release(&err);
		}
		cc_registry_manifest_release(&m);
		close(fd);
		unlink(path);
		free(path);
	}
	return NULL;
}

static void test_concurrent_pulls(void **state)
{
	struct cc_registry *r = open_ok(open_reg.host, NULL);
	pthread_t th[4];
	struct puller p[4];
	for (int i = 0; i < 4; i++) {
		p[i] = (struct puller){.r = r};
		assert_int_equal(pthread_create(&th[i], NULL, pull_thread, &p[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(p[i].fails, 0);
	}
	cc_registry_close(r);
}

/* ---- against docker-registry with htpasswd: Basic auth and login ---- */

static void test_auth_basic_and_login(void **state)
{
	struct cc_error *err = NULL;
	char *auth_file = cc_xasprintf("%s/docker/config.json", work);
	struct cc_registry_opts opts = {.auth_file = auth_file};

	/* no credentials */
	struct cc_registry *r = open_ok(auth_reg.host, NULL);
	struct cc_registry_manifest m = {0};
	char *hint = cc_xasprintf("container-compose login %s", auth_reg.host);
	expect_err(cc_registry_get_manifest(r, "test/img", "v1", &m, &err), &err, CC_ERR_PERMISSION, hint);
	expect_err(cc_registry_get_manifest(r, "test/img", "v1", &m, &err), &err, CC_ERR_PERMISSION,
		   "HTTP 401");
	bool exists;
	expect_err(cc_registry_blob_exists(r, "test/img", layer.digest, &exists, NULL, &err), &err,
		   CC_ERR_PERMISSION, hint);
	cc_registry_close(r);

	/* a wrong password: refused, nothing written */
	expect_err(cc_registry_login(auth_reg.host, USER, "wrong", &opts, &err), &err, CC_ERR_PERMISSION,
		   "unauthorized: incorrect username or password");
	assert_false(cc_file_exists(auth_file));
	expect_err(cc_registry_login(auth_reg.host, "", "x", &opts, &err), &err, CC_ERR_INVALID_ARGUMENT,
		   NULL);

	/* login keeps the other entries and keys, in a private file */
	char *dir = cc_path_dir(auth_file);
	assert_int_equal(mkdir(dir, 0755), 0);
	free(dir);
	const char *before = "{\"auths\":{\"other.example:5000\":{\"auth\":\"b3RoZXI6cHc=\"}},"
			     "\"HttpHeaders\":{\"X-Test\":\"1\"}}";
	write_file(auth_file, before, strlen(before));
	check_ok(cc_registry_login(auth_reg.host, USER, PASSWORD, &opts, &err), &err, "login");
	struct stat st;
	assert_int_equal(stat(auth_file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	json_t *root = json_load_file(auth_file, 0, NULL);
	assert_non_null(root);
	const char *auth = json_string_value(
	    json_object_get(json_object_get(json_object_get(root, "auths"), auth_reg.host), "auth"));
	char *want = cc_base64(USER ":" PASSWORD, strlen(USER ":" PASSWORD));
	assert_non_null(auth);
	assert_string_equal(auth, want);
	free(want);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(json_object_get(root, "auths"), "other.example:5000"), "auth")),
	    "b3RoZXI6cHc=");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(root, "HttpHeaders"), "X-Test")), "1");
	json_decref(root);

	/* with the stored credentials: push an image and pull it back */
	r = open_ok(auth_reg.host, auth_file);
	put_blob_file(r, "test/img", &layer, NULL);
	put_blob_file(r, "test/img", &config, NULL);
	char *got = NULL;
	check_ok(cc_registry_put_manifest(r, "test/img", "v1", CC_MT_OCI_MANIFEST, manifest, strlen(manifest),
					  &got, &err),
		 &err, "put");
	assert_string_equal(got, manifest_digest);
	free(got);
	get_manifest_ok(r, "test/img", "v1", &m);
	assert_string_equal(m.digest, manifest_digest);
	cc_registry_manifest_release(&m);
	char *path = NULL;
	int fd = temp_file(&path);
	check_ok(cc_registry_get_blob(r, "test/img", layer.digest, fd, 0, NULL, NULL, &err), &err, "get");
	close(fd);
	expect_file(path, &layer);
	unlink(path);
	free(path);
	cc_registry_close(r);

	/* credentials stored under an "https://" key are found too */
	char *alt = cc_xasprintf("%s/alt.json", work);
	want = cc_base64(USER ":" PASSWORD, strlen(USER ":" PASSWORD));
	char *text = cc_xasprintf("{\"auths\":{\"https://%s/v2/\":{\"auth\":\"%s\"}}}", auth_reg.host, want);
	write_file(alt, text, strlen(text));
	r = open_ok(auth_reg.host, alt);
	get_manifest_ok(r, "test/img", "v1", &m);
	cc_registry_manifest_release(&m);
	cc_registry_close(r);
	/* a second login replaces the entry rather than adding one */
	struct cc_registry_opts alt_opts = {.auth_file = alt};
	check_ok(cc_registry_login(auth_reg.host, USER, PASSWORD, &alt_opts, &err), &err, "login again");
	root = json_load_file(alt, 0, NULL);
	assert_int_equal(json_object_size(json_object_get(root, "auths")), 1);
	json_decref(root);
	free(want);
	free(text);
	free(alt);
	free(hint);
	free(auth_file);
}

/* ---- against the in-process server (registry_fake.h) ---- */

static void expect_log(const char *want)
{
	char *got = fake_log();
	if (strcmp(got, want) != 0)
		print_error("request log:\n%s\nexpected:\n%s\n", got, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_bearer_flow(void **state)
{
	struct cc_error *err = NULL;
	char *auth_file = cc_xasprintf("%s/fake-auth.json", work);
	char *text = cc_xasprintf("{\"auths\":{\"%s\":{\"auth\":\"dTpw\"}}}", fk.host);
	write_file(auth_file, text, strlen(text));
	free(text);
	struct cc_registry *r = open_ok(fk.host, auth_file);
	struct cc_registry_manifest m = {0};
	get_manifest_ok(r, "bearer/img", "v1", &m);
	assert_string_equal(m.media_type, CC_MT_OCI_MANIFEST); /* "; charset=utf-8" dropped */
	cc_registry_manifest_release(&m);
	get_manifest_ok(r, "bearer/img", "v1", &m); /* the cached token goes along at once */
	cc_registry_manifest_release(&m);
	pthread_mutex_lock(&fk.lock);
	assert_int_equal(fk.token_requests, 1);
	assert_string_equal(fk.token_auth, "Basic dTpw");
	assert_string_equal(fk.token_query, "/token?service=fake&scope=repository%3Abearer%2Fimg%3Apull");
	pthread_mutex_unlock(&fk.lock);
	expect_log("GET /v2/bearer/img/manifests/v1\n"
		   "GET /token?service=fake&scope=repository%3Abearer%2Fimg%3Apull\n"
		   "GET /v2/bearer/img/manifests/v1\n"
		   "GET /v2/bearer/img/manifests/v1\n");
	/* another repository is another scope; "access_token" is accepted too */
	get_manifest_ok(r, "bearer/alt", "v1", &m);
	cc_registry_manifest_release(&m);
	pthread_mutex_lock(&fk.lock);
	assert_int_equal(fk.token_requests, 2);
	pthread_mutex_unlock(&fk.lock);
	cc_registry_close(r);
	free(fake_log());

	/* anonymous: no Authorization on the token request */
	r = open_ok(fk.host, NULL);
	get_manifest_ok(r, "bearer/img", "v1", &m);
	cc_registry_manifest_release(&m);
	pthread_mutex_lock(&fk.lock);
	assert_string_equal(fk.token_auth, "");
	pthread_mutex_unlock(&fk.lock);
	cc_registry_close(r);

	/* login through the bearer flow: the token request carries the credentials, without a scope */
	char *login_file = cc_xasprintf("%s/fake-login.json", work);
	struct cc_registry_opts login_opts = {.auth_file = login_file};
	check_ok(cc_registry_login(fk.host, "u", "p", &login_opts, &err), &err, "bearer login");
	pthread_mutex_lock(&fk.lock);
	assert_string_equal(fk.token_auth, "Basic dTpw");
	assert_string_equal(fk.token_query, "/token?service=fake");
	pthread_mutex_unlock(&fk.lock);
	r = open_ok(fk.host, login_file);
	assert_string_equal(r->basic, "dTpw");
	free(login_file);
	pthread_mutex_lock(&fk.lock);
	fk.token_denied = true;
	pthread_mutex_unlock(&fk.lock);
	cc_registry_close(r);

	/* the token service refuses the credentials */
	r = open_ok(fk.host, auth_file);
	char *msg = cc_xasprintf("token request to http://%s/token: HTTP 401: UNAUTHORIZED: bad credentials",
				 fk.host);
	expect_err(cc_registry_get_manifest(r, "bearer/img", "v1", &m, &err), &err, CC_ERR_PERMISSION, msg);
	free(msg);
	cc_registry_close(r);
	struct cc_registry_opts opts = {.auth_file = auth_file};
	expect_err(cc_registry_login(fk.host, "u", "p", &opts, &err), &err, CC_ERR_PERMISSION,
		   "unauthorized: incorrect username or password");
	free(auth_file);
}

static void test_retries(void **state)
{
	struct cc_error *err = NULL;
	struct cc_registry *r = open_ok(fk.host, NULL);
	struct cc_registry_manifest m = {0};
	pthread_mutex_lock(&fk.lock);
	fk.flaky = 2;
	pthread_mutex_unlock(&fk.lock);
	get_manifest_ok(r, "r", "flaky", &m);
	cc_registry_manifest_release(&m);
	expect_log("GET /v2/r/manifests/flaky\nGET /v2/r/manifests/flaky\nGET /v2/r/manifests/flaky\n");
	get_manifest_ok(r, "r", "busy", &m);
	cc_registry_manifest_release(&m);
	expect_log("GET /v2/r/manifests/busy\nGET /v2/r/manifests/busy\n");
	/* 4xx are not retried */
	expect_err(cc_registry_get_manifest(r, "r", "gone", &m, &err), &err, CC_ERR_NOT_FOUND,
		   "manifest unknown: r:gone");
	expect_log("GET /v2/r/manifests/gone\n");
	char *msg =
	    cc_xasprintf("HTTP 403: DENIED: requested access to the resource is denied: access denied by %s "
			 "(if it needs credentials, run `container-compose login %s`)",
			 fk.host, fk.host);
	expect_err(cc_registry_get_manifest(r, "r", "denied", &m, &err), &err, CC_ERR_PERMISSION, msg);
	free(msg);
	expect_log("GET /v2/r/manifests/denied\n");
	cc_registry_close(r);

	/* retries run out: the last answer, with the registry's error */
	struct cc_registry_opts opts = {.auth_file = "/nonexistent", .retries = 2};
	check_ok(cc_registry_open(fk.host, &opts, &r, &err), &err, "open");
	msg = cc_xasprintf("GET http://%s/v2/r/manifests/down: HTTP 503: UNAVAILABLE: try later", fk.host);
	expect_err(cc_registry_get_manifest(r, "r", "down", &m, &err), &err, CC_ERR_BACKEND_FAILURE, msg);
	free(msg);
	expect_log("GET /v2/r/manifests/down\nGET /v2/r/manifests/down\nGET /v2/r/manifests/down\n");
	cc_registry_close(r);
}

static void test_fake_manifest_checks(void **state)
{
	struct cc_error *err = NULL;
	struct cc_registry *r = open_ok(fk.host, NULL);
	struct cc_registry_manifest m = {0};
	expect_err(cc_registry_get_manifest(r, "r", "liar", &m, &err), &err, CC_ERR_INVALID_STATE,
		   "digest mismatch for r:liar");
	get_manifest_ok(r, "r", "plain", &m); /* a generic Content-Type: the body's mediaType */
	assert_string_equal(m.media_type, CC_MT_OCI_MANIFEST);
	cc_registry_manifest_release(&m);
	free(fake_log());
	cc_registry_close(r);
}

static void test_range_ignored_and_redirect(void **state)
{
	struct cc_error *err = NULL;
	struct cc_registry *r = open_ok(fk.host, NULL);
	char *digest = digest_of(fake_blob, sizeof(fake_blob));
	char *path = NULL;
	int fd = temp_file(&path);
	assert_int_equal(write(fd, fake_blob, 1000), 1000);
	struct progress p = {0};
	check_ok(cc_registry_get_blob(r, "r", digest, fd, 1000, on_progress, &p, &err), &err, "resume");
	close(fd);
	size_t len = 0;
	char *got = read_all(path, &len);
	assert_int_equal(len, sizeof(fake_blob));
	assert_memory_equal(got, fake_blob, len);
	assert_int_equal(p.done, sizeof(fake_blob));
	free(got);
	char *want = cc_xasprintf("GET /v2/r/blobs/%s range=bytes=1000-\n", digest);
	expect_log(want);
	free(want);
	unlink(path);
	free(path);

	/* the connection drops half way: the retry asks for the rest only */
	fd = temp_file(&path);
	p = (struct progress){0};
	check_ok(cc_registry_get_blob(r, "drop", digest, fd, 0, on_progress, &p, &err), &err, "dropped");
	close(fd);
	got = read_all(path, &len);
	assert_int_equal(len, sizeof(fake_blob));
	assert_memory_equal(got, fake_blob, len);
	assert_int_equal(p.done, sizeof(fake_blob));
	assert_int_equal(p.total, sizeof(fake_blob));
	free(got);
	want =
	    cc_xasprintf("GET /v2/drop/blobs/%s\nGET /v2/drop/blobs/%s range=bytes=2000-\n", digest, digest);
	expect_log(want);
	free(want);
	unlink(path);
	free(path);

	/* a blob GET follows the registry's redirect to its storage */
	fd = temp_file(&path);
	check_ok(cc_registry_get_blob(r, "redir", digest, fd, 0, NULL, NULL, &err), &err, "redirect");
	close(fd);
	got = read_all(path, &len);
	assert_int_equal(len, sizeof(fake_blob));
	free(got);
	want = cc_xasprintf("GET /v2/redir/blobs/%s\nGET /storage/%s\n", digest, digest);
	expect_log(want);
	free(want);
	unlink(path);
	free(path);
	free(digest);
	cc_registry_close(r);
}

static void test_relative_locations(void **state)
{
	struct cc_error *err = NULL;
	struct cc_registry *r = open_ok(fk.host, NULL);
	char *digest = digest_of(fake_blob, sizeof(fake_blob));
	char *path = cc_xasprintf("%s/fake-blob", work);
	write_file(path, fake_blob, sizeof(fake_blob));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	check_ok(cc_registry_put_blob(r, "r", digest, fd, sizeof(fake_blob), NULL, 0, NULL, NULL, &err), &err,
		 "monolithic");
	char *want = cc_xasprintf("POST /v2/r/blobs/uploads/\nPUT /upload/1?digest=%s body=5000\n", digest);
	expect_log(want);
	free(want);
	check_ok(cc_registry_put_blob(r, "r", digest, fd, sizeof(fake_blob), NULL, 2000, NULL, NULL, &err),
		 &err, "chunked");
	want = cc_xasprintf("POST /v2/r/blobs/uploads/\n"
			    "PATCH /upload/1 content-range=0-1999 body=2000\n"
			    "PATCH /upload/2 content-range=2000-3999 body=2000\n"
			    "PATCH /upload/3 content-range=4000-4999 body=1000\n"
			    "PUT /upload/4?digest=%s\n",
			    digest);
	expect_log(want);
	free(want);
	close(fd);
	unlink(path);
	free(path);
	free(digest);
	cc_registry_close(r);
}

int main(void)
{
	if (access(REGISTRY_BIN, X_OK) != 0 || access(SKOPEO_BIN, X_OK) != 0 ||
	    access("/bin/busybox", R_OK) != 0) {
		fprintf(stderr,
			"skipped: needs docker-registry, skopeo and busybox-static (scripts/deps.sh)\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_challenge_parse),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_base_url),
	    cmocka_unit_test(test_invalid_arguments),
	    cmocka_unit_test(test_connect_failure),
	    cmocka_unit_test(test_manifest_oci),
	    cmocka_unit_test(test_manifest_docker_v2),
	    cmocka_unit_test(test_index_two_platforms),
	    cmocka_unit_test(test_manifest_missing),
	    cmocka_unit_test(test_blob_get),
	    cmocka_unit_test(test_blob_resume),
	    cmocka_unit_test(test_blob_cancel),
	    cmocka_unit_test(test_blob_exists),
	    cmocka_unit_test(test_push_monolithic),
	    cmocka_unit_test(test_push_chunked),
	    cmocka_unit_test(test_push_wrong_digest),
	    cmocka_unit_test(test_mount),
	    cmocka_unit_test(test_put_manifest_checks),
	    cmocka_unit_test(test_blob_corrupt),
	    cmocka_unit_test(test_concurrent_pulls),
	    cmocka_unit_test(test_auth_basic_and_login),
	    cmocka_unit_test_setup_teardown(test_bearer_flow, fake_setup, fake_teardown),
	    cmocka_unit_test_setup_teardown(test_retries, fake_setup, fake_teardown),
	    cmocka_unit_test_setup_teardown(test_fake_manifest_checks, fake_setup, fake_teardown),
	    cmocka_unit_test_setup_teardown(test_range_ignored_and_redirect, fake_setup, fake_teardown),
	    cmocka_unit_test_setup_teardown(test_relative_locations, fake_setup, fake_teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
