/* Whole-pipeline tests through cc_project_load(): files in a temp dir, assertions on the canonical model.
 * Row numbers refer to ../shared/reference/compose-go-edge-cases.md §2. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include <jansson.h>

#include "compose/emit.h"
#include "compose/graph.h"
#include "compose/hash.h"
#include "compose/project.h"
#include "compose/schema.h"

struct fixture {
	char dir[64];
};

static void write_file(const char *dir, const char *name, const char *content)
{
	char *path = cc_path_join(dir, name);
	char *d = cc_path_dir(path);
	char *cmd = cc_xasprintf("mkdir -p '%s'", d);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	free(cmd);
	free(d);
	free(path);
}

static int setup(void **state)
{
	struct fixture *fx = cc_xcalloc(1, sizeof(*fx));
	strcpy(fx->dir, "/tmp/cc-unit-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char *cmd = cc_xasprintf("rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(fx);
	return 0;
}

struct load_args {
	const char *files[4];
	const char *env[8];
	const char *profiles[4];
	const char *services[4];
	const char *project_name;
	const char *subdir;
};

static int load(struct fixture *fx, const struct load_args *a, struct cc_project **p, char **errmsg)
{
	struct cc_project_opts o = {0};
	size_t nf = 0, np = 0, ns = 0;
	while (nf < 4 && a->files[nf])
		nf++;
	while (np < 4 && a->profiles[np])
		np++;
	while (ns < 4 && a->services[ns])
		ns++;
	char *cwd = a->subdir ? cc_path_join(fx->dir, a->subdir) : cc_xstrdup(fx->dir);
	o.files = a->files;
	o.nfiles = nf;
	o.profiles = a->profiles;
	o.nprofiles = np;
	o.services = a->services;
	o.nservices = ns;
	o.environ = a->env;
	o.cwd = cwd;
	o.project_name = a->project_name;
	struct cc_error *err = NULL;
	int r = cc_project_load(&o, p, &err);
	free(cwd);
	if (r < 0) {
		if (errmsg)
			*errmsg = cc_xstrdup(err->msg);
		cc_error_free(err);
	}
	return r;
}

static struct cc_project *must_load(struct fixture *fx, const struct load_args *a)
{
	struct cc_project *p = NULL;
	char *msg = NULL;
	if (load(fx, a, &p, &msg) < 0)
		fail_msg("load failed: %s", msg);
	return p;
}

static char *must_fail(struct fixture *fx, const struct load_args *a)
{
	struct cc_project *p = NULL;
	char *msg = NULL;
	if (load(fx, a, &p, &msg) == 0) {
		cc_project_free(p);
		fail_msg("load unexpectedly succeeded");
	}
	return msg;
}

/* "services.web.ports[0].target" -> node */
static const struct cc_val *at(const struct cc_val *v, const char *path)
{
	char *copy = cc_xstrdup(path);
	char *save = NULL;
	for (char *tok = strtok_r(copy, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save)) {
		char *br = strchr(tok, '[');
		if (br)
			*br = '\0';
		if (*tok)
			v = cc_map_get(v, tok);
		while (br && v) {
			size_t i = strtoul(br + 1, NULL, 10);
			v = (v->kind == CC_V_SEQ && i < v->seq.n) ? v->seq.v[i] : NULL;
			br = strchr(br + 1, '[');
		}
	}
	free(copy);
	return v;
}

static const char *str_at(const struct cc_project *p, const char *path)
{
	const struct cc_val *v = at(p->model, path);
	if (!v)
		fail_msg("no value at %s", path);
	return v->str ? v->str : "(null)";
}

#define F(name) ((struct load_args){.files = {name}})

