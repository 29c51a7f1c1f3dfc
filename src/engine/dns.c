/* aardvark-dns configuration and process: see dns.h. */
#include "engine/dns.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "engine/procstat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PID_FILE "aardvark.pid"

const char *native_dns_server(void)
{
	const char *env = getenv("CC_AARDVARK_DNS");
	const char *path = env && *env ? env : "/usr/lib/podman/aardvark-dns";
	return access(path, X_OK) == 0 ? path : NULL;
}

/* A network's file, replaced whole: the temporary one sits beside the directory, where aardvark-dns (which
 * reads every file in it as a network) never looks. */
static int write_atomic(const char *dir, const char *name, const char *text, struct cc_error **err)
{
	cleanup_free char *tmp = cc_xasprintf("%s.%s.tmp", dir, name);
	cleanup_free char *path = cc_xasprintf("%s/%s", dir, name);
	return cc_write_file_atomic(path, tmp, text, strlen(text), 0644, false, err);
}

static char *network_file(const struct native_dns_network *net)
{
	struct cc_strbuf sb = CC_STRBUF_INIT;
	/* the server listens on every gateway address; AAAA answers come from the IPv6 column */
	cc_strbuf_addf(&sb, "%s%s%s\n", net->gateway, net->gateway6 ? "," : "",
		       net->gateway6 ? net->gateway6 : "");
	for (size_t i = 0; i < net->nentries; i++) {
		const struct native_dns_entry *e = &net->entries[i];
		cc_strbuf_addf(&sb, "%s %s %s ", e->id, e->address, e->address6 ? e->address6 : "");
		for (size_t k = 0; e->names && e->names[k]; k++)
			cc_strbuf_addf(&sb, "%s%s", k ? "," : "", e->names[k]);
		for (size_t k = 0; e->dns && e->dns[k]; k++)
			cc_strbuf_addf(&sb, "%s%s", k ? "," : " ", e->dns[k]);
		cc_strbuf_addch(&sb, '\n');
	}
	return cc_strbuf_detach(&sb, NULL);
}

static bool wanted(const struct native_dns_network *nets, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(nets[i].name, name) == 0)
			return true;
	return false;
}

/* Network files left from networks that are gone. */
static void remove_stale(const char *dir, const struct native_dns_network *nets, size_t n)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, PID_FILE) == 0 || wanted(nets, n, de->d_name))
			continue;
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/* Is `pid` a live aardvark-dns: not gone, not a zombie (its parent is init, which does not reap it here),
 * not a recycled pid? */
static bool server_alive(pid_t pid)
{
	struct native_proc_stat st;
	return native_proc_stat(pid, &st) && strcmp(st.comm, "aardvark-dns") == 0 && st.state != 'Z';
}

/* The server's pid when the pid file names a live one, else 0. */
static pid_t running_server(const char *dir)
{
	cleanup_free char *path = cc_xasprintf("%s/" PID_FILE, dir);
	cleanup_free char *text = cc_read_text(path);
	if (!text)
		return 0;
	pid_t pid = (pid_t)atol(text);
	return pid > 0 && server_alive(pid) ? pid : 0;
}

/* SIGTERM, then wait (up to 2 s, then SIGKILL) until it no longer holds its sockets, so a server started
 * next can bind the same addresses. */
static void stop_server(pid_t pid)
{
	kill(pid, SIGTERM);
	for (int i = 0; i < 400 && server_alive(pid); i++) {
		if (i == 200)
			kill(pid, SIGKILL);
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static int start_server(const char *server, const char *dir, struct cc_error **err)
{
	/* not in the configuration directory: aardvark-dns reads every file there as a network */
	cleanup_free char *log = cc_xasprintf("%s.log", dir);
	int out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (out < 0 || null < 0) {
		if (out >= 0)
			close(out);
		if (null >= 0)
			close(null);
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "open %s", log);
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* its own session: the CLI's terminal and signals are not the server's */
		setsid();
		if (dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(127);
		close_range(3, ~0U, 0);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execl(server, server, "--config", dir, "-p", "53", "run", (char *)NULL);
		_exit(127);
	}
	close(out);
	close(null);
	if (pid < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "fork");
	/* aardvark-dns returns once its listeners are up and its daemon has written the pid file */
	int st = 0;
	pid_t w;
	while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	cleanup_free char *text = NULL;
	size_t len;
	struct cc_error *e = NULL;
	if (cc_read_file(log, &text, &len, &e) < 0)
		cc_error_free(e);
	return cc_error_set(err, CC_ERR_BACKEND_FAILURE, "aardvark-dns failed to start: %s",
			    text && *text ? text : "no message");
}

int native_dns_sync(const char *dir, const struct native_dns_network *nets, size_t nnets,
		    struct cc_error **err)
{
	if (cc_mkdir_p(dir, 0700, err) < 0)
		return -1;
	for (size_t i = 0; i < nnets; i++) {
		cleanup_free char *text = network_file(&nets[i]);
		if (write_atomic(dir, nets[i].name, text, err) < 0)
			return -1;
	}
	remove_stale(dir, nets, nnets);
	pid_t pid = running_server(dir);
	if (!nnets) {
		if (pid > 0)
			stop_server(pid);
		cleanup_free char *pidfile = cc_xasprintf("%s/" PID_FILE, dir);
		unlink(pidfile);
		return 0;
	}
	/* Debian 12's aardvark-dns (1.4) rebuilds its listeners on SIGHUP (containers/aardvark-dns#389): a
	 * query in that instant can go unanswered, and resolvers retry. */
	if (pid > 0 && kill(pid, SIGHUP) == 0)
		return 0;
	const char *server = native_dns_server();
	if (!server)
		return cc_error_set(
		    err, CC_ERR_BACKEND_FAILURE,
		    "service-name DNS needs aardvark-dns: install Debian's aardvark-dns package "
		    "(or set CC_AARDVARK_DNS)");
	return start_server(server, dir, err);
}
