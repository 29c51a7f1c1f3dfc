/* The nftables table of a state root: see firewall.h. */
#include "engine/firewall.h"
#include "base/cleanup.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include "base/libnftables.h"
#include <string.h>

char *native_fw_table(const char *root)
{
	char hex[65];
	cc_sha256_hex(root, strlen(root), hex);
	return cc_xasprintf("container_compose_%.8s", hex);
}

static void nat_chains(struct cc_strbuf *sb, const struct native_fw_network *nets, size_t nnets,
		       const struct native_fw_port *ports, size_t nports)
{
	/* published ports: traffic to any local address (from outside or from the host itself) */
	cc_strbuf_adds(sb, "  chain ports {\n");
	for (size_t i = 0; i < nports; i++) {
		const struct native_fw_port *p = &ports[i];
		cc_strbuf_adds(sb, "    ");
		if (p->ipv6) {
			/* ::1 cannot be forwarded (a packet from it never leaves the host): the monitor's
			 * relay answers there (portproxy.h) */
			if (p->host_ip && strcmp(p->host_ip, "::") != 0)
				cc_strbuf_addf(sb, "ip6 daddr %s ", p->host_ip);
			else
				cc_strbuf_adds(sb, "ip6 daddr != ::1 ");
			cc_strbuf_addf(sb, "%s dport %u dnat ip6 to [%s]:%u\n", p->protocol, p->host_port,
				       p->address, p->port);
			continue;
		}
		if (p->host_ip && strcmp(p->host_ip, "0.0.0.0") != 0)
			cc_strbuf_addf(sb, "ip daddr %s ", p->host_ip);
		else
			cc_strbuf_adds(sb, "meta nfproto ipv4 ");
		cc_strbuf_addf(sb, "%s dport %u dnat ip to %s:%u\n", p->protocol, p->host_port, p->address,
			       p->port);
	}
	cc_strbuf_adds(sb, "  }\n"
			   "  chain prerouting {\n"
			   "    type nat hook prerouting priority dstnat; policy accept;\n"
			   "    fib daddr type local jump ports\n"
			   "  }\n"
			   "  chain output {\n"
			   "    type nat hook output priority -100; policy accept;\n"
			   "    fib daddr type local jump ports\n"
			   "  }\n"
			   "  chain postrouting {\n"
			   "    type nat hook postrouting priority srcnat; policy accept;\n");
	for (size_t i = 0; i < nnets; i++) {
		const struct native_fw_network *n = &nets[i];
		/* 127.0.0.1 forwarded into the bridge, and a container reaching a port published by a
		 * neighbour through the host (hairpin): the answer must come back through the host */
		cc_strbuf_addf(sb, "    oifname \"%s\" ip saddr 127.0.0.0/8 masquerade\n", n->bridge);
		cc_strbuf_addf(sb, "    oifname \"%s\" ct status dnat ip saddr %s masquerade\n", n->bridge,
			       n->subnet);
		if (n->subnet6)
			cc_strbuf_addf(sb, "    oifname \"%s\" ct status dnat ip6 saddr %s masquerade\n",
				       n->bridge, n->subnet6);
		if (n->masquerade && !n->internal)
			cc_strbuf_addf(sb, "    ip saddr %s oifname != \"%s\" masquerade\n", n->subnet,
				       n->bridge);
		if (n->masquerade && !n->internal && n->subnet6)
			cc_strbuf_addf(sb, "    ip6 saddr %s oifname != \"%s\" masquerade\n", n->subnet6,
				       n->bridge);
	}
	cc_strbuf_adds(sb, "  }\n");
}