static void test_merge_replace_and_unique_keys(void **state)
{
	struct fixture *fx = *state;
	write_file(fx->dir, "a.yaml",
		   "services:\n  web:\n    image: x\n    command: a\n    ports: ['9080:80']\n"
		   "    volumes: ['foo:/work', './src:/src']\n    cap_add: [NET_ADMIN]\nvolumes: {foo: {}, "
		   "bar: {}}\n");
	write_file(fx->dir, "b.yaml",
		   "services:\n  web:\n    command: b\n    ports: ['9080:80', '9443:443']\n"
		   "    volumes: ['bar:/work', './src:/src']\n    cap_add: [NET_ADMIN, SYS_TIME]\n");
	struct cc_project *p = must_load(fx, &(struct load_args){.files = {"a.yaml", "b.yaml"}});
	assert_int_equal(at(p->model, "services.web.command")->seq.n, 1);
	assert_string_equal(str_at(p, "services.web.command[0]"), "b");
	assert_int_equal(at(p->model, "services.web.ports")->seq.n, 2);
	assert_int_equal(at(p->model, "services.web.volumes")->seq.n, 2);
	assert_string_equal(str_at(p, "services.web.volumes[0].source"), "bar");
	assert_int_equal(at(p->model, "services.web.cap_add")->seq.n, 2);
	cc_project_free(p);
}

static void test_env_list_dedupe(void **state)
{
	struct fixture *fx = *state; /* row 36 */
	write_file(fx->dir, "compose.yaml",
		   "services:\n  s:\n    image: x\n    environment: [FOO=BAR, BAR=QIX, QIX=, ZOT, FOO=ZOT, "
		   "QIX, ZOT=]\n");
	struct cc_project *p = must_load(fx, &(struct load_args){0});
	const struct cc_val *env = at(p->model, "services.s.environment");
	assert_int_equal(env->map.n, 4);
	assert_string_equal(str_at(p, "services.s.environment.FOO"), "ZOT");
	assert_string_equal(str_at(p, "services.s.environment.BAR"), "QIX");
	assert_int_equal(at(p->model, "services.s.environment.QIX")->kind, CC_V_NULL);
	assert_string_equal(str_at(p, "services.s.environment.ZOT"), "");
	cc_project_free(p);
}

