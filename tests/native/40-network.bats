#!/usr/bin/env bats
# Networks on the native backend: bridges, service-name DNS (aardvark-dns), published ports through the
# engine's nftables table, internal networks, network_mode, the network CLI, and nothing left after down.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'
load helpers

setup_file() {
	native_setup_file
	if native_can_run && command -v gcc >/dev/null; then
		gcc -static -O2 -o "$BATS_FILE_TMPDIR/udp-echo" "$BATS_TEST_DIRNAME/udp-echo.c"
	fi
}

# The engine's links on the host (bridges cc-*, veth host ends ve*), one name per line.
engine_links() {
	ip -o link | sed -n 's/^[0-9]*: \(\(cc-\|ve\)[0-9a-f]\{12\}\)[:@].*/\1/p' | sort
}

setup() {
	native_setup
	[ -x /usr/lib/podman/aardvark-dns ] || skip "needs aardvark-dns"
	engine_links >"$BATS_TEST_TMPDIR/links.before"
}

teardown() {
	native_teardown
	outside6_down
}

# The name of this state root's nftables table (firewall.c: a hash of the root).
fw_table() {
	echo "container_compose_$(printf %s "$CONTAINER_COMPOSE_ROOT" | sha256sum | cut -c1-8)"
}

# Links, rules, namespaces and DNS server of the project: all must be gone after down.
assert_nothing_left() {
	# the kernel destroys a removed namespace's interfaces in the background: give it a moment
	local left
	eventually '[ -z "$(engine_links | comm -13 "$BATS_TEST_TMPDIR/links.before" -)" ]' 5 || true
	left=$(engine_links | comm -13 "$BATS_TEST_TMPDIR/links.before" -)
	[ -z "$left" ] || { echo "links left: $left"; return 1; }
	# nft answers 1 for a missing table (127 would be no nft at all, which must not pass for "gone")
	local family
	for family in inet ip; do
		run nft list table "$family" "$(fw_table)"
		[ "$status" -eq 1 ] || { echo "table left, or no nft to tell ($status): $family $(fw_table)"; return 1; }
	done
	[ -z "$(ls -A "$CONTAINER_COMPOSE_ROOT/netns" 2>/dev/null)" ] || { echo "namespaces left"; return 1; }
	run bash -c "grep -c '$CONTAINER_COMPOSE_ROOT' /proc/self/mountinfo"
	[ "$output" = 0 ] || { echo "mounts left: $output"; return 1; }
	local pidfile="$CONTAINER_COMPOSE_ROOT/aardvark/aardvark.pid"
	if [ -f "$pidfile" ]; then
		local st
		st=$(awk '{print $3}' "/proc/$(cat "$pidfile")/stat" 2>/dev/null || echo gone)
		[ "$st" = gone ] || [ "$st" = Z ] || { echo "aardvark-dns still running"; return 1; }
	fi
}

@test "a client reaches a web service by service name, alias and container name; the port answers on 127.0.0.1" {
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /w && echo hello-from-web > /w/index.html && exec httpd -f -p 8080 -h /w'
    ports: ["127.0.0.1:18481:8080", "18489:8080"]
    networks:
      default:
        aliases: [www]
  client:
    image: busybox
    command: sleep 300
YAML
	"$CC" --backend native up -d
	for name in web www proj-web-1; do
		run eventually "'$CC' --backend native exec client wget -qO- http://$name:8080/ >/dev/null 2>&1" 10
		[ "$status" -eq 0 ] || { echo "no answer from $name"; return 1; }
		run "$CC" --backend native exec client wget -qO- "http://$name:8080/"
		[ "$output" = hello-from-web ]
	done
	run curl -s -m 5 http://127.0.0.1:18481/
	[ "$output" = hello-from-web ]
	run "$CC" --backend native port web 8080
	[ "$output" = "127.0.0.1:18481" ]
	# another container reaches a port published on every address through the host (hairpin), and not
	# one published on 127.0.0.1 only (busybox's wget -T crashes: timeout(1) bounds it instead)
	gw=$("$CC" --backend native exec client sh -c "ip route | awk '/default/ {print \$3}'")
	run "$CC" --backend native exec client busybox timeout 5 wget -qO- "http://$gw:18489/"
	[ "$output" = hello-from-web ]
	run "$CC" --backend native exec client busybox timeout 5 wget -qO- "http://$gw:18481/"
	[ "$status" -ne 0 ]
	"$CC" --backend native kill client
	"$CC" --backend native down -t 1
	assert_nothing_left
}

