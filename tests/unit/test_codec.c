/* Unit tests for runtime/types.c and the runtime codec (codec.c, codec_container.c, codec_objects.c): round
 * trips of every type with every field set, the omission rules (no null, no false booleans, no zero numbers
 * where the shape says so), strict decoding with the field path in the message, "output zeroed on failure",
 * the container filter, the key/value list, deep copies and the name tables. */
#include "unit.h"

#include <string.h>

#include "base/cleanup.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "api/shapes.h"
#include "runtime/codec.h"
#include "runtime/types.h"

/* --- helpers --- */

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want) {
		if (got)
			print_error("expected NULL, got [%s]\n", got);
		assert_null(got);
		return;
	}
	if (!got)
		print_error("expected [%s], got NULL\n", want);
	assert_non_null(got);
	assert_string_equal(got, want);
}

static void assert_strv_equal(char *const *got, char *const *want)
{
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_int_equal(cc_strv_len(got), cc_strv_len(want));
	for (size_t i = 0; want[i]; i++)
		assert_string_equal(got[i], want[i]);
}

static void assert_kvs_equal(const struct cc_kvs *got, const struct cc_kvs *want)
{
	assert_int_equal(got->n, want->n);
	for (size_t i = 0; i < want->n; i++) {
		assert_string_equal(got->items[i].key, want->items[i].key);
		assert_string_equal(got->items[i].value, want->items[i].value);
	}
}

static cc_strv strv(const char *first, ...)
{
	cc_strv v = cc_xcalloc(1, sizeof(*v)); /* an empty vector, not NULL */
	va_list ap;
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		cc_strv_push(&v, s);
	va_end(ap);
	return v;
}

/* encode -> compact text -> parse: the text a store or a peer would see */
static json_t *through_text(json_t *j, char **text_out)
{
	char *text = cc_json_dump_compact(j);
	assert_non_null(text);
	assert_null(strstr(text, "null"));
	json_t *back = NULL;
	struct cc_error *err = NULL;
	assert_int_equal(cc_json_parse(text, &back, &err), 0);
	assert_null(err);
	if (text_out)
		*text_out = text;
	else
		free(text);
	return back;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* --- fixtures: every field set --- */

static void fill_endpoint(struct cc_endpoint *e, const char *net, const char *ip)
{
	e->network = cc_xstrdup(net);
	e->aliases = strv("web", "web-1", NULL);
	e->ipv4_address = cc_xstrdup(ip);
	e->mac_address = cc_xstrdup("02:42:ac:11:00:02");
}

static void fill_port(struct cc_port_binding *p, const char *ip, uint16_t host, uint16_t end, uint16_t cont,
		      const char *proto)
{
	p->host_ip = ip ? cc_xstrdup(ip) : NULL;
	p->host_port = host;
	p->host_port_end = end;
	p->container_port = cont;
	strcpy(p->protocol, proto);
}

static void fill_file_ref(struct cc_file_ref *f, const char *src, const char *dst)
{
	f->source = cc_xstrdup(src);
	f->target = cc_xstrdup(dst);
	f->uid = cc_xstrdup("1000");
	f->gid = cc_xstrdup("1001");
	f->mode = 0440;
}

static void fill_spec(struct cc_container_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->name = cc_xstrdup("proj-web-1");
	s->image = cc_xstrdup("nginx:1.25");
	s->platform = cc_xstrdup("linux/amd64");
	s->entrypoint = strv(NULL); /* [] clears the image's entrypoint: must survive */
	s->has_entrypoint = true;
	s->cmd = strv("nginx", "-g", "daemon off;", NULL);
	s->has_cmd = true;
	s->env = strv("A=1", "B=two words", "C=", NULL);
	cc_kvs_set(&s->labels, "com.docker.compose.project", "proj");
	cc_kvs_set(&s->labels, "com.docker.compose.service", "web");
	cc_kvs_set(&s->labels, "a.b", "");
	s->working_dir = cc_xstrdup("/srv");
	s->user = cc_xstrdup("1000:1000");
	s->hostname = cc_xstrdup("web");
	s->domainname = cc_xstrdup("example.org");
	s->tty = s->stdin_open = s->init = s->privileged = s->read_only = true;
	s->restart = CC_RESTART_ON_FAILURE;
	s->restart_max_retries = 5;
	s->stop_signal = cc_xstrdup("SIGQUIT");
	s->stop_grace_ns = 0; /* 0 is a value ("kill at once"), not "unset" */
	s->healthcheck = cc_xcalloc(1, sizeof(*s->healthcheck));
	s->healthcheck->test = strv("CMD-SHELL", "curl -f http://localhost/", NULL);
	s->healthcheck->interval_ns = 30000000000;
	s->healthcheck->timeout_ns = 5000000000;
	s->healthcheck->start_period_ns = 1000000000;
	s->healthcheck->start_interval_ns = 2000000000;
	s->healthcheck->retries = 4;
	s->nports = 3;
	s->ports = cc_xcalloc(3, sizeof(*s->ports));
	fill_port(&s->ports[0], "127.0.0.1", 8080, 0, 80, "tcp");
	fill_port(&s->ports[1], NULL, 5000, 5010, 5000, "udp");
	fill_port(&s->ports[2], "::1", 0, 0, 9, "sctp");
	s->nmounts = 3;
	s->mounts = cc_xcalloc(3, sizeof(*s->mounts));
	s->mounts[0] = (struct cc_mount){.type = CC_MOUNT_BIND, .read_only = true, .create_host_path = true};
	s->mounts[0].source = cc_xstrdup("/host/data");
	s->mounts[0].target = cc_xstrdup("/data");
	s->mounts[1] = (struct cc_mount){.type = CC_MOUNT_VOLUME, .nocopy = true};
	s->mounts[1].source = cc_xstrdup("proj_db");
	s->mounts[1].target = cc_xstrdup("/var/lib/db");
	s->mounts[2] = (struct cc_mount){.type = CC_MOUNT_TMPFS, .tmpfs_size = 64 << 20};
	s->mounts[2].target = cc_xstrdup("/tmp");
	s->nnetworks = 2;
	s->networks = cc_xcalloc(2, sizeof(*s->networks));
	fill_endpoint(&s->networks[0], "proj_default", "172.18.0.5");
	s->networks[1].network = cc_xstrdup("proj_back"); /* only the name */
	s->network_mode = cc_xstrdup("bridge");
	s->nsecrets = 1;
	s->secrets = cc_xcalloc(1, sizeof(*s->secrets));
	fill_file_ref(&s->secrets[0], "proj_db_password", "/run/secrets/db_password");
	s->nconfigs = 2;
	s->configs = cc_xcalloc(2, sizeof(*s->configs));
	fill_file_ref(&s->configs[0], "proj_nginx_conf", "/etc/nginx/nginx.conf");
	s->configs[1].source = cc_xstrdup("proj_other");
	s->configs[1].target = cc_xstrdup("/other");
	s->cap_add = strv("NET_ADMIN", "SYS_TIME", NULL);
	s->cap_drop = strv("ALL", NULL);
	s->extra_hosts = strv("db:10.0.0.2", NULL);
	s->dns = strv("8.8.8.8", NULL);
	s->dns_search = strv("example.org", NULL);
	s->dns_opt = strv("ndots:2", NULL);
	s->group_add = strv("audio", NULL);
	s->security_opt = strv("no-new-privileges:true", NULL);
	s->devices = strv("/dev/fuse:/dev/fuse:rwm", NULL);
	s->tmpfs = strv("/run:size=1m", NULL);
	cc_kvs_set(&s->sysctls, "net.core.somaxconn", "1024");
	s->nulimits = 2;
	s->ulimits = cc_xcalloc(2, sizeof(*s->ulimits));
	s->ulimits[0] = (struct cc_ulimit){.name = cc_xstrdup("nofile"), .soft = 1024, .hard = 65536};
	s->ulimits[1] = (struct cc_ulimit){.name = cc_xstrdup("core"), .soft = -1, .hard = -1};
	s->nano_cpus = 1500000000;
	s->memory = 512 << 20;
	s->memory_reservation = 256 << 20;
	s->memswap = -1;
	s->pids_limit = 100;
	s->shm_size = 64 << 20;
	s->cpu_shares = 512;
	s->pid_mode = cc_xstrdup("host");
	s->ipc_mode = cc_xstrdup("shareable");
	s->uts_mode = cc_xstrdup("host");
	s->cpuset = cc_xstrdup("0-1");
	s->cpu_period = 100000;
	s->cpu_quota = 25000;
	s->oom_score_adj = -500;
}

static void assert_endpoints_equal(const struct cc_endpoint *got, const struct cc_endpoint *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_str_or_null(got[i].network, want[i].network);
		assert_strv_equal(got[i].aliases, want[i].aliases);
		assert_str_or_null(got[i].ipv4_address, want[i].ipv4_address);
		assert_str_or_null(got[i].mac_address, want[i].mac_address);
	}
}

