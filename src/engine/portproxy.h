/* Published ports on IPv6. The engine's nftables rules forward IPv4 only: a container has no IPv6 address,
 * and the kernel cannot translate between the families. As docker's userland proxy does, a small process
 * that belongs to the container's monitor listens on the host's IPv6 address and relays each TCP
 * connection and UDP exchange to the container's IPv4 address. */
#ifndef CC_ENGINE_PORTPROXY_H
#define CC_ENGINE_PORTPROXY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct native_proxy_port {
	bool udp;
	bool optional;          /* the implicit [::] of a port without host_ip: skipped where IPv6 is not */
	struct in6_addr listen; /* in6addr_any for [::] */
	uint16_t listen_port;
	struct in_addr target; /* the container's address */
	uint16_t target_port;
};

/* Binds each port's socket (IPv6 only, listening for TCP) into fds[i]; -1 for an optional one the host
 * cannot bind for want of IPv6. 0, or -1 with *msg (owned) naming the port that failed (all closed). */
int native_proxy_listen(const struct native_proxy_port *p, size_t n, int *fds, char **msg);
/* Forks the relay over the bound sockets (it dies with its parent); its pid, or -1. The caller's copies of
 * the sockets are closed either way. */
pid_t native_proxy_start(const struct native_proxy_port *p, size_t n, int *fds);

#endif