@test "services on disjoint networks cannot resolve each other; a service on both resolves both" {
	cat >compose.yaml <<'YAML'
services:
  a:
    image: busybox
    command: sleep 300
    networks: [front]
  b:
    image: busybox
    command: sh -c 'mkdir -p /w && echo from-b > /w/index.html && exec httpd -f -p 80 -h /w'
    networks: [back]
  both:
    image: busybox
    command: sleep 300
    networks: [front, back]
networks:
  front:
  back:
YAML
	"$CC" --backend native up -d
	run eventually "'$CC' --backend native exec a nslookup both >/dev/null 2>&1" 10
	[ "$status" -eq 0 ]
	run "$CC" --backend native exec a nslookup b
	[ "$status" -ne 0 ]
	run "$CC" --backend native exec b nslookup a
	[ "$status" -ne 0 ]
	run "$CC" --backend native exec both nslookup a
	[ "$status" -eq 0 ]
	run "$CC" --backend native exec both nslookup b
	[ "$status" -eq 0 ]
	run "$CC" --backend native exec both sh -c 'ip -o -4 addr | grep -c "eth[01]"'
	[ "$output" = 2 ]
	# nor do their packets cross through the host: only a container on both reaches b
	bip=$("$CC" --backend native exec both nslookup b | awk '/^Address: 10\./ {print $2; exit}')
	run "$CC" --backend native exec both busybox timeout 3 wget -qO- "http://$bip/"
	[ "$output" = from-b ]
	run "$CC" --backend native exec a busybox timeout 3 wget -qO- "http://$bip/"
	[ "$status" -ne 0 ]
	"$CC" --backend native down -t 0
	assert_nothing_left
}

@test "a published udp port answers from the host; tcp port ranges and ephemeral ports are mapped" {
	[ -x "$BATS_FILE_TMPDIR/udp-echo" ] || skip "needs gcc to build the udp echo server"
	cp "$BATS_FILE_TMPDIR/udp-echo" .
	cat >compose.yaml <<'YAML'
services:
  echo:
    image: busybox
    command: /udp-echo 9999
    volumes: ["./udp-echo:/udp-echo:ro"]
    ports: ["18482:9999/udp", "18483-18485:80", "8080"]
YAML
	"$CC" --backend native up -d
	run python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
for _ in range(10):
    s.sendto(b"ping-udp", ("127.0.0.1", 18482))
    try:
        print(s.recv(100).decode()); sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)'
	[ "$status" -eq 0 ]
	[ "$output" = ping-udp ]
	run "$CC" --backend native port --protocol udp echo 9999
	[ "$output" = "0.0.0.0:18482" ]
	run "$CC" --backend native port echo 80
	[ "$output" = "0.0.0.0:18483" ]
	run "$CC" --backend native port echo 8080
	port=${output##*:}
	[ "$port" -gt 0 ]
	"$CC" --backend native down -t 0
	assert_nothing_left
}

# A python client of PROTO (tcp|udp) to [ADDR]:PORT over IPv6: prints the answer, exit 1 without one.
v6_client() {
	python3 -c '
import socket, sys
proto, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
for _ in range(10):
    try:
        if proto == "udp":
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.settimeout(1)
            s.sendto(b"ping-v6", (addr, port)); print(s.recv(100).decode()); sys.exit(0)
        s = socket.create_connection((addr, port), timeout=2)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n"); data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk: break
            data += chunk
        print(data.decode().split("\r\n\r\n", 1)[1].strip()); sys.exit(0)
    except (socket.timeout, ConnectionRefusedError):
        pass
sys.exit(1)' "$@"
}

@test "published ports answer on IPv6: a port without host_ip on [::1] and the host's address, [::1] alone, udp" {
	skip_without_ipv6
	[ -x "$BATS_FILE_TMPDIR/udp-echo" ] || skip "needs gcc to build the udp echo server"
	cp "$BATS_FILE_TMPDIR/udp-echo" .
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /w && echo hello-v6 > /w/index.html && exec httpd -f -p 8080 -h /w'
    ports: ["18490:8080", "[::1]:18491:8080", "127.0.0.1:18492:8080"]
  echo:
    image: busybox
    command: /udp-echo 9999
    volumes: ["./udp-echo:/udp-echo:ro"]
    ports: ["18493:9999/udp"]
YAML
	"$CC" --backend native up -d
	run v6_client tcp ::1 18490
	[ "$output" = hello-v6 ] || { echo "[::1]:18490: $output"; return 1; }
	local global
	global=$(ip -6 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n 1)
	if [ -n "$global" ]; then
		run v6_client tcp "$global" 18490
		[ "$output" = hello-v6 ] || { echo "[$global]:18490: $output"; return 1; }
	fi
	run curl -s -m 5 http://127.0.0.1:18490/
	[ "$output" = hello-v6 ]
	# an address publishes on that address only
	run v6_client tcp ::1 18491
	[ "$output" = hello-v6 ]
	run curl -s -m 2 http://127.0.0.1:18491/
	[ "$status" -ne 0 ]
	run v6_client tcp ::1 18492
	[ "$status" -ne 0 ]
	run v6_client udp ::1 18493
	[ "$output" = ping-v6 ]
	# a restarted container answers again; its proxy is its monitor's
	"$CC" --backend native restart web
	run v6_client tcp ::1 18490
	[ "$output" = hello-v6 ]
	"$CC" --backend native down -t 0
	# nothing listens on those ports any more
	run bash -c "ss -Hltnu '( sport >= :18490 and sport <= :18493 )' | wc -l"
	[ "$output" = 0 ] || { ss -ltnup | grep 1849; return 1; }
	assert_nothing_left
}