static void assert_ports_equal(const struct cc_port_binding *got, const struct cc_port_binding *want,
			       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_str_or_null(got[i].host_ip, want[i].host_ip);
		assert_int_equal(got[i].host_port, want[i].host_port);
		assert_int_equal(got[i].host_port_end, want[i].host_port_end);
		assert_int_equal(got[i].container_port, want[i].container_port);
		assert_string_equal(got[i].protocol, want[i].protocol);
	}
}

static void assert_file_refs_equal(const struct cc_file_ref *got, const struct cc_file_ref *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_str_or_null(got[i].source, want[i].source);
		assert_str_or_null(got[i].target, want[i].target);
		assert_str_or_null(got[i].uid, want[i].uid);
		assert_str_or_null(got[i].gid, want[i].gid);
		assert_int_equal(got[i].mode, want[i].mode);
	}
}

static void assert_spec_equal(const struct cc_container_spec *g, const struct cc_container_spec *w)
{
	assert_str_or_null(g->name, w->name);
	assert_str_or_null(g->image, w->image);
	assert_str_or_null(g->platform, w->platform);
	assert_int_equal(g->has_entrypoint, w->has_entrypoint);
	assert_strv_equal(g->entrypoint, w->entrypoint);
	assert_int_equal(g->has_cmd, w->has_cmd);
	assert_strv_equal(g->cmd, w->cmd);
	assert_strv_equal(g->env, w->env);
	assert_kvs_equal(&g->labels, &w->labels);
	assert_str_or_null(g->working_dir, w->working_dir);
	assert_str_or_null(g->user, w->user);
	assert_str_or_null(g->hostname, w->hostname);
	assert_str_or_null(g->domainname, w->domainname);
	assert_int_equal(g->tty, w->tty);
	assert_int_equal(g->stdin_open, w->stdin_open);
	assert_int_equal(g->init, w->init);
	assert_int_equal(g->privileged, w->privileged);
	assert_int_equal(g->read_only, w->read_only);
	assert_int_equal(g->restart, w->restart);
	assert_int_equal(g->restart_max_retries, w->restart_max_retries);
	assert_str_or_null(g->stop_signal, w->stop_signal);
	assert_int_equal(g->stop_grace_ns, w->stop_grace_ns);
	if (!w->healthcheck) {
		assert_null(g->healthcheck);
	} else {
		assert_non_null(g->healthcheck);
		assert_strv_equal(g->healthcheck->test, w->healthcheck->test);
		assert_int_equal(g->healthcheck->interval_ns, w->healthcheck->interval_ns);
		assert_int_equal(g->healthcheck->timeout_ns, w->healthcheck->timeout_ns);
		assert_int_equal(g->healthcheck->start_period_ns, w->healthcheck->start_period_ns);
		assert_int_equal(g->healthcheck->start_interval_ns, w->healthcheck->start_interval_ns);
		assert_int_equal(g->healthcheck->retries, w->healthcheck->retries);
	}
	assert_int_equal(g->nports, w->nports);
	assert_ports_equal(g->ports, w->ports, w->nports);
	assert_int_equal(g->nmounts, w->nmounts);
	for (size_t i = 0; i < w->nmounts; i++) {
		assert_int_equal(g->mounts[i].type, w->mounts[i].type);
		assert_str_or_null(g->mounts[i].source, w->mounts[i].source);
		assert_str_or_null(g->mounts[i].target, w->mounts[i].target);
		assert_int_equal(g->mounts[i].read_only, w->mounts[i].read_only);
		assert_int_equal(g->mounts[i].create_host_path, w->mounts[i].create_host_path);
		assert_int_equal(g->mounts[i].nocopy, w->mounts[i].nocopy);
		assert_int_equal(g->mounts[i].tmpfs_size, w->mounts[i].tmpfs_size);
	}
	assert_int_equal(g->nnetworks, w->nnetworks);
	assert_endpoints_equal(g->networks, w->networks, w->nnetworks);
	assert_str_or_null(g->network_mode, w->network_mode);
	assert_int_equal(g->nsecrets, w->nsecrets);
	assert_file_refs_equal(g->secrets, w->secrets, w->nsecrets);
	assert_int_equal(g->nconfigs, w->nconfigs);
	assert_file_refs_equal(g->configs, w->configs, w->nconfigs);
	assert_strv_equal(g->cap_add, w->cap_add);
	assert_strv_equal(g->cap_drop, w->cap_drop);
	assert_strv_equal(g->extra_hosts, w->extra_hosts);
	assert_strv_equal(g->dns, w->dns);
	assert_strv_equal(g->dns_search, w->dns_search);
	assert_strv_equal(g->dns_opt, w->dns_opt);
	assert_strv_equal(g->group_add, w->group_add);
	assert_strv_equal(g->security_opt, w->security_opt);
	assert_strv_equal(g->devices, w->devices);
	assert_strv_equal(g->tmpfs, w->tmpfs);
	assert_kvs_equal(&g->sysctls, &w->sysctls);
	assert_int_equal(g->nulimits, w->nulimits);
	for (size_t i = 0; i < w->nulimits; i++) {
		assert_str_or_null(g->ulimits[i].name, w->ulimits[i].name);
		assert_int_equal(g->ulimits[i].soft, w->ulimits[i].soft);
		assert_int_equal(g->ulimits[i].hard, w->ulimits[i].hard);
	}
	assert_int_equal(g->nano_cpus, w->nano_cpus);
	assert_int_equal(g->memory, w->memory);
	assert_int_equal(g->memory_reservation, w->memory_reservation);
	assert_int_equal(g->memswap, w->memswap);
	assert_int_equal(g->pids_limit, w->pids_limit);
	assert_int_equal(g->shm_size, w->shm_size);
	assert_int_equal(g->cpu_shares, w->cpu_shares);
	assert_str_or_null(g->pid_mode, w->pid_mode);
	assert_str_or_null(g->ipc_mode, w->ipc_mode);
	assert_str_or_null(g->uts_mode, w->uts_mode);
	assert_str_or_null(g->cpuset, w->cpuset);
	assert_int_equal(g->cpu_period, w->cpu_period);
	assert_int_equal(g->cpu_quota, w->cpu_quota);
	assert_int_equal(g->oom_score_adj, w->oom_score_adj);
}

static void fill_container(struct cc_container *c)
{
	memset(c, 0, sizeof(*c));
	c->id = cc_xstrdup("4f2a9c0e1b3d5f7a9c0e1b3d5f7a9c0e1b3d5f7a9c0e1b3d5f7a9c0e1b3d5f7a");
	c->name = cc_xstrdup("proj-web-1");
	fill_spec(&c->spec);
	c->image_id = cc_xstrdup("sha256:abcdef");
	c->state = CC_STATE_RUNNING;
	c->exit_code = 137;
	c->oom_killed = true;
	c->pid = 4242;
	c->created_ns = 1700000000123456789;
	c->started_ns = 1700000001123456789;
	c->finished_ns = 1700000002123456789;
	c->health = CC_HEALTH_UNHEALTHY;
	c->failing_streak = 3;
	c->restart_count = 2;
	c->nendpoints = 1;
	c->endpoints = cc_xcalloc(1, sizeof(*c->endpoints));
	fill_endpoint(&c->endpoints[0], "proj_default", "172.18.0.5");
	c->npublished = 2;
	c->published = cc_xcalloc(2, sizeof(*c->published));
	fill_port(&c->published[0], "0.0.0.0", 8080, 0, 80, "tcp");
	fill_port(&c->published[1], NULL, 49153, 0, 53, "udp");
}

static void assert_container_equal(const struct cc_container *g, const struct cc_container *w)
{
	assert_str_or_null(g->id, w->id);
	assert_str_or_null(g->name, w->name);
	assert_spec_equal(&g->spec, &w->spec);
	assert_str_or_null(g->image_id, w->image_id);
	assert_int_equal(g->state, w->state);
	assert_int_equal(g->exit_code, w->exit_code);
	assert_int_equal(g->oom_killed, w->oom_killed);
	assert_int_equal(g->pid, w->pid);
	assert_int_equal(g->created_ns, w->created_ns);
	assert_int_equal(g->started_ns, w->started_ns);
	assert_int_equal(g->finished_ns, w->finished_ns);
	assert_int_equal(g->health, w->health);
	assert_int_equal(g->failing_streak, w->failing_streak);
	assert_int_equal(g->restart_count, w->restart_count);
	assert_int_equal(g->nendpoints, w->nendpoints);
	assert_endpoints_equal(g->endpoints, w->endpoints, w->nendpoints);
	assert_int_equal(g->npublished, w->npublished);
	assert_ports_equal(g->published, w->published, w->npublished);
}

