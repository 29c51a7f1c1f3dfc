/* The orchestrator over the mock backend, observed through the recording decorator: the order of runtime
 * calls is the contract here (dependency order, reverse for down, nothing done when nothing changed, only
 * what changed recreated). */
#include "unit.h"

#include <ftw.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "orchestrator/orchestrator.h"
#include "orchestrator/watch.h"

struct fx {
	char dir[64];
	char root[96];
	char file[96];
	struct cc_runtime *rt;
	struct cc_call_log *log;
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	struct fx *fx = cc_xcalloc(1, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/cc-orch-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->root, sizeof(fx->root), "%s/root", fx->dir);
	snprintf(fx->file, sizeof(fx->file), "%s/compose.yaml", fx->dir);
	struct cc_runtime_config cfg = {.root = fx->root};
	struct cc_error *err = NULL;
	assert_int_equal(cc_runtime_open("mock", &cfg, &fx->rt, &err), 0);
	fx->log = cc_runtime_record(fx->rt);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	cc_runtime_close(fx->rt);
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static struct cc_project *load(struct fx *fx, const char *yaml)
{
	FILE *f = fopen(fx->file, "w");
	assert_non_null(f);
	fputs(yaml, f);
	fclose(f);
	const char *files[] = {fx->file};
	struct cc_project_opts o = {.files = files, .nfiles = 1, .project_name = "t"};
	struct cc_project *p = NULL;
	struct cc_error *err = NULL;
	int r = cc_project_load(&o, &p, &err);
	if (r < 0)
		fail_msg("load: %s", err->msg);
	return p;
}

static void up(struct fx *fx, struct cc_project *p, const struct cc_up_opts *o)
{
	struct cc_error *err = NULL;
	static const struct cc_up_opts defaults = {.stop_timeout_ns = -1};
	if (cc_orch_up(fx->rt, p, o ? o : &defaults, NULL, &err) < 0)
		fail_msg("up: %s", err->msg);
}

/* The index of the first call log entry starting with prefix, failing the test when there is none. */
static long find(struct fx *fx, size_t from, const char *prefix)
{
	long i = cc_call_log_find(fx->log, from, prefix);
	if (i < 0)
		fail_msg("no call \"%s\" in the log", prefix);
	return i;
}

static size_t count(struct fx *fx, size_t from, const char *prefix)
{
	size_t n = 0;
	for (long i = (long)from; (i = cc_call_log_find(fx->log, (size_t)i, prefix)) >= 0; i++)
		n++;
	return n;
}

static const char chain[] = "services:\n"
			    "  db: {image: busybox, command: [sleep, infinity]}\n"
			    "  api: {image: busybox, command: [sleep, infinity], depends_on: [db]}\n"
			    "  web: {image: busybox, command: [sleep, infinity], depends_on: [api]}\n";

/* "<op> <id>" of a container, by name. */
static char *call_on(struct fx *fx, const char *op, const char *name)
{
	struct cc_container c;
	struct cc_error *err = NULL;
	assert_int_equal(cc_rt_container_inspect(fx->rt, name, &c, &err), 0);
	char *s = cc_xasprintf("%s %s", op, c.id);
	cc_container_release(&c);
	return s;
}

static void test_up_in_dependency_order(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p = load(fx, chain);
	up(fx, p, NULL);
	char *db = call_on(fx, "container.start", "t-db-1"), *api = call_on(fx, "container.start", "t-api-1"),
	     *web = call_on(fx, "container.start", "t-web-1");
	/* the network first, every container created before any starts (compose's two passes), then the
	 * starts in dependency order */
	assert_true(find(fx, 0, "network.create t_default") < find(fx, 0, "container.create"));
	assert_true(find(fx, 0, "container.create t-web-1") < find(fx, 0, "container.start"));
	assert_true(find(fx, 0, db) < find(fx, 0, api));
	assert_true(find(fx, 0, api) < find(fx, 0, web));
	free(db);
	free(api);
	free(web);
	cc_project_free(p);
}

static void test_up_twice_changes_nothing(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p = load(fx, chain);
	up(fx, p, NULL);
	size_t mark = cc_call_log_count(fx->log);
	up(fx, p, NULL);
	assert_int_equal(count(fx, mark, "container.create"), 0);
	assert_int_equal(count(fx, mark, "container.start"), 0);
	assert_int_equal(count(fx, mark, "container.remove"), 0);
	assert_int_equal(count(fx, mark, "network.create"), 0);
	cc_project_free(p);
}

static void test_only_changed_service_recreated(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p = load(fx, chain);
	up(fx, p, NULL);
	cc_project_free(p);
	p = load(
	    fx, "services:\n"
		"  db: {image: busybox, command: [sleep, infinity]}\n"
		"  api: {image: busybox, command: [sleep, infinity], depends_on: [db], environment: {A: 1}}\n"
		"  web: {image: busybox, command: [sleep, infinity], depends_on: [api]}\n");
	size_t mark = cc_call_log_count(fx->log);
	up(fx, p, NULL);
	assert_int_equal(count(fx, mark, "container.create"), 1);
	find(fx, mark, "container.create t-api-1");
	assert_int_equal(count(fx, mark, "container.remove"), 1);
	struct cc_container c;
	struct cc_error *err = NULL;
	assert_int_equal(cc_rt_container_inspect(fx->rt, "t-api-1", &c, &err), 0);
	assert_int_equal(c.state, CC_STATE_RUNNING);
	bool has_env = false;
	for (char **e = c.spec.env; e && *e; e++)
		has_env |= strcmp(*e, "A=1") == 0;
	assert_true(has_env);
	cc_container_release(&c);
	/* --force-recreate: all three */
	mark = cc_call_log_count(fx->log);
	struct cc_up_opts force = {.force_recreate = true, .stop_timeout_ns = -1};
	up(fx, p, &force);
	assert_int_equal(count(fx, mark, "container.create"), 3);
	cc_project_free(p);
}

static void test_moved_image_recreates(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p = load(fx, "services:\n"
					"  a: {image: busybox, command: [sleep, infinity]}\n"
					"  b: {image: nginx, command: [sleep, infinity]}\n");
	up(fx, p, NULL);
	/* busybox now names another image (as after a pull of a newer one): only a is recreated */
	struct cc_error *err = NULL;
	assert_int_equal(cc_rt_image_tag(fx->rt, "busybox:1.37", "busybox", &err), 0);
	size_t mark = cc_call_log_count(fx->log);
	up(fx, p, NULL);
	assert_int_equal(count(fx, mark, "container.create"), 1);
	find(fx, mark, "container.create t-a-1");
	cc_project_free(p);
}

static size_t volume_count(struct fx *fx)
{
	struct cc_volume *v;
	size_t n;
	struct cc_error *err = NULL;
	assert_int_equal(cc_rt_volume_list(fx->rt, &v, &n, &err), 0);
	cc_volumes_free(v, n);
	return n;
}

static void test_recreate_keeps_anonymous_volume(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p =
	    load(fx, "services:\n  a: {image: busybox, volumes: [/data], environment: {V: 1}}\n");
	up(fx, p, NULL);
	assert_int_equal(volume_count(fx), 1);
	cc_project_free(p);
	p = load(fx, "services:\n  a: {image: busybox, volumes: [/data], environment: {V: 2}}\n");
	size_t mark = cc_call_log_count(fx->log);
	up(fx, p, NULL);
	assert_int_equal(count(fx, mark, "container.create"), 1);
	assert_int_equal(volume_count(fx), 1);
	cc_project_free(p);
}

static void test_failed_recreate_restores(void **state)
{
	struct fx *fx = *state;
	static const char fmt[] = "services:\n"
				  "  a:\n"
				  "    image: busybox\n"
				  "    networks: {n: {ipv4_address: %s}}\n"
				  "networks:\n"
				  "  n: {ipam: {config: [{subnet: 10.5.0.0/24}]}}\n";
	char yaml[512];
	snprintf(yaml, sizeof(yaml), fmt, "10.5.0.10");
	struct cc_project *p = load(fx, yaml);
	up(fx, p, NULL);
	cc_project_free(p);
	snprintf(yaml, sizeof(yaml), fmt, "10.9.0.10");
	p = load(fx, yaml);
	struct cc_error *err = NULL;
	struct cc_up_opts o = {.stop_timeout_ns = -1};
	assert_int_equal(cc_orch_up(fx->rt, p, &o, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "10.9.0.10"));
	cc_error_free(err);
	err = NULL;
	/* the service is as it was: running, at its old address */
	struct cc_container c;
	assert_int_equal(cc_rt_container_inspect(fx->rt, "t-a-1", &c, &err), 0);
	assert_int_equal(c.state, CC_STATE_RUNNING);
	assert_int_equal(c.nendpoints, 1);
	assert_string_equal(c.endpoints[0].ipv4_address, "10.5.0.10");
	cc_container_release(&c);
	cc_project_free(p);
}

static void test_down_in_reverse_order(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p = load(fx, chain);
	up(fx, p, NULL);
	char *stop_web = call_on(fx, "container.stop", "t-web-1"),
	     *stop_api = call_on(fx, "container.stop", "t-api-1"),
	     *stop_db = call_on(fx, "container.stop", "t-db-1");
	size_t mark = cc_call_log_count(fx->log);
	struct cc_down_opts o = {.timeout_ns = -1};
	struct cc_error *err = NULL;
	assert_int_equal(cc_orch_down(fx->rt, p->name, p, &o, NULL, &err), 0);
	/* stop (then remove) of web, then api, then db */
	struct cc_container *cs;
	size_t n;
	assert_int_equal(cc_orch_containers(fx->rt, "t", NULL, true, true, &cs, &n, &err), 0);
	assert_int_equal(n, 0);
	free(cs);
	long web = find(fx, mark, stop_web), api = find(fx, mark, stop_api), db = find(fx, mark, stop_db);
	assert_true(web < api);
	assert_true(api < db);
	assert_true(db < find(fx, mark, "network.remove t_default"));
	free(stop_web);
	free(stop_api);
	free(stop_db);
	assert_int_equal(count(fx, mark, "container.remove"), 3);
	assert_int_equal(count(fx, mark, "container.stop"), 3);
	cc_project_free(p);
}

/* An observer that holds one call's thread, after the call, until another call has been made (or a minute
 * has passed: the deadlock of an orchestrator that waits for the held call first). */
struct hold {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *held, *until; /* "<op> <target>" */
	bool seen, waited_out;
};

static void hold_call(void *ctx, const char *op, const char *target, int rc, const struct cc_error *err,
		      int64_t duration_ns)
{
	(void)rc, (void)err, (void)duration_ns;
	struct hold *h = ctx;
	char *call = cc_xasprintf("%s %s", op, target);
	pthread_mutex_lock(&h->lock);
	if (strcmp(call, h->until) == 0) {
		h->seen = true;
		pthread_cond_broadcast(&h->cond);
	} else if (strcmp(call, h->held) == 0) {
		struct timespec deadline;
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += 60;
		while (!h->seen && pthread_cond_timedwait(&h->cond, &h->lock, &deadline) == 0)
			;
		h->waited_out = !h->seen;
	}
	pthread_mutex_unlock(&h->lock);
	free(call);
}

/* down does not wait for a dependent's removal before it stops the dependency: web's removal is held until
 * api's stop has been asked for, which a level-by-level down would only do after that removal. */
static void test_down_stops_dependency_during_removal(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p = load(fx, chain);
	up(fx, p, NULL);
	struct hold h = {.held = call_on(fx, "container.remove", "t-web-1"),
			 .until = call_on(fx, "container.stop", "t-api-1")};
	char *stop_web = call_on(fx, "container.stop", "t-web-1"),
	     *stop_db = call_on(fx, "container.stop", "t-db-1");
	pthread_mutex_init(&h.lock, NULL);
	pthread_cond_init(&h.cond, NULL);
	cc_runtime_add_observer(fx->rt, &(struct cc_runtime_observer){hold_call, &h});
	size_t mark = cc_call_log_count(fx->log);
	struct cc_down_opts o = {.timeout_ns = -1};
	struct cc_error *err = NULL;
	assert_int_equal(cc_orch_down(fx->rt, p->name, p, &o, NULL, &err), 0);
	assert_false(h.waited_out);
	assert_true(h.seen);
	/* still stopped in reverse order, each once, and nothing left */
	long web = find(fx, mark, stop_web), api = find(fx, mark, h.until), db = find(fx, mark, stop_db);
	assert_true(web < api);
	assert_true(api < db);
	free(stop_web);
	free(stop_db);
	assert_int_equal(count(fx, mark, "container.stop"), 3);
	assert_int_equal(count(fx, mark, "container.remove"), 3);
	struct cc_container *cs;
	size_t n;
	assert_int_equal(cc_orch_containers(fx->rt, "t", NULL, true, true, &cs, &n, &err), 0);
	assert_int_equal(n, 0);
	free(cs);
	pthread_cond_destroy(&h.cond);
	pthread_mutex_destroy(&h.lock);
	free(h.held);
	free(h.until);
	cc_project_free(p);
}

static void test_dependency_failure_names_it(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p =
	    load(fx, "services:\n"
		     "  init: {image: busybox, command: [sh, -c, 'exit 3']}\n"
		     "  app:\n"
		     "    image: busybox\n"
		     "    depends_on: {init: {condition: service_completed_successfully}}\n");
	struct cc_error *err = NULL;
	struct cc_up_opts o = {.stop_timeout_ns = -1};
	assert_int_equal(cc_orch_up(fx->rt, p, &o, NULL, &err), -1);
	assert_non_null(strstr(err->msg, "t-init-1"));
	assert_non_null(strstr(err->msg, "exited with code 3"));
	cc_error_free(err);
	/* the dependent was created but never started */
	struct cc_container c;
	assert_int_equal(cc_rt_container_inspect(fx->rt, "t-app-1", &c, &err), 0);
	assert_int_equal(c.state, CC_STATE_CREATED);
	cc_container_release(&c);
	cc_project_free(p);
}

static void test_scale_up_and_down(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p = load(fx, "services:\n  w: {image: busybox, scale: 3}\n");
	up(fx, p, NULL);
	struct cc_container *cs;
	size_t n;
	struct cc_error *err = NULL;
	assert_int_equal(cc_orch_containers(fx->rt, "t", NULL, true, false, &cs, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(cs[2].name, "t-w-3");
	cc_containers_free(cs, n);
	struct cc_kvs scale = {0};
	cc_kvs_set(&scale, "w", "1");
	struct cc_up_opts o = {.scale = &scale, .stop_timeout_ns = -1};
	up(fx, p, &o);
	assert_int_equal(cc_orch_containers(fx->rt, "t", NULL, true, false, &cs, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(cs[0].name, "t-w-1");
	cc_containers_free(cs, n);
	cc_kvs_release(&scale);
	cc_project_free(p);
}

static void test_labels(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p = load(fx, "services:\n  w: {image: busybox}\n");
	up(fx, p, NULL);
	struct cc_container c;
	struct cc_error *err = NULL;
	assert_int_equal(cc_rt_container_inspect(fx->rt, "t-w-1", &c, &err), 0);
	assert_string_equal(cc_kvs_get(&c.spec.labels, CC_LABEL_PROJECT), "t");
	assert_string_equal(cc_kvs_get(&c.spec.labels, CC_LABEL_SERVICE), "w");
	assert_string_equal(cc_kvs_get(&c.spec.labels, CC_LABEL_NUMBER), "1");
	assert_string_equal(cc_kvs_get(&c.spec.labels, CC_LABEL_ONEOFF), "False");
	assert_string_equal(cc_kvs_get(&c.spec.labels, CC_LABEL_WORKING_DIR), fx->dir);
	assert_string_equal(cc_kvs_get(&c.spec.labels, CC_LABEL_CONFIG_FILES), fx->file);
	assert_int_equal(strlen(cc_kvs_get(&c.spec.labels, CC_LABEL_CONFIG_HASH)), 64);
	cc_container_release(&c);
	cc_project_free(p);
}

/* restart and deploy.restart_policy as docker compose maps them onto a container; the latter wins */
static void test_restart_policies(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p =
	    load(fx, "services:\n"
		     "  a: {image: busybox, restart: 'on-failure:3'}\n"
		     "  b: {image: busybox, restart: always, deploy: {restart_policy: {condition: "
		     "on-failure, max_attempts: 5}}}\n"
		     "  c: {image: busybox, deploy: {restart_policy: {condition: any}}}\n"
		     "  d: {image: busybox, restart: always, deploy: {restart_policy: {condition: "
		     "none}}}\n");
	static const struct {
		const char *service;
		enum cc_restart_policy policy;
		int retries;
	} want[] = {{"a", CC_RESTART_ON_FAILURE, 3},
		    {"b", CC_RESTART_ON_FAILURE, 5},
		    {"c", CC_RESTART_ALWAYS, 0},
		    {"d", CC_RESTART_NO, 0}};
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		struct cc_container_spec spec = {0};
		struct cc_error *err = NULL;
		assert_int_equal(cc_orch_service_spec(p, want[i].service, 1, false, &spec, &err), 0);
		assert_int_equal(spec.restart, want[i].policy);
		assert_int_equal(spec.restart_max_retries, want[i].retries);
		cc_container_spec_release(&spec);
	}
	/* a one-off container never restarts */
	struct cc_container_spec spec = {0};
	struct cc_error *err = NULL;
	assert_int_equal(cc_orch_service_spec(p, "c", 1, true, &spec, &err), 0);
	assert_int_equal(spec.restart, CC_RESTART_NO);
	cc_container_spec_release(&spec);
	cc_project_free(p);
}

/* volumes_from: the source service's container's volumes (its anonymous one too) on the same targets */
static void test_volumes_from(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p =
	    load(fx, "services:\n"
		     "  a: {image: busybox, volumes: ['vol:/data', '/anon', {type: tmpfs, target: /t}]}\n"
		     "  b: {image: busybox, volumes_from: ['a:ro'], volumes: ['wol:/data2']}\n"
		     "volumes: {vol: {}, wol: {}}\n");
	up(fx, p, NULL);
	struct cc_container a, b;
	struct cc_error *err = NULL;
	assert_int_equal(cc_rt_container_inspect(fx->rt, "t-a-1", &a, &err), 0);
	assert_int_equal(cc_rt_container_inspect(fx->rt, "t-b-1", &b, &err), 0);
	const char *anon = NULL;
	for (size_t i = 0; i < a.spec.nmounts; i++)
		if (strcmp(a.spec.mounts[i].target, "/anon") == 0)
			anon = a.spec.mounts[i].source;
	assert_non_null(anon);
	int seen = 0;
	for (size_t i = 0; i < b.spec.nmounts; i++) {
		const struct cc_mount *m = &b.spec.mounts[i];
		assert_string_not_equal(m->target, "/t"); /* a tmpfs is not shared */
		if (strcmp(m->target, "/data") == 0) {
			assert_string_equal(m->source, "t_vol");
			assert_true(m->read_only);
			seen++;
		} else if (strcmp(m->target, "/anon") == 0) {
			assert_string_equal(m->source, anon);
			assert_true(m->read_only);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	cc_container_release(&a);
	cc_container_release(&b);
	cc_project_free(p);
	/* a mode other than ro or rw is refused */
	p = load(fx, "services:\n  a: {image: busybox}\n  b: {image: busybox, volumes_from: ['a:rx']}\n");
	struct cc_container_spec spec = {0};
	assert_int_equal(cc_orch_service_spec(p, "b", 1, false, &spec, &err), 0);
	assert_int_equal(cc_orch_volumes_from(fx->rt, p, "b", &spec, &err), -1);
	assert_non_null(strstr(err->msg, "ro or rw"));
	cc_error_free(err);
	cc_container_spec_release(&spec);
	cc_project_free(p);
}

/* a network the model now describes otherwise is refused by name and option, not kept as it was */
static void test_changed_network_refused(void **state)
{
	struct fx *fx = *state;
	static const char before[] = "services:\n  a: {image: busybox, networks: [n]}\n"
				     "networks:\n  n: {ipam: {config: [{subnet: 10.201.0.0/24}]}}\n";
	static const char after[] = "services:\n  a: {image: busybox, networks: [n]}\n"
				    "networks:\n  n: {ipam: {config: [{subnet: 10.202.0.0/24}]}}\n";
	struct cc_project *p = load(fx, before);
	up(fx, p, NULL);
	up(fx, p, NULL); /* unchanged: nothing to say */
	cc_project_free(p);
	p = load(fx, after);
	struct cc_error *err = NULL;
	static const struct cc_up_opts o = {.stop_timeout_ns = -1};
	assert_int_equal(cc_orch_up(fx->rt, p, &o, NULL, &err), -1);
	assert_int_equal(err->kind, CC_ERR_INVALID_STATE);
	assert_non_null(strstr(err->msg, "t_n needs to be recreated"));
	assert_non_null(strstr(err->msg, "ipam subnet (10.201.0.0/24 -> 10.202.0.0/24)"));
	cc_error_free(err);
	/* down removes it; the next up makes it as described */
	static const struct cc_down_opts d = {.timeout_ns = -1};
	assert_int_equal(cc_orch_down(fx->rt, "t", p, &d, NULL, &err), 0);
	up(fx, p, NULL);
	struct cc_network net;
	assert_int_equal(cc_rt_network_inspect(fx->rt, "t_n", &net, &err), 0);
	assert_string_equal(net.spec.subnet, "10.202.0.0/24");
	cc_network_release(&net);
	cc_project_free(p);
}

/* a service's mac_address is its first network's unless that network names one */
static void test_service_mac_address(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p =
	    load(fx, "services:\n"
		     "  a: {image: busybox, mac_address: '02:00:00:00:00:aa', networks: [x, y]}\n"
		     "  b: {image: busybox, mac_address: '02:00:00:00:00:bb', networks: {x: "
		     "{mac_address: '02:00:00:00:00:cc'}}}\n"
		     "networks: {x: {}, y: {}}\n");
	struct cc_container_spec spec = {0};
	struct cc_error *err = NULL;
	assert_int_equal(cc_orch_service_spec(p, "a", 1, false, &spec, &err), 0);
	assert_string_equal(spec.networks[0].mac_address, "02:00:00:00:00:aa");
	assert_null(spec.networks[1].mac_address);
	cc_container_spec_release(&spec);
	assert_int_equal(cc_orch_service_spec(p, "b", 1, false, &spec, &err), 0);
	assert_string_equal(spec.networks[0].mac_address, "02:00:00:00:00:cc");
	cc_container_spec_release(&spec);
	cc_project_free(p);
}

/* which changed paths a develop.watch rule takes: inside its path, not ignored by the rule, the build
 * context's .dockerignore or an editor's habits, and only what include names when it names anything */
static void test_watch_rule_match(void **state)
{
	struct fx *fx = *state;
	char path[256];
	snprintf(path, sizeof(path), "%s/src", fx->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/.dockerignore", fx->dir);
	FILE *f = fopen(path, "w");
	fputs("src/private\n", f);
	fclose(f);
	struct cc_project *p =
	    load(fx, "services:\n"
		     "  a:\n"
		     "    build: .\n"
		     "    develop:\n"
		     "      watch:\n"
		     "        - {action: sync, path: ./src, target: /app, ignore: [node_modules/, '*.log']}\n"
		     "        - {action: sync+restart, path: ./src, target: /x, include: ['*.conf']}\n"
		     "        - {action: restart, path: ./src}\n"
		     "  b: {image: busybox}\n");
	struct cc_watch_rules rules;
	struct cc_error *err = NULL;
	assert_int_equal(cc_watch_rules_load(p, NULL, &rules, &err), 0);
	assert_int_equal(rules.n, 3); /* restart needs no target */
	assert_null(rules.v[2].target);
	assert_int_equal(rules.v[1].action, CC_WATCH_SYNC_RESTART);
	const struct cc_watch_rule *r = &rules.v[0];
	char at[256];
#define MATCH(rule, rel) (snprintf(at, sizeof(at), "%s/%s", fx->dir, rel), cc_watch_rule_match(rule, at))
	char *m = MATCH(r, "src/lib/a.js");
	assert_string_equal(m, "lib/a.js");
	free(m);
	m = MATCH(r, "src");
	assert_string_equal(m, "");
	free(m);
	assert_null(MATCH(r, "srcother/a.js"));
	assert_null(MATCH(r, "src/node_modules/x/index.js"));
	assert_null(MATCH(r, "src/debug.log"));
	assert_null(MATCH(r, "src/private"));
	assert_null(MATCH(r, "src/.a.js.swp"));
	assert_null(MATCH(r, "src/a.js~"));
	assert_null(MATCH(r, "src/.git/HEAD"));
	m = MATCH(r, "src/.github/ci.yml");
	assert_string_equal(m, ".github/ci.yml");
	free(m);
	m = MATCH(&rules.v[1], "src/app.conf");
	assert_string_equal(m, "app.conf");
	free(m);
	assert_null(MATCH(&rules.v[1], "src/app.js"));
	/* whole directories a rule ignores are not watched; include names files, so it ignores none */
	snprintf(at, sizeof(at), "%s/src/node_modules", fx->dir);
	assert_int_equal(cc_watch_rule_ignores(r, at), 1);
	assert_int_equal(cc_watch_rule_ignores(&rules.v[1], at), 0);
	snprintf(at, sizeof(at), "%s/other", fx->dir);
	assert_int_equal(cc_watch_rule_ignores(r, at), -1);
#undef MATCH
	cc_watch_rules_release(&rules);
	/* b has no rules: asking for it alone is refused */
	char b[] = "b", *only_b[] = {b, NULL};
	assert_int_equal(cc_watch_rules_load(p, only_b, &rules, &err), -1);
	assert_non_null(strstr(err->msg, "none of the selected services is configured for watch"));
	cc_error_release(&err);
	cc_project_free(p);
}

/* a one-off has no ports or service aliases unless asked; -p and -v parse as the file's short syntax */
static void test_oneoff_spec(void **state)
{
	struct fx *fx = *state;
	struct cc_project *p = load(fx, "services:\n"
					"  a: {image: busybox, ports: ['8080:80'], volumes: ['data:/d'],\n"
					"      cap_add: [NET_ADMIN, SYS_TIME], cap_drop: [CHOWN],\n"
					"      networks: {n: {aliases: [alias]}}}\n"
					"networks: {n: {}}\n"
					"volumes: {data: {}}\n");
	struct cc_container_spec spec;
	struct cc_error *err = NULL;
	struct cc_oneoff_opts o = {0};
	assert_int_equal(cc_orch_oneoff_spec(p, "a", &o, &spec, &err), 0);
	assert_int_equal(spec.nports, 0);
	assert_int_equal(spec.nnetworks, 1);
	assert_int_equal(cc_strv_len(spec.networks[0].aliases), 0);
	cc_container_spec_release(&spec);
	char pub[] = "127.0.0.1:9000-9001:90-91/udp", bind[] = "./here:/d:ro", anon[] = "/anon";
	char *publish[] = {pub, NULL}, *volumes[] = {bind, anon, NULL};
	o = (struct cc_oneoff_opts){
	    .publish = publish, .volumes = volumes, .service_ports = true, .use_aliases = true};
	assert_int_equal(cc_orch_oneoff_spec(p, "a", &o, &spec, &err), 0);
	assert_int_equal(spec.nports, 3);
	assert_int_equal(spec.ports[0].host_port, 8080);
	assert_int_equal(spec.ports[2].container_port, 91);
	assert_int_equal(spec.ports[2].host_port, 9001);
	assert_string_equal(spec.ports[2].protocol, "udp");
	assert_string_equal(spec.ports[2].host_ip, "127.0.0.1");
	assert_int_equal(spec.nmounts, 2);
	assert_int_equal(spec.mounts[0].type, CC_MOUNT_BIND); /* replaced the service's data:/d */
	char here[160];
	snprintf(here, sizeof(here), "%s/here", fx->dir);
	assert_string_equal(spec.mounts[0].source, here);
	assert_true(spec.mounts[0].read_only);
	assert_null(spec.mounts[1].source);
	assert_string_equal(spec.networks[0].aliases[0], "a");
	assert_string_equal(spec.networks[0].aliases[1], "alias");
	cc_container_spec_release(&spec);
	/* the flags win over the file: --cap-drop takes a capability out of cap_add, --cap-add out of
	 * cap_drop */
	char net_admin[] = "cap_net_admin", chown_cap[] = "chown";
	char *drops[] = {net_admin, NULL}, *adds[] = {chown_cap, NULL};
	o = (struct cc_oneoff_opts){.cap_add = adds, .cap_drop = drops};
	assert_int_equal(cc_orch_oneoff_spec(p, "a", &o, &spec, &err), 0);
	assert_string_equal(spec.cap_add[0], "SYS_TIME");
	assert_string_equal(spec.cap_add[1], "chown");
	assert_null(spec.cap_add[2]);
	assert_string_equal(spec.cap_drop[0], "cap_net_admin");
	assert_null(spec.cap_drop[1]);
	cc_container_spec_release(&spec);
	char bad_port[] = "80:80:80:80", *bad[] = {bad_port, NULL};
	o = (struct cc_oneoff_opts){.publish = bad};
	assert_int_equal(cc_orch_oneoff_spec(p, "a", &o, &spec, &err), -1);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	assert_non_null(strstr(err->msg, "--publish 80:80:80:80"));
	cc_error_release(&err);
	cc_project_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_up_in_dependency_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_up_twice_changes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_only_changed_service_recreated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_moved_image_recreates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recreate_keeps_anonymous_volume, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_recreate_restores, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_down_in_reverse_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_down_stops_dependency_during_removal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dependency_failure_names_it, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scale_up_and_down, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_labels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_restart_policies, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_volumes_from, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_changed_network_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_service_mac_address, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_watch_rule_match, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_oneoff_spec, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
