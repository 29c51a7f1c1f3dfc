/* Listen addresses: parse, probe, bind (listen.h). */
#include "server/listen.h"
#include "base/fsutil.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include "base/libgnutls.h"
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define PROBE_TIMEOUT_MS 2000

static int parse_hostport(const char *scheme, const char *rest, struct srv_listener *l, struct cc_error **err)
{
	const char *colon;
	if (*rest == '[') {
		const char *close = strchr(rest, ']');
		if (!close)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s://%s: unclosed '[' in the host",
					    scheme, rest);
		l->host = cc_xstrndup(rest + 1, (size_t)(close - rest - 1));
		colon = close + 1;
		if (*colon != ':')
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s://%s: missing port", scheme,
					    rest);
	} else {
		colon = strrchr(rest, ':');
		if (!colon)
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s://%s: missing port", scheme,
					    rest);
		l->host = cc_xstrndup(rest, (size_t)(colon - rest));
	}
	if (!*l->host)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s://%s: missing host", scheme, rest);
	const char *port = colon + 1;
	char *end = NULL;
	long p = strtol(port, &end, 10);
	if (!*port || *end || p < 0 || p > 65535)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "%s://%s: the port must be a number from 0 to 65535", scheme, rest);
	l->port = cc_xstrdup(port);
	return 0;
}

int srv_listen_parse(const char *url, struct srv_listener *l, struct cc_error **err)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	const char *sep = strstr(url, "://");
	if (!sep)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
				    "malformed listen URL \"%s\": expected unix://PATH, tcp://HOST:PORT or "
				    "tls://HOST:PORT",
				    url);
	size_t slen = (size_t)(sep - url);
	const char *rest = sep + 3;
	if (slen == 4 && strncmp(url, "unix", 4) == 0) {
		l->transport = SRV_UNIX;
		if (rest[0] == '~' && (rest[1] == '/' || rest[1] == '\0')) {
			const char *home = getenv("HOME");
			l->path = cc_xasprintf("%s%s", home && *home ? home : "/root", rest + 1);
		} else if (rest[0] == '/') {
			l->path = cc_path_clean(rest);
		} else {
			return cc_error_set(
			    err, CC_ERR_INVALID_ARGUMENT,
			    "unix://%s: the socket path must be absolute (unix:///path) or start "
			    "with ~/",
			    rest);
		}
		if (strlen(l->path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
					    "unix://%s: the path is too long for a "
					    "socket",
					    l->path);
		l->display = cc_xasprintf("unix://%s", l->path);
		return 0;
	}
	if ((slen == 3 && strncmp(url, "tcp", 3) == 0) || (slen == 3 && strncmp(url, "tls", 3) == 0)) {
		l->transport = url[1] == 'c' ? SRV_TCP : SRV_TLS;
		if (parse_hostport(l->transport == SRV_TCP ? "tcp" : "tls", rest, l, err) < 0)
			return -1;
		bool v6 = strchr(l->host, ':') != NULL;
		l->display = cc_xasprintf("%s://%s%s%s:%s", l->transport == SRV_TCP ? "tcp" : "tls",
					  v6 ? "[" : "", l->host, v6 ? "]" : "", l->port);
		return 0;
	}
	return cc_error_set(err, CC_ERR_INVALID_ARGUMENT,
			    "unsupported scheme \"%.*s\" in listen URL \"%s\": use unix, tcp or tls",
			    (int)slen, url, url);
}

static int connect_to(struct srv_listener *l, int *fd_out)
{
	*fd_out = -1;
	if (l->transport == SRV_UNIX) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		strcpy(sa.sun_path, l->path);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		*fd_out = fd;
		return 0;
	}
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	if (getaddrinfo(l->host, l->port, &hints, &ai) != 0 || !ai)
		return -EADDRNOTAVAIL;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
	int e = errno;
	freeaddrinfo(ai);
	if (r < 0) {
		close(fd);
		return -e;
	}
	*fd_out = fd;
	return 0;
}

/* Send GET /_ping on fd (through TLS when tls is set) and read what comes back within the timeout. */
static bool pings_back(int fd, bool tls)
{
	static const char req[] = "GET /_ping HTTP/1.0\r\nHost: localhost\r\n\r\n";
	char buf[2048];
	size_t got = 0;
	gnutls_session_t s = NULL;
	gnutls_certificate_credentials_t cred = NULL;
	bool ok = false;
	struct timeval tv = {.tv_sec = PROBE_TIMEOUT_MS / 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (tls) {
		/* only "who is there" is asked here; no secret crosses, so the certificate is not checked */
		if (cc_gnutls_ready(NULL) < 0 || gnutls_certificate_allocate_credentials(&cred) < 0 ||
		    gnutls_init(&s, GNUTLS_CLIENT) < 0)
			goto out;
		gnutls_set_default_priority(s);
		gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
		gnutls_transport_set_int(s, fd);
		if (gnutls_handshake(s) < 0)
			goto out;
		if (gnutls_record_send(s, req, sizeof(req) - 1) < 0)
			goto out;
	} else if (write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1)) {
		goto out;
	}
	for (;;) {
		ssize_t n = tls ? gnutls_record_recv(s, buf + got, sizeof(buf) - 1 - got)
				: read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == sizeof(buf) - 1)
			break;
	}
	buf[got] = '\0';
	/* a daemon that requires tokens answers 401 with our envelope; either way it is ours */
	ok = strstr(buf, "container-compose") != NULL || strstr(buf, "\"requestId\"") != NULL;