static void test_merge_mixed_forms(void **state)
{
	struct fixture *fx = *state; /* row 37 */
	write_file(fx->dir, "a.yaml",
		   "services:\n  s:\n    image: x\n    environment: {A: 1}\n    dns: [8.8.8.8]\n    "
		   "networks: [front]\n"
		   "networks: {front: {}}\n");
	write_file(fx->dir, "b.yaml",
		   "services:\n  s:\n    environment: [B=2]\n    dns: 9.9.9.9\n    networks: {front: "
		   "{aliases: [api]}}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){.files = {"a.yaml", "b.yaml"}});
	assert_string_equal(str_at(p, "services.s.environment.A"), "1");
	assert_string_equal(str_at(p, "services.s.environment.B"), "2");
	assert_int_equal(at(p->model, "services.s.dns")->seq.n, 2);
	assert_string_equal(str_at(p, "services.s.networks.front.aliases[0]"), "api");
	cc_project_free(p);
}

static void test_merge_logging(void **state)
{
	struct fixture *fx = *state; /* row 38 */
	write_file(fx->dir, "a.yaml",
		   "services:\n  same: {image: x, logging: {driver: json-file, options: {a: '1'}}}\n"
		   "  other: {image: x, logging: {driver: json-file, options: {a: '1'}}}\n");
	write_file(fx->dir, "b.yaml",
		   "services:\n  same: {logging: {driver: json-file, options: {b: '2'}}}\n"
		   "  other: {logging: {driver: syslog, options: {b: '2'}}}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){.files = {"a.yaml", "b.yaml"}});
	assert_int_equal(at(p->model, "services.same.logging.options")->map.n, 2);
	assert_int_equal(at(p->model, "services.other.logging.options")->map.n, 1);
	assert_string_equal(str_at(p, "services.other.logging.driver"), "syslog");
	cc_project_free(p);
}

static void test_reset_and_override(void **state)
{
	struct fixture *fx = *state; /* row 39 */
	write_file(fx->dir, "a.yaml",
		   "services:\n  s:\n    image: x\n    build: .\n    environment: {FOO: a, BAR: b}\n"
		   "    networks: [test, ext]\n    ports: ['80:80']\n"
		   "networks:\n  test: {}\n  ext: {external: true}\n");
	write_file(fx->dir, "b.yaml",
		   "services:\n  s:\n    build: !reset\n    environment: {FOO: !reset}\n    networks: {test: "
		   "!reset {}}\n"
		   "    ports: !override ['8080:80']\n"
		   "networks:\n  test: !reset {}\n  ext: !override {}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){.files = {"a.yaml", "b.yaml"}});
	assert_null(at(p->model, "services.s.build"));
	assert_null(at(p->model, "services.s.environment.FOO"));
	assert_string_equal(str_at(p, "services.s.environment.BAR"), "b");
	assert_null(at(p->model, "services.s.networks.test"));
	assert_null(at(p->model, "networks.test"));
	assert_null(at(p->model, "networks.ext.external"));
	assert_int_equal(at(p->model, "services.s.ports")->seq.n, 1);
	assert_string_equal(str_at(p, "services.s.ports[0].published"), "8080");
	cc_project_free(p);
}

static void test_extends(void **state)
{
	struct fixture *fx = *state; /* row 40 */
	write_file(
	    fx->dir, "base/common.yaml",
	    "services:\n  builder:\n    build: .\n    command: run\n    environment: {A: base, B: base}\n"
	    "  withdep:\n    image: x\n    depends_on: [zot]\n  zot:\n    image: z\n");
	write_file(fx->dir, "compose.yaml",
		   "services:\n  app:\n    extends: {file: base/common.yaml, service: builder}\n"
		   "    environment: {B: local}\n    command: !reset\n"
		   "  same:\n    extends: app\n    image: y\n");
	struct cc_project *p = must_load(fx, &(struct load_args){0});
	char *ctx = cc_path_join(fx->dir, "base");
	assert_string_equal(str_at(p, "services.app.build.context"), ctx);
	free(ctx);
	assert_string_equal(str_at(p, "services.app.environment.A"), "base");
	assert_string_equal(str_at(p, "services.app.environment.B"), "local");
	assert_null(at(p->model, "services.app.command"));
	assert_string_equal(str_at(p, "services.same.image"), "y");
	assert_string_equal(str_at(p, "services.same.environment.B"), "local");
	assert_null(at(p->model, "services.same.extends"));
	cc_project_free(p);

	/* the base's dependency is not imported */
	write_file(fx->dir, "dep.yaml",
		   "services:\n  app:\n    extends: {file: base/common.yaml, service: withdep}\n");
	char *m = must_fail(fx, &F("dep.yaml"));
	assert_non_null(strstr(m, "depends on undefined service \"zot\""));
	free(m);

	write_file(fx->dir, "cycle.yaml", "services:\n  a: {extends: b, image: x}\n  b: {extends: a}\n");
	m = must_fail(fx, &F("cycle.yaml"));
	assert_non_null(strstr(m, "extends cycle detected"));
	free(m);
}

static void test_extends_override_chain(void **state)
{
	struct fixture *fx = *state; /* row 41 */
	write_file(fx->dir, "a.yaml",
		   "services:\n  b: {image: x, volumes: [/foo]}\n  a:\n    extends: b\n    volumes: "
		   "!override [/bar]\n");
	write_file(fx->dir, "b.yaml", "services:\n  a:\n    volumes: [/zot]\n");
	struct cc_project *p = must_load(fx, &(struct load_args){.files = {"a.yaml", "b.yaml"}});
	assert_int_equal(at(p->model, "services.a.volumes")->seq.n, 2);
	assert_string_equal(str_at(p, "services.a.volumes[0].target"), "/bar");
	assert_string_equal(str_at(p, "services.a.volumes[1].target"), "/zot");
	cc_project_free(p);
}

static void test_include(void **state)
{
	struct fixture *fx = *state; /* row 42 */
	write_file(
	    fx->dir, "sub/c.yaml",
	    "services:\n  inc:\n    image: ${SOURCE:-x}\n    env_file: ./extra.env\n    build: ./ctx\n");
	write_file(fx->dir, "sub/extra.env", "SOURCE=from-include\nIN_FILE=1\n");
	write_file(
	    fx->dir, "compose.yaml",
	    "include:\n  - path: sub/c.yaml\n    env_file: sub/extra.env\nservices:\n  web: {image: w}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){0});
	assert_string_equal(str_at(p, "services.inc.image"), "from-include");
	assert_string_equal(str_at(p, "services.inc.environment.IN_FILE"), "1");
	char *ctx = cc_path_join(fx->dir, "sub/ctx");
	assert_string_equal(str_at(p, "services.inc.build.context"), ctx);
	free(ctx);
	cc_project_free(p);
	/* the parent environment wins */
	p = must_load(fx, &(struct load_args){.env = {"SOURCE=parent"}});
	assert_string_equal(str_at(p, "services.inc.image"), "parent");
	cc_project_free(p);

	write_file(fx->dir, "self.yaml", "include: [self.yaml]\nservices:\n  a: {image: x}\n");
	char *m = must_fail(fx, &F("self.yaml"));
	assert_non_null(strstr(m, "include cycle detected"));
	free(m);
}

static void test_profiles(void **state)
{
	struct fixture *fx = *state; /* row 44 */
	write_file(fx->dir, "compose.yaml",
		   "services:\n  s1: {image: x}\n  s2: {image: x, profiles: [foo]}\n  s3: {image: x, "
		   "profiles: [bar]}\n"
		   "  s4: {image: x, profiles: [baz], depends_on: [s5]}\n  s5: {image: x, profiles: [qux]}\n"
		   "  s6: {image: x}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){.profiles = {"foo"}});
	const struct cc_val *svcs = cc_project_services(p);
	assert_int_equal(svcs->map.n, 3);
	assert_non_null(cc_map_get(svcs, "s2"));
	assert_null(cc_map_get(svcs, "s3"));
	assert_int_equal(p->nall_profiles, 4);
	cc_project_free(p);
	p = must_load(fx, &(struct load_args){.profiles = {"foo"}, .services = {"s4"}});
	svcs = cc_project_services(p);
	assert_non_null(cc_map_get(svcs, "s4"));
	assert_non_null(cc_map_get(svcs, "s5"));
	cc_project_free(p);
	p = must_load(fx, &(struct load_args){.env = {"COMPOSE_PROFILES=*"}});
	assert_int_equal(cc_project_services(p)->map.n, 6);
	cc_project_free(p);
	/* a dependency on a disabled service is an error */
	char *m = must_fail(fx, &(struct load_args){.profiles = {"baz"}});
	assert_non_null(strstr(m, "depends on service \"s5\", which is disabled"));
	free(m);
}

static void test_implicit_dependencies(void **state)
{
	struct fixture *fx = *state; /* row 32 */
	write_file(fx->dir, "compose.yaml",
		   "services:\n  net: {image: x}\n  ipc: {image: x}\n  lnk: {image: x}\n  vol: {image: x}\n"
		   "  app:\n    image: x\n    network_mode: service:net\n    ipc: service:ipc\n"
		   "    links: ['lnk:alias']\n    volumes_from: ['vol:ro', 'container:other']\n"
		   "    depends_on: {lnk: {condition: service_healthy}}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){0});
	assert_string_equal(str_at(p, "services.app.depends_on.net.condition"), "service_started");
	assert_string_equal(str_at(p, "services.app.depends_on.net.restart"), "true");
	assert_string_equal(str_at(p, "services.app.depends_on.vol.restart"), "false");
	assert_string_equal(str_at(p, "services.app.depends_on.lnk.condition"), "service_healthy");
	assert_int_equal(at(p->model, "services.app.depends_on")->map.n, 4);
	assert_null(at(p->model, "services.app.networks"));
	cc_project_free(p);
}

static void test_normalization_defaults(void **state)
{
	struct fixture *fx = *state; /* row 33 */
	write_file(fx->dir, "compose.yaml",
		   "services:\n  a: {image: x, networks: [back]}\n  b: {build: ./dir}\n"
		   "networks:\n  back: {}\n  named: {name: explicit}\n  outside: {external: true}\n"
		   "volumes:\n  data: {}\n  old: {external: {name: legacy}}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){.project_name = "proj"});
	assert_string_equal(str_at(p, "networks.default.name"), "proj_default");
	assert_string_equal(str_at(p, "networks.back.name"), "proj_back");
	assert_string_equal(str_at(p, "networks.named.name"), "explicit");
	assert_string_equal(str_at(p, "networks.outside.name"), "outside");
	assert_string_equal(str_at(p, "volumes.data.name"), "proj_data");
	assert_string_equal(str_at(p, "volumes.old.name"), "legacy");
	assert_string_equal(str_at(p, "volumes.old.external"), "true");
	assert_string_equal(str_at(p, "services.b.build.dockerfile"), "Dockerfile");
	assert_int_equal(at(p->model, "services.b.networks.default")->kind, CC_V_NULL);
	cc_project_free(p);
}

static void test_dependency_cycle(void **state)
{
	struct fixture *fx = *state; /* row 31 */
	write_file(fx->dir, "c.yaml",
		   "services:\n  service1: {image: x, depends_on: [service2]}\n"
		   "  service2: {image: x, depends_on: [service3]}\n  service3: {image: x, depends_on: "
		   "[service1]}\n");
	char *m = must_fail(fx, &F("c.yaml"));
	/* located at the dependency that closes the cycle */
	assert_non_null(strstr(m, "/c.yaml:4:"));
	assert_non_null(
	    strstr(m, ": dependency cycle detected: service1 -> service2 -> service3 -> service1"));
	free(m);
	write_file(fx->dir, "self.yaml", "services:\n  service1: {image: x, depends_on: [service1]}\n");
	m = must_fail(fx, &F("self.yaml"));
	assert_non_null(strstr(m, "/self.yaml:2:"));
	assert_non_null(strstr(m, ": dependency cycle detected: service1 -> service1"));
	free(m);
	write_file(fx->dir, "undef.yaml", "services:\n  x: {image: x, depends_on: [y]}\n");
	m = must_fail(fx, &F("undef.yaml"));
	assert_non_null(strstr(m, "service \"x\" depends on undefined service \"y\""));
	free(m);
}

static void test_project_names(void **state)
{
	struct fixture *fx = *state; /* rows 27, 28 */
	write_file(fx->dir, "UNNORMALIZED PATH/compose.yaml", "services:\n  a: {image: x}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){.subdir = "UNNORMALIZED PATH"});
	assert_string_equal(p->name, "unnormalizedpath");
	cc_project_free(p);
	const char *bad[] = {"MY_PROJECT", "_x", "-x", "a.b"};
	for (size_t i = 0; i < 4; i++) {
		char *m =
		    must_fail(fx, &(struct load_args){.subdir = "UNNORMALIZED PATH", .project_name = bad[i]});
		assert_non_null(strstr(m, "invalid project name"));
		free(m);
	}
	p = must_load(fx, &(struct load_args){.subdir = "UNNORMALIZED PATH", .project_name = "42abc"});
	assert_string_equal(p->name, "42abc");
	cc_project_free(p);
	write_file(fx->dir, "n1.yaml", "name: a\nservices:\n  s1: {image: '${COMPOSE_PROJECT_NAME}'}\n");
	write_file(fx->dir, "n2.yaml", "name: b\nservices:\n  s2: {image: '${COMPOSE_PROJECT_NAME}'}\n");
	write_file(fx->dir, "n3.yaml", "services:\n  s3: {image: '${COMPOSE_PROJECT_NAME}'}\n");
	p = must_load(fx, &(struct load_args){.files = {"n1.yaml", "n2.yaml", "n3.yaml"}});
	assert_string_equal(p->name, "b");
	assert_string_equal(str_at(p, "services.s1.image"), "b");
	assert_string_equal(str_at(p, "services.s3.image"), "b");
	cc_project_free(p);
	p = must_load(fx, &(struct load_args){.files = {"n1.yaml"}, .env = {"COMPOSE_PROJECT_NAME=fromenv"}});
	assert_string_equal(p->name, "fromenv");
	cc_project_free(p);
	write_file(fx->dir, "n4.yaml", "name: 123\nservices:\n  s: {image: x}\n");
	char *m = must_fail(fx, &F("n4.yaml"));
	assert_non_null(strstr(m, "name must be a string"));
	free(m);
}

static void test_casting(void **state)
{
	struct fixture *fx = *state; /* rows 16, 17, 47 */
	write_file(fx->dir, "compose.yaml",
		   "services:\n  s:\n    image: x\n    scale: $n\n    privileged: $b\n    shm_size: ${s}\n"
		   "    stop_grace_period: ${d}\n    init: yes\n    memswap_limit: -1\n    mem_limit: 640kb\n"
		   "    secrets: [{source: k, mode: \"$n\"}]\nsecrets:\n  k: {file: ./k}\n");
	struct cc_project *p =
	    must_load(fx, &(struct load_args){.env = {"n=555", "b=true", "s=2gb", "d=60s"}});
	const struct cc_val *scale = at(p->model, "services.s.scale");
	assert_int_equal(scale->kind, CC_V_INT);
	assert_int_equal(scale->num.i, 555);
	assert_int_equal(at(p->model, "services.s.privileged")->kind, CC_V_BOOL);
	assert_int_equal(at(p->model, "services.s.shm_size")->num.i, 2147483648LL);
	assert_string_equal(str_at(p, "services.s.stop_grace_period"), "1m0s");
	assert_true(at(p->model, "services.s.init")->num.b);
	assert_int_equal(at(p->model, "services.s.memswap_limit")->num.i, -1);
	assert_int_equal(at(p->model, "services.s.mem_limit")->num.i, 655360);
	assert_string_equal(str_at(p, "services.s.secrets[0].mode"), "0555");
	cc_project_free(p);
}

static void test_environment_nulls_and_types(void **state)
{
	struct fixture *fx = *state; /* rows 18, 19 */
	write_file(
	    fx->dir, "compose.yaml",
	    "services:\n  s:\n    image: x\n    environment: {ZO: , MEU: , BAR: 2, GA: 2.5, FOO: true}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){.env = {"MEU=Shadoks"}});
	assert_int_equal(at(p->model, "services.s.environment.ZO")->kind, CC_V_NULL);
	assert_string_equal(str_at(p, "services.s.environment.MEU"), "Shadoks");
	assert_string_equal(str_at(p, "services.s.environment.BAR"), "2");
	assert_string_equal(str_at(p, "services.s.environment.GA"), "2.5");
	assert_string_equal(str_at(p, "services.s.environment.FOO"), "true");
	cc_project_free(p);
	write_file(fx->dir, "bad.yaml", "services:\n  s:\n    image: x\n    environment: {A: [1]}\n");
	char *m = must_fail(fx, &F("bad.yaml"));
	assert_non_null(strstr(m, "services.s.environment.A"));
	free(m);
	write_file(fx->dir, "bad2.yaml", "services:\n  s:\n    image: x\n    environment: \"FOO=1\"\n");
	m = must_fail(fx, &F("bad2.yaml"));
	assert_non_null(strstr(m, "bad2.yaml:4:18: services.s.environment must be"));
	free(m);
}

static void test_config_hash(void **state)
{
	struct fixture *fx = *state;
	write_file(fx->dir, "a.yaml",
		   "services:\n  s:\n    image: x\n    environment: {A: '1', B: '2'}\n    scale: 1\n");
	write_file(
	    fx->dir, "b.yaml",
	    "services:\n  s:\n    scale: 3\n    environment: [B=2, A=1]\n    image: x\n    depends_on: [t]\n"
	    "  t: {image: y}\n");
	write_file(fx->dir, "c.yaml", "services:\n  s:\n    image: z\n    environment: {A: '1', B: '2'}\n");
	char h1[CC_SHA256_HEX_LEN + 1], h2[CC_SHA256_HEX_LEN + 1], h3[CC_SHA256_HEX_LEN + 1];
	struct cc_project *p = must_load(fx, &F("a.yaml"));
	cc_service_config_hash(cc_project_service(p, "s"), h1);
	cc_project_free(p);
	p = must_load(fx, &F("b.yaml"));
	cc_service_config_hash(cc_project_service(p, "s"), h2);
	cc_project_free(p);
	p = must_load(fx, &F("c.yaml"));
	cc_service_config_hash(cc_project_service(p, "s"), h3);
	cc_project_free(p);
	/* key order, list-vs-map spelling, scale and depends_on do not matter; the image does */
	assert_string_equal(h1, h2);
	assert_string_not_equal(h1, h3);
	assert_int_equal(strlen(h1), 64);
}

static void test_graph_order(void **state)
{
	struct fixture *fx = *state;
	write_file(
	    fx->dir, "compose.yaml",
	    "services:\n  web: {image: x, depends_on: [api, cache]}\n  api: {image: x, depends_on: [db]}\n"
	    "  db: {image: x}\n  cache: {image: x}\n  lone: {image: x}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){0});
	struct cc_graph *g = NULL;
	struct cc_error *err = NULL;
	assert_int_equal(cc_graph_build(cc_project_services(p), &g, &err), 0);
	size_t *up = cc_graph_order(g, 0), *down = cc_graph_order(g, 1);
	struct cc_strbuf sb = CC_STRBUF_INIT;
	for (size_t i = 0; i < g->n; i++)
		cc_strbuf_addf(&sb, "%s ", g->names[up[i]]);
	assert_string_equal(sb.buf, "cache db api lone web ");
	cc_strbuf_reset(&sb);
	for (size_t i = 0; i < g->n; i++)
		cc_strbuf_addf(&sb, "%s ", g->names[down[i]]);
	assert_string_equal(sb.buf, "web lone api db cache ");
	cc_strbuf_release(&sb);
	free(up);
	free(down);
	cc_graph_free(g);
	cc_project_free(p);
}

static void test_json_output_round_trip(void **state)
{
	struct fixture *fx = *state;
	write_file(fx->dir, "compose.yaml",
		   "services:\n  web:\n    image: nginx\n    ports: ['127.0.0.1:8080:80/udp', {target: 443, "
		   "published: 8443}]\n"
		   "    volumes: ['./html:/usr/share/nginx/html:ro', 'data:/data:nocopy', /anon]\n"
		   "    healthcheck: {test: curl -f localhost, interval: 90s, start_period: 1500ms}\n"
		   "    secrets: [s1, {source: s1, target: my_secret}]\n"
		   "volumes: {data: {}}\nsecrets: {s1: {file: ./s1.txt}}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){0});
	assert_string_equal(str_at(p, "services.web.ports[0].host_ip"), "127.0.0.1");
	assert_string_equal(str_at(p, "services.web.ports[0].protocol"), "udp");
	assert_string_equal(str_at(p, "services.web.ports[1].published"), "8443");
	assert_string_equal(str_at(p, "services.web.ports[1].mode"), "ingress");
	assert_string_equal(str_at(p, "services.web.volumes[0].type"), "bind");
	assert_string_equal(str_at(p, "services.web.volumes[0].read_only"), "true");
	assert_string_equal(str_at(p, "services.web.volumes[1].volume.nocopy"), "true");
	assert_null(at(p->model, "services.web.volumes[2].source"));
	assert_string_equal(str_at(p, "services.web.healthcheck.interval"), "1m30s");
	assert_string_equal(str_at(p, "services.web.healthcheck.start_period"), "1.5s");
	assert_string_equal(str_at(p, "services.web.healthcheck.test[0]"), "CMD-SHELL");
	assert_string_equal(str_at(p, "services.web.secrets[0].target"), "/run/secrets/s1");
	assert_string_equal(str_at(p, "services.web.secrets[1].target"), "my_secret");
	/* the YAML we print loads back to the same model */
	struct cc_strbuf y = CC_STRBUF_INIT, j1 = CC_STRBUF_INIT, j2 = CC_STRBUF_INIT;
	struct cc_error *err = NULL;
	assert_int_equal(cc_emit_yaml(p->model, CC_EMIT_ESCAPE_DOLLAR, &y, &err), 0);
	cc_emit_json(p->model, CC_EMIT_ESCAPE_DOLLAR, &j1);
	write_file(fx->dir, "out.yaml", y.buf);
	cc_project_free(p);
	p = must_load(fx, &F("out.yaml"));
	cc_emit_json(p->model, CC_EMIT_ESCAPE_DOLLAR, &j2);
	assert_string_equal(j1.buf, j2.buf);
	cc_project_free(p);
	cc_strbuf_release(&y);
	cc_strbuf_release(&j1);
	cc_strbuf_release(&j2);
}

static void test_shared_schema(void **state)
{
	struct fixture *fx = *state;
	struct cc_schema *schema = NULL;
	struct cc_error *err = NULL;
	assert_int_equal(cc_schema_load(&schema, &err), 0);
	write_file(fx->dir, "ok.yaml", "services:\n  web.1_a-b: {image: x}\n");
	write_file(fx->dir, "bad.yaml", "services:\n  \"bad name!\": {image: x}\n");
	for (int round = 0; round < 2; round++) {
		const char *ok[] = {"ok.yaml"}, *bad[] = {"bad.yaml"};
		struct cc_project_opts o = {.files = ok, .nfiles = 1, .cwd = fx->dir, .schema = schema};
		struct cc_project *p = NULL;
		assert_int_equal(cc_project_load(&o, &p, &err), 0);
		assert_non_null(cc_project_service(p, "web.1_a-b"));
		cc_project_free(p);
		/* the name pattern of services is a real regular expression in the schema */
		o.files = bad;
		assert_int_equal(cc_project_load(&o, &p, &err), -1);
		assert_non_null(strstr(err->msg, "additional property \"bad name!\" is not allowed"));
		cc_error_release(&err);
	}
	cc_schema_free(schema);
}

static void test_large_port_ranges_merge(void **state)
{
	struct fixture *fx = *state;
	/* two documents with the same 3000-port range: entries replace by key, in linear time */
	write_file(fx->dir, "compose.yaml",
		   "services:\n  s: {image: x, ports: ['1-3000:1-3000']}\n---\n"
		   "services:\n  s: {ports: ['1-3000:1-3000', '5000:5000']}\n");
	struct cc_project *p = must_load(fx, &(struct load_args){0});
	assert_int_equal(at(p->model, "services.s.ports")->seq.n, 3001);
	assert_string_equal(str_at(p, "services.s.ports[2999].published"), "3000");
	assert_string_equal(str_at(p, "services.s.ports[3000].published"), "5000");
	cc_project_free(p);
}

static void test_deep_nesting_output(void **state)
{
	struct fixture *fx = *state;
	struct cc_strbuf y = CC_STRBUF_INIT;
	cc_strbuf_adds(&y, "services:\n  s: {image: x}\nx-deep:\n");
	for (int i = 0; i < 40; i++)
		cc_strbuf_addf(&y, "%*sk%d:\n", 2 * (i + 1), "", i);
	cc_strbuf_addf(&y, "%*sleaf: v\n", 82, "");
	write_file(fx->dir, "compose.yaml", y.buf);
	struct cc_project *p = must_load(fx, &(struct load_args){0});
	struct cc_strbuf j = CC_STRBUF_INIT;
	cc_emit_json(p->model, 0, &j);
	json_error_t jerr;
	json_t *parsed = json_loads(j.buf, 0, &jerr);
	assert_non_null(parsed);
	/* the leaf is indented two spaces per level: 41 levels under x-deep, which is under the root */
	assert_non_null(strstr(j.buf, "\n                                                                    "
				      "                \"leaf\": \"v\""));
	json_decref(parsed);
	cc_strbuf_release(&j);
	cc_strbuf_release(&y);
	cc_project_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_merge_replace_and_unique_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_env_list_dedupe, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_merge_mixed_forms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_merge_logging, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reset_and_override, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_extends, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_extends_override_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_include, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_profiles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_implicit_dependencies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_normalization_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dependency_cycle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_project_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_casting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_environment_nulls_and_types, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_hash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_graph_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_json_output_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deep_nesting_output, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_large_port_ranges_merge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shared_schema, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
