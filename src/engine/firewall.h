/* The engine's packet filter: one nftables table (family inet: IPv4 and IPv6) per state root holding
 * everything the native backend's networks need (outbound masquerade, isolation of internal networks,
 * published ports as DNAT, hairpin and localhost forwarding). The table is rebuilt whole from the store's
 * state and replaced in one nftables transaction (libnftables), so it never holds a half-applied change and
 * never outlives the last network. */
#ifndef CC_ENGINE_FIREWALL_H
#define CC_ENGINE_FIREWALL_H

#include "base/error.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct native_fw_network {
	const char *bridge;
	const char *subnet;  /* "a.b.c.d/p" */
	const char *subnet6; /* NULL: an IPv4-only network */
	bool internal;       /* no way in or out but DNS on the gateway */
	bool masquerade;     /* outbound traffic is NATed to the host's address */
};

struct native_fw_port {
	const char *protocol; /* "tcp", "udp" */
	const char *host_ip;  /* NULL, "0.0.0.0" or "::": every local address of the family */
	uint16_t host_port;
	const char *address; /* the container's, of the family */
	uint16_t port;
	bool ipv6; /* an IPv6 port, forwarded to the container's IPv6 address (never from ::1) */
};

/* The nft script that replaces the table with one for these networks and ports (owned); when there are no
 * networks it only deletes the table. `table` is the table's name. */
char *native_fw_script(const char *table, const struct native_fw_network *nets, size_t nnets,
		       const struct native_fw_port *ports, size_t nports);
/* A backend's nftables context, kept from its first transaction to its close. Closing the netlink socket
 * right after a transaction that deleted objects waits for the kernel to destroy them (an RCU grace period:
 * 9 to 20 ms measured here); kept open, the destruction finishes in the background, and every change to the
 * table (container create and remove, network connect and disconnect) is that much faster. */
struct nft_ctx;
struct native_fw {
	pthread_mutex_t lock;
	struct nft_ctx *nft; /* NULL until the first transaction */
};
void native_fw_init(struct native_fw *fw);
void native_fw_release(struct native_fw *fw);
/* Run an nft script in one transaction. */
int native_fw_apply(struct native_fw *fw, const char *script, struct cc_error **err);
/* The table as the kernel lists it (owned): "" when it is not there (or cannot be read). */
char *native_fw_listing(struct native_fw *fw, const char *table);
/* The table's name for a state root: "container_compose_" and 8 hex digits of the root's hash. */
char *native_fw_table(const char *root);

#endif