out:
	if (s)
		gnutls_deinit(s);
	if (cred)
		gnutls_certificate_free_credentials(cred);
	return ok;
}

int srv_listen_probe(struct srv_listener *l, bool *daemon_answers, struct cc_error **err)
{
	*daemon_answers = false;
	int fd;
	int r = connect_to(l, &fd);
	if (r == 0) {
		bool ours = pings_back(fd, l->transport == SRV_TLS);
		close(fd);
		if (ours) {
			*daemon_answers = true;
			return 0;
		}
		return cc_error_set(err, CC_ERR_ALREADY_EXISTS, "%s is in use by another program",
				    l->display);
	}
	if (l->transport == SRV_UNIX && r == -ECONNREFUSED) {
		struct stat st;
		if (lstat(l->path, &st) == 0 && S_ISSOCK(st.st_mode) && unlink(l->path) < 0)
			return cc_error_set_errno(err, CC_ERR_PERMISSION, errno, "remove the stale socket %s",
						  l->path);
		if (lstat(l->path, &st) == 0 && !S_ISSOCK(st.st_mode))
			return cc_error_set(err, CC_ERR_ALREADY_EXISTS, "%s exists and is not a socket",
					    l->path);
	}
	return 0;
}

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

static int open_unix(struct srv_listener *l, struct cc_error **err)
{
	char *dir = cc_path_dir(l->path);
	int r = cc_mkdir_p(dir, 0700, err);
	free(dir);
	if (r < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cc_error_set_errno(err, CC_ERR_INTERNAL, errno, "socket");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, l->path);
	/* no moment where the socket is open to others: created 0600 under the umask, then made so */
	mode_t old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	umask(old);
	if (r < 0) {
		close(fd);
		return cc_error_set_errno(err, e == EADDRINUSE ? CC_ERR_ALREADY_EXISTS : CC_ERR_PERMISSION, e,
					  "bind %s", l->display);
	}
	if (chmod(l->path, 0600) < 0 || listen(fd, 1024) < 0) {
		e = errno;
		close(fd);
		unlink(l->path);
		return cc_error_set_errno(err, CC_ERR_INTERNAL, e, "listen on %s", l->display);
	}
	l->fd = fd;
	return 0;
}

static int open_tcp(struct srv_listener *l, struct cc_error **err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *ai = NULL;
	int gr = getaddrinfo(l->host, l->port, &hints, &ai);
	if (gr != 0 || !ai)
		return cc_error_set(err, CC_ERR_INVALID_ARGUMENT, "%s: cannot resolve the host: %s",
				    l->display, gai_strerror(gr));
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	l->loopback = is_loopback(ai->ai_addr);
	int r = bind(fd, ai->ai_addr, ai->ai_addrlen);
	int e = errno;
	freeaddrinfo(ai);
	if (r < 0 || listen(fd, 1024) < 0) {
		if (r == 0)
			e = errno;
		close(fd);
		return cc_error_set_errno(err, e == EADDRINUSE ? CC_ERR_ALREADY_EXISTS : CC_ERR_PERMISSION, e,
					  "bind %s", l->display);
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (strcmp(l->port, "0") == 0 && getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		unsigned port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
							 : ntohs(((struct sockaddr_in *)&ss)->sin_port);
		free(l->port);
		l->port = cc_xasprintf("%u", port);
		bool v6 = strchr(l->host, ':') != NULL;
		free(l->display);
		l->display = cc_xasprintf("%s://%s%s%s:%s", l->transport == SRV_TCP ? "tcp" : "tls",
					  v6 ? "[" : "", l->host, v6 ? "]" : "", l->port);
	}
	l->fd = fd;
	return 0;
}

int srv_listen_open(struct srv_listener *l, struct cc_error **err)
{
	return l->transport == SRV_UNIX ? open_unix(l, err) : open_tcp(l, err);
}

void srv_listen_release(struct srv_listener *l)
{
	if (l->fd >= 0) {
		close(l->fd);
		if (l->transport == SRV_UNIX)
			unlink(l->path);
	}
	l->fd = -1;
	free(l->path);
	free(l->host);
	free(l->port);
	free(l->display);
	memset(l, 0, sizeof(*l));
	l->fd = -1;
}
