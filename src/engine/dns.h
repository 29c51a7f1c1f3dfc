/* Service-name DNS for the native backend's networks, served by aardvark-dns (podman's resolver, packaged by
 * Debian): one configuration file per network under <root>/aardvark (its gateway, then one line per
 * container: id, addresses, names), one aardvark-dns process for the state root, listening on every network's
 * gateway. aardvark answers a container with the names of the networks that container is on, so names of a
 * network it does not share do not resolve; other names go to the host's resolvers. Changes reach it with
 * SIGHUP; with no network left it is stopped. */
#ifndef CC_ENGINE_DNS_H
#define CC_ENGINE_DNS_H

#include "base/error.h"
#include "runtime/types.h"

#include <stddef.h>

struct native_dns_entry {
	const char *id;       /* the container's id */
	const char *address;  /* its address on this network */
	const char *address6; /* its IPv6 address there; NULL: none */
	cc_strv names;        /* service name, aliases, container name, hostname */
	char *const *dns;     /* the container's own resolvers for other names (NULL: the host's) */
};

struct native_dns_network {
	const char *name;
	const char *gateway;
	const char *gateway6; /* NULL: an IPv4-only network */
	struct native_dns_entry *entries;
	size_t nentries;
};

/* The aardvark-dns binary: $CC_AARDVARK_DNS, else Debian's /usr/lib/podman/aardvark-dns; NULL when absent. */
const char *native_dns_server(void);
/* Make the configuration directory say exactly `nets`, then start, reload or stop the server to match. */
int native_dns_sync(const char *dir, const struct native_dns_network *nets, size_t nnets,
		    struct cc_error **err);

#endif
