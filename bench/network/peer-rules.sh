#!/bin/bash
# The peers leave firewall state behind (CNI's portmap and podman's netavark keep their base chains and the
# jumps to them after the last container). The benchmark removes what it made, and nothing that was there
# before it started:
#   peer-rules.sh snapshot FILE   record the iptables chains and nftables tables that exist now
#   peer-rules.sh restore FILE    delete every chain (and jump to it) that is not in FILE, and the iptables
#                                 tables (ip and ip6: nat, filter) that were not there either
set -euo pipefail
cmd=${1:?snapshot|restore}
file=${2:?file}
chains() {
	for t in nat filter; do
		iptables -t "$t" -S 2>/dev/null | sed -n "s/^-N \(.*\)/$t \1/p"
	done
}
case "$cmd" in
snapshot)
	chains >"$file"
	nft list tables 2>/dev/null | sed 's/^/table /' >>"$file" || true
	;;
restore)
	# each table rewritten without the new chains, their rules and the jumps to them, in one iptables-restore
	for t in nat filter; do
		new=$(chains | awk -v t="$t" '$1 == t {print $2}' | grep -vxF -f <(awk -v t="$t" '$1 == t {print $2}' "$file") || true)
		[ -n "$new" ] || continue
		pattern=$(echo "$new" | sed 's/.*/(^:& |^-A & | -j & ?$| -j & )/' | paste -sd'|')
		iptables-save -t "$t" | grep -vE "$pattern" | iptables-restore -T "$t"
	done
	# the tables iptables-nft made for them (netavark adds the ip6 ones for IPv6 networks)
	for t in "ip nat" "ip filter" "ip6 nat" "ip6 filter"; do
		if ! grep -qxF "table table $t" "$file" && nft list table $t >/dev/null 2>&1; then
			nft delete table $t || true
		fi
	done
	;;
esac
