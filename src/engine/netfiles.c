/* /etc/hosts and /etc/resolv.conf of a container: see netfiles.h. */
#include "engine/netfiles.h"

#include "base/cleanup.h"
#include "base/xalloc.h"

#include <stdbool.h>
#include <string.h>

static void add_extra_host(struct cc_strbuf *out, const char *entry, char *const *gateways)
{
	const char *sep = strchr(entry, '=');
	if (!sep)
		sep = strchr(entry, ':');
	if (!sep || sep == entry || !sep[1])
		return;
	const char *ip = sep + 1;
	if (strcmp(ip, "host-gateway") == 0)
		ip = gateways && gateways[0] ? gateways[0] : "127.0.0.1";
	cc_strbuf_addf(out, "%s\t%.*s\n", ip, (int)(sep - entry), entry);
}

void native_hosts_text(struct cc_strbuf *out, const struct cc_container_spec *spec,
		       const struct cc_container *net, const char *hostname, char *const *gateways)
{
	cc_strbuf_adds(out, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	const char *domain = spec->domainname && *spec->domainname ? spec->domainname : NULL;
	cleanup_free char *names =
	    domain ? cc_xasprintf("%s.%s %s", hostname, domain, hostname) : cc_xstrdup(hostname);
	for (size_t i = 0; i < net->nendpoints; i++) {
		if (net->endpoints[i].ipv4_address)
			cc_strbuf_addf(out, "%s\t%s\n", net->endpoints[i].ipv4_address, names);
		if (net->endpoints[i].ipv6_address)
			cc_strbuf_addf(out, "%s\t%s\n", net->endpoints[i].ipv6_address, names);
	}
	if (!net->nendpoints)
		cc_strbuf_addf(out, "127.0.1.1\t%s\n", names);
	for (char *const *h = spec->extra_hosts; h && *h; h++)
		add_extra_host(out, *h, gateways);
}

/* The first word of a resolv.conf line is `word`. */
static bool keyword(const char *line, const char *word)
{
	size_t n = strlen(word);
	return strncmp(line, word, n) == 0 && (line[n] == ' ' || line[n] == '\t');
}

void native_resolv_text(struct cc_strbuf *out, const char *host_resolv, char *const *servers,
			char *const *search, char *const *opts)
{
	bool own_servers = servers && servers[0], own_search = search && search[0],
	     own_opts = opts && opts[0];
	for (char *const *d = servers; d && *d; d++)
		cc_strbuf_addf(out, "nameserver %s\n", *d);
	for (const char *line = host_resolv; line && *line;) {
		size_t len = strcspn(line, "\n");
		bool keep = keyword(line, "nameserver")                          ? !own_servers
			    : keyword(line, "search") || keyword(line, "domain") ? !own_search
			    : keyword(line, "options")                           ? !own_opts
										 : false;
		if (keep)
			cc_strbuf_addf(out, "%.*s\n", (int)len, line);
		line += len + (line[len] == '\n');
	}
	for (char *const *d = search; d && *d; d++)
		cc_strbuf_addf(out, "%s%s", d == search ? "search " : " ", *d);
	if (own_search)
		cc_strbuf_adds(out, "\n");
	for (char *const *d = opts; d && *d; d++)
		cc_strbuf_addf(out, "options %s\n", *d);
}
