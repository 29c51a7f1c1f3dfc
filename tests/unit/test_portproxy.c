/* The IPv6 relay of published ports (engine/portproxy.h) against echo servers on 127.0.0.1, with no
 * container: a TCP exchange larger than its buffers with half-closes both ways, a refused target, UDP from
 * two clients, and a port already taken. Skipped where the host has no IPv6 loopback. */
#include "unit.h"

#include "engine/portproxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static bool have_ipv6_loopback(void)
{
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = in6addr_loopback};
	bool ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
}

static int v4_socket(int type, uint16_t *port)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(fd, 8), 0);
	*port = bound_port(fd);
	return fd;
}

/* The TCP echo server: one connection, everything back, then its own half-close after the client's. */
static void *tcp_echo(void *arg)
{
	int l = *(int *)arg;
	int c = accept(l, NULL, NULL);
	if (c < 0)
		return NULL;
	char buf[4096];
	ssize_t k;
	while ((k = read(c, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < k;) {
			ssize_t w = write(c, buf + off, (size_t)(k - off));
			if (w <= 0)
				break;
			off += w;
		}
	shutdown(c, SHUT_WR);
	close(c);
	return NULL;
}

static void *udp_echo(void *arg)
{
	int fd = *(int *)arg;
	for (int i = 0; i < 4; i++) {
		char buf[256];
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t k = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (k < 0)
			return NULL;
		sendto(fd, buf, (size_t)k, 0, (struct sockaddr *)&from, len);
	}
	return NULL;
}

static pid_t start_proxy(struct native_proxy_port *p, size_t n, uint16_t *ports)
{
	int fds[4];
	char *msg = NULL;
	if (native_proxy_listen(p, n, fds, &msg) < 0)
		fail_msg("%s", msg);
	for (size_t i = 0; i < n; i++)
		ports[i] = bound_port(fds[i]);
	pid_t pid = native_proxy_start(p, n, fds);
	assert_true(pid > 0);
	return pid;
}

static void stop_proxy(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int v6_connect(int type, uint16_t port)
{
	int fd = socket(AF_INET6, type | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in6 sa = {
	    .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_loopback};
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	struct timeval tv = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void test_tcp_relay(void **state)
{
	if (!have_ipv6_loopback())
		skip();
	uint16_t target;
	int l = v4_socket(SOCK_STREAM, &target);
	pthread_t th;
	pthread_create(&th, NULL, tcp_echo, &l);
	struct native_proxy_port p = {.listen = in6addr_loopback, .target_port = target};
	p.target.s_addr = htonl(INADDR_LOOPBACK);
	uint16_t port;
	pid_t pid = start_proxy(&p, 1, &port);

	/* 1 MiB each way: many times the relay's buffers, so its writes go short and wait for room */
	size_t total = 1 << 20;
	char *out = malloc(total), *in = malloc(total);
	for (size_t i = 0; i < total; i++)
		out[i] = (char)(i * 7 + i / 4096);
	int c = v6_connect(SOCK_STREAM, port);
	size_t sent = 0, got = 0;
	while (got < total) {
		struct pollfd pf = {c, (short)(POLLIN | (sent < total ? POLLOUT : 0)), 0};
		assert_true(poll(&pf, 1, 5000) > 0);
		if ((pf.revents & POLLOUT) && sent < total) {
			ssize_t w =
			    send(c, out + sent, total - sent < 65536 ? total - sent : 65536, MSG_DONTWAIT);
			if (w > 0)
				sent += (size_t)w;
			if (sent == total)
				shutdown(c, SHUT_WR); /* the client's half-close reaches the server */
		}
		if (pf.revents & POLLIN) {
			ssize_t k = recv(c, in + got, total - got, MSG_DONTWAIT);
			assert_true(k > 0 || (k < 0 && errno == EAGAIN));
			if (k > 0)
				got += (size_t)k;
		}
	}
	assert_memory_equal(in, out, total);
	/* and the server's comes back: end of stream */
	char extra;
	assert_int_equal(recv(c, &extra, 1, 0), 0);
	close(c);
	pthread_join(th, NULL);

	/* a target that refuses: the client's connection is closed, the relay carries on */
	close(l);
	c = v6_connect(SOCK_STREAM, port);
	ssize_t k = recv(c, &extra, 1, 0);
	assert_true(k <= 0);
	close(c);
	assert_int_equal(kill(pid, 0), 0);
	stop_proxy(pid);
	free(out);
	free(in);
}

static void test_udp_relay(void **state)
{
	if (!have_ipv6_loopback())
		skip();
	uint16_t target;
	int u = v4_socket(SOCK_DGRAM, &target);
	pthread_t th;
	pthread_create(&th, NULL, udp_echo, &u);
	struct native_proxy_port p = {.udp = true, .listen = in6addr_loopback, .target_port = target};
	p.target.s_addr = htonl(INADDR_LOOPBACK);
	uint16_t port;
	pid_t pid = start_proxy(&p, 1, &port);
	/* two clients, each answered with its own words */
	int a = v6_connect(SOCK_DGRAM, port), b = v6_connect(SOCK_DGRAM, port);
	for (int round = 0; round < 2; round++) {
		char buf[64];
		assert_int_equal(send(a, "from-a", 6, 0), 6);
		assert_int_equal(send(b, "from-b", 6, 0), 6);
		assert_int_equal(recv(a, buf, sizeof(buf), 0), 6);
		assert_memory_equal(buf, "from-a", 6);
		assert_int_equal(recv(b, buf, sizeof(buf), 0), 6);
		assert_memory_equal(buf, "from-b", 6);
	}
	close(a);
	close(b);
	pthread_join(th, NULL);
	close(u);
	stop_proxy(pid);
}

static void test_port_taken(void **state)
{
	if (!have_ipv6_loopback())
		skip();
	int holder = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = in6addr_loopback};
	assert_int_equal(bind(holder, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(holder, 1), 0);
	struct native_proxy_port p[2] = {{.listen = in6addr_loopback, .listen_port = 0},
					 {.listen = in6addr_loopback, .listen_port = bound_port(holder)}};
	int fds[2] = {-7, -7};
	char *msg = NULL;
	assert_int_equal(native_proxy_listen(p, 2, fds, &msg), -1);
	char want[64];
	snprintf(want, sizeof(want), "Bind for [::1]:%u/tcp failed", bound_port(holder));
	if (!strstr(msg, want) || !strstr(msg, "already in use"))
		fail_msg("unexpected message: %s", msg);
	free(msg);
	close(holder);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tcp_relay),
	    cmocka_unit_test(test_udp_relay),
	    cmocka_unit_test(test_port_taken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