/* --- round trips --- */

static void test_spec_round_trip(void **state)
{
	(void)state;
	struct cc_container_spec s, back;
	struct cc_error *err = NULL;
	fill_spec(&s);
	json_t *j = through_text(cc_container_spec_to_json(&s), NULL);
	assert_int_equal(cc_container_spec_from_json(j, &back, &err), 0);
	assert_null(err);
	assert_spec_equal(&back, &s);
	/* [] with has_entrypoint decodes to an empty vector, not NULL */
	assert_true(back.has_entrypoint);
	assert_non_null(back.entrypoint);
	assert_null(back.entrypoint[0]);
	json_decref(j);
	cc_container_spec_release(&back);
	cc_container_spec_release(&s);
}

static void test_container_round_trip(void **state)
{
	(void)state;
	struct cc_container c, back;
	struct cc_error *err = NULL;
	fill_container(&c);
	json_t *j = through_text(cc_container_to_json(&c), NULL);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "running");
	assert_string_equal(json_string_value(json_object_get(j, "health")), "unhealthy");
	assert_true(json_is_object(json_object_get(j, "config")));
	assert_int_equal(cc_container_from_json(j, &back, &err), 0);
	assert_null(err);
	assert_container_equal(&back, &c);
	json_decref(j);
	cc_container_release(&back);

	/* every state and health name survives */
	for (int st = 0; st < CC_STATE_COUNT_; st++) {
		for (int h = CC_HEALTH_NONE; h <= CC_HEALTH_UNHEALTHY; h++) {
			c.state = (enum cc_container_state)st;
			c.health = (enum cc_health_status)h;
			j = through_text(cc_container_to_json(&c), NULL);
			assert_int_equal(cc_container_from_json(j, &back, &err), 0);
			assert_int_equal(back.state, st);
			assert_int_equal(back.health, h);
			json_decref(j);
			cc_container_release(&back);
		}
	}
	cc_container_release(&c);
}

static void test_event_round_trip(void **state)
{
	(void)state;
	struct cc_event e = {.seq = 77, .time_ns = 1700000000000000001}, back;
	struct cc_error *err = NULL;
	e.type = cc_xstrdup("container");
	e.action = cc_xstrdup("die");
	e.id = cc_xstrdup("abc123");
	e.name = cc_xstrdup("proj-web-1");
	cc_kvs_set(&e.attributes, "exitCode", "1");
	cc_kvs_set(&e.attributes, "image", "nginx");
	cc_kvs_set(&e.attributes, "com.docker.compose.project", "proj");
	json_t *j = through_text(cc_event_to_json(&e), NULL);
	assert_int_equal(cc_event_from_json(j, &back, &err), 0);
	assert_int_equal(back.seq, 77);
	assert_int_equal(back.time_ns, 1700000000000000001);
	assert_string_equal(back.type, "container");
	assert_string_equal(back.action, "die");
	assert_string_equal(back.id, "abc123");
	assert_string_equal(back.name, "proj-web-1");
	assert_kvs_equal(&back.attributes, &e.attributes); /* in order */
	json_decref(j);
	cc_event_release(&back);

	/* seq 0 (not stored) is omitted, attributes always present */
	struct cc_event bare = {.time_ns = 5};
	bare.type = cc_xstrdup("network");
	bare.action = cc_xstrdup("create");
	char *text = cc_json_dump_compact(cc_event_to_json(&bare));
	assert_string_equal(text,
			    "{\"timeNs\":5,\"type\":\"network\",\"action\":\"create\",\"attributes\":{}}");
	free(text);
	cc_event_release(&bare);
	cc_event_release(&e);
}

static void test_image_round_trip(void **state)
{
	(void)state;
	struct cc_image img = {.size = 187654321, .created_ns = 1600000000000000000}, back;
	struct cc_error *err = NULL;
	img.id = cc_xstrdup("sha256:0123");
	img.repo_tags = strv("nginx:1.25", "nginx:latest", NULL);
	img.repo_digests = strv("nginx@sha256:feed", NULL);
	img.env = strv("PATH=/usr/bin", NULL);
	img.cmd = strv("nginx", "-g", "daemon off;", NULL);
	img.entrypoint = strv("/docker-entrypoint.sh", NULL);
	img.exposed_ports = strv("80/tcp", "443/tcp", NULL);
	img.layers = strv("sha256:l1", "sha256:l2", NULL);
	img.working_dir = cc_xstrdup("/");
	img.user = cc_xstrdup("nginx");
	cc_kvs_set(&img.labels, "maintainer", "NGINX");
	json_t *j = through_text(cc_image_to_json(&img), NULL);
	assert_int_equal(cc_image_from_json(j, &back, &err), 0);
	assert_string_equal(back.id, img.id);
	assert_strv_equal(back.repo_tags, img.repo_tags);
	assert_strv_equal(back.repo_digests, img.repo_digests);
	assert_int_equal(back.size, img.size);
	assert_int_equal(back.created_ns, img.created_ns);
	assert_strv_equal(back.env, img.env);
	assert_strv_equal(back.cmd, img.cmd);
	assert_strv_equal(back.entrypoint, img.entrypoint);
	assert_strv_equal(back.exposed_ports, img.exposed_ports);
	assert_strv_equal(back.layers, img.layers);
	assert_string_equal(back.working_dir, "/");
	assert_string_equal(back.user, "nginx");
	assert_kvs_equal(&back.labels, &img.labels);
	json_decref(j);
	cc_image_release(&back);
	cc_image_release(&img);

	/* the lists are always there, even empty */
	struct cc_image empty = {0};
	char *text = cc_json_dump_compact(cc_image_to_json(&empty));
	assert_string_equal(text,
			    "{\"repoTags\":[],\"repoDigests\":[],\"size\":0,\"createdNs\":0,\"env\":[],"
			    "\"cmd\":[],\"entrypoint\":[],\"exposedPorts\":[],\"layers\":[],\"labels\":{}}");
	free(text);
}

static void test_network_round_trip(void **state)
{
	(void)state;
	struct cc_network n = {.created_ns = 42}, back;
	struct cc_error *err = NULL;
	n.id = cc_xstrdup("net123");
	n.spec.name = cc_xstrdup("proj_default");
	n.spec.driver = cc_xstrdup("bridge");
	n.spec.subnet = cc_xstrdup("172.18.0.0/16");
	n.spec.gateway = cc_xstrdup("172.18.0.1");
	n.spec.ip_range = cc_xstrdup("172.18.5.0/24");
	n.spec.internal = n.spec.attachable = n.spec.enable_ipv6 = true;
	cc_kvs_set(&n.spec.labels, "com.docker.compose.network", "default");
	cc_kvs_set(&n.spec.options, "com.docker.network.bridge.name", "br-proj");
	cc_kvs_set(&n.containers, "proj-web-1", "172.18.0.5");
	cc_kvs_set(&n.containers, "proj-db-1", "172.18.0.6");
	json_t *j = through_text(cc_network_to_json(&n), NULL);
	assert_int_equal(cc_network_from_json(j, &back, &err), 0);
	assert_string_equal(back.id, "net123");
	assert_string_equal(back.spec.name, "proj_default");
	assert_string_equal(back.spec.driver, "bridge");
	assert_string_equal(back.spec.subnet, "172.18.0.0/16");
	assert_string_equal(back.spec.gateway, "172.18.0.1");
	assert_string_equal(back.spec.ip_range, "172.18.5.0/24");
	assert_true(back.spec.internal);
	assert_true(back.spec.attachable);
	assert_true(back.spec.enable_ipv6);
	assert_kvs_equal(&back.spec.labels, &n.spec.labels);
	assert_kvs_equal(&back.spec.options, &n.spec.options);
	assert_int_equal(back.created_ns, 42);
	assert_kvs_equal(&back.containers, &n.containers);
	json_decref(j);
	cc_network_release(&back);
	cc_network_release(&n);

	struct cc_network bare = {0};
	bare.spec.name = cc_xstrdup("n");
	char *text = cc_json_dump_compact(cc_network_to_json(&bare));
	assert_string_equal(
	    text, "{\"name\":\"n\",\"labels\":{},\"options\":{},\"createdNs\":0,\"containers\":{}}");
	free(text);
	cc_network_release(&bare);
}