@test "a port taken on the host's IPv6 side is refused before the container starts" {
	skip_without_ipv6
	python3 -c '
import socket, time
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("::", 18494)); s.listen(1); time.sleep(60)' &
	local holder=$!
	local i
	for i in $(seq 1 50); do ss -Hltn '( sport = :18494 )' | grep -q . && break; sleep 0.1; done
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    command: sleep 300
    ports: ["18494:8080"]
YAML
	run "$CC" --backend native up -d
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	[ "$status" -ne 0 ]
	[[ "$output" == *"[::]:18494/tcp"*"already in use"* ]] || { echo "$output"; return 1; }
	run "$CC" --backend native ps -q
	[ -z "$output" ]
	"$CC" --backend native down -t 0
	assert_nothing_left
}

# network_field NETWORK KEY...: a field of `network inspect NETWORK`, keys nested left to right.
network_field() {
	local net="$1"
	shift
	"$CC" --backend native network inspect "$net" |
		python3 -c 'import json,sys; v=json.load(sys.stdin)[0]
for k in sys.argv[1:]: v=v[k]
print(v)' "$@"
}

# The IPv6 tests need the host's IPv6 loopback (::1 in /proc/net/if_inet6).
skip_without_ipv6() {
	grep -q "00000000000000000000000000000001" /proc/net/if_inet6 2>/dev/null || skip "the host has no IPv6"
}

# An "outside" host for the IPv6 tests: a namespace behind a veth pair, reachable from the host only, with
# no route back to any container subnet (so an answer comes back only to a masqueraded source).
outside6_up() {
	OUT6_NS="ccv6out$$"
	ip netns add "$OUT6_NS"
	ip link add ccv6h$$ type veth peer name ccv6o$$
	ip link set ccv6o$$ netns "$OUT6_NS"
	ip addr add fd0e:ee:1::1/64 dev ccv6h$$ nodad
	ip link set ccv6h$$ up
	ip -n "$OUT6_NS" addr add fd0e:ee:1::2/64 dev ccv6o$$ nodad
	ip -n "$OUT6_NS" link set ccv6o$$ up
	ip -n "$OUT6_NS" link set lo up
}

outside6_down() {
	if [ -n "${OUT6_PID:-}" ]; then kill "$OUT6_PID" 2>/dev/null || true; fi
	if [ -n "${OUT6_NS:-}" ]; then ip netns del "$OUT6_NS" 2>/dev/null || true; fi
	ip link del ccv6h$$ 2>/dev/null || true
	OUT6_PID= OUT6_NS=
}

