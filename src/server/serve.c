/* The daemon's lifecycle (design/API.md "Daemon lifecycle and transports"): probe, bind, serve until
 * SIGTERM/SIGINT, then stop accepting, drain in-flight requests (at most DRAIN_NS), end streams, unlink the
 * socket and return. Signals are taken synchronously with sigwait on the calling thread, so no handler
 * touches any state. */
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/libgnutls.h"
#include "base/random.h"
#include "base/xalloc.h"
#include "server/http.h"
#include "server/internal.h"
#include "server/listen.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DRAIN_NS (10 * CC_NS_PER_SEC)

struct tls_files {
	char *cert, *key, *ca;
};

static int read_pem(const char *path, const char *what, char **out, struct cc_error **err)
{
	size_t len;
	if (cc_read_file(path, out, &len, err) < 0)
		return cc_error_wrap(err, "%s", what);
	return 0;
}

/* --cert/--key, or cert.pem/key.pem in the state root. */
static int load_tls(const struct srv_config *cfg, struct tls_files *t, struct cc_error **err)
{
	char *cert = cfg->cert ? cc_xstrdup(cfg->cert) : cc_path_join(cfg->root, "cert.pem");
	char *key = cfg->key ? cc_xstrdup(cfg->key) : cc_path_join(cfg->root, "key.pem");
	int r = 0;
	if (!cc_file_exists(cert) || !cc_file_exists(key)) {
		r = cc_error_set(
		    err, CC_ERR_INVALID_ARGUMENT,
		    "tls:// needs a certificate and key: give --cert and --key, or create %s and %s "
		    "with `container-compose system generate-cert`",
		    cert, key);
	} else if (read_pem(cert, "--cert", &t->cert, err) < 0 || read_pem(key, "--key", &t->key, err) < 0) {
		r = -1;
	} else if (cfg->client_ca && read_pem(cfg->client_ca, "--client-ca", &t->ca, err) < 0) {
		r = -1;
	}
	free(cert);
	free(key);
	return r;
}

static void server_init(struct server *s, const struct srv_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->root = cc_xstrdup(cfg->root);
	s->backend = cfg->backend ? cc_xstrdup(cfg->backend) : NULL;
	pthread_mutex_init(&s->pool.lock, NULL);
	pthread_mutex_init(&s->streams_lock, NULL);
	s->routes = srv_routes(&s->nroutes);
	s->started_ns = cc_now_ns();
	s->started_mono_ns = cc_monotonic_ns();
	char hex[9];
	cc_random_hex(hex, 4);
	s->request_prefix = (uint32_t)strtoul(hex, NULL, 16);
	s->keys = srv_keys_new(cfg->root);
	s->hub = srv_hub_new(s);
	s->loghub = srv_loghub_new(s);
	s->statshub = srv_statshub_new(s);
	s->summaries = srv_summaries_new();
}

static void server_release(struct server *s)
{
	/* first: their threads give their runtimes back to the pool */
	srv_hub_free(s->hub);
	srv_loghub_free(s->loghub);
	srv_statshub_free(s->statshub);
	srv_pool_close(s);
	srv_keys_free(s->keys);
	srv_summaries_free(s->summaries);
	pthread_mutex_destroy(&s->pool.lock);
	pthread_mutex_destroy(&s->streams_lock);
	free(s->root);
	free(s->backend);
}

/* HTTP threads by default: one CPU fewer than the host has (at least one, at most 16). The daemon shares its
 * host with its clients and their containers; a thread per CPU made it time-share a core with them, which
 * put the p99 of /_ping at 4 ms on 2 cores against 0.8 ms with one thread (bench/api). Nothing on these
 * threads blocks: slow routes and streams run on threads of their own. */
static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	return n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
}