static void filter_chains(struct cc_strbuf *sb, const struct native_fw_network *nets, size_t nnets)
{
	cc_strbuf_adds(sb, "  chain forward {\n"
			   "    type filter hook forward priority filter; policy accept;\n"
			   /* a published port reached from another network goes through the host: allowed */
			   "    ct status dnat accept\n");
	for (size_t i = 0; i < nnets; i++) {
		if (nets[i].internal) {
			cc_strbuf_addf(sb,
				       "    iifname \"%s\" oifname != \"%s\" drop\n"
				       "    oifname \"%s\" iifname != \"%s\" drop\n",
				       nets[i].bridge, nets[i].bridge, nets[i].bridge, nets[i].bridge);
			continue;
		}
		/* networks are isolated from each other, as docker's are: a container on two networks talks
		 * to both through its own interfaces, never through the host */
		for (size_t k = 0; k < nnets; k++)
			if (k != i)
				cc_strbuf_addf(sb, "    iifname \"%s\" oifname \"%s\" drop\n", nets[i].bridge,
					       nets[k].bridge);
	}
	cc_strbuf_adds(sb, "  }\n"
			   "  chain input {\n"
			   "    type filter hook input priority filter; policy accept;\n");
	for (size_t i = 0; i < nnets; i++) {
		/* route_localnet lets 127.0.0.1 be forwarded into a bridge; it must not let a container reach
		 * the host's loopback services the other way (a forged destination, CVE-2020-8558's class) */
		cc_strbuf_addf(
		    sb, "    iifname \"%s\" ip daddr 127.0.0.0/8 ct state != { established, related } drop\n",
		    nets[i].bridge);
		/* an internal network reaches the host only for names (the DNS server on its gateway), and
		 * for the neighbour discovery without which IPv6 reaches nothing */
		if (nets[i].internal)
			cc_strbuf_addf(
			    sb,
			    "    iifname \"%s\" meta l4proto { tcp, udp } th dport 53 accept\n"
			    "    iifname \"%s\" icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } "
			    "accept\n"
			    "    iifname \"%s\" drop\n",
			    nets[i].bridge, nets[i].bridge, nets[i].bridge);
	}
	cc_strbuf_adds(sb, "  }\n");
}

char *native_fw_script(const char *table, const struct native_fw_network *nets, size_t nnets,
		       const struct native_fw_port *ports, size_t nports)
{
	struct cc_strbuf sb = CC_STRBUF_INIT;
	/* "add" first, so "delete" never fails on a table that is not there; the ip family's is the table of
	 * earlier versions, before IPv6 networks */
	cc_strbuf_addf(&sb, "add table ip %s\ndelete table ip %s\nadd table inet %s\ndelete table inet %s\n",
		       table, table, table, table);
	if (nnets) {
		cc_strbuf_addf(&sb, "table inet %s {\n", table);
		nat_chains(&sb, nets, nnets, ports, nports);
		filter_chains(&sb, nets, nnets);
		cc_strbuf_adds(&sb, "}\n");
	}
	return cc_strbuf_detach(&sb, NULL);
}

void native_fw_init(struct native_fw *fw)
{
	pthread_mutex_init(&fw->lock, NULL);
	fw->nft = NULL;
}

void native_fw_release(struct native_fw *fw)
{
	if (fw->nft)
		nft_ctx_free(fw->nft);
	fw->nft = NULL;
	pthread_mutex_destroy(&fw->lock);
}

/* Run nft commands; *output (owned) gets what they printed. */
static int run(struct native_fw *fw, const char *cmds, char **output, struct cc_error **err)
{
	if (cc_nftables_ready(err) < 0)
		return -1;
	pthread_mutex_lock(&fw->lock);
	if (!fw->nft && (fw->nft = nft_ctx_new(NFT_CTX_DEFAULT))) {
		nft_ctx_buffer_output(fw->nft);
		nft_ctx_buffer_error(fw->nft);
	}
	int r = 0;
	if (!fw->nft) {
		r = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "nftables: cannot create a context");
	} else if (nft_run_cmd_from_buffer(fw->nft, cmds) != 0) {
		const char *msg = nft_ctx_get_error_buffer(fw->nft);
		r = cc_error_set(err, CC_ERR_BACKEND_FAILURE, "nftables: %s", msg && *msg ? msg : "failed");
	} else {
		nft_ctx_get_error_buffer(fw->nft); /* rewinds it: warnings must not pile up */
	}
	/* read either way: the buffers are rewound only by reading them */
	const char *out = fw->nft ? nft_ctx_get_output_buffer(fw->nft) : NULL;
	if (output)
		*output = r == 0 ? cc_xstrdup(out ? out : "") : NULL;
	pthread_mutex_unlock(&fw->lock);
	return r;
}

int native_fw_apply(struct native_fw *fw, const char *script, struct cc_error **err)
{
	return run(fw, script, NULL, err);
}

char *native_fw_listing(struct native_fw *fw, const char *table)
{
	cleanup_free char *cmd = cc_xasprintf("list table inet %s", table);
	char *out = NULL;
	struct cc_error *e = NULL;
	if (run(fw, cmd, &out, &e) < 0) {
		cc_error_free(e);
		return cc_xstrdup("");
	}
	return out;
}
