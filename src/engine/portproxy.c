/* The IPv6 side of published ports (portproxy.h): one process per running container, a poll loop over the
 * listening sockets, the relayed TCP connections and the UDP exchanges. */
#include "engine/portproxy.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RELAY_BUF     16384
#define MAX_TCP       1024
#define MAX_UDP       256
#define UDP_IDLE_SECS 30 /* an exchange without traffic for this long is forgotten, as conntrack does */

static void describe(const struct native_proxy_port *p, char *out, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, &p->listen, addr, sizeof(addr));
	snprintf(out, size, "[%s]:%u/%s", addr, p->listen_port, p->udp ? "udp" : "tcp");
}

int native_proxy_listen(const struct native_proxy_port *p, size_t n, int *fds, char **msg)
{
	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
	for (size_t i = 0; i < n; i++) {
		int fd =
		    socket(AF_INET6, (p[i].udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int e = fd < 0 ? errno : 0;
		if (fd >= 0) {
			int one = 1;
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
			if (!p[i].udp)
				setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			struct sockaddr_in6 sa = {.sin6_family = AF_INET6,
						  .sin6_port = htons(p[i].listen_port),
						  .sin6_addr = p[i].listen};
			if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
			    (!p[i].udp && listen(fd, 128) < 0))
				e = errno;
		}
		if (e == 0) {
			fds[i] = fd;
			continue;
		}
		if (fd >= 0)
			close(fd);
		/* no IPv6 on this host: the implicit [::] of a port is then simply not there */
		if (p[i].optional && (e == EAFNOSUPPORT || e == EADDRNOTAVAIL))
			continue;
		char where[80];
		describe(&p[i], where, sizeof(where));
		*msg = cc_xasprintf("Bind for %s failed: %s", where,
				    e == EADDRINUSE ? "address already in use on the host" : strerror(e));
		for (size_t k = 0; k < i; k++)
			if (fds[k] >= 0)
				close(fds[k]);
		return -1;
	}
	return 0;
}

/* ---- TCP: a pair of sockets and a buffer each way ---- */

struct flow_dir {
	char buf[RELAY_BUF];
	size_t len, off;
	bool eof; /* its reading side is done */
};

struct tcp_pair {
	int fd[2]; /* 0: the client, 1: the container */
	bool connecting;
	struct flow_dir dir[2]; /* dir[s]: read from fd[s], written to fd[1 - s] */
};

struct udp_flow {
	int listener;               /* index of the port */
	struct sockaddr_in6 client; /* where answers go */
	int fd;                     /* connected to the container */
	time_t last;
};

struct relay {
	const struct native_proxy_port *ports;
	const int *listeners;
	size_t nports;
	struct tcp_pair *tcp[MAX_TCP];
	size_t ntcp;
	struct udp_flow udp[MAX_UDP];
	size_t nudp;
};

static void tcp_close(struct relay *r, size_t i)
{
	struct tcp_pair *t = r->tcp[i];
	close(t->fd[0]);
	close(t->fd[1]);
	free(t);
	r->tcp[i] = r->tcp[--r->ntcp];
}

static void tcp_accept(struct relay *r, size_t port)
{
	for (;;) {
		int c = accept4(r->listeners[port], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			return;
		int u =
		    r->ntcp < MAX_TCP ? socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
		struct sockaddr_in to = {.sin_family = AF_INET,
					 .sin_port = htons(r->ports[port].target_port),
					 .sin_addr = r->ports[port].target};
		int cr = u < 0 ? -1 : connect(u, (struct sockaddr *)&to, sizeof(to));
		if (u < 0 || (cr < 0 && errno != EINPROGRESS)) {
			if (u >= 0)
				close(u);
			close(c);
			continue;
		}
		struct tcp_pair *t = cc_xcalloc(1, sizeof(*t));
		t->fd[0] = c;
		t->fd[1] = u;
		t->connecting = cr < 0;
		r->tcp[r->ntcp++] = t;
	}
}

/* Moves what it can on pair t after poll said revents; false once the pair is done. */
static bool tcp_service(struct tcp_pair *t, const short revents[2])
{
	if (t->connecting) {
		if (!(revents[1] & (POLLOUT | POLLERR | POLLHUP)))
			return true;
		int e = 0;
		socklen_t len = sizeof(e);
		if (getsockopt(t->fd[1], SOL_SOCKET, SO_ERROR, &e, &len) < 0 || e != 0)
			return false; /* the container does not answer there: the client sees the close */
		t->connecting = false;
	}
	for (int s = 0; s < 2; s++) {
		struct flow_dir *d = &t->dir[s];
		if (d->len == 0 && !d->eof && (revents[s] & (POLLIN | POLLERR | POLLHUP))) {
			ssize_t k = read(t->fd[s], d->buf, sizeof(d->buf));
			if (k > 0) {
				d->len = (size_t)k;
				d->off = 0;
			} else if (k == 0) {
				d->eof = true;
				shutdown(t->fd[1 - s], SHUT_WR);
			} else if (errno != EAGAIN && errno != EINTR) {
				return false;
			}
		}
		if (d->len) {
			ssize_t k = write(t->fd[1 - s], d->buf + d->off, d->len - d->off);
			if (k < 0 && errno != EAGAIN && errno != EINTR)
				return false;
			if (k > 0)
				d->off += (size_t)k;
			if (d->off == d->len)
				d->len = d->off = 0;
		}
	}
	/* a side that hung up takes nothing more: what goes to it is dropped (else its POLLHUP, reported
	 * whether asked for or not, would spin this loop until the other side ends too) */
	for (int s = 0; s < 2; s++)
		if ((revents[s] & (POLLHUP | POLLERR)) && t->dir[s].eof && !t->dir[s].len) {
			t->dir[1 - s].eof = true;
			t->dir[1 - s].len = 0;
		}
	return !(t->dir[0].eof && t->dir[1].eof && !t->dir[0].len && !t->dir[1].len);
}

/* ---- UDP: one connected socket per client, forgotten when idle ---- */

static void udp_close(struct relay *r, size_t i)
{
	close(r->udp[i].fd);
	r->udp[i] = r->udp[--r->nudp];
}

static void udp_from_client(struct relay *r, size_t port, time_t now)
{
	char buf[65536];
	for (;;) {
		struct sockaddr_in6 from;
		socklen_t flen = sizeof(from);
		ssize_t k =
		    recvfrom(r->listeners[port], buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (k < 0)
			return;
		size_t i = 0;
		while (i < r->nudp &&
		       !(r->udp[i].listener == (int)port && r->udp[i].client.sin6_port == from.sin6_port &&
			 memcmp(&r->udp[i].client.sin6_addr, &from.sin6_addr, sizeof(from.sin6_addr)) == 0))
			i++;
		if (i == r->nudp) {
			if (r->nudp == MAX_UDP) { /* the longest idle makes room */
				size_t oldest = 0;
				for (size_t k2 = 1; k2 < r->nudp; k2++)
					if (r->udp[k2].last < r->udp[oldest].last)
						oldest = k2;
				udp_close(r, oldest);
			}
			int u = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			struct sockaddr_in to = {.sin_family = AF_INET,
						 .sin_port = htons(r->ports[port].target_port),
						 .sin_addr = r->ports[port].target};
			if (u < 0 || connect(u, (struct sockaddr *)&to, sizeof(to)) < 0) {
				if (u >= 0)
					close(u);
				continue;
			}
			i = r->nudp++;
			r->udp[i] = (struct udp_flow){(int)port, from, u, now};
		}
		r->udp[i].last = now;
		(void)!send(r->udp[i].fd, buf, (size_t)k, 0);
	}
}

static void udp_from_container(struct relay *r, size_t i, time_t now)
{
	char buf[65536];
	ssize_t k;
	while ((k = recv(r->udp[i].fd, buf, sizeof(buf), 0)) >= 0) {
		r->udp[i].last = now;
		(void)!sendto(r->listeners[r->udp[i].listener], buf, (size_t)k, 0,
			      (struct sockaddr *)&r->udp[i].client, sizeof(r->udp[i].client));
	}
}

__attribute__((noreturn)) static void relay_main(struct relay *r)
{
	size_t cap = r->nports + 2 * MAX_TCP + MAX_UDP;
	struct pollfd *p = cc_xcalloc(cap, sizeof(*p));
	for (;;) {
		size_t k = 0;
		for (size_t i = 0; i < r->nports; i++)
			p[k++] = (struct pollfd){r->listeners[i], r->listeners[i] >= 0 ? POLLIN : 0, 0};
		for (size_t i = 0; i < r->ntcp; i++) {
			const struct tcp_pair *t = r->tcp[i];
			for (int s = 0; s < 2; s++) {
				short ev = 0;
				if (!t->connecting && !t->dir[s].len && !t->dir[s].eof)
					ev |= POLLIN;
				if (t->dir[1 - s].len || (s == 1 && t->connecting))
					ev |= POLLOUT;
				p[k++] = (struct pollfd){t->fd[s], ev, 0};
			}
		}
		for (size_t i = 0; i < r->nudp; i++)
			p[k++] = (struct pollfd){r->udp[i].fd, POLLIN, 0};
		if (poll(p, (nfds_t)k, 1000) < 0 && errno != EINTR)
			_exit(1);
		time_t now = time(NULL);
		/* the arrays change below: services go by what was polled, in the order it was built */
		size_t at = r->nports;
		size_t ntcp = r->ntcp, nudp = r->nudp;
		struct tcp_pair *polled_tcp[MAX_TCP];
		memcpy(polled_tcp, r->tcp, ntcp * sizeof(*polled_tcp));
		for (size_t i = 0; i < ntcp; i++, at += 2) {
			short rev[2] = {p[at].revents, p[at + 1].revents};
			if ((rev[0] | rev[1]) && !tcp_service(polled_tcp[i], rev)) {
				for (size_t j = 0; j < r->ntcp; j++)
					if (r->tcp[j] == polled_tcp[i]) {
						tcp_close(r, j);
						break;
					}
			}
		}
		for (size_t i = nudp; i-- > 0;) {
			if (p[at + i].revents & POLLIN)
				udp_from_container(r, i, now);
			if (now - r->udp[i].last > UDP_IDLE_SECS)
				udp_close(r, i);
		}
		for (size_t i = 0; i < r->nports; i++)
			if (p[i].revents & POLLIN) {
				if (r->ports[i].udp)
					udp_from_client(r, i, now);
				else
					tcp_accept(r, i);
			}
	}
}

static int by_value(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Everything the monitor holds (the container's pipes, its log, its attach socket) but the sockets. */
static void close_all_but(const int *fds, size_t n)
{
	int *keep = cc_xcalloc(n + 1, sizeof(*keep));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			keep[k++] = fds[i];
	qsort(keep, k, sizeof(*keep), by_value);
	unsigned from = 3;
	for (size_t i = 0; i < k; i++) {
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
	free(keep);
}

pid_t native_proxy_start(const struct native_proxy_port *p, size_t n, int *fds)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		/* it relays for the monitor's container: it ends with the monitor, however that ends */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		close_all_but(fds, n);
		signal(SIGTERM, SIG_DFL);
		struct relay *r = cc_xcalloc(1, sizeof(*r));
		r->ports = p;
		r->listeners = fds;
		r->nports = n;
		relay_main(r);
	}
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return pid;
}