@test "enable_ipv6: containers get IPv6 addresses, names answer AAAA, and IPv6 reaches peers, the host and the outside" {
	skip_without_ipv6
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /w && echo hello-dual > /w/index.html && exec httpd -f -p 80 -h /w'
    networks: [dual]
  client:
    image: busybox
    command: sleep 300
    networks:
      dual:
        ipv6_address: fd0c:c0c0:1::99
  roamer:
    image: busybox
    command: sleep 300
    networks: [auto6]
  inside6:
    image: busybox
    command: sleep 300
    networks: [sealed6]
networks:
  dual:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.99.7.0/24
        - subnet: fd0c:c0c0:1::/64
  auto6:
    enable_ipv6: true
  sealed6:
    internal: true
    enable_ipv6: true
YAML
	"$CC" --backend native up -d
	# the requested address, in the interface, /etc/hosts and the network's view
	run "$CC" --backend native exec client cat /proc/net/if_inet6
	[[ "$output" == *"fd0cc0c0000100000000000000000099 "* ]] || { echo "$output"; return 1; }
	run "$CC" --backend native exec client cat /etc/hosts
	[[ "$output" == *"fd0c:c0c0:1::99"* ]]
	[ "$(network_field "$(basename "$PWD")_dual" enableIpv6)" = True ]
	web6=$(network_field "$(basename "$PWD")_dual" containers6 "$(basename "$PWD")-web-1")
	[[ "$web6" == fd0c:c0c0:1::* ]] || { echo "web's address: $web6"; return 1; }
	# the service name answers AAAA with it, and a peer reaches it over IPv6
	run "$CC" --backend native exec client nslookup -type=aaaa web
	[[ "$output" == *"Address: $web6"* ]] || { echo "$output"; return 1; }
	run eventually "'$CC' --backend native exec client wget -qO- 'http://[$web6]/' | grep -q hello-dual" 10
	[ "$status" -eq 0 ]
	# the host reaches it through the bridge
	run curl -s -g -m 5 "http://[$web6]/"
	[ "$output" = hello-dual ]
	# a network without a subnet gets a /64 of the root's unique local prefix, with a default route
	run "$CC" --backend native network inspect "$(basename "$PWD")_auto6"
	[[ "$output" == *'"subnet6": "fd'*'::/64"'* ]] || { echo "$output"; return 1; }
	run "$CC" --backend native exec roamer sh -c 'grep -c "^0\{32\} 00 .* eth0$" /proc/net/ipv6_route'
	[ "$output" = 1 ]
	# the outside: reached through the host, with the host's address as the source (masquerade)
	outside6_up
	ip netns exec "$OUT6_NS" python3 -m http.server 18497 --bind "fd0e:ee:1::2" --directory "$PWD" \
		>"$BATS_TEST_TMPDIR/outside.log" 2>&1 &
	OUT6_PID=$!
	eventually "ip netns exec '$OUT6_NS' curl -s -g -o /dev/null 'http://[fd0e:ee:1::2]:18497/'" 10
	run "$CC" --backend native exec roamer wget -qO- "http://[fd0e:ee:1::2]:18497/compose.yaml"
	[[ "$output" == *"enable_ipv6"* ]] || { cat "$BATS_TEST_TMPDIR/outside.log"; return 1; }
	run grep -c "^fd0e:ee:1::1 .*GET /compose.yaml" "$BATS_TEST_TMPDIR/outside.log"
	[ "$output" = 1 ] || { cat "$BATS_TEST_TMPDIR/outside.log"; return 1; }
	# the host over IPv6: its gateway address answers a normal network, not an internal one
	python3 -m http.server 18498 --bind :: --directory "$PWD" >/dev/null 2>&1 &
	local host_server=$!
	eventually "curl -s -g -o /dev/null 'http://[::1]:18498/'" 10
	local project gw6 sealed_gw6
	project=$(basename "$PWD")
	gw6=$(network_field "${project}_auto6" gateway6)
	sealed_gw6=$(network_field "${project}_sealed6" gateway6)
	run "$CC" --backend native exec roamer busybox timeout 3 wget -qO- "http://[$gw6]:18498/compose.yaml"
	[[ "$output" == *"enable_ipv6"* ]] || { kill "$host_server"; echo "roamer to [$gw6]: $output"; return 1; }
	run "$CC" --backend native exec inside6 busybox timeout 3 wget -qO- "http://[$sealed_gw6]:18498/compose.yaml"
	kill "$host_server"
	[ "$status" -ne 0 ] || { echo "the internal network reached the host over IPv6"; return 1; }
	run "$CC" --backend native exec inside6 sh -c 'grep -c "^0\{32\} 00 .* eth0$" /proc/net/ipv6_route'
	[ "$output" = 0 ]
	"$CC" --backend native down -t 0
	assert_nothing_left
}

