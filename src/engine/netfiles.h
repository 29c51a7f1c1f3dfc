/* The text of a container's /etc/hosts and /etc/resolv.conf, as docker writes them. No I/O: the caller reads
 * the host's resolv.conf and writes the files (engine/containers.c). */
#ifndef CC_ENGINE_NETFILES_H
#define CC_ENGINE_NETFILES_H

#include "base/strbuf.h"
#include "runtime/types.h"

/* localhost, the container's addresses on `net` (the container whose network namespace it has) under its
 * hostname (with `domainname`, the full name first), then `extra_hosts`: HOST=IP (the loader's form) or
 * HOST:IP (the Engine API's); `host-gateway` is the first of `gateways`, or the loopback without one. */
void native_hosts_text(struct cc_strbuf *out, const struct cc_container_spec *spec,
		       const struct cc_container *net, const char *hostname, char *const *gateways);

/* `servers` (NULL or empty: the host's nameservers), then `search` (else the host's search and domain
 * lines), then `opts` (else the host's options). `host_resolv` may be NULL. */
void native_resolv_text(struct cc_strbuf *out, const char *host_resolv, char *const *servers,
			char *const *search, char *const *opts);

#endif