static void test_volume_round_trip(void **state)
{
	(void)state;
	struct cc_volume v = {.created_ns = 99}, back;
	struct cc_error *err = NULL;
	v.spec.name = cc_xstrdup("proj_db");
	v.spec.driver = cc_xstrdup("local");
	cc_kvs_set(&v.spec.labels, "com.docker.compose.volume", "db");
	cc_kvs_set(&v.spec.options, "type", "tmpfs");
	cc_kvs_set(&v.spec.options, "device", "tmpfs");
	v.mountpoint = cc_xstrdup("/var/lib/cc/volumes/proj_db/_data");
	json_t *j = through_text(cc_volume_to_json(&v), NULL);
	assert_int_equal(cc_volume_from_json(j, &back, &err), 0);
	assert_string_equal(back.spec.name, "proj_db");
	assert_string_equal(back.spec.driver, "local");
	assert_kvs_equal(&back.spec.labels, &v.spec.labels);
	assert_kvs_equal(&back.spec.options, &v.spec.options);
	assert_string_equal(back.mountpoint, v.mountpoint);
	assert_int_equal(back.created_ns, 99);
	json_decref(j);
	cc_volume_release(&back);
	cc_volume_release(&v);
}

static void test_secret_round_trip(void **state)
{
	(void)state;
	for (int kind = CC_SECRET; kind <= CC_CONFIG; kind++) {
		struct cc_secret s = {.kind = (enum cc_secret_kind)kind, .created_ns = 7, .size = 33}, back;
		struct cc_error *err = NULL;
		s.name = cc_xstrdup("proj_db_password");
		s.digest = cc_xstrdup("sha256:beef");
		cc_kvs_set(&s.labels, "com.docker.compose.project", "proj");
		json_t *j = through_text(cc_secret_to_json(&s), NULL);
		assert_string_equal(json_string_value(json_object_get(j, "kind")),
				    kind == CC_SECRET ? "secret" : "config");
		assert_int_equal(cc_secret_from_json(j, &back, &err), 0);
		assert_string_equal(back.name, s.name);
		assert_int_equal(back.kind, kind);
		assert_kvs_equal(&back.labels, &s.labels);
		assert_int_equal(back.created_ns, 7);
		assert_string_equal(back.digest, "sha256:beef");
		assert_int_equal(back.size, 33);
		json_decref(j);
		cc_secret_release(&back);
		cc_secret_release(&s);
	}
}

static void test_stats_encode(void **state)
{
	(void)state;
	struct cc_stats s = {.sampled_ns = 10,
			     .cpu_usage_us = 11,
			     .system_cpu_us = 12,
			     .online_cpus = 4,
			     .memory_usage = 13,
			     .memory_limit = UINT64_MAX, /* "unlimited": clamped, never negative */
			     .oom_kills = 1,
			     .pids = 5,
			     .block_read = 14,
			     .block_write = 15};
	s.id = cc_xstrdup("abc");
	s.name = cc_xstrdup("web");
	s.nnetifs = 1;
	s.netifs = cc_xcalloc(1, sizeof(*s.netifs));
	s.netifs[0] = (struct cc_netif_stats){
	    .name = cc_xstrdup("eth0"), .rx_bytes = 100, .tx_bytes = 200, .rx_packets = 3, .tx_packets = 4};
	char *text = cc_json_dump_compact(cc_stats_to_json(&s));
	assert_string_equal(
	    text, "{\"id\":\"abc\",\"name\":\"web\",\"sampledNs\":10,\"cpuUsageMicroseconds\":11,"
		  "\"systemCpuMicroseconds\":12,\"onlineCpus\":4,\"memoryUsageBytes\":13,"
		  "\"memoryLimitBytes\":9223372036854775807,\"oomKillCount\":1,\"pids\":5,"
		  "\"blockReadBytes\":14,\"blockWriteBytes\":15,\"networks\":[{\"interface\":\"eth0\","
		  "\"receivedBytes\":100,\"transmittedBytes\":200,\"receivedPackets\":3,"
		  "\"transmittedPackets\":4}]}");
	free(text);
	cc_stats_release(&s);
	assert_null(s.netifs);
	cc_stats_release(&s); /* released twice: harmless */
}

/* --- omission rules --- */

static void test_omitted_fields(void **state)
{
	(void)state;
	struct cc_error *err = NULL;
	/* a spec with only an image writes only the image */
	struct cc_container_spec s = {.stop_grace_ns = -1};
	s.image = cc_xstrdup("alpine");
	char *text = cc_json_dump_compact(cc_container_spec_to_json(&s));
	assert_string_equal(text, "{\"image\":\"alpine\"}");
	free(text);

	/* has_cmd with a NULL vector is [], has_entrypoint false hides a vector; empty lists written as [] */
	s.has_cmd = true;
	s.entrypoint = strv("ignored", NULL);
	s.env = strv(NULL);
	s.stop_grace_ns = 0;
	text = cc_json_dump_compact(cc_container_spec_to_json(&s));
	assert_string_equal(text, "{\"image\":\"alpine\",\"cmd\":[],\"env\":[],\"stopGracePeriodNs\":0}");
	free(text);
	cc_container_spec_release(&s);

	/* decoding: absent stop grace is -1, absent entrypoint/cmd leave the flags false, null means absent
	 */
	json_t *j = NULL;
	assert_int_equal(cc_json_parse("{\"image\":\"alpine\",\"entrypoint\":null,\"user\":null,\"tty\":null,"
				       "\"unknownField\":{\"x\":[1,2]}}",
				       &j, &err),
			 0);
	assert_int_equal(cc_container_spec_from_json(j, &s, &err), 0);
	assert_null(err);
	assert_int_equal(s.stop_grace_ns, -1);
	assert_false(s.has_entrypoint);
	assert_null(s.entrypoint);
	assert_false(s.has_cmd);
	assert_null(s.user);
	assert_false(s.tty);
	assert_int_equal(s.restart, CC_RESTART_NO);
	json_decref(j);
	cc_container_spec_release(&s);

	/* a container with nothing optional: no null, no false booleans in its spec, no zero resources */
	struct cc_container c = {.state = CC_STATE_CREATED};
	c.id = cc_xstrdup("id1");
	c.name = cc_xstrdup("n1");
	c.spec.image = cc_xstrdup("alpine");
	c.spec.stop_grace_ns = -1;
	text = cc_json_dump_compact(cc_container_to_json(&c));
	assert_string_equal(text, "{\"id\":\"id1\",\"name\":\"n1\",\"config\":{\"image\":\"alpine\"},"
				  "\"state\":\"created\",\"exitCode\":0,\"oomKilled\":false,\"pid\":0,"
				  "\"createdNs\":0,\"failingStreak\":0,\"restartCount\":0,\"endpoints\":[],"
				  "\"published\":[]}");
	free(text);
	cc_container_release(&c);

	/* a default port writes its protocol; a restart policy of "no" with retries still says so */
	struct cc_container_spec p = {.stop_grace_ns = -1, .restart_max_retries = 2};
	p.image = cc_xstrdup("x");
	p.nports = 1;
	p.ports = cc_xcalloc(1, sizeof(*p.ports));
	p.ports[0].container_port = 80;
	text = cc_json_dump_compact(cc_container_spec_to_json(&p));
	assert_string_equal(text,
			    "{\"image\":\"x\",\"restartPolicy\":{\"name\":\"no\",\"maximumRetryCount\":2},"
			    "\"publishedPorts\":[{\"containerPort\":80,\"proto\":\"tcp\"}]}");
	free(text);
	cc_container_spec_release(&p);
}