@test "a port published on a dual-stack network: IPv6 clients reach the container with their own address" {
	skip_without_ipv6
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    # a CGI script answers with the client's address as the container sees it
    command:
      - sh
      - -c
      - |
        mkdir -p /w/cgi-bin
        printf '#!/bin/sh\necho Content-Type: text/plain\necho\necho "from=$$REMOTE_ADDR"\n' >/w/cgi-bin/ip
        chmod +x /w/cgi-bin/ip
        exec httpd -f -p 80 -h /w
    ports: ["18499:80"]
    networks: [dual]
  client:
    image: busybox
    command: sleep 300
    networks: [dual]
networks:
  dual:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.99.9.0/24
        - subnet: fd0c:c0c0:9::/64
YAML
	"$CC" --backend native up -d
	outside6_up
	# from outside, through the host's IPv6 address: the client's own address, not the host's or the gateway's
	run eventually "ip netns exec '$OUT6_NS' curl -s -g -m 3 'http://[fd0e:ee:1::1]:18499/cgi-bin/ip' | grep -q 'from=\[fd0e:ee:1::2\]'" 10
	[ "$status" -eq 0 ] || { ip netns exec "$OUT6_NS" curl -s -g -m 3 "http://[fd0e:ee:1::1]:18499/cgi-bin/ip"; nft list ruleset; return 1; }
	# from the host to its own IPv6 address, and to ::1 (the relay) and 127.0.0.1
	run curl -s -g -m 3 "http://[fd0e:ee:1::1]:18499/cgi-bin/ip"
	[ "$output" = "from=[fd0e:ee:1::1]" ] || { echo "$output"; return 1; }
	run curl -s -g -m 3 "http://[::1]:18499/cgi-bin/ip"
	[[ "$output" == from=* ]] || { echo "$output"; return 1; }
	run curl -s -m 3 "http://127.0.0.1:18499/cgi-bin/ip"
	[[ "$output" == from=* ]] || { echo "$output"; return 1; }
	# a neighbour on the same bridge through the host's address (hairpin): the answer comes back
	run "$CC" --backend native exec client busybox timeout 3 wget -qO- "http://[fd0e:ee:1::1]:18499/cgi-bin/ip"
	[[ "$output" == from=* ]] || { echo "hairpin: $output"; return 1; }
	outside6_down
	"$CC" --backend native down -t 0
	assert_nothing_left
}

@test "IPv6 addresses are refused where a network has no IPv6, before anything is created" {
	cat >compose.yaml <<'YAML'
services:
  one:
    image: busybox
    command: sleep 300
    networks:
      v4only:
        ipv6_address: fd0c:c0c0:2::5
networks:
  v4only: {}
YAML
	run "$CC" --backend native up -d
	[ "$status" -ne 0 ]
	[[ "$output" == *"ipv6_address fd0c:c0c0:2::5: network"*"does not have IPv6 enabled"* ]] || { echo "$output"; return 1; }
	[ -z "$(states)" ]
	"$CC" --backend native down -t 0
	cat >compose.yaml <<'YAML'
services:
  one:
    image: busybox
    command: sleep 300
    networks: [odd]
networks:
  odd:
    ipam:
      config:
        - subnet: fd0c:c0c0:3::/64
YAML
	run "$CC" --backend native up -d
	[ "$status" -ne 0 ]
	[[ "$output" == *"an IPv6 subnet needs enable_ipv6: true"* ]] || { echo "$output"; return 1; }
	run "$CC" --backend native network ls -q
	[[ "$output" != *odd* ]]
	assert_nothing_left
}

@test "a firewall table deleted behind the engine's back is rebuilt by the next change, even one that adds no rule" {
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /w && echo fw-back > /w/index.html && exec httpd -f -p 8080 -h /w'
    ports: ["127.0.0.1:18499:8080"]
  idle:
    image: busybox
    command: sleep 300
YAML
	"$CC" --backend native up -d
	run eventually "curl -s -m 2 http://127.0.0.1:18499/ | grep -q fw-back" 10
	[ "$status" -eq 0 ]
	nft delete table inet "$(fw_table)"
	run curl -s -m 2 http://127.0.0.1:18499/
	[ "$output" != fw-back ]
	# a second idle container: no port, same network, so the engine's script is the one it applied before
	"$CC" --backend native up -d --scale idle=2
	run curl -s -m 5 http://127.0.0.1:18499/
	[ "$output" = fw-back ]
	"$CC" --backend native down -t 0
	assert_nothing_left
}