static struct MHD_Daemon *start_mhd(struct server *s, int fd, const struct tls_files *t)
{
	unsigned flags = MHD_USE_EPOLL | MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_ALLOW_UPGRADE | MHD_USE_TURBO | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[12];
	size_t n = 0;
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, fd, NULL};
	unsigned threads = s->cfg->threads > 0 ? (unsigned)s->cfg->threads : default_threads();
	/* one thread is the internal polling thread itself; libmicrohttpd warns about a pool of one */
	if (threads > 1)
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, threads, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 4096, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 300, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)srv_http_completed, s};
	if (t->cert) {
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, t->cert};
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, t->key};
		if (t->ca)
			opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, t->ca};
	}
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	return MHD_start_daemon(flags, 0, NULL, NULL, srv_http_request, s, MHD_OPTION_ARRAY, opts,
				MHD_OPTION_END);
}

static void drain(struct server *s)
{
	int64_t end = cc_monotonic_ns() + DRAIN_NS;
	/* streams end now; other requests get the drain period to finish */
	srv_streams_end_all(s);
	srv_sessions_end_all(s);
	while ((atomic_load(&s->inflight) > 0 || s->sessions) && cc_monotonic_ns() < end) {
		cc_sleep_ns(20 * CC_NS_PER_MSEC);
		srv_streams_end_all(s);
		srv_sessions_end_all(s);
	}
}

int srv_run(const struct srv_config *cfg, enum srv_outcome *outcome, struct cc_error **err)
{
	*outcome = SRV_STOPPED;
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	/* a client that goes away mid-write must not kill the daemon */
	signal(SIGPIPE, SIG_IGN);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);

	struct srv_listener l;
	struct tls_files t = {0};
	struct server s;
	server_init(&s, cfg);
	struct MHD_Daemon *d = NULL;
	int r = -1;
	if (cc_mhd_ready(err) < 0 || cc_gnutls_ready(err) < 0 || srv_listen_parse(cfg->listen, &l, err) < 0)
		goto out;
	if (cfg->client_ca && l.transport != SRV_TLS) {
		cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "--client-ca needs a tls:// address");
		goto out;
	}
	if (l.transport == SRV_TLS && load_tls(cfg, &t, err) < 0)
		goto out;
	bool answers = false;
	if (srv_listen_probe(&l, &answers, err) < 0)
		goto out;
	if (answers) {
		*outcome = SRV_ALREADY_LISTENING;
		fprintf(cfg->out, "daemon already listening at %s\n", l.display);
		r = 0;
		goto out;
	}
	if (srv_listen_open(&l, err) < 0)
		goto out;
	if (l.transport == SRV_TCP && !l.loopback) {
		if (!cfg->insecure) {
			cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "%s is not a loopback address: plain TCP there sends tokens in clear text; use "
			    "tls://, or pass --insecure",
			    l.display);
			goto out;
		}
		fprintf(stderr,
			"WARNING: serving plain HTTP on %s: tokens and data cross the network "
			"unencrypted\n",
			l.display);
	}
	s.tls = l.transport == SRV_TLS;
	s.auth_on = l.transport != SRV_UNIX || cfg->auth_required;
	d = start_mhd(&s, l.fd, &t);
	if (!d) {
		cc_error_set(err, CC_ERR_INTERNAL, "cannot start the HTTP server on %s", l.display);
		goto out;
	}
	fprintf(cfg->out, "container-compose daemon listening at %s\n", l.display);
	fflush(cfg->out);
	for (;;) {
		int sig = 0;
		if (sigwait(&sigs, &sig) != 0 || sig == SIGHUP)
			continue;
		break;
	}
	atomic_store(&s.stopping, true);
	MHD_quiesce_daemon(d); /* stop accepting; the listening socket stays ours to close */
	drain(&s);
	if (atomic_load(&s.inflight) == 0 && !s.streams && !s.sessions) {
		MHD_stop_daemon(d);
		server_release(&s);
	}
	/* else requests still run past the drain period: the process is about to exit, and stopping the
	 * HTTP library under a suspended connection would be undefined, so both are left to the exit */
	d = NULL;
	r = 0;
	srv_listen_release(&l);
	goto done;
out:
	if (d)
		MHD_stop_daemon(d);
	server_release(&s);
	srv_listen_release(&l);
done:
	free(t.cert);
	free(t.key);
	free(t.ca);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}