/* Strings that are not UTF-8 are written with U+FFFD, so the output always parses. */
static void test_invalid_utf8(void **state)
{
	(void)state;
	struct cc_event e = {0}, back;
	struct cc_error *err = NULL;
	e.type = cc_xstrdup("container");
	e.action = cc_xstrdup("bad\xff"
			      "byte");
	cc_kvs_set(&e.attributes, "k\xc3", "\xed\xa0\x80"); /* a truncated sequence, an encoded surrogate */
	cc_kvs_set(&e.attributes, "ok", "h\xc3\xa9llo \xf0\x9f\x90\xb3");
	json_t *j = through_text(cc_event_to_json(&e), NULL);
	assert_int_equal(cc_event_from_json(j, &back, &err), 0);
	assert_string_equal(back.action, "bad\xef\xbf\xbd"
					 "byte");
	assert_string_equal(back.attributes.items[0].key, "k\xef\xbf\xbd");
	assert_string_equal(back.attributes.items[0].value, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(back.attributes.items[1].value, "h\xc3\xa9llo \xf0\x9f\x90\xb3");
	json_decref(j);
	cc_event_release(&back);
	cc_event_release(&e);
}

/* --- strict decoding --- */

enum which { SPEC, CONTAINER, EVENT, IMAGE, NETWORK, VOLUME, SECRET };

/* Decode `text` as `which`; expect INVALID_ARGUMENT with exactly `msg` and a zeroed output. */
static void check_decode_error(enum which which, const char *text, const char *msg)
{
	json_t *j = NULL;
	struct cc_error *err = NULL;
	if (cc_json_parse(text, &j, &err) < 0) {
		print_error("test JSON does not parse: %s\n", err->msg);
		fail();
	}
	union {
		struct cc_container_spec spec;
		struct cc_container container;
		struct cc_event event;
		struct cc_image image;
		struct cc_network network;
		struct cc_volume volume;
		struct cc_secret secret;
	} out;
	size_t size = 0;
	int r = 0;
	memset(&out, 0xA5, sizeof(out)); /* outputs are written, not read: garbage in must not matter */
	switch (which) {
	case SPEC:
		r = cc_container_spec_from_json(j, &out.spec, &err);
		size = sizeof(out.spec);
		break;
	case CONTAINER:
		r = cc_container_from_json(j, &out.container, &err);
		size = sizeof(out.container);
		break;
	case EVENT:
		r = cc_event_from_json(j, &out.event, &err);
		size = sizeof(out.event);
		break;
	case IMAGE:
		r = cc_image_from_json(j, &out.image, &err);
		size = sizeof(out.image);
		break;
	case NETWORK:
		r = cc_network_from_json(j, &out.network, &err);
		size = sizeof(out.network);
		break;
	case VOLUME:
		r = cc_volume_from_json(j, &out.volume, &err);
		size = sizeof(out.volume);
		break;
	case SECRET:
		r = cc_secret_from_json(j, &out.secret, &err);
		size = sizeof(out.secret);
		break;
	}
	if (r >= 0)
		print_error("[%s] decoded, expected: %s\n", text, msg);
	assert_true(r < 0);
	assert_non_null(err);
	if (strcmp(err->msg, msg) != 0)
		print_error("[%s]\n  got:      %s\n  expected: %s\n", text, err->msg, msg);
	assert_string_equal(err->msg, msg);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	if (!all_zero(&out, size))
		print_error("[%s]: output not zeroed\n", text);
	assert_true(all_zero(&out, size));
	cc_error_free(err);
	json_decref(j);
}

static void test_type_errors(void **state)
{
	(void)state;
	check_decode_error(
	    CONTAINER,
	    "{\"id\":\"x\",\"name\":\"n\",\"state\":\"running\","
	    "\"config\":{\"image\":\"i\",\"healthcheck\":{\"test\":[\"NONE\"],\"retries\":\"3\"}}}",
	    "config.healthcheck.retries: expected an integer");
	check_decode_error(SPEC, "{\"image\":\"i\",\"healthcheck\":{\"intervalNs\":1.5}}",
			   "healthcheck.intervalNs: expected an integer");
	check_decode_error(SPEC, "{\"image\":5}", "image: expected a string");
	check_decode_error(SPEC, "{\"image\":\"i\",\"tty\":1}", "tty: expected a boolean");
	check_decode_error(SPEC, "{\"image\":\"i\",\"tty\":\"true\"}", "tty: expected a boolean");
	check_decode_error(SPEC, "{\"image\":\"i\",\"cmd\":\"echo hi\"}",
			   "cmd: expected an array of strings");
	check_decode_error(SPEC, "{\"image\":\"i\",\"env\":[\"A=1\",2]}", "env[1]: expected a string");
	check_decode_error(SPEC, "{\"image\":\"i\",\"labels\":[\"a=b\"]}",
			   "labels: expected an object of strings");
	check_decode_error(SPEC, "{\"image\":\"i\",\"labels\":{\"a\":\"b\",\"c\":true}}",
			   "labels.c: expected a string");
	check_decode_error(SPEC, "{\"image\":\"i\",\"memoryBytes\":\"1g\"}",
			   "memoryBytes: expected an integer");
	check_decode_error(SPEC, "{\"image\":\"i\",\"healthcheck\":[]}", "healthcheck: expected an object");
	check_decode_error(
	    SPEC, "{\"image\":\"i\",\"restartPolicy\":{\"name\":\"sometimes\"}}",
	    "restartPolicy.name: expected \"no\", \"always\", \"on-failure\" or \"unless-stopped\"");
	check_decode_error(SPEC, "{\"image\":\"i\",\"restartPolicy\":{\"maximumRetryCount\":true}}",
			   "restartPolicy.maximumRetryCount: expected an integer");
	check_decode_error(SPEC, "{\"image\":\"i\",\"mounts\":{}}", "mounts: expected an array");
	check_decode_error(SPEC,
			   "{\"image\":\"i\",\"mounts\":[{\"type\":\"bind\",\"target\":\"/a\"},\"/b\"]}",
			   "mounts[1]: expected an object");
	check_decode_error(
	    SPEC,
	    "{\"image\":\"i\",\"mounts\":[{\"type\":\"bind\",\"source\":\"/s\",\"target\":\"/a\"},"
	    "{\"type\":\"volume\",\"target\":\"/b\",\"readOnly\":\"yes\"}]}",
	    "mounts[1].readOnly: expected a boolean");
	check_decode_error(SPEC, "{\"image\":\"i\",\"mounts\":[{\"type\":\"npipe\",\"target\":\"/a\"}]}",
			   "mounts[0].type: expected \"bind\", \"volume\" or \"tmpfs\"");
	check_decode_error(
	    SPEC, "{\"image\":\"i\",\"publishedPorts\":[{\"containerPort\":70000}]}",
	    "publishedPorts[0].containerPort: expected an integer between 0 and 65535, got 70000");
	check_decode_error(SPEC,
			   "{\"image\":\"i\",\"publishedPorts\":[{\"containerPort\":80,\"proto\":\"icmp\"}]}",
			   "publishedPorts[0].proto: expected \"tcp\", \"udp\" or \"sctp\"");
	check_decode_error(SPEC, "{\"image\":\"i\",\"networks\":[{\"name\":\"n\",\"aliases\":[1]}]}",
			   "networks[0].aliases[0]: expected a string");
	check_decode_error(SPEC,
			   "{\"image\":\"i\",\"secrets\":[{\"source\":\"s\",\"target\":\"/t\",\"mode\":-1}]}",
			   "secrets[0].mode: expected an integer between 0 and 4294967295, got -1");
	check_decode_error(SPEC, "{\"image\":\"i\",\"ulimits\":[{\"name\":\"nofile\",\"soft\":\"1\"}]}",
			   "ulimits[0].soft: expected an integer");
	check_decode_error(SPEC, "{\"image\":\"i\",\"sysctls\":{\"a\":1}}", "sysctls.a: expected a string");
	check_decode_error(SPEC, "[]", "container spec: expected an object");
	check_decode_error(CONTAINER, "{\"id\":\"x\",\"name\":\"n\",\"state\":\"zombie\"}",
			   "state: expected one of \"created\", \"running\", \"paused\", \"restarting\", "
			   "\"removing\", \"exited\", \"dead\"");
	check_decode_error(CONTAINER, "{\"id\":\"x\",\"name\":\"n\",\"state\":\"running\",\"health\":\"ok\"}",
			   "health: expected \"starting\", \"healthy\" or \"unhealthy\"");
	check_decode_error(CONTAINER,
			   "{\"id\":\"x\",\"name\":\"n\",\"state\":\"running\",\"pid\":4294967296}",
			   "pid: expected an integer between -2147483648 and 2147483647, got 4294967296");
	check_decode_error(CONTAINER,
			   "{\"id\":\"x\",\"name\":\"n\",\"state\":\"running\",\"config\":\"alpine\"}",
			   "config: expected an object");
	check_decode_error(CONTAINER,
			   "{\"id\":\"x\",\"name\":\"n\",\"state\":\"running\",\"config\":{\"image\":\"i\"},"
			   "\"endpoints\":[{\"name\":\"a\",\"ipv4Address\":10}]}",
			   "endpoints[0].ipv4Address: expected a string");
	check_decode_error(CONTAINER, "\"x\"", "container: expected an object");
	check_decode_error(EVENT, "{\"type\":\"container\",\"action\":\"die\",\"timeNs\":\"now\"}",
			   "timeNs: expected an integer");
	check_decode_error(EVENT,
			   "{\"type\":\"container\",\"action\":\"die\",\"attributes\":{\"exitCode\":1}}",
			   "attributes.exitCode: expected a string");
	check_decode_error(IMAGE, "{\"repoTags\":\"nginx\"}", "repoTags: expected an array of strings");
	check_decode_error(IMAGE, "{\"size\":1e3}", "size: expected an integer");
	check_decode_error(NETWORK, "{\"name\":\"n\",\"internal\":0}", "internal: expected a boolean");
	check_decode_error(NETWORK, "{\"name\":\"n\",\"containers\":{\"web\":null}}",
			   "containers.web: expected a string");
	check_decode_error(VOLUME, "{\"name\":\"v\",\"options\":{\"o\":[]}}", "options.o: expected a string");
	check_decode_error(SECRET, "{\"name\":\"s\",\"kind\":\"password\"}",
			   "kind: expected \"secret\" or \"config\"");
	check_decode_error(SECRET, "{\"name\":\"s\",\"size\":\"10\"}", "size: expected an integer");
}

static void test_missing_required(void **state)
{
	(void)state;
	check_decode_error(SPEC, "{\"name\":\"n\"}", "image: missing required field");
	check_decode_error(SPEC, "{\"image\":null}", "image: missing required field");
	check_decode_error(CONTAINER, "{\"name\":\"n\",\"state\":\"running\"}", "id: missing required field");
	check_decode_error(CONTAINER, "{\"id\":\"x\",\"state\":\"running\"}", "name: missing required field");
	check_decode_error(CONTAINER, "{\"id\":\"x\",\"name\":\"n\"}", "state: missing required field");
	check_decode_error(CONTAINER, "{\"id\":\"x\",\"name\":\"n\",\"state\":\"running\",\"config\":{}}",
			   "config.image: missing required field");
	check_decode_error(SPEC, "{\"image\":\"i\",\"mounts\":[{\"type\":\"bind\",\"source\":\"/s\"}]}",
			   "mounts[0].target: missing required field");
	check_decode_error(SPEC, "{\"image\":\"i\",\"mounts\":[{\"target\":\"/t\"}]}",
			   "mounts[0].type: missing required field");
	check_decode_error(SPEC, "{\"image\":\"i\",\"publishedPorts\":[{\"hostPort\":80}]}",
			   "publishedPorts[0].containerPort: missing required field");
	check_decode_error(SPEC, "{\"image\":\"i\",\"networks\":[{\"aliases\":[]}]}",
			   "networks[0].name: missing required field");
	check_decode_error(SPEC, "{\"image\":\"i\",\"configs\":[{\"target\":\"/t\"}]}",
			   "configs[0].source: missing required field");
	check_decode_error(SPEC, "{\"image\":\"i\",\"ulimits\":[{\"soft\":1}]}",
			   "ulimits[0].name: missing required field");
	check_decode_error(EVENT, "{\"action\":\"die\"}", "type: missing required field");
	check_decode_error(EVENT, "{\"type\":\"container\"}", "action: missing required field");
	check_decode_error(NETWORK, "{\"id\":\"x\"}", "name: missing required field");
	check_decode_error(VOLUME, "{\"driver\":\"local\"}", "name: missing required field");
	check_decode_error(SECRET, "{\"kind\":\"config\"}", "name: missing required field");
}

static void test_minimal_decodes(void **state)
{
	(void)state;
	json_t *j = NULL;
	struct cc_error *err = NULL;
	struct cc_container c;
	/* no config: an empty spec with the default stop grace; "" health is none */
	assert_int_equal(
	    cc_json_parse("{\"id\":\"x\",\"name\":\"n\",\"state\":\"exited\",\"health\":\"\"}", &j, &err), 0);
	assert_int_equal(cc_container_from_json(j, &c, &err), 0);
	assert_int_equal(c.state, CC_STATE_EXITED);
	assert_int_equal(c.health, CC_HEALTH_NONE);
	assert_null(c.spec.image);
	assert_int_equal(c.spec.stop_grace_ns, -1);
	assert_int_equal(c.nendpoints, 0);
	assert_null(c.endpoints);
	json_decref(j);
	cc_container_release(&c);

	/* an empty array of objects is no array; a port without proto is tcp; "" restart is "no" */
	struct cc_container_spec s;
	assert_int_equal(
	    cc_json_parse("{\"image\":\"i\",\"mounts\":[],\"publishedPorts\":[{\"containerPort\":53}],"
			  "\"restartPolicy\":{\"name\":\"\",\"maximumRetryCount\":0}}",
			  &j, &err),
	    0);
	assert_int_equal(cc_container_spec_from_json(j, &s, &err), 0);
	assert_int_equal(s.nmounts, 0);
	assert_null(s.mounts);
	assert_int_equal(s.nports, 1);
	assert_string_equal(s.ports[0].protocol, "tcp");
	assert_int_equal(s.restart, CC_RESTART_NO);
	json_decref(j);
	cc_container_spec_release(&s);
	assert_null(err);
}

static void test_json_text(void **state)
{
	(void)state;
	json_t *j = NULL;
	struct cc_error *err = NULL;
	assert_int_equal(cc_json_parse("{\"a\":\n  [1,}", &j, &err), -1);
	assert_null(j);
	assert_non_null(err);
	assert_int_equal(err->kind, CC_ERR_INVALID_ARGUMENT);
	assert_true(strncmp(err->msg, "invalid JSON at line 2 column ", 30) == 0);
	cc_error_release(&err);
	assert_int_equal(cc_json_parse("", &j, &err), -1);
	assert_true(strncmp(err->msg, "invalid JSON at line ", 21) == 0);
	cc_error_release(&err);
	/* NUL inside a string would truncate a C string silently: refused */
	assert_int_equal(cc_json_parse("\"a\\u0000b\"", &j, &err), -1);
	cc_error_release(&err);
	/* err may be NULL */
	assert_int_equal(cc_json_parse("{", &j, NULL), -1);

	assert_int_equal(cc_json_parse(" {\"b\": [1, 2], \"a\": \"x\"} ", &j, &err), 0);
	char *text = cc_json_dump_compact(j); /* steals j */
	assert_string_equal(text, "{\"b\":[1,2],\"a\":\"x\"}");
	free(text);
	assert_null(cc_json_dump_compact(NULL));

	/* the public vector and key/value helpers */
	cc_strv v = NULL;
	assert_int_equal(cc_json_parse("[\"a\",\"b\"]", &j, &err), 0);
	assert_int_equal(cc_strv_from_json(j, "args", &v, &err), 0);
	assert_int_equal(cc_strv_len(v), 2);
	json_decref(j);
	text = cc_json_dump_compact(cc_strv_to_json(v));
	assert_string_equal(text, "[\"a\",\"b\"]");
	free(text);
	cc_strv_free(v);
	assert_int_equal(cc_json_parse("[\"a\",null]", &j, &err), 0);
	assert_int_equal(cc_strv_from_json(j, "args", &v, &err), -1);
	assert_null(v);
	assert_string_equal(err->msg, "args[1]: expected a string");
	cc_error_release(&err);
	json_decref(j);

	struct cc_kvs kvs;
	assert_int_equal(cc_json_parse("{\"z\":\"1\",\"a\":\"2\",\"m\":\"3\"}", &j, &err), 0);
	assert_int_equal(cc_kvs_from_json(j, "opts", &kvs, &err), 0);
	json_decref(j);
	assert_int_equal(kvs.n, 3);
	assert_string_equal(kvs.items[0].key, "z"); /* the text's order */
	assert_string_equal(kvs.items[2].key, "m");
	text = cc_json_dump_compact(cc_kvs_to_json(&kvs));
	assert_string_equal(text, "{\"z\":\"1\",\"a\":\"2\",\"m\":\"3\"}");
	free(text);
	cc_kvs_release(&kvs);
	assert_int_equal(cc_json_parse("7", &j, &err), 0);
	assert_int_equal(cc_kvs_from_json(j, "opts", &kvs, &err), -1);
	assert_string_equal(err->msg, "opts: expected an object of strings");
	assert_int_equal(kvs.n, 0);
	cc_error_release(&err);
	json_decref(j);
}

/* --- types.c --- */

static void test_strv(void **state)
{
	(void)state;
	cc_strv v = NULL;
	assert_int_equal(cc_strv_len(v), 0);
	assert_null(cc_strv_copy(NULL));
	cc_strv_free(NULL);
	cc_strv_push(&v, "a");
	cc_strv_push(&v, "");
	cc_strv_push(&v, "c");
	assert_int_equal(cc_strv_len(v), 3);
	assert_string_equal(v[1], "");
	assert_null(v[3]);
	cc_strv c = cc_strv_copy(v);
	assert_true(c != v);
	assert_true(c[0] != v[0]);
	assert_strv_equal(c, v);
	cc_strv_free(v);
	cc_strv_free(c);
	cc_strv e = strv(NULL);
	cc_strv ec = cc_strv_copy(e);
	assert_non_null(ec); /* an empty vector copies to an empty vector, not NULL */
	assert_null(ec[0]);
	cc_strv_free(e);
	cc_strv_free(ec);
}

static void test_kvs(void **state)
{
	(void)state;
	struct cc_kvs kvs = {0};
	assert_null(cc_kvs_get(&kvs, "a"));
	cc_kvs_set(&kvs, "a", "1");
	cc_kvs_set(&kvs, "b", "2");
	cc_kvs_set(&kvs, "c", "3");
	cc_kvs_set(&kvs, "b", "two"); /* replaced in place: the order stays */
	assert_int_equal(kvs.n, 3);
	assert_string_equal(kvs.items[1].key, "b");
	assert_string_equal(kvs.items[1].value, "two");
	assert_string_equal(cc_kvs_get(&kvs, "b"), "two");
	assert_string_equal(cc_kvs_get(&kvs, "c"), "3");
	assert_null(cc_kvs_get(&kvs, "B"));
	cc_kvs_set(&kvs, "b", cc_kvs_get(&kvs, "b")); /* setting a value to itself */
	assert_string_equal(cc_kvs_get(&kvs, "b"), "two");
	struct cc_kvs copy;
	cc_kvs_copy(&copy, &kvs);
	cc_kvs_set(&copy, "a", "changed");
	cc_kvs_set(&copy, "d", "4");
	assert_string_equal(cc_kvs_get(&kvs, "a"), "1");
	assert_int_equal(kvs.n, 3);
	cc_kvs_release(&copy);
	cc_kvs_release(&kvs);
	assert_int_equal(kvs.n, 0);
	assert_null(kvs.items);
	cc_kvs_release(&kvs);
	struct cc_kvs empty = {0}, ecopy;
	cc_kvs_copy(&ecopy, &empty);
	assert_int_equal(ecopy.n, 0);
	cc_kvs_release(&ecopy);
}

static void test_name_tables(void **state)
{
	(void)state;
	static const char *const states[] = {"created",  "running", "paused", "restarting",
					     "removing", "exited",  "dead"};
	for (int i = 0; i < CC_STATE_COUNT_; i++) {
		assert_string_equal(cc_state_name((enum cc_container_state)i), states[i]);
		assert_int_equal(cc_state_parse(states[i]), i);
	}
	assert_int_equal(cc_state_parse("Running"), -1);
	assert_int_equal(cc_state_parse(""), -1);
	assert_int_equal(cc_state_parse(NULL), -1);
	assert_string_equal(cc_state_name(CC_STATE_COUNT_), "unknown");

	static const char *const healths[] = {"", "starting", "healthy", "unhealthy"};
	for (int i = CC_HEALTH_NONE; i <= CC_HEALTH_UNHEALTHY; i++) {
		assert_string_equal(cc_health_name((enum cc_health_status)i), healths[i]);
		assert_int_equal(cc_health_parse(healths[i]), i);
	}
	assert_int_equal(cc_health_parse("none"), -1);

	static const char *const restarts[] = {"no", "always", "on-failure", "unless-stopped"};
	for (int i = CC_RESTART_NO; i <= CC_RESTART_UNLESS_STOPPED; i++) {
		assert_string_equal(cc_restart_name((enum cc_restart_policy)i), restarts[i]);
		assert_int_equal(cc_restart_parse(restarts[i]), i);
	}
	assert_int_equal(cc_restart_parse("on_failure"), -1);
	assert_int_equal(cc_restart_parse(""), -1);
}

static void test_copy_deep(void **state)
{
	(void)state;
	struct cc_container c, copy;
	fill_container(&c);
	cc_container_copy(&copy, &c);
	assert_container_equal(&copy, &c);
	/* nothing shared: change the copy everywhere, the original stays */
	assert_true(copy.spec.healthcheck != c.spec.healthcheck);
	assert_true(copy.spec.entrypoint != c.spec.entrypoint);
	copy.name[0] = 'X';
	copy.spec.image[0] = 'X';
	copy.spec.cmd[0][0] = 'X';
	copy.spec.labels.items[0].value[0] = 'X';
	cc_kvs_set(&copy.spec.labels, "new", "label");
	copy.spec.healthcheck->test[0][0] = 'X';
	copy.spec.healthcheck->retries = 99;
	copy.spec.ports[0].host_ip[0] = 'X';
	copy.spec.ports[0].host_port = 1;
	copy.spec.mounts[0].target[1] = 'X';
	copy.spec.networks[0].aliases[0][0] = 'X';
	copy.spec.secrets[0].uid[0] = 'X';
	copy.spec.configs[0].source[0] = 'X';
	copy.spec.cap_add[0][0] = 'X';
	copy.spec.sysctls.items[0].value[0] = 'X';
	copy.spec.ulimits[0].name[0] = 'X';
	copy.spec.pid_mode[0] = 'X';
	copy.endpoints[0].network[0] = 'X';
	copy.published[0].host_ip[0] = 'X';
	struct cc_container fresh;
	fill_container(&fresh);
	assert_container_equal(&c, &fresh);
	cc_container_release(&fresh);
	cc_container_release(&copy);

	/* a copied spec is independent too, and a copy of an empty spec is empty */
	struct cc_container_spec s, empty = {0}, ecopy;
	cc_container_spec_copy(&s, &c.spec);
	cc_container_release(&c);
	assert_string_equal(s.image, "nginx:1.25"); /* still valid after the source is gone */
	assert_true(s.has_entrypoint);
	assert_non_null(s.entrypoint);
	cc_container_spec_release(&s);
	cc_container_spec_copy(&ecopy, &empty);
	assert_true(all_zero(&ecopy, sizeof(ecopy)));
	cc_container_spec_release(&ecopy);
}

static void test_release_zeroes(void **state)
{
	(void)state;
	struct cc_container c;
	fill_container(&c);
	cc_container_release(&c);
	assert_true(all_zero(&c, sizeof(c)));
	cc_container_release(&c);

	struct cc_top t = {0};
	cc_strv_push(&t.titles, "PID");
	t.nrows = 2;
	t.rows = cc_xcalloc(2, sizeof(*t.rows));
	cc_strv_push(&t.rows[0], "1");
	cc_strv_push(&t.rows[1], "2");
	cc_top_release(&t);
	assert_true(all_zero(&t, sizeof(t)));

	struct cc_version v = {.backend = cc_xstrdup("mock"), .engine = cc_xstrdup("crun 1.8")};
	cc_version_release(&v);
	assert_true(all_zero(&v, sizeof(v)));
	struct cc_info info = {.root = cc_xstrdup("/var/lib/cc"), .running = 3};
	cc_info_release(&info);
	assert_true(all_zero(&info, sizeof(info)));

	struct cc_container *list = cc_xcalloc(2, sizeof(*list));
	fill_container(&list[0]);
	cc_containers_free(list, 2);
	cc_containers_free(NULL, 0);
	struct cc_image *imgs = cc_xcalloc(1, sizeof(*imgs));
	imgs[0].id = cc_xstrdup("x");
	cc_images_free(imgs, 1);
	struct cc_network *nets = cc_xcalloc(1, sizeof(*nets));
	nets[0].spec.name = cc_xstrdup("n");
	cc_networks_free(nets, 1);
	struct cc_volume *vols = cc_xcalloc(1, sizeof(*vols));
	vols[0].spec.name = cc_xstrdup("v");
	cc_volumes_free(vols, 1);
	struct cc_secret *secs = cc_xcalloc(1, sizeof(*secs));
	secs[0].name = cc_xstrdup("s");
	cc_secrets_free(secs, 1);
}

static struct cc_container make_container(const char *id, const char *name, enum cc_container_state st,
					  const char *project)
{
	struct cc_container c = {.state = st};
	c.id = cc_xstrdup(id);
	c.name = cc_xstrdup(name);
	if (project)
		cc_kvs_set(&c.spec.labels, "com.docker.compose.project", project);
	cc_kvs_set(&c.spec.labels, "tier", "front");
	cc_kvs_set(&c.spec.labels, "empty", "");
	return c;
}

static void test_container_matches(void **state)
{
	(void)state;
	struct cc_container run = make_container("abc123", "proj-web-1", CC_STATE_RUNNING, "proj");
	struct cc_container exited = make_container("def456", "proj-db-1", CC_STATE_EXITED, "proj");
	struct cc_container other = make_container("abd789", "other-web-1", CC_STATE_RUNNING, "other");
	struct cc_container loose = make_container("fff000", "loose", CC_STATE_RUNNING, NULL);

	/* no filter: running only, unless all */
	struct cc_container_filter f = {0};
	assert_true(cc_container_matches(&run, &f));
	assert_false(cc_container_matches(&exited, &f));
	assert_true(cc_container_matches(&run, NULL));
	f.all = true;
	assert_true(cc_container_matches(&exited, &f));

	/* docker ps without -a shows paused and restarting containers too */
	f.all = false;
	static const bool shown[CC_STATE_COUNT_] = {
	    [CC_STATE_RUNNING] = true, [CC_STATE_PAUSED] = true, [CC_STATE_RESTARTING] = true};
	for (int st = 0; st < CC_STATE_COUNT_; st++) {
		exited.state = (enum cc_container_state)st;
		assert_int_equal(cc_container_matches(&exited, &f), shown[st]);
	}
	exited.state = CC_STATE_EXITED;

	/* a state mask overrides both */
	f.state_mask = 1u << CC_STATE_EXITED;
	assert_true(cc_container_matches(&exited, &f));
	assert_false(cc_container_matches(&run, &f));
	f.all = true;
	assert_false(cc_container_matches(&run, &f));
	f.state_mask = (1u << CC_STATE_EXITED) | (1u << CC_STATE_RUNNING);
	assert_true(cc_container_matches(&run, &f));
	f.state_mask = 0;

	/* project */
	f.project = "proj";
	assert_true(cc_container_matches(&run, &f));
	assert_true(cc_container_matches(&exited, &f));
	assert_false(cc_container_matches(&other, &f));
	assert_false(cc_container_matches(&loose, &f));
	f.project = "pro";
	assert_false(cc_container_matches(&run, &f));
	f.project = NULL;

	/* name or id prefix */
	f.name_prefix = "proj-";
	assert_true(cc_container_matches(&run, &f));
	assert_false(cc_container_matches(&other, &f));
	f.name_prefix = "ab";
	assert_true(cc_container_matches(&run, &f));
	assert_true(cc_container_matches(&other, &f));
	assert_false(cc_container_matches(&exited, &f));
	f.name_prefix = "abd";
	assert_false(cc_container_matches(&run, &f));
	assert_true(cc_container_matches(&other, &f));
	f.name_prefix = "";
	assert_true(cc_container_matches(&loose, &f));
	f.name_prefix = "proj-web-1-longer";
	assert_false(cc_container_matches(&run, &f));
	f.name_prefix = NULL;

	/* labels: "key" exists, "key=value" equal; all must hold */
	cc_strv exists = strv("tier", NULL);
	cc_strv equal = strv("tier=front", NULL);
	cc_strv differs = strv("tier=back", NULL);
	cc_strv absent = strv("nope", NULL);
	cc_strv empty_value = strv("empty=", NULL);
	cc_strv prefix_key = strv("tie=front", NULL);
	cc_strv both = strv("tier=front", "com.docker.compose.project=proj", NULL);
	cc_strv one_fails = strv("tier=front", "com.docker.compose.project=other", NULL);
	f.labels = exists;
	assert_true(cc_container_matches(&run, &f));
	f.labels = equal;
	assert_true(cc_container_matches(&run, &f));
	f.labels = differs;
	assert_false(cc_container_matches(&run, &f));
	f.labels = absent;
	assert_false(cc_container_matches(&run, &f));
	f.labels = empty_value;
	assert_true(cc_container_matches(&run, &f));
	f.labels = prefix_key;
	assert_false(cc_container_matches(&run, &f));
	f.labels = both;
	assert_true(cc_container_matches(&run, &f));
	assert_false(cc_container_matches(&other, &f));
	f.labels = one_fails;
	assert_false(cc_container_matches(&run, &f));

	/* everything together */
	struct cc_container_filter g = {
	    .project = "proj", .name_prefix = "proj-db", .labels = equal, .all = true};
	assert_true(cc_container_matches(&exited, &g));
	assert_false(cc_container_matches(&run, &g));
	g.all = false;
	assert_false(cc_container_matches(&exited, &g));

	cc_strv lists[] = {exists, equal, differs, absent, empty_value, prefix_key, both, one_fails};
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		cc_strv_free(lists[i]);
	cc_container_release(&run);
	cc_container_release(&exited);
	cc_container_release(&other);
	cc_container_release(&loose);
}

/* inspect's config is the image's configuration under the spec's, as docker merges them at create; the spec
 * itself round-trips through `spec`, health log included */
static void test_inspect_config_merges_image(void **state)
{
	(void)state;
	char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", name[] = "web",
	     image[] = "app:1", e1[] = "MODE=prod", ie1[] = "PATH=/bin", ie2[] = "MODE=dev", ic[] = "serve",
	     iw[] = "/srv", ep[] = "/entry", out[] = "ok";
	char *env[] = {e1, NULL}, *ienv[] = {ie1, ie2, NULL}, *icmd[] = {ic, NULL}, *ient[] = {ep, NULL};
	struct cc_health_result log[] = {{.start_ns = 1, .end_ns = 2, .exit_code = 0, .output = out}};
	struct cc_container c = {.id = id,
				 .name = name,
				 .state = CC_STATE_RUNNING,
				 .health = CC_HEALTH_HEALTHY,
				 .health_log = log,
				 .nhealth_log = 1};
	c.spec.name = name;
	c.spec.image = image;
	c.spec.env = env;
	c.spec.stop_grace_ns = -1;
	struct cc_image img = {.env = ienv, .cmd = icmd, .working_dir = iw};
	json_t *o = api_container_inspect(&c, &img);
	json_t *cfg = json_object_get(o, "config");
	assert_string_equal(json_string_value(json_object_get(cfg, "hostname")), "0123456789ab");
	json_t *envj = json_object_get(cfg, "env");
	assert_int_equal(json_array_size(envj), 2);
	assert_string_equal(json_string_value(json_array_get(envj, 0)), "PATH=/bin");
	assert_string_equal(json_string_value(json_array_get(envj, 1)), "MODE=prod");
	assert_string_equal(json_string_value(json_array_get(json_object_get(cfg, "cmd"), 0)), "serve");
	assert_string_equal(json_string_value(json_object_get(cfg, "workingDir")), "/srv");
	assert_true(json_is_object(json_object_get(cfg, "labels")));
	json_t *hl = json_object_get(json_object_get(json_object_get(o, "state"), "health"), "log");
	assert_int_equal(json_array_size(hl), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(hl, 0), "output")), "ok");
	/* an entrypoint given clears the image's command */
	c.spec.has_entrypoint = true;
	c.spec.entrypoint = ient;
	json_t *o2 = api_container_inspect(&c, &img);
	assert_int_equal(json_array_size(json_object_get(json_object_get(o2, "config"), "cmd")), 0);
	/* and the remote side reads the spec back, not the merged view */
	struct cc_container back;
	struct cc_error *err = NULL;
	assert_int_equal(api_container_decode(o2, &back, &err), 0);
	assert_string_equal(back.spec.env[0], "MODE=prod");
	assert_null(back.spec.env[1]);
	assert_false(back.spec.has_cmd);
	assert_int_equal(back.nhealth_log, 1);
	cc_container_release(&back);
	json_decref(o);
	json_decref(o2);
}