@test "after a reboot (namespaces, bridges, table and DNS server gone) up -d brings the network back" {
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /w && echo rebooted > /w/index.html && exec httpd -f -p 8080 -h /w'
    ports: ["127.0.0.1:18500:8080"]
  client:
    image: busybox
    command: sleep 300
YAML
	"$CC" --backend native up -d
	run eventually "curl -s -m 2 http://127.0.0.1:18500/ | grep -q rebooted" 10
	[ "$status" -eq 0 ]
	"$CC" --backend native stop -t 0
	# what a reboot takes: the namespaces' mounts (their veth pairs go with them), the bridge, the
	# firewall table and the DNS server; the store and the containers' directories stay
	local bridge pid
	bridge=$(network_field "$(basename "$PWD")_default" options com.docker.network.bridge.name)
	for ns in "$CONTAINER_COMPOSE_ROOT"/netns/*; do umount "$ns"; done
	ip link del "$bridge"
	nft delete table inet "$(fw_table)"
	pid=$(cat "$CONTAINER_COMPOSE_ROOT/aardvark/aardvark.pid")
	kill "$pid"
	eventually "! kill -0 $pid 2>/dev/null" 5
	"$CC" --backend native up -d
	run curl -s -m 5 http://127.0.0.1:18500/
	[ "$output" = rebooted ] || { echo "port: $output"; return 1; }
	run eventually "'$CC' --backend native exec client wget -qO- http://web:8080/ | grep -q rebooted" 10
	[ "$status" -eq 0 ]
	"$CC" --backend native down -t 0
	assert_nothing_left
}

@test "an internal network resolves names but cannot reach the host gateway or the outside" {
	cat >compose.yaml <<'YAML'
services:
  inside:
    image: busybox
    command: sleep 300
    networks: [sealed]
  peer:
    image: busybox
    command: sh -c 'mkdir -p /w && echo peer > /w/index.html && exec httpd -f -p 80 -h /w'
    networks: [sealed]
  open:
    image: busybox
    command: sleep 300
networks:
  sealed:
    internal: true
YAML
	# a server on the host, on every address
	python3 -m http.server 18486 --bind 0.0.0.0 --directory "$BATS_TEST_TMPDIR" >/dev/null 2>&1 &
	server=$!
	eventually "curl -s -o /dev/null http://127.0.0.1:18486/" 10
	"$CC" --backend native up -d
	run eventually "'$CC' --backend native exec inside wget -qO- http://peer/ >/dev/null 2>&1" 10
	[ "$status" -eq 0 ]
	gw=$("$CC" --backend native exec open sh -c "ip route | awk '/default/ {print \$3}'")
	run "$CC" --backend native exec open busybox timeout 3 wget -qO- "http://$gw:18486/"
	[ "$status" -eq 0 ] # the host is reachable from a normal network...
	sealed_gw=$("$CC" --backend native exec inside sh -c "ip -o -4 addr show eth0 | awk '{print \$4}' | sed 's|[0-9]*/.*|1|'")
	run "$CC" --backend native exec inside busybox timeout 3 wget -qO- "http://$sealed_gw:18486/"
	[ "$status" -ne 0 ] # ...but not from the internal one
	run "$CC" --backend native exec inside busybox timeout 3 wget -qO- "http://$gw:18486/"
	[ "$status" -ne 0 ]
	run "$CC" --backend native exec inside sh -c 'ip route | grep -c default'
	[ "$output" = 0 ]
	kill "$server"
	"$CC" --backend native down -t 0
	assert_nothing_left
}

@test "a service on an internal and a public network publishes its port on the public one" {
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /w && echo both-nets > /w/index.html && exec httpd -f -p 80 -h /w'
    networks: [back, front]
    ports: ["127.0.0.1:18488:80"]
networks:
  back:
    internal: true
  front:
YAML
	"$CC" --backend native up -d
	run eventually "curl -s --max-time 2 http://127.0.0.1:18488/ | grep -q both-nets" 10
	assert_success
	"$CC" --backend native down -t 0
	assert_nothing_left
}

@test "a port taken by another container or by a host process is refused before the container starts" {
	python3 -c 'import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 18487)); s.listen(1); time.sleep(60)' &
	holder=$!
	cat >compose.yaml <<'YAML'
services:
  first:
    image: busybox
    command: sleep 300
    ports: ["18488:80"]
  second:
    image: busybox
    command: sleep 300
    ports: ["18488:80"]
    profiles: [clash]
  hostclash:
    image: busybox
    command: sleep 300
    ports: ["18487:80"]
    profiles: [host]
YAML
	sleep 0.3
	"$CC" --backend native up -d
	run "$CC" --backend native --profile clash up -d second
	[ "$status" -ne 0 ]
	[[ "$output" == *"18488"*"already allocated"*"proj-first-1"* ]]
	run "$CC" --backend native --profile host up -d hostclash
	[ "$status" -ne 0 ]
	[[ "$output" == *"18487"*"address already in use"* ]]
	run "$CC" --backend native ps -a --format json
	[[ "$output" != *proj-second-1* ]]
	[[ "$output" != *proj-hostclash-1* ]]
	kill "$holder"
	"$CC" --backend native down -t 0
	assert_nothing_left
}