/* the name a copied path's entries come under: never one that climbs out of the directory it is joined to */
static void test_copy_entry_name(void **state)
{
	(void)state;
	static const char *const cases[][2] = {{"/etc/hosts", "hosts"}, {"/", "root"},     {".", "root"},
					       {"..", "root"},          {"../..", "root"}, {"a/..", "root"},
					       {"/x/y/", "y"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = api_copy_entry_name(cases[i][0]);
		assert_string_equal(n, cases[i][1]);
		free(n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_round_trip),
	    cmocka_unit_test(test_inspect_config_merges_image),
	    cmocka_unit_test(test_copy_entry_name),
	    cmocka_unit_test(test_container_round_trip),
	    cmocka_unit_test(test_event_round_trip),
	    cmocka_unit_test(test_image_round_trip),
	    cmocka_unit_test(test_network_round_trip),
	    cmocka_unit_test(test_volume_round_trip),
	    cmocka_unit_test(test_secret_round_trip),
	    cmocka_unit_test(test_stats_encode),
	    cmocka_unit_test(test_omitted_fields),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_type_errors),
	    cmocka_unit_test(test_missing_required),
	    cmocka_unit_test(test_minimal_decodes),
	    cmocka_unit_test(test_json_text),
	    cmocka_unit_test(test_strv),
	    cmocka_unit_test(test_kvs),
	    cmocka_unit_test(test_name_tables),
	    cmocka_unit_test(test_copy_deep),
	    cmocka_unit_test(test_release_zeroes),
	    cmocka_unit_test(test_container_matches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