@test "network_mode service: shares the namespace; scaling updates DNS answers without restarts" {
	cat >compose.yaml <<'YAML'
services:
  app:
    image: busybox
    command: sh -c 'mkdir -p /w && echo app > /w/index.html && exec httpd -f -p 8000 -h /w'
  sidecar:
    image: busybox
    command: sleep 300
    network_mode: "service:app"
  client:
    image: busybox
    command: sleep 300
YAML
	"$CC" --backend native up -d
	run eventually "'$CC' --backend native exec sidecar wget -qO- http://127.0.0.1:8000/ >/dev/null 2>&1" 10
	[ "$status" -eq 0 ]
	run eventually "[ \$('$CC' --backend native exec client nslookup app 2>/dev/null | grep -c '^Address: 10\.') = 1 ]" 10
	[ "$status" -eq 0 ]
	"$CC" --backend native up -d --scale app=3 --no-recreate
	run eventually "[ \$('$CC' --backend native exec client nslookup app 2>/dev/null | grep -c '^Address: 10\.') = 3 ]" 10
	[ "$status" -eq 0 ] || { "$CC" --backend native exec client nslookup app || true; return 1; }
	# the gateway keeps its own MAC as ports come: a bridge would otherwise take the lowest port's, and
	# the containers' ARP caches would send DNS to a neighbour instead (seen before the fix)
	br=$(network_field proj_default options com.docker.network.bridge.name)
	[[ "$(ip -o link show "$br")" == *"link/ether 02:42:"* ]]
	"$CC" --backend native down -t 0
	assert_nothing_left
}

@test "links: the linked service answers to its alias; a hostname resolves too" {
	cat >compose.yaml <<'YAML'
services:
  db:
    image: busybox
    hostname: dbhost
    command: sh -c 'mkdir -p /w && echo from-db > /w/index.html && exec httpd -f -p 80 -h /w'
  app:
    image: busybox
    command: sleep 300
    links: ["db:database"]
YAML
	"$CC" --backend native up -d
	run eventually "'$CC' --backend native exec app wget -qO- http://database/ >/dev/null 2>&1" 10
	[ "$status" -eq 0 ]
	run "$CC" --backend native exec app wget -qO- http://database/
	[ "$output" = from-db ]
	run "$CC" --backend native exec app wget -qO- http://dbhost/
	[ "$output" = from-db ]
	"$CC" --backend native down -t 0
	assert_nothing_left
}

@test "extra_hosts in /etc/hosts, host-gateway as the network's gateway, domainname, mac_address" {
	cat >compose.yaml <<'YAML'
services:
  app:
    image: busybox
    command: sleep 300
    hostname: box
    domainname: example.test
    mac_address: "02:00:00:00:00:aa"
    extra_hosts: ["db:10.1.2.3", "gw:host-gateway", "six=[::1]"]
YAML
	"$CC" --backend native up -d
	run "$CC" --backend native exec app cat /etc/hosts
	assert_line --regexp '^10\.1\.2\.3[[:space:]]+db$'
	assert_line --regexp '^::1[[:space:]]+six$'
	assert_line --regexp '^[0-9.]+[[:space:]]+box\.example\.test box$'
	# host-gateway is the address the container reaches the host at: its network's gateway
	gw=$("$CC" --backend native exec app sh -c "awk '/^nameserver/ {print \$2; exit}' /etc/resolv.conf")
	[ -n "$gw" ]
	assert_line --regexp "^${gw//./\\.}[[:space:]]+gw$"
	run "$CC" --backend native exec app cat /proc/sys/kernel/domainname
	assert_output example.test
	# the service's mac_address is its network's
	run "$CC" --backend native exec app cat /sys/class/net/eth0/address
	assert_output 02:00:00:00:00:aa
	"$CC" --backend native down -t 0
	assert_nothing_left
}

@test "network ls, inspect, create, connect, disconnect, rm and prune" {
	cat >compose.yaml <<'YAML'
services:
  one:
    image: busybox
    command: sleep 300
  lone:
    image: busybox
    command: sleep 300
    network_mode: none
YAML
	"$CC" --backend native up -d
	run "$CC" --backend native network create --subnet 10.231.7.0/24 --label team=a extra
	[ "$status" -eq 0 ]
	run "$CC" --backend native network create --subnet 10.231.7.0/25 clash
	[ "$status" -ne 0 ]
	[[ "$output" == *overlaps*extra* ]]
	# an interface the engine did not make is never taken over
	run "$CC" --backend native network create -o com.docker.network.bridge.name=lo takeover
	[ "$status" -ne 0 ]
	[[ "$output" == *"named lo already exists"* ]]
	run "$CC" --backend native network ls --format json
	[[ "$output" == *'"Name":"extra"'*'"Subnet":"10.231.7.0/24"'* ]] || [[ "$output" == *'"Subnet":"10.231.7.0/24"'* ]]
	run "$CC" --backend native network ls -q
	[[ "$output" == *extra* ]]
	[[ "$output" == *proj_default* ]]
	"$CC" --backend native network connect --alias uno extra proj-one-1
	run "$CC" --backend native exec one sh -c 'ip -o -4 addr | grep -c 10.231.7.'
	[ "$output" = 1 ]
	# a container with network_mode none stays without a network, as docker's does
	run "$CC" --backend native network connect extra proj-lone-1
	[ "$status" -ne 0 ]
	[[ "$output" == *"network_mode none"* ]]
	run "$CC" --backend native exec lone sh -c 'ip -o -4 addr | grep -c 10.231.7.'
	[ "$output" = 0 ]
	run "$CC" --backend native network inspect extra
	[[ "$output" == *proj-one-1* ]]
	run "$CC" --backend native network rm extra
	[ "$status" -ne 0 ]
	[[ "$output" == *"active endpoints"* ]]
	"$CC" --backend native network disconnect extra proj-one-1
	run "$CC" --backend native exec one sh -c 'ip -o -4 addr | grep -c 10.231.7.'
	[ "$output" = 0 ]
	run "$CC" --backend native network prune -f
	[[ "$output" == *extra* ]]
	[[ "$output" != *proj_default* ]]
	run "$CC" --backend native network inspect extra
	[ "$status" -ne 0 ]
	"$CC" --backend native down -t 0
	assert_nothing_left
}

# the addresses NAME resolves to inside the client container, sorted, one per line
resolved() {
	"$CC" --backend native exec client nslookup "$1" 2>/dev/null |
		awk '/^Name:/ {n=1; next} n && /^Address/ {print $NF}' | sort
}

@test "run -p publishes a one-off's port; a one-off answers to the service's names only with --use-aliases" {
	cat >compose.yaml <<'YAML'
services:
  web:
    image: busybox
    command: sh -c 'mkdir -p /w && echo from-service > /w/index.html && exec httpd -f -p 8080 -h /w'
    networks:
      default:
        aliases: [www]
  client:
    image: busybox
    command: sleep 300
YAML
	"$CC" --backend native up -d
	"$CC" --backend native run -d --name oneoff -p 127.0.0.1:18495:8080 web \
		sh -c 'mkdir -p /w && echo from-oneoff > /w/index.html && exec httpd -f -p 8080 -h /w'
	run eventually "curl -s -m 2 http://127.0.0.1:18495/ | grep -q from-oneoff" 10
	assert_success
	run "$CC" --backend native port web 8080
	refute_output --partial 18495
	local service_ip oneoff_ip
	service_ip=$(resolved proj-web-1)
	oneoff_ip=$(resolved oneoff)
	[ -n "$service_ip" ] && [ -n "$oneoff_ip" ]
	# the container name resolves, the service's names lead to the service only
	run resolved web
	assert_output "$service_ip"
	run resolved www
	assert_output "$service_ip"
	"$CC" --backend native run -d --name aliased --use-aliases web sleep 300
	local aliased_ip
	aliased_ip=$(resolved aliased)
	run eventually "[ \"\$(resolved www | wc -l)\" = 2 ]" 10
	assert_success
	run resolved www
	assert_output "$(printf '%s\n%s\n' "$service_ip" "$aliased_ip" | sort)"
	run resolved web
	assert_output "$(printf '%s\n%s\n' "$service_ip" "$aliased_ip" | sort)"
	"$CC" --backend native down -t 1
	assert_nothing_left
}

@test "external_links: a container of another project on a shared network answers to the alias" {
	"$CC" --backend native network create shared-ext
	mkdir other && cat >other/compose.yaml <<'YAML'
services:
  db:
    image: busybox
    command: sh -c 'mkdir -p /w && echo from-other-db > /w/index.html && exec httpd -f -p 80 -h /w'
    networks: [shared]
networks:
  shared: {name: shared-ext, external: true}
YAML
	cat >compose.yaml <<'YAML'
services:
  app:
    image: busybox
    command: sleep 300
    external_links: ["other-db-1:database"]
    networks: [shared]
networks:
  shared: {name: shared-ext, external: true}
YAML
	"$CC" --backend native -f other/compose.yaml up -d
	"$CC" --backend native up -d
	run eventually "'$CC' --backend native exec app wget -qO- http://database/ >/dev/null 2>&1" 10
	assert_success
	run "$CC" --backend native exec app wget -qO- http://database/
	assert_output from-other-db
	"$CC" --backend native down -t 0
	"$CC" --backend native -f other/compose.yaml down -t 0
	"$CC" --backend native network rm shared-ext
	assert_nothing_left
}
